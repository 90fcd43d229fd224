/*
 * test_rules_office.c - RULEBOOK R23, R24, R26a, R26b, R27, R28a and R28b
 * against the real guanjiad (temporary data directory, ipc:// sockets,
 * manual clock, the embedded default configuration, the shipped plugins),
 * estate `main`.  One test per rule; each walks the rule's workflows
 * through an on-time path, which raises no alert at all, and a late path,
 * whose every alert is checked for its clock, level, roles and exact
 * instant, with nothing raised one millisecond before.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guanjia.h"
#include "itest.h"
#include "wire.h"

#define SEC 1000LL
#define MIN (60 * SEC)
#define HOUR (60 * MIN)

#define WARNING GUANJIA__ALERT_LEVEL__WARNING
#define BREACH GUANJIA__ALERT_LEVEL__BREACH

static void advance_to_text(const char *when)
{
	it_advance_to(it_at(when));
}

static Guanjia__ClockState clock_state(uint64_t id, const char *clock)
{
	Guanjia__Reply *r = NULL;
	Guanjia__ClockState st = it_clock(it_get(id, false, &r), clock)->state;

	gj_reply_free(r);
	return st;
}

/* Walk the clock to `when` and check the workflow's own alert due then:
 * nothing on that clock at that level one millisecond before; exactly one
 * at `when`, to `roles` ("a,b"). */
static void expect_alert(uint64_t ticket, const char *clock, int level, const char *when,
			 const char *roles)
{
	it_expect_alert(ticket, "", clock, level, it_at(when), roles, IT_ANY_COUNT);
}

/* Without moving the clock: exactly one workflow alert on `clock` at
 * `level`, raised at `when`, to `roles`. */
static void check_alert(uint64_t ticket, const char *clock, int level, const char *when,
			const char *roles)
{
	it_assert_alert(ticket, "", clock, level, it_at(when), roles);
}

/* The calendar's last day of "within `n` working days" after `date`. */
static void calendar_add(const char *date, int n, char *ret, size_t len)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__CalendarQuery q = GUANJIA__CALENDAR_QUERY__INIT;
	Guanjia__Reply *r = NULL;

	q.date = (char *)date;
	q.add = n;
	q.estate = (char *)"main";
	req.command_case = GUANJIA__REQUEST__COMMAND_CALENDAR;
	req.calendar = &q;
	it_call_ok(gj_client_call(it_client, &req, &r), r);
	snprintf(ret, len, "%s", r->calendar->last_day);
	gj_reply_free(r);
}

static bool is_makeup_day(int year, const char *date)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__CalendarQuery q = GUANJIA__CALENDAR_QUERY__INIT;
	Guanjia__Reply *r = NULL;
	bool found = false;

	q.year = year;
	q.estate = (char *)"main";
	req.command_case = GUANJIA__REQUEST__COMMAND_CALENDAR;
	req.calendar = &q;
	it_call_ok(gj_client_call(it_client, &req, &r), r);
	for (size_t i = 0; i < r->calendar->n_makeup_days; i++)
		found = found || strcmp(r->calendar->makeup_days[i], date) == 0;
	gj_reply_free(r);
	return found;
}

#define KV(...) ((const char *const[]){ __VA_ARGS__ }), (sizeof((const char *const[]){ __VA_ARGS__ }) / sizeof(const char *))

/* --- R23: monthly meeting, progress table, quality brief -------------- */

