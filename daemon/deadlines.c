/*
 * deadlines.c - deadlines looked at again: `gj recompute` (move running
 * deadlines to what the calendars and workflows loaded now give, after
 * first showing how many would move), the automatic recompute of
 * provisional deadlines once their year's calendar data is there, and
 * `gj explain` (how each deadline of a ticket was derived).
 *
 * A running clock's deadline is fixed when it starts: a changed calendar
 * moves nobody's deadline until an administrator asks.  What is recomputed:
 * running (not paused) clocks of open tickets, from their start, under the
 * ticket's own workflow version and its estate's calendar.  Clocks whose
 * deadline is a ticket field, and working-day clocks that were paused (their
 * deadline was re-counted at the resume), are left as they are.
 */
#include "engine_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

#define MAX_IDS 1000

static bool may_recompute(const struct gj_wf_clock *def, const Guanjia__Clock *c)
{
	if (c->state != GUANJIA__CLOCK_STATE__CLOCK_RUNNING || c->breached || def->deadline_field)
		return false;
	if (def->unit != GJ_TARGET_DURATION && c->pauses > 0)
		return false;
	return true;
}

struct scan {
	const char *estate;
	bool provisional_only;
	uint64_t *ids;
	size_t n, cap;
};

static int candidate(Guanjia__Ticket *tk, void *arg)
{
	struct scan *s = arg;
	bool any = false;

	if (tk->closed || (s->estate && *s->estate && strcmp(s->estate, tk->estate) != 0))
		return 0;
	for (size_t i = 0; i < tk->n_clocks && !any; i++)
		any = tk->clocks[i]->state == GUANJIA__CLOCK_STATE__CLOCK_RUNNING &&
		      (!s->provisional_only || tk->clocks[i]->provisional);
	if (!any)
		return 0;
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 64;
		void *na = realloc(s->ids, nc * sizeof(*s->ids));
		if (!na)
			return -ENOMEM;
		s->ids = na;
		s->cap = nc;
	}
	s->ids[s->n++] = tk->id;
	return 0;
}

struct outcome {
	uint32_t tickets, clocks;
	uint64_t ids[MAX_IDS];
	size_t n_ids;
};

/* Recompute one ticket's clocks; move them when `apply`. */
static int one_ticket(struct gj_engine *eng, uint64_t id, bool apply, bool provisional_only,
		      const char *why, struct outcome *out)
{
	const struct gj_workflow *wf;
	Guanjia__Ticket *tk = NULL;
	uint32_t moved = 0;
	int rc = gj_store_ticket_get(eng->cur, id, &tk);

	if (rc == -ENOENT || rc == -EILSEQ)
		return 0;
	if (rc)
		return rc;
	wf = gj_workflows_find(eng->wfs, tk->workflow, tk->workflow_version);
	for (size_t i = 0; wf && i < tk->n_clocks && i < wf->n_clocks; i++) {
		Guanjia__Clock *c = tk->clocks[i];
		const struct gj_wf_clock *def = &wf->clocks[i];
		bool prov = false;
		int64_t d;
		if (!may_recompute(def, c) || (provisional_only && !c->provisional))
			continue;
		d = gj_clocks_deadline_from(eng, tk, def, c->started_at, &prov);
		if (!d)
			continue;
		if (def->unit == GJ_TARGET_DURATION)
			d += c->paused_total_ms;
		if (d == c->deadline && prov == c->provisional)
			continue;
		moved++;
		if (apply) {
			rc = gj_clocks_move(eng, tk, i, def, d, prov, why);
			if (rc)
				goto out;
		}
	}
	if (moved) {
		const struct gj_calendar *cal = gj_host_calendar(eng, tk->estate);
		out->tickets++;
		out->clocks += moved;
		if (out->n_ids < MAX_IDS)
			out->ids[out->n_ids++] = tk->id;
		if (apply && cal) {
			/* The ticket now runs on the calendar loaded now. */
			char pin[128];
			snprintf(pin, sizeof(pin), "%s@%u", gj_calendar_id(cal), gj_calendar_version(cal));
			if (gj_pb_set_str(&tk->calendar, pin))
				rc = -ENOMEM;
		}
		if (apply && !rc)
			rc = gj_store_ticket_put(eng->cur, tk);
	}
out:
	protobuf_c_message_free_unpacked(&tk->base, NULL);
	return rc;
}

