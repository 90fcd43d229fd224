/*
 * test_integration.c - the real guanjiad, started on a temporary data
 * directory with ipc:// sockets and a manual clock, driven through
 * libguanjia: R17 deadlines to the minute, restarts, kill -9 under load,
 * and bad input on both sockets.
 */
#include <check.h>
#include <errno.h>
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

#include "guanjia.h"
#include "harness.h"
#include "wire.h"

#define T0_TEXT "2026-10-09T10:00:00+08:00"
#define T0 1791511200000LL
#define MIN 60000LL

static struct gj_daemon d;
static struct gj_client *cl;

static void start_at(const char *when)
{
	const char *args[] = { "--manual-clock", when, NULL };

	ck_assert_int_eq(gj_daemon_start(&d, args), 0);
	ck_assert_int_eq(gj_client_connect(d.cmd_url, &cl), 0);
	ck_assert_int_eq(gj_client_set_actor(cl, "li.ming", "butler", "test"), 0);
}

static void stop_client(void)
{
	gj_client_destroy(cl);
	cl = NULL;
}

static void setup(void)
{
	gj_daemon_init(&d);
	start_at(T0_TEXT);
}

static void teardown(void)
{
	stop_client();
	gj_daemon_cleanup(&d);
}

static void check_applied(int rc, Guanjia__Reply *r)
{
	ck_assert_msg(rc == 0, "no reply: %s", strerror(-rc));
	ck_assert_msg(r->outcome == GUANJIA__OUTCOME__APPLIED, "refused: %s", r->message);
}

/* The call first, then the look at its reply (argument order is unspecified). */
#define call_ok(call, r) do { int rc_ = (call); check_applied(rc_, (r)); } while (0)

static uint64_t open_r17(const char *location)
{
	const char *kv[] = { NULL };
	char f[128];
	Guanjia__Reply *r;
	uint64_t id;

	snprintf(f, sizeof(f), "location=%s", location);
	kv[0] = f;
	r = NULL;
	call_ok(gj_client_open(cl, "r17_repair", NULL, kv, 1, NULL, &r), r);
	id = r->ticket->id;
	gj_reply_free(r);
	return id;
}

static void advance(int64_t ms)
{
	Guanjia__Reply *r = NULL;

	call_ok(gj_client_advance(cl, ms, &r), r);
	gj_reply_free(r);
}

static uint64_t last_seq(void)
{
	Guanjia__Reply *r = NULL;
	uint64_t s;

	call_ok(gj_client_status(cl, &r), r);
	s = r->status->last_seq;
	gj_reply_free(r);
	return s;
}

/* Breach alerts for a ticket in the whole journal (replay is exact). */
static size_t count_alerts(uint64_t ticket, Guanjia__AlertLevel level, const char *clock,
			   int64_t *ret_at)
{
	Guanjia__Reply *r = NULL;
	size_t n = 0;
	uint64_t from = 1;

	for (;;) {
		call_ok(gj_client_replay(cl, from, 10000, "alert.", &r), r);
		for (size_t i = 0; i < r->records->n_records; i++) {
			Guanjia__Alert *a = r->records->records[i]->alert;
			if (a->ticket_id == ticket && a->level == level &&
			    (!clock || strcmp(a->clock, clock) == 0)) {
				n++;
				if (ret_at)
					*ret_at = r->records->records[i]->at;
			}
		}
		from = r->records->next_seq;
		bool more = r->records->next_seq <= r->records->last_seq;
		gj_reply_free(r);
		if (!more)
			break;
	}
	return n;
}

