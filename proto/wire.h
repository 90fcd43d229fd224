/*
 * wire.h - conventions shared by the daemon and every client: where the
 * sockets are, the protocol's limits, time in text.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define GJ_PROTOCOL_VERSION 1

/* Limits a client must respect; the daemon refuses anything larger. */
#define GJ_MAX_MESSAGE        (64 * 1024)  /**< one packed Request */
#define GJ_MAX_REQUEST_ID     64
#define GJ_MAX_NAME           64           /**< person, role, channel, ids, field names */
#define GJ_MAX_FIELD_VALUE    1024
#define GJ_MAX_NOTE           4096
#define GJ_MAX_FIELDS         32           /**< per command */
#define GJ_MAX_TICKET_FIELDS  64           /**< on one ticket */
#define GJ_MAX_HISTORY        10000        /**< entries per ticket */

/* File names of the sockets inside the data directory. */
#define GJ_CMD_SOCKET   "cmd.ipc"
#define GJ_EVENT_SOCKET "events.ipc"

/**
 * The data directory: `explicit_dir` if given, else $GUANJIA_DATA, else
 * /var/lib/guanjia for root and $XDG_STATE_HOME/guanjia (or
 * ~/.local/state/guanjia) for others.
 * @return a malloc'd path, or NULL on allocation failure.
 */
char *gj_data_dir(const char *explicit_dir);

/** "ipc://DIR/cmd.ipc" and "ipc://DIR/events.ipc" (malloc'd). */
char *gj_cmd_url(const char *data_dir);
char *gj_event_url(const char *data_dir);

/**
 * Parse an ISO 8601 time such as "2026-10-09T10:00:00+08:00",
 * "2026-10-09T02:00:00Z" or "2026-10-09 10:00" (no offset: +08:00).
 * @return 0 or -EINVAL.
 */
int gj_time_parse(const char *text, int64_t *ret_ms);

/**
 * Format ms since the epoch as "2026-10-09T10:00:00+08:00" at the given
 * UTC offset in minutes (480 for China).  buf needs 32 bytes.
 */
void gj_time_format(int64_t ms, int offset_min, char *buf, size_t len);

/** Format a duration in ms as "1h05m", "4m30s", "250ms" (sign kept). */
void gj_duration_format(int64_t ms, char *buf, size_t len);

/** The real clock: ms since 1970-01-01 UTC. */
int64_t gj_realtime_ms(void);

/** The display offset used until estates carry their time zone: +08:00. */
#define GJ_DEFAULT_UTC_OFFSET_MIN 480
