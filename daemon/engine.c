/*
 * engine.c - batches, request dispatch, idempotent retries and the journal.
 *
 * Commands check everything before they write, so a refusal leaves no trace
 * in the batch's write transaction.  A storage error (a full map) spoils the
 * whole transaction: the engine then refuses to commit, and the server
 * grows the map and runs the same requests again in a fresh batch
 * (gj_engine_batch_abort), so nothing half-done ever reaches the disk.
 */
#include "engine_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "wire.h"

#define REQUEST_EXPIRE_PER_BATCH 64

int gj_refuse(struct gj_refusal *r, int code, const char *fmt, ...)
{
	va_list ap;

	free(r->message);
	r->message = NULL;
	r->code = code;
	va_start(ap, fmt);
	if (vasprintf(&r->message, fmt, ap) < 0)
		r->message = NULL;
	va_end(ap);
	return -EINVAL;
}

int gj_pb_set_str(char **slot, const char *v)
{
	char *n;

	if (!v || !*v) {
		n = (char *)protobuf_c_empty_string;
	} else {
		n = strdup(v);
		if (!n)
			return -ENOMEM;
	}
	if (*slot && *slot != protobuf_c_empty_string)
		free(*slot);
	*slot = n;
	return 0;
}

const char *gj_ticket_field(const Guanjia__Ticket *tk, const char *name)
{
	for (size_t i = 0; i < tk->n_fields; i++)
		if (strcmp(tk->fields[i]->name, name) == 0)
			return tk->fields[i]->value;
	return NULL;
}

int gj_ticket_set_field(Guanjia__Ticket *tk, const char *name, const char *value)
{
	Guanjia__Field *f;
	void *na;

	for (size_t i = 0; i < tk->n_fields; i++)
		if (strcmp(tk->fields[i]->name, name) == 0)
			return gj_pb_set_str(&tk->fields[i]->value, value);
	na = realloc(tk->fields, (tk->n_fields + 1) * sizeof(*tk->fields));
	if (!na)
		return -ENOMEM;
	tk->fields = na;
	f = malloc(sizeof(*f));
	if (!f)
		return -ENOMEM;
	guanjia__field__init(f);
	tk->fields[tk->n_fields++] = f;
	if (gj_pb_set_str(&f->name, name) || gj_pb_set_str(&f->value, value))
		return -ENOMEM;
	return 0;
}

void gj_join_ids(char *buf, size_t len, const char *const *v, size_t n)
{
	buf[0] = 0;
	for (size_t i = 0; i < n; i++) {
		if (i)
			strncat(buf, ", ", len - strlen(buf) - 1);
		strncat(buf, v[i], len - strlen(buf) - 1);
	}
	if (!n)
		snprintf(buf, len, "(none)");
}

void gj_engine_spoil(struct gj_engine *eng, int rc)
{
	if (!eng->failed)
		eng->failed = rc;
	if (rc == -ENOSPC)
		eng->map_full = true;
}

bool gj_valid_id(const char *s, size_t max, bool dash)
{
	size_t n = 0;

	if (!s)
		return false;
	for (; s[n]; n++) {
		char c = s[n];
		if (n >= max)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
		      (dash && c == '-')))
			return false;
	}
	return n > 0;
}

int gj_engine_create(struct gj_store *store, const struct gj_workflows *wfs,
		     const struct gj_engine_config *cfg, struct gj_engine **ret)
{
	struct gj_engine *eng = calloc(1, sizeof(*eng));
	struct gj_txn t;
	int rc;

	if (!eng)
		return -ENOMEM;
	eng->store = store;
	eng->wfs = wfs;
	eng->cfg = *cfg;
	if (!eng->cfg.default_estate)
		eng->cfg.default_estate = "main";
	if (eng->cfg.request_retention_ms <= 0)
		eng->cfg.request_retention_ms = 7LL * 24 * 3600 * 1000;
	eng->now = cfg->manual_clock ? cfg->manual_start_ms : gj_realtime_ms();
	eng->started_at = eng->now;
	rc = gj_txn_begin(store, false, &t);
	if (rc)
		goto fail;
	rc = gj_store_journal_last(&t, &eng->last_seq);
	gj_txn_abort(&t);
	if (rc)
		goto fail;
	*ret = eng;
	return 0;
fail:
	free(eng);
	return rc;
}

