/*
 * test_integration.c - the real guanjiad, started on a temporary data
 * directory with ipc:// sockets and a manual clock, driven through
 * libguanjia: R17 deadlines to the minute, restarts, kill -9 under load,
 * and bad input on both sockets.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/reqrep.h>

#include "itest.h"
#include "wire.h"

#define T0_TEXT "2026-10-09T10:00:00+08:00"
#define T0 1791511200000LL
#define MIN 60000LL

static void setup(void)
{
	it_setup();
	it_start(T0_TEXT, NULL, NULL);
}

/* As li.ming, butler, the actor every test starts with. */
static uint64_t open_r17(const char *location)
{
	const char *kv[] = { NULL };
	char f[128];

	snprintf(f, sizeof(f), "location=%s", location);
	kv[0] = f;
	return it_open_as("li.ming", "butler", "r17_repair", NULL, kv, 1);
}

START_TEST(r17_undispatched_breaches_once_at_ten_minutes)
{
	struct gj_sub *sub;
	Guanjia__Record *rec;
	uint64_t a, b;
	struct it_alerts ac;
	static const char *const disp[] = { "technician=zhang.wei", "severity=minor" };
	Guanjia__Reply *r = NULL;

	ck_assert_int_eq(gj_sub_open(it_daemon.event_url, it_daemon.cmd_url, "alert.", it_last_seq() + 1,
				     &sub), 0);
	a = open_r17("3# lobby light");
	b = open_r17("2# gate barrier");
	it_advance(5 * MIN);
	it_connect_as("li.ming", "butler");
	it_call_ok(gj_client_fire(it_client, b, "dispatch", disp, 2, "sent Zhang", &r), r);
	gj_reply_free(r);
	it_advance(5 * MIN - 1000);
	ck_assert_uint_eq(it_alerts(a, NULL, "dispatch", GUANJIA__ALERT_LEVEL__BREACH, 0).n, 0);
	it_advance(1000);
	ac = it_alerts(a, NULL, "dispatch", GUANJIA__ALERT_LEVEL__BREACH, 0);
	ck_assert_uint_eq(ac.n, 1);
	ck_assert_int_eq(ac.last_at, T0 + 10 * MIN);
	/* The subscriber sees it too: the warning at +8 and the breach at +10. */
	bool seen_breach = false;
	while (!seen_breach) {
		int rc = gj_sub_next(sub, 5000, &rec);
		ck_assert_msg(rc == 0, "no alert on the subscription: %s", strerror(-rc));
		ck_assert_uint_eq(rec->alert->ticket_id, a);
		if (rec->alert->level == GUANJIA__ALERT_LEVEL__BREACH) {
			seen_breach = true;
			ck_assert_int_eq(rec->at, T0 + 10 * MIN);
			ck_assert_str_eq(rec->topic, "alert.main.r17_repair.dispatch");
		} else {
			ck_assert_int_eq(rec->at, T0 + 8 * MIN);
		}
		gj_record_free(rec);
	}
	it_advance(24 * 60 * MIN);
	ck_assert_uint_eq(it_alerts(a, NULL, "dispatch", GUANJIA__ALERT_LEVEL__BREACH, 0).n, 1);
	ck_assert_uint_eq(it_alerts(b, NULL, "dispatch", GUANJIA__ALERT_LEVEL__BREACH, 0).n, 0);
	ck_assert_uint_eq(it_alerts(b, NULL, "dispatch", GUANJIA__ALERT_LEVEL__WARNING, 0).n, 0);
	gj_sub_destroy(sub);
}
END_TEST

START_TEST(minor_repair_breaches_sixty_minutes_after_dispatch)
{
	static const char *const disp[] = { "technician=zhang.wei", "severity=minor" };
	struct it_alerts ac;
	uint64_t a = open_r17("pump room");

	it_advance(3 * MIN);
	it_fire_as("li.ming", "butler", a, "dispatch", disp, 2);
	it_advance(60 * MIN - 1);
	ck_assert_uint_eq(it_alerts(a, NULL, NULL, GUANJIA__ALERT_LEVEL__BREACH, 0).n, 0);
	it_advance(1);
	ac = it_alerts(a, NULL, "minor_repair", GUANJIA__ALERT_LEVEL__BREACH, 0);
	ck_assert_uint_eq(ac.n, 1);
	ck_assert_int_eq(ac.last_at, T0 + 63 * MIN);
}
END_TEST

