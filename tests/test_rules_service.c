/*
 * test_rules_service.c - RULEBOOK R18, R19, R21 and R22 (internal service
 * quality: visits, complaints, fee collection, internal statistics) walked
 * on the real guanjiad, estate `main`, with a manual clock and the shipped
 * plugins loaded, as scripts/run starts it.  One test per rule: each clock
 * of the rule is walked through an on-time path (no alert at all) and a
 * late path (the alert's roles and exact instant, and none a millisecond
 * before).  Workflows: etc/workflows/r18_*.yaml, r19_complaint.yaml,
 * r21_fee_account.yaml, r22_*.yaml.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guanjia.h"
#include "itest.h"
#include "wire.h"

#define MIN 60000LL
#define HOUR (60 * MIN)

#define WARNING GUANJIA__ALERT_LEVEL__WARNING
#define BREACH GUANJIA__ALERT_LEVEL__BREACH

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A field of the ticket (malloc'd), NULL if absent. */
static char *field_of(uint64_t id, const char *name)
{
	Guanjia__Reply *r = NULL;
	const char *v = it_field(it_get(id, false, &r), name);
	char *copy = v ? strdup(v) : NULL;

	gj_reply_free(r);
	return copy;
}

static void assert_field(uint64_t id, const char *name, const char *value)
{
	char *v = field_of(id, name);

	ck_assert_msg(v != NULL, "ticket %llu has no field %s", (unsigned long long)id, name);
	ck_assert_str_eq(v, value);
	free(v);
}

static size_t n_clocks(uint64_t id)
{
	Guanjia__Reply *r = NULL;
	size_t n = it_get(id, false, &r)->n_clocks;

	gj_reply_free(r);
	return n;
}

/* The late path of one clock: nothing at `instant` - 1 ms, then exactly
 * one alert of `level` at `instant`, for `roles` ("a,b"). */
static void expect_alert(uint64_t ticket, const char *clock, Guanjia__AlertLevel level,
			 const char *instant, const char *roles)
{
	it_expect_alert(ticket, NULL, clock, level, it_at(instant), roles, IT_ANY_COUNT);
}

/* The first role of `open: roles:` in a shipped workflow file: the
 * guard-post client opens r18_gate_entry as `security`, and the generator
 * plugin opens its workflows as their first role (admin_hr). */
static void assert_first_open_role(const char *wf, const char *role)
{
	char path[512], line[512], want[128];
	bool in_open = false, found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/etc/workflows/%s.yaml", GJ_SOURCE_ROOT, wf);
	snprintf(want, sizeof(want), "  roles: [%s", role);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot read %s", path);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "open:", 5) == 0) {
			in_open = true;
		} else if (in_open && strncmp(line, "  roles:", 8) == 0) {
			found = strncmp(line, want, strlen(want)) == 0 &&
				(line[strlen(want)] == ',' || line[strlen(want)] == ']');
			break;
		} else if (in_open && line[0] != ' ') {
			break;
		}
	}
	fclose(f);
	ck_assert_msg(found, "%s: open.roles does not start with %s", wf, role);
}

/* --- R18 visits to new residents, the guard-post register ------------- */

