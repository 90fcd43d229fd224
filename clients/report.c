/*
 * report.c - the monthly report's figures (`gj report`), from tickets and
 * their history.  docs/reports.md is the definition of every figure; the
 * comments here say how the stored data is read to get it.
 *
 * Everything is judged "as of" the cut-off C (the next month's first
 * instant, or the daemon's clock while the month runs): the state and the
 * fields a ticket had at C are replayed from its history (entries at or
 * after C are ignored), and a clock is judged from its stored state with
 * every instant compared to C.  Nothing reads the time the report is run,
 * so a month that is over reports the same figures whenever it is asked.
 */
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "wire.h"

struct gj_report_household {
	char *household;
	uint32_t accounts, paid;
};

/* A ticket as it stood at the cut-off. */
struct asof {
	const char *state;          /* "" when no entry precedes the cut-off */
	int64_t state_since;        /* when it entered that state */
	bool cancelled;             /* in a void state (see void_state()) */
	bool done;                  /* in a done state (see done_state()) */
	const Guanjia__Field **fields;
	size_t n_fields;
};

enum verdict { V_NONE, V_MET, V_BREACHED, V_PENDING };

/* States that undo a ticket: cancelled, or withdrawn as recorded by
 * mistake (r01_finding, r02_finding). */
static bool void_state(const char *state)
{
	return strcmp(state, "cancelled") == 0 || strcmp(state, "withdrawn") == 0;
}

int gj_report_month_bounds(const char *month, int offset_min, int64_t *ret_from, int64_t *ret_to)
{
	char text[40], sign = offset_min < 0 ? '-' : '+';
	int y, m, off = offset_min < 0 ? -offset_min : offset_min;
	int64_t from, to;

	if (!month || strlen(month) != 7 || month[4] != '-')
		return -EINVAL;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (month[i] < '0' || month[i] > '9'))
			return -EINVAL;
	y = atoi(month);
	m = atoi(month + 5);
	if (y < 1970 || m < 1 || m > 12 || off > 14 * 60)
		return -EINVAL;
	snprintf(text, sizeof(text), "%04d-%02d-01T00:00:00%c%02d:%02d", y, m, sign, off / 60,
		 off % 60);
	if (gj_time_parse(text, &from) < 0)
		return -EINVAL;
	if (++m > 12) {
		m = 1;
		y++;
	}
	snprintf(text, sizeof(text), "%04d-%02d-01T00:00:00%c%02d:%02d", y, m, sign, off / 60,
		 off % 60);
	if (gj_time_parse(text, &to) < 0)
		return -EINVAL;
	*ret_from = from;
	*ret_to = to;
	return 0;
}

int gj_report_create(const char *estate, const char *month, int offset_min, int64_t now,
		     struct gj_report **ret)
{
	struct gj_report *r;
	int64_t from, to;
	int rc = gj_report_month_bounds(month, offset_min, &from, &to);

	if (rc)
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	if (estate && !(r->estate = strdup(estate))) {
		free(r);
		return -ENOMEM;
	}
	memcpy(r->month, month, 7);
	r->offset_min = offset_min;
	r->from = from;
	r->to = to;
	/* A month still running is judged as of now, what happened at this
	 * very millisecond included. */
	r->as_of = now < to - 1 ? now + 1 : to;
	if (r->as_of < from)
		r->as_of = from;
	r->complete = r->as_of == to;
	r->r21_amounts = true;
	*ret = r;
	return 0;
}

int gj_report_set_estate(struct gj_report *r, const char *estate)
{
	char *e = strdup(estate);

	if (!e)
		return -ENOMEM;
	free(r->estate);
	r->estate = e;
	return 0;
}

static void free_rates(struct gj_report_rate *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].key);
	free(v);
}

void gj_report_destroy(struct gj_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_rules; i++) {
		struct gj_report_rule *ru = &r->rules[i];
		for (size_t j = 0; j < ru->n_rows; j++) {
			free(ru->rows[j].workflow);
			free(ru->rows[j].clock);
			free(ru->rows[j].f.late_ms);
		}
		free(ru->rows);
		free(ru->rule);
		free(ru->f.late_ms);
	}
	free(r->rules);
	free_rates(r->r17_technicians, r->n_r17_technicians);
	free_rates(r->r17_teams, r->n_r17_teams);
	free_rates(r->r16_teams, r->n_r16_teams);
	for (size_t i = 0; i < r->n_butlers; i++)
		free(r->butlers[i].butler);
	free(r->butlers);
	for (size_t i = 0; i < r->n_people; i++)
		free(r->people[i].person);
	free(r->people);
	for (size_t i = 0; i < r->n_households; i++)
		free(r->households[i].household);
	free(r->households);
	free(r->estate);
	free(r);
}

