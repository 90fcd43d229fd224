/*
 * json.c - the JSON writer of libguanjia and gj (see json.h).
 */
#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gj_json {
	char *buf;
	size_t len, cap;
	int err;
	unsigned depth;         /* 0: top level */
	uint64_t is_object;     /* bit d: level d+1 is an object */
	uint64_t has_items;     /* bit d: level d already holds a value (d = 0: top) */
	bool after_key;         /* a key was written, its value is next */
};

int gj_json_create(struct gj_json **ret)
{
	struct gj_json *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	*ret = j;
	return 0;
}

void gj_json_destroy(struct gj_json *j)
{
	if (!j)
		return;
	free(j->buf);
	free(j);
}

void gj_json_reset(struct gj_json *j)
{
	j->len = 0;
	j->err = 0;
	j->depth = 0;
	j->is_object = 0;
	j->has_items = 0;
	j->after_key = false;
	if (j->buf)
		j->buf[0] = '\0';
}

static void fail(struct gj_json *j, int err)
{
	if (!j->err)
		j->err = err;
}

static void put(struct gj_json *j, const char *s, size_t n)
{
	if (j->err)
		return;
	if (j->len + n + 1 > j->cap) {
		size_t cap = j->cap ? j->cap : 256;
		char *b;

		while (cap < j->len + n + 1)
			cap *= 2;
		b = realloc(j->buf, cap);
		if (!b) {
			fail(j, -ENOMEM);
			return;
		}
		j->buf = b;
		j->cap = cap;
	}
	memcpy(j->buf + j->len, s, n);
	j->len += n;
	j->buf[j->len] = '\0';
}

static void puts_(struct gj_json *j, const char *s)
{
	put(j, s, strlen(s));
}

static bool in_object(const struct gj_json *j)
{
	return j->depth > 0 && (j->is_object >> (j->depth - 1) & 1);
}

/* Before any value: the comma, and the checks that keep the document
 * well-formed. */
static void before_value(struct gj_json *j)
{
	uint64_t bit = 1ull << j->depth;

	if (j->err)
		return;
	if (in_object(j)) {
		if (!j->after_key) {
			fail(j, -EINVAL);
			return;
		}
		j->after_key = false;
		return;
	}
	if (j->has_items & bit) {
		if (j->depth == 0) {
			fail(j, -EINVAL);   /* a second top-level value */
			return;
		}
		put(j, ",", 1);
	}
	j->has_items |= bit;
}

static void begin(struct gj_json *j, bool object)
{
	before_value(j);
	if (j->err)
		return;
	if (j->depth >= GJ_JSON_MAX_DEPTH) {
		fail(j, -E2BIG);
		return;
	}
	put(j, object ? "{" : "[", 1);
	if (object)
		j->is_object |= 1ull << j->depth;
	else
		j->is_object &= ~(1ull << j->depth);
	j->depth++;
	j->has_items &= ~(1ull << j->depth);
}

static void end(struct gj_json *j, bool object)
{
	if (j->err)
		return;
	if (j->depth == 0 || in_object(j) != object || j->after_key) {
		fail(j, -EINVAL);
		return;
	}
	put(j, object ? "}" : "]", 1);
	j->depth--;
}

void gj_json_object_begin(struct gj_json *j)
{
	begin(j, true);
}

void gj_json_object_end(struct gj_json *j)
{
	end(j, true);
}

void gj_json_array_begin(struct gj_json *j)
{
	begin(j, false);
}

void gj_json_array_end(struct gj_json *j)
{
	end(j, false);
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid
 * (overlong forms, surrogates and code points above U+10FFFF included). */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;
	if (len > n)
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return len;
}

static void put_escaped(struct gj_json *j, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, run = 0;   /* bytes s[i - run, i) pass through as they are */

	put(j, "\"", 1);
	while (i < n) {
		unsigned char c = s[i];
		const char *esc = NULL;
		char ubuf[8];
		size_t ulen;

		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
			i++;
			run++;
			continue;
		}
		if (c >= 0x80) {
			ulen = utf8_len(s + i, n - i);
			if (ulen) {
				i += ulen;
				run += ulen;
				continue;
			}
		}
		put(j, (const char *)s + i - run, run);
		run = 0;
		switch (c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\b':
			esc = "\\b";
			break;
		case '\f':
			esc = "\\f";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			if (c >= 0x80) {
				esc = "\\ufffd";   /* not UTF-8: the replacement character */
			} else {
				snprintf(ubuf, sizeof(ubuf), "\\u%04x", c);
				esc = ubuf;
			}
			break;
		}
		puts_(j, esc);
		i++;
	}
	put(j, (const char *)s + i - run, run);
	put(j, "\"", 1);
}

void gj_json_key(struct gj_json *j, const char *key)
{
	uint64_t bit = 1ull << j->depth;

	if (j->err)
		return;
	if (!in_object(j) || j->after_key || !key) {
		fail(j, -EINVAL);
		return;
	}
	if (j->has_items & bit)
		put(j, ",", 1);
	j->has_items |= bit;
	put_escaped(j, key, strlen(key));
	put(j, ":", 1);
	j->after_key = true;
}

void gj_json_string_len(struct gj_json *j, const char *s, size_t len)
{
	before_value(j);
	put_escaped(j, s, len);
}

