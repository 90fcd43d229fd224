/*
 * test_client.c - unit test of libguanjia against a fake daemon: a REP
 * thread answering canned replies and a PUB socket the test publishes on,
 * both on ipc:// sockets in a fresh mkdtemp directory.
 *
 * The fake journal holds records 1..journal_len (made up from their seq);
 * `replay` answers from it, and the test decides which of them also go out
 * live, so that gaps are made on purpose.
 */
#include "guanjia.h"
#include "json.h"
#include "wire.h"

#include <check.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/pubsub.h>
#include <nanomsg/reqrep.h>

/* 2026-10-09T10:00:00+08:00 */
#define NOW 1791511200000LL

struct fake {
	char *dir;
	char *cmd_url;
	char *ev_url;
	int rep;
	int pub;
	pthread_t thread;
	atomic_bool stop;
	pthread_mutex_t lock;
	/* under lock */
	uint64_t journal_len;
	char **ids;
	size_t n_ids;
	size_t n_replays;
	uint64_t first_replay_from;
	char *person, *role, *channel;
};

struct rec_store {
	Guanjia__Record rec;
	Guanjia__Transition tr;
	Guanjia__ClockEvent ce;
	Guanjia__Alert al;
};

static char *notify[] = { (char *)"cs_lead", (char *)"manager" };

/* Record seq of the fake journal: 1, 4, 7 ... transitions; 2, 5 ... clock
 * events; 3, 6 ... alerts. */
static void fill_record(struct rec_store *s, uint64_t seq)
{
	guanjia__record__init(&s->rec);
	s->rec.seq = seq;
	s->rec.at = NOW + (int64_t)seq * 1000;
	switch (seq % 3) {
	case 1:
		guanjia__transition__init(&s->tr);
		s->tr.ticket_id = seq;
		s->tr.estate = (char *)"e1";
		s->tr.workflow = (char *)"r17_repair";
		s->tr.rule = (char *)"R17";
		s->tr.event = (char *)"dispatch";
		s->tr.from_state = (char *)"reported";
		s->tr.to_state = (char *)"dispatched";
		s->tr.person = (char *)"wang.fang";
		s->tr.role = (char *)"butler";
		s->rec.topic = (char *)"transition.e1.r17_repair.dispatched";
		s->rec.body_case = GUANJIA__RECORD__BODY_TRANSITION;
		s->rec.transition = &s->tr;
		break;
	case 2:
		guanjia__clock_event__init(&s->ce);
		s->ce.ticket_id = seq;
		s->ce.estate = (char *)"e1";
		s->ce.workflow = (char *)"r17_repair";
		s->ce.clock = (char *)"respond";
		s->ce.rule = (char *)"R17";
		s->ce.kind = GUANJIA__CLOCK_EVENT_KIND__STARTED;
		s->ce.deadline = NOW + 600000;
		s->rec.topic = (char *)"clock.e1.r17_repair.respond";
		s->rec.body_case = GUANJIA__RECORD__BODY_CLOCK;
		s->rec.clock = &s->ce;
		break;
	default:
		guanjia__alert__init(&s->al);
		s->al.ticket_id = seq;
		s->al.estate = (char *)"e1";
		s->al.workflow = (char *)"r17_repair";
		s->al.clock = (char *)"respond";
		s->al.rule = (char *)"R17";
		s->al.level = GUANJIA__ALERT_LEVEL__BREACH;
		s->al.n_notify_roles = 2;
		s->al.notify_roles = notify;
		s->al.deadline = NOW;
		s->al.late_ms = 60000;
		s->al.message = (char *)"repair is late";
		s->rec.topic = (char *)"alert.e1.r17_repair.respond";
		s->rec.body_case = GUANJIA__RECORD__BODY_ALERT;
		s->rec.alert = &s->al;
		break;
	}
}

static void send_reply(struct fake *f, const Guanjia__Reply *reply)
{
	size_t len = guanjia__reply__get_packed_size(reply);
	uint8_t *buf = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(buf);
	guanjia__reply__pack(reply, buf);
	nn_send(f->rep, buf, len, 0);
	free(buf);
}

static void note_request(struct fake *f, const Guanjia__Request *req)
{
	pthread_mutex_lock(&f->lock);
	f->ids = realloc(f->ids, (f->n_ids + 1) * sizeof(*f->ids));
	f->ids[f->n_ids++] = strdup(req->request_id);
	free(f->person);
	free(f->role);
	free(f->channel);
	f->person = strdup(req->actor ? req->actor->person : "(none)");
	f->role = strdup(req->actor ? req->actor->role : "(none)");
	f->channel = strdup(req->actor ? req->actor->channel : "(none)");
	pthread_mutex_unlock(&f->lock);
}