START_TEST(r23_monthly_meeting_progress_table_and_quality_brief)
{
	uint64_t meet_ok, meet_late, brief_ok, brief_late, prob_ok, prob_late;

	it_start("2026-02-02T09:00:00+08:00", GJ_PLUGIN_BUILD_DIR, NULL);
	/* February 2026: the 15th is a Sunday and the first day of the Spring
	 * Festival (02-15..02-23); the nearest working day is the make-up
	 * Saturday 02-14, one day before (the first working day after is
	 * 02-24).  The generator gives that day; here admin_hr opens by hand. */
	ck_assert(is_makeup_day(2026, "2026-02-14"));
	meet_ok = it_open_as("zhao.min", "admin_hr", "r23_monthly_meeting", "main",
			     KV("month=2026-02", "meeting_at=2026-02-14T14:00:00+08:00"));
	meet_late = it_open_as("zhao.min", "admin_hr", "r23_monthly_meeting", "main",
			       KV("month=2026-02", "meeting_at=2026-02-14T14:00:00+08:00"));
	/* The quality brief by the 5th. */
	brief_ok = it_open_as("zhao.min", "admin_hr", "r23_quality_brief", "main",
			      KV("month=2026-02", "due_by=2026-02-05T17:30:00+08:00"));
	brief_late = it_open_as("zhao.min", "admin_hr", "r23_quality_brief", "main",
				KV("month=2026-02", "due_by=2026-02-05T17:30:00+08:00"));

	advance_to_text("2026-02-02T10:00:00+08:00");
	it_fire_as("zhao.min", "admin_hr", meet_ok, "convene", NULL, 0);
	/* The cs_lead chairs; a butler may not open the meeting. */
	it_fire_refused("li.ming", "butler", meet_ok, "hold", NULL, 0,
			GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "cs_lead");

	advance_to_text("2026-02-04T10:00:00+08:00");
	it_fire_refused("zhao.min", "admin_hr", brief_ok, "issue", NULL, 0,
			GUANJIA__ERROR_CODE__MISSING_FIELD, "brief");
	it_fire_as("zhao.min", "admin_hr", brief_ok, "issue", KV("brief=QB-2026-02, filed in HR"));

	/* The late brief: admin_hr warned a day before, the manager told at
	 * the end of the 5th. */
	expect_alert(brief_late, "brief", WARNING, "2026-02-04T17:30:00+08:00", "admin_hr");
	expect_alert(brief_late, "brief", BREACH, "2026-02-05T17:30:00+08:00", "manager");

	/* The late meeting: the group not convened a day before, admin_hr is
	 * warned; nobody can open an unconvened meeting; at 14:00 the convener
	 * and the chair, and the manager, are alerted. */
	expect_alert(meet_late, "convene", WARNING, "2026-02-13T14:00:00+08:00", "admin_hr");
	advance_to_text("2026-02-14T13:55:00+08:00");
	it_fire_refused("wang.fang", "cs_lead", meet_late, "hold", NULL, 0,
			GUANJIA__ERROR_CODE__MISSING_FIELD, "convened");
	it_fire_as("wang.fang", "cs_lead", meet_ok, "hold", NULL, 0);
	expect_alert(meet_late, "convene", BREACH, "2026-02-14T14:00:00+08:00", "admin_hr,cs_lead");
	check_alert(meet_late, "meeting", BREACH, "2026-02-14T14:00:00+08:00", "manager");
	ck_assert_uint_eq(it_alerts(meet_late, "", "meeting", WARNING, 0).n, 0);

	/* The late meeting is held after all, at 15:00. */
	advance_to_text("2026-02-14T15:00:00+08:00");
	it_fire_as("zhao.min", "admin_hr", meet_late, "convene", NULL, 0);
	it_fire_as("wang.fang", "cs_lead", meet_late, "hold", NULL, 0);

	/* The meeting on time: its progress table and minutes the same day;
	 * each open problem a line with an owner and a due date. */
	advance_to_text("2026-02-14T17:00:00+08:00");
	it_fire_refused("zhao.min", "admin_hr", meet_ok, "issue_progress_table",
			KV("minutes=minutes of 2026-02-14"), GUANJIA__ERROR_CODE__MISSING_FIELD,
			"progress_table");
	it_fire_as("zhao.min", "admin_hr", meet_ok, "issue_progress_table",
		   KV("minutes=minutes of 2026-02-14",
		      "progress_table=2 problems, tickets in R23"));
	it_fire_as("zhao.min", "admin_hr", meet_ok, "close", NULL, 0);
	it_assert_state(meet_ok, "closed");
	prob_ok = it_open_as("zhao.min", "admin_hr", "r23_problem", "main",
			     KV("problem=lobby notice board out of date", "responsible=li.ming",
				"due_by=2026-03-06T17:30:00+08:00"));
	prob_late = it_open_as("zhao.min", "admin_hr", "r23_problem", "main",
			       KV("problem=guard sign-in sheets incomplete", "responsible=xu.bing",
				  "due_by=2026-03-06T17:30:00+08:00"));

	/* The late meeting's progress table is never issued.  It was due by
	 * the close of the next working day after the meeting (Saturday
	 * 02-14), which is after the Spring Festival: Tuesday 02-24 at 17:30;
	 * admin_hr is warned at 15:30, the cs_lead and the manager alerted at
	 * 17:30. */
	expect_alert(meet_late, "progress_table", WARNING, "2026-02-24T15:30:00+08:00", "admin_hr");
	expect_alert(meet_late, "progress_table", BREACH, "2026-02-24T17:30:00+08:00",
		     "cs_lead,manager");

	/* Problems: one solved and re-checked in time; the other's owner is
	 * late: the team head warned a day before, admin_hr and the cs_lead
	 * alerted at the due time. */
	advance_to_text("2026-03-02T10:00:00+08:00");
	it_fire_as("li.ming", "butler", prob_ok, "report_solved", KV("outcome=board renewed"));
	advance_to_text("2026-03-03T10:00:00+08:00");
	it_fire_as("wang.fang", "cs_lead", prob_ok, "recheck",
		   KV("recheck=board checked, current"));
	it_assert_state(prob_ok, "closed");
	expect_alert(prob_late, "due", WARNING, "2026-03-05T17:30:00+08:00", "team_head");
	expect_alert(prob_late, "due", BREACH, "2026-03-06T17:30:00+08:00", "admin_hr,cs_lead");
	/* Reported solved late, and the re-check finds it is not: open again,
	 * and overdue at once. */
	advance_to_text("2026-03-09T10:00:00+08:00");
	it_fire_as("xu.bing", "security", prob_late, "report_solved", KV("outcome=sheets redone"));
	advance_to_text("2026-03-10T10:00:00+08:00");
	it_fire_as("zhao.min", "admin_hr", prob_late, "not_fixed",
		   KV("recheck=post 2 sheet still blank"));
	it_assert_state(prob_late, "open");
	it_advance(1); /* the breach was raised at the re-check's instant */
	ck_assert_uint_eq(it_alerts(prob_late, "", "due", BREACH, 0).n, 2);
	ck_assert_int_eq(it_alerts(prob_late, "", "due", BREACH, 0).last_at,
			 it_at("2026-03-10T10:00:00+08:00"));

	/* The on-time paths raised nothing at all; the late ones nothing else. */
	ck_assert_uint_eq(it_n_alerts(meet_ok), 0);
	ck_assert_uint_eq(it_n_alerts(brief_ok), 0);
	ck_assert_uint_eq(it_n_alerts(prob_ok), 0);
	ck_assert_uint_eq(it_n_alerts(brief_late), 2);
	ck_assert_uint_eq(it_n_alerts(meet_late), 5);
	ck_assert_uint_eq(it_n_alerts(prob_late), 3);
}
END_TEST

