/*
 * gj_plugin.h - the one header a guanjiad plugin includes.
 *
 * A plugin is a shared object exporting one symbol, `gj_plugin_descriptor`,
 * a `const struct gj_plugin_descriptor`. The host reads its version fields
 * before anything else and refuses the plugin when the major differs or the
 * plugin's minor is newer than the host's. The plugin never links against
 * daemon symbols: it reaches the daemon only through the `struct gj_host_api`
 * table handed to its init function.
 *
 * ABI change log (bump the major for any incompatible change: a field moved,
 * removed or retyped, a function's signature changed; bump the minor when a
 * field is appended or a spare slot put to use):
 *   1.0  first version: descriptor with init/fini/on_alert/on_transition and
 *        8 spare slots; host table with get_ticket_field, raise_alert,
 *        fire_event, open_ticket, append_history, arm_clock, cancel_clock,
 *        config_get and log.
 *   1.1  descriptor: spare[0] becomes on_clock (a plugin clock fell due),
 *        spare[1] becomes check_event (refuse a command before anything is
 *        written); on_alert may return 1 to say "handled": the workflow's
 *        own alert is then not raised.  Host table: appended
 *        set_ticket_field, working_days_deadline, publish, list_tickets.
 *        get_ticket_field also answers the pseudo-fields listed at
 *        struct gj_host_api.  A 1.0 plugin keeps working unchanged.
 *   1.2  for generators (plugins that open tickets on a schedule):
 *        descriptor spare[2] becomes on_timer (a plugin timer fell due),
 *        spare[3] becomes on_start (once per daemon start, before any
 *        deadline fires).  Host table: appended arm_timer, cancel_timer,
 *        kv_get, kv_put (the plugin's own durable key/values), day_kind
 *        (working day, make-up day, weekend, public holiday), list_estates
 *        and utc_offset.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** ABI major: a plugin built against another major is refused. */
#define GJ_PLUGIN_ABI_MAJOR 1
/** ABI minor: a plugin built against a newer minor is refused. */
#define GJ_PLUGIN_ABI_MINOR 2

/** Name of the symbol every plugin exports. */
#define GJ_PLUGIN_DESCRIPTOR_SYMBOL "gj_plugin_descriptor"

/** Levels for gj_host_api.log (same order as syslog's). */
enum gj_plugin_log_level {
	GJ_PLUGIN_LOG_ERR = 3,
	GJ_PLUGIN_LOG_WARNING = 4,
	GJ_PLUGIN_LOG_NOTICE = 5,
	GJ_PLUGIN_LOG_INFO = 6,
	GJ_PLUGIN_LOG_DEBUG = 7,
};

/** Why an escalation policy is called. */
enum gj_plugin_alert_kind {
	GJ_PLUGIN_ALERT_WARN = 1,   /**< a clock reached its warning point */
	GJ_PLUGIN_ALERT_BREACH = 2, /**< a clock passed its target */
};

/** A key/value pair (fields of a ticket a plugin opens). */
struct gj_plugin_kv {
	const char *key;
	const char *value;
};

/**
 * A clock warned or breached. Strings belong to the host and are valid only
 * during the call.
 */
struct gj_plugin_alert {
	uint64_t ticket_id;
	const char *estate;
	const char *workflow;
	uint32_t workflow_version;
	const char *clock;      /**< name of the clock in the workflow */
	const char *rule;       /**< rulebook rule the clock implements */
	enum gj_plugin_alert_kind kind;
	uint32_t level;         /**< escalation level reached so far, 0 first */
	int64_t deadline_ms;    /**< target, ms since the epoch */
	int64_t now_ms;         /**< the daemon's clock at the call */
	int64_t late_ms;        /**< now_ms - deadline_ms, negative for a warning */
	const char *state;      /**< current state of the ticket */
};

/**
 * A ticket moved. Strings belong to the host and are valid only during the
 * call.
 */
struct gj_plugin_transition {
	uint64_t ticket_id;
	const char *estate;
	const char *workflow;
	uint32_t workflow_version;
	const char *event;      /**< event that moved the ticket */
	const char *from_state;
	const char *to_state;
	const char *person;     /**< actor */
	const char *role;       /**< actor's role */
	const char *rule;       /**< rulebook rule, or NULL */
	int64_t at_ms;          /**< time of the transition, ms since the epoch */
};

/**
 * A plugin clock fell due (ABI 1.1).  Plugin clocks belong to a ticket and
 * a plugin; each is consumed in the same transaction that calls on_clock,
 * so a clock fires exactly once, also across restarts.
 */
struct gj_plugin_clock {
	uint64_t ticket_id;
	const char *estate;
	const char *workflow;
	uint32_t workflow_version;
	const char *name;       /**< as given to arm_clock */
	const char *state;      /**< current state of the ticket */
	int64_t at_ms;          /**< when it was armed for */
	int64_t now_ms;         /**< the daemon's clock at the call */
};

/**
 * A command about to be applied (ABI 1.1): check_event may refuse it.
 * Nothing has been written yet.  For an open, ticket_id is 0, event is
 * "open" and from_state is NULL.  fields are the command's fields (not yet
 * on the ticket); ticket fields already stored are read with
 * get_ticket_field.
 */