START_TEST(deadlines_survive_a_restart)
{
	struct it_alerts ac;
	uint64_t a = open_r17("roof"), b;

	it_advance(2 * MIN);
	b = open_r17("basement");
	it_stop(false);
	/* Back up at +4 minutes: nothing was due yet, nothing fires. */
	it_start("2026-10-09T10:04:00+08:00", NULL, NULL);
	ck_assert_uint_eq(it_alerts(a, NULL, NULL, GUANJIA__ALERT_LEVEL__BREACH, 0).n, 0);
	it_advance(6 * MIN);
	ac = it_alerts(a, NULL, "dispatch", GUANJIA__ALERT_LEVEL__BREACH, 0);
	ck_assert_uint_eq(ac.n, 1);
	ck_assert_int_eq(ac.last_at, T0 + 10 * MIN);
	ck_assert_uint_eq(it_alerts(b, NULL, NULL, GUANJIA__ALERT_LEVEL__BREACH, 0).n, 0);
	/* Down again across b's deadline (+12): it fires at once on start,
	 * marked late, and only once. */
	it_stop(false);
	it_start("2026-10-09T10:30:00+08:00", NULL, NULL);
	ac = it_alerts(b, NULL, "dispatch", GUANJIA__ALERT_LEVEL__BREACH, 0);
	ck_assert_uint_eq(ac.n, 1);
	ck_assert_int_eq(ac.last_at, T0 + 30 * MIN);
	{
		Guanjia__Reply *r = NULL;
		it_call_ok(gj_client_replay(it_client, 1, 10000, "alert.", &r), r);
		Guanjia__Alert *last = r->records->records[r->records->n_records - 1]->alert;
		ck_assert_uint_eq(last->ticket_id, b);
		ck_assert(last->delayed);
		ck_assert_int_eq(last->late_ms, 18 * MIN);
		gj_reply_free(r);
	}
	it_advance(60 * MIN);
	ck_assert_uint_eq(it_alerts(a, NULL, "dispatch", GUANJIA__ALERT_LEVEL__BREACH, 0).n, 1);
	ck_assert_uint_eq(it_alerts(b, NULL, "dispatch", GUANJIA__ALERT_LEVEL__BREACH, 0).n, 1);
}
END_TEST

/* --- kill -9 under load --- */

#define WORKERS 4
#define PER_WORKER 4000

/* Workers count acknowledgements here; the test waits on the condition
 * instead of polling. */
static pthread_mutex_t ack_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ack_cond = PTHREAD_COND_INITIALIZER;
static size_t ack_total;

struct worker {
	int idx;
	const char *url;
	atomic_bool *stop;
	/* request ids acknowledged (APPLIED) and the one in flight when the
	 * daemon died, if any */
	char (*acked)[48];
	size_t n_acked;
	char inflight[48];
};

static void *work(void *arg)
{
	struct worker *w = arg;
	struct gj_client *c;

	if (gj_client_connect(w->url, &c))
		return NULL;
	gj_client_set_actor(c, "load", "butler", "test");
	gj_client_set_timeout(c, 3000);
	for (int i = 0; i < PER_WORKER && !atomic_load(w->stop); i++) {
		Guanjia__Request req = GUANJIA__REQUEST__INIT;
		Guanjia__OpenTicket op = GUANJIA__OPEN_TICKET__INIT;
		Guanjia__Field f1 = GUANJIA__FIELD__INIT, f2 = GUANJIA__FIELD__INIT;
		Guanjia__Field *fs[] = { &f1, &f2 };
		Guanjia__Reply *r = NULL;
		char id[48];

		snprintf(id, sizeof(id), "kill9-w%d-%06d", w->idx, i);
		f1.name = "location";
		f1.value = "load";
		f2.name = "origin";
		f2.value = id;
		op.workflow = "r17_repair";
		op.fields = fs;
		op.n_fields = 2;
		req.request_id = id;
		req.command_case = GUANJIA__REQUEST__COMMAND_OPEN;
		req.open = &op;
		snprintf(w->inflight, sizeof(w->inflight), "%s", id);
		if (gj_client_call(c, &req, &r) != 0)
			break; /* the daemon is gone: this one is in doubt */
		if (r->outcome == GUANJIA__OUTCOME__APPLIED) {
			snprintf(w->acked[w->n_acked++], 48, "%s", id);
			pthread_mutex_lock(&ack_lock);
			ack_total++;
			pthread_cond_broadcast(&ack_cond);
			pthread_mutex_unlock(&ack_lock);
		}
		gj_reply_free(r);
		w->inflight[0] = 0;
	}
	gj_client_destroy(c);
	return NULL;
}

