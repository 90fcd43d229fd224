/*
 * test_plugin.c - a test-only plugin (test_abi_ok.so) exercising ABI 1.2:
 * every host function is called once, where it is meant to be used.
 *
 * init only reads its configuration and logs (ticket functions work on the
 * daemon's batch transaction, which exists only during a callback: from
 * init they answer -EAGAIN).  init fails with -ECANCELED when the host's
 * config says fail_init=yes.
 *
 * on_transition of an "open" whose ticket has abi_probe=yes calls every
 * host function once on that ticket and records what each returned, as
 * "name=rc" words in the ticket's field abi_probe_result and in
 * gj_test_abi_results (read by tests with dlsym).  The probe fires
 * "dispatch" (r17_repair), opens a second r17_repair ticket, and leaves the
 * plugin clock "probe" armed 2 minutes after the open; when it falls due,
 * on_clock notes it in the ticket's history.  check_event refuses any
 * command carrying the field abi_refuse=yes.  An open with abi_crash=yes
 * makes the plugin write to its ticket and then abort() the daemon inside
 * the transaction (the atomicity test).  fini logs "fini".
 *
 * ABI 1.2 (only when the host speaks it; a 1.1 host gets "v12=skipped"):
 * the probe also stores and reads back a value (kv_put/kv_get), arms the
 * plugin timer "probe_timer" 3 minutes after the open and arms then
 * cancels "probe_spare", asks day_kind of 2026-10-10 (a make-up Saturday)
 * and 2026-10-01 (National Day), counts the estates and reads the UTC
 * offset.  on_timer notes "probe timer fired at <ms>" in the history of
 * the probed ticket (whose id it kept with kv_put); on_start logs
 * "on_start <ms>".
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "gj_plugin.h"

/** Indexes into gj_test_abi_results, one per host function. */
enum {
	R_GET_TICKET_FIELD,
	R_RAISE_ALERT,
	R_FIRE_EVENT,
	R_OPEN_TICKET,
	R_APPEND_HISTORY,
	R_ARM_CLOCK,
	R_CANCEL_CLOCK,
	R_CONFIG_GET,
	R_LOG,
	R_SET_TICKET_FIELD,
	R_WORKING_DAYS_DEADLINE,
	R_PUBLISH,
	R_LIST_TICKETS,
	R_KV_PUT,
	R_KV_GET,
	R_ARM_TIMER,
	R_CANCEL_TIMER,
	R_DAY_KIND,
	R_LIST_ESTATES,
	R_UTC_OFFSET,
	R_COUNT
};

/* What tests read with dlsym.  A result is 1 until its function was called
 * by the probe, then what the function returned. */
GJ_PLUGIN_EXPORT int gj_test_abi_results[R_COUNT];
GJ_PLUGIN_EXPORT int gj_test_abi_init_calls;
GJ_PLUGIN_EXPORT int gj_test_abi_probe_calls;
GJ_PLUGIN_EXPORT int gj_test_abi_clock_calls;
GJ_PLUGIN_EXPORT int gj_test_abi_check_calls;
GJ_PLUGIN_EXPORT int gj_test_abi_clock_result = 1;
GJ_PLUGIN_EXPORT int gj_test_abi_store_result = 1; /* storing abi_probe_result */
GJ_PLUGIN_EXPORT uint64_t gj_test_abi_opened_id;
GJ_PLUGIN_EXPORT size_t gj_test_abi_listed;
GJ_PLUGIN_EXPORT int64_t gj_test_abi_deadline_ms;
GJ_PLUGIN_EXPORT int gj_test_abi_timer_calls;
GJ_PLUGIN_EXPORT int gj_test_abi_start_calls;

/** How far after the open the "probe_timer" plugin timer falls due. */
#define PROBE_TIMER_AFTER_MS INT64_C(180000)

/** How far after the open the "probe" clock falls due. */
#define PROBE_CLOCK_AFTER_MS INT64_C(120000)

struct state {
	const struct gj_host_api *host;
	void *ctx;
};

/* The text stored as abi_probe_result: "name=value" words. */
struct text {
	char buf[1024];
	size_t len;
};

static void add(struct text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->len >= sizeof(t->buf) - 1)
		return;
	if (t->len)
		t->buf[t->len++] = ' ';
	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		t->len += (size_t)n < sizeof(t->buf) - t->len ? (size_t)n : sizeof(t->buf) - t->len - 1;
}

