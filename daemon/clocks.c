/*
 * clocks.c - SLA clocks: start and stop them as tickets move, and fire
 * their warnings and breaches from the due index.
 *
 * A running clock has at most two entries in the due index (warning and
 * breach).  Each entry is deleted in the same transaction that fires it or
 * stops the clock, so after a crash nothing fires twice and nothing is
 * forgotten: whatever passed while the daemon was down fires at the next
 * turn, marked late.
 */
#include "engine_priv.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

/* A raise later than this after its due time is marked `delayed`. */
#define DELAY_MARK_MS 1000

static char *topic(const char *kind, const Guanjia__Ticket *tk, const char *clock)
{
	char *t = NULL;

	if (asprintf(&t, "%s.%s.%s.%s", kind, tk->estate, tk->workflow, clock) < 0)
		return NULL;
	return t;
}

static int journal_clock(struct gj_engine *eng, const Guanjia__Ticket *tk,
			 const Guanjia__Clock *c, Guanjia__ClockEventKind kind, int64_t late)
{
	Guanjia__Record rec = GUANJIA__RECORD__INIT;
	Guanjia__ClockEvent ce = GUANJIA__CLOCK_EVENT__INIT;
	int rc;

	ce.ticket_id = tk->id;
	ce.estate = tk->estate;
	ce.workflow = tk->workflow;
	ce.clock = c->id;
	ce.rule = c->rule;
	ce.kind = kind;
	ce.deadline = c->deadline;
	ce.late_ms = late;
	rec.body_case = GUANJIA__RECORD__BODY_CLOCK;
	rec.clock = &ce;
	rec.topic = topic("clock", tk, c->id);
	if (!rec.topic)
		return -ENOMEM;
	rc = gj_engine_journal(eng, &rec);
	free(rec.topic);
	return rc;
}

static bool condition_holds(const Guanjia__Ticket *tk, const struct gj_wf_clock *def)
{
	const char *v;
	bool eq;

	if (!def->when_field)
		return true;
	v = gj_ticket_field(tk, def->when_field);
	eq = v && def->when_equals && strcmp(v, def->when_equals) == 0;
	return def->when_negate ? !eq : eq;
}

static int due_entries(struct gj_engine *eng, const Guanjia__Ticket *tk, size_t idx,
		       const Guanjia__Clock *c, bool put)
{
	struct gj_due d = { .ticket = tk->id, .clock = (uint8_t)idx };
	int rc = 0;

	if (c->warn_at && !c->warned && !c->breached) {
		d.at = c->warn_at;
		d.kind = GJ_DUE_WARN;
		rc = put ? gj_store_due_put(eng->cur, &d) : gj_store_due_del(eng->cur, &d);
		if (rc && rc != -ENOENT)
			return rc;
	}
	if (!c->breached) {
		d.at = c->deadline;
		d.kind = GJ_DUE_BREACH;
		rc = put ? gj_store_due_put(eng->cur, &d) : gj_store_due_del(eng->cur, &d);
		if (rc && rc != -ENOENT)
			return rc;
	}
	return 0;
}

static int stop_clock(struct gj_engine *eng, Guanjia__Ticket *tk, size_t idx)
{
	Guanjia__Clock *c = tk->clocks[idx];
	int rc = c->state == GUANJIA__CLOCK_STATE__CLOCK_PAUSED ? 0
								: due_entries(eng, tk, idx, c, false);

	if (rc)
		return rc;
	if (c->state == GUANJIA__CLOCK_STATE__CLOCK_PAUSED) {
		c->paused_total_ms += eng->now - c->paused_at;
		c->paused_at = 0;
	}
	c->state = GUANJIA__CLOCK_STATE__CLOCK_STOPPED;
	c->stopped_at = eng->now;
	return journal_clock(eng, tk, c, GUANJIA__CLOCK_EVENT_KIND__STOPPED,
			     c->breached ? eng->now - c->deadline : 0);
}

