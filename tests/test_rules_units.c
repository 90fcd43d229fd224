/*
 * test_rules_units.c - RULEBOOK R12-R16 and R25 (keys, entrusted and vacant
 * units, zone patrols) walked on the real guanjiad with a manual clock,
 * estate `main`, the embedded default workflows.
 *
 * One test per rule: the on-time path raises no alert; the late path raises
 * its alerts to the roles the rule names, at the exact instant, and nothing
 * a millisecond before.  R12 also asks `gj list` who holds which key.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guanjia.h"
#include "harness.h"
#include "wire.h"

#define MIN 60000LL
#define HOUR (60 * MIN)

static struct gj_daemon d;
static struct gj_client *cl;

static int64_t at(const char *text)
{
	int64_t t = 0;

	ck_assert_msg(gj_time_parse(text, &t) == 0, "bad time %s", text);
	return t;
}

static void connect_as(const char *person, const char *role)
{
	if (!cl)
		ck_assert_int_eq(gj_client_connect(d.cmd_url, &cl), 0);
	ck_assert_int_eq(gj_client_set_actor(cl, person, role, "test"), 0);
}

/* The daemon with its embedded default configuration, on a manual clock. */
static void start(const char *when)
{
	const char *args[] = { "--manual-clock", when, NULL };

	ck_assert_int_eq(gj_daemon_start(&d, args), 0);
	connect_as("li.ming", "butler");
}

static void setup(void)
{
	gj_daemon_init(&d);
}

static void teardown(void)
{
	gj_client_destroy(cl);
	cl = NULL;
	gj_daemon_cleanup(&d);
}

static void check_applied(int rc, Guanjia__Reply *r)
{
	ck_assert_msg(rc == 0, "no reply: %s", strerror(-rc));
	ck_assert_msg(r->outcome == GUANJIA__OUTCOME__APPLIED, "refused: %s", r->message);
}

#define call_ok(call, r) do { int rc_ = (call); check_applied(rc_, (r)); } while (0)
#define N(a) (sizeof(a) / sizeof((a)[0]))

static uint64_t open_as(const char *person, const char *role, const char *wf,
			const char *const *kv, size_t n)
{
	Guanjia__Reply *r = NULL;
	uint64_t id;

	connect_as(person, role);
	call_ok(gj_client_open(cl, wf, NULL, kv, n, NULL, &r), r);
	id = r->ticket->id;
	gj_reply_free(r);
	return id;
}

static void fire_as(const char *person, const char *role, uint64_t id, const char *event,
		    const char *const *kv, size_t n)
{
	Guanjia__Reply *r = NULL;

	connect_as(person, role);
	call_ok(gj_client_fire(cl, id, event, kv, n, NULL, &r), r);
	gj_reply_free(r);
}

/* Fire and expect a refusal with `code` whose message mentions `about`. */
static void fire_refused(const char *person, const char *role, uint64_t id, const char *event,
			 const char *const *kv, size_t n, Guanjia__ErrorCode code,
			 const char *about)
{
	Guanjia__Reply *r = NULL;

	connect_as(person, role);
	ck_assert_int_eq(gj_client_fire(cl, id, event, kv, n, NULL, &r), 0);
	ck_assert_msg(r->outcome == GUANJIA__OUTCOME__REFUSED, "applied: %s", r->message);
	ck_assert_int_eq(r->code, code);
	ck_assert_msg(strstr(r->message, about), "%s", r->message);
	gj_reply_free(r);
}

static void open_refused(const char *person, const char *role, const char *wf,
			 const char *const *kv, size_t n, Guanjia__ErrorCode code,
			 const char *about)
{
	Guanjia__Reply *r = NULL;

	connect_as(person, role);
	ck_assert_int_eq(gj_client_open(cl, wf, NULL, kv, n, NULL, &r), 0);
	ck_assert_msg(r->outcome == GUANJIA__OUTCOME__REFUSED, "applied: %s", r->message);
	ck_assert_int_eq(r->code, code);
	ck_assert_msg(strstr(r->message, about), "%s", r->message);
	gj_reply_free(r);
}

static void advance(int64_t ms)
{
	Guanjia__Reply *r = NULL;

	call_ok(gj_client_advance(cl, ms, &r), r);
	gj_reply_free(r);
}

static int64_t now(void)
{
	Guanjia__Reply *r = NULL;
	int64_t t;

	call_ok(gj_client_status(cl, &r), r);
	t = r->status->now;
	gj_reply_free(r);
	return t;
}

static void advance_to(int64_t t)
{
	int64_t n = now();

	ck_assert_msg(t >= n, "cannot go back in time");
	if (t > n)
		advance(t - n);
}

/* A ticket's state, a field (NULL when absent) and a clock. */
static Guanjia__Ticket *get(uint64_t id, Guanjia__Reply **ret)
{
	call_ok(gj_client_get(cl, id, false, ret), *ret);
	return (*ret)->ticket;
}

