/*
 * gj.c - the gj command-line tool: open and fire tickets, look at them,
 * follow the journal, move a manual clock, ask the calendars, explain and
 * recompute deadlines.  `gj --help` lists everything.
 *
 * This file parses the command line and holds the command and option
 * tables, the help texts and main(); the commands themselves are in
 * gj_tickets.c, gj_journal.c, gj_admin.c and gj_report.c, the front-line
 * ones (the few words a guard post, a technician or a butler uses all day)
 * in gj_post.c, gj_jobs.c and gj_today.c, their shared helpers in
 * gj_cli.[ch].
 *
 * Exit status: 0 done (APPLIED or ALREADY_APPLIED), 1 refused or failed,
 * 2 usage error, 3 guanjiad cannot be reached.  Errors go to stderr as
 * "gj: <message>"; results go to stdout, as text or (--json) as one JSON
 * document per line.
 */
#include "gj_cli.h"
#include "wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GJ_VERSION
#define GJ_VERSION "unknown"
#endif

#define M(c) (1u << (c))
#define ALL_CMDS ((1u << N_CMDS) - 1)

static const struct gj_command commands[] = {
	{ "open", CMD_OPEN, "WORKFLOW [field=value ...] [--estate E] [--note TEXT]",
	  "Open a ticket of WORKFLOW (e.g. r17_repair) and print its id (just the number).\n"
	  "Needs --role (or GJ_ROLE).\n"
	  "  field=value    set a ticket field (the value may be empty or contain '=')\n"
	  "  --estate E     the estate (default: the daemon's default estate)\n"
	  "  --note TEXT    a note for the ticket's history\n",
	  gj_run_open },
	{ "fire", CMD_FIRE, "TICKET EVENT [field=value ...] [--note TEXT]",
	  "Fire EVENT on ticket TICKET and print the ticket's new state line:\n"
	  "  ID WORKFLOW [ESTATE] STATE[ (closed)][; CLOCK (RULE) LEFT left, due TIME ...]\n"
	  "Needs --role (or GJ_ROLE).\n"
	  "  field=value    set or overwrite a ticket field\n"
	  "  --note TEXT    a note for the ticket's history\n",
	  gj_run_fire },
	{ "show", CMD_SHOW, "TICKET",
	  "Show a ticket: workflow, estate, state, fields, clocks (rule, state, deadline,\n"
	  "time left or how late, warned/breached) and history (time, person/role,\n"
	  "event, from -> to, note).\n"
	  "`gj explain TICKET` says how each deadline was derived.\n",
	  gj_run_show },
	{ "list", CMD_LIST,
	  "[--estate E] [--workflow W] [--state S] [--overdue] [--open] [--limit N] [--after ID]",
	  "List tickets, one line each (as `gj fire` prints them).\n"
	  "  --estate E, --workflow W, --state S   only those\n"
	  "  --overdue      only tickets with a breached running clock\n"
	  "  --open         only tickets not in a final state\n"
	  "  --limit N      at most N tickets (default 100); if more match, stderr says\n"
	  "                 how to continue\n"
	  "  --after ID     only tickets with an id greater than ID (paging)\n",
	  gj_run_list },
	{ "watch", CMD_WATCH, "[PREFIX] [--from SEQ] [--count N] [--timeout MS]",
	  "Print journal records as they happen, one line each, in sequence order;\n"
	  "messages the event socket dropped are fetched with replay.  A notice (e.g.\n"
	  "the deferred-repairs list) is followed by its text, indented.\n"
	  "  PREFIX         only topics starting so, e.g. alert. or transition.e1.\n"
	  "                 (also --prefix P)\n"
	  "  --from SEQ     start at record SEQ (default: records after now)\n"
	  "  --count N      exit (status 0) after N records\n"
	  "  --timeout MS   exit (status 0) after MS without a record (default: never);\n"
	  "                 for watch this replaces the reply timeout\n",
	  gj_run_watch },
	{ "replay", CMD_REPLAY, "[PREFIX] [--from SEQ] [--prefix P] [--limit N]",
	  "Print records from the journal, one line each, up to the newest (a notice\n"
	  "is followed by its text, indented).\n"
	  "  --from SEQ     first record (default 1)\n"
	  "  --prefix P     only topics starting with P (same as PREFIX)\n"
	  "  --limit N      at most N records\n",
	  gj_run_replay },
	{ "clock", CMD_CLOCK, "[now | advance DURATION]",
	  "`gj clock advance DURATION` moves a daemon started with a manual clock\n"
	  "forward (DURATION: 10m, 1h30m, 2d, 90s, 500ms) and prints the new time;\n"
	  "every deadline on the way fires at its own instant.\n"
	  "`gj clock` (or `gj clock now`) prints the daemon's time.\n",
	  gj_run_clock },
	{ "status", CMD_STATUS, "",
	  "Show the daemon's version, clock, journal, ticket counts, next deadline,\n"
	  "sockets and workflows.\n",
	  gj_run_status },
	{ "calendar", CMD_CALENDAR, "add DATE N | show YEAR [--calendar C | --estate E]",
	  "Ask one of the daemon's working-day calendars.\n"
	  "`gj calendar add DATE N` prints the last day of \"within N working days\"\n"
	  "from DATE (counting from the day after DATE; due at that day's close),\n"
	  "e.g. what a butler tells an owner about a deposit refund (R10).\n"
	  "`gj calendar show YEAR` lists the year's rest days (public holidays, their\n"
	  "weekend days included, and weekdays not worked) and its\n"
	  "make-up working days on weekends.\n"
	  "  --calendar C   ask calendar C, e.g. cn\n"
	  "  --estate E     ask the calendar estate E runs on\n"
	  "                 (default: the calendar of the daemon's default estate)\n",
	  gj_run_calendar },
	{ "explain", CMD_EXPLAIN, "TICKET",
	  "Say how each deadline of ticket TICKET was derived, one line each: per\n"
	  "clock its target, when it started, the calendar and every day counted\n"
	  "(holidays skipped, make-up working days counted), pauses, and the deadline.\n"
	  "Clocks armed by plugins are listed at the end.\n",
	  gj_run_explain },
	{ "recompute", CMD_RECOMPUTE, "[--estate E] [--apply]",
	  "Recompute the running deadlines of open tickets under the calendars and\n"
	  "workflows the daemon has loaded now, e.g. after a year's holiday data was\n"
	  "added or corrected.  Without --apply nothing moves: it prints how many\n"
	  "deadlines of which tickets would move.  Breached clocks, deadlines taken\n"
	  "from a ticket field and paused working-day clocks are left as they are.\n"
	  "Needs --role manager or admin_hr.\n"
	  "  --estate E     only the tickets of estate E (default: every estate)\n"
	  "  --apply        move them and print what moved; each moved deadline is\n"
	  "                 a clock record in the journal (`gj replay clock.`)\n",
	  gj_run_recompute },
	{ "report", CMD_REPORT, "--month YYYY-MM [--estate E] [--csv]",
	  "The month's statistics of an estate, computed from the tickets and their\n"
	  "history (the same month gives the same figures later): per rule the\n"
	  "tickets, met on time, breached, % met, median and worst lateness; and the\n"
	  "rulebook's own figures (docs/reports.md says how each is counted).\n"
	  "  --month YYYY-MM  the month, in the estate calendar's time zone\n"
	  "  --estate E       the estate (default: the estate of the month's tickets;\n"
	  "                   a usage error, status 2, when there are several)\n"
	  "  --csv            comma-separated values instead of text (--json: JSON)\n",
	  gj_run_report },
	{ "post", CMD_POST,
	  "in visitor|vehicle WHO --post P [field=value ...] | out TICKET|WHO |\n"
	  "today [--date D] | incident KIND LOCATION",
	  "The guard post's words: the register of people and vehicles coming in and\n"
	  "going out (R18: the butler reads it before work each day), and the report\n"
	  "of an incident (R28b).  Acts as security unless --role is given (GJ_ROLE is\n"
	  "not used); --as (or GJ_AS) says who.\n"
	  "`gj post in visitor|vehicle WHO --post P`: a visitor (WHO: the name) or a\n"
	  "vehicle (WHO: the plate) comes in at guard post P: opens an r18_gate_entry\n"
	  "ticket and prints its id.  More fields as field=value, e.g. unit=3-1201\n"
	  "(whom they visit).\n"
	  "`gj post out TICKET|WHO`: they go out (event leave); by the ticket id (12\n"
	  "or #12), or by the name or plate of the one entry still in (when several\n"
	  "are, refused with the list of them).  Prints their register line.\n"
	  "`gj post today`: the day's register, one line each: when they came in, when\n"
	  "they went out (or still in), ticket, kind, post, who.\n"
	  "`gj post incident KIND LOCATION`: an incident (e.g. burst_pipe, security):\n"
	  "opens r28b_special_event with kind and location and at once fires\n"
	  "report_to_head, stamping the 1-minute report to the team head; prints the\n"
	  "ticket id.  The team head's 5 minutes to the manager run from there.\n"
	  "  --post P       the guard post (in; the register requires it)\n"
	  "  --date D       the register of another day, YYYY-MM-DD; a past day's\n"
	  "                 says who was still in at its close\n"
	  "  --estate E     the estate (in, incident: default the daemon's default\n"
	  "                 estate; out, today: every estate)\n"
	  "  --note TEXT    a note for the ticket's history (in, out, incident)\n"
	  "--json: the daemon's reply (in, out, incident: the ticket); for today one\n"
	  "document {date, estate, now, came_in, left, still_in, entries: [{ticket,\n"
	  "estate, kind, who, post, in_at, out_at, still_in}]}, times in ms since the\n"
	  "epoch (0: not out).\n",
	  gj_run_post },
	{ "jobs", CMD_JOBS,
	  "[--all] [--estate E] | accept|arrive|finish TICKET [field=value ...] |\n"
	  "defer TICKET --reason TEXT --until D",
	  "A technician's repair jobs (R17 public-area repairs, R26a home repairs).\n"
	  "Acts as engineering unless --role is given (GJ_ROLE is not used); \"me\" is\n"
	  "--as (or GJ_AS): the jobs whose technician field is me.\n"
	  "`gj jobs` lists my open jobs, most urgent first (the earliest running\n"
	  "deadline; late ones first), each with its time left or how late, where,\n"
	  "and the words that apply next.\n"
	  "  --all          every open repair of both kinds, whoever it is for,\n"
	  "                 with its technician (also those not dispatched yet)\n"
	  "  --estate E     only estate E\n"
	  "One word per step: gj fires the workflow's events and prints the ticket's\n"
	  "line.  What each word does (-: not a step of that workflow, refused):\n"
	  "  word    r17_repair                        r26a_home_repair\n"
	  "  accept  resume_work: a deferred repair    -  (the job is yours from\n"
	  "          is taken up again                    dispatch)\n"
	  "  arrive  -  (no arrival step)              arrive: at the door (stops the\n"
	  "                                            15-minute clock)\n"
	  "  finish  finish                            return_slip: give job_slip=NO\n"
	  "                                            paid=yes|no, and for paid work\n"
	  "                                            owner_signature=NAME\n"
	  "  defer   cannot_fix, then defer_notice     -  (home repairs are not\n"
	  "          with --reason and --until            deferred)\n"
	  "  --reason TEXT  why it cannot be fixed now (defer)\n"
	  "  --until D      the expected repair date, YYYY-MM-DD (defer): not in the\n"
	  "                 past, and at most 30 working days after the report (R17,\n"
	  "                 on the estate's calendar); gj checks both before it\n"
	  "                 records anything, and the defer_notice plugin has the\n"
	  "                 last word\n"
	  "  --note TEXT    a note for the ticket's history\n"
	  "A word that does not apply to the ticket's workflow or state is refused\n"
	  "(status 1) with what applies.  --json: the daemon's reply; the list is one\n"
	  "document {now, person, jobs: [{id, workflow, state, estate, technician,\n"
	  "where, clock, rule, deadline, left_ms, next, ticket}]}.\n",
	  gj_run_jobs },
	{ "today", CMD_TODAY, "[--estate E]",
	  "What a butler or team leader looks at first: what is late (running clocks\n"
	  "past their deadline, most late first), what else is due before the end of\n"
	  "today (by deadline), and who holds which key (open r12_key_loan tickets:\n"
	  "key, kind, holder, due back).  Says so when a list is empty.\n"
	  "  --estate E     only estate E (default: every estate)\n"
	  "--json: one document {date, estate, now, late: [...], due: [...],\n"
	  "keys_tracked, keys: [...]}: late and due hold {ticket, workflow, estate,\n"
	  "state, clock, rule, deadline, left_ms (negative: how late), what}, keys\n"
	  "{ticket, estate, key, key_kind, holder, due_back, due_back_at, late}.\n",
	  gj_run_today },
	{ "help", CMD_HELP, "[COMMAND]", "Show the help of gj or of one command.\n", NULL },
};