int32_t gj_report_permille(uint32_t count, uint32_t of)
{
	if (of == 0)
		return -1;
	return (int32_t)((2000 * (uint64_t)count + of) / (2 * (uint64_t)of));
}

bool gj_report_satisfied(const char *value)
{
	static const char *const yes[] = { "satisfied", "very_satisfied", "yes",
					   "满意", "非常满意" };

	for (size_t i = 0; value && i < sizeof(yes) / sizeof(yes[0]); i++)
		if (strcasecmp(value, yes[i]) == 0)
			return true;
	return false;
}

/* ------------------------------------------------------------ as of C */

static const char *ticket_field(const Guanjia__Ticket *t, const char *name)
{
	for (size_t i = 0; i < t->n_fields; i++)
		if (strcmp(t->fields[i]->name, name) == 0)
			return t->fields[i]->value;
	return NULL;
}

static const char *asof_field(const struct asof *a, const char *name)
{
	for (size_t i = 0; i < a->n_fields; i++)
		if (strcmp(a->fields[i]->name, name) == 0)
			return a->fields[i]->value;
	return NULL;
}

static int asof_set(struct asof *a, const Guanjia__Field *f, size_t cap)
{
	for (size_t i = 0; i < a->n_fields; i++) {
		if (strcmp(a->fields[i]->name, f->name) == 0) {
			a->fields[i] = f;
			return 0;
		}
	}
	if (a->n_fields >= cap)
		return -ENOMEM;
	a->fields[a->n_fields++] = f;
	return 0;
}

/* A state in which the ticket's work is done: `done`, `resolved` or
 * `completed`, or the final state a closed ticket is in unless it is a
 * void one. */
static bool done_state(const Guanjia__Ticket *t, const char *state)
{
	if (!*state || void_state(state))
		return false;
	if (strcmp(state, "done") == 0 || strcmp(state, "resolved") == 0 ||
	    strcmp(state, "completed") == 0)
		return true;
	return t->closed && strcmp(state, t->state) == 0;
}

/* Replay the history up to the cut-off.  A ticket read without history
 * (or with none before the cut-off) is taken as it is now when it has not
 * changed since the cut-off. */
static int asof_init(struct asof *a, const Guanjia__Ticket *t, int64_t cut)
{
	size_t cap = 0;

	memset(a, 0, sizeof(*a));
	a->state = "";
	for (size_t i = 0; i < t->n_history; i++)
		cap += t->history[i]->n_fields;
	cap += t->n_fields;
	a->fields = calloc(cap ? cap : 1, sizeof(*a->fields));
	if (!a->fields)
		return -ENOMEM;
	for (size_t i = 0; i < t->n_history; i++) {
		const Guanjia__HistoryEntry *e = t->history[i];
		if (e->at >= cut)
			break;  /* entries are in order: the rest are later still */
		for (size_t j = 0; j < e->n_fields; j++)
			if (asof_set(a, e->fields[j], cap))
				return -ENOMEM;
		if (*e->to_state && (strcmp(e->from_state, e->to_state) != 0 || !*a->state)) {
			a->state = e->to_state;
			a->state_since = e->at;
		}
	}
	/* Fields the history does not carry (marks, fields set by plugins,
	 * entries dropped from a very long history) are taken from the
	 * ticket when it has not changed since the cut-off. */
	if (t->updated_at < cut) {
		for (size_t i = 0; i < t->n_fields; i++)
			if (!asof_field(a, t->fields[i]->name) && asof_set(a, t->fields[i], cap))
				return -ENOMEM;
		if (!*a->state) {
			a->state = t->state;
			a->state_since = t->opened_at;
		}
	}
	a->cancelled = void_state(a->state);
	a->done = done_state(t, a->state);
	return 0;
}

static void asof_finish(struct asof *a)
{
	free(a->fields);
}

/* ---------------------------------------------------------- the clocks */

