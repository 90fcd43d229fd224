/*
 * gj.c - the gj command-line tool: open and fire tickets, look at them,
 * follow the journal, move a manual clock.  `gj --help` lists everything.
 *
 * Exit status: 0 done (APPLIED or ALREADY_APPLIED), 1 refused or failed,
 * 2 usage error, 3 guanjiad cannot be reached.  Errors go to stderr as
 * "gj: <message>"; results go to stdout, as text or (--json) as one JSON
 * document per line.
 */
#include "gj_print.h"
#include "guanjia.h"
#include "json.h"
#include "wire.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GJ_VERSION
#define GJ_VERSION "unknown"
#endif

enum {
	EXIT_DONE = 0,
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_UNREACHABLE = 3,
};

#define PAGE 1000   /* tickets or records asked for per request */
#define PROBE_TIMEOUT_MS 3000

enum cmd_id {
	CMD_OPEN,
	CMD_FIRE,
	CMD_SHOW,
	CMD_LIST,
	CMD_WATCH,
	CMD_REPLAY,
	CMD_CLOCK,
	CMD_STATUS,
	CMD_CALENDAR,
	CMD_HELP,
	N_CMDS,
};

#define M(c) (1u << (c))
#define ALL_CMDS ((1u << N_CMDS) - 1)

struct command {
	const char *name;
	enum cmd_id id;
	const char *usage;  /* what follows "gj NAME" */
	const char *help;
};

static const struct command commands[] = {
	{ "open", CMD_OPEN, "WORKFLOW [field=value ...] [--estate E] [--note TEXT]",
	  "Open a ticket of WORKFLOW (e.g. r17_repair) and print its id (just the number).\n"
	  "Needs --role (or GJ_ROLE).\n"
	  "  field=value    set a ticket field (the value may be empty or contain '=')\n"
	  "  --estate E     the estate (default: the daemon's default estate)\n"
	  "  --note TEXT    a note for the ticket's history\n" },
	{ "fire", CMD_FIRE, "TICKET EVENT [field=value ...] [--note TEXT]",
	  "Fire EVENT on ticket TICKET and print the ticket's new state line:\n"
	  "  ID WORKFLOW [ESTATE] STATE[ (closed)][; CLOCK (RULE) LEFT left, due TIME ...]\n"
	  "Needs --role (or GJ_ROLE).\n"
	  "  field=value    set or overwrite a ticket field\n"
	  "  --note TEXT    a note for the ticket's history\n" },
	{ "show", CMD_SHOW, "TICKET",
	  "Show a ticket: workflow, estate, state, fields, clocks (rule, state, deadline,\n"
	  "time left or how late, warned/breached) and history (time, person/role,\n"
	  "event, from -> to, note).\n" },
	{ "list", CMD_LIST,
	  "[--estate E] [--workflow W] [--state S] [--overdue] [--open] [--limit N] [--after ID]",
	  "List tickets, one line each (as `gj fire` prints them).\n"
	  "  --estate E, --workflow W, --state S   only those\n"
	  "  --overdue      only tickets with a breached running clock\n"
	  "  --open         only tickets not in a final state\n"
	  "  --limit N      at most N tickets (default 100); if more match, stderr says\n"
	  "                 how to continue\n"
	  "  --after ID     only tickets with an id greater than ID (paging)\n" },
	{ "watch", CMD_WATCH, "[PREFIX] [--from SEQ] [--count N] [--timeout MS]",
	  "Print journal records as they happen, one line each, in sequence order;\n"
	  "messages the event socket dropped are fetched with replay.\n"
	  "  PREFIX         only topics starting so, e.g. alert. or transition.e1.\n"
	  "                 (also --prefix P)\n"
	  "  --from SEQ     start at record SEQ (default: records after now)\n"
	  "  --count N      exit (status 0) after N records\n"
	  "  --timeout MS   exit (status 0) after MS without a record (default: never);\n"
	  "                 for watch this replaces the reply timeout\n" },
	{ "replay", CMD_REPLAY, "[PREFIX] [--from SEQ] [--prefix P] [--limit N]",
	  "Print records from the journal, one line each, up to the newest.\n"
	  "  --from SEQ     first record (default 1)\n"
	  "  --prefix P     only topics starting with P (same as PREFIX)\n"
	  "  --limit N      at most N records\n" },
	{ "clock", CMD_CLOCK, "[now | advance DURATION]",
	  "`gj clock advance DURATION` moves a daemon started with a manual clock\n"
	  "forward (DURATION: 10m, 1h30m, 2d, 90s, 500ms) and prints the new time;\n"
	  "every deadline on the way fires at its own instant.\n"
	  "`gj clock` (or `gj clock now`) prints the daemon's time.\n" },
	{ "status", CMD_STATUS, "",
	  "Show the daemon's version, clock, journal, ticket counts, next deadline,\n"
	  "sockets and workflows.\n" },
	{ "calendar", CMD_CALENDAR, "add DATE N | show YEAR",
	  "Ask the daemon's working-day calendar.\n"
	  "`gj calendar add DATE N` prints the last day of \"within N working days\"\n"
	  "from DATE (counting from the day after DATE; due at that day's close),\n"
	  "e.g. what a butler tells an owner about a deposit refund (R10).\n"
	  "`gj calendar show YEAR` lists the year's rest days on weekdays and its\n"
	  "make-up working days on weekends.\n" },
	{ "help", CMD_HELP, "[COMMAND]", "Show the help of gj or of one command.\n" },
};