struct opt_spec {
	const char *name;
	enum gj_opt_id id;
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
	{ "estate", O_ESTATE, true, M(CMD_OPEN) | M(CMD_LIST) | M(CMD_CALENDAR) | M(CMD_RECOMPUTE) |
				    M(CMD_REPORT) | M(CMD_POST) | M(CMD_JOBS) | M(CMD_TODAY) },
	{ "note", O_NOTE, true, M(CMD_OPEN) | M(CMD_FIRE) | M(CMD_POST) | M(CMD_JOBS) },
	{ "workflow", O_WORKFLOW, true, M(CMD_LIST) },
	{ "state", O_STATE, true, M(CMD_LIST) },
	{ "overdue", O_OVERDUE, false, M(CMD_LIST) },
	{ "open", O_OPEN, false, M(CMD_LIST) },
	{ "limit", O_LIMIT, true, M(CMD_LIST) | M(CMD_REPLAY) },
	{ "after", O_AFTER, true, M(CMD_LIST) },
	{ "from", O_FROM, true, M(CMD_WATCH) | M(CMD_REPLAY) },
	{ "count", O_COUNT, true, M(CMD_WATCH) },
	{ "prefix", O_PREFIX, true, M(CMD_WATCH) | M(CMD_REPLAY) },
	{ "calendar", O_CALENDAR, true, M(CMD_CALENDAR) },
	{ "apply", O_APPLY, false, M(CMD_RECOMPUTE) },
	{ "month", O_MONTH, true, M(CMD_REPORT) },
	{ "csv", O_CSV, false, M(CMD_REPORT) },
	{ "post", O_POST, true, M(CMD_POST) },
	{ "date", O_DATE, true, M(CMD_POST) },
	{ "all", O_ALL, false, M(CMD_JOBS) },
	{ "reason", O_REASON, true, M(CMD_JOBS) },
	{ "until", O_UNTIL, true, M(CMD_JOBS) },
};