/*
 * A clock as of the cut-off C (docs/reports.md, "Deadlines"):
 *  - not started before C: not counted;
 *  - stopped before C: breached if it had breached (late: stop - deadline),
 *    else met; but a clock the cancellation of its ticket stopped without
 *    a breach is not counted;
 *  - otherwise, overdue at C if it had breached, or runs, with a deadline
 *    before C (late: C - deadline).  A clock running at C was running
 *    since its last start or resume, so its stored deadline is the one it
 *    had at C; a clock paused at C and resumed later got a deadline after
 *    the resume, so after C; a paused clock never breaches;
 *  - otherwise pending (within its time, or paused, at C).
 */
static enum verdict judge(const Guanjia__Clock *c, const struct asof *a, int64_t cut,
			  int64_t *ret_late)
{
	if (c->started_at == 0 || c->started_at >= cut)
		return V_NONE;
	if (c->state == GUANJIA__CLOCK_STATE__CLOCK_STOPPED && c->stopped_at < cut) {
		if (c->breached) {
			*ret_late = c->stopped_at > c->deadline ? c->stopped_at - c->deadline : 0;
			return V_BREACHED;
		}
		if (a->cancelled && c->stopped_at >= a->state_since)
			return V_NONE;
		return V_MET;
	}
	if ((c->breached || c->state == GUANJIA__CLOCK_STATE__CLOCK_RUNNING) && c->deadline &&
	    c->deadline < cut) {
		*ret_late = cut - c->deadline;
		return V_BREACHED;
	}
	return V_PENDING;
}

static int push_late(struct gj_report_clocks *f, int64_t late)
{
	if (f->n_late == f->cap_late) {
		size_t cap = f->cap_late ? 2 * f->cap_late : 16;
		int64_t *v = realloc(f->late_ms, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		f->late_ms = v;
		f->cap_late = cap;
	}
	f->late_ms[f->n_late++] = late;
	return 0;
}

static int count_verdict(struct gj_report_clocks *f, enum verdict v, int64_t late)
{
	f->clocks++;
	switch (v) {
	case V_MET:
		f->met++;
		break;
	case V_BREACHED:
		f->breached++;
		return push_late(f, late);
	default:
		f->pending++;
		break;
	}
	return 0;
}

static struct gj_report_rule *rule_get(struct gj_report *r, const char *rule)
{
	struct gj_report_rule *v;

	for (size_t i = 0; i < r->n_rules; i++)
		if (strcmp(r->rules[i].rule, rule) == 0)
			return &r->rules[i];
	v = realloc(r->rules, (r->n_rules + 1) * sizeof(*v));
	if (!v)
		return NULL;
	r->rules = v;
	v = &r->rules[r->n_rules];
	memset(v, 0, sizeof(*v));
	if (!(v->rule = strdup(rule)))
		return NULL;
	r->n_rules++;
	return v;
}

static struct gj_report_clock_row *row_get(struct gj_report_rule *ru, const char *wf,
					   const char *clock)
{
	struct gj_report_clock_row *v;

	for (size_t i = 0; i < ru->n_rows; i++)
		if (strcmp(ru->rows[i].workflow, wf) == 0 && strcmp(ru->rows[i].clock, clock) == 0)
			return &ru->rows[i];
	v = realloc(ru->rows, (ru->n_rows + 1) * sizeof(*v));
	if (!v)
		return NULL;
	ru->rows = v;
	v = &ru->rows[ru->n_rows];
	memset(v, 0, sizeof(*v));
	v->workflow = strdup(wf);
	v->clock = strdup(clock);
	if (!v->workflow || !v->clock) {
		free(v->workflow);
		free(v->clock);
		return NULL;
	}
	ru->n_rows++;
	return v;
}

/* The ticket's clocks into the per-rule tables; the ticket counts once
 * in the row of its workflow's rule and of every rule one of its counted
 * clocks carries. */
static int count_clocks(struct gj_report *r, const Guanjia__Ticket *t, const struct asof *a)
{
	const char *seen[33];
	size_t n_seen = 0;
	int rc;

	seen[n_seen++] = t->rule;
	for (size_t i = 0; i < t->n_clocks; i++) {
		const Guanjia__Clock *c = t->clocks[i];
		const char *rule = c->rule && *c->rule ? c->rule : t->rule;
		struct gj_report_rule *ru;
		struct gj_report_clock_row *row;
		int64_t late = 0;
		enum verdict v = judge(c, a, r->as_of, &late);
		bool known = false;

		if (v == V_NONE)
			continue;
		if (!(ru = rule_get(r, rule)) || !(row = row_get(ru, t->workflow, c->id)))
			return -ENOMEM;
		if ((rc = count_verdict(&ru->f, v, late)) || (rc = count_verdict(&row->f, v, late)))
			return rc;
		for (size_t j = 0; j < n_seen; j++)
			known = known || strcmp(seen[j], rule) == 0;
		if (!known && n_seen < sizeof(seen) / sizeof(seen[0]))
			seen[n_seen++] = rule;
	}
	for (size_t j = 0; j < n_seen; j++) {
		struct gj_report_rule *ru = rule_get(r, seen[j]);
		if (!ru)
			return -ENOMEM;
		ru->f.tickets++;
		if (a->cancelled)
			ru->f.cancelled++;
	}
	return 0;
}

/* ------------------------------------------------- the rulebook figures */

static struct gj_report_rate *rate_get(struct gj_report_rate **v, size_t *n, const char *key)
{
	struct gj_report_rate *nv;

	if (!key)
		key = "";
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i].key, key) == 0)
			return &(*v)[i];
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv)
		return NULL;
	*v = nv;
	nv = &(*v)[*n];
	memset(nv, 0, sizeof(*nv));
	if (!(nv->key = strdup(key)))
		return NULL;
	(*n)++;
	return nv;
}