static const char *field_of(const Guanjia__Ticket *tk, const char *name)
{
	for (size_t i = 0; i < tk->n_fields; i++)
		if (strcmp(tk->fields[i]->name, name) == 0)
			return tk->fields[i]->value;
	return NULL;
}

static Guanjia__Clock *clock_of(Guanjia__Ticket *tk, const char *id)
{
	for (size_t i = 0; i < tk->n_clocks; i++)
		if (strcmp(tk->clocks[i]->id, id) == 0)
			return tk->clocks[i];
	ck_abort_msg("no clock %s", id);
	return NULL;
}

static void assert_state(uint64_t id, const char *state)
{
	Guanjia__Reply *r = NULL;

	ck_assert_str_eq(get(id, &r)->state, state);
	gj_reply_free(r);
}

/* The clock's state and, when running, its deadline. */
static void assert_clock(uint64_t id, const char *clock, Guanjia__ClockState state,
			 int64_t deadline)
{
	Guanjia__Reply *r = NULL;
	Guanjia__Clock *c = clock_of(get(id, &r), clock);

	ck_assert_msg(c->state == state, "ticket %llu clock %s: state %d, expected %d",
		      (unsigned long long)id, clock, c->state, state);
	if (deadline)
		ck_assert_int_eq(c->deadline, deadline);
	gj_reply_free(r);
}

#define IDLE GUANJIA__CLOCK_STATE__CLOCK_IDLE
#define RUNNING GUANJIA__CLOCK_STATE__CLOCK_RUNNING
#define STOPPED GUANJIA__CLOCK_STATE__CLOCK_STOPPED
#define WARNING GUANJIA__ALERT_LEVEL__WARNING
#define BREACH GUANJIA__ALERT_LEVEL__BREACH
#define ANY GUANJIA__ALERT_LEVEL__ALERT_LEVEL_UNSPECIFIED

struct alerts {
	size_t n;
	int64_t last_at;        /* when the last one was raised */
	char roles[256];        /* its roles, "a,b" */
};

/* The alerts of a ticket in the whole journal, on `clock` (NULL: any), at
 * `level` (ANY: both). */
static struct alerts alerts(uint64_t ticket, const char *clock, Guanjia__AlertLevel level)
{
	struct alerts ac = { 0 };
	Guanjia__Reply *r = NULL;
	uint64_t from = 1;

	for (;;) {
		call_ok(gj_client_replay(cl, from, 10000, "alert.", &r), r);
		for (size_t i = 0; i < r->records->n_records; i++) {
			Guanjia__Alert *a = r->records->records[i]->alert;
			if (!a || a->ticket_id != ticket)
				continue;
			if (clock && strcmp(a->clock, clock) != 0)
				continue;
			if (level != ANY && a->level != level)
				continue;
			ac.n++;
			ac.last_at = r->records->records[i]->at;
			ac.roles[0] = 0;
			for (size_t j = 0; j < a->n_notify_roles; j++) {
				if (j)
					strcat(ac.roles, ",");
				strncat(ac.roles, a->notify_roles[j],
					sizeof(ac.roles) - strlen(ac.roles) - 2);
			}
		}
		from = r->records->next_seq;
		bool more = r->records->next_seq <= r->records->last_seq;
		gj_reply_free(r);
		if (!more)
			break;
	}
	return ac;
}

static size_t n_alerts(uint64_t ticket)
{
	return alerts(ticket, NULL, ANY).n;
}

/* Exactly one alert of `level` on the clock so far, raised at `when` for
 * `roles`. */
static void assert_alert(uint64_t ticket, const char *clock, Guanjia__AlertLevel level,
			 int64_t when, const char *roles)
{
	struct alerts a = alerts(ticket, clock, level);

	ck_assert_msg(a.n == 1, "ticket %llu clock %s level %d: %zu alerts",
		      (unsigned long long)ticket, clock, level, a.n);
	ck_assert_int_eq(a.last_at, when);
	ck_assert_str_eq(a.roles, roles);
}

/* Walk a clock's alert to `when`: nothing a millisecond before (the ticket
 * has `before` alerts in all then), then this one alert. */
static void expect_alert_at(uint64_t ticket, size_t before, const char *clock,
			    Guanjia__AlertLevel level, int64_t when, const char *roles)
{
	advance_to(when - 1);
	ck_assert_uint_eq(n_alerts(ticket), before);
	advance(1);
	ck_assert_uint_eq(n_alerts(ticket), before + 1);
	assert_alert(ticket, clock, level, when, roles);
}

/* Run gj ($GJ_GJ, else the build's) against the daemon; its stdout,
 * malloc'd. */
static char *run_gj(const char *args)
{
	const char *gj = getenv("GJ_GJ") ? getenv("GJ_GJ") : GJ_GJ_PATH;
	char cmd[1024], *out = NULL;
	size_t len = 0, got;
	char buf[4096];
	FILE *p, *m;
	int status;

	snprintf(cmd, sizeof(cmd), "%s --data %s %s", gj, d.dir, args);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	m = open_memstream(&out, &len);
	ck_assert_ptr_nonnull(m);
	while ((got = fread(buf, 1, sizeof(buf), p)) > 0)
		fwrite(buf, 1, got, m);
	fclose(m);
	status = pclose(p);
	ck_assert_msg(status == 0, "%s: status %d", cmd, status);
	return out;
}