START_TEST(r17_undispatched_breaches_once_at_ten_minutes)
{
	struct gj_sub *sub;
	Guanjia__Record *rec;
	uint64_t a, b;
	int64_t at = 0;
	static const char *const disp[] = { "technician=zhang.wei", "severity=minor" };
	Guanjia__Reply *r = NULL;

	ck_assert_int_eq(gj_sub_open(d.event_url, d.cmd_url, "alert.", last_seq() + 1, &sub), 0);
	a = open_r17("3# lobby light");
	b = open_r17("2# gate barrier");
	advance(5 * MIN);
	gj_client_set_actor(cl, "li.ming", "butler", "test");
	call_ok(gj_client_fire(cl, b, "dispatch", disp, 2, "sent Zhang", &r), r);
	gj_reply_free(r);
	advance(5 * MIN - 1000);
	ck_assert_uint_eq(count_alerts(a, GUANJIA__ALERT_LEVEL__BREACH, "dispatch", NULL), 0);
	advance(1000);
	ck_assert_uint_eq(count_alerts(a, GUANJIA__ALERT_LEVEL__BREACH, "dispatch", &at), 1);
	ck_assert_int_eq(at, T0 + 10 * MIN);
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
	advance(24 * 60 * MIN);
	ck_assert_uint_eq(count_alerts(a, GUANJIA__ALERT_LEVEL__BREACH, "dispatch", NULL), 1);
	ck_assert_uint_eq(count_alerts(b, GUANJIA__ALERT_LEVEL__BREACH, "dispatch", NULL), 0);
	ck_assert_uint_eq(count_alerts(b, GUANJIA__ALERT_LEVEL__WARNING, "dispatch", NULL), 0);
	gj_sub_destroy(sub);
}
END_TEST

START_TEST(minor_repair_breaches_sixty_minutes_after_dispatch)
{
	static const char *const disp[] = { "technician=zhang.wei", "severity=minor" };
	Guanjia__Reply *r = NULL;
	int64_t at = 0;
	uint64_t a = open_r17("pump room");

	advance(3 * MIN);
	call_ok(gj_client_fire(cl, a, "dispatch", disp, 2, NULL, &r), r);
	gj_reply_free(r);
	advance(60 * MIN - 1);
	ck_assert_uint_eq(count_alerts(a, GUANJIA__ALERT_LEVEL__BREACH, NULL, NULL), 0);
	advance(1);
	ck_assert_uint_eq(count_alerts(a, GUANJIA__ALERT_LEVEL__BREACH, "minor_repair", &at), 1);
	ck_assert_int_eq(at, T0 + 63 * MIN);
}
END_TEST

