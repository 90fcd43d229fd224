/*
 * gj_report.c - `gj report --month YYYY-MM [--estate E] [--csv | --json]`:
 * the month's statistics of an estate.  The tickets are listed page by
 * page; the ones the month concerns are read again with their history and
 * counted by report.c; this file prints the result as text, CSV or JSON.
 * docs/reports.md defines every figure and every column.
 */
#include "gj_cli.h"
#include "gj_print.h"
#include "report.h"
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The estate calendar's zone.  The protocol does not carry a calendar's
 * offset yet; every shipped calendar is on +08:00. */
#define REPORT_OFFSET_MIN GJ_DEFAULT_UTC_OFFSET_MIN

struct wanted {
	uint64_t *ids;
	size_t n, cap;
	char **estates;         /* distinct estates of the wanted tickets */
	size_t n_estates;
};

static int want(struct wanted *w, const Guanjia__Ticket *t)
{
	size_t i;

	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 256;
		uint64_t *v = realloc(w->ids, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		w->ids = v;
		w->cap = cap;
	}
	w->ids[w->n++] = t->id;
	for (i = 0; i < w->n_estates; i++)
		if (strcmp(w->estates[i], t->estate) == 0)
			return 0;
	char **e = realloc(w->estates, (w->n_estates + 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	w->estates = e;
	if (!(e[w->n_estates] = strdup(t->estate)))
		return -ENOMEM;
	w->n_estates++;
	return 0;
}

static void wanted_free(struct wanted *w)
{
	for (size_t i = 0; i < w->n_estates; i++)
		free(w->estates[i]);
	free(w->estates);
	free(w->ids);
}

/* -------------------------------------------------------------- text */

static const char *pct(int32_t permille, char *buf, size_t len)
{
	if (permille < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%d.%d%%", permille / 10, permille % 10);
	return buf;
}

static const char *dur(bool has, int64_t ms, char *buf, size_t len)
{
	if (!has)
		snprintf(buf, len, "-");
	else
		gj_duration_format(ms, buf, len);
	return buf;
}

static const char *who(const char *key)
{
	return key && *key ? key : "(none)";
}

static void text_clocks(const char *rule, const char *name, int name_w,
			const struct gj_report_clocks *f, bool rule_row)
{
	char p[16], med[32], worst[32], tk[16] = "", ca[16] = "";

	if (rule_row) {
		snprintf(tk, sizeof(tk), "%u", f->tickets);
		snprintf(ca, sizeof(ca), "%u", f->cancelled);
	}
	printf("%-5s %-*s %7s %9s %6u %6u %8u %7u %6s %11s %11s\n", rule, name_w, name, tk, ca,
	       f->clocks, f->met, f->breached, f->pending,
	       pct(gj_report_permille(f->met, f->met + f->breached), p, sizeof(p)),
	       dur(f->has_late, f->median_late_ms, med, sizeof(med)),
	       dur(f->has_late, f->worst_late_ms, worst, sizeof(worst)));
}

static void text_rates(const char *what, const char *done, const char *of,
		       const struct gj_report_rate *v, size_t n, const struct gj_report_rate *total)
{
	int w = (int)strlen(what);
	char p[16];

	for (size_t i = 0; i < n; i++)
		if ((int)strlen(who(v[i].key)) > w)
			w = (int)strlen(who(v[i].key));
	printf("  %-*s %8s %8s %7s\n", w, what, done, of, "RATE");
	for (size_t i = 0; i < n; i++)
		printf("  %-*s %8u %8u %7s\n", w, who(v[i].key), v[i].count, v[i].of,
		       pct(gj_report_permille(v[i].count, v[i].of), p, sizeof(p)));
	if (total)
		printf("  %-*s %8u %8u %7s\n", w, "all", total->count, total->of,
		       pct(gj_report_permille(total->count, total->of), p, sizeof(p)));
}

static void fen(int64_t v, char *buf, size_t len)
{
	snprintf(buf, len, "%lld.%02lld", (long long)(v / 100), (long long)(v % 100));
}

static bool r21_below(const struct gj_report *r)
{
	return r->r21_households &&
	       (uint64_t)r->r21_households_paid * 1000 <
		       (uint64_t)GJ_REPORT_R21_TARGET_PERMILLE * r->r21_households;
}

static uint32_t deduction(uint32_t findings)
{
	return findings >= GJ_REPORT_FINDINGS_THRESHOLD ? GJ_REPORT_FINDINGS_DEDUCTION : 0;
}

static void print_text(const struct gj_report *r)
{
	char from[40], to[40], asof[40], p[16];
	int name_w = 14;

	gj_time_format(r->from, r->offset_min, from, sizeof(from));
	gj_time_format(r->to, r->offset_min, to, sizeof(to));
	gj_time_format(r->as_of, r->offset_min, asof, sizeof(asof));
	printf("Report of estate %s for %s (%s to %s)\n", r->estate ? r->estate : "(none given, no tickets in the month)",
	       r->month, from, to);
	if (r->complete)
		printf("As of %s: the month is over: these figures stay as they are, unless a clock of the month's tickets runs again later (docs/reports.md).\n", asof);
	else
		printf("As of %s: the month is not over; the figures so far.\n", asof);
	printf("Tickets opened in the month: %u\n", r->tickets);

	printf("\nDeadlines per rule (clocks of the month's tickets; %% met = met / (met + breached))\n");
	for (size_t i = 0; i < r->n_rules; i++)
		for (size_t j = 0; j < r->rules[i].n_rows; j++) {
			int w = (int)(strlen(r->rules[i].rows[j].workflow) +
				      strlen(r->rules[i].rows[j].clock) + 3);
			if (w > name_w)
				name_w = w;
		}
	printf("%-5s %-*s %7s %9s %6s %6s %8s %7s %6s %11s %11s\n", "RULE", name_w, "WORKFLOW/CLOCK",
	       "TICKETS", "CANCELLED", "CLOCKS", "MET", "BREACHED", "PENDING", "% MET", "MEDIAN LATE",
	       "WORST LATE");
	if (r->n_rules == 0)
		printf("(no tickets)\n");
	for (size_t i = 0; i < r->n_rules; i++) {
		const struct gj_report_rule *ru = &r->rules[i];
		text_clocks(ru->rule, "", name_w, &ru->f, true);
		for (size_t j = 0; j < ru->n_rows; j++) {
			char name[200];
			snprintf(name, sizeof(name), "  %s/%s", ru->rows[j].workflow, ru->rows[j].clock);
			text_clocks("", name, name_w, &ru->rows[j].f, false);
		}
	}

	printf("\nR17 repair completion rate (repairs reported in the month but not cancelled; done by the cut-off)\n");
	if (r->r17_total.of == 0) {
		printf("  no repairs\n");
	} else {
		text_rates("TECHNICIAN", "DONE", "REPAIRS", r->r17_technicians, r->n_r17_technicians,
			   &r->r17_total);
		text_rates("TEAM", "DONE", "REPAIRS", r->r17_teams, r->n_r17_teams, NULL);
	}

	printf("\nR16 findings completion rate per team (findings recorded in the month but not cancelled; resolved by the cut-off)\n");
	if (r->r16_total.of == 0)
		printf("  no findings\n");
	else
		text_rates("TEAM", "RESOLVED", "FINDINGS", r->r16_teams, r->n_r16_teams, &r->r16_total);

	printf("\nR26a call-back satisfaction: %u of %u call-backs made in the month satisfied (%s)\n",
	       r->r26a_satisfied, r->r26a_called_back,
	       pct(gj_report_permille(r->r26a_satisfied, r->r26a_called_back), p, sizeof(p)));

	printf("\nR18 visits and surveys per butler, done in the month (at least %d of each; * short)\n",
	       GJ_REPORT_R18_MINIMUM);
	if (r->n_butlers == 0) {
		printf("  none\n");
	} else {
		int w = 6;
		for (size_t i = 0; i < r->n_butlers; i++)
			if ((int)strlen(who(r->butlers[i].butler)) > w)
				w = (int)strlen(who(r->butlers[i].butler));
		printf("  %-*s %7s %8s %20s\n", w, "BUTLER", "VISITS", "SURVEYS", "NEW-RESIDENT VISITS");
		for (size_t i = 0; i < r->n_butlers; i++) {
			const struct gj_report_butler *b = &r->butlers[i];
			printf("  %-*s %6u%c %7u%c %20u\n", w, who(b->butler), b->visits,
			       b->visits < GJ_REPORT_R18_MINIMUM ? '*' : ' ', b->surveys,
			       b->surveys < GJ_REPORT_R18_MINIMUM ? '*' : ' ', b->new_resident_visits);
		}
	}

	printf("\nR01/R02 9S findings per person, recorded in the month (%d or more in one check: %d points deducted)\n",
	       GJ_REPORT_FINDINGS_THRESHOLD, GJ_REPORT_FINDINGS_DEDUCTION);
	if (r->n_people == 0) {
		printf("  none\n");
	} else {
		int w = 6;
		for (size_t i = 0; i < r->n_people; i++)
			if ((int)strlen(who(r->people[i].person)) > w)
				w = (int)strlen(who(r->people[i].person));
		printf("  %-*s %5s %5s %16s\n", w, "PERSON", "R01", "R02", "POINTS DEDUCTED");
		for (size_t i = 0; i < r->n_people; i++) {
			const struct gj_report_person *q = &r->people[i];
			printf("  %-*s %5u %5u %16u\n", w, who(q->person), q->r01, q->r02,
			       deduction(q->r01) + deduction(q->r02));
		}
	}

	printf("\nR21 fee collection, bills for %s: ", r->month);
	if (r->r21_households == 0) {
		printf("no bills\n");
	} else {
		char billed[32], paid[32];
		printf("%u of %u households paid (%s); target %d%%: %s\n", r->r21_households_paid,
		       r->r21_households,
		       pct(gj_report_permille(r->r21_households_paid, r->r21_households), p, sizeof(p)),
		       GJ_REPORT_R21_TARGET_PERMILLE / 10, r21_below(r) ? "BELOW TARGET" : "met");
		fen(r->r21_billed_fen, billed, sizeof(billed));
		fen(r->r21_paid_fen, paid, sizeof(paid));
		printf("  %u accounts, %u paid, %u handed over to the manager", r->r21_accounts,
		       r->r21_accounts_paid, r->r21_handed_over);
		if (r->r21_amounts)
			printf("; billed %s yuan, paid %s yuan", billed, paid);
		printf("\n");
	}
}

/* --------------------------------------------------------------- CSV */

enum {
	C_ESTATE, C_MONTH, C_SECTION, C_RULE, C_WORKFLOW, C_CLOCK, C_SUBJECT, C_TICKETS,
	C_CANCELLED, C_CLOCKS, C_MET, C_BREACHED, C_PENDING, C_PCT_MET, C_MEDIAN, C_WORST,
	C_COUNT, C_OF, C_RATE, C_THRESHOLD, C_DEDUCTION, C_FLAG, N_COLS
};

static const char *const csv_header[N_COLS] = {
	"estate", "month", "section", "rule", "workflow", "clock", "subject", "tickets",
	"cancelled", "clocks", "met", "breached", "pending", "pct_met", "median_late_ms",
	"worst_late_ms", "count", "of", "rate_pct", "threshold", "deduction", "flag",
};

struct csv_row {
	char cell[N_COLS][160];
};

static void csv_cell(const char *s)
{
	if (strpbrk(s, ",\"\r\n")) {
		putchar('"');
		for (; *s; s++) {
			if (*s == '"')
				putchar('"');
			putchar(*s);
		}
		putchar('"');
	} else {
		fputs(s, stdout);
	}
}

static void csv_line(const char *const *cells)
{
	for (int i = 0; i < N_COLS; i++) {
		if (i)
			putchar(',');
		csv_cell(cells[i]);
	}
	putchar('\n');
}

static void csv_emit(struct csv_row *row)
{
	const char *cells[N_COLS];

	for (int i = 0; i < N_COLS; i++)
		cells[i] = row->cell[i];
	csv_line(cells);
}

static void csv_start(struct csv_row *row, const struct gj_report *r, const char *section,
		      const char *rule)
{
	memset(row, 0, sizeof(*row));
	snprintf(row->cell[C_ESTATE], sizeof(row->cell[0]), "%s", r->estate ? r->estate : "");
	snprintf(row->cell[C_MONTH], sizeof(row->cell[0]), "%s", r->month);
	snprintf(row->cell[C_SECTION], sizeof(row->cell[0]), "%s", section);
	snprintf(row->cell[C_RULE], sizeof(row->cell[0]), "%s", rule);
}

#define CELL(row, col, ...) snprintf((row)->cell[col], sizeof((row)->cell[0]), __VA_ARGS__)

static void csv_rate_cell(struct csv_row *row, int col, uint32_t count, uint32_t of)
{
	int32_t pm = gj_report_permille(count, of);

	if (pm >= 0)
		CELL(row, col, "%d.%d", pm / 10, pm % 10);
}

static void csv_clocks(struct csv_row *row, const struct gj_report_clocks *f, bool rule_row)
{
	if (rule_row) {
		CELL(row, C_TICKETS, "%u", f->tickets);
		CELL(row, C_CANCELLED, "%u", f->cancelled);
	}
	CELL(row, C_CLOCKS, "%u", f->clocks);
	CELL(row, C_MET, "%u", f->met);
	CELL(row, C_BREACHED, "%u", f->breached);
	CELL(row, C_PENDING, "%u", f->pending);
	csv_rate_cell(row, C_PCT_MET, f->met, f->met + f->breached);
	if (f->has_late) {
		CELL(row, C_MEDIAN, "%lld", (long long)f->median_late_ms);
		CELL(row, C_WORST, "%lld", (long long)f->worst_late_ms);
	}
}

static void csv_rates(const struct gj_report *r, const char *section, const char *rule,
		      const struct gj_report_rate *v, size_t n)
{
	struct csv_row row;

	for (size_t i = 0; i < n; i++) {
		csv_start(&row, r, section, rule);
		CELL(&row, C_SUBJECT, "%s", v[i].key ? v[i].key : "");
		CELL(&row, C_COUNT, "%u", v[i].count);
		CELL(&row, C_OF, "%u", v[i].of);
		csv_rate_cell(&row, C_RATE, v[i].count, v[i].of);
		csv_emit(&row);
	}
}

static void csv_r18(const struct gj_report *r, const char *section, const char *subject,
		    uint32_t count, bool minimum)
{
	struct csv_row row;

	csv_start(&row, r, section, "R18");
	CELL(&row, C_SUBJECT, "%s", subject);
	CELL(&row, C_COUNT, "%u", count);
	if (minimum) {
		CELL(&row, C_THRESHOLD, "%d", GJ_REPORT_R18_MINIMUM);
		if (count < GJ_REPORT_R18_MINIMUM)
			CELL(&row, C_FLAG, "below_minimum");
	}
	csv_emit(&row);
}

static void csv_findings(const struct gj_report *r, const char *rule, const char *subject,
			 uint32_t count)
{
	struct csv_row row;

	csv_start(&row, r, "findings", rule);
	CELL(&row, C_SUBJECT, "%s", subject);
	CELL(&row, C_COUNT, "%u", count);
	CELL(&row, C_THRESHOLD, "%d", GJ_REPORT_FINDINGS_THRESHOLD);
	CELL(&row, C_DEDUCTION, "%u", deduction(count));
	if (deduction(count))
		CELL(&row, C_FLAG, "deduction");
	csv_emit(&row);
}

static void print_csv(const struct gj_report *r)
{
	struct csv_row row;

	csv_line(csv_header);
	csv_start(&row, r, "report", "");
	CELL(&row, C_TICKETS, "%u", r->tickets);
	CELL(&row, C_FLAG, "%s", r->complete ? "complete" : "incomplete");
	csv_emit(&row);
	for (size_t i = 0; i < r->n_rules; i++) {
		const struct gj_report_rule *ru = &r->rules[i];
		csv_start(&row, r, "rule", ru->rule);
		csv_clocks(&row, &ru->f, true);
		csv_emit(&row);
		for (size_t j = 0; j < ru->n_rows; j++) {
			csv_start(&row, r, "clock", ru->rule);
			CELL(&row, C_WORKFLOW, "%s", ru->rows[j].workflow);
			CELL(&row, C_CLOCK, "%s", ru->rows[j].clock);
			csv_clocks(&row, &ru->rows[j].f, false);
			csv_emit(&row);
		}
	}
	csv_rates(r, "r17_technician", "R17", r->r17_technicians, r->n_r17_technicians);
	csv_rates(r, "r17_team", "R17", r->r17_teams, r->n_r17_teams);
	csv_rates(r, "r17_total", "R17", &r->r17_total, 1);
	csv_rates(r, "r16_team", "R16", r->r16_teams, r->n_r16_teams);
	csv_rates(r, "r16_total", "R16", &r->r16_total, 1);
	csv_start(&row, r, "r26a_callback", "R26a");
	CELL(&row, C_COUNT, "%u", r->r26a_satisfied);
	CELL(&row, C_OF, "%u", r->r26a_called_back);
	csv_rate_cell(&row, C_RATE, r->r26a_satisfied, r->r26a_called_back);
	csv_emit(&row);
	for (size_t i = 0; i < r->n_butlers; i++) {
		const struct gj_report_butler *b = &r->butlers[i];
		csv_r18(r, "r18_visits", b->butler, b->visits, true);
		csv_r18(r, "r18_surveys", b->butler, b->surveys, true);
		csv_r18(r, "r18_new_resident_visits", b->butler, b->new_resident_visits, false);
	}
	for (size_t i = 0; i < r->n_people; i++) {
		csv_findings(r, "R01", r->people[i].person, r->people[i].r01);
		csv_findings(r, "R02", r->people[i].person, r->people[i].r02);
	}
	csv_start(&row, r, "r21_collection", "R21");
	CELL(&row, C_SUBJECT, "%s", r->month);
	CELL(&row, C_COUNT, "%u", r->r21_households_paid);
	CELL(&row, C_OF, "%u", r->r21_households);
	csv_rate_cell(&row, C_RATE, r->r21_households_paid, r->r21_households);
	CELL(&row, C_THRESHOLD, "%d", GJ_REPORT_R21_TARGET_PERMILLE / 10);
	if (r21_below(r))
		CELL(&row, C_FLAG, "below_target");
	csv_emit(&row);
}

/* -------------------------------------------------------------- JSON */

static void json_permille(struct gj_json *j, const char *key, uint32_t count, uint32_t of)
{
	int32_t pm = gj_report_permille(count, of);

	gj_json_key(j, key);
	if (pm < 0)
		gj_json_null(j);
	else
		gj_json_int(j, pm);
}

static void json_u(struct gj_json *j, const char *key, uint64_t v)
{
	gj_json_key(j, key);
	gj_json_uint(j, v);
}

static void json_s(struct gj_json *j, const char *key, const char *v)
{
	gj_json_key(j, key);
	gj_json_string(j, v);
}

static void json_time(struct gj_json *j, const char *key, int64_t ms, int offset_min)
{
	char buf[40];

	gj_time_format(ms, offset_min, buf, sizeof(buf));
	json_s(j, key, buf);
}

static void json_clocks(struct gj_json *j, const struct gj_report_clocks *f, bool rule_row)
{
	if (rule_row) {
		json_u(j, "tickets", f->tickets);
		json_u(j, "cancelled", f->cancelled);
	}
	json_u(j, "clocks", f->clocks);
	json_u(j, "met", f->met);
	json_u(j, "breached", f->breached);
	json_u(j, "pending", f->pending);
	json_permille(j, "met_permille", f->met, f->met + f->breached);
	gj_json_key(j, "median_late_ms");
	if (f->has_late)
		gj_json_int(j, f->median_late_ms);
	else
		gj_json_null(j);
	gj_json_key(j, "worst_late_ms");
	if (f->has_late)
		gj_json_int(j, f->worst_late_ms);
	else
		gj_json_null(j);
}

static void json_rates(struct gj_json *j, const char *key, const char *keyname, const char *count,
		       const char *of, const struct gj_report_rate *v, size_t n)
{
	gj_json_key(j, key);
	gj_json_array_begin(j);
	for (size_t i = 0; i < n; i++) {
		gj_json_object_begin(j);
		json_s(j, keyname, v[i].key);
		json_u(j, count, v[i].count);
		json_u(j, of, v[i].of);
		json_permille(j, "rate_permille", v[i].count, v[i].of);
		gj_json_object_end(j);
	}
	gj_json_array_end(j);
}

static void build_json(struct gj_json *j, const struct gj_report *r)
{
	gj_json_object_begin(j);
	gj_json_key(j, "estate");
	gj_json_string(j, r->estate);
	json_s(j, "month", r->month);
	json_time(j, "from", r->from, r->offset_min);
	json_time(j, "to", r->to, r->offset_min);
	json_time(j, "as_of", r->as_of, r->offset_min);
	gj_json_key(j, "complete");
	gj_json_bool(j, r->complete);
	json_u(j, "tickets", r->tickets);

	gj_json_key(j, "rules");
	gj_json_array_begin(j);
	for (size_t i = 0; i < r->n_rules; i++) {
		const struct gj_report_rule *ru = &r->rules[i];
		gj_json_object_begin(j);
		json_s(j, "rule", ru->rule);
		json_clocks(j, &ru->f, true);
		gj_json_key(j, "by_clock");
		gj_json_array_begin(j);
		for (size_t k = 0; k < ru->n_rows; k++) {
			gj_json_object_begin(j);
			json_s(j, "workflow", ru->rows[k].workflow);
			json_s(j, "clock", ru->rows[k].clock);
			json_clocks(j, &ru->rows[k].f, false);
			gj_json_object_end(j);
		}
		gj_json_array_end(j);
		gj_json_object_end(j);
	}
	gj_json_array_end(j);

	gj_json_key(j, "r17_repairs");
	gj_json_object_begin(j);
	json_u(j, "done", r->r17_total.count);
	json_u(j, "repairs", r->r17_total.of);
	json_permille(j, "rate_permille", r->r17_total.count, r->r17_total.of);
	json_rates(j, "technicians", "technician", "done", "repairs", r->r17_technicians,
		   r->n_r17_technicians);
	json_rates(j, "teams", "team", "done", "repairs", r->r17_teams, r->n_r17_teams);
	gj_json_object_end(j);

	gj_json_key(j, "r16_findings");
	gj_json_object_begin(j);
	json_u(j, "resolved", r->r16_total.count);
	json_u(j, "findings", r->r16_total.of);
	json_permille(j, "rate_permille", r->r16_total.count, r->r16_total.of);
	json_rates(j, "teams", "team", "resolved", "findings", r->r16_teams, r->n_r16_teams);
	gj_json_object_end(j);

	gj_json_key(j, "r26a_callbacks");
	gj_json_object_begin(j);
	json_u(j, "called_back", r->r26a_called_back);
	json_u(j, "satisfied", r->r26a_satisfied);
	json_permille(j, "rate_permille", r->r26a_satisfied, r->r26a_called_back);
	gj_json_object_end(j);

	gj_json_key(j, "r18_butlers");
	gj_json_object_begin(j);
	json_u(j, "minimum", GJ_REPORT_R18_MINIMUM);
	gj_json_key(j, "butlers");
	gj_json_array_begin(j);
	for (size_t i = 0; i < r->n_butlers; i++) {
		const struct gj_report_butler *b = &r->butlers[i];
		gj_json_object_begin(j);
		json_s(j, "butler", b->butler);
		json_u(j, "visits", b->visits);
		json_u(j, "surveys", b->surveys);
		json_u(j, "new_resident_visits", b->new_resident_visits);
		gj_json_key(j, "visits_short");
		gj_json_bool(j, b->visits < GJ_REPORT_R18_MINIMUM);
		gj_json_key(j, "surveys_short");
		gj_json_bool(j, b->surveys < GJ_REPORT_R18_MINIMUM);
		gj_json_object_end(j);
	}
	gj_json_array_end(j);
	gj_json_object_end(j);

	gj_json_key(j, "r01_r02_findings");
	gj_json_object_begin(j);
	json_u(j, "threshold", GJ_REPORT_FINDINGS_THRESHOLD);
	json_u(j, "points", GJ_REPORT_FINDINGS_DEDUCTION);
	gj_json_key(j, "people");
	gj_json_array_begin(j);
	for (size_t i = 0; i < r->n_people; i++) {
		const struct gj_report_person *q = &r->people[i];
		gj_json_object_begin(j);
		json_s(j, "person", q->person);
		json_u(j, "r01", q->r01);
		json_u(j, "r02", q->r02);
		json_u(j, "deduction", deduction(q->r01) + deduction(q->r02));
		gj_json_object_end(j);
	}
	gj_json_array_end(j);
	gj_json_object_end(j);

	gj_json_key(j, "r21_collection");
	gj_json_object_begin(j);
	json_s(j, "month", r->month);
	json_u(j, "households", r->r21_households);
	json_u(j, "households_paid", r->r21_households_paid);
	json_permille(j, "rate_permille", r->r21_households_paid, r->r21_households);
	json_u(j, "target_permille", GJ_REPORT_R21_TARGET_PERMILLE);
	gj_json_key(j, "below_target");
	gj_json_bool(j, r21_below(r));
	json_u(j, "accounts", r->r21_accounts);
	json_u(j, "accounts_paid", r->r21_accounts_paid);
	json_u(j, "handed_over", r->r21_handed_over);
	gj_json_key(j, "billed_fen");
	if (r->r21_amounts)
		gj_json_int(j, r->r21_billed_fen);
	else
		gj_json_null(j);
	gj_json_key(j, "paid_fen");
	if (r->r21_amounts)
		gj_json_int(j, r->r21_paid_fen);
	else
		gj_json_null(j);
	gj_json_object_end(j);

	gj_json_object_end(j);
}

/* ------------------------------------------------------------ command */

/* Every ticket of the estate (every estate without --estate), page by
 * page; keep the ids of those the month concerns.  The report is created
 * at the first reply, with the daemon's clock for the cut-off. */
static int scan(struct gj_ctx *x, const char *month, struct gj_report **ret_report,
		struct wanted *w)
{
	Guanjia__ListTickets filter = GUANJIA__LIST_TICKETS__INIT;
	Guanjia__Reply *reply = NULL;
	struct gj_report *r = NULL;
	int rc = 0, e;

	if (x->a->values[O_ESTATE])
		filter.estate = (char *)x->a->values[O_ESTATE];
	filter.limit = GJ_CLI_PAGE;
	for (;;) {
		e = gj_client_list(x->client, &filter, &reply);
		rc = gj_cli_check_reply(x, e, reply, GUANJIA__REPLY__RESULT_TICKETS);
		if (rc)
			goto fail;
		if (!r && (e = gj_report_create(x->a->values[O_ESTATE], month, REPORT_OFFSET_MIN,
						reply->now, &r)) < 0) {
			gj_cli_err("report: %s", strerror(-e));
			rc = EXIT_FAIL;
			goto fail;
		}
		for (size_t i = 0; i < reply->tickets->n_tickets; i++) {
			const Guanjia__Ticket *t = reply->tickets->tickets[i];
			filter.after_id = t->id;
			if (gj_report_concerns(r, t) && want(w, t) < 0) {
				gj_cli_err("out of memory");
				rc = EXIT_FAIL;
				goto fail;
			}
		}
		if (!reply->tickets->more || reply->tickets->n_tickets == 0)
			break;
		gj_reply_free(reply);
		reply = NULL;
	}
	gj_reply_free(reply);
	*ret_report = r;
	return 0;
fail:
	gj_reply_free(reply);
	gj_report_destroy(r);
	return rc;
}

int gj_run_report(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	const char *month = a->values[O_MONTH];
	struct gj_report *r = NULL;
	struct wanted w = { 0 };
	int64_t from, to;
	int rc, e;

	if (a->n_pos != 1)
		return gj_cli_usage_error(x, "report takes no arguments, only options");
	if (!month)
		return gj_cli_usage_error(x, "report needs --month YYYY-MM");
	if (gj_report_month_bounds(month, REPORT_OFFSET_MIN, &from, &to) < 0)
		return gj_cli_usage_error(x, "--month wants a month such as 2026-10, not '%s'", month);
	if (a->values[O_ESTATE] && !*a->values[O_ESTATE])
		return gj_cli_usage_error(x, "--estate needs an estate id");
	if (a->values[O_CSV] && x->json)
		return gj_cli_usage_error(x, "give --csv or --json, not both");
	rc = gj_cli_connect(x);
	if (rc)
		return rc;
	rc = scan(x, month, &r, &w);
	if (rc)
		goto out;
	/* Without --estate: the estate of the month's tickets, which must be
	 * one (the protocol does not say which estate is the daemon's
	 * default). */
	if (!a->values[O_ESTATE] && w.n_estates > 1) {
		fprintf(stderr, "gj: the month has tickets of %zu estates (", w.n_estates);
		for (size_t i = 0; i < w.n_estates; i++)
			fprintf(stderr, "%s%s", i ? ", " : "", w.estates[i]);
		fprintf(stderr, "): choose one with --estate\n");
		rc = EXIT_USAGE;
		goto out;
	}
	if (!a->values[O_ESTATE] && w.n_estates == 1 && (e = gj_report_set_estate(r, w.estates[0]))) {
		gj_cli_err("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	for (size_t i = 0; i < w.n; i++) {
		Guanjia__Reply *reply = NULL;

		e = gj_client_get(x->client, w.ids[i], true, &reply);
		if (e == 0 && reply->outcome == GUANJIA__OUTCOME__REFUSED &&
		    reply->code == GUANJIA__ERROR_CODE__UNKNOWN_TICKET) {
			gj_reply_free(reply);
			continue;  /* gone since it was listed */
		}
		rc = gj_cli_check_reply(x, e, reply, GUANJIA__REPLY__RESULT_TICKET);
		if (!rc && (e = gj_report_add(r, reply->ticket)) < 0) {
			gj_cli_err("report: %s", strerror(-e));
			rc = EXIT_FAIL;
		}
		gj_reply_free(reply);
		if (rc)
			goto out;
	}
	if ((e = gj_report_finish(r)) < 0) {
		gj_cli_err("report: %s", strerror(-e));
		rc = EXIT_FAIL;
		goto out;
	}
	if (x->json) {
		build_json(x->j, r);
		e = gj_print_json(stdout, x->j);
		if (e < 0) {
			gj_cli_err("cannot print JSON: %s", strerror(-e));
			rc = EXIT_FAIL;
		}
	} else if (a->values[O_CSV]) {
		print_csv(r);
	} else {
		print_text(r);
	}
out:
	wanted_free(&w);
	gj_report_destroy(r);
	return rc;
}