static void serve_replay(struct fake *f, const Guanjia__Replay *rp, Guanjia__Reply *reply)
{
	Guanjia__RecordList rl = GUANJIA__RECORD_LIST__INIT;
	uint64_t from = rp->from_seq ? rp->from_seq : 1, jl;
	uint32_t limit = rp->limit ? rp->limit : 1000;
	size_t plen = strlen(rp->topic_prefix);
	struct rec_store *recs = calloc(limit, sizeof(*recs));
	Guanjia__Record **ptrs = calloc(limit, sizeof(*ptrs));

	ck_assert(recs && ptrs);
	pthread_mutex_lock(&f->lock);
	if (f->n_replays++ == 0)
		f->first_replay_from = from;
	jl = f->journal_len;
	pthread_mutex_unlock(&f->lock);
	rl.next_seq = from;
	for (uint64_t seq = from; seq <= jl && rl.n_records < limit; seq++) {
		fill_record(&recs[rl.n_records], seq);
		rl.next_seq = seq + 1;
		if (strncmp(recs[rl.n_records].rec.topic, rp->topic_prefix, plen) == 0) {
			ptrs[rl.n_records] = &recs[rl.n_records].rec;
			rl.n_records++;
		}
	}
	rl.records = ptrs;
	rl.last_seq = jl;
	reply->result_case = GUANJIA__REPLY__RESULT_RECORDS;
	reply->records = &rl;
	send_reply(f, reply);
	free(recs);
	free(ptrs);
}

static void serve(struct fake *f, const uint8_t *buf, size_t len)
{
	Guanjia__Request *req = guanjia__request__unpack(NULL, len, buf);
	Guanjia__Reply reply = GUANJIA__REPLY__INIT;
	Guanjia__Ticket ticket = GUANJIA__TICKET__INIT;
	Guanjia__Status st = GUANJIA__STATUS__INIT;
	Guanjia__TicketList tl = GUANJIA__TICKET_LIST__INIT;

	if (!req) {
		reply.outcome = GUANJIA__OUTCOME__REFUSED;
		reply.code = GUANJIA__ERROR_CODE__MALFORMED;
		send_reply(f, &reply);
		return;
	}
	note_request(f, req);
	reply.request_id = req->request_id;
	reply.outcome = GUANJIA__OUTCOME__APPLIED;
	reply.now = NOW;
	ticket.id = 42;
	ticket.workflow = (char *)"r17_repair";
	ticket.state = (char *)"reported";
	switch (req->command_case) {
	case GUANJIA__REQUEST__COMMAND_OPEN:
		if (strcmp(req->open->workflow, "garbage") == 0) {
			nn_send(f->rep, "\xff\xff\xff\xff", 4, 0);
			goto out;
		}
		ticket.workflow = req->open->workflow;
		ticket.estate = req->open->estate;
		ticket.n_fields = req->open->n_fields;
		ticket.fields = req->open->fields;
		reply.result_case = GUANJIA__REPLY__RESULT_TICKET;
		reply.ticket = &ticket;
		break;
	case GUANJIA__REQUEST__COMMAND_FIRE:
		if (strcmp(req->fire->event, "bad") == 0) {
			reply.outcome = GUANJIA__OUTCOME__REFUSED;
			reply.code = GUANJIA__ERROR_CODE__ILLEGAL_TRANSITION;
			reply.message = (char *)"event 'bad' is not allowed in state reported";
			break;
		}
		ticket.id = req->fire->ticket_id;
		ticket.state = req->fire->event;
		reply.result_case = GUANJIA__REPLY__RESULT_TICKET;
		reply.ticket = &ticket;
		break;
	case GUANJIA__REQUEST__COMMAND_GET:
		if (req->get->ticket_id == 999)
			goto out;   /* never answered: the client times out */
		ticket.id = req->get->ticket_id;
		reply.result_case = GUANJIA__REPLY__RESULT_TICKET;
		reply.ticket = &ticket;
		break;
	case GUANJIA__REQUEST__COMMAND_LIST:
		reply.result_case = GUANJIA__REPLY__RESULT_TICKETS;
		reply.tickets = &tl;
		break;
	case GUANJIA__REQUEST__COMMAND_REPLAY:
		serve_replay(f, req->replay, &reply);
		goto out;
	case GUANJIA__REQUEST__COMMAND_STATUS:
	case GUANJIA__REQUEST__COMMAND_ADVANCE_CLOCK:
		pthread_mutex_lock(&f->lock);
		st.last_seq = f->journal_len;
		pthread_mutex_unlock(&f->lock);
		st.now = NOW;
		if (req->command_case == GUANJIA__REQUEST__COMMAND_ADVANCE_CLOCK)
			st.now += req->advance_clock->by_ms;
		st.manual_clock = true;
		reply.result_case = GUANJIA__REPLY__RESULT_STATUS;
		reply.status = &st;
		break;
	default:
		reply.outcome = GUANJIA__OUTCOME__REFUSED;
		reply.code = GUANJIA__ERROR_CODE__NO_COMMAND;
		break;
	}
	send_reply(f, &reply);
out:
	guanjia__request__free_unpacked(req, NULL);
}

static void *fake_main(void *arg)
{
	struct fake *f = arg;
	int timeout = 20;

	nn_setsockopt(f->rep, NN_SOL_SOCKET, NN_RCVTIMEO, &timeout, sizeof(timeout));
	while (!atomic_load(&f->stop)) {
		void *msg = NULL;
		int n = nn_recv(f->rep, &msg, NN_MSG, 0);

		if (n < 0)
			continue;
		serve(f, msg, (size_t)n);
		nn_freemsg(msg);
	}
	return NULL;
}

