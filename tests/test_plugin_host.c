/*
 * test_plugin_host.c - every host function of ABI 1.1, called by the
 * test-only plugin test_abi_ok inside the real guanjiad (temporary data
 * directory, ipc:// sockets, manual clock, --plugins on the directory of
 * the test-only plugins): the daemon loads the good plugin and refuses the
 * others with their reasons; an r17_repair opened with abi_probe=yes is
 * probed in the open's own transaction (fire, open, alert, notice, history,
 * plugin clocks, all committed together, also across kill -9); the
 * plugin's clock fires once, at its time; check_event refuses a command
 * with nothing written.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guanjia.h"
#include "gj_plugin.h"
#include "itest.h"
#include "wire.h"

#define MIN 60000LL
#define START "2026-10-09T10:00:00+08:00"
#define PROBE_TAG "from-the-daemon"
#define REFUSAL "refused by the test plugin: abi_refuse=yes"

static char config[PATH_MAX];

/* The host functions, as named in abi_probe_result. */
static const char *const host_functions[] = {
	"get_ticket_field", "raise_alert", "fire_event", "open_ticket", "append_history",
	"arm_clock", "cancel_clock", "config_get", "log", "set_ticket_field",
	"working_days_deadline", "publish", "list_tickets",
	/* 1.2 */
	"kv_put", "kv_get", "arm_timer", "cancel_timer", "day_kind", "list_estates", "utc_offset",
};
#define N_HOST_FUNCTIONS (sizeof(host_functions) / sizeof(host_functions[0]))

/* Start (or restart) the daemon on its data directory. */
static void start(void)
{
	it_start(START, GJ_TEST_PLUGIN_DIR, config);
}

static void setup(void)
{
	FILE *f;

	it_setup();
	it_daemon.capture_stderr = true;
	/* The plugin's section of the configuration: config_get reads it. */
	snprintf(config, sizeof(config), "%s/plugins.yaml", it_daemon.dir);
	f = fopen(config, "w");
	ck_assert_ptr_nonnull(f);
	fputs("test_abi_ok:\n  probe_tag: " PROBE_TAG "\n  probe_tagg: misspelt\n"
	      "no_such_plugin:\n  a: 1\n", f);
	fclose(f);
}

/* "name=value" is one of the words of abi_probe_result. */
static void assert_word(const char *text, const char *word)
{
	char padded[1100], want[128];

	snprintf(padded, sizeof(padded), " %s ", text);
	snprintf(want, sizeof(want), " %s ", word);
	ck_assert_msg(strstr(padded, want) != NULL, "no '%s' in abi_probe_result: %s", word, text);
}

/* The value of a "name=value" word of abi_probe_result. */
static uint64_t word_u64(const char *text, const char *name)
{
	char want[64];
	const char *p;

	snprintf(want, sizeof(want), " %s=", name);
	p = strstr(text, want);
	ck_assert_msg(p != NULL, "no %s in abi_probe_result: %s", name, text);
	return strtoull(p + strlen(want), NULL, 10);
}

/* Open an r17_repair that the plugin probes; its reply in *ret. */
static uint64_t open_probe(Guanjia__Reply **ret)
{
	const char *kv[] = { "location=Block 2 lobby", "abi_probe=yes" };

	it_connect_as("li.ming", "butler");
	it_call_ok(gj_client_open(it_client, "r17_repair", NULL, kv, 2, NULL, ret), *ret);
	ck_assert_ptr_nonnull((*ret)->ticket);
	return (*ret)->ticket->id;
}

/* The journal records under a prefix about one ticket: how many, and
 * copies of what the last alert or notice said. */
struct found {
	size_t n;
	char topic[256];
	uint32_t alert_step;
	int alert_level;
	int64_t alert_deadline;
	char alert_plugin[64], alert_clock[64], alert_roles[128], alert_message[256];
	char notice_plugin[64], notice_name[64], notice_text[256], notice_estate[64];
	size_t notice_ids;
};