/* --- R24: records found in 5 minutes, index, daily filing, backup ----- */

START_TEST(r24_records_found_filed_indexed_and_backed_up)
{
	uint64_t req_ok, req_late, file_ok, file_late, index_ok, index_late, backup_ok,
		 backup_late;

	it_start("2026-10-09T08:30:00+08:00", GJ_PLUGIN_BUILD_DIR, NULL);
	file_ok = it_open_as("zhao.min", "admin_hr", "r24_daily_filing", "main",
			     KV("day=2026-10-09", "due_by=2026-10-09T17:30:00+08:00"));
	file_late = it_open_as("zhao.min", "admin_hr", "r24_daily_filing", "main",
			       KV("day=2026-10-09", "due_by=2026-10-09T17:30:00+08:00"));

	/* A record asked for at 09:00: found at 09:03; the other one not:
	 * the team head warned at 09:04, the cs_lead and admin_hr at 09:05. */
	advance_to_text("2026-10-09T09:00:00+08:00");
	req_ok = it_open_as("li.ming", "butler", "r24_record_request", "main",
			    KV("record=move-in file 3-2-101"));
	req_late = it_open_as("li.ming", "butler", "r24_record_request", "main",
			      KV("record=decoration permit 1-5-902"));
	it_advance(3 * MIN);
	it_fire_as("huang.lei", "team_head", req_ok, "found", KV("location=cabinet B, shelf 2"));
	it_assert_state(req_ok, "found");
	expect_alert(req_late, "find", WARNING, "2026-10-09T09:04:00+08:00", "team_head");
	expect_alert(req_late, "find", BREACH, "2026-10-09T09:05:00+08:00", "cs_lead,admin_hr");

	/* Daily filing: filed, checked against the electronic records, then
	 * complete; the late one filed but never checked: the team heads
	 * warned at 16:30, the cs_lead and admin_hr alerted at the close. */
	advance_to_text("2026-10-09T16:00:00+08:00");
	it_fire_as("huang.lei", "team_head", file_ok, "file",
		   KV("records=2 move-in, 1 decoration"));
	it_fire_as("huang.lei", "team_head", file_late, "file", KV("records=1 move-in"));
	it_fire_refused("zhao.min", "admin_hr", file_ok, "complete", NULL, 0,
			GUANJIA__ERROR_CODE__MISSING_FIELD, "checked");
	it_fire_as("zhao.min", "admin_hr", file_ok, "check", NULL, 0);
	it_fire_as("zhao.min", "admin_hr", file_ok, "complete", NULL, 0);
	it_assert_state(file_ok, "done");
	expect_alert(file_late, "filing", WARNING, "2026-10-09T16:30:00+08:00", "team_head");
	expect_alert(file_late, "filing", BREACH, "2026-10-09T17:30:00+08:00", "cs_lead,admin_hr");

	/* November: the index on the 5th, the backup by the 30th. */
	advance_to_text("2026-11-02T09:00:00+08:00");
	index_ok = it_open_as("zhao.min", "admin_hr", "r24_index_update", "main",
			      KV("month=2026-11", "due_by=2026-11-05T17:30:00+08:00"));
	index_late = it_open_as("zhao.min", "admin_hr", "r24_index_update", "main",
				KV("month=2026-11", "due_by=2026-11-05T17:30:00+08:00"));
	backup_ok = it_open_as("zhao.min", "admin_hr", "r24_backup", "main",
			       KV("month=2026-11", "due_by=2026-11-30T17:30:00+08:00"));
	backup_late = it_open_as("zhao.min", "admin_hr", "r24_backup", "main",
				 KV("month=2026-11", "due_by=2026-11-30T17:30:00+08:00"));
	advance_to_text("2026-11-04T11:00:00+08:00");
	it_fire_refused("zhao.min", "admin_hr", index_ok, "update", KV("index=v2026.11"),
			GUANJIA__ERROR_CODE__MISSING_FIELD, "check");
	it_fire_as("zhao.min", "admin_hr", index_ok, "update",
		   KV("index=v2026.11", "check=cabinets A-D compared"));
	expect_alert(index_late, "index", WARNING, "2026-11-05T09:30:00+08:00", "admin_hr");
	expect_alert(index_late, "index", BREACH, "2026-11-05T17:30:00+08:00", "manager");

	advance_to_text("2026-11-27T15:00:00+08:00");
	it_fire_as("zhao.min", "admin_hr", backup_ok, "back_up",
		   KV("backup=NAS /backup/2026-11", "paper=top-up ledger printed"));
	expect_alert(backup_late, "backup", WARNING, "2026-11-29T17:30:00+08:00", "admin_hr");
	expect_alert(backup_late, "backup", BREACH, "2026-11-30T17:30:00+08:00", "manager");

	ck_assert_uint_eq(it_n_alerts(req_ok), 0);
	ck_assert_uint_eq(it_n_alerts(file_ok), 0);
	ck_assert_uint_eq(it_n_alerts(index_ok), 0);
	ck_assert_uint_eq(it_n_alerts(backup_ok), 0);
	ck_assert_uint_eq(it_n_alerts(req_late), 2);
	ck_assert_uint_eq(it_n_alerts(file_late), 2);
	ck_assert_uint_eq(it_n_alerts(index_late), 2);
	ck_assert_uint_eq(it_n_alerts(backup_late), 2);
}
END_TEST

/* --- R26a: home repairs (shipped r26a_home_repair) -------------------- */