static void record(struct text *t, int idx, const char *name, int rc)
{
	gj_test_abi_results[idx] = rc;
	add(t, "%s=%d", name, rc);
}

/* Read a field into t as "label=value" ("label=\"value\"" when quoted: a
 * free text), or "label=!rc" on failure. */
static int read_into(struct state *s, struct text *t, uint64_t id, const char *field,
		     const char *label, int quoted)
{
	char buf[128];
	int rc = s->host->get_ticket_field(s->ctx, id, field, buf, sizeof(buf));

	if (rc == 0)
		add(t, quoted ? "%s=\"%s\"" : "%s=%s", label, buf);
	else
		add(t, "%s=!%d", label, rc);
	return rc;
}

static int count_ticket(void *arg, uint64_t ticket_id)
{
	size_t *n = arg;

	(*n)++;
	return 0;
}

static int count_estate(void *arg, const char *estate)
{
	size_t *n = arg;

	(*n)++;
	return 0;
}

/* The 1.2 functions, when the host has them. */
static void probe_v12(struct state *s, struct text *t, const struct gj_plugin_transition *tr)
{
	const struct gj_host_api *h = s->host;
	void *ctx = s->ctx;
	char buf[32], idtext[24];
	size_t estates = 0;
	int rc, known = -1, offset = 0;

	if (h->abi_minor < 2) {
		add(t, "v12=skipped");
		return;
	}
	snprintf(idtext, sizeof(idtext), "%llu", (unsigned long long)tr->ticket_id);
	rc = h->kv_put(ctx, "probe_ticket", idtext);
	record(t, R_KV_PUT, "kv_put", rc);
	rc = h->kv_get(ctx, "probe_ticket", buf, sizeof(buf));
	record(t, R_KV_GET, "kv_get", rc);
	add(t, "kv_value=%s", rc == 0 ? buf : "");

	rc = h->arm_timer(ctx, "probe_spare", tr->at_ms + PROBE_TIMER_AFTER_MS);
	if (rc == 0)
		rc = h->cancel_timer(ctx, "probe_spare");
	record(t, R_CANCEL_TIMER, "cancel_timer", rc);
	rc = h->arm_timer(ctx, "probe_timer", tr->at_ms + PROBE_TIMER_AFTER_MS);
	record(t, R_ARM_TIMER, "arm_timer", rc);

	rc = h->day_kind(ctx, tr->estate, 2026, 10, 10, &known);
	add(t, "day_kind_makeup=%d known=%d", rc, known);
	gj_test_abi_results[R_DAY_KIND] = rc == GJ_PLUGIN_DAY_MAKEUP ? 0 : rc < 0 ? rc : -EBADMSG;
	rc = h->day_kind(ctx, tr->estate, 2026, 10, 1, NULL);
	add(t, "day_kind_holiday=%d", rc);
	if (gj_test_abi_results[R_DAY_KIND] == 0 && rc != GJ_PLUGIN_DAY_HOLIDAY)
		gj_test_abi_results[R_DAY_KIND] = rc < 0 ? rc : -EBADMSG;
	add(t, "day_kind=%d", gj_test_abi_results[R_DAY_KIND]);

	rc = h->list_estates(ctx, count_estate, &estates);
	record(t, R_LIST_ESTATES, "list_estates", rc);
	add(t, "estates=%zu", estates);
	rc = h->utc_offset(ctx, tr->estate, &offset);
	record(t, R_UTC_OFFSET, "utc_offset", rc);
	add(t, "offset=%d", offset);
}

static int init(const struct gj_host_api *host, void *ctx, void **ret_state)
{
	const char *v;
	struct state *s;
	int i;

	gj_test_abi_init_calls++;
	if (host->abi_major != GJ_PLUGIN_ABI_MAJOR || host->abi_minor < 1)
		return -EPROTO;
	for (i = 0; i < R_COUNT; i++)
		gj_test_abi_results[i] = 1;
	/* Configuration only: ticket functions answer -EAGAIN here. */
	v = host->config_get(ctx, "fail_init");
	if (v && strcmp(v, "yes") == 0)
		return -ECANCELED;
	(void)host->config_get(ctx, "probe_tag"); /* read by the probe; named here */
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->host = host;
	s->ctx = ctx;
	host->log(ctx, GJ_PLUGIN_LOG_INFO, "init %d", 42);
	*ret_state = s;
	return 0;
}