static struct found records(const char *prefix, uint64_t id)
{
	struct found f;
	Guanjia__Reply *r = NULL;

	memset(&f, 0, sizeof(f));
	it_call_ok(gj_client_replay(it_client, 1, 10000, prefix, &r), r);
	for (size_t i = 0; i < r->records->n_records; i++) {
		const Guanjia__Record *rec = r->records->records[i];
		if (rec->alert && rec->alert->ticket_id == id) {
			const Guanjia__Alert *a = rec->alert;
			f.alert_step = a->step;
			f.alert_level = a->level;
			f.alert_deadline = a->deadline;
			snprintf(f.alert_plugin, sizeof(f.alert_plugin), "%s", a->plugin);
			snprintf(f.alert_clock, sizeof(f.alert_clock), "%s", a->clock);
			snprintf(f.alert_message, sizeof(f.alert_message), "%s", a->message);
			f.alert_roles[0] = 0;
			for (size_t j = 0; j < a->n_notify_roles; j++)
				snprintf(f.alert_roles + strlen(f.alert_roles),
					 sizeof(f.alert_roles) - strlen(f.alert_roles), "%s%s",
					 j ? "," : "", a->notify_roles[j]);
		} else if (rec->notice) {
			const Guanjia__Notice *no = rec->notice;
			bool about = false;
			for (size_t j = 0; j < no->n_ticket_ids; j++)
				about = about || no->ticket_ids[j] == id;
			if (!about)
				continue;
			snprintf(f.notice_plugin, sizeof(f.notice_plugin), "%s", no->plugin);
			snprintf(f.notice_name, sizeof(f.notice_name), "%s", no->name);
			snprintf(f.notice_text, sizeof(f.notice_text), "%s", no->text);
			snprintf(f.notice_estate, sizeof(f.notice_estate), "%s", no->estate);
			f.notice_ids = no->n_ticket_ids;
		} else {
			continue;
		}
		f.n++;
		snprintf(f.topic, sizeof(f.topic), "%s", rec->topic);
	}
	gj_reply_free(r);
	return f;
}

/* Everything the probe of ticket `id` (opened at START) left behind, as
 * the daemon serves it. */
