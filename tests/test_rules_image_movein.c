/*
 * test_rules_image_movein.c - RULEBOOK R01 to R11 (image; move-in,
 * decoration and IC-card procedures) against the real guanjiad: a temporary
 * data directory, ipc:// sockets, a manual clock, the embedded default
 * configuration, estate `main` (no roster: any person may act in a role).
 *
 * One test per rule.  Each walks the rule's workflow through its on-time
 * path (no alert, ever) and its late path (each alert: which clock, which
 * level, the roles it is for and the exact instant; and none a millisecond
 * before), and checks the step lists: a step missing when the procedure is
 * completed is refused with MISSING_FIELD, a step fired by a role that does
 * not do it with ROLE_NOT_ALLOWED.
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

/* Who acts, from "person/role". */
struct actor {
	char person[64];
	const char *role;
};

static struct actor actor(const char *who)
{
	struct actor a;
	const char *slash = strchr(who, '/');

	ck_assert_msg(slash && (size_t)(slash - who) < sizeof(a.person), "bad actor %s", who);
	memcpy(a.person, who, (size_t)(slash - who));
	a.person[slash - who] = 0;
	a.role = slash + 1;
	return a;
}

static size_t n_kv(const char *const *kv)
{
	size_t n = 0;

	while (kv && kv[n])
		n++;
	return n;
}

/* Open a ticket of `wf` on estate main as `who`; kv NULL-terminated. */
static uint64_t open_t(const char *who, const char *wf, const char *const *kv)
{
	struct actor a = actor(who);

	return it_open_as(a.person, a.role, wf, "main", kv, n_kv(kv));
}

static void fire(const char *who, uint64_t id, const char *event, const char *const *kv)
{
	struct actor a = actor(who);

	it_fire_as(a.person, a.role, id, event, kv, n_kv(kv));
}

/* Fire and expect a refusal with `code`, its message mentioning `about`
 * (NULL: anything). */
static void refused(const char *who, uint64_t id, const char *event, const char *const *kv,
		    Guanjia__ErrorCode code, const char *about)
{
	struct actor a = actor(who);

	it_fire_refused(a.person, a.role, id, event, kv, n_kv(kv), code, about);
}

/* The clock is running, due at `deadline`. */
static void expect_deadline(uint64_t id, const char *clock, int64_t deadline)
{
	it_assert_clock(id, clock, GUANJIA__CLOCK_STATE__CLOCK_RUNNING, deadline);
}

/* The ticket has the field, equal to `value` (NULL: any value). */
static void expect_field(uint64_t id, const char *name, const char *value)
{
	Guanjia__Reply *r = NULL;
	const char *v = it_field(it_get(id, false, &r), name);

	ck_assert_msg(v != NULL, "ticket %llu has no field %s", (unsigned long long)id, name);
	if (value)
		ck_assert_str_eq(v, value);
	gj_reply_free(r);
}

/* A procedure's clock: the warning `warn` before `target`, then the breach. */
static void late_procedure(uint64_t ticket, const char *clock, int64_t started,
			   int64_t target, int64_t warn, const char *warn_roles,
			   const char *breach_roles, size_t before)
{
	it_expect_alert(ticket, "", clock, WARNING, started + target - warn, warn_roles, before);
	it_expect_alert(ticket, "", clock, BREACH, started + target, breach_roles, before + 1);
}

/* --- R01, R02: the daily 9S checks and their findings ------------------ */