struct gj_plugin_check {
	uint64_t ticket_id;
	const char *estate;
	const char *workflow;
	uint32_t workflow_version;
	const char *event;
	const char *from_state;
	const char *to_state;
	const char *person;
	const char *role;
	const struct gj_plugin_kv *fields;
	size_t n_fields;
	int64_t now_ms;
};

/** Called once per ticket by list_tickets; return non-zero to stop. */
typedef int (*gj_plugin_ticket_fn)(void *arg, uint64_t ticket_id);

/** Called once per estate by list_estates; return non-zero to stop. */
typedef int (*gj_plugin_estate_fn)(void *arg, const char *estate);

/**
 * A plugin timer fell due (ABI 1.2).  Plugin timers belong to the plugin,
 * not to a ticket; each is consumed in the transaction that calls
 * on_timer, so it fires once, also across restarts.  One missed while the
 * daemon was down fires at its start: now_ms - at_ms says how late.
 */
struct gj_plugin_timer {
	const char *name;       /**< as given to arm_timer */
	int64_t at_ms;          /**< when it was armed for */
	int64_t now_ms;         /**< the daemon's clock at the call */
};

/** Kinds of day for day_kind (ABI 1.2). */
enum gj_plugin_day_kind {
	GJ_PLUGIN_DAY_WORKING = 1,  /**< a working weekday */
	GJ_PLUGIN_DAY_MAKEUP = 2,   /**< a weekend day worked instead of a holiday (调休) */
	GJ_PLUGIN_DAY_WEEKEND = 3,  /**< a weekend day */
	GJ_PLUGIN_DAY_HOLIDAY = 4,  /**< a public holiday rest day (weekend days inside one too) */
};

/**
 * What the host offers a plugin. Every function takes the host_ctx given to
 * init first and returns 0 or a negative errno unless said otherwise. The
 * version fields come first so that a plugin can check which functions exist.
 *
 * Functions that read or change tickets, timers or stored values work
 * inside the daemon's current transaction and may only be called from a
 * callback (on_alert, on_transition, on_clock, on_timer, on_start,
 * check_event; check_event may only read): from init or fini they return
 * -EAGAIN.  Everything a callback does commits or
 * is lost together with what triggered it.
 *
 * Pseudo-fields get_ticket_field answers besides the ticket's own fields
 * (1.1): "id", "state", "estate", "workflow", "rule", "opened_at" and
 * "updated_at" (ISO 8601), "opened_by", "closed" ("true"/"false"), and per
 * workflow clock "clock.<id>.state" (idle, running, stopped, paused),
 * "clock.<id>.deadline" (ISO 8601, "" when not running),
 * "clock.<id>.warned" and "clock.<id>.breached" ("true"/"false").
 */
struct gj_host_api {
	uint32_t abi_major;
	uint32_t abi_minor;

	/**
	 * Read a field of a ticket into @p buf (NUL-terminated).
	 * @return 0, -ENOENT (no such ticket or field), -ENOSPC (buf too small)
	 */
	int (*get_ticket_field)(void *ctx, uint64_t ticket_id, const char *field,
	                        char *buf, size_t len);
	/** Raise an alert on @p clock of a ticket to the @p n @p roles. */
	int (*raise_alert)(void *ctx, uint64_t ticket_id, const char *clock,
	                   uint32_t level, const char *const roles[], size_t n,
	                   const char *message);
	/** Fire a workflow event on a ticket on behalf of @p person in @p role. */
	int (*fire_event)(void *ctx, uint64_t ticket_id, const char *event,
	                  const char *person, const char *role);
	/** Open a ticket of @p workflow on @p estate with @p n fields. */
	int (*open_ticket)(void *ctx, const char *workflow, const char *estate,
	                   const struct gj_plugin_kv kv[], size_t n,
	                   uint64_t *ret_id);
	/** Append a note to the history of a ticket. */
	int (*append_history)(void *ctx, uint64_t ticket_id, const char *note);
	/** Arm (or move) a plugin clock of a ticket to @p at_ms. */
	int (*arm_clock)(void *ctx, uint64_t ticket_id, const char *clock_name,
	                 int64_t at_ms);
	/** Cancel a plugin clock of a ticket. */
	int (*cancel_clock)(void *ctx, uint64_t ticket_id, const char *clock_name);
	/**
	 * Read the plugin's configuration.
	 * @return the value (owned by the host, valid until fini) or NULL
	 */
	const char *(*config_get)(void *ctx, const char *key);
	/** Log a line through the daemon's log (enum gj_plugin_log_level). */
	void (*log)(void *ctx, int level, const char *fmt, ...)
		__attribute__((format(printf, 3, 4)));

	/* --- 1.1 --- */