START_TEST(r18_new_residents_visited_within_three_working_days_registers_read_before_work)
{
	const char *unit_a[] = { "unit=2-1-301", "resident=Zhao Wei" };
	const char *unit_b[] = { "unit=3-2-1502" };
	const char *who[] = { "butler=li.ming" };
	const char *visit[] = { "butler=li.ming", "interview=family of four, wants parking card" };
	const char *no_interview[] = { "butler=li.ming" };
	const char *gate[] = { "kind=vehicle", "who=粤B12345", "post=north_gate", "unit=3-2-1502" };
	const char *gate_no_post[] = { "kind=visitor", "who=Wang Qiang" };
	const char *due[] = { "due_by=2026-10-12T08:30:00+08:00" };
	const char *read[] = { "butler=li.ming", "findings=new resident at 3-2-1502" };
	const char *hv[] = { "butler=li.ming", "unit=1-1-101", "interview=asks about the lift" };
	const char *sv[] = { "butler=li.ming", "unit=1-1-102", "method=phone",
			     "opinion=cleaning of the stairwell could be better" };
	const char *followed[] = { "follow_up=passed to the cleaning team" };
	uint64_t a, b, g, r_ok, r_late, hvisit, survey;
	/* Moved in on Wednesday 2026-09-30.  By hand, on the cn calendar
	 * (docs/calendars.md: the start day is not counted; the deadline is
	 * the close of the Nth working day): 10-01..10-07 National Day rest
	 * days; 10-08 Thu is 1, 10-09 Fri is 2, 10-10 Sat, a make-up working
	 * day for National Day, is 3.  Close of 10-10: 17:30. */
	int64_t due_visit = it_at("2026-10-10T17:30:00+08:00");

	assert_first_open_role("r18_gate_entry", "security");
	assert_first_open_role("r18_register_read", "admin_hr");
	assert_first_open_role("r18_new_resident_visit", "admin_hr");

	it_start("2026-09-30T15:00:00+08:00", GJ_PLUGIN_BUILD_DIR, NULL);
	/* Opened as the generator opens them when a move-in completes. */
	a = it_open_as("generator", "admin_hr", "r18_new_resident_visit", "main", unit_a,
		       N(unit_a));
	b = it_open_as("generator", "admin_hr", "r18_new_resident_visit", "main", unit_b,
		       N(unit_b));
	it_assert_clock(a, "visit", GUANJIA__CLOCK_STATE__CLOCK_RUNNING, due_visit);
	it_assert_clock(b, "visit", GUANJIA__CLOCK_STATE__CLOCK_RUNNING, due_visit);

	/* A guard registers a car coming in; it leaves later.  No clock:
	 * the register sets no time limit. */
	g = it_open_as("xu.bing", "security", "r18_gate_entry", "main", gate, N(gate));
	ck_assert_uint_eq(n_clocks(g), 0);
	assert_field(g, "who", "粤B12345");
	it_open_refused("xu.bing", "security", "r18_gate_entry", "main", gate_no_post,
			N(gate_no_post), GUANJIA__ERROR_CODE__MISSING_FIELD, NULL);
	it_open_refused("zhao.lei", "engineering", "r18_gate_entry", "main", gate, N(gate),
			GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, NULL);
	it_advance(2 * HOUR);
	it_fire_refused("li.ming", "butler", g, "leave", NULL, 0,
			GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, NULL);
	it_fire_as("xu.bing", "security", g, "leave", NULL, 0);
	it_assert_state(g, "left");

	/* On time: visited on Friday 10-09, before the warning. */
	it_advance_to(it_at("2026-10-09T10:00:00+08:00"));
	it_fire_refused("li.ming", "butler", a, "visit", no_interview, N(no_interview),
			GUANJIA__ERROR_CODE__MISSING_FIELD, NULL);
	it_fire_as("li.ming", "butler", a, "visit", visit, N(visit));
	it_assert_state(a, "visited");
	assert_field(a, "butler", "li.ming");
	/* Late: nobody home on the Friday (the clock runs on), then forgotten. */
	it_fire_as("li.ming", "butler", b, "attempt", who, N(who));
	assert_field(b, "last_attempt", "2026-10-09T10:00:00+08:00");
	it_assert_clock(b, "visit", GUANJIA__CLOCK_STATE__CLOCK_RUNNING, due_visit);
	it_fire_refused("li.ming", "butler", b, "cancel", NULL, 0,
			GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, NULL);
	/* Warning to the butler 8 h before the close of the make-up
	 * Saturday, breach to the cs_lead at the close. */
	expect_alert(b, "visit", WARNING, "2026-10-10T09:30:00+08:00", "butler");
	expect_alert(b, "visit", BREACH, "2026-10-10T17:30:00+08:00", "cs_lead");
	ck_assert_uint_eq(it_n_alerts(b), 2);
	it_assert_no_alerts(a);
	it_assert_no_alerts(g);

	/* The registers read before work on Monday 10-12 (work starts 08:30). */
	it_advance_to(it_at("2026-10-12T07:00:00+08:00"));
	r_ok = it_open_as("generator", "admin_hr", "r18_register_read", "main", due, N(due));
	r_late = it_open_as("generator", "admin_hr", "r18_register_read", "main", due, N(due));
	it_assert_clock(r_late, "read", GUANJIA__CLOCK_STATE__CLOCK_RUNNING,
			it_at("2026-10-12T08:30:00+08:00"));
	it_advance(45 * MIN);
	it_fire_as("li.ming", "butler", r_ok, "read", read, N(read));
	it_assert_state(r_ok, "read");
	expect_alert(r_late, "read", WARNING, "2026-10-12T08:00:00+08:00", "butler");
	expect_alert(r_late, "read", BREACH, "2026-10-12T08:30:00+08:00", "cs_lead");
	it_assert_no_alerts(r_ok);

	/* The monthly visits and surveys: records naming the butler (the
	 * monthly report counts them), no clock. */
	hvisit = it_open_as("li.ming", "butler", "r18_household_visit", "main", hv, N(hv));
	survey = it_open_as("li.ming", "butler", "r18_survey", "main", sv, N(sv));
	ck_assert_uint_eq(n_clocks(hvisit), 0);
	ck_assert_uint_eq(n_clocks(survey), 0);
	assert_field(hvisit, "butler", "li.ming");
	assert_field(survey, "butler", "li.ming");
	it_fire_refused("li.ming", "butler", survey, "file", NULL, 0,
			GUANJIA__ERROR_CODE__MISSING_FIELD, NULL);
	it_fire_as("li.ming", "butler", survey, "file", followed, N(followed));
	it_fire_as("li.ming", "butler", hvisit, "file", followed, N(followed));
	it_assert_state(survey, "filed");
	it_assert_state(hvisit, "filed");
	it_open_refused("xu.bing", "security", "r18_survey", "main", sv, N(sv),
			GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, NULL);

	it_advance(30 * 24 * HOUR);
	it_assert_no_alerts(a);
	it_assert_no_alerts(r_ok);
	it_assert_no_alerts(hvisit);
	it_assert_no_alerts(survey);
	ck_assert_uint_eq(it_n_alerts(b), 2);
	ck_assert_uint_eq(it_n_alerts(r_late), 2);
}
END_TEST