static void nine_s_rule(const char *check_wf, const char *finding_wf,
			const char *const *ticks, size_t n_ticks, const char *last_mark)
{
	const char *none[] = { "findings=0", NULL };
	const char *one[] = { "findings=1", NULL };
	const char *finding[] = { "responsible=wang.fang", "finding=desk not cleared", NULL };
	const char *reason[] = { "reason=office closed for works", NULL };
	int64_t t0 = it_at("2026-10-12T08:25:00+08:00");    /* Monday, work at 08:30 */
	uint64_t chk, fnd, late_chk, late_fnd, cancelled;

	it_start("2026-10-12T08:25:00+08:00", NULL, NULL);

	/* On time: the generator opens the check 5 minutes before work (as
	 * admin_hr); the cs_lead ticks every item and records one finding,
	 * which the person responsible puts right within 5 minutes. */
	chk = open_t("sys.generator/admin_hr", check_wf, NULL);
	expect_deadline(chk, "check", t0 + 5 * MIN);
	refused("li.ming/butler", chk, ticks[0], NULL, GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED,
		"cs_lead");
	for (size_t i = 0; i + 1 < n_ticks; i++) {
		it_advance(20 * SEC);
		fire("zhou.min/cs_lead", chk, ticks[i], NULL);
	}
	/* Recording with one item unticked is refused. */
	refused("zhou.min/cs_lead", chk, "record", none, GUANJIA__ERROR_CODE__MISSING_FIELD,
		last_mark);
	fire("zhou.min/cs_lead", chk, ticks[n_ticks - 1], NULL);
	/* ... and so is recording without the number of findings. */
	refused("zhou.min/cs_lead", chk, "record", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"findings");
	fnd = open_t("zhou.min/cs_lead", finding_wf, finding);
	expect_deadline(fnd, "rectify", it_now() + 5 * MIN);
	fire("zhou.min/cs_lead", chk, "record", one);
	it_assert_state(chk, "recorded");
	it_advance(3 * MIN);
	fire("wang.fang/butler", fnd, "rectify", NULL);
	it_assert_state(fnd, "rectified");
	expect_field(fnd, "responsible", "wang.fang");

	/* Late: the next morning nobody checks, and a finding is left. */
	it_advance_to(it_at("2026-10-13T08:25:00+08:00"));
	t0 = it_now();
	late_chk = open_t("sys.generator/admin_hr", check_wf, NULL);
	late_fnd = open_t("zhou.min/cs_lead", finding_wf, finding);
	/* A manager may call a day's check off, with a reason; the cs_lead may not. */
	cancelled = open_t("chen.jianguo/manager", check_wf, NULL);
	refused("zhou.min/cs_lead", cancelled, "cancel", reason,
		GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, NULL);
	fire("chen.jianguo/manager", cancelled, "cancel", reason);
	late_procedure(late_chk, "check", t0, 5 * MIN, 1 * MIN, "cs_lead", "manager", 0);
	/* at the same instants */
	ck_assert_uint_eq(it_alerts(late_fnd, "", NULL, IT_ANY_LEVEL, 0).n, 2);
	ck_assert_uint_eq(it_alerts(late_fnd, "", "rectify", BREACH, 0).n, 1);
	ck_assert_int_eq(it_alerts(late_fnd, "", "rectify", WARNING, 0).last_at, t0 + 4 * MIN);
	ck_assert_int_eq(it_alerts(late_fnd, "", "rectify", BREACH, 0).last_at, t0 + 5 * MIN);
	ck_assert_str_eq(it_alerts(late_fnd, "", "rectify", WARNING, 0).roles, "cs_lead");
	ck_assert_str_eq(it_alerts(late_fnd, "", "rectify", BREACH, 0).roles, "cs_lead,manager");
	/* A late rectification still closes the finding (the report counts it). */
	fire("wang.fang/butler", late_fnd, "rectify", NULL);

	/* The on-time tickets never alerted, a day later either. */
	it_advance(24 * HOUR);
	it_assert_no_alerts(chk);
	it_assert_no_alerts(fnd);
	it_assert_no_alerts(cancelled);
	ck_assert_uint_eq(it_alerts(late_chk, "", NULL, IT_ANY_LEVEL, 0).n, 2);
}

START_TEST(r01_office_check_within_five_minutes_before_work)
{
	const char *ticks[] = { "check_equipment", "check_desks", "check_cabinets",
				"check_posted_rules", "check_newspaper_racks" };

	nine_s_rule("r01_office_check", "r01_finding", ticks, 5, "newspaper_racks_checked");
}
END_TEST

START_TEST(r02_appearance_check_within_five_minutes_before_work)
{
	const char *ticks[] = { "check_dress", "check_bearing" };

	nine_s_rule("r02_appearance_check", "r02_finding", ticks, 2, "bearing_checked");
}
END_TEST

/* --- R03: the Friday signage round ------------------------------------ */

