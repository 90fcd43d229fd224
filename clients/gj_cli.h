/*
 * gj_cli.h - what the files of the gj tool share (not part of libguanjia):
 * the parsed command line, the context a command runs in, exit statuses,
 * and the helpers every command uses to talk to the daemon and report.
 *
 * gj.c parses the arguments, holds the command and option tables, the help
 * texts and main(); the commands live in gj_tickets.c (open, fire, show,
 * list), gj_journal.c (watch, replay), gj_admin.c (clock, status,
 * calendar, explain, recompute), gj_report.c (report) and, one file each,
 * the front-line commands gj_post.c (guard posts), gj_jobs.c (engineering)
 * and gj_today.c (butlers and team leaders).  A command returns its exit
 * status.
 *
 * Adding a command: a value in enum gj_cmd_id, a row in gj.c's command
 * table (name, usage, help, run function), its options' rows in gj.c's
 * option table, and the run function declared at the end of this file.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "guanjia.h"
#include "json.h"

/* Exit statuses of gj. */
enum {
	EXIT_DONE = 0,          /* APPLIED or ALREADY_APPLIED */
	EXIT_FAIL = 1,          /* refused, or failed */
	EXIT_USAGE = 2,
	EXIT_UNREACHABLE = 3,   /* guanjiad cannot be reached */
};

#define GJ_CLI_PAGE 1000           /* tickets or records asked for per request */
#define GJ_CLI_PROBE_TIMEOUT_MS 3000

enum gj_cmd_id {
	CMD_OPEN,
	CMD_FIRE,
	CMD_SHOW,
	CMD_LIST,
	CMD_WATCH,
	CMD_REPLAY,
	CMD_CLOCK,
	CMD_STATUS,
	CMD_CALENDAR,
	CMD_EXPLAIN,
	CMD_RECOMPUTE,
	CMD_REPORT,
	CMD_POST,
	CMD_JOBS,
	CMD_TODAY,
	CMD_HELP,
	N_CMDS,
};

enum gj_opt_id {
	O_DATA,
	O_CONNECT,
	O_EVENTS,
	O_AS,
	O_ROLE,
	O_CHANNEL,
	O_JSON,
	O_TIMEOUT,
	O_HELP,
	O_VERSION,
	O_ESTATE,
	O_NOTE,
	O_WORKFLOW,
	O_STATE,
	O_OVERDUE,
	O_OPEN,
	O_LIMIT,
	O_AFTER,
	O_FROM,
	O_COUNT,
	O_PREFIX,
	O_CALENDAR,
	O_APPLY,
	O_MONTH,
	O_CSV,
	O_POST,
	O_DATE,
	O_ALL,
	O_REASON,
	O_UNTIL,
	N_OPTS,
};

struct gj_ctx;

struct gj_command {
	const char *name;
	enum gj_cmd_id id;
	const char *usage;  /* what follows "gj NAME"; '\n' continues it on a new line */
	const char *help;
	int (*run)(struct gj_ctx *x);  /* NULL for help, which gj.c answers itself */
};

/* The command line: options may come anywhere, positional arguments in order
 * (pos[0] is the command's name). */
struct gj_args {
	const char *values[N_OPTS]; /* last value given; "" for a flag; NULL: absent */
	const char *given_as[N_OPTS];
	const char **pos;
	size_t n_pos;
};

struct gj_ctx {
	const struct gj_args *a;
	const struct gj_command *cmd;
	bool json;
	int timeout_ms;             /* reply timeout */
	char *data_dir;
	char *cmd_url;              /* set by gj_cli_connect() */
	struct gj_client *client;   /* set by gj_cli_connect() */
	struct gj_json *j;
};

/** "gj: MESSAGE" on stderr. */
void gj_cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/**
 * "gj: MESSAGE" and the command's usage line on stderr.
 * @return EXIT_USAGE
 */
