/*
 * test_rules_units.c - RULEBOOK R12-R16 and R25 (keys, entrusted and vacant
 * units, zone patrols) walked on the real guanjiad with a manual clock,
 * estate `main`, the embedded default workflows.
 *
 * One test per rule: the on-time path raises no alert; the late path raises
 * its alerts to the roles the rule names, at the exact instant, and nothing
 * a millisecond before.  R12 also asks `gj list` who holds which key.
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

#define N(a) (sizeof(a) / sizeof((a)[0]))

#define IDLE GUANJIA__CLOCK_STATE__CLOCK_IDLE
#define RUNNING GUANJIA__CLOCK_STATE__CLOCK_RUNNING
#define STOPPED GUANJIA__CLOCK_STATE__CLOCK_STOPPED
#define WARNING GUANJIA__ALERT_LEVEL__WARNING
#define BREACH GUANJIA__ALERT_LEVEL__BREACH

/* Run gj ($GJ_GJ, else the build's) against the daemon; its stdout,
 * malloc'd. */
static char *run_gj(const char *args)
{
	const char *gj = getenv("GJ_GJ") ? getenv("GJ_GJ") : GJ_GJ_PATH;
	char cmd[1024], *out = NULL;
	size_t len = 0, got;
	char buf[4096];
	FILE *p, *m;
	int status;

	snprintf(cmd, sizeof(cmd), "%s --data %s %s", gj, it_daemon.dir, args);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	m = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(m);
	while ((got = fread(buf, 1, sizeof(buf), p)) > 0)
		fwrite(buf, 1, got, m);
	fclose(m);
	status = pclose(p);
	ck_assert_msg(status == 0, "%s: status %d", cmd, status);
	return out;
}

/* --- R12 keys --------------------------------------------------------- */

/* In the JSON of `gj list`, the ticket object of `id` ("" when absent). */
static char *json_ticket(const char *json, uint64_t id, char *buf, size_t len)
{
	char head[40];
	const char *p, *end;

	snprintf(head, sizeof(head), "{\"id\":%llu,", (unsigned long long)id);
	buf[0] = 0;
	p = strstr(json, head);
	if (!p)
		return buf;
	end = strstr(p + 1, "{\"id\":");
	while (end && !(end[6] >= '0' && end[6] <= '9'))
		end = strstr(end + 1, "{\"id\":");
	if (!end)
		end = p + strlen(p);
	snprintf(buf, len, "%.*s", (int)(end - p), p);
	return buf;
}

static void assert_holds(const char *json, uint64_t id, const char *key, const char *holder)
{
	char tk[8192], want[256];

	json_ticket(json, id, tk, sizeof(tk));
	ck_assert_msg(tk[0], "ticket %llu not listed: %s", (unsigned long long)id, json);
	snprintf(want, sizeof(want), "{\"name\":\"key\",\"value\":\"%s\"}", key);
	ck_assert_msg(strstr(tk, want), "ticket %llu: no %s in %s", (unsigned long long)id, want, tk);
	snprintf(want, sizeof(want), "{\"name\":\"holder\",\"value\":\"%s\"}", holder);
	ck_assert_msg(strstr(tk, want), "ticket %llu: no %s in %s", (unsigned long long)id, want, tk);
}