#define N_SPECS (sizeof(opt_specs) / sizeof(opt_specs[0]))

static void usage(FILE *f)
{
	fputs("usage: gj [OPTIONS] COMMAND [ARGS]\n"
	      "\n"
	      "Talk to guanjiad, the property-management SLA daemon.\n"
	      "\n"
	      "Commands:\n", f);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		gj_cli_put_usage(f, "  ", &commands[i]);
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
	      "  --role ROLE      the role you act in (default: $GJ_ROLE; for post\n"
	      "                   security, for jobs engineering); open, fire and\n"
	      "                   recompute need one: butler, cs_lead, manager, ...\n"
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

static void command_help(FILE *f, const struct gj_command *c)
{
	gj_cli_put_usage(f, "usage: ", c);
	fprintf(f, "\n%s\n", c->help);
	fputs("Options of every command: --data DIR, --connect URL, --events URL, --as PERSON,\n"
	      "--role ROLE, --channel TEXT, --json, --timeout MS (see gj --help).\n", f);
}

/* The role a front-line command acts in unless --role is given: the command
 * is that role's vocabulary, so GJ_ROLE (set for other work) is not used. */
static const char *command_role(enum gj_cmd_id id)
{
	switch (id) {
	case CMD_POST:
		return "security";
	case CMD_JOBS:
		return "engineering";
	default:
		return NULL;
	}
}

static const struct gj_command *find_command(const char *name)
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
static int parse_args(int argc, char **argv, struct gj_args *a)
{
	bool options = true;

	a->pos = calloc((size_t)argc + 1, sizeof(*a->pos));
	if (!a->pos) {
		gj_cli_err("out of memory");
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
			gj_cli_err("unknown option '%s' (gj --help lists them)", arg);
			return EXIT_USAGE;
		}
		name = arg + 2;
		eq = strchr(name, '=');
		len = eq ? (size_t)(eq - name) : strlen(name);
		spec = find_opt(name, len);
		if (!spec) {
			gj_cli_err("unknown option '--%.*s' (gj --help lists them)", (int)len, name);
			return EXIT_USAGE;
		}
		if (spec->has_arg) {
			if (eq) {
				value = eq + 1;
			} else if (i + 1 < argc) {
				value = argv[++i];
			} else {
				gj_cli_err("option --%s needs a value", spec->name);
				return EXIT_USAGE;
			}
		} else {
			if (eq) {
				gj_cli_err("option --%s takes no value", spec->name);
				return EXIT_USAGE;
			}
			value = "";
		}
		a->values[spec->id] = value;
		a->given_as[spec->id] = spec->name;
	}
	return EXIT_DONE;
}

