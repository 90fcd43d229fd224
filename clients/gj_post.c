/*
 * gj_post.c - `gj post`: the guard post's words.  A visitor or a vehicle
 * coming in and going out (the R18 register: r18_gate_entry tickets with
 * the fields kind, who and post, closed by the event leave), the day's
 * register the butler reads before work, and an incident reported in one
 * command (R28b: r28b_special_event opened and its 1-minute report to the
 * team head stamped at once).
 */
#include "gj_cli.h"
#include "gj_print.h"
#include "wire.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define GATE_WORKFLOW "r18_gate_entry"
#define GATE_LEAVE "leave"
#define GATE_LEFT "left"     /* the state leave moves to */
#define INCIDENT_WORKFLOW "r28b_special_event"
#define INCIDENT_REPORT "report_to_head"

#define TIME_BUF 40

static bool blank(const char *s)
{
	return !s || !s[strspn(s, " \t")];
}

/* "name=value", malloc'd. */
static char *kv(const char *name, const char *value)
{
	char *s = NULL;

	return asprintf(&s, "%s=%s", name, value) < 0 ? NULL : s;
}

static void free_kv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
}

/* gj post in visitor|vehicle WHO --post P [field=value ...] */
static int post_in(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	const char *post = a->values[O_POST];
	const char *const *extra = a->pos + 4;
	size_t n_extra = a->n_pos > 4 ? a->n_pos - 4 : 0, n = 0;
	Guanjia__Reply *reply = NULL;
	char **fields = NULL;
	int rc, r;

	if (a->n_pos < 4)
		return gj_cli_usage_error(x, "post in needs visitor or vehicle, and WHO (a name or a plate)");
	if (strcmp(a->pos[2], "visitor") != 0 && strcmp(a->pos[2], "vehicle") != 0)
		return gj_cli_usage_error(x, "post in registers a visitor or a vehicle, not '%s'",
					  a->pos[2]);
	if (blank(a->pos[3]))
		return gj_cli_usage_error(x, "WHO is the visitor's name or the vehicle's plate");
	for (const char *c = a->pos[3]; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return gj_cli_usage_error(x, "WHO is one line of text: no line breaks or "
						  "control characters");
	if (post && blank(post))
		return gj_cli_usage_error(x, "--post needs the guard post's name");
	rc = gj_cli_check_kv(x, extra, n_extra);
	for (size_t i = 0; !rc && i < n_extra; i++)
		if (strncmp(extra[i], "kind=", 5) == 0 || strncmp(extra[i], "who=", 4) == 0 ||
		    strncmp(extra[i], "post=", 5) == 0)
			rc = gj_cli_usage_error(x, "kind and who are the arguments, the post is --post P; "
						"not '%s'", extra[i]);
	if (!rc)
		rc = gj_cli_need_role(x);
	if (!rc)
		rc = gj_cli_connect(x);
	if (rc)
		return rc;
	fields = calloc(n_extra + 3, sizeof(*fields));
	if (!fields || !(fields[n++] = kv("kind", a->pos[2])) || !(fields[n++] = kv("who", a->pos[3])) ||
	    (post && !(fields[n++] = kv("post", post)))) {
		gj_cli_err("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	/* Extra fields, e.g. unit=3-1201 (whom they visit). */
	for (size_t i = 0; i < n_extra; i++)
		fields[n + i] = (char *)extra[i];
	r = gj_client_open(x->client, GATE_WORKFLOW, a->values[O_ESTATE],
			   (const char *const *)fields, n + n_extra, a->values[O_NOTE], &reply);
	rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_TICKET);
	if (!rc) {
		if (x->json)
			rc = gj_cli_print_reply_json(x, reply);
		else
			printf("%llu\n", (unsigned long long)reply->ticket->id);
	}
out:
	if (fields)
		free_kv(fields, n);
	free(fields);
	gj_reply_free(reply);
	return rc;
}

/* "12 visitor 张三 at east_gate: in 09:10, out 10:45" */
static void print_entry_line(const Guanjia__Ticket *t, int64_t out_at)
{
	const char *post = gj_cli_field(t, "post");
	int64_t day = gj_cli_day_start(out_at ? out_at : t->opened_at);
	char in[TIME_BUF], out[TIME_BUF];

	gj_cli_when(t->opened_at, day, in, sizeof(in));
	gj_cli_when(out_at, day, out, sizeof(out));
	printf("%llu %s %s", (unsigned long long)t->id,
	       gj_cli_field(t, "kind") ? gj_cli_field(t, "kind") : "-",
	       gj_cli_field(t, "who") ? gj_cli_field(t, "who") : "-");
	if (post)
		printf(" at %s", post);
	printf(": in %s", in);
	if (out_at)
		printf(", out %s", out);
	putchar('\n');
}

/* The open entry whose who is WHO (ASCII case ignored: plates are typed
 * either way).  @return 0 and *ret_id, or the exit status (said why) */
static int find_entry(struct gj_ctx *x, const char *who, uint64_t *ret_id)
{
	Guanjia__ListTickets filter = GUANJIA__LIST_TICKETS__INIT;
	struct gj_cli_tickets t = { 0 };
	const Guanjia__Ticket *found = NULL;
	size_t n = 0;
	int rc;

	filter.workflow = GATE_WORKFLOW;
	filter.open_only = true;
	if (x->a->values[O_ESTATE])
		filter.estate = (char *)x->a->values[O_ESTATE];
	rc = gj_cli_fetch_tickets(x, &filter, &t);
	if (rc)
		return rc;
	for (size_t i = 0; i < t.n; i++) {
		const char *w = gj_cli_field(t.v[i], "who");

		if (w && strcasecmp(w, who) == 0) {
			found = t.v[i];
			n++;
		}
	}
	if (n == 1) {
		*ret_id = found->id;
	} else if (n == 0) {
		gj_cli_err("nobody registered as '%s' is in (gj post today lists who is)", who);
		rc = EXIT_FAIL;
	} else {
		gj_cli_err("%zu entries for '%s' are still in; say which by its ticket:", n, who);
		for (size_t i = 0; i < t.n; i++) {
			const char *w = gj_cli_field(t.v[i], "who");
			const char *post = gj_cli_field(t.v[i], "post");
			char in[TIME_BUF];

			if (!w || strcasecmp(w, who) != 0)
				continue;
			gj_cli_when(t.v[i]->opened_at, gj_cli_day_start(t.now), in, sizeof(in));
			fprintf(stderr, "  gj post out %llu    (%s %s, in since %s%s%s)\n",
				(unsigned long long)t.v[i]->id,
				gj_cli_field(t.v[i], "kind") ? gj_cli_field(t.v[i], "kind") : "-",
				w, in, post ? " at " : "", post ? post : "");
		}
		rc = EXIT_FAIL;
	}
	gj_cli_tickets_finish(&t);
	return rc;
}

/* gj post out TICKET|WHO */
static int post_out(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	const char *arg;
	Guanjia__Reply *reply = NULL;
	uint64_t id = 0;
	bool by_id;
	int rc, r;

	if (a->n_pos != 3)
		return gj_cli_usage_error(x, "post out needs the TICKET, or WHO (the name or plate)");
	arg = a->pos[2];
	by_id = arg[0] == '#' || (arg[0] && strspn(arg, "0123456789") == strlen(arg));
	if (by_id && (rc = gj_cli_parse_ticket(x, arg, &id)))
		return rc;
	if (!by_id && blank(arg))
		return gj_cli_usage_error(x, "WHO is the visitor's name or the vehicle's plate");
	rc = gj_cli_need_role(x);
	if (!rc)
		rc = gj_cli_connect(x);
	if (rc)
		return rc;
	if (by_id) {
		/* Only a register entry is let out: another workflow might have a
		 * `leave` event of its own. */
		r = gj_client_get(x->client, id, false, &reply);
		rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_TICKET);
		if (!rc && strcmp(reply->ticket->workflow, GATE_WORKFLOW) != 0) {
			gj_cli_err("ticket %llu runs %s, not a register entry (%s)",
				   (unsigned long long)id, reply->ticket->workflow, GATE_WORKFLOW);
			rc = EXIT_FAIL;
		}
		gj_reply_free(reply);
		reply = NULL;
	} else {
		rc = find_entry(x, arg, &id);
	}
	if (rc)
		return rc;
	r = gj_client_fire(x->client, id, GATE_LEAVE, NULL, 0, a->values[O_NOTE], &reply);
	rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_TICKET);
	if (!rc) {
		if (x->json)
			rc = gj_cli_print_reply_json(x, reply);
		else
			print_entry_line(reply->ticket, reply->ticket->updated_at);
	}
	gj_reply_free(reply);
	return rc;
}

