/*
 * plugin_util.h - helpers shared by the shipped plugins (ladder,
 * special_event, defer_notice) and linked into each of their .so files:
 * durations ("90s", "5m", "1h30m"), comma-joined lists (what config_get
 * gives for a YAML sequence), dates and times with a fixed UTC offset,
 * small string helpers, and the reading of configuration and ticket fields
 * through the host table with a logged reason on every bad value.
 *
 * Nothing here is exported from a plugin (plugins are built with hidden
 * visibility); the gj_pu_ prefix only keeps the names apart from the
 * host's.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gj_plugin.h"

/** Milliseconds in a minute, an hour and a day. */
#define GJ_PU_MINUTE_MS INT64_C(60000)
#define GJ_PU_HOUR_MS (60 * GJ_PU_MINUTE_MS)
#define GJ_PU_DAY_MS (24 * GJ_PU_HOUR_MS)

/** Longest duration gj_pu_parse_duration accepts (366 days). */
#define GJ_PU_DURATION_MAX_MS (366 * GJ_PU_DAY_MS)

/** Room for an ISO 8601 time "2026-09-30T16:00:00.250+08:00" and its NUL. */
#define GJ_PU_ISO_LEN 32
/** Room for a date "2026-09-30" and its NUL (years up to 9999). */
#define GJ_PU_DATE_LEN 16
/** Room for a duration written by gj_pu_format_duration. */
#define GJ_PU_DURATION_LEN 48
/** Room for a name the host accepts as a ticket field or notice name:
 *  at most 63 characters of a-z, 0-9 and '_' (GJ_MAX_NAME), and the NUL. */
#define GJ_PU_NAME_LEN 64

/* --- strings --- */

/** a and b are equal strings; NULL equals only NULL. */
bool gj_pu_streq(const char *a, const char *b);

/** s is NULL, empty or only white space. */
bool gj_pu_blank(const char *s);

/**
 * Value of @p key among @p n key/value pairs (the last one wins).
 * @return the value or NULL
 */
const char *gj_pu_kv_get(const struct gj_plugin_kv *kv, size_t n,
                         const char *key);

/**
 * Parse a decimal number without sign, at most @p max.
 * @return 0 or -EINVAL
 */
int gj_pu_parse_uint(const char *s, uint32_t max, uint32_t *ret);

/* --- lists --- */

/** A list of names split from "a,b,c"; items point into buf. */
struct gj_pu_list {
	char *buf;
	char **items;
	size_t n;
};

/**
 * Split a comma-joined list, trimming white space around each item.
 * NULL or "" gives an empty list.  @p l is overwritten, not freed.
 * @return 0, -EINVAL (an empty item, as in "a,,b") or -ENOMEM
 */
int gj_pu_list_parse(struct gj_pu_list *l, const char *s);

/** Free what gj_pu_list_parse allocated; accepts a zeroed list. */
void gj_pu_list_finish(struct gj_pu_list *l);

/** @p s is a name the host accepts: 1 to 63 of a-z, 0-9, '_'. */
bool gj_pu_valid_name(const char *s);

/** @p role is one of the roles the daemon knows (daemon/workflow.c). */
bool gj_pu_known_role(const char *role);

/** @p item is one of the items of @p l. */
bool gj_pu_list_has(const struct gj_pu_list *l, const char *item);

/** Write the items joined with ", " into buf (truncated if too small). */
void gj_pu_list_format(const struct gj_pu_list *l, char *buf, size_t len);

/* --- durations --- */

/**
 * Parse a duration: one or more <number><unit> with units d, h, m, s in
 * that order, each at most once ("90s", "5m", "1h30m", "2d").
 * @return 0 or -EINVAL (also beyond GJ_PU_DURATION_MAX_MS)
 */
int gj_pu_parse_duration(const char *s, int64_t *ret_ms);

/**
 * Write the absolute value of @p ms readably: "1h 30m", "5m", "45s",
 * "2d 3h"; whole seconds, "0s" for less than one.
 */
void gj_pu_format_duration(int64_t ms, char *buf, size_t len);

/* --- dates and times (a fixed UTC offset, in minutes) --- */

/** Days since 1970-01-01 of a proleptic Gregorian date (no checks). */
int64_t gj_pu_days_from_civil(int64_t y, unsigned m, unsigned d);