void gj_engine_destroy(struct gj_engine *eng)
{
	if (!eng)
		return;
	if (eng->in_batch)
		gj_txn_abort(&eng->txn);
	gj_engine_batch_clear(eng);
	free(eng->replies);
	free(eng->out_replies);
	free(eng->outbox);
	free(eng);
}

int64_t gj_engine_now(const struct gj_engine *eng)
{
	return eng->now;
}

int gj_engine_batch_begin(struct gj_engine *eng)
{
	int rc;

	if (eng->in_batch)
		return -EBUSY;
	if (!eng->cfg.manual_clock) {
		int64_t t = gj_realtime_ms();
		if (t > eng->now) /* never let time run backwards inside the engine */
			eng->now = t;
	}
	rc = gj_txn_begin(eng->store, true, &eng->txn);
	if (rc)
		return rc;
	eng->cur = &eng->txn;
	eng->in_batch = true;
	eng->map_full = false;
	eng->failed = 0;
	eng->batch_now = eng->now;
	eng->batch_serial++;
	return 0;
}

int gj_engine_journal(struct gj_engine *eng, Guanjia__Record *rec)
{
	struct gj_engine_record *slot;
	size_t len, tlen = strlen(rec->topic);
	uint8_t *msg;
	int rc;

	rec->seq = eng->last_seq + 1;
	if (!rec->at)
		rec->at = eng->now;
	if (eng->n_outbox == eng->cap_outbox) {
		size_t nc = eng->cap_outbox ? eng->cap_outbox * 2 : 64;
		void *na = realloc(eng->outbox, nc * sizeof(*eng->outbox));
		if (!na)
			return -ENOMEM;
		eng->outbox = na;
		eng->cap_outbox = nc;
	}
	/* Packed once, straight into the message that is published
	 * (topic NUL record); the store keeps the record part. */
	len = guanjia__record__get_packed_size(rec);
	msg = malloc(tlen + 1 + len);
	if (!msg)
		return -ENOMEM;
	memcpy(msg, rec->topic, tlen + 1);
	guanjia__record__pack(rec, msg + tlen + 1);
	rc = gj_store_journal_put_packed(eng->cur, rec->seq, msg + tlen + 1, len);
	if (rc) {
		free(msg);
		return rc;
	}
	slot = &eng->outbox[eng->n_outbox];
	slot->msg = msg;
	slot->len = tlen + 1 + len;
	slot->seq = rec->seq;
	eng->n_outbox++;
	eng->last_seq = rec->seq;
	return 0;
}

int gj_engine_history(struct gj_engine *eng, Guanjia__Ticket *tk,
		      Guanjia__HistoryEntry *e)
{
	int rc;

	e->seq = tk->history_len;
	if (!e->at)
		e->at = eng->now;
	rc = gj_store_history_put(eng->cur, tk->id, e);
	if (rc)
		return rc;
	tk->history_len++;
	return 0;
}

static int push_reply(struct gj_engine *eng, void *tag, uint8_t *buf, size_t len,
		      bool mutating, const char *request_id)
{
	struct reply_slot *s;

	if (eng->n_replies == eng->cap_replies) {
		size_t nc = eng->cap_replies ? eng->cap_replies * 2 : 64;
		void *na = realloc(eng->replies, nc * sizeof(*eng->replies));
		if (!na) {
			free(buf);
			return -ENOMEM;
		}
		eng->replies = na;
		eng->cap_replies = nc;
	}
	s = &eng->replies[eng->n_replies++];
	s->tag = tag;
	s->buf = buf;
	s->len = len;
	s->mutating = mutating;
	s->request_id = request_id ? strdup(request_id) : NULL;
	return 0;
}