static int rate_add(struct gj_report_rate **v, size_t *n, const char *key, bool done)
{
	struct gj_report_rate *e = rate_get(v, n, key);

	if (!e)
		return -ENOMEM;
	e->of++;
	e->count += done;
	return 0;
}

static struct gj_report_butler *butler_get(struct gj_report *r, const char *who)
{
	struct gj_report_butler *v;

	if (!who)
		who = "";
	for (size_t i = 0; i < r->n_butlers; i++)
		if (strcmp(r->butlers[i].butler, who) == 0)
			return &r->butlers[i];
	v = realloc(r->butlers, (r->n_butlers + 1) * sizeof(*v));
	if (!v)
		return NULL;
	r->butlers = v;
	v = &r->butlers[r->n_butlers];
	memset(v, 0, sizeof(*v));
	if (!(v->butler = strdup(who)))
		return NULL;
	r->n_butlers++;
	return v;
}

static struct gj_report_person *person_get(struct gj_report *r, const char *who)
{
	struct gj_report_person *v;

	if (!who)
		who = "";
	for (size_t i = 0; i < r->n_people; i++)
		if (strcmp(r->people[i].person, who) == 0)
			return &r->people[i];
	v = realloc(r->people, (r->n_people + 1) * sizeof(*v));
	if (!v)
		return NULL;
	r->people = v;
	v = &r->people[r->n_people];
	memset(v, 0, sizeof(*v));
	if (!(v->person = strdup(who)))
		return NULL;
	r->n_people++;
	return v;
}

static struct gj_report_household *household_get(struct gj_report *r, const char *h)
{
	struct gj_report_household *v;

	for (size_t i = 0; i < r->n_households; i++)
		if (strcmp(r->households[i].household, h) == 0)
			return &r->households[i];
	if (r->n_households == r->cap_households) {
		size_t cap = r->cap_households ? 2 * r->cap_households : 64;
		v = realloc(r->households, cap * sizeof(*v));
		if (!v)
			return NULL;
		r->households = v;
		r->cap_households = cap;
	}
	v = &r->households[r->n_households];
	memset(v, 0, sizeof(*v));
	if (!(v->household = strdup(h)))
		return NULL;
	r->n_households++;
	return v;
}

/* "320", "320.5", "320.50" (yuan) in fen; -EINVAL for anything else. */
static int parse_amount(const char *s, int64_t *ret_fen)
{
	int64_t yuan = 0, fen = 0;
	int digits = 0, decimals = 0;

	if (!s)
		return -EINVAL;
	while (*s == ' ')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (yuan > INT64_MAX / 1000)
			return -EINVAL;
		yuan = yuan * 10 + (*s - '0');
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, decimals++) {
			if (decimals >= 2)
				return -EINVAL;
			fen = fen * 10 + (*s - '0');
		}
		if (decimals == 0)
			return -EINVAL;
	}
	while (*s == ' ')
		s++;
	if (*s || digits == 0)
		return -EINVAL;
	*ret_fen = yuan * 100 + (decimals == 1 ? fen * 10 : fen);
	return 0;
}

static bool in_month(const struct gj_report *r, int64_t at)
{
	return at >= r->from && at < r->as_of;
}

