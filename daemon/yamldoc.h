/*
 * yamldoc.h - a small YAML document reader on top of libyaml.
 *
 * Parses one YAML document into a tree of scalars, sequences and mappings,
 * each node carrying the 1-based line it starts on, so that whoever checks
 * the content can say "name:line: problem".  Configuration comes from files
 * an administrator writes, but a broken file must never crash us: anchors,
 * aliases and tags are refused, and depth, node count, collection size and
 * input size are limited.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Limits: every document that passes them is cheap to hold and walk. */
#define GJ_YDOC_MAX_BYTES (1024 * 1024)  /**< input size */
#define GJ_YDOC_MAX_DEPTH 32             /**< nesting of sequences/mappings */
#define GJ_YDOC_MAX_NODES 100000         /**< nodes in one document */
#define GJ_YDOC_MAX_ITEMS 4096           /**< entries in one sequence/mapping */

enum gj_ynode_kind {
	GJ_YNODE_SCALAR = 0,
	GJ_YNODE_SEQUENCE,
	GJ_YNODE_MAPPING,
};

struct gj_ynode;

/** One key: value entry of a mapping; the key is always a scalar. */
struct gj_ypair {
	struct gj_ynode *key;
	struct gj_ynode *value;
};

struct gj_ynode {
	enum gj_ynode_kind kind;
	int line;                   /**< 1-based line where the node starts */
	/* GJ_YNODE_SCALAR */
	char *text;                 /**< NUL-terminated; may contain NULs (see len) */
	size_t len;                 /**< bytes in text, without the final NUL */
	bool plain;                 /**< written without quotes or block style */
	/* GJ_YNODE_SEQUENCE: items[0..n); GJ_YNODE_MAPPING: pairs[0..n) */
	size_t n;
	struct gj_ynode **items;
	struct gj_ypair *pairs;
};

/**
 * Parse one YAML document.
 * @param name  shown in error messages (usually the file name)
 * @param text  the YAML text; need not be NUL-terminated
 * @param len   bytes in text
 * @param ret_root  on success, the root node (free with gj_ynode_destroy())
 * @param ret_error on failure, a malloc'd "name:line: problem" message
 *                  (NULL when out of memory); may itself be NULL
 * @return 0, -EINVAL on a syntax error, a refused feature or a limit,
 *         -ENOMEM.
 */
int gj_ydoc_parse(const char *name, const char *text, size_t len,
		  struct gj_ynode **ret_root, char **ret_error);

/** Free a node and everything below it.  Accepts NULL. */
void gj_ynode_destroy(struct gj_ynode *node);

/**
 * Look a key up in a mapping.
 * @return the key/value pair, or NULL when `map` is not a mapping or has no
 *         such key.
 */
const struct gj_ypair *gj_ynode_pair(const struct gj_ynode *map,
				     const char *key);

/** The value of a key in a mapping, or NULL (see gj_ynode_pair()). */
const struct gj_ynode *gj_ynode_get(const struct gj_ynode *map,
				    const char *key);

/**
 * True for a YAML null: a plain scalar that is empty, "~" or "null"
 * (any of the spellings YAML's core schema allows).
 */
bool gj_ynode_is_null(const struct gj_ynode *node);

/**
 * Read a YAML boolean (true/True/TRUE/false/False/FALSE, unquoted).
 * @return 0, or -EINVAL when the node is not such a scalar.
 */
int gj_ynode_bool(const struct gj_ynode *node, bool *ret_value);

/**
 * Read an unsigned decimal integer (digits only, at most UINT64_MAX).
 * @return 0, -EINVAL when the node is not one, -ERANGE when too big.
 */
int gj_ynode_uint(const struct gj_ynode *node, uint64_t *ret_value);

/**
 * The node's scalar text as a C string, or NULL when the node is not a
 * scalar or its text contains a NUL byte.
 */
const char *gj_ynode_str(const struct gj_ynode *node);

/** "a single value", "a list" or "a mapping": for error messages. */
const char *gj_ynode_kind_name(enum gj_ynode_kind kind);
