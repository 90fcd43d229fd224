/*
 * gj_tickets.c - the gj commands about tickets: open, fire, show, list.
 */
#include "gj_cli.h"
#include "gj_print.h"

#include <string.h>

/* The daemon names the clocks that could not start (a deadline field left
 * empty): pass that on, on stderr, so it is not missed. */
static void note_unstarted(const Guanjia__Reply *reply)
{
	for (size_t i = 0; i < reply->n_unstarted_clocks; i++)
		gj_cli_err("note: clock %s not started: its deadline field is empty",
			   reply->unstarted_clocks[i]);
}

int gj_run_open(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	Guanjia__Reply *reply = NULL;
	int rc, r;

	if (a->n_pos < 2)
		return gj_cli_usage_error(x, "open needs a WORKFLOW");
	rc = gj_cli_check_kv(x, a->pos + 2, a->n_pos - 2);
	if (!rc)
		rc = gj_cli_need_role(x);
	if (!rc)
		rc = gj_cli_connect(x);
	if (rc)
		return rc;
	r = gj_client_open(x->client, a->pos[1], a->values[O_ESTATE], a->pos + 2, a->n_pos - 2,
			   a->values[O_NOTE], &reply);
	rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_TICKET);
	if (!rc) {
		if (x->json)
			rc = gj_cli_print_reply_json(x, reply);
		else
			printf("%llu\n", (unsigned long long)reply->ticket->id);
		note_unstarted(reply);
	}
	gj_reply_free(reply);
	return rc;
}

int gj_run_fire(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	Guanjia__Reply *reply = NULL;
	uint64_t ticket;
	int rc, r;

	if (a->n_pos < 3)
		return gj_cli_usage_error(x, "fire needs a TICKET and an EVENT");
	rc = gj_cli_parse_ticket(x, a->pos[1], &ticket);
	if (!rc)
		rc = gj_cli_check_kv(x, a->pos + 3, a->n_pos - 3);
	if (!rc)
		rc = gj_cli_need_role(x);
	if (!rc)
		rc = gj_cli_connect(x);
	if (rc)
		return rc;
	r = gj_client_fire(x->client, ticket, a->pos[2], a->pos + 3, a->n_pos - 3,
			   a->values[O_NOTE], &reply);
	rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_TICKET);
	if (!rc) {
		if (x->json)
			rc = gj_cli_print_reply_json(x, reply);
		else
			rc = gj_cli_print_line(gj_ticket_line(reply->ticket, reply->now));
		note_unstarted(reply);
	}
	gj_reply_free(reply);
	return rc;
}

int gj_run_show(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	Guanjia__Reply *reply = NULL;
	uint64_t ticket;
	int rc, r;

	if (a->n_pos != 2)
		return gj_cli_usage_error(x, "show needs one TICKET");
	rc = gj_cli_parse_ticket(x, a->pos[1], &ticket);
	if (!rc)
		rc = gj_cli_connect(x);
	if (rc)
		return rc;
	r = gj_client_get(x->client, ticket, true, &reply);
	rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_TICKET);
	if (!rc) {
		if (x->json)
			rc = gj_cli_print_reply_json(x, reply);
		else
			gj_print_ticket(stdout, reply->ticket, reply->now);
	}
	gj_reply_free(reply);
	return rc;
}

/* gj list --json: {"now":..., "tickets":[...], "more":bool}, pages joined. */
int gj_run_list(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	Guanjia__ListTickets filter = GUANJIA__LIST_TICKETS__INIT;
	Guanjia__Reply *reply = NULL;
	uint64_t limit, after, shown = 0, last_id;
	bool more = false;
	int64_t now = 0;
	int rc, r;

	if (a->n_pos != 1)
		return gj_cli_usage_error(x, "list takes no arguments, only options");
	rc = gj_cli_opt_u64(x, O_LIMIT, 1, 100, &limit);
	if (!rc)
		rc = gj_cli_opt_u64(x, O_AFTER, 0, 0, &after);
	if (!rc)
		rc = gj_cli_connect(x);
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
		filter.limit = (uint32_t)(limit - shown < GJ_CLI_PAGE ? limit - shown : GJ_CLI_PAGE);
		r = gj_client_list(x->client, &filter, &reply);
		rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_TICKETS);
		if (rc)
			goto out;
		now = reply->now;
		for (size_t i = 0; i < reply->tickets->n_tickets && shown < limit; i++) {
			const Guanjia__Ticket *t = reply->tickets->tickets[i];

			if (x->json)
				gj_json_message(x->j, &t->base);
			else if ((rc = gj_cli_print_line(gj_ticket_line(t, now))))
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
			gj_cli_err("cannot print JSON: %s", strerror(-r));
			rc = EXIT_FAIL;
			goto out;
		}
	}
	if (more)
		gj_cli_err("more tickets match: continue with --after %llu", (unsigned long long)last_id);
out:
	gj_reply_free(reply);
	return rc;
}