int64_t gj_clocks_deadline_from(struct gj_engine *eng, const Guanjia__Ticket *tk,
				const struct gj_wf_clock *def, int64_t start,
				bool *ret_provisional)
{
	const struct gj_calendar *cal = gj_host_calendar(eng, tk->estate);

	*ret_provisional = false;
	if (def->deadline_field) {
		const char *v = gj_ticket_field(tk, def->deadline_field);
		struct gj_date day;
		int64_t t;
		if (!v || !*v)
			return 0;
		/* A date alone means by the close of that day on the estate's
		 * calendar, not its first instant. */
		if (strlen(v) == 10 && cal && gj_date_parse(v, &day) == 0)
			return gj_calendar_day_close_ms(cal, day, &t) ? 0 : t;
		if (gj_time_parse(v, &t))
			return 0;
		return t;
	}
	if (def->unit == GJ_TARGET_WORKING_DAYS) {
		/* "Within N working days": counted from the day after today in
		 * the calendar's zone; due at the close of the Nth working day. */
		int64_t close;
		if (!cal || gj_calendar_working_days_close(cal, start, def->target_count, &close,
					      ret_provisional))
			return 0;
		return close;
	}
	if (def->unit == GJ_TARGET_WORKING_HOURS) {
		/* N working hours: only the working hours of working days count. */
		int64_t t;
		if (!cal || gj_calendar_add_working_hours(cal, start, def->target_count * 60, &t,
							  ret_provisional))
			return 0;
		return t;
	}
	return start + def->target_ms;
}

static int64_t deadline_of(struct gj_engine *eng, const Guanjia__Ticket *tk,
			   const struct gj_wf_clock *def, bool *ret_provisional)
{
	return gj_clocks_deadline_from(eng, tk, def, eng->now, ret_provisional);
}

int gj_clocks_move(struct gj_engine *eng, Guanjia__Ticket *tk, size_t idx,
		   const struct gj_wf_clock *def, int64_t deadline, bool provisional,
		   const char *why)
{
	Guanjia__Clock *c = tk->clocks[idx];
	Guanjia__HistoryEntry e = GUANJIA__HISTORY_ENTRY__INIT;
	char from[40], to[40], *note = NULL;
	int off = GJ_DEFAULT_UTC_OFFSET_MIN;
	int rc = due_entries(eng, tk, idx, c, false);

	if (rc)
		return rc;
	if (gj_host_calendar(eng, tk->estate))
		off = gj_calendar_utc_offset_min(gj_host_calendar(eng, tk->estate));
	gj_time_format(c->deadline, off, from, sizeof(from));
	gj_time_format(deadline, off, to, sizeof(to));
	c->deadline = deadline;
	c->provisional = provisional;
	c->target_ms = deadline - c->started_at - c->paused_total_ms;
	if (!c->warned) {
		c->warn_at = 0;
		if (def->warn_before_ms > 0 && deadline - def->warn_before_ms > eng->now)
			c->warn_at = deadline - def->warn_before_ms;
	}
	rc = due_entries(eng, tk, idx, c, true);
	if (!rc)
		rc = journal_clock(eng, tk, c, GUANJIA__CLOCK_EVENT_KIND__MOVED, 0);
	if (rc)
		return rc;
	if (asprintf(&note, "deadline of clock %s moved from %s to %s%s: %s", c->id, from, to,
		     provisional ? " (still provisional)" : "", why) < 0)
		return -ENOMEM;
	e.person = (char *)"guanjiad";
	e.role = (char *)"system";
	e.channel = (char *)"recompute";
	e.event = (char *)"deadline_moved";
	e.from_state = tk->state;
	e.to_state = tk->state;
	e.note = note;
	rc = gj_engine_history(eng, tk, &e);
	free(note);
	tk->updated_at = eng->now;
	return rc;
}

