/*
 * test_engine.c - unit tests of the engine on a real LMDB store: ticket
 * transitions, refusals (and that they leave no trace), idempotent retries,
 * clocks on a manual clock with warnings and breaches at their exact time.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"
#include "wire.h"

static const char *WF =
	"id: repair\n"
	"version: 1\n"
	"rule: R17\n"
	"title: Test repair\n"
	"initial: reported\n"
	"open:\n"
	"  roles: [butler, security]\n"
	"  requires: [location]\n"
	"states:\n"
	"  - id: reported\n"
	"  - id: dispatched\n"
	"  - id: waiting\n"
	"  - id: done\n"
	"    final: true\n"
	"events:\n"
	"  - id: dispatch\n"
	"    from: [reported]\n"
	"    to: dispatched\n"
	"    roles: [butler]\n"
	"    requires: [technician, severity]\n"
	"  - id: finish\n"
	"    from: [dispatched]\n"
	"    to: done\n"
	"    roles: [engineering]\n"
	"  - id: comment\n"
	"    roles: [butler, engineering]\n"
	"  - id: wait_owner\n"
	"    from: [reported]\n"
	"    to: waiting\n"
	"    roles: [butler]\n"
	"  - id: owner_back\n"
	"    from: [waiting]\n"
	"    to: reported\n"
	"    roles: [butler]\n"
	"clocks:\n"
	"  - id: dispatch\n"
	"    title: dispatched within 10 minutes\n"
	"    start: {states: [reported]}\n"
	"    stop: {states: [dispatched]}\n"
	"    pause: {states: [waiting]}\n"
	"    target: 10m\n"
	"    warn_before: 2m\n"
	"    notify: {warning: [butler], breach: [cs_lead]}\n"
	"  - id: minor\n"
	"    start: {events: [dispatch]}\n"
	"    when: {field: severity, equals: minor}\n"
	"    stop: {states: [done]}\n"
	"    target: 60m\n"
	"    notify: {breach: [cs_lead, manager]}\n";

#define T0 1791511200000LL /* 2026-10-09T10:00:00+08:00 */
#define MIN 60000LL

static char dir[64];
static struct gj_store *st;
static struct gj_workflows *wfs;
static struct gj_engine *eng;
static int req_counter;

/* Records published by the last batch, unpacked. */
static Guanjia__Record *recs[256];
static size_t n_recs;

static void free_recs(void)
{
	for (size_t i = 0; i < n_recs; i++)
		protobuf_c_message_free_unpacked(&recs[i]->base, NULL);
	n_recs = 0;
}

