/*
 * itest.h - what the integration tests do with a running guanjiad, once:
 * one daemon and one client per test process (Check runs each test in a
 * fork of its own), the manual clock, opening and firing tickets as a
 * person in a role, reading tickets back and counting the alerts of a
 * ticket in the journal.  harness.h starts and stops the daemon; this
 * drives it.
 *
 * Every helper asserts with Check (ck_assert_*): a command that should be
 * applied and is not, or a reply that does not come, fails the test where
 * it happened.  Everything here is prefixed it_ (integration test).
 */
#pragma once

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guanjia.h"
#include "harness.h"

/** The daemon under test: made by it_setup(), started by it_start(). */
extern struct gj_daemon it_daemon;

/** The client to it_daemon's command socket; NULL until it_connect_as(). */
extern struct gj_client *it_client;

/* ------------------------------------------------------------- fixture */

/** Check fixture: a fresh data directory for it_daemon. */
void it_setup(void);

/** Check fixture: drop the client, stop the daemon, remove its directory. */
void it_teardown(void);

/**
 * Start (or restart) guanjiad on it_daemon's data directory with its manual
 * clock at `when`, then connect as li.ming, butler.
 * @param when the manual clock's start, e.g. "2026-10-09T10:00:00+08:00"
 * @param plugin_dir passed as --plugins; NULL: no plugins
 * @param plugin_config passed as --plugin-config; NULL: none
 */
void it_start(const char *when, const char *plugin_dir, const char *plugin_config);

/**
 * Drop the client and stop the daemon, keeping its data directory for a
 * restart.
 * @param kill9 SIGKILL; otherwise SIGTERM, and the daemon must exit with 0
 */
void it_stop(bool kill9);

/** Close it_client (if any); the next it_connect_as() reconnects. */
void it_disconnect(void);

/** Connect it_client (once) and act as `person` in `role`. */
void it_connect_as(const char *person, const char *role);

/**
 * Run a suite (CK_NORMAL) and free it.
 * @return EXIT_SUCCESS when no test failed, EXIT_FAILURE otherwise: main's
 *         exit status
 */
int it_run(Suite *s);

/* ---------------------------------------------------------------- time */

/** The instant of an ISO 8601 text (fails the test when it is not one). */
int64_t it_at(const char *text);

/** The daemon's manual clock. */
int64_t it_now(void);

/** Move the manual clock `ms` on (every deadline on the way fires). */
void it_advance(int64_t ms);

/** Move the manual clock on to `t`, which may not be in its past. */
void it_advance_to(int64_t t);

/* ------------------------------------------------------------ commands */

/** Fail the test unless the call returned 0 and the command was applied. */
void it_check_applied(int rc, const Guanjia__Reply *r);

/** Make the call (a gj_client_* returning into &r) and it_check_applied. */
#define it_call_ok(call, r) do { int rc_ = (call); it_check_applied(rc_, (r)); } while (0)

/**
 * Open a ticket of workflow `wf` as `person` in `role`.
 * @param estate NULL: the daemon's default; otherwise the ticket must be
 *        opened on it
 * @param kv n "name=value" fields
 * @return the new ticket's id
 */
uint64_t it_open_as(const char *person, const char *role, const char *wf, const char *estate,
		    const char *const *kv, size_t n);

/** Fire `event` on ticket `id` as `person` in `role`; it must be applied. */
void it_fire_as(const char *person, const char *role, uint64_t id, const char *event,
		const char *const *kv, size_t n);

/**
 * Fire `event` and expect the daemon to refuse it.
 * @return the reply, freed with gj_reply_free()
 */
Guanjia__Reply *it_fire_refused_reply(const char *person, const char *role, uint64_t id,
				      const char *event, const char *const *kv, size_t n);

/**
 * Fire `event` and expect the daemon to refuse it with `code`.
 * @param about a text the refusal's message must contain; NULL: any message
 */
void it_fire_refused(const char *person, const char *role, uint64_t id, const char *event,
		     const char *const *kv, size_t n, Guanjia__ErrorCode code, const char *about);

