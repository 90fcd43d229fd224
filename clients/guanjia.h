/*
 * guanjia.h - libguanjia, the C client library of guanjiad.
 *
 * Three parts:
 *  - commands (client.c): a nanomsg REQ socket to the daemon's command URL;
 *    one packed Request out, one packed Reply back;
 *  - the subscriber (subscribe.c): journal records from the PUB socket, in
 *    sequence order, each once, gaps filled with the `replay` command;
 *  - text (format.c): readable lines for records and tickets, durations.
 *
 * Every function returning int returns 0 or a negative errno; out
 * parameters are named ret_* and are left untouched on failure.  The library
 * never logs and never exits.  The message types come from guanjia.proto
 * (see docs/protocol.md); replies and records handed out are freed with
 * gj_reply_free() / gj_record_free().
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guanjia.pb-c.h"

/** Default time a command waits for its reply. */
#define GJ_CLIENT_DEFAULT_TIMEOUT_MS 10000

/* ---------------------------------------------------------------- commands */

struct gj_client;

/**
 * Open a REQ socket connected to the daemon's command URL.  Connecting is
 * asynchronous: this succeeds even when the daemon is not running yet (see
 * gj_url_probe() to ask).
 * @param url e.g. "ipc:///var/lib/guanjia/cmd.ipc" or "tcp://10.0.0.5:7001"
 * @param ret the new client, freed with gj_client_destroy()
 * @return 0, -EINVAL for a malformed address, -EPROTONOSUPPORT for an
 *         unknown transport, -ENAMETOOLONG, -ENOMEM, -errno
 */
int gj_client_connect(const char *url, struct gj_client **ret);

/** Close the socket and free the client.  Accepts NULL. */
void gj_client_destroy(struct gj_client *c);

/**
 * Set the actor sent with every request whose actor is NULL.  The strings
 * are copied; NULL leaves that part unchanged (initially all are empty, and
 * the daemon refuses requests without person or role).
 * @return 0 or -ENOMEM
 */
int gj_client_set_actor(struct gj_client *c, const char *person, const char *role,
			const char *channel);

/**
 * How long gj_client_call() waits for a reply, in ms; -1 waits forever.
 * The default is GJ_CLIENT_DEFAULT_TIMEOUT_MS.  The REQ socket resends an
 * unanswered request every 5 s with the same bytes (hence the same request
 * id), which the daemon answers as ALREADY_APPLIED if the first got through.
 */
void gj_client_set_timeout(struct gj_client *c, int timeout_ms);

/** The URL given to gj_client_connect(). */
const char *gj_client_url(const struct gj_client *c);

/**
 * Send one request and wait for its reply.
 *
 * When req->request_id is empty the client makes one up,
 * "<ms hex>-<random hex>-<counter hex>" (fixed widths, so ids of one client
 * sort in the order they were made); when req->actor is NULL the client's
 * actor is sent.  Both are filled only for the duration of the call: on
 * return req is as the caller left it, and the id that was used is
 * available from gj_client_last_request_id() (and in the reply).
 *
 * @param req the request; command_case and its member must be set
 * @param ret_reply the reply (look at ->outcome), freed with gj_reply_free()
 * @return 0 when a reply came (whatever its outcome), -ETIMEDOUT when none
 *         came in time, -EPROTO for an unparseable or mismatched reply,
 *         -EMSGSIZE when the packed request exceeds GJ_MAX_MESSAGE,
 *         -EINVAL for a request without a command, -errno otherwise
 */
int gj_client_call(struct gj_client *c, Guanjia__Request *req, Guanjia__Reply **ret_reply);

/** The request id of the last gj_client_call() ("" before the first). */
const char *gj_client_last_request_id(const struct gj_client *c);

/** Free a reply from gj_client_call().  Accepts NULL. */
void gj_reply_free(Guanjia__Reply *r);

/**
 * Open a ticket.
 * @param workflow workflow id, e.g. "r17_repair"
 * @param estate NULL or "" for the daemon's default estate
 * @param kv n_kv strings "name=value" (the value may be empty or contain '=')
 * @param note NULL or a note for the history
 * @return as gj_client_call(), or -EINVAL if a kv string has no '=' or an
 *         empty name (nothing is sent then)
 */
int gj_client_open(struct gj_client *c, const char *workflow, const char *estate,
		   const char *const *kv, size_t n_kv, const char *note,
		   Guanjia__Reply **ret_reply);

/**
 * Fire an event on a ticket; kv set or overwrite ticket fields.
 * @return as gj_client_open()
 */
int gj_client_fire(struct gj_client *c, uint64_t ticket, const char *event,
		   const char *const *kv, size_t n_kv, const char *note,
		   Guanjia__Reply **ret_reply);

/** Read one ticket, with its history if asked. @return as gj_client_call() */
int gj_client_get(struct gj_client *c, uint64_t ticket, bool with_history,
		  Guanjia__Reply **ret_reply);

/**
 * List tickets.
 * @param filter NULL for the first 100 tickets of any kind
 * @return as gj_client_call()
 */
int gj_client_list(struct gj_client *c, const Guanjia__ListTickets *filter,
		   Guanjia__Reply **ret_reply);