START_TEST(r03_friday_signage_round_recorded_rectified_rechecked)
{
	const char *until1[] = { "round_until=2026-10-16T16:00:00+08:00", NULL };
	const char *until2[] = { "round_until=2026-10-23T16:00:00+08:00", NULL };
	const char *findings1[] = { "findings=notice expired at 3# lobby",
				    "rectify_by=2026-10-19T12:00:00+08:00", NULL };
	const char *findings2[] = { "findings=floor sign loose on 2# level 5",
				    "rectify_by=2026-10-26T12:00:00+08:00", NULL };
	const char *no_result[] = { NULL };
	const char *result[] = { "recheck_result=put right", NULL };
	uint64_t round, clean, late;

	it_start("2026-10-16T14:00:00+08:00", NULL, NULL);     /* Friday */

	/* On time: a round with findings, put right and re-checked by the
	 * time required; another recorded clean. */
	round = open_t("sys.generator/admin_hr", "r03_signage_round", until1);
	clean = open_t("zhou.min/cs_lead", "r03_signage_round", until1);
	expect_deadline(round, "round", it_at("2026-10-16T16:00:00+08:00"));
	refused("li.ming/butler", round, "check_adverts", NULL,
		GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "cs_lead");
	it_advance(20 * MIN);
	fire("zhou.min/cs_lead", round, "check_notice_boards", NULL);
	fire("zhou.min/cs_lead", round, "check_adverts", NULL);
	refused("zhou.min/cs_lead", round, "record_findings", findings1,
		GUANJIA__ERROR_CODE__MISSING_FIELD, "floor_signs_checked");
	fire("zhou.min/cs_lead", round, "check_floor_signs", NULL);
	fire("zhou.min/cs_lead", clean, "check_notice_boards", NULL);
	fire("zhou.min/cs_lead", clean, "check_adverts", NULL);
	fire("zhou.min/cs_lead", clean, "check_floor_signs", NULL);
	fire("zhou.min/cs_lead", clean, "record_no_findings", NULL);
	it_assert_state(clean, "done");
	it_advance(60 * MIN);                                      /* 15:20 */
	fire("zhou.min/cs_lead", round, "record_findings", findings1);
	expect_deadline(round, "rectification", it_at("2026-10-19T12:00:00+08:00"));
	/* The re-check needs the rectification first. */
	refused("zhou.min/cs_lead", round, "recheck", result, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"rectified");
	it_advance_to(it_at("2026-10-19T09:30:00+08:00"));
	fire("zhao.hong/admin_hr", round, "rectify", NULL);
	refused("zhou.min/cs_lead", round, "recheck", no_result,
		GUANJIA__ERROR_CODE__MISSING_FIELD, "recheck_result");
	fire("zhou.min/cs_lead", round, "recheck", result);
	it_assert_state(round, "done");

	/* Late: next Friday's round is not recorded by 16:00, and its
	 * findings are not put right by the time required. */
	it_advance_to(it_at("2026-10-23T14:00:00+08:00"));
	late = open_t("sys.generator/admin_hr", "r03_signage_round", until2);
	late_procedure(late, "round", it_at("2026-10-23T14:00:00+08:00"), 2 * HOUR, 30 * MIN,
		       "cs_lead", "manager", 0);
	it_advance(10 * MIN);
	fire("zhou.min/cs_lead", late, "check_notice_boards", NULL);
	fire("zhou.min/cs_lead", late, "check_adverts", NULL);
	fire("zhou.min/cs_lead", late, "check_floor_signs", NULL);
	fire("zhou.min/cs_lead", late, "record_findings", findings2);
	late_procedure(late, "rectification", it_at("2026-10-26T00:00:00+08:00"), 12 * HOUR, HOUR,
		       "cs_lead", "cs_lead,manager", 2);

	it_assert_no_alerts(round);
	it_assert_no_alerts(clean);
}
END_TEST

/* --- R04: publicity reviewed and approved before publication ---------- */

START_TEST(r04_publicity_needs_review_and_approval_before_publishing)
{
	const char *item1[] = { "item=Water cut notice, 2# building",
				"publish_on=2026-10-14T09:00:00+08:00", NULL };
	const char *item2[] = { "item=Mid-month community event poster",
				"publish_on=2026-10-15T09:00:00+08:00", NULL };
	const char *reason[] = { "reason=wrong date on the poster", NULL };
	Guanjia__Reply *r = NULL;
	Guanjia__Ticket *tk;
	uint64_t item, late;

	it_start("2026-10-12T09:00:00+08:00", NULL, NULL);

	/* On time: the butler's draft, reviewed by the cs_lead, approved by
	 * the manager, then published; nothing else will do. */
	item = open_t("li.ming/butler", "r04_publicity", item1);
	expect_deadline(item, "approval", it_at("2026-10-14T09:00:00+08:00"));
	refused("li.ming/butler", item, "publish", NULL, GUANJIA__ERROR_CODE__ILLEGAL_TRANSITION,
		"approved");
	refused("li.ming/butler", item, "review", NULL, GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED,
		"cs_lead");
	refused("chen.jianguo/manager", item, "approve", NULL,
		GUANJIA__ERROR_CODE__ILLEGAL_TRANSITION, NULL);
	it_advance(HOUR);
	fire("zhou.min/cs_lead", item, "review", NULL);
	refused("li.ming/butler", item, "publish", NULL, GUANJIA__ERROR_CODE__ILLEGAL_TRANSITION,
		NULL);
	refused("zhou.min/cs_lead", item, "approve", NULL, GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED,
		"manager");
	/* Sent back, it is reviewed again before the manager sees it. */
	fire("chen.jianguo/manager", item, "send_back", reason);
	it_assert_state(item, "draft");
	fire("li.ming/butler", item, "revise", NULL);
	it_advance(HOUR);
	fire("zhou.min/cs_lead", item, "review", NULL);
	it_advance(HOUR);
	fire("chen.jianguo/manager", item, "approve", NULL);
	fire("li.ming/butler", item, "publish", NULL);
	/* The review and approval records are kept: who and when. */
	tk = it_get(item, false, &r);
	ck_assert_str_eq(tk->state, "published");
	ck_assert_str_eq(it_field(tk, "reviewed"), "2026-10-12T11:00:00+08:00");
	ck_assert_str_eq(it_field(tk, "approved"), "2026-10-12T12:00:00+08:00");
	gj_reply_free(r);

	/* Late: an item due to be published on the 15th at 09:00 is reviewed
	 * but still not approved. */
	late = open_t("li.ming/butler", "r04_publicity", item2);
	fire("zhou.min/cs_lead", late, "review", NULL);
	it_expect_alert(late, "", "approval", WARNING, it_at("2026-10-15T07:00:00+08:00"),
			"cs_lead,manager", 0);
	it_expect_alert(late, "", "approval", BREACH, it_at("2026-10-15T09:00:00+08:00"),
			"cs_lead,manager", 1);
	refused("li.ming/butler", late, "publish", NULL, GUANJIA__ERROR_CODE__ILLEGAL_TRANSITION,
		NULL);
	it_assert_no_alerts(item);
}
END_TEST

