/*
 * gj_jobs.c - `gj jobs`: a technician's repair jobs (R17 public-area
 * repairs, R26a home repairs) and one word per step.  The list is the open
 * tickets whose `technician` field is me, most urgent first; the words
 * accept, arrive, finish and defer are mapped, below, to the events each
 * workflow has for them, from the state the ticket is in.
 */
#include "gj_cli.h"
#include "gj_print.h"
#include "wire.h"

#include <stdlib.h>
#include <string.h>

#define R17 "r17_repair"
#define R26A "r26a_home_repair"
#define TIME_BUF 40

/* What a word does on a ticket of a workflow in a state.  R17's defer from
 * dispatched is two events: cannot_fix, then the notice. */
struct step {
	const char *workflow;
	const char *word;
	const char *state;
	const char *event;
};

static const struct step steps[] = {
	{ R17, "accept", "deferred", "resume_work" },
	{ R17, "finish", "dispatched", "finish" },
	{ R17, "finish", "deferred", "finish" },
	{ R17, "defer", "dispatched", "cannot_fix" },
	{ R17, "defer", "deferred", "defer_notice" },
	{ R26A, "arrive", "dispatched", "arrive" },
	{ R26A, "finish", "at_door", "return_slip" },
};

#define R17_NOTICE "defer_notice"

/* Words a workflow has no step for, and why. */
static const struct {
	const char *workflow;
	const char *word;
	const char *why;
} no_step[] = {
	{ R17, "arrive", "public-area repairs (" R17 ") record no arrival" },
	{ R26A, "accept", "home repairs (" R26A ") record no acceptance: the job is yours from dispatch" },
	{ R26A, "defer", "home repairs (" R26A ") are not deferred: R26a has no defer notice" },
};

static const char *const words[] = { "accept", "arrive", "finish", "defer" };

#define N_STEPS (sizeof(steps) / sizeof(steps[0]))
#define N_WORDS (sizeof(words) / sizeof(words[0]))

static bool is_job_workflow(const char *wf)
{
	return strcmp(wf, R17) == 0 || strcmp(wf, R26A) == 0;
}

static const struct step *find_step(const char *wf, const char *word, const char *state)
{
	for (size_t i = 0; i < N_STEPS; i++)
		if (strcmp(steps[i].workflow, wf) == 0 && strcmp(steps[i].word, word) == 0 &&
		    strcmp(steps[i].state, state) == 0)
			return &steps[i];
	return NULL;
}

/* "finish, defer": the words that apply to a ticket now ("" if none). */
static void next_words(const Guanjia__Ticket *t, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t w = 0; w < N_WORDS; w++)
		if (find_step(t->workflow, words[w], t->state) && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
						 words[w]);
}

static const char *where(const Guanjia__Ticket *t)
{
	const char *w = gj_cli_field(t, "location");

	return w ? w : gj_cli_field(t, "unit");
}

/* The running clock with the earliest deadline, or NULL. */
static const Guanjia__Clock *urgent_clock(const Guanjia__Ticket *t)
{
	const Guanjia__Clock *best = NULL;

	for (size_t i = 0; i < t->n_clocks; i++) {
		const Guanjia__Clock *c = t->clocks[i];

		if (c->state == GUANJIA__CLOCK_STATE__CLOCK_RUNNING && c->deadline &&
		    (!best || c->deadline < best->deadline))
			best = c;
	}
	return best;
}

/* Most urgent first: the earliest running deadline (a late one is earlier
 * than any still to come); jobs without a running clock last, by id. */