enum opt_id {
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
	N_OPTS,
};

struct opt_spec {
	const char *name;
	enum opt_id id;
	bool has_arg;
	unsigned cmds;      /* the commands it applies to */
};

static const struct opt_spec opt_specs[] = {
	{ "data", O_DATA, true, ALL_CMDS },
	{ "connect", O_CONNECT, true, ALL_CMDS },
	{ "events", O_EVENTS, true, ALL_CMDS },
	{ "as", O_AS, true, ALL_CMDS },
	{ "role", O_ROLE, true, ALL_CMDS },
	{ "channel", O_CHANNEL, true, ALL_CMDS },
	{ "json", O_JSON, false, ALL_CMDS },
	{ "timeout", O_TIMEOUT, true, ALL_CMDS },
	{ "help", O_HELP, false, ALL_CMDS },
	{ "version", O_VERSION, false, ALL_CMDS },
	{ "estate", O_ESTATE, true, M(CMD_OPEN) | M(CMD_LIST) },
	{ "note", O_NOTE, true, M(CMD_OPEN) | M(CMD_FIRE) },
	{ "workflow", O_WORKFLOW, true, M(CMD_LIST) },
	{ "state", O_STATE, true, M(CMD_LIST) },
	{ "overdue", O_OVERDUE, false, M(CMD_LIST) },
	{ "open", O_OPEN, false, M(CMD_LIST) },
	{ "limit", O_LIMIT, true, M(CMD_LIST) | M(CMD_REPLAY) },
	{ "after", O_AFTER, true, M(CMD_LIST) },
	{ "from", O_FROM, true, M(CMD_WATCH) | M(CMD_REPLAY) },
	{ "count", O_COUNT, true, M(CMD_WATCH) },
	{ "prefix", O_PREFIX, true, M(CMD_WATCH) | M(CMD_REPLAY) },
};

#define N_SPECS (sizeof(opt_specs) / sizeof(opt_specs[0]))

struct args {
	const char *values[N_OPTS]; /* last value given; "" for a flag; NULL: absent */
	const char *given_as[N_OPTS];
	const char **pos;
	size_t n_pos;
};

struct ctx {
	const struct args *a;
	const struct command *cmd;
	bool json;
	int timeout_ms;             /* reply timeout */
	char *data_dir;
	char *cmd_url;
	struct gj_client *client;
	struct gj_json *j;
};

static void err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void err(const char *fmt, ...)
{
	va_list ap;

	fputs("gj: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fputs("usage: gj [OPTIONS] COMMAND [ARGS]\n"
	      "\n"
	      "Talk to guanjiad, the property-management SLA daemon.\n"
	      "\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  gj %s%s%s\n", commands[i].name, commands[i].usage[0] ? " " : "",
			commands[i].usage);
	fputs("\n"
	      "Options (before or after the command):\n"
	      "  --data DIR       data directory of the daemon (default: $GUANJIA_DATA,\n"
	      "                   else /var/lib/guanjia for root, else\n"
	      "                   $XDG_STATE_HOME/guanjia or ~/.local/state/guanjia)\n"
	      "  --connect URL    command socket, e.g. tcp://host:7001\n"
	      "                   (default: ipc://DIR/cmd.ipc)\n"
	      "  --events URL     event socket (default: ipc://DIR/events.ipc; with\n"
	      "                   --connect: the one the daemon reports)\n"
	      "  --as PERSON      who you are (default: $GJ_AS, else $USER)\n"
	      "  --role ROLE      the role you act in (default: $GJ_ROLE); open and fire\n"
	      "                   need one: butler, cs_lead, manager, engineering, ...\n"
	      "  --channel TEXT   where the command comes from (default: gj)\n"
	      "  --json           print JSON: one document per line (the daemon's reply;\n"
	      "                   one record per line for watch and replay)\n"
	      "  --timeout MS     wait this long for a reply (default 10000, -1: forever)\n"
	      "  --help, -h       this text; `gj COMMAND --help` for one command\n"
	      "  --version        print the version\n"
	      "\n"
	      "Exit status: 0 done, 1 refused or failed, 2 usage error,\n"
	      "3 guanjiad cannot be reached.\n", f);
}