static void setup(void)
{
	struct gj_workflow *wf;
	struct gj_engine_config cfg = { 0 };
	char *err = NULL;

	strcpy(dir, "/tmp/gj-engine-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(gj_store_open(dir, 0, &st), 0);
	wfs = gj_workflows_create();
	if (gj_workflow_load_buffer("test.yaml", WF, strlen(WF), &wf, &err))
		ck_abort_msg("workflow: %s", err);
	ck_assert_int_eq(gj_workflows_add(wfs, wf, &err), 0);
	cfg.manual_clock = true;
	cfg.manual_start_ms = T0;
	ck_assert_int_eq(gj_engine_create(st, wfs, &cfg, &eng), 0);
	req_counter = 0;
}

static void teardown(void)
{
	char cmd[128];

	free_recs();
	gj_engine_destroy(eng);
	gj_workflows_destroy(wfs);
	gj_store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Run raw bytes through one batch; return the unpacked reply. */
static Guanjia__Reply *run_raw(const void *buf, size_t len)
{
	struct gj_engine_reply *replies;
	struct gj_engine_record *out;
	Guanjia__Reply *r;
	size_t n;

	free_recs();
	ck_assert_int_eq(gj_engine_batch_begin(eng), 0);
	ck_assert_int_eq(gj_engine_submit(eng, buf, len, (void *)0x1), 0);
	ck_assert_int_eq(gj_engine_run_due(eng, 1000, NULL), 0);
	ck_assert_int_eq(gj_engine_batch_commit(eng), 0);
	n = gj_engine_replies(eng, &replies);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_eq(replies[0].tag, (void *)0x1);
	r = guanjia__reply__unpack(NULL, replies[0].len, replies[0].buf);
	ck_assert_ptr_nonnull(r);
	n = gj_engine_outbox(eng, &out);
	for (size_t i = 0; i < n; i++) {
		size_t tl = strlen((char *)out[i].msg);
		recs[n_recs] = guanjia__record__unpack(NULL, out[i].len - tl - 1, out[i].msg + tl + 1);
		ck_assert_ptr_nonnull(recs[n_recs]);
		ck_assert_str_eq(recs[n_recs]->topic, (char *)out[i].msg);
		n_recs++;
	}
	gj_engine_batch_clear(eng);
	return r;
}

static Guanjia__Reply *run(Guanjia__Request *req, const char *person, const char *role)
{
	Guanjia__Actor actor = GUANJIA__ACTOR__INIT;
	char id[32];
	uint8_t buf[8192];
	size_t len;

	actor.person = (char *)person;
	actor.role = (char *)role;
	req->actor = &actor;
	if (!req->request_id || !*req->request_id) {
		snprintf(id, sizeof(id), "req-%d", ++req_counter);
		req->request_id = id;
	}
	len = guanjia__request__get_packed_size(req);
	ck_assert_uint_lt(len, sizeof(buf));
	guanjia__request__pack(req, buf);
	Guanjia__Reply *r = run_raw(buf, len);
	req->request_id = (char *)protobuf_c_empty_string;
	return r;
}

static Guanjia__Reply *open_ticket(const char *location, const char *role)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__OpenTicket op = GUANJIA__OPEN_TICKET__INIT;
	Guanjia__Field f = GUANJIA__FIELD__INIT, *fp = &f;

	op.workflow = "repair";
	if (location) {
		f.name = "location";
		f.value = (char *)location;
		op.fields = &fp;
		op.n_fields = 1;
	}
	req.command_case = GUANJIA__REQUEST__COMMAND_OPEN;
	req.open = &op;
	return run(&req, "li.ming", role);
}

static Guanjia__Reply *fire(uint64_t id, const char *event, const char *role,
			    const char *const *kv, size_t n)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__FireEvent fe = GUANJIA__FIRE_EVENT__INIT;
	Guanjia__Field f[8], *fp[8];

	for (size_t i = 0; i < n; i++) {
		guanjia__field__init(&f[i]);
		f[i].name = (char *)kv[2 * i];
		f[i].value = (char *)kv[2 * i + 1];
		fp[i] = &f[i];
	}
	fe.ticket_id = id;
	fe.event = (char *)event;
	fe.fields = fp;
	fe.n_fields = n;
	req.command_case = GUANJIA__REQUEST__COMMAND_FIRE;
	req.fire = &fe;
	return run(&req, "wang.fang", role);
}

static Guanjia__Reply *advance(int64_t ms)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__AdvanceClock ac = GUANJIA__ADVANCE_CLOCK__INIT;

	ac.by_ms = ms;
	req.command_case = GUANJIA__REQUEST__COMMAND_ADVANCE_CLOCK;
	req.advance_clock = &ac;
	return run(&req, "tester", "");
}

static Guanjia__Ticket *get(uint64_t id)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__GetTicket g = GUANJIA__GET_TICKET__INIT;
	Guanjia__Reply *r;
	Guanjia__Ticket *tk;

	g.ticket_id = id;
	g.with_history = true;
	req.command_case = GUANJIA__REQUEST__COMMAND_GET;
	req.get = &g;
	r = run(&req, "tester", "");
	ck_assert_int_eq(r->outcome, GUANJIA__OUTCOME__APPLIED);
	tk = r->ticket;
	r->ticket = NULL;
	r->result_case = GUANJIA__REPLY__RESULT__NOT_SET;
	protobuf_c_message_free_unpacked(&r->base, NULL);
	return tk;
}

