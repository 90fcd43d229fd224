/*
 * test_gj_print.c - unit test of the text gj prints for the records and
 * replies test_client.c does not cover: notices (a line, then the text
 * indented), alerts of a plugin's ladder with the people on duty, a moved
 * deadline, `gj explain` and `gj recompute`.
 */
#include "gj_print.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 2026-10-09T10:00:00+08:00 */
#define NOW 1791511200000LL
#define MIN 60000LL

/* What print(f, arg) wrote. */
static char *capture(void (*print)(FILE *f, const void *arg), const void *arg)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(f);
	print(f, arg);
	ck_assert_int_eq(fclose(f), 0);
	return out;
}

static void print_record(FILE *f, const void *r)
{
	ck_assert_int_eq(gj_print_record(f, r), 0);
}

static void print_recompute(FILE *f, const void *res)
{
	gj_print_recompute(f, res);
}

static void print_explanation(FILE *f, const void *ex)
{
	gj_print_explanation(f, ex);
}

START_TEST(test_notice)
{
	Guanjia__Record r = GUANJIA__RECORD__INIT;
	Guanjia__Notice n = GUANJIA__NOTICE__INIT;
	uint64_t ids[25];
	char *s;

	for (size_t i = 0; i < 25; i++)
		ids[i] = 100 + i;
	r.seq = 57;
	r.at = NOW;
	r.topic = (char *)"notice.demo.defer_notice.deferred_repairs";
	r.body_case = GUANJIA__RECORD__BODY_NOTICE;
	r.notice = &n;
	n.estate = (char *)"demo";
	n.plugin = (char *)"defer_notice";
	n.name = (char *)"deferred_repairs";
	n.text = (char *)"Deferred repairs on demo (R17): 2\n"
			 "- ticket 12, lobby: lamp; reason: part on order; expected 2026-10-20\n"
			 "- ticket 15; no defer notice yet (due by 2026-10-13T17:30:00+08:00)\n";
	ids[0] = 12;
	ids[1] = 15;
	n.ticket_ids = ids;
	n.n_ticket_ids = 2;

	s = gj_record_line(&r);
	ck_assert_str_eq(s, "#57 2026-10-09T10:00:00+08:00 notice.demo.defer_notice.deferred_repairs "
			    "notice deferred_repairs from defer_notice: 2 tickets (12, 15)");
	free(s);
	s = capture(print_record, &r);
	ck_assert_str_eq(s, "#57 2026-10-09T10:00:00+08:00 notice.demo.defer_notice.deferred_repairs "
			    "notice deferred_repairs from defer_notice: 2 tickets (12, 15)\n"
			    "    Deferred repairs on demo (R17): 2\n"
			    "    - ticket 12, lobby: lamp; reason: part on order; expected 2026-10-20\n"
			    "    - ticket 15; no defer notice yet (due by 2026-10-13T17:30:00+08:00)\n");
	free(s);

	/* No ids, a text without a final newline. */
	n.n_ticket_ids = 0;
	n.text = (char *)"Deferred repairs on demo (R17): 0 (none)";
	s = capture(print_record, &r);
	ck_assert_str_eq(s, "#57 2026-10-09T10:00:00+08:00 notice.demo.defer_notice.deferred_repairs "
			    "notice deferred_repairs from defer_notice: no tickets\n"
			    "    Deferred repairs on demo (R17): 0 (none)\n");
	free(s);

	/* One id; a long list is cut after 20. */
	n.text = (char *)"";
	n.n_ticket_ids = 1;
	s = capture(print_record, &r);
	ck_assert_ptr_nonnull(strstr(s, ": 1 ticket (12)\n"));
	ck_assert_ptr_null(strstr(s, "\n    "));
	free(s);
	n.n_ticket_ids = 25;
	s = gj_record_line(&r);
	ck_assert_ptr_nonnull(strstr(s, ": 25 tickets (12, 15, 102, "));
	ck_assert_ptr_nonnull(strstr(s, ", 119 and 5 more)"));
	free(s);
}
END_TEST

