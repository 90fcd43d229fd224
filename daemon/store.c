/*
 * store.c - LMDB storage for tickets, history, deadlines, journal and
 * request ids.  See store.h for the layout.
 */
#include "store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SCHEMA_VERSION 1
#define DEFAULT_MAP_SIZE ((size_t)1 << 30)

struct gj_store {
	MDB_env *env;
	MDB_dbi tickets, history, due, journal, requests, reqtime, meta;
	size_t map_size;
};

int gj_lmdb_error(int rc)
{
	switch (rc) {
	case MDB_SUCCESS:
		return 0;
	case MDB_NOTFOUND:
		return -ENOENT;
	case MDB_KEYEXIST:
		return -EEXIST;
	case MDB_MAP_FULL:
	case MDB_TXN_FULL:
	case MDB_PAGE_FULL:
		return -ENOSPC;
	case MDB_READERS_FULL:
		return -EAGAIN;
	case MDB_MAP_RESIZED:
		return -EAGAIN;
	case MDB_CORRUPTED:
	case MDB_PAGE_NOTFOUND:
	case MDB_INVALID:
		return -EILSEQ;
	case MDB_VERSION_MISMATCH:
		return -EPROTO;
	case MDB_BAD_TXN:
	case MDB_BAD_RSLOT:
	case MDB_BAD_VALSIZE:
	case MDB_BAD_DBI:
		return -EINVAL;
	default:
		return rc > 0 ? -rc : -EIO;
	}
}

static void be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void be32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

/* Deadlines are signed; flipping the sign bit makes byte order match
 * numeric order for negative values too. */
static void be_time(uint8_t *p, int64_t t)
{
	be64(p, (uint64_t)t ^ ((uint64_t)1 << 63));
}

static int64_t rd_time(const uint8_t *p)
{
	return (int64_t)(rd64(p) ^ ((uint64_t)1 << 63));
}

int gj_store_open(const char *dir, size_t map_size, struct gj_store **ret)
{
	struct gj_store *st = calloc(1, sizeof(*st));
	MDB_txn *txn = NULL;
	int rc;

	if (!st)
		return -ENOMEM;
	st->map_size = map_size ? map_size : DEFAULT_MAP_SIZE;
	if (mkdir(dir, 0750) < 0 && errno != EEXIST) {
		rc = -errno;
		free(st);
		return rc;
	}
	rc = mdb_env_create(&st->env);
	if (rc)
		goto fail;
	rc = mdb_env_set_maxdbs(st->env, 16);
	if (rc)
		goto fail;
	rc = mdb_env_set_mapsize(st->env, st->map_size);
	if (rc)
		goto fail;
	rc = mdb_env_set_maxreaders(st->env, 126);
	if (rc)
		goto fail;
	/* NOTLS: read transactions are not tied to threads.  NOMEMINIT: the
	 * unused tail of a page is not zeroed before it is written (measured
	 * ~10% more throughput; the bytes are from this process's own heap,
	 * which holds nothing but ticket data).  Every commit is synced (no
	 * MDB_NOSYNC): an acknowledged command is on disk. */
	rc = mdb_env_open(st->env, dir, MDB_NOTLS | MDB_NOMEMINIT, 0640);
	if (rc)
		goto fail;
	{
		MDB_envinfo info;
		if (mdb_env_info(st->env, &info) == 0 && info.me_mapsize > st->map_size)
			st->map_size = info.me_mapsize;
	}
	rc = mdb_txn_begin(st->env, NULL, 0, &txn);
	if (rc)
		goto fail;
	struct { const char *name; MDB_dbi *dbi; } dbs[] = {
		{ "tickets", &st->tickets }, { "history", &st->history },
		{ "due", &st->due }, { "journal", &st->journal },
		{ "requests", &st->requests }, { "reqtime", &st->reqtime },
		{ "meta", &st->meta },
	};
	for (size_t i = 0; i < sizeof(dbs) / sizeof(dbs[0]); i++) {
		rc = mdb_dbi_open(txn, dbs[i].name, MDB_CREATE, dbs[i].dbi);
		if (rc)
			goto fail;
	}
	{
		struct gj_txn t = { txn, st };
		uint64_t v;
		int r = gj_store_meta_get_u64(&t, "schema", &v);
		if (r == -ENOENT)
			r = gj_store_meta_put_u64(&t, "schema", SCHEMA_VERSION);
		else if (r == 0 && v != SCHEMA_VERSION)
			r = -EPROTO;
		if (r) {
			mdb_txn_abort(txn);
			mdb_env_close(st->env);
			free(st);
			return r;
		}
	}
	rc = mdb_txn_commit(txn);
	txn = NULL;
	if (rc)
		goto fail;
	*ret = st;
	return 0;
fail:
	if (txn)
		mdb_txn_abort(txn);
	if (st->env)
		mdb_env_close(st->env);
	free(st);
	return gj_lmdb_error(rc);
}