/**
 * Open a ticket and expect the daemon to refuse it (estate as it_open_as).
 * @return the reply, freed with gj_reply_free()
 */
Guanjia__Reply *it_open_refused_reply(const char *person, const char *role, const char *wf,
				      const char *estate, const char *const *kv, size_t n);

/** it_open_refused_reply(), refused with `code` (`about` as it_fire_refused). */
void it_open_refused(const char *person, const char *role, const char *wf, const char *estate,
		     const char *const *kv, size_t n, Guanjia__ErrorCode code, const char *about);

/**
 * The newest sequence number in the journal, from the daemon's status.
 * @return its seq: a subscription from the next one sees only what comes after
 */
uint64_t it_last_seq(void);

/* ------------------------------------------------------------- tickets */

/**
 * Get ticket `id` (with its history when `history`).
 * @param ret the reply the ticket belongs to, freed with gj_reply_free()
 * @return the ticket
 */
Guanjia__Ticket *it_get(uint64_t id, bool history, Guanjia__Reply **ret);

/** A ticket's field, NULL when it has none of that name. */
const char *it_field(const Guanjia__Ticket *tk, const char *name);

/** A ticket's clock (fails the test when it has none of that id). */
Guanjia__Clock *it_clock(const Guanjia__Ticket *tk, const char *id);

/** Ticket `id` is in `state`. */
void it_assert_state(uint64_t id, const char *state);

/**
 * Ticket `id`'s clock is in `state` and, unless `deadline` is 0, due then.
 */
void it_assert_clock(uint64_t id, const char *clock, Guanjia__ClockState state,
		     int64_t deadline);

/**
 * The history entries of a ticket with `event` whose note contains `about`
 * (NULL: any note).
 * @param ret_last the last of them, untouched when there is none; may be NULL
 * @return how many
 */
size_t it_history_count(const Guanjia__Ticket *tk, const char *event, const char *about,
			const Guanjia__HistoryEntry **ret_last);

/* -------------------------------------------------------------- alerts */

/** it_alerts() level for either level. */
#define IT_ANY_LEVEL GUANJIA__ALERT_LEVEL__ALERT_LEVEL_UNSPECIFIED

/** it_expect_alert() `before` when the other alerts are not counted. */
#define IT_ANY_COUNT SIZE_MAX

/** Alerts found by it_alerts(): how many, and what the last one said. */
struct it_alerts {
	size_t n;
	int64_t last_at;        /**< the journal time it was raised at */
	int64_t deadline;       /**< the deadline it was about */
	uint32_t max_step;      /**< the highest step of all of them */
	char roles[256];        /**< its notify_roles, "a,b" */
	char message[512];
};

/**
 * The alerts of a ticket in the whole journal that match.
 * @param plugin raised by this plugin; "": the workflow's own; NULL: any
 * @param clock on this clock; NULL: any
 * @param level WARNING or BREACH; IT_ANY_LEVEL: either
 * @param step at this step of a ladder; 0: any
 */
struct it_alerts it_alerts(uint64_t ticket, const char *plugin, const char *clock, int level,
			   uint32_t step);

/** How many alerts the ticket has, from anything. */
size_t it_n_alerts(uint64_t ticket);

/** The ticket has no alert at all. */
void it_assert_no_alerts(uint64_t ticket);

/**
 * Without moving the clock: exactly one alert matches (see it_alerts), and
 * it was raised at `when` for `roles` ("a,b").
 */
void it_assert_alert(uint64_t ticket, const char *plugin, const char *clock, int level,
		     int64_t when, const char *roles);

/**
 * The late path of one alert: move the clock to a millisecond before `when`,
 * where none matches, then to `when`, where it_assert_alert holds.  Unless
 * `before` is IT_ANY_COUNT, the ticket has `before` alerts from `plugin` in
 * all a millisecond before and one more at `when`.
 */
void it_expect_alert(uint64_t ticket, const char *plugin, const char *clock, int level,
		     int64_t when, const char *roles, size_t before);
