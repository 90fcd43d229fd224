/*
 * engine_priv.h - what the engine's files (engine.c, commands.c, clocks.c,
 * queries.c) share.  Not for use outside the engine.
 */
#pragma once

#include "engine.h"

#include <stdarg.h>

#include "guanjia.pb-c.h"

struct reply_slot {
	void *tag;
	uint8_t *buf;
	size_t len;
	bool mutating;          /**< replaced by a refusal if the commit fails */
	char *request_id;
};

struct gj_host;

struct gj_engine {
	struct gj_host *host;   /**< plugins and estates (host*.c, duty.c); may be NULL */
	int hook_depth;         /**< plugin callbacks nested inside each other */
	bool recomputed;        /**< provisional deadlines looked at since the start */
	bool recompute_done;    /**< ... in this batch (recomputed once it commits) */
	bool next_due_known;    /**< next_due was read in the last committed batch */
	/** clocks the current command could not start, "clock (no field)", for its reply */
	char unstarted[8][160];
	size_t n_unstarted;
	int64_t next_due;       /**< the earliest due entry then (INT64_MAX: none) */
	struct gj_store *store;
	const struct gj_workflows *wfs;
	struct gj_engine_config cfg;
	struct gj_txn txn;      /**< the batch transaction */
	struct gj_txn *cur;     /**< where commands write: the batch's transaction */
	bool in_batch;
	bool map_full;          /**< a write of this batch found the map full */
	int failed;             /**< a storage error spoilt the batch's transaction */
	int64_t batch_now;      /**< the clock when the batch began */
	uint64_t batch_serial;  /**< counts batches begun (for per-batch memories) */
	uint64_t last_seq;      /**< newest journal sequence number */
	int64_t now;
	int64_t started_at;

	struct reply_slot *replies;
	size_t n_replies, cap_replies;
	struct gj_engine_reply *out_replies;
	struct gj_engine_record *outbox;
	size_t n_outbox, cap_outbox;
};

/** A refusal raised while applying a command. */
struct gj_refusal {
	int code;               /**< Guanjia__ErrorCode */
	char *message;          /**< malloc'd */
};