static int by_urgency(const void *pa, const void *pb)
{
	const Guanjia__Ticket *a = *(const Guanjia__Ticket *const *)pa;
	const Guanjia__Ticket *b = *(const Guanjia__Ticket *const *)pb;
	const Guanjia__Clock *ca = urgent_clock(a), *cb = urgent_clock(b);

	if (ca && cb && ca->deadline != cb->deadline)
		return ca->deadline < cb->deadline ? -1 : 1;
	if (!ca != !cb)
		return ca ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static void job_json(struct gj_json *j, const Guanjia__Ticket *t, int64_t now)
{
	const Guanjia__Clock *c = urgent_clock(t);

	gj_json_object_begin(j);
	gj_json_key(j, "id");
	gj_json_uint(j, t->id);
	gj_json_key(j, "workflow");
	gj_json_string(j, t->workflow);
	gj_json_key(j, "state");
	gj_json_string(j, t->state);
	gj_json_key(j, "estate");
	gj_json_string(j, t->estate);
	gj_json_key(j, "technician");
	gj_json_string(j, gj_cli_field(t, "technician"));
	gj_json_key(j, "where");
	gj_json_string(j, where(t));
	gj_json_key(j, "clock");
	gj_json_string(j, c ? c->id : NULL);
	gj_json_key(j, "rule");
	gj_json_string(j, c ? c->rule : NULL);
	gj_json_key(j, "deadline");
	gj_json_int(j, c ? c->deadline : 0);
	gj_json_key(j, "left_ms");
	if (c)
		gj_json_int(j, c->deadline - now);
	else
		gj_json_null(j);
	gj_json_key(j, "next");
	gj_json_array_begin(j);
	for (size_t w = 0; w < N_WORDS; w++)
		if (find_step(t->workflow, words[w], t->state))
			gj_json_string(j, words[w]);
	gj_json_array_end(j);
	gj_json_key(j, "ticket");
	gj_json_message(j, &t->base);
	gj_json_object_end(j);
}

/* gj jobs [--all] [--estate E] */
static int list_jobs(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	const char *me = a->values[O_AS];
	bool all = a->values[O_ALL] != NULL;
	Guanjia__ListTickets filter = GUANJIA__LIST_TICKETS__INIT;
	struct gj_cli_tickets t = { 0 };
	const Guanjia__Ticket **jobs = NULL;
	size_t n = 0;
	int64_t day;
	char now[TIME_BUF];
	int rc;

	rc = gj_cli_connect(x);
	if (rc)
		return rc;
	filter.open_only = true;
	if (a->values[O_ESTATE])
		filter.estate = (char *)a->values[O_ESTATE];
	filter.workflow = R17;
	rc = gj_cli_fetch_tickets(x, &filter, &t);
	filter.workflow = R26A;
	if (!rc)
		rc = gj_cli_fetch_tickets(x, &filter, &t);
	if (rc)
		goto out;
	jobs = calloc(t.n ? t.n : 1, sizeof(*jobs));
	if (!jobs) {
		gj_cli_err("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	for (size_t i = 0; i < t.n; i++) {
		const char *tech = gj_cli_field(t.v[i], "technician");
		char next[64];

		next_words(t.v[i], next, sizeof(next));
		/* Mine: dispatched to me, and a step of mine is left. */
		if (all || (tech && strcmp(tech, me) == 0 && next[0]))
			jobs[n++] = t.v[i];
	}
	qsort(jobs, n, sizeof(*jobs), by_urgency);
	if (x->json) {
		gj_json_object_begin(x->j);
		gj_json_key(x->j, "now");
		gj_json_int(x->j, t.now);
		gj_json_key(x->j, "person");
		gj_json_string(x->j, all ? NULL : me);
		gj_json_key(x->j, "jobs");
		gj_json_array_begin(x->j);
		for (size_t i = 0; i < n; i++)
			job_json(x->j, jobs[i], t.now);
		gj_json_array_end(x->j);
		gj_json_object_end(x->j);
		rc = gj_cli_print_json(x);
		goto out;
	}
	gj_time_format(t.now, GJ_DEFAULT_UTC_OFFSET_MIN, now, sizeof(now));
	if (!n) {
		if (all)
			printf("no open repairs (now %s)\n", now);
		else
			printf("no open jobs for %s (now %s)\n", me, now);
		goto out;
	}
	if (all)
		printf("%zu open repair%s, most urgent first (now %s):\n", n, n == 1 ? "" : "s", now);
	else
		printf("%zu open job%s for %s, most urgent first (now %s):\n", n, n == 1 ? "" : "s",
		       me, now);
	day = gj_cli_day_start(t.now);
	{
		struct gj_cli_table tab = { .n_cols = all ? 9 : 8 };

		if (all)
			gj_cli_table_row(&tab, "TICKET", "WORKFLOW", "STATE", "TECHNICIAN", "TIME LEFT",
					 "DUE", "CLOCK", "WHERE", "NEXT");
		else
			gj_cli_table_row(&tab, "TICKET", "WORKFLOW", "STATE", "TIME LEFT", "DUE",
					 "CLOCK", "WHERE", "NEXT");
		for (size_t i = 0; i < n; i++) {
			const Guanjia__Ticket *tk = jobs[i];
			const Guanjia__Clock *c = urgent_clock(tk);
			char id[24], left[TIME_BUF + 16], due[TIME_BUF], clock[160], next[64];

			snprintf(id, sizeof(id), "%llu", (unsigned long long)tk->id);
			next_words(tk, next, sizeof(next));
			if (c) {
				gj_cli_left(c->deadline, t.now, left, sizeof(left));
				gj_cli_when(c->deadline, day, due, sizeof(due));
				snprintf(clock, sizeof(clock), c->rule[0] ? "%s (%s)" : "%s", c->id,
					 c->rule);
			} else {
				snprintf(left, sizeof(left), "-");
				snprintf(due, sizeof(due), "-");
				snprintf(clock, sizeof(clock), "-");
			}
			if (all)
				gj_cli_table_row(&tab, id, tk->workflow, tk->state,
						 gj_cli_field(tk, "technician"), left, due, clock,
						 where(tk), next[0] ? next : NULL);
			else
				gj_cli_table_row(&tab, id, tk->workflow, tk->state, left, due, clock,
						 where(tk), next[0] ? next : NULL);
		}
		rc = gj_cli_table_print(&tab, "");
	}
out:
	free(jobs);
	gj_cli_tickets_finish(&t);
	return rc;
}

/* The word does not apply to t: say what does.  @return EXIT_FAIL */
static int no_such_step(const Guanjia__Ticket *t, const char *word)
{
	char states[256] = "", next[64];
	size_t used = 0;

	next_words(t, next, sizeof(next));
	for (size_t i = 0; i < sizeof(no_step) / sizeof(no_step[0]); i++)
		if (strcmp(no_step[i].workflow, t->workflow) == 0 &&
		    strcmp(no_step[i].word, word) == 0) {
			gj_cli_err("ticket %llu: %s; what applies now: %s", (unsigned long long)t->id,
				   no_step[i].why, next[0] ? next : "nothing (not your step)");
			return EXIT_FAIL;
		}
	for (size_t i = 0; i < N_STEPS; i++)
		if (strcmp(steps[i].workflow, t->workflow) == 0 && strcmp(steps[i].word, word) == 0 &&
		    used < sizeof(states))
			used += (size_t)snprintf(states + used, sizeof(states) - used, "%s%s (%s)",
						 used ? ", " : "", steps[i].state, steps[i].event);
	gj_cli_err("ticket %llu (%s) is %s%s: '%s' applies only when it is %s; what applies now: %s",
		   (unsigned long long)t->id, t->workflow, t->state, t->closed ? ", closed" : "", word,
		   states, next[0] ? next : "nothing (not your step)");
	return EXIT_FAIL;
}

/* Is field name given on the command line (kv) or already on the ticket? */
static const char *given(const Guanjia__Ticket *t, const char *const *kv, size_t n,
			 const char *name)
{
	size_t len = strlen(name);

	for (size_t i = n; i-- > 0;)
		if (strncmp(kv[i], name, len) == 0 && kv[i][len] == '=')
			return kv[i] + len + 1;
	return gj_cli_field(t, name);
}

/* R26a: the job slip returned, and for paid work the owner's signature
 * (the workflow cannot require it conditionally; gj does). */
static int check_slip(const struct gj_ctx *x, const Guanjia__Ticket *t, const char *const *kv,
		      size_t n)
{
	const char *slip = given(t, kv, n, "job_slip"), *paid = given(t, kv, n, "paid");

	if (!slip || !*slip || !paid)
		return gj_cli_usage_error(x, "finishing a home repair returns the job slip: give "
					  "job_slip=NUMBER and paid=yes|no (paid work also "
					  "owner_signature=NAME)");
	if (strcmp(paid, "yes") != 0 && strcmp(paid, "no") != 0)
		return gj_cli_usage_error(x, "paid is yes or no, not '%s'", paid);
	if (strcmp(paid, "yes") == 0 && !given(t, kv, n, "owner_signature"))
		return gj_cli_usage_error(x, "paid work needs the owner's signature (R26a): give "
					  "owner_signature=NAME");
	return 0;
}

/* "name=value", malloc'd; NULL when out of memory. */
static char *kv_dup(const char *name, const char *value)
{
	char *s = NULL;

	return asprintf(&s, "%s=%s", name, value) < 0 ? NULL : s;
}

/* gj jobs accept|arrive|finish TICKET [field=value ...]
 * gj jobs defer TICKET --reason TEXT --until YYYY-MM-DD */
/* Before a repair is deferred (cannot_fix), the expected date is checked
 * against R17's limit of 30 working days after the report, on the
 * estate's calendar, so that a date the defer_notice plugin would refuse
 * leaves nothing half done.  The plugin keeps the last word. */
#define R17_MAX_WD 30

static int precheck_expected(struct gj_ctx *x, const Guanjia__Ticket *t, const char *until)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__CalendarQuery q = GUANJIA__CALENDAR_QUERY__INIT;
	Guanjia__Reply *reply = NULL;
	char reported[40];
	int r, rc;

	gj_time_format(t->opened_at, GJ_DEFAULT_UTC_OFFSET_MIN, reported, sizeof(reported));
	reported[10] = 0; /* YYYY-MM-DD */
	q.date = reported;
	q.add = R17_MAX_WD;
	q.estate = t->estate;
	req.command_case = GUANJIA__REQUEST__COMMAND_CALENDAR;
	req.calendar = &q;
	r = gj_client_call(x->client, &req, &reply);
	rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_CALENDAR);
	if (!rc) {
		char today[40];
		gj_time_format(reply->now, GJ_DEFAULT_UTC_OFFSET_MIN, today, sizeof(today));
		today[10] = 0;
		if (strlen(until) == 10 && strcmp(until, today) < 0) {
			gj_cli_err("the expected repair date %s is in the past (today is %s); nothing "
				   "was recorded", until, today);
			rc = EXIT_FAIL;
		}
	}
	if (!rc && strlen(until) == 10 && strcmp(until, reply->calendar->last_day) > 0) {
		gj_cli_err("the expected repair date %s is later than %d working days after the "
			   "repair was reported on %s (latest allowed: %s, R17); nothing was recorded",
			   until, R17_MAX_WD, reported, reply->calendar->last_day);
		rc = EXIT_FAIL;
	}
	gj_reply_free(reply);
	return rc;
}

