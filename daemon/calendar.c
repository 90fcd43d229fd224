/*
 * calendar.c - load working-day calendars from YAML; working-day arithmetic.
 *
 * A calendar file is one YAML document (read by yamldoc.c).  Loading checks
 * everything and stops at the first problem, reported as
 * "<name>:<line>: <problem>" with the line of the offending node, e.g.
 *
 *     cn.yaml:31: year 2025: '2025-02-30' is not a date
 *
 * THE FORMAT
 *
 *   # comments are free (cite where the year's data comes from)
 *   id: cn                  required; [a-z0-9_]+, at most 48 bytes
 *   title: ...              required text, at most 256 bytes
 *   time_zone: Asia/Shanghai  optional; informational only: the offset
 *                           below is what is used, so only zones without
 *                           daylight saving time can be described
 *   utc_offset: "+08:00"    required; "+HH:MM" or "-HH:MM", at most 14:00
 *   working_weekdays: [mon, tue, wed, thu, fri]
 *                           optional, the default; not empty, no repeats;
 *                           mon tue wed thu fri sat sun
 *   working_hours: ["08:30-12:00", "13:30-17:30"]
 *                           required; 1..8 intervals "HH:MM-HH:MM", each
 *                           start < end <= 24:00, in order, not overlapping
 *   years:                  optional mapping; keys are years (1..9999),
 *     2025:                 each at most once
 *       rest: [...]         optional list of rest days (public holidays)
 *       work: [...]         optional list of make-up working days (调休):
 *                           days that are not working weekdays
 *
 * Days in `rest` and `work` are "YYYY-MM-DD" or a range
 * "YYYY-MM-DD..YYYY-MM-DD" (both ends included, start <= end), all inside
 * the year they are listed under; no day may be listed twice.  A year that
 * is listed has complete data; any other year is assumed to have only the
 * working weekdays, and results touching it are flagged as provisional.
 */
#include "calendar.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamldoc.h"

#define ID_MAX 48
#define TEXT_MAX 256
#define OFFSET_MAX_MIN (14 * 60)
#define DAYS_MIN (-719162)      /* 0001-01-01 */
#define DAYS_MAX 2932896        /* 9999-12-31 */

enum mark {
	MARK_NONE = 0,
	MARK_REST,
	MARK_WORK,
};

struct cal_year {
	int year;
	int32_t jan1;           /* days since the epoch of 1 January */
	uint8_t mark[366];      /* enum mark, by day of the year (0-based) */
};

