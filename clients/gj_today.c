/*
 * gj_today.c - `gj today`: what a butler or team leader looks at first.
 * What is late (running clocks past their deadline), what else is due
 * before the end of today (running clocks), and who holds which key (open
 * R12 key loans: r12_key_loan tickets with the fields key, key_kind, holder
 * and due_back).  "Today" is the daemon's day at GJ_DEFAULT_UTC_OFFSET_MIN.
 */
#include "gj_cli.h"
#include "gj_print.h"
#include "wire.h"

#include <stdlib.h>
#include <string.h>

#define KEY_WORKFLOW "r12_key_loan"
#define TIME_BUF 40

/* One running clock of a ticket. */
struct item {
	const Guanjia__Ticket *t;
	const Guanjia__Clock *c;
};

static int by_deadline(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;

	if (a->c->deadline != b->c->deadline)
		return a->c->deadline < b->c->deadline ? -1 : 1;
	return a->t->id < b->t->id ? -1 : a->t->id > b->t->id;
}

/* What the ticket is about, in a word: its place, unit, visitor or key. */
static const char *what(const Guanjia__Ticket *t)
{
	static const char *const names[] = { "location", "unit", "household", "zone", "who",
					     "key", "kind" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const char *v = gj_cli_field(t, names[i]);

		if (v && *v)
			return v;
	}
	return NULL;
}

static void item_json(struct gj_json *j, const struct item *it, int64_t now)
{
	gj_json_object_begin(j);
	gj_json_key(j, "ticket");
	gj_json_uint(j, it->t->id);
	gj_json_key(j, "workflow");
	gj_json_string(j, it->t->workflow);
	gj_json_key(j, "estate");
	gj_json_string(j, it->t->estate);
	gj_json_key(j, "state");
	gj_json_string(j, it->t->state);
	gj_json_key(j, "clock");
	gj_json_string(j, it->c->id);
	gj_json_key(j, "rule");
	gj_json_string(j, it->c->rule);
	gj_json_key(j, "deadline");
	gj_json_int(j, it->c->deadline);
	gj_json_key(j, "left_ms");
	gj_json_int(j, it->c->deadline - now);
	gj_json_key(j, "what");
	gj_json_string(j, what(it->t));
	gj_json_object_end(j);
}

static void key_json(struct gj_json *j, const Guanjia__Ticket *t, int64_t now)
{
	const char *due = gj_cli_field(t, "due_back");
	int64_t at = 0;

	if (due && gj_time_parse(due, &at) < 0)
		at = 0;
	gj_json_object_begin(j);
	gj_json_key(j, "ticket");
	gj_json_uint(j, t->id);
	gj_json_key(j, "estate");
	gj_json_string(j, t->estate);
	gj_json_key(j, "key");
	gj_json_string(j, gj_cli_field(t, "key"));
	gj_json_key(j, "key_kind");
	gj_json_string(j, gj_cli_field(t, "key_kind"));
	gj_json_key(j, "holder");
	gj_json_string(j, gj_cli_field(t, "holder"));
	gj_json_key(j, "due_back");
	gj_json_string(j, due);
	gj_json_key(j, "due_back_at");
	gj_json_int(j, at);
	gj_json_key(j, "late");
	gj_json_bool(j, at && at <= now);
	gj_json_object_end(j);
}

/* The clocks of a list, in a table. */
static int print_items(const struct item *v, size_t n, int64_t now, int64_t day, bool late,
		       bool estates)
{
	struct gj_cli_table tab = { .n_cols = estates ? 7 : 6 };

	if (estates)
		gj_cli_table_row(&tab, "TICKET", "ESTATE", "WORKFLOW", "CLOCK",
				 late ? "LATE BY" : "TIME LEFT", late ? "WAS DUE" : "DUE", "WHAT");
	else
		gj_cli_table_row(&tab, "TICKET", "WORKFLOW", "CLOCK", late ? "LATE BY" : "TIME LEFT",
				 late ? "WAS DUE" : "DUE", "WHAT");
	for (size_t i = 0; i < n; i++) {
		const Guanjia__Clock *c = v[i].c;
		char id[24], clock[160], left[TIME_BUF], due[TIME_BUF];

		snprintf(id, sizeof(id), "%llu", (unsigned long long)v[i].t->id);
		snprintf(clock, sizeof(clock), c->rule[0] ? "%s (%s)" : "%s", c->id, c->rule);
		gj_duration_format(late ? now - c->deadline : c->deadline - now, left, sizeof(left));
		gj_cli_when(c->deadline, day, due, sizeof(due));
		if (estates)
			gj_cli_table_row(&tab, id, v[i].t->estate, v[i].t->workflow, clock, left, due,
					 what(v[i].t));
		else
			gj_cli_table_row(&tab, id, v[i].t->workflow, clock, left, due, what(v[i].t));
	}
	return gj_cli_table_print(&tab, "  ");
}