static const char *env_or(const char *name, const char *fallback)
{
	const char *v = getenv(name);

	return v && *v ? v : fallback;
}

int main(int argc, char **argv)
{
	struct gj_args a = { 0 };
	struct gj_ctx x = { .a = &a, .timeout_ms = GJ_CLIENT_DEFAULT_TIMEOUT_MS };
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
		gj_cli_err("unknown command '%s' (gj --help lists them)", a.pos[0]);
		rc = EXIT_USAGE;
		goto out;
	}
	if (x.cmd->id == CMD_HELP) {
		const struct gj_command *c = a.n_pos > 1 ? find_command(a.pos[1]) : NULL;

		if (a.n_pos > 1 && !c) {
			gj_cli_err("unknown command '%s' (gj --help lists them)", a.pos[1]);
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
			rc = gj_cli_usage_error(&x, "--%s does not apply to %s", opt_specs[i].name,
						x.cmd->name);
			goto out;
		}
	}
	if (!a.values[O_AS])
		a.values[O_AS] = env_or("GJ_AS", env_or("USER", "unknown"));
	if (!a.values[O_ROLE])
		a.values[O_ROLE] = command_role(x.cmd->id);
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
			rc = gj_cli_usage_error(&x, "--timeout wants milliseconds (-1: forever), not '%s'",
						a.values[O_TIMEOUT]);
			goto out;
		}
		x.timeout_ms = (int)t;
	}
	x.data_dir = gj_data_dir(a.values[O_DATA]);
	if (!x.data_dir || gj_json_create(&x.j) < 0) {
		gj_cli_err("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	rc = x.cmd->run(&x);
out:
	if (fflush(stdout) != 0 && rc == EXIT_DONE) {
		gj_cli_err("cannot write the output: %s", strerror(errno));
		rc = EXIT_FAIL;
	}
	gj_client_destroy(x.client);
	gj_json_destroy(x.j);
	free(x.cmd_url);
	free(x.data_dir);
	free(a.pos);
	return rc;
}