static struct fake *fake_start(void)
{
	struct fake *f = calloc(1, sizeof(*f));
	char tmpl[] = "/tmp/gjtest-XXXXXX";

	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	f->dir = strdup(tmpl);
	f->cmd_url = gj_cmd_url(f->dir);
	f->ev_url = gj_event_url(f->dir);
	pthread_mutex_init(&f->lock, NULL);
	f->rep = nn_socket(AF_SP, NN_REP);
	f->pub = nn_socket(AF_SP, NN_PUB);
	ck_assert_int_ge(f->rep, 0);
	ck_assert_int_ge(f->pub, 0);
	ck_assert_int_ge(nn_bind(f->rep, f->cmd_url), 0);
	ck_assert_int_ge(nn_bind(f->pub, f->ev_url), 0);
	ck_assert_int_eq(pthread_create(&f->thread, NULL, fake_main, f), 0);
	return f;
}

static void fake_stop(struct fake *f)
{
	char *path = NULL;

	atomic_store(&f->stop, true);
	pthread_join(f->thread, NULL);
	nn_close(f->rep);
	nn_close(f->pub);
	ck_assert_int_ge(asprintf(&path, "%s/%s", f->dir, GJ_CMD_SOCKET), 0);
	unlink(path);
	free(path);
	ck_assert_int_ge(asprintf(&path, "%s/%s", f->dir, GJ_EVENT_SOCKET), 0);
	unlink(path);
	free(path);
	rmdir(f->dir);
	for (size_t i = 0; i < f->n_ids; i++)
		free(f->ids[i]);
	free(f->ids);
	free(f->person);
	free(f->role);
	free(f->channel);
	free(f->dir);
	free(f->cmd_url);
	free(f->ev_url);
	pthread_mutex_destroy(&f->lock);
	free(f);
}

static void set_journal(struct fake *f, uint64_t len)
{
	pthread_mutex_lock(&f->lock);
	f->journal_len = len;
	pthread_mutex_unlock(&f->lock);
}

static size_t n_requests(struct fake *f)
{
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = f->n_ids;
	pthread_mutex_unlock(&f->lock);
	return n;
}

static size_t n_replays(struct fake *f)
{
	size_t n;

	pthread_mutex_lock(&f->lock);
	n = f->n_replays;
	pthread_mutex_unlock(&f->lock);
	return n;
}

static void publish(struct fake *f, uint64_t seq)
{
	struct rec_store s;
	size_t tlen, len;
	uint8_t *buf;

	fill_record(&s, seq);
	tlen = strlen(s.rec.topic);
	len = tlen + 1 + guanjia__record__get_packed_size(&s.rec);
	buf = malloc(len);
	ck_assert_ptr_nonnull(buf);
	memcpy(buf, s.rec.topic, tlen + 1);
	guanjia__record__pack(&s.rec, buf + tlen + 1);
	ck_assert_int_eq(nn_send(f->pub, buf, len, 0), (int)len);
	free(buf);
}

/* Wait until the subscriber's connection reached the PUB socket.  nanomsg
 * has no event for that, so the statistic is polled (bounded to 10 s). */
static void wait_subscriber(struct fake *f)
{
	for (int i = 0; i < 10000; i++) {
		if (nn_get_statistic(f->pub, NN_STAT_CURRENT_CONNECTIONS) >= 1)
			return;
		poll(NULL, 0, 1);
	}
	ck_abort_msg("the subscriber never connected");
}

static void expect_seqs(struct gj_sub *s, const uint64_t *want, size_t n)
{
	Guanjia__Record *rec = NULL;

	for (size_t i = 0; i < n; i++) {
		int r = gj_sub_next(s, 10000, &rec);
		char *line;

		ck_assert_msg(r == 0, "record %zu (seq %llu): %s", i, (unsigned long long)want[i],
			      strerror(-r));
		ck_assert_uint_eq(rec->seq, want[i]);
		line = gj_record_line(rec);
		ck_assert_ptr_nonnull(line);
		free(line);
		gj_record_free(rec);
	}
	ck_assert_int_eq(gj_sub_next(s, 300, &rec), -ETIMEDOUT);
}

static struct gj_client *connect_fake(struct fake *f)
{
	struct gj_client *c = NULL;

	ck_assert_int_eq(gj_client_connect(f->cmd_url, &c), 0);
	ck_assert_int_eq(gj_client_set_actor(c, "wang.fang", "butler", "test"), 0);
	return c;
}

/* ------------------------------------------------------------ commands */