/* --- R12 keys --------------------------------------------------------- */

/* In the JSON of `gj list`, the ticket object of `id` ("" when absent). */
static char *json_ticket(const char *json, uint64_t id, char *buf, size_t len)
{
	char head[40];
	const char *p, *end;

	snprintf(head, sizeof(head), "{\"id\":%llu,", (unsigned long long)id);
	buf[0] = 0;
	p = strstr(json, head);
	if (!p)
		return buf;
	end = strstr(p + 1, "{\"id\":");
	while (end && !(end[6] >= '0' && end[6] <= '9'))
		end = strstr(end + 1, "{\"id\":");
	if (!end)
		end = p + strlen(p);
	snprintf(buf, len, "%.*s", (int)(end - p), p);
	return buf;
}

static void assert_holds(const char *json, uint64_t id, const char *key, const char *holder)
{
	char tk[8192], want[256];

	json_ticket(json, id, tk, sizeof(tk));
	ck_assert_msg(tk[0], "ticket %llu not listed: %s", (unsigned long long)id, json);
	snprintf(want, sizeof(want), "{\"name\":\"key\",\"value\":\"%s\"}", key);
	ck_assert_msg(strstr(tk, want), "ticket %llu: no %s in %s", (unsigned long long)id, want, tk);
	snprintf(want, sizeof(want), "{\"name\":\"holder\",\"value\":\"%s\"}", holder);
	ck_assert_msg(strstr(tk, want), "ticket %llu: no %s in %s", (unsigned long long)id, want, tk);
}

START_TEST(r12_key_loans_back_the_same_day_or_by_the_agreed_date)
{
	const char *back_kv[] = { "key=3-1502 front door", "key_kind=owner_entrusted",
				  "holder=wang.wei", "due_back=2026-10-09T17:30:00+08:00" };
	const char *owner_kv[] = { "key=5-0301 front door", "key_kind=owner_entrusted",
				   "holder=li.na", "due_back=2026-10-09T17:30:00+08:00" };
	const char *vacant_kv[] = { "key=2-0801 front door", "key_kind=vacant_unit",
				    "holder=zhao.lei", "due_back=2026-10-09T17:30:00+08:00" };
	/* A plant-room key lent until a date agreed with the borrower. */
	const char *plant_kv[] = { "key=B1 pump room", "key_kind=plant_room",
				   "holder=wu.gang", "due_back=2026-10-10T12:00:00+08:00" };
	const char *later_kv[] = { "due_back=2026-10-12T17:30:00+08:00",
				   "reason=pump overhaul runs over the weekend" };
	const char *no_due[] = { "key=4-1101 front door", "key_kind=owner_entrusted",
				 "holder=chen.jie" };
	int64_t cob = at("2026-10-09T17:30:00+08:00");
	uint64_t back, owner, vacant, plant;
	Guanjia__Reply *r = NULL;
	char *out, *line;
	size_t lines = 0;

	/* Friday 2026-10-09, 10:00: each custodian lends a key. */
	start("2026-10-09T10:00:00+08:00");
	back = open_as("li.ming", "butler", "r12_key_loan", back_kv, N(back_kv));
	owner = open_as("li.ming", "butler", "r12_key_loan", owner_kv, N(owner_kv));
	vacant = open_as("zhou.hui", "admin_hr", "r12_key_loan", vacant_kv, N(vacant_kv));
	plant = open_as("sun.qiang", "engineering", "r12_key_loan", plant_kv, N(plant_kv));
	open_refused("li.ming", "butler", "r12_key_loan", no_due, N(no_due),
		     GUANJIA__ERROR_CODE__MISSING_FIELD, "due_back");
	open_refused("zhang.wei", "security", "r12_key_loan", back_kv, N(back_kv),
		     GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "butler, admin_hr, engineering");

	/* Each loan runs the clock of its kind of key, due at due_back. */
	assert_clock(owner, "owner_entrusted_key", RUNNING, cob);
	assert_clock(owner, "vacant_unit_key", IDLE, 0);
	assert_clock(vacant, "vacant_unit_key", RUNNING, cob);
	assert_clock(vacant, "owner_entrusted_key", IDLE, 0);
	assert_clock(plant, "plant_room_key", RUNNING, at("2026-10-10T12:00:00+08:00"));

	/* On time: back at 16:00, never an alert. */
	advance_to(at("2026-10-09T16:00:00+08:00"));
	fire_refused("zhang.wei", "security", back, "return", NULL, 0,
		     GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "return");
	fire_as("li.ming", "butler", back, "return", NULL, 0);
	ck_assert_str_eq(field_of(get(back, &r), "returned_at"), "2026-10-09T16:00:00+08:00");
	ck_assert_str_eq(r->ticket->state, "returned");
	gj_reply_free(r);

	/* Who holds which key, at once: the lent ones, with key and holder. */
	advance_to(at("2026-10-09T16:30:00+08:00"));
	out = run_gj("--json list --workflow r12_key_loan --state lent");
	assert_holds(out, owner, "5-0301 front door", "li.na");
	assert_holds(out, vacant, "2-0801 front door", "zhao.lei");
	assert_holds(out, plant, "B1 pump room", "wu.gang");
	ck_assert_msg(!strstr(out, "wang.wei"), "a returned key is listed: %s", out);
	free(out);
	out = run_gj("list --workflow r12_key_loan --state lent");
	for (line = out; (line = strstr(line, " r12_key_loan [main] lent")); line++)
		lines++;
	ck_assert_msg(lines == 3, "%s", out);
	free(out);

	/* Late: half an hour before the close of business the custodians are
	 * warned, at the close they and their superiors are alerted; nothing
	 * a millisecond before either. */
	advance_to(cob - 30 * MIN - 1);
	ck_assert_uint_eq(n_alerts(owner) + n_alerts(vacant) + n_alerts(plant), 0);
	advance(1);
	assert_alert(owner, "owner_entrusted_key", WARNING, cob - 30 * MIN, "butler");
	assert_alert(vacant, "vacant_unit_key", WARNING, cob - 30 * MIN, "admin_hr");
	advance_to(cob - 1);
	ck_assert_uint_eq(n_alerts(owner), 1);
	ck_assert_uint_eq(n_alerts(vacant), 1);
	advance(1);
	assert_alert(owner, "owner_entrusted_key", BREACH, cob, "butler,cs_lead");
	assert_alert(vacant, "vacant_unit_key", BREACH, cob, "admin_hr,manager");
	ck_assert_uint_eq(n_alerts(owner), 2);
	ck_assert_uint_eq(n_alerts(vacant), 2);
	ck_assert_uint_eq(n_alerts(back), 0);
	ck_assert_uint_eq(n_alerts(plant), 0);

	/* The vacant-unit key comes back late: no more alerts. */
	advance_to(at("2026-10-09T18:00:00+08:00"));
	fire_as("zhou.hui", "admin_hr", vacant, "return", NULL, 0);
	assert_clock(vacant, "vacant_unit_key", STOPPED, 0);

	/* The plant-room key: a later date agreed before it was due moves
	 * the deadline; the old one passes silently. */
	advance_to(at("2026-10-10T09:00:00+08:00"));
	fire_as("sun.qiang", "engineering", plant, "agree_return_date", later_kv, N(later_kv));
	assert_clock(plant, "plant_room_key", RUNNING, at("2026-10-12T17:30:00+08:00"));
	expect_alert_at(plant, 0, "plant_room_key", WARNING, at("2026-10-12T17:00:00+08:00"),
			"engineering");
	expect_alert_at(plant, 1, "plant_room_key", BREACH, at("2026-10-12T17:30:00+08:00"),
			"engineering,team_head");
	ck_assert_uint_eq(n_alerts(back), 0);
	ck_assert_uint_eq(n_alerts(vacant), 2);
}
END_TEST