START_TEST(r12_key_loans_back_the_same_day_or_by_the_agreed_date)
{
	const char *back_kv[] = { "key=3-1502 front door", "key_kind=owner_entrusted",
				  "holder=wang.wei", "due_back=2026-10-09T17:30:00+08:00" };
	const char *owner_kv[] = { "key=5-0301 front door", "key_kind=owner_entrusted",
				   "holder=li.na", "due_back=2026-10-09T17:30:00+08:00" };
	const char *vacant_kv[] = { "key=2-0801 front door", "key_kind=vacant_unit",
				    "holder=zhao.lei", "due_back=2026-10-09T17:30:00+08:00" };
	/* A plant-room key lent until a date agreed with the borrower. */
	const char *plant_kv[] = { "key=B1 pump room", "key_kind=plant_room",
				   "holder=wu.gang", "due_back=2026-10-10T12:00:00+08:00" };
	const char *later_kv[] = { "due_back=2026-10-12T17:30:00+08:00",
				   "reason=pump overhaul runs over the weekend" };
	const char *no_due[] = { "key=4-1101 front door", "key_kind=owner_entrusted",
				 "holder=chen.jie" };
	int64_t cob = it_at("2026-10-09T17:30:00+08:00");
	uint64_t back, owner, vacant, plant;
	Guanjia__Reply *r = NULL;
	char *out, *line;
	size_t lines = 0;

	/* Friday 2026-10-09, 10:00: each custodian lends a key. */
	it_start("2026-10-09T10:00:00+08:00", NULL, NULL);
	back = it_open_as("li.ming", "butler", "r12_key_loan", NULL, back_kv, N(back_kv));
	owner = it_open_as("li.ming", "butler", "r12_key_loan", NULL, owner_kv, N(owner_kv));
	vacant = it_open_as("zhou.hui", "admin_hr", "r12_key_loan", NULL, vacant_kv, N(vacant_kv));
	plant = it_open_as("sun.qiang", "engineering", "r12_key_loan", NULL, plant_kv, N(plant_kv));
	it_open_refused("li.ming", "butler", "r12_key_loan", NULL, no_due, N(no_due),
			GUANJIA__ERROR_CODE__MISSING_FIELD, "due_back");
	it_open_refused("zhang.wei", "security", "r12_key_loan", NULL, back_kv, N(back_kv),
			GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "butler, admin_hr, engineering");

	/* Each loan runs the clock of its kind of key, due at due_back. */
	it_assert_clock(owner, "owner_entrusted_key", RUNNING, cob);
	it_assert_clock(owner, "vacant_unit_key", IDLE, 0);
	it_assert_clock(vacant, "vacant_unit_key", RUNNING, cob);
	it_assert_clock(vacant, "owner_entrusted_key", IDLE, 0);
	it_assert_clock(plant, "plant_room_key", RUNNING, it_at("2026-10-10T12:00:00+08:00"));

	/* On time: back at 16:00, never an alert. */
	it_advance_to(it_at("2026-10-09T16:00:00+08:00"));
	it_fire_refused("zhang.wei", "security", back, "return", NULL, 0,
			GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "return");
	it_fire_as("li.ming", "butler", back, "return", NULL, 0);
	ck_assert_str_eq(it_field(it_get(back, false, &r), "returned_at"),
			 "2026-10-09T16:00:00+08:00");
	ck_assert_str_eq(r->ticket->state, "returned");
	gj_reply_free(r);

	/* Who holds which key, at once: the lent ones, with key and holder. */
	it_advance_to(it_at("2026-10-09T16:30:00+08:00"));
	out = run_gj("--json list --workflow r12_key_loan --state lent");
	assert_holds(out, owner, "5-0301 front door", "li.na");
	assert_holds(out, vacant, "2-0801 front door", "zhao.lei");
	assert_holds(out, plant, "B1 pump room", "wu.gang");
	ck_assert_msg(!strstr(out, "wang.wei"), "a returned key is listed: %s", out);
	free(out);
	out = run_gj("list --workflow r12_key_loan --state lent");
	for (line = out; (line = strstr(line, " r12_key_loan [main] lent")); line++)
		lines++;
	ck_assert_msg(lines == 3, "%s", out);
	free(out);

	/* Late: half an hour before the close of business the custodians are
	 * warned, at the close they and their superiors are alerted; nothing
	 * a millisecond before either. */
	it_advance_to(cob - 30 * MIN - 1);
	ck_assert_uint_eq(it_n_alerts(owner) + it_n_alerts(vacant) + it_n_alerts(plant), 0);
	it_advance(1);
	it_assert_alert(owner, NULL, "owner_entrusted_key", WARNING, cob - 30 * MIN, "butler");
	it_assert_alert(vacant, NULL, "vacant_unit_key", WARNING, cob - 30 * MIN, "admin_hr");
	it_advance_to(cob - 1);
	ck_assert_uint_eq(it_n_alerts(owner), 1);
	ck_assert_uint_eq(it_n_alerts(vacant), 1);
	it_advance(1);
	it_assert_alert(owner, NULL, "owner_entrusted_key", BREACH, cob, "butler,cs_lead");
	it_assert_alert(vacant, NULL, "vacant_unit_key", BREACH, cob, "admin_hr,manager");
	ck_assert_uint_eq(it_n_alerts(owner), 2);
	ck_assert_uint_eq(it_n_alerts(vacant), 2);
	ck_assert_uint_eq(it_n_alerts(back), 0);
	ck_assert_uint_eq(it_n_alerts(plant), 0);

	/* The vacant-unit key comes back late: no more alerts. */
	it_advance_to(it_at("2026-10-09T18:00:00+08:00"));
	it_fire_as("zhou.hui", "admin_hr", vacant, "return", NULL, 0);
	it_assert_clock(vacant, "vacant_unit_key", STOPPED, 0);

	/* The plant-room key: a later date agreed before it was due moves
	 * the deadline; the old one passes silently. */
	it_advance_to(it_at("2026-10-10T09:00:00+08:00"));
	it_fire_as("sun.qiang", "engineering", plant, "agree_return_date", later_kv, N(later_kv));
	it_assert_clock(plant, "plant_room_key", RUNNING, it_at("2026-10-12T17:30:00+08:00"));
	it_expect_alert(plant, NULL, "plant_room_key", WARNING, it_at("2026-10-12T17:00:00+08:00"),
			"engineering", 0);
	it_expect_alert(plant, NULL, "plant_room_key", BREACH, it_at("2026-10-12T17:30:00+08:00"),
			"engineering,team_head", 1);
	ck_assert_uint_eq(it_n_alerts(back), 0);
	ck_assert_uint_eq(it_n_alerts(vacant), 2);
}
END_TEST