static void assert_probed(uint64_t id)
{
	const Guanjia__HistoryEntry *e = NULL;
	Guanjia__Reply *r = NULL, *rc = NULL;
	Guanjia__Ticket *tk, *child;
	const char *result;
	char word[128];
	uint64_t child_id;
	struct found f;

	tk = it_get(id, true, &r);
	result = it_field(tk, "abi_probe_result");
	ck_assert_ptr_nonnull(result);
	for (size_t i = 0; i < N_HOST_FUNCTIONS; i++) {
		snprintf(word, sizeof(word), "%s=0", host_functions[i]);
		assert_word(result, word);
	}
	/* get_ticket_field: a real field, then pseudo-fields before the fire
	 * and after it. */
	assert_word(result, "location=\"Block 2 lobby\"");
	assert_word(result, "state=reported");
	assert_word(result, "clock.dispatch.state=running");
	assert_word(result, "state_after=dispatched");
	assert_word(result, "arm_probe=0");
	assert_word(result, "probe_tag=" PROBE_TAG);
	/* The probe ticket and the one the plugin opened. */
	assert_word(result, "listed=2");
	/* 3 working days after Friday 10-09: the make-up Saturday 10-10,
	 * Monday 10-12, Tuesday 10-13, due at its close. */
	snprintf(word, sizeof(word), "deadline_ms=%lld",
		 (long long)it_at("2026-10-13T17:30:00+08:00"));
	assert_word(result, word);
	assert_word(result, "provisional=0");
	/* 1.2: the stored value read back, the calendar's day kinds
	 * (2026-10-10 a make-up day, 2026-10-01 a public holiday), the
	 * estates of the embedded estates.yaml (main, demo), +08:00. */
	snprintf(word, sizeof(word), "kv_value=%llu", (unsigned long long)id);
	assert_word(result, word);
	assert_word(result, "day_kind_makeup=2");
	assert_word(result, "known=1");
	assert_word(result, "day_kind_holiday=4");
	assert_word(result, "estates=2");
	assert_word(result, "offset=480");

	/* set_ticket_field + fire_event: dispatched inside the open. */
	ck_assert_str_eq(tk->state, "dispatched");
	ck_assert_str_eq(it_field(tk, "technician"), "abi_probe_tech");
	ck_assert_str_eq(it_field(tk, "severity"), "minor");
	ck_assert_int_eq(it_clock(tk, "dispatch")->state, GUANJIA__CLOCK_STATE__CLOCK_STOPPED);
	ck_assert_int_eq(it_clock(tk, "minor_repair")->state, GUANJIA__CLOCK_STATE__CLOCK_RUNNING);
	ck_assert_uint_eq(it_history_count(tk, "open", NULL, NULL), 1);
	ck_assert_uint_eq(it_history_count(tk, "dispatch", NULL, &e), 1);
	ck_assert_str_eq(e->person, "abi_probe");
	ck_assert_str_eq(e->role, "butler");
	ck_assert_str_eq(e->channel, "plugin:test_abi_ok");
	ck_assert_str_eq(e->from_state, "reported");
	ck_assert_str_eq(e->to_state, "dispatched");
	ck_assert_int_eq(e->at, it_at(START));

	/* append_history */
	ck_assert_uint_eq(it_history_count(tk, "note", "abi probe: every host function called once",
					   &e), 1);
	ck_assert_str_eq(e->person, "test_abi_ok");
	ck_assert_str_eq(e->channel, "plugin:test_abi_ok");

	/* arm_clock / cancel_clock: "scratch" spent, "probe" armed. */
	{
		size_t armed = 0;
		for (size_t i = 0; i < tk->n_plugin_clocks; i++) {
			const Guanjia__PluginClock *pc = tk->plugin_clocks[i];
			if (!pc->at)
				continue;
			armed++;
			ck_assert_str_eq(pc->plugin, "test_abi_ok");
			ck_assert_str_eq(pc->name, "probe");
			ck_assert_int_eq(pc->at, it_at(START) + 2 * MIN);
		}
		ck_assert_uint_eq(armed, 1);
	}
	/* The cancelled clock left nothing due: the next deadline of the
	 * daemon is the probe clock (the workflow clocks fall due later). */
	it_call_ok(gj_client_status(it_client, &rc), rc);
	ck_assert_int_eq(rc->status->now, it_at(START));
	ck_assert_int_eq(rc->status->next_deadline, it_at(START) + 2 * MIN);
	gj_reply_free(rc);

	/* open_ticket: a second r17_repair, opened by the plugin. */
	child_id = word_u64(result, "opened");
	ck_assert_uint_ne(child_id, 0);
	ck_assert_uint_ne(child_id, id);
	child = it_get(child_id, true, &rc);
	ck_assert_str_eq(child->workflow, "r17_repair");
	ck_assert_str_eq(child->estate, tk->estate);
	ck_assert_str_eq(child->state, "reported");
	ck_assert_str_eq(child->opened_by, "test_abi_ok");
	snprintf(word, sizeof(word), "opened by the abi probe of ticket %llu", (unsigned long long)id);
	ck_assert_str_eq(it_field(child, "location"), word);
	ck_assert_str_eq(it_field(child, "abi_parent"), "yes");
	ck_assert_ptr_null(it_field(child, "abi_probe_result")); /* not probed itself */
	ck_assert_int_eq(it_clock(child, "dispatch")->state, GUANJIA__CLOCK_STATE__CLOCK_RUNNING);
	gj_reply_free(rc);

	/* raise_alert: one alert, from the plugin, at step 1, to the manager. */
	f = records("alert.", id);
	ck_assert_uint_eq(f.n, 1);
	ck_assert_str_eq(f.alert_plugin, "test_abi_ok");
	ck_assert_uint_eq(f.alert_step, 1);
	ck_assert_str_eq(f.alert_clock, "dispatch");
	ck_assert_str_eq(f.alert_roles, "manager");
	ck_assert_str_eq(f.alert_message, "abi probe: an alert raised by the test plugin");
	ck_assert_int_eq(f.alert_level, GUANJIA__ALERT_LEVEL__WARNING);
	ck_assert_int_eq(f.alert_deadline, it_at(START) + 10 * MIN);
	snprintf(word, sizeof(word), "alert.%s.r17_repair.dispatch", tk->estate);
	ck_assert_str_eq(f.topic, word);

	/* publish: the notice about the probe ticket. */
	f = records("notice.", id);
	ck_assert_uint_eq(f.n, 1);
	snprintf(word, sizeof(word), "notice.%s.test_abi_ok.probe", tk->estate);
	ck_assert_str_eq(f.topic, word);
	ck_assert_str_eq(f.notice_plugin, "test_abi_ok");
	ck_assert_str_eq(f.notice_name, "probe");
	ck_assert_str_eq(f.notice_estate, tk->estate);
	ck_assert_str_eq(f.notice_text, "abi probe: a notice published by the test plugin");
	ck_assert_uint_eq(f.notice_ids, 1);
	gj_reply_free(r);
}