static void command_help(FILE *f, const struct command *c)
{
	fprintf(f, "usage: gj %s%s%s\n\n%s\n", c->name, c->usage[0] ? " " : "", c->usage, c->help);
	fputs("Options of every command: --data DIR, --connect URL, --events URL, --as PERSON,\n"
	      "--role ROLE, --channel TEXT, --json, --timeout MS (see gj --help).\n", f);
}

static const struct command *find_command(const char *name)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static const struct opt_spec *find_opt(const char *name, size_t len)
{
	for (size_t i = 0; i < N_SPECS; i++)
		if (strlen(opt_specs[i].name) == len && strncmp(opt_specs[i].name, name, len) == 0)
			return &opt_specs[i];
	return NULL;
}

/* Options may come anywhere; "--" ends them. */
static int parse_args(int argc, char **argv, struct args *a)
{
	bool options = true;

	a->pos = calloc((size_t)argc + 1, sizeof(*a->pos));
	if (!a->pos) {
		err("out of memory");
		return EXIT_FAIL;
	}
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i], *name, *eq, *value = NULL;
		const struct opt_spec *spec;
		size_t len;

		if (!options || arg[0] != '-' || arg[1] == '\0') {
			a->pos[a->n_pos++] = arg;
			continue;
		}
		if (strcmp(arg, "--") == 0) {
			options = false;
			continue;
		}
		if (strcmp(arg, "-h") == 0) {
			a->values[O_HELP] = "";
			continue;
		}
		if (arg[1] != '-') {
			err("unknown option '%s' (gj --help lists them)", arg);
			return EXIT_USAGE;
		}
		name = arg + 2;
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		spec = find_opt(name, len);
		if (!spec) {
			err("unknown option '--%.*s' (gj --help lists them)", (int)len, name);
			return EXIT_USAGE;
		}
		if (spec->has_arg) {
			if (eq) {
				value = eq + 1;
			} else if (i + 1 < argc) {
				value = argv[++i];
			} else {
				err("option --%s needs a value", spec->name);
				return EXIT_USAGE;
			}
		} else {
			if (eq) {
				err("option --%s takes no value", spec->name);
				return EXIT_USAGE;
			}
			value = "";
		}
		a->values[spec->id] = value;
		a->given_as[spec->id] = spec->name;
	}
	return EXIT_DONE;
}

