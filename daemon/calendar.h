/*
 * calendar.h - working-day calendars: which days are working days, and
 * "within N working days" / "N working hours" arithmetic.
 *
 * A calendar is declared in YAML (etc/calendars/, format described at the
 * top of calendar.c and in docs/calendars.md): a version, a time zone with
 * its fixed UTC offset, the working weekdays, the working hours of a working
 * day, the counting convention and, per year, the rest days (public
 * holidays), the make-up working days (调休) and the days whose working hours
 * differ (a half day).  A day is a working day when it is a make-up working
 * day, or a working weekday that is not a rest day.  For a year the calendar
 * has no data for, the working weekdays are assumed; results that depend on
 * such a year are flagged (ret_known false, ret_provisional true) so the
 * caller can say so.
 *
 * Dates are civil dates in the calendar's own time zone, as struct gj_date,
 * years 1..9999; instants are milliseconds since the epoch (UTC).  Nothing
 * here reads the clock or logs; only loading, sets and the explain
 * functions allocate.
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
/** Most working minutes gj_calendar_add_working_hours() will count
 * (10000 hours). */
#define GJ_CALENDAR_MAX_WORKING_MINUTES (10000 * 60)

/** How "within N working days of a start day" is counted (`counting:`). */
enum gj_calendar_counting {
	/** The start day is never counted: counting begins the day after it,
	 * and the deadline is the close of the Nth working day (the Civil
	 * Code's default, arts. 201 and 203).  The default. */
	GJ_COUNTING_EXCLUDE_START = 0,
	/** The start day is working day 1 when it is a working day. */
	GJ_COUNTING_INCLUDE_START,
};

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

/** The calendar's version (`version:`, 1 when not given): tickets pin
 * "id@version", e.g. "cn@1". */
uint32_t gj_calendar_version(const struct gj_calendar *cal);

/** The calendar's title. */
const char *gj_calendar_title(const struct gj_calendar *cal);

/** The calendar's time zone name (`time_zone:`, "Asia/Shanghai" when not
 * given).  Informational: the fixed offset is what is used. */
const char *gj_calendar_time_zone(const struct gj_calendar *cal);

/** The calendar's counting convention (`counting:`). */
enum gj_calendar_counting gj_calendar_counting(const struct gj_calendar *cal);

/** "exclude_start" or "include_start". */
const char *gj_calendar_counting_name(enum gj_calendar_counting counting);

/** The name it was loaded under (the file path, or "<embedded>/cn.yaml"). */
const char *gj_calendar_source_name(const struct gj_calendar *cal);

/**
 * The YAML text it was loaded from, kept so that a ticket can pin the
 * version it runs under and load it again later.
 * @param ret_len  bytes in the text (it is also NUL-terminated)
 */
const char *gj_calendar_source_text(const struct gj_calendar *cal,
				    size_t *ret_len);

/**
 * The weekly working-hours intervals of a working day, sorted, not
 * overlapping (a date's own hours, overrides included, come from
 * gj_calendar_day_intervals()).
 * @param ret_n  the number of intervals (>= 1)
 * @return the intervals, owned by the calendar
 */
const struct gj_calendar_interval *
gj_calendar_intervals(const struct gj_calendar *cal, size_t *ret_n);

/**
 * The working hours of one date: none on a day that is not a working day,
 * the date's override (a half day) when it has one, else the weekly ones.
 * @param ret_iv     the intervals, owned by the calendar; NULL when none
 * @param ret_n      the number of intervals, 0 on a day that is not worked
 * @param ret_known  false when the calendar has no data for that year; may
 *                   be NULL
 * @return 0, or -EINVAL when the date is not valid.
 */