START_TEST(deadlines_survive_a_restart)
{
	int64_t at = 0;
	uint64_t a = open_r17("roof"), b;

	advance(2 * MIN);
	b = open_r17("basement");
	stop_client();
	ck_assert_int_eq(gj_daemon_stop(&d), 0);
	/* Back up at +4 minutes: nothing was due yet, nothing fires. */
	start_at("2026-10-09T10:04:00+08:00");
	ck_assert_uint_eq(count_alerts(a, GUANJIA__ALERT_LEVEL__BREACH, NULL, NULL), 0);
	advance(6 * MIN);
	ck_assert_uint_eq(count_alerts(a, GUANJIA__ALERT_LEVEL__BREACH, "dispatch", &at), 1);
	ck_assert_int_eq(at, T0 + 10 * MIN);
	ck_assert_uint_eq(count_alerts(b, GUANJIA__ALERT_LEVEL__BREACH, NULL, NULL), 0);
	/* Down again across b's deadline (+12): it fires at once on start,
	 * marked late, and only once. */
	stop_client();
	ck_assert_int_eq(gj_daemon_stop(&d), 0);
	start_at("2026-10-09T10:30:00+08:00");
	ck_assert_uint_eq(count_alerts(b, GUANJIA__ALERT_LEVEL__BREACH, "dispatch", &at), 1);
	ck_assert_int_eq(at, T0 + 30 * MIN);
	{
		Guanjia__Reply *r = NULL;
		call_ok(gj_client_replay(cl, 1, 10000, "alert.", &r), r);
		Guanjia__Alert *last = r->records->records[r->records->n_records - 1]->alert;
		ck_assert_uint_eq(last->ticket_id, b);
		ck_assert(last->delayed);
		ck_assert_int_eq(last->late_ms, 18 * MIN);
		gj_reply_free(r);
	}
	advance(60 * MIN);
	ck_assert_uint_eq(count_alerts(a, GUANJIA__ALERT_LEVEL__BREACH, "dispatch", NULL), 1);
	ck_assert_uint_eq(count_alerts(b, GUANJIA__ALERT_LEVEL__BREACH, "dispatch", NULL), 1);
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
		w[i] = (struct worker){ .idx = i, .url = d.cmd_url, .stop = &stop };
		w[i].acked = calloc(PER_WORKER, 48);
		pthread_create(&th[i], NULL, work, &w[i]);
	}
	/* Kill once a good number of commands went through, mid-stream. */
	pthread_mutex_lock(&ack_lock);
	while (ack_total < 1500)
		pthread_cond_wait(&ack_cond, &ack_lock);
	pthread_mutex_unlock(&ack_lock);
	gj_daemon_kill9(&d);
	atomic_store(&stop, true);
	for (int i = 0; i < WORKERS; i++)
		pthread_join(th[i], NULL);
	stop_client();

	start_at(T0_TEXT);
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
		ck_assert_int_eq(gj_client_call(cl, &req, &r), 0);
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
		ck_assert_int_eq(gj_client_call(cl, &req, &r), 0);
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
		call_ok(gj_client_list(cl, &f, &r), r);
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
	ck_assert_int_ge(nn_connect(s, d.cmd_url), 0);
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
	scribble(d.cmd_url);
	scribble(d.event_url);

	/* Refusals through the client library, each with its reason. */
	static const char *const minor[] = { "technician=zhang", "severity=minor" };
	static const char *const half[] = { "technician=zhang" };
	gj_client_fire(cl, 999, "dispatch", minor, 2, NULL, &r);
	expect_refusal(r, GUANJIA__ERROR_CODE__UNKNOWN_TICKET, "no ticket 999");
	gj_client_fire(cl, a, "finish", NULL, 0, NULL, &r);
	expect_refusal(r, GUANJIA__ERROR_CODE__ILLEGAL_TRANSITION, "in state 'reported'");
	gj_client_fire(cl, a, "dispatch", half, 1, NULL, &r);
	expect_refusal(r, GUANJIA__ERROR_CODE__MISSING_FIELD, "severity");
	gj_client_fire(cl, a, "teleport", NULL, 0, NULL, &r);
	expect_refusal(r, GUANJIA__ERROR_CODE__UNKNOWN_EVENT, "no event 'teleport'");
	gj_client_open(cl, "r99_nothing", NULL, NULL, 0, NULL, &r);
	expect_refusal(r, GUANJIA__ERROR_CODE__UNKNOWN_WORKFLOW, "no workflow 'r99_nothing'");
	gj_client_set_actor(cl, "guest", "owner", "test");
	gj_client_fire(cl, a, "dispatch", minor, 2, NULL, &r);
	expect_refusal(r, GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "role 'owner' may not fire");
	gj_client_set_actor(cl, "li.ming", "butler", "test");
	{
		char *huge = malloc(GJ_MAX_FIELD_VALUE + 20), *kv[1];
		memset(huge, 'v', GJ_MAX_FIELD_VALUE + 19);
		memcpy(huge, "location=", 9);
		huge[GJ_MAX_FIELD_VALUE + 19] = 0;
		kv[0] = huge;
		gj_client_open(cl, "r17_repair", NULL, (const char *const *)kv, 1, NULL, &r);
		expect_refusal(r, GUANJIA__ERROR_CODE__TOO_LARGE, "location");
		free(huge);
	}
	{
		static const char *const badname[] = { "Bad Name=1", "location=x" };
		gj_client_open(cl, "r17_repair", NULL, badname, 2, NULL, &r);
		expect_refusal(r, GUANJIA__ERROR_CODE__INVALID_ARGUMENT, "field name");
	}

	/* Still serving, data intact, also after a restart. */
	ck_assert(gj_daemon_alive(&d));
	call_ok(gj_client_get(cl, a, true, &r), r);
	ck_assert_str_eq(r->ticket->state, "reported");
	ck_assert_uint_eq(r->ticket->history_len, 1);
	gj_reply_free(r);
	stop_client();
	ck_assert_int_eq(gj_daemon_stop(&d), 0);
	start_at(T0_TEXT);
	call_ok(gj_client_get(cl, a, true, &r), r);
	ck_assert_str_eq(r->ticket->state, "reported");
	gj_reply_free(r);
}
END_TEST

/* --- R28b: the incident chain as plain clocks --- */

static uint64_t open_r28b(void)
{
	static const char *const kv[] = { "kind=burst_pipe", "location=3# B1 pump room" };
	Guanjia__Reply *r = NULL;
	uint64_t id;

	gj_client_set_actor(cl, "zhao.gang", "security", "guard-post-1");
	call_ok(gj_client_open(cl, "r28b_special_event", NULL, kv, 2, "water on the floor", &r), r);
	id = r->ticket->id;
	gj_reply_free(r);
	return id;
}

static void fire_as(uint64_t id, const char *event, const char *person, const char *role,
		    const char *const *kv, size_t n)
{
	Guanjia__Reply *r = NULL;

	gj_client_set_actor(cl, person, role, "test");
	call_ok(gj_client_fire(cl, id, event, kv, n, NULL, &r), r);
	gj_reply_free(r);
}

