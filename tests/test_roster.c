/*
 * test_roster.c - unit tests of the estates list (daemon/estates.c) and the
 * duty roster (daemon/roster.c): the shipped etc/estates.yaml and
 * etc/rosters/ load and agree with each other and the calendars; broken
 * files name the right line; who is on duty at many instants, on working
 * days, holidays and make-up days of the real cn calendar, across midnight,
 * and up the escalation order.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "estates.h"
#include "roster.h"

#ifndef GJ_SOURCE_ROOT
#error "GJ_SOURCE_ROOT must be defined by the build"
#endif

#define CN_PATH GJ_SOURCE_ROOT "/etc/calendars/cn.yaml"
#define ESTATES_PATH GJ_SOURCE_ROOT "/etc/estates.yaml"
#define DEMO_PATH GJ_SOURCE_ROOT "/etc/rosters/demo.yaml"

/* ---- helpers ---------------------------------------------------------- */

static struct gj_calendar *load_cn(void)
{
	struct gj_calendar *cal = NULL;
	char *error = NULL;
	int r;

	r = gj_calendar_load_file(CN_PATH, &cal, &error);
	ck_assert_msg(r == 0, "%s: %d: %s", CN_PATH, r, error ? error : "?");
	return cal;
}

static struct gj_roster *load_demo(void)
{
	struct gj_roster *ro = NULL;
	char *error = NULL;
	int r;

	r = gj_roster_load_file(DEMO_PATH, &ro, &error);
	ck_assert_msg(r == 0, "%s: %d: %s", DEMO_PATH, r, error ? error : "?");
	return ro;
}

static struct gj_roster *load_roster_text(const char *text)
{
	struct gj_roster *ro = NULL;
	char *error = NULL;
	int r;

	r = gj_roster_load_buffer("t.yaml", text, strlen(text), &ro, &error);
	ck_assert_msg(r == 0, "%d: %s", r, error ? error : "?");
	return ro;
}

/* Local time at +08:00 (or `offset_min`) as ms since the epoch. */
static int64_t at_offset(int y, int m, int d, int hh, int mm, int offset_min)
{
	struct gj_date date = { .y = y, .m = m, .d = d };
	int32_t days;

	ck_assert_int_eq(gj_date_to_days(date, &days), 0);
	return ((int64_t)days * 1440 + hh * 60 + mm - offset_min) * 60 * 1000;
}

static int64_t at(int y, int m, int d, int hh, int mm)
{
	return at_offset(y, m, d, hh, mm, 480);
}

#define MAX_DUTY 64

/* The people on duty as "role:person[<fallback_for]" joined by spaces, in
 * the roster's order: one string to compare. */
static char *duty_zone(const struct gj_roster *ro, const struct gj_calendar *cal,
		       const char *role, const char *zone, int64_t now)
{
	struct gj_roster_duty out[MAX_DUTY];
	char *buf = NULL;
	size_t size = 0, n = 99;
	FILE *f;
	int r;

	r = gj_roster_on_duty_in_zone(ro, cal, role, zone, now, out, MAX_DUTY, &n);
	ck_assert_int_eq(r, 0);
	ck_assert_uint_le(n, MAX_DUTY);
	f = open_memstream(&buf, &size);
	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < n; i++) {
		ck_assert_ptr_nonnull(out[i].name);
		fprintf(f, "%s%s:%s", i ? " " : "", out[i].role, out[i].person);
		if (out[i].fallback_for)
			fprintf(f, "<%s", out[i].fallback_for);
	}
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