START_TEST(kill9_under_load_loses_no_ack_and_applies_nothing_twice)
{
	struct worker w[WORKERS];
	pthread_t th[WORKERS];
	atomic_bool stop = false;
	size_t total = 0, found = 0, tickets = 0;
	Guanjia__Reply *r = NULL;

	ack_total = 0;
	for (int i = 0; i < WORKERS; i++) {
		w[i] = (struct worker){ .idx = i, .url = it_daemon.cmd_url, .stop = &stop };
		w[i].acked = calloc(PER_WORKER, 48);
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	/* Kill once a good number of commands went through, mid-stream. */
	pthread_mutex_lock(&ack_lock);
	while (ack_total < 1500)
		pthread_cond_wait(&ack_cond, &ack_lock);
	pthread_mutex_unlock(&ack_lock);
	gj_daemon_kill9(&it_daemon);
	atomic_store(&stop, true);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(th[i], NULL);
	it_disconnect();

	it_start(T0_TEXT, NULL, NULL);
	/* Retry what was in doubt, with the same request ids: each is either
	 * already applied or applied now, never twice. */
	for (int i = 0; i < WORKERS; i++) {
		if (!w[i].inflight[0])
			continue;
		Guanjia__Request req = GUANJIA__REQUEST__INIT;
		Guanjia__OpenTicket op = GUANJIA__OPEN_TICKET__INIT;
		Guanjia__Field f1 = GUANJIA__FIELD__INIT, f2 = GUANJIA__FIELD__INIT;
		Guanjia__Field *fs[] = { &f1, &f2 };
		f1.name = "location";
		f1.value = "load";
		f2.name = "origin";
		f2.value = w[i].inflight;
		op.workflow = "r17_repair";
		op.fields = fs;
		op.n_fields = 2;
		req.request_id = w[i].inflight;
		req.command_case = GUANJIA__REQUEST__COMMAND_OPEN;
		req.open = &op;
		ck_assert_int_eq(gj_client_call(it_client, &req, &r), 0);
		ck_assert(r->outcome == GUANJIA__OUTCOME__APPLIED ||
			  r->outcome == GUANJIA__OUTCOME__ALREADY_APPLIED);
		gj_reply_free(r);
		snprintf(w[i].acked[w[i].n_acked++], 48, "%s", w[i].inflight);
	}
	/* An acknowledged command sent again after the crash is recognised:
	 * the first reply again, nothing applied. */
	for (int i = 0; i < WORKERS; i++) {
		if (!w[i].n_acked)
			continue;
		Guanjia__Request req = GUANJIA__REQUEST__INIT;
		Guanjia__OpenTicket op = GUANJIA__OPEN_TICKET__INIT;
		Guanjia__Field f1 = GUANJIA__FIELD__INIT, f2 = GUANJIA__FIELD__INIT;
		Guanjia__Field *fs[] = { &f1, &f2 };
		char *id = w[i].acked[w[i].n_acked - 1];
		f1.name = "location";
		f1.value = "load";
		f2.name = "origin";
		f2.value = id;
		op.workflow = "r17_repair";
		op.fields = fs;
		op.n_fields = 2;
		req.request_id = id;
		req.command_case = GUANJIA__REQUEST__COMMAND_OPEN;
		req.open = &op;
		ck_assert_int_eq(gj_client_call(it_client, &req, &r), 0);
		ck_assert_msg(r->outcome == GUANJIA__OUTCOME__ALREADY_APPLIED,
			      "acknowledged %s applied again after the restart", id);
		gj_reply_free(r);
	}
	for (int i = 0; i < WORKERS; i++)
		total += w[i].n_acked;

	/* Every ticket's origin appears once, and every acknowledged id is there. */
	char **origins = calloc(total + 64, sizeof(char *));
	uint64_t after = 0;
	for (;;) {
		Guanjia__ListTickets f = GUANJIA__LIST_TICKETS__INIT;
		f.after_id = after;
		f.limit = 1000;
		it_call_ok(gj_client_list(it_client, &f, &r), r);
		for (size_t i = 0; i < r->tickets->n_tickets; i++) {
			Guanjia__Ticket *t = r->tickets->tickets[i];
			after = t->id;
			for (size_t k = 0; k < t->n_fields; k++)
				if (strcmp(t->fields[k]->name, "origin") == 0) {
					ck_assert_uint_lt(tickets, total + 64);
					origins[tickets++] = strdup(t->fields[k]->value);
				}
		}
		bool more = r->tickets->more;
		gj_reply_free(r);
		if (!more)
			break;
	}
	ck_assert_uint_eq(tickets, total);
	for (size_t i = 0; i < tickets; i++)
		for (size_t j = i + 1; j < tickets; j++)
			ck_assert_msg(strcmp(origins[i], origins[j]) != 0, "%s applied twice", origins[i]);
	for (int i = 0; i < WORKERS; i++)
		for (size_t k = 0; k < w[i].n_acked; k++) {
			bool hit = false;
			for (size_t j = 0; j < tickets && !hit; j++)
				hit = strcmp(origins[j], w[i].acked[k]) == 0;
			ck_assert_msg(hit, "acknowledged %s is lost", w[i].acked[k]);
			found++;
		}
	ck_assert_uint_eq(found, total);
	for (size_t i = 0; i < tickets; i++)
		free(origins[i]);
	free(origins);
	for (int i = 0; i < WORKERS; i++)
		free(w[i].acked);
}
END_TEST

/* --- bad input --- */

static Guanjia__Reply *raw_call(const void *buf, size_t len, int timeout_ms)
{
	int s = nn_socket(AF_SP, NN_REQ), maxsz = -1;
	void *msg = NULL;
	Guanjia__Reply *r = NULL;
	int n;

	ck_assert_int_ge(s, 0);
	nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVTIMEO, &timeout_ms, sizeof(timeout_ms));
	nn_setsockopt(s, NN_SOL_SOCKET, NN_RCVMAXSIZE, &maxsz, sizeof(maxsz));
	ck_assert_int_ge(nn_connect(s, it_daemon.cmd_url), 0);
	ck_assert_int_eq(nn_send(s, buf, len, 0), (int)len);
	n = nn_recv(s, &msg, NN_MSG, 0);
	if (n >= 0) {
		r = guanjia__reply__unpack(NULL, (size_t)n, msg);
		nn_freemsg(msg);
	}
	nn_close(s);
	return r;
}

