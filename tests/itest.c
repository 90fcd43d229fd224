/*
 * itest.c - drive a running guanjiad from an integration test (itest.h).
 */
#include "itest.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

struct gj_daemon it_daemon;
struct gj_client *it_client;

/* ------------------------------------------------------------- fixture */

void it_setup(void)
{
	gj_daemon_init(&it_daemon);
}

void it_teardown(void)
{
	it_disconnect();
	gj_daemon_cleanup(&it_daemon);
}

void it_start(const char *when, const char *plugin_dir, const char *plugin_config)
{
	const char *args[8];
	size_t n = 0;

	args[n++] = "--manual-clock";
	args[n++] = when;
	if (plugin_dir) {
		args[n++] = "--plugins";
		args[n++] = plugin_dir;
	}
	if (plugin_config) {
		args[n++] = "--plugin-config";
		args[n++] = plugin_config;
	}
	args[n] = NULL;
	ck_assert_int_eq(gj_daemon_start(&it_daemon, args), 0);
	it_connect_as("li.ming", "butler");
}

void it_stop(bool kill9)
{
	it_disconnect();
	if (kill9)
		gj_daemon_kill9(&it_daemon);
	else
		ck_assert_int_eq(gj_daemon_stop(&it_daemon), 0);
}

void it_disconnect(void)
{
	gj_client_destroy(it_client);
	it_client = NULL;
}

void it_connect_as(const char *person, const char *role)
{
	if (!it_client)
		ck_assert_int_eq(gj_client_connect(it_daemon.cmd_url, &it_client), 0);
	ck_assert_int_eq(gj_client_set_actor(it_client, person, role, "test"), 0);
}

int it_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

/* ---------------------------------------------------------------- time */

int64_t it_at(const char *text)
{
	int64_t t = 0;

	ck_assert_msg(gj_time_parse(text, &t) == 0, "bad time %s", text);
	return t;
}

/* The daemon's status; the reply is freed with gj_reply_free(). */
static Guanjia__Reply *status(void)
{
	Guanjia__Reply *r = NULL;

	it_call_ok(gj_client_status(it_client, &r), r);
	return r;
}

int64_t it_now(void)
{
	Guanjia__Reply *r = status();
	int64_t t = r->status->now;

	gj_reply_free(r);
	return t;
}

void it_advance(int64_t ms)
{
	Guanjia__Reply *r = NULL;

	it_call_ok(gj_client_advance(it_client, ms, &r), r);
	gj_reply_free(r);
}

void it_advance_to(int64_t t)
{
	int64_t n = it_now();

	ck_assert_msg(t >= n, "cannot go back in time");
	if (t > n)
		it_advance(t - n);
}

/* ------------------------------------------------------------ commands */

void it_check_applied(int rc, const Guanjia__Reply *r)
{
	ck_assert_msg(rc == 0, "no reply: %s", strerror(-rc));
	ck_assert_msg(r->outcome == GUANJIA__OUTCOME__APPLIED, "refused: %s", r->message);
}

uint64_t it_open_as(const char *person, const char *role, const char *wf, const char *estate,
		    const char *const *kv, size_t n)
{
	Guanjia__Reply *r = NULL;
	uint64_t id;

	it_connect_as(person, role);
	it_call_ok(gj_client_open(it_client, wf, estate, kv, n, NULL, &r), r);
	if (estate)
		ck_assert_str_eq(r->ticket->estate, estate);
	id = r->ticket->id;
	gj_reply_free(r);
	return id;
}

void it_fire_as(const char *person, const char *role, uint64_t id, const char *event,
		const char *const *kv, size_t n)
{
	Guanjia__Reply *r = NULL;

	it_connect_as(person, role);
	it_call_ok(gj_client_fire(it_client, id, event, kv, n, NULL, &r), r);
	gj_reply_free(r);
}

Guanjia__Reply *it_fire_refused_reply(const char *person, const char *role, uint64_t id,
				      const char *event, const char *const *kv, size_t n)
{
	Guanjia__Reply *r = NULL;

	it_connect_as(person, role);
	ck_assert_int_eq(gj_client_fire(it_client, id, event, kv, n, NULL, &r), 0);
	ck_assert_msg(r->outcome == GUANJIA__OUTCOME__REFUSED, "%s on %llu applied: %s", event,
		      (unsigned long long)id, r->message);
	return r;
}

