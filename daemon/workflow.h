/*
 * workflow.h - workflows as data: the state machines tickets run on.
 *
 * A workflow is declared in YAML (etc/workflows/, see docs/configuration.md)
 * and loaded into the read-only structures below.  Loading checks everything
 * (unknown states, duplicate ids, bad targets, unknown roles, ...) and names
 * file, line and problem on the first error.  A set of workflows keeps every
 * version it was given, so that a ticket runs under the version it was opened
 * with.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** How a clock's target is counted. */
enum gj_target_unit {
	GJ_TARGET_DURATION = 0,     /**< minutes/hours round the clock: target_ms */
	GJ_TARGET_WORKING_DAYS,     /**< "<N>wd": N working days on the estate calendar,
	                                 target_count = N (gj_calendar_add_working_days()) */
	GJ_TARGET_WORKING_HOURS,    /**< "<N>wh": N working hours on the estate calendar,
	                                 target_count = N in hours, not minutes
	                                 (gj_calendar_add_working_hours() with N * 60) */
};

/** A list of strings (ids). */
struct gj_strv {
	char **v;
	size_t n;
};

struct gj_wf_state {
	char *id;
	char *title;        /**< may be NULL */
	bool final;         /**< a ticket in a final state is closed */
	int line;           /**< where it was declared */
};

struct gj_wf_event {
	char *id;
	char *title;            /**< may be NULL */
	struct gj_strv from;    /**< states it may be fired in; empty: any non-final state */
	char *to;               /**< NULL: stays in the same state */
	struct gj_strv roles;   /**< roles allowed to fire it; never empty */
	struct gj_strv requires;/**< fields that must be present (in the command or already on the ticket) */
	char *marks;            /**< field set to the time the event is fired, or NULL */
	int line;
};

struct gj_wf_clock {
	char *id;
	char *rule;                 /**< RULEBOOK id, defaults to the workflow's rule */
	char *title;                /**< may be NULL */
	struct gj_strv start_states;/**< starts when the ticket enters one of these */
	struct gj_strv start_events;/**< ... or when one of these events is fired */
	struct gj_strv stop_states; /**< stops when the ticket enters one of these */
	struct gj_strv stop_events; /**< ... or when one of these events is fired */
	struct gj_strv pause_states;/**< the clock is paused while the ticket is in these */
	enum gj_target_unit unit;
	int64_t target_ms;          /**< GJ_TARGET_DURATION: the target in ms */
	int32_t target_count;       /**< the other units: working days, or working
	                                 hours (not minutes); 1..10000 */
	char *target_text;          /**< as written: "10m", "8h", "3wd", "8wh" */
	int64_t warn_before_ms;     /**< 0: no warning */
	struct gj_strv notify_warn; /**< roles alerted on warning */
	struct gj_strv notify_breach;/**< roles alerted on breach; never empty */
	char *when_field;           /**< optional condition: only start when ticket field ... */
	char *when_equals;          /**< ... equals this value */
	bool when_negate;           /**< `not_equals:` was used: start unless it equals */
	char *deadline_field;       /**< deadline is the ISO 8601 time in this ticket
	                                 field instead of start + target (R19 reply_by) */
	int line;
};

struct gj_workflow {
	char *id;                   /**< [a-z0-9_]+, at most 48 bytes */
	uint32_t version;           /**< >= 1 */
	char *rule;                 /**< main RULEBOOK id, e.g. "R17" */
	char *title;
	char *initial;              /**< the state a new ticket is in */
	struct gj_strv open_roles;  /**< roles that may open one */
	struct gj_strv open_requires;/**< fields required when opening */
	struct gj_wf_state *states;
	size_t n_states;
	struct gj_wf_event *events;
	size_t n_events;
	struct gj_wf_clock *clocks; /**< at most 32 */
	size_t n_clocks;
	char *source_name;          /**< file name it came from */
	char *source_text;          /**< the YAML it was loaded from (kept to pin versions) */
	size_t source_len;
	bool retired;               /**< kept only for tickets opened under it: not
	                                 used for new tickets (see pin.c) */
	int line;                   /**< line of its `id:` (for messages) */
};

/** The known RULEBOOK role ids (NULL-terminated). */
extern const char *const gj_known_roles[];
bool gj_role_is_known(const char *role);

/** True when `s` is one of the list's strings. */
bool gj_strv_contains(const struct gj_strv *sv, const char *s);

/**
 * Parse a duration such as "90s", "10m", "1h30m", "8h", "2d".
 * @return 0, or -EINVAL when the text is not a duration.
 */
int gj_parse_duration(const char *text, int64_t *ret_ms);

/**
 * Load one workflow from YAML text.
 * @param name  shown in error messages (usually the file path)
 * @param ret_error on failure, a malloc'd "name:line: problem" message
 * @return 0, -EINVAL on a problem in the text, -ENOMEM.
 */
int gj_workflow_load_buffer(const char *name, const char *text, size_t len,
			    struct gj_workflow **ret, char **ret_error);

/** Same, from a file. -errno when it cannot be read. */
int gj_workflow_load_file(const char *path, struct gj_workflow **ret,
			  char **ret_error);

void gj_workflow_destroy(struct gj_workflow *wf);

const struct gj_wf_state *gj_workflow_state(const struct gj_workflow *wf,
					    const char *id);
const struct gj_wf_event *gj_workflow_event(const struct gj_workflow *wf,
					    const char *id);
/** Index of a clock, or -1. */
int gj_workflow_clock_index(const struct gj_workflow *wf, const char *id);

/** May `ev` be fired while the ticket is in `state`? */
bool gj_wf_event_allowed_in(const struct gj_workflow *wf,
			    const struct gj_wf_event *ev, const char *state);

/* --- a set of workflows, every version kept --- */

struct gj_workflows;

struct gj_workflows *gj_workflows_create(void);
void gj_workflows_destroy(struct gj_workflows *set);

/**
 * Add a workflow; the set takes ownership (also on failure, it destroys it).
 * @return 0, -EEXIST when the same id and version is already there
 * (ret_error says which files).
 */
int gj_workflows_add(struct gj_workflows *set, struct gj_workflow *wf,
		     char **ret_error);

/** Load every *.yaml / *.yml file of a directory (sorted by name). */
int gj_workflows_load_dir(struct gj_workflows *set, const char *dir,
			  char **ret_error);

/** Load the workflows compiled into the binary (etc/workflows/). */
int gj_workflows_load_embedded(struct gj_workflows *set, char **ret_error);

/** A workflow by id and version; version 0 means the newest one that is not
 * retired. NULL if none. */
const struct gj_workflow *gj_workflows_find(const struct gj_workflows *set,
					    const char *id, uint32_t version);

size_t gj_workflows_count(const struct gj_workflows *set);
/** The i-th workflow (sorted by id, then version). */
const struct gj_workflow *gj_workflows_at(const struct gj_workflows *set,
					  size_t i);