static int pack_reply(const Guanjia__Reply *r, uint8_t **ret_buf, size_t *ret_len)
{
	size_t len = guanjia__reply__get_packed_size(r);
	uint8_t *buf = malloc(len ? len : 1);

	if (!buf)
		return -ENOMEM;
	guanjia__reply__pack(r, buf);
	*ret_buf = buf;
	*ret_len = len;
	return 0;
}

int gj_engine_refusal(int code, const char *message, const char *request_id,
		      uint8_t **ret_buf, size_t *ret_len)
{
	Guanjia__Reply r = GUANJIA__REPLY__INIT;

	if (request_id)
		r.request_id = (char *)request_id;

	r.outcome = GUANJIA__OUTCOME__REFUSED;
	r.code = code;
	r.message = (char *)message;
	return pack_reply(&r, ret_buf, ret_len);
}

static const char *cmd_name(Guanjia__Request__CommandCase c)
{
	switch (c) {
	case GUANJIA__REQUEST__COMMAND_OPEN: return "open";
	case GUANJIA__REQUEST__COMMAND_FIRE: return "fire";
	case GUANJIA__REQUEST__COMMAND_GET: return "get";
	case GUANJIA__REQUEST__COMMAND_LIST: return "list";
	case GUANJIA__REQUEST__COMMAND_REPLAY: return "replay";
	case GUANJIA__REQUEST__COMMAND_STATUS: return "status";
	case GUANJIA__REQUEST__COMMAND_ADVANCE_CLOCK: return "advance_clock";
	case GUANJIA__REQUEST__COMMAND_CALENDAR: return "calendar";
	case GUANJIA__REQUEST__COMMAND_EXPLAIN: return "explain";
	case GUANJIA__REQUEST__COMMAND_RECOMPUTE: return "recompute";
	default: return "unknown";
	}
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* Checks that apply to every request before its command is looked at. */
static int check_envelope(const Guanjia__Request *req, bool mutating,
			  struct gj_refusal *ref)
{
	const Guanjia__Actor *a = req->actor;

	if (!req->request_id || !*req->request_id)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__MISSING_REQUEST_ID,
				 "every command needs a request_id (unique per command, at most %d bytes)",
				 GJ_MAX_REQUEST_ID);
	if (strlen(req->request_id) > GJ_MAX_REQUEST_ID || !printable(req->request_id))
		return gj_refuse(ref, GUANJIA__ERROR_CODE__INVALID_ARGUMENT,
				 "request_id must be at most %d printable bytes", GJ_MAX_REQUEST_ID);
	if (req->command_case == GUANJIA__REQUEST__COMMAND__NOT_SET)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__NO_COMMAND,
				 "the request carries no command (open, fire, get, list, replay, status or advance_clock)");
	if (!a || !a->person || !*a->person)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__MISSING_ACTOR,
				 "say who is acting: actor.person is empty");
	if (strlen(a->person) > GJ_MAX_NAME || !printable(a->person))
		return gj_refuse(ref, GUANJIA__ERROR_CODE__INVALID_ARGUMENT,
				 "actor.person must be at most %d printable bytes", GJ_MAX_NAME);
	if (a->channel && (strlen(a->channel) > GJ_MAX_NAME || !printable(a->channel)))
		return gj_refuse(ref, GUANJIA__ERROR_CODE__INVALID_ARGUMENT,
				 "actor.channel must be at most %d printable bytes", GJ_MAX_NAME);
	if (mutating && req->command_case != GUANJIA__REQUEST__COMMAND_ADVANCE_CLOCK) {
		if (!a->role || !*a->role)
			return gj_refuse(ref, GUANJIA__ERROR_CODE__MISSING_ACTOR,
					 "say which role %s acts in: actor.role is empty", a->person);
		if (!gj_role_is_known(a->role)) {
			char list[256];
			size_t n = 0;
			while (gj_known_roles[n])
				n++;
			gj_join_ids(list, sizeof(list), gj_known_roles, n);
			return gj_refuse(ref, GUANJIA__ERROR_CODE__INVALID_ARGUMENT,
					 "unknown role '%.64s'; roles are: %s", a->role, list);
		}
	}
	return 0;
}