	/** Set (or overwrite) a field of a ticket (no transition, no history). */
	int (*set_ticket_field)(void *ctx, uint64_t ticket_id, const char *field,
	                        const char *value);
	/**
	 * The close of the @p n th working day after the date of @p from_ms on
	 * the calendar of @p estate ("within n working days").
	 * @param ret_provisional set when a year without calendar data was
	 *        counted (may be NULL)
	 */
	int (*working_days_deadline)(void *ctx, const char *estate, int64_t from_ms,
	                             int32_t n, int64_t *ret_ms,
	                             int *ret_provisional);
	/**
	 * Publish a notice to the journal under the topic
	 * "notice.<estate>.<plugin>.<name>": a readable @p text and the
	 * tickets it is about.
	 */
	int (*publish)(void *ctx, const char *estate, const char *name,
	               const char *text, const uint64_t ticket_ids[], size_t n);
	/**
	 * Call @p fn for every ticket matching the filters (NULL or "": any),
	 * in id order; open tickets only when @p open_only.
	 */
	int (*list_tickets)(void *ctx, const char *estate, const char *workflow,
	                    const char *state, int open_only,
	                    gj_plugin_ticket_fn fn, void *arg);

	/* --- 1.2 --- */

	/** Arm (or move) the plugin timer @p name to @p at_ms. */
	int (*arm_timer)(void *ctx, const char *name, int64_t at_ms);
	/** Cancel a plugin timer. @return 0 or -ENOENT */
	int (*cancel_timer)(void *ctx, const char *name);
	/**
	 * Read the plugin's own durable value of @p key into @p buf.
	 * @return 0, -ENOENT (never set), -ENOSPC (buf too small)
	 */
	int (*kv_get)(void *ctx, const char *key, char *buf, size_t len);
	/** Set (value non-NULL, at most 1024 bytes) or delete (NULL) a value. */
	int (*kv_put)(void *ctx, const char *key, const char *value);
	/**
	 * The kind of a day (enum gj_plugin_day_kind) on the estate's calendar.
	 * @param ret_known set to 0 when the calendar has no data for the year
	 *        (may be NULL)
	 * @return the kind (> 0), or -EINVAL for a bad date
	 */
	int (*day_kind)(void *ctx, const char *estate, int y, int m, int d, int *ret_known);
	/** Call @p fn for every estate the daemon serves (its estates file). */
	int (*list_estates)(void *ctx, gj_plugin_estate_fn fn, void *arg);
	/** The estate calendar's offset from UTC in minutes (480 for +08:00). */
	int (*utc_offset)(void *ctx, const char *estate, int *ret_minutes);
};

/**
 * What a plugin exports under the name `gj_plugin_descriptor`. The version
 * fields come first: the host reads them before anything else.
 */
struct gj_plugin_descriptor {
	uint32_t abi_major;      /**< GJ_PLUGIN_ABI_MAJOR at build time */
	uint32_t abi_minor;      /**< GJ_PLUGIN_ABI_MINOR at build time */
	const char *name;        /**< required, unique among loaded plugins */
	const char *description; /**< one line, may be NULL */

	/**
	 * Called once after the ABI check.
	 * @param host the host's function table, valid until fini
	 * @param host_ctx first argument of every host function
	 * @param ret_state what the other callbacks receive
	 * @return 0 or a negative errno: the plugin is then refused
	 */
	int (*init)(const struct gj_host_api *host, void *host_ctx,
	            void **ret_state);
	/** Called once before unloading; may be NULL. */
	void (*fini)(void *state);
	/**
	 * A clock warned or breached; may be NULL.
	 * @return 0 (the workflow's own alert is raised too), 1 (handled: it is
	 *         not; ABI 1.1) or -errno
	 */
	int (*on_alert)(void *state, const struct gj_plugin_alert *alert);
	/** A ticket moved; may be NULL. @return 0 or -errno */
	int (*on_transition)(void *state, const struct gj_plugin_transition *tr);

	/** A plugin clock of this plugin fell due; may be NULL (1.1). */
	int (*on_clock)(void *state, const struct gj_plugin_clock *clock);
	/**
	 * May this command be applied?  May be NULL (1.1).  Called for every
	 * open and fire before anything is written.
	 * @param why where to write, for a refusal, a sentence for the person
	 *        who sent the command
	 * @return 0 to allow, -EPERM to refuse (with @p why), other -errno on
	 *         failure (the command is refused as an internal error)
	 */
	int (*check_event)(void *state, const struct gj_plugin_check *check,
	                   char *why, size_t why_len);

	/** A plugin timer of this plugin fell due; may be NULL (1.2). */
	int (*on_timer)(void *state, const struct gj_plugin_timer *timer);
	/**
	 * Once per daemon start, inside the first transaction, before any
	 * deadline fires: arm timers, catch up on what was missed while the
	 * daemon was down.  May be NULL (1.2).
	 */
	int (*on_start)(void *state, int64_t now_ms);

	/** Reserved for later minors: leave NULL. */
	void *spare[4];
};

/** Marks the descriptor as exported even under -fvisibility=hidden. */
#define GJ_PLUGIN_EXPORT __attribute__((visibility("default")))

/** Fill the version fields of a descriptor with those of this header. */
#define GJ_PLUGIN_ABI_VERSION .abi_major = GJ_PLUGIN_ABI_MAJOR, \
	.abi_minor = GJ_PLUGIN_ABI_MINOR

#ifdef __cplusplus
}
#endif