/* --- R05-R07: move-in procedures -------------------------------------- */

START_TEST(r05_first_hand_move_in_steps_within_30_minutes)
{
	const char *open_kv[] = { "unit=3#-1502", "owner_name=Wang Lei", NULL };
	const char *reason[] = { "reason=owner left", NULL };
	int64_t t0 = it_at("2026-10-12T10:00:00+08:00");
	uint64_t id, late, gone;

	it_start("2026-10-12T10:00:00+08:00", NULL, NULL);

	/* On time: the four steps, each by the role that does it. */
	id = open_t("li.ming/butler", "r05_move_in_first_hand", open_kv);
	expect_deadline(id, "move_in", t0 + 30 * MIN);
	refused("zhao.lei/engineering", id, "verify_identity", NULL,
		GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "butler");
	refused("li.ming/butler", id, "sign_documents", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"identity_verified");
	it_advance(3 * MIN);
	fire("li.ming/butler", id, "verify_identity", NULL);
	it_advance(7 * MIN);
	fire("li.ming/butler", id, "sign_documents", NULL);
	it_advance(5 * MIN);
	fire("li.ming/butler", id, "pay_fees", NULL);
	refused("li.ming/butler", id, "complete", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"keys_handed_over");
	it_advance(9 * MIN);
	fire("zhao.lei/engineering", id, "hand_over_keys", NULL);
	refused("zhao.lei/engineering", id, "complete", NULL,
		GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, NULL);
	fire("li.ming/butler", id, "complete", NULL);
	it_assert_state(id, "completed");
	expect_field(id, "identity_verified", "2026-10-12T10:03:00+08:00");
	expect_field(id, "keys_handed_over", "2026-10-12T10:24:00+08:00");

	/* Late: the owner waits; the butler is warned at 25 minutes, the
	 * cs_lead alerted at 30. */
	t0 = it_now();
	late = open_t("li.ming/butler", "r05_move_in_first_hand", open_kv);
	gone = open_t("li.ming/butler", "r05_move_in_first_hand", open_kv);
	fire("li.ming/butler", gone, "cancel", reason);
	late_procedure(late, "move_in", t0, 30 * MIN, 5 * MIN, "butler", "cs_lead", 0);
	it_advance(HOUR);
	it_assert_no_alerts(id);
	it_assert_no_alerts(gone);
	ck_assert_uint_eq(it_alerts(late, "", NULL, IT_ANY_LEVEL, 0).n, 2);
}
END_TEST

START_TEST(r06_second_hand_move_in_steps_within_60_minutes)
{
	const char *open_kv[] = { "unit=1#-0803", "owner_name=Li Na", NULL };
	const char *meters[] = { "water_reading=01234", "electricity_reading=05678", NULL };
	int64_t t0 = it_at("2026-10-12T14:00:00+08:00");
	uint64_t id, late;

	it_start("2026-10-12T14:00:00+08:00", NULL, NULL);

	id = open_t("li.ming/butler", "r06_move_in_second_hand", open_kv);
	expect_deadline(id, "move_in", t0 + 60 * MIN);
	refused("li.ming/butler", id, "read_meters", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"water_reading");
	it_advance(5 * MIN);
	fire("zhao.lei/engineering", id, "read_meters", meters);
	refused("zhao.lei/engineering", id, "check_seller_fees", NULL,
		GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "butler");
	it_advance(5 * MIN);
	fire("li.ming/butler", id, "check_seller_fees", NULL);
	/* No signing before the buyer's title is checked. */
	refused("li.ming/butler", id, "sign_documents", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"title_checked");
	it_advance(10 * MIN);
	fire("li.ming/butler", id, "check_title", NULL);
	it_advance(5 * MIN);
	fire("li.ming/butler", id, "sign_documents", NULL);
	it_advance(5 * MIN);
	fire("li.ming/butler", id, "pay_fees", NULL);
	refused("li.ming/butler", id, "complete", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"other_items_done");
	it_advance(10 * MIN);
	fire("li.ming/butler", id, "other_items", NULL);
	fire("li.ming/butler", id, "complete", NULL);
	it_assert_state(id, "completed");
	expect_field(id, "water_reading", "01234");

	t0 = it_now();
	late = open_t("li.ming/butler", "r06_move_in_second_hand", open_kv);
	late_procedure(late, "move_in", t0, 60 * MIN, 10 * MIN, "butler", "cs_lead", 0);
	it_advance(2 * HOUR);
	it_assert_no_alerts(id);
}
END_TEST