void gj_json_string(struct gj_json *j, const char *s)
{
	if (!s) {
		gj_json_null(j);
		return;
	}
	gj_json_string_len(j, s, strlen(s));
}

void gj_json_int(struct gj_json *j, int64_t v)
{
	char buf[24];

	before_value(j);
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	puts_(j, buf);
}

void gj_json_uint(struct gj_json *j, uint64_t v)
{
	char buf[24];

	before_value(j);
	snprintf(buf, sizeof(buf), "%" PRIu64, v);
	puts_(j, buf);
}

void gj_json_bool(struct gj_json *j, bool v)
{
	before_value(j);
	puts_(j, v ? "true" : "false");
}

void gj_json_null(struct gj_json *j)
{
	before_value(j);
	puts_(j, "null");
}

static void json_double(struct gj_json *j, double v)
{
	char buf[32];

	if (!isfinite(v)) {
		gj_json_null(j);
		return;
	}
	before_value(j);
	snprintf(buf, sizeof(buf), "%.17g", v);
	puts_(j, buf);
}

static void json_base64(struct gj_json *j, const uint8_t *data, size_t len)
{
	static const char tab[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *out = malloc(4 * ((len + 2) / 3) + 1);
	size_t o = 0;

	if (!out) {
		fail(j, -ENOMEM);
		return;
	}
	for (size_t i = 0; i < len; i += 3) {
		uint32_t v = (uint32_t)data[i] << 16;

		if (i + 1 < len)
			v |= (uint32_t)data[i + 1] << 8;
		if (i + 2 < len)
			v |= data[i + 2];
		out[o++] = tab[v >> 18 & 63];
		out[o++] = tab[v >> 12 & 63];
		out[o++] = i + 1 < len ? tab[v >> 6 & 63] : '=';
		out[o++] = i + 2 < len ? tab[v & 63] : '=';
	}
	gj_json_string_len(j, out, o);
	free(out);
}

static size_t element_size(ProtobufCType type)
{
	switch (type) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return sizeof(uint64_t);
	case PROTOBUF_C_TYPE_DOUBLE:
		return sizeof(double);
	case PROTOBUF_C_TYPE_FLOAT:
		return sizeof(float);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(void *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	default:
		return sizeof(uint32_t);   /* 32-bit integers and enums */
	}
}

static void field_value(struct gj_json *j, const ProtobufCFieldDescriptor *fd, const void *p)
{
	const ProtobufCEnumValue *ev;

	switch (fd->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		gj_json_int(j, *(const int32_t *)p);
		break;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		gj_json_uint(j, *(const uint32_t *)p);
		break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		gj_json_int(j, *(const int64_t *)p);
		break;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		gj_json_uint(j, *(const uint64_t *)p);
		break;
	case PROTOBUF_C_TYPE_FLOAT:
		json_double(j, *(const float *)p);
		break;
	case PROTOBUF_C_TYPE_DOUBLE:
		json_double(j, *(const double *)p);
		break;
	case PROTOBUF_C_TYPE_BOOL:
		gj_json_bool(j, *(const protobuf_c_boolean *)p);
		break;
	case PROTOBUF_C_TYPE_ENUM:
		ev = protobuf_c_enum_descriptor_get_value(fd->descriptor, *(const int *)p);
		if (ev)
			gj_json_string(j, ev->name);
		else
			gj_json_int(j, *(const int *)p);
		break;
	case PROTOBUF_C_TYPE_STRING:
		gj_json_string(j, *(char *const *)p);
		break;
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = p;
		json_base64(j, b->data, b->len);
		break;
	}
	case PROTOBUF_C_TYPE_MESSAGE:
		gj_json_message(j, *(ProtobufCMessage *const *)p);
		break;
	default:
		gj_json_null(j);
		break;
	}
}

void gj_json_message(struct gj_json *j, const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d;
	const char *base = (const char *)m;

	if (!m) {
		gj_json_null(j);
		return;
	}
	d = m->descriptor;
	gj_json_object_begin(j);
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];
		const void *p = base + fd->offset;

		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)(base + fd->quantifier_offset);
			const char *arr = *(const char *const *)p;
			size_t esz = element_size(fd->type);

			gj_json_key(j, fd->name);
			gj_json_array_begin(j);
			for (size_t k = 0; k < n; k++)
				field_value(j, fd, arr + k * esz);
			gj_json_array_end(j);
			continue;
		}
		if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
			if (*(const uint32_t *)(base + fd->quantifier_offset) != fd->id)
				continue;
		} else if (fd->label == PROTOBUF_C_LABEL_OPTIONAL && fd->quantifier_offset &&
			   fd->type != PROTOBUF_C_TYPE_MESSAGE && fd->type != PROTOBUF_C_TYPE_STRING) {
			if (!*(const protobuf_c_boolean *)(base + fd->quantifier_offset))
				continue;
		}
		if (fd->type == PROTOBUF_C_TYPE_MESSAGE && !*(ProtobufCMessage *const *)p)
			continue;
		gj_json_key(j, fd->name);
		field_value(j, fd, p);
	}
	gj_json_object_end(j);
}

int gj_json_finish(struct gj_json *j, const char **ret_text, size_t *ret_len)
{
	if (j->err)
		return j->err;
	if (j->depth != 0 || !(j->has_items & 1) || !j->buf)
		return -EINVAL;
	*ret_text = j->buf;
	if (ret_len)
		*ret_len = j->len;
	return 0;
}