static void done(Guanjia__Reply *r)
{
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void expect_refused(Guanjia__Reply *r, int code, const char *words)
{
	ck_assert_int_eq(r->outcome, GUANJIA__OUTCOME__REFUSED);
	ck_assert_int_eq(r->code, code);
	ck_assert_msg(strstr(r->message, words), "message '%s' lacks '%s'", r->message, words);
	ck_assert_uint_eq(n_recs, 0); /* a refusal publishes nothing */
	done(r);
}

static size_t count_alerts(Guanjia__AlertLevel level)
{
	size_t n = 0;

	for (size_t i = 0; i < n_recs; i++)
		if (recs[i]->body_case == GUANJIA__RECORD__BODY_ALERT && recs[i]->alert->level == level)
			n++;
	return n;
}

START_TEST(open_starts_clock_and_journals)
{
	Guanjia__Reply *r = open_ticket("lobby 3#", "butler");

	ck_assert_int_eq(r->outcome, GUANJIA__OUTCOME__APPLIED);
	ck_assert_uint_eq(r->ticket->id, 1);
	ck_assert_str_eq(r->ticket->state, "reported");
	ck_assert_uint_eq(r->ticket->workflow_version, 1);
	ck_assert_str_eq(r->ticket->clocks[0]->id, "dispatch");
	ck_assert_int_eq(r->ticket->clocks[0]->state, GUANJIA__CLOCK_STATE__CLOCK_RUNNING);
	ck_assert_int_eq(r->ticket->clocks[0]->deadline, T0 + 10 * MIN);
	ck_assert_int_eq(r->ticket->clocks[0]->warn_at, T0 + 8 * MIN);
	ck_assert_int_eq(r->ticket->clocks[1]->state, GUANJIA__CLOCK_STATE__CLOCK_IDLE);
	ck_assert_uint_eq(r->ticket->clocks[0]->n_notify_breach, 1);
	ck_assert_str_eq(r->ticket->clocks[0]->notify_breach[0], "cs_lead");
	ck_assert_str_eq(r->ticket->title, "Test repair");
	done(r);
	ck_assert_uint_eq(n_recs, 2);
	ck_assert_str_eq(recs[0]->topic, "transition.main.repair.reported");
	ck_assert_uint_eq(recs[0]->seq, 1);
	ck_assert_str_eq(recs[1]->topic, "clock.main.repair.dispatch");
	ck_assert_uint_eq(recs[1]->seq, 2);
	ck_assert_int_eq(recs[1]->clock->kind, GUANJIA__CLOCK_EVENT_KIND__STARTED);
}
END_TEST

START_TEST(refusals_say_why_and_change_nothing)
{
	static const char *const disp[] = { "technician", "zhang", "severity", "minor" };
	Guanjia__Ticket *tk;

	done(open_ticket("lobby", "butler"));
	expect_refused(open_ticket(NULL, "butler"), GUANJIA__ERROR_CODE__MISSING_FIELD, "location");
	expect_refused(open_ticket("x", "engineering"), GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED,
		       "may not open");
	expect_refused(open_ticket("x", "butlr"), GUANJIA__ERROR_CODE__INVALID_ARGUMENT,
		       "unknown role 'butlr'");
	expect_refused(fire(1, "dispatch", "butler", disp, 1), GUANJIA__ERROR_CODE__MISSING_FIELD,
		       "severity");
	expect_refused(fire(1, "dispatch", "engineering", disp, 2),
		       GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "may not fire 'dispatch'");
	expect_refused(fire(1, "finish", "engineering", NULL, 0),
		       GUANJIA__ERROR_CODE__ILLEGAL_TRANSITION, "in state 'reported'");
	expect_refused(fire(1, "explode", "butler", NULL, 0), GUANJIA__ERROR_CODE__UNKNOWN_EVENT,
		       "no event 'explode'");
	expect_refused(fire(99, "dispatch", "butler", disp, 2), GUANJIA__ERROR_CODE__UNKNOWN_TICKET,
		       "no ticket 99");
	tk = get(1);
	ck_assert_str_eq(tk->state, "reported");
	ck_assert_uint_eq(tk->n_fields, 1); /* the refused dispatch left no field behind */
	ck_assert_uint_eq(tk->history_len, 1);
	protobuf_c_message_free_unpacked(&tk->base, NULL);
}
END_TEST

START_TEST(unknown_workflow_lists_known_ones)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__OpenTicket op = GUANJIA__OPEN_TICKET__INIT;

	op.workflow = "nope";
	req.command_case = GUANJIA__REQUEST__COMMAND_OPEN;
	req.open = &op;
	expect_refused(run(&req, "a", "butler"), GUANJIA__ERROR_CODE__UNKNOWN_WORKFLOW,
		       "known workflows: repair");
}
END_TEST