START_TEST(r12_vacant_unit_keys_counted_monthly_by_admin_hr_with_the_butler)
{
	const char *ok_kv[] = { "month=2026-10", "count_by=2026-10-30T17:30:00+08:00" };
	const char *late_kv[] = { "month=2026-10", "count_by=2026-10-30T17:30:00+08:00" };
	const char *count_kv[] = { "keys_on_record=42", "keys_counted=42" };
	const char *result_kv[] = { "result=42 of 42 present" };
	int64_t due = at("2026-10-30T17:30:00+08:00");
	uint64_t ok, late;

	/* Monday 2026-10-26: the month's counts are opened (admin_hr, as the
	 * generator does). */
	start("2026-10-26T09:00:00+08:00");
	ok = open_as("zhou.hui", "admin_hr", "r12_key_count", ok_kv, N(ok_kv));
	late = open_as("zhou.hui", "admin_hr", "r12_key_count", late_kv, N(late_kv));
	assert_clock(ok, "count", RUNNING, due);

	/* On time: admin_hr counts, the butler countersigns, then it closes;
	 * not before both have done their step. */
	advance_to(at("2026-10-27T10:00:00+08:00"));
	fire_refused("li.ming", "butler", ok, "count", count_kv, N(count_kv),
		     GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "admin_hr");
	fire_as("zhou.hui", "admin_hr", ok, "count", count_kv, N(count_kv));
	fire_refused("zhou.hui", "admin_hr", ok, "close", result_kv, N(result_kv),
		     GUANJIA__ERROR_CODE__MISSING_FIELD, "butler_countersigned");
	fire_refused("zhou.hui", "admin_hr", ok, "countersign", NULL, 0,
		     GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "butler");
	fire_as("li.ming", "butler", ok, "countersign", NULL, 0);
	fire_as("zhou.hui", "admin_hr", ok, "close", result_kv, N(result_kv));
	assert_state(ok, "done");

	/* Late: counted by admin_hr alone; a day before the due time admin_hr
	 * and the butler are warned, at it admin_hr and the manager alerted. */
	fire_as("zhou.hui", "admin_hr", late, "count", count_kv, N(count_kv));
	expect_alert_at(late, 0, "count", WARNING, due - 24 * HOUR, "admin_hr,butler");
	expect_alert_at(late, 1, "count", BREACH, due, "admin_hr,manager");
	advance_to(at("2026-11-02T09:00:00+08:00"));
	ck_assert_uint_eq(n_alerts(ok), 0);
	ck_assert_uint_eq(n_alerts(late), 2);
}
END_TEST