START_TEST(r26a_home_repair_dispatch_at_door_and_callback)
{
	uint64_t ok, late;

	it_start("2026-10-09T10:00:00+08:00", GJ_PLUGIN_BUILD_DIR, NULL);
	ok = it_open_as("li.ming", "butler", "r26a_home_repair", "main", KV("unit=3-2-101"));
	late = it_open_as("li.ming", "butler", "r26a_home_repair", "main", KV("unit=1-5-902"));

	/* On time: dispatched at 1 min, at the door 8 min later, the slip
	 * back at 12:00, called back at 15:00. */
	it_advance(1 * MIN);
	it_fire_as("li.ming", "butler", ok, "dispatch", KV("technician=sun.qiang"));

	/* Late: dispatch warning to the butler at 1m30s, breach to the
	 * cs_lead at 2 min; dispatched at 3 min, then the technician is late
	 * too: engineering warned at 10 min, the cs_lead told at 15. */
	expect_alert(late, "dispatch", WARNING, "2026-10-09T10:01:30+08:00", "butler");
	expect_alert(late, "dispatch", BREACH, "2026-10-09T10:02:00+08:00", "cs_lead");
	advance_to_text("2026-10-09T10:03:00+08:00");
	it_fire_as("li.ming", "butler", late, "dispatch", KV("technician=zhao.lei"));
	advance_to_text("2026-10-09T10:09:00+08:00");
	it_fire_as("sun.qiang", "engineering", ok, "arrive", NULL, 0);
	expect_alert(late, "at_door", WARNING, "2026-10-09T10:13:00+08:00", "engineering");
	expect_alert(late, "at_door", BREACH, "2026-10-09T10:18:00+08:00", "cs_lead");
	advance_to_text("2026-10-09T10:20:00+08:00");
	it_fire_as("zhao.lei", "engineering", late, "arrive", NULL, 0);

	advance_to_text("2026-10-09T11:00:00+08:00");
	it_fire_as("zhao.lei", "engineering", late, "return_slip",
		   KV("job_slip=JS-0912", "paid=no"));
	advance_to_text("2026-10-09T12:00:00+08:00");
	it_fire_refused("sun.qiang", "engineering", ok, "return_slip", KV("job_slip=JS-0911"),
			GUANJIA__ERROR_CODE__MISSING_FIELD, "paid");
	it_fire_as("sun.qiang", "engineering", ok, "return_slip",
		   KV("job_slip=JS-0911", "paid=yes", "owner_signature=signed"));
	advance_to_text("2026-10-09T15:00:00+08:00");
	it_fire_refused("li.ming", "butler", ok, "call_back", NULL, 0,
			GUANJIA__ERROR_CODE__MISSING_FIELD, "satisfaction");
	it_fire_as("li.ming", "butler", ok, "call_back", KV("satisfaction=satisfied"));
	it_fire_as("li.ming", "butler", ok, "close", NULL, 0);
	it_assert_state(ok, "closed");

	/* Late call-back: 8 hours from the slip at 11:00; the butler warned
	 * at 18:00, the cs_lead told at 19:00. */
	expect_alert(late, "callback", WARNING, "2026-10-09T18:00:00+08:00", "butler");
	expect_alert(late, "callback", BREACH, "2026-10-09T19:00:00+08:00", "cs_lead");

	ck_assert_uint_eq(it_n_alerts(ok), 0);
	ck_assert_uint_eq(it_n_alerts(late), 6);
}
END_TEST

/* --- R26b: residents' guide each January; paid services ------------- */

START_TEST(r26b_guide_updated_in_january_and_paid_services_registered)
{
	uint64_t ok, late, paid;

	it_start("2026-01-05T09:00:00+08:00", GJ_PLUGIN_BUILD_DIR, NULL);
	/* January's last working day is Friday 01-30. */
	ok = it_open_as("zhao.min", "admin_hr", "r26b_guide_update", "main",
			KV("year=2026", "due_by=2026-01-30T17:30:00+08:00"));
	late = it_open_as("zhao.min", "admin_hr", "r26b_guide_update", "main",
			  KV("year=2026", "due_by=2026-01-30T17:30:00+08:00"));

	advance_to_text("2026-01-20T10:00:00+08:00");
	it_fire_refused("li.ming", "butler", ok, "distribute", KV("distribution=300 copies"),
			GUANJIA__ERROR_CODE__MISSING_FIELD, "updated");
	it_fire_as("wang.fang", "cs_lead", ok, "update",
		   KV("version=2026 guide: new metro line 12, gas office moved"));
	it_fire_refused("wang.fang", "cs_lead", ok, "complete", NULL, 0,
			GUANJIA__ERROR_CODE__MISSING_FIELD, "distributed");
	advance_to_text("2026-01-22T10:00:00+08:00");
	it_fire_as("li.ming", "butler", ok, "distribute",
		   KV("distribution=312 laminated copies, list signed by households"));
	it_fire_as("wang.fang", "cs_lead", ok, "complete", NULL, 0);
	it_assert_state(ok, "done");

	/* Late: the cs_lead warned a week before the end of January, the
	 * manager alerted at its close. */
	expect_alert(late, "guide", WARNING, "2026-01-23T17:30:00+08:00", "cs_lead");
	expect_alert(late, "guide", BREACH, "2026-01-30T17:30:00+08:00", "manager");

	/* A paid service: charged to the price list with a receipt, then the
	 * call-back; the call-back needs the receipt.  No time limit, no
	 * clock: the ticket is the register. */
	paid = it_open_as("li.ming", "butler", "r26b_paid_service", "main",
			  KV("unit=3-2-101", "service=cleaning", "price=120"));
	it_fire_refused("li.ming", "butler", paid, "call_back", KV("satisfaction=satisfied"),
			GUANJIA__ERROR_CODE__MISSING_FIELD, "charged");
	it_fire_as("li.ming", "butler", paid, "charge", KV("receipt=R-000731"));
	it_advance(2 * HOUR);
	it_fire_as("li.ming", "butler", paid, "call_back", KV("satisfaction=satisfied"));
	it_assert_state(paid, "called_back");

	ck_assert_uint_eq(it_n_alerts(ok), 0);
	ck_assert_uint_eq(it_n_alerts(paid), 0);
	ck_assert_uint_eq(it_n_alerts(late), 2);
}
END_TEST