static void fini(void *state)
{
	struct state *s = state;

	s->host->log(s->ctx, GJ_PLUGIN_LOG_INFO, "fini");
	free(s);
}

static int on_alert(void *state, const struct gj_plugin_alert *alert)
{
	return 0;
}

/* Every host function once, on the ticket tr is about. */
static int probe(struct state *s, const struct gj_plugin_transition *tr)
{
	static const char *const roles[] = { "manager" };
	const struct gj_host_api *h = s->host;
	void *ctx = s->ctx;
	uint64_t id = tr->ticket_id, child = 0;
	char location[96];
	struct gj_plugin_kv kv[2];
	struct text t = { .len = 0 };
	const char *tag;
	int64_t deadline = 0;
	int prov = 0, rc;
	size_t listed = 0;

	gj_test_abi_probe_calls++;
	/* Reads: a real field, then pseudo-fields, before anything moves. */
	rc = read_into(s, &t, id, "location", "location", 1);
	record(&t, R_GET_TICKET_FIELD, "get_ticket_field", rc);
	read_into(s, &t, id, "state", "state", 0);
	read_into(s, &t, id, "clock.dispatch.state", "clock.dispatch.state", 0);

	rc = h->raise_alert(ctx, id, "dispatch", 1, roles, 1,
			    "abi probe: an alert raised by the test plugin");
	record(&t, R_RAISE_ALERT, "raise_alert", rc);

	/* dispatch requires technician and severity. */
	rc = h->set_ticket_field(ctx, id, "technician", "abi_probe_tech");
	if (rc == 0)
		rc = h->set_ticket_field(ctx, id, "severity", "minor");
	record(&t, R_SET_TICKET_FIELD, "set_ticket_field", rc);
	rc = h->fire_event(ctx, id, "dispatch", "abi_probe", "butler");
	record(&t, R_FIRE_EVENT, "fire_event", rc);
	read_into(s, &t, id, "state", "state_after", 0);

	snprintf(location, sizeof(location), "opened by the abi probe of ticket %llu",
		 (unsigned long long)id);
	kv[0].key = "location";
	kv[0].value = location;
	kv[1].key = "abi_parent";
	kv[1].value = "yes";
	rc = h->open_ticket(ctx, tr->workflow, tr->estate, kv, 2, &child);
	record(&t, R_OPEN_TICKET, "open_ticket", rc);
	gj_test_abi_opened_id = child;
	add(&t, "opened=%llu", (unsigned long long)child);

	rc = h->append_history(ctx, id, "abi probe: every host function called once");
	record(&t, R_APPEND_HISTORY, "append_history", rc);

	/* One clock armed then cancelled, another left armed. */
	rc = h->arm_clock(ctx, id, "scratch", tr->at_ms + 60000);
	record(&t, R_ARM_CLOCK, "arm_clock", rc);
	rc = h->cancel_clock(ctx, id, "scratch");
	record(&t, R_CANCEL_CLOCK, "cancel_clock", rc);
	rc = h->arm_clock(ctx, id, "probe", tr->at_ms + PROBE_CLOCK_AFTER_MS);
	add(&t, "arm_probe=%d", rc);
	if (rc && gj_test_abi_results[R_ARM_CLOCK] == 0)
		gj_test_abi_results[R_ARM_CLOCK] = rc;

	rc = h->working_days_deadline(ctx, tr->estate, tr->at_ms, 3, &deadline, &prov);
	record(&t, R_WORKING_DAYS_DEADLINE, "working_days_deadline", rc);
	gj_test_abi_deadline_ms = deadline;
	add(&t, "deadline_ms=%lld provisional=%d", (long long)deadline, prov);

	rc = h->publish(ctx, tr->estate, "probe", "abi probe: a notice published by the test plugin",
			&id, 1);
	record(&t, R_PUBLISH, "publish", rc);

	rc = h->list_tickets(ctx, tr->estate, tr->workflow, NULL, 1, count_ticket, &listed);
	record(&t, R_LIST_TICKETS, "list_tickets", rc);
	gj_test_abi_listed = listed;
	add(&t, "listed=%zu", listed);

	/* config_get has no error code: found is 0, absent -ENOENT. */
	tag = h->config_get(ctx, "probe_tag");
	record(&t, R_CONFIG_GET, "config_get", tag ? 0 : -ENOENT);
	add(&t, "probe_tag=%s", tag ? tag : "");

	probe_v12(s, &t, tr);

	h->log(ctx, GJ_PLUGIN_LOG_INFO, "abi probe of ticket %llu done",
	       (unsigned long long)id);
	record(&t, R_LOG, "log", 0);

	gj_test_abi_store_result = h->set_ticket_field(ctx, id, "abi_probe_result", t.buf);
	return gj_test_abi_store_result;
}