START_TEST(r12_vacant_unit_keys_counted_monthly_by_admin_hr_with_the_butler)
{
	const char *ok_kv[] = { "month=2026-10", "count_by=2026-10-30T17:30:00+08:00" };
	const char *late_kv[] = { "month=2026-10", "count_by=2026-10-30T17:30:00+08:00" };
	const char *count_kv[] = { "keys_on_record=42", "keys_counted=42" };
	const char *result_kv[] = { "result=42 of 42 present" };
	int64_t due = it_at("2026-10-30T17:30:00+08:00");
	uint64_t ok, late;

	/* Monday 2026-10-26: the month's counts are opened (admin_hr, as the
	 * generator does). */
	it_start("2026-10-26T09:00:00+08:00", NULL, NULL);
	ok = it_open_as("zhou.hui", "admin_hr", "r12_key_count", NULL, ok_kv, N(ok_kv));
	late = it_open_as("zhou.hui", "admin_hr", "r12_key_count", NULL, late_kv, N(late_kv));
	it_assert_clock(ok, "count", RUNNING, due);

	/* On time: admin_hr counts, the butler countersigns, then it closes;
	 * not before both have done their step. */
	it_advance_to(it_at("2026-10-27T10:00:00+08:00"));
	it_fire_refused("li.ming", "butler", ok, "count", count_kv, N(count_kv),
			GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "admin_hr");
	it_fire_as("zhou.hui", "admin_hr", ok, "count", count_kv, N(count_kv));
	it_fire_refused("zhou.hui", "admin_hr", ok, "close", result_kv, N(result_kv),
			GUANJIA__ERROR_CODE__MISSING_FIELD, "butler_countersigned");
	it_fire_refused("zhou.hui", "admin_hr", ok, "countersign", NULL, 0,
			GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "butler");
	it_fire_as("li.ming", "butler", ok, "countersign", NULL, 0);
	it_fire_as("zhou.hui", "admin_hr", ok, "close", result_kv, N(result_kv));
	it_assert_state(ok, "done");

	/* Late: counted by admin_hr alone; a day before the due time admin_hr
	 * and the butler are warned, at it admin_hr and the manager alerted. */
	it_fire_as("zhou.hui", "admin_hr", late, "count", count_kv, N(count_kv));
	it_expect_alert(late, NULL, "count", WARNING, due - 24 * HOUR, "admin_hr,butler", 0);
	it_expect_alert(late, NULL, "count", BREACH, due, "admin_hr,manager", 1);
	it_advance_to(it_at("2026-11-02T09:00:00+08:00"));
	ck_assert_uint_eq(it_n_alerts(ok), 0);
	ck_assert_uint_eq(it_n_alerts(late), 2);
}
END_TEST