#define ck_duty_zone(ro, cal, role, zone, now, want)                          \
	do {                                                                     \
		char *got_ = duty_zone((ro), (cal), (role), (zone), (now));      \
		ck_assert_msg(strcmp(got_, (want)) == 0,                         \
			      "%s in %s at %s: got \"%s\", want \"%s\"", (role),  \
			      (zone) ? (zone) : "any zone", #now, got_, (want));  \
		free(got_);                                                      \
	} while (0)

#define ck_duty(ro, cal, role, now, want) \
	ck_duty_zone(ro, cal, role, NULL, now, want)

/* ---- the shipped files ------------------------------------------------ */

START_TEST(test_shipped_files)
{
	struct gj_estates *es = NULL;
	char *error = NULL;
	int r, rosters = 0;

	r = gj_estates_load_file(ESTATES_PATH, &es, &error);
	ck_assert_msg(r == 0, "%s", error ? error : "?");
	ck_assert_uint_ge(gj_estates_count(es), 1);
	for (size_t i = 0; i < gj_estates_count(es); i++) {
		const struct gj_estate *e = gj_estates_at(es, i);
		struct gj_calendar *cal = NULL;
		struct gj_roster *ro = NULL;
		char path[512];

		ck_assert_ptr_eq(gj_estates_find(es, gj_estate_id(e)), e);
		snprintf(path, sizeof(path), GJ_SOURCE_ROOT "/etc/calendars/%s.yaml",
			 gj_estate_calendar(e));
		r = gj_calendar_load_file(path, &cal, &error);
		ck_assert_msg(r == 0, "estate %s: %s", gj_estate_id(e), error ? error : "?");
		ck_assert_str_eq(gj_calendar_id(cal), gj_estate_calendar(e));
		gj_calendar_destroy(cal);
		if (!gj_estate_roster(e))
			continue;
		snprintf(path, sizeof(path), GJ_SOURCE_ROOT "/etc/rosters/%s.yaml",
			 gj_estate_roster(e));
		r = gj_roster_load_file(path, &ro, &error);
		ck_assert_msg(r == 0, "estate %s: %s", gj_estate_id(e), error ? error : "?");
		/* A roster is for the estate that names it. */
		ck_assert_str_eq(gj_roster_estate(ro), gj_estate_id(e));
		gj_roster_destroy(ro);
		rosters++;
	}
	ck_assert_int_ge(rosters, 1);
	ck_assert_ptr_nonnull(gj_estates_find(es, "demo"));
	ck_assert_str_eq(gj_estate_roster(gj_estates_find(es, "demo")), "demo");
	ck_assert_str_eq(gj_estate_title(gj_estates_find(es, "demo")),
			 "Demo Garden (演示花园)");
	gj_estates_destroy(es);
}
END_TEST

START_TEST(test_demo_roster)
{
	struct gj_roster *ro = load_demo();
	struct gj_calendar *cal = load_cn();
	static const char *const staff[] = {
		"butler", "cs_lead", "manager", "engineering", "security",
		"admin_hr", "team_head",
	};
	int count[7] = { 0 };
	int zoned = 0;

	ck_assert_str_eq(gj_roster_estate(ro), "demo");
	for (size_t i = 0; i < gj_roster_count(ro); i++) {
		const struct gj_roster_person *p = gj_roster_person_at(ro, i);

		ck_assert_ptr_eq(gj_roster_person(ro, p->id), p);
		for (size_t k = 0; k < 7; k++)
			count[k] += gj_roster_person_has_role(ro, p->id, staff[k]);
		if (p->zone) {
			ck_assert(gj_roster_person_has_role(ro, p->id, "butler"));
			zoned++;
		}
	}
	ck_assert_ptr_null(gj_roster_person_at(ro, gj_roster_count(ro)));
	ck_assert_int_eq(count[0], 4);      /* butlers, one per building */
	ck_assert_int_eq(zoned, 4);
	ck_assert_int_eq(count[1], 2);      /* cs_leads */
	ck_assert_int_eq(count[2], 1);      /* manager */
	ck_assert_int_ge(count[3], 3);      /* engineering */
	ck_assert_int_ge(count[4], 4);      /* security */
	ck_assert_int_eq(count[5], 1);      /* admin_hr */
	ck_assert_int_eq(count[6], 1);      /* team_head */

	/* Every staff role reaches someone at every hour of a fortnight that
	 * has a holiday week and a make-up Saturday in it. */
	for (int day = 0; day < 14; day++)
		for (int hour = 0; hour < 24; hour++)
			for (size_t k = 0; k < 7; k++) {
				struct gj_roster_duty out[MAX_DUTY];
				size_t n = 0;

				int64_t now = at(2026, 9, 28, 0, 0) +
					      (int64_t)(day * 24 + hour) * 3600 * 1000;

				ck_assert_int_eq(gj_roster_on_duty(ro, cal, staff[k], now,
								   out, MAX_DUTY, &n), 0);
				if (n == 0)
					ck_abort_msg("nobody for %s on day %d at %02d:00",
						     staff[k], day, hour);
			}
	gj_calendar_destroy(cal);
	gj_roster_destroy(ro);
}
END_TEST

/* The demo roster on the real calendar. */
START_TEST(test_demo_on_duty)
{
	struct gj_roster *ro = load_demo();
	struct gj_calendar *cal = load_cn();
	const char *butlers = "butler:wang.fang butler:li.ming butler:zhang.li "
			      "butler:zhao.xue";

	/* Friday 2026-10-09, a working day. */
	ck_duty(ro, cal, "butler", at(2026, 10, 9, 10, 0), butlers);
	ck_duty(ro, cal, "butler", at(2026, 10, 9, 8, 30), butlers);
	ck_duty(ro, cal, "butler", at(2026, 10, 9, 17, 29), butlers);
	ck_duty(ro, cal, "cs_lead", at(2026, 10, 9, 10, 0), "cs_lead:liu.yang");
	ck_duty(ro, cal, "manager", at(2026, 10, 9, 3, 0), "manager:chen.jianguo");
	/* Before and after office hours: no butler, no cs_lead: the manager. */
	ck_duty(ro, cal, "butler", at(2026, 10, 9, 8, 29),
		"manager:chen.jianguo<butler");
	ck_duty(ro, cal, "butler", at(2026, 10, 9, 17, 30),
		"manager:chen.jianguo<butler");
	/* Zones: the butler of the building. */
	ck_duty_zone(ro, cal, "butler", "2#", at(2026, 10, 9, 10, 0),
		     "butler:li.ming");
	ck_duty_zone(ro, cal, "butler", "4#", at(2026, 10, 9, 10, 0),
		     "butler:zhao.xue");
	/* The cs_lead has no zone: covers every one. */
	ck_duty_zone(ro, cal, "cs_lead", "2#", at(2026, 10, 9, 10, 0),
		     "cs_lead:liu.yang");

	/* National Day, Thursday 2026-10-01: a holiday.  No office: the
	 * holiday-duty cs_lead answers for the butlers. */
	ck_duty(ro, cal, "butler", at(2026, 10, 1, 10, 0), "cs_lead:zhou.min<butler");
	ck_duty_zone(ro, cal, "butler", "3#", at(2026, 10, 1, 10, 0),
		     "cs_lead:zhou.min<butler");
	ck_duty(ro, cal, "cs_lead", at(2026, 10, 1, 10, 0), "cs_lead:zhou.min");
	ck_duty(ro, cal, "admin_hr", at(2026, 10, 1, 10, 0),
		"manager:chen.jianguo<admin_hr");
	ck_duty(ro, cal, "admin_hr", at(2026, 9, 30, 10, 0), "admin_hr:he.jing");
	/* ... and the head of engineering is off: the technicians only. */
	ck_duty(ro, cal, "engineering", at(2026, 10, 1, 10, 0),
		"engineering:sun.qiang engineering:ma.jun");
	ck_duty(ro, cal, "engineering", at(2026, 9, 30, 10, 0),
		"engineering:huang.lei engineering:sun.qiang engineering:ma.jun");
	ck_duty(ro, cal, "team_head", at(2026, 10, 1, 10, 0),
		"manager:chen.jianguo<team_head");

	/* Saturday 2026-10-10, a make-up working day: office hours. */
	ck_duty(ro, cal, "butler", at(2026, 10, 10, 10, 0), butlers);
	ck_duty(ro, cal, "cs_lead", at(2026, 10, 10, 10, 0), "cs_lead:liu.yang");
	/* Sunday 2026-10-11: rest. */
	ck_duty(ro, cal, "butler", at(2026, 10, 11, 10, 0), "cs_lead:zhou.min<butler");
	/* Saturday 2026-10-17: an ordinary weekend. */
	ck_duty(ro, cal, "cs_lead", at(2026, 10, 17, 9, 0), "cs_lead:zhou.min");

	/* The night shift: 20:00 to 08:00 of the next day. */
	ck_duty(ro, cal, "engineering", at(2026, 10, 9, 19, 59),
		"engineering:sun.qiang engineering:ma.jun");
	ck_duty(ro, cal, "engineering", at(2026, 10, 9, 20, 0), "engineering:zheng.hao");
	ck_duty(ro, cal, "engineering", at(2026, 10, 9, 23, 0), "engineering:zheng.hao");
	ck_duty(ro, cal, "engineering", at(2026, 10, 10, 3, 0), "engineering:zheng.hao");
	ck_duty(ro, cal, "engineering", at(2026, 10, 10, 7, 59), "engineering:zheng.hao");
	ck_duty(ro, cal, "engineering", at(2026, 10, 10, 8, 0),
		"engineering:sun.qiang engineering:ma.jun");
	ck_duty(ro, cal, "security", at(2026, 10, 1, 3, 0),
		"security:lin.hai security:luo.jie");
	ck_duty(ro, cal, "security", at(2026, 10, 1, 12, 0),
		"security:xu.bing security:gao.feng");

	gj_calendar_destroy(cal);
	gj_roster_destroy(ro);
}
END_TEST

/* ---- shifts and days, on a roster made for the purpose ----------------- */

static const char SHIFTS[] =
	"estate: t\n"
	"shifts:\n"
	"  office: {from: \"08:30\", to: \"17:30\", days: working}\n"
	"  holiday: {from: \"09:00\", to: \"18:00\", days: rest}\n"
	"  night_w: {from: \"20:00\", to: \"08:00\", days: working}\n"
	"  weekend_day: {from: \"08:00\", to: \"20:00\", days: [sat, sun]}\n"
	"  full: {from: \"07:00\", to: \"07:00\", days: [mon]}\n"
	"  late: {from: \"16:00\", to: \"24:00\"}\n"
	"  fri_night: {from: \"22:00\", to: \"06:00\", days: [fri]}\n"
	"people:\n"
	"  - {id: office, name: O, roles: [butler], shifts: [office]}\n"
	"  - {id: holiday, name: H, roles: [cs_lead], shifts: [holiday]}\n"
	"  - {id: night, name: N, roles: [engineering], shifts: [night_w]}\n"
	"  - {id: weekend, name: W, roles: [security], shifts: [weekend_day]}\n"
	"  - {id: full, name: F, roles: [admin_hr], shifts: [full]}\n"
	"  - {id: late, name: L, roles: [team_head], shifts: [late]}\n"
	"  - {id: fri, name: R, roles: [manager], shifts: [fri_night]}\n"
	"  - {id: idle, name: I, roles: [manager], shifts: []}\n";

START_TEST(test_shifts)
{
	struct gj_roster *ro = load_roster_text(SHIFTS);
	struct gj_calendar *cal = load_cn();

	/* office: working days 08:30-17:30, [from, to). */
	ck_duty(ro, cal, "butler", at(2026, 9, 30, 8, 30), "butler:office");
	ck_duty(ro, cal, "butler", at(2026, 9, 30, 17, 29), "butler:office");
	ck_duty(ro, cal, "butler", at(2026, 9, 30, 17, 30), "");
	ck_duty(ro, cal, "butler", at(2026, 10, 1, 10, 0), "");   /* holiday */
	ck_duty(ro, cal, "butler", at(2026, 10, 10, 10, 0), "butler:office"); /* make-up */
	ck_duty(ro, cal, "butler", at(2026, 10, 11, 10, 0), "");  /* Sunday */
	ck_duty(ro, cal, "butler", at(2026, 10, 3, 10, 0), "");   /* holiday Saturday */
	/* Without a calendar: +08:00 and Monday to Friday. */
	ck_duty(ro, NULL, "butler", at(2026, 10, 1, 10, 0), "butler:office");
	ck_duty(ro, NULL, "butler", at(2026, 10, 10, 10, 0), "");

	/* rest: the calendar's other days. */
	ck_duty(ro, cal, "cs_lead", at(2026, 10, 1, 9, 0), "cs_lead:holiday");
	ck_duty(ro, cal, "cs_lead", at(2026, 10, 11, 17, 59), "cs_lead:holiday");
	ck_duty(ro, cal, "cs_lead", at(2026, 10, 10, 10, 0), "");
	ck_duty(ro, cal, "cs_lead", at(2026, 10, 9, 10, 0), "");

	/* A night shift on working days belongs to the day it starts. */
	ck_duty(ro, cal, "engineering", at(2026, 9, 30, 23, 0), "engineering:night");
	ck_duty(ro, cal, "engineering", at(2026, 10, 1, 3, 0), "engineering:night");
	ck_duty(ro, cal, "engineering", at(2026, 10, 1, 7, 59), "engineering:night");
	ck_duty(ro, cal, "engineering", at(2026, 10, 1, 8, 0), "");
	/* Started on the holiday: does not run, also not at 03:00 after. */
	ck_duty(ro, cal, "engineering", at(2026, 10, 1, 23, 0), "");
	ck_duty(ro, cal, "engineering", at(2026, 10, 2, 3, 0), "");
	ck_duty(ro, cal, "engineering", at(2026, 10, 7, 23, 0), "");
	/* Wednesday 10-07 was the last holiday: 03:00 of the working 10-08
	 * belongs to it, so nobody; 23:00 of 10-08 does run. */
	ck_duty(ro, cal, "engineering", at(2026, 10, 8, 3, 0), "");
	ck_duty(ro, cal, "engineering", at(2026, 10, 8, 23, 0), "engineering:night");
	/* Friday night runs into the make-up Saturday; the Saturday's own
	 * night runs into Sunday; Sunday's does not. */
	ck_duty(ro, cal, "engineering", at(2026, 10, 10, 3, 0), "engineering:night");
	ck_duty(ro, cal, "engineering", at(2026, 10, 10, 23, 0), "engineering:night");
	ck_duty(ro, cal, "engineering", at(2026, 10, 11, 3, 0), "engineering:night");
	ck_duty(ro, cal, "engineering", at(2026, 10, 11, 23, 0), "");
	ck_duty(ro, cal, "engineering", at(2026, 10, 12, 3, 0), "");

	/* Weekdays listed: the calendar does not matter. */
	ck_duty(ro, cal, "security", at(2026, 10, 10, 8, 0), "security:weekend");
	ck_duty(ro, cal, "security", at(2026, 10, 11, 19, 59), "security:weekend");
	ck_duty(ro, cal, "security", at(2026, 10, 11, 20, 0), "");
	ck_duty(ro, cal, "security", at(2026, 10, 1, 12, 0), "");   /* a Thursday */

	/* from == to: 24 hours, Monday 07:00 to Tuesday 07:00. */
	ck_duty(ro, cal, "admin_hr", at(2026, 10, 12, 6, 59), "");
	ck_duty(ro, cal, "admin_hr", at(2026, 10, 12, 7, 0), "admin_hr:full");
	ck_duty(ro, cal, "admin_hr", at(2026, 10, 12, 23, 59), "admin_hr:full");
	ck_duty(ro, cal, "admin_hr", at(2026, 10, 13, 6, 59), "admin_hr:full");
	ck_duty(ro, cal, "admin_hr", at(2026, 10, 13, 7, 0), "");

	/* to: 24:00, every day (days left out). */
	ck_duty(ro, cal, "team_head", at(2026, 10, 1, 15, 59), "");
	ck_duty(ro, cal, "team_head", at(2026, 10, 1, 16, 0), "team_head:late");
	ck_duty(ro, cal, "team_head", at(2026, 10, 1, 23, 59), "team_head:late");
	ck_duty(ro, cal, "team_head", at(2026, 10, 2, 0, 0), "");

	/* Friday 22:00 to Saturday 06:00; `idle` is never on duty. */
	ck_duty(ro, cal, "manager", at(2026, 10, 9, 21, 59), "");
	ck_duty(ro, cal, "manager", at(2026, 10, 9, 22, 0), "manager:fri");
	ck_duty(ro, cal, "manager", at(2026, 10, 10, 5, 59), "manager:fri");
	ck_duty(ro, cal, "manager", at(2026, 10, 10, 6, 0), "");
	ck_duty(ro, cal, "manager", at(2026, 10, 10, 22, 0), "");
	ck_duty(ro, cal, "manager", at(2026, 10, 11, 3, 0), "");
	ck_assert(gj_roster_has_person(ro, "idle"));

	gj_calendar_destroy(cal);
	gj_roster_destroy(ro);
}
END_TEST

/* Local time comes from the calendar's UTC offset. */
START_TEST(test_utc_offset)
{
	static const char UTC_CAL[] =
		"id: utc\n"
		"title: UTC\n"
		"time_zone: UTC\n"
		"utc_offset: \"+00:00\"\n"
		"working_hours: [\"09:00-17:00\"]\n";
	struct gj_roster *ro = load_roster_text(SHIFTS);
	struct gj_calendar *cal = NULL;
	char *error = NULL;

	ck_assert_msg(gj_calendar_load_buffer("utc.yaml", UTC_CAL, strlen(UTC_CAL),
					      &cal, &error) == 0, "%s", error);
	/* 08:30 UTC is 16:30 in Beijing: office hours in both; 17:00 UTC
	 * is 01:00 on Saturday in Beijing. */
	ck_duty(ro, cal, "butler", at_offset(2026, 10, 9, 8, 30, 0), "butler:office");
	ck_duty(ro, NULL, "butler", at_offset(2026, 10, 9, 8, 30, 0), "butler:office");
	ck_duty(ro, cal, "butler", at_offset(2026, 10, 9, 17, 0, 0), "butler:office");
	ck_duty(ro, NULL, "butler", at_offset(2026, 10, 9, 17, 0, 0), "");
	/* 2026-10-01 is not a holiday in this calendar. */
	ck_duty(ro, cal, "butler", at_offset(2026, 10, 1, 10, 0, 0), "butler:office");
	/* Instants before the epoch work too: Friday 1969-12-26. */
	ck_duty(ro, cal, "butler", at_offset(1969, 12, 26, 10, 0, 0), "butler:office");
	ck_duty(ro, cal, "butler", at_offset(1969, 12, 27, 10, 0, 0), "");
	gj_calendar_destroy(cal);
	gj_roster_destroy(ro);
}
END_TEST

/* ---- escalation ------------------------------------------------------- */

static const char CHAIN[] =
	"estate: t\n"
	"shifts:\n"
	"  office: {from: \"08:30\", to: \"17:30\", days: working}\n"
	"  evening: {from: \"17:30\", to: \"22:00\", days: all}\n"
	"escalation:\n"
	"  butler: cs_lead\n"
	"  cs_lead: team_head\n"
	"  team_head: manager\n"
	"  security: admin_hr\n"
	"  admin_hr: security\n"
	"people:\n"
	"  - {id: b1, name: B1, roles: [butler], zone: \"1#\", shifts: [office]}\n"
	"  - {id: b2, name: B2, roles: [butler], zone: \"2#\", shifts: [office]}\n"
	"  - {id: b3, name: B3, roles: [butler], zone: \"3#\", shifts: [office]}\n"
	"  - {id: b0, name: B0, roles: [butler], shifts: [evening]}\n"
	"  - {id: lead, name: L, roles: [cs_lead, team_head], shifts: []}\n"
	"  - {id: boss, name: M, roles: [manager], shifts: [always]}\n"
	"  - {id: guard, name: G, roles: [security], shifts: [office]}\n";

START_TEST(test_escalation)
{
	struct gj_roster *ro = load_roster_text(CHAIN);
	struct gj_calendar *cal = load_cn();
	struct gj_roster_duty out[2];
	size_t n = 99;

	ck_duty(ro, cal, "butler", at(2026, 10, 9, 10, 0),
		"butler:b1 butler:b2 butler:b3");
	/* Nobody in butler, cs_lead, team_head (lead has no shift): the
	 * manager, three steps up, for the butler. */
	ck_duty(ro, cal, "butler", at(2026, 10, 9, 23, 0), "manager:boss<butler");
	ck_duty(ro, cal, "cs_lead", at(2026, 10, 9, 10, 0), "manager:boss<cs_lead");
	ck_duty(ro, cal, "team_head", at(2026, 10, 9, 10, 0), "manager:boss<team_head");
	/* The zoneless butler covers every zone. */
	ck_duty(ro, cal, "butler", at(2026, 10, 9, 18, 0), "butler:b0");
	ck_duty_zone(ro, cal, "butler", "2#", at(2026, 10, 9, 18, 0), "butler:b0");
	ck_duty_zone(ro, cal, "butler", "2#", at(2026, 10, 9, 10, 0), "butler:b2");
	/* A zone nobody owns: up the chain. */
	ck_duty_zone(ro, cal, "butler", "9#", at(2026, 10, 9, 10, 0),
		     "manager:boss<butler");
	ck_duty_zone(ro, cal, "butler", "1#", at(2026, 10, 1, 10, 0),
		     "manager:boss<butler");

	/* The manager has no escalation and is always there. */
	ck_duty(ro, cal, "manager", at(2026, 10, 1, 3, 0), "manager:boss");
	/* A cycle security <-> admin_hr: ends, nobody found. */
	ck_duty(ro, cal, "security", at(2026, 10, 9, 10, 0), "security:guard");
	ck_duty(ro, cal, "security", at(2026, 10, 9, 23, 0), "");
	ck_duty(ro, cal, "admin_hr", at(2026, 10, 9, 23, 0), "");
	ck_duty(ro, cal, "admin_hr", at(2026, 10, 9, 10, 0), "security:guard<admin_hr");
	/* No escalation, nobody: engineering. */
	ck_duty(ro, cal, "engineering", at(2026, 10, 9, 10, 0), "");

	/* At most `max` written. */
	ck_assert_int_eq(gj_roster_on_duty(ro, cal, "butler", at(2026, 10, 9, 10, 0),
					   out, 2, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(out[0].person, "b1");
	ck_assert_str_eq(out[0].name, "B1");
	ck_assert_str_eq(out[0].role, "butler");
	ck_assert_ptr_null(out[0].fallback_for);
	ck_assert_str_eq(out[1].person, "b2");
	ck_assert_int_eq(gj_roster_on_duty(ro, cal, "butler", at(2026, 10, 9, 23, 0),
					   out, 2, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(out[0].role, "manager");
	ck_assert_str_eq(out[0].fallback_for, "butler");
	ck_assert_int_eq(gj_roster_on_duty(ro, cal, "butler", at(2026, 10, 9, 10, 0),
					   NULL, 0, &n), 0);
	ck_assert_uint_eq(n, 0);

	/* Not staff roles. */
	n = 99;
	ck_assert_int_eq(gj_roster_on_duty(ro, cal, "owner", 0, out, 2, &n), -EINVAL);
	ck_assert_int_eq(gj_roster_on_duty(ro, cal, "tenant", 0, out, 2, &n), -EINVAL);
	ck_assert_int_eq(gj_roster_on_duty(ro, cal, "chef", 0, out, 2, &n), -EINVAL);
	ck_assert_int_eq(gj_roster_on_duty(ro, cal, NULL, 0, out, 2, &n), -EINVAL);
	ck_assert_uint_eq(n, 99);
	/* Outside years 1..9999. */
	ck_assert_int_eq(gj_roster_on_duty(ro, cal, "butler", INT64_MAX, out, 2, &n),
			 -ERANGE);
	ck_assert_int_eq(gj_roster_on_duty(ro, cal, "butler", INT64_MIN, out, 2, &n),
			 -ERANGE);
	ck_assert_uint_eq(n, 99);

	gj_calendar_destroy(cal);
	gj_roster_destroy(ro);
}
END_TEST

/* ---- lookups ---------------------------------------------------------- */

START_TEST(test_lookups)
{
	struct gj_roster *ro = load_demo();
	const struct gj_roster_person *p;
	const char *const *roles;
	char *error = NULL;
	size_t n = 99;

	ck_assert(gj_roster_has_person(ro, "wang.fang"));
	ck_assert(gj_roster_has_person(ro, "chen.jianguo"));
	ck_assert(!gj_roster_has_person(ro, "wang"));
	ck_assert(!gj_roster_has_person(ro, "wang.fang2"));
	ck_assert(!gj_roster_has_person(ro, ""));
	ck_assert(!gj_roster_has_person(ro, NULL));
	ck_assert(gj_roster_person_has_role(ro, "wang.fang", "butler"));
	ck_assert(!gj_roster_person_has_role(ro, "wang.fang", "manager"));
	ck_assert(!gj_roster_person_has_role(ro, "wang.fang", "owner"));
	ck_assert(!gj_roster_person_has_role(ro, "wang.fang", NULL));
	ck_assert(!gj_roster_person_has_role(ro, "nobody", "butler"));
	ck_assert(gj_roster_person_has_role(ro, "huang.lei", "team_head"));
	ck_assert(gj_roster_person_has_role(ro, "huang.lei", "engineering"));

	p = gj_roster_person(ro, "wang.fang");
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p->id, "wang.fang");
	ck_assert_str_eq(p->name, "王芳");
	ck_assert_str_eq(p->team, "customer_service");
	ck_assert_str_eq(p->zone, "1#");
	ck_assert_uint_eq(p->n_roles, 1);
	ck_assert_str_eq(p->roles[0], "butler");
	ck_assert_ptr_null(gj_roster_person(ro, "nobody"));
	ck_assert_ptr_null(gj_roster_person(ro, "chen.jianguo")->zone);

	roles = gj_roster_person_roles(ro, "huang.lei", &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(roles[0], "team_head");
	ck_assert_str_eq(roles[1], "engineering");
	ck_assert_ptr_null(gj_roster_person_roles(ro, "nobody", &n));
	ck_assert_uint_eq(n, 0);

	/* May this person act in this role here? */
	ck_assert_int_eq(gj_roster_check_actor(ro, "wang.fang", "butler", &error), 0);
	ck_assert_int_eq(gj_roster_check_actor(ro, "wang.fang", "manager", &error), -EPERM);
	ck_assert_str_eq(error, "wang.fang is on the roster of demo as butler, not as manager");
	free(error);
	ck_assert_int_eq(gj_roster_check_actor(ro, "huang.lei", "security", &error), -EPERM);
	ck_assert_str_eq(error, "huang.lei is on the roster of demo as team_head and "
				"engineering, not as security");
	free(error);
	ck_assert_int_eq(gj_roster_check_actor(ro, "zhao.lei", "butler", &error), -ENOENT);
	ck_assert_str_eq(error, "zhao.lei is not on the roster of demo");
	free(error);
	ck_assert_int_eq(gj_roster_check_actor(ro, "zhao.lei", "butler", NULL), -ENOENT);
	ck_assert_int_eq(gj_roster_check_actor(ro, "wang.fang", "owner", NULL), -EPERM);

	gj_roster_destroy(ro);
}
END_TEST

START_TEST(test_three_roles_message)
{
	struct gj_roster *ro = load_roster_text(
		"estate: t\n"
		"people:\n"
		"  - {id: a, name: A, roles: [butler, cs_lead, admin_hr], shifts: []}\n");
	char *error = NULL;

	ck_assert_int_eq(gj_roster_check_actor(ro, "a", "manager", &error), -EPERM);
	ck_assert_str_eq(error, "a is on the roster of t as butler, cs_lead and "
				"admin_hr, not as manager");
	free(error);
	gj_roster_destroy(ro);
}
END_TEST

/* ---- broken rosters --------------------------------------------------- */

/* A valid roster; the broken ones below are this with one line replaced,
 * so the numbers on the right are the lines their messages must name. */
static const char *const BASE[] = {
	"estate: t",                                                /*  1 */
	"zones: [\"1#\", \"2#\"]",                                  /*  2 */
	"shifts:",                                                  /*  3 */
	"  office: {from: \"08:30\", to: \"17:30\", days: working}", /* 4 */
	"  night: {from: \"20:00\", to: \"08:00\", days: all}",     /*  5 */
	"  weekend: {from: \"08:00\", to: \"20:00\", days: [sat, sun]}", /* 6 */
	"escalation:",                                              /*  7 */
	"  butler: cs_lead",                                        /*  8 */
	"  cs_lead: manager",                                       /*  9 */
	"people:",                                                  /* 10 */
	"  - id: wang.fang",                                        /* 11 */
	"    name: 王芳",                                           /* 12 */
	"    roles: [butler]",                                      /* 13 */
	"    team: customer_service",                               /* 14 */
	"    zone: \"1#\"",                                         /* 15 */
	"    shifts: [office]",                                     /* 16 */
	"  - id: chen.jianguo",                                     /* 17 */
	"    name: 陈建国",                                         /* 18 */
	"    roles: [manager]",                                     /* 19 */
	"    shifts: [always]",                                     /* 20 */
	NULL,
};

/* BASE with line `line` (1-based) replaced by `text`; `text` may hold
 * several lines, NULL drops the line. */
static char *variant(int line, const char *text)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	ck_assert_ptr_nonnull(f);
	for (int i = 0; BASE[i]; i++) {
		if (i + 1 == line) {
			if (text)
				fprintf(f, "%s\n", text);
		} else {
			fprintf(f, "%s\n", BASE[i]);
		}
	}
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

START_TEST(test_base_loads)
{
	char *text = variant(0, NULL);
	struct gj_roster *ro = load_roster_text(text);
	struct gj_calendar *cal = load_cn();

	ck_assert_str_eq(gj_roster_estate(ro), "t");
	ck_assert_uint_eq(gj_roster_count(ro), 2);
	ck_assert_int_eq(gj_roster_person_at(ro, 0)->line, 11);
	ck_duty(ro, cal, "butler", at(2026, 10, 9, 10, 0), "butler:wang.fang");
	ck_duty(ro, cal, "butler", at(2026, 10, 9, 20, 0), "manager:chen.jianguo<butler");
	gj_calendar_destroy(cal);
	gj_roster_destroy(ro);
	free(text);
}
END_TEST

static const struct {
	int line;           /* replaced line of BASE */
	const char *text;   /* its replacement */
	const char *error;  /* the start of the message expected */
} broken[] = {
	/* roles */
	{ 13, "    roles: [buttler]",
	  "t.yaml:13: person 'wang.fang': roles: unknown role 'buttler' (staff roles: "
	  "butler, cs_lead, manager, engineering, security, admin_hr, team_head)" },
	{ 13, "    roles: [owner]",
	  "t.yaml:13: person 'wang.fang': roles: 'owner' is a customer, not a staff role" },
	{ 19, "    roles: [manager, tenant]",
	  "t.yaml:19: person 'chen.jianguo': roles: 'tenant' is a customer" },
	{ 13, "    roles: [butler, butler]",
	  "t.yaml:13: person 'wang.fang': roles: 'butler' given twice" },
	{ 13, "    roles: []", "t.yaml:13: person 'wang.fang': roles: empty" },
	{ 13, "    roles: butler",
	  "t.yaml:13: person 'wang.fang': roles: expected a list, not a single value" },
	{ 13, NULL, "t.yaml:11: person 'wang.fang': missing 'roles'" },
	/* shifts of a person */
	{ 16, "    shifts: [ofice]",
	  "t.yaml:16: person 'wang.fang': shifts: unknown shift 'ofice' "
	  "(shifts: office, night, weekend, always)" },
	{ 16, "    shifts: [office, office]",
	  "t.yaml:16: person 'wang.fang': shifts: 'office' given twice" },
	{ 16, NULL, "t.yaml:11: person 'wang.fang': missing 'shifts'" },
	{ 20, "    shifts: always",
	  "t.yaml:20: person 'chen.jianguo': shifts: expected a list, not a single value" },
	/* shift definitions */
	{ 4, "  office: {from: \"8:30\", to: \"17:30\", days: working}",
	  "t.yaml:4: shift 'office': from: '8:30' is not a time \"HH:MM\" from 00:00 to 23:59" },
	{ 4, "  office: {from: \"08:30\", to: \"25:00\", days: working}",
	  "t.yaml:4: shift 'office': to: '25:00' is not a time \"HH:MM\" from 00:00 to 24:00" },
	{ 4, "  office: {from: \"24:00\", to: \"08:00\", days: working}",
	  "t.yaml:4: shift 'office': from: '24:00' is not a time" },
	{ 4, "  office: {from: \"08:60\", to: \"17:30\", days: working}",
	  "t.yaml:4: shift 'office': from: '08:60' is not a time" },
	{ 4, "  office: {from: \"08:30\", to: \"17:3x\", days: working}",
	  "t.yaml:4: shift 'office': to: '17:3x' is not a time" },
	{ 4, "  office: {from: \"08:30\", days: working}",
	  "t.yaml:4: shift 'office': missing 'to'" },
	{ 4, "  office: {to: \"08:30\"}", "t.yaml:4: shift 'office': missing 'from'" },
	{ 4, "  office: {from: \"08:30\", to: \"17:30\", hours: 9}",
	  "t.yaml:4: shift 'office': unknown key 'hours'" },
	{ 4, "  office: {from: \"08:30\", to: \"17:30\", days: weekdays}",
	  "t.yaml:4: shift 'office': days: 'weekdays' is not all, working, rest or a list" },
	{ 4, "  office: {from: \"08:30\", to: \"17:30\", days: [mon, funday]}",
	  "t.yaml:4: shift 'office': days: 'funday' is not one of mon, tue" },
	{ 4, "  office: {from: \"08:30\", to: \"17:30\", days: [mon, mon]}",
	  "t.yaml:4: shift 'office': days: 'mon' given twice" },
	{ 4, "  office: {from: \"08:30\", to: \"17:30\", days: []}",
	  "t.yaml:4: shift 'office': days: empty list of weekdays" },
	{ 4, "  office: \"08:30-17:30\"",
	  "t.yaml:4: shift 'office': expected a mapping {from, to, days}, not a single value" },
	{ 4, "  always: {from: \"08:30\", to: \"17:30\"}",
	  "t.yaml:4: shifts: 'always' is built in" },
	{ 4, "  Office: {from: \"08:30\", to: \"17:30\"}",
	  "t.yaml:4: shifts: 'Office' is not a shift name" },
	{ 5, "  office: {from: \"20:00\", to: \"08:00\"}",
	  "t.yaml:5: duplicate key 'office'" },
	/* escalation */
	{ 8, "  butler: butler", "t.yaml:8: escalation: butler escalates to itself" },
	{ 8, "  butler: tenant", "t.yaml:8: escalation: 'tenant' is a customer" },
	{ 8, "  buttler: cs_lead", "t.yaml:8: escalation: unknown role 'buttler'" },
	{ 8, "  owner: cs_lead", "t.yaml:8: escalation: 'owner' is a customer" },
	{ 8, "  butler: [cs_lead]", "t.yaml:8: escalation: expected a single value, not a list" },
	/* people */
	{ 17, "  - id: wang.fang",
	  "t.yaml:17: person 'wang.fang': listed twice (first at line 11)" },
	{ 11, "  - id: Wang Fang", "t.yaml:11: person: id: 'Wang Fang' is not a person id" },
	{ 11, "  - id: .wang", "t.yaml:11: person: id: '.wang' is not a person id" },
	{ 11, "  - id: "
	      "a123456789a123456789a123456789a123456789a123456789a123456789abcde",
	  "t.yaml:11: person: id: longer than 64 bytes" },
	{ 11, "  - nid: wang.fang", "t.yaml:11: person: missing 'id'" },
	{ 12, NULL, "t.yaml:11: person 'wang.fang': missing 'name'" },
	{ 12, "    name: \"\"", "t.yaml:12: person 'wang.fang': name: empty" },
	{ 12, "    nmae: 王芳", "t.yaml:12: person 'wang.fang': unknown key 'nmae'" },
	{ 14, "    team: Customer Service",
	  "t.yaml:14: person 'wang.fang': team: 'Customer Service' is not an identifier" },
	{ 15, "    zone: \"5#\"",
	  "t.yaml:15: person 'wang.fang': zone: '5#' is not one of the estate's zones" },
	{ 2, "zones: [\"1#\", \"1#\"]", "t.yaml:2: zones: '1#' given twice" },
	{ 2, "zones: []", "t.yaml:2: zones: empty" },
	/* the top */
	{ 1, "estate: T.1", "t.yaml:1: estate: 'T.1' is not an estate id" },
	{ 1, NULL, "t.yaml:1: missing 'estate'" },
	{ 1, "estate: t\nduty: yes", "t.yaml:2: roster: unknown key 'duty'" },
	{ 11, "  - id: wang.fang\n    phone: \"13800000000\"",
	  "t.yaml:12: person 'wang.fang': unknown key 'phone'" },
	{ 13, "    roles: [butler", "t.yaml:" },   /* syntax error: yamldoc's message */
};

START_TEST(test_broken)
{
	struct gj_roster *ro = NULL;
	char *text = variant(broken[_i].line, broken[_i].text);
	char *error = NULL;
	int r;

	r = gj_roster_load_buffer("t.yaml", text, strlen(text), &ro, &error);
	ck_assert_msg(r == -EINVAL, "case %d: r = %d", _i, r);
	ck_assert_ptr_null(ro);
	ck_assert_ptr_nonnull(error);
	ck_assert_msg(strncmp(error, broken[_i].error, strlen(broken[_i].error)) == 0,
		      "case %d: got \"%s\", want \"%s...\"", _i, error, broken[_i].error);
	free(error);
	free(text);
}
END_TEST

/* Broken rosters that are not one line away from BASE. */
START_TEST(test_roster_small_broken)
{
#define PEOPLE "people: [{id: a, name: A, roles: [butler], shifts: []}]\n"
	static const char *const cases[][2] = {
		{ "estate: t\nshifts: [office]\n" PEOPLE,
		  "t.yaml:2: shifts: expected a mapping, not a list" },
		{ "estate: t\nescalation: [butler]\n" PEOPLE,
		  "t.yaml:2: escalation: expected a mapping, not a list" },
		{ "estate: t\nzones: \"1#\"\n" PEOPLE,
		  "t.yaml:2: zones: expected a list, not a single value" },
		{ "estate: t\npeople: []\n", "t.yaml:2: people: empty" },
		{ "estate: t\npeople:\n  - wang.fang\n",
		  "t.yaml:3: people: expected a mapping, not a single value" },
		{ "estate: t\n", "t.yaml:1: missing 'people'" },
		{ "estate: t\nestate: u\n" PEOPLE, "t.yaml:2: duplicate key 'estate'" },
		{ "estate: [t]\n" PEOPLE, "t.yaml:1: estate: expected a single value, not a list" },
	};
#undef PEOPLE

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gj_roster *ro = NULL;
		char *error = NULL;

		ck_assert_int_eq(gj_roster_load_buffer("t.yaml", cases[i][0],
						       strlen(cases[i][0]), &ro,
						       &error), -EINVAL);
		ck_assert_ptr_null(ro);
		ck_assert_msg(strncmp(error, cases[i][1], strlen(cases[i][1])) == 0,
			      "got \"%s\", want \"%s...\"", error, cases[i][1]);
		free(error);
	}
}
END_TEST

START_TEST(test_roster_variants_load)
{
	/* Accepted forms: no zones, no escalation, no shifts at all (only
	 * `always`), a cycle in the escalation order, null team/zone. */
	static const struct {
		int line;
		const char *text;
	} ok[] = {
		{ 2, NULL },
		{ 8, "  butler: manager\n  manager: butler" },
		{ 14, "    team: ~" },
		{ 15, "    zone:" },
		{ 16, "    shifts: []" },
		{ 4, "  office: {from: \"00:00\", to: \"24:00\"}" },
		{ 4, "  office: {from: \"09:00\", to: \"09:00\", days: rest}" },
		{ 4, "  office: {from: 08:30, to: 17:30, days: [mon, tue, wed, thu, fri]}" },
	};

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		char *text = variant(ok[i].line, ok[i].text);
		struct gj_roster *ro = load_roster_text(text);

		gj_roster_destroy(ro);
		free(text);
	}
}
END_TEST

START_TEST(test_roster_files)
{
	struct gj_roster *ro = NULL;
	char *error = NULL;

	ck_assert_int_eq(gj_roster_load_file(GJ_SOURCE_ROOT "/etc/rosters/none.yaml",
					     &ro, &error), -ENOENT);
	ck_assert_ptr_null(ro);
	ck_assert_ptr_nonnull(strstr(error, "none.yaml: "));
	free(error);
	/* Not a mapping; nothing to say where: line 1. */
	ck_assert_int_eq(gj_roster_load_buffer("x.yaml", "- a\n", 4, &ro, &error), -EINVAL);
	ck_assert_str_eq(error, "x.yaml:1: expected a mapping, not a list");
	free(error);
	/* ret_error may be NULL. */
	ck_assert_int_eq(gj_roster_load_buffer("x.yaml", "- a\n", 4, &ro, NULL), -EINVAL);
	gj_roster_destroy(NULL);
}
END_TEST

/* ---- estates ---------------------------------------------------------- */

static const char *const EBASE[] = {
	"estates:",                 /* 1 */
	"  - id: demo",             /* 2 */
	"    title: Demo Garden",   /* 3 */
	"    calendar: cn",         /* 4 */
	"    roster: demo",         /* 5 */
	"  - id: north-gate_2",     /* 6 */
	"    title: 北门二期",      /* 7 */
	"    calendar: cn",         /* 8 */
	NULL,
};

static char *evariant(int line, const char *text)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	ck_assert_ptr_nonnull(f);
	for (int i = 0; EBASE[i]; i++) {
		if (i + 1 == line) {
			if (text)
				fprintf(f, "%s\n", text);
		} else {
			fprintf(f, "%s\n", EBASE[i]);
		}
	}
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

START_TEST(test_estates)
{
	char *text = evariant(0, NULL);
	struct gj_estates *es = NULL;
	const struct gj_estate *e;
	char *error = NULL;

	ck_assert_msg(gj_estates_load_buffer("e.yaml", text, strlen(text), &es,
					     &error) == 0, "%s", error);
	ck_assert_uint_eq(gj_estates_count(es), 2);
	e = gj_estates_at(es, 0);
	ck_assert_str_eq(gj_estate_id(e), "demo");
	ck_assert_str_eq(gj_estate_title(e), "Demo Garden");
	ck_assert_str_eq(gj_estate_calendar(e), "cn");
	ck_assert_str_eq(gj_estate_roster(e), "demo");
	ck_assert_int_eq(e->line, 2);
	e = gj_estates_find(es, "north-gate_2");
	ck_assert_ptr_eq(e, gj_estates_at(es, 1));
	ck_assert_str_eq(gj_estate_title(e), "北门二期");
	ck_assert_ptr_null(gj_estate_roster(e));
	ck_assert_ptr_null(gj_estates_find(es, "north"));
	ck_assert_ptr_null(gj_estates_find(es, NULL));
	ck_assert_ptr_null(gj_estates_at(es, 2));
	gj_estates_destroy(es);
	gj_estates_destroy(NULL);
	free(text);

	/* roster: null is no roster. */
	text = evariant(5, "    roster: ~");
	ck_assert_msg(gj_estates_load_buffer("e.yaml", text, strlen(text), &es,
					     &error) == 0, "%s", error);
	ck_assert_ptr_null(gj_estate_roster(gj_estates_find(es, "demo")));
	gj_estates_destroy(es);
	free(text);

	ck_assert_int_eq(gj_estates_load_file(GJ_SOURCE_ROOT "/etc/none.yaml", &es,
					      &error), -ENOENT);
	ck_assert_ptr_nonnull(strstr(error, "none.yaml: "));
	free(error);
}
END_TEST

static const struct {
	int line;
	const char *text;
	const char *error;
} ebroken[] = {
	{ 6, "  - id: demo", "e.yaml:6: estate 'demo': listed twice (first at line 2)" },
	{ 2, "  - id: Demo!", "e.yaml:2: estate: id: 'Demo!' is not an identifier" },
	{ 2, "  - id: de.mo", "e.yaml:2: estate: id: 'de.mo' is not an identifier" },
	{ 2, "  - name: demo", "e.yaml:2: estate: missing 'id'" },
	{ 2, "  - id: "
	     "a123456789a123456789a123456789a123456789a12345678",
	  "e.yaml:2: estate: id: longer than 48 bytes" },
	{ 3, NULL, "e.yaml:2: estate 'demo': missing 'title'" },
	{ 4, NULL, "e.yaml:2: estate 'demo': missing 'calendar'" },
	{ 4, "    calendar: c-n",
	  "e.yaml:4: estate 'demo': calendar: 'c-n' is not an identifier (a-z, 0-9 and _)" },
	{ 4, "    calendar: [cn]",
	  "e.yaml:4: estate 'demo': calendar: expected a single value, not a list" },
	{ 5, "    rosta: demo", "e.yaml:5: estate 'demo': unknown key 'rosta'" },
	{ 5, "    roster: demo.yaml",
	  "e.yaml:5: estate 'demo': roster: 'demo.yaml' is not an identifier" },
	{ 1, "estate:", "e.yaml:1: estates file: unknown key 'estate'" },
};

START_TEST(test_estates_broken)
{
	struct gj_estates *es = NULL;
	char *text = evariant(ebroken[_i].line, ebroken[_i].text);
	char *error = NULL;
	int r;

	r = gj_estates_load_buffer("e.yaml", text, strlen(text), &es, &error);
	ck_assert_msg(r == -EINVAL, "case %d: r = %d", _i, r);
	ck_assert_ptr_null(es);
	ck_assert_ptr_nonnull(error);
	ck_assert_msg(strncmp(error, ebroken[_i].error, strlen(ebroken[_i].error)) == 0,
		      "case %d: got \"%s\", want \"%s...\"", _i, error, ebroken[_i].error);
	free(error);
	free(text);
}
END_TEST

START_TEST(test_estates_empty)
{
	static const char *const cases[][2] = {
		{ "estates: []\n", "e.yaml:1: estates: empty" },
		{ "other: 1\n", "e.yaml:1: estates file: unknown key 'other'" },
		{ "{}\n", "e.yaml:1: missing 'estates'" },
		{ "estates: demo\n", "e.yaml:1: estates: expected a list, not a single value" },
		{ "estates:\n  - demo2\n",
		  "e.yaml:2: estates: expected a mapping, not a single value" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct gj_estates *es = NULL;
		char *error = NULL;

		ck_assert_int_eq(gj_estates_load_buffer("e.yaml", cases[i][0],
							strlen(cases[i][0]), &es,
							&error), -EINVAL);
		ck_assert_msg(strncmp(error, cases[i][1], strlen(cases[i][1])) == 0,
			      "got \"%s\", want \"%s...\"", error, cases[i][1]);
		free(error);
	}
}
END_TEST

static Suite *roster_suite(void)
{
	Suite *s = suite_create("roster");
	TCase *tc = tcase_create("roster");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_shipped_files);
	tcase_add_test(tc, test_demo_roster);
	tcase_add_test(tc, test_demo_on_duty);
	tcase_add_test(tc, test_shifts);
	tcase_add_test(tc, test_utc_offset);
	tcase_add_test(tc, test_escalation);
	tcase_add_test(tc, test_lookups);
	tcase_add_test(tc, test_three_roles_message);
	tcase_add_test(tc, test_base_loads);
	tcase_add_loop_test(tc, test_broken, 0, (int)(sizeof(broken) / sizeof(broken[0])));
	tcase_add_test(tc, test_roster_small_broken);
	tcase_add_test(tc, test_roster_variants_load);
	tcase_add_test(tc, test_roster_files);
	tcase_add_test(tc, test_estates);
	tcase_add_loop_test(tc, test_estates_broken, 0,
			    (int)(sizeof(ebroken) / sizeof(ebroken[0])));
	tcase_add_test(tc, test_estates_empty);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(roster_suite());
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