/* --- loading --------------------------------------------------------- */

START_TEST(daemon_loads_the_good_plugin_and_refuses_the_others)
{
	static const char *const files[] = {
		"test_abi_ok.so", "test_abi_bad_major.so", "test_abi_new_minor.so",
		"test_abi_noname.so", "test_abi_nosym.so",
	};
	char want[PATH_MAX + 128], *log;

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(want, sizeof(want), "%s/%s", GJ_TEST_PLUGIN_DIR, files[i]);
		ck_assert_msg(access(want, R_OK) == 0, "%s is not built", want);
	}
	start();
	ck_assert_msg(strstr(it_daemon.ready_line, "plugins 1\n") != NULL, "%s",
		      it_daemon.ready_line);
	log = gj_daemon_stderr(&it_daemon);
	snprintf(want, sizeof(want), "%s/test_abi_bad_major.so was built for ABI 2.0, this daemon "
		 "speaks %d.%d: rebuild it against gj_plugin.h; the daemon goes on without it",
		 GJ_TEST_PLUGIN_DIR, GJ_PLUGIN_ABI_MAJOR, GJ_PLUGIN_ABI_MINOR);
	ck_assert_msg(strstr(log, want) != NULL, "no '%s' in:\n%s", want, log);
	snprintf(want, sizeof(want), "%s/test_abi_new_minor.so was built for ABI %d.%d, this daemon "
		 "speaks %d.%d", GJ_TEST_PLUGIN_DIR, GJ_PLUGIN_ABI_MAJOR, GJ_PLUGIN_ABI_MINOR + 1,
		 GJ_PLUGIN_ABI_MAJOR, GJ_PLUGIN_ABI_MINOR);
	ck_assert_msg(strstr(log, want) != NULL, "no '%s' in:\n%s", want, log);
	snprintf(want, sizeof(want), "%s/test_abi_noname.so: descriptor has no name",
		 GJ_TEST_PLUGIN_DIR);
	ck_assert_msg(strstr(log, want) != NULL, "no '%s' in:\n%s", want, log);
	snprintf(want, sizeof(want), "%s/test_abi_nosym.so: no gj_plugin_descriptor symbol: "
		 "not a guanjia plugin", GJ_TEST_PLUGIN_DIR);
	ck_assert_msg(strstr(log, want) != NULL, "no '%s' in:\n%s", want, log);
	/* init ran (it logs) and the good one is named as loaded. */
	ck_assert_msg(strstr(log, "plugin test_abi_ok: init 42") != NULL, "%s", log);
	ck_assert_msg(strstr(log, "plugin test_abi_ok loaded") != NULL, "%s", log);
	/* Settings nobody reads are named, with their line. */
	ck_assert_msg(strstr(log, "plugin settings line 3: plugin 'test_abi_ok' has no setting "
			     "'probe_tagg' (misspelt?)") != NULL, "%s", log);
	ck_assert_msg(strstr(log, "plugin settings line 4: there is no plugin 'no_such_plugin' "
			     "loaded") != NULL, "%s", log);
	ck_assert_msg(strstr(log, "no setting 'probe_tag'") == NULL, "%s", log);
	free(log);
	ck_assert(gj_daemon_alive(&it_daemon));
}
END_TEST