Guanjia__Reply *it_open_refused_reply(const char *person, const char *role, const char *wf,
				      const char *estate, const char *const *kv, size_t n)
{
	Guanjia__Reply *r = NULL;

	it_connect_as(person, role);
	ck_assert_int_eq(gj_client_open(it_client, wf, estate, kv, n, NULL, &r), 0);
	ck_assert_msg(r->outcome == GUANJIA__OUTCOME__REFUSED, "open %s applied: %s", wf,
		      r->message);
	return r;
}

/* A refusal's code and message, for `what`; frees the reply. */
static void check_refusal(Guanjia__Reply *r, const char *what, Guanjia__ErrorCode code,
			  const char *about)
{
	ck_assert_msg((int)r->code == (int)code, "%s: refused with %s, not %s: %s", what,
		      gj_error_code_name(r->code), gj_error_code_name(code), r->message);
	if (about)
		ck_assert_msg(strstr(r->message, about), "%s: '%s' does not mention %s", what,
			      r->message, about);
	gj_reply_free(r);
}

void it_fire_refused(const char *person, const char *role, uint64_t id, const char *event,
		     const char *const *kv, size_t n, Guanjia__ErrorCode code, const char *about)
{
	check_refusal(it_fire_refused_reply(person, role, id, event, kv, n), event, code, about);
}

void it_open_refused(const char *person, const char *role, const char *wf, const char *estate,
		     const char *const *kv, size_t n, Guanjia__ErrorCode code, const char *about)
{
	check_refusal(it_open_refused_reply(person, role, wf, estate, kv, n), wf, code, about);
}

uint64_t it_last_seq(void)
{
	Guanjia__Reply *r = status();
	uint64_t seq = r->status->last_seq;

	gj_reply_free(r);
	return seq;
}

/* ------------------------------------------------------------- tickets */

Guanjia__Ticket *it_get(uint64_t id, bool history, Guanjia__Reply **ret)
{
	it_call_ok(gj_client_get(it_client, id, history, ret), *ret);
	ck_assert_ptr_nonnull((*ret)->ticket);
	return (*ret)->ticket;
}

const char *it_field(const Guanjia__Ticket *tk, const char *name)
{
	for (size_t i = 0; i < tk->n_fields; i++)
		if (strcmp(tk->fields[i]->name, name) == 0)
			return tk->fields[i]->value;
	return NULL;
}

Guanjia__Clock *it_clock(const Guanjia__Ticket *tk, const char *id)
{
	for (size_t i = 0; i < tk->n_clocks; i++)
		if (strcmp(tk->clocks[i]->id, id) == 0)
			return tk->clocks[i];
	ck_abort_msg("ticket %llu has no clock %s", (unsigned long long)tk->id, id);
	return NULL;
}

void it_assert_state(uint64_t id, const char *state)
{
	Guanjia__Reply *r = NULL;

	ck_assert_str_eq(it_get(id, false, &r)->state, state);
	gj_reply_free(r);
}

void it_assert_clock(uint64_t id, const char *clock, Guanjia__ClockState state,
		     int64_t deadline)
{
	Guanjia__Reply *r = NULL;
	const Guanjia__Clock *c = it_clock(it_get(id, false, &r), clock);
	char got[40], want[40];

	ck_assert_msg(c->state == state, "ticket %llu clock %s: state %d, expected %d",
		      (unsigned long long)id, clock, c->state, state);
	if (deadline) {
		gj_time_format(c->deadline, GJ_DEFAULT_UTC_OFFSET_MIN, got, sizeof(got));
		gj_time_format(deadline, GJ_DEFAULT_UTC_OFFSET_MIN, want, sizeof(want));
		ck_assert_msg(c->deadline == deadline, "ticket %llu clock %s due %s, expected %s",
			      (unsigned long long)id, clock, got, want);
	}
	gj_reply_free(r);
}

size_t it_history_count(const Guanjia__Ticket *tk, const char *event, const char *about,
			const Guanjia__HistoryEntry **ret_last)
{
	size_t n = 0;

	for (size_t i = 0; i < tk->n_history; i++) {
		const Guanjia__HistoryEntry *e = tk->history[i];
		if (strcmp(e->event, event) != 0 || (about && !strstr(e->note, about)))
			continue;
		n++;
		if (ret_last)
			*ret_last = e;
	}
	return n;
}

/* -------------------------------------------------------------- alerts */

