/*
 * test_calendar.c - unit tests of working-day calendars (daemon/calendar.c):
 * the shipped cn calendar loads and has the State Council's working days,
 * "within N working days" lands where the notices say (under either
 * counting convention), adding and counting agree on every start day of the
 * known years, results reaching a year without data are provisional, broken
 * files name the right line; version, defaults and per-date overrides (a
 * half day); working-hour arithmetic on hand-computed vectors; the exact
 * lines of an explanation; sets of calendars.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "calendar.h"

#ifndef GJ_SOURCE_ROOT
#error "GJ_SOURCE_ROOT must be defined by the build"
#endif

#define CN_PATH GJ_SOURCE_ROOT "/etc/calendars/cn.yaml"

static struct gj_calendar *load_cn(void)
{
	struct gj_calendar *cal = NULL;
	char *error = NULL;
	int r;

	r = gj_calendar_load_file(CN_PATH, &cal, &error);
	ck_assert_msg(r == 0, "%s: %d: %s", CN_PATH, r, error ? error : "?");
	ck_assert_ptr_nonnull(cal);
	return cal;
}

static struct gj_date D(int y, int m, int d)
{
	return (struct gj_date){ .y = y, .m = m, .d = d };
}

#define ck_assert_date_eq(a, b)                                              \
	do {                                                                     \
		struct gj_date a_ = (a), b_ = (b);                               \
		ck_assert_msg(a_.y == b_.y && a_.m == b_.m && a_.d == b_.d,      \
			      "%04d-%02d-%02d != %04d-%02d-%02d", a_.y, a_.m,  \
			      a_.d, b_.y, b_.m, b_.d);                         \
	} while (0)

START_TEST(test_dates)
{
	struct gj_date date;
	int32_t days;

	ck_assert_int_eq(gj_date_to_days(D(1970, 1, 1), &days), 0);
	ck_assert_int_eq(days, 0);
	ck_assert_int_eq(gj_date_to_days(D(2025, 1, 1), &days), 0);
	ck_assert_int_eq(days, 20089);
	ck_assert_int_eq(gj_date_to_days(D(2025, 2, 29), &days), -EINVAL);
	ck_assert_int_eq(gj_date_to_days(D(2024, 2, 30), &days), -EINVAL);
	ck_assert_int_eq(gj_date_to_days(D(0, 1, 1), &days), -EINVAL);
	ck_assert(gj_date_valid(D(2024, 2, 29)));
	ck_assert(!gj_date_valid(D(2100, 2, 29)));
	ck_assert(gj_date_valid(D(2000, 2, 29)));

	/* Round trip over every day of years 1..9999. */
	ck_assert_int_eq(gj_date_to_days(D(1, 1, 1), &days), 0);
	for (int32_t day = days;; day++) {
		int32_t back;

		if (gj_date_from_days(day, &date) < 0) {
			ck_assert_int_eq(gj_date_from_days(day - 1, &date), 0);
			ck_assert_date_eq(date, D(9999, 12, 31));
			break;
		}
		/* Plain checks: Check records every passing ck_assert, which
		 * would make 3.65 million of them slow. */
		if (!gj_date_valid(date) || gj_date_to_days(date, &back) < 0 ||
		    back != day)
			ck_abort_msg("day %d: %04d-%02d-%02d", (int)day, date.y,
				     date.m, date.d);
	}
	ck_assert_int_eq(gj_date_from_days(days - 1, &date), -ERANGE);

	ck_assert_int_eq(gj_date_parse("2025-10-11", &date), 0);
	ck_assert_date_eq(date, D(2025, 10, 11));
	ck_assert_int_eq(gj_date_parse("2025-10-1", &date), -EINVAL);
	ck_assert_int_eq(gj_date_parse("2025/10/11", &date), -EINVAL);
	ck_assert_int_eq(gj_date_parse("2025-13-01", &date), -EINVAL);
}
END_TEST

START_TEST(test_shipped_loads)
{
	struct gj_calendar *cal = load_cn();
	const struct gj_calendar_interval *iv;
	size_t n;

	ck_assert_str_eq(gj_calendar_id(cal), "cn");
	ck_assert_int_eq(gj_calendar_utc_offset_min(cal), 8 * 60);
	ck_assert_uint_eq(gj_calendar_version(cal), 1);
	ck_assert_str_eq(gj_calendar_time_zone(cal), "Asia/Shanghai");
	ck_assert_int_eq(gj_calendar_counting(cal), GJ_COUNTING_EXCLUDE_START);
	ck_assert_str_eq(gj_calendar_counting_name(gj_calendar_counting(cal)),
			 "exclude_start");
	ck_assert_str_eq(gj_calendar_title(cal),
			 "中国国家工作日历 (Chinese national calendar)");
	ck_assert_str_eq(gj_calendar_source_name(cal), CN_PATH);
	{
		const char *text = gj_calendar_source_text(cal, &n);
		struct gj_calendar *again = NULL;

		/* The kept text loads to the same calendar (pinning). */
		ck_assert_uint_gt(n, 1000);
		ck_assert_uint_eq(strlen(text), n);
		ck_assert_ptr_nonnull(strstr(text, "id: cn\n"));
		ck_assert_int_eq(gj_calendar_load_buffer("pinned", text, n, &again,
							 NULL), 0);
		ck_assert_uint_eq(gj_calendar_version(again), 1);
		ck_assert_str_eq(gj_calendar_source_name(again), "pinned");
		gj_calendar_destroy(again);
	}
	iv = gj_calendar_intervals(cal, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(iv[0].start_min, 8 * 60 + 30);
	ck_assert_int_eq(iv[0].end_min, 12 * 60);
	ck_assert_int_eq(iv[1].start_min, 13 * 60 + 30);
	ck_assert_int_eq(iv[1].end_min, 17 * 60 + 30);
	gj_calendar_destroy(cal);
	gj_calendar_destroy(NULL);
}
END_TEST

START_TEST(test_248_working_days)
{
	struct gj_calendar *cal = load_cn();
	bool provisional = true;
	int32_t count = -1;

	ck_assert_int_eq(gj_calendar_count_working_days(cal, D(2024, 12, 31),
							D(2025, 12, 31), &count,
							&provisional), 0);
	ck_assert_int_eq(count, 248);
	ck_assert(!provisional);
	provisional = true;
	ck_assert_int_eq(gj_calendar_count_working_days(cal, D(2025, 12, 31),
							D(2026, 12, 31), &count,
							&provisional), 0);
	ck_assert_int_eq(count, 248);
	ck_assert(!provisional);
	/* Backwards or empty spans count nothing. */
	ck_assert_int_eq(gj_calendar_count_working_days(cal, D(2025, 6, 1),
							D(2025, 6, 1), &count, NULL), 0);
	ck_assert_int_eq(count, 0);
	ck_assert_int_eq(gj_calendar_count_working_days(cal, D(2025, 6, 9),
							D(2025, 6, 1), &count, NULL), 0);
	ck_assert_int_eq(count, 0);
	ck_assert_int_eq(gj_calendar_count_working_days(cal, D(2025, 6, 31),
							D(2025, 7, 1), &count, NULL),
			 -EINVAL);
	gj_calendar_destroy(cal);
}
END_TEST

START_TEST(test_is_working_day)
{
	struct gj_calendar *cal = load_cn();
	static const struct {
		struct gj_date date;
		bool working;
	} days[] = {
		{ { 2025, 1, 1 }, false },      /* Wednesday, New Year's Day */
		{ { 2025, 1, 2 }, true },       /* Thursday */
		{ { 2025, 1, 26 }, true },      /* Sunday, make-up day */
		{ { 2025, 2, 1 }, false },      /* Saturday inside Spring Festival */
		{ { 2025, 2, 3 }, false },      /* Monday, Spring Festival */
		{ { 2025, 2, 5 }, true },
		{ { 2025, 2, 8 }, true },       /* Saturday, make-up day */
		{ { 2025, 2, 9 }, false },      /* Sunday */
		{ { 2025, 10, 8 }, false },
		{ { 2025, 10, 11 }, true },
		{ { 2026, 2, 23 }, false },
		{ { 2026, 2, 28 }, true },
		{ { 2026, 9, 25 }, false },     /* Friday, Mid-Autumn */
	};

	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++) {
		struct gj_date d = days[i].date;
		bool working = !days[i].working, known = false;

		ck_assert_int_eq(gj_calendar_is_working_day(cal, d.y, d.m, d.d,
							    &working, &known), 0);
		ck_assert_msg(working == days[i].working, "%04d-%02d-%02d", d.y,
			      d.m, d.d);
		ck_assert(known);
	}

	/* 2027 has no data: Monday to Friday, flagged. */
	{
		bool working = false, known = true;

		ck_assert_int_eq(gj_calendar_is_working_day(cal, 2027, 1, 1,
							    &working, &known), 0);
		ck_assert(working);     /* a Friday, holiday or not */
		ck_assert(!known);
		ck_assert_int_eq(gj_calendar_is_working_day(cal, 2027, 1, 2,
							    &working, NULL), 0);
		ck_assert(!working);    /* Saturday */
		ck_assert_int_eq(gj_calendar_is_working_day(cal, 2027, 2, 29,
							    &working, NULL), -EINVAL);
	}
	gj_calendar_destroy(cal);
}
END_TEST