/* --- R13, R14, R15, R25 inspections ---------------------------------- */

static const char *const entrusted_visit[] = {
	"agreement=WT-2026-031", "furniture=ok", "tv=ok", "gas=ok, valve closed",
	"water_power=ok, mains off", "balcony_rails=ok", "photos=NAS/r13/3-1502/2026-10",
};

START_TEST(r13_entrusted_unit_result_to_the_owner_within_8h_of_the_visit)
{
	const char *ok_kv[] = { "unit=3-1502" };
	const char *late_kv[] = { "unit=3-1602" };
	const char *storm_kv[] = { "unit=3-1702", "priority=1", "storm=typhoon Haikui",
				   "visit_by=2026-10-09T12:00:00+08:00" };
	const char *result_kv[] = { "result=all in order, photos sent on WeChat" };
	int64_t visit_late = at("2026-10-09T10:30:00+08:00");
	uint64_t ok, late, storm;
	Guanjia__Reply *r = NULL;

	start("2026-10-09T09:00:00+08:00");
	/* Opened by the monthly generator (as admin_hr), by hand, and by the
	 * storm round with its priority and visit time. */
	ok = open_as("generator", "admin_hr", "r13_entrusted_inspection", ok_kv, N(ok_kv));
	late = open_as("li.ming", "butler", "r13_entrusted_inspection", late_kv, N(late_kv));
	storm = open_as("generator", "admin_hr", "r13_entrusted_inspection", storm_kv,
			N(storm_kv));
	assert_clock(late, "feedback", IDLE, 0);
	assert_clock(late, "visit", IDLE, 0);
	assert_clock(storm, "visit", RUNNING, at("2026-10-09T12:00:00+08:00"));

	/* The storm visit due at 12:00: the butler warned at 10:00. */
	expect_alert_at(storm, 0, "visit", WARNING, at("2026-10-09T10:00:00+08:00"), "butler");
	ck_assert_uint_eq(n_alerts(ok) + n_alerts(late), 0);

	/* On time: visited at 10:00, result to the owner at 16:00. */
	fire_as("li.ming", "butler", ok, "visit", entrusted_visit, N(entrusted_visit));
	ck_assert_str_eq(field_of(get(ok, &r), "visited_at"), "2026-10-09T10:00:00+08:00");
	gj_reply_free(r);
	assert_clock(ok, "feedback", RUNNING, at("2026-10-09T18:00:00+08:00"));

	/* Every visit photographed and recorded: no visit without photos. */
	advance_to(visit_late);
	fire_refused("li.ming", "butler", late, "visit", entrusted_visit,
		     N(entrusted_visit) - 1, GUANJIA__ERROR_CODE__MISSING_FIELD, "photos");
	fire_refused("zhou.hui", "admin_hr", late, "visit", entrusted_visit, N(entrusted_visit),
		     GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "butler");
	fire_as("li.ming", "butler", late, "visit", entrusted_visit, N(entrusted_visit));
	/* The 8 hours count from the visit, not from the opening. */
	assert_clock(late, "feedback", RUNNING, visit_late + 8 * HOUR);

	/* The storm visit missed at 12:00: the cs_lead alerted. */
	expect_alert_at(storm, 1, "visit", BREACH, at("2026-10-09T12:00:00+08:00"), "cs_lead");

	advance_to(at("2026-10-09T16:00:00+08:00"));
	fire_as("li.ming", "butler", ok, "feedback", result_kv, N(result_kv));
	assert_state(ok, "reported");

	/* Late: the butler warned at 7 h, the cs_lead alerted at 8 h. */
	expect_alert_at(late, 0, "feedback", WARNING, visit_late + 7 * HOUR, "butler");
	expect_alert_at(late, 1, "feedback", BREACH, visit_late + 8 * HOUR, "cs_lead");
	advance_to(at("2026-10-09T19:00:00+08:00"));
	fire_as("li.ming", "butler", late, "feedback", result_kv, N(result_kv));
	advance_to(at("2026-10-10T12:00:00+08:00"));
	ck_assert_uint_eq(n_alerts(ok), 0);
	ck_assert_uint_eq(n_alerts(late), 2);
}
END_TEST

static const char *const finished_visit[] = {
	"furniture=ok", "tv=ok", "gas=ok", "water_power=ok",
	"balcony_rails=loose bolt, photographed", "photos=NAS/r14/2026-10",
};