START_TEST(malformed_and_oversized_messages_are_refused)
{
	static const uint8_t junk[] = { 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01 };
	uint8_t *big = calloc(1, GJ_MAX_MESSAGE + 1);
	Guanjia__Request req = GUANJIA__REQUEST__INIT;

	expect_refused(run_raw(junk, sizeof(junk)), GUANJIA__ERROR_CODE__MALFORMED, "not a guanjia Request");
	expect_refused(run_raw(big, GJ_MAX_MESSAGE + 1), GUANJIA__ERROR_CODE__TOO_LARGE, "over the limit");
	free(big);
	expect_refused(run(&req, "a", "butler"), GUANJIA__ERROR_CODE__NO_COMMAND, "no command");
	done(open_ticket("still serving", "butler"));
}
END_TEST

START_TEST(retry_with_same_request_id_applies_once)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__OpenTicket op = GUANJIA__OPEN_TICKET__INIT;
	Guanjia__Field f = GUANJIA__FIELD__INIT, *fp = &f;
	Guanjia__Reply *r;

	f.name = "location";
	f.value = "gate";
	op.workflow = "repair";
	op.fields = &fp;
	op.n_fields = 1;
	req.command_case = GUANJIA__REQUEST__COMMAND_OPEN;
	req.open = &op;
	req.request_id = "same-id";
	r = run(&req, "a", "butler");
	ck_assert_int_eq(r->outcome, GUANJIA__OUTCOME__APPLIED);
	ck_assert_uint_eq(r->ticket->id, 1);
	done(r);
	req.request_id = "same-id";
	r = run(&req, "a", "butler");
	ck_assert_int_eq(r->outcome, GUANJIA__OUTCOME__ALREADY_APPLIED);
	ck_assert_uint_eq(r->ticket->id, 1);
	ck_assert_uint_eq(n_recs, 0);
	done(r);
	r = open_ticket("other", "butler");
	ck_assert_uint_eq(r->ticket->id, 2); /* the retry made no ticket */
	done(r);
}
END_TEST

START_TEST(breach_fires_once_at_exact_deadline)
{
	Guanjia__Reply *r;

	done(open_ticket("lobby", "butler"));
	done(advance(8 * MIN - 1));
	ck_assert_uint_eq(n_recs, 0);
	done(advance(1));
	ck_assert_uint_eq(count_alerts(GUANJIA__ALERT_LEVEL__WARNING), 1);
	done(advance(2 * MIN - 1));
	ck_assert_uint_eq(n_recs, 0);
	r = advance(1);
	ck_assert_int_eq(r->status->now, T0 + 10 * MIN);
	done(r);
	ck_assert_uint_eq(count_alerts(GUANJIA__ALERT_LEVEL__BREACH), 1);
	for (size_t i = 0; i < n_recs; i++) {
		if (recs[i]->body_case != GUANJIA__RECORD__BODY_ALERT)
			continue;
		ck_assert_str_eq(recs[i]->topic, "alert.main.repair.dispatch");
		ck_assert_int_eq(recs[i]->at, T0 + 10 * MIN);
		ck_assert_int_eq(recs[i]->alert->deadline, T0 + 10 * MIN);
		ck_assert_int_eq(recs[i]->alert->late_ms, 0);
		ck_assert_str_eq(recs[i]->alert->rule, "R17");
		ck_assert_uint_eq(recs[i]->alert->n_notify_roles, 1);
		ck_assert_str_eq(recs[i]->alert->notify_roles[0], "cs_lead");
	}
	done(advance(24 * 60 * MIN));
	ck_assert_uint_eq(count_alerts(GUANJIA__ALERT_LEVEL__BREACH), 0);
}
END_TEST