/* --- R19 complaints (r19_complaint, shipped, not changed here) -------- */

START_TEST(r19_complaint_forwarded_in_five_minutes_answered_by_reply_by_called_back)
{
	const char *by_eng[] = { "received_by=engineering", "reply_by=2026-10-09T12:00:00+08:00" };
	const char *by_sec[] = { "received_by=security", "reply_by=2026-10-09T12:00:00+08:00" };
	const char *by_cs[] = { "received_by=customer_service",
				"reply_by=2026-10-09T12:00:00+08:00" };
	const char *fwd[] = { "forwarded_to=li.ming" };
	const char *reply[] = { "reply=the lift will be serviced on Monday" };
	const char *cb[] = { "callback_method=phone" };
	uint64_t ok, late, desk;

	it_start("2026-10-09T10:00:00+08:00", GJ_PLUGIN_BUILD_DIR, NULL);
	ok = it_open_as("zhao.lei", "engineering", "r19_complaint", "main", by_eng, N(by_eng));
	late = it_open_as("xu.bing", "security", "r19_complaint", "main", by_sec, N(by_sec));
	desk = it_open_as("li.ming", "butler", "r19_complaint", "main", by_cs, N(by_cs));
	/* Received by customer service itself: no forward clock. */
	it_assert_clock(desk, "forward", GUANJIA__CLOCK_STATE__CLOCK_IDLE, 0);
	it_assert_clock(late, "forward", GUANJIA__CLOCK_STATE__CLOCK_RUNNING,
			it_at("2026-10-09T10:05:00+08:00"));

	/* Forward on time: passed on at 3 min.  Late: the team head warned
	 * at 4 min, the cs_lead alerted at 5. */
	it_advance(3 * MIN);
	it_fire_as("zhao.lei", "engineering", ok, "forward", fwd, N(fwd));
	expect_alert(late, "forward", WARNING, "2026-10-09T10:04:00+08:00", "team_head");
	expect_alert(late, "forward", BREACH, "2026-10-09T10:05:00+08:00", "cs_lead");
	it_fire_as("xu.bing", "security", late, "forward", fwd, N(fwd));

	/* Reply on time: answered at 11:00, before the warning at 11:30; then
	 * called back, and the cs_lead files it only after the call-back. */
	it_advance_to(it_at("2026-10-09T11:00:00+08:00"));
	it_fire_as("li.ming", "butler", ok, "reply", reply, N(reply));
	it_fire_as("li.ming", "butler", desk, "reply", reply, N(reply));
	it_fire_refused("wang.fang", "cs_lead", ok, "close", NULL, 0,
			GUANJIA__ERROR_CODE__ILLEGAL_TRANSITION, NULL);
	it_fire_refused("li.ming", "butler", ok, "callback", NULL, 0,
			GUANJIA__ERROR_CODE__MISSING_FIELD, NULL);
	it_fire_as("li.ming", "butler", ok, "callback", cb, N(cb));
	it_fire_refused("li.ming", "butler", ok, "close", NULL, 0,
			GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, NULL);
	it_fire_as("wang.fang", "cs_lead", ok, "close", NULL, 0);
	it_assert_state(ok, "closed");

	/* The reply clock: warning to the butler 30 min before reply_by,
	 * breach to the cs_lead at it. */
	expect_alert(late, "reply", WARNING, "2026-10-09T11:30:00+08:00", "butler");
	expect_alert(late, "reply", BREACH, "2026-10-09T12:00:00+08:00", "cs_lead");
	/* Answered late, then still called back before it is filed. */
	it_advance(10 * MIN);
	it_fire_as("li.ming", "butler", late, "reply", reply, N(reply));
	it_fire_refused("wang.fang", "cs_lead", late, "close", NULL, 0,
			GUANJIA__ERROR_CODE__ILLEGAL_TRANSITION, NULL);
	it_fire_as("li.ming", "butler", late, "callback", cb, N(cb));
	it_fire_as("wang.fang", "cs_lead", late, "close", NULL, 0);

	it_advance(24 * HOUR);
	it_assert_no_alerts(ok);
	it_assert_no_alerts(desk);
	ck_assert_uint_eq(it_n_alerts(late), 4);
}
END_TEST