int gj_cli_usage_error(const struct gj_ctx *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * "LEADgj NAME USAGE" and a newline; a usage of several lines (split by
 * '\n') goes on indented under its first word.
 */
void gj_cli_put_usage(FILE *f, const char *lead, const struct gj_command *c);

/** A decimal number without sign. @return 0 or -EINVAL */
int gj_cli_parse_u64(const char *s, uint64_t *ret);

/**
 * A number option >= min; absent: dflt.
 * @return 0, or EXIT_USAGE (said why)
 */
int gj_cli_opt_u64(const struct gj_ctx *x, enum gj_opt_id id, uint64_t min, uint64_t dflt,
		   uint64_t *ret);

/** A ticket number ("12" or "#12"). @return 0, or EXIT_USAGE (said why) */
int gj_cli_parse_ticket(const struct gj_ctx *x, const char *s, uint64_t *ret);

/** Every string is "name=value" with a name. @return 0, or EXIT_USAGE (said why) */
int gj_cli_check_kv(const struct gj_ctx *x, const char *const *kv, size_t n);

/** A role was given (--role or GJ_ROLE). @return 0, or EXIT_USAGE (said why) */
int gj_cli_need_role(const struct gj_ctx *x);

/** Say url cannot be reached (r: the negative errno). @return EXIT_UNREACHABLE */
int gj_cli_unreachable(const char *url, int r);

/**
 * Connect x->client to the command socket (--connect, else the data
 * directory's), with the actor and timeout of the command line.  Says at
 * once when nothing listens there.
 * @return 0, or the exit status (said why)
 */
int gj_cli_connect(struct gj_ctx *x);

/**
 * After a call: did the daemon do it?  Prints the reason when not (and, with
 * --json, a refused reply on stdout).
 * @param r what the gj_client_* call returned
 * @param want the result the reply must carry, or GUANJIA__REPLY__RESULT__NOT_SET
 * @return 0 when the daemon did it, else the exit status
 */
int gj_cli_check_reply(struct gj_ctx *x, int r, const Guanjia__Reply *reply,
		       Guanjia__Reply__ResultCase want);

/** The reply as one line of JSON on stdout. @return 0 or EXIT_FAIL (said why) */
int gj_cli_print_reply_json(struct gj_ctx *x, const Guanjia__Reply *reply);

/**
 * puts() a malloc'd line and free it; NULL means allocation failed.
 * @return 0 or EXIT_FAIL (said why)
 */
int gj_cli_print_line(char *line);

/* ------------------------------------------- helpers of the front-line commands */

/** Milliseconds in a day. */
#define GJ_CLI_DAY_MS 86400000LL

/**
 * Every ticket a list filter matches, fetched page by page; the tickets
 * point into the replies.  Zero-initialise; fetching again appends.
 */
struct gj_cli_tickets {
	const Guanjia__Ticket **v;
	size_t n;
	int64_t now;                /* the daemon's clock at the last page */
	Guanjia__Reply **replies;
	size_t n_replies;
};

/**
 * Append every ticket filter matches (its after_id and limit are ignored).
 * @return 0, or the exit status (said why)
 */
int gj_cli_fetch_tickets(struct gj_ctx *x, const Guanjia__ListTickets *filter,
			 struct gj_cli_tickets *t);

/** Free what gj_cli_fetch_tickets() fetched. */
void gj_cli_tickets_finish(struct gj_cli_tickets *t);

/** The value of a ticket's field, or NULL when it has none. */
const char *gj_cli_field(const Guanjia__Ticket *t, const char *name);

/**
 * A date "YYYY-MM-DD" (a real one): the start of that day at
 * GJ_DEFAULT_UTC_OFFSET_MIN.  @return 0 or -EINVAL
 */
int gj_cli_parse_date(const char *s, int64_t *ret_day_start);

/** The start of the day (at GJ_DEFAULT_UTC_OFFSET_MIN) that ms falls in. */
int64_t gj_cli_day_start(int64_t ms);

/** "YYYY-MM-DD" of the day ms falls in; buf needs 11 bytes. */
void gj_cli_date(int64_t ms, char *buf, size_t len);

/** "HH:MM" when ms falls in the day starting at day_start, else
 * "YYYY-MM-DD HH:MM"; buf needs 17 bytes. */
void gj_cli_when(int64_t ms, int64_t day_start, char *buf, size_t len);

/** "10m00s left" or "LATE by 5m00s" at now. */
void gj_cli_left(int64_t deadline, int64_t now, char *buf, size_t len);

/** Print the JSON document built in x->j as one line. @return 0 or EXIT_FAIL */
int gj_cli_print_json(struct gj_ctx *x);

/**
 * A table of text cells printed in aligned columns (CJK characters count
 * two columns wide); the last column is not padded.  Zero-initialise with
 * n_cols set; cells are copied.
 */
struct gj_cli_table {
	size_t n_cols;
	char **cells;
	size_t n_rows;
	size_t cap;
	bool oom;
};

/** Add a row of t->n_cols strings (NULL prints as "-"). */
void gj_cli_table_row(struct gj_cli_table *t, ...);

/**
 * Print the rows, each line starting with indent, and free them.
 * @return 0 or EXIT_FAIL (out of memory, said)
 */
int gj_cli_table_print(struct gj_cli_table *t, const char *indent);

/* The commands (exit status out). */
int gj_run_open(struct gj_ctx *x);      /* gj_tickets.c */
int gj_run_fire(struct gj_ctx *x);
int gj_run_show(struct gj_ctx *x);
int gj_run_list(struct gj_ctx *x);
int gj_run_watch(struct gj_ctx *x);     /* gj_journal.c */
int gj_run_replay(struct gj_ctx *x);
int gj_run_clock(struct gj_ctx *x);     /* gj_admin.c */
int gj_run_status(struct gj_ctx *x);
int gj_run_calendar(struct gj_ctx *x);
int gj_run_explain(struct gj_ctx *x);
int gj_run_recompute(struct gj_ctx *x);
int gj_run_report(struct gj_ctx *x);    /* gj_report.c */
int gj_run_post(struct gj_ctx *x);      /* gj_post.c */
int gj_run_jobs(struct gj_ctx *x);      /* gj_jobs.c */
int gj_run_today(struct gj_ctx *x);     /* gj_today.c */