START_TEST(r07_tenant_move_in_steps_within_30_minutes)
{
	const char *open_kv[] = { "unit=2#-1201", "tenant_name=Zhang Wei", NULL };
	const char *papers[] = { "sign_owner_authorisation", "sign_tenant_pledge",
				 "sign_fire_safety_pledge", "sign_goods_release" };
	int64_t t0 = it_at("2026-10-12T16:00:00+08:00");
	uint64_t id, late;

	it_start("2026-10-12T16:00:00+08:00", NULL, NULL);

	id = open_t("li.ming/butler", "r07_tenant_move_in", open_kv);
	expect_deadline(id, "move_in", t0 + 30 * MIN);
	refused("li.ming/butler", id, "sign_tenant_pledge", NULL,
		GUANJIA__ERROR_CODE__MISSING_FIELD, "tenant_registered");
	refused("li.ming/security", id, "register_tenant", NULL,
		GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "butler");
	it_advance(5 * MIN);
	fire("li.ming/butler", id, "register_tenant", NULL);
	for (size_t i = 0; i < 3; i++) {
		it_advance(3 * MIN);
		fire("li.ming/butler", id, papers[i], NULL);
	}
	/* The other items wait for the fourth paper; so does completion. */
	refused("li.ming/butler", id, "other_items", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"goods_release_signed");
	refused("li.ming/butler", id, "complete", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"goods_release_signed");
	it_advance(3 * MIN);
	fire("li.ming/butler", id, papers[3], NULL);
	it_advance(3 * MIN);
	fire("li.ming/butler", id, "other_items", NULL);
	fire("li.ming/butler", id, "complete", NULL);
	it_assert_state(id, "completed");

	t0 = it_now();
	late = open_t("zhou.min/cs_lead", "r07_tenant_move_in", open_kv);
	late_procedure(late, "move_in", t0, 30 * MIN, 5 * MIN, "butler", "cs_lead", 0);
	it_advance(HOUR);
	it_assert_no_alerts(id);
}
END_TEST

/* --- R08-R10: decoration procedures ----------------------------------- */

START_TEST(r08_decoration_application_steps_within_15_minutes)
{
	const char *open_kv[] = { "unit=4#-0602", NULL };
	const char *money[] = { "deposit=3000", "rubbish_fee=500", NULL };
	const char *permit[] = { "permit_no=ZX-2026-118", NULL };
	int64_t t0 = it_at("2026-10-13T09:00:00+08:00");
	uint64_t id, late;

	it_start("2026-10-13T09:00:00+08:00", NULL, NULL);

	id = open_t("li.ming/butler", "r08_decoration_application", open_kv);
	expect_deadline(id, "application", t0 + 15 * MIN);
	/* The drawings are engineering's to review, not the butler's. */
	refused("li.ming/butler", id, "review_drawings", NULL,
		GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "engineering");
	fire("li.ming/butler", id, "fill_application", NULL);
	it_advance(2 * MIN);
	fire("li.ming/butler", id, "pay_deposit", money);
	/* No permit before the drawings are reviewed. */
	refused("li.ming/butler", id, "issue_permit", permit, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"drawings_reviewed");
	it_advance(3 * MIN);
	fire("zhao.lei/engineering", id, "review_drawings", NULL);
	it_advance(2 * MIN);
	fire("li.ming/butler", id, "issue_permit", permit);
	it_advance(2 * MIN);
	fire("li.ming/butler", id, "issue_passes", NULL);
	refused("li.ming/butler", id, "complete", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"entered");
	it_advance(2 * MIN);
	fire("li.ming/butler", id, "enter_system", NULL);
	fire("li.ming/butler", id, "complete", NULL);
	it_assert_state(id, "completed");
	expect_field(id, "deposit", "3000");
	expect_field(id, "rubbish_fee", "500");

	t0 = it_now();
	late = open_t("li.ming/butler", "r08_decoration_application", open_kv);
	fire("li.ming/butler", late, "fill_application", NULL);
	late_procedure(late, "application", t0, 15 * MIN, 3 * MIN, "butler,engineering",
		       "cs_lead", 0);
	it_advance(HOUR);
	it_assert_no_alerts(id);
}
END_TEST