/* --- R27: the yearly plan and a community event --------------------- */

START_TEST(r27_event_plan_and_community_event)
{
	uint64_t plan_ok, plan_late, ev_ok, ev_late;

	it_start("2026-11-20T09:00:00+08:00", GJ_PLUGIN_BUILD_DIR, NULL);
	plan_ok = it_open_as("zhao.min", "admin_hr", "r27_event_plan", "main",
			     KV("year=2027", "submit_by=2026-12-04T17:30:00+08:00",
				"approve_by=2027-01-29T17:30:00+08:00"));
	plan_late = it_open_as("zhao.min", "admin_hr", "r27_event_plan", "main",
			       KV("year=2027", "submit_by=2026-12-04T17:30:00+08:00",
				  "approve_by=2027-01-29T17:30:00+08:00"));
	/* December's event, Sunday 12-20 at 15:00: planned 20 days ahead, by
	 * 2026-11-30T15:00. */
	ev_ok = it_open_as("wang.fang", "cs_lead", "r27_community_event", "main",
			   KV("activity=winter solstice dumplings",
			      "event_date=2026-12-20T15:00:00+08:00",
			      "plan_by=2026-11-30T15:00:00+08:00"));
	ev_late = it_open_as("wang.fang", "cs_lead", "r27_community_event", "main",
			     KV("activity=children's calligraphy",
				"event_date=2026-12-20T15:00:00+08:00",
				"plan_by=2026-11-30T15:00:00+08:00"));

	advance_to_text("2026-11-25T10:00:00+08:00");
	it_fire_as("wang.fang", "cs_lead", ev_ok, "plan", KV("plan=plan v1, budget 800"));
	expect_alert(ev_late, "plan", WARNING, "2026-11-27T15:00:00+08:00", "cs_lead");
	expect_alert(ev_late, "plan", BREACH, "2026-11-30T15:00:00+08:00", "manager");

	advance_to_text("2026-12-01T10:00:00+08:00");
	it_fire_as("wang.fang", "cs_lead", ev_late, "plan", KV("plan=plan v1"));
	it_fire_as("wang.fang", "cs_lead", plan_ok, "submit", KV("plan=2027 plan, 12 events"));
	expect_alert(plan_late, "submit", WARNING, "2026-12-02T17:30:00+08:00", "cs_lead");
	expect_alert(plan_late, "submit", BREACH, "2026-12-04T17:30:00+08:00", "manager");
	advance_to_text("2026-12-07T10:00:00+08:00");
	it_fire_as("wang.fang", "cs_lead", plan_late, "submit", KV("plan=2027 plan"));
	advance_to_text("2026-12-10T10:00:00+08:00");
	it_fire_refused("wang.fang", "cs_lead", plan_ok, "approve", NULL, 0,
			GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "manager");
	it_fire_as("chen.jianguo", "manager", plan_ok, "send_back",
		   KV("comments=add a spring fair"));
	advance_to_text("2026-12-15T10:00:00+08:00");
	it_fire_as("wang.fang", "cs_lead", plan_ok, "submit", KV("plan=2027 plan v2"));

	/* Invitations within the week before the event (12-13 onwards), with
	 * the site's safety, materials and staff arranged. */
	it_fire_refused("li.ming", "butler", ev_ok, "invite",
			KV("invitations=notice boards, WeChat"), GUANJIA__ERROR_CODE__MISSING_FIELD,
			"arrangements");
	it_fire_as("li.ming", "butler", ev_ok, "invite",
		   KV("invitations=notice boards, WeChat",
		      "arrangements=2 guards, tables, first aid"));
	expect_alert(ev_late, "invite", WARNING, "2026-12-18T15:00:00+08:00", "butler,cs_lead");
	expect_alert(ev_late, "invite", BREACH, "2026-12-20T15:00:00+08:00", "manager");
	advance_to_text("2026-12-20T15:30:00+08:00");
	it_fire_as("li.ming", "butler", ev_late, "invite",
		   KV("invitations=door to door", "arrangements=1 guard"));
	advance_to_text("2026-12-20T17:00:00+08:00");
	it_fire_as("wang.fang", "cs_lead", ev_ok, "hold", KV("records=86 residents, 40 photos"));
	it_fire_as("wang.fang", "cs_lead", ev_late, "hold", KV("records=20 residents, 12 photos"));
	advance_to_text("2026-12-22T10:00:00+08:00");
	it_fire_as("wang.fang", "cs_lead", ev_ok, "evaluate",
		   KV("evaluation=good", "opinions=31 forms",
		      "archive=CS cabinet E, keep to 2028-12"));
	it_assert_state(ev_ok, "evaluated");
	/* The late event's evaluation: within 5 working days of Sunday 12-20,
	 * i.e. by the close of Friday 12-25; the cs_lead warned at 09:30. */
	expect_alert(ev_late, "evaluate", WARNING, "2026-12-25T09:30:00+08:00", "cs_lead");
	expect_alert(ev_late, "evaluate", BREACH, "2026-12-25T17:30:00+08:00", "manager");

	advance_to_text("2027-01-12T10:00:00+08:00");
	it_fire_as("chen.jianguo", "manager", plan_ok, "approve", NULL, 0);
	it_assert_state(plan_ok, "approved");
	expect_alert(plan_late, "approve", WARNING, "2027-01-22T17:30:00+08:00", "manager");
	expect_alert(plan_late, "approve", BREACH, "2027-01-29T17:30:00+08:00", "manager,admin_hr");

	ck_assert_uint_eq(it_n_alerts(plan_ok), 0);
	ck_assert_uint_eq(it_n_alerts(ev_ok), 0);
	ck_assert_uint_eq(it_n_alerts(plan_late), 4);
	ck_assert_uint_eq(it_n_alerts(ev_late), 6);
}
END_TEST