void gj_store_close(struct gj_store *st)
{
	if (!st)
		return;
	mdb_env_close(st->env);
	free(st);
}

int gj_store_grow(struct gj_store *st)
{
	size_t next = st->map_size * 2;
	int rc = mdb_env_set_mapsize(st->env, next);

	if (rc)
		return gj_lmdb_error(rc);
	st->map_size = next;
	return 0;
}

size_t gj_store_map_size(const struct gj_store *st)
{
	return st->map_size;
}

int gj_txn_begin(struct gj_store *st, bool write, struct gj_txn *ret)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(st->env, NULL, write ? 0 : MDB_RDONLY, &txn);

	if (rc)
		return gj_lmdb_error(rc);
	ret->txn = txn;
	ret->store = st;
	return 0;
}

int gj_txn_begin_nested(struct gj_txn *parent, struct gj_txn *ret)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(parent->store->env, parent->txn, 0, &txn);

	if (rc)
		return gj_lmdb_error(rc);
	ret->txn = txn;
	ret->store = parent->store;
	return 0;
}

int gj_txn_commit(struct gj_txn *t)
{
	int rc = mdb_txn_commit(t->txn);

	t->txn = NULL;
	return gj_lmdb_error(rc);
}

void gj_txn_abort(struct gj_txn *t)
{
	if (t->txn)
		mdb_txn_abort(t->txn);
	t->txn = NULL;
}

/* Pack a protobuf message and put it under key. */
static int put_msg(struct gj_txn *t, MDB_dbi dbi, const void *key, size_t klen,
		   const ProtobufCMessage *msg)
{
	MDB_val k = { klen, (void *)key }, v;
	size_t len = protobuf_c_message_get_packed_size(msg);
	int rc;

	/* MDB_RESERVE: pack straight into the page, no copy. */
	v.mv_size = len;
	v.mv_data = NULL;
	rc = mdb_put(t->txn, dbi, &k, &v, MDB_RESERVE);
	if (rc)
		return gj_lmdb_error(rc);
	protobuf_c_message_pack(msg, v.mv_data);
	return 0;
}

int gj_store_ticket_get(struct gj_txn *t, uint64_t id, Guanjia__Ticket **ret)
{
	uint8_t kb[8];
	MDB_val k = { 8, kb }, v;
	Guanjia__Ticket *tk;
	int rc;

	be64(kb, id);
	rc = mdb_get(t->txn, t->store->tickets, &k, &v);
	if (rc)
		return gj_lmdb_error(rc);
	tk = guanjia__ticket__unpack(NULL, v.mv_size, v.mv_data);
	if (!tk)
		return -EILSEQ;
	*ret = tk;
	return 0;
}

int gj_store_ticket_put(struct gj_txn *t, const Guanjia__Ticket *tk)
{
	uint8_t kb[8];

	be64(kb, tk->id);
	return put_msg(t, t->store->tickets, kb, 8, &tk->base);
}

static int last_key_u64(struct gj_txn *t, MDB_dbi dbi, uint64_t *ret)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = mdb_cursor_open(t->txn, dbi, &cur);

	if (rc)
		return gj_lmdb_error(rc);
	rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
	mdb_cursor_close(cur);
	if (rc == MDB_NOTFOUND) {
		*ret = 0;
		return 0;
	}
	if (rc)
		return gj_lmdb_error(rc);
	if (k.mv_size < 8)
		return -EILSEQ;
	*ret = rd64(k.mv_data);
	return 0;
}

