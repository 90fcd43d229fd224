/*
 * gj_admin.c - the gj commands about the daemon, its clock and its
 * calendars: clock, status, calendar, and the deadline tools explain (how
 * each deadline of a ticket was derived) and recompute (move running
 * deadlines to what the calendars loaded now give).
 */
#include "gj_cli.h"
#include "gj_print.h"
#include "wire.h"

#include <stdlib.h>
#include <string.h>

int gj_run_clock(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	const char *sub = a->n_pos > 1 ? a->pos[1] : "now";
	Guanjia__Reply *reply = NULL;
	char buf[40];
	int64_t by = 0;
	int rc, r;

	if (strcmp(sub, "advance") == 0) {
		if (a->n_pos != 3)
			return gj_cli_usage_error(x, "clock advance needs one DURATION");
		r = gj_duration_parse(a->pos[2], &by);
		if (r < 0 || by <= 0)
			return gj_cli_usage_error(x, "DURATION is a positive duration such as 10m, 1h30m, 2d, 90s; not '%s'",
						  a->pos[2]);
	} else if (strcmp(sub, "now") != 0 || a->n_pos > 2) {
		return gj_cli_usage_error(x, "clock takes 'advance DURATION' or 'now'");
	}
	rc = gj_cli_connect(x);
	if (rc)
		return rc;
	if (by)
		r = gj_client_advance(x->client, by, &reply);
	else
		r = gj_client_status(x->client, &reply);
	rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT__NOT_SET);
	if (!rc) {
		if (x->json) {
			rc = gj_cli_print_reply_json(x, reply);
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

int gj_run_status(struct gj_ctx *x)
{
	Guanjia__Reply *reply = NULL;
	int rc, r;

	if (x->a->n_pos != 1)
		return gj_cli_usage_error(x, "status takes no arguments");
	rc = gj_cli_connect(x);
	if (rc)
		return rc;
	r = gj_client_status(x->client, &reply);
	rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_STATUS);
	if (!rc) {
		if (x->json)
			rc = gj_cli_print_reply_json(x, reply);
		else
			gj_print_status(stdout, reply->status);
	}
	gj_reply_free(reply);
	return rc;
}

int gj_run_calendar(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__CalendarQuery q = GUANJIA__CALENDAR_QUERY__INIT;
	Guanjia__Reply *reply = NULL;
	char *end = NULL;
	int rc, r;

	if (a->n_pos == 4 && strcmp(a->pos[1], "add") == 0) {
		long n = strtol(a->pos[3], &end, 10);
		if (!*a->pos[3] || *end || n < 1 || n > 10000)
			return gj_cli_usage_error(x, "N is a number of working days from 1 to 10000, not '%s'",
						  a->pos[3]);
		q.date = (char *)a->pos[2];
		q.add = (int32_t)n;
	} else if (a->n_pos == 3 && strcmp(a->pos[1], "show") == 0) {
		long y = strtol(a->pos[2], &end, 10);
		if (!*a->pos[2] || *end || y < 1 || y > 9999)
			return gj_cli_usage_error(x, "YEAR is a year such as 2026, not '%s'", a->pos[2]);
		q.year = (int32_t)y;
	} else {
		return gj_cli_usage_error(x, "calendar takes 'add DATE N' or 'show YEAR'");
	}
	if (a->values[O_CALENDAR] && a->values[O_ESTATE])
		return gj_cli_usage_error(x, "give --calendar or --estate, not both");
	if (a->values[O_CALENDAR] && !*a->values[O_CALENDAR])
		return gj_cli_usage_error(x, "--calendar needs a calendar id, e.g. cn");
	if (a->values[O_ESTATE] && !*a->values[O_ESTATE])
		return gj_cli_usage_error(x, "--estate needs an estate id");
	if (a->values[O_CALENDAR])
		q.calendar = (char *)a->values[O_CALENDAR];
	if (a->values[O_ESTATE])
		q.estate = (char *)a->values[O_ESTATE];
	rc = gj_cli_connect(x);
	if (rc)
		return rc;
	req.command_case = GUANJIA__REQUEST__COMMAND_CALENDAR;
	req.calendar = &q;
	r = gj_client_call(x->client, &req, &reply);
	rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_CALENDAR);
	if (!rc) {
		const Guanjia__CalendarInfo *ci = reply->calendar;
		if (x->json) {
			rc = gj_cli_print_reply_json(x, reply);
		} else if (q.year) {
			printf("calendar %s, %d: %d working days%s\n", ci->calendar, ci->year,
			       ci->working_days, ci->year_known ? "" : " (no data for this year: Monday to Friday assumed)");
			printf("rest days (%zu):", ci->n_rest_days);
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
			fprintf(stderr, "%d working days after %s: the last is %s, due by its close %s (calendar %s)\n",
				q.add, q.date, ci->last_day, when, ci->calendar);
		}
	}
	gj_reply_free(reply);
	return rc;
}

int gj_run_explain(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__Explain ex = GUANJIA__EXPLAIN__INIT;
	Guanjia__Reply *reply = NULL;
	int rc, r;

	if (a->n_pos != 2)
		return gj_cli_usage_error(x, "explain needs one TICKET");
	rc = gj_cli_parse_ticket(x, a->pos[1], &ex.ticket_id);
	if (!rc)
		rc = gj_cli_connect(x);
	if (rc)
		return rc;
	req.command_case = GUANJIA__REQUEST__COMMAND_EXPLAIN;
	req.explain = &ex;
	r = gj_client_call(x->client, &req, &reply);
	rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_EXPLANATION);
	if (!rc) {
		if (x->json)
			rc = gj_cli_print_reply_json(x, reply);
		else
			gj_print_explanation(stdout, reply->explanation);
	}
	gj_reply_free(reply);
	return rc;
}

int gj_run_recompute(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__Recompute rq = GUANJIA__RECOMPUTE__INIT;
	Guanjia__Reply *reply = NULL;
	int rc, r;

	if (a->n_pos != 1)
		return gj_cli_usage_error(x, "recompute takes no arguments, only options");
	if (a->values[O_ESTATE] && !*a->values[O_ESTATE])
		return gj_cli_usage_error(x, "--estate needs an estate id");
	rc = gj_cli_need_role(x);
	if (!rc)
		rc = gj_cli_connect(x);
	if (rc)
		return rc;
	rq.apply = a->values[O_APPLY] != NULL;
	if (a->values[O_ESTATE])
		rq.estate = (char *)a->values[O_ESTATE];
	req.command_case = GUANJIA__REQUEST__COMMAND_RECOMPUTE;
	req.recompute = &rq;
	r = gj_client_call(x->client, &req, &reply);
	rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_RECOMPUTE);
	if (!rc) {
		if (x->json)
			rc = gj_cli_print_reply_json(x, reply);
		else
			gj_print_recompute(stdout, reply->recompute);
	}
	gj_reply_free(reply);
	return rc;
}
