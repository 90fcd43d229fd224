/*
 * test_generators.c - the generator plugin (plugins/generator.c,
 * docs/generators.md) against the real guanjiad: temporary data directory,
 * ipc:// sockets, a manual clock, the plugins of the build (--plugins) and
 * a plugin configuration written into the data directory with small unit
 * lists (--plugin-config).
 *
 * The acceptance run: the month from Monday 2026-09-28 to Saturday
 * 2026-10-31 (the National Day holiday 10-01..10-07, the make-up Saturday
 * 10-10, a meeting on the 15th) advanced a day at a time, with the daemon
 * down from 10-09 12:00 to 10-13 10:00; every ticket generated is compared
 * with the list of occurrences worked out by hand below from
 * etc/calendars/cn.yaml: none missing, none twice, each opened at its
 * instant, or late and marked when the daemon was down at it.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guanjia.h"
#include "itest.h"
#include "wire.h"

#define MIN 60000LL
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)
#define N(a) (sizeof(a) / sizeof((a)[0]))

static char config_path[PATH_MAX];

/* The plugin configuration, in the data directory. */
static void write_config(const char *text)
{
	FILE *f;

	snprintf(config_path, sizeof(config_path), "%s/generator.yaml", it_daemon.dir);
	f = fopen(config_path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* Start (or restart) the daemon on its data directory at `when`. */
static void start(const char *when)
{
	it_start(when, GJ_PLUGIN_BUILD_DIR, config_path);
	ck_assert_msg(strstr(it_daemon.ready_line, "plugins 4") != NULL, "%s",
		      it_daemon.ready_line);
}

static void setup(void)
{
	it_setup();
	it_daemon.capture_stderr = true;
}

/* Move the clock to `t` a day at a time (each advance fires every
 * deadline and timer on its way, at its own instant). */
static void days_to(int64_t t)
{
	int64_t n = it_now();

	ck_assert_msg(t >= n, "cannot go back in time");
	while (t - n > DAY) {
		it_advance(DAY);
		n += DAY;
	}
	if (t > n)
		it_advance(t - n);
}

/* --- every ticket, paged --------------------------------------------- */

static Guanjia__Reply *pages[64];
static size_t n_pages;
static Guanjia__Ticket *all[4096];
static size_t n_all;

static void free_all(void)
{
	for (size_t i = 0; i < n_pages; i++)
		gj_reply_free(pages[i]);
	n_pages = n_all = 0;
}

static void load_all(void)
{
	Guanjia__ListTickets f = GUANJIA__LIST_TICKETS__INIT;
	Guanjia__Reply *r;

	free_all();
	f.limit = 100; /* several pages: the paging is part of the test */
	for (;;) {
		r = NULL;
		it_call_ok(gj_client_list(it_client, &f, &r), r);
		ck_assert_uint_lt(n_pages, N(pages));
		pages[n_pages++] = r;
		for (size_t i = 0; i < r->tickets->n_tickets; i++) {
			ck_assert_uint_lt(n_all, N(all));
			all[n_all++] = r->tickets->tickets[i];
		}
		if (!r->tickets->more || r->tickets->n_tickets == 0)
			break;
		f.after_id = r->tickets->tickets[r->tickets->n_tickets - 1]->id;
	}
}

static const Guanjia__Ticket *ticket(uint64_t id)
{
	for (size_t i = 0; i < n_all; i++)
		if (all[i]->id == id)
			return all[i];
	ck_abort_msg("no ticket %llu", (unsigned long long)id);
	return NULL;
}

static size_t count_workflow(const char *wf)
{
	size_t n = 0;

	for (size_t i = 0; i < n_all; i++)
		n += strcmp(all[i]->workflow, wf) == 0;
	return n;
}

static size_t count_late(void)
{
	size_t n = 0;

	for (size_t i = 0; i < n_all; i++)
		n += it_field(all[i], "generated_late") != NULL;
	return n;
}

static void assert_field(const Guanjia__Ticket *tk, const char *name, const char *want)
{
	const char *v = it_field(tk, name);

	ck_assert_msg(v != NULL, "ticket %llu (%s) has no field %s",
		      (unsigned long long)tk->id, tk->workflow, name);
	ck_assert_msg(strcmp(v, want) == 0, "ticket %llu (%s): %s = %s, want %s",
		      (unsigned long long)tk->id, tk->workflow, name, v, want);
}

/* A field holding a time, compared as an instant. */
static void assert_time_field(const Guanjia__Ticket *tk, const char *name, const char *want)
{
	const char *v = it_field(tk, name);
	int64_t got = 0;

	ck_assert_msg(v != NULL, "ticket %llu (%s) has no field %s",
		      (unsigned long long)tk->id, tk->workflow, name);
	ck_assert_msg(gj_time_parse(v, &got) == 0 && got == it_at(want),
		      "ticket %llu (%s): %s = %s, want %s", (unsigned long long)tk->id,
		      tk->workflow, name, v, want);
}

static const Guanjia__Ticket *by_occurrence(const char *key)
{
	const Guanjia__Ticket *found = NULL;

	for (size_t i = 0; i < n_all; i++) {
		const char *o = it_field(all[i], "occurrence");
		if (o && strcmp(o, key) == 0) {
			ck_assert_msg(!found, "occurrence %s opened twice: tickets %llu and %llu", key,
				      (unsigned long long)found->id, (unsigned long long)all[i]->id);
			found = all[i];
		}
	}
	ck_assert_msg(found != NULL, "occurrence %s was never opened", key);
	return found;
}

/* The last notice `name` of the generator on main. */
static char *last_notice(const char *name, size_t *ret_n_ids, uint64_t *ids, size_t max)
{
	char prefix[128], *text = NULL;
	Guanjia__Reply *r = NULL;
	uint64_t from = 1;

	snprintf(prefix, sizeof(prefix), "notice.main.generator.%s", name);
	for (;;) {
		it_call_ok(gj_client_replay(it_client, from, 10000, prefix, &r), r);
		for (size_t i = 0; i < r->records->n_records; i++) {
			Guanjia__Notice *no = r->records->records[i]->notice;
			if (!no)
				continue;
			free(text);
			text = strdup(no->text);
			if (ret_n_ids) {
				*ret_n_ids = no->n_ticket_ids;
				for (size_t j = 0; j < no->n_ticket_ids && j < max; j++)
					ids[j] = no->ticket_ids[j];
			}
		}
		from = r->records->next_seq;
		bool more = r->records->next_seq <= r->records->last_seq;
		gj_reply_free(r);
		if (!more)
			break;
	}
	ck_assert_msg(text != NULL, "no notice %s", name);
	return text;
}

/* How many times `what` is in the daemon's log. */
static size_t log_count(const char *what)
{
	char *log = gj_daemon_stderr(&it_daemon), *p;
	size_t n = 0;

	for (p = log; p && (p = strstr(p, what)); p += strlen(what))
		n++;
	free(log);
	return n;
}

/* --- the occurrences worked out by hand -------------------------------- */

struct expected {
	char key[160];
	char workflow[64];
	int64_t at;
};

static struct expected exp_list[512];
static size_t n_exp;

static void expect(const char *workflow, const char *when, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void expect(const char *workflow, const char *when, const char *fmt, ...)
{
	struct expected *e;
	va_list ap;

	ck_assert_uint_lt(n_exp, N(exp_list));
	e = &exp_list[n_exp++];
	va_start(ap, fmt);
	vsnprintf(e->key, sizeof(e->key), fmt, ap);
	va_end(ap);
	snprintf(e->workflow, sizeof(e->workflow), "%s", workflow);
	e->at = it_at(when);
}

static const char *const config_month =
	"generator:\n"
	"  serve: [main]\n"
	"  estates:\n"
	"    main:\n"
	"      entrusted_free: [\"1-101\", \"1-102\"]\n"
	"      entrusted_paid: [\"2-201\"]\n"
	"      vacant_finished: [\"3-301\"]\n"
	"      vacant_shell: [\"4-401\"]\n"
	"      zones: [\"1#\", \"2#\"]\n"
	"      zone_butlers: {\"1#\": wang.fang, \"2#\": li.ming}\n"
	"      butlers: [li.ming, wang.fang]\n"
	"      fee_accounts: [\"1-101=320.00\", \"1-102=280.00\"]\n"
	"      community_events: [\"2026-11-14T15:00 Autumn tea party\"]\n"
	"  r21_hand_over: {fire: true}\n";

/* Working days from Monday 2026-09-28 to Saturday 2026-10-31 on the cn
 * calendar: 09-28..09-30; National Day 10-01..10-07 is off; Thursday
 * 10-08, Friday 10-09 and the make-up Saturday 10-10 (调休); then Monday
 * to Friday of three weeks and 10-26..10-30.  Saturday 10-31 is off.
 * 3 + 3 + 5 + 5 + 5 = 21. */
static const char *const working_days[] = {
	"2026-09-28", "2026-09-29", "2026-09-30",
	"2026-10-08", "2026-10-09", "2026-10-10",
	"2026-10-12", "2026-10-13", "2026-10-14", "2026-10-15", "2026-10-16",
	"2026-10-19", "2026-10-20", "2026-10-21", "2026-10-22", "2026-10-23",
	"2026-10-26", "2026-10-27", "2026-10-28", "2026-10-29", "2026-10-30",
};

/* Patrol days (Monday and Thursday; a day off moves to the next free
 * working day of its week, or is dropped when none is left):
 *   week of 09-28: Monday 09-28; Thursday 10-01 is National Day and so is
 *                  the rest of the week: dropped;
 *   week of 10-05: Monday 10-05 is off, 10-06 and 10-07 too, Thursday
 *                  10-08 is taken: Friday 10-09; Thursday 10-08;
 *   then Monday and Thursday of each week. */
static const char *const patrol_days[] = {
	"2026-09-28", "2026-10-08", "2026-10-09", "2026-10-12", "2026-10-15",
	"2026-10-19", "2026-10-22", "2026-10-26", "2026-10-29",
};

/* Fridays 14:00: 10-02 is in the National Day holiday, no round. */
static const char *const fridays[] = { "2026-10-09", "2026-10-16", "2026-10-23", "2026-10-30" };

static void expect_month(uint64_t move_in, uint64_t storm)
{
	static const char *const butlers[] = { "li.ming", "wang.fang" };
	static const char *const zones[] = { "1#", "2#" };
	char t[64];

	n_exp = 0;
	for (size_t i = 0; i < N(working_days); i++) {
		const char *day = working_days[i];
		/* Registers an hour before work (08:30), the 9S checks 5
		 * minutes before, the daily filing when work starts. */
		for (size_t b = 0; b < N(butlers); b++) {
			snprintf(t, sizeof(t), "%sT07:30:00+08:00", day);
			expect("r18_register_read", t, "r18_register:main:%s:%s", day, butlers[b]);
		}
		snprintf(t, sizeof(t), "%sT08:25:00+08:00", day);
		expect("r01_office_check", t, "r01:main:%s", day);
		expect("r02_appearance_check", t, "r02:main:%s", day);
		snprintf(t, sizeof(t), "%sT08:30:00+08:00", day);
		expect("r24_daily_filing", t, "r24_filing:main:%s", day);
	}
	for (size_t i = 0; i < N(patrol_days); i++)
		for (size_t z = 0; z < N(zones); z++) {
			snprintf(t, sizeof(t), "%sT08:30:00+08:00", patrol_days[i]);
			expect("r16_patrol", t, "r16:main:%s:%s", patrol_days[i], zones[z]);
		}
	for (size_t i = 0; i < N(fridays); i++) {
		snprintf(t, sizeof(t), "%sT14:00:00+08:00", fridays[i]);
		expect("r03_signage_round", t, "r03:main:%s", fridays[i]);
	}
	/* The 1st at 09:00 (a holiday: the tickets are the month's to-dos). */
	expect("r12_key_count", "2026-10-01T09:00:00+08:00", "r12:main:2026-10");
	expect("r13_entrusted_inspection", "2026-10-01T09:00:00+08:00", "r13:main:2026-10:1-101");
	expect("r13_entrusted_inspection", "2026-10-01T09:00:00+08:00", "r13:main:2026-10:1-102");
	expect("r14_vacant_finished_inspection", "2026-10-01T09:00:00+08:00",
	       "r14:main:2026-10:3-301");
	/* Every second month: February, April, ..., October, December. */
	expect("r15_vacant_shell_inspection", "2026-10-01T09:00:00+08:00",
	       "r15:main:2026-10:4-401");
	expect("r25_paid_entrusted_service", "2026-10-01T09:00:00+08:00",
	       "r25:main:2026-10:2-201:airing1");
	expect("r25_paid_entrusted_service", "2026-10-01T09:00:00+08:00",
	       "r25:main:2026-10:2-201:cleaning1");
	expect("r25_paid_entrusted_service", "2026-10-16T09:00:00+08:00",
	       "r25:main:2026-10:2-201:airing2");
	expect("r21_fee_account", "2026-10-01T09:00:00+08:00", "r21_accounts:main:2026-10:1-101");
	expect("r21_fee_account", "2026-10-01T09:00:00+08:00", "r21_accounts:main:2026-10:1-102");
	expect("r23_quality_brief", "2026-10-01T09:00:00+08:00", "r23_brief:main:2026-10");
	expect("r24_index_update", "2026-10-01T09:00:00+08:00", "r24_index:main:2026-10");
	/* The meeting of Thursday 10-15, opened a week before; November's
	 * (the 15th a Sunday: Monday 11-16) opens 11-09, after the window. */
	expect("r23_monthly_meeting", "2026-10-08T09:00:00+08:00", "r23_meeting:main:2026-10");
	/* The community event of 11-14, opened 30 days before. */
	expect("r27_community_event", "2026-10-15T09:00:00+08:00",
	       "r27_event:main:2026-11-14T1500");
	expect("r22_statistics", "2026-10-21T09:00:00+08:00", "r22:main:2026-10");
	expect("r24_backup", "2026-10-23T09:00:00+08:00", "r24_backup:main:2026-10");
	/* On events, at the instant of the event. */
	expect("r18_new_resident_visit", "2026-10-14T10:00:00+08:00", "r18_visit:main:%llu",
	       (unsigned long long)move_in);
	expect("r13_entrusted_inspection", "2026-10-20T10:00:00+08:00", "storm:main:%llu:r13:1-101",
	       (unsigned long long)storm);
	expect("r13_entrusted_inspection", "2026-10-20T10:00:00+08:00", "storm:main:%llu:r13:1-102",
	       (unsigned long long)storm);
	expect("r25_paid_entrusted_service", "2026-10-20T10:00:00+08:00",
	       "storm:main:%llu:r25:2-201", (unsigned long long)storm);
	expect("r14_vacant_finished_inspection", "2026-10-20T10:00:00+08:00",
	       "storm:main:%llu:r14:3-301", (unsigned long long)storm);
	expect("r15_vacant_shell_inspection", "2026-10-20T10:00:00+08:00",
	       "storm:main:%llu:r15:4-401", (unsigned long long)storm);
	/* R28a: National Day's contact tasks were due on 09-23, before the
	 * window, and the next holiday (New Year 2027) is not in the calendar
	 * yet: none here (see the holiday concierge test). */
}

/* The daemon is down from here to `restart`. */
static const char *const down_from = "2026-10-09T12:00:00+08:00";
static const char *const down_until = "2026-10-13T10:00:00+08:00";

START_TEST(month_of_national_day_without_duplicate_or_missed_occurrence)
{
	const char *visit_kv[] = { "butler=li.ming", "unit=1-301", "interview=kitchen tap drips" };
	const char *survey_kv[] = { "butler=li.ming", "unit=1-302", "method=phone",
				    "opinion=lobby too dark" };
	const char *visit_wf[] = { "butler=wang.fang", "unit=2-101", "interview=all well" };
	const char *movein_kv[] = { "unit=6-601", "owner_name=Li Si" };
	const char *storm_kv[] = { "kind=typhoon", "location=whole estate" };
	const char *phone[] = { "method=phone" };
	static const char *const steps[] = { "verify_identity", "sign_documents", "pay_fees",
					     "hand_over_keys", "complete" };
	uint64_t move_in, storm, acc_101 = 0, acc_102 = 0, ids[16];
	size_t before, late_before, n_ids = 0;
	char *text;

	write_config(config_month);
	start("2026-09-28T00:00:00+08:00");

	/* September's visits and surveys: li.ming makes the 7 and 7,
	 * wang.fang 2 visits and no survey. */
	days_to(it_at("2026-09-28T10:00:00+08:00"));
	for (int i = 0; i < 7; i++) {
		it_open_as("li.ming", "butler", "r18_household_visit", NULL, visit_kv, N(visit_kv));
		it_open_as("li.ming", "butler", "r18_survey", NULL, survey_kv, N(survey_kv));
	}
	for (int i = 0; i < 2; i++)
		it_open_as("wang.fang", "butler", "r18_household_visit", NULL, visit_wf,
			   N(visit_wf));

	/* A day at a time until the daemon goes down. */
	days_to(it_at(down_from));
	text = last_notice("r18_minimum", NULL, NULL, 0);
	ck_assert_msg(strstr(text, "for 2026-09") && strstr(text, "- li.ming: 7 visits, 7 surveys: met") &&
		      strstr(text, "- wang.fang: 2 visits, 0 surveys: below the minimum"), "%s", text);
	free(text);
	load_all();
	ck_assert_uint_eq(count_late(), 0);
	before = n_all;

	/* Down from Friday 10-09 12:00 to Tuesday 10-13 10:00: the round of
	 * Friday 14:00, the make-up Saturday 10-10, Monday 10-12 and the
	 * morning of 10-13 are opened at the start, late and marked. */
	it_stop(false);
	start(down_until);
	load_all();
	/* 10-09 r03; 10-10: 2 registers, r01, r02, filing; 10-12: the same 5
	 * and 2 patrols; 10-13: the same 5. */
	ck_assert_uint_eq(count_late(), 1 + 5 + 7 + 5);
	ck_assert_uint_eq(n_all, before + 18);
	late_before = n_all;
	ck_assert_uint_ge(log_count("caught up on 18 occurrences"), 1);

	/* Killed and started again at the same instant: nothing twice. */
	it_stop(true);
	start(down_until);
	load_all();
	ck_assert_uint_eq(n_all, late_before);

	/* A move-in completed: the visit to the new resident. */
	days_to(it_at("2026-10-14T10:00:00+08:00"));
	move_in = it_open_as("li.ming", "butler", "r05_move_in_first_hand", NULL, movein_kv,
			     N(movein_kv));
	for (size_t i = 0; i < N(steps); i++)
		it_fire_as("li.ming", "butler", move_in, steps[i], NULL, 0);
	load_all();
	{
		const Guanjia__Ticket *v = ticket(move_in + 1);
		ck_assert_str_eq(v->workflow, "r18_new_resident_visit");
		assert_field(v, "unit", "6-601");
		assert_field(v, "butler", "li.ming");
		assert_field(v, "resident", "Li Si");
		/* 3 working days from Wednesday 10-14: 10-15, 10-16, 10-19. */
		ck_assert_int_eq(v->clocks[0]->deadline, it_at("2026-10-19T17:30:00+08:00"));
	}
	/* The fee accounts opened on the 1st: 1-101 reminded, 1-102 not. */
	for (size_t i = 0; i < n_all; i++)
		if (strcmp(all[i]->workflow, "r21_fee_account") == 0) {
			if (strcmp(it_field(all[i], "household"), "1-101") == 0)
				acc_101 = all[i]->id;
			else
				acc_102 = all[i]->id;
		}
	ck_assert(acc_101 && acc_102);
	it_fire_as("li.ming", "butler", acc_101, "remind", phone, N(phone));

	/* A typhoon: the storm round, in the rulebook's priority order. */
	days_to(it_at("2026-10-20T10:00:00+08:00"));
	storm = it_open_as("xu.bing", "security", "r28b_special_event", NULL, storm_kv,
			   N(storm_kv));
	load_all();
	{
		static const struct {
			const char *wf, *unit, *priority;
		} order[] = {
			{ "r13_entrusted_inspection", "1-101", "1" },
			{ "r13_entrusted_inspection", "1-102", "1" },
			{ "r25_paid_entrusted_service", "2-201", "1" },
			{ "r14_vacant_finished_inspection", "3-301", "2" },
			{ "r15_vacant_shell_inspection", "4-401", "3" },
		};
		char sid[24];
		snprintf(sid, sizeof(sid), "%llu", (unsigned long long)storm);
		for (size_t i = 0; i < N(order); i++) {
			const Guanjia__Ticket *tk = ticket(storm + 1 + i);
			ck_assert_str_eq(tk->workflow, order[i].wf);
			assert_field(tk, "unit", order[i].unit);
			assert_field(tk, "priority", order[i].priority);
			assert_field(tk, "storm", sid);
			assert_field(tk, "storm_kind", "typhoon");
		}
		assert_field(ticket(storm + 3), "service", "storm_check");
		assert_time_field(ticket(storm + 1), "visit_by", "2026-10-20T14:00:00+08:00");
		assert_time_field(ticket(storm + 4), "visit_by", "2026-10-20T18:00:00+08:00");
		assert_time_field(ticket(storm + 5), "visit_by", "2026-10-21T10:00:00+08:00");
		text = last_notice("storm_round", &n_ids, ids, N(ids));
		ck_assert_uint_eq(n_ids, 5);
		for (size_t i = 0; i < 5; i++)
			ck_assert_uint_eq(ids[i], storm + 1 + i);
		free(text);
	}

	/* The 28th, 16:00: the reminded account goes to the manager; the
	 * other cannot be handed over without a reminder. */
	days_to(it_at("2026-10-28T16:00:00+08:00") - 1);
	load_all();
	ck_assert_str_eq(ticket(acc_101)->state, "unpaid");
	it_advance(1);
	load_all();
	ck_assert_str_eq(ticket(acc_101)->state, "with_manager");
	ck_assert_str_eq(ticket(acc_102)->state, "unpaid");
	text = last_notice("r21_hand_over", NULL, NULL, 0);
	ck_assert_msg(strstr(text, "1 unpaid accounts of 2026-10 handed over to the manager: 1-101") &&
		      strstr(text, "1 not handed over") && strstr(text, "1-102"), "%s", text);
	free(text);

	/* To the last minute of the month. */
	days_to(it_at("2026-10-31T23:59:00+08:00"));
	load_all();
	expect_month(move_in, storm);

	/* Counts by hand: 21 working days (2 registers, r01, r02, filing);
	 * 9 patrol days x 2 zones; 4 Fridays; 16 monthly tickets (r12, 2
	 * r13, r14, r15, 3 r25, 2 fee accounts, brief, index, meeting, event,
	 * r22, backup); 1 visit and 5 storm inspections on events.  Per
	 * workflow: R13 2 + 2 (storm); R14, R15: 1 + 1; R25: 3 + 1. */
	ck_assert_uint_eq(n_exp, 21 * 5 + 9 * 2 + 4 + 16 + 6);
	ck_assert_uint_eq(count_workflow("r01_office_check"), 21);
	ck_assert_uint_eq(count_workflow("r02_appearance_check"), 21);
	ck_assert_uint_eq(count_workflow("r24_daily_filing"), 21);
	ck_assert_uint_eq(count_workflow("r18_register_read"), 42);
	ck_assert_uint_eq(count_workflow("r16_patrol"), 18);
	ck_assert_uint_eq(count_workflow("r03_signage_round"), 4);
	ck_assert_uint_eq(count_workflow("r13_entrusted_inspection"), 4);
	ck_assert_uint_eq(count_workflow("r14_vacant_finished_inspection"), 2);
	ck_assert_uint_eq(count_workflow("r15_vacant_shell_inspection"), 2);
	ck_assert_uint_eq(count_workflow("r25_paid_entrusted_service"), 4);
	ck_assert_uint_eq(count_workflow("r23_monthly_meeting"), 1);
	ck_assert_uint_eq(count_workflow("r28a_holiday_contact"), 0);

	/* Every occurrence once, at its instant, or late and marked when the
	 * daemon was down at it. */
	for (size_t i = 0; i < n_exp; i++) {
		const struct expected *e = &exp_list[i];
		const Guanjia__Ticket *tk = by_occurrence(e->key);
		ck_assert_msg(strcmp(tk->workflow, e->workflow) == 0, "%s: %s, want %s", e->key,
			      tk->workflow, e->workflow);
		if (e->at > it_at(down_from) && e->at <= it_at(down_until)) {
			char when[40];
			gj_time_format(e->at, 480, when, sizeof(when));
			assert_field(tk, "generated_late", "true");
			assert_time_field(tk, "scheduled_for", when);
			ck_assert_msg(tk->opened_at == it_at(down_until), "%s opened at %lld",
				      e->key, (long long)tk->opened_at);
		} else {
			ck_assert_msg(it_field(tk, "generated_late") == NULL, "%s marked late",
				      e->key);
			ck_assert_msg(tk->opened_at == e->at, "%s opened at %lld, scheduled %lld",
				      e->key, (long long)tk->opened_at, (long long)e->at);
		}
	}
	/* ...and nothing else. */
	for (size_t i = 0; i < n_all; i++) {
		const char *o = it_field(all[i], "occurrence");
		bool known = false;
		if (!o)
			continue;
		for (size_t j = 0; j < n_exp && !known; j++)
			known = strcmp(exp_list[j].key, o) == 0;
		ck_assert_msg(known, "ticket %llu: unexpected occurrence %s",
			      (unsigned long long)all[i]->id, o);
	}
	ck_assert_uint_eq(count_late(), 18);

	/* The dates of the tickets, on the calendar. */
	assert_time_field(by_occurrence("r03:main:2026-10-16"), "round_until",
			  "2026-10-16T16:00:00+08:00");
	assert_time_field(by_occurrence("r16:main:2026-10-09:1#"), "patrol_by",
			  "2026-10-09T17:30:00+08:00");
	assert_field(by_occurrence("r16:main:2026-10-09:1#"), "butler", "wang.fang");
	assert_time_field(by_occurrence("r18_register:main:2026-10-10:li.ming"), "due_by",
			  "2026-10-10T08:30:00+08:00");
	/* Inspections within the month: the close of its last working day,
	 * Friday 10-30; shell units within two months: Monday 11-30. */
	assert_time_field(by_occurrence("r13:main:2026-10:1-101"), "visit_by",
			  "2026-10-30T17:30:00+08:00");
	assert_time_field(by_occurrence("r15:main:2026-10:4-401"), "visit_by",
			  "2026-11-30T17:30:00+08:00");
	assert_time_field(by_occurrence("r25:main:2026-10:2-201:airing1"), "visit_by",
			  "2026-10-15T17:30:00+08:00");
	assert_time_field(by_occurrence("r12:main:2026-10"), "count_by",
			  "2026-10-30T17:30:00+08:00");
	/* "By the 5th": Monday 10-05 is National Day, so the next working day,
	 * Thursday 10-08 (Civil Code art. 203). */
	assert_time_field(by_occurrence("r23_brief:main:2026-10"), "due_by",
			  "2026-10-08T17:30:00+08:00");
	assert_time_field(by_occurrence("r24_index:main:2026-10"), "due_by",
			  "2026-10-08T17:30:00+08:00");
	assert_time_field(by_occurrence("r24_backup:main:2026-10"), "due_by",
			  "2026-10-30T17:30:00+08:00");
	assert_time_field(by_occurrence("r21_accounts:main:2026-10:1-101"), "due_by",
			  "2026-10-28T17:30:00+08:00");
	assert_field(by_occurrence("r21_accounts:main:2026-10:1-102"), "amount", "280.00");
	assert_time_field(by_occurrence("r23_meeting:main:2026-10"), "meeting_at",
			  "2026-10-15T14:00:00+08:00");
	/* R22: collected by the close of 10-30, summarised by Thursday 11-05,
	 * presented at the November meeting: the 15th is a Sunday, the
	 * nearest working day Monday 11-16. */
	assert_time_field(by_occurrence("r22:main:2026-10"), "collect_by",
			  "2026-10-30T17:30:00+08:00");
	assert_time_field(by_occurrence("r22:main:2026-10"), "due_by",
			  "2026-11-05T17:30:00+08:00");
	assert_time_field(by_occurrence("r22:main:2026-10"), "present_by",
			  "2026-11-16T14:00:00+08:00");
	assert_time_field(by_occurrence("r27_event:main:2026-11-14T1500"), "event_date",
			  "2026-11-14T15:00:00+08:00");
	assert_time_field(by_occurrence("r27_event:main:2026-11-14T1500"), "plan_by",
			  "2026-10-25T15:00:00+08:00");
	assert_field(by_occurrence("r27_event:main:2026-11-14T1500"), "activity",
		     "Autumn tea party");
	/* Every generated ticket was opened by the plugin, as the workflow's
	 * first open role. */
	ck_assert_str_eq(by_occurrence("r01:main:2026-10-10")->opened_by, "generator");
	free_all();

	/* The month's report over what the generator opened: October's 18
	 * working days gave 18 office and 18 appearance checks, none recorded
	 * in its 5 minutes (nobody did them in this test): all breached. */
	{
		char cmd[1024], out[65536];
		size_t n;
		FILE *p;
		snprintf(cmd, sizeof(cmd), "%s --connect %s --timeout 30000 report --month 2026-10 "
			 "--estate main --json", GJ_GJ_PATH, it_daemon.cmd_url);
		p = popen(cmd, "r");
		ck_assert_ptr_nonnull(p);
		n = fread(out, 1, sizeof(out) - 1, p);
		out[n] = 0;
		ck_assert_int_eq(pclose(p), 0);
		ck_assert_msg(strstr(out, "{\"rule\":\"R01\",\"tickets\":18,\"cancelled\":0,"
				     "\"clocks\":18,\"met\":0,\"breached\":18,") != NULL, "%s", out);
		ck_assert_msg(strstr(out, "{\"rule\":\"R02\",\"tickets\":18,\"cancelled\":0,"
				     "\"clocks\":18,\"met\":0,\"breached\":18,") != NULL, "%s", out);
	}
}
END_TEST

/* --- R28a ------------------------------------------------------------- */

static const char *const config_holidays =
	"generator:\n"
	"  serve: [main]\n"
	"  schedules: [r28a]\n"
	"  estates:\n"
	"    main:\n"
	"      non_resident_owners: [\"Zhang San=5-501\", \"Li Hua\"]\n"
	"  holiday_names:\n"
	"    \"2026-09-25\": Mid-Autumn Festival\n"
	"    \"2026-10-01\": National Day\n";

START_TEST(holiday_concierge_five_working_days_before_each_holiday)
{
	const Guanjia__Ticket *tk;

	/* The Mid-Autumn Festival (09-25..09-27): counting back 09-24, 09-23,
	 * 09-22, 09-21 and the make-up Sunday 09-20, the 5th working day.
	 * National Day (10-01..10-07): 09-30, 09-29, 09-28, the festival
	 * skipped, 09-24, 09-23. */
	write_config(config_holidays);
	start("2026-09-14T00:00:00+08:00");
	days_to(it_at("2026-09-20T09:00:00+08:00") - 1);
	load_all();
	ck_assert_uint_eq(n_all, 0);
	days_to(it_at("2026-10-31T23:59:00+08:00"));
	load_all();
	ck_assert_uint_eq(n_all, 4);
	ck_assert_uint_eq(count_workflow("r28a_holiday_contact"), 4);

	tk = by_occurrence("r28a:main:2026-09-25:Zhang San");
	ck_assert_int_eq(tk->opened_at, it_at("2026-09-20T09:00:00+08:00"));
	assert_field(tk, "owner", "Zhang San");
	assert_field(tk, "unit", "5-501");
	assert_field(tk, "holiday", "Mid-Autumn Festival 2026-09-25");
	assert_field(tk, "holiday_end", "2026-09-27");
	assert_time_field(tk, "contact_by", "2026-09-20T17:30:00+08:00");
	tk = by_occurrence("r28a:main:2026-09-25:Li Hua");
	ck_assert(it_field(tk, "unit") == NULL);

	tk = by_occurrence("r28a:main:2026-10-01:Zhang San");
	ck_assert_int_eq(tk->opened_at, it_at("2026-09-23T09:00:00+08:00"));
	assert_field(tk, "holiday", "National Day 2026-10-01");
	assert_field(tk, "holiday_end", "2026-10-07");
	assert_time_field(tk, "contact_by", "2026-09-23T17:30:00+08:00");
	tk = by_occurrence("r28a:main:2026-10-01:Li Hua");
	ck_assert_int_eq(tk->opened_at, it_at("2026-09-23T09:00:00+08:00"));
	free_all();
}
END_TEST

/* --- yearly schedules, the first start, a workflow not loaded ---------- */

static const char *const config_yearly =
	"generator:\n"
	"  serve: [main]\n"
	"  schedules: [r23_meeting, r27_plan, r26b, r15, r12]\n"
	"  r12: {workflow: no_such_workflow}\n"
	"  estates:\n"
	"    main:\n"
	"      vacant_shell: [\"4-401\"]\n";

START_TEST(yearly_schedules_first_start_and_a_missing_workflow)
{
	const Guanjia__Ticket *tk;

	/* First start on Monday 11-09 at 10:00: November's meeting (Monday
	 * 11-16, the 15th being a Sunday) was to open at 09:00 today; the
	 * first start does not backfill, so it never opens. */
	write_config(config_yearly);
	start("2026-11-09T10:00:00+08:00");
	days_to(it_at("2027-01-05T00:00:00+08:00"));
	load_all();
	ck_assert_uint_eq(n_all, 4);

	/* Next year's community-event plan on November 15: submitted by the
	 * 5th of December (a Saturday: Monday 12-07), approved by the end of
	 * January (2027 is not in the calendar yet: Friday 01-29). */
	tk = by_occurrence("r27_plan:main:2027");
	ck_assert_str_eq(tk->workflow, "r27_event_plan");
	ck_assert_int_eq(tk->opened_at, it_at("2026-11-15T09:00:00+08:00"));
	assert_field(tk, "year", "2027");
	assert_time_field(tk, "submit_by", "2026-12-07T17:30:00+08:00");
	assert_time_field(tk, "approve_by", "2027-01-29T17:30:00+08:00");
	/* ... and the administrator was told that date is provisional. */
	{
		Guanjia__Reply *r = NULL;
		bool told = false;
		it_call_ok(gj_client_replay(it_client, 1, 10000, "alert.main.calendar.cn", &r), r);
		for (size_t i = 0; i < r->records->n_records; i++) {
			Guanjia__Alert *a = r->records->records[i]->alert;
			told = told || (a && strcmp(a->plugin, "generator") == 0 &&
					strstr(a->message, "no data for the year 2027"));
		}
		gj_reply_free(r);
		ck_assert_msg(told, "no calendar alert for the 2027 deadline");
	}
	/* December's meeting: Tuesday 12-15, opened a week before. */
	tk = by_occurrence("r23_meeting:main:2026-12");
	ck_assert_int_eq(tk->opened_at, it_at("2026-12-08T09:00:00+08:00"));
	assert_time_field(tk, "meeting_at", "2026-12-15T14:00:00+08:00");
	/* Shell units in December, within December and January. */
	tk = by_occurrence("r15:main:2026-12:4-401");
	ck_assert_int_eq(tk->opened_at, it_at("2026-12-01T09:00:00+08:00"));
	assert_time_field(tk, "visit_by", "2027-01-29T17:30:00+08:00");
	/* The residents' guide in January. */
	tk = by_occurrence("r26b:main:2027");
	ck_assert_str_eq(tk->workflow, "r26b_guide_update");
	ck_assert_int_eq(tk->opened_at, it_at("2027-01-01T09:00:00+08:00"));
	assert_time_field(tk, "due_by", "2027-01-29T17:30:00+08:00");
	for (size_t i = 0; i < n_all; i++)
		ck_assert_str_ne(it_field(all[i], "occurrence"), "r23_meeting:main:2026-11");

	/* The key count's workflow is not loaded: December's and January's
	 * are skipped, logged once. */
	ck_assert_uint_eq(log_count("opening a no_such_workflow ticket failed"), 1);
	free_all();
}
END_TEST

Suite *generators_suite(void)
{
	Suite *s = suite_create("generators");
	TCase *tc = tcase_create("daemon");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, it_teardown);
	tcase_add_test(tc, month_of_national_day_without_duplicate_or_missed_occurrence);
	tcase_add_test(tc, holiday_concierge_five_working_days_before_each_holiday);
	tcase_add_test(tc, yearly_schedules_first_start_and_a_missing_workflow);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return it_run(generators_suite());
}
