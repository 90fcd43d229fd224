/*
 * queries.c - the read-only commands: get a ticket, list tickets, replay the
 * journal, status.  They read inside the batch transaction, so they see
 * every command applied before them in the same batch.
 */
#include "engine_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

#define LIST_DEFAULT 100
#define LIST_MAX 1000
#define REPLAY_DEFAULT 1000
#define REPLAY_MAX 10000

static int strv_dup(const struct gj_strv *sv, char ***ret, size_t *ret_n)
{
	char **v = calloc(sv->n ? sv->n : 1, sizeof(char *));

	if (!v)
		return -ENOMEM;
	*ret = v;
	*ret_n = 0;
	for (size_t i = 0; i < sv->n; i++) {
		v[i] = strdup(sv->v[i]);
		if (!v[i])
			return -ENOMEM;
		(*ret_n)++;
	}
	return 0;
}

int gj_ticket_decorate(Guanjia__Ticket *tk, const struct gj_workflow *wf)
{
	if (gj_pb_set_str(&tk->title, wf->title))
		return -ENOMEM;
	for (size_t i = 0; i < tk->n_clocks && i < wf->n_clocks; i++) {
		Guanjia__Clock *c = tk->clocks[i];
		if (c->n_notify_warn || c->n_notify_breach)
			continue;
		if (strv_dup(&wf->clocks[i].notify_warn, &c->notify_warn, &c->n_notify_warn) ||
		    strv_dup(&wf->clocks[i].notify_breach, &c->notify_breach, &c->n_notify_breach))
			return -ENOMEM;
	}
	return 0;
}

int gj_query_get(struct gj_engine *eng, const Guanjia__Request *req,
		 Guanjia__Reply *reply, struct gj_refusal *ref)
{
	Guanjia__Ticket *tk;
	const struct gj_workflow *wf;
	int rc = gj_store_ticket_get(eng->cur, req->get->ticket_id, &tk);

	if (rc == -ENOENT)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__UNKNOWN_TICKET, "there is no ticket %llu",
				 (unsigned long long)req->get->ticket_id);
	if (rc)
		return rc;
	wf = gj_workflows_find(eng->wfs, tk->workflow, tk->workflow_version);
	if (wf && gj_ticket_decorate(tk, wf)) {
		protobuf_c_message_free_unpacked(&tk->base, NULL);
		return -ENOMEM;
	}
	if (req->get->with_history) {
		Guanjia__HistoryEntry **h;
		size_t n;
		rc = gj_store_history_list(eng->cur, tk->id, &h, &n);
		if (rc) {
			protobuf_c_message_free_unpacked(&tk->base, NULL);
			return rc;
		}
		tk->history = h;
		tk->n_history = n;
		/* Keep the reply within what any peer accepts: drop the oldest
		 * entries if it would not fit (history_len still tells all).
		 * Each entry's size is computed once. */
		size_t skip = 0, total;
		tk->n_history = 0;
		total = guanjia__ticket__get_packed_size(tk);
		for (size_t i = 0; i < n; i++)
			total += guanjia__history_entry__get_packed_size(h[i]) + 6;
		while (total > GJ_MAX_REPLY && skip < n) {
			total -= guanjia__history_entry__get_packed_size(h[skip]) + 6;
			protobuf_c_message_free_unpacked(&h[skip]->base, NULL);
			skip++;
		}
		if (skip)
			memmove(h, h + skip, (n - skip) * sizeof(*h));
		tk->history = h;
		tk->n_history = n - skip;
	}
	reply->result_case = GUANJIA__REPLY__RESULT_TICKET;
	reply->ticket = tk;
	return 0;
}

struct list_ctx {
	const Guanjia__ListTickets *f;
	Guanjia__TicketList *out;
	uint32_t limit;
	size_t bytes;
	int err;
};

static bool overdue(const Guanjia__Ticket *tk)
{
	for (size_t i = 0; i < tk->n_clocks; i++)
		if (tk->clocks[i]->state == GUANJIA__CLOCK_STATE__CLOCK_RUNNING &&
		    tk->clocks[i]->breached)
			return true;
	return false;
}

