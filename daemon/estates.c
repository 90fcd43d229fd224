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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamlload.h"

#define TEXT_MAX 256

struct gj_estates {
	struct gj_estate *v;
	size_t n;
};

/* ---- loading ---------------------------------------------------------- */

/* A required or optional identifier `key` of the mapping `map`. */
static int get_ident(struct gj_yload *l, const struct gj_ynode *map,
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
			return gj_yload_fail(l, map->line, "%s: missing '%s'", what, key);
		return 0;
	}
	snprintf(label, sizeof(label), "%s: %s", what, key);
	r = gj_yload_str(l, node, label, GJ_ESTATE_ID_MAX, 0, &s);
	if (r < 0)
		return r;
	if (!gj_yload_is_ident(s, dash))
		return gj_yload_fail(l, node->line, "%s: '%.64s' is not an "
				     "identifier (%s)", label, s,
				     dash ? "a-z, 0-9, _ and -" : "a-z, 0-9 and _");
	return gj_yload_strdup(l, s, ret);
}

static int load_estate(struct gj_yload *l, const struct gj_ynode *node,
		       struct gj_estates *es)
{
	static const char *const keys[] = { "id", "title", "calendar", "roster", NULL };
	struct gj_estate *e = &es->v[es->n];
	const struct gj_ynode *title;
	char what[96], label[128];
	const char *s;
	int r;

	r = gj_yload_expect_kind(l, node, "estates", GJ_YNODE_MAPPING);
	if (r < 0)
		return r;
	e->line = node->line;
	r = get_ident(l, node, "estate", "id", true, true, &e->id);
	if (r < 0)
		return r;
	es->n++;    /* from here on destroy frees what was set */
	snprintf(what, sizeof(what), "estate '%s'", e->id);
	for (size_t i = 0; i + 1 < es->n; i++)
		if (strcmp(es->v[i].id, e->id) == 0)
			return gj_yload_fail(l, gj_ynode_get(node, "id")->line,
					     "%s: listed twice (first at line %d)", what,
					     es->v[i].line);
	r = gj_yload_check_keys(l, node, what, keys, 0);
	if (r >= 0)
		r = gj_yload_require(l, node, what, "title", &title);
	if (r < 0)
		return r;
	snprintf(label, sizeof(label), "%s: title", what);
	r = gj_yload_str(l, title, label, TEXT_MAX, 0, &s);
	if (r < 0 || (r = gj_yload_strdup(l, s, &e->title)) < 0)
		return r;

	r = get_ident(l, node, what, "calendar", false, true, &e->calendar);
	if (r < 0)
		return r;
	return get_ident(l, node, what, "roster", true, false, &e->roster);
}

static int load_root(struct gj_yload *l, const struct gj_ynode *root,
		     struct gj_estates *es)
{
	static const char *const keys[] = { "estates", NULL };
	const struct gj_ynode *list;
	int r;

	r = gj_yload_expect_kind(l, root, "", GJ_YNODE_MAPPING);
	if (r >= 0)
		r = gj_yload_check_keys(l, root, "estates file", keys, 0);
	if (r >= 0)
		r = gj_yload_require(l, root, "", "estates", &list);
	if (r >= 0)
		r = gj_yload_expect_kind(l, list, "estates", GJ_YNODE_SEQUENCE);
	if (r < 0)
		return r;
	if (list->n == 0)
		return gj_yload_fail(l, list->line,
				     "estates: empty: list at least one estate");
	if (list->n > GJ_ESTATES_MAX)
		return gj_yload_fail(l, list->line, "estates: more than %d estates",
				     GJ_ESTATES_MAX);
	es->v = calloc(list->n, sizeof(*es->v));
	if (!es->v)
		return gj_yload_oom(l);
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
	struct gj_yload l = { .name = name };
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
	r = gj_yload_finish(&l, r, ret_error);
	if (r < 0) {
		gj_estates_destroy(es);
		return r;
	}
	*ret = es;
	return 0;
}

int gj_estates_load_file(const char *path, struct gj_estates **ret,
			 char **ret_error)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	r = gj_yload_read_file(path, 0, &text, &len, ret_error);
	if (r < 0)
		return r;
	r = gj_estates_load_buffer(path, text, len, ret, ret_error);
	free(text);
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