int gj_calendar_day_intervals(const struct gj_calendar *cal, struct gj_date date,
			      const struct gj_calendar_interval **ret_iv,
			      size_t *ret_n, bool *ret_known);

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
 * "Within n working days of start": the nth working day counted from start.
 * With the calendar's default convention (GJ_COUNTING_EXCLUDE_START)
 * counting begins the day after start, whether or not start is itself a
 * working day; with GJ_COUNTING_INCLUDE_START, start is working day 1 when
 * it is a working day.  The deadline is the close of the returned day (see
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
 * The civil date of an instant in the calendar's time zone.
 * @return 0, or -ERANGE outside years 1..9999.
 */
int gj_calendar_local_date(const struct gj_calendar *cal, int64_t ms, struct gj_date *ret);

/**
 * "Within n working days" of an instant: the close of the nth working day
 * after its date in the calendar's zone (n 0: the close of that date).
 * @param ret_provisional  may be NULL
 * @return as gj_calendar_add_working_days()
 */
int gj_calendar_working_days_close(const struct gj_calendar *cal, int64_t from_ms, int32_t n,
				   int64_t *ret_ms, bool *ret_provisional);

/**
 * The close of business of a date: the end of the last working-hours
 * interval (17:30 for cn) in the calendar's offset, whether or not the date
 * is a working day; on a date with an override, the end of its last
 * interval (12:00 for a half day 08:30-12:00).
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

/**
 * "N working hours from start_ms": the instant at which `minutes` working
 * minutes have elapsed, counting only the working hours of working days
 * (overrides honoured).  A start outside working hours counts from the next
 * working interval; a count that ends exactly at the end of an interval
 * returns that end (17:30), not the start of the next interval.
 * @param minutes  0..GJ_CALENDAR_MAX_WORKING_MINUTES; 0 returns start_ms
 * @param ret_ms   the instant, milliseconds since the epoch (UTC)
 * @param ret_provisional  true when any day looked at lies in a year the
 *                         calendar has no data for; may be NULL
 * @return 0, -EINVAL for a bad count, -ERANGE outside years 1..9999.
 */
int gj_calendar_add_working_hours(const struct gj_calendar *cal, int64_t start_ms,
				  int32_t minutes, int64_t *ret_ms,
				  bool *ret_provisional);

/**
 * The same to the millisecond: the instant at which `working_ms` of
 * working time have elapsed from start_ms (for the time left of a clock
 * that resumes after a pause).
 * @param working_ms  0..GJ_CALENDAR_MAX_WORKING_MINUTES minutes, in ms
 * @return as gj_calendar_add_working_hours().
 */
int gj_calendar_add_working_ms(const struct gj_calendar *cal, int64_t start_ms,
			       int64_t working_ms, int64_t *ret_ms,
			       bool *ret_provisional);

/**
 * The working time in [from_ms, to_ms): the milliseconds of it that fall in
 * the working hours of working days (overrides honoured); 0 when to_ms is
 * not after from_ms.  For re-counting a working-hours clock that was paused.
 * @param ret_ms           the working time in milliseconds
 * @param ret_provisional  true when any day looked at lies in a year the
 *                         calendar has no data for; may be NULL
 * @return 0, or -ERANGE outside years 1..9999.
 */
int gj_calendar_working_ms_between(const struct gj_calendar *cal, int64_t from_ms,
				   int64_t to_ms, int64_t *ret_ms,
				   bool *ret_provisional);

/**
 * The same in whole minutes (rounded down).
 * @return as gj_calendar_working_ms_between().
 */
int gj_calendar_working_minutes_between(const struct gj_calendar *cal,
					int64_t from_ms, int64_t to_ms,
					int64_t *ret_minutes,
					bool *ret_provisional);

/**
 * Explain "within n working days of start" in readable lines, each ending
 * with '\n': what is counted and how (the convention), then every day from
 * the first one counted to the last: counted working days ("counted k of
 * n"), make-up working days and overrides (a half day) marked as such, and
 * runs of weekend days and of holidays skipped, grouped
 * ("2026-10-01..2026-10-07 holiday (National Day), skipped"); last the
 * deadline, "YYYY-MM-DD HH:MM +08:00", and whether it is provisional
 * (naming the years without data).  The deadline is the one
 * gj_calendar_add_working_days() and gj_calendar_day_close_ms() give.
 * @param ret_text  a malloc'd NUL-terminated text (free() it)
 * @return 0, -EINVAL for an invalid date or n, -ERANGE past year 9999,
 *         -ENOMEM.
 */
int gj_calendar_explain_working_days(const struct gj_calendar *cal,
				     struct gj_date start, int n, char **ret_text);

/**
 * Explain "N working minutes from start_ms" in readable lines, each ending
 * with '\n': the start, then every day touched: the working time counted on
 * it (its spans, the minutes, the running total) or why nothing was
 * (weekend and holiday runs grouped, a working day already over); last the
 * deadline and whether it is provisional.  The deadline is the one
 * gj_calendar_add_working_hours() gives.
 * @param ret_text  a malloc'd NUL-terminated text (free() it)
 * @return as gj_calendar_add_working_hours(), or -ENOMEM.
 */
int gj_calendar_explain_working_hours(const struct gj_calendar *cal,
				      int64_t start_ms, int32_t minutes,
				      char **ret_text);

/** What kind of day a date is on a calendar. */
enum gj_day_kind {
	GJ_DAY_WORKING = 1,     /**< a working weekday, not listed */
	GJ_DAY_MAKEUP = 2,      /**< listed under `work`: a make-up working day */
	GJ_DAY_WEEKEND = 3,     /**< a weekday not worked, not listed */
	GJ_DAY_HOLIDAY = 4,     /**< listed under `rest`: a public holiday (weekends inside one too) */
};

/**
 * The kind of a date.
 * @param ret_known false when the calendar has no data for that year (then
 *                  only GJ_DAY_WORKING or GJ_DAY_WEEKEND); may be NULL
 * @return 0, or -EINVAL for an invalid date
 */
int gj_calendar_day_kind(const struct gj_calendar *cal, struct gj_date date,
			 enum gj_day_kind *ret_kind, bool *ret_known);

/* --- a set of calendars, one per id --- */

struct gj_calendars;

/** An empty set; NULL when out of memory. */
struct gj_calendars *gj_calendars_create(void);

/** Free a set and every calendar in it.  Accepts NULL. */
void gj_calendars_destroy(struct gj_calendars *set);

/**
 * Add a calendar; the set takes ownership (also on failure: it destroys it).
 * @param ret_error on failure, a malloc'd message; may be NULL
 * @return 0, -EEXIST when a calendar of that id is already in the set (the
 *         message names both files), -ENOMEM.
 */
int gj_calendars_add(struct gj_calendars *set, struct gj_calendar *cal,
		     char **ret_error);

/**
 * Load every *.yaml / *.yml file of a directory (sorted by name; names
 * starting with '.' are skipped).  All or nothing: on any error the set is
 * left as it was.
 * @return 0, -errno when the directory or a file cannot be read, -EINVAL on
 *         a problem in a file, -EEXIST on a duplicate id, -E2BIG with more
 *         than 4096 files, -ENOMEM.
 */
int gj_calendars_load_dir(struct gj_calendars *set, const char *dir,
			  char **ret_error);

/**
 * Load the calendars compiled into the binary (etc/calendars/); their names
 * in messages are "<embedded>/<file name>".  All or nothing.
 */
int gj_calendars_load_embedded(struct gj_calendars *set, char **ret_error);

/** The calendar of an id, or NULL. */
const struct gj_calendar *gj_calendars_find(const struct gj_calendars *set,
					    const char *id);

/** The number of calendars in the set (0 for NULL). */
size_t gj_calendars_count(const struct gj_calendars *set);

/** The i-th calendar, sorted by id; NULL past the end. */
const struct gj_calendar *gj_calendars_at(const struct gj_calendars *set,
					  size_t i);