/* --- R13, R14, R15, R25 inspections ---------------------------------- */

static const char *const entrusted_visit[] = {
	"agreement=WT-2026-031", "furniture=ok", "tv=ok", "gas=ok, valve closed",
	"water_power=ok, mains off", "balcony_rails=ok", "photos=NAS/r13/3-1502/2026-10",
};

START_TEST(r13_entrusted_unit_result_to_the_owner_within_8h_of_the_visit)
{
	const char *ok_kv[] = { "unit=3-1502" };
	const char *late_kv[] = { "unit=3-1602" };
	const char *storm_kv[] = { "unit=3-1702", "priority=1", "storm=typhoon Haikui",
				   "visit_by=2026-10-09T12:00:00+08:00" };
	const char *result_kv[] = { "result=all in order, photos sent on WeChat" };
	int64_t visit_late = it_at("2026-10-09T10:30:00+08:00");
	uint64_t ok, late, storm;
	Guanjia__Reply *r = NULL;

	it_start("2026-10-09T09:00:00+08:00", NULL, NULL);
	/* Opened by the monthly generator (as admin_hr), by hand, and by the
	 * storm round with its priority and visit time. */
	ok = it_open_as("generator", "admin_hr", "r13_entrusted_inspection", NULL, ok_kv, N(ok_kv));
	late = it_open_as("li.ming", "butler", "r13_entrusted_inspection", NULL, late_kv,
			  N(late_kv));
	storm = it_open_as("generator", "admin_hr", "r13_entrusted_inspection", NULL, storm_kv,
			   N(storm_kv));
	it_assert_clock(late, "feedback", IDLE, 0);
	it_assert_clock(late, "visit", IDLE, 0);
	it_assert_clock(storm, "visit", RUNNING, it_at("2026-10-09T12:00:00+08:00"));

	/* The storm visit due at 12:00: the butler warned at 10:00. */
	it_expect_alert(storm, NULL, "visit", WARNING, it_at("2026-10-09T10:00:00+08:00"), "butler",
			0);
	ck_assert_uint_eq(it_n_alerts(ok) + it_n_alerts(late), 0);

	/* On time: visited at 10:00, result to the owner at 16:00. */
	it_fire_as("li.ming", "butler", ok, "visit", entrusted_visit, N(entrusted_visit));
	ck_assert_str_eq(it_field(it_get(ok, false, &r), "visited_at"),
			 "2026-10-09T10:00:00+08:00");
	gj_reply_free(r);
	it_assert_clock(ok, "feedback", RUNNING, it_at("2026-10-09T18:00:00+08:00"));

	/* Every visit photographed and recorded: no visit without photos. */
	it_advance_to(visit_late);
	it_fire_refused("li.ming", "butler", late, "visit", entrusted_visit, N(entrusted_visit) - 1,
			GUANJIA__ERROR_CODE__MISSING_FIELD, "photos");
	it_fire_refused("zhou.hui", "admin_hr", late, "visit", entrusted_visit, N(entrusted_visit),
			GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "butler");
	it_fire_as("li.ming", "butler", late, "visit", entrusted_visit, N(entrusted_visit));
	/* The 8 hours count from the visit, not from the opening. */
	it_assert_clock(late, "feedback", RUNNING, visit_late + 8 * HOUR);

	/* The storm visit missed at 12:00: the cs_lead alerted. */
	it_expect_alert(storm, NULL, "visit", BREACH, it_at("2026-10-09T12:00:00+08:00"), "cs_lead",
			1);

	it_advance_to(it_at("2026-10-09T16:00:00+08:00"));
	it_fire_as("li.ming", "butler", ok, "feedback", result_kv, N(result_kv));
	it_assert_state(ok, "reported");

	/* Late: the butler warned at 7 h, the cs_lead alerted at 8 h. */
	it_expect_alert(late, NULL, "feedback", WARNING, visit_late + 7 * HOUR, "butler", 0);
	it_expect_alert(late, NULL, "feedback", BREACH, visit_late + 8 * HOUR, "cs_lead", 1);
	it_advance_to(it_at("2026-10-09T19:00:00+08:00"));
	it_fire_as("li.ming", "butler", late, "feedback", result_kv, N(result_kv));
	it_advance_to(it_at("2026-10-10T12:00:00+08:00"));
	ck_assert_uint_eq(it_n_alerts(ok), 0);
	ck_assert_uint_eq(it_n_alerts(late), 2);
}
END_TEST