START_TEST(r14_vacant_finished_unit_result_within_24h_of_the_visit)
{
	const char *ok_kv[] = { "unit=7-0201", "responsible_unit=developer sales office" };
	const char *late_kv[] = { "unit=7-0202" };
	const char *result_kv[] = { "result=balcony rail bolt loose, repair requested" };
	const char *to_kv[] = { "result=balcony rail bolt loose, repair requested",
				"responsible_unit=developer sales office" };
	int64_t visit_late = at("2026-10-09T15:00:00+08:00");
	uint64_t ok, late;

	start("2026-10-09T09:00:00+08:00");
	ok = open_as("generator", "admin_hr", "r14_vacant_finished_inspection", ok_kv, N(ok_kv));
	late = open_as("li.ming", "butler", "r14_vacant_finished_inspection", late_kv,
		       N(late_kv));

	/* On time: visited at 10:00, reported at 16:00 the same day. */
	advance_to(at("2026-10-09T10:00:00+08:00"));
	fire_refused("li.ming", "butler", ok, "visit", finished_visit, 4,
		     GUANJIA__ERROR_CODE__MISSING_FIELD, "balcony_rails");
	fire_as("li.ming", "butler", ok, "visit", finished_visit, N(finished_visit));

	advance_to(visit_late);
	fire_as("li.ming", "butler", late, "visit", finished_visit, N(finished_visit));
	assert_clock(late, "feedback", RUNNING, visit_late + 24 * HOUR);

	advance_to(at("2026-10-09T16:00:00+08:00"));
	fire_as("li.ming", "butler", ok, "feedback", result_kv, N(result_kv));
	assert_state(ok, "reported");

	/* Late: the butler warned 2 h before, the cs_lead alerted at 24 h. */
	expect_alert_at(late, 0, "feedback", WARNING, visit_late + 22 * HOUR, "butler");
	expect_alert_at(late, 1, "feedback", BREACH, visit_late + 24 * HOUR, "cs_lead");
	/* The result goes to the responsible unit: it must be named. */
	fire_refused("li.ming", "butler", late, "feedback", result_kv, N(result_kv),
		     GUANJIA__ERROR_CODE__MISSING_FIELD, "responsible_unit");
	fire_as("li.ming", "butler", late, "feedback", to_kv, N(to_kv));
	assert_state(late, "reported");
	advance(24 * HOUR);
	ck_assert_uint_eq(n_alerts(ok), 0);
	ck_assert_uint_eq(n_alerts(late), 2);
}
END_TEST

static const char *const shell_visit[] = {
	"leaks=none", "balcony_rails=ok", "photos=NAS/r15/2026-10",
};

START_TEST(r15_vacant_shell_unit_result_within_24h_of_the_visit)
{
	const char *ok_kv[] = { "unit=9-1201", "responsible_unit=developer sales office" };
	const char *late_kv[] = { "unit=9-1202", "responsible_unit=developer sales office",
				  "priority=3", "storm=rainstorm 10-09" };
	const char *result_kv[] = { "result=no leaks, rails sound" };
	int64_t visit_late = at("2026-10-09T11:00:00+08:00");
	uint64_t ok, late;

	start("2026-10-09T09:00:00+08:00");
	ok = open_as("generator", "admin_hr", "r15_vacant_shell_inspection", ok_kv, N(ok_kv));
	late = open_as("li.ming", "butler", "r15_vacant_shell_inspection", late_kv, N(late_kv));

	/* On time: visited at 09:30, reported at 07:00 the next morning. */
	advance_to(at("2026-10-09T09:30:00+08:00"));
	fire_refused("li.ming", "butler", ok, "visit", shell_visit + 1, 2,
		     GUANJIA__ERROR_CODE__MISSING_FIELD, "leaks");
	fire_as("li.ming", "butler", ok, "visit", shell_visit, N(shell_visit));
	advance_to(visit_late);
	fire_as("li.ming", "butler", late, "visit", shell_visit, N(shell_visit));
	assert_clock(late, "feedback", RUNNING, visit_late + 24 * HOUR);
	advance_to(at("2026-10-10T07:00:00+08:00"));
	fire_as("li.ming", "butler", ok, "feedback", result_kv, N(result_kv));
	assert_state(ok, "reported");

	/* Late: warned 2 h before, the cs_lead alerted at 24 h. */
	expect_alert_at(late, 0, "feedback", WARNING, visit_late + 22 * HOUR, "butler");
	expect_alert_at(late, 1, "feedback", BREACH, visit_late + 24 * HOUR, "cs_lead");
	advance(24 * HOUR);
	ck_assert_uint_eq(n_alerts(ok), 0);
	ck_assert_uint_eq(n_alerts(late), 2);
}
END_TEST