START_TEST(dispatch_in_time_means_no_breach_and_starts_minor_clock)
{
	static const char *const disp[] = { "technician", "zhang", "severity", "minor" };
	Guanjia__Reply *r;

	done(open_ticket("lobby", "butler"));
	done(advance(5 * MIN));
	r = fire(1, "dispatch", "butler", disp, 2);
	ck_assert_int_eq(r->outcome, GUANJIA__OUTCOME__APPLIED);
	ck_assert_int_eq(r->ticket->clocks[0]->state, GUANJIA__CLOCK_STATE__CLOCK_STOPPED);
	ck_assert_int_eq(r->ticket->clocks[1]->state, GUANJIA__CLOCK_STATE__CLOCK_RUNNING);
	ck_assert_int_eq(r->ticket->clocks[1]->deadline, T0 + 65 * MIN);
	done(r);
	done(advance(59 * MIN));
	ck_assert_uint_eq(count_alerts(GUANJIA__ALERT_LEVEL__BREACH), 0);
	done(advance(MIN));
	ck_assert_uint_eq(count_alerts(GUANJIA__ALERT_LEVEL__BREACH), 1);
	ck_assert_str_eq(recs[n_recs - 1]->alert->clock, "minor");
}
END_TEST

START_TEST(condition_false_leaves_clock_idle)
{
	static const char *const disp[] = { "technician", "zhang", "severity", "major" };
	Guanjia__Reply *r;

	done(open_ticket("lobby", "butler"));
	r = fire(1, "dispatch", "butler", disp, 2);
	ck_assert_int_eq(r->ticket->clocks[1]->state, GUANJIA__CLOCK_STATE__CLOCK_IDLE);
	done(r);
}
END_TEST

START_TEST(final_state_closes_ticket_and_refuses_more)
{
	static const char *const disp[] = { "technician", "zhang", "severity", "minor" };
	Guanjia__Reply *r;

	done(open_ticket("lobby", "butler"));
	done(fire(1, "dispatch", "butler", disp, 2));
	r = fire(1, "finish", "engineering", NULL, 0);
	ck_assert(r->ticket->closed);
	ck_assert_int_eq(r->ticket->clocks[1]->state, GUANJIA__CLOCK_STATE__CLOCK_STOPPED);
	done(r);
	expect_refused(fire(1, "comment", "butler", NULL, 0), GUANJIA__ERROR_CODE__TICKET_CLOSED,
		       "is closed");
	done(advance(2 * 60 * MIN));
	ck_assert_uint_eq(n_recs, 0);
}
END_TEST

START_TEST(deadlines_survive_reopening_the_store)
{
	struct gj_engine_config cfg = { 0 };

	done(open_ticket("lobby", "butler"));
	gj_engine_destroy(eng);
	gj_store_close(st);
	ck_assert_int_eq(gj_store_open(dir, 0, &st), 0);
	cfg.manual_clock = true;
	cfg.manual_start_ms = T0 + 30 * MIN; /* the daemon was down past the deadline */
	ck_assert_int_eq(gj_engine_create(st, wfs, &cfg, &eng), 0);
	ck_assert_int_eq(gj_engine_next_due(eng), T0 + 8 * MIN);
	Guanjia__Reply *r = advance(1);
	done(r);
	ck_assert_uint_eq(count_alerts(GUANJIA__ALERT_LEVEL__WARNING), 1);
	ck_assert_uint_eq(count_alerts(GUANJIA__ALERT_LEVEL__BREACH), 1);
	for (size_t i = 0; i < n_recs; i++)
		if (recs[i]->body_case == GUANJIA__RECORD__BODY_ALERT)
			ck_assert(recs[i]->alert->delayed);
	ck_assert_uint_eq(recs[0]->seq, 3); /* the journal continues where it was */
	done(advance(1));
	ck_assert_uint_eq(n_recs, 0);
}
END_TEST

START_TEST(advance_needs_manual_clock)
{
	struct gj_engine_config cfg = { 0 };

	gj_engine_destroy(eng);
	ck_assert_int_eq(gj_engine_create(st, wfs, &cfg, &eng), 0);
	expect_refused(advance(MIN), GUANJIA__ERROR_CODE__NOT_MANUAL_CLOCK, "real clock");
}
END_TEST

