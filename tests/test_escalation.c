/*
 * test_escalation.c - the escalation plugins and working-day clocks against
 * the real guanjiad (temporary data directory, ipc:// sockets, manual
 * clock), with the shipped plugins of the build loaded by --plugins:
 * defer_notice (R17), special_event (R28b), ladder, the ABI refusal at
 * start, and paused working-day clocks re-counted on the calendar.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guanjia.h"
#include "gj_plugin.h"
#include "itest.h"
#include "wire.h"

#define MIN 60000LL
#define HOUR (60 * MIN)

/* --- working-day clocks paused and resumed ---------------------------- */

START_TEST(paused_working_day_clock_is_recounted_in_working_days)
{
	const char *open_kv[] = { "location=Block 2 lobby" };
	const char *disp_kv[] = { "technician=zhao.lei", "severity=moderate" };
	Guanjia__Reply *r = NULL;
	Guanjia__Clock *c;
	uint64_t id;

	it_start("2026-09-28T10:00:00+08:00", NULL, NULL);
	id = it_open_as("li.ming", "butler", "r17_repair", NULL, open_kv, 1);
	it_fire_as("li.ming", "butler", id, "dispatch", disp_kv, 2);
	/* 3 working days after Monday 09-28: 09-29, 09-30, then the National
	 * Day holiday (10-01..10-07), then 10-08. */
	it_call_ok(gj_client_get(it_client, id, false, &r), r);
	c = it_clock(r->ticket, "moderate_repair");
	ck_assert_int_eq(c->deadline, it_at("2026-10-08T17:30:00+08:00"));
	gj_reply_free(r);

	it_advance(24 * HOUR); /* Tuesday 09-29 10:00 */
	it_fire_as("zhao.lei", "engineering", id, "cannot_fix", NULL, 0);
	it_call_ok(gj_client_get(it_client, id, false, &r), r);
	c = it_clock(r->ticket, "moderate_repair");
	ck_assert_int_eq(c->state, GUANJIA__CLOCK_STATE__CLOCK_PAUSED);
	ck_assert_int_eq(c->remaining_working_days, 2); /* 09-30 and 10-08 */
	ck_assert_uint_eq(c->pauses, 1);
	/* The 30-working-day cap does not pause. */
	ck_assert_int_eq(it_clock(r->ticket, "any_repair")->state,
			 GUANJIA__CLOCK_STATE__CLOCK_RUNNING);
	gj_reply_free(r);

	/* Resumed on Friday 10-09: two working days after it are the make-up
	 * Saturday 10-10 and Monday 10-12. */
	it_advance_to(it_at("2026-10-09T09:00:00+08:00"));
	it_fire_as("zhao.lei", "engineering", id, "resume_work", NULL, 0);
	it_call_ok(gj_client_get(it_client, id, false, &r), r);
	c = it_clock(r->ticket, "moderate_repair");
	ck_assert_int_eq(c->state, GUANJIA__CLOCK_STATE__CLOCK_RUNNING);
	ck_assert_int_eq(c->deadline, it_at("2026-10-12T17:30:00+08:00"));
	ck_assert_int_eq(c->paused_total_ms,
			 it_at("2026-10-09T09:00:00+08:00") - it_at("2026-09-29T10:00:00+08:00"));
	gj_reply_free(r);

	/* gj explain shows the pause and how the resume counted again. */
	{
		Guanjia__Request req = GUANJIA__REQUEST__INIT;
		Guanjia__Explain ex = GUANJIA__EXPLAIN__INIT;
		bool paused = false, resumed = false;
		ex.ticket_id = id;
		req.command_case = GUANJIA__REQUEST__COMMAND_EXPLAIN;
		req.explain = &ex;
		it_call_ok(gj_client_call(it_client, &req, &r), r);
		for (size_t i = 0; i < r->explanation->n_lines; i++) {
			const char *line = r->explanation->lines[i];
			paused = paused || strstr(line, "2026-09-29T10:00:00+08:00: paused: 2 working "
						  "days left after today");
			resumed = resumed || strstr(line, "2026-10-09T09:00:00+08:00: resumed: the "
						    "working days left counted again from today, due "
						    "2026-10-12T17:30:00+08:00");
		}
		ck_assert_msg(paused && resumed, "explain shows no pause/resume lines");
		gj_reply_free(r);
	}

	/* No breach before the new deadline, one at it. */
	it_advance_to(it_at("2026-10-12T17:30:00+08:00") - 1);
	/* the warning only */
	ck_assert_uint_eq(it_alerts(id, "", "moderate_repair", IT_ANY_LEVEL, 0).n, 1);
	ck_assert_uint_eq(it_alerts(id, "", "moderate_repair", GUANJIA__ALERT_LEVEL__WARNING, 0).n, 1);
	it_advance(1);
	ck_assert_uint_eq(it_alerts(id, "", "moderate_repair", IT_ANY_LEVEL, 0).n, 2);
	ck_assert_uint_eq(it_alerts(id, "", "moderate_repair", GUANJIA__ALERT_LEVEL__BREACH, 0).n, 1);
}
END_TEST

/* --- provisional deadlines and gj recompute ---------------------------- */