START_TEST(r25_paid_entrusted_unit_result_within_4h_of_the_visit)
{
	const char *air_kv[] = { "unit=6-0901", "service=airing" };
	const char *clean_kv[] = { "unit=6-0901", "service=cleaning" };
	const char *storm_kv[] = { "unit=6-0901", "priority=1", "storm=typhoon Haikui" };
	const char *storm_visit[N(entrusted_visit) + 1];
	const char *result_kv[] = { "result=aired 2 h, all in order" };
	int64_t visit_late = at("2026-10-09T11:00:00+08:00");
	uint64_t air, clean, storm;
	Guanjia__Reply *r = NULL;

	start("2026-10-09T09:00:00+08:00");
	air = open_as("generator", "admin_hr", "r25_paid_entrusted_service", air_kv, N(air_kv));
	clean = open_as("generator", "admin_hr", "r25_paid_entrusted_service", clean_kv,
			N(clean_kv));
	storm = open_as("li.ming", "butler", "r25_paid_entrusted_service", storm_kv,
			N(storm_kv));

	/* On time: aired at 10:00, result to the owner at 13:00. */
	advance_to(at("2026-10-09T10:00:00+08:00"));
	fire_as("li.ming", "butler", air, "visit", entrusted_visit, N(entrusted_visit));
	assert_clock(air, "feedback", RUNNING, at("2026-10-09T14:00:00+08:00"));

	/* The storm round's look says what was done. */
	fire_refused("li.ming", "butler", storm, "visit", entrusted_visit, N(entrusted_visit),
		     GUANJIA__ERROR_CODE__MISSING_FIELD, "service");
	memcpy(storm_visit, entrusted_visit, sizeof(entrusted_visit));
	storm_visit[N(entrusted_visit)] = "service=storm_check";
	fire_as("li.ming", "butler", storm, "visit", storm_visit, N(storm_visit));
	ck_assert_str_eq(field_of(get(storm, &r), "priority"), "1");
	gj_reply_free(r);

	/* Cleaned at 11:00: the result due at 15:00. */
	advance_to(visit_late);
	fire_as("li.ming", "butler", clean, "visit", entrusted_visit, N(entrusted_visit));
	assert_clock(clean, "feedback", RUNNING, visit_late + 4 * HOUR);

	advance_to(at("2026-10-09T13:00:00+08:00"));
	fire_as("li.ming", "butler", air, "feedback", result_kv, N(result_kv));
	fire_as("li.ming", "butler", storm, "feedback", result_kv, N(result_kv));
	assert_state(air, "reported");

	/* Late: warned 30 min before, the cs_lead alerted at 4 h. */
	expect_alert_at(clean, 0, "feedback", WARNING, visit_late + 3 * HOUR + 30 * MIN, "butler");
	expect_alert_at(clean, 1, "feedback", BREACH, visit_late + 4 * HOUR, "cs_lead");
	advance(8 * HOUR);
	ck_assert_uint_eq(n_alerts(air), 0);
	ck_assert_uint_eq(n_alerts(storm), 0);
	ck_assert_uint_eq(n_alerts(clean), 2);
}
END_TEST

/* --- R16 zone patrols ------------------------------------------------- */