/* --- R28a: holiday concierge, National Day 2026 --------------------- */

START_TEST(r28a_holiday_concierge_before_national_day)
{
	char last[16];
	uint64_t coming, staying, late;
	const char *contact_by = "contact_by=2026-09-23T17:30:00+08:00";

	it_start("2026-09-21T09:00:00+08:00", GJ_PLUGIN_BUILD_DIR, NULL);
	/*
	 * National Day 2026 rests 10-01..10-07 (Thursday to Wednesday).  The
	 * 5 working days before it, counted back from Wednesday 09-30: 09-30
	 * (1), 09-29 (2), 09-28 (3); Sunday 09-27, Saturday 09-26 and Friday
	 * 09-25 are the Mid-Autumn rest days, skipped; 09-24 (4), 09-23 (5).
	 * (The make-up Sunday 09-20 lies before.)  So the owner is contacted
	 * by the close of Wednesday 09-23.  The calendar agrees: 5 working
	 * days after 09-22 end on 09-30, the eve of the holiday; 5 after 09-23
	 * reach past it, to 10-08.
	 */
	calendar_add("2026-09-22", 5, last, sizeof(last));
	ck_assert_str_eq(last, "2026-09-30");
	calendar_add("2026-09-23", 5, last, sizeof(last));
	ck_assert_str_eq(last, "2026-10-08");

	coming = it_open_as("zhao.min", "admin_hr", "r28a_holiday_contact", "main",
			    KV("owner=Mr Lin", "unit=3-2-101", "holiday=National Day 2026-10-01",
			       contact_by));
	staying = it_open_as("zhao.min", "admin_hr", "r28a_holiday_contact", "main",
			     KV("owner=Ms Guo", "unit=2-8-1602", "holiday=National Day 2026-10-01",
				contact_by));
	late = it_open_as("zhao.min", "admin_hr", "r28a_holiday_contact", "main",
			  KV("owner=Mr He", "unit=4-1-301", "holiday=National Day 2026-10-01",
			     contact_by));

	/* On time: contacted on Tuesday 09-22; one comes on the evening of
	 * 09-30 (airport pick-up wanted), the other stays away. */
	advance_to_text("2026-09-22T10:00:00+08:00");
	it_fire_refused("li.ming", "butler", coming, "coming", KV("pickup=CZ3101 16:40"),
			GUANJIA__ERROR_CODE__MISSING_FIELD, "arrival_at");
	it_fire_as("li.ming", "butler", coming, "coming",
		   KV("arrival_at=2026-09-30T18:00:00+08:00", "pickup=CZ3101 lands 16:40"));
	it_fire_as("li.ming", "butler", staying, "not_coming", NULL, 0);
	it_assert_state(staying, "not_coming");

	/* Late: the butler warned a day before, the cs_lead at the close of
	 * 09-23. */
	expect_alert(late, "contact", WARNING, "2026-09-22T17:30:00+08:00", "butler");
	expect_alert(late, "contact", BREACH, "2026-09-23T17:30:00+08:00", "cs_lead");
	advance_to_text("2026-09-24T10:00:00+08:00");
	it_fire_as("li.ming", "butler", late, "coming", KV("arrival_at=2026-10-01T12:00:00+08:00"));

	/* The unit of the owner coming on 09-30 is cleaned and checked on
	 * 09-28; he arrives at 18:00 and is visited the next morning. */
	advance_to_text("2026-09-28T15:00:00+08:00");
	it_fire_as("li.ming", "butler", coming, "unit_ready",
		   KV("check=cleaned; water and power on"));
	/* The late owner's unit is not ready a day before the arrival (the
	 * butler warned) nor at the arrival (the cs_lead told). */
	expect_alert(late, "prepare", WARNING, "2026-09-30T12:00:00+08:00", "butler");
	advance_to_text("2026-09-30T18:00:00+08:00");
	it_fire_as("xu.bing", "security", coming, "arrived",
		   KV("visit_by=2026-10-01T17:30:00+08:00"));
	advance_to_text("2026-10-01T10:00:00+08:00");
	it_fire_as("li.ming", "butler", coming, "visit",
		   KV("visit_notes=shops and metro map given"));
	it_assert_state(coming, "visited");
	expect_alert(late, "prepare", BREACH, "2026-10-01T12:00:00+08:00", "cs_lead");

	/* He arrives at 12:30 to a unit cleaned only at 13:00, and nobody
	 * visits him on 10-02: the butler warned at 13:30, the cs_lead told
	 * at 17:30. */
	advance_to_text("2026-10-01T12:30:00+08:00");
	it_fire_as("li.ming", "butler", late, "arrived", KV("visit_by=2026-10-02T17:30:00+08:00"));
	advance_to_text("2026-10-01T13:00:00+08:00");
	it_fire_as("li.ming", "butler", late, "unit_ready",
		   KV("check=cleaned; water and power on"));
	expect_alert(late, "visit", WARNING, "2026-10-02T13:30:00+08:00", "butler");
	expect_alert(late, "visit", BREACH, "2026-10-02T17:30:00+08:00", "cs_lead");

	ck_assert_uint_eq(it_n_alerts(coming), 0);
	ck_assert_uint_eq(it_n_alerts(staying), 0);
	ck_assert_uint_eq(it_n_alerts(late), 6);
}
END_TEST