START_TEST(list_past_the_last_id_is_empty)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__ListTickets lt = GUANJIA__LIST_TICKETS__INIT;
	Guanjia__Reply *r;

	done(open_ticket("a", "butler"));
	lt.after_id = UINT64_MAX;
	req.command_case = GUANJIA__REQUEST__COMMAND_LIST;
	req.list = &lt;
	r = run(&req, "t", "");
	ck_assert_int_eq(r->outcome, GUANJIA__OUTCOME__APPLIED);
	ck_assert_uint_eq(r->tickets->n_tickets, 0);
	done(r);
	lt.after_id = 0;
	r = run(&req, "t", "");
	ck_assert_uint_eq(r->tickets->n_tickets, 1);
	done(r);
}
END_TEST

START_TEST(replay_filters_by_prefix)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__Replay rp = GUANJIA__REPLAY__INIT;
	Guanjia__Reply *r;

	done(open_ticket("a", "butler"));
	done(open_ticket("b", "butler"));
	done(advance(10 * MIN));
	rp.from_seq = 1;
	rp.topic_prefix = "alert.";
	req.command_case = GUANJIA__REQUEST__COMMAND_REPLAY;
	req.replay = &rp;
	r = run(&req, "t", "");
	ck_assert_int_eq(r->outcome, GUANJIA__OUTCOME__APPLIED);
	ck_assert_uint_eq(r->records->n_records, 4); /* 2 warnings, 2 breaches */
	for (size_t i = 1; i < r->records->n_records; i++)
		ck_assert_uint_gt(r->records->records[i]->seq, r->records->records[i - 1]->seq);
	ck_assert_uint_eq(r->records->next_seq, r->records->last_seq + 1);
	done(r);
}
END_TEST

START_TEST(full_map_refuses_the_batch_whole_and_answers_everyone)
{
	struct gj_engine_config cfg = { 0 };
	struct gj_engine_reply *replies;
	bool saw_full = false;
	size_t applied = 0;

	gj_engine_destroy(eng);
	gj_store_close(st);
	char cmd[200];
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir %s", dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(gj_store_open(dir, 256 * 1024, &st), 0);
	cfg.manual_clock = true;
	cfg.manual_start_ms = T0;
	ck_assert_int_eq(gj_engine_create(st, wfs, &cfg, &eng), 0);
	for (int round = 0; round < 400 && !saw_full; round++) {
		ck_assert_int_eq(gj_engine_batch_begin(eng), 0);
		for (int i = 0; i < 8; i++) {
			Guanjia__Request req = GUANJIA__REQUEST__INIT;
			Guanjia__OpenTicket op = GUANJIA__OPEN_TICKET__INIT;
			Guanjia__Actor actor = GUANJIA__ACTOR__INIT;
			Guanjia__Field f = GUANJIA__FIELD__INIT, *fp = &f;
			char id[32], loc[900];
			uint8_t buf[4096];
			memset(loc, 'x', sizeof(loc) - 1);
			loc[sizeof(loc) - 1] = 0;
			f.name = "location";
			f.value = loc;
			op.workflow = "repair";
			op.fields = &fp;
			op.n_fields = 1;
			actor.person = "a";
			actor.role = "butler";
			snprintf(id, sizeof(id), "full-%d-%d", round, i);
			req.request_id = id;
			req.actor = &actor;
			req.command_case = GUANJIA__REQUEST__COMMAND_OPEN;
			req.open = &op;
			size_t len = guanjia__request__pack(&req, buf);
			ck_assert_int_ge(gj_engine_submit(eng, buf, len, NULL), -ENOSPC);
		}
		int committed = gj_engine_batch_commit(eng);
		ck_assert(committed == 0 || committed == -ENOSPC);
		size_t n = gj_engine_replies(eng, &replies);
		ck_assert_uint_eq(n, 8);
		for (size_t i = 0; i < n; i++) {
			Guanjia__Reply *r = guanjia__reply__unpack(NULL, replies[i].len, replies[i].buf);
			ck_assert_ptr_nonnull(r);
			ck_assert_msg(strncmp(r->request_id, "full-", 5) == 0, "reply without its request id");
			if (r->outcome == GUANJIA__OUTCOME__APPLIED)
				applied++;
			else {
				ck_assert_int_eq(r->code, GUANJIA__ERROR_CODE__STORAGE_FULL);
				saw_full = true;
			}
			/* All or nothing: a batch that did not commit applied nothing. */
			if (committed)
				ck_assert_int_eq(r->outcome, GUANJIA__OUTCOME__REFUSED);
			protobuf_c_message_free_unpacked(&r->base, NULL);
		}
		gj_engine_batch_clear(eng);
	}
	ck_assert(saw_full);
	ck_assert(gj_engine_map_full(eng));
	ck_assert_uint_gt(applied, 0);
	/* Every applied ticket is really there; growing the map lets work go on. */
	Guanjia__Ticket *tk = get(applied);
	protobuf_c_message_free_unpacked(&tk->base, NULL);
	ck_assert_int_eq(gj_store_grow(st), 0);
	ck_assert_int_eq(gj_store_grow(st), 0);
	Guanjia__Reply *r = open_ticket("after growing", "butler");
	ck_assert_int_eq(r->outcome, GUANJIA__OUTCOME__APPLIED);
	ck_assert_uint_eq(r->ticket->id, applied + 1);
	done(r);
}
END_TEST