START_TEST(test_vectors)
{
	struct gj_calendar *cal = load_cn();
	static const struct {
		struct gj_date start;
		int n;
		struct gj_date last;
	} v[] = {
		{ { 2025, 9, 30 }, 3, { 2025, 10, 11 } },
		{ { 2026, 2, 13 }, 3, { 2026, 2, 25 } },
		{ { 2025, 1, 24 }, 3, { 2025, 2, 5 } },
		{ { 2026, 9, 30 }, 3, { 2026, 10, 10 } },
		{ { 2026, 9, 30 }, 15, { 2026, 10, 27 } },
		{ { 2026, 9, 30 }, 30, { 2026, 11, 17 } },
		/* Starting on a rest day: counting begins the next day. */
		{ { 2025, 10, 1 }, 1, { 2025, 10, 9 } },
		{ { 2025, 10, 10 }, 1, { 2025, 10, 11 } },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct gj_date last = { 0, 0, 0 };
		bool provisional = true;

		ck_assert_int_eq(gj_calendar_add_working_days(cal, v[i].start, v[i].n,
							      &last, &provisional), 0);
		ck_assert_date_eq(last, v[i].last);
		ck_assert(!provisional);
	}
	{
		struct gj_date last;

		ck_assert_int_eq(gj_calendar_add_working_days(cal, D(2025, 1, 1), 0,
							      &last, NULL), -EINVAL);
		ck_assert_int_eq(gj_calendar_add_working_days(cal, D(2025, 1, 1),
							      GJ_CALENDAR_MAX_ADD + 1,
							      &last, NULL), -EINVAL);
		ck_assert_int_eq(gj_calendar_add_working_days(cal, D(2025, 1, 32), 1,
							      &last, NULL), -EINVAL);
		ck_assert_int_eq(gj_calendar_add_working_days(cal, D(9999, 12, 30), 5,
							      &last, NULL), -ERANGE);
	}
	gj_calendar_destroy(cal);
}
END_TEST

/* For every start day of the known years and N in 1..40: the Nth working
 * day is a working day, N working days lie up to it and N-1 before it. */
START_TEST(test_add_count_agree)
{
	struct gj_calendar *cal = load_cn();
	int32_t first, last, checked = 0;

	ck_assert_int_eq(gj_date_to_days(D(2025, 1, 1), &first), 0);
	ck_assert_int_eq(gj_date_to_days(D(2026, 12, 31), &last), 0);
	for (int32_t day = first; day <= last; day++) {
		struct gj_date start;

		ck_assert_int_eq(gj_date_from_days(day, &start), 0);
		for (int n = 1; n <= 40; n++) {
			struct gj_date end, before;
			bool provisional, cprov, working, known;
			int32_t end_days, count;

			ck_assert_int_eq(gj_calendar_add_working_days(cal, start, n, &end,
								      &provisional), 0);
			ck_assert_int_eq(gj_date_to_days(end, &end_days), 0);
			ck_assert_int_gt(end_days, day);
			if (end.y > 2026) {
				ck_assert(provisional);
				continue;
			}
			ck_assert(!provisional);
			ck_assert_int_eq(gj_calendar_is_working_day(cal, end.y, end.m,
								    end.d, &working,
								    &known), 0);
			ck_assert(working && known);
			ck_assert_int_eq(gj_calendar_count_working_days(cal, start, end,
									&count, &cprov), 0);
			ck_assert_msg(count == n, "%04d-%02d-%02d + %d: %d", start.y,
				      start.m, start.d, n, count);
			ck_assert(!cprov);
			ck_assert_int_eq(gj_date_from_days(end_days - 1, &before), 0);
			ck_assert_int_eq(gj_calendar_count_working_days(cal, start, before,
									&count, NULL), 0);
			ck_assert_int_eq(count, n - 1);
			checked++;
		}
	}
	ck_assert_int_gt(checked, 25000);
	gj_calendar_destroy(cal);
}
END_TEST

START_TEST(test_provisional)
{
	struct gj_calendar *cal = load_cn();
	struct gj_date last;
	bool provisional = false;
	int32_t count;

	/* 2026-12-31 is a Thursday: +1 stays in 2026, +2 reaches 2027. */
	ck_assert_int_eq(gj_calendar_add_working_days(cal, D(2026, 12, 30), 1,
						      &last, &provisional), 0);
	ck_assert_date_eq(last, D(2026, 12, 31));
	ck_assert(!provisional);
	ck_assert_int_eq(gj_calendar_add_working_days(cal, D(2026, 12, 30), 2,
						      &last, &provisional), 0);
	ck_assert_date_eq(last, D(2027, 1, 1));
	ck_assert(provisional);
	ck_assert_int_eq(gj_calendar_add_working_days(cal, D(2026, 12, 25), 10,
						      &last, &provisional), 0);
	ck_assert_date_eq(last, D(2027, 1, 8));
	ck_assert(provisional);

	ck_assert_int_eq(gj_calendar_count_working_days(cal, D(2026, 12, 1),
							D(2027, 1, 10), &count,
							&provisional), 0);
	ck_assert(provisional);
	ck_assert_int_eq(count, 22 + 6);
	ck_assert_int_eq(gj_calendar_count_working_days(cal, D(2026, 12, 1),
							D(2026, 12, 31), &count,
							&provisional), 0);
	ck_assert(!provisional);
	/* Days before the known years are just as unknown. */
	ck_assert_int_eq(gj_calendar_count_working_days(cal, D(2024, 12, 30),
							D(2025, 1, 2), &count,
							&provisional), 0);
	ck_assert(provisional);
	ck_assert_int_eq(count, 2);     /* 2024-12-31 and 2025-01-02 */
	gj_calendar_destroy(cal);
}
END_TEST

START_TEST(test_day_close)
{
	struct gj_calendar *cal = load_cn();
	int64_t ms;

	/* 2025-10-11 17:30+08:00 = 09:30Z */
	ck_assert_int_eq(gj_calendar_day_close_ms(cal, D(2025, 10, 11), &ms), 0);
	ck_assert_int_eq(ms, INT64_C(1760175000000));
	ck_assert_int_eq(gj_calendar_day_close_ms(cal, D(2026, 2, 25), &ms), 0);
	ck_assert_int_eq(ms, INT64_C(1772011800000));
	ck_assert_int_eq(gj_calendar_day_close_ms(cal, D(2026, 2, 29), &ms), -EINVAL);
	gj_calendar_destroy(cal);
}
END_TEST

/* A valid calendar; the broken ones below are this with one line replaced,
 * so the numbers on the right are the lines their messages must name. */