static int recompute(struct gj_engine *eng, const char *estate, bool apply, bool provisional_only,
		     const char *why, struct outcome *out)
{
	struct scan s = { estate, provisional_only, NULL, 0, 0 };
	int rc = gj_store_ticket_scan(eng->cur, 0, candidate, &s);

	for (size_t i = 0; rc >= 0 && i < s.n; i++)
		rc = one_ticket(eng, s.ids[i], apply, provisional_only, why, out);
	free(s.ids);
	return rc < 0 ? rc : 0;
}

int gj_recompute_provisional(struct gj_engine *eng)
{
	struct outcome *out = calloc(1, sizeof(*out));
	int rc;

	if (!out)
		return -ENOMEM;
	rc = recompute(eng, NULL, true, true, "the calendar now has data for its year", out);
	free(out);
	return rc;
}

int gj_cmd_recompute(struct gj_engine *eng, const Guanjia__Request *req,
		     Guanjia__Reply *reply, struct gj_refusal *ref)
{
	const Guanjia__Recompute *rq = req->recompute;
	Guanjia__RecomputeResult *res;
	struct outcome *out;
	int rc;

	if (strcmp(req->actor->role, "manager") != 0 && strcmp(req->actor->role, "admin_hr") != 0)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED,
				 "role '%s' may not recompute deadlines (allowed: manager, admin_hr)",
				 req->actor->role);
	/* The roster has the last word where the estate has one: the estate
	 * named, or every estate when none is. */
	{
		struct gj_who who = { req->actor->person, req->actor->role, req->actor->channel,
				      req->request_id, false };
		rc = gj_host_check_roster_all(eng, rq->estate && *rq->estate ? rq->estate : NULL,
					      &who, ref);
		if (rc)
			return rc;
	}
	out = calloc(1, sizeof(*out));
	res = calloc(1, sizeof(*res));
	if (!out || !res) {
		free(out);
		free(res);
		return -ENOMEM;
	}
	guanjia__recompute_result__init(res);
	rc = recompute(eng, rq->estate, rq->apply, false,
		       "recomputed on request under the calendars and workflows loaded now", out);
	if (rc) {
		free(out);
		free(res);
		return rc;
	}
	res->tickets_moved = out->tickets;
	res->clocks_moved = out->clocks;
	res->applied = rq->apply;
	if (out->n_ids) {
		res->ticket_ids = malloc(out->n_ids * sizeof(*res->ticket_ids));
		if (!res->ticket_ids) {
			free(out);
			free(res);
			return -ENOMEM;
		}
		memcpy(res->ticket_ids, out->ids, out->n_ids * sizeof(*res->ticket_ids));
		res->n_ticket_ids = out->n_ids;
	}
	if (asprintf(&reply->message, rq->apply ? "%u deadlines of %u tickets moved"
						: "%u deadlines of %u tickets would move; "
						  "ask again with apply to move them",
		     out->clocks, out->tickets) < 0)
		reply->message = NULL;
	free(out);
	reply->result_case = GUANJIA__REPLY__RESULT_RECOMPUTE;
	reply->recompute = res;
	return 0;
}

/* --- explain ---------------------------------------------------------- */

struct lines {
	char **v;
	size_t n;
};