static int list_one(Guanjia__Ticket *tk, void *vctx)
{
	struct list_ctx *ctx = vctx;
	const Guanjia__ListTickets *f = ctx->f;
	Guanjia__Ticket *copy;
	uint8_t *buf;
	size_t len;

	if (f->estate && *f->estate && strcmp(f->estate, tk->estate))
		return 0;
	if (f->workflow && *f->workflow && strcmp(f->workflow, tk->workflow))
		return 0;
	if (f->state && *f->state && strcmp(f->state, tk->state))
		return 0;
	if (f->open_only && tk->closed)
		return 0;
	if (f->overdue_only && !overdue(tk))
		return 0;
	len = guanjia__ticket__get_packed_size(tk);
	if (ctx->out->n_tickets >= ctx->limit || ctx->bytes + len + 16 > GJ_MAX_REPLY) {
		ctx->out->more = true;
		return 1;
	}
	/* The scan frees its ticket after the callback: keep a copy. */
	buf = malloc(len ? len : 1);
	if (!buf)
		goto nomem;
	guanjia__ticket__pack(tk, buf);
	copy = guanjia__ticket__unpack(NULL, len, buf);
	free(buf);
	if (!copy)
		goto nomem;
	ctx->out->tickets[ctx->out->n_tickets++] = copy;
	ctx->bytes += len + 16;
	return 0;
nomem:
	ctx->err = -ENOMEM;
	return -ENOMEM;
}

int gj_query_list(struct gj_engine *eng, const Guanjia__Request *req,
		  Guanjia__Reply *reply, struct gj_refusal *ref)
{
	struct list_ctx ctx = { req->list, NULL, req->list->limit, 0, 0 };
	int rc;

	if (ctx.limit == 0)
		ctx.limit = LIST_DEFAULT;
	if (ctx.limit > LIST_MAX)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__INVALID_ARGUMENT,
				 "list at most %d tickets at a time (asked for %u); page with after_id",
				 LIST_MAX, ctx.limit);
	ctx.out = malloc(sizeof(*ctx.out));
	if (!ctx.out)
		return -ENOMEM;
	guanjia__ticket_list__init(ctx.out);
	ctx.out->tickets = calloc(ctx.limit, sizeof(*ctx.out->tickets));
	if (!ctx.out->tickets) {
		free(ctx.out);
		return -ENOMEM;
	}
	reply->result_case = GUANJIA__REPLY__RESULT_TICKETS;
	reply->tickets = ctx.out;
	rc = gj_store_ticket_scan(eng->cur, req->list->after_id, list_one, &ctx);
	return rc ? rc : ctx.err;
}

struct replay_ctx {
	const char *prefix;
	size_t plen;
	Guanjia__RecordList *out;
	uint32_t limit;
	size_t bytes;
	int err;
};

static int replay_one(uint64_t seq, const uint8_t *buf, size_t len, void *vctx)
{
	struct replay_ctx *ctx = vctx;
	Guanjia__Record *r;

	if (ctx->out->n_records >= ctx->limit || ctx->bytes + len + 16 > GJ_MAX_REPLY)
		return 1;
	r = guanjia__record__unpack(NULL, len, buf);
	ctx->out->next_seq = seq + 1;
	if (!r)
		return 0; /* unreadable: skip it rather than stop the replay */
	if (ctx->plen && strncmp(r->topic, ctx->prefix, ctx->plen) != 0) {
		protobuf_c_message_free_unpacked(&r->base, NULL);
		return 0;
	}
	ctx->out->records[ctx->out->n_records++] = r;
	ctx->bytes += len + 16;
	return 0;
}

int gj_query_replay(struct gj_engine *eng, const Guanjia__Request *req,
		    Guanjia__Reply *reply, struct gj_refusal *ref)
{
	const Guanjia__Replay *rp = req->replay;
	struct replay_ctx ctx = { rp->topic_prefix, 0, NULL, rp->limit, 0, 0 };
	uint64_t from = rp->from_seq ? rp->from_seq : 1;
	int rc;

	if (ctx.limit == 0)
		ctx.limit = REPLAY_DEFAULT;
	if (ctx.limit > REPLAY_MAX)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__INVALID_ARGUMENT,
				 "replay at most %d records at a time (asked for %u)", REPLAY_MAX,
				 ctx.limit);
	if (ctx.prefix && strlen(ctx.prefix) > 256)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__TOO_LARGE,
				 "topic_prefix is longer than 256 bytes");
	ctx.plen = ctx.prefix ? strlen(ctx.prefix) : 0;
	ctx.out = malloc(sizeof(*ctx.out));
	if (!ctx.out)
		return -ENOMEM;
	guanjia__record_list__init(ctx.out);
	ctx.out->records = calloc(ctx.limit, sizeof(*ctx.out->records));
	if (!ctx.out->records) {
		free(ctx.out);
		return -ENOMEM;
	}
	ctx.out->next_seq = from;
	reply->result_case = GUANJIA__REPLY__RESULT_RECORDS;
	reply->records = ctx.out;
	rc = gj_store_journal_scan(eng->cur, from, replay_one, &ctx);
	ctx.out->last_seq = eng->last_seq;
	if (ctx.out->next_seq <= from && eng->last_seq < from)
		ctx.out->next_seq = from;
	return rc;
}