static bool alert_matches(const Guanjia__Alert *a, uint64_t ticket, const char *plugin,
			  const char *clock, int level, uint32_t step)
{
	return a && a->ticket_id == ticket && (!plugin || strcmp(a->plugin, plugin) == 0) &&
	       (!clock || strcmp(a->clock, clock) == 0) &&
	       (level == IT_ANY_LEVEL || (int)a->level == level) && (!step || a->step == step);
}

struct it_alerts it_alerts(uint64_t ticket, const char *plugin, const char *clock, int level,
			   uint32_t step)
{
	struct it_alerts ac = { 0 };
	Guanjia__Reply *r = NULL;
	uint64_t from = 1;
	bool more;

	/* The journal a page at a time: replay stops at its limit. */
	do {
		it_call_ok(gj_client_replay(it_client, from, 10000, "alert.", &r), r);
		for (size_t i = 0; i < r->records->n_records; i++) {
			const Guanjia__Alert *a = r->records->records[i]->alert;
			if (!alert_matches(a, ticket, plugin, clock, level, step))
				continue;
			ac.n++;
			ac.last_at = r->records->records[i]->at;
			ac.deadline = a->deadline;
			if (a->step > ac.max_step)
				ac.max_step = a->step;
			ac.roles[0] = 0;
			for (size_t j = 0; j < a->n_notify_roles; j++)
				snprintf(ac.roles + strlen(ac.roles), sizeof(ac.roles) - strlen(ac.roles),
					 "%s%s", j ? "," : "", a->notify_roles[j]);
			snprintf(ac.message, sizeof(ac.message), "%s", a->message);
		}
		from = r->records->next_seq;
		more = r->records->next_seq <= r->records->last_seq;
		gj_reply_free(r);
	} while (more);
	return ac;
}

size_t it_n_alerts(uint64_t ticket)
{
	return it_alerts(ticket, NULL, NULL, IT_ANY_LEVEL, 0).n;
}

void it_assert_no_alerts(uint64_t ticket)
{
	struct it_alerts ac = it_alerts(ticket, NULL, NULL, IT_ANY_LEVEL, 0);

	ck_assert_msg(ac.n == 0, "ticket %llu has %zu alerts (the last for %s)",
		      (unsigned long long)ticket, ac.n, ac.roles);
}

static const char *level_name(int level)
{
	return level == GUANJIA__ALERT_LEVEL__WARNING ? "warning" :
	       level == GUANJIA__ALERT_LEVEL__BREACH ? "breach" : "any";
}

void it_assert_alert(uint64_t ticket, const char *plugin, const char *clock, int level,
		     int64_t when, const char *roles)
{
	struct it_alerts ac = it_alerts(ticket, plugin, clock, level, 0);
	char t[40];

	gj_time_format(when, GJ_DEFAULT_UTC_OFFSET_MIN, t, sizeof(t));
	ck_assert_msg(ac.n == 1, "ticket %llu clock %s: %zu %s alerts at %s, expected 1",
		      (unsigned long long)ticket, clock, ac.n, level_name(level), t);
	ck_assert_int_eq(ac.last_at, when);
	ck_assert_str_eq(ac.roles, roles);
}

void it_expect_alert(uint64_t ticket, const char *plugin, const char *clock, int level,
		     int64_t when, const char *roles, size_t before)
{
	char t[40];
	size_t n;

	gj_time_format(when, GJ_DEFAULT_UTC_OFFSET_MIN, t, sizeof(t));
	it_advance_to(when - 1);
	n = it_alerts(ticket, plugin, clock, level, 0).n;
	ck_assert_msg(n == 0, "ticket %llu clock %s: %zu %s alerts a millisecond before %s",
		      (unsigned long long)ticket, clock, n, level_name(level), t);
	if (before != IT_ANY_COUNT) {
		n = it_alerts(ticket, plugin, NULL, IT_ANY_LEVEL, 0).n;
		ck_assert_msg(n == before, "ticket %llu: %zu alerts a millisecond before %s, expected %zu",
			      (unsigned long long)ticket, n, t, before);
	}
	it_advance(1);
	it_assert_alert(ticket, plugin, clock, level, when, roles);
	if (before != IT_ANY_COUNT) {
		n = it_alerts(ticket, plugin, NULL, IT_ANY_LEVEL, 0).n;
		ck_assert_msg(n == before + 1, "ticket %llu: %zu alerts at %s, expected %zu",
			      (unsigned long long)ticket, n, t, before + 1);
	}
}