static void expect_refusal(Guanjia__Reply *r, int code, const char *words)
{
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(r->outcome, GUANJIA__OUTCOME__REFUSED);
	ck_assert_msg((int)r->code == code, "code %s, expected %s (%s)",
		      gj_error_code_name(r->code), gj_error_code_name(code), r->message);
	ck_assert_msg(strstr(r->message, words), "'%s' lacks '%s'", r->message, words);
	gj_reply_free(r);
}

static void scribble(const char *url)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned char junk[4096];
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (unsigned char)(i * 7919u + 13u);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", url + 6);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	/* The SP header, then garbage; or garbage from the first byte. */
	(void)!write(fd, "\0SP\0\0\x31\0\0", 8);
	(void)!write(fd, junk, sizeof(junk));
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	ck_assert_int_eq(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	(void)!write(fd, junk, sizeof(junk));
	close(fd);
}

START_TEST(bad_input_is_refused_and_the_daemon_keeps_serving)
{
	static const unsigned char junk[] = { 0x0a, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x12 };
	const Guanjia__Ticket *tk;
	Guanjia__Reply *r = NULL;
	uint64_t a = open_r17("lift 1");
	char *big;

	expect_refusal(raw_call(junk, sizeof(junk), 5000), GUANJIA__ERROR_CODE__MALFORMED, "not a guanjia Request");
	expect_refusal(raw_call("", 0, 5000), GUANJIA__ERROR_CODE__MISSING_REQUEST_ID, "request_id");
	big = calloc(1, 200 * 1024);
	expect_refusal(raw_call(big, 200 * 1024, 5000), GUANJIA__ERROR_CODE__TOO_LARGE, "over the limit");
	/* Over the transport limit: the connection is dropped, no reply. */
	big = realloc(big, 2 * 1024 * 1024);
	memset(big, 'x', 2 * 1024 * 1024);
	ck_assert_ptr_null(raw_call(big, 2 * 1024 * 1024, 500));
	free(big);
	scribble(it_daemon.cmd_url);
	scribble(it_daemon.event_url);

	/* Refusals through the client library, each with its reason. */
	static const char *const minor[] = { "technician=zhang", "severity=minor" };
	static const char *const half[] = { "technician=zhang" };
	it_fire_refused("li.ming", "butler", 999, "dispatch", minor, 2,
			GUANJIA__ERROR_CODE__UNKNOWN_TICKET, "no ticket 999");
	it_fire_refused("li.ming", "butler", a, "finish", NULL, 0,
			GUANJIA__ERROR_CODE__ILLEGAL_TRANSITION, "in state 'reported'");
	it_fire_refused("li.ming", "butler", a, "dispatch", half, 1,
			GUANJIA__ERROR_CODE__MISSING_FIELD, "severity");
	it_fire_refused("li.ming", "butler", a, "teleport", NULL, 0,
			GUANJIA__ERROR_CODE__UNKNOWN_EVENT, "no event 'teleport'");
	it_open_refused("li.ming", "butler", "r99_nothing", NULL, NULL, 0,
			GUANJIA__ERROR_CODE__UNKNOWN_WORKFLOW, "no workflow 'r99_nothing'");
	it_fire_refused("guest", "owner", a, "dispatch", minor, 2,
			GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "role 'owner' may not fire");
	{
		char *huge = malloc(GJ_MAX_FIELD_VALUE + 20), *kv[1];
		memset(huge, 'v', GJ_MAX_FIELD_VALUE + 19);
		memcpy(huge, "location=", 9);
		huge[GJ_MAX_FIELD_VALUE + 19] = 0;
		kv[0] = huge;
		it_open_refused("li.ming", "butler", "r17_repair", NULL, (const char *const *)kv, 1,
				GUANJIA__ERROR_CODE__TOO_LARGE, "location");
		free(huge);
	}
	{
		static const char *const badname[] = { "Bad Name=1", "location=x" };
		it_open_refused("li.ming", "butler", "r17_repair", NULL, badname, 2,
				GUANJIA__ERROR_CODE__INVALID_ARGUMENT, "field name");
	}

	/* Still serving, data intact, also after a restart. */
	ck_assert(gj_daemon_alive(&it_daemon));
	tk = it_get(a, true, &r);
	ck_assert_str_eq(tk->state, "reported");
	ck_assert_uint_eq(tk->history_len, 1);
	gj_reply_free(r);
	it_stop(false);
	it_start(T0_TEXT, NULL, NULL);
	ck_assert_str_eq(it_get(a, true, &r)->state, "reported");
	gj_reply_free(r);
}
END_TEST

