/*
 * gj_print.c - gj's output: a ticket in full, the daemon's status, records
 * (a notice with its text), explanations, recompute results, and JSON
 * lines.  Times are shown at GJ_DEFAULT_UTC_OFFSET_MIN; "time left" is
 * measured on the daemon's clock (Reply.now), which may be a manual one.
 */
#include "gj_print.h"
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TIME_BUF 40

static const char *tm(int64_t ms, char *buf)
{
	gj_time_format(ms, GJ_DEFAULT_UTC_OFFSET_MIN, buf, TIME_BUF);
	return buf;
}

static const char *dur(int64_t ms, char *buf)
{
	gj_duration_format(ms, buf, TIME_BUF);
	return buf;
}

static const char *clock_state_word(Guanjia__ClockState s)
{
	switch (s) {
	case GUANJIA__CLOCK_STATE__CLOCK_IDLE:
		return "idle";
	case GUANJIA__CLOCK_STATE__CLOCK_RUNNING:
		return "running";
	case GUANJIA__CLOCK_STATE__CLOCK_STOPPED:
		return "stopped";
	case GUANJIA__CLOCK_STATE__CLOCK_PAUSED:
		return "paused";
	default:
		return "?";
	}
}

static void print_fields(FILE *f, const char *indent, Guanjia__Field **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s = %s\n", indent, v[i]->name, v[i]->value);
}

static void print_clock(FILE *f, const Guanjia__Clock *c, int64_t now)
{
	char a[TIME_BUF], b[TIME_BUF];

	fprintf(f, "  %-16s %-5s %-8s", c->id, c->rule[0] ? c->rule : "-",
		clock_state_word(c->state));
	if (c->target[0])
		fprintf(f, " target %s", c->target);
	if (c->deadline)
		fprintf(f, ", deadline %s", tm(c->deadline, a));
	switch (c->state) {
	case GUANJIA__CLOCK_STATE__CLOCK_RUNNING:
		if (!c->deadline)
			break;
		if (c->deadline > now)
			fprintf(f, ", %s left", dur(c->deadline - now, a));
		else
			fprintf(f, ", LATE by %s", dur(now - c->deadline, a));
		break;
	case GUANJIA__CLOCK_STATE__CLOCK_STOPPED:
		if (c->stopped_at)
			fprintf(f, ", stopped %s", tm(c->stopped_at, a));
		if (c->stopped_at && c->deadline && c->stopped_at > c->deadline)
			fprintf(f, " (%s late)", dur(c->stopped_at - c->deadline, b));
		break;
	default:
		break;
	}
	if (c->warned)
		fputs(", warned", f);
	if (c->breached) {
		fputs(", BREACHED", f);
		if (c->breached_at)
			fprintf(f, " at %s", tm(c->breached_at, a));
	}
	fputc('\n', f);
}

static void print_history(FILE *f, const Guanjia__HistoryEntry *h)
{
	char a[TIME_BUF];

	fprintf(f, "  #%-3u %s  %s", h->seq, tm(h->at, a), h->person[0] ? h->person : "?");
	if (h->role[0])
		fprintf(f, "/%s", h->role);
	if (h->channel[0])
		fprintf(f, " via %s", h->channel);
	fprintf(f, "  %s", h->event);
	if (h->from_state[0] || h->to_state[0]) {
		if (!h->from_state[0])
			fprintf(f, ": -> %s", h->to_state);
		else if (strcmp(h->from_state, h->to_state) == 0)
			fprintf(f, ": stays %s", h->to_state);
		else
			fprintf(f, ": %s -> %s", h->from_state, h->to_state);
	}
	for (size_t i = 0; i < h->n_fields; i++)
		fprintf(f, "%s%s=%s", i ? ", " : " [", h->fields[i]->name, h->fields[i]->value);
	if (h->n_fields)
		fputc(']', f);
	if (h->note[0])
		fprintf(f, "  \"%s\"", h->note);
	fputc('\n', f);
}