/* --- R28b: incidents, outages, defects and disputes ------------------ */

START_TEST(r28b_special_event_outage_and_dispute)
{
	uint64_t ev_ok, ev_late, out_ok, out_late, dis_ok, dis_late, dis_butler;

	/* Item 2, an incident (the shipped r28b_special_event): 1 -> 5 -> 5
	 * minutes, and 10 minutes to the first plan fed back. */
	it_start("2026-10-09T22:00:00+08:00", GJ_PLUGIN_BUILD_DIR, NULL);
	ev_ok = it_open_as("xu.bing", "security", "r28b_special_event", "main",
			   KV("kind=burst_pipe", "location=2# basement"));
	ev_late = it_open_as("xu.bing", "security", "r28b_special_event", "main",
			     KV("kind=burst_pipe", "location=4# basement"));
	it_advance(30 * SEC);
	it_fire_as("xu.bing", "security", ev_ok, "report_to_head", NULL, 0);
	/* Nobody told the team head of the other one within a minute. */
	expect_alert(ev_late, "report_to_head", BREACH, "2026-10-09T22:01:00+08:00", "team_head");
	advance_to_text("2026-10-09T22:02:00+08:00");
	it_fire_as("xu.bing", "security", ev_late, "report_to_head", NULL, 0);
	advance_to_text("2026-10-09T22:03:00+08:00");
	it_fire_as("huang.lei", "team_head", ev_ok, "report_to_manager", NULL, 0);
	/* The special_event plugin: the manager alerted directly 5 minutes
	 * after the finding when the team head has not reported. */
	it_expect_alert(ev_late, "special_event", "head_report", IT_ANY_LEVEL,
			it_at("2026-10-09T22:05:00+08:00"), "manager", IT_ANY_COUNT);
	advance_to_text("2026-10-09T22:05:30+08:00");
	it_fire_as("chen.jianguo", "manager", ev_ok, "manager_on_site", NULL, 0);
	/* The head told at 22:02 reports at 22:07 at the latest. */
	expect_alert(ev_late, "report_to_manager", WARNING, "2026-10-09T22:06:00+08:00",
		     "team_head");
	expect_alert(ev_late, "report_to_manager", BREACH, "2026-10-09T22:07:00+08:00", "manager");
	advance_to_text("2026-10-09T22:07:30+08:00");
	it_fire_as("huang.lei", "team_head", ev_late, "report_to_manager", NULL, 0);
	advance_to_text("2026-10-09T22:07:45+08:00");
	it_fire_as("huang.lei", "team_head", ev_ok, "feedback_given",
		   KV("first_plan=valve closed, plumber called, residents of 2# told"));
	expect_alert(ev_late, "first_response", WARNING, "2026-10-09T22:08:00+08:00",
		     "team_head,butler");
	expect_alert(ev_late, "first_response", BREACH, "2026-10-09T22:10:00+08:00",
		     "manager,cs_lead");
	/* The manager heard at 22:07:30 and is not there by 22:12:30. */
	expect_alert(ev_late, "manager_on_site", WARNING, "2026-10-09T22:11:30+08:00", "manager");
	expect_alert(ev_late, "manager_on_site", BREACH, "2026-10-09T22:12:30+08:00",
		     "manager,cs_lead");
	/* No close without the written special-event report. */
	advance_to_text("2026-10-09T23:00:00+08:00");
	it_fire_refused("huang.lei", "team_head", ev_ok, "close", NULL, 0,
			GUANJIA__ERROR_CODE__MISSING_FIELD, "report");
	it_fire_as("huang.lei", "team_head", ev_ok, "close", KV("report=pipe replaced, no damage"));
	it_assert_state(ev_ok, "closed");

	/* Item 1, an outage: the butler finishes notifying within 10 minutes;
	 * late, the butlers warned at 8, the cs_lead and the manager at 10. */
	out_ok = it_open_as("sun.qiang", "engineering", "r28b_outage", "main",
			    KV("kind=power", "area=3# all floors"));
	out_late = it_open_as("sun.qiang", "engineering", "r28b_outage", "main",
			      KV("kind=water", "area=1# units 1-10 floors"));
	it_advance(6 * MIN);
	it_fire_as("li.ming", "butler", out_ok, "notify_residents",
		   KV("notice=WeChat group and lift posters; back by 01:00"));
	expect_alert(out_late, "notify", WARNING, "2026-10-09T23:08:00+08:00", "butler");
	expect_alert(out_late, "notify", BREACH, "2026-10-09T23:10:00+08:00", "cs_lead,manager");
	advance_to_text("2026-10-09T23:40:00+08:00");
	it_fire_refused("li.ming", "butler", out_ok, "close", KV("report=cable fault, 40 min"),
			GUANJIA__ERROR_CODE__MISSING_FIELD, "restored");
	it_fire_as("sun.qiang", "engineering", out_ok, "restored", NULL, 0);
	it_fire_refused("li.ming", "butler", out_ok, "close", NULL, 0,
			GUANJIA__ERROR_CODE__MISSING_FIELD, "report");
	it_fire_as("li.ming", "butler", out_ok, "close", KV("report=cable fault, 40 min"));
	it_assert_state(out_ok, "closed");

	/* Item 3, a defect or dispute: the butler told and the manager told
	 * within 5 minutes, the first plan fed back within 10.  Heard of by a
	 * guard (on time), by engineering (late), by a butler (no butler to
	 * tell). */
	advance_to_text("2026-10-10T08:00:00+08:00");
	dis_ok = it_open_as("xu.bing", "security", "r28b_dispute", "main",
			    KV("kind=defect", "location=3-2-101 leak from 3-3-101",
			       "received_by=security"));
	dis_late = it_open_as("sun.qiang", "engineering", "r28b_dispute", "main",
			      KV("kind=economic_dispute", "location=1-5-902 decoration contractor",
				 "received_by=engineering"));
	dis_butler = it_open_as("li.ming", "butler", "r28b_dispute", "main",
				KV("kind=domestic_dispute", "location=2-8-1602 nanny",
				   "received_by=butler"));
	/* A butler heard of it: no butler to tell, that clock never starts. */
	ck_assert_int_eq(clock_state(dis_butler, "tell_butler"), GUANJIA__CLOCK_STATE__CLOCK_IDLE);
	ck_assert_int_eq(clock_state(dis_late, "tell_butler"), GUANJIA__CLOCK_STATE__CLOCK_RUNNING);
	it_advance(2 * MIN);
	it_fire_as("xu.bing", "security", dis_ok, "tell_butler", KV("butler=li.ming"));
	it_fire_as("li.ming", "butler", dis_butler, "report_to_manager", NULL, 0);
	it_advance(1 * MIN);
	it_fire_as("xu.bing", "security", dis_ok, "report_to_manager", NULL, 0);
	it_fire_refused("li.ming", "butler", dis_ok, "feedback_given", NULL, 0,
			GUANJIA__ERROR_CODE__MISSING_FIELD, "first_plan");
	/* Both 5-minute clocks of the late one warn at 08:04 and fall due at
	 * 08:05, together. */
	it_advance_to(it_at("2026-10-10T08:04:00+08:00") - 1);
	ck_assert_uint_eq(it_n_alerts(dis_late), 0);
	it_advance(1);
	check_alert(dis_late, "tell_butler", WARNING, "2026-10-10T08:04:00+08:00", "team_head");
	check_alert(dis_late, "report_to_manager", WARNING, "2026-10-10T08:04:00+08:00",
		    "team_head,butler");
	it_fire_as("chen.jianguo", "manager", dis_ok, "first_plan",
		   KV("first_plan=inspect 3-3-101 today, stop the water, repair by 10-12"));
	it_fire_as("chen.jianguo", "manager", dis_butler, "first_plan",
		   KV("first_plan=meet owner and agency at 10:00"));
	it_advance_to(it_at("2026-10-10T08:05:00+08:00") - 1);
	ck_assert_uint_eq(it_alerts(dis_late, NULL, NULL, BREACH, 0).n, 0);
	it_advance(1);
	check_alert(dis_late, "tell_butler", BREACH, "2026-10-10T08:05:00+08:00", "cs_lead");
	check_alert(dis_late, "report_to_manager", BREACH, "2026-10-10T08:05:00+08:00", "manager");
	advance_to_text("2026-10-10T08:07:00+08:00");
	it_fire_as("li.ming", "butler", dis_ok, "feedback_given", NULL, 0);
	it_fire_as("li.ming", "butler", dis_butler, "feedback_given", NULL, 0);
	expect_alert(dis_late, "first_response", WARNING, "2026-10-10T08:08:00+08:00",
		     "manager,butler");
	expect_alert(dis_late, "first_response", BREACH, "2026-10-10T08:10:00+08:00",
		     "manager,cs_lead");
	advance_to_text("2026-10-10T11:00:00+08:00");
	it_fire_refused("li.ming", "butler", dis_ok, "close", NULL, 0,
			GUANJIA__ERROR_CODE__MISSING_FIELD, "report");
	it_fire_as("li.ming", "butler", dis_ok, "close", KV("report=leak traced to 3-3-101 bath"));
	it_assert_state(dis_ok, "closed");

	ck_assert_uint_eq(it_n_alerts(ev_ok), 0);
	ck_assert_uint_eq(it_n_alerts(out_ok), 0);
	ck_assert_uint_eq(it_n_alerts(dis_ok), 0);
	ck_assert_uint_eq(it_n_alerts(dis_butler), 0);
	ck_assert_uint_eq(it_n_alerts(ev_late), 8);
	ck_assert_uint_eq(it_n_alerts(out_late), 2);
	ck_assert_uint_eq(it_n_alerts(dis_late), 6);
}
END_TEST

Suite *rules_office_suite(void)
{
	Suite *s = suite_create("rules_office");
	TCase *tc = tcase_create("daemon");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, it_setup, it_teardown);
	tcase_add_test(tc, r23_monthly_meeting_progress_table_and_quality_brief);
	tcase_add_test(tc, r24_records_found_filed_indexed_and_backed_up);
	tcase_add_test(tc, r26a_home_repair_dispatch_at_door_and_callback);
	tcase_add_test(tc, r26b_guide_updated_in_january_and_paid_services_registered);
	tcase_add_test(tc, r27_event_plan_and_community_event);
	tcase_add_test(tc, r28a_holiday_concierge_before_national_day);
	tcase_add_test(tc, r28b_special_event_outage_and_dispute);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return it_run(rules_office_suite());
}