static int print_keys(const Guanjia__Ticket *const *v, size_t n, int64_t now, int64_t day,
		      bool estates)
{
	struct gj_cli_table tab = { .n_cols = estates ? 6 : 5 };

	if (estates)
		gj_cli_table_row(&tab, "TICKET", "ESTATE", "KEY", "KIND", "HOLDER", "DUE BACK");
	else
		gj_cli_table_row(&tab, "TICKET", "KEY", "KIND", "HOLDER", "DUE BACK");
	for (size_t i = 0; i < n; i++) {
		const char *due = gj_cli_field(v[i], "due_back");
		char id[24], back[3 * TIME_BUF + 8], when[TIME_BUF], left[TIME_BUF + 16];
		int64_t at;

		snprintf(id, sizeof(id), "%llu", (unsigned long long)v[i]->id);
		if (due && gj_time_parse(due, &at) == 0) {
			gj_cli_when(at, day, when, sizeof(when));
			gj_cli_left(at, now, left, sizeof(left));
			snprintf(back, sizeof(back), "%s (%s)", when, left);
		} else {
			snprintf(back, sizeof(back), "%s", due ? due : "-");
		}
		if (estates)
			gj_cli_table_row(&tab, id, v[i]->estate, gj_cli_field(v[i], "key"),
					 gj_cli_field(v[i], "key_kind"), gj_cli_field(v[i], "holder"),
					 back);
		else
			gj_cli_table_row(&tab, id, gj_cli_field(v[i], "key"),
					 gj_cli_field(v[i], "key_kind"), gj_cli_field(v[i], "holder"),
					 back);
	}
	return gj_cli_table_print(&tab, "  ");
}

/* Does the daemon run the key-loan workflow?  Without it nobody can be
 * holding a key as far as it knows, and "no keys out" would mislead. */
static int keys_tracked(struct gj_ctx *x, bool *ret)
{
	Guanjia__Reply *reply = NULL;
	size_t len = strlen(KEY_WORKFLOW);
	int rc, r;

	r = gj_client_status(x->client, &reply);
	rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_STATUS);
	if (!rc) {
		*ret = false;
		for (size_t i = 0; i < reply->status->n_workflows; i++) {
			const char *w = reply->status->workflows[i];

			if (strncmp(w, KEY_WORKFLOW, len) == 0 && (w[len] == '@' || !w[len]))
				*ret = true;
		}
	}
	gj_reply_free(reply);
	return rc;
}