START_TEST(test_alert_ladder_on_duty)
{
	Guanjia__Record r = GUANJIA__RECORD__INIT;
	Guanjia__Alert a = GUANJIA__ALERT__INIT;
	Guanjia__OnDuty d1 = GUANJIA__ON_DUTY__INIT, d2 = GUANJIA__ON_DUTY__INIT;
	Guanjia__OnDuty d3 = GUANJIA__ON_DUTY__INIT;
	Guanjia__OnDuty *duty[] = { &d1, &d2, &d3 };
	char *roles[] = { (char *)"engineering", (char *)"team_head" };
	char *s;

	r.seq = 60;
	r.at = NOW + 5 * MIN;
	r.topic = (char *)"alert.demo.r28b_special_event.report_to_manager";
	r.body_case = GUANJIA__RECORD__BODY_ALERT;
	r.alert = &a;
	a.ticket_id = 9;
	a.clock = (char *)"report_to_manager";
	a.rule = (char *)"R28b";
	a.level = GUANJIA__ALERT_LEVEL__BREACH;
	a.late_ms = MIN;
	a.notify_roles = roles;
	a.n_notify_roles = 2;
	a.message = (char *)"not reported to the manager";
	a.step = 2;
	a.plugin = (char *)"ladder";
	d1.role = (char *)"engineering";
	d1.person = (char *)"sun.qiang";
	d1.name = (char *)"孙强";
	d2.role = (char *)"manager";
	d2.person = (char *)"chen.jianguo";
	d2.name = (char *)"陈建国";
	d2.fallback_for = (char *)"team_head";
	a.on_duty = duty;
	a.n_on_duty = 2;

	s = gj_record_line(&r);
	ck_assert_str_eq(s, "#60 2026-10-09T10:05:00+08:00 alert.demo.r28b_special_event.report_to_manager "
			    "ticket 9: BREACH clock report_to_manager (R28b), step 2 (ladder), 1m00s late, "
			    "notify engineering, team_head, on duty: engineering 孙强 (sun.qiang); "
			    "manager 陈建国 (chen.jianguo) for team_head: not reported to the manager");
	free(s);

	/* A person without a display name; a plugin's alert that is no step. */
	d3.role = (char *)"security";
	d3.person = (char *)"guard.2";
	duty[0] = &d3;
	a.n_on_duty = 1;
	a.step = 0;
	a.plugin = (char *)"defer_notice";
	a.late_ms = 0;
	a.n_notify_roles = 0;
	s = gj_record_line(&r);
	ck_assert_str_eq(s, "#60 2026-10-09T10:05:00+08:00 alert.demo.r28b_special_event.report_to_manager "
			    "ticket 9: BREACH clock report_to_manager (R28b), from defer_notice, "
			    "on duty: security guard.2: not reported to the manager");
	free(s);

	/* The workflow's own alert reads as before. */
	a.plugin = (char *)"";
	a.n_on_duty = 0;
	a.n_notify_roles = 1;
	s = gj_record_line(&r);
	ck_assert_str_eq(s, "#60 2026-10-09T10:05:00+08:00 alert.demo.r28b_special_event.report_to_manager "
			    "ticket 9: BREACH clock report_to_manager (R28b), notify engineering: "
			    "not reported to the manager");
	free(s);
}
END_TEST

START_TEST(test_clock_moved)
{
	Guanjia__Record r = GUANJIA__RECORD__INIT;
	Guanjia__ClockEvent c = GUANJIA__CLOCK_EVENT__INIT;
	char *s;

	r.seq = 70;
	r.at = NOW;
	r.topic = (char *)"clock.main.r17_repair.moderate_repair";
	r.body_case = GUANJIA__RECORD__BODY_CLOCK;
	r.clock = &c;
	c.ticket_id = 12;
	c.clock = (char *)"moderate_repair";
	c.rule = (char *)"R17";
	c.kind = GUANJIA__CLOCK_EVENT_KIND__MOVED;
	c.deadline = NOW + 4 * 24 * 60 * MIN;
	s = gj_record_line(&r);
	ck_assert_str_eq(s, "#70 2026-10-09T10:00:00+08:00 clock.main.r17_repair.moderate_repair "
			    "ticket 12: clock moderate_repair (R17) moved, due 2026-10-13T10:00:00+08:00");
	free(s);
}
END_TEST

START_TEST(test_recompute)
{
	Guanjia__RecomputeResult res = GUANJIA__RECOMPUTE_RESULT__INIT;
	uint64_t ids[] = { 12, 15 };
	char *s;

	s = capture(print_recompute, &res);
	ck_assert_str_eq(s, "0 deadlines would move\n");
	free(s);
	res.applied = true;
	s = capture(print_recompute, &res);
	ck_assert_str_eq(s, "0 deadlines moved\n");
	free(s);

	res.applied = false;
	res.clocks_moved = 3;
	res.tickets_moved = 2;
	res.ticket_ids = ids;
	res.n_ticket_ids = 2;
	s = capture(print_recompute, &res);
	ck_assert_str_eq(s, "3 deadlines of 2 tickets would move: 12, 15; "
			    "run again with --apply to move them\n");
	free(s);
	res.applied = true;
	s = capture(print_recompute, &res);
	ck_assert_str_eq(s, "3 deadlines of 2 tickets moved: 12, 15\n");
	free(s);

	res.applied = false;
	res.clocks_moved = 1;
	res.tickets_moved = 1;
	res.n_ticket_ids = 1;
	s = capture(print_recompute, &res);
	ck_assert_str_eq(s, "1 deadline of 1 ticket would move: 12; run again with --apply to move it\n");
	free(s);

	/* The daemon sends the first 1000 ids. */
	res.clocks_moved = 1500;
	res.tickets_moved = 1002;
	res.n_ticket_ids = 2;
	res.applied = true;
	s = capture(print_recompute, &res);
	ck_assert_str_eq(s, "1500 deadlines of 1002 tickets moved: 12, 15 and 1000 more\n");
	free(s);
}
END_TEST

START_TEST(test_explanation)
{
	Guanjia__Explanation ex = GUANJIA__EXPLANATION__INIT;
	char *lines[] = { (char *)"ticket 1: r17_repair@2 (R17)", (char *)"  started 10:00" };
	char *s;

	s = capture(print_explanation, &ex);
	ck_assert_str_eq(s, "");
	free(s);
	ex.lines = lines;
	ex.n_lines = 2;
	s = capture(print_explanation, &ex);
	ck_assert_str_eq(s, "ticket 1: r17_repair@2 (R17)\n  started 10:00\n");
	free(s);
}
END_TEST

static Suite *gj_print_suite(void)
{
	Suite *s = suite_create("gj_print");
	TCase *t = tcase_create("text");

	tcase_add_test(t, test_notice);
	tcase_add_test(t, test_alert_ladder_on_duty);
	tcase_add_test(t, test_clock_moved);
	tcase_add_test(t, test_recompute);
	tcase_add_test(t, test_explanation);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gj_print_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
