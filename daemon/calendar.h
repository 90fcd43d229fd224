/*
 * calendar.h - working-day calendars: which days are working days, and
 * "within N working days" arithmetic (issue 3, part 1).
 *
 * A calendar is declared in YAML (etc/calendars/, format described at the
 * top of calendar.c): a fixed UTC offset, the working weekdays, the working
 * hours of a working day and, per year, the rest days (public holidays) and
 * make-up working days (调休) of that year.  A day is a working day when it
 * is a make-up working day, or a working weekday that is not a rest day.
 * For a year the calendar has no data for, the working weekdays are assumed;
 * results that depend on such a year are flagged (ret_known false,
 * ret_provisional true) so the caller can say so.
 *
 * Dates are civil dates in the calendar's own time zone, as struct gj_date,
 * years 1..9999.  Nothing here reads the clock, allocates after loading or
 * logs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Most working days gj_calendar_add_working_days() will count. */
#define GJ_CALENDAR_MAX_ADD 10000
/** Most years of data one calendar may hold. */
#define GJ_CALENDAR_MAX_YEARS 200
/** Most working-hours intervals in a working day. */
#define GJ_CALENDAR_MAX_INTERVALS 8

/** A civil date: y 1..9999, m 1..12, d 1..days in that month. */
struct gj_date {
	int y;
	int m;
	int d;
};

/** One working-hours interval, minutes after local midnight, [start, end). */
struct gj_calendar_interval {
	int start_min;
	int end_min;
};

struct gj_calendar;

/** True when `date` is a valid date of years 1..9999. */
bool gj_date_valid(struct gj_date date);

/**
 * Days since 1970-01-01 (negative before it).
 * @return 0, or -EINVAL when the date is not valid.
 */
int gj_date_to_days(struct gj_date date, int32_t *ret_days);

/**
 * The date `days` days after 1970-01-01.
 * @return 0, or -ERANGE when it falls outside years 1..9999.
 */
int gj_date_from_days(int32_t days, struct gj_date *ret_date);

/**
 * Parse "YYYY-MM-DD" (exactly that form).
 * @return 0, or -EINVAL.
 */
int gj_date_parse(const char *text, struct gj_date *ret_date);

/**
 * Load a calendar from YAML text.
 * @param name  shown in error messages (usually the file path)
 * @param text  the YAML text; need not be NUL-terminated
 * @param len   bytes in text
 * @param ret   on success, the calendar (free with gj_calendar_destroy())
 * @param ret_error on failure, a malloc'd "name:line: problem" message
 *                  (NULL when out of memory); may itself be NULL
 * @return 0, -EINVAL on a problem in the text, -ENOMEM.
 */
int gj_calendar_load_buffer(const char *name, const char *text, size_t len,
			    struct gj_calendar **ret, char **ret_error);

/**
 * Same, from a file.
 * @return as gj_calendar_load_buffer(), or -errno / -EFBIG when the file
 *         cannot be read or is over GJ_YDOC_MAX_BYTES.
 */
int gj_calendar_load_file(const char *path, struct gj_calendar **ret,
			  char **ret_error);

/** Free a calendar.  Accepts NULL. */
void gj_calendar_destroy(struct gj_calendar *cal);

/** The calendar's id, e.g. "cn". */
const char *gj_calendar_id(const struct gj_calendar *cal);

/** The calendar's offset from UTC in minutes, e.g. 480 for +08:00. */
int gj_calendar_utc_offset_min(const struct gj_calendar *cal);

/**
 * The working-hours intervals of a working day, sorted, not overlapping.
 * @param ret_n  the number of intervals (>= 1)
 * @return the intervals, owned by the calendar
 */
const struct gj_calendar_interval *
gj_calendar_intervals(const struct gj_calendar *cal, size_t *ret_n);

/**
 * Whether a date is a working day.
 * @param ret_working  true for a working day
 * @param ret_known    false when the calendar has no data for that year
 *                     (then only the working weekdays count); may be NULL
 * @return 0, or -EINVAL when the date is not valid.
 */
int gj_calendar_is_working_day(const struct gj_calendar *cal, int y, int m,
			       int d, bool *ret_working, bool *ret_known);

/**
 * "Within n working days of start": the nth working day after start.
 * Counting begins the day after start, whether or not start is itself a
 * working day; the deadline is the close of the returned day (see
 * gj_calendar_day_close_ms()).
 * @param n  1..GJ_CALENDAR_MAX_ADD
 * @param ret_last         the nth working day
 * @param ret_provisional  true when any day counted lies in a year the
 *                         calendar has no data for; may be NULL
 * @return 0, -EINVAL for an invalid date or n, -ERANGE past year 9999.
 */
int gj_calendar_add_working_days(const struct gj_calendar *cal,
				 struct gj_date start, int n,
				 struct gj_date *ret_last,
				 bool *ret_provisional);

/**
 * The number of working days in (from_exclusive, to_inclusive]; 0 when
 * to_inclusive is not after from_exclusive.
 * @param ret_count        the count
 * @param ret_provisional  true when any day counted lies in a year the
 *                         calendar has no data for; may be NULL
 * @return 0, or -EINVAL for an invalid date.
 */
int gj_calendar_count_working_days(const struct gj_calendar *cal,
				   struct gj_date from_exclusive,
				   struct gj_date to_inclusive,
				   int32_t *ret_count, bool *ret_provisional);

/**
 * The close of business of a date: the end of the last working-hours
 * interval (17:30 for cn) in the calendar's offset, whether or not the date
 * is a working day.
 * @param ret_ms  milliseconds since the epoch (UTC)
 * @return 0, or -EINVAL for an invalid date.
 */
int gj_calendar_day_close_ms(const struct gj_calendar *cal, struct gj_date date,
			     int64_t *ret_ms);

/**
 * Load a calendar compiled into the binary (etc/calendars/<id>.yaml).
 * @return 0, -ENOENT when there is none by that id, or a load error.
 */
int gj_calendar_load_embedded(const char *id, struct gj_calendar **ret, char **ret_error);
