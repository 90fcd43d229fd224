/*
 * calendar.c - load working-day calendars from YAML; working-day and
 * working-hour arithmetic; explanations of a deadline; sets of calendars.
 *
 * A calendar file is one YAML document (read by yamldoc.c).  Loading checks
 * everything and stops at the first problem, reported as
 * "<name>:<line>: <problem>" with the line of the offending node, e.g.
 *
 *     cn.yaml:31: year 2025: rest: '2025-02-30' is not a date "YYYY-MM-DD" or ...
 *
 * THE FORMAT (docs/calendars.md is written from this block)
 *
 *   # comments are free (cite the notice each year's data comes from)
 *   id: cn                  required; [a-z0-9_]+, at most 48 bytes
 *   version: 1              optional, default 1; a whole number
 *                           1..4294967295.  Raise it whenever the data
 *                           changes: tickets pin "cn@1".
 *   title: ...              required text, at most 256 bytes
 *   time_zone: Asia/Shanghai  optional, default Asia/Shanghai; informational:
 *                           the fixed offset below is what is used, so only
 *                           zones without daylight saving time can be
 *                           described
 *   utc_offset: "+08:00"    optional; "+HH:MM" or "-HH:MM", at most 14:00.
 *                           Default: the offset of time_zone when it is one
 *                           of the zones listed in `zones` below (+08:00 for
 *                           Asia/Shanghai); required for any other zone.
 *                           Given with a listed zone, it must match it.
 *   working_weekdays: [mon, tue, wed, thu, fri]
 *                           optional, the default; not empty, no repeats;
 *                           mon tue wed thu fri sat sun
 *   working_hours: ["08:30-12:00", "13:30-17:30"]
 *                           required; 1..8 intervals "HH:MM-HH:MM", each
 *                           start < end <= 24:00, in order, not overlapping
 *   counting: exclude_start optional, default exclude_start: how "within N
 *                           working days of a day" counts.  exclude_start:
 *                           the start day is never counted, counting begins
 *                           the day after, the deadline is the close of the
 *                           Nth working day (Civil Code arts. 201, 203).
 *                           include_start: the start day is working day 1
 *                           when it is a working day.
 *   years:                  optional mapping; keys are years (1..9999),
 *     2025:                 each at most once
 *       rest: [...]         optional list of rest days (public holidays)
 *       work: [...]         optional list of make-up working days (调休):
 *                           days that are not working weekdays
 *       overrides:          optional list of days whose working hours are
 *                           not the weekly ones (a half day):
 *         - {date: 2025-12-31, hours: ["08:30-12:00"], name: ...}
 *                           date: required, a working day of that year (a
 *                           working weekday that is not a rest day, or a
 *                           make-up day); hours: required, as working_hours;
 *                           name: optional text.  At most one per date.
 *
 * An entry of `rest` or `work` is "YYYY-MM-DD" or a range
 * "YYYY-MM-DD..YYYY-MM-DD" (both ends included, start <= end), or a mapping
 * {days: <that>, name: <text>} that names it ("National Day"; explanations
 * show the name).  All days are inside the year they are listed under; no
 * day may be listed twice.  A year that is listed has complete data; any
 * other year is assumed to have only the working weekdays (with the weekly
 * hours), and results touching it are flagged as provisional.  Texts
 * (title, names) are one line with no control characters.  `version`,
 * `counting`, `years` and every key inside `years` count as absent when
 * written with no value (~, null); unknown keys are errors everywhere.
 */
#include "calendar.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamlload.h"

#define ID_MAX 48
#define TEXT_MAX 256
#define OFFSET_MAX_MIN (14 * 60)
#define DAYS_MIN (-719162)      /* 0001-01-01 */
#define DAYS_MAX 2932896        /* 9999-12-31 */
#define DAY_MS INT64_C(86400000)
#define MIN_MS INT64_C(60000)
#define DEFAULT_TIME_ZONE "Asia/Shanghai"

enum mark {
	MARK_NONE = 0,
	MARK_REST,
	MARK_WORK,
};

/* A rest or work entry that has a name. */
struct cal_named {
	int32_t from;           /* days since the epoch, both ends included */
	int32_t to;
	char *name;
};

struct cal_year {
	int year;
	int32_t jan1;           /* days since the epoch of 1 January */
	uint8_t mark[366];      /* enum mark, by day of the year (0-based) */
	struct cal_named *named;
	size_t n_named;
};

/* The working hours of one date, replacing the weekly ones. */
struct cal_override {
	int32_t day;            /* days since the epoch */
	struct gj_calendar_interval intervals[GJ_CALENDAR_MAX_INTERVALS];
	size_t n_intervals;
	char *name;             /* may be NULL */
};

struct gj_calendar {
	char *id;
	uint32_t version;
	char *title;
	char *time_zone;        /* never NULL once loaded */
	int offset_min;
	bool weekday[7];        /* 0 = Monday */
	struct gj_calendar_interval intervals[GJ_CALENDAR_MAX_INTERVALS];
	size_t n_intervals;
	enum gj_calendar_counting counting;
	struct cal_year *years; /* sorted by year */
	size_t n_years;
	struct cal_override *overrides;  /* sorted by day */
	size_t n_overrides;
	char *source_name;
	char *source_text;      /* NUL-terminated copy of the YAML */
	size_t source_len;
	int line;               /* of `id:`, for messages */
};

/* ---- dates ------------------------------------------------------------ */

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

bool gj_date_valid(struct gj_date date)
{
	return date.y >= 1 && date.y <= 9999 && date.m >= 1 && date.m <= 12 &&
	       date.d >= 1 && date.d <= month_days(date.y, date.m);
}

/* Howard Hinnant's days_from_civil / civil_from_days, for years >= 1 only,
 * so every division below is of a non-negative number. */
static int32_t days_from_civil(int y, int m, int d)
{
	int era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (int32_t)(era * 146097 + doe - 719468);
}

int gj_date_to_days(struct gj_date date, int32_t *ret_days)
{
	if (!gj_date_valid(date))
		return -EINVAL;
	*ret_days = days_from_civil(date.y, date.m, date.d);
	return 0;
}

int gj_date_from_days(int32_t days, struct gj_date *ret_date)
{
	int32_t z, era, doe, yoe, doy, mp;
	int y, m, d;

	if (days < DAYS_MIN || days > DAYS_MAX)
		return -ERANGE;
	z = days + 719468;      /* >= 306 for year 1: never negative */
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = (int)(doy - (153 * mp + 2) / 5 + 1);
	m = (int)(mp < 10 ? mp + 3 : mp - 9);
	y = (int)(yoe + era * 400) + (m <= 2);
	*ret_date = (struct gj_date){ .y = y, .m = m, .d = d };
	return 0;
}

/* 0 = Monday; 1970-01-01 was a Thursday. */
static int weekday(int32_t days)
{
	int w = (int)((days + 3) % 7);

	return w < 0 ? w + 7 : w;
}