/* Every alert of a ticket, in order: "<clock>/<W|B>@<minutes*1000+sec>" */
static void alerts_of(uint64_t ticket, char *buf, size_t len)
{
	Guanjia__Reply *r = NULL;

	buf[0] = 0;
	call_ok(gj_client_replay(cl, 1, 10000, "alert.", &r), r);
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

	advance(MIN - 1);
	alerts_of(id, got, sizeof(got));
	ck_assert_str_eq(got, "");
	advance(1);
	alerts_of(id, got, sizeof(got));
	ck_assert_str_eq(got, "report_to_head/B@60s");
	advance(MIN);
	fire_as(id, "report_to_head", "zhao.gang", "security", NULL, 0);
	/* Head informed at +2: the manager must hear by +7 (warning at +6). */
	advance(4 * MIN - 1);
	alerts_of(id, got, sizeof(got));
	ck_assert_str_eq(got, "report_to_head/B@60s");
	advance(1);
	alerts_of(id, got, sizeof(got));
	ck_assert_str_eq(got, "report_to_head/B@60s report_to_manager/W@360s");
	advance(MIN);
	alerts_of(id, got, sizeof(got));
	ck_assert_str_eq(got, "report_to_head/B@60s report_to_manager/W@360s report_to_manager/B@420s");
	advance(3 * MIN);
	alerts_of(id, got, sizeof(got));
	ck_assert_str_eq(got, "report_to_head/B@60s report_to_manager/W@360s report_to_manager/B@420s "
			      "first_response/W@480s first_response/B@600s");
	/* The breach of the manager link names the manager. */
	{
		Guanjia__Reply *r = NULL;
		bool found = false;
		call_ok(gj_client_replay(cl, 1, 10000, "alert.main.r28b_special_event.report_to_manager", &r), r);
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
	Guanjia__Reply *r = NULL;
	uint64_t id = open_r28b();

	advance(30 * 1000);
	fire_as(id, "report_to_head", "zhao.gang", "security", NULL, 0);
	advance(2 * MIN + 30 * 1000); /* +3 */
	fire_as(id, "report_to_manager", "qian.li", "team_head", NULL, 0);
	advance(3 * MIN); /* +6 */
	fire_as(id, "manager_on_site", "sun.hua", "manager", NULL, 0);
	advance(MIN); /* +7 */
	fire_as(id, "feedback_given", "qian.li", "team_head", plan, 1);
	gj_client_set_actor(cl, "sun.hua", "manager", "test");
	gj_client_fire(cl, id, "close", NULL, 0, NULL, &r);
	expect_refusal(r, GUANJIA__ERROR_CODE__MISSING_FIELD, "report");
	fire_as(id, "close", "sun.hua", "manager", report, 1);
	advance(24 * 60 * MIN);
	alerts_of(id, got, sizeof(got));
	ck_assert_str_eq(got, "");
	call_ok(gj_client_get(cl, id, true, &r), r);
	ck_assert(r->ticket->closed);
	ck_assert_uint_eq(r->ticket->history_len, 6);
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
	ck_assert(gj_daemon_alive(&d));
	call_ok(gj_client_status(cl, &r), r);
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

	call_ok(gj_client_open(cl, "pinned", NULL, NULL, 0, NULL, &r), r);
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
	int64_t at = 0;
	uint64_t a, b;

	ck_assert_ptr_nonnull(mkdtemp(wdir));
	stop_client();
	ck_assert_int_eq(gj_daemon_stop(&d), 0);
	write_workflow(wdir, 1, "10m");
	ck_assert_int_eq(gj_daemon_start(&d, args), 0);
	ck_assert_int_eq(gj_client_connect(d.cmd_url, &cl), 0);
	gj_client_set_actor(cl, "li.ming", "butler", "test");
	a = open_pinned(1, T0 + 10 * MIN);
	stop_client();
	ck_assert_int_eq(gj_daemon_stop(&d), 0);

	/* Version 2 gives 30 minutes: new tickets get it, ticket a keeps 10. */
	write_workflow(wdir, 2, "30m");
	ck_assert_int_eq(gj_daemon_start(&d, args), 0);
	ck_assert_int_eq(gj_client_connect(d.cmd_url, &cl), 0);
	gj_client_set_actor(cl, "li.ming", "butler", "test");
	b = open_pinned(2, T0 + 30 * MIN);
	advance(10 * MIN);
	ck_assert_uint_eq(count_alerts(a, GUANJIA__ALERT_LEVEL__BREACH, "dispatch", &at), 1);
	ck_assert_int_eq(at, T0 + 10 * MIN);
	ck_assert_uint_eq(count_alerts(b, GUANJIA__ALERT_LEVEL__BREACH, "dispatch", NULL), 0);
	call_ok(gj_client_fire(cl, a, "dispatch", NULL, 0, NULL, &r), r);
	ck_assert_uint_eq(r->ticket->workflow_version, 1);
	gj_reply_free(r);
	stop_client();
	ck_assert_int_eq(gj_daemon_stop(&d), 0);

	/* Changing version 2 without a new number is refused at start. */
	write_workflow(wdir, 2, "40m");
	ck_assert_int_eq(gj_daemon_start(&d, args), -1);
	write_workflow(wdir, 2, "30m");
	ck_assert_int_eq(gj_daemon_start(&d, args), 0);
	ck_assert_int_eq(gj_client_connect(d.cmd_url, &cl), 0);
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
	int64_t at = 0;
	uint64_t a;

	stop_client();
	ck_assert_int_eq(gj_daemon_stop(&d), 0);
	start_at("2026-09-30T16:00:00+08:00");
	a = open_r17("3# roof drain");
	call_ok(gj_client_fire(cl, a, "dispatch", disp, 2, NULL, &r), r);
	for (size_t i = 0; i < r->ticket->n_clocks; i++)
		if (strcmp(r->ticket->clocks[i]->id, "moderate_repair") == 0) {
			ck_assert_int_eq(r->ticket->clocks[i]->deadline, due);
			ck_assert(!r->ticket->clocks[i]->provisional);
		}
	gj_reply_free(r);
	advance(due - t0 - 2 * 3600 * 1000 - 1);
	ck_assert_uint_eq(count_alerts(a, GUANJIA__ALERT_LEVEL__WARNING, "moderate_repair", NULL), 0);
	advance(1);
	ck_assert_uint_eq(count_alerts(a, GUANJIA__ALERT_LEVEL__WARNING, "moderate_repair", &at), 1);
	ck_assert_int_eq(at, due - 2 * 3600 * 1000);
	advance(2 * 3600 * 1000 - 1);
	ck_assert_uint_eq(count_alerts(a, GUANJIA__ALERT_LEVEL__BREACH, "moderate_repair", NULL), 0);
	advance(1);
	ck_assert_uint_eq(count_alerts(a, GUANJIA__ALERT_LEVEL__BREACH, "moderate_repair", &at), 1);
	ck_assert_int_eq(at, due);
	ck_assert_uint_eq(count_alerts(a, GUANJIA__ALERT_LEVEL__BREACH, "any_repair", NULL), 0);
}
END_TEST

START_TEST(deadline_into_a_year_without_calendar_data_alerts_the_administrator)
{
	static const char *const disp[] = { "technician=zhang.wei", "severity=moderate" };
	Guanjia__Reply *r = NULL;
	bool provisional = false;
	uint64_t a;

	stop_client();
	ck_assert_int_eq(gj_daemon_stop(&d), 0);
	start_at("2026-12-30T10:00:00+08:00");
	a = open_r17("gate");
	call_ok(gj_client_fire(cl, a, "dispatch", disp, 2, NULL, &r), r);
	for (size_t i = 0; i < r->ticket->n_clocks; i++)
		if (strcmp(r->ticket->clocks[i]->id, "moderate_repair") == 0)
			provisional = r->ticket->clocks[i]->provisional;
	ck_assert(provisional);
	gj_reply_free(r);
	call_ok(gj_client_replay(cl, 1, 100, "alert.main.calendar.cn", &r), r);
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
	struct gj_daemon other = d;
	const char *args[] = { "--manual-clock", T0_TEXT, NULL };

	other.pid = 0;
	ck_assert_int_eq(gj_daemon_start(&other, args), -1);
	ck_assert(gj_daemon_alive(&d));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("integration");
	TCase *tc = tcase_create("daemon");
	SRunner *sr;
	int failed;

	/* scribble() writes to sockets the daemon closes on it. */
	signal(SIGPIPE, SIG_IGN);
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
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
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