int gj_run_today(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	Guanjia__ListTickets filter = GUANJIA__LIST_TICKETS__INIT;
	struct gj_cli_tickets t = { 0 };
	struct item *late = NULL, *due = NULL;
	const Guanjia__Ticket **keys = NULL;
	size_t n_clocks = 0, n_late = 0, n_due = 0, n_keys = 0;
	bool tracked = false, estates = false;
	int64_t day, end;
	char date[TIME_BUF], now[TIME_BUF];
	int rc;

	if (a->n_pos != 1)
		return gj_cli_usage_error(x, "today takes no arguments, only --estate E");
	if (a->values[O_ESTATE] && !*a->values[O_ESTATE])
		return gj_cli_usage_error(x, "--estate needs an estate id");
	rc = gj_cli_connect(x);
	if (!rc)
		rc = keys_tracked(x, &tracked);
	if (rc)
		return rc;
	filter.open_only = true;
	if (a->values[O_ESTATE])
		filter.estate = (char *)a->values[O_ESTATE];
	rc = gj_cli_fetch_tickets(x, &filter, &t);
	if (rc)
		goto out;
	for (size_t i = 0; i < t.n; i++) {
		n_clocks += t.v[i]->n_clocks;
		if (i && strcmp(t.v[i]->estate, t.v[0]->estate) != 0)
			estates = true;
	}
	late = calloc(n_clocks + 1, sizeof(*late));
	due = calloc(n_clocks + 1, sizeof(*due));
	keys = calloc(t.n + 1, sizeof(*keys));
	if (!late || !due || !keys) {
		gj_cli_err("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	day = gj_cli_day_start(t.now);
	end = day + GJ_CLI_DAY_MS;
	for (size_t i = 0; i < t.n; i++) {
		const Guanjia__Ticket *tk = t.v[i];

		if (strcmp(tk->workflow, KEY_WORKFLOW) == 0)
			keys[n_keys++] = tk;
		for (size_t k = 0; k < tk->n_clocks; k++) {
			const Guanjia__Clock *c = tk->clocks[k];

			if (c->state != GUANJIA__CLOCK_STATE__CLOCK_RUNNING || !c->deadline)
				continue;
			if (c->breached || c->deadline <= t.now)
				late[n_late++] = (struct item){ tk, c };
			else if (c->deadline < end)
				due[n_due++] = (struct item){ tk, c };
		}
	}
	qsort(late, n_late, sizeof(*late), by_deadline);
	qsort(due, n_due, sizeof(*due), by_deadline);
	gj_cli_date(t.now, date, sizeof(date));
	if (x->json) {
		gj_json_object_begin(x->j);
		gj_json_key(x->j, "date");
		gj_json_string(x->j, date);
		gj_json_key(x->j, "estate");
		gj_json_string(x->j, a->values[O_ESTATE]);
		gj_json_key(x->j, "now");
		gj_json_int(x->j, t.now);
		gj_json_key(x->j, "late");
		gj_json_array_begin(x->j);
		for (size_t i = 0; i < n_late; i++)
			item_json(x->j, &late[i], t.now);
		gj_json_array_end(x->j);
		gj_json_key(x->j, "due");
		gj_json_array_begin(x->j);
		for (size_t i = 0; i < n_due; i++)
			item_json(x->j, &due[i], t.now);
		gj_json_array_end(x->j);
		gj_json_key(x->j, "keys_tracked");
		gj_json_bool(x->j, tracked);
		gj_json_key(x->j, "keys");
		gj_json_array_begin(x->j);
		for (size_t i = 0; i < n_keys; i++)
			key_json(x->j, keys[i], t.now);
		gj_json_array_end(x->j);
		gj_json_object_end(x->j);
		rc = gj_cli_print_json(x);
		goto out;
	}
	gj_time_format(t.now, GJ_DEFAULT_UTC_OFFSET_MIN, now, sizeof(now));
	printf("today %s, %s%s, now %.5s\n", date, a->values[O_ESTATE] ? "estate " : "every estate",
	       a->values[O_ESTATE] ? a->values[O_ESTATE] : "", now + 11);
	if (n_late) {
		printf("late (%zu), most late first:\n", n_late);
		if ((rc = print_items(late, n_late, t.now, day, true, estates)))
			goto out;
	} else {
		puts("late: nothing");
	}
	if (n_due) {
		printf("due today (%zu):\n", n_due);
		if ((rc = print_items(due, n_due, t.now, day, false, estates)))
			goto out;
	} else {
		puts("due today: nothing");
	}
	if (n_keys) {
		printf("keys out (%zu):\n", n_keys);
		rc = print_keys(keys, n_keys, t.now, day, estates);
	} else if (tracked) {
		puts("keys out: none");
	} else {
		puts("keys out: not tracked (the daemon runs no " KEY_WORKFLOW " workflow)");
	}
out:
	free(late);
	free(due);
	free(keys);
	gj_cli_tickets_finish(&t);
	return rc;
}