static int cmd_advance(struct gj_engine *eng, const Guanjia__Request *req,
		       Guanjia__Reply *reply, struct gj_refusal *ref)
{
	int64_t by = req->advance_clock->by_ms, target;
	int rc;

	if (!eng->cfg.manual_clock)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__NOT_MANUAL_CLOCK,
				 "the daemon runs on the real clock; only a daemon started with --manual-clock can be advanced");
	if (by <= 0 || by > 400LL * 24 * 3600 * 1000)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__INVALID_ARGUMENT,
				 "advance by a positive duration of at most 400 days (got %lld ms)",
				 (long long)by);
	target = eng->now + by;
	/* Walk through every deadline in order, each at its own instant, so
	 * that alerts carry the exact time they were due. */
	for (;;) {
		struct gj_due d;
		rc = gj_store_due_first(eng->cur, &d);
		if (rc == -ENOENT)
			break;
		if (rc)
			return rc;
		if (d.at > target)
			break;
		if (d.at > eng->now)
			eng->now = d.at;
		rc = gj_clocks_fire(eng, &d);
		if (rc)
			return rc;
	}
	eng->now = target;
	return gj_query_status(eng, reply);
}

static bool is_mutating(Guanjia__Request__CommandCase c)
{
	return c == GUANJIA__REQUEST__COMMAND_OPEN || c == GUANJIA__REQUEST__COMMAND_FIRE ||
	       c == GUANJIA__REQUEST__COMMAND_ADVANCE_CLOCK ||
	       c == GUANJIA__REQUEST__COMMAND_RECOMPUTE;
}

/* Transient refusals are not remembered: a retry may succeed. */
static bool remember_refusal(int code)
{
	return code != GUANJIA__ERROR_CODE__STORAGE_FULL && code != GUANJIA__ERROR_CODE__INTERNAL;
}

/* A storage error spoils the batch's transaction: remember it, and answer
 * with a refusal that says nothing was saved. */
static void storage_refusal(struct gj_engine *eng, struct gj_refusal *ref, int rc,
			    const char *what)
{
	gj_engine_spoil(eng, rc);
	if (rc == -ENOSPC) {
		gj_refuse(ref, GUANJIA__ERROR_CODE__STORAGE_FULL,
			  "the database is full; nothing was saved (the daemon grows it: try again)");
	} else {
		gj_refuse(ref, GUANJIA__ERROR_CODE__INTERNAL,
			  "storage error while applying %s: %s; nothing was saved", what,
			  strerror(-rc));
	}
}