/* --- R28b: the incident chain as plain clocks --- */

static uint64_t open_r28b(void)
{
	static const char *const kv[] = { "kind=burst_pipe", "location=3# B1 pump room" };
	Guanjia__Reply *r = NULL;
	uint64_t id;

	gj_client_set_actor(it_client, "zhao.gang", "security", "guard-post-1");
	it_call_ok(gj_client_open(it_client, "r28b_special_event", NULL, kv, 2, "water on the floor", &r), r);
	id = r->ticket->id;
	gj_reply_free(r);
	return id;
}

/* Every alert of a ticket, in order: "<clock>/<W|B>@<minutes*1000+sec>" */
static void alerts_of(uint64_t ticket, char *buf, size_t len)
{
	Guanjia__Reply *r = NULL;

	buf[0] = 0;
	it_call_ok(gj_client_replay(it_client, 1, 10000, "alert.", &r), r);
	for (size_t i = 0; i < r->records->n_records; i++) {
		Guanjia__Record *rec = r->records->records[i];
		char one[96];
		if (rec->alert->ticket_id != ticket)
			continue;
		snprintf(one, sizeof(one), "%s%s/%c@%llds", buf[0] ? " " : "", rec->alert->clock,
			 rec->alert->level == GUANJIA__ALERT_LEVEL__BREACH ? 'B' : 'W',
			 (long long)((rec->at - T0) / 1000));
		strncat(buf, one, len - strlen(buf) - 1);
	}
	gj_reply_free(r);
}

START_TEST(r28b_chain_alerts_each_link_at_its_deadline)
{
	char got[1024];
	uint64_t id = open_r28b();

	it_advance(MIN - 1);
	alerts_of(id, got, sizeof(got));
	ck_assert_str_eq(got, "");
	it_advance(1);
	alerts_of(id, got, sizeof(got));
	ck_assert_str_eq(got, "report_to_head/B@60s");
	it_advance(MIN);
	it_fire_as("zhao.gang", "security", id, "report_to_head", NULL, 0);
	/* Head informed at +2: the manager must hear by +7 (warning at +6). */
	it_advance(4 * MIN - 1);
	alerts_of(id, got, sizeof(got));
	ck_assert_str_eq(got, "report_to_head/B@60s");
	it_advance(1);
	alerts_of(id, got, sizeof(got));
	ck_assert_str_eq(got, "report_to_head/B@60s report_to_manager/W@360s");
	it_advance(MIN);
	alerts_of(id, got, sizeof(got));
	ck_assert_str_eq(got, "report_to_head/B@60s report_to_manager/W@360s report_to_manager/B@420s");
	it_advance(3 * MIN);
	alerts_of(id, got, sizeof(got));
	ck_assert_str_eq(got, "report_to_head/B@60s report_to_manager/W@360s report_to_manager/B@420s "
			      "first_response/W@480s first_response/B@600s");
	/* The breach of the manager link names the manager. */
	{
		Guanjia__Reply *r = NULL;
		bool found = false;
		it_call_ok(gj_client_replay(it_client, 1, 10000, "alert.main.r28b_special_event.report_to_manager", &r), r);
		for (size_t i = 0; i < r->records->n_records; i++) {
			Guanjia__Alert *a = r->records->records[i]->alert;
			if (a->level != GUANJIA__ALERT_LEVEL__BREACH)
				continue;
			found = true;
			ck_assert_uint_eq(a->n_notify_roles, 1);
			ck_assert_str_eq(a->notify_roles[0], "manager");
			ck_assert_str_eq(a->rule, "R28b");
		}
		ck_assert(found);
		gj_reply_free(r);
	}
}
END_TEST