static bool is_r18(const char *wf)
{
	return strcmp(wf, "r18_household_visit") == 0 || strcmp(wf, "r18_survey") == 0 ||
	       strcmp(wf, "r18_new_resident_visit") == 0;
}

bool gj_report_concerns(const struct gj_report *r, const Guanjia__Ticket *t)
{
	const char *m;

	if (r->estate && strcmp(t->estate, r->estate) != 0)
		return false;
	if (t->opened_at >= r->as_of)
		return false;
	if (t->opened_at >= r->from)
		return true;
	/* Opened earlier: a call-back or a new resident's visit made in the
	 * month, or a fee account billed for the month. */
	if ((strcmp(t->workflow, "r26a_home_repair") == 0 ||
	     strcmp(t->workflow, "r18_new_resident_visit") == 0) && t->updated_at >= r->from)
		return true;
	if (strcmp(t->workflow, "r21_fee_account") == 0 && (m = ticket_field(t, "month")) &&
	    strcmp(m, r->month) == 0)
		return true;
	return false;
}

/* R26a: the last call-back made in the month (an entry carrying
 * `satisfaction`). */
static void count_callback(struct gj_report *r, const Guanjia__Ticket *t)
{
	const char *value = NULL;

	for (size_t i = 0; i < t->n_history; i++) {
		const Guanjia__HistoryEntry *e = t->history[i];
		if (!in_month(r, e->at))
			continue;
		for (size_t j = 0; j < e->n_fields; j++)
			if (strcmp(e->fields[j]->name, "satisfaction") == 0)
				value = e->fields[j]->value;
	}
	if (value) {
		r->r26a_called_back++;
		r->r26a_satisfied += gj_report_satisfied(value);
	}
}

/* R21: one fee account billed for the month. */
static int count_fee_account(struct gj_report *r, const Guanjia__Ticket *t, const struct asof *a)
{
	struct gj_report_household *h;
	const char *household = asof_field(a, "household");
	char byid[32];
	bool paid = false, handed = false;
	int64_t fen = 0;

	for (size_t i = 0; i < t->n_history; i++) {
		const Guanjia__HistoryEntry *e = t->history[i];
		if (e->at >= r->as_of)
			break;
		paid = paid || strcmp(e->event, "paid") == 0 ||
		       (strcmp(e->to_state, "paid") == 0 && strcmp(e->from_state, "paid") != 0);
		handed = handed || strcmp(e->event, "hand_over") == 0;
	}
	if (!household || !*household) {
		snprintf(byid, sizeof(byid), "#%llu", (unsigned long long)t->id);
		household = byid;
	}
	if (!(h = household_get(r, household)))
		return -ENOMEM;
	h->accounts++;
	h->paid += paid;
	r->r21_accounts++;
	r->r21_accounts_paid += paid;
	r->r21_handed_over += handed;
	if (parse_amount(asof_field(a, "amount"), &fen) == 0) {
		r->r21_billed_fen += fen;
		if (paid)
			r->r21_paid_fen += fen;
	} else {
		r->r21_amounts = false;
	}
	return 0;
}