/* --- R21 fee collection ------------------------------------------------ */

START_TEST(r21_fee_accounts_reminded_and_unpaid_handed_to_the_manager_on_the_28th)
{
	const char *acc_a[] = { "household=1-1-101", "month=2026-10", "amount=320.00",
				"due_by=2026-10-28T17:30:00+08:00" };
	const char *acc_b[] = { "household=1-1-102", "month=2026-10", "amount=410.50",
				"due_by=2026-10-28T17:30:00+08:00" };
	const char *acc_c[] = { "household=1-1-103", "month=2026-10", "amount=298.00",
				"due_by=2026-10-28T17:30:00+08:00" };
	const char *no_due[] = { "household=1-1-104", "month=2026-10", "amount=298.00" };
	const char *bad_due[] = { "household=1-1-104", "month=2026-10", "amount=298.00",
				  "due_by=the 28th" };
	const char *phone[] = { "method=phone" };
	const char *letter[] = { "method=letter" };
	const char *message[] = { "method=message" };
	uint64_t a, b, c;

	assert_first_open_role("r21_fee_account", "admin_hr");

	/* Opened at the start of the month, as the generator does. */
	it_start("2026-10-08T09:00:00+08:00", GJ_PLUGIN_BUILD_DIR, NULL);
	a = it_open_as("generator", "admin_hr", "r21_fee_account", "main", acc_a, N(acc_a));
	b = it_open_as("generator", "admin_hr", "r21_fee_account", "main", acc_b, N(acc_b));
	c = it_open_as("generator", "admin_hr", "r21_fee_account", "main", acc_c, N(acc_c));
	it_open_refused("generator", "admin_hr", "r21_fee_account", "main", no_due, N(no_due),
			GUANJIA__ERROR_CODE__MISSING_FIELD, NULL);
	it_open_refused("generator", "admin_hr", "r21_fee_account", "main", bad_due, N(bad_due),
			GUANJIA__ERROR_CODE__INVALID_ARGUMENT, NULL);
	it_assert_clock(c, "hand_over", GUANJIA__CLOCK_STATE__CLOCK_RUNNING,
			it_at("2026-10-28T17:30:00+08:00"));

	/* Reminders are recorded, each marking when. */
	it_advance_to(it_at("2026-10-12T10:00:00+08:00"));
	it_fire_as("li.ming", "butler", a, "remind", phone, N(phone));
	assert_field(a, "reminded", "2026-10-12T10:00:00+08:00");
	it_fire_refused("li.ming", "butler", c, "remind", NULL, 0,
			GUANJIA__ERROR_CODE__MISSING_FIELD, NULL);
	/* No hand-over of an account never reminded. */
	it_fire_refused("wang.fang", "cs_lead", b, "hand_over", NULL, 0,
			GUANJIA__ERROR_CODE__MISSING_FIELD, NULL);
	it_fire_as("wang.fang", "cs_lead", b, "remind", letter, N(letter));
	it_fire_as("li.ming", "butler", c, "remind", message, N(message));

	/* On time: a pays on the 20th. */
	it_advance_to(it_at("2026-10-20T15:00:00+08:00"));
	it_fire_as("li.ming", "butler", a, "paid", NULL, 0);
	it_assert_state(a, "paid");

	/* On time: b still unpaid on the morning of the 28th; the cs_lead
	 * hands it over (only the cs_lead may) before the warning. */
	it_advance_to(it_at("2026-10-28T09:00:00+08:00"));
	it_fire_refused("li.ming", "butler", b, "hand_over", NULL, 0,
			GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, NULL);
	it_fire_as("wang.fang", "cs_lead", b, "hand_over", NULL, 0);
	it_assert_state(b, "with_manager");
	it_assert_clock(b, "hand_over", GUANJIA__CLOCK_STATE__CLOCK_STOPPED, 0);

	/* Late: c neither paid nor handed over.  The cs_lead is warned at
	 * 09:30 on the 28th, the manager alerted at its close. */
	expect_alert(c, "hand_over", WARNING, "2026-10-28T09:30:00+08:00", "cs_lead");
	expect_alert(c, "hand_over", BREACH, "2026-10-28T17:30:00+08:00", "manager");
	ck_assert_uint_eq(it_n_alerts(c), 2);

	/* The manager takes both over: reminds, records the payment. */
	it_advance(HOUR);
	it_fire_as("chen.jianguo", "manager", b, "remind", letter, N(letter));
	assert_field(b, "reminded", "2026-10-28T18:30:00+08:00");
	it_fire_as("chen.jianguo", "manager", b, "paid", NULL, 0);
	it_fire_as("chen.jianguo", "manager", c, "paid", NULL, 0);
	it_assert_state(c, "paid");

	it_advance(10 * 24 * HOUR);
	it_assert_no_alerts(a);
	it_assert_no_alerts(b);
	ck_assert_uint_eq(it_n_alerts(c), 2);
}
END_TEST