/* Journal an alert under a topic built from fmt. */
static int journal_alert(struct gj_engine *eng, const Guanjia__Ticket *tk, Guanjia__Alert *al,
			 const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int journal_alert(struct gj_engine *eng, const Guanjia__Ticket *tk, Guanjia__Alert *al,
			 const char *fmt, ...)
{
	char *topic = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vasprintf(&topic, fmt, ap);
	va_end(ap);
	if (rc < 0)
		return -ENOMEM;
	rc = gj_alert_journal(eng, tk, al, topic);
	free(topic);
	return rc;
}

/* A deadline counted into a year the calendar has no data for: tell the
 * administrator which calendar lacks which year, instead of silently
 * assuming Monday to Friday. */
static int provisional_alert(struct gj_engine *eng, const Guanjia__Ticket *tk,
			     const Guanjia__Clock *c)
{
	char what[160];

	snprintf(what, sizeof(what), "the deadline of ticket %llu's clock '%s'",
		 (unsigned long long)tk->id, c->id);
	return gj_alert_provisional(eng, tk, tk->estate, c->id, c->rule, c->deadline, NULL, what);
}

static int start_clock(struct gj_engine *eng, Guanjia__Ticket *tk, size_t idx,
		       const struct gj_wf_clock *def)
{
	Guanjia__Clock *c = tk->clocks[idx];
	bool provisional;
	int64_t deadline = deadline_of(eng, tk, def, &provisional);

	if (!deadline) {
		/* Say so in the reply: a clock that would start but has no
		 * deadline (its field empty) runs nothing. */
		/* (only for the command itself, not for what plugins do inside it) */
		if (def->deadline_field && eng->hook_depth == 0 && eng->n_unstarted < 8)
			snprintf(eng->unstarted[eng->n_unstarted++], sizeof(eng->unstarted[0]),
				 "%s (no %s)", c->id, def->deadline_field);
		return 0;
	}
	c->provisional = provisional;
	c->state = GUANJIA__CLOCK_STATE__CLOCK_RUNNING;
	c->started_at = eng->now;
	c->deadline = deadline;
	c->stopped_at = 0;
	c->warned = false;
	c->breached = false;
	c->breached_at = 0;
	c->remaining_ms = 0;
	c->paused_at = 0;
	c->target_ms = deadline - eng->now;
	c->warn_at = 0;
	if (def->warn_before_ms > 0 && deadline - def->warn_before_ms > eng->now)
		c->warn_at = deadline - def->warn_before_ms;
	int rc = due_entries(eng, tk, idx, c, true);
	if (rc)
		return rc;
	rc = journal_clock(eng, tk, c, GUANJIA__CLOCK_EVENT_KIND__STARTED, 0);
	if (rc == 0 && provisional)
		rc = provisional_alert(eng, tk, c);
	return rc;
}

/* A pause or a resume in the ticket's history, saying what was kept and
 * how the new deadline was counted (gj explain reads these). */
static int pause_note(struct gj_engine *eng, Guanjia__Ticket *tk, const Guanjia__Clock *c,
		      const struct gj_wf_clock *def, bool pause)
{
	const struct gj_calendar *cal = gj_host_calendar(eng, tk->estate);
	int off = cal ? gj_calendar_utc_offset_min(cal) : GJ_DEFAULT_UTC_OFFSET_MIN;
	Guanjia__HistoryEntry e = GUANJIA__HISTORY_ENTRY__INIT;
	char due[40], left[32], *note = NULL;
	int rc;

	gj_time_format(c->deadline, off, due, sizeof(due));
	gj_duration_format(c->remaining_ms, left, sizeof(left));
	if (pause && def->unit == GJ_TARGET_WORKING_DAYS)
		rc = asprintf(&note, "clock %s paused: %d working day%s left after today", c->id,
			      c->remaining_working_days, c->remaining_working_days == 1 ? "" : "s");
	else if (pause && def->unit == GJ_TARGET_WORKING_HOURS)
		rc = asprintf(&note, "clock %s paused: %s of working time left", c->id, left);
	else if (pause)
		rc = asprintf(&note, "clock %s paused: %s left", c->id, left);
	else if (def->unit == GJ_TARGET_WORKING_DAYS)
		rc = asprintf(&note, "clock %s resumed: the working days left counted again from "
			      "today, due %s", c->id, due);
	else if (def->unit == GJ_TARGET_WORKING_HOURS)
		rc = asprintf(&note, "clock %s resumed: the working time left counted again from "
			      "now, due %s", c->id, due);
	else
		rc = asprintf(&note, "clock %s resumed: due %s", c->id, due);
	if (rc < 0)
		return -ENOMEM;
	e.person = (char *)"guanjiad";
	e.role = (char *)"system";
	e.channel = (char *)"clock";
	e.event = (char *)(pause ? "clock_paused" : "clock_resumed");
	e.from_state = tk->state;
	e.to_state = tk->state;
	e.note = note;
	rc = gj_engine_history(eng, tk, &e);
	free(note);
	return rc;
}

int gj_clocks_on_event(struct gj_engine *eng, Guanjia__Ticket *tk,
		       const struct gj_workflow *wf, const char *event,
		       const char *entered, struct gj_refusal *ret_refusal)
{
	int rc;

	if (tk->n_clocks != wf->n_clocks)
		return gj_refuse(ret_refusal, GUANJIA__ERROR_CODE__INTERNAL,
				 "ticket %llu has %zu clocks but its workflow %s@%u declares %zu",
				 (unsigned long long)tk->id, tk->n_clocks, wf->id,
				 wf->version, wf->n_clocks);
	/* Stop first, then start: an event that stops one clock and starts
	 * another (or restarts the same one) sees a clean slate. */
	for (size_t i = 0; i < wf->n_clocks; i++) {
		const struct gj_wf_clock *def = &wf->clocks[i];
		if (tk->clocks[i]->state != GUANJIA__CLOCK_STATE__CLOCK_RUNNING &&
		    tk->clocks[i]->state != GUANJIA__CLOCK_STATE__CLOCK_PAUSED)
			continue;
		if (tk->closed || gj_strv_contains(&def->stop_events, event) ||
		    (entered && gj_strv_contains(&def->stop_states, entered))) {
			rc = stop_clock(eng, tk, i);
			if (rc)
				return rc;
		}
	}
	if (tk->closed)
		return 0;
	/* Pause in the workflow's pause states, resume when the ticket moves
	 * on: the time left is kept (working-day clocks: the working days
	 * left, re-counted from the resume day), the pause recorded. */
	const struct gj_calendar *cal = gj_host_calendar(eng, tk->estate);
	for (size_t i = 0; entered && i < wf->n_clocks; i++) {
		const struct gj_wf_clock *def = &wf->clocks[i];
		Guanjia__Clock *c = tk->clocks[i];
		bool in_pause = gj_strv_contains(&def->pause_states, entered);
		if (c->state == GUANJIA__CLOCK_STATE__CLOCK_RUNNING && in_pause && !c->breached) {
			rc = due_entries(eng, tk, i, c, false);
			if (rc)
				return rc;
			c->remaining_ms = c->deadline - eng->now;
			c->remaining_working_days = 0;
			if (def->unit == GJ_TARGET_WORKING_DAYS && cal) {
				/* Working days left after today, re-counted on resume. */
				struct gj_date today, due;
				int32_t left = 0;
				/* -1 when it cannot be counted: the resume then keeps
				 * the time left round the clock */
				c->remaining_working_days = -1;
				if (!gj_calendar_local_date(cal, eng->now, &today) &&
				    !gj_calendar_local_date(cal, c->deadline, &due) &&
				    !gj_calendar_count_working_days(cal, today, due, &left, NULL))
					c->remaining_working_days = left;
			} else if (def->unit == GJ_TARGET_WORKING_HOURS && cal) {
				/* The working time left, counted again on resume. */
				gj_calendar_working_ms_between(cal, eng->now, c->deadline,
							       &c->remaining_ms, NULL);
			}
			c->paused_at = eng->now;
			c->pauses++;
			c->state = GUANJIA__CLOCK_STATE__CLOCK_PAUSED;
			rc = journal_clock(eng, tk, c, GUANJIA__CLOCK_EVENT_KIND__PAUSED, 0);
			if (!rc)
				rc = pause_note(eng, tk, c, def, true);
			if (rc)
				return rc;
		} else if (c->state == GUANJIA__CLOCK_STATE__CLOCK_PAUSED && !in_pause) {
			int64_t shift = eng->now - c->paused_at, before = c->deadline;
			bool prov = false;
			c->deadline = eng->now + c->remaining_ms;
			if (def->unit == GJ_TARGET_WORKING_DAYS && cal && c->remaining_working_days >= 0)
				gj_calendar_working_days_close(cal, eng->now, c->remaining_working_days,
						  &c->deadline, &prov);
			else if (def->unit == GJ_TARGET_WORKING_HOURS && cal)
				gj_calendar_add_working_ms(cal, eng->now, c->remaining_ms,
							   &c->deadline, &prov);
			if (c->deadline <= eng->now)
				c->deadline = eng->now + 1;
			c->provisional = c->provisional || prov;
			if (c->warn_at)
				c->warn_at += c->deadline - before;
			if (c->warn_at && c->warn_at <= eng->now)
				c->warn_at = 0;
			c->remaining_working_days = 0;
			c->paused_total_ms += shift;
			c->remaining_ms = 0;
			c->paused_at = 0;
			c->state = GUANJIA__CLOCK_STATE__CLOCK_RUNNING;
			rc = due_entries(eng, tk, i, c, true);
			if (rc)
				return rc;
			rc = journal_clock(eng, tk, c, GUANJIA__CLOCK_EVENT_KIND__RESUMED, 0);
			if (!rc)
				rc = pause_note(eng, tk, c, def, false);
			if (rc)
				return rc;
		}
	}
	for (size_t i = 0; i < wf->n_clocks; i++) {
		const struct gj_wf_clock *def = &wf->clocks[i];
		if (tk->clocks[i]->state == GUANJIA__CLOCK_STATE__CLOCK_RUNNING ||
		    tk->clocks[i]->state == GUANJIA__CLOCK_STATE__CLOCK_PAUSED)
			continue;
		if (!(gj_strv_contains(&def->start_events, event) ||
		      (entered && gj_strv_contains(&def->start_states, entered))))
			continue;
		if (!condition_holds(tk, def))
			continue;
		rc = start_clock(eng, tk, i, def);
		if (rc)
			return rc;
	}
	return 0;
}

/* The default escalation policy: alert the roles the workflow names (unless
 * a plugin handled the alert, see gj_clocks_fire). */
static int raise_alert(struct gj_engine *eng, const Guanjia__Ticket *tk,
		       const Guanjia__Clock *c, const struct gj_wf_clock *def,
		       Guanjia__AlertLevel level, int64_t due_at)
{
	Guanjia__Alert al = GUANJIA__ALERT__INIT;
	const struct gj_strv *roles = level == GUANJIA__ALERT_LEVEL__BREACH ? &def->notify_breach
									    : &def->notify_warn;
	char when[40], late[32], *msg = NULL;
	int rc;

	al.ticket_id = tk->id;
	al.estate = tk->estate;
	al.workflow = tk->workflow;
	al.clock = c->id;
	al.rule = c->rule;
	al.level = level;
	al.notify_roles = roles->v;
	al.n_notify_roles = roles->n;
	al.deadline = c->deadline;
	al.late_ms = eng->now - c->deadline;
	al.delayed = eng->now - due_at > DELAY_MARK_MS;
	{
		const struct gj_calendar *cal = gj_host_calendar(eng, tk->estate);
		gj_time_format(c->deadline, cal ? gj_calendar_utc_offset_min(cal)
						: GJ_DEFAULT_UTC_OFFSET_MIN, when, sizeof(when));
	}
	gj_duration_format(al.late_ms < 0 ? -al.late_ms : al.late_ms, late, sizeof(late));
	if (level == GUANJIA__ALERT_LEVEL__BREACH)
		rc = asprintf(&msg, "%s: ticket %llu (%s) missed '%s', due %s; %s late%s",
			      c->rule, (unsigned long long)tk->id, tk->workflow,
			      def->title ? def->title : c->id, when, late,
			      al.delayed ? " (raised late: the daemon was down)" : "");
	else
		rc = asprintf(&msg, "%s: ticket %llu (%s): '%s' is due %s, %s left%s",
			      c->rule, (unsigned long long)tk->id, tk->workflow,
			      def->title ? def->title : c->id, when, late,
			      al.delayed ? " (raised late: the daemon was down)" : "");
	if (rc < 0)
		return -ENOMEM;
	al.message = msg;
	rc = journal_alert(eng, tk, &al, "alert.%s.%s.%s", tk->estate, tk->workflow, c->id);
	free(msg);
	return rc;
}

/* When the raise was due: a deadline already past when its clock started
 * (a reply_by in the past) is due at the start, not late because of us. */
static int64_t due_at(const Guanjia__Clock *c, const struct gj_due *d)
{
	return d->at > c->started_at ? d->at : c->started_at;
}

int gj_clocks_fire(struct gj_engine *eng, const struct gj_due *d)
{
	Guanjia__Ticket *tk = NULL;
	const struct gj_workflow *wf;
	Guanjia__Clock *c;
	bool warn = d->kind == GJ_DUE_WARN, handled = false;
	int rc;

	/* Whatever happens below, this entry is consumed exactly once. */
	rc = gj_store_due_del(eng->cur, d);
	if (rc)
		return rc;
	if (d->kind == GJ_DUE_PLUGIN)
		return gj_host_fire_clock(eng, d);
	if (d->kind == GJ_DUE_TIMER)
		return gj_host_fire_timer(eng, d);
	rc = gj_store_ticket_get(eng->cur, d->ticket, &tk);
	if (rc == -ENOENT || rc == -EILSEQ)
		return 0; /* no ticket (or an unreadable one): the entry is gone, go on */
	if (rc)
		return rc;
	wf = gj_workflows_find(eng->wfs, tk->workflow, tk->workflow_version);
	if (!wf || d->clock >= tk->n_clocks || d->clock >= wf->n_clocks)
		goto done; /* stale: nothing sensible to raise */
	c = tk->clocks[d->clock];
	if (c->state != GUANJIA__CLOCK_STATE__CLOCK_RUNNING)
		goto done;
	if (warn) {
		if (c->warned || c->warn_at != d->at)
			goto done;
		c->warned = true;
	} else {
		if (c->breached || c->deadline != d->at)
			goto done;
		c->breached = true;
		c->breached_at = eng->now;
	}
	rc = journal_clock(eng, tk, c, warn ? GUANJIA__CLOCK_EVENT_KIND__WARNED
					    : GUANJIA__CLOCK_EVENT_KIND__BREACHED,
			   eng->now - c->deadline);
	if (rc)
		goto done;
	{
		Guanjia__HistoryEntry e = GUANJIA__HISTORY_ENTRY__INIT;
		char note[200];
		snprintf(note, sizeof(note), "clock %s %s", c->id, warn ? "warned" : "breached");
		e.person = (char *)"guanjiad";
		e.role = (char *)"system";
		e.channel = (char *)"clock";
		e.event = (char *)(warn ? "clock_warned" : "clock_breached");
		e.from_state = tk->state;
		e.to_state = tk->state;
		e.note = note;
		rc = gj_engine_history(eng, tk, &e);
	}
	tk->updated_at = eng->now;
	if (!rc)
		rc = gj_store_ticket_put(eng->cur, tk);
	/* The ticket is stored: escalation plugins may now act on it, and
	 * one that raises its own alert replaces the workflow's. */
	if (!rc)
		rc = gj_host_on_alert(eng, tk, c, !warn, &handled);
	if (!rc && !handled)
		rc = raise_alert(eng, tk, c, &wf->clocks[d->clock],
				 warn ? GUANJIA__ALERT_LEVEL__WARNING : GUANJIA__ALERT_LEVEL__BREACH,
				 due_at(c, d));
done:
	protobuf_c_message_free_unpacked(&tk->base, NULL);
	return rc;
}