/* Write DIR/cn.yaml: the shipped calendar at `version`, plus 2027 rest days. */
static void write_calendar(const char *dir, int version, const char *rest_2027)
{
	char path[PATH_MAX], line[512];
	FILE *in, *out;

	snprintf(path, sizeof(path), "%s/cn.yaml", dir);
	in = fopen(GJ_SOURCE_ROOT "/etc/calendars/cn.yaml", "r");
	out = fopen(path, "w");
	ck_assert(in && out);
	while (fgets(line, sizeof(line), in)) {
		if (strncmp(line, "version:", 8) == 0)
			fprintf(out, "version: %d\n", version);
		else
			fputs(line, out);
	}
	fprintf(out, "  2027:\n    rest: [%s]\n", rest_2027);
	fclose(in);
	fclose(out);
}

/* History entries of `event` whose note mentions `about` (NULL: any); the
 * last one's note in last_note. */
static size_t history_count(uint64_t id, const char *event, const char *about,
			    char *last_note, size_t len)
{
	const Guanjia__HistoryEntry *e = NULL;
	Guanjia__Reply *r = NULL;
	size_t n = it_history_count(it_get(id, true, &r), event, about, &e);

	if (last_note && e)
		snprintf(last_note, len, "%s", e->note);
	gj_reply_free(r);
	return n;
}

static Guanjia__Reply *recompute_as(const char *person, const char *role, const char *estate,
				    bool apply)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__Recompute rc = GUANJIA__RECOMPUTE__INIT;
	Guanjia__Reply *r = NULL;

	it_connect_as(person, role);
	rc.apply = apply;
	rc.estate = (char *)(estate ? estate : "");
	req.command_case = GUANJIA__REQUEST__COMMAND_RECOMPUTE;
	req.recompute = &rc;
	ck_assert_int_eq(gj_client_call(it_client, &req, &r), 0);
	return r;
}

static Guanjia__Reply *recompute(bool apply, const char *role)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__Recompute rc = GUANJIA__RECOMPUTE__INIT;
	Guanjia__Reply *r = NULL;

	it_connect_as("chen.jianguo", role);
	rc.apply = apply;
	req.command_case = GUANJIA__REQUEST__COMMAND_RECOMPUTE;
	req.recompute = &rc;
	ck_assert_int_eq(gj_client_call(it_client, &req, &r), 0);
	return r;
}