START_TEST(clock_pauses_while_waiting_and_keeps_its_time_left)
{
	Guanjia__Reply *r;
	Guanjia__Ticket *tk;

	done(open_ticket("lobby", "butler"));
	done(advance(3 * MIN));
	r = fire(1, "wait_owner", "butler", NULL, 0);
	ck_assert_int_eq(r->ticket->clocks[0]->state, GUANJIA__CLOCK_STATE__CLOCK_PAUSED);
	ck_assert_int_eq(r->ticket->clocks[0]->remaining_ms, 7 * MIN);
	done(r);
	done(advance(2 * 60 * MIN)); /* two hours waiting: no warning, no breach */
	ck_assert_uint_eq(count_alerts(GUANJIA__ALERT_LEVEL__WARNING), 0);
	ck_assert_uint_eq(count_alerts(GUANJIA__ALERT_LEVEL__BREACH), 0);
	r = fire(1, "owner_back", "butler", NULL, 0);
	ck_assert_int_eq(r->ticket->clocks[0]->state, GUANJIA__CLOCK_STATE__CLOCK_RUNNING);
	ck_assert_int_eq(r->ticket->clocks[0]->deadline, T0 + 123 * MIN + 7 * MIN);
	ck_assert_int_eq(r->ticket->clocks[0]->paused_total_ms, 120 * MIN);
	ck_assert_uint_eq(r->ticket->clocks[0]->pauses, 1);
	done(r);
	done(advance(5 * MIN)); /* the warning, 2 minutes before the new deadline */
	ck_assert_uint_eq(count_alerts(GUANJIA__ALERT_LEVEL__WARNING), 1);
	ck_assert_int_eq(recs[n_recs - 1]->at, T0 + 128 * MIN);
	done(advance(2 * MIN - 1));
	ck_assert_uint_eq(count_alerts(GUANJIA__ALERT_LEVEL__BREACH), 0);
	done(advance(1));
	ck_assert_uint_eq(count_alerts(GUANJIA__ALERT_LEVEL__BREACH), 1);
	tk = get(1);
	ck_assert(tk->clocks[0]->breached);
	protobuf_c_message_free_unpacked(&tk->base, NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("engine");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, open_starts_clock_and_journals);
	tcase_add_test(tc, refusals_say_why_and_change_nothing);
	tcase_add_test(tc, unknown_workflow_lists_known_ones);
	tcase_add_test(tc, malformed_and_oversized_messages_are_refused);
	tcase_add_test(tc, retry_with_same_request_id_applies_once);
	tcase_add_test(tc, breach_fires_once_at_exact_deadline);
	tcase_add_test(tc, dispatch_in_time_means_no_breach_and_starts_minor_clock);
	tcase_add_test(tc, condition_false_leaves_clock_idle);
	tcase_add_test(tc, final_state_closes_ticket_and_refuses_more);
	tcase_add_test(tc, deadlines_survive_reopening_the_store);
	tcase_add_test(tc, advance_needs_manual_clock);
	tcase_add_test(tc, list_past_the_last_id_is_empty);
	tcase_add_test(tc, replay_filters_by_prefix);
	tcase_add_test(tc, clock_pauses_while_waiting_and_keeps_its_time_left);
	tcase_add_test(tc, full_map_refuses_the_batch_whole_and_answers_everyone);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
