/*
 * yamldoc.c - read one YAML document into a tree of nodes with line numbers.
 *
 * Uses libyaml's event parser (not its document loader, which recurses
 * without limit and resolves aliases) and builds our own small tree, so that
 * every limit is ours: depth, node count, entries per collection and input
 * size.  Anchors, aliases and tags are refused: configuration has no need for
 * them, and aliases are how "billion laughs" documents blow up.
 */
#include "yamldoc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

struct reader {
	yaml_parser_t parser;
	const char *name;
	const char *text;
	size_t len;
	size_t n_nodes;
	char *error;
	bool oom;           /* formatting the error message itself failed */
};

static int fail(struct reader *r, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record the first error only: later ones are consequences of it. */
static int fail(struct reader *r, int line, const char *fmt, ...)
{
	va_list ap;
	char *problem = NULL;
	char *msg = NULL;
	int n;

	if (r->error || r->oom)
		return -EINVAL;
	va_start(ap, fmt);
	n = vasprintf(&problem, fmt, ap);
	va_end(ap);
	if (n < 0) {
		r->oom = true;
		return -ENOMEM;
	}
	if (asprintf(&msg, "%s:%d: %s", r->name, line, problem) < 0) {
		free(problem);
		r->oom = true;
		return -ENOMEM;
	}
	free(problem);
	r->error = msg;
	return -EINVAL;
}

static int mark_line(const yaml_mark_t *m)
{
	return (int)m->line + 1;
}

/* The reader reports a byte offset, not a line: count the newlines. */
static int line_at(const struct reader *r, size_t offset)
{
	int line = 1;

	for (size_t i = 0; i < offset && i < r->len; i++)
		if (r->text[i] == '\n')
			line++;
	return line;
}

static int parser_error(struct reader *r)
{
	const yaml_parser_t *p = &r->parser;
	const char *problem = p->problem ? p->problem : "cannot parse the YAML text";

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		r->oom = true;
		return -ENOMEM;
	case YAML_READER_ERROR:
		if (p->problem_value >= 0)
			return fail(r, line_at(r, p->problem_offset),
				    "%s (byte 0x%02x)", problem,
				    (unsigned)p->problem_value & 0xffu);
		return fail(r, line_at(r, p->problem_offset), "%s", problem);
	case YAML_SCANNER_ERROR:
	case YAML_PARSER_ERROR:
		if (p->context)
			return fail(r, mark_line(&p->problem_mark),
				    "%s (%s at line %d)", problem, p->context,
				    mark_line(&p->context_mark));
		return fail(r, mark_line(&p->problem_mark), "%s", problem);
	default:
		return fail(r, 1, "%s", problem);
	}
}

static int next_event(struct reader *r, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&r->parser, ev))
		return parser_error(r);
	return 0;
}

static int new_node(struct reader *r, enum gj_ynode_kind kind, int line,
		    struct gj_ynode **ret)
{
	struct gj_ynode *node;

	if (r->n_nodes >= GJ_YDOC_MAX_NODES)
		return fail(r, line, "too many nodes (at most %d in a document)",
			    GJ_YDOC_MAX_NODES);
	node = calloc(1, sizeof(*node));
	if (!node) {
		r->oom = true;
		return -ENOMEM;
	}
	r->n_nodes++;
	node->kind = kind;
	node->line = line;
	*ret = node;
	return 0;
}

static int check_properties(struct reader *r, int line,
			    const yaml_char_t *anchor, const yaml_char_t *tag)
{
	if (anchor)
		return fail(r, line, "anchors (&%.64s) are not supported",
			    (const char *)anchor);
	if (tag)
		return fail(r, line, "tags (%.64s) are not supported",
			    (const char *)tag);
	return 0;
}

static int grow(struct reader *r, void **array, size_t n, size_t size)
{
	void *p;

	/* Capacities are 4, 8, 16, ...: the array is full exactly when n is
	 * zero or one of them. */
	if (n != 0 && (n < 4 || (n & (n - 1)) != 0))
		return 0;
	p = realloc(*array, (n ? n * 2 : 4) * size);
	if (!p) {
		r->oom = true;
		return -ENOMEM;
	}
	*array = p;
	return 0;
}

static int parse_node(struct reader *r, yaml_event_t *ev, int depth,
		      struct gj_ynode **ret);

static int parse_sequence(struct reader *r, struct gj_ynode *node, int depth)
{
	yaml_event_t sub;
	struct gj_ynode *child;
	int ret;

	for (;;) {
		ret = next_event(r, &sub);
		if (ret < 0)
			return ret;
		if (sub.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&sub);
			return 0;
		}
		if (node->n >= GJ_YDOC_MAX_ITEMS)
			ret = fail(r, mark_line(&sub.start_mark),
				   "too many entries in a list (at most %d)",
				   GJ_YDOC_MAX_ITEMS);
		else
			ret = grow(r, (void **)&node->items, node->n,
				   sizeof(*node->items));
		if (ret < 0) {
			yaml_event_delete(&sub);
			return ret;
		}
		ret = parse_node(r, &sub, depth + 1, &child);
		if (ret < 0)
			return ret;
		node->items[node->n++] = child;
	}
}