int gj_report_add(struct gj_report *r, const Guanjia__Ticket *t)
{
	const char *wf = t->workflow;
	bool month = in_month(r, t->opened_at);
	struct asof a;
	int rc;

	if (!gj_report_concerns(r, t))
		return 0;
	if ((rc = asof_init(&a, t, r->as_of)))
		goto out;
	if (month) {
		r->tickets++;
		if ((rc = count_clocks(r, t, &a)))
			goto out;
	}
	if (strcmp(wf, "r17_repair") == 0 && month && !a.cancelled) {
		if ((rc = rate_add(&r->r17_technicians, &r->n_r17_technicians,
				   asof_field(&a, "technician"), a.done)) ||
		    (rc = rate_add(&r->r17_teams, &r->n_r17_teams, asof_field(&a, "team"), a.done)))
			goto out;
		r->r17_total.of++;
		r->r17_total.count += a.done;
	} else if (strcmp(wf, "r16_finding") == 0 && month && !a.cancelled) {
		if ((rc = rate_add(&r->r16_teams, &r->n_r16_teams, asof_field(&a, "team"), a.done)))
			goto out;
		r->r16_total.of++;
		r->r16_total.count += a.done;
	} else if (strcmp(wf, "r26a_home_repair") == 0) {
		count_callback(r, t);
	} else if (is_r18(wf)) {
		/* A household visit or a survey is recorded when it is made (the
		 * ticket is opened then); a new resident's visit is made when
		 * the ticket reaches its done state. */
		bool made = strcmp(wf, "r18_new_resident_visit") == 0 ? a.done && in_month(r, a.state_since)
								      : month && !a.cancelled;
		if (made) {
			struct gj_report_butler *b = butler_get(r, asof_field(&a, "butler"));
			if (!b) {
				rc = -ENOMEM;
				goto out;
			}
			if (strcmp(wf, "r18_household_visit") == 0)
				b->visits++;
			else if (strcmp(wf, "r18_survey") == 0)
				b->surveys++;
			else
				b->new_resident_visits++;
		}
	} else if ((strcmp(wf, "r01_finding") == 0 || strcmp(wf, "r02_finding") == 0) && month &&
		   !a.cancelled) {
		struct gj_report_person *p = person_get(r, asof_field(&a, "responsible"));
		if (!p) {
			rc = -ENOMEM;
			goto out;
		}
		if (wf[2] == '1')
			p->r01++;
		else
			p->r02++;
	} else if (strcmp(wf, "r21_fee_account") == 0 && !a.cancelled) {
		const char *m = asof_field(&a, "month");
		char opened[8];
		if (!m) {
			/* No month given: the account bills the month it was opened in. */
			char when[40];
			gj_time_format(t->opened_at, r->offset_min, when, sizeof(when));
			snprintf(opened, sizeof(opened), "%.7s", when);
			m = opened;
		}
		if (strcmp(m, r->month) == 0 && (rc = count_fee_account(r, t, &a)))
			goto out;
	}
out:
	asof_finish(&a);
	return rc;
}

/* -------------------------------------------------------------- finish */

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

static void finish_clocks(struct gj_report_clocks *f)
{
	size_t n = f->n_late;

	if (n == 0)
		return;
	qsort(f->late_ms, n, sizeof(*f->late_ms), cmp_i64);
	f->has_late = true;
	f->worst_late_ms = f->late_ms[n - 1];
	f->median_late_ms = n % 2 ? f->late_ms[n / 2] : (f->late_ms[n / 2 - 1] + f->late_ms[n / 2]) / 2;
}

static int cmp_rule(const void *x, const void *y)
{
	return strcmp(((const struct gj_report_rule *)x)->rule, ((const struct gj_report_rule *)y)->rule);
}

static int cmp_row(const void *x, const void *y)
{
	const struct gj_report_clock_row *a = x, *b = y;
	int c = strcmp(a->workflow, b->workflow);

	return c ? c : strcmp(a->clock, b->clock);
}

static int cmp_rate(const void *x, const void *y)
{
	return strcmp(((const struct gj_report_rate *)x)->key, ((const struct gj_report_rate *)y)->key);
}

static int cmp_butler(const void *x, const void *y)
{
	return strcmp(((const struct gj_report_butler *)x)->butler,
		      ((const struct gj_report_butler *)y)->butler);
}

static int cmp_person(const void *x, const void *y)
{
	return strcmp(((const struct gj_report_person *)x)->person,
		      ((const struct gj_report_person *)y)->person);
}

int gj_report_finish(struct gj_report *r)
{
	qsort(r->rules, r->n_rules, sizeof(*r->rules), cmp_rule);
	for (size_t i = 0; i < r->n_rules; i++) {
		struct gj_report_rule *ru = &r->rules[i];
		finish_clocks(&ru->f);
		qsort(ru->rows, ru->n_rows, sizeof(*ru->rows), cmp_row);
		for (size_t j = 0; j < ru->n_rows; j++)
			finish_clocks(&ru->rows[j].f);
	}
	qsort(r->r17_technicians, r->n_r17_technicians, sizeof(*r->r17_technicians), cmp_rate);
	qsort(r->r17_teams, r->n_r17_teams, sizeof(*r->r17_teams), cmp_rate);
	qsort(r->r16_teams, r->n_r16_teams, sizeof(*r->r16_teams), cmp_rate);
	qsort(r->butlers, r->n_butlers, sizeof(*r->butlers), cmp_butler);
	qsort(r->people, r->n_people, sizeof(*r->people), cmp_person);
	r->r21_households = (uint32_t)r->n_households;
	r->r21_households_paid = 0;
	for (size_t i = 0; i < r->n_households; i++)
		r->r21_households_paid += r->households[i].paid == r->households[i].accounts;
	return 0;
}