START_TEST(r16_zone_patrols_and_findings_followed_up_per_team)
{
	const char *p_ok_kv[] = { "zone=1#", "butler=li.ming", "patrol_by=2026-10-14T17:30:00+08:00" };
	const char *p_late_kv[] = { "zone=2#", "patrol_by=2026-10-12T17:30:00+08:00" };
	const char *round_kv[] = { "decoration=2-0801 site tidy", "cleanliness=stairwell B litter",
				   "facilities=lobby light out", "building=ok",
				   "sign_in_sheets=ok", "findings=2" };
	const char *f_ok_kv[] = { "zone=1#", "team=engineering", "problem=lobby light out",
				  "fix_by=2026-10-13T17:30:00+08:00" };
	const char *f_late_kv[] = { "zone=1#", "team=cleaning", "problem=stairwell B litter" };
	const char *fix_by_kv[] = { "fix_by=2026-10-13T12:00:00+08:00" };
	const char *later_kv[] = { "fix_by=2026-10-14T12:00:00+08:00" };
	const char *action_kv[] = { "action=swept" };
	const char *lamp_kv[] = { "action=lamp replaced" };
	const char *reason_kv[] = { "reason=still littered at 15:00" };
	int64_t fix_by = at("2026-10-13T12:00:00+08:00");
	uint64_t p_ok, p_late, f_ok, f_late;
	Guanjia__Reply *r = NULL;
	struct alerts a;

	/* Monday 2026-10-12: the week's patrols opened (admin_hr, as the
	 * generator does), one of them due today. */
	start("2026-10-12T08:00:00+08:00");
	p_ok = open_as("generator", "admin_hr", "r16_patrol", p_ok_kv, N(p_ok_kv));
	p_late = open_as("generator", "admin_hr", "r16_patrol", p_late_kv, N(p_late_kv));

	/* On time: zone 1# patrolled at 15:00, item by item; two findings
	 * passed to their teams. */
	advance_to(at("2026-10-12T15:00:00+08:00"));
	fire_refused("li.ming", "butler", p_ok, "patrol", round_kv, N(round_kv) - 2,
		     GUANJIA__ERROR_CODE__MISSING_FIELD, "sign_in_sheets");
	fire_as("li.ming", "butler", p_ok, "patrol", round_kv, N(round_kv));
	assert_state(p_ok, "patrolled");
	f_ok = open_as("li.ming", "butler", "r16_finding", f_ok_kv, N(f_ok_kv));
	f_late = open_as("li.ming", "butler", "r16_finding", f_late_kv, N(f_late_kv));
	ck_assert_str_eq(get(f_late, &r)->state, "passed");
	ck_assert_str_eq(field_of(r->ticket, "team"), "cleaning");
	ck_assert_str_eq(field_of(r->ticket, "zone"), "1#");
	gj_reply_free(r);
	assert_clock(f_ok, "fix", RUNNING, at("2026-10-13T17:30:00+08:00"));
	/* No date agreed yet: no clock. */
	assert_clock(f_late, "fix", IDLE, 0);

	/* Late patrol: zone 2# not patrolled by 17:30: the butler warned at
	 * 15:30, the cs_lead alerted at 17:30. */
	expect_alert_at(p_late, 0, "patrol", WARNING, at("2026-10-12T15:30:00+08:00"), "butler");
	advance_to(at("2026-10-12T16:00:00+08:00"));
	/* The cleaning team's head agrees to put it right by 12:00 tomorrow. */
	fire_as("huang.lei", "team_head", f_late, "set_fix_by", fix_by_kv, N(fix_by_kv));
	assert_clock(f_late, "fix", RUNNING, fix_by);
	expect_alert_at(p_late, 1, "patrol", BREACH, at("2026-10-12T17:30:00+08:00"), "cs_lead");

	/* On time finding: dealt with by engineering, followed up by the
	 * butler, resolved. */
	advance_to(at("2026-10-13T09:00:00+08:00"));
	fire_as("sun.qiang", "engineering", f_ok, "fix", lamp_kv, N(lamp_kv));
	fire_refused("sun.qiang", "engineering", f_ok, "follow_up", NULL, 0,
		     GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED, "butler");
	fire_as("li.ming", "butler", f_ok, "follow_up", NULL, 0);
	assert_state(f_ok, "resolved");

	/* Late finding: the butler warned 2 h before fix_by, the team head and
	 * the cs_lead alerted at it. */
	expect_alert_at(f_late, 0, "fix", WARNING, fix_by - 2 * HOUR, "butler");
	expect_alert_at(f_late, 1, "fix", BREACH, fix_by, "team_head,cs_lead");

	/* Dealt with at 14:00, but the butler's follow-up finds it not put
	 * right: back to the team, overdue at once. */
	advance_to(at("2026-10-13T14:00:00+08:00"));
	fire_as("huang.lei", "team_head", f_late, "fix", action_kv, N(action_kv));
	advance_to(at("2026-10-13T15:00:00+08:00"));
	fire_as("li.ming", "butler", f_late, "not_fixed", reason_kv, N(reason_kv));
	assert_state(f_late, "passed");
	advance(1);
	a = alerts(f_late, "fix", BREACH);
	ck_assert_uint_eq(a.n, 2);
	ck_assert_int_eq(a.last_at, at("2026-10-13T15:00:00+08:00"));
	ck_assert_str_eq(a.roles, "team_head,cs_lead");

	/* A new date, met: resolved, no more alerts. */
	fire_as("li.ming", "butler", f_late, "set_fix_by", later_kv, N(later_kv));
	assert_clock(f_late, "fix", RUNNING, at("2026-10-14T12:00:00+08:00"));
	advance_to(at("2026-10-14T09:00:00+08:00"));
	fire_as("huang.lei", "team_head", f_late, "fix", action_kv, N(action_kv));
	fire_as("li.ming", "butler", f_late, "follow_up", NULL, 0);
	assert_state(f_late, "resolved");
	advance_to(at("2026-10-15T09:00:00+08:00"));
	ck_assert_uint_eq(n_alerts(f_late), 3);
	ck_assert_uint_eq(n_alerts(f_ok), 0);
	ck_assert_uint_eq(n_alerts(p_ok), 0);
	ck_assert_uint_eq(n_alerts(p_late), 2);
}
END_TEST

Suite *rules_units_suite(void)
{
	Suite *s = suite_create("rules_units");
	TCase *tc = tcase_create("daemon");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, r12_key_loans_back_the_same_day_or_by_the_agreed_date);
	tcase_add_test(tc, r12_vacant_unit_keys_counted_monthly_by_admin_hr_with_the_butler);
	tcase_add_test(tc, r13_entrusted_unit_result_to_the_owner_within_8h_of_the_visit);
	tcase_add_test(tc, r14_vacant_finished_unit_result_within_24h_of_the_visit);
	tcase_add_test(tc, r15_vacant_shell_unit_result_within_24h_of_the_visit);
	tcase_add_test(tc, r16_zone_patrols_and_findings_followed_up_per_team);
	tcase_add_test(tc, r25_paid_entrusted_unit_result_within_4h_of_the_visit);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rules_units_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