static int submit_request(struct gj_engine *eng, Guanjia__Request *req, void *tag)
{
	Guanjia__Reply reply = GUANJIA__REPLY__INIT;
	struct gj_refusal ref = { 0, NULL };
	bool mutating = is_mutating(req->command_case);
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = 0;
	bool envelope_ok = false, stored = false;

	reply.request_id = req->request_id;
	if (eng->failed) {
		/* The transaction is spoilt; the batch will be run again. */
		storage_refusal(eng, &ref, eng->failed, cmd_name(req->command_case));
		goto refused;
	}
	if (check_envelope(req, mutating, &ref))
		goto refused;
	envelope_ok = true;

	if (mutating) {
		rc = gj_store_request_get(eng->cur, req->request_id, &buf, &len);
		if (rc == 0) {
			/* Seen before: the first reply again, nothing applied. */
			Guanjia__Reply *old = guanjia__reply__unpack(NULL, len, buf);
			free(buf);
			buf = NULL;
			if (!old) {
				gj_refuse(&ref, GUANJIA__ERROR_CODE__INTERNAL,
					  "request %s was seen before but its reply cannot be read",
					  req->request_id);
				goto refused;
			}
			if (old->outcome == GUANJIA__OUTCOME__APPLIED)
				old->outcome = GUANJIA__OUTCOME__ALREADY_APPLIED;
			old->now = eng->now;
			rc = pack_reply(old, &buf, &len);
			protobuf_c_message_free_unpacked(&old->base, NULL);
			if (rc)
				return rc;
			return push_reply(eng, tag, buf, len, false, NULL);
		}
		if (rc != -ENOENT) {
			storage_refusal(eng, &ref, rc, cmd_name(req->command_case));
			goto refused;
		}
	}

	switch (req->command_case) {
	case GUANJIA__REQUEST__COMMAND_OPEN:
		rc = gj_cmd_open(eng, req, &reply, &ref);
		break;
	case GUANJIA__REQUEST__COMMAND_FIRE:
		rc = gj_cmd_fire(eng, req, &reply, &ref);
		break;
	case GUANJIA__REQUEST__COMMAND_ADVANCE_CLOCK:
		rc = cmd_advance(eng, req, &reply, &ref);
		break;
	case GUANJIA__REQUEST__COMMAND_GET:
		rc = gj_query_get(eng, req, &reply, &ref);
		break;
	case GUANJIA__REQUEST__COMMAND_LIST:
		rc = gj_query_list(eng, req, &reply, &ref);
		break;
	case GUANJIA__REQUEST__COMMAND_REPLAY:
		rc = gj_query_replay(eng, req, &reply, &ref);
		break;
	case GUANJIA__REQUEST__COMMAND_STATUS:
		rc = gj_query_status(eng, &reply);
		break;
	case GUANJIA__REQUEST__COMMAND_CALENDAR:
		rc = gj_query_calendar(eng, req, &reply, &ref);
		break;
	case GUANJIA__REQUEST__COMMAND_EXPLAIN:
		rc = gj_query_explain(eng, req, &reply, &ref);
		break;
	case GUANJIA__REQUEST__COMMAND_RECOMPUTE:
		rc = gj_cmd_recompute(eng, req, &reply, &ref);
		break;
	default:
		rc = gj_refuse(&ref, GUANJIA__ERROR_CODE__NO_COMMAND, "unknown command");
		break;
	}

	if (rc == 0) {
		reply.outcome = GUANJIA__OUTCOME__APPLIED;
		reply.now = eng->now;
		rc = pack_reply(&reply, &buf, &len);
		/* The change and its request id commit together or not at all. */
		if (rc == 0 && mutating) {
			rc = gj_store_request_put(eng->cur, req->request_id, eng->now, buf, len);
			stored = rc == 0;
		}
		if (rc) {
			free(buf);
			buf = NULL;
			stored = false;
		}
	}
	if (rc && !ref.message) {
		if (mutating)
			storage_refusal(eng, &ref, rc, cmd_name(req->command_case));
		else
			gj_refuse(&ref, GUANJIA__ERROR_CODE__INTERNAL, "error while reading: %s",
				  strerror(-rc));
	}
	if (!ref.message) {
		gj_query_reply_finish(&reply);
		return push_reply(eng, tag, buf, len, stored, req->request_id);
	}

refused:
	gj_query_reply_finish(&reply);
	reply.outcome = GUANJIA__OUTCOME__REFUSED;
	reply.code = ref.code;
	reply.message = ref.message ? ref.message : (char *)"refused";
	reply.now = eng->now;
	rc = pack_reply(&reply, &buf, &len);
	free(ref.message);
	if (rc)
		return rc;
	/* Refusals of the envelope are about the message, not the state, and
	 * transient ones are worth a retry: only the others are remembered. */
	if (mutating && envelope_ok && !eng->failed && remember_refusal(ref.code)) {
		rc = gj_store_request_put(eng->cur, req->request_id, eng->now, buf, len);
		if (rc) {
			/* The transaction is spoilt: this refusal stands, the
			 * batch will be run again. */
			struct gj_refusal r2 = { 0, NULL };
			storage_refusal(eng, &r2, rc, cmd_name(req->command_case));
			free(r2.message);
		} else {
			stored = true;
		}
	}
	return push_reply(eng, tag, buf, len, stored, req->request_id);
}