/**
 * Parse a date "YYYY-MM-DD" (exactly that shape, a real calendar date).
 * @return 0 or -EINVAL
 */
int gj_pu_parse_date(const char *s, int64_t *ret_days);

/** Write the date @p days (since 1970-01-01) as "YYYY-MM-DD". */
void gj_pu_format_date(int64_t days, char *buf, size_t len);

/**
 * Parse "HH:MM" (00:00 to 24:00) into minutes after midnight.
 * @return 0 or -EINVAL
 */
int gj_pu_parse_hhmm(const char *s, int32_t *ret_minutes);

/**
 * Parse a UTC offset "+08:00", "-05:30" or "Z" into minutes.
 * @return 0 or -EINVAL
 */
int gj_pu_parse_utc_offset(const char *s, int32_t *ret_minutes);

/** The local date (days since 1970-01-01) of @p ms at @p offset_min. */
int64_t gj_pu_day_of(int64_t ms, int32_t offset_min);

/** ms of the local time @p minutes after the start of local date @p days. */
int64_t gj_pu_local_ms(int64_t days, int32_t minutes, int32_t offset_min);

/**
 * Parse an ISO 8601 time with a date, a time and an offset:
 * "2026-09-30T16:00:00+08:00", "2026-09-30T08:00:00.250Z"; seconds and
 * fractions may be left out.
 * @return 0 or -EINVAL
 */
int gj_pu_parse_iso8601(const char *s, int64_t *ret_ms);

/**
 * Write @p ms as "YYYY-MM-DDTHH:MM:SS+HH:MM" at @p offset_min, with
 * ".mmm" after the seconds when they are not whole (so that the text reads
 * back to the same ms).
 */
void gj_pu_format_iso8601(int64_t ms, int32_t offset_min, char *buf,
                          size_t len);

/* --- the host --- */

/**
 * A plugin's view of its host, as handed to init.  The host starts every
 * line a plugin logs with "plugin <name>: ", so the lines here do not.
 */
struct gj_pu_host {
	const struct gj_host_api *api;
	void *ctx;
};

/**
 * Check that the host speaks ABI 1.1 or later (the shipped plugins use the
 * 1.1 functions), logging why not.
 * @return 0 or -EPROTO
 */
int gj_pu_host_check(const struct gj_pu_host *h);

/**
 * Read a ticket field into a new string (no fixed limit up to 1 MiB: the
 * field may be what a person typed).
 * @return 0, -ENOENT (no such ticket or field), -ENOMEM or the host's error
 */
int gj_pu_field_dup(const struct gj_pu_host *h, uint64_t ticket,
                    const char *field, char **ret);

/** The ticket field is present and not blank. */
bool gj_pu_field_present(const struct gj_pu_host *h, uint64_t ticket,
                         const char *field);

/**
 * The ticket field equals @p value (false when missing).
 */
bool gj_pu_field_is(const struct gj_pu_host *h, uint64_t ticket,
                    const char *field, const char *value);

/**
 * Read a ticket field holding a number written by gj_pu_field_set_int.
 * @return 0 (*ret = the number), -ENOENT (*ret = @p def) or -EINVAL
 */
int gj_pu_field_int(const struct gj_pu_host *h, uint64_t ticket,
                    const char *field, int64_t def, int64_t *ret);

/** Store a number in a ticket field. */
int gj_pu_field_set_int(const struct gj_pu_host *h, uint64_t ticket,
                        const char *field, int64_t value);

/** Cancel a plugin clock; a clock that is not armed is not an error. */
int gj_pu_cancel_clock(const struct gj_pu_host *h, uint64_t ticket,
                       const char *name);

/**
 * Add a note to a ticket's history, best effort: a history that is full
 * (or any other failure) is logged as a warning and does not fail the
 * callback, since the note only explains what was already done.
 */