static const char *const finished_visit[] = {
	"furniture=ok", "tv=ok", "gas=ok", "water_power=ok",
	"balcony_rails=loose bolt, photographed", "photos=NAS/r14/2026-10",
};

START_TEST(r14_vacant_finished_unit_result_within_24h_of_the_visit)
{
	const char *ok_kv[] = { "unit=7-0201", "responsible_unit=developer sales office" };
	const char *late_kv[] = { "unit=7-0202" };
	const char *result_kv[] = { "result=balcony rail bolt loose, repair requested" };
	const char *to_kv[] = { "result=balcony rail bolt loose, repair requested",
				"responsible_unit=developer sales office" };
	int64_t visit_late = it_at("2026-10-09T15:00:00+08:00");
	uint64_t ok, late;

	it_start("2026-10-09T09:00:00+08:00", NULL, NULL);
	ok = it_open_as("generator", "admin_hr", "r14_vacant_finished_inspection", NULL, ok_kv,
			N(ok_kv));
	late = it_open_as("li.ming", "butler", "r14_vacant_finished_inspection", NULL, late_kv,
			  N(late_kv));

	/* On time: visited at 10:00, reported at 16:00 the same day. */
	it_advance_to(it_at("2026-10-09T10:00:00+08:00"));
	it_fire_refused("li.ming", "butler", ok, "visit", finished_visit, 4,
			GUANJIA__ERROR_CODE__MISSING_FIELD, "balcony_rails");
	it_fire_as("li.ming", "butler", ok, "visit", finished_visit, N(finished_visit));

	it_advance_to(visit_late);
	it_fire_as("li.ming", "butler", late, "visit", finished_visit, N(finished_visit));
	it_assert_clock(late, "feedback", RUNNING, visit_late + 24 * HOUR);

	it_advance_to(it_at("2026-10-09T16:00:00+08:00"));
	it_fire_as("li.ming", "butler", ok, "feedback", result_kv, N(result_kv));
	it_assert_state(ok, "reported");

	/* Late: the butler warned 2 h before, the cs_lead alerted at 24 h. */
	it_expect_alert(late, NULL, "feedback", WARNING, visit_late + 22 * HOUR, "butler", 0);
	it_expect_alert(late, NULL, "feedback", BREACH, visit_late + 24 * HOUR, "cs_lead", 1);
	/* The result goes to the responsible unit: it must be named. */
	it_fire_refused("li.ming", "butler", late, "feedback", result_kv, N(result_kv),
			GUANJIA__ERROR_CODE__MISSING_FIELD, "responsible_unit");
	it_fire_as("li.ming", "butler", late, "feedback", to_kv, N(to_kv));
	it_assert_state(late, "reported");
	it_advance(24 * HOUR);
	ck_assert_uint_eq(it_n_alerts(ok), 0);
	ck_assert_uint_eq(it_n_alerts(late), 2);
}
END_TEST

static const char *const shell_visit[] = {
	"leaks=none", "balcony_rails=ok", "photos=NAS/r15/2026-10",
};