static int add_line(struct lines *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int add_line(struct lines *l, const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	void *na = realloc(l->v, (l->n + 1) * sizeof(*l->v));
	int rc;

	if (!na)
		return -ENOMEM;
	l->v = na;
	va_start(ap, fmt);
	rc = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	l->v[l->n++] = s;
	return 0;
}

/* Each line of a '\n'-separated text, indented. */
static int add_text(struct lines *l, const char *text)
{
	const char *p = text;

	while (*p) {
		const char *e = strchr(p, '\n');
		int len = e ? (int)(e - p) : (int)strlen(p);
		int rc = add_line(l, "    %.*s", len, p);
		if (rc)
			return rc;
		p += len + (e ? 1 : 0);
	}
	return 0;
}

static const char *state_name(Guanjia__ClockState s)
{
	switch (s) {
	case GUANJIA__CLOCK_STATE__CLOCK_RUNNING: return "running";
	case GUANJIA__CLOCK_STATE__CLOCK_STOPPED: return "stopped";
	case GUANJIA__CLOCK_STATE__CLOCK_PAUSED: return "paused";
	default: return "not started";
	}
}

struct hist {
	Guanjia__HistoryEntry **v;
	size_t n;
};

static int explain_clock(struct gj_engine *eng, const Guanjia__Ticket *tk,
			 const struct gj_wf_clock *def, const Guanjia__Clock *c,
			 const struct gj_calendar *cal, const struct hist *h, struct lines *l)
{
	int off = cal ? gj_calendar_utc_offset_min(cal) : GJ_DEFAULT_UTC_OFFSET_MIN;
	char start[40], due[40], paused[32];
	char *text = NULL;
	int rc;

	gj_time_format(c->started_at, off, start, sizeof(start));
	gj_time_format(c->deadline, off, due, sizeof(due));
	rc = add_line(l, "clock %s (%s, %s): target %s, %s", c->id, c->rule,
		      def->title ? def->title : c->id, def->target_text ? def->target_text : "-",
		      state_name(c->state));
	if (rc || c->state == GUANJIA__CLOCK_STATE__CLOCK_IDLE)
		return rc;
	rc = add_line(l, "  started %s", start);
	if (rc)
		return rc;
	if (def->deadline_field) {
		rc = add_line(l, "  due at the time in the ticket's field '%s': %s",
			      def->deadline_field, due);
	} else if (def->unit == GJ_TARGET_DURATION) {
		gj_duration_format(def->target_ms, paused, sizeof(paused));
		rc = add_line(l, "  %s round the clock from the start", paused);
	} else if (!cal) {
		rc = add_line(l, "  no calendar for estate %s", tk->estate);
	} else if (def->unit == GJ_TARGET_WORKING_DAYS) {
		struct gj_date day;
		rc = add_line(l, "  %d working days on calendar %s@%u:", def->target_count,
			      gj_calendar_id(cal), gj_calendar_version(cal));
		if (!rc && !(rc = gj_calendar_local_date(cal, c->started_at, &day)) &&
		    !(rc = gj_calendar_explain_working_days(cal, day, def->target_count, &text)))
			rc = add_text(l, text);
	} else {
		rc = add_line(l, "  %d working hours on calendar %s@%u:", def->target_count,
			      gj_calendar_id(cal), gj_calendar_version(cal));
		if (!rc && !(rc = gj_calendar_explain_working_hours(cal, c->started_at,
								       def->target_count * 60, &text)))
			rc = add_text(l, text);
	}
	free(text);
	if (rc)
		return rc;
	if (c->pauses) {
		/* Each pause and resume, as the history recorded them. */
		size_t idlen = strlen(c->id);
		for (size_t i = 0; i < h->n && !rc; i++) {
			const Guanjia__HistoryEntry *e = h->v[i];
			char at[40];
			if ((strcmp(e->event, "clock_paused") != 0 &&
			     strcmp(e->event, "clock_resumed") != 0) ||
			    strncmp(e->note, "clock ", 6) != 0 || strncmp(e->note + 6, c->id, idlen) != 0 ||
			    e->note[6 + idlen] != ' ')
				continue;
			gj_time_format(e->at, off, at, sizeof(at));
			rc = add_line(l, "  %s: %s (%s)", at, e->note + 6 + idlen + 1, e->event + 6);
		}
		if (rc)
			return rc;
		gj_duration_format(c->paused_total_ms, paused, sizeof(paused));
		rc = add_line(l, "  paused %u time%s, %s in all%s", c->pauses, c->pauses > 1 ? "s" : "",
			      paused, def->unit == GJ_TARGET_WORKING_DAYS
				      ? "; on each resume the working days left after the pause day "
					"were counted again from the resume day"
				      : "; the deadline moved on by the time paused");
		if (rc)
			return rc;
	}
	if (c->state == GUANJIA__CLOCK_STATE__CLOCK_PAUSED) {
		char left[32];
		gj_duration_format(c->remaining_ms, left, sizeof(left));
		if (def->unit == GJ_TARGET_WORKING_DAYS)
			rc = add_line(l, "  paused now: %d working day%s left after the pause day, "
				      "counted again from the resume day", c->remaining_working_days,
				      c->remaining_working_days == 1 ? "" : "s");
		else if (def->unit == GJ_TARGET_WORKING_HOURS)
			rc = add_line(l, "  paused now: %s of working time left, counted again from "
				      "the resume", left);
		else
			rc = add_line(l, "  paused now: %s left, counted from the resume", left);
	}
	else
		rc = add_line(l, "  deadline %s%s%s", due, c->provisional ? " (provisional: the calendar "
					"has no data for that year)" : "",
			      c->breached ? " - missed" : c->state == GUANJIA__CLOCK_STATE__CLOCK_STOPPED
							  ? " - met" : "");
	return rc;
}

int gj_query_explain(struct gj_engine *eng, const Guanjia__Request *req,
		     Guanjia__Reply *reply, struct gj_refusal *ref)
{
	const struct gj_workflow *wf;
	const struct gj_calendar *cal;
	Guanjia__Explanation *ex;
	Guanjia__Ticket *tk = NULL;
	struct lines l = { NULL, 0 };
	int rc = gj_store_ticket_get(eng->cur, req->explain->ticket_id, &tk);

	if (rc == -ENOENT)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__UNKNOWN_TICKET, "there is no ticket %llu",
				 (unsigned long long)req->explain->ticket_id);
	if (rc)
		return rc;
	wf = gj_workflows_find(eng->wfs, tk->workflow, tk->workflow_version);
	cal = gj_host_calendar(eng, tk->estate);
	rc = add_line(&l, "ticket %llu: %s@%u (%s), estate %s, calendar %s (now loaded: %s@%u)",
		      (unsigned long long)tk->id, tk->workflow, tk->workflow_version, tk->rule,
		      tk->estate, tk->calendar && *tk->calendar ? tk->calendar : "(none)",
		      cal ? gj_calendar_id(cal) : "none", cal ? gj_calendar_version(cal) : 0);
	{
		struct hist h = { NULL, 0 };
		bool paused = false;
		for (size_t i = 0; i < tk->n_clocks; i++)
			paused = paused || tk->clocks[i]->pauses;
		if (!rc && paused)
			rc = gj_store_history_list(eng->cur, tk->id, &h.v, &h.n);
		for (size_t i = 0; !rc && wf && i < tk->n_clocks && i < wf->n_clocks; i++)
			rc = explain_clock(eng, tk, &wf->clocks[i], tk->clocks[i], cal, &h, &l);
		for (size_t i = 0; i < h.n; i++)
			protobuf_c_message_free_unpacked(&h.v[i]->base, NULL);
		free(h.v);
	}
	for (size_t i = 0; !rc && i < tk->n_plugin_clocks; i++) {
		char when[40];
		if (!tk->plugin_clocks[i]->at)
			continue;
		gj_time_format(tk->plugin_clocks[i]->at, cal ? gj_calendar_utc_offset_min(cal)
							     : GJ_DEFAULT_UTC_OFFSET_MIN,
			       when, sizeof(when));
		rc = add_line(&l, "plugin clock %s of %s: due %s", tk->plugin_clocks[i]->name,
			      tk->plugin_clocks[i]->plugin, when);
	}
	protobuf_c_message_free_unpacked(&tk->base, NULL);
	ex = rc ? NULL : malloc(sizeof(*ex));
	if (!ex) {
		for (size_t i = 0; i < l.n; i++)
			free(l.v[i]);
		free(l.v);
		return rc ? rc : -ENOMEM;
	}
	guanjia__explanation__init(ex);
	ex->ticket_id = req->explain->ticket_id;
	ex->lines = l.v;
	ex->n_lines = l.n;
	reply->result_case = GUANJIA__REPLY__RESULT_EXPLANATION;
	reply->explanation = ex;
	return 0;
}