START_TEST(test_call_open)
{
	struct fake *f = fake_start();
	struct gj_client *c = connect_fake(f);
	const char *kv[] = { "unit=3-1-502", "desc=a=b", "empty=" };
	Guanjia__Reply *reply = NULL;

	ck_assert_int_eq(gj_client_open(c, "r17_repair", "e1", kv, 3, "leak", &reply), 0);
	ck_assert_int_eq(reply->outcome, GUANJIA__OUTCOME__APPLIED);
	ck_assert_int_eq(reply->result_case, GUANJIA__REPLY__RESULT_TICKET);
	ck_assert_uint_eq(reply->ticket->id, 42);
	ck_assert_str_eq(reply->ticket->estate, "e1");
	ck_assert_uint_eq(reply->ticket->n_fields, 3);
	ck_assert_str_eq(reply->ticket->fields[0]->name, "unit");
	ck_assert_str_eq(reply->ticket->fields[0]->value, "3-1-502");
	ck_assert_str_eq(reply->ticket->fields[1]->name, "desc");
	ck_assert_str_eq(reply->ticket->fields[1]->value, "a=b");
	ck_assert_str_eq(reply->ticket->fields[2]->value, "");
	ck_assert_str_eq(reply->request_id, gj_client_last_request_id(c));
	ck_assert_str_eq(f->person, "wang.fang");
	ck_assert_str_eq(f->role, "butler");
	ck_assert_str_eq(f->channel, "test");
	gj_reply_free(reply);
	gj_client_destroy(c);
	fake_stop(f);
}
END_TEST

START_TEST(test_call_leaves_request_alone)
{
	struct fake *f = fake_start();
	struct gj_client *c = connect_fake(f);
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__StatusQuery sq = GUANJIA__STATUS_QUERY__INIT;
	Guanjia__Actor other = GUANJIA__ACTOR__INIT;
	Guanjia__Reply *reply = NULL;
	char *empty;

	req.command_case = GUANJIA__REQUEST__COMMAND_STATUS;
	req.status = &sq;
	empty = req.request_id;
	ck_assert_int_eq(gj_client_call(c, &req, &reply), 0);
	ck_assert_ptr_eq(req.request_id, empty);
	ck_assert_ptr_null(req.actor);
	gj_reply_free(reply);

	/* A request id and actor of the caller's are sent as they are. */
	req.request_id = (char *)"my-own-id";
	other.person = (char *)"li.lei";
	other.role = (char *)"manager";
	req.actor = &other;
	ck_assert_int_eq(gj_client_call(c, &req, &reply), 0);
	ck_assert_str_eq(reply->request_id, "my-own-id");
	ck_assert_str_eq(gj_client_last_request_id(c), "my-own-id");
	ck_assert_str_eq(f->person, "li.lei");
	ck_assert_str_eq(f->role, "manager");
	gj_reply_free(reply);

	/* No command: refused locally. */
	req.command_case = GUANJIA__REQUEST__COMMAND__NOT_SET;
	ck_assert_int_eq(gj_client_call(c, &req, &reply), -EINVAL);
	gj_client_destroy(c);
	fake_stop(f);
}
END_TEST

static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

START_TEST(test_request_ids)
{
	struct fake *f = fake_start();
	struct gj_client *c = connect_fake(f), *c2 = connect_fake(f);
	Guanjia__Reply *reply = NULL;
	enum { N = 200 };
	char *ids[N];

	for (int i = 0; i < N; i++) {
		const char *id;

		ck_assert_int_eq(gj_client_status(c, &reply), 0);
		id = gj_client_last_request_id(c);
		ck_assert_str_eq(reply->request_id, id);
		/* "<12 hex ms>-<16 hex random>-<8 hex counter>" */
		ck_assert_uint_eq(strlen(id), 38);
		ck_assert_uint_le(strlen(id), GJ_MAX_REQUEST_ID);
		ck_assert(is_hex(id, 12) && id[12] == '-' && is_hex(id + 13, 16) && id[29] == '-' &&
			  is_hex(id + 30, 8));
		ids[i] = strdup(id);
		gj_reply_free(reply);
	}
	/* Time-ordered, hence unique. */
	for (int i = 1; i < N; i++)
		ck_assert_msg(strcmp(ids[i - 1], ids[i]) < 0, "%s !< %s", ids[i - 1], ids[i]);
	/* The server saw the same ids. */
	ck_assert_uint_eq(n_requests(f), N);
	for (int i = 0; i < N; i++)
		ck_assert_str_eq(f->ids[i], ids[i]);
	/* Another client: another random part. */
	ck_assert_int_eq(gj_client_status(c2, &reply), 0);
	ck_assert(strncmp(gj_client_last_request_id(c2) + 13, ids[0] + 13, 16) != 0);
	gj_reply_free(reply);
	for (int i = 0; i < N; i++)
		free(ids[i]);
	gj_client_destroy(c);
	gj_client_destroy(c2);
	fake_stop(f);
}
END_TEST

START_TEST(test_kv_errors)
{
	struct fake *f = fake_start();
	struct gj_client *c = connect_fake(f);
	Guanjia__Reply *reply = NULL;
	const char *no_eq[] = { "unit=1", "novalue" };
	const char *no_name[] = { "=value" };

	ck_assert_int_eq(gj_client_open(c, "r17_repair", NULL, no_eq, 2, NULL, &reply), -EINVAL);
	ck_assert_int_eq(gj_client_fire(c, 5, "dispatch", no_name, 1, NULL, &reply), -EINVAL);
	ck_assert_int_eq(gj_client_fire(c, 5, "dispatch", NULL, 1, NULL, &reply), -EINVAL);
	ck_assert_ptr_null(reply);
	ck_assert_uint_eq(n_requests(f), 0);   /* nothing was sent */
	/* No fields at all is fine. */
	ck_assert_int_eq(gj_client_fire(c, 5, "dispatch", NULL, 0, NULL, &reply), 0);
	ck_assert_str_eq(reply->ticket->state, "dispatch");
	gj_reply_free(reply);
	gj_client_destroy(c);
	fake_stop(f);
}
END_TEST