static int do_word(struct gj_ctx *x, const char *word)
{
	const struct gj_args *a = x->a;
	const char *const *kv = a->pos + 3;
	size_t n_kv = a->n_pos > 3 ? a->n_pos - 3 : 0;
	bool defer = strcmp(word, "defer") == 0;
	const char *reason = a->values[O_REASON], *until = a->values[O_UNTIL];
	Guanjia__Reply *got = NULL, *reply = NULL;
	const struct step *step;
	const Guanjia__Ticket *t;
	char **notice = NULL;
	uint64_t id;
	int64_t day;
	int rc, r;

	if (a->n_pos < 3)
		return gj_cli_usage_error(x, "jobs %s needs a TICKET", word);
	rc = gj_cli_parse_ticket(x, a->pos[2], &id);
	if (!rc)
		rc = gj_cli_check_kv(x, kv, n_kv);
	if (rc)
		return rc;
	if (!defer && (reason || until))
		return gj_cli_usage_error(x, "--reason and --until apply to jobs defer");
	if (defer && (!reason || !reason[strspn(reason, " \t")]))
		return gj_cli_usage_error(x, "jobs defer needs --reason TEXT: why it cannot be fixed now");
	if (defer && !until)
		return gj_cli_usage_error(x, "jobs defer needs --until YYYY-MM-DD: the expected repair date");
	if (defer && gj_cli_parse_date(until, &day) < 0)
		return gj_cli_usage_error(x, "--until wants a date YYYY-MM-DD, not '%s'", until);
	rc = gj_cli_need_role(x);
	if (!rc)
		rc = gj_cli_connect(x);
	if (rc)
		return rc;
	r = gj_client_get(x->client, id, false, &got);
	rc = gj_cli_check_reply(x, r, got, GUANJIA__REPLY__RESULT_TICKET);
	if (rc)
		goto out;
	t = got->ticket;
	if (!is_job_workflow(t->workflow)) {
		gj_cli_err("ticket %llu runs %s, not a repair job (gj jobs handles %s and %s)",
			   (unsigned long long)id, t->workflow, R17, R26A);
		rc = EXIT_FAIL;
		goto out;
	}
	step = find_step(t->workflow, word, t->state);
	if (!step) {
		rc = no_such_step(t, word);
		goto out;
	}
	if (strcmp(step->event, "return_slip") == 0 && (rc = check_slip(x, t, kv, n_kv)))
		goto out;
	if (defer && strcmp(step->event, R17_NOTICE) != 0 && (rc = precheck_expected(x, t, until)))
		goto out;
	if (defer) {
		/* The notice's fields: the reason and the expected date, then
		 * whatever else was given. */
		notice = calloc(n_kv + 2, sizeof(*notice));
		if (notice) {
			notice[0] = kv_dup("reason", reason);
			notice[1] = kv_dup("expected_date", until);
		}
		if (!notice || !notice[0] || !notice[1]) {
			gj_cli_err("out of memory");
			rc = EXIT_FAIL;
			goto out;
		}
		for (size_t i = 0; i < n_kv; i++)
			notice[i + 2] = (char *)kv[i];
	}
	if (strcmp(step->event, R17_NOTICE) != 0) {
		r = gj_client_fire(x->client, id, step->event, defer ? NULL : kv, defer ? 0 : n_kv,
				   a->values[O_NOTE], &reply);
		rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_TICKET);
		if (rc || !defer)
			goto done;
		gj_reply_free(reply);
		reply = NULL;
	}
	r = gj_client_fire(x->client, id, R17_NOTICE, (const char *const *)notice, n_kv + 2,
			   strcmp(step->event, R17_NOTICE) == 0 ? a->values[O_NOTE] : NULL, &reply);
	rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_TICKET);
	if (rc && strcmp(step->event, R17_NOTICE) != 0)
		gj_cli_err("ticket %llu is deferred now (cannot_fix recorded), but its defer notice was "
			   "not filed; the notice is still due: run gj jobs defer %llu again with a date "
			   "the rule allows", (unsigned long long)id, (unsigned long long)id);
done:
	if (!rc) {
		if (x->json)
			rc = gj_cli_print_reply_json(x, reply);
		else
			rc = gj_cli_print_line(gj_ticket_line(reply->ticket, reply->now));
	}
out:
	if (notice) {
		free(notice[0]);
		free(notice[1]);
		free(notice);
	}
	gj_reply_free(got);
	gj_reply_free(reply);
	return rc;
}

int gj_run_jobs(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;

	if (a->n_pos == 1) {
		if (a->values[O_REASON] || a->values[O_UNTIL] || a->values[O_NOTE])
			return gj_cli_usage_error(x, "--reason, --until and --note apply to a word "
						  "(accept, arrive, finish, defer), not to the list");
		return list_jobs(x);
	}
	if (a->values[O_ALL] || a->values[O_ESTATE])
		return gj_cli_usage_error(x, "--all and --estate apply to the list (gj jobs --all)");
	for (size_t w = 0; w < N_WORDS; w++)
		if (strcmp(a->pos[1], words[w]) == 0)
			return do_word(x, words[w]);
	return gj_cli_usage_error(x, "jobs takes accept, arrive, finish or defer, not '%s'",
				  a->pos[1]);
}