struct gj_calendar {
	char *id;
	char *title;
	char *time_zone;        /* may be NULL */
	int offset_min;
	bool weekday[7];        /* 0 = Monday */
	struct gj_calendar_interval intervals[GJ_CALENDAR_MAX_INTERVALS];
	size_t n_intervals;
	struct cal_year *years; /* sorted by year */
	size_t n_years;
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

struct loader {
	const char *name;
	char *error;
	bool oom;
};

static int fail(struct loader *l, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Record the first problem as "name:line: problem". */
static int fail(struct loader *l, int line, const char *fmt, ...)
{
	va_list ap;
	char *problem = NULL;
	int n;

	if (l->error || l->oom)
		return l->oom ? -ENOMEM : -EINVAL;
	va_start(ap, fmt);
	n = vasprintf(&problem, fmt, ap);
	va_end(ap);
	if (n < 0)
		goto oom;
	n = asprintf(&l->error, "%s:%d: %s", l->name, line > 0 ? line : 1,
		     problem);
	free(problem);
	if (n < 0) {
		l->error = NULL;
		goto oom;
	}
	return -EINVAL;
oom:
	l->oom = true;
	return -ENOMEM;
}

/* A scalar's text, or a failure naming `what`. */
static int get_str(struct loader *l, const struct gj_ynode *node,
		   const char *what, size_t max, const char **ret)
{
	const char *s = gj_ynode_str(node);

	if (!s)
		return fail(l, node->line, "%s: expected a single value, not %s",
			    what, node->kind == GJ_YNODE_SCALAR
					  ? "text with a NUL byte"
					  : gj_ynode_kind_name(node->kind));
	if (node->len == 0)
		return fail(l, node->line, "%s: empty", what);
	if (node->len > max)
		return fail(l, node->line, "%s: longer than %zu bytes", what, max);
	*ret = s;
	return 0;
}

static int dup_str(struct loader *l, const char *s, char **ret)
{
	*ret = strdup(s);
	if (!*ret) {
		l->oom = true;
		return -ENOMEM;
	}
	return 0;
}

static int check_keys(struct loader *l, const struct gj_ynode *map,
		      const char *what, const char *const *known)
{
	for (size_t i = 0; i < map->n; i++) {
		const char *key = gj_ynode_str(map->pairs[i].key);
		size_t k;

		for (k = 0; key && known[k]; k++)
			if (strcmp(key, known[k]) == 0)
				break;
		if (!key || !known[k])
			return fail(l, map->pairs[i].key->line, "%s: unknown key '%s'",
				    what, key ? key : "?");
		for (size_t j = 0; j < i; j++)
			if (strcmp(key, gj_ynode_str(map->pairs[j].key)) == 0)
				return fail(l, map->pairs[i].key->line,
					    "%s: key '%s' given twice", what, key);
	}
	return 0;
}

static int load_id(struct loader *l, const struct gj_ynode *node,
		   struct gj_calendar *cal)
{
	const char *s;
	int r;

	r = get_str(l, node, "id", ID_MAX, &s);
	if (r < 0)
		return r;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
			return fail(l, node->line,
				    "id: '%s' is not an identifier ([a-z0-9_]+)", s);
	return dup_str(l, s, &cal->id);
}

static int load_offset(struct loader *l, const struct gj_ynode *node,
		       struct gj_calendar *cal)
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
	cal->offset_min = (s[0] == '-' ? -1 : 1) * (h * 60 + m);
	return 0;
bad:
	return fail(l, node->line,
		    "utc_offset: '%s' is not an offset from -14:00 to +14:00 "
		    "written as \"+HH:MM\" or \"-HH:MM\"", s);
}

static int load_weekdays(struct loader *l, const struct gj_ynode *node,
			 struct gj_calendar *cal)
{
	static const char *const names[7] = {
		"mon", "tue", "wed", "thu", "fri", "sat", "sun",
	};