START_TEST(r28b_handled_in_time_raises_nothing_and_needs_a_report)
{
	static const char *const plan[] = { "first_plan=valve shut, residents of 3# told" };
	static const char *const report[] = { "report=pipe replaced, no damage to units" };
	char got[1024];
	const Guanjia__Ticket *tk;
	Guanjia__Reply *r = NULL;
	uint64_t id = open_r28b();

	it_advance(30 * 1000);
	it_fire_as("zhao.gang", "security", id, "report_to_head", NULL, 0);
	it_advance(2 * MIN + 30 * 1000); /* +3 */
	it_fire_as("qian.li", "team_head", id, "report_to_manager", NULL, 0);
	it_advance(3 * MIN); /* +6 */
	it_fire_as("sun.hua", "manager", id, "manager_on_site", NULL, 0);
	it_advance(MIN); /* +7 */
	it_fire_as("qian.li", "team_head", id, "feedback_given", plan, 1);
	it_fire_refused("sun.hua", "manager", id, "close", NULL, 0, GUANJIA__ERROR_CODE__MISSING_FIELD,
			"report");
	it_fire_as("sun.hua", "manager", id, "close", report, 1);
	it_advance(24 * 60 * MIN);
	alerts_of(id, got, sizeof(got));
	ck_assert_str_eq(got, "");
	tk = it_get(id, true, &r);
	ck_assert(tk->closed);
	ck_assert_uint_eq(tk->history_len, 6);
	gj_reply_free(r);
}
END_TEST

/* Mutations of a valid request: flipped bytes, cut short, stretched.  Every
 * one gets a reply (a refusal or, if it still makes sense, an application)
 * and the daemon stays up. */
START_TEST(mutated_requests_never_stop_the_daemon)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__FireEvent fe = GUANJIA__FIRE_EVENT__INIT;
	Guanjia__Actor actor = GUANJIA__ACTOR__INIT;
	Guanjia__Field f = GUANJIA__FIELD__INIT, *fp = &f;
	uint8_t good[512], bad[1024];
	size_t len;
	unsigned seed = 20261009;
	uint64_t a = open_r17("fuzz");
	Guanjia__Reply *r = NULL;

	actor.person = "fuzz";
	actor.role = "butler";
	f.name = "technician";
	f.value = "zhang";
	fe.ticket_id = a;
	fe.event = "dispatch";
	fe.fields = &fp;
	fe.n_fields = 1;
	req.request_id = "fuzz-base";
	req.actor = &actor;
	req.command_case = GUANJIA__REQUEST__COMMAND_FIRE;
	req.fire = &fe;
	len = guanjia__request__pack(&req, good);
	for (int i = 0; i < 300; i++) {
		size_t n = len;
		memcpy(bad, good, len);
		seed = seed * 1103515245u + 12345u;
		switch ((seed >> 16) % 3) {
		case 0: /* flip a few bytes */
			for (int k = 0; k < 3; k++) {
				seed = seed * 1103515245u + 12345u;
				bad[(seed >> 8) % len] ^= (uint8_t)(seed >> 3);
			}
			break;
		case 1: /* cut short */
			n = (seed >> 8) % len;
			break;
		default: /* stretch with junk */
			n = len + (seed >> 8) % 400;
			for (size_t k = len; k < n; k++)
				bad[k] = (uint8_t)(k * 31 + seed);
			break;
		}
		Guanjia__Reply *x = raw_call(bad, n, 5000);
		ck_assert_msg(x != NULL, "mutation %d got no reply", i);
		ck_assert(x->outcome == GUANJIA__OUTCOME__REFUSED ||
			  x->outcome == GUANJIA__OUTCOME__APPLIED ||
			  x->outcome == GUANJIA__OUTCOME__ALREADY_APPLIED);
		if (x->outcome == GUANJIA__OUTCOME__REFUSED)
			ck_assert_uint_gt(strlen(x->message), 10);
		gj_reply_free(x);
	}
	ck_assert(gj_daemon_alive(&it_daemon));
	it_call_ok(gj_client_status(it_client, &r), r);
	gj_reply_free(r);
}
END_TEST