START_TEST(r09_decoration_extension_with_1000_yuan_deposit_within_10_minutes)
{
	const char *open_kv[] = { "unit=4#-0602", NULL };
	const char *apply[] = { "permit_no=ZX-2026-118", "kind=extension", NULL };
	const char *deposit[] = { "deposit=1000", NULL };
	int64_t t0 = it_at("2026-10-14T10:00:00+08:00");
	uint64_t id, late;

	it_start("2026-10-14T10:00:00+08:00", NULL, NULL);

	id = open_t("li.ming/butler", "r09_decoration_extension", open_kv);
	expect_deadline(id, "extension", t0 + 10 * MIN);
	/* Nothing before the original permit is brought in. */
	refused("li.ming/butler", id, "pay_deposit", deposit, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"original_permit_received");
	fire("li.ming/butler", id, "receive_permit", apply);
	refused("li.ming/butler", id, "pay_deposit", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"deposit");
	it_advance(MIN);
	fire("li.ming/butler", id, "pay_deposit", deposit);
	it_advance(MIN);
	fire("li.ming/butler", id, "issue_extension_permit", NULL);
	/* Engineering reviews, then the manager approves: each in their role. */
	refused("chen.jianguo/manager", id, "manager_approve", NULL,
		GUANJIA__ERROR_CODE__MISSING_FIELD, "engineering_reviewed");
	refused("li.ming/butler", id, "engineering_review", NULL,
		GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "engineering");
	it_advance(2 * MIN);
	fire("zhao.lei/engineering", id, "engineering_review", NULL);
	refused("zhao.lei/engineering", id, "manager_approve", NULL,
		GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "manager");
	refused("li.ming/butler", id, "enter_system", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"manager_approved");
	it_advance(2 * MIN);
	fire("chen.jianguo/manager", id, "manager_approve", NULL);
	refused("li.ming/butler", id, "complete", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"entered");
	it_advance(MIN);
	fire("li.ming/butler", id, "enter_system", NULL);
	fire("li.ming/butler", id, "complete", NULL);
	it_assert_state(id, "completed");
	/* The 1000-yuan extension deposit is on record, and when it was paid. */
	expect_field(id, "deposit", "1000");
	expect_field(id, "deposit_paid", "2026-10-14T10:01:00+08:00");
	expect_field(id, "kind", "extension");

	t0 = it_now();
	late = open_t("li.ming/butler", "r09_decoration_extension", open_kv);
	fire("li.ming/butler", late, "receive_permit", apply);
	late_procedure(late, "extension", t0, 10 * MIN, 2 * MIN,
		       "butler,engineering,manager", "cs_lead", 0);
	it_advance(HOUR);
	it_assert_no_alerts(id);
}
END_TEST