static int parse_mapping(struct reader *r, struct gj_ynode *node, int depth)
{
	yaml_event_t sub;
	struct gj_ynode *key = NULL;
	struct gj_ynode *value = NULL;
	int ret;

	for (;;) {
		ret = next_event(r, &sub);
		if (ret < 0)
			return ret;
		if (sub.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&sub);
			return 0;
		}
		if (sub.type != YAML_SCALAR_EVENT)
			ret = fail(r, mark_line(&sub.start_mark),
				   "mapping keys must be single values");
		else if (node->n >= GJ_YDOC_MAX_ITEMS)
			ret = fail(r, mark_line(&sub.start_mark),
				   "too many entries in a mapping (at most %d)",
				   GJ_YDOC_MAX_ITEMS);
		else
			ret = grow(r, (void **)&node->pairs, node->n,
				   sizeof(*node->pairs));
		if (ret < 0) {
			yaml_event_delete(&sub);
			return ret;
		}
		ret = parse_node(r, &sub, depth + 1, &key);
		if (ret < 0)
			return ret;
		for (size_t i = 0; i < node->n; i++) {
			const struct gj_ynode *k = node->pairs[i].key;

			if (k->len == key->len &&
			    memcmp(k->text, key->text, k->len) == 0) {
				ret = fail(r, key->line,
					   "duplicate key '%.64s' (first at line %d)",
					   key->text, k->line);
				gj_ynode_destroy(key);
				return ret;
			}
		}
		ret = next_event(r, &sub);
		if (ret >= 0)
			ret = parse_node(r, &sub, depth + 1, &value);
		if (ret < 0) {
			gj_ynode_destroy(key);
			return ret;
		}
		node->pairs[node->n].key = key;
		node->pairs[node->n].value = value;
		node->n++;
	}
}

/* Builds the node `ev` starts, reading further events as needed; always
 * consumes (deletes) `ev`. */
static int parse_node(struct reader *r, yaml_event_t *ev, int depth,
		      struct gj_ynode **ret)
{
	int line = mark_line(&ev->start_mark);
	struct gj_ynode *node = NULL;
	int res;

	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		res = fail(r, line, "aliases (*%.64s) are not supported",
			   (const char *)ev->data.alias.anchor);
		break;
	case YAML_SCALAR_EVENT:
		res = check_properties(r, line, ev->data.scalar.anchor,
				       ev->data.scalar.tag);
		if (res >= 0)
			res = new_node(r, GJ_YNODE_SCALAR, line, &node);
		if (res < 0)
			break;
		node->len = ev->data.scalar.length;
		node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		node->text = malloc(node->len + 1);
		if (!node->text) {
			r->oom = true;
			res = -ENOMEM;
			break;
		}
		memcpy(node->text, ev->data.scalar.value, node->len);
		node->text[node->len] = '\0';
		break;
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;

		if (seq)
			res = check_properties(r, line,
					       ev->data.sequence_start.anchor,
					       ev->data.sequence_start.tag);
		else
			res = check_properties(r, line,
					       ev->data.mapping_start.anchor,
					       ev->data.mapping_start.tag);
		if (res >= 0 && depth > GJ_YDOC_MAX_DEPTH)
			res = fail(r, line, "nested too deeply (at most %d levels)",
				   GJ_YDOC_MAX_DEPTH);
		if (res >= 0)
			res = new_node(r, seq ? GJ_YNODE_SEQUENCE : GJ_YNODE_MAPPING,
				       line, &node);
		if (res < 0)
			break;
		/* The start event holds nothing we still need; free it before
		 * the children are read. */
		yaml_event_delete(ev);
		if (seq)
			res = parse_sequence(r, node, depth);
		else
			res = parse_mapping(r, node, depth);
		if (res < 0) {
			gj_ynode_destroy(node);
			return res;
		}
		*ret = node;
		return 0;
	}
	default:
		res = fail(r, line, "unexpected YAML structure");
		break;
	}
	yaml_event_delete(ev);
	if (res < 0) {
		gj_ynode_destroy(node);
		return res;
	}
	*ret = node;
	return 0;
}

static int parse_stream(struct reader *r, struct gj_ynode **ret_root)
{
	yaml_event_t ev;
	struct gj_ynode *root = NULL;
	yaml_event_type_t type;
	int line;
	int ret;

	ret = next_event(r, &ev);               /* STREAM-START */
	if (ret < 0)
		return ret;
	yaml_event_delete(&ev);

	ret = next_event(r, &ev);               /* DOCUMENT-START or STREAM-END */
	if (ret < 0)
		return ret;
	type = ev.type;
	yaml_event_delete(&ev);
	if (type != YAML_DOCUMENT_START_EVENT)
		return fail(r, 1, "the document is empty");

	ret = next_event(r, &ev);
	if (ret < 0)
		return ret;
	ret = parse_node(r, &ev, 1, &root);
	if (ret < 0)
		return ret;

	ret = next_event(r, &ev);               /* DOCUMENT-END */
	if (ret < 0)
		goto fail;
	yaml_event_delete(&ev);

	ret = next_event(r, &ev);               /* STREAM-END */
	if (ret < 0)
		goto fail;
	type = ev.type;
	line = mark_line(&ev.start_mark);
	yaml_event_delete(&ev);
	if (type != YAML_STREAM_END_EVENT) {
		ret = fail(r, line, "only one document is allowed");
		goto fail;
	}
	*ret_root = root;
	return 0;

fail:
	gj_ynode_destroy(root);
	return ret;
}