void gj_pu_note(const struct gj_pu_host *h, uint64_t ticket, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* --- configuration: each logs "<key>: <why>" and returns -EINVAL on a
 *     bad value; a missing key takes the default --- */

/** A duration of at least @p min_ms ("90s", "5m", "1h30m"). */
int gj_pu_cfg_duration(const struct gj_pu_host *h, const char *key,
                       const char *def, int64_t min_ms, int64_t *ret_ms);

/** A whole number between @p min and @p max. */
int gj_pu_cfg_uint(const struct gj_pu_host *h, const char *key, uint32_t def,
                   uint32_t min, uint32_t max, uint32_t *ret);

/**
 * A list of names (gj_pu_valid_name); @p nonempty refuses an empty one.
 * @p ret is overwritten; on failure it is left empty.
 */
int gj_pu_cfg_list(const struct gj_pu_host *h, const char *key,
                   const char *def, bool nonempty, struct gj_pu_list *ret);

/** A list of roles the daemon knows, at least one. */
int gj_pu_cfg_roles(const struct gj_pu_host *h, const char *key,
                    const char *def, bool nonempty, struct gj_pu_list *ret);

/** A name (gj_pu_valid_name); the host keeps the string. */
int gj_pu_cfg_name(const struct gj_pu_host *h, const char *key,
                   const char *def, const char **ret);

/** A time of day "HH:MM", in minutes after midnight. */
int gj_pu_cfg_hhmm(const struct gj_pu_host *h, const char *key,
                   const char *def, int32_t *ret_minutes);

/** A UTC offset "+08:00", in minutes. */
int gj_pu_cfg_utc_offset(const struct gj_pu_host *h, const char *key,
                         const char *def, int32_t *ret_minutes);

/* --- calendar arithmetic for generators (days since 1970-01-01) --- */

/** Year, month (1-12) and day (1-31) of the date @p days. */
void gj_pu_civil(int64_t days, int64_t *ret_y, unsigned *ret_m, unsigned *ret_d);

/** Number of days of month @p m (1-12) of year @p y. */
unsigned gj_pu_days_in_month(int64_t y, unsigned m);

/** Day of the week of the date @p days: 0 Monday, ..., 6 Sunday. */
int gj_pu_weekday(int64_t days);

/**
 * Parse a day of the week "mon", "tue", ..., "sun".
 * @return 0 (Monday) to 6 (Sunday), or -EINVAL
 */
int gj_pu_parse_weekday(const char *s);

/**
 * The kind of a day (enum gj_plugin_day_kind) as the estate's calendar
 * says, for the walks below; a negative errno on failure.
 */
typedef int (*gj_pu_day_kind_fn)(void *arg, int64_t day);

/** @p kind is a day that is worked: a working weekday or a make-up day. */
bool gj_pu_kind_is_working(int kind);

/**
 * The first working day on or after @p day (@p step 1), or on or before it
 * (@p step -1), looking at most @p max_days days away.
 * @return 0, -ENOENT (none within reach) or the day-kind function's error
 */
int gj_pu_working_day_from(gj_pu_day_kind_fn fn, void *arg, int64_t day, int step,
                           int max_days, int64_t *ret_day);

/**
 * The working day nearest to @p day among the days @p lo to @p hi (both
 * included): @p day itself when it is worked; on a tie (as many days
 * before as after) the earlier one, or the later when @p prefer_later.
 * @return 0, -ENOENT (no working day in the range) or the function's error
 */
int gj_pu_nearest_working_day(gj_pu_day_kind_fn fn, void *arg, int64_t day, int64_t lo,
                              int64_t hi, bool prefer_later, int64_t *ret_day);

/**
 * The public holidays for which @p day is the @p n th working day before
 * their first day: walking forward from @p day (itself working day 1), a
 * holiday is a run of GJ_PLUGIN_DAY_HOLIDAY days, and it counts when
 * exactly @p n working days (make-up days included) lie from @p day to the
 * day before its first day.  The walk stops after @p horizon days.
 * @param ret_first, ret_last the first and last day of each holiday found
 * @return how many were found (at most @p max), 0 when @p day is not
 *         worked, or the function's error
 */
int gj_pu_holidays_ahead(gj_pu_day_kind_fn fn, void *arg, int64_t day, int n, int horizon,
                         int64_t ret_first[], int64_t ret_last[], int max);

/**
 * The days of one week (Monday @p monday to Sunday) a twice-a-week job
 * runs on: each of the @p n weekdays @p wdays (0 Monday .. 6 Sunday, in
 * order) that is not worked moves to the next working day of the same week
 * not already taken; a weekday with none left in the week is dropped.
 * @param ret_days the days, in the order of @p wdays (room for @p n)
 * @return how many days, or the function's error
 */
int gj_pu_week_days(gj_pu_day_kind_fn fn, void *arg, int64_t monday, const int wdays[], int n,
                    int64_t ret_days[]);