/* --- the probe ------------------------------------------------------- */

START_TEST(probe_calls_every_host_function_inside_the_open)
{
	Guanjia__Reply *r = NULL;
	uint64_t id;
	char want[128], *log;

	start();
	id = open_probe(&r);
	/* The reply already shows the ticket as the plugin left it. */
	ck_assert_str_eq(r->ticket->state, "dispatched");
	ck_assert_ptr_nonnull(it_field(r->ticket, "abi_probe_result"));
	gj_reply_free(r);
	assert_probed(id);

	/* log */
	log = gj_daemon_stderr(&it_daemon);
	snprintf(want, sizeof(want), "plugin test_abi_ok: abi probe of ticket %llu done",
		 (unsigned long long)id);
	ck_assert_msg(strstr(log, want) != NULL, "%s", log);
	free(log);
}
END_TEST

START_TEST(probe_clock_fires_once_at_its_time)
{
	const Guanjia__HistoryEntry *e = NULL;
	Guanjia__Reply *r = NULL;
	Guanjia__Ticket *tk;
	char note[64];
	uint64_t id;

	start();
	id = open_probe(&r);
	gj_reply_free(r);
	snprintf(note, sizeof(note), "probe clock fired at %lld",
		 (long long)(it_at(START) + 2 * MIN));

	it_advance(2 * MIN - 1);
	tk = it_get(id, true, &r);
	ck_assert_uint_eq(it_history_count(tk, "note", "probe clock fired", NULL), 0);
	gj_reply_free(r);

	it_advance(1);
	tk = it_get(id, true, &r);
	ck_assert_uint_eq(it_history_count(tk, "note", "probe clock fired", &e), 1);
	ck_assert_str_eq(e->note, note);
	ck_assert_str_eq(e->person, "test_abi_ok");
	ck_assert_int_eq(e->at, it_at(START) + 2 * MIN);
	for (size_t i = 0; i < tk->n_plugin_clocks; i++)
		ck_assert_int_eq(tk->plugin_clocks[i]->at, 0); /* spent */
	gj_reply_free(r);

	/* Once: later turns do not fire it again. */
	it_advance(10 * MIN);
	tk = it_get(id, true, &r);
	ck_assert_uint_eq(it_history_count(tk, "note", "probe clock fired", NULL), 1);
	gj_reply_free(r);
}
END_TEST

/* The plugin timer (ABI 1.2) armed by the probe 3 minutes after the open
 * fires once, at its time, also after a restart; the one armed then
 * cancelled never fires; on_start ran at each start. */