static int usage_error(const struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int usage_error(const struct ctx *x, const char *fmt, ...)
{
	va_list ap;

	fputs("gj: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: gj %s%s%s\n", x->cmd->name, x->cmd->usage[0] ? " " : "",
		x->cmd->usage);
	return EXIT_USAGE;
}

static int parse_u64(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* A number option >= min; absent: dflt. */
static int opt_u64(const struct ctx *x, enum opt_id id, uint64_t min, uint64_t dflt, uint64_t *ret)
{
	const char *v = x->a->values[id];

	if (!v) {
		*ret = dflt;
		return 0;
	}
	if (parse_u64(v, ret) < 0 || *ret < min)
		return usage_error(x, "--%s wants a whole number >= %llu, not '%s'", x->a->given_as[id],
				   (unsigned long long)min, v);
	return 0;
}

static int parse_ticket(const struct ctx *x, const char *s, uint64_t *ret)
{
	if (s[0] == '#')
		s++;
	if (parse_u64(s, ret) < 0 || *ret == 0)
		return usage_error(x, "TICKET is a ticket number, not '%s'", s);
	return 0;
}

static int check_kv(const struct ctx *x, const char *const *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');

		if (!eq || eq == kv[i])
			return usage_error(x, "expected field=value, not '%s'", kv[i]);
	}
	return 0;
}

static int need_role(const struct ctx *x)
{
	const char *role = x->a->values[O_ROLE];

	if (!role || !*role) {
		err("say who you are acting as: --role ROLE (or GJ_ROLE)");
		return EXIT_USAGE;
	}
	return 0;
}

static int unreachable(const char *url, int r)
{
	err("cannot reach guanjiad at %s: %s: is it running? (start it with scripts/run)", url,
	    strerror(-r));
	return EXIT_UNREACHABLE;
}

static int connect_daemon(struct ctx *x)
{
	const struct args *a = x->a;
	const char *connect = a->values[O_CONNECT];
	int r;

	x->cmd_url = connect ? strdup(connect) : gj_cmd_url(x->data_dir);
	if (!x->cmd_url) {
		err("out of memory");
		return EXIT_FAIL;
	}
	/* Say "not running" at once rather than after the timeout. */
	r = gj_url_probe(x->cmd_url, x->timeout_ms < 0 || x->timeout_ms > PROBE_TIMEOUT_MS ?
				     PROBE_TIMEOUT_MS : x->timeout_ms);
	if (r < 0 && r != -EOPNOTSUPP)
		return unreachable(x->cmd_url, r);
	r = gj_client_connect(x->cmd_url, &x->client);
	if (r < 0)
		return unreachable(x->cmd_url, r);
	r = gj_client_set_actor(x->client, a->values[O_AS], a->values[O_ROLE], a->values[O_CHANNEL]);
	if (r < 0) {
		err("out of memory");
		return EXIT_FAIL;
	}
	gj_client_set_timeout(x->client, x->timeout_ms);
	return 0;
}

static int print_reply_json(struct ctx *x, const Guanjia__Reply *reply)
{
	int r = gj_print_json_message(stdout, x->j, &reply->base);

	if (r < 0) {
		err("cannot print JSON: %s", strerror(-r));
		return EXIT_FAIL;
	}
	return 0;
}

/* After a call: 0 when the daemon did it, else the exit status, with the
 * reason printed. */
static int check_reply(struct ctx *x, int r, const Guanjia__Reply *reply,
		       Guanjia__Reply__ResultCase want)
{
	if (r == -ETIMEDOUT) {
		err("no answer from guanjiad at %s within %d ms: is it running? (start it with scripts/run)",
		    x->cmd_url, x->timeout_ms);
		return EXIT_UNREACHABLE;
	}
	if (r == -EMSGSIZE) {
		err("the command is larger than %d bytes", GJ_MAX_MESSAGE);
		return EXIT_FAIL;
	}
	if (r == -EPROTO) {
		err("guanjiad at %s sent a reply gj cannot read", x->cmd_url);
		return EXIT_FAIL;
	}
	if (r < 0) {
		err("talking to guanjiad at %s: %s", x->cmd_url, strerror(-r));
		return r == -ENOMEM || r == -EINVAL ? EXIT_FAIL : EXIT_UNREACHABLE;
	}
	if (reply->outcome == GUANJIA__OUTCOME__REFUSED) {
		if (x->json)
			print_reply_json(x, reply);
		err("refused (%s): %s", gj_error_code_name(reply->code), reply->message);
		return EXIT_FAIL;
	}
	if (reply->outcome != GUANJIA__OUTCOME__APPLIED &&
	    reply->outcome != GUANJIA__OUTCOME__ALREADY_APPLIED) {
		err("guanjiad answered with outcome %s", gj_outcome_name(reply->outcome));
		return EXIT_FAIL;
	}
	if (want != GUANJIA__REPLY__RESULT__NOT_SET && reply->result_case != want) {
		err("guanjiad's reply carries no result");
		return EXIT_FAIL;
	}
	return 0;
}

static int print_line(char *line)
{
	if (!line) {
		err("out of memory");
		return EXIT_FAIL;
	}
	puts(line);
	free(line);
	return 0;
}

static int cmd_open(struct ctx *x)
{
	const struct args *a = x->a;
	Guanjia__Reply *reply = NULL;
	int rc, r;

	if (a->n_pos < 2)
		return usage_error(x, "open needs a WORKFLOW");
	rc = check_kv(x, a->pos + 2, a->n_pos - 2);
	if (!rc)
		rc = need_role(x);
	if (!rc)
		rc = connect_daemon(x);
	if (rc)
		return rc;
	r = gj_client_open(x->client, a->pos[1], a->values[O_ESTATE], a->pos + 2, a->n_pos - 2,
			   a->values[O_NOTE], &reply);
	rc = check_reply(x, r, reply, GUANJIA__REPLY__RESULT_TICKET);
	if (!rc) {
		if (x->json)
			rc = print_reply_json(x, reply);
		else
			printf("%llu\n", (unsigned long long)reply->ticket->id);
	}
	gj_reply_free(reply);
	return rc;
}

static int cmd_fire(struct ctx *x)
{
	const struct args *a = x->a;
	Guanjia__Reply *reply = NULL;
	uint64_t ticket;
	int rc, r;

	if (a->n_pos < 3)
		return usage_error(x, "fire needs a TICKET and an EVENT");
	rc = parse_ticket(x, a->pos[1], &ticket);
	if (!rc)
		rc = check_kv(x, a->pos + 3, a->n_pos - 3);
	if (!rc)
		rc = need_role(x);
	if (!rc)
		rc = connect_daemon(x);
	if (rc)
		return rc;
	r = gj_client_fire(x->client, ticket, a->pos[2], a->pos + 3, a->n_pos - 3,
			   a->values[O_NOTE], &reply);
	rc = check_reply(x, r, reply, GUANJIA__REPLY__RESULT_TICKET);
	if (!rc) {
		if (x->json)
			rc = print_reply_json(x, reply);
		else
			rc = print_line(gj_ticket_line(reply->ticket, reply->now));
	}
	gj_reply_free(reply);
	return rc;
}

static int cmd_show(struct ctx *x)
{
	const struct args *a = x->a;
	Guanjia__Reply *reply = NULL;
	uint64_t ticket;
	int rc, r;

	if (a->n_pos != 2)
		return usage_error(x, "show needs one TICKET");
	rc = parse_ticket(x, a->pos[1], &ticket);
	if (!rc)
		rc = connect_daemon(x);
	if (rc)
		return rc;
	r = gj_client_get(x->client, ticket, true, &reply);
	rc = check_reply(x, r, reply, GUANJIA__REPLY__RESULT_TICKET);
	if (!rc) {
		if (x->json)
			rc = print_reply_json(x, reply);
		else
			gj_print_ticket(stdout, reply->ticket, reply->now);
	}
	gj_reply_free(reply);
	return rc;
}

/* gj list --json: {"now":..., "tickets":[...], "more":bool}, pages joined. */
static int cmd_list(struct ctx *x)
{
	const struct args *a = x->a;
	Guanjia__ListTickets filter = GUANJIA__LIST_TICKETS__INIT;
	Guanjia__Reply *reply = NULL;
	uint64_t limit, after, shown = 0, last_id;
	bool more = false;
	int64_t now = 0;
	int rc, r;

	if (a->n_pos != 1)
		return usage_error(x, "list takes no arguments, only options");
	rc = opt_u64(x, O_LIMIT, 1, 100, &limit);
	if (!rc)
		rc = opt_u64(x, O_AFTER, 0, 0, &after);
	if (!rc)
		rc = connect_daemon(x);
	if (rc)
		return rc;
	if (a->values[O_ESTATE])
		filter.estate = (char *)a->values[O_ESTATE];
	if (a->values[O_WORKFLOW])
		filter.workflow = (char *)a->values[O_WORKFLOW];
	if (a->values[O_STATE])
		filter.state = (char *)a->values[O_STATE];
	filter.overdue_only = a->values[O_OVERDUE] != NULL;
	filter.open_only = a->values[O_OPEN] != NULL;
	last_id = after;
	if (x->json) {
		gj_json_object_begin(x->j);
		gj_json_key(x->j, "tickets");
		gj_json_array_begin(x->j);
	}
	while (shown < limit) {
		filter.after_id = last_id;
		filter.limit = (uint32_t)(limit - shown < PAGE ? limit - shown : PAGE);
		r = gj_client_list(x->client, &filter, &reply);
		rc = check_reply(x, r, reply, GUANJIA__REPLY__RESULT_TICKETS);
		if (rc)
			goto out;
		now = reply->now;
		for (size_t i = 0; i < reply->tickets->n_tickets && shown < limit; i++) {
			const Guanjia__Ticket *t = reply->tickets->tickets[i];

			if (x->json)
				gj_json_message(x->j, &t->base);
			else if ((rc = print_line(gj_ticket_line(t, now))))
				goto out;
			last_id = t->id;
			shown++;
		}
		more = reply->tickets->more;
		if (!more || reply->tickets->n_tickets == 0)
			break;
		gj_reply_free(reply);
		reply = NULL;
	}
	if (x->json) {
		gj_json_array_end(x->j);
		gj_json_key(x->j, "more");
		gj_json_bool(x->j, more);
		gj_json_key(x->j, "now");
		gj_json_int(x->j, now);
		gj_json_object_end(x->j);
		r = gj_print_json(stdout, x->j);
		if (r < 0) {
			err("cannot print JSON: %s", strerror(-r));
			rc = EXIT_FAIL;
			goto out;
		}
	}
	if (more)
		err("more tickets match: continue with --after %llu", (unsigned long long)last_id);
out:
	gj_reply_free(reply);
	return rc;
}

static int print_record(struct ctx *x, const Guanjia__Record *rec)
{
	int r;

	if (x->json) {
		r = gj_print_json_message(stdout, x->j, &rec->base);
		if (r < 0) {
			err("cannot print JSON: %s", strerror(-r));
			return EXIT_FAIL;
		}
	} else {
		r = print_line(gj_record_line(rec));
		if (r)
			return r;
	}
	fflush(stdout);
	return 0;
}

/* A daemon bound to tcp://(star):PORT reports that as its event URL; a client
 * reaches it at the host it used for the command socket. */
static char *derive_event_url(const char *cmd_url, const char *reported)
{
	const char *wild[] = { "tcp://*:", "tcp://0.0.0.0:", "tcp://[::]:", "tcp://::" };
	const char *host, *end;
	char *out = NULL;

	if (strncmp(cmd_url, "tcp://", 6) != 0)
		return strdup(reported);
	for (size_t i = 0; i < sizeof(wild) / sizeof(wild[0]); i++) {
		size_t n = strlen(wild[i]);

		if (strncmp(reported, wild[i], n) != 0 || (i == 3 && reported[n] != ':'))
			continue;
		host = cmd_url + 6;
		if (strchr(host, ';'))
			host = strchr(host, ';') + 1;
		end = strrchr(host, ':');
		if (!end)
			break;
		if (asprintf(&out, "tcp://%.*s:%s", (int)(end - host), host,
			     strrchr(reported, ':') + 1) < 0)
			return NULL;
		return out;
	}
	return strdup(reported);
}

static int event_url(struct ctx *x, char **ret)
{
	Guanjia__Reply *reply = NULL;
	int rc, r;

	if (x->a->values[O_EVENTS]) {
		*ret = strdup(x->a->values[O_EVENTS]);
	} else if (!x->a->values[O_CONNECT]) {
		*ret = gj_event_url(x->data_dir);
	} else {
		r = gj_client_status(x->client, &reply);
		rc = check_reply(x, r, reply, GUANJIA__REPLY__RESULT_STATUS);
		if (rc) {
			gj_reply_free(reply);
			return rc;
		}
		*ret = derive_event_url(x->cmd_url, reply->status->event_url);
		gj_reply_free(reply);
	}
	if (!*ret) {
		err("out of memory");
		return EXIT_FAIL;
	}
	return 0;
}

static int cmd_watch(struct ctx *x)
{
	const struct args *a = x->a;
	const char *prefix = a->values[O_PREFIX] ? a->values[O_PREFIX] : "";
	struct gj_sub *sub = NULL;
	Guanjia__Record *rec;
	uint64_t from, count, seen = 0;
	int idle, rc, r;
	char *ev_url = NULL;

	if (a->n_pos > 2)
		return usage_error(x, "watch takes at most one PREFIX");
	if (a->n_pos == 2)
		prefix = a->pos[1];
	rc = opt_u64(x, O_FROM, 1, 0, &from);
	if (!rc)
		rc = opt_u64(x, O_COUNT, 1, 0, &count);
	if (rc)
		return rc;
	/* For watch, --timeout is how long to wait for the next record; the
	 * replies of replays keep the default timeout. */
	idle = a->values[O_TIMEOUT] ? x->timeout_ms : -1;
	x->timeout_ms = GJ_CLIENT_DEFAULT_TIMEOUT_MS;
	rc = connect_daemon(x);
	if (!rc)
		rc = event_url(x, &ev_url);
	if (rc)
		goto out;
	r = gj_url_probe(ev_url, PROBE_TIMEOUT_MS);
	if (r < 0 && r != -EOPNOTSUPP) {
		rc = unreachable(ev_url, r);
		goto out;
	}
	r = gj_sub_open(ev_url, x->cmd_url, prefix, from, &sub);
	if (r == -ETIMEDOUT || r == -ECONNREFUSED || r == -ENOENT) {
		rc = unreachable(x->cmd_url, r);
		goto out;
	}
	if (r < 0) {
		err("cannot subscribe to %s: %s", ev_url, strerror(-r));
		rc = r == -EINVAL || r == -EPROTO || r == -ENOMEM ? EXIT_FAIL : EXIT_UNREACHABLE;
		goto out;
	}
	while (!count || seen < count) {
		r = gj_sub_next(sub, idle, &rec);
		if (r == -ETIMEDOUT)
			break;
		if (r == -ECOMM) {
			err("guanjiad at %s does not answer the replay that fills a gap in the journal",
			    x->cmd_url);
			rc = EXIT_UNREACHABLE;
			goto out;
		}
		if (r < 0) {
			err("watching %s: %s", ev_url, strerror(-r));
			rc = EXIT_FAIL;
			goto out;
		}
		rc = print_record(x, rec);
		gj_record_free(rec);
		if (rc)
			goto out;
		seen++;
	}
out:
	gj_sub_destroy(sub);
	free(ev_url);
	return rc;
}

static int cmd_replay(struct ctx *x)
{
	const struct args *a = x->a;
	const char *prefix = a->values[O_PREFIX] ? a->values[O_PREFIX] : "";
	Guanjia__Reply *reply = NULL;
	uint64_t from, limit, shown = 0;
	int rc, r;

	if (a->n_pos > 2)
		return usage_error(x, "replay takes at most one PREFIX");
	if (a->n_pos == 2)
		prefix = a->pos[1];
	rc = opt_u64(x, O_FROM, 1, 1, &from);
	if (!rc)
		rc = opt_u64(x, O_LIMIT, 1, 0, &limit);
	if (!rc)
		rc = connect_daemon(x);
	if (rc)
		return rc;
	for (;;) {
		uint32_t ask = PAGE;
		const Guanjia__RecordList *list;
		bool done;

		if (limit && limit - shown < ask)
			ask = (uint32_t)(limit - shown);
		r = gj_client_replay(x->client, from, ask, prefix, &reply);
		rc = check_reply(x, r, reply, GUANJIA__REPLY__RESULT_RECORDS);
		if (rc)
			break;
		list = reply->records;
		for (size_t i = 0; i < list->n_records && !rc; i++, shown++)
			rc = print_record(x, list->records[i]);
		done = rc || (limit && shown >= limit) || list->next_seq <= from ||
		       list->next_seq > list->last_seq;
		from = list->next_seq;
		gj_reply_free(reply);
		reply = NULL;
		if (done)
			break;
	}
	gj_reply_free(reply);
	return rc;
}

static int cmd_clock(struct ctx *x)
{
	const struct args *a = x->a;
	const char *sub = a->n_pos > 1 ? a->pos[1] : "now";
	Guanjia__Reply *reply = NULL;
	char buf[40];
	int64_t by = 0;
	int rc, r;

	if (strcmp(sub, "advance") == 0) {
		if (a->n_pos != 3)
			return usage_error(x, "clock advance needs one DURATION");
		r = gj_duration_parse(a->pos[2], &by);
		if (r < 0 || by <= 0)
			return usage_error(x, "DURATION is a positive duration such as 10m, 1h30m, 2d, 90s; not '%s'",
					   a->pos[2]);
	} else if (strcmp(sub, "now") != 0 || a->n_pos > 2) {
		return usage_error(x, "clock takes 'advance DURATION' or 'now'");
	}
	rc = connect_daemon(x);
	if (rc)
		return rc;
	if (by)
		r = gj_client_advance(x->client, by, &reply);
	else
		r = gj_client_status(x->client, &reply);
	rc = check_reply(x, r, reply, GUANJIA__REPLY__RESULT__NOT_SET);
	if (!rc) {
		if (x->json) {
			rc = print_reply_json(x, reply);
		} else {
			int64_t now = reply->result_case == GUANJIA__REPLY__RESULT_STATUS ?
					      reply->status->now : reply->now;

			gj_time_format(now, GJ_DEFAULT_UTC_OFFSET_MIN, buf, sizeof(buf));
			puts(buf);
		}
	}
	gj_reply_free(reply);
	return rc;
}

static int cmd_status(struct ctx *x)
{
	Guanjia__Reply *reply = NULL;
	int rc, r;

	if (x->a->n_pos != 1)
		return usage_error(x, "status takes no arguments");
	rc = connect_daemon(x);
	if (rc)
		return rc;
	r = gj_client_status(x->client, &reply);
	rc = check_reply(x, r, reply, GUANJIA__REPLY__RESULT_STATUS);
	if (!rc) {
		if (x->json)
			rc = print_reply_json(x, reply);
		else
			gj_print_status(stdout, reply->status);
	}
	gj_reply_free(reply);
	return rc;
}

static int cmd_calendar(struct ctx *x)
{
	const struct args *a = x->a;
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__CalendarQuery q = GUANJIA__CALENDAR_QUERY__INIT;
	Guanjia__Reply *reply = NULL;
	char *end = NULL;
	int rc, r;

	if (a->n_pos == 4 && strcmp(a->pos[1], "add") == 0) {
		long n = strtol(a->pos[3], &end, 10);
		if (!*a->pos[3] || *end || n < 1 || n > 10000)
			return usage_error(x, "N is a number of working days from 1 to 10000, not '%s'",
					   a->pos[3]);
		q.date = (char *)a->pos[2];
		q.add = (int32_t)n;
	} else if (a->n_pos == 3 && strcmp(a->pos[1], "show") == 0) {
		long y = strtol(a->pos[2], &end, 10);
		if (!*a->pos[2] || *end || y < 1 || y > 9999)
			return usage_error(x, "YEAR is a year such as 2026, not '%s'", a->pos[2]);
		q.year = (int32_t)y;
	} else {
		return usage_error(x, "calendar takes 'add DATE N' or 'show YEAR'");
	}
	rc = connect_daemon(x);
	if (rc)
		return rc;
	req.command_case = GUANJIA__REQUEST__COMMAND_CALENDAR;
	req.calendar = &q;
	r = gj_client_call(x->client, &req, &reply);
	rc = check_reply(x, r, reply, GUANJIA__REPLY__RESULT_CALENDAR);
	if (!rc) {
		const Guanjia__CalendarInfo *ci = reply->calendar;
		if (x->json) {
			rc = print_reply_json(x, reply);
		} else if (q.year) {
			printf("calendar %s, %d: %d working days%s\n", ci->calendar, ci->year,
			       ci->working_days, ci->year_known ? "" : " (no data for this year: Monday to Friday assumed)");
			printf("rest days on weekdays (%zu):", ci->n_rest_days);
			for (size_t i = 0; i < ci->n_rest_days; i++)
				printf(" %s", ci->rest_days[i]);
			printf("\nmake-up working days (%zu):", ci->n_makeup_days);
			for (size_t i = 0; i < ci->n_makeup_days; i++)
				printf(" %s", ci->makeup_days[i]);
			printf("\n");
		} else {
			char when[40];
			gj_time_format(ci->deadline, GJ_DEFAULT_UTC_OFFSET_MIN, when, sizeof(when));
			printf("%s%s\n", ci->last_day,
			       ci->provisional ? " (provisional: the calendar has no data for a year counted)" : "");
			if (!x->json)
				fprintf(stderr, "%d working days after %s: the last is %s, due by its close %s (calendar %s)\n",
					q.add, q.date, ci->last_day, when, ci->calendar);
		}
	}
	gj_reply_free(reply);
	return rc;
}

static int run(struct ctx *x)
{
	switch (x->cmd->id) {
	case CMD_OPEN:
		return cmd_open(x);
	case CMD_FIRE:
		return cmd_fire(x);
	case CMD_SHOW:
		return cmd_show(x);
	case CMD_LIST:
		return cmd_list(x);
	case CMD_WATCH:
		return cmd_watch(x);
	case CMD_REPLAY:
		return cmd_replay(x);
	case CMD_CLOCK:
		return cmd_clock(x);
	case CMD_STATUS:
		return cmd_status(x);
	case CMD_CALENDAR:
		return cmd_calendar(x);
	default:
		return EXIT_USAGE;
	}
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

int main(int argc, char **argv)
{
	struct args a = { 0 };
	struct ctx x = { .a = &a, .timeout_ms = GJ_CLIENT_DEFAULT_TIMEOUT_MS };
	int rc;

	rc = parse_args(argc, argv, &a);
	if (rc)
		goto out;
	if (a.values[O_VERSION]) {
		printf("gj %s (protocol %d)\n", GJ_VERSION, GJ_PROTOCOL_VERSION);
		goto out;
	}
	if (a.n_pos == 0) {
		usage(a.values[O_HELP] ? stdout : stderr);
		rc = a.values[O_HELP] ? EXIT_DONE : EXIT_USAGE;
		goto out;
	}
	x.cmd = find_command(a.pos[0]);
	if (!x.cmd) {
		err("unknown command '%s' (gj --help lists them)", a.pos[0]);
		rc = EXIT_USAGE;
		goto out;
	}
	if (x.cmd->id == CMD_HELP) {
		const struct command *c = a.n_pos > 1 ? find_command(a.pos[1]) : NULL;

		if (a.n_pos > 1 && !c) {
			err("unknown command '%s' (gj --help lists them)", a.pos[1]);
			rc = EXIT_USAGE;
		} else if (c) {
			command_help(stdout, c);
		} else {
			usage(stdout);
		}
		goto out;
	}
	if (a.values[O_HELP]) {
		command_help(stdout, x.cmd);
		goto out;
	}
	for (size_t i = 0; i < N_SPECS; i++) {
		if (a.values[opt_specs[i].id] && !(opt_specs[i].cmds & M(x.cmd->id))) {
			rc = usage_error(&x, "--%s does not apply to %s", opt_specs[i].name,
					 x.cmd->name);
			goto out;
		}
	}
	if (!a.values[O_AS])
		a.values[O_AS] = env_or("GJ_AS", env_or("USER", "unknown"));
	if (!a.values[O_ROLE])
		a.values[O_ROLE] = env_or("GJ_ROLE", "");
	if (!a.values[O_CHANNEL])
		a.values[O_CHANNEL] = "gj";
	x.json = a.values[O_JSON] != NULL;
	if (a.values[O_TIMEOUT]) {
		char *end;
		long t;

		errno = 0;
		t = strtol(a.values[O_TIMEOUT], &end, 10);
		if (errno || *end || end == a.values[O_TIMEOUT] || t < -1 || t > INT32_MAX) {
			rc = usage_error(&x, "--timeout wants milliseconds (-1: forever), not '%s'",
					 a.values[O_TIMEOUT]);
			goto out;
		}
		x.timeout_ms = (int)t;
	}
	x.data_dir = gj_data_dir(a.values[O_DATA]);
	if (!x.data_dir || gj_json_create(&x.j) < 0) {
		err("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	rc = run(&x);
out:
	if (fflush(stdout) != 0 && rc == EXIT_DONE) {
		err("cannot write the output: %s", strerror(errno));
		rc = EXIT_FAIL;
	}
	gj_client_destroy(x.client);
	gj_json_destroy(x.j);
	free(x.cmd_url);
	free(x.data_dir);
	free(a.pos);
	return rc;
}