int gj_engine_submit(struct gj_engine *eng, const void *msg, size_t len, void *tag)
{
	Guanjia__Request *req;
	uint8_t *buf;
	size_t blen;
	int rc;

	if (!eng->in_batch)
		return -EINVAL;
	if (len > GJ_MAX_MESSAGE) {
		char m[160];
		snprintf(m, sizeof(m), "message of %zu bytes is over the limit of %d bytes",
			 len, GJ_MAX_MESSAGE);
		rc = gj_engine_refusal(GUANJIA__ERROR_CODE__TOO_LARGE, m, NULL, &buf, &blen);
		return rc ? rc : push_reply(eng, tag, buf, blen, false, NULL);
	}
	req = guanjia__request__unpack(NULL, len, msg);
	if (!req) {
		rc = gj_engine_refusal(GUANJIA__ERROR_CODE__MALFORMED,
				       "the message is not a guanjia Request (it could not be decoded as protobuf; see proto/guanjia.proto)",
				       NULL, &buf, &blen);
		return rc ? rc : push_reply(eng, tag, buf, blen, false, NULL);
	}
	size_t before = eng->n_replies;
	rc = submit_request(eng, req, tag);
	if (rc && eng->n_replies == before) {
		/* Whatever went wrong, the client gets an answer. */
		char m[160];
		snprintf(m, sizeof(m), "the daemon could not handle this request (%s); nothing was saved",
			 strerror(-rc));
		if (gj_engine_refusal(GUANJIA__ERROR_CODE__INTERNAL, m, req->request_id, &buf, &blen) == 0)
			push_reply(eng, tag, buf, blen, false, NULL);
	}
	protobuf_c_message_free_unpacked(&req->base, NULL);
	return rc;
}

int gj_engine_run_due(struct gj_engine *eng, size_t max, bool *ret_more)
{
	size_t n = 0;
	int rc;

	if (ret_more)
		*ret_more = false;
	if (!eng->recomputed) {
		/* Once, before any deadline fires: provisional deadlines whose
		 * year now has calendar data move to their real value, and the
		 * plugins hear that the daemon started (generators catch up). */
		rc = gj_recompute_provisional(eng);
		if (!rc)
			rc = gj_host_on_start(eng);
		if (rc) {
			gj_engine_spoil(eng, rc);
			return rc;
		}
		eng->recompute_done = true;
	}
	for (;;) {
		struct gj_due d;
		rc = gj_store_due_first(eng->cur, &d);
		if (rc == -ENOENT)
			return 0;
		if (rc)
			return rc;
		if (d.at > eng->now)
			return 0;
		if (n == max) {
			if (ret_more)
				*ret_more = true;
			return 0;
		}
		rc = gj_clocks_fire(eng, &d);
		if (rc) {
			gj_engine_spoil(eng, rc);
			return rc;
		}
		n++;
	}
}

int gj_engine_batch_failed(const struct gj_engine *eng)
{
	return eng->failed;
}

void gj_engine_batch_abort(struct gj_engine *eng)
{
	struct gj_txn t;

	if (eng->in_batch)
		gj_txn_abort(&eng->txn);
	eng->in_batch = false;
	eng->cur = NULL;
	eng->recompute_done = false;
	eng->next_due_known = false;
	gj_engine_batch_clear(eng);
	eng->now = eng->batch_now;
	if (gj_txn_begin(eng->store, false, &t) == 0) {
		gj_store_journal_last(&t, &eng->last_seq);
		gj_txn_abort(&t);
	}
}

bool gj_engine_map_full(const struct gj_engine *eng)
{
	return eng->map_full;
}

