/*
 * json.h - a small JSON writer for libguanjia and gj: builds one document in
 * memory, escapes strings properly (UTF-8 passes through, invalid bytes
 * become U+FFFD, control characters are escaped), and turns any protobuf-c
 * message into an object by its descriptor.
 *
 * Writing functions return nothing: the first error (out of memory, a value
 * where a key belongs, unbalanced nesting) is kept and reported by
 * gj_json_finish(), the way stdio keeps ferror().
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

/** Deepest nesting of objects and arrays. */
#define GJ_JSON_MAX_DEPTH 32

struct gj_json;

/**
 * A new, empty writer.
 * @return 0 or -ENOMEM
 */
int gj_json_create(struct gj_json **ret);

/** Free a writer.  Accepts NULL. */
void gj_json_destroy(struct gj_json *j);

/** Forget the document and any error, to write the next one. */
void gj_json_reset(struct gj_json *j);

/** Open an object (as a value: at the top, in an array, or after a key). */
void gj_json_object_begin(struct gj_json *j);
/** Close the innermost object. */
void gj_json_object_end(struct gj_json *j);
/** Open an array (as a value). */
void gj_json_array_begin(struct gj_json *j);
/** Close the innermost array. */
void gj_json_array_end(struct gj_json *j);

/** The key of the next member; only inside an object. */
void gj_json_key(struct gj_json *j, const char *key);

/** A string value; NULL writes null. */
void gj_json_string(struct gj_json *j, const char *s);
/** A string value of len bytes (may contain NUL, written as \u0000). */
void gj_json_string_len(struct gj_json *j, const char *s, size_t len);
/** Numbers are written exactly (no float conversion). */
void gj_json_int(struct gj_json *j, int64_t v);
void gj_json_uint(struct gj_json *j, uint64_t v);
void gj_json_bool(struct gj_json *j, bool v);
void gj_json_null(struct gj_json *j);

/**
 * A protobuf message as an object: fields by their .proto names, every
 * scalar (defaults included), enums by name, 64-bit integers as numbers,
 * repeated fields as arrays, unset messages and oneof members left out,
 * bytes in base64.  NULL writes null.
 */
void gj_json_message(struct gj_json *j, const ProtobufCMessage *m);

/**
 * The finished document (NUL-terminated, no newline), owned by j and valid
 * until the next write, reset or destroy.
 * @param ret_len may be NULL
 * @return 0, -ENOMEM, -E2BIG (nesting deeper than GJ_JSON_MAX_DEPTH),
 *         -EINVAL (misuse, unbalanced or empty document)
 */
int gj_json_finish(struct gj_json *j, const char **ret_text, size_t *ret_len);
