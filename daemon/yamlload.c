/*
 * yamlload.c - helpers for loaders built on yamldoc (see yamlload.h).
 */
#include "yamlload.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- problems --------------------------------------------------------- */

static int vfail(struct gj_yload *l, int line, const char *what,
		 const char *fmt, va_list ap)
{
	char *problem = NULL;
	int n;

	if (l->error || l->oom)
		return l->oom ? -ENOMEM : -EINVAL;
	n = vasprintf(&problem, fmt, ap);
	if (n < 0)
		return gj_yload_oom(l);
	n = asprintf(&l->error, "%s:%d: %s%s%s", l->name, line > 0 ? line : 1,
		     what, *what ? ": " : "", problem);
	free(problem);
	if (n < 0) {
		l->error = NULL;
		return gj_yload_oom(l);
	}
	return -EINVAL;
}

int gj_yload_fail(struct gj_yload *l, int line, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(l, line, "", fmt, ap);
	va_end(ap);
	return r;
}

int gj_yload_fail_in(struct gj_yload *l, int line, const char *what,
		     const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vfail(l, line, what, fmt, ap);
	va_end(ap);
	return r;
}

int gj_yload_oom(struct gj_yload *l)
{
	l->oom = true;
	return -ENOMEM;
}

int gj_yload_strdup(struct gj_yload *l, const char *s, char **ret)
{
	char *c = strdup(s);

	if (!c)
		return gj_yload_oom(l);
	*ret = c;
	return 0;
}

int gj_yload_finish(struct gj_yload *l, int r, char **ret_error)
{
	/* A message half made when memory ran out is no use to anyone. */
	if (l->oom) {
		free(l->error);
		l->error = NULL;
		r = -ENOMEM;
	}
	if (r < 0 && ret_error)
		*ret_error = l->error;
	else
		free(l->error);
	l->error = NULL;
	return r;
}

/* ---- keys and values -------------------------------------------------- */

const struct gj_ynode *gj_yload_lookup(const struct gj_ynode *map,
				       const char *key)
{
	const struct gj_ynode *node = gj_ynode_get(map, key);

	return node && !gj_ynode_is_null(node) ? node : NULL;
}

int gj_yload_require(struct gj_yload *l, const struct gj_ynode *map,
		     const char *what, const char *key,
		     const struct gj_ynode **ret)
{
	const struct gj_ynode *node = gj_ynode_get(map, key);

	if (!node)
		return gj_yload_fail_in(l, map->line, what, "missing '%s'", key);
	*ret = node;
	return 0;
}

const struct gj_ypair *gj_yload_unknown_key(const struct gj_ynode *map,
					    const char *const *known)
{
	for (size_t i = 0; i < map->n; i++) {
		/* NULL for a key with a NUL byte: never a known one. */
		const char *key = gj_ynode_str(map->pairs[i].key);
		size_t k;

		for (k = 0; key && known[k]; k++)
			if (strcmp(key, known[k]) == 0)
				break;
		if (!key || !known[k])
			return &map->pairs[i];
	}
	return NULL;
}

int gj_yload_check_keys(struct gj_yload *l, const struct gj_ynode *map,
			const char *what, const char *const *known,
			unsigned flags)
{
	const struct gj_ypair *p = gj_yload_unknown_key(map, known);
	const char *key;

	if (!p)
		return 0;
	key = gj_ynode_str(p->key);
	return gj_yload_fail_in(l, p->key->line, what, "unknown key '%.*s'",
				flags & GJ_YLOAD_WHOLE_KEY ? INT_MAX : 64,
				key ? key : "?");
}

int gj_yload_expect_kind(struct gj_yload *l, const struct gj_ynode *node,
			 const char *what, enum gj_ynode_kind kind)
{
	if (node->kind == kind)
		return 0;
	return gj_yload_fail_in(l, node->line, what, "expected %s, not %s",
				gj_ynode_kind_name(kind),
				gj_ynode_kind_name(node->kind));
}

int gj_yload_str(struct gj_yload *l, const struct gj_ynode *node,
		 const char *what, size_t max, unsigned flags,
		 const char **ret)
{
	const char *s = gj_ynode_str(node);

	if (!s)
		return gj_yload_fail_in(l, node->line, what,
					"expected a single value, not %s",
					node->kind == GJ_YNODE_SCALAR
						? "text with a NUL byte"
						: gj_ynode_kind_name(node->kind));
	if (node->len == 0 ||
	    (!(flags & GJ_YLOAD_NULL_TEXT) && gj_ynode_is_null(node)))
		return gj_yload_fail_in(l, node->line, what, "empty");
	if (node->len > max)
		return gj_yload_fail_in(l, node->line, what,
					"longer than %zu bytes", max);
	*ret = s;
	return 0;
}