int gj_store_ticket_next_id(struct gj_txn *t, uint64_t *ret)
{
	uint64_t last;
	int rc = last_key_u64(t, t->store->tickets, &last);

	if (rc)
		return rc;
	*ret = last + 1;
	return 0;
}

int gj_store_ticket_scan(struct gj_txn *t, uint64_t after_id,
			 int (*fn)(Guanjia__Ticket *tk, void *ctx), void *ctx)
{
	MDB_cursor *cur;
	uint8_t kb[8];
	MDB_val k = { 8, kb }, v;
	int rc, r = 0;

	if (after_id == UINT64_MAX)
		return 0;
	be64(kb, after_id + 1);
	rc = mdb_cursor_open(t->txn, t->store->tickets, &cur);
	if (rc)
		return gj_lmdb_error(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		Guanjia__Ticket *tk = guanjia__ticket__unpack(NULL, v.mv_size, v.mv_data);
		if (!tk) {
			r = -EILSEQ;
			break;
		}
		r = fn(tk, ctx);
		protobuf_c_message_free_unpacked(&tk->base, NULL);
		if (r)
			break;
	}
	mdb_cursor_close(cur);
	if (r)
		return r < 0 ? r : 0;
	return rc == MDB_NOTFOUND ? 0 : gj_lmdb_error(rc);
}

int gj_store_history_put(struct gj_txn *t, uint64_t ticket, const Guanjia__HistoryEntry *e)
{
	uint8_t kb[12];

	be64(kb, ticket);
	be32(kb + 8, e->seq);
	return put_msg(t, t->store->history, kb, 12, &e->base);
}

int gj_store_history_list(struct gj_txn *t, uint64_t ticket,
			  Guanjia__HistoryEntry ***ret, size_t *ret_n)
{
	MDB_cursor *cur;
	uint8_t kb[12];
	MDB_val k = { 12, kb }, v;
	Guanjia__HistoryEntry **arr = NULL;
	size_t n = 0, cap = 0;
	int rc, r = 0;

	be64(kb, ticket);
	be32(kb + 8, 0);
	rc = mdb_cursor_open(t->txn, t->store->history, &cur);
	if (rc)
		return gj_lmdb_error(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size != 12 || rd64(k.mv_data) != ticket)
			break;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			void *na = realloc(arr, nc * sizeof(*arr));
			if (!na) {
				r = -ENOMEM;
				break;
			}
			arr = na;
			cap = nc;
		}
		arr[n] = guanjia__history_entry__unpack(NULL, v.mv_size, v.mv_data);
		if (!arr[n]) {
			r = -EILSEQ;
			break;
		}
		n++;
	}
	mdb_cursor_close(cur);
	if (!r && rc && rc != MDB_NOTFOUND)
		r = gj_lmdb_error(rc);
	if (r) {
		for (size_t i = 0; i < n; i++)
			protobuf_c_message_free_unpacked(&arr[i]->base, NULL);
		free(arr);
		return r;
	}
	*ret = arr;
	*ret_n = n;
	return 0;
}

static void due_key(uint8_t *kb, const struct gj_due *d)
{
	be_time(kb, d->at);
	be64(kb + 8, d->ticket);
	kb[16] = d->clock;
	kb[17] = d->kind;
}

int gj_store_due_put(struct gj_txn *t, const struct gj_due *d)
{
	uint8_t kb[18];
	MDB_val k = { 18, kb }, v = { 0, (void *)"" };

	due_key(kb, d);
	return gj_lmdb_error(mdb_put(t->txn, t->store->due, &k, &v, 0));
}

int gj_store_due_del(struct gj_txn *t, const struct gj_due *d)
{
	uint8_t kb[18];
	MDB_val k = { 18, kb };

	due_key(kb, d);
	return gj_lmdb_error(mdb_del(t->txn, t->store->due, &k, NULL));
}