int gj_query_status(struct gj_engine *eng, Guanjia__Reply *reply)
{
	Guanjia__Status *st = malloc(sizeof(*st));
	size_t n = gj_workflows_count(eng->wfs);
	uint64_t v;
	struct gj_due d;

	if (!st)
		return -ENOMEM;
	guanjia__status__init(st);
	reply->result_case = GUANJIA__REPLY__RESULT_STATUS;
	reply->status = st;
	st->version = strdup(GJ_VERSION);
	st->manual_clock = eng->cfg.manual_clock;
	st->now = eng->now;
	st->last_seq = eng->last_seq;
	st->started_at = eng->started_at;
	st->command_url = strdup(eng->cfg.command_url ? eng->cfg.command_url : "");
	st->event_url = strdup(eng->cfg.event_url ? eng->cfg.event_url : "");
	st->data_dir = strdup(eng->cfg.data_dir ? eng->cfg.data_dir : "");
	if (gj_store_ticket_next_id(eng->cur, &v) == 0)
		st->tickets = v - 1;
	if (gj_store_meta_get_u64(eng->cur, "open_tickets", &v) == 0)
		st->open_tickets = v;
	if (gj_store_due_first(eng->cur, &d) == 0)
		st->next_deadline = d.at;
	st->workflows = calloc(n ? n : 1, sizeof(char *));
	if (!st->version || !st->command_url || !st->event_url || !st->data_dir || !st->workflows)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const struct gj_workflow *w = gj_workflows_at(eng->wfs, i);
		if (asprintf(&st->workflows[i], "%s@%u", w->id, w->version) < 0)
			return -ENOMEM;
		st->n_workflows++;
	}
	return 0;
}

void gj_query_reply_finish(Guanjia__Reply *reply)
{
	switch (reply->result_case) {
	case GUANJIA__REPLY__RESULT_TICKET:
		protobuf_c_message_free_unpacked(&reply->ticket->base, NULL);
		break;
	case GUANJIA__REPLY__RESULT_TICKETS:
		protobuf_c_message_free_unpacked(&reply->tickets->base, NULL);
		break;
	case GUANJIA__REPLY__RESULT_RECORDS:
		protobuf_c_message_free_unpacked(&reply->records->base, NULL);
		break;
	case GUANJIA__REPLY__RESULT_STATUS:
		protobuf_c_message_free_unpacked(&reply->status->base, NULL);
		break;
	case GUANJIA__REPLY__RESULT_CALENDAR:
		protobuf_c_message_free_unpacked(&reply->calendar->base, NULL);
		break;
	case GUANJIA__REPLY__RESULT_EXPLANATION:
		protobuf_c_message_free_unpacked(&reply->explanation->base, NULL);
		break;
	case GUANJIA__REPLY__RESULT_RECOMPUTE:
		protobuf_c_message_free_unpacked(&reply->recompute->base, NULL);
		break;
	default:
		break;
	}
	reply->result_case = GUANJIA__REPLY__RESULT__NOT_SET;
	reply->unstarted_clocks = NULL; /* the engine's buffers */
	reply->n_unstarted_clocks = 0;
	if (reply->message && reply->message != protobuf_c_empty_string)
		free(reply->message);
	reply->message = (char *)protobuf_c_empty_string;
}

static char *date_text(struct gj_date d)
{
	char *t = NULL;

	if (asprintf(&t, "%04d-%02d-%02d", d.y, d.m, d.d) < 0)
		return NULL;
	return t;
}