START_TEST(r10_decoration_completion_and_refund_within_15_working_days)
{
	const char *open_kv[] = { "unit=4#-0602", NULL };
	const char *receipt[] = { "deposit_receipt=YJ-0457", NULL };
	const char *lost_permit[] = { "lost_permit_application=written application of 2026-09-28",
				      NULL };
	const char *lost_receipt[] = { "lost_receipt_application=written application, receipt lost",
				       NULL };
	const char *amount[] = { "refund_amount=3000", NULL };
	const char *forged_mark[] = { "permit_returned=2026-09-28T10:01:00+08:00", NULL };
	/* Monday 2026-09-28 + 15 working days on cn: 09-29 (1), 09-30 (2),
	 * the National Day holiday 10-01..10-07, 10-08 (3), 10-09 (4), the
	 * make-up Saturday 10-10 (5), 10-12..10-16 (6-10), 10-19..10-23
	 * (11-15): due at the close of Friday 10-23, 17:30. */
	int64_t refund_due = it_at("2026-10-23T17:30:00+08:00");
	int64_t t0 = it_at("2026-09-28T10:00:00+08:00");
	uint64_t id, late;

	it_start("2026-09-28T10:00:00+08:00", NULL, NULL);

	/* On time: the procedure within 10 minutes, the deposit back in time. */
	id = open_t("li.ming/butler", "r10_decoration_completion", open_kv);
	late = open_t("li.ming/butler", "r10_decoration_completion", open_kv);
	expect_deadline(id, "completion", t0 + 10 * MIN);
	it_advance(MIN);
	fire("li.ming/butler", id, "return_permit", NULL);
	refused("li.ming/butler", id, "engineering_acceptance", NULL,
		GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "engineering");
	refused("li.ming/butler", id, "apply_refund", receipt, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"accepted");
	it_advance(2 * MIN);
	fire("zhao.lei/engineering", id, "engineering_acceptance", NULL);
	refused("li.ming/butler", id, "apply_refund", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"deposit_receipt");
	it_advance(2 * MIN);
	fire("li.ming/butler", id, "apply_refund", receipt);
	refused("li.ming/butler", id, "complete", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"needs the step done first: 'tell_owner' (it records owner_told)");
	it_advance(MIN);
	fire("li.ming/butler", id, "tell_owner", NULL);         /* 10:06 */
	expect_deadline(id, "deposit_refund", refund_due);
	it_advance(MIN);
	fire("li.ming/butler", id, "complete", NULL);
	it_assert_state(id, "refund_pending");

	/* Late: the second owner's completion takes more than 10 minutes. */
	late_procedure(late, "completion", t0, 10 * MIN, 2 * MIN, "butler,engineering",
		       "cs_lead", 0);
	/* Lost permit and lost receipt: the written applications stand in. */
	refused("li.ming/butler", late, "permit_lost", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"lost_permit_application");
	fire("li.ming/butler", late, "permit_lost", lost_permit);
	fire("zhao.lei/engineering", late, "engineering_acceptance", NULL);
	refused("li.ming/butler", late, "receipt_lost", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"lost_receipt_application");
	fire("li.ming/butler", late, "receipt_lost", lost_receipt);
	/* a mark is written by its step only, never by hand */
	refused("li.ming/butler", late, "tell_owner", forged_mark,
		GUANJIA__ERROR_CODE__INVALID_ARGUMENT, "fire 'return_permit'");
	fire("li.ming/butler", late, "tell_owner", NULL);
	fire("li.ming/butler", late, "complete", NULL);
	expect_deadline(late, "deposit_refund", refund_due);

	/* The first deposit comes back on 10-20; the second one does not. */
	it_advance_to(it_at("2026-10-20T11:00:00+08:00"));
	refused("li.ming/butler", id, "refund", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"refund_amount");
	fire("zhao.hong/admin_hr", id, "refund", amount);
	it_assert_state(id, "refunded");
	it_expect_alert(late, "", "deposit_refund", WARNING, refund_due - 24 * HOUR,
			"butler,admin_hr", 2);
	it_expect_alert(late, "", "deposit_refund", BREACH, refund_due, "cs_lead,manager", 3);
	it_advance(24 * HOUR);
	it_assert_no_alerts(id);
}
END_TEST

/* --- R11: IC cards ---------------------------------------------------- */