/**
 * Read journal records from from_seq on.
 * @param limit 0 for the daemon's default (1000)
 * @param prefix NULL or "" for every topic
 * @return as gj_client_call()
 */
int gj_client_replay(struct gj_client *c, uint64_t from_seq, uint32_t limit,
		     const char *prefix, Guanjia__Reply **ret_reply);

/** The daemon's status. @return as gj_client_call() */
int gj_client_status(struct gj_client *c, Guanjia__Reply **ret_reply);

/**
 * Move the daemon's manual clock forward (refused with NOT_MANUAL_CLOCK on a
 * daemon running on the real clock).
 * @return as gj_client_call()
 */
int gj_client_advance(struct gj_client *c, int64_t by_ms, Guanjia__Reply **ret_reply);

/**
 * Is anything listening at url?  For ipc:// and tcp:// URLs this tries a
 * plain connection (closed at once), so that a tool can say "not running"
 * at once rather than after a timeout.
 * @param timeout_ms how long a tcp connection may take
 * @return 0 when something accepted, -ENOENT / -ECONNREFUSED / -ETIMEDOUT /
 *         -EHOSTUNREACH ... when not, -EOPNOTSUPP for transports it cannot
 *         probe (the caller then just tries), -EINVAL for a malformed URL
 */
int gj_url_probe(const char *url, int timeout_ms);

/* -------------------------------------------------------------- subscriber */

struct gj_sub;

/**
 * Subscribe to journal records.
 *
 * The SUB socket takes every topic (4 MiB receive buffer) and filters
 * locally by prefix, so that every sequence number is seen and a gap means
 * a dropped message.  When cmd_url is not NULL, gaps are filled with replay
 * over a private REQ socket and, while no record arrives, a replay now and
 * then catches up with records published before the SUB connection was up
 * (or whose message was the last one and got dropped).
 *
 * Where delivery starts: from_seq > 0 starts at record from_seq (replayed;
 * needs cmd_url); from_seq == 0 with cmd_url starts after the newest record
 * at the time of this call (asked with `status`, so the daemon must answer:
 * -ETIMEDOUT otherwise); from_seq == 0 without cmd_url starts at the first
 * record received.
 *
 * @param event_url the daemon's PUB socket
 * @param cmd_url NULL, or the daemon's command socket for replays
 * @param prefix NULL or "" for every record, else e.g. "alert.e1."
 * @param ret the subscriber, freed with gj_sub_destroy()
 * @return 0, -EINVAL, -EPROTONOSUPPORT (as gj_client_connect()), -ENOMEM,
 *         -ETIMEDOUT (status not answered), -EPROTO (status refused), -errno
 */
int gj_sub_open(const char *event_url, const char *cmd_url, const char *prefix,
		uint64_t from_seq, struct gj_sub **ret);

/**
 * The next matching record, in sequence order, each sequence number once.
 * A replay may take up to GJ_CLIENT_DEFAULT_TIMEOUT_MS / 2 beyond timeout_ms.
 * @param timeout_ms how long to wait; -1 forever, 0 only what is there
 * @param ret_record freed with gj_record_free()
 * @return 0, -ETIMEDOUT when no record came in time, -ECOMM when a gap
 *         could not be filled because the command socket did not answer or
 *         refused (call again to retry; nothing is skipped), -ENOMEM
 */
int gj_sub_next(struct gj_sub *s, int timeout_ms, Guanjia__Record **ret_record);

/** The sequence number of the last record delivered or skipped (0: none). */
uint64_t gj_sub_last_seq(const struct gj_sub *s);

/** Free a record from gj_sub_next().  Accepts NULL. */
void gj_record_free(Guanjia__Record *r);

/** Close the sockets and free the subscriber.  Accepts NULL. */
void gj_sub_destroy(struct gj_sub *s);

/* -------------------------------------------------------------------- text */

/**
 * One readable line for a record (no newline), times at
 * GJ_DEFAULT_UTC_OFFSET_MIN, e.g.
 * "#12 2026-10-09T10:05:00+08:00 transition.e1.r17_repair.dispatched
 *  ticket 5: reported -[dispatch]-> dispatched by wang.fang (butler)".
 * @return a malloc'd string, NULL on allocation failure
 */
char *gj_record_line(const Guanjia__Record *r);

/**
 * One readable line for a ticket (no newline): id, workflow, estate, state,
 * and its running or paused clocks with the time left or how late they are
 * at `now` (use the daemon's Reply.now: its clock may be a manual one), e.g.
 * "5 r17_repair [e1] dispatched; respond (R17) 9m59s left, due 2026-...".
 * @return a malloc'd string, NULL on allocation failure
 */
char *gj_ticket_line(const Guanjia__Ticket *t, int64_t now);

/**
 * Parse a duration such as "10m", "1h30m", "2d", "90s", "250ms": one or
 * more <digits><unit> with units d, h, m, s, ms.
 * @return 0, -EINVAL for anything else, -ERANGE on overflow
 */
int gj_duration_parse(const char *text, int64_t *ret_ms);

/** "ILLEGAL_TRANSITION" for 9, ...; "?" for unknown values.  Never NULL. */
const char *gj_error_code_name(int code);

/** "APPLIED", "REFUSED", "ALREADY_APPLIED", ...; never NULL. */
const char *gj_outcome_name(int outcome);