int gj_store_due_first(struct gj_txn *t, struct gj_due *ret)
{
	MDB_cursor *cur;
	MDB_val k, v;
	int rc = mdb_cursor_open(t->txn, t->store->due, &cur);

	if (rc)
		return gj_lmdb_error(rc);
	rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST);
	mdb_cursor_close(cur);
	if (rc)
		return gj_lmdb_error(rc);
	if (k.mv_size != 18)
		return -EILSEQ;
	const uint8_t *p = k.mv_data;
	ret->at = rd_time(p);
	ret->ticket = rd64(p + 8);
	ret->clock = p[16];
	ret->kind = p[17];
	return 0;
}

int gj_store_due_count(struct gj_txn *t, uint64_t *ret)
{
	MDB_stat s;
	int rc = mdb_stat(t->txn, t->store->due, &s);

	if (rc)
		return gj_lmdb_error(rc);
	*ret = s.ms_entries;
	return 0;
}

int gj_store_journal_last(struct gj_txn *t, uint64_t *ret_seq)
{
	return last_key_u64(t, t->store->journal, ret_seq);
}

int gj_store_journal_put(struct gj_txn *t, const Guanjia__Record *rec,
			 uint8_t **ret_buf, size_t *ret_len)
{
	uint8_t kb[8];
	size_t len = protobuf_c_message_get_packed_size(&rec->base);
	uint8_t *buf = malloc(len ? len : 1);
	MDB_val k = { 8, kb }, v;
	int rc;

	if (!buf)
		return -ENOMEM;
	protobuf_c_message_pack(&rec->base, buf);
	be64(kb, rec->seq);
	v.mv_size = len;
	v.mv_data = buf;
	/* APPEND: sequence numbers only grow; LMDB checks it. */
	rc = mdb_put(t->txn, t->store->journal, &k, &v, MDB_APPEND);
	if (rc) {
		free(buf);
		return gj_lmdb_error(rc);
	}
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int gj_store_journal_put_packed(struct gj_txn *t, uint64_t seq, const uint8_t *buf, size_t len)
{
	uint8_t kb[8];
	MDB_val k = { 8, kb }, v = { len, (void *)buf };

	be64(kb, seq);
	return gj_lmdb_error(mdb_put(t->txn, t->store->journal, &k, &v, MDB_APPEND));
}

int gj_store_journal_scan(struct gj_txn *t, uint64_t from,
			  int (*fn)(uint64_t seq, const uint8_t *buf, size_t len, void *ctx),
			  void *ctx)
{
	MDB_cursor *cur;
	uint8_t kb[8];
	MDB_val k = { 8, kb }, v;
	int rc, r = 0;

	be64(kb, from);
	rc = mdb_cursor_open(t->txn, t->store->journal, &cur);
	if (rc)
		return gj_lmdb_error(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		r = fn(rd64(k.mv_data), v.mv_data, v.mv_size, ctx);
		if (r)
			break;
	}
	mdb_cursor_close(cur);
	if (r)
		return r < 0 ? r : 0;
	return rc == MDB_NOTFOUND ? 0 : gj_lmdb_error(rc);
}

int gj_store_request_get(struct gj_txn *t, const char *id, uint8_t **ret_buf, size_t *ret_len)
{
	MDB_val k = { strlen(id), (void *)id }, v;
	int rc = mdb_get(t->txn, t->store->requests, &k, &v);
	uint8_t *buf;

	if (rc)
		return gj_lmdb_error(rc);
	if (v.mv_size < 8)
		return -EILSEQ;
	buf = malloc(v.mv_size - 8 + 1);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, (uint8_t *)v.mv_data + 8, v.mv_size - 8);
	*ret_buf = buf;
	*ret_len = v.mv_size - 8;
	return 0;
}