START_TEST(provisional_deadlines_move_when_the_year_is_added_and_recompute_asks_first)
{
	const char *open_kv[] = { "location=Gate 2" };
	const char *disp_kv[] = { "technician=zhao.lei", "severity=moderate" };
	char dir[] = "/tmp/gj-cal-XXXXXX", path[PATH_MAX], note[512];
	const char *args[] = { "--manual-clock", "2026-12-30T10:00:00+08:00",
			       "--calendars", dir, NULL };
	Guanjia__Reply *r = NULL;
	Guanjia__Clock *c;
	uint64_t id;

	/* The shipped calendar has no 2027: 3 working days from Wednesday
	 * 2026-12-30 assume Friday 2027-01-01 is worked, and say so. */
	it_start("2026-12-30T10:00:00+08:00", NULL, NULL);
	id = it_open_as("li.ming", "butler", "r17_repair", NULL, open_kv, 1);
	it_fire_as("li.ming", "butler", id, "dispatch", disp_kv, 2);
	it_call_ok(gj_client_get(it_client, id, false, &r), r);
	c = it_clock(r->ticket, "moderate_repair");
	ck_assert_int_eq(c->deadline, it_at("2027-01-04T17:30:00+08:00"));
	ck_assert(c->provisional);
	ck_assert_str_eq(r->ticket->calendar, "cn@1");
	gj_reply_free(r);
	/* to admin_hr, on the calendar topic: one per clock counted into 2027
	 * (moderate_repair and the 30-working-day cap) */
	it_call_ok(gj_client_replay(it_client, 1, 10000, "alert.main.calendar.cn", &r), r);
	ck_assert_uint_eq(r->records->n_records, 2);
	ck_assert_str_eq(r->records->records[0]->alert->notify_roles[0], "admin_hr");
	ck_assert_msg(strstr(r->records->records[0]->alert->message, "no data for the year 2027"),
		      "%s", r->records->records[0]->alert->message);
	gj_reply_free(r);
	it_stop(false);

	/* The 2027 data arrives (New Year's Day off): at the next start the
	 * provisional deadline moves, with a history entry. */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_calendar(dir, 1, "2027-01-01");
	ck_assert_int_eq(gj_daemon_start(&it_daemon, args), 0);
	it_connect_as("li.ming", "butler");
	it_call_ok(gj_client_get(it_client, id, false, &r), r);
	c = it_clock(r->ticket, "moderate_repair");
	ck_assert_int_eq(c->deadline, it_at("2027-01-05T17:30:00+08:00"));
	ck_assert(!c->provisional);
	gj_reply_free(r);
	/* moderate_repair and the 30-working-day cap, both counted into 2027 */
	ck_assert_uint_eq(history_count(id, "deadline_moved", NULL, NULL, 0), 2);
	ck_assert_uint_eq(history_count(id, "deadline_moved", "clock moderate_repair", note,
					sizeof(note)), 1);
	ck_assert_msg(strstr(note, "2027-01-05"), "%s", note);
	it_stop(false);

	/* Version 2 of the calendar also rests on 2027-01-04: nobody's
	 * deadline moves until an administrator asks, and the dry run says
	 * how many would. */
	write_calendar(dir, 2, "2027-01-01, 2027-01-04");
	ck_assert_int_eq(gj_daemon_start(&it_daemon, args), 0);
	it_connect_as("li.ming", "butler");
	it_call_ok(gj_client_get(it_client, id, false, &r), r);
	ck_assert_int_eq(it_clock(r->ticket, "moderate_repair")->deadline,
			 it_at("2027-01-05T17:30:00+08:00"));
	gj_reply_free(r);
	r = recompute(false, "butler");
	ck_assert_int_eq(r->outcome, GUANJIA__OUTCOME__REFUSED);
	ck_assert_int_eq(r->code, GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED);
	gj_reply_free(r);
	r = recompute(false, "manager");
	it_check_applied(0, r);
	ck_assert_uint_eq(r->recompute->tickets_moved, 1);
	ck_assert_uint_eq(r->recompute->clocks_moved, 2);
	ck_assert_uint_eq(r->recompute->n_ticket_ids, 1);
	ck_assert_uint_eq(r->recompute->ticket_ids[0], id);
	ck_assert(!r->recompute->applied);
	gj_reply_free(r);
	it_call_ok(gj_client_get(it_client, id, false, &r), r);
	ck_assert_int_eq(it_clock(r->ticket, "moderate_repair")->deadline,
			 it_at("2027-01-05T17:30:00+08:00"));
	gj_reply_free(r);
	r = recompute(true, "manager");
	it_check_applied(0, r);
	ck_assert_uint_eq(r->recompute->tickets_moved, 1);
	gj_reply_free(r);
	it_call_ok(gj_client_get(it_client, id, false, &r), r);
	ck_assert_int_eq(it_clock(r->ticket, "moderate_repair")->deadline,
			 it_at("2027-01-06T17:30:00+08:00"));
	ck_assert_str_eq(r->ticket->calendar, "cn@2");
	gj_reply_free(r);
	ck_assert_uint_eq(history_count(id, "deadline_moved", NULL, NULL, 0), 4);
	/* Nothing left to move. */
	r = recompute(false, "manager");
	it_check_applied(0, r);
	ck_assert_uint_eq(r->recompute->tickets_moved, 0);
	gj_reply_free(r);

	snprintf(path, sizeof(path), "%s/cn.yaml", dir);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* --- the duty roster ------------------------------------------------- */

/* "role:person[<fallback_for]" of each OnDuty of the alert of a ticket's
 * clock at a level, joined by spaces; "" when there is none. */
static void on_duty_of(uint64_t ticket, const char *clock, Guanjia__AlertLevel level,
		       char *buf, size_t len)
{
	Guanjia__Reply *r = NULL;

	buf[0] = 0;
	it_call_ok(gj_client_replay(it_client, 1, 10000, "alert.", &r), r);
	for (size_t i = 0; i < r->records->n_records; i++) {
		Guanjia__Alert *a = r->records->records[i]->alert;
		if (!a || a->ticket_id != ticket || strcmp(a->clock, clock) != 0 || a->level != level)
			continue;
		buf[0] = 0;
		for (size_t j = 0; j < a->n_on_duty; j++) {
			char one[160];
			snprintf(one, sizeof(one), "%s%s:%s%s%s", j ? " " : "", a->on_duty[j]->role,
				 a->on_duty[j]->person, *a->on_duty[j]->fallback_for ? "<" : "",
				 a->on_duty[j]->fallback_for);
			strncat(buf, one, len - strlen(buf) - 1);
		}
	}
	gj_reply_free(r);
}

START_TEST(roster_checks_actors_and_alerts_name_who_is_on_duty)
{
	const char *kv[] = { "location=Building 3 lift hall" };
	Guanjia__Reply *r = NULL;
	char duty[512];
	uint64_t a, b;

	/* National Day: a holiday.  The office shift is off; the cs_lead on
	 * rest-day duty (zhou.min) is on. */
	it_start("2026-10-01T10:00:00+08:00", NULL, NULL);
	it_connect_as("li.ming", "butler");
	it_call_ok(gj_client_open(it_client, "r17_repair", "demo", kv, 1, NULL, &r), r);
	a = r->ticket->id;
	gj_reply_free(r);

	/* A channel that looks like a plugin's does not make one. */
	ck_assert_int_eq(gj_client_set_actor(it_client, "stranger", "butler", "plugin:ladder"), 0);
	ck_assert_int_eq(gj_client_open(it_client, "r17_repair", "demo", kv, 1, NULL, &r), 0);
	ck_assert_int_eq(r->code, GUANJIA__ERROR_CODE__NOT_ON_ROSTER);
	gj_reply_free(r);
	r = it_open_refused_reply("stranger", "butler", "r17_repair", "demo", kv, 1);
	ck_assert_int_eq(r->code, GUANJIA__ERROR_CODE__NOT_ON_ROSTER);
	ck_assert_msg(strstr(r->message, "stranger is not on the roster of demo"), "%s", r->message);
	gj_reply_free(r);
	r = it_open_refused_reply("li.ming", "cs_lead", "r17_repair", "demo", kv, 1);
	ck_assert_int_eq(r->code, GUANJIA__ERROR_CODE__NOT_ON_ROSTER);
	ck_assert_msg(strstr(r->message, "as butler, not as cs_lead"), "%s", r->message);
	gj_reply_free(r);
	r = it_fire_refused_reply("wang.fang", "cs_lead", a, "dispatch", NULL, 0);
	ck_assert_int_eq(r->code, GUANJIA__ERROR_CODE__NOT_ON_ROSTER);
	gj_reply_free(r);
	/* Recompute too: a butler of demo may not act there as a manager. */
	r = recompute_as("wang.fang", "manager", "demo", true);
	ck_assert_int_eq(r->outcome, GUANJIA__OUTCOME__REFUSED);
	ck_assert_int_eq(r->code, GUANJIA__ERROR_CODE__NOT_ON_ROSTER);
	gj_reply_free(r);
	r = recompute_as("wang.fang", "manager", NULL, false);
	ck_assert_int_eq(r->code, GUANJIA__ERROR_CODE__NOT_ON_ROSTER);
	ck_assert_msg(strstr(r->message, "name an estate"), "%s", r->message);
	gj_reply_free(r);
	r = recompute_as("wang.fang", "manager", "main", false); /* main has no roster */
	it_check_applied(0, r);
	gj_reply_free(r);
	r = recompute_as("chen.jianguo", "manager", "demo", false);
	it_check_applied(0, r);
	gj_reply_free(r);
	/* An estate that is not listed is refused, naming those that are. */
	r = it_open_refused_reply("li.ming", "butler", "r17_repair", "demo_typo", kv, 1);
	ck_assert_int_eq(r->code, GUANJIA__ERROR_CODE__UNKNOWN_ESTATE);
	ck_assert_msg(strstr(r->message, "there is no estate 'demo_typo' (estates: main, demo)"),
		      "%s", r->message);
	gj_reply_free(r);
	/* The estate `main` has no roster: anyone in a role the workflow allows. */
	it_connect_as("stranger", "butler");
	it_call_ok(gj_client_open(it_client, "r17_repair", "main", kv, 1, NULL, &r), r);
	gj_reply_free(r);

	/* Dispatch warning (8 min) to the butler: no butler works on a
	 * holiday, so the cs_lead on duty is told instead; the breach (10 min)
	 * goes to the cs_lead on duty. */
	it_advance(10 * MIN);
	on_duty_of(a, "dispatch", GUANJIA__ALERT_LEVEL__WARNING, duty, sizeof(duty));
	ck_assert_str_eq(duty, "cs_lead:zhou.min<butler");
	on_duty_of(a, "dispatch", GUANJIA__ALERT_LEVEL__BREACH, duty, sizeof(duty));
	ck_assert_str_eq(duty, "cs_lead:zhou.min");

	/* At night nobody of customer service is on duty: the manager is. */
	it_advance_to(it_at("2026-10-01T23:00:00+08:00"));
	it_connect_as("li.ming", "butler");
	it_call_ok(gj_client_open(it_client, "r17_repair", "demo", kv, 1, NULL, &r), r);
	b = r->ticket->id;
	gj_reply_free(r);
	it_advance(10 * MIN);
	on_duty_of(b, "dispatch", GUANJIA__ALERT_LEVEL__BREACH, duty, sizeof(duty));
	ck_assert_str_eq(duty, "manager:chen.jianguo<cs_lead");
}
END_TEST

/* --- special_event (R28b) ------------------------------------------- */

START_TEST(special_event_manager_alerted_at_five_minutes_unless_the_head_reported)
{
	const char *kv[] = { "kind=burst_pipe", "location=Building 2 basement" };
	const char *plan[] = { "first_plan=valve closed, plumber called" };
	const char *report[] = { "report=pipe replaced; no damage to homes" };
	struct it_alerts ac;
	Guanjia__Reply *r;
	uint64_t lost, told;

	it_start("2026-10-09T22:00:00+08:00", GJ_PLUGIN_BUILD_DIR, NULL);
	lost = it_open_as("xu.bing", "security", "r28b_special_event", NULL, kv, 2);
	told = it_open_as("xu.bing", "security", "r28b_special_event", NULL, kv, 2);
	it_advance(MIN);
	it_fire_as("xu.bing", "security", told, "report_to_head", NULL, 0);
	it_fire_as("xu.bing", "security", lost, "report_to_head", NULL, 0);
	it_advance(2 * MIN); /* +3 min: one team head reports to the manager */
	it_fire_as("huang.lei", "team_head", told, "report_to_manager", NULL, 0);

	it_advance(2 * MIN - 1); /* +5 min - 1 ms */
	ck_assert_uint_eq(it_alerts(lost, "special_event", NULL, IT_ANY_LEVEL, 0).n, 0);
	it_advance(1);
	ac = it_alerts(lost, "special_event", NULL, IT_ANY_LEVEL, 0);
	ck_assert_uint_eq(ac.n, 1);
	ck_assert_int_eq(ac.last_at, it_at("2026-10-09T22:05:00+08:00"));
	ck_assert_str_eq(ac.roles, "manager");
	/* The other one reported at +3 min: never alerted by the plugin. */
	it_advance(30 * MIN);
	ck_assert_uint_eq(it_alerts(told, "special_event", NULL, IT_ANY_LEVEL, 0).n, 0);
	ck_assert_uint_eq(it_alerts(lost, "special_event", NULL, IT_ANY_LEVEL, 0).n, 1);

	/* No close without the written special-event report. */
	it_fire_as("huang.lei", "team_head", told, "feedback_given", plan, 1);
	r = it_fire_refused_reply("huang.lei", "team_head", told, "close", NULL, 0);
	ck_assert_msg(strstr(r->message, "report"), "%s", r->message);
	gj_reply_free(r);
	{
		const char *blank[] = { "report=  " }; /* blanks are no report */
		r = it_fire_refused_reply("huang.lei", "team_head", told, "close", blank, 1);
		ck_assert_int_eq(r->code, GUANJIA__ERROR_CODE__MISSING_FIELD);
		gj_reply_free(r);
	}
	it_fire_as("huang.lei", "team_head", told, "close", report, 1);
}
END_TEST

/* --- defer_notice (R17) ---------------------------------------------- */

START_TEST(defer_notice_due_at_close_of_the_third_working_day)
{
	const char *open_kv[] = { "location=Building 1 roof drain" };
	const char *disp_kv[] = { "technician=sun.qiang", "severity=moderate" };
	const char *too_late[] = { "reason=part on order", "expected_date=2026-12-01" };
	const char *good[] = { "reason=part on order", "expected_date=2026-10-20" };
	struct it_alerts ac;
	Guanjia__Reply *r;
	uint64_t silent, filed;
	bool found = false;
	int64_t due = it_at("2026-10-10T17:30:00+08:00");

	it_start("2026-09-30T15:00:00+08:00", GJ_PLUGIN_BUILD_DIR, NULL);
	silent = it_open_as("li.ming", "butler", "r17_repair", NULL, open_kv, 1);
	filed = it_open_as("li.ming", "butler", "r17_repair", NULL, open_kv, 1);
	it_fire_as("li.ming", "butler", silent, "dispatch", disp_kv, 2);
	it_fire_as("li.ming", "butler", filed, "dispatch", disp_kv, 2);
	it_advance_to(it_at("2026-09-30T16:00:00+08:00"));
	it_fire_as("sun.qiang", "engineering", silent, "cannot_fix", NULL, 0);
	it_fire_as("sun.qiang", "engineering", filed, "cannot_fix", NULL, 0);

	/* An expected date past 30 working days after the report is refused,
	 * naming the latest allowed date; one within is accepted and the
	 * deferred-repairs list is published at once. */
	r = it_fire_refused_reply("sun.qiang", "engineering", filed, "defer_notice", too_late, 2);
	ck_assert_int_eq(r->code, GUANJIA__ERROR_CODE__REFUSED_BY_POLICY);
	ck_assert_msg(strstr(r->message, "2026-11-17"), "%s", r->message);
	gj_reply_free(r);
	it_fire_as("sun.qiang", "engineering", filed, "defer_notice", good, 2);
	it_call_ok(gj_client_replay(it_client, 1, 10000,
				    "notice.main.defer_notice.deferred_repairs", &r), r);
	/* Published at each cannot_fix (the repair listed with its notice due
	 * date), and again when the notice is filed (with its expected date). */
	ck_assert_uint_eq(r->records->n_records, 3);
	ck_assert_msg(strstr(r->records->records[0]->notice->text,
			     "no defer notice yet (due by 2026-10-10T17:30"),
		      "%s", r->records->records[0]->notice->text);
	{
		Guanjia__Notice *no = r->records->records[2]->notice;
		for (size_t j = 0; j < no->n_ticket_ids; j++)
			found = found || no->ticket_ids[j] == filed;
		ck_assert_uint_eq(no->n_ticket_ids, 2);
		ck_assert_msg(strstr(no->text, "2026-10-20"), "%s", no->text);
	}
	ck_assert(found);
	gj_reply_free(r);

	/* The notice missing: nothing before the close of 2026-10-10 (a
	 * make-up Saturday), an alert then; none for the one filed. */
	it_advance_to(due - 1);
	ck_assert_uint_eq(it_alerts(silent, "defer_notice", NULL, IT_ANY_LEVEL, 0).n, 0);
	it_advance(1);
	ac = it_alerts(silent, "defer_notice", NULL, IT_ANY_LEVEL, 0);
	ck_assert_uint_eq(ac.n, 1);
	ck_assert_int_eq(ac.last_at, due);
	ck_assert_uint_eq(it_alerts(filed, "defer_notice", NULL, IT_ANY_LEVEL, 0).n, 0);

	/* The expected date passes without the repair done: an alert. */
	it_advance_to(it_at("2026-10-20T17:30:00+08:00") - 1);
	ck_assert_uint_eq(it_alerts(filed, "defer_notice", NULL, IT_ANY_LEVEL, 0).n, 0);
	it_advance(1);
	ck_assert_uint_eq(it_alerts(filed, "defer_notice", NULL, IT_ANY_LEVEL, 0).n, 1);
}
END_TEST

/* A defer notice counted into 2027 (no calendar data yet) is provisional,
 * and the administrator hears which calendar lacks which year. */
START_TEST(defer_notice_counted_into_a_year_without_data_alerts_admin)
{
	const char *open_kv[] = { "location=Gate 3" };
	const char *disp_kv[] = { "technician=sun.qiang", "severity=moderate" };
	Guanjia__Reply *r = NULL;
	bool found = false;
	uint64_t id;

	it_start("2026-12-30T10:00:00+08:00", GJ_PLUGIN_BUILD_DIR, NULL);
	id = it_open_as("li.ming", "butler", "r17_repair", NULL, open_kv, 1);
	it_fire_as("li.ming", "butler", id, "dispatch", disp_kv, 2);
	it_fire_as("sun.qiang", "engineering", id, "cannot_fix", NULL, 0);
	it_call_ok(gj_client_replay(it_client, 1, 10000, "alert.main.calendar.cn", &r), r);
	for (size_t i = 0; i < r->records->n_records; i++) {
		Guanjia__Alert *a = r->records->records[i]->alert;
		if (a && strcmp(a->plugin, "defer_notice") == 0) {
			found = true;
			ck_assert_str_eq(a->notify_roles[0], "admin_hr");
			ck_assert_msg(strstr(a->message, "no data for the year 2027"), "%s", a->message);
		}
	}
	gj_reply_free(r);
	ck_assert_msg(found, "no calendar alert from defer_notice");

	/* 2027's data arrives (New Year's Day off): at the next start the
	 * notice's due date is counted again and moves, with a history entry:
	 * 12-31, then 01-04 and 01-05. */
	{
		char dir[] = "/tmp/gj-cal-XXXXXX", path[PATH_MAX], when[40];
		const char *args[] = { "--manual-clock", when, "--calendars", dir,
				       "--plugins", GJ_PLUGIN_BUILD_DIR, NULL };
		Guanjia__Ticket *tk;
		bool moved = false;

		gj_time_format(it_now(), GJ_DEFAULT_UTC_OFFSET_MIN, when, sizeof(when));
		ck_assert_str_eq(it_field(tk = it_get(id, false, &r), "defer_notice_due"),
				 "2027-01-04T17:30:00+08:00");
		gj_reply_free(r);
		it_stop(false);
		ck_assert_ptr_nonnull(mkdtemp(dir));
		write_calendar(dir, 1, "2027-01-01");
		ck_assert_int_eq(gj_daemon_start(&it_daemon, args), 0);
		it_connect_as("li.ming", "butler");
		tk = it_get(id, true, &r);
		ck_assert_str_eq(it_field(tk, "defer_notice_due"), "2027-01-05T17:30:00+08:00");
		ck_assert_str_eq(it_field(tk, "defer_notice_provisional"), "no");
		for (size_t i = 0; i < tk->n_plugin_clocks; i++)
			if (strcmp(tk->plugin_clocks[i]->name, "notice") == 0)
				ck_assert_int_eq(tk->plugin_clocks[i]->at,
						 it_at("2027-01-05T17:30:00+08:00"));
		for (size_t i = 0; i < tk->n_history; i++)
			moved = moved || strstr(tk->history[i]->note, "now has the data of that year");
		ck_assert_msg(moved, "no history entry for the move");
		gj_reply_free(r);
		snprintf(path, sizeof(path), "%s/cn.yaml", dir);
		unlink(path);
		rmdir(dir);
	}
}
END_TEST

/* --- ladder ---------------------------------------------------------- */

/* Restart the daemon (kill -9 or a clean stop) with its manual clock where
 * it was. */
static void restart(bool kill9)
{
	char when[40];

	gj_time_format(it_now(), GJ_DEFAULT_UTC_OFFSET_MIN, when, sizeof(when));
	it_stop(kill9);
	it_start(when, GJ_PLUGIN_BUILD_DIR, NULL);
}

START_TEST(ladder_levels_fire_once_each_across_restarts)
{
	const char *open_kv[] = { "location=Building 4 lobby light" };
	const char *disp_kv[] = { "technician=sun.qiang", "severity=minor" };
	uint64_t id;

	it_start("2026-10-09T10:00:00+08:00", GJ_PLUGIN_BUILD_DIR, NULL);
	id = it_open_as("li.ming", "butler", "r17_repair", NULL, open_kv, 1);
	it_fire_as("li.ming", "butler", id, "dispatch", disp_kv, 2);

	/* minor_repair: 60 min, warning 10 min before. */
	it_advance(50 * MIN - 1);
	ck_assert_uint_eq(it_alerts(id, "ladder", NULL, IT_ANY_LEVEL, 0).n, 0);
	it_advance(1);
	ck_assert_uint_eq(it_alerts(id, "ladder", "minor_repair", IT_ANY_LEVEL, 1).n, 1);
	/* The ladder's alerts replace the workflow's own for this clock. */
	ck_assert_uint_eq(it_alerts(id, "", "minor_repair", IT_ANY_LEVEL, 0).n, 0);
	it_advance(10 * MIN);
	ck_assert_uint_eq(it_alerts(id, "ladder", "minor_repair", IT_ANY_LEVEL, 2).n, 1);
	ck_assert_str_eq(it_alerts(id, "ladder", "minor_repair", IT_ANY_LEVEL, 2).roles,
			 "team_head");

	/* Restart in the middle of the ladder (kill -9: no goodbye). */
	restart(true);
	ck_assert_int_eq(it_now(), it_at("2026-10-09T11:00:00+08:00"));
	ck_assert_uint_eq(it_alerts(id, "ladder", "minor_repair", IT_ANY_LEVEL, 1).n, 1);
	ck_assert_uint_eq(it_alerts(id, "ladder", "minor_repair", IT_ANY_LEVEL, 2).n, 1);
	ck_assert_uint_eq(it_alerts(id, "ladder", "minor_repair", IT_ANY_LEVEL, 3).n, 0);

	it_advance_to(it_at("2026-10-09T11:30:00+08:00") - 1);
	ck_assert_uint_eq(it_alerts(id, "ladder", "minor_repair", IT_ANY_LEVEL, 3).n, 0);
	it_advance(1);
	ck_assert_uint_eq(it_alerts(id, "ladder", "minor_repair", IT_ANY_LEVEL, 3).n, 1);
	ck_assert_str_eq(it_alerts(id, "ladder", "minor_repair", IT_ANY_LEVEL, 3).roles, "manager");

	/* And again after a clean restart: levels 1-3 stay at one each. */
	restart(false);
	for (uint32_t level = 1; level <= 3; level++)
		ck_assert_uint_eq(it_alerts(id, "ladder", "minor_repair", IT_ANY_LEVEL, level).n,
				  1);

	/* Reminders every 15 min until acknowledged; the repair done ends
	 * them. */
	it_advance(15 * MIN);
	/* levels 1-3 and one reminder at 11:45 */
	ck_assert_uint_eq(it_alerts(id, "ladder", "minor_repair", IT_ANY_LEVEL, 0).n, 4);
	it_fire_as("sun.qiang", "engineering", id, "finish", NULL, 0);
	{
		size_t n = it_alerts(id, "ladder", NULL, IT_ANY_LEVEL, 0).n;
		it_advance(2 * HOUR);
		ck_assert_uint_eq(it_alerts(id, "ladder", NULL, IT_ANY_LEVEL, 0).n, n);
	}
}
END_TEST

/* --- zones ------------------------------------------------------------ */

/* A ticket of zone 2# warns the butler of zone 2# only (a ticket without a
 * zone, every butler on duty: roster_checks_actors_and_alerts_... and the
 * rule tests). */
START_TEST(alerts_of_a_zone_go_to_the_people_of_that_zone)
{
	const char *zoned[] = { "zone=2#", "patrol_by=2026-10-09T16:00:00+08:00" };
	char duty[512];
	uint64_t id;

	it_start("2026-10-09T10:00:00+08:00", NULL, NULL);
	id = it_open_as("li.ming", "butler", "r16_patrol", "demo", zoned, 2);
	it_advance_to(it_at("2026-10-09T14:00:00+08:00"));
	on_duty_of(id, "patrol", GUANJIA__ALERT_LEVEL__WARNING, duty, sizeof(duty));
	ck_assert_str_eq(duty, "butler:li.ming");
}
END_TEST

/* The technician a repair is dispatched to is told of its warning even
 * off duty (night shift), with the technicians on duty. */
START_TEST(the_assignee_is_told_on_duty_or_not)
{
	const char *open_kv[] = { "location=Building 4 lobby light" };
	const char *disp_kv[] = { "technician=zheng.hao", "severity=minor" };
	Guanjia__Reply *r = NULL;
	char persons[256] = "";
	uint64_t id;

	it_start("2026-10-09T10:00:00+08:00", NULL, NULL);
	id = it_open_as("li.ming", "butler", "r17_repair", "demo", open_kv, 1);
	it_fire_as("li.ming", "butler", id, "dispatch", disp_kv, 2);
	it_advance(50 * MIN); /* minor_repair's warning, to engineering */
	it_call_ok(gj_client_replay(it_client, 1, 10000, "alert.demo.r17_repair.minor_repair", &r), r);
	ck_assert_uint_eq(r->records->n_records, 1);
	for (size_t i = 0; i < r->records->records[0]->alert->n_notify_persons; i++) {
		strcat(persons, r->records->records[0]->alert->notify_persons[i]);
		strcat(persons, " ");
	}
	gj_reply_free(r);
	/* huang.lei (team head, also in engineering, office hours), the day shift,
	 * then the assignee */
	ck_assert_str_eq(persons, "huang.lei sun.qiang ma.jun zheng.hao ");
}
END_TEST

/* --- deadlines given as a date, and times refused -------------------- */

START_TEST(a_date_alone_is_due_at_the_close_of_that_day)
{
	const char *by_date[] = { "received_by=security", "reply_by=2026-10-12" };
	const char *bad_offset[] = { "received_by=security", "reply_by=2026-10-12T10:00:00+99:00" };
	const char *bad_year[] = { "received_by=security", "reply_by=1969-12-31T10:00:00+08:00" };
	Guanjia__Reply *r = NULL;
	Guanjia__Ticket *tk;
	uint64_t id;

	it_start("2026-10-09T10:00:00+08:00", NULL, NULL);
	id = it_open_as("li.ming", "butler", "r19_complaint", NULL, by_date, 2);
	tk = it_get(id, false, &r);
	ck_assert_int_eq(it_clock(tk, "reply")->deadline, it_at("2026-10-12T17:30:00+08:00"));
	gj_reply_free(r);
	r = it_open_refused_reply("li.ming", "butler", "r19_complaint", NULL, bad_offset, 2);
	ck_assert_int_eq(r->code, GUANJIA__ERROR_CODE__INVALID_ARGUMENT);
	ck_assert_msg(strstr(r->message, "reply_by"), "%s", r->message);
	gj_reply_free(r);
	r = it_open_refused_reply("li.ming", "butler", "r19_complaint", NULL, bad_year, 2);
	ck_assert_int_eq(r->code, GUANJIA__ERROR_CODE__INVALID_ARGUMENT);
	gj_reply_free(r);

	/* A clock whose deadline field is empty does not start, and the reply
	 * says so. */
	{
		const char *zone[] = { "zone=3#" };
		it_call_ok(gj_client_open(it_client, "r16_patrol", NULL, zone, 1, NULL, &r), r);
		ck_assert_uint_eq(r->n_unstarted_clocks, 1);
		ck_assert_str_eq(r->unstarted_clocks[0], "patrol (no patrol_by)");
		gj_reply_free(r);
	}
}
END_TEST

/* --- the ABI check at start ------------------------------------------ */

START_TEST(plugin_of_another_major_is_refused_and_the_others_load)
{
	char dir[] = "/tmp/gj-plugins-XXXXXX", link[PATH_MAX], *log;
	const char *names[] = { "defer_notice", "ladder", "special_event" };

	ck_assert_ptr_nonnull(mkdtemp(dir));
	for (size_t i = 0; i < 3; i++) {
		char target[PATH_MAX];
		snprintf(target, sizeof(target), "%s/%s.so", GJ_PLUGIN_BUILD_DIR, names[i]);
		snprintf(link, sizeof(link), "%s/%s.so", dir, names[i]);
		ck_assert_int_eq(symlink(target, link), 0);
	}
	snprintf(link, sizeof(link), "%s/old_escalation.so", dir);
	ck_assert_int_eq(symlink(GJ_TEST_PLUGIN_BAD_MAJOR, link), 0);
	/* A second copy of a plugin: same name, refused. */
	{
		char target[PATH_MAX];
		snprintf(target, sizeof(target), "%s/ladder.so", GJ_PLUGIN_BUILD_DIR);
		snprintf(link, sizeof(link), "%s/zz_ladder_copy.so", dir);
		ck_assert_int_eq(symlink(target, link), 0);
	}

	{
		const char *args[] = { "--manual-clock", "2026-10-09T10:00:00+08:00",
				       "--plugins", dir, NULL };
		it_daemon.capture_stderr = true;
		ck_assert_int_eq(gj_daemon_start(&it_daemon, args), 0);
	}
	ck_assert_msg(strstr(it_daemon.ready_line, "plugins 3") != NULL, "%s",
		      it_daemon.ready_line);
	log = gj_daemon_stderr(&it_daemon);
	{
		char want[128];
		snprintf(want, sizeof(want), "old_escalation.so was built for ABI 2.0, this daemon "
			 "speaks %d.%d", GJ_PLUGIN_ABI_MAJOR, GJ_PLUGIN_ABI_MINOR);
		ck_assert_msg(strstr(log, want) != NULL, "%s", log);
		ck_assert_msg(strstr(log, "zz_ladder_copy.so (ladder): a plugin named 'ladder' is "
				     "already loaded") != NULL, "%s", log);
	}
	free(log);
	it_connect_as("li.ming", "butler");
	ck_assert(gj_daemon_alive(&it_daemon));

	for (size_t i = 0; i < 3; i++) {
		snprintf(link, sizeof(link), "%s/%s.so", dir, names[i]);
		unlink(link);
	}
	snprintf(link, sizeof(link), "%s/old_escalation.so", dir);
	unlink(link);
	snprintf(link, sizeof(link), "%s/zz_ladder_copy.so", dir);
	unlink(link);
	rmdir(dir);
}
END_TEST

Suite *escalation_suite(void)
{
	Suite *s = suite_create("escalation");
	TCase *tc = tcase_create("daemon");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, it_setup, it_teardown);
	tcase_add_test(tc, paused_working_day_clock_is_recounted_in_working_days);
	tcase_add_test(tc, roster_checks_actors_and_alerts_name_who_is_on_duty);
	tcase_add_test(tc, provisional_deadlines_move_when_the_year_is_added_and_recompute_asks_first);
	tcase_add_test(tc, special_event_manager_alerted_at_five_minutes_unless_the_head_reported);
	tcase_add_test(tc, defer_notice_due_at_close_of_the_third_working_day);
	tcase_add_test(tc, defer_notice_counted_into_a_year_without_data_alerts_admin);
	tcase_add_test(tc, ladder_levels_fire_once_each_across_restarts);
	tcase_add_test(tc, a_date_alone_is_due_at_the_close_of_that_day);
	tcase_add_test(tc, alerts_of_a_zone_go_to_the_people_of_that_zone);
	tcase_add_test(tc, the_assignee_is_told_on_duty_or_not);
	tcase_add_test(tc, plugin_of_another_major_is_refused_and_the_others_load);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return it_run(escalation_suite());
}