START_TEST(r11_ic_card_two_then_eight_minutes_lost_card_reported_and_paid_first)
{
	const char *card[] = { "unit=2#-0301", "card_kind=parking", NULL };
	const char *loss[] = { "loss_report=written loss report LR-2026-031", NULL };
	const char *fee[] = { "fee=50", NULL };
	const char *custody[] = { "custody_agreement=signed 2026-10-12", NULL };
	int64_t t0 = it_at("2026-10-12T10:00:00+08:00");
	uint64_t id, lost, slow;

	it_start("2026-10-12T10:00:00+08:00", NULL, NULL);

	/* On time: identity and register in 2 minutes, activation in 8, the
	 * owner signs. */
	id = open_t("li.ming/butler", "r11_ic_card", card);
	expect_deadline(id, "identity", t0 + 2 * MIN);
	expect_deadline(id, "procedure", t0 + 10 * MIN);
	it_advance(20 * SEC);
	fire("li.ming/butler", id, "verify_identity", NULL);
	refused("li.ming/butler", id, "dispatch", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"registered");
	it_advance(20 * SEC);
	fire("li.ming/butler", id, "register", NULL);
	it_advance(20 * SEC);
	fire("li.ming/butler", id, "dispatch", NULL);
	expect_deadline(id, "activation", t0 + 1 * MIN + 8 * MIN);
	refused("li.ming/butler", id, "activate", NULL, GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED,
		"engineering");
	it_advance(5 * MIN);
	fire("zhao.lei/engineering", id, "activate", NULL);
	it_advance(MIN);
	fire("wang.lei/owner", id, "sign", NULL);
	it_assert_state(id, "issued");

	/* A lost card: the loss report first, then the 50-yuan fee, only then
	 * the procedure, with its own 2 and 10 minutes from the fee. */
	it_advance_to(it_at("2026-10-12T10:10:00+08:00"));
	lost = open_t("li.ming/butler", "r11_ic_card", card);
	refused("li.ming/butler", lost, "pay_fee", fee, GUANJIA__ERROR_CODE__ILLEGAL_TRANSITION,
		NULL);
	refused("li.ming/butler", lost, "report_loss", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD,
		"loss_report");
	it_advance(MIN);
	fire("li.ming/butler", lost, "report_loss", loss);
	refused("li.ming/butler", lost, "verify_identity", NULL,
		GUANJIA__ERROR_CODE__ILLEGAL_TRANSITION, "fee_paid");
	refused("li.ming/butler", lost, "pay_fee", NULL, GUANJIA__ERROR_CODE__MISSING_FIELD, "fee");
	it_advance(9 * MIN);                                       /* 10:20 */
	fire("li.ming/butler", lost, "pay_fee", fee);
	expect_field(lost, "fee", "50");
	expect_deadline(lost, "identity", it_at("2026-10-12T10:22:00+08:00"));
	expect_deadline(lost, "procedure", it_at("2026-10-12T10:30:00+08:00"));
	/* The loss report took ten minutes: no alert for that.  Then nobody
	 * acts: warned 30 s before the 2 minutes, the cs_lead at 2; the
	 * procedure's warning at 8 minutes, its breach at 10. */
	it_expect_alert(lost, "", "identity", WARNING, it_at("2026-10-12T10:21:30+08:00"), "butler",
			0);
	it_expect_alert(lost, "", "identity", BREACH, it_at("2026-10-12T10:22:00+08:00"), "cs_lead",
			1);
	it_expect_alert(lost, "", "procedure", WARNING, it_at("2026-10-12T10:28:00+08:00"),
			"butler", 2);
	it_expect_alert(lost, "", "procedure", BREACH, it_at("2026-10-12T10:30:00+08:00"),
			"cs_lead", 3);

	/* Engineering late: dispatched at 10:41, not activated by 10:49; the
	 * owner does not come for the card, which goes into custody only
	 * under a signed agreement. */
	it_advance_to(it_at("2026-10-12T10:40:00+08:00"));
	slow = open_t("li.ming/butler", "r11_ic_card", card);
	fire("li.ming/butler", slow, "verify_identity", NULL);
	fire("li.ming/butler", slow, "register", NULL);
	it_advance(MIN);
	fire("li.ming/butler", slow, "dispatch", NULL);
	it_expect_alert(slow, "", "activation", WARNING, it_at("2026-10-12T10:47:00+08:00"),
			"engineering", 0);
	it_expect_alert(slow, "", "procedure", WARNING, it_at("2026-10-12T10:48:00+08:00"),
			"butler", 1);
	it_expect_alert(slow, "", "activation", BREACH, it_at("2026-10-12T10:49:00+08:00"),
			"cs_lead,team_head", 2);
	fire("zhao.lei/engineering", slow, "activate", NULL);
	refused("li.ming/butler", slow, "take_into_custody", NULL,
		GUANJIA__ERROR_CODE__MISSING_FIELD, "custody_agreement");
	fire("li.ming/butler", slow, "take_into_custody", custody);
	it_assert_state(slow, "in_custody");
	it_advance(HOUR);
	/* custody stopped the procedure */
	ck_assert_uint_eq(it_alerts(slow, "", NULL, IT_ANY_LEVEL, 0).n, 3);
	ck_assert_uint_eq(it_alerts(slow, "", "identity", IT_ANY_LEVEL, 0).n, 0);
	fire("wang.lei/owner", slow, "collect", NULL);
	it_assert_state(slow, "issued");
	it_assert_no_alerts(id);
}
END_TEST

Suite *rules_image_movein_suite(void)
{
	Suite *s = suite_create("rules_image_movein");
	TCase *tc = tcase_create("daemon");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, it_setup, it_teardown);
	tcase_add_test(tc, r01_office_check_within_five_minutes_before_work);
	tcase_add_test(tc, r02_appearance_check_within_five_minutes_before_work);
	tcase_add_test(tc, r03_friday_signage_round_recorded_rectified_rechecked);
	tcase_add_test(tc, r04_publicity_needs_review_and_approval_before_publishing);
	tcase_add_test(tc, r05_first_hand_move_in_steps_within_30_minutes);
	tcase_add_test(tc, r06_second_hand_move_in_steps_within_60_minutes);
	tcase_add_test(tc, r07_tenant_move_in_steps_within_30_minutes);
	tcase_add_test(tc, r08_decoration_application_steps_within_15_minutes);
	tcase_add_test(tc, r09_decoration_extension_with_1000_yuan_deposit_within_10_minutes);
	tcase_add_test(tc, r10_decoration_completion_and_refund_within_15_working_days);
	tcase_add_test(tc, r11_ic_card_two_then_eight_minutes_lost_card_reported_and_paid_first);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return it_run(rules_image_movein_suite());
}
