/*
 * estates.c - load the list of estates a daemon serves (etc/estates.yaml).
 *
 * The file is one YAML document (read by yamldoc.c).  Loading checks
 * everything and stops at the first problem, reported as
 * "<name>:<line>: <problem>" with the line of the offending node, e.g.
 *
 *     estates.yaml:9: estate 'demo': listed twice (first at line 4)
 *
 * THE FORMAT (docs/roster.md is written from this block)
 *
 *   estates:              required list of 1..1024 mappings
 *     - id: demo          required; [a-z0-9_-]+, at most 48 bytes, unique;
 *                         the estate of tickets, topics and rosters
 *       title: Demo Garden   required text, at most 256 bytes
 *       calendar: cn      required; the id of a working-day calendar,
 *                         etc/calendars/<calendar>.yaml ([a-z0-9_]+, at
 *                         most 48 bytes)
 *       roster: demo      optional; the estate's duty roster,
 *                         etc/rosters/<roster>.yaml ([a-z0-9_-]+, at most
 *                         48 bytes); absent or null: no roster
 *
 * No other keys are allowed, at the top or in an estate.  The calendar and
 * roster files are not opened here (see estates.h).
 */
#include "estates.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamldoc.h"

#define TEXT_MAX 256

struct gj_estates {
	struct gj_estate *v;
	size_t n;
};

/* ---- loading ---------------------------------------------------------- */

struct loader {
	const char *name;
	char *error;
	bool oom;
};

static int fail(struct loader *l, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record the first problem as "name:line: problem". */
static int fail(struct loader *l, int line, const char *fmt, ...)
{
	va_list ap;
	char *problem = NULL;
	int n;

	if (l->error || l->oom)
		return l->oom ? -ENOMEM : -EINVAL;
	va_start(ap, fmt);
	n = vasprintf(&problem, fmt, ap);
	va_end(ap);
	if (n < 0)
		goto oom;
	n = asprintf(&l->error, "%s:%d: %s", l->name, line > 0 ? line : 1,
		     problem);
	free(problem);
	if (n < 0) {
		l->error = NULL;
		goto oom;
	}
	return -EINVAL;
oom:
	l->oom = true;
	return -ENOMEM;
}

/* A scalar's text, or a failure naming `what`. */
static int get_str(struct loader *l, const struct gj_ynode *node,
		   const char *what, size_t max, const char **ret)
{
	const char *s = gj_ynode_str(node);

	if (!s)
		return fail(l, node->line, "%s: expected a single value, not %s",
			    what, node->kind == GJ_YNODE_SCALAR
					  ? "text with a NUL byte"
					  : gj_ynode_kind_name(node->kind));
	if (node->len == 0 || gj_ynode_is_null(node))
		return fail(l, node->line, "%s: empty", what);
	if (node->len > max)
		return fail(l, node->line, "%s: longer than %zu bytes", what, max);
	*ret = s;
	return 0;
}

static int dup_str(struct loader *l, const char *s, char **ret)
{
	*ret = strdup(s);
	if (!*ret) {
		l->oom = true;
		return -ENOMEM;
	}
	return 0;
}

static int check_keys(struct loader *l, const struct gj_ynode *map,
		      const char *what, const char *const *known)
{
	for (size_t i = 0; i < map->n; i++) {
		const char *key = gj_ynode_str(map->pairs[i].key);
		size_t k;

		for (k = 0; key && known[k]; k++)
			if (strcmp(key, known[k]) == 0)
				break;
		if (!key || !known[k])
			return fail(l, map->pairs[i].key->line, "%s: unknown key '%.64s'",
				    what, key ? key : "?");
	}
	return 0;
}

/* [a-z0-9_]+, with '-' too when `dash`. */
static bool is_ident(const char *s, bool dash)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || (dash && *s == '-')))
			return false;
	return true;
}

/* A required or optional identifier `key` of the mapping `map`. */
static int get_ident(struct loader *l, const struct gj_ynode *map,
		     const char *what, const char *key, bool dash,
		     bool required, char **ret)
{
	const struct gj_ynode *node = gj_ynode_get(map, key);
	char label[128];
	const char *s;
	int r;

	*ret = NULL;
	if (!node || (!required && gj_ynode_is_null(node))) {
		if (required)
			return fail(l, map->line, "%s: missing '%s'", what, key);
		return 0;
	}
	snprintf(label, sizeof(label), "%s: %s", what, key);
	r = get_str(l, node, label, GJ_ESTATE_ID_MAX, &s);
	if (r < 0)
		return r;
	if (!is_ident(s, dash))
		return fail(l, node->line, "%s: '%.64s' is not an identifier (%s)",
			    label, s, dash ? "a-z, 0-9, _ and -" : "a-z, 0-9 and _");
	return dup_str(l, s, ret);
}

static int load_estate(struct loader *l, const struct gj_ynode *node,
		       struct gj_estates *es)
{
	static const char *const keys[] = { "id", "title", "calendar", "roster", NULL };
	struct gj_estate *e = &es->v[es->n];
	const struct gj_ynode *title;
	char what[96], label[128];
	const char *s;
	int r;

	if (node->kind != GJ_YNODE_MAPPING)
		return fail(l, node->line, "estates: expected a mapping, not %s",
			    gj_ynode_kind_name(node->kind));
	e->line = node->line;
	r = get_ident(l, node, "estate", "id", true, true, &e->id);
	if (r < 0)
		return r;
	es->n++;    /* from here on destroy frees what was set */
	snprintf(what, sizeof(what), "estate '%s'", e->id);
	for (size_t i = 0; i + 1 < es->n; i++)
		if (strcmp(es->v[i].id, e->id) == 0)
			return fail(l, gj_ynode_get(node, "id")->line,
				    "%s: listed twice (first at line %d)", what,
				    es->v[i].line);
	r = check_keys(l, node, what, keys);
	if (r < 0)
		return r;