static int digits(const char *s, size_t n)
{
	int v = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* "YYYY-MM-DD" at s, exactly 10 bytes. */
static int parse_date_n(const char *s, struct gj_date *ret_date)
{
	struct gj_date date;

	if (s[4] != '-' || s[7] != '-')
		return -EINVAL;
	date.y = digits(s, 4);
	date.m = digits(s + 5, 2);
	date.d = digits(s + 8, 2);
	if (!gj_date_valid(date))
		return -EINVAL;
	*ret_date = date;
	return 0;
}

int gj_date_parse(const char *text, struct gj_date *ret_date)
{
	if (!text || strlen(text) != 10)
		return -EINVAL;
	return parse_date_n(text, ret_date);
}

/* ---- loading ---------------------------------------------------------- */

/* A scalar's text: in a calendar, ~ and null are text like any other. */
static int get_str(struct gj_yload *l, const struct gj_ynode *node,
		   const char *what, size_t max, const char **ret)
{
	return gj_yload_str(l, node, what, max, GJ_YLOAD_NULL_TEXT, ret);
}

/* Text shown in one line of an explanation: no control characters. */
static int get_text(struct gj_yload *l, const struct gj_ynode *node,
		    const char *what, const char **ret)
{
	int r = get_str(l, node, what, TEXT_MAX, ret);

	if (r < 0)
		return r;
	if (gj_yload_has_control(*ret))
		return gj_yload_fail(l, node->line, "%s: must be one line with no "
				     "control characters", what);
	return 0;
}

static int load_id(struct gj_yload *l, const struct gj_ynode *node,
		   struct gj_calendar *cal)
{
	const char *s;
	int r;

	r = get_str(l, node, "id", ID_MAX, &s);
	if (r < 0)
		return r;
	if (!gj_yload_is_ident(s, false))
		return gj_yload_fail(l, node->line,
				     "id: '%s' is not an identifier ([a-z0-9_]+)", s);
	cal->line = node->line;
	return gj_yload_strdup(l, s, &cal->id);
}

static int load_version(struct gj_yload *l, const struct gj_ynode *node,
			struct gj_calendar *cal)
{
	uint64_t v;

	if (gj_ynode_uint(node, &v) < 0 || v < 1 || v > UINT32_MAX) {
		const char *s = gj_ynode_str(node);

		return gj_yload_fail(l, node->line, "version: '%.64s' is not a "
				     "whole number from 1 to %" PRIu32,
				     s ? s : gj_ynode_kind_name(node->kind),
				     UINT32_MAX);
	}
	cal->version = (uint32_t)v;
	return 0;
}

/* Zones whose offset is fixed (no daylight saving time): a calendar naming
 * one of them may leave utc_offset out. */
static const struct {
	const char *name;
	int offset_min;
} zones[] = {
	{ "Asia/Shanghai", 480 }, { "Asia/Chongqing", 480 },
	{ "Asia/Harbin", 480 }, { "PRC", 480 }, { "Asia/Hong_Kong", 480 },
	{ "Asia/Macau", 480 }, { "Asia/Taipei", 480 }, { "Asia/Singapore", 480 },
	{ "Asia/Kuala_Lumpur", 480 }, { "Asia/Manila", 480 },
	{ "Asia/Tokyo", 540 }, { "Asia/Seoul", 540 }, { "Asia/Kolkata", 330 },
	{ "Asia/Dubai", 240 }, { "UTC", 0 }, { "Etc/UTC", 0 },
};

static void format_offset(int offset_min, char buf[static 16])
{
	int a = offset_min < 0 ? -offset_min : offset_min;

	snprintf(buf, 16, "%c%02d:%02d", offset_min < 0 ? '-' : '+', a / 60, a % 60);
}

static int parse_offset(struct gj_yload *l, const struct gj_ynode *node,
			int *ret_min)
{
	const char *s;
	int h, m, r;

	r = get_str(l, node, "utc_offset", 6, &s);
	if (r < 0)
		return r;
	if (strlen(s) != 6 || (s[0] != '+' && s[0] != '-') || s[3] != ':')
		goto bad;
	h = digits(s + 1, 2);
	m = digits(s + 4, 2);
	if (h < 0 || m < 0 || m >= 60 || h * 60 + m > OFFSET_MAX_MIN)
		goto bad;
	*ret_min = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
	return 0;
bad:
	return gj_yload_fail(l, node->line,
			     "utc_offset: '%s' is not an offset from -14:00 to +14:00 "
			     "written as \"+HH:MM\" or \"-HH:MM\"", s);
}

/* time_zone and utc_offset together: each may be left out. */
static int load_zone(struct gj_yload *l, const struct gj_ynode *root,
		     struct gj_calendar *cal)
{
	const struct gj_ynode *tz = gj_ynode_get(root, "time_zone");
	const struct gj_ynode *off = gj_ynode_get(root, "utc_offset");
	const char *name = DEFAULT_TIME_ZONE;
	int zone_min = 0, r;
	bool listed = false;

	if (tz) {
		r = get_text(l, tz, "time_zone", &name);
		if (r < 0)
			return r;
	}
	r = gj_yload_strdup(l, name, &cal->time_zone);
	if (r < 0)
		return r;
	for (size_t i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (strcmp(zones[i].name, name) == 0) {
			listed = true;
			zone_min = zones[i].offset_min;
		}
	if (!off) {
		if (!listed)
			return gj_yload_fail(l, tz->line, "time_zone: '%s' needs "
					     "a utc_offset (the offset is known only "
					     "for zones without daylight saving time "
					     "such as Asia/Shanghai)", name);
		cal->offset_min = zone_min;
		return 0;
	}
	r = parse_offset(l, off, &cal->offset_min);
	if (r < 0)
		return r;
	if (listed && cal->offset_min != zone_min) {
		char want[16];

		format_offset(zone_min, want);
		return gj_yload_fail(l, off->line,
				     "utc_offset: '%s' does not match time_zone %s (%s)",
				     gj_ynode_str(off), name, want);
	}
	return 0;
}

static int load_counting(struct gj_yload *l, const struct gj_ynode *node,
			 struct gj_calendar *cal)
{
	const char *s;
	int r;

	r = get_str(l, node, "counting", TEXT_MAX, &s);
	if (r < 0)
		return r;
	if (strcmp(s, "exclude_start") == 0)
		cal->counting = GJ_COUNTING_EXCLUDE_START;
	else if (strcmp(s, "include_start") == 0)
		cal->counting = GJ_COUNTING_INCLUDE_START;
	else
		return gj_yload_fail(l, node->line, "counting: '%s' is not "
				     "exclude_start or include_start", s);
	return 0;
}

static int load_weekdays(struct gj_yload *l, const struct gj_ynode *node,
			 struct gj_calendar *cal)
{
	static const char *const names[7] = {
		"mon", "tue", "wed", "thu", "fri", "sat", "sun",
	};
	int r = gj_yload_expect_kind(l, node, "working_weekdays", GJ_YNODE_SEQUENCE);

	if (r < 0)
		return r;
	if (node->n == 0)
		return gj_yload_fail(l, node->line, "working_weekdays: empty");
	for (size_t i = 0; i < node->n; i++) {
		const struct gj_ynode *item = node->items[i];
		const char *s;
		int w;

		r = get_str(l, item, "working_weekdays", TEXT_MAX, &s);
		if (r < 0)
			return r;
		for (w = 0; w < 7; w++)
			if (strcmp(s, names[w]) == 0)
				break;
		if (w == 7)
			return gj_yload_fail(l, item->line, "working_weekdays: "
					     "'%s' is not one of mon, tue, wed, "
					     "thu, fri, sat, sun", s);
		if (cal->weekday[w])
			return gj_yload_fail(l, item->line,
					     "working_weekdays: '%s' given twice", s);
		cal->weekday[w] = true;
	}
	return 0;
}

/* "HH:MM" at s, 00:00..24:00, in minutes; -1 when not one. */
static int parse_hhmm(const char *s)
{
	int h, m;

	if (s[2] != ':')
		return -1;
	h = digits(s, 2);
	m = digits(s + 3, 2);
	if (h < 0 || m < 0 || m >= 60 || h * 60 + m > 24 * 60)
		return -1;
	return h * 60 + m;
}

/* A list of 1..GJ_CALENDAR_MAX_INTERVALS intervals "HH:MM-HH:MM", in order;
 * `what` starts each message ("working_hours"). */
static int load_intervals(struct gj_yload *l, const struct gj_ynode *node,
			  const char *what, struct gj_calendar_interval *ret_iv,
			  size_t *ret_n)
{
	size_t n = 0;
	int r = gj_yload_expect_kind(l, node, what, GJ_YNODE_SEQUENCE);

	if (r < 0)
		return r;
	if (node->n == 0)
		return gj_yload_fail(l, node->line, "%s: empty", what);
	if (node->n > GJ_CALENDAR_MAX_INTERVALS)
		return gj_yload_fail(l, node->line, "%s: more than %d intervals", what,
				     GJ_CALENDAR_MAX_INTERVALS);
	for (size_t i = 0; i < node->n; i++) {
		const struct gj_ynode *item = node->items[i];
		struct gj_calendar_interval iv;
		const char *s;

		r = get_str(l, item, what, TEXT_MAX, &s);
		if (r < 0)
			return r;
		if (strlen(s) != 11 || s[5] != '-')
			goto bad;
		iv.start_min = parse_hhmm(s);
		iv.end_min = parse_hhmm(s + 6);
		if (iv.start_min < 0 || iv.end_min < 0)
			goto bad;
		if (iv.start_min >= iv.end_min)
			return gj_yload_fail(l, item->line,
					     "%s: '%s' ends before it starts", what, s);
		if (n > 0 && iv.start_min < ret_iv[n - 1].end_min)
			return gj_yload_fail(l, item->line,
					     "%s: '%s' overlaps or precedes the interval "
					     "before it", what, s);
		ret_iv[n++] = iv;
		continue;
bad:
		return gj_yload_fail(l, item->line, "%s: '%s' is not an interval "
				     "\"HH:MM-HH:MM\"", what, s);
	}
	*ret_n = n;
	return 0;
}

/* "YYYY-MM-DD" or "YYYY-MM-DD..YYYY-MM-DD". */
static int parse_days(const char *s, struct gj_date *ret_first,
		      struct gj_date *ret_last)
{
	size_t len = strlen(s);
	int r;

	if (len == 10) {
		r = parse_date_n(s, ret_first);
		*ret_last = *ret_first;
		return r;
	}
	if (len == 22 && s[10] == '.' && s[11] == '.') {
		r = parse_date_n(s, ret_first);
		return r < 0 ? r : parse_date_n(s + 12, ret_last);
	}
	return -EINVAL;
}

/* A year's rest or work list: days, ranges of days, maybe named. */
static int load_day_list(struct gj_yload *l, const struct gj_ynode *node,
			 struct cal_year *year, enum mark mark,
			 const struct gj_calendar *cal)
{
	static const char *const entry_keys[] = { "days", "name", NULL };
	const char *list = mark == MARK_REST ? "rest" : "work";
	char what[32];
	int r;

	snprintf(what, sizeof(what), "year %d: %s", year->year, list);
	r = gj_yload_expect_kind(l, node, what, GJ_YNODE_SEQUENCE);
	if (r < 0)
		return r;
	for (size_t i = 0; i < node->n; i++) {
		const struct gj_ynode *item = node->items[i];
		const struct gj_ynode *days = item;
		struct gj_date first, last;
		const char *s, *name = NULL;
		int32_t from, to;

		if (item->kind == GJ_YNODE_MAPPING) {
			const struct gj_ynode *n;

			r = gj_yload_check_keys(l, item, what, entry_keys,
						GJ_YLOAD_WHOLE_KEY);
			if (r < 0)
				return r;
			days = gj_yload_lookup(item, "days");
			if (!days)
				return gj_yload_fail(l, item->line,
						     "%s: missing 'days'", what);
			n = gj_yload_lookup(item, "name");
			if (n) {
				r = get_text(l, n, "name", &name);
				if (r < 0)
					return r;
			}
		}
		r = get_str(l, days, list, TEXT_MAX, &s);
		if (r < 0)
			return r;
		if (parse_days(s, &first, &last) < 0)
			return gj_yload_fail(l, days->line,
					     "%s: '%s' is not a date \"YYYY-MM-DD\" or "
					     "a range \"YYYY-MM-DD..YYYY-MM-DD\"", what, s);
		if (first.y != year->year || last.y != year->year)
			return gj_yload_fail(l, days->line, "%s: '%s' is not in %d",
					     what, s, year->year);
		from = days_from_civil(first.y, first.m, first.d);
		to = days_from_civil(last.y, last.m, last.d);
		if (from > to)
			return gj_yload_fail(l, days->line, "%s: range '%s' ends "
					     "before it starts", what, s);
		for (int32_t day = from; day <= to; day++) {
			struct gj_date date;
			uint8_t *m = &year->mark[day - year->jan1];

			(void)gj_date_from_days(day, &date);
			if (*m != MARK_NONE)
				return gj_yload_fail(l, days->line, "year %d: "
						     "%04d-%02d-%02d is listed twice%s",
						     year->year, date.y, date.m, date.d,
						     *m != mark ? " (as a rest day and as a "
								  "make-up working day)" : "");
			/* A make-up day on a working weekday changes nothing:
			 * most likely a typo in the date. */
			if (mark == MARK_WORK && cal->weekday[weekday(day)])
				return gj_yload_fail(l, days->line, "year %d: work: "
						     "%04d-%02d-%02d is already a "
						     "working weekday", year->year,
						     date.y, date.m, date.d);
			*m = (uint8_t)mark;
		}
		if (name) {
			struct cal_named *v = realloc(year->named,
						      (year->n_named + 1) * sizeof(*v));

			if (!v)
				return gj_yload_oom(l);
			year->named = v;
			v[year->n_named] = (struct cal_named){ .from = from, .to = to };
			r = gj_yload_strdup(l, name, &v[year->n_named].name);
			if (r < 0)
				return r;
			year->n_named++;
		}
	}
	return 0;
}

/* A year's overrides: after its rest and work lists, which decide which
 * days are working days. */
static int load_overrides(struct gj_yload *l, const struct gj_ynode *node,
			  const struct cal_year *year, struct gj_calendar *cal)
{
	static const char *const keys[] = { "date", "hours", "name", NULL };
	char what[48];
	int r;

	snprintf(what, sizeof(what), "year %d: overrides", year->year);
	r = gj_yload_expect_kind(l, node, what, GJ_YNODE_SEQUENCE);
	if (r < 0)
		return r;
	for (size_t i = 0; i < node->n; i++) {
		const struct gj_ynode *item = node->items[i];
		const struct gj_ynode *date_node, *hours, *name;
		struct cal_override ov = { 0 };
		struct cal_override *v;
		struct gj_date date;
		char label[80];
		const char *s;
		uint8_t mark;
		size_t at;

		if (item->kind != GJ_YNODE_MAPPING)
			return gj_yload_fail(l, item->line, "%s: expected a mapping "
					     "{date: ..., hours: [...]}, not %s", what,
					     gj_ynode_kind_name(item->kind));
		r = gj_yload_check_keys(l, item, what, keys, GJ_YLOAD_WHOLE_KEY);
		if (r < 0)
			return r;
		date_node = gj_yload_lookup(item, "date");
		if (!date_node)
			return gj_yload_fail(l, item->line, "%s: missing 'date'", what);
		r = get_str(l, date_node, "date", TEXT_MAX, &s);
		if (r < 0)
			return r;
		if (gj_date_parse(s, &date) < 0)
			return gj_yload_fail(l, date_node->line, "%s: '%s' is not a "
					     "date \"YYYY-MM-DD\"", what, s);
		if (date.y != year->year)
			return gj_yload_fail(l, date_node->line,
					     "%s: '%s' is not in %d", what, s,
					     year->year);
		ov.day = days_from_civil(date.y, date.m, date.d);
		mark = year->mark[ov.day - year->jan1];
		if (mark == MARK_REST ||
		    (mark == MARK_NONE && !cal->weekday[weekday(ov.day)]))
			return gj_yload_fail(l, date_node->line, "%s: %s is not a "
					     "working day (only the hours of a "
					     "working day can be changed)", what, s);
		for (at = cal->n_overrides; at > 0 && cal->overrides[at - 1].day > ov.day; at--)
			;
		if (at > 0 && cal->overrides[at - 1].day == ov.day)
			return gj_yload_fail(l, date_node->line,
					     "%s: %s is listed twice", what, s);
		hours = gj_yload_lookup(item, "hours");
		if (!hours)
			return gj_yload_fail(l, item->line,
					     "%s: %s: missing 'hours'", what, s);
		snprintf(label, sizeof(label), "%s: %s: hours", what, s);
		r = load_intervals(l, hours, label, ov.intervals, &ov.n_intervals);
		if (r < 0)
			return r;
		name = gj_yload_lookup(item, "name");
		if (name) {
			const char *t;

			r = get_text(l, name, "name", &t);
			if (r < 0 || (r = gj_yload_strdup(l, t, &ov.name)) < 0)
				return r;
		}
		v = realloc(cal->overrides, (cal->n_overrides + 1) * sizeof(*v));
		if (!v) {
			free(ov.name);
			return gj_yload_oom(l);
		}
		cal->overrides = v;
		memmove(&v[at + 1], &v[at], (cal->n_overrides - at) * sizeof(*v));
		v[at] = ov;
		cal->n_overrides++;
	}
	return 0;
}

static int load_years(struct gj_yload *l, const struct gj_ynode *node,
		      struct gj_calendar *cal)
{
	static const char *const year_keys[] = { "rest", "work", "overrides", NULL };
	int r = gj_yload_expect_kind(l, node, "years", GJ_YNODE_MAPPING);

	if (r < 0)
		return r;
	if (node->n > GJ_CALENDAR_MAX_YEARS)
		return gj_yload_fail(l, node->line, "years: more than %d years",
				     GJ_CALENDAR_MAX_YEARS);
	if (node->n == 0)
		return 0;
	cal->years = calloc(node->n, sizeof(*cal->years));
	if (!cal->years)
		return gj_yload_oom(l);
	for (size_t i = 0; i < node->n; i++) {
		const struct gj_ynode *key = node->pairs[i].key;
		const struct gj_ynode *value = node->pairs[i].value;
		const struct gj_ynode *list;
		const char *s = gj_ynode_str(key);
		struct cal_year *year;
		char what[32];
		size_t at;
		int y;

		y = s && strlen(s) == 4 ? digits(s, 4) : -1;
		if (y < 1)
			return gj_yload_fail(l, key->line, "years: '%s' is not a "
					     "year (0001..9999)", s ? s : "?");
		/* Keep the array sorted as it fills: insertion. */
		for (at = cal->n_years; at > 0 && cal->years[at - 1].year > y; at--)
			;
		if (at > 0 && cal->years[at - 1].year == y)
			return gj_yload_fail(l, key->line, "years: %d given twice", y);
		memmove(&cal->years[at + 1], &cal->years[at],
			(cal->n_years - at) * sizeof(*cal->years));
		cal->n_years++;
		year = &cal->years[at];
		memset(year, 0, sizeof(*year));
		year->year = y;
		year->jan1 = days_from_civil(y, 1, 1);

		snprintf(what, sizeof(what), "year %d", y);
		if (gj_ynode_is_null(value))
			continue;   /* a year with no holidays at all */
		r = gj_yload_expect_kind(l, value, what, GJ_YNODE_MAPPING);
		if (r >= 0)
			r = gj_yload_check_keys(l, value, what, year_keys,
						GJ_YLOAD_WHOLE_KEY);
		if (r < 0)
			return r;
		list = gj_yload_lookup(value, "rest");
		if (list) {
			r = load_day_list(l, list, year, MARK_REST, cal);
			if (r < 0)
				return r;
		}
		list = gj_yload_lookup(value, "work");
		if (list) {
			r = load_day_list(l, list, year, MARK_WORK, cal);
			if (r < 0)
				return r;
		}
		list = gj_yload_lookup(value, "overrides");
		if (list) {
			r = load_overrides(l, list, year, cal);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int load_root(struct gj_yload *l, const struct gj_ynode *root,
		     struct gj_calendar *cal)
{
	static const char *const keys[] = {
		"id", "version", "title", "time_zone", "utc_offset",
		"working_weekdays", "working_hours", "counting", "years", NULL,
	};
	const struct gj_ynode *node;
	const char *s;
	int r;

	r = gj_yload_expect_kind(l, root, "", GJ_YNODE_MAPPING);
	if (r >= 0)
		r = gj_yload_check_keys(l, root, "calendar", keys,
					GJ_YLOAD_WHOLE_KEY);
	if (r >= 0)
		r = gj_yload_require(l, root, "", "id", &node);
	if (r >= 0)
		r = load_id(l, node, cal);
	if (r < 0)
		return r;

	cal->version = 1;
	node = gj_yload_lookup(root, "version");
	if (node) {
		r = load_version(l, node, cal);
		if (r < 0)
			return r;
	}

	r = gj_yload_require(l, root, "", "title", &node);
	if (r >= 0)
		r = get_text(l, node, "title", &s);
	if (r < 0 || (r = gj_yload_strdup(l, s, &cal->title)) < 0)
		return r;

	r = load_zone(l, root, cal);
	if (r < 0)
		return r;

	node = gj_ynode_get(root, "working_weekdays");
	if (node) {
		r = load_weekdays(l, node, cal);
		if (r < 0)
			return r;
	} else {
		for (int w = 0; w < 5; w++)
			cal->weekday[w] = true;
	}

	r = gj_yload_require(l, root, "", "working_hours", &node);
	if (r >= 0)
		r = load_intervals(l, node, "working_hours", cal->intervals,
				   &cal->n_intervals);
	if (r < 0)
		return r;

	cal->counting = GJ_COUNTING_EXCLUDE_START;
	node = gj_yload_lookup(root, "counting");
	if (node) {
		r = load_counting(l, node, cal);
		if (r < 0)
			return r;
	}

	/* After working_weekdays: make-up days and overrides are checked
	 * against them. */
	node = gj_yload_lookup(root, "years");
	if (node) {
		r = load_years(l, node, cal);
		if (r < 0)
			return r;
	}
	return 0;
}

int gj_calendar_load_buffer(const char *name, const char *text, size_t len,
			    struct gj_calendar **ret, char **ret_error)
{
	struct gj_yload l = { .name = name };
	struct gj_ynode *root = NULL;
	struct gj_calendar *cal;
	int r;

	r = gj_ydoc_parse(name, text, len, &root, ret_error);
	if (r < 0)
		return r;
	cal = calloc(1, sizeof(*cal));
	if (!cal)
		goto nomem;
	cal->source_name = strdup(name);
	cal->source_text = malloc(len + 1);
	if (!cal->source_name || !cal->source_text)
		goto nomem;
	memcpy(cal->source_text, text, len);
	cal->source_text[len] = '\0';
	cal->source_len = len;
	r = load_root(&l, root, cal);
	gj_ynode_destroy(root);
	r = gj_yload_finish(&l, r, ret_error);
	if (r < 0) {
		gj_calendar_destroy(cal);
		return r;
	}
	*ret = cal;
	return 0;

nomem:
	gj_calendar_destroy(cal);
	gj_ynode_destroy(root);
	if (ret_error)
		*ret_error = NULL;
	return -ENOMEM;
}

int gj_calendar_load_file(const char *path, struct gj_calendar **ret,
			  char **ret_error)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	r = gj_yload_read_file(path, 0, &text, &len, ret_error);
	if (r < 0)
		return r;
	r = gj_calendar_load_buffer(path, text, len, ret, ret_error);
	free(text);
	return r;
}

void gj_calendar_destroy(struct gj_calendar *cal)
{
	if (!cal)
		return;
	free(cal->id);
	free(cal->title);
	free(cal->time_zone);
	for (size_t i = 0; i < cal->n_years; i++) {
		for (size_t j = 0; j < cal->years[i].n_named; j++)
			free(cal->years[i].named[j].name);
		free(cal->years[i].named);
	}
	free(cal->years);
	for (size_t i = 0; i < cal->n_overrides; i++)
		free(cal->overrides[i].name);
	free(cal->overrides);
	free(cal->source_name);
	free(cal->source_text);
	free(cal);
}

const char *gj_calendar_id(const struct gj_calendar *cal)
{
	return cal->id;
}

int gj_calendar_utc_offset_min(const struct gj_calendar *cal)
{
	return cal->offset_min;
}

uint32_t gj_calendar_version(const struct gj_calendar *cal)
{
	return cal->version;
}

const char *gj_calendar_title(const struct gj_calendar *cal)
{
	return cal->title;
}

const char *gj_calendar_time_zone(const struct gj_calendar *cal)
{
	return cal->time_zone;
}

enum gj_calendar_counting gj_calendar_counting(const struct gj_calendar *cal)
{
	return cal->counting;
}

const char *gj_calendar_counting_name(enum gj_calendar_counting counting)
{
	return counting == GJ_COUNTING_INCLUDE_START ? "include_start"
						     : "exclude_start";
}

const char *gj_calendar_source_name(const struct gj_calendar *cal)
{
	return cal->source_name;
}

const char *gj_calendar_source_text(const struct gj_calendar *cal,
				    size_t *ret_len)
{
	*ret_len = cal->source_len;
	return cal->source_text;
}

const struct gj_calendar_interval *
gj_calendar_intervals(const struct gj_calendar *cal, size_t *ret_n)
{
	*ret_n = cal->n_intervals;
	return cal->intervals;
}

/* ---- arithmetic ------------------------------------------------------- */

static const struct cal_year *find_year(const struct gj_calendar *cal, int y)
{
	size_t lo = 0, hi = cal->n_years;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cal->years[mid].year == y)
			return &cal->years[mid];
		if (cal->years[mid].year < y)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static const struct cal_override *find_override(const struct gj_calendar *cal,
						int32_t days)
{
	size_t lo = 0, hi = cal->n_overrides;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cal->overrides[mid].day == days)
			return &cal->overrides[mid];
		if (cal->overrides[mid].day < days)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Everything known about one day.  `days` must lie in years 1..9999. */
struct day_info {
	int32_t days;
	struct gj_date date;
	const struct cal_year *year;    /* NULL: no data for that year */
	enum mark mark;
	bool working;
	const struct gj_calendar_interval *iv;  /* its hours; NULL when none */
	size_t n_iv;
	const struct cal_override *ov;  /* NULL when none */
};

static void day_info(const struct gj_calendar *cal, int32_t days,
		     struct day_info *ret)
{
	*ret = (struct day_info){ .days = days };
	(void)gj_date_from_days(days, &ret->date);
	ret->year = find_year(cal, ret->date.y);
	if (ret->year)
		ret->mark = (enum mark)ret->year->mark[days - ret->year->jan1];
	ret->working = ret->mark == MARK_WORK ||
		       (ret->mark == MARK_NONE && cal->weekday[weekday(days)]);
	if (!ret->working)
		return;
	ret->ov = cal->n_overrides ? find_override(cal, days) : NULL;
	ret->iv = ret->ov ? ret->ov->intervals : cal->intervals;
	ret->n_iv = ret->ov ? ret->ov->n_intervals : cal->n_intervals;
}

/* The fast path of day_info(): only whether it is a working day. */
static bool day_working(const struct gj_calendar *cal, int32_t days,
			bool *ret_known)
{
	const struct cal_year *year;
	struct gj_date date;

	(void)gj_date_from_days(days, &date);
	year = find_year(cal, date.y);
	*ret_known = year != NULL;
	if (year) {
		uint8_t m = year->mark[days - year->jan1];

		if (m == MARK_WORK)
			return true;
		if (m == MARK_REST)
			return false;
	}
	return cal->weekday[weekday(days)];
}

int gj_calendar_is_working_day(const struct gj_calendar *cal, int y, int m,
			       int d, bool *ret_working, bool *ret_known)
{
	struct gj_date date = { .y = y, .m = m, .d = d };
	int32_t days;
	bool known, working;

	if (gj_date_to_days(date, &days) < 0)
		return -EINVAL;
	working = day_working(cal, days, &known);
	*ret_working = working;
	if (ret_known)
		*ret_known = known;
	return 0;
}

int gj_calendar_day_kind(const struct gj_calendar *cal, struct gj_date date,
			 enum gj_day_kind *ret_kind, bool *ret_known)
{
	struct day_info di;
	int32_t days;

	if (gj_date_to_days(date, &days) < 0)
		return -EINVAL;
	day_info(cal, days, &di);
	if (ret_known)
		*ret_known = di.year != NULL;
	if (di.mark == MARK_REST)
		*ret_kind = GJ_DAY_HOLIDAY;
	else if (di.mark == MARK_WORK)
		*ret_kind = GJ_DAY_MAKEUP;
	else
		*ret_kind = di.working ? GJ_DAY_WORKING : GJ_DAY_WEEKEND;
	return 0;
}

int gj_calendar_day_intervals(const struct gj_calendar *cal, struct gj_date date,
			      const struct gj_calendar_interval **ret_iv,
			      size_t *ret_n, bool *ret_known)
{
	struct day_info di;
	int32_t days;

	if (gj_date_to_days(date, &days) < 0)
		return -EINVAL;
	day_info(cal, days, &di);
	*ret_iv = di.iv;
	*ret_n = di.n_iv;
	if (ret_known)
		*ret_known = di.year != NULL;
	return 0;
}

int gj_calendar_add_working_days(const struct gj_calendar *cal,
				 struct gj_date start, int n,
				 struct gj_date *ret_last,
				 bool *ret_provisional)
{
	bool provisional = false;
	int32_t day;
	int left = n;

	if (n < 1 || n > GJ_CALENDAR_MAX_ADD || gj_date_to_days(start, &day) < 0)
		return -EINVAL;
	if (cal->counting == GJ_COUNTING_EXCLUDE_START) {
		if (day >= DAYS_MAX)
			return -ERANGE;
		day++;
	}
	/* Ends: every 7 days hold at least one working weekday, and a year
	 * without data has nothing but them. */
	for (;;) {
		bool known;

		if (day_working(cal, day, &known))
			left--;
		if (!known)
			provisional = true;
		if (left == 0)
			break;
		if (day >= DAYS_MAX)
			return -ERANGE;
		day++;
	}
	(void)gj_date_from_days(day, ret_last);
	if (ret_provisional)
		*ret_provisional = provisional;
	return 0;
}

int gj_calendar_count_working_days(const struct gj_calendar *cal,
				   struct gj_date from_exclusive,
				   struct gj_date to_inclusive,
				   int32_t *ret_count, bool *ret_provisional)
{
	bool provisional = false;
	int32_t from, to, count = 0;

	if (gj_date_to_days(from_exclusive, &from) < 0 ||
	    gj_date_to_days(to_inclusive, &to) < 0)
		return -EINVAL;
	for (int32_t day = from + 1; day <= to; day++) {
		bool known;

		if (day_working(cal, day, &known))
			count++;
		if (!known)
			provisional = true;
	}
	*ret_count = count;
	if (ret_provisional)
		*ret_provisional = provisional;
	return 0;
}

/* The minute after local midnight at which a date's business closes. */
static int close_min(const struct gj_calendar *cal, int32_t days)
{
	const struct cal_override *ov = cal->n_overrides ? find_override(cal, days) : NULL;

	if (ov)
		return ov->intervals[ov->n_intervals - 1].end_min;
	return cal->intervals[cal->n_intervals - 1].end_min;
}

int gj_calendar_day_close_ms(const struct gj_calendar *cal, struct gj_date date,
			     int64_t *ret_ms)
{
	int64_t minutes;
	int32_t days;

	if (gj_date_to_days(date, &days) < 0)
		return -EINVAL;
	minutes = (int64_t)days * 24 * 60 + close_min(cal, days) - cal->offset_min;
	*ret_ms = minutes * MIN_MS;
	return 0;
}

/* An instant as the local day it falls on and the ms into that day. */
static int local_split(const struct gj_calendar *cal, int64_t ms,
		       int32_t *ret_day, int64_t *ret_in_day);

int gj_calendar_local_date(const struct gj_calendar *cal, int64_t ms, struct gj_date *ret)
{
	int32_t day;
	int64_t in_day;
	int rc = local_split(cal, ms, &day, &in_day);

	return rc ? rc : gj_date_from_days(day, ret);
}

int gj_calendar_working_days_close(const struct gj_calendar *cal, int64_t from_ms, int32_t n,
				   int64_t *ret_ms, bool *ret_provisional)
{
	struct gj_date day, last;
	int rc = gj_calendar_local_date(cal, from_ms, &day);

	if (ret_provisional)
		*ret_provisional = false;
	if (rc)
		return rc;
	if (n <= 0)
		last = day;
	else if ((rc = gj_calendar_add_working_days(cal, day, n, &last, ret_provisional)))
		return rc;
	return gj_calendar_day_close_ms(cal, last, ret_ms);
}

static int local_split(const struct gj_calendar *cal, int64_t ms,
		       int32_t *ret_day, int64_t *ret_in_day)
{
	int64_t local, day;

	/* Keeps the sums below far from overflowing. */
	if (ms < (int64_t)(DAYS_MIN - 1) * DAY_MS || ms > (int64_t)(DAYS_MAX + 1) * DAY_MS)
		return -ERANGE;
	local = ms + cal->offset_min * MIN_MS;
	day = local >= 0 ? local / DAY_MS : -((-local + DAY_MS - 1) / DAY_MS);
	if (day < DAYS_MIN || day > DAYS_MAX)
		return -ERANGE;
	*ret_day = (int32_t)day;
	*ret_in_day = local - day * DAY_MS;
	return 0;
}

static int64_t local_join(const struct gj_calendar *cal, int32_t day,
			  int64_t in_day)
{
	return (int64_t)day * DAY_MS + in_day - cal->offset_min * MIN_MS;
}

int gj_calendar_add_working_ms(const struct gj_calendar *cal, int64_t start_ms,
			       int64_t working_ms, int64_t *ret_ms,
			       bool *ret_provisional)
{
	bool provisional = false;
	int64_t left = working_ms, t;
	int32_t day;
	int r;

	if (working_ms < 0 || working_ms > GJ_CALENDAR_MAX_WORKING_MINUTES * MIN_MS)
		return -EINVAL;
	r = local_split(cal, start_ms, &day, &t);
	if (r < 0)
		return r;
	if (left == 0) {
		*ret_ms = start_ms;
		if (ret_provisional)
			*ret_provisional = false;
		return 0;
	}
	/* Ends: a year without data has working weekdays with the weekly
	 * hours, or the walk reaches year 9999. */
	for (;;) {
		struct day_info di;

		day_info(cal, day, &di);
		if (!di.year)
			provisional = true;
		for (size_t i = 0; i < di.n_iv; i++) {
			int64_t s = di.iv[i].start_min * MIN_MS;
			int64_t e = di.iv[i].end_min * MIN_MS;

			if (s < t)
				s = t;
			if (s >= e)
				continue;
			if (left <= e - s) {
				*ret_ms = local_join(cal, day, s + left);
				if (ret_provisional)
					*ret_provisional = provisional;
				return 0;
			}
			left -= e - s;
		}
		if (day >= DAYS_MAX)
			return -ERANGE;
		day++;
		t = 0;
	}
}

int gj_calendar_add_working_hours(const struct gj_calendar *cal, int64_t start_ms,
				  int32_t minutes, int64_t *ret_ms,
				  bool *ret_provisional)
{
	if (minutes < 0 || minutes > GJ_CALENDAR_MAX_WORKING_MINUTES)
		return -EINVAL;
	return gj_calendar_add_working_ms(cal, start_ms, minutes * MIN_MS, ret_ms,
					  ret_provisional);
}

/* The working time of one day inside [from, to), both ms into that day. */
static int64_t day_overlap(const struct day_info *di, int64_t from, int64_t to)
{
	int64_t sum = 0;

	for (size_t i = 0; i < di->n_iv; i++) {
		int64_t s = di->iv[i].start_min * MIN_MS;
		int64_t e = di->iv[i].end_min * MIN_MS;

		if (s < from)
			s = from;
		if (e > to)
			e = to;
		if (s < e)
			sum += e - s;
	}
	return sum;
}

int gj_calendar_working_ms_between(const struct gj_calendar *cal, int64_t from_ms,
				   int64_t to_ms, int64_t *ret_ms,
				   bool *ret_provisional)
{
	int32_t day, last;
	int64_t t, end, sum = 0;
	bool provisional = false;
	int r;

	r = local_split(cal, from_ms, &day, &t);
	if (r == 0)
		r = local_split(cal, to_ms, &last, &end);
	if (r < 0)
		return r;
	if (to_ms <= from_ms)
		last = day - 1;     /* nothing to count */
	for (; day <= last; day++, t = 0) {
		struct day_info di;

		/* A span that ends at midnight does not touch the next day. */
		if (day == last && end == 0)
			break;
		day_info(cal, day, &di);
		if (!di.year)
			provisional = true;
		sum += day_overlap(&di, t, day == last ? end : DAY_MS);
	}
	*ret_ms = sum;
	if (ret_provisional)
		*ret_provisional = provisional;
	return 0;
}

int gj_calendar_working_minutes_between(const struct gj_calendar *cal,
					int64_t from_ms, int64_t to_ms,
					int64_t *ret_minutes,
					bool *ret_provisional)
{
	int64_t ms;
	int r = gj_calendar_working_ms_between(cal, from_ms, to_ms, &ms,
					       ret_provisional);

	if (r < 0)
		return r;
	*ret_minutes = ms / MIN_MS;
	return 0;
}

/* ---- explanations ----------------------------------------------------- */

static const char *const wday_names[7] = {
	"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun",
};

/* The name of the rest or work entry a day is listed in, or NULL. */
static const char *day_name(const struct day_info *di)
{
	if (!di->year)
		return NULL;
	for (size_t i = 0; i < di->year->n_named; i++)
		if (di->year->named[i].from <= di->days && di->days <= di->year->named[i].to)
			return di->year->named[i].name;
	return NULL;
}

static void put_date(FILE *f, int32_t days)
{
	struct gj_date d;

	(void)gj_date_from_days(days, &d);
	fprintf(f, "%04d-%02d-%02d", d.y, d.m, d.d);
}

/* "HH:MM", or "HH:MM:SS" when the seconds are not zero. */
static void put_clock(FILE *f, int64_t ms_in_day)
{
	int64_t s = ms_in_day / 1000;

	fprintf(f, "%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60));
	if (s % 60)
		fprintf(f, ":%02d", (int)(s % 60));
}

static void put_offset(FILE *f, const struct gj_calendar *cal)
{
	char buf[16];

	format_offset(cal->offset_min, buf);
	fputs(buf, f);
}

/* "YYYY-MM-DD HH:MM +08:00" */
static void put_instant(FILE *f, const struct gj_calendar *cal, int64_t ms)
{
	int64_t t = 0;
	int32_t day = 0;

	(void)local_split(cal, ms, &day, &t);
	put_date(f, day);
	fputc(' ', f);
	put_clock(f, t);
	fputc(' ', f);
	put_offset(f, cal);
}

/* "4h", "1h30m", "45m", "1m30s", "0m". */
static void put_duration(FILE *f, int64_t ms)
{
	int64_t h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60;

	if (h)
		fprintf(f, "%" PRId64 "h", h);
	if (m || (!h && !s) || (h && s))
		fprintf(f, h ? "%02" PRId64 "m" : "%" PRId64 "m", m);
	if (s)
		fprintf(f, h || m ? "%02" PRId64 "s" : "%" PRId64 "s", s);
}

static void put_intervals(FILE *f, const struct gj_calendar_interval *iv,
			  size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		put_clock(f, iv[i].start_min * MIN_MS);
		fputc('-', f);
		put_clock(f, iv[i].end_min * MIN_MS);
	}
}

/* "2026-10-10 Sat make-up working day (National Day)", with its hours
 * when an override sets them. */
static void put_working_day(FILE *f, const struct day_info *di)
{
	const char *name = day_name(di);

	put_date(f, di->days);
	fprintf(f, " %s %s", wday_names[weekday(di->days)],
		di->mark == MARK_WORK ? "make-up working day" : "working day");
	if (di->mark == MARK_WORK && name)
		fprintf(f, " (%s)", name);
	if (di->ov) {
		fputs(", hours ", f);
		put_intervals(f, di->ov->intervals, di->ov->n_intervals);
		if (di->ov->name)
			fprintf(f, " (override: %s)", di->ov->name);
		else
			fputs(" (override)", f);
	}
}

enum skip_kind {
	SKIP_WEEKEND,           /* Saturday or Sunday */
	SKIP_WEEKDAY_OFF,       /* another day that is not a working weekday */
	SKIP_HOLIDAY,           /* listed under rest */
};

/* Consecutive days skipped for the same reason, printed as one line. */
struct skip_run {
	bool open;
	enum skip_kind kind;
	const char *name;
	int32_t from;
	int32_t to;
};

static void run_flush(FILE *f, struct skip_run *run)
{
	static const char *const what[] = {
		[SKIP_WEEKEND] = "weekend",
		[SKIP_WEEKDAY_OFF] = "not a working weekday",
		[SKIP_HOLIDAY] = "holiday",
	};

	if (!run->open)
		return;
	put_date(f, run->from);
	if (run->to != run->from) {
		fputs("..", f);
		put_date(f, run->to);
	} else {
		fprintf(f, " %s", wday_names[weekday(run->from)]);
	}
	fprintf(f, " %s", what[run->kind]);
	if (run->name)
		fprintf(f, " (%s)", run->name);
	fputs(", skipped\n", f);
	run->open = false;
}

static void run_add(FILE *f, struct skip_run *run, const struct day_info *di)
{
	enum skip_kind kind = di->mark == MARK_REST ? SKIP_HOLIDAY
			      : weekday(di->days) >= 5 ? SKIP_WEEKEND
						       : SKIP_WEEKDAY_OFF;
	const char *name = kind == SKIP_HOLIDAY ? day_name(di) : NULL;

	if (run->open && run->kind == kind && run->to + 1 == di->days &&
	    (run->name == name || (run->name && name && strcmp(run->name, name) == 0))) {
		run->to = di->days;
		return;
	}
	run_flush(f, run);
	*run = (struct skip_run){
		.open = true, .kind = kind, .name = name,
		.from = di->days, .to = di->days,
	};
}

/* The years without data met on the way, for the provisional note. */
struct missing_years {
	int v[8];
	size_t n;
	bool more;
};

static void missing_note(struct missing_years *m, const struct day_info *di)
{
	if (di->year)
		return;
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i] == di->date.y)
			return;
	if (m->n == sizeof(m->v) / sizeof(m->v[0]))
		m->more = true;
	else
		m->v[m->n++] = di->date.y;
}

/* ", provisional: ..." when years without data were met; then '\n'. */
static void put_provisional(FILE *f, const struct gj_calendar *cal,
			    const struct missing_years *m)
{
	if (m->n) {
		fprintf(f, ", provisional: calendar %s has no data for ", cal->id);
		for (size_t i = 0; i < m->n; i++)
			fprintf(f, "%s%d", i ? ", " : "", m->v[i]);
		if (m->more)
			fputs(", ...", f);
		fputs(" (its working weekdays are assumed)", f);
	}
	fputc('\n', f);
}

/* Close an open_memstream() stream: *buf is only final after fclose(). */
static int text_finish(FILE *f, char **buf, char **ret_text)
{
	bool bad = ferror(f) != 0;

	if (fclose(f) != 0 || bad) {
		free(*buf);
		return -ENOMEM;
	}
	*ret_text = *buf;
	return 0;
}

int gj_calendar_explain_working_days(const struct gj_calendar *cal,
				     struct gj_date start, int n, char **ret_text)
{
	struct missing_years missing = { .n = 0 };
	struct skip_run run = { .open = false };
	struct gj_date last;
	int32_t d0 = 0, first, dl = 0;
	char *buf = NULL;
	size_t size = 0;
	int k = 0, r;
	FILE *f;

	r = gj_calendar_add_working_days(cal, start, n, &last, NULL);
	if (r < 0)
		return r;
	(void)gj_date_to_days(start, &d0);
	(void)gj_date_to_days(last, &dl);
	first = cal->counting == GJ_COUNTING_EXCLUDE_START ? d0 + 1 : d0;
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;

	fprintf(f, "within %d working day%s of ", n, n == 1 ? "" : "s");
	put_date(f, d0);
	fprintf(f, " (%s) on calendar %s@%" PRIu32 "\n", wday_names[weekday(d0)],
		cal->id, cal->version);
	if (cal->counting == GJ_COUNTING_EXCLUDE_START) {
		fputs("counting: exclude_start: the start day is not counted; "
		      "counting starts ", f);
		put_date(f, first);
		fprintf(f, " and the deadline is the close of working day %d "
			"(Civil Code arts. 201, 203)\n", n);
	} else {
		fprintf(f, "counting: include_start: the start day counts when it "
			"is a working day; the deadline is the close of working "
			"day %d\n", n);
	}
	for (int32_t day = first; day <= dl; day++) {
		struct day_info di;

		day_info(cal, day, &di);
		missing_note(&missing, &di);
		if (!di.working) {
			run_add(f, &run, &di);
			continue;
		}
		run_flush(f, &run);
		put_working_day(f, &di);
		fprintf(f, ", counted %d of %d\n", ++k, n);
	}
	run_flush(f, &run);     /* never open: the last day is a working day */
	fputs("deadline: ", f);
	put_date(f, dl);
	fputc(' ', f);
	put_clock(f, close_min(cal, dl) * MIN_MS);
	fputc(' ', f);
	put_offset(f, cal);
	put_provisional(f, cal, &missing);
	return text_finish(f, &buf, ret_text);
}

int gj_calendar_explain_working_hours(const struct gj_calendar *cal,
				      int64_t start_ms, int32_t minutes,
				      char **ret_text)
{
	struct missing_years missing = { .n = 0 };
	struct skip_run run = { .open = false };
	int64_t end_ms = 0, t0 = 0, tl = 0, total, done = 0;
	int32_t d0 = 0, dl = 0;
	char *buf = NULL;
	size_t size = 0;
	int r;
	FILE *f;

	r = gj_calendar_add_working_hours(cal, start_ms, minutes, &end_ms, NULL);
	if (r < 0)
		return r;
	(void)local_split(cal, start_ms, &d0, &t0);
	(void)local_split(cal, end_ms, &dl, &tl);
	total = minutes * MIN_MS;
	f = open_memstream(&buf, &size);
	if (!f)
		return -ENOMEM;

	put_duration(f, total);
	fputs(" of working time from ", f);
	put_instant(f, cal, start_ms);
	fprintf(f, " (%s) on calendar %s@%" PRIu32 "\n", wday_names[weekday(d0)],
		cal->id, cal->version);
	fputs("counting: only the working hours of working days count: ", f);
	put_intervals(f, cal->intervals, cal->n_intervals);
	fputc('\n', f);
	for (int32_t day = d0; total > 0 && day <= dl; day++) {
		int64_t from = day == d0 ? t0 : 0, to = day == dl ? tl : DAY_MS;
		int64_t counted = 0;
		struct day_info di;
		bool any = false;

		/* The count ended at 24:00 the day before. */
		if (day == dl && day != d0 && tl == 0)
			break;
		day_info(cal, day, &di);
		missing_note(&missing, &di);
		if (!di.working) {
			run_add(f, &run, &di);
			continue;
		}
		run_flush(f, &run);
		put_working_day(f, &di);
		for (size_t i = 0; i < di.n_iv; i++) {
			int64_t s = di.iv[i].start_min * MIN_MS;
			int64_t e = di.iv[i].end_min * MIN_MS;

			if (s < from)
				s = from;
			if (e > to)
				e = to;
			if (s >= e)
				continue;
			fputs(any ? ", " : ": ", f);
			put_clock(f, s);
			fputc('-', f);
			put_clock(f, e);
			counted += e - s;
			any = true;
		}
		if (!any) {
			fputs(": over at ", f);
			put_clock(f, di.iv[di.n_iv - 1].end_min * MIN_MS);
			fputs(", nothing counted\n", f);
			continue;
		}
		done += counted;
		fputs(" counted, ", f);
		put_duration(f, counted);
		fputs(" (", f);
		put_duration(f, done);
		fputs(" of ", f);
		put_duration(f, total);
		fputs(")\n", f);
	}
	run_flush(f, &run);
	fputs("deadline: ", f);
	put_instant(f, cal, end_ms);
	put_provisional(f, cal, &missing);
	return text_finish(f, &buf, ret_text);
}

/* ---- embedded calendars and sets ---------------------------------------- */

/* Generated from etc/calendars/ by scripts/embed.py (etc/meson.build). */
extern const struct gj_embedded_file gj_embedded_calendars[];

int gj_calendar_load_embedded(const char *id, struct gj_calendar **ret, char **ret_error)
{
	const struct gj_embedded_file *f;
	char want[128], name[160];

	snprintf(want, sizeof(want), "%s.yaml", id);
	f = gj_yload_embedded(gj_embedded_calendars, want);
	if (!f)
		return -ENOENT;
	snprintf(name, sizeof(name), "<embedded>/%s", f->name);
	return gj_calendar_load_buffer(name, f->text, f->len, ret, ret_error);
}

struct gj_calendars {
	struct gj_calendar **v;     /* sorted by id */
	size_t n;
	size_t cap;
};

struct gj_calendars *gj_calendars_create(void)
{
	return calloc(1, sizeof(struct gj_calendars));
}

void gj_calendars_destroy(struct gj_calendars *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		gj_calendar_destroy(set->v[i]);
	free(set->v);
	free(set);
}

/* The index of the first calendar whose id is not less than `id`. */
static size_t lower_bound(const struct gj_calendars *set, const char *id)
{
	size_t lo = 0, hi = set->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(set->v[mid]->id, id) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct gj_calendar *gj_calendars_find(const struct gj_calendars *set,
					    const char *id)
{
	size_t i;

	if (!set || !id)
		return NULL;
	i = lower_bound(set, id);
	return i < set->n && strcmp(set->v[i]->id, id) == 0 ? set->v[i] : NULL;
}

size_t gj_calendars_count(const struct gj_calendars *set)
{
	return set ? set->n : 0;
}

const struct gj_calendar *gj_calendars_at(const struct gj_calendars *set,
					  size_t i)
{
	return set && i < set->n ? set->v[i] : NULL;
}

/* Add all of cals[0..n) or none; the set takes them over either way. */
static int add_all(struct gj_calendars *set, struct gj_calendar **cals,
		   size_t n, char **ret_error)
{
	int r = 0;

	if (!set) {
		r = -EINVAL;
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		const struct gj_calendar *old;

		if (!cals[i]) {
			r = -EINVAL;
			goto fail;
		}
		old = gj_calendars_find(set, cals[i]->id);
		for (size_t j = 0; !old && j < i; j++)
			if (strcmp(cals[j]->id, cals[i]->id) == 0)
				old = cals[j];
		if (old) {
			if (ret_error &&
			    asprintf(ret_error, "%s:%d: calendar '%s' is already loaded from %s",
				     cals[i]->source_name, cals[i]->line > 0 ? cals[i]->line : 1,
				     cals[i]->id, old->source_name) < 0)
				*ret_error = NULL;
			r = -EEXIST;
			goto fail;
		}
	}
	if (set->n + n > set->cap) {
		size_t cap = set->cap ? set->cap : 4;
		struct gj_calendar **v;

		while (cap < set->n + n)
			cap *= 2;
		v = realloc(set->v, cap * sizeof(*v));
		if (!v) {
			r = -ENOMEM;
			goto fail;
		}
		set->v = v;
		set->cap = cap;
	}
	/* Nothing below can fail: the set is changed all at once. */
	for (size_t i = 0; i < n; i++) {
		size_t at = lower_bound(set, cals[i]->id);

		memmove(&set->v[at + 1], &set->v[at], (set->n - at) * sizeof(*set->v));
		set->v[at] = cals[i];
		set->n++;
	}
	return 0;

fail:
	if (r == -ENOMEM && ret_error)
		*ret_error = NULL;
	for (size_t i = 0; i < n; i++)
		gj_calendar_destroy(cals[i]);
	return r;
}

int gj_calendars_add(struct gj_calendars *set, struct gj_calendar *cal,
		     char **ret_error)
{
	return add_all(set, &cal, 1, ret_error);
}

int gj_calendars_load_dir(struct gj_calendars *set, const char *dir,
			  char **ret_error)
{
	struct gj_calendar **cals = NULL;
	char **names = NULL;
	size_t n_names = 0, n_cals = 0;
	int r;

	if (ret_error)
		*ret_error = NULL;
	r = gj_yload_list_dir(dir, "calendar", &names, &n_names, ret_error);
	if (r < 0 || n_names == 0)
		goto out;
	cals = calloc(n_names, sizeof(*cals));
	if (!cals) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n_names; i++) {
		char *path = NULL;

		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			r = -ENOMEM;
			goto out;
		}
		r = gj_calendar_load_file(path, &cals[n_cals], ret_error);
		free(path);
		if (r < 0)
			goto out;
		n_cals++;
	}
	r = add_all(set, cals, n_cals, ret_error);
	n_cals = 0;     /* taken over by add_all, also on failure */
out:
	for (size_t i = 0; i < n_cals; i++)
		gj_calendar_destroy(cals[i]);
	free(cals);
	gj_yload_names_free(names, n_names);
	return r;
}

int gj_calendars_load_embedded(struct gj_calendars *set, char **ret_error)
{
	struct gj_calendar **cals;
	size_t n = 0, n_cals = 0;
	int r = 0;

	while (gj_embedded_calendars[n].name)
		n++;
	if (n == 0)
		return 0;
	cals = calloc(n, sizeof(*cals));
	if (!cals)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char *name = NULL;

		if (asprintf(&name, "<embedded>/%s", gj_embedded_calendars[i].name) < 0) {
			r = -ENOMEM;
			goto out;
		}
		r = gj_calendar_load_buffer(name, gj_embedded_calendars[i].text,
					    gj_embedded_calendars[i].len, &cals[n_cals],
					    ret_error);
		free(name);
		if (r < 0)
			goto out;
		n_cals++;
	}
	r = add_all(set, cals, n_cals, ret_error);
	n_cals = 0;
out:
	for (size_t i = 0; i < n_cals; i++)
		gj_calendar_destroy(cals[i]);
	free(cals);
	return r;
}
