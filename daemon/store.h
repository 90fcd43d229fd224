/*
 * store.h - the LMDB environment behind guanjiad.
 *
 * One environment, one file, these databases (keys big-endian so that
 * growing ids stay local in the B-tree):
 *   tickets  : ticket id (u64)                     -> Ticket (protobuf)
 *   history  : ticket id (u64) | entry seq (u32)    -> HistoryEntry (protobuf)
 *   due      : deadline (i64) | ticket (u64) | clock (u8) | kind (u8) -> ""
 *   journal  : sequence (u64)                      -> Record (protobuf)
 *   requests : request id (bytes)                  -> stored at (i64) | Reply (protobuf)
 *   reqtime  : stored at (i64) | request id        -> ""   (to expire requests)
 *   meta     : name                                -> value
 * Nothing here logs: failures come back as negative errno values.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <lmdb.h>

#include "guanjia.pb-c.h"

struct gj_store;

/** A transaction: write (possibly nested) or read-only. */
struct gj_txn {
	MDB_txn *txn;
	struct gj_store *store;
};

/** What a due entry is for. */
enum gj_due_kind {
	GJ_DUE_WARN = 1,
	GJ_DUE_BREACH = 2,
	GJ_DUE_PLUGIN = 3,      /**< a plugin clock: `clock` indexes ticket.plugin_clocks */
	GJ_DUE_TIMER = 4,       /**< a plugin timer: `ticket` is the timer's id (host_api.c) */
};

struct gj_due {
	int64_t at;
	uint64_t ticket;
	uint8_t clock;
	uint8_t kind;           /**< enum gj_due_kind */
};

/** Translate an LMDB return code to a negative errno (0 stays 0). */
int gj_lmdb_error(int rc);

/**
 * Open (creating if needed) the store in directory `dir`.
 * @param map_size  bytes the map may grow to (0: 1 GiB)
 */
int gj_store_open(const char *dir, size_t map_size, struct gj_store **ret);
void gj_store_close(struct gj_store *st);

/** Grow the map (no transaction may be open). */
int gj_store_grow(struct gj_store *st);

size_t gj_store_map_size(const struct gj_store *st);

int gj_txn_begin(struct gj_store *st, bool write, struct gj_txn *ret);
/** A child of a write transaction: abort it to undo one command. */
int gj_txn_begin_nested(struct gj_txn *parent, struct gj_txn *ret);
int gj_txn_commit(struct gj_txn *t);
void gj_txn_abort(struct gj_txn *t);

/* --- tickets --- */
/** -ENOENT when there is no such ticket. Free with protobuf_c_message_free_unpacked. */
int gj_store_ticket_get(struct gj_txn *t, uint64_t id, Guanjia__Ticket **ret);
int gj_store_ticket_put(struct gj_txn *t, const Guanjia__Ticket *tk);
/** The id the next ticket gets (last id + 1). */
int gj_store_ticket_next_id(struct gj_txn *t, uint64_t *ret);
/** Calls fn for tickets with id > after_id, in id order, until fn returns non-zero
 * (that value is returned; 1 means "stop, fine"). */
int gj_store_ticket_scan(struct gj_txn *t, uint64_t after_id,
			 int (*fn)(Guanjia__Ticket *tk, void *ctx), void *ctx);

/* --- history --- */
int gj_store_history_put(struct gj_txn *t, uint64_t ticket, const Guanjia__HistoryEntry *e);
/** Entries of one ticket in order; free each with protobuf_c_message_free_unpacked and the array with free. */
int gj_store_history_list(struct gj_txn *t, uint64_t ticket,
			  Guanjia__HistoryEntry ***ret, size_t *ret_n);

/* --- the due index --- */
int gj_store_due_put(struct gj_txn *t, const struct gj_due *d);
/** -ENOENT if it was not there. */
int gj_store_due_del(struct gj_txn *t, const struct gj_due *d);
/** The earliest entry; -ENOENT when the index is empty. */
int gj_store_due_first(struct gj_txn *t, struct gj_due *ret);
int gj_store_due_count(struct gj_txn *t, uint64_t *ret);

/* --- the journal --- */
int gj_store_journal_last(struct gj_txn *t, uint64_t *ret_seq);
/** Stores rec (whose seq the caller set to last + 1); returns the packed bytes (malloc'd). */
int gj_store_journal_put(struct gj_txn *t, const Guanjia__Record *rec,
			 uint8_t **ret_buf, size_t *ret_len);
/** Stores an already packed record under seq (the caller packs it once and
 * publishes the same bytes). */
int gj_store_journal_put_packed(struct gj_txn *t, uint64_t seq, const uint8_t *buf, size_t len);
/** Calls fn with each packed record from `from` on, until fn returns non-zero. */
int gj_store_journal_scan(struct gj_txn *t, uint64_t from,
			  int (*fn)(uint64_t seq, const uint8_t *buf, size_t len, void *ctx),
			  void *ctx);

/* --- request ids (idempotent retries) --- */
/** -ENOENT when unknown; otherwise the stored packed reply (malloc'd). */
int gj_store_request_get(struct gj_txn *t, const char *id, uint8_t **ret_buf, size_t *ret_len);
int gj_store_request_put(struct gj_txn *t, const char *id, int64_t at,
			 const uint8_t *reply, size_t len);
/** Forget at most `max` requests stored before `before`. */
int gj_store_request_expire(struct gj_txn *t, int64_t before, size_t max, size_t *ret_n);

/* --- meta --- */
int gj_store_meta_get_u64(struct gj_txn *t, const char *name, uint64_t *ret);
int gj_store_meta_put_u64(struct gj_txn *t, const char *name, uint64_t v);
int gj_store_meta_get(struct gj_txn *t, const char *name, void **ret, size_t *ret_len);
int gj_store_meta_put(struct gj_txn *t, const char *name, const void *v, size_t len);
/** -ENOENT when it was not there. */
int gj_store_meta_del(struct gj_txn *t, const char *name);
/** Calls fn for each meta entry whose name starts with prefix, until fn
 * returns non-zero (negative values are returned). */
int gj_store_meta_scan(struct gj_txn *t, const char *prefix,
		       int (*fn)(const char *name, size_t name_len, const void *v, size_t len, void *ctx),
		       void *ctx);