START_TEST(r15_vacant_shell_unit_result_within_24h_of_the_visit)
{
	const char *ok_kv[] = { "unit=9-1201", "responsible_unit=developer sales office" };
	const char *late_kv[] = { "unit=9-1202", "responsible_unit=developer sales office",
				  "priority=3", "storm=rainstorm 10-09" };
	const char *result_kv[] = { "result=no leaks, rails sound" };
	int64_t visit_late = it_at("2026-10-09T11:00:00+08:00");
	uint64_t ok, late;

	it_start("2026-10-09T09:00:00+08:00", NULL, NULL);
	ok = it_open_as("generator", "admin_hr", "r15_vacant_shell_inspection", NULL, ok_kv,
			N(ok_kv));
	late = it_open_as("li.ming", "butler", "r15_vacant_shell_inspection", NULL, late_kv,
			  N(late_kv));

	/* On time: visited at 09:30, reported at 07:00 the next morning. */
	it_advance_to(it_at("2026-10-09T09:30:00+08:00"));
	it_fire_refused("li.ming", "butler", ok, "visit", shell_visit + 1, 2,
			GUANJIA__ERROR_CODE__MISSING_FIELD, "leaks");
	it_fire_as("li.ming", "butler", ok, "visit", shell_visit, N(shell_visit));
	it_advance_to(visit_late);
	it_fire_as("li.ming", "butler", late, "visit", shell_visit, N(shell_visit));
	it_assert_clock(late, "feedback", RUNNING, visit_late + 24 * HOUR);
	it_advance_to(it_at("2026-10-10T07:00:00+08:00"));
	it_fire_as("li.ming", "butler", ok, "feedback", result_kv, N(result_kv));
	it_assert_state(ok, "reported");

	/* Late: warned 2 h before, the cs_lead alerted at 24 h. */
	it_expect_alert(late, NULL, "feedback", WARNING, visit_late + 22 * HOUR, "butler", 0);
	it_expect_alert(late, NULL, "feedback", BREACH, visit_late + 24 * HOUR, "cs_lead", 1);
	it_advance(24 * HOUR);
	ck_assert_uint_eq(it_n_alerts(ok), 0);
	ck_assert_uint_eq(it_n_alerts(late), 2);
}
END_TEST

START_TEST(r25_paid_entrusted_unit_result_within_4h_of_the_visit)
{
	const char *air_kv[] = { "unit=6-0901", "service=airing" };
	const char *clean_kv[] = { "unit=6-0901", "service=cleaning" };
	const char *storm_kv[] = { "unit=6-0901", "priority=1", "storm=typhoon Haikui" };
	const char *storm_visit[N(entrusted_visit) + 1];
	const char *result_kv[] = { "result=aired 2 h, all in order" };
	int64_t visit_late = it_at("2026-10-09T11:00:00+08:00");
	uint64_t air, clean, storm;
	Guanjia__Reply *r = NULL;

	it_start("2026-10-09T09:00:00+08:00", NULL, NULL);
	air = it_open_as("generator", "admin_hr", "r25_paid_entrusted_service", NULL, air_kv,
			 N(air_kv));
	clean = it_open_as("generator", "admin_hr", "r25_paid_entrusted_service", NULL, clean_kv,
			   N(clean_kv));
	storm = it_open_as("li.ming", "butler", "r25_paid_entrusted_service", NULL, storm_kv,
			   N(storm_kv));

	/* On time: aired at 10:00, result to the owner at 13:00. */
	it_advance_to(it_at("2026-10-09T10:00:00+08:00"));
	it_fire_as("li.ming", "butler", air, "visit", entrusted_visit, N(entrusted_visit));
	it_assert_clock(air, "feedback", RUNNING, it_at("2026-10-09T14:00:00+08:00"));

	/* The storm round's look says what was done. */
	it_fire_refused("li.ming", "butler", storm, "visit", entrusted_visit, N(entrusted_visit),
			GUANJIA__ERROR_CODE__MISSING_FIELD, "service");
	memcpy(storm_visit, entrusted_visit, sizeof(entrusted_visit));
	storm_visit[N(entrusted_visit)] = "service=storm_check";
	it_fire_as("li.ming", "butler", storm, "visit", storm_visit, N(storm_visit));
	ck_assert_str_eq(it_field(it_get(storm, false, &r), "priority"), "1");
	gj_reply_free(r);

	/* Cleaned at 11:00: the result due at 15:00. */
	it_advance_to(visit_late);
	it_fire_as("li.ming", "butler", clean, "visit", entrusted_visit, N(entrusted_visit));
	it_assert_clock(clean, "feedback", RUNNING, visit_late + 4 * HOUR);

	it_advance_to(it_at("2026-10-09T13:00:00+08:00"));
	it_fire_as("li.ming", "butler", air, "feedback", result_kv, N(result_kv));
	it_fire_as("li.ming", "butler", storm, "feedback", result_kv, N(result_kv));
	it_assert_state(air, "reported");

	/* Late: warned 30 min before, the cs_lead alerted at 4 h. */
	it_expect_alert(clean, NULL, "feedback", WARNING, visit_late + 3 * HOUR + 30 * MIN,
			"butler", 0);
	it_expect_alert(clean, NULL, "feedback", BREACH, visit_late + 4 * HOUR, "cs_lead", 1);
	it_advance(8 * HOUR);
	ck_assert_uint_eq(it_n_alerts(air), 0);
	ck_assert_uint_eq(it_n_alerts(storm), 0);
	ck_assert_uint_eq(it_n_alerts(clean), 2);
}
END_TEST