/* One line of the day's register. */
struct entry {
	const Guanjia__Ticket *t;
	int64_t out_at;     /* 0: not out */
	bool still_in;      /* at the close of the day (or now, today) */
};

static void entry_json(struct gj_json *j, const struct entry *e)
{
	const char *names[] = { "kind", "who", "post" };

	gj_json_object_begin(j);
	gj_json_key(j, "ticket");
	gj_json_uint(j, e->t->id);
	gj_json_key(j, "estate");
	gj_json_string(j, e->t->estate);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		gj_json_key(j, names[i]);
		gj_json_string(j, gj_cli_field(e->t, names[i]));
	}
	gj_json_key(j, "in_at");
	gj_json_int(j, e->t->opened_at);
	gj_json_key(j, "out_at");
	gj_json_int(j, e->out_at);
	gj_json_key(j, "still_in");
	gj_json_bool(j, e->still_in);
	gj_json_object_end(j);
}

/* gj post today [--date D] */
static int post_today(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	Guanjia__ListTickets filter = GUANJIA__LIST_TICKETS__INIT;
	struct gj_cli_tickets t = { 0 };
	struct entry *e = NULL;
	size_t n = 0, came = 0, left = 0, still = 0;
	int64_t day = 0, end;
	bool estates = false;
	char date[TIME_BUF];
	int rc;

	if (a->n_pos != 2)
		return gj_cli_usage_error(x, "post today takes no arguments (--date D for another day)");
	if (a->values[O_DATE] && gj_cli_parse_date(a->values[O_DATE], &day) < 0)
		return gj_cli_usage_error(x, "--date wants a date YYYY-MM-DD, not '%s'", a->values[O_DATE]);
	rc = gj_cli_connect(x);
	if (rc)
		return rc;
	filter.workflow = GATE_WORKFLOW;
	if (a->values[O_ESTATE])
		filter.estate = (char *)a->values[O_ESTATE];
	rc = gj_cli_fetch_tickets(x, &filter, &t);
	if (rc)
		goto out;
	if (!a->values[O_DATE])
		day = gj_cli_day_start(t.now);
	end = day + GJ_CLI_DAY_MS;
	e = calloc(t.n ? t.n : 1, sizeof(*e));
	if (!e) {
		gj_cli_err("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	/* Tickets come in id order, which is the order they came in. */
	for (size_t i = 0; i < t.n; i++) {
		const Guanjia__Ticket *tk = t.v[i];
		int64_t out_at = 0;

		if (tk->opened_at >= end)
			continue;
		/* Closed before the day: its last change (updated_at) is no
		 * earlier than its leave, so no history is needed to skip it. */
		if (tk->closed && tk->updated_at < day)
			continue;
		/* `left` is reached only by `leave` and is final (the workflow has
		 * no clocks), so the last change is the time it went out. */
		if (strcmp(tk->state, GATE_LEFT) == 0)
			out_at = tk->updated_at;
		/* Closed without leave: struck out, not in the register. */
		if (tk->closed && out_at < day)
			continue;
		e[n].t = tk;
		e[n].out_at = out_at;
		e[n].still_in = !tk->closed || out_at >= end;
		came += tk->opened_at >= day;
		left += out_at >= day && out_at < end;
		still += e[n].still_in;
		if (n && strcmp(tk->estate, e[0].t->estate) != 0)
			estates = true;
		n++;
	}
	gj_cli_date(day, date, sizeof(date));
	if (x->json) {
		gj_json_object_begin(x->j);
		gj_json_key(x->j, "date");
		gj_json_string(x->j, date);
		gj_json_key(x->j, "estate");
		gj_json_string(x->j, a->values[O_ESTATE]);
		gj_json_key(x->j, "now");
		gj_json_int(x->j, t.now);
		gj_json_key(x->j, "came_in");
		gj_json_uint(x->j, came);
		gj_json_key(x->j, "left");
		gj_json_uint(x->j, left);
		gj_json_key(x->j, "still_in");
		gj_json_uint(x->j, still);
		gj_json_key(x->j, "entries");
		gj_json_array_begin(x->j);
		for (size_t i = 0; i < n; i++)
			entry_json(x->j, &e[i]);
		gj_json_array_end(x->j);
		gj_json_object_end(x->j);
		rc = gj_cli_print_json(x);
		goto out;
	}
	printf("register of %s", date);
	if (a->values[O_ESTATE])
		printf(", estate %s", a->values[O_ESTATE]);
	if (t.now >= day && t.now < end) {
		char now[TIME_BUF];

		gj_cli_when(t.now, day, now, sizeof(now));
		printf(" (as of %s)", now);
	}
	if (!n) {
		printf(": nobody came in or went out, nobody %s in\n", t.now < end ? "is" : "was");
		goto out;
	}
	printf(": %zu came in, %zu went out, %zu %s in%s\n", came, left, still,
	       t.now < end ? "still" : "were still",
	       t.now < end ? "" : " at the close of the day");
	{
		struct gj_cli_table tab = { .n_cols = estates ? 7 : 6 };

		if (estates)
			gj_cli_table_row(&tab, "IN", "OUT", "TICKET", "ESTATE", "KIND", "POST", "WHO");
		else
			gj_cli_table_row(&tab, "IN", "OUT", "TICKET", "KIND", "POST", "WHO");
		for (size_t i = 0; i < n; i++) {
			char in[TIME_BUF], out[TIME_BUF], id[24];

			gj_cli_when(e[i].t->opened_at, day, in, sizeof(in));
			if (e[i].out_at)
				gj_cli_when(e[i].out_at, day, out, sizeof(out));
			else
				snprintf(out, sizeof(out), "still in");
			snprintf(id, sizeof(id), "%llu", (unsigned long long)e[i].t->id);
			if (estates)
				gj_cli_table_row(&tab, in, out, id, e[i].t->estate,
						 gj_cli_field(e[i].t, "kind"),
						 gj_cli_field(e[i].t, "post"),
						 gj_cli_field(e[i].t, "who"));
			else
				gj_cli_table_row(&tab, in, out, id, gj_cli_field(e[i].t, "kind"),
						 gj_cli_field(e[i].t, "post"),
						 gj_cli_field(e[i].t, "who"));
		}
		rc = gj_cli_table_print(&tab, "");
	}
out:
	free(e);
	gj_cli_tickets_finish(&t);
	return rc;
}

/* gj post incident KIND LOCATION */
static int post_incident(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	Guanjia__Reply *opened = NULL, *reply = NULL;
	char *fields[2] = { NULL };
	uint64_t id;
	int rc, r;

	if (a->n_pos != 4)
		return gj_cli_usage_error(x, "post incident needs a KIND (e.g. burst_pipe, security) and a LOCATION");
	if (blank(a->pos[2]) || blank(a->pos[3]))
		return gj_cli_usage_error(x, "KIND and LOCATION must not be empty");
	rc = gj_cli_need_role(x);
	if (!rc)
		rc = gj_cli_connect(x);
	if (rc)
		return rc;
	fields[0] = kv("kind", a->pos[2]);
	fields[1] = kv("location", a->pos[3]);
	if (!fields[0] || !fields[1]) {
		gj_cli_err("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	r = gj_client_open(x->client, INCIDENT_WORKFLOW, a->values[O_ESTATE],
			   (const char *const *)fields, 2, a->values[O_NOTE], &opened);
	rc = gj_cli_check_reply(x, r, opened, GUANJIA__REPLY__RESULT_TICKET);
	if (rc)
		goto out;
	id = opened->ticket->id;
	/* The guard who found it has just told the team head: stamp it now,
	 * within the minute R28b allows. */
	r = gj_client_fire(x->client, id, INCIDENT_REPORT, NULL, 0, NULL, &reply);
	rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_TICKET);
	if (rc) {
		gj_cli_err("incident ticket %llu is open, but its report to the team head was not recorded: "
			   "gj fire %llu %s", (unsigned long long)id, (unsigned long long)id,
			   INCIDENT_REPORT);
		if (!x->json)
			printf("%llu\n", (unsigned long long)id);
		goto out;
	}
	if (x->json)
		rc = gj_cli_print_reply_json(x, reply);
	else
		printf("%llu\n", (unsigned long long)id);
out:
	free_kv(fields, 2);
	gj_reply_free(opened);
	gj_reply_free(reply);
	return rc;
}

int gj_run_post(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	const char *sub = a->n_pos > 1 ? a->pos[1] : "";

	if (a->values[O_POST] && strcmp(sub, "in") != 0)
		return gj_cli_usage_error(x, "--post applies to post in");
	if (a->values[O_DATE] && strcmp(sub, "today") != 0)
		return gj_cli_usage_error(x, "--date applies to post today");
	if (a->values[O_NOTE] && strcmp(sub, "today") == 0)
		return gj_cli_usage_error(x, "--note does not apply to post today");
	if (strcmp(sub, "in") == 0)
		return post_in(x);
	if (strcmp(sub, "out") == 0)
		return post_out(x);
	if (strcmp(sub, "today") == 0)
		return post_today(x);
	if (strcmp(sub, "incident") == 0)
		return post_incident(x);
	if (!*sub)
		return gj_cli_usage_error(x, "post needs in, out, today or incident");
	return gj_cli_usage_error(x, "post takes in, out, today or incident, not '%s'", sub);
}