START_TEST(probe_timer_fires_once_across_a_restart)
{
	const Guanjia__HistoryEntry *e = NULL;
	Guanjia__Reply *r = NULL;
	Guanjia__Ticket *tk;
	char note[64], *log, when[40];
	uint64_t id;
	const char *args[] = { "--manual-clock", when, "--plugins", GJ_TEST_PLUGIN_DIR,
			       "--plugin-config", config, NULL };

	start();
	id = open_probe(&r);
	gj_reply_free(r);
	it_advance(3 * MIN - 1);
	tk = it_get(id, true, &r);
	ck_assert_uint_eq(it_history_count(tk, "note", "probe timer fired", NULL), 0);
	gj_reply_free(r);

	/* Down for a minute across the timer's instant: it fires at the
	 * start, once. */
	it_stop(false);
	gj_time_format(it_at(START) + 4 * MIN, GJ_DEFAULT_UTC_OFFSET_MIN, when, sizeof(when));
	ck_assert_int_eq(gj_daemon_start(&it_daemon, args), 0);
	it_connect_as("li.ming", "butler");
	snprintf(note, sizeof(note), "probe timer fired at %lld",
		 (long long)(it_at(START) + 3 * MIN));
	tk = it_get(id, true, &r);
	ck_assert_uint_eq(it_history_count(tk, "note", "probe timer fired", &e), 1);
	ck_assert_str_eq(e->note, note);
	gj_reply_free(r);
	it_advance(30 * MIN);
	tk = it_get(id, true, &r);
	ck_assert_uint_eq(it_history_count(tk, "note", "probe timer fired", NULL), 1);
	ck_assert_uint_eq(it_history_count(tk, "note", "probe_spare fired", NULL), 0);
	gj_reply_free(r);
	log = gj_daemon_stderr(&it_daemon);
	{
		/* on_start at each of the two starts */
		size_t n = 0;
		for (const char *p = log; (p = strstr(p, "plugin test_abi_ok: on_start ")); p++)
			n++;
		ck_assert_uint_eq(n, 2);
	}
	free(log);
}
END_TEST

/* --- check_event ----------------------------------------------------- */

START_TEST(check_event_refuses_with_the_plugins_sentence_and_nothing_changes)
{
	const char *refuse_kv[] = { "abi_refuse=yes" };
	const char *open_kv[] = { "location=Gate 2", "abi_refuse=yes" };
	Guanjia__Reply *r = NULL, *before_r = NULL;
	Guanjia__Ticket *before, *tk;
	uint64_t id, seq;

	start();
	id = open_probe(&r);
	gj_reply_free(r);
	before = it_get(id, true, &before_r);
	seq = it_last_seq();

	/* A fire the workflow allows (finish, by engineering), refused by the
	 * plugin before anything is written. */
	it_connect_as("zhao.lei", "engineering");
	ck_assert_int_eq(gj_client_fire(it_client, id, "finish", refuse_kv, 1, "done", &r), 0);
	ck_assert_msg(r->outcome == GUANJIA__OUTCOME__REFUSED, "applied: %s", r->message);
	ck_assert_int_eq(r->code, GUANJIA__ERROR_CODE__REFUSED_BY_POLICY);
	ck_assert_str_eq(r->message, REFUSAL);
	gj_reply_free(r);

	tk = it_get(id, true, &r);
	ck_assert_str_eq(tk->state, "dispatched");
	ck_assert_ptr_null(it_field(tk, "abi_refuse"));
	ck_assert_uint_eq(tk->n_fields, before->n_fields);
	ck_assert_uint_eq(tk->history_len, before->history_len);
	ck_assert_uint_eq(tk->n_history, before->n_history);
	ck_assert_int_eq(tk->updated_at, before->updated_at);
	gj_reply_free(r);
	ck_assert_uint_eq(it_last_seq(), seq);

	/* An open too: no ticket, no record. */
	it_connect_as("li.ming", "butler");
	ck_assert_int_eq(gj_client_open(it_client, "r17_repair", NULL, open_kv, 2, NULL, &r), 0);
	ck_assert_msg(r->outcome == GUANJIA__OUTCOME__REFUSED, "applied: %s", r->message);
	ck_assert_int_eq(r->code, GUANJIA__ERROR_CODE__REFUSED_BY_POLICY);
	ck_assert_str_eq(r->message, REFUSAL);
	gj_reply_free(r);
	ck_assert_uint_eq(it_last_seq(), seq);
	it_call_ok(gj_client_status(it_client, &r), r);
	ck_assert_uint_eq(r->status->tickets, 2); /* the probe's and its child */
	gj_reply_free(r);

	/* The same fire without the field goes through. */
	it_connect_as("zhao.lei", "engineering");
	it_call_ok(gj_client_fire(it_client, id, "finish", NULL, 0, NULL, &r), r);
	ck_assert_str_eq(r->ticket->state, "done");
	gj_reply_free(r);
	gj_reply_free(before_r);
}
END_TEST