	if (node->kind != GJ_YNODE_SEQUENCE)
		return fail(l, node->line, "working_weekdays: expected a list, not %s",
			    gj_ynode_kind_name(node->kind));
	if (node->n == 0)
		return fail(l, node->line, "working_weekdays: empty");
	for (size_t i = 0; i < node->n; i++) {
		const struct gj_ynode *item = node->items[i];
		const char *s;
		int w, r;

		r = get_str(l, item, "working_weekdays", TEXT_MAX, &s);
		if (r < 0)
			return r;
		for (w = 0; w < 7; w++)
			if (strcmp(s, names[w]) == 0)
				break;
		if (w == 7)
			return fail(l, item->line,
				    "working_weekdays: '%s' is not one of mon, tue, wed, "
				    "thu, fri, sat, sun", s);
		if (cal->weekday[w])
			return fail(l, item->line,
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

static int load_hours(struct loader *l, const struct gj_ynode *node,
		      struct gj_calendar *cal)
{
	if (node->kind != GJ_YNODE_SEQUENCE)
		return fail(l, node->line, "working_hours: expected a list, not %s",
			    gj_ynode_kind_name(node->kind));
	if (node->n == 0)
		return fail(l, node->line, "working_hours: empty");
	if (node->n > GJ_CALENDAR_MAX_INTERVALS)
		return fail(l, node->line, "working_hours: more than %d intervals",
			    GJ_CALENDAR_MAX_INTERVALS);
	for (size_t i = 0; i < node->n; i++) {
		const struct gj_ynode *item = node->items[i];
		struct gj_calendar_interval iv;
		const char *s;
		int r;

		r = get_str(l, item, "working_hours", TEXT_MAX, &s);
		if (r < 0)
			return r;
		if (strlen(s) != 11 || s[5] != '-')
			goto bad;
		iv.start_min = parse_hhmm(s);
		iv.end_min = parse_hhmm(s + 6);
		if (iv.start_min < 0 || iv.end_min < 0)
			goto bad;
		if (iv.start_min >= iv.end_min)
			return fail(l, item->line,
				    "working_hours: '%s' ends before it starts", s);
		if (i > 0 && iv.start_min < cal->intervals[i - 1].end_min)
			return fail(l, item->line,
				    "working_hours: '%s' overlaps or precedes the "
				    "interval before it", s);
		cal->intervals[cal->n_intervals++] = iv;
		continue;
bad:
		return fail(l, item->line,
			    "working_hours: '%s' is not an interval \"HH:MM-HH:MM\"", s);
	}
	return 0;
}

/* One entry of a year's rest or work list: a day or a range of days. */
static int load_day_list(struct loader *l, const struct gj_ynode *node,
			 struct cal_year *year, enum mark mark,
			 const struct gj_calendar *cal)
{
	const char *list = mark == MARK_REST ? "rest" : "work";

	if (node->kind != GJ_YNODE_SEQUENCE)
		return fail(l, node->line, "year %d: %s: expected a list, not %s",
			    year->year, list, gj_ynode_kind_name(node->kind));
	for (size_t i = 0; i < node->n; i++) {
		const struct gj_ynode *item = node->items[i];
		struct gj_date first, last;
		int32_t from, to;
		const char *s;
		size_t len;
		int r;

		r = get_str(l, item, list, TEXT_MAX, &s);
		if (r < 0)
			return r;
		len = strlen(s);
		if (len == 10) {
			r = parse_date_n(s, &first);
			last = first;
		} else if (len == 22 && s[10] == '.' && s[11] == '.') {
			r = parse_date_n(s, &first);
			if (r == 0)
				r = parse_date_n(s + 12, &last);
		} else {
			r = -EINVAL;
		}
		if (r < 0)
			return fail(l, item->line,
				    "year %d: %s: '%s' is not a date \"YYYY-MM-DD\" or "
				    "a range \"YYYY-MM-DD..YYYY-MM-DD\"",
				    year->year, list, s);
		if (first.y != year->year || last.y != year->year)
			return fail(l, item->line,
				    "year %d: %s: '%s' is not in %d",
				    year->year, list, s, year->year);
		from = days_from_civil(first.y, first.m, first.d);
		to = days_from_civil(last.y, last.m, last.d);
		if (from > to)
			return fail(l, item->line,
				    "year %d: %s: range '%s' ends before it starts",
				    year->year, list, s);
		for (int32_t day = from; day <= to; day++) {
			struct gj_date date;
			uint8_t *m = &year->mark[day - year->jan1];

			(void)gj_date_from_days(day, &date);
			if (*m != MARK_NONE)
				return fail(l, item->line,
					    "year %d: %04d-%02d-%02d is listed twice%s",
					    year->year, date.y, date.m, date.d,
					    *m != mark ? " (as a rest day and as a "
							 "make-up working day)" : "");
			/* A make-up day on a working weekday changes nothing:
			 * most likely a typo in the date. */
			if (mark == MARK_WORK && cal->weekday[weekday(day)])
				return fail(l, item->line,
					    "year %d: work: %04d-%02d-%02d is already a "
					    "working weekday", year->year,
					    date.y, date.m, date.d);
			*m = (uint8_t)mark;
		}
	}
	return 0;
}

static int load_years(struct loader *l, const struct gj_ynode *node,
		      struct gj_calendar *cal)
{
	static const char *const year_keys[] = { "rest", "work", NULL };

	if (node->kind != GJ_YNODE_MAPPING)
		return fail(l, node->line, "years: expected a mapping, not %s",
			    gj_ynode_kind_name(node->kind));
	if (node->n > GJ_CALENDAR_MAX_YEARS)
		return fail(l, node->line, "years: more than %d years",
			    GJ_CALENDAR_MAX_YEARS);
	if (node->n == 0)
		return 0;
	cal->years = calloc(node->n, sizeof(*cal->years));
	if (!cal->years) {
		l->oom = true;
		return -ENOMEM;
	}
	for (size_t i = 0; i < node->n; i++) {
		const struct gj_ynode *key = node->pairs[i].key;
		const struct gj_ynode *value = node->pairs[i].value;
		const struct gj_ynode *list;
		const char *s = gj_ynode_str(key);
		struct cal_year *year;
		char what[32];
		size_t at;
		int y, r;

		y = s && strlen(s) == 4 ? digits(s, 4) : -1;
		if (y < 1)
			return fail(l, key->line,
				    "years: '%s' is not a year (0001..9999)", s ? s : "?");
		/* Keep the array sorted as it fills: insertion. */
		for (at = cal->n_years; at > 0 && cal->years[at - 1].year > y; at--)
			;
		if (at > 0 && cal->years[at - 1].year == y)
			return fail(l, key->line, "years: %d given twice", y);
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
		if (value->kind != GJ_YNODE_MAPPING)
			return fail(l, value->line, "%s: expected a mapping, not %s",
				    what, gj_ynode_kind_name(value->kind));
		r = check_keys(l, value, what, year_keys);
		if (r < 0)
			return r;
		list = gj_ynode_get(value, "rest");
		if (list && !gj_ynode_is_null(list)) {
			r = load_day_list(l, list, year, MARK_REST, cal);
			if (r < 0)
				return r;
		}
		list = gj_ynode_get(value, "work");
		if (list && !gj_ynode_is_null(list)) {
			r = load_day_list(l, list, year, MARK_WORK, cal);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int load_root(struct loader *l, const struct gj_ynode *root,
		     struct gj_calendar *cal)
{
	static const char *const keys[] = {
		"id", "title", "time_zone", "utc_offset", "working_weekdays",
		"working_hours", "years", NULL,
	};
	const struct gj_ynode *node;
	const char *s;
	int r;

	if (root->kind != GJ_YNODE_MAPPING)
		return fail(l, root->line, "expected a mapping, not %s",
			    gj_ynode_kind_name(root->kind));
	r = check_keys(l, root, "calendar", keys);
	if (r < 0)
		return r;

	node = gj_ynode_get(root, "id");
	if (!node)
		return fail(l, root->line, "missing 'id'");
	r = load_id(l, node, cal);
	if (r < 0)
		return r;

	node = gj_ynode_get(root, "title");
	if (!node)
		return fail(l, root->line, "missing 'title'");
	r = get_str(l, node, "title", TEXT_MAX, &s);
	if (r < 0 || (r = dup_str(l, s, &cal->title)) < 0)
		return r;

	node = gj_ynode_get(root, "time_zone");
	if (node) {
		r = get_str(l, node, "time_zone", TEXT_MAX, &s);
		if (r < 0 || (r = dup_str(l, s, &cal->time_zone)) < 0)
			return r;
	}

	node = gj_ynode_get(root, "utc_offset");
	if (!node)
		return fail(l, root->line, "missing 'utc_offset'");
	r = load_offset(l, node, cal);
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

	node = gj_ynode_get(root, "working_hours");
	if (!node)
		return fail(l, root->line, "missing 'working_hours'");
	r = load_hours(l, node, cal);
	if (r < 0)
		return r;

	/* After working_weekdays: make-up days are checked against them. */
	node = gj_ynode_get(root, "years");
	if (node && !gj_ynode_is_null(node)) {
		r = load_years(l, node, cal);
		if (r < 0)
			return r;
	}
	return 0;
}

int gj_calendar_load_buffer(const char *name, const char *text, size_t len,
			    struct gj_calendar **ret, char **ret_error)
{
	struct loader l = { .name = name };
	struct gj_ynode *root = NULL;
	struct gj_calendar *cal;
	int r;

	r = gj_ydoc_parse(name, text, len, &root, ret_error);
	if (r < 0)
		return r;
	cal = calloc(1, sizeof(*cal));
	if (!cal) {
		gj_ynode_destroy(root);
		if (ret_error)
			*ret_error = NULL;
		return -ENOMEM;
	}
	r = load_root(&l, root, cal);
	gj_ynode_destroy(root);
	if (r < 0) {
		gj_calendar_destroy(cal);
		if (l.oom) {
			free(l.error);
			l.error = NULL;
			r = -ENOMEM;
		}
		if (ret_error)
			*ret_error = l.error;
		else
			free(l.error);
		return r;
	}
	*ret = cal;
	return 0;
}

int gj_calendar_load_file(const char *path, struct gj_calendar **ret,
			  char **ret_error)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		goto fail;
	}
	/* Read one byte past the limit to notice a file that is too big. */
	buf = malloc((size_t)GJ_YDOC_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		if (ret_error)
			*ret_error = NULL;
		return -ENOMEM;
	}
	len = fread(buf, 1, (size_t)GJ_YDOC_MAX_BYTES + 1, f);
	if (ferror(f)) {
		r = -EIO;
		fclose(f);
		goto fail;
	}
	fclose(f);
	if (len > GJ_YDOC_MAX_BYTES) {
		free(buf);
		if (ret_error &&
		    asprintf(ret_error, "%s: too large (at most %d bytes)", path,
			     GJ_YDOC_MAX_BYTES) < 0)
			*ret_error = NULL;
		return -EFBIG;
	}
	r = gj_calendar_load_buffer(path, buf, len, ret, ret_error);
	free(buf);
	return r;

fail:
	free(buf);
	if (ret_error && asprintf(ret_error, "%s: %s", path, strerror(-r)) < 0)
		*ret_error = NULL;
	return r;
}

void gj_calendar_destroy(struct gj_calendar *cal)
{
	if (!cal)
		return;
	free(cal->id);
	free(cal->title);
	free(cal->time_zone);
	free(cal->years);
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

/* `days` must lie in years 1..9999. */
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
	/* Ends: every 7 days hold at least one working weekday, and a year
	 * without data has nothing but them. */
	while (left > 0) {
		bool known;

		if (day >= DAYS_MAX)
			return -ERANGE;
		day++;
		if (day_working(cal, day, &known))
			left--;
		if (!known)
			provisional = true;
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

int gj_calendar_day_close_ms(const struct gj_calendar *cal, struct gj_date date,
			     int64_t *ret_ms)
{
	int64_t close_min;
	int32_t days;

	if (gj_date_to_days(date, &days) < 0)
		return -EINVAL;
	close_min = (int64_t)days * 24 * 60 +
		    cal->intervals[cal->n_intervals - 1].end_min - cal->offset_min;
	*ret_ms = close_min * 60 * 1000;
	return 0;
}

struct gj_embedded_file {
	const char *name;
	const char *text;
	size_t len;
};
extern const struct gj_embedded_file gj_embedded_calendars[];

int gj_calendar_load_embedded(const char *id, struct gj_calendar **ret, char **ret_error)
{
	char want[128], name[160];

	snprintf(want, sizeof(want), "%s.yaml", id);
	for (const struct gj_embedded_file *f = gj_embedded_calendars; f->name; f++) {
		if (strcmp(f->name, want) != 0)
			continue;
		snprintf(name, sizeof(name), "<embedded>/%s", f->name);
		return gj_calendar_load_buffer(name, f->text, f->len, ret, ret_error);
	}
	return -ENOENT;
}