int gj_store_request_put(struct gj_txn *t, const char *id, int64_t at,
			 const uint8_t *reply, size_t len)
{
	size_t idlen = strlen(id);
	MDB_val k = { idlen, (void *)id }, v = { len + 8, NULL };
	uint8_t tk[8 + 256];
	int rc;

	if (idlen == 0 || idlen > 256)
		return -EINVAL;
	rc = mdb_put(t->txn, t->store->requests, &k, &v, MDB_RESERVE);
	if (rc)
		return gj_lmdb_error(rc);
	be_time(v.mv_data, at);
	memcpy((uint8_t *)v.mv_data + 8, reply, len);
	be_time(tk, at);
	memcpy(tk + 8, id, idlen);
	MDB_val k2 = { idlen + 8, tk }, v2 = { 0, (void *)"" };
	return gj_lmdb_error(mdb_put(t->txn, t->store->reqtime, &k2, &v2, 0));
}

int gj_store_request_expire(struct gj_txn *t, int64_t before, size_t max, size_t *ret_n)
{
	MDB_cursor *cur;
	MDB_val k, v;
	size_t n = 0;
	int rc = mdb_cursor_open(t->txn, t->store->reqtime, &cur);

	if (rc)
		return gj_lmdb_error(rc);
	while (n < max && (rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST)) == 0) {
		if (k.mv_size < 8 || rd_time(k.mv_data) >= before)
			break;
		MDB_val rk = { k.mv_size - 8, (uint8_t *)k.mv_data + 8 };
		rc = mdb_del(t->txn, t->store->requests, &rk, NULL);
		if (rc && rc != MDB_NOTFOUND)
			break;
		rc = mdb_cursor_del(cur, 0);
		if (rc)
			break;
		n++;
	}
	mdb_cursor_close(cur);
	if (ret_n)
		*ret_n = n;
	return (rc == 0 || rc == MDB_NOTFOUND) ? 0 : gj_lmdb_error(rc);
}

int gj_store_meta_get(struct gj_txn *t, const char *name, void **ret, size_t *ret_len)
{
	MDB_val k = { strlen(name), (void *)name }, v;
	int rc = mdb_get(t->txn, t->store->meta, &k, &v);
	void *buf;

	if (rc)
		return gj_lmdb_error(rc);
	buf = malloc(v.mv_size + 1);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, v.mv_data, v.mv_size);
	((char *)buf)[v.mv_size] = 0;
	*ret = buf;
	*ret_len = v.mv_size;
	return 0;
}

int gj_store_meta_put(struct gj_txn *t, const char *name, const void *val, size_t len)
{
	MDB_val k = { strlen(name), (void *)name }, v = { len, (void *)val };

	return gj_lmdb_error(mdb_put(t->txn, t->store->meta, &k, &v, 0));
}

int gj_store_meta_del(struct gj_txn *t, const char *name)
{
	MDB_val k = { strlen(name), (void *)name };

	return gj_lmdb_error(mdb_del(t->txn, t->store->meta, &k, NULL));
}

int gj_store_meta_get_u64(struct gj_txn *t, const char *name, uint64_t *ret)
{
	MDB_val k = { strlen(name), (void *)name }, v;
	int rc = mdb_get(t->txn, t->store->meta, &k, &v);

	if (rc)
		return gj_lmdb_error(rc);
	if (v.mv_size != 8)
		return -EILSEQ;
	*ret = rd64(v.mv_data);
	return 0;
}

int gj_store_meta_put_u64(struct gj_txn *t, const char *name, uint64_t val)
{
	uint8_t b[8];

	be64(b, val);
	return gj_store_meta_put(t, name, b, 8);
}

int gj_store_meta_scan(struct gj_txn *t, const char *prefix,
		       int (*fn)(const char *name, size_t name_len, const void *v, size_t len, void *ctx),
		       void *ctx)
{
	size_t plen = strlen(prefix);
	MDB_cursor *cur;
	MDB_val k = { plen, (void *)prefix }, v;
	int rc, r = 0;

	rc = mdb_cursor_open(t->txn, t->store->meta, &cur);
	if (rc)
		return gj_lmdb_error(rc);
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
			break;
		r = fn(k.mv_data, k.mv_size, v.mv_data, v.mv_size, ctx);
		if (r)
			break;
	}
	mdb_cursor_close(cur);
	if (r)
		return r < 0 ? r : 0;
	return rc == MDB_NOTFOUND || rc == 0 ? 0 : gj_lmdb_error(rc);
}