START_TEST(test_refused)
{
	struct fake *f = fake_start();
	struct gj_client *c = connect_fake(f);
	Guanjia__Reply *reply = NULL;

	ck_assert_int_eq(gj_client_fire(c, 5, "bad", NULL, 0, "why not", &reply), 0);
	ck_assert_int_eq(reply->outcome, GUANJIA__OUTCOME__REFUSED);
	ck_assert_str_eq(gj_error_code_name(reply->code), "ILLEGAL_TRANSITION");
	ck_assert_str_eq(gj_outcome_name(reply->outcome), "REFUSED");
	ck_assert_ptr_nonnull(strstr(reply->message, "not allowed"));
	gj_reply_free(reply);
	ck_assert_str_eq(gj_error_code_name(12345), "?");
	gj_client_destroy(c);
	fake_stop(f);
}
END_TEST

START_TEST(test_timeout_and_garbage)
{
	struct fake *f = fake_start();
	struct gj_client *c = connect_fake(f);
	Guanjia__Reply *reply = NULL;

	gj_client_set_timeout(c, 300);
	ck_assert_int_eq(gj_client_get(c, 999, false, &reply), -ETIMEDOUT);
	ck_assert_ptr_null(reply);
	/* The socket is usable after a timeout. */
	gj_client_set_timeout(c, 10000);
	ck_assert_int_eq(gj_client_get(c, 7, true, &reply), 0);
	ck_assert_uint_eq(reply->ticket->id, 7);
	gj_reply_free(reply);
	reply = NULL;
	ck_assert_int_eq(gj_client_open(c, "garbage", NULL, NULL, 0, NULL, &reply), -EPROTO);
	ck_assert_ptr_null(reply);
	ck_assert_int_eq(gj_client_advance(c, 600000, &reply), 0);
	ck_assert_int_eq(reply->status->now, NOW + 600000);
	gj_reply_free(reply);
	ck_assert_int_eq(gj_client_list(c, NULL, &reply), 0);
	ck_assert_int_eq(reply->result_case, GUANJIA__REPLY__RESULT_TICKETS);
	gj_reply_free(reply);
	gj_client_destroy(c);
	fake_stop(f);
}
END_TEST

START_TEST(test_probe)
{
	struct fake *f = fake_start();
	char *missing = NULL;

	ck_assert_int_eq(gj_url_probe(f->cmd_url, 1000), 0);
	ck_assert_int_ge(asprintf(&missing, "ipc://%s/nothing.ipc", f->dir), 0);
	ck_assert_int_eq(gj_url_probe(missing, 1000), -ENOENT);
	ck_assert_int_eq(gj_url_probe("inproc://x", 1000), -EOPNOTSUPP);
	ck_assert_int_eq(gj_url_probe("tcp://127.0.0.1:1", 1000), -ECONNREFUSED);
	ck_assert_int_eq(gj_url_probe("tcp://nohostport", 1000), -EINVAL);
	free(missing);
	fake_stop(f);
}
END_TEST

/* ---------------------------------------------------------- subscriber */

START_TEST(test_sub_fills_gap)
{
	struct fake *f = fake_start();
	struct gj_sub *s = NULL;
	const uint64_t want[] = { 1, 2, 3, 4, 5 };

	ck_assert_int_eq(gj_sub_open(f->ev_url, f->cmd_url, "", 0, &s), 0);
	ck_assert_uint_eq(gj_sub_last_seq(s), 0);
	wait_subscriber(f);
	set_journal(f, 2);
	publish(f, 1);
	publish(f, 2);
	set_journal(f, 5);   /* 3 and 4 are "dropped": only replay has them */
	publish(f, 5);
	expect_seqs(s, want, 5);
	ck_assert_uint_ge(n_replays(f), 1);
	ck_assert_uint_eq(gj_sub_last_seq(s), 5);
	gj_sub_destroy(s);
	fake_stop(f);
}
END_TEST

START_TEST(test_sub_from_seq_merges)
{
	struct fake *f = fake_start();
	struct gj_sub *s = NULL;
	const uint64_t want[] = { 2, 3, 4, 5 };

	set_journal(f, 3);
	ck_assert_int_eq(gj_sub_open(f->ev_url, f->cmd_url, NULL, 2, &s), 0);
	wait_subscriber(f);
	/* Live copies of records the replay returns too, then new ones. */
	publish(f, 3);
	set_journal(f, 5);
	publish(f, 4);
	publish(f, 5);
	expect_seqs(s, want, 4);
	pthread_mutex_lock(&f->lock);
	ck_assert_uint_eq(f->first_replay_from, 2);
	pthread_mutex_unlock(&f->lock);
	gj_sub_destroy(s);
	fake_stop(f);
}
END_TEST