int gj_engine_batch_commit(struct gj_engine *eng)
{
	size_t expired;
	int rc;

	if (!eng->in_batch)
		return -EINVAL;
	rc = eng->failed;
	if (rc == 0)
		rc = gj_store_request_expire(eng->cur, eng->now - eng->cfg.request_retention_ms,
					     REQUEST_EXPIRE_PER_BATCH, &expired);
	eng->next_due_known = false;
	if (rc == 0) {
		struct gj_due d;
		int r = gj_store_due_first(&eng->txn, &d);
		if (r == 0 || r == -ENOENT) {
			eng->next_due = r == 0 ? d.at : INT64_MAX;
			eng->next_due_known = true;
		}
		rc = gj_txn_commit(&eng->txn);
		if (rc)
			eng->next_due_known = false;
	} else {
		gj_txn_abort(&eng->txn);
	}
	eng->in_batch = false;
	eng->cur = NULL;
	if (rc == 0) {
		if (eng->recompute_done)
			eng->recomputed = true;
		return 0;
	}
	eng->recompute_done = false;
	if (rc == -ENOSPC)
		eng->map_full = true;
	/* Nothing was saved, a manual clock's move included: a retried
	 * advance must not move it twice. */
	eng->now = eng->batch_now;

	/* Nothing of this batch is on disk: say so to everyone who changed
	 * something, and publish nothing. */
	for (size_t i = 0; i < eng->n_replies; i++) {
		struct reply_slot *s = &eng->replies[i];
		uint8_t *buf;
		size_t len;
		char msg[200];
		if (!s->mutating)
			continue;
		snprintf(msg, sizeof(msg), "storage error: %s; nothing was saved, send the command again",
			 strerror(-rc));
		if (gj_engine_refusal(rc == -ENOSPC ? GUANJIA__ERROR_CODE__STORAGE_FULL
						    : GUANJIA__ERROR_CODE__INTERNAL,
				      msg, s->request_id, &buf, &len) == 0) {
			free(s->buf);
			s->buf = buf;
			s->len = len;
		}
	}
	for (size_t i = 0; i < eng->n_outbox; i++)
		free(eng->outbox[i].msg);
	eng->n_outbox = 0;
	{
		struct gj_txn t;
		if (gj_txn_begin(eng->store, false, &t) == 0) {
			gj_store_journal_last(&t, &eng->last_seq);
			gj_txn_abort(&t);
		}
	}
	return rc;
}

size_t gj_engine_replies(struct gj_engine *eng, struct gj_engine_reply **ret)
{
	free(eng->out_replies);
	eng->out_replies = calloc(eng->n_replies ? eng->n_replies : 1, sizeof(*eng->out_replies));
	if (!eng->out_replies) {
		*ret = NULL;
		return 0;
	}
	for (size_t i = 0; i < eng->n_replies; i++) {
		eng->out_replies[i].tag = eng->replies[i].tag;
		eng->out_replies[i].buf = eng->replies[i].buf;
		eng->out_replies[i].len = eng->replies[i].len;
	}
	*ret = eng->out_replies;
	return eng->n_replies;
}

size_t gj_engine_outbox(struct gj_engine *eng, struct gj_engine_record **ret)
{
	*ret = eng->outbox;
	return eng->n_outbox;
}

void gj_engine_batch_clear(struct gj_engine *eng)
{
	for (size_t i = 0; i < eng->n_replies; i++) {
		free(eng->replies[i].buf);
		free(eng->replies[i].request_id);
	}
	eng->n_replies = 0;
	for (size_t i = 0; i < eng->n_outbox; i++)
		free(eng->outbox[i].msg);
	eng->n_outbox = 0;
}

int64_t gj_engine_next_due(struct gj_engine *eng)
{
	struct gj_txn t;
	struct gj_due d;
	int rc;

	/* Read inside the last batch's transaction, just before it committed:
	 * no read transaction needed. */
	if (eng->next_due_known)
		return eng->next_due;
	if (gj_txn_begin(eng->store, false, &t))
		return INT64_MAX;
	rc = gj_store_due_first(&t, &d);
	gj_txn_abort(&t);
	return rc ? INT64_MAX : d.at;
}