/* --- atomicity ------------------------------------------------------- */

START_TEST(probe_survives_kill9_right_after_the_reply)
{
	const Guanjia__HistoryEntry *e = NULL;
	Guanjia__Reply *r = NULL;
	Guanjia__Ticket *tk;
	uint64_t id;

	start();
	id = open_probe(&r);
	gj_reply_free(r);
	it_stop(true);
	ck_assert(!gj_daemon_alive(&it_daemon));

	/* Everything the plugin did was committed with the open. */
	start();
	ck_assert_msg(strstr(it_daemon.ready_line, "plugins 1\n") != NULL, "%s",
		      it_daemon.ready_line);
	assert_probed(id);
	it_call_ok(gj_client_status(it_client, &r), r);
	ck_assert_uint_eq(r->status->tickets, 2);
	gj_reply_free(r);

	/* And its clock, armed in that transaction, still fires. */
	it_advance(2 * MIN);
	tk = it_get(id, true, &r);
	ck_assert_uint_eq(it_history_count(tk, "note", "probe clock fired", &e), 1);
	gj_reply_free(r);
}
END_TEST

/* A plugin that crashes the daemon inside the open's transaction, after
 * writing through the host: after the restart there is neither the ticket
 * nor anything the plugin wrote, nor any journal record of it. */
START_TEST(crash_inside_the_callback_loses_the_trigger_and_the_plugins_writes)
{
	const char *kv[] = { "location=Block 2 lobby", "abi_crash=yes" };
	Guanjia__Reply *r = NULL;
	uint64_t seq, tickets;
	int rc;

	start();
	it_call_ok(gj_client_status(it_client, &r), r);
	seq = r->status->last_seq;
	tickets = r->status->tickets;
	gj_reply_free(r);

	gj_client_set_timeout(it_client, 3000);
	rc = gj_client_open(it_client, "r17_repair", NULL, kv, 2, NULL, &r);
	ck_assert_msg(rc != 0, "the open was answered: %s", r ? r->message : "");
	for (int i = 0; i < 300 && gj_daemon_alive(&it_daemon); i++)
		usleep(10000); /* the abort() is on its way; waited for, not assumed */
	ck_assert(!gj_daemon_alive(&it_daemon));
	it_disconnect();

	start();
	it_call_ok(gj_client_status(it_client, &r), r);
	ck_assert_uint_eq(r->status->tickets, tickets);
	ck_assert_uint_eq(r->status->last_seq, seq);
	gj_reply_free(r);
	{
		Guanjia__ListTickets filter = GUANJIA__LIST_TICKETS__INIT;
		it_call_ok(gj_client_list(it_client, &filter, &r), r);
		ck_assert_uint_eq(r->tickets->n_tickets, 0);
		gj_reply_free(r);
	}
}
END_TEST

Suite *plugin_host_suite(void)
{
	Suite *s = suite_create("plugin_host");
	TCase *tc = tcase_create("daemon");

	tcase_set_timeout(tc, 60);
	tcase_add_checked_fixture(tc, setup, it_teardown);
	tcase_add_test(tc, daemon_loads_the_good_plugin_and_refuses_the_others);
	tcase_add_test(tc, probe_calls_every_host_function_inside_the_open);
	tcase_add_test(tc, probe_clock_fires_once_at_its_time);
	tcase_add_test(tc, probe_timer_fires_once_across_a_restart);
	tcase_add_test(tc, check_event_refuses_with_the_plugins_sentence_and_nothing_changes);
	tcase_add_test(tc, probe_survives_kill9_right_after_the_reply);
	tcase_add_test(tc, crash_inside_the_callback_loses_the_trigger_and_the_plugins_writes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return it_run(plugin_host_suite());
}