/* --- R22 internal statistics, hazards and disputes --------------------- */

START_TEST(r22_hazards_reach_the_manager_in_five_minutes_statistics_by_the_5th_and_15th)
{
	const char *hazard[] = { "kind=safety_hazard",
				 "description=loose railing on the 2# roof terrace" };
	const char *dispute[] = { "kind=economic_dispute",
				  "description=contractor and owner of 3-1-802 disagree on a bill" };
	const char *told[] = { "reported_to=chen.jianguo" };
	const char *outcome[] = { "outcome=railing fixed, terrace closed meanwhile" };
	const char *month[] = { "month=2026-10", "collect_by=2026-10-30T17:30:00+08:00",
				"due_by=2026-11-05T17:30:00+08:00",
				"present_by=2026-11-16T17:30:00+08:00" };
	const char *forms[] = { "forms=repair statistics, patrol records, interview records" };
	const char *summary[] = { "summary=repairs up 12%, 3 open patrol findings" };
	uint64_t h_ok, h_late, h_ack, s_ok, s_late;

	assert_first_open_role("r22_statistics", "admin_hr");

	it_start("2026-10-21T09:00:00+08:00", GJ_PLUGIN_BUILD_DIR, NULL);
	h_ok = it_open_as("xu.bing", "security", "r22_hazard_report", "main", hazard, N(hazard));
	h_late = it_open_as("li.ming", "butler", "r22_hazard_report", "main", dispute, N(dispute));
	h_ack = it_open_as("zhao.lei", "engineering", "r22_hazard_report", "main", hazard,
			   N(hazard));
	s_ok = it_open_as("generator", "admin_hr", "r22_statistics", "main", month, N(month));
	s_late = it_open_as("generator", "admin_hr", "r22_statistics", "main", month, N(month));

	/* On time: reported at 3 min, or acknowledged by the manager at 2. */
	it_advance(2 * MIN);
	it_fire_as("chen.jianguo", "manager", h_ack, "acknowledge", NULL, 0);
	it_advance(MIN);
	it_fire_refused("xu.bing", "security", h_ok, "report", NULL, 0,
			GUANJIA__ERROR_CODE__MISSING_FIELD, NULL);
	it_fire_as("xu.bing", "security", h_ok, "report", told, N(told));
	it_assert_state(h_ok, "reported");
	/* Late: the team head warned at 4 min, the manager alerted at 5. */
	expect_alert(h_late, "report", WARNING, "2026-10-21T09:04:00+08:00", "team_head");
	expect_alert(h_late, "report", BREACH, "2026-10-21T09:05:00+08:00", "manager");
	it_fire_refused("chen.jianguo", "manager", h_ok, "close", NULL, 0,
			GUANJIA__ERROR_CODE__MISSING_FIELD, NULL);
	it_fire_as("chen.jianguo", "manager", h_ok, "close", outcome, N(outcome));
	it_advance(HOUR);
	it_assert_no_alerts(h_ok);
	it_assert_no_alerts(h_ack);
	ck_assert_uint_eq(it_n_alerts(h_late), 2);

	/* Statistics on time: forms collected on the 29th, summarised on
	 * 11-03, presented at the meeting of Monday 11-16 (the 15th is a
	 * Sunday), in that order. */
	it_fire_refused("wang.fang", "cs_lead", s_ok, "summarise", summary, N(summary),
			GUANJIA__ERROR_CODE__ILLEGAL_TRANSITION, NULL);
	it_advance_to(it_at("2026-10-29T11:00:00+08:00"));
	it_fire_as("wang.fang", "cs_lead", s_ok, "collect", forms, N(forms));
	/* Late: nothing collected, summarised or presented.  Each clock warns
	 * the cs_lead a day before and alerts the manager at its time. */
	expect_alert(s_late, "collection", WARNING, "2026-10-29T17:30:00+08:00", "cs_lead");
	expect_alert(s_late, "collection", BREACH, "2026-10-30T17:30:00+08:00", "manager");
	it_advance_to(it_at("2026-11-03T16:00:00+08:00"));
	it_fire_as("wang.fang", "cs_lead", s_ok, "summarise", summary, N(summary));
	expect_alert(s_late, "summary", WARNING, "2026-11-04T17:30:00+08:00", "cs_lead");
	expect_alert(s_late, "summary", BREACH, "2026-11-05T17:30:00+08:00", "manager");
	it_advance_to(it_at("2026-11-13T10:00:00+08:00"));
	it_fire_as("wang.fang", "cs_lead", s_ok, "present", NULL, 0);
	it_assert_state(s_ok, "presented");
	expect_alert(s_late, "presentation", WARNING, "2026-11-15T17:30:00+08:00", "cs_lead");
	expect_alert(s_late, "presentation", BREACH, "2026-11-16T17:30:00+08:00", "manager");
	ck_assert_uint_eq(it_n_alerts(s_late), 6);
	it_advance(24 * HOUR);
	it_assert_no_alerts(s_ok);
}
END_TEST

Suite *rules_service_suite(void)
{
	Suite *s = suite_create("rules_service");
	TCase *tc = tcase_create("daemon");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, it_setup, it_teardown);
	tcase_add_test(tc, r18_new_residents_visited_within_three_working_days_registers_read_before_work);
	tcase_add_test(tc, r19_complaint_forwarded_in_five_minutes_answered_by_reply_by_called_back);
	tcase_add_test(tc, r21_fee_accounts_reminded_and_unpaid_handed_to_the_manager_on_the_28th);
	tcase_add_test(tc, r22_hazards_reach_the_manager_in_five_minutes_statistics_by_the_5th_and_15th);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return it_run(rules_service_suite());
}