START_TEST(test_sub_prefix)
{
	struct fake *f = fake_start();
	struct gj_sub *s = NULL;
	const uint64_t want[] = { 3, 6, 9, 12 };

	set_journal(f, 7);
	ck_assert_int_eq(gj_sub_open(f->ev_url, f->cmd_url, "alert.", 1, &s), 0);
	wait_subscriber(f);
	set_journal(f, 12);
	for (uint64_t seq = 7; seq <= 10; seq++)
		publish(f, seq);
	publish(f, 12);   /* 11 dropped */
	expect_seqs(s, want, 4);
	gj_sub_destroy(s);
	fake_stop(f);
}
END_TEST

START_TEST(test_sub_catches_up_when_idle)
{
	struct fake *f = fake_start();
	struct gj_sub *s = NULL;
	const uint64_t want[] = { 1, 2, 3 };

	ck_assert_int_eq(gj_sub_open(f->ev_url, f->cmd_url, "", 0, &s), 0);
	/* Published while nobody listened and nothing follows them. */
	set_journal(f, 3);
	expect_seqs(s, want, 3);
	gj_sub_destroy(s);
	fake_stop(f);
}
END_TEST

START_TEST(test_sub_without_replay)
{
	struct fake *f = fake_start();
	struct gj_sub *s = NULL;
	const uint64_t want[] = { 1, 2, 5 };

	ck_assert_int_eq(gj_sub_open(f->ev_url, NULL, "", 0, &s), 0);
	wait_subscriber(f);
	publish(f, 1);
	publish(f, 2);
	publish(f, 2);
	publish(f, 5);
	expect_seqs(s, want, 3);
	ck_assert_uint_eq(n_requests(f), 0);
	gj_sub_destroy(s);
	fake_stop(f);
}
END_TEST

START_TEST(test_sub_open_errors)
{
	struct gj_sub *s = NULL;

	ck_assert_int_eq(gj_sub_open(NULL, NULL, "", 0, &s), -EINVAL);
	ck_assert_int_eq(gj_sub_open("bogus://x", NULL, "", 0, &s), -EPROTONOSUPPORT);
	ck_assert_int_eq(gj_sub_open("tcp://", NULL, "", 0, &s), -EINVAL);
	ck_assert_ptr_null(s);
	gj_sub_destroy(NULL);
	gj_client_destroy(NULL);
	gj_reply_free(NULL);
	gj_record_free(NULL);
}
END_TEST

/* ---------------------------------------------------------------- text */

START_TEST(test_record_lines)
{
	struct rec_store s;
	char *line;

	fill_record(&s, 1);
	line = gj_record_line(&s.rec);
	ck_assert_str_eq(line, "#1 2026-10-09T10:00:01+08:00 transition.e1.r17_repair.dispatched "
			       "ticket 1: reported -[dispatch]-> dispatched by wang.fang (butler)");
	free(line);
	fill_record(&s, 2);
	line = gj_record_line(&s.rec);
	ck_assert_str_eq(line, "#2 2026-10-09T10:00:02+08:00 clock.e1.r17_repair.respond "
			       "ticket 2: clock respond (R17) started, due 2026-10-09T10:10:00+08:00");
	free(line);
	fill_record(&s, 3);
	line = gj_record_line(&s.rec);
	ck_assert_str_eq(line, "#3 2026-10-09T10:00:03+08:00 alert.e1.r17_repair.respond "
			       "ticket 3: BREACH clock respond (R17), 1m00s late, notify cs_lead, "
			       "manager: repair is late");
	free(line);
}
END_TEST

START_TEST(test_ticket_line)
{
	Guanjia__Ticket t = GUANJIA__TICKET__INIT;
	Guanjia__Clock c1 = GUANJIA__CLOCK__INIT, c2 = GUANJIA__CLOCK__INIT, c3 = GUANJIA__CLOCK__INIT;
	Guanjia__Clock *clocks[] = { &c1, &c2, &c3 };
	char *line;

	t.id = 5;
	t.workflow = (char *)"r17_repair";
	t.estate = (char *)"e1";
	t.state = (char *)"dispatched";
	c1.id = (char *)"respond";
	c1.rule = (char *)"R17";
	c1.state = GUANJIA__CLOCK_STATE__CLOCK_RUNNING;
	c1.deadline = NOW + 599000;
	c2.id = (char *)"finish";
	c2.state = GUANJIA__CLOCK_STATE__CLOCK_RUNNING;
	c2.deadline = NOW - 180000;
	c3.id = (char *)"done";
	c3.state = GUANJIA__CLOCK_STATE__CLOCK_STOPPED;
	t.n_clocks = 3;
	t.clocks = clocks;
	line = gj_ticket_line(&t, NOW);
	ck_assert_str_eq(line, "5 r17_repair [e1] dispatched; respond (R17) 9m59s left, due "
			       "2026-10-09T10:09:59+08:00; finish OVERDUE by 3m00s, was due "
			       "2026-10-09T09:57:00+08:00");
	free(line);
	t.closed = true;
	t.n_clocks = 0;
	t.estate = (char *)"";
	line = gj_ticket_line(&t, NOW);
	ck_assert_str_eq(line, "5 r17_repair dispatched (closed)");
	free(line);
}
END_TEST