	title = gj_ynode_get(node, "title");
	if (!title)
		return fail(l, node->line, "%s: missing 'title'", what);
	snprintf(label, sizeof(label), "%s: title", what);
	r = get_str(l, title, label, TEXT_MAX, &s);
	if (r < 0 || (r = dup_str(l, s, &e->title)) < 0)
		return r;

	r = get_ident(l, node, what, "calendar", false, true, &e->calendar);
	if (r < 0)
		return r;
	return get_ident(l, node, what, "roster", true, false, &e->roster);
}

static int load_root(struct loader *l, const struct gj_ynode *root,
		     struct gj_estates *es)
{
	static const char *const keys[] = { "estates", NULL };
	const struct gj_ynode *list;
	int r;

	if (root->kind != GJ_YNODE_MAPPING)
		return fail(l, root->line, "expected a mapping, not %s",
			    gj_ynode_kind_name(root->kind));
	r = check_keys(l, root, "estates file", keys);
	if (r < 0)
		return r;
	list = gj_ynode_get(root, "estates");
	if (!list)
		return fail(l, root->line, "missing 'estates'");
	if (list->kind != GJ_YNODE_SEQUENCE)
		return fail(l, list->line, "estates: expected a list, not %s",
			    gj_ynode_kind_name(list->kind));
	if (list->n == 0)
		return fail(l, list->line, "estates: empty: list at least one estate");
	if (list->n > GJ_ESTATES_MAX)
		return fail(l, list->line, "estates: more than %d estates",
			    GJ_ESTATES_MAX);
	es->v = calloc(list->n, sizeof(*es->v));
	if (!es->v) {
		l->oom = true;
		return -ENOMEM;
	}
	for (size_t i = 0; i < list->n; i++) {
		r = load_estate(l, list->items[i], es);
		if (r < 0)
			return r;
	}
	return 0;
}

int gj_estates_load_buffer(const char *name, const char *text, size_t len,
			   struct gj_estates **ret, char **ret_error)
{
	struct loader l = { .name = name };
	struct gj_ynode *root = NULL;
	struct gj_estates *es;
	int r;

	r = gj_ydoc_parse(name, text, len, &root, ret_error);
	if (r < 0)
		return r;
	es = calloc(1, sizeof(*es));
	if (!es) {
		gj_ynode_destroy(root);
		if (ret_error)
			*ret_error = NULL;
		return -ENOMEM;
	}
	r = load_root(&l, root, es);
	gj_ynode_destroy(root);
	if (r < 0) {
		gj_estates_destroy(es);
		if (l.oom) {
			free(l.error);
			l.error = NULL;
			r = -ENOMEM;
		}
		if (ret_error)
			*ret_error = l.error;
		else
			free(l.error);
		return r;
	}
	*ret = es;
	return 0;
}

int gj_estates_load_file(const char *path, struct gj_estates **ret,
			 char **ret_error)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		goto fail;
	}
	/* Read one byte past the limit to notice a file that is too big. */
	buf = malloc((size_t)GJ_YDOC_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		if (ret_error)
			*ret_error = NULL;
		return -ENOMEM;
	}
	len = fread(buf, 1, (size_t)GJ_YDOC_MAX_BYTES + 1, f);
	if (ferror(f)) {
		r = -EIO;
		fclose(f);
		goto fail;
	}
	fclose(f);
	if (len > GJ_YDOC_MAX_BYTES) {
		free(buf);
		if (ret_error &&
		    asprintf(ret_error, "%s: too large (at most %d bytes)", path,
			     GJ_YDOC_MAX_BYTES) < 0)
			*ret_error = NULL;
		return -EFBIG;
	}
	r = gj_estates_load_buffer(path, buf, len, ret, ret_error);
	free(buf);
	return r;

fail:
	free(buf);
	if (ret_error && asprintf(ret_error, "%s: %s", path, strerror(-r)) < 0)
		*ret_error = NULL;
	return r;
}

void gj_estates_destroy(struct gj_estates *es)
{
	if (!es)
		return;
	for (size_t i = 0; i < es->n; i++) {
		free(es->v[i].id);
		free(es->v[i].title);
		free(es->v[i].calendar);
		free(es->v[i].roster);
	}
	free(es->v);
	free(es);
}

/* ---- lookups ---------------------------------------------------------- */

size_t gj_estates_count(const struct gj_estates *es)
{
	return es->n;
}

const struct gj_estate *gj_estates_at(const struct gj_estates *es, size_t i)
{
	return i < es->n ? &es->v[i] : NULL;
}

const struct gj_estate *gj_estates_find(const struct gj_estates *es,
					const char *id)
{
	if (!id)
		return NULL;
	/* A daemon serves a handful of estates: a scan is fine. */
	for (size_t i = 0; i < es->n; i++)
		if (strcmp(es->v[i].id, id) == 0)
			return &es->v[i];
	return NULL;
}

const char *gj_estate_id(const struct gj_estate *e)
{
	return e->id;
}

const char *gj_estate_title(const struct gj_estate *e)
{
	return e->title;
}

const char *gj_estate_calendar(const struct gj_estate *e)
{
	return e->calendar;
}

const char *gj_estate_roster(const struct gj_estate *e)
{
	return e->roster;
}