/* --- R16 zone patrols ------------------------------------------------- */

START_TEST(r16_zone_patrols_and_findings_followed_up_per_team)
{
	const char *p_ok_kv[] = { "zone=1#", "butler=li.ming", "patrol_by=2026-10-14T17:30:00+08:00" };
	const char *p_late_kv[] = { "zone=2#", "patrol_by=2026-10-12T17:30:00+08:00" };
	const char *round_kv[] = { "decoration=2-0801 site tidy", "cleanliness=stairwell B litter",
				   "facilities=lobby light out", "building=ok",
				   "sign_in_sheets=ok", "findings=2" };
	const char *f_ok_kv[] = { "zone=1#", "team=engineering", "problem=lobby light out",
				  "fix_by=2026-10-13T17:30:00+08:00" };
	const char *f_late_kv[] = { "zone=1#", "team=cleaning", "problem=stairwell B litter" };
	const char *fix_by_kv[] = { "fix_by=2026-10-13T12:00:00+08:00" };
	const char *later_kv[] = { "fix_by=2026-10-14T12:00:00+08:00" };
	const char *action_kv[] = { "action=swept" };
	const char *lamp_kv[] = { "action=lamp replaced" };
	const char *reason_kv[] = { "reason=still littered at 15:00" };
	int64_t fix_by = it_at("2026-10-13T12:00:00+08:00");
	uint64_t p_ok, p_late, f_ok, f_late;
	Guanjia__Reply *r = NULL;
	struct it_alerts a;

	/* Monday 2026-10-12: the week's patrols opened (admin_hr, as the
	 * generator does), one of them due today. */
	it_start("2026-10-12T08:00:00+08:00", NULL, NULL);
	p_ok = it_open_as("generator", "admin_hr", "r16_patrol", NULL, p_ok_kv, N(p_ok_kv));
	p_late = it_open_as("generator", "admin_hr", "r16_patrol", NULL, p_late_kv, N(p_late_kv));

	/* On time: zone 1# patrolled at 15:00, item by item; two findings
	 * passed to their teams. */
	it_advance_to(it_at("2026-10-12T15:00:00+08:00"));
	it_fire_refused("li.ming", "butler", p_ok, "patrol", round_kv, N(round_kv) - 2,
			GUANJIA__ERROR_CODE__MISSING_FIELD, "sign_in_sheets");
	it_fire_as("li.ming", "butler", p_ok, "patrol", round_kv, N(round_kv));
	it_assert_state(p_ok, "patrolled");
	f_ok = it_open_as("li.ming", "butler", "r16_finding", NULL, f_ok_kv, N(f_ok_kv));
	f_late = it_open_as("li.ming", "butler", "r16_finding", NULL, f_late_kv, N(f_late_kv));
	ck_assert_str_eq(it_get(f_late, false, &r)->state, "passed");
	ck_assert_str_eq(it_field(r->ticket, "team"), "cleaning");
	ck_assert_str_eq(it_field(r->ticket, "zone"), "1#");
	gj_reply_free(r);
	it_assert_clock(f_ok, "fix", RUNNING, it_at("2026-10-13T17:30:00+08:00"));
	/* No date agreed yet: no clock. */
	it_assert_clock(f_late, "fix", IDLE, 0);

	/* Late patrol: zone 2# not patrolled by 17:30: the butler warned at
	 * 15:30, the cs_lead alerted at 17:30. */
	it_expect_alert(p_late, NULL, "patrol", WARNING, it_at("2026-10-12T15:30:00+08:00"),
			"butler", 0);
	it_advance_to(it_at("2026-10-12T16:00:00+08:00"));
	/* The cleaning team's head agrees to put it right by 12:00 tomorrow. */
	it_fire_as("huang.lei", "team_head", f_late, "set_fix_by", fix_by_kv, N(fix_by_kv));
	it_assert_clock(f_late, "fix", RUNNING, fix_by);
	it_expect_alert(p_late, NULL, "patrol", BREACH, it_at("2026-10-12T17:30:00+08:00"),
			"cs_lead", 1);

	/* On time finding: dealt with by engineering, followed up by the
	 * butler, resolved. */
	it_advance_to(it_at("2026-10-13T09:00:00+08:00"));
	it_fire_as("sun.qiang", "engineering", f_ok, "fix", lamp_kv, N(lamp_kv));
	it_fire_refused("sun.qiang", "engineering", f_ok, "follow_up", NULL, 0,
			GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "butler");
	it_fire_as("li.ming", "butler", f_ok, "follow_up", NULL, 0);
	it_assert_state(f_ok, "resolved");

	/* Late finding: the butler warned 2 h before fix_by, the team head and
	 * the cs_lead alerted at it. */
	it_expect_alert(f_late, NULL, "fix", WARNING, fix_by - 2 * HOUR, "butler", 0);
	it_expect_alert(f_late, NULL, "fix", BREACH, fix_by, "team_head,cs_lead", 1);

	/* Dealt with at 14:00, but the butler's follow-up finds it not put
	 * right: back to the team, overdue at once. */
	it_advance_to(it_at("2026-10-13T14:00:00+08:00"));
	it_fire_as("huang.lei", "team_head", f_late, "fix", action_kv, N(action_kv));
	it_advance_to(it_at("2026-10-13T15:00:00+08:00"));
	it_fire_as("li.ming", "butler", f_late, "not_fixed", reason_kv, N(reason_kv));
	it_assert_state(f_late, "passed");
	it_advance(1);
	a = it_alerts(f_late, NULL, "fix", BREACH, 0);
	ck_assert_uint_eq(a.n, 2);
	ck_assert_int_eq(a.last_at, it_at("2026-10-13T15:00:00+08:00"));
	ck_assert_str_eq(a.roles, "team_head,cs_lead");

	/* A new date, met: resolved, no more alerts. */
	it_fire_as("li.ming", "butler", f_late, "set_fix_by", later_kv, N(later_kv));
	it_assert_clock(f_late, "fix", RUNNING, it_at("2026-10-14T12:00:00+08:00"));
	it_advance_to(it_at("2026-10-14T09:00:00+08:00"));
	it_fire_as("huang.lei", "team_head", f_late, "fix", action_kv, N(action_kv));
	it_fire_as("li.ming", "butler", f_late, "follow_up", NULL, 0);
	it_assert_state(f_late, "resolved");
	it_advance_to(it_at("2026-10-15T09:00:00+08:00"));
	ck_assert_uint_eq(it_n_alerts(f_late), 3);
	ck_assert_uint_eq(it_n_alerts(f_ok), 0);
	ck_assert_uint_eq(it_n_alerts(p_ok), 0);
	ck_assert_uint_eq(it_n_alerts(p_late), 2);
}
END_TEST

Suite *rules_units_suite(void)
{
	Suite *s = suite_create("rules_units");
	TCase *tc = tcase_create("daemon");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, it_setup, it_teardown);
	tcase_add_test(tc, r12_key_loans_back_the_same_day_or_by_the_agreed_date);
	tcase_add_test(tc, r12_vacant_unit_keys_counted_monthly_by_admin_hr_with_the_butler);
	tcase_add_test(tc, r13_entrusted_unit_result_to_the_owner_within_8h_of_the_visit);
	tcase_add_test(tc, r14_vacant_finished_unit_result_within_24h_of_the_visit);
	tcase_add_test(tc, r15_vacant_shell_unit_result_within_24h_of_the_visit);
	tcase_add_test(tc, r16_zone_patrols_and_findings_followed_up_per_team);
	tcase_add_test(tc, r25_paid_entrusted_unit_result_within_4h_of_the_visit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return it_run(rules_units_suite());
}