bool gj_yload_is_ident(const char *s, bool dash)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || (dash && *s == '-')))
			return false;
	return true;
}

bool gj_yload_has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return true;
	return false;
}

/* ---- files ------------------------------------------------------------ */

int gj_yload_read_file(const char *path, unsigned flags, char **ret_text,
		       size_t *ret_len, char **ret_error)
{
	bool regular = flags & GJ_YLOAD_REGULAR;
	size_t cap = (size_t)GJ_YDOC_MAX_BYTES + 1;
	size_t len = 0;
	struct stat st;
	char *buf = NULL;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		r = -errno;
		goto fail;
	}
	if (fstat(fd, &st) < 0) {
		if (regular) {
			r = -errno;
			goto fail;
		}
	} else if (!S_ISREG(st.st_mode)) {
		if (regular) {
			r = -EINVAL;
			if (ret_error &&
			    asprintf(ret_error, "%s: not a regular file", path) < 0)
				*ret_error = NULL;
			goto out;
		}
	} else if (st.st_size < GJ_YDOC_MAX_BYTES) {
		/* The size may change while we read: the buffer grows up to
		 * one byte past the limit, to notice a file that is too big. */
		cap = (size_t)st.st_size + 1;
	}
	buf = malloc(cap);
	if (!buf)
		goto oom;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *p;

			if (cap > GJ_YDOC_MAX_BYTES) {
				r = -EFBIG;
				if (ret_error &&
				    asprintf(ret_error, "%s: too large (at most %d bytes)",
					     path, GJ_YDOC_MAX_BYTES) < 0)
					*ret_error = NULL;
				goto out;
			}
			cap = cap * 2 > (size_t)GJ_YDOC_MAX_BYTES + 1
				      ? (size_t)GJ_YDOC_MAX_BYTES + 1 : cap * 2;
			p = realloc(buf, cap);
			if (!p)
				goto oom;
			buf = p;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = regular ? -errno : -EIO;
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	*ret_text = buf;
	*ret_len = len;
	return 0;

oom:
	r = -ENOMEM;
	if (!regular && ret_error)
		*ret_error = NULL;
	goto out;
fail:
	if (ret_error && asprintf(ret_error, "%s: %s", path, strerror(-r)) < 0)
		*ret_error = NULL;
out:
	free(buf);
	if (fd >= 0)
		close(fd);
	return r;
}

static bool is_yaml_file(const char *name)
{
	size_t n = strlen(name);

	if (name[0] == '.')
		return false;
	return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
	       (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int dir_error(char **ret_error, int r, const char *dir)
{
	if (ret_error && asprintf(ret_error, "%s: %s", dir, strerror(-r)) < 0)
		*ret_error = NULL;
	return r;
}

int gj_yload_list_dir(const char *dir, const char *what, char ***ret_names,
		      size_t *ret_n, char **ret_error)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	d = opendir(dir);
	if (!d)
		return dir_error(ret_error, -errno, dir);
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				r = dir_error(ret_error, -errno, dir);
			break;
		}
		if (!is_yaml_file(de->d_name))
			continue;
		if (n == GJ_YLOAD_DIR_FILES_MAX) {
			r = -E2BIG;
			if (ret_error &&
			    asprintf(ret_error, "%s: too many %s files (at most %d)",
				     dir, what, GJ_YLOAD_DIR_FILES_MAX) < 0)
				*ret_error = NULL;
			break;
		}
		if (n == cap) {
			char **p;

			cap = cap ? cap * 2 : 16;
			p = realloc(names, cap * sizeof(*names));
			if (!p) {
				r = -ENOMEM;
				break;
			}
			names = p;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	closedir(d);
	if (r < 0) {
		gj_yload_names_free(names, n);
		return r;
	}
	if (n > 0)
		qsort(names, n, sizeof(*names), compare_names);
	*ret_names = names;
	*ret_n = n;
	return 0;
}

void gj_yload_names_free(char **names, size_t n)
{
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

const struct gj_embedded_file *
gj_yload_embedded(const struct gj_embedded_file *files, const char *name)
{
	for (const struct gj_embedded_file *f = files; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}
