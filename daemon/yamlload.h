/*
 * yamlload.h - helpers for loaders built on yamldoc.
 *
 * The workflow, calendar, roster and estates loaders each walk the tree
 * gj_ydoc_parse() builds, check everything and stop at the first problem,
 * which they report as "name:line: problem".  What they have in common is
 * here: recording that first problem, reading scalars, keys and identifiers
 * with the messages they share, reading a file or a directory of files, and
 * finding a file compiled into the binary.  The messages themselves stay
 * with each loader where they differ: users and tests rely on every one of
 * them, byte for byte.  Nothing here logs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "yamldoc.h"

/** A load in progress.  Start it as { .name = name }; end it with
 * gj_yload_finish(). */
struct gj_yload {
	const char *name;   /**< starts every message (usually the file path) */
	char *error;        /**< the first problem, "name:line: problem" */
	bool oom;           /**< ran out of memory: the load fails with -ENOMEM */
};

/**
 * Record the first problem as "name:line: problem"; later ones are
 * consequences of it and are dropped.
 * @param line  1-based; anything less is shown as 1
 * @return -EINVAL, or -ENOMEM when out of memory (now or before).
 */
int gj_yload_fail(struct gj_yload *l, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * The same, as "name:line: what: problem", or "name:line: problem" when
 * `what` (the state, event, key... concerned) is "".
 */
int gj_yload_fail_in(struct gj_yload *l, int line, const char *what,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/** Note that memory ran out.  @return -ENOMEM */
int gj_yload_oom(struct gj_yload *l);

/**
 * Copy a string; *ret is not touched on failure.
 * @return 0, or -ENOMEM (noted in `l`).
 */
int gj_yload_strdup(struct gj_yload *l, const char *s, char **ret);

/**
 * End a load.  When it failed (r < 0) or ran out of memory, the problem
 * goes to *ret_error (NULL when out of memory; freed when ret_error is
 * NULL).  On success *ret_error is not touched.
 * @param r  what the load returned
 * @return r, or -ENOMEM when memory ran out.
 */
int gj_yload_finish(struct gj_yload *l, int r, char **ret_error);

/**
 * The value of a key in a mapping, or NULL when the key is absent or its
 * value is a YAML null (~, null, nothing): such a key counts as absent.
 */
const struct gj_ynode *gj_yload_lookup(const struct gj_ynode *map,
				       const char *key);

/**
 * The value of a key in a mapping (null included, see gj_ynode_get()).
 * @param what  names the mapping in the message, or "" at the top
 * @return 0, or a failure "what: missing 'key'" at the mapping's line.
 */
int gj_yload_require(struct gj_yload *l, const struct gj_ynode *map,
		     const char *what, const char *key,
		     const struct gj_ynode **ret);

/**
 * The first entry of a mapping whose key is none of `known`.
 * @param known  NULL-terminated
 * @return the entry, or NULL when every key is known.
 */
const struct gj_ypair *gj_yload_unknown_key(const struct gj_ynode *map,
					    const char *const *known);

/** Flag of gj_yload_check_keys(): name an unknown key in full rather than
 * by its first 64 bytes. */
#define GJ_YLOAD_WHOLE_KEY 2u

/**
 * Refuse unknown keys: "what: unknown key 'key'" ("?" for a key with a NUL
 * byte) at the line of the first one.
 * @param known  NULL-terminated
 * @param flags  0 or GJ_YLOAD_WHOLE_KEY
 * @return 0, or a failure.
 */
int gj_yload_check_keys(struct gj_yload *l, const struct gj_ynode *map,
			const char *what, const char *const *known,
			unsigned flags);

/**
 * Check a node's kind: "what: expected a list, not a mapping" (or without
 * "what: " when `what` is "").
 * @return 0, or a failure.
 */
int gj_yload_expect_kind(struct gj_yload *l, const struct gj_ynode *node,
			 const char *what, enum gj_ynode_kind kind);

/** Flag of gj_yload_str(): a YAML null (~, null) is read as its text
 * rather than as empty. */
#define GJ_YLOAD_NULL_TEXT 1u

/**
 * A scalar's text, 1..max bytes: "what: expected a single value, not a
 * list" (or "... not text with a NUL byte"), "what: empty" or "what: longer
 * than N bytes" otherwise.
 * @param flags  0 or GJ_YLOAD_NULL_TEXT
 * @param ret    the text, owned by the node
 * @return 0, or a failure.
 */
int gj_yload_str(struct gj_yload *l, const struct gj_ynode *node,
		 const char *what, size_t max, unsigned flags,
		 const char **ret);

/** True when `s` is [a-z0-9_]+, with '-' allowed too when `dash`. */
bool gj_yload_is_ident(const char *s, bool dash);

/** True when `s` has a control character (below 0x20, or 0x7f). */
bool gj_yload_has_control(const char *s);

/** Flag of gj_yload_read_file(); see there. */
#define GJ_YLOAD_REGULAR 1u

/**
 * Read a whole file of at most GJ_YDOC_MAX_BYTES.
 * @param flags  0: whatever open(2) opens is read (a directory fails to
 *               read), a failed read is -EIO and *ret_error is NULL when
 *               out of memory.  GJ_YLOAD_REGULAR: only a regular file is
 *               read ("path: not a regular file", -EINVAL), a failed read
 *               is its -errno and *ret_error is not touched when out of
 *               memory.  (The loaders have always read files these two
 *               ways; both are kept as they were.)
 * @param ret_text  on success, the text (malloc'd, not NUL-terminated)
 * @param ret_error on failure, a malloc'd "path: reason"; may be NULL
 * @return 0, -errno, -EFBIG when the file is larger ("path: too large (at
 *         most 1048576 bytes)"), -ENOMEM.
 */
int gj_yload_read_file(const char *path, unsigned flags, char **ret_text,
		       size_t *ret_len, char **ret_error);

/** Most files gj_yload_list_dir() lists. */
#define GJ_YLOAD_DIR_FILES_MAX 4096

/**
 * The names of the YAML files of a directory (*.yaml and *.yml, not
 * starting with '.'), sorted with strcmp().
 * @param what  names the files in "dir: too many <what> files (at most 4096)"
 * @param ret_names  on success, the names (NULL when there are none); free
 *                   with gj_yload_names_free()
 * @param ret_error  on failure, a malloc'd "dir: reason"; not touched when
 *                   out of memory; may be NULL
 * @return 0, -errno, -E2BIG, -ENOMEM.
 */
int gj_yload_list_dir(const char *dir, const char *what, char ***ret_names,
		      size_t *ret_n, char **ret_error);

/** Free what gj_yload_list_dir() returned.  Accepts NULL. */
void gj_yload_names_free(char **names, size_t n);

/** A file compiled into the binary: scripts/embed.py generates arrays of
 * them, ended by an entry whose name is NULL. */
struct gj_embedded_file {
	const char *name;   /**< base name, e.g. "cn.yaml" */
	const char *text;
	size_t len;
};

/** The file of an embedded array by name, or NULL. */
const struct gj_embedded_file *
gj_yload_embedded(const struct gj_embedded_file *files, const char *name);