int gj_refuse(struct gj_refusal *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/** strdup into a protobuf string slot (freeing what was there). */
int gj_pb_set_str(char **slot, const char *v);
/** A ticket field's value or NULL. */
const char *gj_ticket_field(const Guanjia__Ticket *tk, const char *name);
/** Set (or add) a ticket field. */
int gj_ticket_set_field(Guanjia__Ticket *tk, const char *name, const char *value);

/** Append a journal record (seq and time filled in) to the store and outbox. */
int gj_engine_journal(struct gj_engine *eng, Guanjia__Record *rec);

/** Append a history entry to a ticket (its seq is the ticket's history_len). */
int gj_engine_history(struct gj_engine *eng, Guanjia__Ticket *tk,
		      Guanjia__HistoryEntry *e);

/* clocks.c */
/** Start/stop the ticket's clocks after `event` (and entering `entered`, may be NULL). */
int gj_clocks_on_event(struct gj_engine *eng, Guanjia__Ticket *tk,
		       const struct gj_workflow *wf, const char *event,
		       const char *entered, struct gj_refusal *ret_refusal);
/** The deadline of a clock of `def` started at `start` (0: cannot start). */
int64_t gj_clocks_deadline_from(struct gj_engine *eng, const Guanjia__Ticket *tk,
				const struct gj_wf_clock *def, int64_t start,
				bool *ret_provisional);
/** Move a running clock's deadline (due index, journal, history with `why`). */
int gj_clocks_move(struct gj_engine *eng, Guanjia__Ticket *tk, size_t idx,
		   const struct gj_wf_clock *def, int64_t deadline, bool provisional,
		   const char *why);
/** Fire one due entry (warning or breach). */
int gj_clocks_fire(struct gj_engine *eng, const struct gj_due *d);

/** Who does something: a request's actor, or a plugin acting. */
struct gj_who {
	const char *person;
	const char *role;
	const char *channel;    /**< may be NULL */
	const char *request_id; /**< may be NULL */
	bool plugin;            /**< a plugin acting for the daemon (set by host_api.c only) */
};

/* deadlines.c */
/** Recompute running deadlines under the calendars loaded now. */
int gj_cmd_recompute(struct gj_engine *eng, const Guanjia__Request *req,
		     Guanjia__Reply *reply, struct gj_refusal *ref);
/** Recompute provisional deadlines whose years now have calendar data
 * (run once at start, inside the first batch). */
int gj_recompute_provisional(struct gj_engine *eng);
/** How each deadline of a ticket was derived. */
int gj_query_explain(struct gj_engine *eng, const Guanjia__Request *req,
		     Guanjia__Reply *reply, struct gj_refusal *ref);

/* commands.c */
/** Open a ticket; on success *ret_tk is the stored ticket (caller frees). */
int gj_apply_open(struct gj_engine *eng, const struct gj_who *who,
		  const Guanjia__OpenTicket *op, struct gj_refusal *ref,
		  Guanjia__Ticket **ret_tk);
/** Fire an event; on success *ret_tk is the stored ticket and *ret_from
 * (when not NULL) the state it left (caller frees both). */
int gj_apply_fire(struct gj_engine *eng, const struct gj_who *who,
		  const Guanjia__FireEvent *fe, struct gj_refusal *ref,
		  Guanjia__Ticket **ret_tk, char **ret_from);
int gj_cmd_open(struct gj_engine *eng, const Guanjia__Request *req,
		Guanjia__Reply *reply, struct gj_refusal *ref);
int gj_cmd_fire(struct gj_engine *eng, const Guanjia__Request *req,
		Guanjia__Reply *reply, struct gj_refusal *ref);

/* host_calls.c and duty.c: the plugins' side of the engine, the estates and rosters */
/** A command about to be applied, for the plugins' check_event. */
struct gj_host_check {
	uint64_t ticket_id;             /**< 0 for an open */
	const char *estate;
	const struct gj_workflow *wf;
	const char *event;
	const char *from;               /**< NULL for an open */
	const char *to;
	const struct gj_who *who;
	Guanjia__Field *const *fields;
	size_t n_fields;
};
/** Let the plugins refuse a command before anything is written. */
int gj_host_check_event(struct gj_engine *eng, const struct gj_host_check *chk,
			struct gj_refusal *ref);
/** May a ticket be opened in this estate?  (Any, when no estates are listed.) */
int gj_host_check_estate(struct gj_engine *eng, const char *estate, struct gj_refusal *ref);
/** Is this person on the estate's roster in this role?  (0 when the estate
 * has no roster, or for customers' roles.) */
int gj_host_check_roster(struct gj_engine *eng, const char *estate,
			 const struct gj_who *who, struct gj_refusal *ref);
/** gj_host_check_roster for one estate, or (estate NULL) every estate listed. */
int gj_host_check_roster_all(struct gj_engine *eng, const char *estate, const struct gj_who *who,
			     struct gj_refusal *ref);
/** The ticket was stored after `event`: tell the plugins.  *tkp is
 * re-read when a plugin may have changed it. */
int gj_host_after_transition(struct gj_engine *eng, Guanjia__Ticket **tkp,
			     const char *event, const char *from,
			     const struct gj_who *who);
/** A workflow clock warned or breached (the ticket is stored): tell the
 * plugins. *ret_handled: a plugin raised its own alert instead. */
int gj_host_on_alert(struct gj_engine *eng, const Guanjia__Ticket *tk,
		     const Guanjia__Clock *c, bool breach, bool *ret_handled);
/** A plugin timer fell due (its due entry already consumed). */
int gj_host_fire_timer(struct gj_engine *eng, const struct gj_due *d);
/** Tell the plugins the daemon started (once, in the first batch). */
int gj_host_on_start(struct gj_engine *eng);
/** A plugin clock fell due (its due entry already consumed). */
int gj_host_fire_clock(struct gj_engine *eng, const struct gj_due *d);
/** Journal an alert (filling in who is on duty from the roster). */
int gj_alert_journal(struct gj_engine *eng, const Guanjia__Ticket *tk, Guanjia__Alert *al,
		     const char *topic);
/** Tell admin_hr that a deadline was counted into a year the estate's
 * calendar has no data for (`what` says which deadline; tk may be NULL). */
int gj_alert_provisional(struct gj_engine *eng, const Guanjia__Ticket *tk, const char *estate,
			 const char *clock, const char *rule, int64_t deadline,
			 const char *plugin, const char *what);
/** A calendar by id, or NULL. */
const struct gj_calendar *gj_host_calendar_by_id(const struct gj_engine *eng, const char *id);
/** The calendar of an estate (the default calendar when it names none). */
const struct gj_calendar *gj_host_calendar(const struct gj_engine *eng, const char *estate);

/* queries.c */
int gj_query_get(struct gj_engine *eng, const Guanjia__Request *req,
		 Guanjia__Reply *reply, struct gj_refusal *ref);
int gj_query_list(struct gj_engine *eng, const Guanjia__Request *req,
		  Guanjia__Reply *reply, struct gj_refusal *ref);
int gj_query_replay(struct gj_engine *eng, const Guanjia__Request *req,
		    Guanjia__Reply *reply, struct gj_refusal *ref);
int gj_query_status(struct gj_engine *eng, Guanjia__Reply *reply);
int gj_query_calendar(struct gj_engine *eng, const Guanjia__Request *req,
		      Guanjia__Reply *reply, struct gj_refusal *ref);
/** Fill in what a reply shows but the store does not keep: the workflow's
 * title and each clock's roles to notify. */
int gj_ticket_decorate(Guanjia__Ticket *tk, const struct gj_workflow *wf);

/** Frees what a query put into reply (tickets, records, status). */
void gj_query_reply_finish(Guanjia__Reply *reply);

/** A storage error spoils the batch: it will not commit and is run again
 * (after the map is grown when it was full). */
void gj_engine_spoil(struct gj_engine *eng, int rc);

/** "a, b, c" of a list of ids in buf (truncated to fit), "(none)" when empty. */
void gj_join_ids(char *buf, size_t len, const char *const *v, size_t n);

/** Valid identifier: [a-z0-9_] (and '-' when dash), 1..max bytes. */
bool gj_valid_id(const char *s, size_t max, bool dash);

/** Largest reply we build (fits any nanomsg peer's default 1 MiB limit). */
#define GJ_MAX_REPLY (900 * 1024)
