/*
 * roster.h - an estate's duty roster: who is staff in which role, and who
 * is on duty in a role at a given instant.
 *
 * One roster per estate (etc/rosters/<estate>.yaml; format at the top of
 * roster.c and in docs/roster.md): the people with their RULEBOOK staff
 * roles, team and zone; named shifts (hours and the days they run on); and
 * the escalation order "when nobody is on duty in this role, ask that one".
 *
 * The roster answers two questions:
 *  - may this person act in this role here? (gj_roster_check_actor())
 *  - whom do we tell? (gj_roster_on_duty()): the people on duty in a role,
 *    or, when there are none, in the first role up the escalation order
 *    that has someone.
 *
 * Times are milliseconds since the epoch; local time and working days come
 * from the estate's calendar (calendar.h).  Nothing here reads the clock,
 * allocates after loading or logs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gj_calendar;

/** Longest person id, in bytes (the protocol's limit on Actor.person). */
#define GJ_ROSTER_PERSON_MAX 64
/** Most people on one roster. */
#define GJ_ROSTER_MAX_PEOPLE 4096
/** Most named shifts on one roster. */
#define GJ_ROSTER_MAX_SHIFTS 64

/** One person of a roster.  Read-only: owned by the roster. */
struct gj_roster_person {
	char *id;           /**< e.g. "wang.fang": the Actor.person of commands */
	char *name;         /**< display name, e.g. "王芳" */
	char *team;         /**< e.g. "customer_service"; NULL when none */
	char *zone;         /**< e.g. "1#"; NULL when none (covers every zone) */
	const char **roles; /**< staff role ids (static strings), n_roles >= 1 */
	size_t n_roles;
	int line;           /**< where the person is listed */
};

/** One person on duty, as gj_roster_on_duty() returns them. */
struct gj_roster_duty {
	const char *role;           /**< the role they are on duty in */
	const char *person;         /**< their id */
	const char *name;           /**< their display name */
	const char *fallback_for;   /**< NULL, or the role asked for when nobody
	                                 was on duty in it and `role` was found
	                                 up the escalation order */
};

struct gj_roster;

/**
 * Load a roster from YAML text.
 * @param name  shown in error messages (usually the file path)
 * @param text  the YAML text; need not be NUL-terminated
 * @param len   bytes in text
 * @param ret   on success, the roster (free with gj_roster_destroy())
 * @param ret_error on failure, a malloc'd "name:line: problem" message
 *                  (NULL when out of memory); may itself be NULL
 * @return 0, -EINVAL on a problem in the text, -ENOMEM.
 */
int gj_roster_load_buffer(const char *name, const char *text, size_t len,
			  struct gj_roster **ret, char **ret_error);

/**
 * Same, from a file.
 * @return as gj_roster_load_buffer(), or -errno / -EFBIG when the file
 *         cannot be read or is over GJ_YDOC_MAX_BYTES (ret_error then says
 *         "path: reason").
 */
int gj_roster_load_file(const char *path, struct gj_roster **ret,
			char **ret_error);

/** Free a roster.  Accepts NULL. */
void gj_roster_destroy(struct gj_roster *r);

/** The id of the estate the roster is for (its `estate:`). */
const char *gj_roster_estate(const struct gj_roster *r);

/** The number of people on the roster (>= 1). */
size_t gj_roster_count(const struct gj_roster *r);

/** The person at index i, in the order of the file; NULL when i is too big. */
const struct gj_roster_person *gj_roster_person_at(const struct gj_roster *r,
						   size_t i);

/** A person by id, or NULL when not on the roster (or person is NULL). */
const struct gj_roster_person *gj_roster_person(const struct gj_roster *r,
						const char *person);

/** True when the person is on the roster, in any role. */
bool gj_roster_has_person(const struct gj_roster *r, const char *person);

/** True when the person is on the roster in that role. */
bool gj_roster_person_has_role(const struct gj_roster *r, const char *person,
			       const char *role);

/**
 * A person's roles, in the order of the file.
 * @param ret_n  the number of roles (0 when the person is not on the roster)
 * @return the role ids (static strings), or NULL when not on the roster
 */
const char *const *gj_roster_person_roles(const struct gj_roster *r,
					  const char *person, size_t *ret_n);

/**
 * May `person` act in `role` on this estate?
 * @param ret_error when refused, a malloc'd readable reason, e.g.
 *        "wang.fang is on the roster of demo as butler, not as manager" or
 *        "zhao.lei is not on the roster of demo" (NULL when out of memory);
 *        may itself be NULL
 * @return 0 when the person is on the roster in that role, -ENOENT when the
 *         person is not on the roster, -EPERM when they are, but not in that
 *         role.
 */
int gj_roster_check_actor(const struct gj_roster *r, const char *person,
			  const char *role, char **ret_error);

/**
 * The people on duty in `role` at `now_ms`.
 *
 * A person is on duty when they hold `role` and one of their shifts covers
 * the instant (see docs/roster.md: a shift belongs to the day it starts, so
 * a night shift that runs on day D covers D 20:00 to D+1 08:00).  When
 * nobody is, the escalation order is followed (`role` -> its escalation ->
 * ...; each role at most once, so a cycle ends) and the people of the first
 * role that has someone on duty are returned, with fallback_for = `role`.
 *
 * @param cal     the estate's calendar: its UTC offset gives local time, its
 *                working days decide shifts with `days: working`/`rest`.
 *                NULL: +08:00 and Monday to Friday.
 * @param role    a staff role id
 * @param now_ms  the instant, ms since the epoch (UTC)
 * @param out     filled with up to `max` people, in the order of the file;
 *                its pointers are owned by the roster.  Pass max >=
 *                gj_roster_count() to never miss anyone.
 * @param ret_n   the number of entries written; 0 when nobody is on duty
 *                even after escalation
 * @return 0, -EINVAL when `role` is not a staff role, -ERANGE when now_ms
 *         is outside years 1..9999.
 */
int gj_roster_on_duty(const struct gj_roster *r, const struct gj_calendar *cal,
		      const char *role, int64_t now_ms,
		      struct gj_roster_duty *out, size_t max, size_t *ret_n);

/**
 * Same, for one zone: only people of that zone and people without a zone
 * (who cover every zone) count, also up the escalation order.
 * @param zone  e.g. "2#"; NULL: any zone (same as gj_roster_on_duty())
 */
int gj_roster_on_duty_in_zone(const struct gj_roster *r,
			      const struct gj_calendar *cal, const char *role,
			      const char *zone, int64_t now_ms,
			      struct gj_roster_duty *out, size_t max,
			      size_t *ret_n);