void gj_print_ticket(FILE *f, const Guanjia__Ticket *t, int64_t now)
{
	char a[TIME_BUF];

	fprintf(f, "ticket %llu", (unsigned long long)t->id);
	if (t->title[0])
		fprintf(f, ": %s", t->title);
	fprintf(f, " (%s v%u", t->workflow, t->workflow_version);
	if (t->rule[0])
		fprintf(f, ", %s", t->rule);
	fputs(")\n", f);
	fprintf(f, "estate:   %s\n", t->estate[0] ? t->estate : "-");
	fprintf(f, "state:    %s%s\n", t->state, t->closed ? " (closed)" : "");
	fprintf(f, "opened:   %s", tm(t->opened_at, a));
	if (t->opened_by[0])
		fprintf(f, " by %s", t->opened_by);
	fputc('\n', f);
	fprintf(f, "updated:  %s\n", tm(t->updated_at, a));
	if (t->n_fields) {
		fputs("fields:\n", f);
		print_fields(f, "  ", t->fields, t->n_fields);
	}
	if (t->n_clocks) {
		fputs("clocks:\n", f);
		for (size_t i = 0; i < t->n_clocks; i++)
			print_clock(f, t->clocks[i], now);
	}
	if (t->n_history) {
		if (t->n_history < t->history_len)
			fprintf(f, "history (last %zu of %u):\n", t->n_history, t->history_len);
		else
			fputs("history:\n", f);
		for (size_t i = 0; i < t->n_history; i++)
			print_history(f, t->history[i]);
	}
}

void gj_print_status(FILE *f, const Guanjia__Status *st)
{
	char a[TIME_BUF], b[TIME_BUF];

	fprintf(f, "guanjiad %s\n", st->version);
	fprintf(f, "clock:          %s, %s\n", st->manual_clock ? "manual" : "real", tm(st->now, a));
	if (st->started_at)
		fprintf(f, "started:        %s\n", tm(st->started_at, a));
	fprintf(f, "journal:        last seq %llu\n", (unsigned long long)st->last_seq);
	fprintf(f, "tickets:        %llu (%llu open)\n", (unsigned long long)st->tickets,
		(unsigned long long)st->open_tickets);
	if (st->next_deadline)
		fprintf(f, "next deadline:  %s (in %s)\n", tm(st->next_deadline, a),
			dur(st->next_deadline - st->now, b));
	else
		fputs("next deadline:  none\n", f);
	fprintf(f, "commands:       %s\n", st->command_url);
	fprintf(f, "events:         %s\n", st->event_url);
	if (st->data_dir[0])
		fprintf(f, "data:           %s\n", st->data_dir);
	fputs("workflows:     ", f);
	for (size_t i = 0; i < st->n_workflows; i++)
		fprintf(f, "%s %s", i ? "," : "", st->workflows[i]);
	if (!st->n_workflows)
		fputs(" none", f);
	fputc('\n', f);
}

int gj_print_record(FILE *f, const Guanjia__Record *r)
{
	char *line = gj_record_line(r);
	const char *p;

	if (!line)
		return -ENOMEM;
	fputs(line, f);
	fputc('\n', f);
	free(line);
	if (r->body_case != GUANJIA__RECORD__BODY_NOTICE || !r->notice->text)
		return 0;
	for (p = r->notice->text; *p;) {
		const char *e = strchr(p, '\n');
		int len = e ? (int)(e - p) : (int)strlen(p);

		fprintf(f, "%s%.*s\n", len ? "    " : "", len, p);
		p += len + (e ? 1 : 0);
	}
	return 0;
}

void gj_print_explanation(FILE *f, const Guanjia__Explanation *ex)
{
	for (size_t i = 0; i < ex->n_lines; i++)
		fprintf(f, "%s\n", ex->lines[i]);
}

void gj_print_recompute(FILE *f, const Guanjia__RecomputeResult *res)
{
	const char *verb = res->applied ? "moved" : "would move";

	if (res->clocks_moved == 0) {
		fprintf(f, "0 deadlines %s\n", verb);
		return;
	}
	fprintf(f, "%u deadline%s of %u ticket%s %s:", res->clocks_moved,
		res->clocks_moved == 1 ? "" : "s", res->tickets_moved,
		res->tickets_moved == 1 ? "" : "s", verb);
	for (size_t i = 0; i < res->n_ticket_ids; i++)
		fprintf(f, "%s %llu", i ? "," : "", (unsigned long long)res->ticket_ids[i]);
	if (res->tickets_moved > res->n_ticket_ids)
		fprintf(f, " and %zu more", (size_t)res->tickets_moved - res->n_ticket_ids);
	if (!res->applied)
		fprintf(f, "; run again with --apply to move %s",
			res->clocks_moved == 1 ? "it" : "them");
	fputc('\n', f);
}

int gj_print_json(FILE *f, struct gj_json *j)
{
	const char *text;
	size_t len;
	int r = gj_json_finish(j, &text, &len);

	if (r == 0) {
		fwrite(text, 1, len, f);
		fputc('\n', f);
		if (ferror(f))
			r = -EIO;
	}
	gj_json_reset(j);
	return r;
}

int gj_print_json_message(FILE *f, struct gj_json *j, const ProtobufCMessage *m)
{
	gj_json_message(j, m);
	return gj_print_json(f, j);
}