static int push_str(char ***v, size_t *n, char *s)
{
	void *na;

	if (!s)
		return -ENOMEM;
	na = realloc(*v, (*n + 1) * sizeof(char *));
	if (!na) {
		free(s);
		return -ENOMEM;
	}
	*v = na;
	(*v)[(*n)++] = s;
	return 0;
}

int gj_query_calendar(struct gj_engine *eng, const Guanjia__Request *req,
		      Guanjia__Reply *reply, struct gj_refusal *ref)
{
	const Guanjia__CalendarQuery *q = req->calendar;
	/* Default: the calendar of the daemon's default estate. */
	const struct gj_calendar *cal = gj_host_calendar(eng, eng->cfg.default_estate);
	Guanjia__CalendarInfo *ci;
	int rc = 0;

	if (q->calendar && *q->calendar) {
		cal = gj_host_calendar_by_id(eng, q->calendar);
		if (!cal)
			return gj_refuse(ref, GUANJIA__ERROR_CODE__INVALID_ARGUMENT,
					 "there is no calendar '%.64s' (the default is %s)", q->calendar,
					 eng->cfg.calendar ? gj_calendar_id(eng->cfg.calendar) : "none");
	} else if (q->estate && *q->estate) {
		cal = gj_host_calendar(eng, q->estate);
	}
	if (!cal)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__INVALID_ARGUMENT,
				 "the daemon runs without a working-day calendar");
	if (q->year && (q->year < 1 || q->year > 9999))
		return gj_refuse(ref, GUANJIA__ERROR_CODE__INVALID_ARGUMENT,
				 "year %d is out of range", q->year);
	if (!q->year && (q->add < 1 || q->add > 10000))
		return gj_refuse(ref, GUANJIA__ERROR_CODE__INVALID_ARGUMENT,
				 "say how many working days to add (1 to 10000), or which year to show");
	ci = malloc(sizeof(*ci));
	if (!ci)
		return -ENOMEM;
	guanjia__calendar_info__init(ci);
	reply->result_case = GUANJIA__REPLY__RESULT_CALENDAR;
	reply->calendar = ci;
	ci->calendar = strdup(gj_calendar_id(cal));
	if (!ci->calendar)
		return -ENOMEM;
	if (q->year) {
		struct gj_date day = { q->year, 1, 1 };
		int32_t first, last;
		struct gj_date end = { q->year, 12, 31 };
		ci->year = q->year;
		if (gj_date_to_days(day, &first) || gj_date_to_days(end, &last))
			return -EINVAL;
		for (int32_t n = first; n <= last && rc == 0; n++) {
			bool working, known;
			int wd = (int)(((n % 7) + 7 + 3) % 7); /* 0 = Monday; 1970-01-01 was a Thursday */
			gj_date_from_days(n, &day);
			if (gj_calendar_is_working_day(cal, day.y, day.m, day.d, &working, &known))
				return -EINVAL;
			ci->year_known = known;
			ci->working_days += working;
			enum gj_day_kind kind = GJ_DAY_WORKING;
			gj_calendar_day_kind(cal, day, &kind, NULL);
			/* Every rest day of the year's notice (weekend days inside a
			 * holiday too), and weekdays that are not worked. */
			if ((wd < 5 && !working) || kind == GJ_DAY_HOLIDAY)
				rc = push_str(&ci->rest_days, &ci->n_rest_days, date_text(day));
			else if (wd >= 5 && working)
				rc = push_str(&ci->makeup_days, &ci->n_makeup_days, date_text(day));
		}
		return rc;
	}
	{
		struct gj_date start, lastd;
		bool prov;
		if (!q->date || gj_date_parse(q->date, &start))
			return gj_refuse(ref, GUANJIA__ERROR_CODE__INVALID_ARGUMENT,
					 "'%.32s' is not a date (YYYY-MM-DD)", q->date ? q->date : "");
		rc = gj_calendar_add_working_days(cal, start, q->add, &lastd, &prov);
		if (rc)
			return gj_refuse(ref, GUANJIA__ERROR_CODE__INVALID_ARGUMENT,
					 "cannot count %d working days from %s", q->add, q->date);
		ci->provisional = prov;
		ci->last_day = date_text(lastd);
		if (!ci->last_day)
			return -ENOMEM;
		return gj_calendar_day_close_ms(cal, lastd, &ci->deadline);
	}
}