int gj_ydoc_parse(const char *name, const char *text, size_t len,
		  struct gj_ynode **ret_root, char **ret_error)
{
	struct reader r = {
		.name = name ? name : "(yaml)",
		.text = text ? text : "",
		.len = text ? len : 0,
	};
	int ret;

	if (r.len > GJ_YDOC_MAX_BYTES) {
		ret = fail(&r, 1, "the text is too large (%zu bytes, at most %d)",
			   r.len, GJ_YDOC_MAX_BYTES);
		goto out;
	}
	if (!yaml_parser_initialize(&r.parser)) {
		ret = -ENOMEM;
		goto out;
	}
	yaml_parser_set_input_string(&r.parser, (const unsigned char *)r.text,
				     r.len);
	ret = parse_stream(&r, ret_root);
	yaml_parser_delete(&r.parser);
out:
	if (r.oom)
		ret = -ENOMEM;
	if (ret < 0 && ret_error)
		*ret_error = r.error;
	else
		free(r.error);
	return ret;
}

void gj_ynode_destroy(struct gj_ynode *node)
{
	if (!node)
		return;
	free(node->text);
	for (size_t i = 0; node->items && i < node->n; i++)
		gj_ynode_destroy(node->items[i]);
	free(node->items);
	for (size_t i = 0; node->pairs && i < node->n; i++) {
		gj_ynode_destroy(node->pairs[i].key);
		gj_ynode_destroy(node->pairs[i].value);
	}
	free(node->pairs);
	free(node);
}

const struct gj_ypair *gj_ynode_pair(const struct gj_ynode *map,
				     const char *key)
{
	size_t klen;

	if (!map || map->kind != GJ_YNODE_MAPPING || !key)
		return NULL;
	klen = strlen(key);
	for (size_t i = 0; i < map->n; i++) {
		const struct gj_ynode *k = map->pairs[i].key;

		if (k->len == klen && memcmp(k->text, key, klen) == 0)
			return &map->pairs[i];
	}
	return NULL;
}

const struct gj_ynode *gj_ynode_get(const struct gj_ynode *map,
				    const char *key)
{
	const struct gj_ypair *p = gj_ynode_pair(map, key);

	return p ? p->value : NULL;
}

bool gj_ynode_is_null(const struct gj_ynode *node)
{
	if (!node || node->kind != GJ_YNODE_SCALAR || !node->plain)
		return false;
	return node->len == 0 || strcmp(node->text, "~") == 0 ||
	       strcmp(node->text, "null") == 0 ||
	       strcmp(node->text, "Null") == 0 ||
	       strcmp(node->text, "NULL") == 0;
}

int gj_ynode_bool(const struct gj_ynode *node, bool *ret_value)
{
	static const char *const yes[] = { "true", "True", "TRUE" };
	static const char *const no[] = { "false", "False", "FALSE" };

	if (!node || node->kind != GJ_YNODE_SCALAR || !node->plain)
		return -EINVAL;
	for (size_t i = 0; i < 3; i++) {
		if (strcmp(node->text, yes[i]) == 0) {
			*ret_value = true;
			return 0;
		}
		if (strcmp(node->text, no[i]) == 0) {
			*ret_value = false;
			return 0;
		}
	}
	return -EINVAL;
}

int gj_ynode_uint(const struct gj_ynode *node, uint64_t *ret_value)
{
	uint64_t v = 0;

	if (!node || node->kind != GJ_YNODE_SCALAR || node->len == 0)
		return -EINVAL;
	for (size_t i = 0; i < node->len; i++) {
		unsigned d;

		if (node->text[i] < '0' || node->text[i] > '9')
			return -EINVAL;
		d = (unsigned)(node->text[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*ret_value = v;
	return 0;
}

const char *gj_ynode_str(const struct gj_ynode *node)
{
	if (!node || node->kind != GJ_YNODE_SCALAR ||
	    strlen(node->text) != node->len)
		return NULL;
	return node->text;
}

const char *gj_ynode_kind_name(enum gj_ynode_kind kind)
{
	switch (kind) {
	case GJ_YNODE_SCALAR:
		return "a single value";
	case GJ_YNODE_SEQUENCE:
		return "a list";
	case GJ_YNODE_MAPPING:
		return "a mapping";
	}
	return "an unknown node";
}