static int on_transition(void *state, const struct gj_plugin_transition *tr)
{
	struct state *s = state;
	char buf[8];

	if (strcmp(tr->event, "open") != 0)
		return 0;
	/* abi_crash=yes: write through the host, then die in the middle of
	 * the transaction, as a buggy plugin might: after a restart neither
	 * the open nor these writes may be there. */
	if (s->host->get_ticket_field(s->ctx, tr->ticket_id, "abi_crash", buf, sizeof(buf)) == 0 &&
	    strcmp(buf, "yes") == 0) {
		s->host->set_ticket_field(s->ctx, tr->ticket_id, "written_before_crash", "yes");
		s->host->append_history(s->ctx, tr->ticket_id, "written before the crash");
		{
			struct rlimit none = { 0, 0 }; /* no core file left behind */
			setrlimit(RLIMIT_CORE, &none);
		}
		abort();
	}
	if (s->host->get_ticket_field(s->ctx, tr->ticket_id, "abi_probe", buf, sizeof(buf)) != 0 ||
	    strcmp(buf, "yes") != 0)
		return 0;
	return probe(s, tr);
}

static int on_clock(void *state, const struct gj_plugin_clock *clock)
{
	struct state *s = state;
	char note[96];

	if (strcmp(clock->name, "probe") != 0)
		return 0;
	gj_test_abi_clock_calls++;
	snprintf(note, sizeof(note), "probe clock fired at %lld", (long long)clock->at_ms);
	gj_test_abi_clock_result = s->host->append_history(s->ctx, clock->ticket_id, note);
	return gj_test_abi_clock_result;
}

static int on_timer(void *state, const struct gj_plugin_timer *timer)
{
	struct state *s = state;
	char buf[32], note[96];
	uint64_t id;

	gj_test_abi_timer_calls++;
	if (s->host->kv_get(s->ctx, "probe_ticket", buf, sizeof(buf)) != 0)
		return 0;
	id = strtoull(buf, NULL, 10);
	/* Every timer is noted: "probe_spare" was cancelled, so its note
	 * must never appear. */
	snprintf(note, sizeof(note), "%s fired at %lld",
		 strcmp(timer->name, "probe_timer") == 0 ? "probe timer" : timer->name,
		 (long long)timer->at_ms);
	return s->host->append_history(s->ctx, id, note);
}

static int on_start(void *state, int64_t now_ms)
{
	struct state *s = state;

	gj_test_abi_start_calls++;
	s->host->log(s->ctx, GJ_PLUGIN_LOG_INFO, "on_start %lld", (long long)now_ms);
	return 0;
}

static int check_event(void *state, const struct gj_plugin_check *check, char *why,
		       size_t why_len)
{
	gj_test_abi_check_calls++;
	for (size_t i = 0; i < check->n_fields; i++)
		if (strcmp(check->fields[i].key, "abi_refuse") == 0 &&
		    strcmp(check->fields[i].value, "yes") == 0) {
			snprintf(why, why_len, "refused by the test plugin: abi_refuse=yes");
			return -EPERM;
		}
	return 0;
}

GJ_PLUGIN_EXPORT const struct gj_plugin_descriptor gj_plugin_descriptor = {
	GJ_PLUGIN_ABI_VERSION,
	.name = "test_abi_ok",
	.description = "test-only: calls every host function once, from a callback",
	.init = init,
	.fini = fini,
	.on_alert = on_alert,
	.on_transition = on_transition,
	.on_clock = on_clock,
	.check_event = check_event,
	.on_timer = on_timer,
	.on_start = on_start,
};