START_TEST(test_duration_parse)
{
	int64_t ms = -1;

	ck_assert_int_eq(gj_duration_parse("10m", &ms), 0);
	ck_assert_int_eq(ms, 600000);
	ck_assert_int_eq(gj_duration_parse("1h30m", &ms), 0);
	ck_assert_int_eq(ms, 5400000);
	ck_assert_int_eq(gj_duration_parse("2d", &ms), 0);
	ck_assert_int_eq(ms, 172800000);
	ck_assert_int_eq(gj_duration_parse("90s", &ms), 0);
	ck_assert_int_eq(ms, 90000);
	ck_assert_int_eq(gj_duration_parse("250ms", &ms), 0);
	ck_assert_int_eq(ms, 250);
	ck_assert_int_eq(gj_duration_parse("1d2h3m4s5ms", &ms), 0);
	ck_assert_int_eq(ms, 93784005);
	ms = 7;
	ck_assert_int_eq(gj_duration_parse("", &ms), -EINVAL);
	ck_assert_int_eq(gj_duration_parse("10", &ms), -EINVAL);
	ck_assert_int_eq(gj_duration_parse("m", &ms), -EINVAL);
	ck_assert_int_eq(gj_duration_parse("10x", &ms), -EINVAL);
	ck_assert_int_eq(gj_duration_parse("-5m", &ms), -EINVAL);
	ck_assert_int_eq(gj_duration_parse("1.5h", &ms), -EINVAL);
	ck_assert_int_eq(gj_duration_parse("10m ", &ms), -EINVAL);
	ck_assert_int_eq(gj_duration_parse("99999999999999999999d", &ms), -ERANGE);
	ck_assert_int_eq(gj_duration_parse("9999999999999d", &ms), -ERANGE);
	ck_assert_int_eq(ms, 7);
}
END_TEST

/* ---------------------------------------------------------------- JSON */

static void expect_json_string(const char *in, size_t len, const char *want)
{
	struct gj_json *j = NULL;
	const char *text;

	ck_assert_int_eq(gj_json_create(&j), 0);
	gj_json_string_len(j, in, len);
	ck_assert_int_eq(gj_json_finish(j, &text, NULL), 0);
	ck_assert_str_eq(text, want);
	gj_json_destroy(j);
}

#define EXPECT_JSON(lit, want) expect_json_string(lit, sizeof(lit) - 1, want)