static void write_workflow(const char *dir, unsigned version, const char *target)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/pinned.yaml", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f,
		"id: pinned\nversion: %u\nrule: R17\ntitle: Pinned repair\ninitial: reported\n"
		"states:\n  - id: reported\n  - id: dispatched\n  - id: done\n    final: true\n"
		"events:\n  - id: dispatch\n    from: [reported]\n    to: dispatched\n    roles: [butler]\n"
		"  - id: finish\n    from: [dispatched]\n    to: done\n    roles: [butler]\n"
		"clocks:\n  - id: dispatch\n    start: {states: [reported]}\n    stop: {states: [dispatched]}\n"
		"    target: %s\n    notify: {breach: [cs_lead]}\n",
		version, target);
	fclose(f);
}

static uint64_t open_pinned(uint32_t want_version, int64_t want_deadline)
{
	Guanjia__Reply *r = NULL;
	uint64_t id;

	it_call_ok(gj_client_open(it_client, "pinned", NULL, NULL, 0, NULL, &r), r);
	ck_assert_uint_eq(r->ticket->workflow_version, want_version);
	ck_assert_int_eq(r->ticket->clocks[0]->deadline, want_deadline);
	id = r->ticket->id;
	gj_reply_free(r);
	return id;
}

START_TEST(tickets_keep_the_workflow_version_they_were_opened_under)
{
	char wdir[] = "/tmp/gj-wf-XXXXXX", cmd[64];
	const char *args[] = { "--manual-clock", T0_TEXT, "--workflows", wdir, NULL };
	Guanjia__Reply *r = NULL;
	struct it_alerts ac;
	uint64_t a, b;

	/* Restarted by hand: it_start() has no --workflows. */
	ck_assert_ptr_nonnull(mkdtemp(wdir));
	it_stop(false);
	write_workflow(wdir, 1, "10m");
	ck_assert_int_eq(gj_daemon_start(&it_daemon, args), 0);
	it_connect_as("li.ming", "butler");
	a = open_pinned(1, T0 + 10 * MIN);
	it_stop(false);

	/* Version 2 gives 30 minutes: new tickets get it, ticket a keeps 10. */
	write_workflow(wdir, 2, "30m");
	ck_assert_int_eq(gj_daemon_start(&it_daemon, args), 0);
	it_connect_as("li.ming", "butler");
	b = open_pinned(2, T0 + 30 * MIN);
	it_advance(10 * MIN);
	ac = it_alerts(a, NULL, "dispatch", GUANJIA__ALERT_LEVEL__BREACH, 0);
	ck_assert_uint_eq(ac.n, 1);
	ck_assert_int_eq(ac.last_at, T0 + 10 * MIN);
	ck_assert_uint_eq(it_alerts(b, NULL, "dispatch", GUANJIA__ALERT_LEVEL__BREACH, 0).n, 0);
	it_call_ok(gj_client_fire(it_client, a, "dispatch", NULL, 0, NULL, &r), r);
	ck_assert_uint_eq(r->ticket->workflow_version, 1);
	gj_reply_free(r);
	it_stop(false);

	/* Changing version 2 without a new number is refused at start. */
	write_workflow(wdir, 2, "40m");
	ck_assert_int_eq(gj_daemon_start(&it_daemon, args), -1);
	write_workflow(wdir, 2, "30m");
	ck_assert_int_eq(gj_daemon_start(&it_daemon, args), 0);
	it_connect_as("li.ming", "butler");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", wdir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* R17 in working days: dispatched as moderate on Wednesday 2026-09-30 at
 * 16:00, before the National Day week; 3 working days end at the close of
 * Saturday 2026-10-10 (a make-up working day), 17:30. */
START_TEST(r17_moderate_repair_counts_working_days_over_the_holiday)
{
	static const char *const disp[] = { "technician=zhang.wei", "severity=moderate" };
	const int64_t t0 = 1790755200000LL; /* 2026-09-30T16:00:00+08:00 */
	const int64_t due = 1791624600000LL; /* 2026-10-10T17:30:00+08:00 */
	Guanjia__Reply *r = NULL;
	struct it_alerts ac;
	uint64_t a;

	it_stop(false);
	it_start("2026-09-30T16:00:00+08:00", NULL, NULL);
	a = open_r17("3# roof drain");
	it_call_ok(gj_client_fire(it_client, a, "dispatch", disp, 2, NULL, &r), r);
	for (size_t i = 0; i < r->ticket->n_clocks; i++)
		if (strcmp(r->ticket->clocks[i]->id, "moderate_repair") == 0) {
			ck_assert_int_eq(r->ticket->clocks[i]->deadline, due);
			ck_assert(!r->ticket->clocks[i]->provisional);
		}
	gj_reply_free(r);
	it_advance(due - t0 - 2 * 3600 * 1000 - 1);
	ck_assert_uint_eq(it_alerts(a, NULL, "moderate_repair", GUANJIA__ALERT_LEVEL__WARNING, 0).n, 0);
	it_advance(1);
	ac = it_alerts(a, NULL, "moderate_repair", GUANJIA__ALERT_LEVEL__WARNING, 0);
	ck_assert_uint_eq(ac.n, 1);
	ck_assert_int_eq(ac.last_at, due - 2 * 3600 * 1000);
	it_advance(2 * 3600 * 1000 - 1);
	ck_assert_uint_eq(it_alerts(a, NULL, "moderate_repair", GUANJIA__ALERT_LEVEL__BREACH, 0).n, 0);
	it_advance(1);
	ac = it_alerts(a, NULL, "moderate_repair", GUANJIA__ALERT_LEVEL__BREACH, 0);
	ck_assert_uint_eq(ac.n, 1);
	ck_assert_int_eq(ac.last_at, due);
	ck_assert_uint_eq(it_alerts(a, NULL, "any_repair", GUANJIA__ALERT_LEVEL__BREACH, 0).n, 0);
}
END_TEST

START_TEST(deadline_into_a_year_without_calendar_data_alerts_the_administrator)
{
	static const char *const disp[] = { "technician=zhang.wei", "severity=moderate" };
	Guanjia__Reply *r = NULL;
	bool provisional = false;
	uint64_t a;

	it_stop(false);
	it_start("2026-12-30T10:00:00+08:00", NULL, NULL);
	a = open_r17("gate");
	it_call_ok(gj_client_fire(it_client, a, "dispatch", disp, 2, NULL, &r), r);
	for (size_t i = 0; i < r->ticket->n_clocks; i++)
		if (strcmp(r->ticket->clocks[i]->id, "moderate_repair") == 0)
			provisional = r->ticket->clocks[i]->provisional;
	ck_assert(provisional);
	gj_reply_free(r);
	it_call_ok(gj_client_replay(it_client, 1, 100, "alert.main.calendar.cn", &r), r);
	ck_assert_uint_ge(r->records->n_records, 1);
	Guanjia__Alert *al = r->records->records[0]->alert;
	ck_assert_uint_eq(al->ticket_id, a);
	ck_assert_str_eq(al->notify_roles[0], "admin_hr");
	ck_assert_msg(strstr(al->message, "no data for the year 2027"), "%s", al->message);
	gj_reply_free(r);
}
END_TEST

START_TEST(second_daemon_on_same_data_is_refused)
{
	struct gj_daemon other = it_daemon;
	const char *args[] = { "--manual-clock", T0_TEXT, NULL };

	other.pid = 0;
	ck_assert_int_eq(gj_daemon_start(&other, args), -1);
	ck_assert(gj_daemon_alive(&it_daemon));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("integration");
	TCase *tc = tcase_create("daemon");

	/* scribble() writes to sockets the daemon closes on it. */
	signal(SIGPIPE, SIG_IGN);
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, it_teardown);
	tcase_add_test(tc, r17_undispatched_breaches_once_at_ten_minutes);
	tcase_add_test(tc, minor_repair_breaches_sixty_minutes_after_dispatch);
	tcase_add_test(tc, deadlines_survive_a_restart);
	tcase_add_test(tc, kill9_under_load_loses_no_ack_and_applies_nothing_twice);
	tcase_add_test(tc, bad_input_is_refused_and_the_daemon_keeps_serving);
	tcase_add_test(tc, r28b_chain_alerts_each_link_at_its_deadline);
	tcase_add_test(tc, r28b_handled_in_time_raises_nothing_and_needs_a_report);
	tcase_add_test(tc, mutated_requests_never_stop_the_daemon);
	tcase_add_test(tc, tickets_keep_the_workflow_version_they_were_opened_under);
	tcase_add_test(tc, r17_moderate_repair_counts_working_days_over_the_holiday);
	tcase_add_test(tc, deadline_into_a_year_without_calendar_data_alerts_the_administrator);
	tcase_add_test(tc, second_daemon_on_same_data_is_refused);
	suite_add_tcase(s, tc);
	return it_run(s);
}
