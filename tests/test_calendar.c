/*
 * test_calendar.c - unit tests of working-day calendars (daemon/calendar.c):
 * the shipped cn calendar loads and has the State Council's working days,
 * "within N working days" lands where the notices say, adding and counting
 * agree on every start day of the known years, results reaching a year
 * without data are provisional, and broken files name the right line.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	gj_calendar_destroy(cal);
	free(text);
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