START_TEST(test_json_escaping)
{
	EXPECT_JSON("plain", "\"plain\"");
	EXPECT_JSON("say \"hi\"", "\"say \\\"hi\\\"\"");
	EXPECT_JSON("back\\slash /", "\"back\\\\slash /\"");
	EXPECT_JSON("a\nb\tc\rd\be\ff", "\"a\\nb\\tc\\rd\\be\\ff\"");
	EXPECT_JSON("\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"");
	EXPECT_JSON("nul\0in", "\"nul\\u0000in\"");
	/* UTF-8 passes through: 管家, é, an emoji (4 bytes) */
	EXPECT_JSON("\xe7\xae\xa1\xe5\xae\xb6 caf\xc3\xa9 \xf0\x9f\x94\xa7",
		    "\"\xe7\xae\xa1\xe5\xae\xb6 caf\xc3\xa9 \xf0\x9f\x94\xa7\"");
	/* Not UTF-8: each bad byte becomes U+FFFD. */
	EXPECT_JSON("\xff", "\"\\ufffd\"");
	EXPECT_JSON("x\xe7\xae", "\"x\\ufffd\\ufffd\"");          /* cut short */
	EXPECT_JSON("\xc0\xaf", "\"\\ufffd\\ufffd\"");            /* overlong '/' */
	EXPECT_JSON("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"");  /* surrogate */
	EXPECT_JSON("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* > U+10FFFF */
}
END_TEST

START_TEST(test_json_structure)
{
	struct gj_json *j = NULL;
	const char *text;

	ck_assert_int_eq(gj_json_create(&j), 0);
	gj_json_object_begin(j);
	gj_json_key(j, "a\"k");
	gj_json_int(j, -5);
	gj_json_key(j, "list");
	gj_json_array_begin(j);
	gj_json_uint(j, UINT64_MAX);
	gj_json_bool(j, true);
	gj_json_null(j);
	gj_json_string(j, NULL);
	gj_json_object_begin(j);
	gj_json_object_end(j);
	gj_json_array_begin(j);
	gj_json_array_end(j);
	gj_json_array_end(j);
	gj_json_key(j, "s");
	gj_json_string(j, "v");
	gj_json_object_end(j);
	ck_assert_int_eq(gj_json_finish(j, &text, NULL), 0);
	ck_assert_str_eq(text, "{\"a\\\"k\":-5,\"list\":[18446744073709551615,true,null,null,{},[]],"
			       "\"s\":\"v\"}");

	/* Misuse is reported, not written. */
	gj_json_reset(j);
	gj_json_array_begin(j);
	gj_json_key(j, "k");
	ck_assert_int_eq(gj_json_finish(j, &text, NULL), -EINVAL);
	gj_json_reset(j);
	gj_json_object_begin(j);
	gj_json_int(j, 1);
	ck_assert_int_eq(gj_json_finish(j, &text, NULL), -EINVAL);
	gj_json_reset(j);
	gj_json_object_begin(j);
	ck_assert_int_eq(gj_json_finish(j, &text, NULL), -EINVAL);
	gj_json_reset(j);
	gj_json_int(j, 1);
	gj_json_int(j, 2);
	ck_assert_int_eq(gj_json_finish(j, &text, NULL), -EINVAL);
	gj_json_reset(j);
	gj_json_array_begin(j);
	gj_json_object_end(j);
	ck_assert_int_eq(gj_json_finish(j, &text, NULL), -EINVAL);
	gj_json_reset(j);
	for (int i = 0; i <= GJ_JSON_MAX_DEPTH; i++)
		gj_json_array_begin(j);
	ck_assert_int_eq(gj_json_finish(j, &text, NULL), -E2BIG);
	gj_json_reset(j);
	ck_assert_int_eq(gj_json_finish(j, &text, NULL), -EINVAL);
	gj_json_destroy(j);
	gj_json_destroy(NULL);
}
END_TEST

START_TEST(test_json_message)
{
	struct gj_json *j = NULL;
	struct rec_store s;
	Guanjia__Reply reply = GUANJIA__REPLY__INIT;
	Guanjia__Ticket t = GUANJIA__TICKET__INIT;
	Guanjia__Field fld = GUANJIA__FIELD__INIT;
	Guanjia__Field *flds[] = { &fld };
	const char *text;

	ck_assert_int_eq(gj_json_create(&j), 0);
	fill_record(&s, 3);
	gj_json_message(j, &s.rec.base);
	ck_assert_int_eq(gj_json_finish(j, &text, NULL), 0);
	ck_assert_str_eq(text,
			 "{\"seq\":3,\"at\":1791511203000,\"topic\":\"alert.e1.r17_repair.respond\","
			 "\"alert\":{\"ticket_id\":3,\"estate\":\"e1\",\"workflow\":\"r17_repair\","
			 "\"clock\":\"respond\",\"rule\":\"R17\",\"level\":\"BREACH\","
			 "\"notify_roles\":[\"cs_lead\",\"manager\"],\"notify_persons\":[],"
			 "\"deadline\":1791511200000,\"late_ms\":60000,\"message\":\"repair is late\","
			 "\"delayed\":false,\"step\":0,\"plugin\":\"\",\"on_duty\":[]}}");

	gj_json_reset(j);
	fld.name = (char *)"note";
	fld.value = (char *)"\"quoted\"\n";
	t.id = 42;
	t.n_fields = 1;
	t.fields = flds;
	reply.request_id = (char *)"id-1";
	reply.outcome = GUANJIA__OUTCOME__ALREADY_APPLIED;
	reply.result_case = GUANJIA__REPLY__RESULT_TICKET;
	reply.ticket = &t;
	gj_json_message(j, &reply.base);
	ck_assert_int_eq(gj_json_finish(j, &text, NULL), 0);
	ck_assert_ptr_nonnull(strstr(text, "\"outcome\":\"ALREADY_APPLIED\",\"code\":\"OK\""));
	ck_assert_ptr_nonnull(strstr(text, "\"ticket\":{\"id\":42,"));
	ck_assert_ptr_nonnull(strstr(text, "\"fields\":[{\"name\":\"note\",\"value\":\"\\\"quoted\\\"\\n\"}]"));
	ck_assert_ptr_null(strstr(text, "\"tickets\""));   /* other oneof members left out */
	ck_assert_ptr_null(strstr(text, "\"status\""));
	gj_json_destroy(j);
}
END_TEST

static Suite *client_suite(void)
{
	Suite *s = suite_create("client");
	TCase *cmd = tcase_create("commands");
	TCase *sub = tcase_create("subscriber");
	TCase *text = tcase_create("text");

	tcase_set_timeout(cmd, 60);
	tcase_add_test(cmd, test_call_open);
	tcase_add_test(cmd, test_call_leaves_request_alone);
	tcase_add_test(cmd, test_request_ids);
	tcase_add_test(cmd, test_kv_errors);
	tcase_add_test(cmd, test_refused);
	tcase_add_test(cmd, test_timeout_and_garbage);
	tcase_add_test(cmd, test_probe);
	suite_add_tcase(s, cmd);

	tcase_set_timeout(sub, 60);
	tcase_add_test(sub, test_sub_fills_gap);
	tcase_add_test(sub, test_sub_from_seq_merges);
	tcase_add_test(sub, test_sub_prefix);
	tcase_add_test(sub, test_sub_catches_up_when_idle);
	tcase_add_test(sub, test_sub_without_replay);
	tcase_add_test(sub, test_sub_open_errors);
	suite_add_tcase(s, sub);

	tcase_add_test(text, test_record_lines);
	tcase_add_test(text, test_ticket_line);
	tcase_add_test(text, test_duration_parse);
	tcase_add_test(text, test_json_escaping);
	tcase_add_test(text, test_json_structure);
	tcase_add_test(text, test_json_message);
	suite_add_tcase(s, text);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(client_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