static const char *const BASE[] = {
	"# test calendar",                          /*  1 */
	"id: cn",                                   /*  2 */
	"title: Test",                              /*  3 */
	"time_zone: Asia/Shanghai",                 /*  4 */
	"utc_offset: \"+08:00\"",                   /*  5 */
	"working_weekdays: [mon, tue, wed, thu, fri]", /* 6 */
	"working_hours:",                           /*  7 */
	"  - \"08:30-12:00\"",                      /*  8 */
	"  - \"13:30-17:30\"",                      /*  9 */
	"years:",                                   /* 10 */
	"  2025:",                                  /* 11 */
	"    rest:",                                /* 12 */
	"      - 2025-01-01",                       /* 13 */
	"      - 2025-01-28..2025-02-04",           /* 14 */
	"    work:",                                /* 15 */
	"      - 2025-01-26",                       /* 16 */
	"  2026:",                                  /* 17 */
	"    rest: [2026-01-01..2026-01-03]",       /* 18 */
	"    work: [2026-01-04]",                   /* 19 */
	"    overrides:",                           /* 20 */
	"      - {date: 2026-12-31, hours: [\"08:30-12:00\"], name: New Year's Eve}", /* 21 */
	"      - {date: 2026-01-04, hours: [\"09:00-12:00\", \"13:00-16:00\"]}", /* 22 */
	"version: 3",                               /* 23 */
	"counting: exclude_start",                  /* 24 */
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

static int load_text(const char *text, struct gj_calendar **ret, char **ret_error)
{
	return gj_calendar_load_buffer("t.yaml", text, strlen(text), ret, ret_error);
}

START_TEST(test_base_loads)
{
	struct gj_calendar *cal = NULL;
	char *text = variant(0, NULL);
	char *error = NULL;
	bool working, known;

	ck_assert_msg(load_text(text, &cal, &error) == 0, "%s", error);
	ck_assert_int_eq(gj_calendar_is_working_day(cal, 2025, 2, 4, &working, &known), 0);
	ck_assert(!working && known);
	ck_assert_int_eq(gj_calendar_is_working_day(cal, 2026, 1, 4, &working, &known), 0);
	ck_assert(working && known);
	ck_assert_uint_eq(gj_calendar_version(cal), 3);
	ck_assert_int_eq(gj_calendar_counting(cal), GJ_COUNTING_EXCLUDE_START);
	/* An override is a working day still. */
	ck_assert_int_eq(gj_calendar_is_working_day(cal, 2026, 12, 31, &working, &known), 0);
	ck_assert(working && known);
	gj_calendar_destroy(cal);
	free(text);
}
END_TEST

/* Every optional key left out. */
START_TEST(test_defaults)
{
	static const char text[] =
		"id: plain\n"
		"title: Plain\n"
		"working_hours: [\"09:00-17:00\"]\n";
	struct gj_calendar *cal = NULL;
	struct gj_date last;
	char *error = NULL;
	bool working, known;

	ck_assert_msg(load_text(text, &cal, &error) == 0, "%s", error);
	ck_assert_str_eq(gj_calendar_id(cal), "plain");
	ck_assert_uint_eq(gj_calendar_version(cal), 1);
	ck_assert_str_eq(gj_calendar_time_zone(cal), "Asia/Shanghai");
	ck_assert_int_eq(gj_calendar_utc_offset_min(cal), 480);
	ck_assert_int_eq(gj_calendar_counting(cal), GJ_COUNTING_EXCLUDE_START);
	/* Monday to Friday; no year has data. */
	ck_assert_int_eq(gj_calendar_is_working_day(cal, 2026, 10, 1, &working, &known), 0);
	ck_assert(working && !known);
	ck_assert_int_eq(gj_calendar_is_working_day(cal, 2026, 10, 3, &working, &known), 0);
	ck_assert(!working && !known);
	ck_assert_int_eq(gj_calendar_add_working_days(cal, D(2026, 10, 2), 1, &last, NULL), 0);
	ck_assert_date_eq(last, D(2026, 10, 5));
	gj_calendar_destroy(cal);
}
END_TEST

/* time_zone and utc_offset: either may be left out when the other says. */
START_TEST(test_time_zone)
{
	static const struct {
		const char *zone_lines;
		int offset_min;         /* INT32_MIN: refused */
		const char *error;
	} v[] = {
		{ "time_zone: Asia/Tokyo\n", 540, NULL },
		{ "time_zone: UTC\n", 0, NULL },
		{ "utc_offset: \"+08:00\"\n", 480, NULL },
		{ "time_zone: Asia/Shanghai\nutc_offset: \"+08:00\"\n", 480, NULL },
		{ "time_zone: America/Bogota\nutc_offset: \"-05:00\"\n", -300, NULL },
		{ "time_zone: America/Bogota\n", INT32_MIN,
		  "t.yaml:3: time_zone: 'America/Bogota' needs a utc_offset" },
		{ "time_zone: Asia/Shanghai\nutc_offset: \"+09:00\"\n", INT32_MIN,
		  "t.yaml:4: utc_offset: '+09:00' does not match time_zone Asia/Shanghai (+08:00)" },
		{ "utc_offset: \"+09:00\"\n", INT32_MIN,
		  "t.yaml:3: utc_offset: '+09:00' does not match time_zone Asia/Shanghai (+08:00)" },
		{ "time_zone: \"a\\tb\"\nutc_offset: \"+01:00\"\n", INT32_MIN,
		  "t.yaml:3: time_zone: must be one line with no control characters" },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct gj_calendar *cal = NULL;
		char *text = NULL, *error = NULL;
		int r;

		ck_assert_int_gt(asprintf(&text, "id: z\ntitle: Z\n%s"
					  "working_hours: [\"09:00-17:00\"]\n",
					  v[i].zone_lines), 0);
		r = load_text(text, &cal, &error);
		if (v[i].offset_min != INT32_MIN) {
			ck_assert_msg(r == 0, "case %zu: %s", i, error);
			ck_assert_int_eq(gj_calendar_utc_offset_min(cal), v[i].offset_min);
		} else {
			ck_assert_msg(r == -EINVAL, "case %zu: %d", i, r);
			ck_assert_ptr_nonnull(error);
			ck_assert_msg(strncmp(error, v[i].error, strlen(v[i].error)) == 0,
				      "case %zu: got \"%s\"", i, error);
		}
		gj_calendar_destroy(cal);
		free(error);
		free(text);
	}
}
END_TEST

/* A half day: its hours replace the weekly ones, and its close is earlier. */
START_TEST(test_overrides)
{
	const struct gj_calendar_interval *iv = NULL;
	struct gj_calendar *cal = NULL;
	char *text = variant(0, NULL);
	char *error = NULL;
	struct gj_date last;
	bool known = false;
	size_t n = 99;
	int64_t ms;

	ck_assert_msg(load_text(text, &cal, &error) == 0, "%s", error);

	/* 2026-12-31 12:00+08:00 = 04:00Z */
	ck_assert_int_eq(gj_calendar_day_close_ms(cal, D(2026, 12, 31), &ms), 0);
	ck_assert_int_eq(ms, INT64_C(1798689600000));
	/* The day before closes at 17:30 as usual. */
	ck_assert_int_eq(gj_calendar_day_close_ms(cal, D(2026, 12, 30), &ms), 0);
	ck_assert_int_eq(ms, INT64_C(1798689600000) - 24 * 3600000 + 330 * 60000);
	/* A make-up Sunday with its own hours closes at 16:00. */
	ck_assert_int_eq(gj_calendar_day_close_ms(cal, D(2026, 1, 4), &ms), 0);
	ck_assert_int_eq(ms, INT64_C(1767513600000));  /* 2026-01-04T08:00Z */

	ck_assert_int_eq(gj_calendar_day_intervals(cal, D(2026, 12, 31), &iv, &n, &known), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert(known);
	ck_assert_int_eq(iv[0].start_min, 8 * 60 + 30);
	ck_assert_int_eq(iv[0].end_min, 12 * 60);
	ck_assert_int_eq(gj_calendar_day_intervals(cal, D(2026, 1, 4), &iv, &n, NULL), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(iv[0].start_min, 9 * 60);
	ck_assert_int_eq(iv[1].end_min, 16 * 60);
	/* An ordinary working day: the weekly hours. */
	ck_assert_int_eq(gj_calendar_day_intervals(cal, D(2026, 12, 30), &iv, &n, &known), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert(known);
	ck_assert_int_eq(iv[1].start_min, 13 * 60 + 30);
	ck_assert_int_eq(iv[1].end_min, 17 * 60 + 30);
	/* Rest days and weekends: none. */
	ck_assert_int_eq(gj_calendar_day_intervals(cal, D(2026, 1, 2), &iv, &n, &known), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(iv);
	ck_assert_int_eq(gj_calendar_day_intervals(cal, D(2026, 1, 10), &iv, &n, NULL), 0);
	ck_assert_uint_eq(n, 0);
	/* A year without data: the weekly hours on weekdays, flagged. */
	ck_assert_int_eq(gj_calendar_day_intervals(cal, D(2027, 1, 1), &iv, &n, &known), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert(!known);
	ck_assert_int_eq(gj_calendar_day_intervals(cal, D(2027, 2, 29), &iv, &n, NULL), -EINVAL);
	/* The weekly hours are not changed by overrides. */
	iv = gj_calendar_intervals(cal, &n);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(iv[0].end_min, 12 * 60);

	/* A half day still counts as a whole working day. */
	ck_assert_int_eq(gj_calendar_add_working_days(cal, D(2026, 12, 29), 2, &last, NULL), 0);
	ck_assert_date_eq(last, D(2026, 12, 31));
	gj_calendar_destroy(cal);
	free(text);

	/* overrides is a list. */
	cal = NULL;
	ck_assert_int_eq(load_text("id: x\ntitle: T\nworking_hours: [\"09:00-17:00\"]\n"
				   "years:\n  2026:\n    overrides: {date: 2026-12-31}\n",
				   &cal, &error), -EINVAL);
	ck_assert_ptr_null(cal);
	ck_assert_str_eq(error, "t.yaml:6: year 2026: overrides: expected a list, not a mapping");
	free(error);
}
END_TEST

static const struct {
	int line;           /* replaced line of BASE */
	const char *text;   /* its replacement */
	const char *error;  /* the message expected */
} broken[] = {
	{ 2, "id: C-N", "t.yaml:2: id: 'C-N' is not an identifier ([a-z0-9_]+)" },
	{ 2, "nid: cn", "t.yaml:2: calendar: unknown key 'nid'" },
	{ 3, NULL, "t.yaml:2: missing 'title'" },
	{ 5, "utc_offset: \"+8:00\"", "t.yaml:5: utc_offset: '+8:00' is not an offset" },
	{ 5, "utc_offset: \"+14:30\"", "t.yaml:5: utc_offset: '+14:30' is not an offset" },
	{ 6, "working_weekdays: [mon, tue, mon]", "t.yaml:6: working_weekdays: 'mon' given twice" },
	{ 6, "working_weekdays: [mon, tuesday]", "t.yaml:6: working_weekdays: 'tuesday' is not one of" },
	{ 6, "working_weekdays: []", "t.yaml:6: working_weekdays: empty" },
	{ 8, "  - \"08:30-25:00\"", "t.yaml:8: working_hours: '08:30-25:00' is not an interval" },
	{ 8, "  - \"12:00-08:30\"", "t.yaml:8: working_hours: '12:00-08:30' ends before it starts" },
	{ 9, "  - \"11:30-17:30\"", "t.yaml:9: working_hours: '11:30-17:30' overlaps" },
	{ 11, "  20x5:", "t.yaml:11: years: '20x5' is not a year" },
	{ 12, "    holidays:", "t.yaml:12: year 2025: unknown key 'holidays'" },
	{ 13, "      - 2025-02-29", "t.yaml:13: year 2025: rest: '2025-02-29' is not a date" },
	{ 13, "      - 2025-1-1", "t.yaml:13: year 2025: rest: '2025-1-1' is not a date" },
	{ 13, "      - 2024-12-31", "t.yaml:13: year 2025: rest: '2024-12-31' is not in 2025" },
	{ 13, "      - [2025-01-01]", "t.yaml:13: rest: expected a single value, not a list" },
	{ 14, "      - 2025-02-04..2025-01-28", "t.yaml:14: year 2025: rest: range '2025-02-04..2025-01-28' ends before it starts" },
	{ 14, "      - 2025-12-28..2026-01-03", "t.yaml:14: year 2025: rest: '2025-12-28..2026-01-03' is not in 2025" },
	{ 14, "      - 2024-12-30..2025-01-02", "t.yaml:14: year 2025: rest: '2024-12-30..2025-01-02' is not in 2025" },
	{ 14, "      - 2025-01-01", "t.yaml:14: year 2025: 2025-01-01 is listed twice" },
	{ 16, "      - 2025-01-28", "t.yaml:16: year 2025: 2025-01-28 is listed twice (as a rest day and as a make-up working day)" },
	{ 16, "      - 2025-01-27", "t.yaml:16: year 2025: work: 2025-01-27 is already a working weekday" },
	{ 17, "  2025:", "t.yaml:17: duplicate key '2025'" },
	{ 19, "    work: 2026-01-04", "t.yaml:19: year 2026: work: expected a list, not a single value" },
	{ 19, "    work: [2026-01-04", "t.yaml:" },    /* syntax error: yamldoc's message */
	/* named entries */
	{ 13, "      - {days: 2025-01-01, nom: x}", "t.yaml:13: year 2025: rest: unknown key 'nom'" },
	{ 13, "      - {name: New Year}", "t.yaml:13: year 2025: rest: missing 'days'" },
	{ 13, "      - {days: 2025-13-01, name: x}", "t.yaml:13: year 2025: rest: '2025-13-01' is not a date" },
	{ 13, "      - {days: 2025-01-01, name: \"a\\tb\"}", "t.yaml:13: name: must be one line with no control characters" },
	{ 13, "      - {days: 2025-01-01, name: [a]}", "t.yaml:13: name: expected a single value, not a list" },
	{ 16, "      - {days: 2025-01-28, name: x}", "t.yaml:16: year 2025: 2025-01-28 is listed twice (as a rest day and as a make-up working day)" },
	/* overrides */
	{ 21, "      - 2026-12-31", "t.yaml:21: year 2026: overrides: expected a mapping {date: ..., hours: [...]}, not a single value" },
	{ 21, "      - {date: 2026-01-01, hours: [\"08:30-12:00\"]}", "t.yaml:21: year 2026: overrides: 2026-01-01 is not a working day (only the hours of a working day can be changed)" },
	{ 21, "      - {date: 2026-01-10, hours: [\"08:30-12:00\"]}", "t.yaml:21: year 2026: overrides: 2026-01-10 is not a working day" },
	{ 21, "      - {date: 2025-12-31, hours: [\"08:30-12:00\"]}", "t.yaml:21: year 2026: overrides: '2025-12-31' is not in 2026" },
	{ 21, "      - {date: 2026-12-32, hours: [\"08:30-12:00\"]}", "t.yaml:21: year 2026: overrides: '2026-12-32' is not a date \"YYYY-MM-DD\"" },
	{ 21, "      - {date: 2026-12-31}", "t.yaml:21: year 2026: overrides: 2026-12-31: missing 'hours'" },
	{ 21, "      - {date: 2026-12-31, hours: [\"12:00-08:30\"]}", "t.yaml:21: year 2026: overrides: 2026-12-31: hours: '12:00-08:30' ends before it starts" },
	{ 21, "      - {date: 2026-12-31, hours: []}", "t.yaml:21: year 2026: overrides: 2026-12-31: hours: empty" },
	{ 21, "      - {date: 2026-12-31, hours: [\"08:30-12:00\"], when: x}", "t.yaml:21: year 2026: overrides: unknown key 'when'" },
	{ 21, "      - {hours: [\"08:30-12:00\"]}", "t.yaml:21: year 2026: overrides: missing 'date'" },
	{ 22, "      - {date: 2026-12-31, hours: [\"08:30-12:00\"]}", "t.yaml:22: year 2026: overrides: 2026-12-31 is listed twice" },
	/* version, counting */
	{ 23, "version: 0", "t.yaml:23: version: '0' is not a whole number from 1 to 4294967295" },
	{ 23, "version: 4294967296", "t.yaml:23: version: '4294967296' is not a whole number" },
	{ 23, "version: two", "t.yaml:23: version: 'two' is not a whole number" },
	{ 24, "counting: from_start", "t.yaml:24: counting: 'from_start' is not exclude_start or include_start" },
	{ 5, "utc_offset: \"+09:00\"", "t.yaml:5: utc_offset: '+09:00' does not match time_zone Asia/Shanghai (+08:00)" },
};

START_TEST(test_broken)
{
	struct gj_calendar *cal = NULL;
	char *text = variant(broken[_i].line, broken[_i].text);
	char *error = NULL;
	int r;

	r = load_text(text, &cal, &error);
	ck_assert_msg(r == -EINVAL, "case %d: r = %d", _i, r);
	ck_assert_ptr_null(cal);
	ck_assert_ptr_nonnull(error);
	ck_assert_msg(strncmp(error, broken[_i].error, strlen(broken[_i].error)) == 0,
		      "case %d: got \"%s\", want \"%s...\"", _i, error, broken[_i].error);
	free(error);
	free(text);
}
END_TEST

START_TEST(test_syntax_error_line)
{
	/* yamldoc's own messages carry the line too. */
	char *text = variant(6, "working_weekdays: [mon, tue: wed]]");
	struct gj_calendar *cal = NULL;
	char *error = NULL;

	ck_assert_int_eq(load_text(text, &cal, &error), -EINVAL);
	ck_assert_ptr_nonnull(error);
	ck_assert_msg(strncmp(error, "t.yaml:6: ", 10) == 0, "%s", error);
	free(error);
	free(text);
}
END_TEST

START_TEST(test_missing_file)
{
	struct gj_calendar *cal = NULL;
	char *error = NULL;

	ck_assert_int_eq(gj_calendar_load_file(GJ_SOURCE_ROOT "/etc/calendars/none.yaml",
					       &cal, &error), -ENOENT);
	ck_assert_ptr_null(cal);
	ck_assert_ptr_nonnull(strstr(error, "none.yaml: "));
	free(error);
}
END_TEST

/* cn.yaml with `counting: include_start`. */
static struct gj_calendar *load_cn_include_start(void)
{
	struct gj_calendar *cn = load_cn(), *cal = NULL;
	const char *from = "counting: exclude_start\n";
	char *error = NULL, *text, *at;
	size_t len;

	text = strdup(gj_calendar_source_text(cn, &len));
	ck_assert_ptr_nonnull(text);
	at = strstr(text, from);
	ck_assert_ptr_nonnull(at);
	memcpy(at, "counting: include_start\n", strlen(from));
	ck_assert_msg(gj_calendar_load_buffer("cn_include.yaml", text, len, &cal,
					      &error) == 0, "%s", error);
	ck_assert_int_eq(gj_calendar_counting(cal), GJ_COUNTING_INCLUDE_START);
	ck_assert_str_eq(gj_calendar_counting_name(GJ_COUNTING_INCLUDE_START),
			 "include_start");
	free(text);
	gj_calendar_destroy(cn);
	return cal;
}

START_TEST(test_include_start)
{
	struct gj_calendar *cal = load_cn_include_start();
	static const struct {
		struct gj_date start;
		int n;
		struct gj_date last;
	} v[] = {
		/* A working start day is day 1. */
		{ { 2026, 9, 30 }, 1, { 2026, 9, 30 } },
		{ { 2026, 9, 30 }, 3, { 2026, 10, 9 } },
		{ { 2025, 10, 10 }, 1, { 2025, 10, 10 } },
		{ { 2025, 10, 10 }, 2, { 2025, 10, 11 } },     /* make-up Saturday */
		/* A rest day or weekend start is not. */
		{ { 2026, 10, 1 }, 1, { 2026, 10, 8 } },
		{ { 2026, 10, 11 }, 1, { 2026, 10, 12 } },
		{ { 2026, 2, 14 }, 1, { 2026, 2, 14 } },       /* make-up Saturday */
		{ { 2026, 2, 13 }, 3, { 2026, 2, 24 } },
	};
	int32_t first, lastd;

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct gj_date last = { 0, 0, 0 };
		bool provisional = true;

		ck_assert_int_eq(gj_calendar_add_working_days(cal, v[i].start, v[i].n,
							      &last, &provisional), 0);
		ck_assert_date_eq(last, v[i].last);
		ck_assert(!provisional);
	}

	/* Add and count agree: n working days in [start, last]. */
	ck_assert_int_eq(gj_date_to_days(D(2025, 1, 1), &first), 0);
	ck_assert_int_eq(gj_date_to_days(D(2026, 12, 31), &lastd), 0);
	for (int32_t day = first; day <= lastd; day++) {
		struct gj_date start, before, end;
		bool working;
		int32_t count;

		ck_assert_int_eq(gj_date_from_days(day, &start), 0);
		ck_assert_int_eq(gj_date_from_days(day - 1, &before), 0);
		for (int n = 1; n <= 20; n++) {
			if (gj_calendar_add_working_days(cal, start, n, &end, NULL) < 0 ||
			    gj_calendar_is_working_day(cal, end.y, end.m, end.d, &working,
						       NULL) < 0 ||
			    gj_calendar_count_working_days(cal, before, end, &count,
							   NULL) < 0 ||
			    !working || count != n)
				ck_abort_msg("%04d-%02d-%02d + %d", start.y, start.m,
					     start.d, n);
		}
	}
	gj_calendar_destroy(cal);
}
END_TEST

/* An instant given as local time in +08:00. */
static int64_t T(int y, int mo, int d, int h, int mi, int sec)
{
	int32_t days;

	ck_assert_int_eq(gj_date_to_days(D(y, mo, d), &days), 0);
	return (int64_t)days * 86400000 + ((h * 60 + mi - 480) * 60 + sec) * INT64_C(1000);
}

/* Hand-computed: cn working hours 08:30-12:00 and 13:30-17:30. */
START_TEST(test_working_hours)
{
	struct gj_calendar *cal = load_cn();
	static const struct {
		int start[6];
		int32_t minutes;
		int end[6];
	} v[] = {
		/* 09-30 16:00-17:30 = 1h30; 10-01..07 holiday; 10-08 08:30 + 2h30 */
		{ { 2026, 9, 30, 16, 0, 0 }, 240, { 2026, 10, 8, 11, 0, 0 } },
		/* 10-09 17:00-17:30 = 30m; Saturday 10-10 is a make-up day: 08:30 + 1h30 */
		{ { 2026, 10, 9, 17, 0, 0 }, 120, { 2026, 10, 10, 10, 0, 0 } },
		/* before opening: from 08:30; ends exactly at 12:00, not 13:30 */
		{ { 2026, 10, 8, 7, 0, 0 }, 210, { 2026, 10, 8, 12, 0, 0 } },
		/* in the lunch break: from 13:30 */
		{ { 2026, 10, 8, 12, 15, 0 }, 60, { 2026, 10, 8, 14, 30, 0 } },
		/* after closing on Friday: the make-up Saturday */
		{ { 2026, 10, 9, 18, 0, 0 }, 60, { 2026, 10, 10, 9, 30, 0 } },
		/* a Sunday start: Monday 7h30 full, Tuesday 08:30 + 30m */
		{ { 2026, 10, 11, 10, 0, 0 }, 480, { 2026, 10, 13, 9, 0, 0 } },
		/* 02-13 17:00-17:30 = 30m, make-up Saturday 02-14 full 7h30 */
		{ { 2026, 2, 13, 17, 0, 0 }, 480, { 2026, 2, 14, 17, 30, 0 } },
		/* 02-14 17:00-17:30 = 30m; Spring Festival 02-15..23; 02-24 + 30m */
		{ { 2026, 2, 14, 17, 0, 0 }, 60, { 2026, 2, 24, 9, 0, 0 } },
		/* 2025-12-31 30m; New Year 01-01..03; make-up Sunday 01-04 + 30m */
		{ { 2025, 12, 31, 17, 0, 0 }, 60, { 2026, 1, 4, 9, 0, 0 } },
		/* interval edges */
		{ { 2026, 10, 8, 11, 59, 0 }, 1, { 2026, 10, 8, 12, 0, 0 } },
		{ { 2026, 10, 8, 12, 0, 0 }, 1, { 2026, 10, 8, 13, 31, 0 } },
		{ { 2026, 10, 8, 17, 30, 0 }, 1, { 2026, 10, 9, 8, 31, 0 } },
		/* seconds are kept */
		{ { 2026, 10, 8, 8, 30, 30 }, 1, { 2026, 10, 8, 8, 31, 30 } },
		/* a whole week: 10-12..10-16 is 5 x 7h30 = 37h30 */
		{ { 2026, 10, 12, 0, 0, 0 }, 2250, { 2026, 10, 16, 17, 30, 0 } },
	};

	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		int64_t start = T(v[i].start[0], v[i].start[1], v[i].start[2],
				  v[i].start[3], v[i].start[4], v[i].start[5]);
		int64_t want = T(v[i].end[0], v[i].end[1], v[i].end[2], v[i].end[3],
				 v[i].end[4], v[i].end[5]);
		int64_t got = 0, back = -1;
		bool provisional = true;

		ck_assert_int_eq(gj_calendar_add_working_hours(cal, start, v[i].minutes,
							       &got, &provisional), 0);
		ck_assert_msg(got == want, "case %zu: %lld, want %lld (%+lld min)", i,
			      (long long)got, (long long)want,
			      (long long)(got - want) / 60000);
		ck_assert(!provisional);
		ck_assert_int_eq(gj_calendar_working_ms_between(cal, start, got, &back,
								&provisional), 0);
		ck_assert_int_eq(back, v[i].minutes * INT64_C(60000));
		ck_assert(!provisional);
	}

	{
		int64_t start = T(2026, 10, 8, 10, 0, 0), got = 0, minutes = -1;
		bool provisional = false;

		/* 0 minutes: the start itself, even outside working hours. */
		ck_assert_int_eq(gj_calendar_add_working_hours(cal, start, 0, &got, NULL), 0);
		ck_assert_int_eq(got, start);
		ck_assert_int_eq(gj_calendar_add_working_hours(cal, T(2026, 10, 3, 3, 0, 0),
							       0, &got, NULL), 0);
		ck_assert_int_eq(got, T(2026, 10, 3, 3, 0, 0));
		ck_assert_int_eq(gj_calendar_add_working_hours(cal, start, -1, &got, NULL),
				 -EINVAL);
		ck_assert_int_eq(gj_calendar_add_working_hours(cal, start,
							       GJ_CALENDAR_MAX_WORKING_MINUTES + 1,
							       &got, NULL), -EINVAL);
		ck_assert_int_eq(gj_calendar_add_working_hours(cal, start,
							       GJ_CALENDAR_MAX_WORKING_MINUTES,
							       &got, NULL), 0);
		ck_assert_int_gt(got, start);
		ck_assert_int_eq(gj_calendar_add_working_hours(cal, INT64_MAX, 1, &got, NULL),
				 -ERANGE);
		ck_assert_int_eq(gj_calendar_add_working_hours(cal, T(9999, 12, 31, 17, 0, 0),
							       60, &got, NULL), -ERANGE);
		/* To the millisecond. */
		ck_assert_int_eq(gj_calendar_add_working_ms(cal, start, 1500, &got, NULL), 0);
		ck_assert_int_eq(got, start + 1500);
		ck_assert_int_eq(gj_calendar_add_working_ms(cal, start, -1, &got, NULL),
				 -EINVAL);

		/* Into 2027, which cn has no data for: Friday 01-01 is assumed
		 * to be worked. */
		ck_assert_int_eq(gj_calendar_add_working_hours(cal, T(2026, 12, 31, 17, 0, 0),
							       60, &got, &provisional), 0);
		ck_assert_int_eq(got, T(2027, 1, 1, 9, 0, 0));
		ck_assert(provisional);

		/* Between: the pause of a clock, re-counted. */
		ck_assert_int_eq(gj_calendar_working_minutes_between(cal, T(2026, 10, 10, 0, 0, 0),
								     T(2026, 10, 11, 0, 0, 0),
								     &minutes, &provisional), 0);
		ck_assert_int_eq(minutes, 450);         /* the make-up Saturday */
		ck_assert(!provisional);
		ck_assert_int_eq(gj_calendar_working_minutes_between(cal, T(2026, 10, 3, 0, 0, 0),
								     T(2026, 10, 5, 0, 0, 0),
								     &minutes, NULL), 0);
		ck_assert_int_eq(minutes, 0);           /* National Day */
		ck_assert_int_eq(gj_calendar_working_minutes_between(cal, T(2026, 10, 8, 12, 0, 0),
								     T(2026, 10, 8, 11, 0, 0),
								     &minutes, &provisional), 0);
		ck_assert_int_eq(minutes, 0);           /* backwards */
		ck_assert(!provisional);
		ck_assert_int_eq(gj_calendar_working_minutes_between(cal, T(2026, 10, 8, 8, 30, 0),
								     T(2026, 10, 8, 8, 30, 59),
								     &minutes, NULL), 0);
		ck_assert_int_eq(minutes, 0);           /* rounded down */
		ck_assert_int_eq(gj_calendar_working_ms_between(cal, T(2026, 10, 8, 8, 30, 0),
								T(2026, 10, 8, 8, 30, 59),
								&got, NULL), 0);
		ck_assert_int_eq(got, 59000);
		ck_assert_int_eq(gj_calendar_working_minutes_between(cal, T(2026, 12, 31, 17, 0, 0),
								     T(2027, 1, 1, 9, 0, 0),
								     &minutes, &provisional), 0);
		ck_assert_int_eq(minutes, 60);
		ck_assert(provisional);
		ck_assert_int_eq(gj_calendar_working_minutes_between(cal, INT64_MIN, 0,
								     &minutes, NULL), -ERANGE);
	}
	gj_calendar_destroy(cal);
}
END_TEST

/* Overrides count in working hours: BASE has 2026-12-31 08:30-12:00 and
 * the make-up Sunday 2026-01-04 09:00-12:00, 13:00-16:00. */
START_TEST(test_working_hours_override)
{
	struct gj_calendar *cal = NULL;
	char *text = variant(0, NULL);
	char *error = NULL;
	bool provisional = false;
	int64_t got = 0;

	ck_assert_msg(load_text(text, &cal, &error) == 0, "%s", error);
	/* 12-31 11:00-12:00 = 1h, then 2027-01-01 (no data) 08:30 + 1h */
	ck_assert_int_eq(gj_calendar_add_working_hours(cal, T(2026, 12, 31, 11, 0, 0),
						       120, &got, &provisional), 0);
	ck_assert_int_eq(got, T(2027, 1, 1, 9, 30, 0));
	ck_assert(provisional);
	/* The half day is over at 12:00: nothing in its afternoon. */
	ck_assert_int_eq(gj_calendar_add_working_hours(cal, T(2026, 12, 31, 14, 0, 0),
						       30, &got, NULL), 0);
	ck_assert_int_eq(got, T(2027, 1, 1, 9, 0, 0));
	/* 01-04: 09:00-12:00 = 3h, 13:00 + 1h */
	ck_assert_int_eq(gj_calendar_add_working_hours(cal, T(2026, 1, 4, 8, 0, 0),
						       240, &got, &provisional), 0);
	ck_assert_int_eq(got, T(2026, 1, 4, 14, 0, 0));
	ck_assert(!provisional);
	ck_assert_int_eq(gj_calendar_working_ms_between(cal, T(2026, 1, 4, 0, 0, 0),
							T(2026, 1, 5, 0, 0, 0), &got, NULL), 0);
	ck_assert_int_eq(got, 6 * INT64_C(3600000));
	gj_calendar_destroy(cal);
	free(text);
}
END_TEST

/* For many starts over the known years: counting the working time up to
 * the instant add gives returns the minutes added, and that instant lies in
 * a working interval (its end included). */
START_TEST(test_working_hours_agree)
{
	struct gj_calendar *cal = load_cn();
	static const int at_min[] = { 0, 8 * 60 + 30, 10 * 60 + 17, 12 * 60 + 30,
				      17 * 60 + 29, 20 * 60 };
	static const int32_t minutes[] = { 1, 89, 210, 450, 451, 2400 };
	int32_t first, last;
	int checked = 0;

	ck_assert_int_eq(gj_date_to_days(D(2025, 1, 1), &first), 0);
	ck_assert_int_eq(gj_date_to_days(D(2026, 12, 20), &last), 0);
	for (int32_t day = first; day <= last; day++) {
		for (size_t a = 0; a < sizeof(at_min) / sizeof(at_min[0]); a++) {
			int64_t start = (int64_t)day * 86400000 +
					(at_min[a] - 480) * INT64_C(60000) + 13000;

			for (size_t m = 0; m < sizeof(minutes) / sizeof(minutes[0]); m++) {
				const struct gj_calendar_interval *iv;
				int64_t end, back, local, in_day;
				struct gj_date end_date;
				bool prov, inside = false;
				size_t n;

				if (gj_calendar_add_working_hours(cal, start, minutes[m],
								  &end, &prov) < 0 ||
				    prov ||
				    gj_calendar_working_ms_between(cal, start, end, &back,
								   NULL) < 0 ||
				    back != minutes[m] * INT64_C(60000))
					ck_abort_msg("day %d at %d + %d", (int)day,
						     at_min[a], minutes[m]);
				/* The end, local: 24:00 would be the next day's 00:00,
				 * so look at the instant just before it. */
				local = end - 1 + 480 * INT64_C(60000);
				if (gj_date_from_days((int32_t)(local / 86400000), &end_date) < 0 ||
				    gj_calendar_day_intervals(cal, end_date, &iv, &n, NULL) < 0)
					ck_abort_msg("day %d", (int)day);
				in_day = local % 86400000 + 1;
				for (size_t i = 0; i < n; i++)
					if (in_day > iv[i].start_min * INT64_C(60000) &&
					    in_day <= iv[i].end_min * INT64_C(60000))
						inside = true;
				if (!inside)
					ck_abort_msg("day %d at %d + %d: end outside working hours",
						     (int)day, at_min[a], minutes[m]);
				checked++;
			}
		}
	}
	ck_assert_int_gt(checked, 25000);
	gj_calendar_destroy(cal);
}
END_TEST

static void ck_text_eq(const char *got, const char *want)
{
	ck_assert_msg(strcmp(got, want) == 0, "got:\n%s\nwant:\n%s", got, want);
}

START_TEST(test_explain_working_days)
{
	struct gj_calendar *cal = load_cn();
	char *text = NULL;

	ck_assert_int_eq(gj_calendar_explain_working_days(cal, D(2026, 9, 30), 3, &text), 0);
	ck_text_eq(text,
		   "within 3 working days of 2026-09-30 (Wed) on calendar cn@1\n"
		   "counting: exclude_start: the start day is not counted; counting "
		   "starts 2026-10-01 and the deadline is the close of working day 3 "
		   "(Civil Code arts. 201, 203)\n"
		   "2026-10-01..2026-10-07 holiday (National Day), skipped\n"
		   "2026-10-08 Thu working day, counted 1 of 3\n"
		   "2026-10-09 Fri working day, counted 2 of 3\n"
		   "2026-10-10 Sat make-up working day (National Day), counted 3 of 3\n"
		   "deadline: 2026-10-10 17:30 +08:00\n");
	free(text);

	/* A make-up Sunday before the holiday, a weekend, one day. */
	ck_assert_int_eq(gj_calendar_explain_working_days(cal, D(2025, 1, 24), 3, &text), 0);
	ck_text_eq(text,
		   "within 3 working days of 2025-01-24 (Fri) on calendar cn@1\n"
		   "counting: exclude_start: the start day is not counted; counting "
		   "starts 2025-01-25 and the deadline is the close of working day 3 "
		   "(Civil Code arts. 201, 203)\n"
		   "2025-01-25 Sat weekend, skipped\n"
		   "2025-01-26 Sun make-up working day (Spring Festival), counted 1 of 3\n"
		   "2025-01-27 Mon working day, counted 2 of 3\n"
		   "2025-01-28..2025-02-04 holiday (Spring Festival), skipped\n"
		   "2025-02-05 Wed working day, counted 3 of 3\n"
		   "deadline: 2025-02-05 17:30 +08:00\n");
	free(text);

	/* Weekends grouped; into a year without data. */
	ck_assert_int_eq(gj_calendar_explain_working_days(cal, D(2026, 12, 25), 7, &text), 0);
	ck_text_eq(text,
		   "within 7 working days of 2026-12-25 (Fri) on calendar cn@1\n"
		   "counting: exclude_start: the start day is not counted; counting "
		   "starts 2026-12-26 and the deadline is the close of working day 7 "
		   "(Civil Code arts. 201, 203)\n"
		   "2026-12-26..2026-12-27 weekend, skipped\n"
		   "2026-12-28 Mon working day, counted 1 of 7\n"
		   "2026-12-29 Tue working day, counted 2 of 7\n"
		   "2026-12-30 Wed working day, counted 3 of 7\n"
		   "2026-12-31 Thu working day, counted 4 of 7\n"
		   "2027-01-01 Fri working day, counted 5 of 7\n"
		   "2027-01-02..2027-01-03 weekend, skipped\n"
		   "2027-01-04 Mon working day, counted 6 of 7\n"
		   "2027-01-05 Tue working day, counted 7 of 7\n"
		   "deadline: 2027-01-05 17:30 +08:00, provisional: calendar cn has no "
		   "data for 2027 (its working weekdays are assumed)\n");
	free(text);

	text = (char *)"untouched";
	ck_assert_int_eq(gj_calendar_explain_working_days(cal, D(2026, 9, 30), 0, &text),
			 -EINVAL);
	ck_assert_int_eq(gj_calendar_explain_working_days(cal, D(2026, 2, 30), 1, &text),
			 -EINVAL);
	ck_assert_int_eq(gj_calendar_explain_working_days(cal, D(9999, 12, 30), 5, &text),
			 -ERANGE);
	ck_assert_str_eq(text, "untouched");

	/* Every explanation ends where add says, with n days counted. */
	for (int32_t day = 20089; day < 20089 + 730; day++) {
		static const int ns[] = { 1, 3, 15, 30 };
		struct gj_date start, last;

		ck_assert_int_eq(gj_date_from_days(day, &start), 0);
		for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
			char want[64], counted[32];
			const char *p;
			int lines = 0;

			if (gj_calendar_add_working_days(cal, start, ns[i], &last, NULL) < 0 ||
			    gj_calendar_explain_working_days(cal, start, ns[i], &text) < 0)
				ck_abort_msg("day %d", (int)day);
			snprintf(want, sizeof(want), "\ndeadline: %04d-%02d-%02d 17:30 +08:00",
				 last.y, last.m, last.d);
			snprintf(counted, sizeof(counted), ", counted %d of %d\n", ns[i], ns[i]);
			for (p = text; (p = strstr(p, ", counted ")) != NULL; p++)
				lines++;
			if (!strstr(text, want) || !strstr(text, counted) || lines != ns[i])
				ck_abort_msg("day %d + %d:\n%s", (int)day, ns[i], text);
			free(text);
		}
	}
	gj_calendar_destroy(cal);
}
END_TEST

START_TEST(test_explain_include_start_and_override)
{
	struct gj_calendar *cal = load_cn_include_start();
	char *base = variant(0, NULL);
	char *text = NULL, *error = NULL;

	ck_assert_int_eq(gj_calendar_explain_working_days(cal, D(2026, 9, 30), 3, &text), 0);
	ck_text_eq(text,
		   "within 3 working days of 2026-09-30 (Wed) on calendar cn@1\n"
		   "counting: include_start: the start day counts when it is a working "
		   "day; the deadline is the close of working day 3\n"
		   "2026-09-30 Wed working day, counted 1 of 3\n"
		   "2026-10-01..2026-10-07 holiday (National Day), skipped\n"
		   "2026-10-08 Thu working day, counted 2 of 3\n"
		   "2026-10-09 Fri working day, counted 3 of 3\n"
		   "deadline: 2026-10-09 17:30 +08:00\n");
	free(text);
	gj_calendar_destroy(cal);

	/* BASE: unnamed holidays; a half day is the deadline day. */
	cal = NULL;
	ck_assert_msg(load_text(base, &cal, &error) == 0, "%s", error);
	ck_assert_int_eq(gj_calendar_explain_working_days(cal, D(2026, 12, 29), 2, &text), 0);
	ck_text_eq(text,
		   "within 2 working days of 2026-12-29 (Tue) on calendar cn@3\n"
		   "counting: exclude_start: the start day is not counted; counting "
		   "starts 2026-12-30 and the deadline is the close of working day 2 "
		   "(Civil Code arts. 201, 203)\n"
		   "2026-12-30 Wed working day, counted 1 of 2\n"
		   "2026-12-31 Thu working day, hours 08:30-12:00 (override: New Year's "
		   "Eve), counted 2 of 2\n"
		   "deadline: 2026-12-31 12:00 +08:00\n");
	free(text);
	ck_assert_int_eq(gj_calendar_explain_working_days(cal, D(2025, 12, 31), 1, &text), 0);
	ck_text_eq(text,
		   "within 1 working day of 2025-12-31 (Wed) on calendar cn@3\n"
		   "counting: exclude_start: the start day is not counted; counting "
		   "starts 2026-01-01 and the deadline is the close of working day 1 "
		   "(Civil Code arts. 201, 203)\n"
		   "2026-01-01..2026-01-03 holiday, skipped\n"
		   "2026-01-04 Sun make-up working day, hours 09:00-12:00, 13:00-16:00 "
		   "(override), counted 1 of 1\n"
		   "deadline: 2026-01-04 16:00 +08:00\n");
	free(text);
	gj_calendar_destroy(cal);
	free(base);
}
END_TEST

START_TEST(test_explain_working_hours)
{
	struct gj_calendar *cal = load_cn();
	char *base = variant(0, NULL);
	char *text = NULL, *error = NULL;

	ck_assert_int_eq(gj_calendar_explain_working_hours(cal, T(2026, 9, 30, 16, 0, 0),
							   240, &text), 0);
	ck_text_eq(text,
		   "4h of working time from 2026-09-30 16:00 +08:00 (Wed) on calendar cn@1\n"
		   "counting: only the working hours of working days count: "
		   "08:30-12:00, 13:30-17:30\n"
		   "2026-09-30 Wed working day: 16:00-17:30 counted, 1h30m (1h30m of 4h)\n"
		   "2026-10-01..2026-10-07 holiday (National Day), skipped\n"
		   "2026-10-08 Thu working day: 08:30-11:00 counted, 2h30m (4h of 4h)\n"
		   "deadline: 2026-10-08 11:00 +08:00\n");
	free(text);

	/* After closing; a make-up Saturday; a weekend; two intervals a day. */
	ck_assert_int_eq(gj_calendar_explain_working_hours(cal, T(2026, 10, 9, 18, 0, 30),
							   900, &text), 0);
	ck_text_eq(text,
		   "15h of working time from 2026-10-09 18:00:30 +08:00 (Fri) on calendar cn@1\n"
		   "counting: only the working hours of working days count: "
		   "08:30-12:00, 13:30-17:30\n"
		   "2026-10-09 Fri working day: over at 17:30, nothing counted\n"
		   "2026-10-10 Sat make-up working day (National Day): 08:30-12:00, "
		   "13:30-17:30 counted, 7h30m (7h30m of 15h)\n"
		   "2026-10-11 Sun weekend, skipped\n"
		   "2026-10-12 Mon working day: 08:30-12:00, 13:30-17:30 counted, "
		   "7h30m (15h of 15h)\n"
		   "deadline: 2026-10-12 17:30 +08:00\n");
	free(text);

	/* Nothing to count. */
	ck_assert_int_eq(gj_calendar_explain_working_hours(cal, T(2026, 10, 3, 9, 5, 0),
							   0, &text), 0);
	ck_text_eq(text,
		   "0m of working time from 2026-10-03 09:05 +08:00 (Sat) on calendar cn@1\n"
		   "counting: only the working hours of working days count: "
		   "08:30-12:00, 13:30-17:30\n"
		   "deadline: 2026-10-03 09:05 +08:00\n");
	free(text);
	ck_assert_int_eq(gj_calendar_explain_working_hours(cal, 0, -5, &text), -EINVAL);
	gj_calendar_destroy(cal);

	/* A half day, then a year without data. */
	cal = NULL;
	ck_assert_msg(load_text(base, &cal, &error) == 0, "%s", error);
	ck_assert_int_eq(gj_calendar_explain_working_hours(cal, T(2026, 12, 31, 11, 0, 0),
							   125, &text), 0);
	ck_text_eq(text,
		   "2h05m of working time from 2026-12-31 11:00 +08:00 (Thu) on calendar cn@3\n"
		   "counting: only the working hours of working days count: "
		   "08:30-12:00, 13:30-17:30\n"
		   "2026-12-31 Thu working day, hours 08:30-12:00 (override: New Year's "
		   "Eve): 11:00-12:00 counted, 1h (1h of 2h05m)\n"
		   "2027-01-01 Fri working day: 08:30-09:35 counted, 1h05m (2h05m of 2h05m)\n"
		   "deadline: 2027-01-01 09:35 +08:00, provisional: calendar cn has no "
		   "data for 2027 (its working weekdays are assumed)\n");
	free(text);
	gj_calendar_destroy(cal);
	free(base);
}
END_TEST

/* ---- sets of calendars ---- */

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

/* Remove the files a test wrote, then its directory. */
static void remove_files(const char *dir, const char *const *names)
{
	char path[512];

	for (size_t i = 0; names[i]; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		ck_assert_int_eq(unlink(path), 0);
	}
	ck_assert_int_eq(rmdir(dir), 0);
}

#define MINIMAL(id) "id: " id "\ntitle: T\nworking_hours: [\"09:00-17:00\"]\n"

START_TEST(test_calendar_set)
{
	char dir[] = "/tmp/gj_calendars_XXXXXX", dup[] = "/tmp/gj_calendars_XXXXXX";
	struct gj_calendars *set = gj_calendars_create();
	struct gj_calendar *cal = NULL;
	char *error = NULL, *want = NULL;

	ck_assert_ptr_nonnull(set);
	ck_assert_uint_eq(gj_calendars_count(set), 0);
	ck_assert_ptr_null(gj_calendars_find(set, "cn"));
	ck_assert_ptr_null(gj_calendars_at(set, 0));

	/* The embedded ones: the shipped cn. */
	ck_assert_int_eq(gj_calendars_load_embedded(set, &error), 0);
	ck_assert_uint_eq(gj_calendars_count(set), 1);
	ck_assert_ptr_nonnull(gj_calendars_find(set, "cn"));
	ck_assert_ptr_eq(gj_calendars_at(set, 0), gj_calendars_find(set, "cn"));
	ck_assert_str_eq(gj_calendar_source_name(gj_calendars_find(set, "cn")),
			 "<embedded>/cn.yaml");
	/* Loading them again: every id is there already. */
	ck_assert_int_eq(gj_calendars_load_embedded(set, &error), -EEXIST);
	ck_assert_str_eq(error, "<embedded>/cn.yaml:17: calendar 'cn' is already "
				"loaded from <embedded>/cn.yaml");
	free(error);
	error = NULL;
	gj_calendars_destroy(set);
	gj_calendars_destroy(NULL);

	/* A directory: *.yaml and *.yml, sorted by id; others ignored. */
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file(dir, "b.yaml", MINIMAL("zeta"));
	write_file(dir, "a.yml", MINIMAL("alpha"));
	write_file(dir, ".hidden.yaml", "not: a calendar\n");
	write_file(dir, "notes.txt", "not: a calendar\n");
	set = gj_calendars_create();
	ck_assert_msg(gj_calendars_load_dir(set, dir, &error) == 0, "%s", error);
	ck_assert_uint_eq(gj_calendars_count(set), 2);
	ck_assert_str_eq(gj_calendar_id(gj_calendars_at(set, 0)), "alpha");
	ck_assert_str_eq(gj_calendar_id(gj_calendars_at(set, 1)), "zeta");
	ck_assert_ptr_null(gj_calendars_at(set, 2));
	ck_assert_ptr_eq(gj_calendars_find(set, "zeta"), gj_calendars_at(set, 1));
	ck_assert_ptr_null(gj_calendars_find(set, "zet"));
	ck_assert_ptr_null(gj_calendars_find(set, NULL));

	/* The shipped directory adds cn. */
	ck_assert_msg(gj_calendars_load_dir(set, GJ_SOURCE_ROOT "/etc/calendars",
					    &error) == 0, "%s", error);
	ck_assert_uint_eq(gj_calendars_count(set), 3);
	ck_assert_str_eq(gj_calendar_id(gj_calendars_at(set, 1)), "cn");

	/* Another file with an id already there: refused, naming both files;
	 * the set is left as it was. */
	ck_assert_ptr_nonnull(mkdtemp(dup));
	write_file(dup, "a.yaml", MINIMAL("new_one"));
	write_file(dup, "b.yaml", MINIMAL("zeta"));
	ck_assert_int_eq(gj_calendars_load_dir(set, dup, &error), -EEXIST);
	ck_assert_int_gt(asprintf(&want, "%s/b.yaml:1: calendar 'zeta' is already "
				  "loaded from %s/b.yaml", dup, dir), 0);
	ck_assert_str_eq(error, want);
	free(want);
	free(error);
	error = NULL;
	ck_assert_uint_eq(gj_calendars_count(set), 3);
	ck_assert_ptr_null(gj_calendars_find(set, "new_one"));

	/* Two files of one directory with the same id. */
	write_file(dup, "b.yaml", MINIMAL("new_one"));
	ck_assert_int_eq(gj_calendars_load_dir(set, dup, &error), -EEXIST);
	ck_assert_int_gt(asprintf(&want, "%s/b.yaml:1: calendar 'new_one' is already "
				  "loaded from %s/a.yaml", dup, dup), 0);
	ck_assert_str_eq(error, want);
	free(want);
	free(error);
	error = NULL;

	/* A broken file: its own message, nothing added. */
	write_file(dup, "b.yaml", "id: broken\ntitle: T\n");
	ck_assert_int_eq(gj_calendars_load_dir(set, dup, &error), -EINVAL);
	ck_assert_int_gt(asprintf(&want, "%s/b.yaml:1: missing 'working_hours'", dup), 0);
	ck_assert_str_eq(error, want);
	free(want);
	free(error);
	error = NULL;
	ck_assert_uint_eq(gj_calendars_count(set), 3);

	/* One at a time. */
	ck_assert_int_eq(gj_calendar_load_buffer("x.yaml", MINIMAL("alpha"),
						 strlen(MINIMAL("alpha")), &cal, NULL), 0);
	ck_assert_int_eq(gj_calendars_add(set, cal, &error), -EEXIST);  /* freed */
	ck_assert_ptr_nonnull(strstr(error, "x.yaml:1: calendar 'alpha' is already loaded from "));
	free(error);
	error = NULL;
	ck_assert_int_eq(gj_calendar_load_buffer("y.yaml", MINIMAL("beta"),
						 strlen(MINIMAL("beta")), &cal, NULL), 0);
	ck_assert_int_eq(gj_calendars_add(set, cal, NULL), 0);
	ck_assert_uint_eq(gj_calendars_count(set), 4);
	ck_assert_str_eq(gj_calendar_id(gj_calendars_at(set, 1)), "beta");

	/* No such directory. */
	ck_assert_int_eq(gj_calendars_load_dir(set, "/nonexistent/calendars", &error),
			 -ENOENT);
	ck_assert_ptr_nonnull(strstr(error, "/nonexistent/calendars: "));
	free(error);
	gj_calendars_destroy(set);

	remove_files(dir, (const char *const[]){ "a.yml", "b.yaml", ".hidden.yaml",
						 "notes.txt", NULL });
	remove_files(dup, (const char *const[]){ "a.yaml", "b.yaml", NULL });
}
END_TEST

static Suite *calendar_suite(void)
{
	Suite *s = suite_create("calendar");
	TCase *tc = tcase_create("calendar");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_dates);
	tcase_add_test(tc, test_shipped_loads);
	tcase_add_test(tc, test_248_working_days);
	tcase_add_test(tc, test_is_working_day);
	tcase_add_test(tc, test_vectors);
	tcase_add_test(tc, test_add_count_agree);
	tcase_add_test(tc, test_provisional);
	tcase_add_test(tc, test_day_close);
	tcase_add_test(tc, test_base_loads);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_time_zone);
	tcase_add_test(tc, test_overrides);
	tcase_add_test(tc, test_include_start);
	tcase_add_test(tc, test_working_hours);
	tcase_add_test(tc, test_working_hours_override);
	tcase_add_test(tc, test_working_hours_agree);
	tcase_add_test(tc, test_explain_working_days);
	tcase_add_test(tc, test_explain_include_start_and_override);
	tcase_add_test(tc, test_explain_working_hours);
	tcase_add_test(tc, test_calendar_set);
	tcase_add_loop_test(tc, test_broken, 0, (int)(sizeof(broken) / sizeof(broken[0])));
	tcase_add_test(tc, test_syntax_error_line);
	tcase_add_test(tc, test_missing_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(calendar_suite());
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
