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
#define GJ_PLUGIN_ABI_MINOR 0

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
 * What the host offers a plugin. Every function takes the host_ctx given to
 * init first and returns 0 or a negative errno unless said otherwise. The
 * version fields come first so that a plugin can check which functions exist.
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
	/** A clock warned or breached; may be NULL. @return 0 or -errno */
	int (*on_alert)(void *state, const struct gj_plugin_alert *alert);
	/** A ticket moved; may be NULL. @return 0 or -errno */
	int (*on_transition)(void *state, const struct gj_plugin_transition *tr);

	/** Reserved for later minors: leave NULL. */
	void *spare[8];
};

/** Marks the descriptor as exported even under -fvisibility=hidden. */
#define GJ_PLUGIN_EXPORT __attribute__((visibility("default")))

/** Fill the version fields of a descriptor with those of this header. */
#define GJ_PLUGIN_ABI_VERSION .abi_major = GJ_PLUGIN_ABI_MAJOR, \
	.abi_minor = GJ_PLUGIN_ABI_MINOR

#ifdef __cplusplus
}
#endif
