/*
 * test_plugin.c - unit tests of the plugin loader against test-only modules
 * (plugins/test_abi) and a fake host (the ABI 1.1 table): the good plugin's
 * init calls no ticket function, its callbacks (on_transition, on_clock,
 * check_event) call every host function with sane arguments; the loader
 * refuses a wrong major, a newer minor, a missing name or symbol, a failing
 * init, and paths that are not regular files; loading a directory keeps the
 * good plugins and reports the others, one line each.
 */
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin.h"

/* --- the fake host ----------------------------------------------------
 *
 * Like the daemon's, it answers ticket functions only inside a callback
 * (fake.in_callback, set by the tests around each call into the plugin):
 * elsewhere they return -EAGAIN and are counted in fake.outside.  Tickets
 * live in memory: 7 (r17_repair, abi_probe=yes) and 8 (another workflow,
 * no abi_probe); open_ticket adds 99.
 */

#define MAX_TICKETS 4
#define MAX_FIELDS 16
#define MAX_CLOCKS 4
#define T0 INT64_C(1791511200000) /* 2026-10-09T10:00:00+08:00 */

struct field {
	char name[64];
	char value[1024];
};

struct ticket {
	uint64_t id;
	char workflow[32], estate[32], state[32];
	struct field fields[MAX_FIELDS];
	size_t n_fields;
};

struct pclock {
	uint64_t ticket;
	char name[32];
	int64_t at;
};

/* What the fake host holds and saw. */
struct fake {
	bool in_callback;
	int outside;            /* ticket functions called outside a callback */
	int get_ticket_field, raise_alert, fire_event, open_ticket;
	int append_history, arm_clock, cancel_clock, config_get, log;
	int set_ticket_field, working_days_deadline, publish, list_tickets;
	const char *fail_init;
	char order[512];        /* names of the state-changing calls, in order */

	struct ticket tickets[MAX_TICKETS];
	size_t n_tickets;
	struct pclock clocks[MAX_CLOCKS]; /* armed */
	size_t n_clocks;

	struct {
		uint64_t ticket;
		char clock[32], role[32], message[256];
		uint32_t level;
		size_t n;
	} alert;
	struct {
		uint64_t ticket;
		char event[32], person[32], role[32];
	} fire;
	struct {
		char workflow[32], estate[32], location[128], parent[8];
		size_t n;
	} open;
	struct {
		uint64_t ticket;
		char note[256];
	} history;
	struct {
		char estate[32];
		int64_t from;
		int32_t n;
	} wd;
	struct {
		char estate[32], name[32], text[256];
		uint64_t id0;
		size_t n;
	} notice;
	struct {
		char estate[32], workflow[32];
		bool state_any;
		int open_only;
	} list;
	char last_log[128];
};

static struct fake fake;

static struct ticket *find_ticket(uint64_t id)
{
	for (size_t i = 0; i < fake.n_tickets; i++)
		if (fake.tickets[i].id == id)
			return &fake.tickets[i];
	return NULL;
}

static struct field *find_field(struct ticket *t, const char *name)
{
	for (size_t i = 0; i < t->n_fields; i++)
		if (strcmp(t->fields[i].name, name) == 0)
			return &t->fields[i];
	return NULL;
}

static const char *field_of(uint64_t id, const char *name)
{
	struct ticket *t = find_ticket(id);
	struct field *f = t ? find_field(t, name) : NULL;

	return f ? f->value : NULL;
}

static int put_field(struct ticket *t, const char *name, const char *value)
{
	struct field *f = find_field(t, name);

	if (!f) {
		if (t->n_fields == MAX_FIELDS)
			return -ENOSPC;
		f = &t->fields[t->n_fields++];
		snprintf(f->name, sizeof(f->name), "%s", name);
	}
	snprintf(f->value, sizeof(f->value), "%s", value);
	return 0;
}

static struct ticket *add_ticket(uint64_t id, const char *workflow, const char *estate)
{
	struct ticket *t = &fake.tickets[fake.n_tickets++];

	ck_assert_uint_le(fake.n_tickets, MAX_TICKETS);
	t->id = id;
	snprintf(t->workflow, sizeof(t->workflow), "%s", workflow);
	snprintf(t->estate, sizeof(t->estate), "%s", estate);
	snprintf(t->state, sizeof(t->state), "reported");
	return t;
}

static void note_call(const char *name)
{
	strncat(fake.order, name, sizeof(fake.order) - strlen(fake.order) - 2);
	strcat(fake.order, " ");
}

/* The gate every ticket function goes through first. */
#define IN_CALLBACK() do { \
		if (!fake.in_callback) { \
			fake.outside++; \
			return -EAGAIN; \
		} \
	} while (0)

static int copy_out(char *buf, size_t len, const char *v)
{
	if (strlen(v) + 1 > len)
		return -ENOSPC;
	strcpy(buf, v);
	return 0;
}

static int fake_get_ticket_field(void *ctx, uint64_t id, const char *field,
                                 char *buf, size_t len)
{
	struct ticket *t;
	struct field *f;

	ck_assert_ptr_eq(ctx, &fake);
	fake.get_ticket_field++;
	IN_CALLBACK();
	t = find_ticket(id);
	if (!t || !field || !buf || !len)
		return -ENOENT;
	if (strcmp(field, "state") == 0)
		return copy_out(buf, len, t->state);
	if (strcmp(field, "clock.dispatch.state") == 0)
		return copy_out(buf, len, strcmp(t->state, "reported") == 0 ? "running" : "stopped");
	f = find_field(t, field);
	return f ? copy_out(buf, len, f->value) : -ENOENT;
}

static int fake_raise_alert(void *ctx, uint64_t id, const char *clock,
                            uint32_t level, const char *const roles[], size_t n,
                            const char *message)
{
	fake.raise_alert++;
	IN_CALLBACK();
	if (!find_ticket(id))
		return -ENOENT;
	if (!clock || !roles || n == 0 || !roles[0] || !message)
		return -EINVAL;
	fake.alert.ticket = id;
	snprintf(fake.alert.clock, sizeof(fake.alert.clock), "%s", clock);
	snprintf(fake.alert.role, sizeof(fake.alert.role), "%s", roles[0]);
	snprintf(fake.alert.message, sizeof(fake.alert.message), "%s", message);
	fake.alert.level = level;
	fake.alert.n = n;
	note_call("raise_alert");
	return 0;
}

/* Like the daemon's: the event's required fields must be on the ticket,
 * else the fire is refused (-EPERM). */
static int fake_fire_event(void *ctx, uint64_t id, const char *event,
                           const char *person, const char *role)
{
	struct ticket *t;

	fake.fire_event++;
	IN_CALLBACK();
	t = find_ticket(id);
	if (!t)
		return -ENOENT;
	if (!event || !person || !*person || !role)
		return -EINVAL;
	if (strcmp(event, "dispatch") != 0 || strcmp(t->state, "reported") != 0 ||
	    !field_of(id, "technician") || !field_of(id, "severity"))
		return -EPERM;
	fake.fire.ticket = id;
	snprintf(fake.fire.event, sizeof(fake.fire.event), "%s", event);
	snprintf(fake.fire.person, sizeof(fake.fire.person), "%s", person);
	snprintf(fake.fire.role, sizeof(fake.fire.role), "%s", role);
	snprintf(t->state, sizeof(t->state), "dispatched");
	note_call("fire_event");
	return 0;
}

static int fake_open_ticket(void *ctx, const char *workflow, const char *estate,
                            const struct gj_plugin_kv kv[], size_t n,
                            uint64_t *ret_id)
{
	struct ticket *t;

	fake.open_ticket++;
	IN_CALLBACK();
	if (!workflow || (n && !kv))
		return -EINVAL;
	t = add_ticket(99, workflow, estate ? estate : "main");
	for (size_t i = 0; i < n; i++)
		ck_assert_int_eq(put_field(t, kv[i].key, kv[i].value), 0);
	snprintf(fake.open.workflow, sizeof(fake.open.workflow), "%s", workflow);
	snprintf(fake.open.estate, sizeof(fake.open.estate), "%s", estate ? estate : "");
	snprintf(fake.open.location, sizeof(fake.open.location), "%s",
		 field_of(99, "location") ? field_of(99, "location") : "");
	snprintf(fake.open.parent, sizeof(fake.open.parent), "%s",
		 field_of(99, "abi_parent") ? field_of(99, "abi_parent") : "");
	fake.open.n = n;
	if (ret_id)
		*ret_id = 99;
	note_call("open_ticket");
	return 0;
}

static int fake_append_history(void *ctx, uint64_t id, const char *note)
{
	fake.append_history++;
	IN_CALLBACK();
	if (!find_ticket(id))
		return -ENOENT;
	if (!note)
		return -EINVAL;
	fake.history.ticket = id;
	snprintf(fake.history.note, sizeof(fake.history.note), "%s", note);
	note_call("append_history");
	return 0;
}

static struct pclock *find_clock(uint64_t id, const char *name)
{
	for (size_t i = 0; i < fake.n_clocks; i++)
		if (fake.clocks[i].ticket == id && strcmp(fake.clocks[i].name, name) == 0)
			return &fake.clocks[i];
	return NULL;
}

static int fake_arm_clock(void *ctx, uint64_t id, const char *name, int64_t at_ms)
{
	struct pclock *c;

	fake.arm_clock++;
	IN_CALLBACK();
	if (!find_ticket(id))
		return -ENOENT;
	if (!name || !*name || at_ms <= 0)
		return -EINVAL;
	c = find_clock(id, name);
	if (!c) {
		if (fake.n_clocks == MAX_CLOCKS)
			return -ENOSPC;
		c = &fake.clocks[fake.n_clocks++];
		c->ticket = id;
		snprintf(c->name, sizeof(c->name), "%s", name);
	}
	c->at = at_ms;
	note_call("arm_clock");
	return 0;
}

static int fake_cancel_clock(void *ctx, uint64_t id, const char *name)
{
	struct pclock *c;

	fake.cancel_clock++;
	IN_CALLBACK();
	c = name ? find_clock(id, name) : NULL;
	if (!c)
		return -ENOENT;
	*c = fake.clocks[--fake.n_clocks];
	note_call("cancel_clock");
	return 0;
}

static const char *fake_config_get(void *ctx, const char *key)
{
	fake.config_get++;
	if (strcmp(key, "fail_init") == 0)
		return fake.fail_init ? fake.fail_init : "no";
	if (strcmp(key, "probe_tag") == 0)
		return "unit";
	return NULL;
}

static void fake_log(void *ctx, int level, const char *fmt, ...)
{
	va_list ap;

	ck_assert_int_ge(level, GJ_PLUGIN_LOG_ERR);
	ck_assert_int_le(level, GJ_PLUGIN_LOG_DEBUG);
	fake.log++;
	va_start(ap, fmt);
	vsnprintf(fake.last_log, sizeof(fake.last_log), fmt, ap);
	va_end(ap);
}

static int fake_set_ticket_field(void *ctx, uint64_t id, const char *field, const char *value)
{
	struct ticket *t;
	int rc;

	fake.set_ticket_field++;
	IN_CALLBACK();
	t = find_ticket(id);
	if (!t)
		return -ENOENT;
	if (!field || !*field || !value || strlen(value) > 1023)
		return -EINVAL;
	rc = put_field(t, field, value);
	if (rc == 0)
		note_call(field);
	return rc;
}

static int fake_working_days_deadline(void *ctx, const char *estate, int64_t from_ms,
                                      int32_t n, int64_t *ret_ms, int *ret_provisional)
{
	fake.working_days_deadline++;
	IN_CALLBACK();
	if (!estate || n < 1 || !ret_ms)
		return -EINVAL;
	snprintf(fake.wd.estate, sizeof(fake.wd.estate), "%s", estate);
	fake.wd.from = from_ms;
	fake.wd.n = n;
	/* Not a calendar: n days later is enough to see it passed back. */
	*ret_ms = from_ms + (int64_t)n * 86400000;
	if (ret_provisional)
		*ret_provisional = 0;
	return 0;
}

static int fake_publish(void *ctx, const char *estate, const char *name, const char *text,
                        const uint64_t ids[], size_t n)
{
	fake.publish++;
	IN_CALLBACK();
	if (!estate || !name || !text || (n && !ids))
		return -EINVAL;
	snprintf(fake.notice.estate, sizeof(fake.notice.estate), "%s", estate);
	snprintf(fake.notice.name, sizeof(fake.notice.name), "%s", name);
	snprintf(fake.notice.text, sizeof(fake.notice.text), "%s", text);
	fake.notice.n = n;
	fake.notice.id0 = n ? ids[0] : 0;
	note_call("publish");
	return 0;
}

static bool matches(const char *want, const char *have)
{
	return !want || !*want || strcmp(want, have) == 0;
}

static int fake_list_tickets(void *ctx, const char *estate, const char *workflow,
                             const char *state, int open_only, gj_plugin_ticket_fn fn,
                             void *arg)
{
	fake.list_tickets++;
	IN_CALLBACK();
	if (!fn)
		return -EINVAL;
	snprintf(fake.list.estate, sizeof(fake.list.estate), "%s", estate ? estate : "");
	snprintf(fake.list.workflow, sizeof(fake.list.workflow), "%s", workflow ? workflow : "");
	fake.list.state_any = !state || !*state;
	fake.list.open_only = open_only;
	for (size_t i = 0; i < fake.n_tickets; i++) {
		const struct ticket *t = &fake.tickets[i];
		if (matches(estate, t->estate) && matches(workflow, t->workflow) &&
		    matches(state, t->state) && fn(arg, t->id))
			break;
	}
	return 0;
}

/* A 1.1 host: the plugin must not call the 1.2 functions (NULL here); the
 * real daemon's 1.2 table is exercised by tests/test_plugin_host.c. */
static const struct gj_host_api host = {
	.abi_major = GJ_PLUGIN_ABI_MAJOR,
	.abi_minor = 1,
	.get_ticket_field = fake_get_ticket_field,
	.raise_alert = fake_raise_alert,
	.fire_event = fake_fire_event,
	.open_ticket = fake_open_ticket,
	.append_history = fake_append_history,
	.arm_clock = fake_arm_clock,
	.cancel_clock = fake_cancel_clock,
	.config_get = fake_config_get,
	.log = fake_log,
	.set_ticket_field = fake_set_ticket_field,
	.working_days_deadline = fake_working_days_deadline,
	.publish = fake_publish,
	.list_tickets = fake_list_tickets,
};

/* Calls of ticket functions that change something, so far. */
static int write_calls(void)
{
	return fake.raise_alert + fake.fire_event + fake.open_ticket + fake.append_history +
	       fake.arm_clock + fake.cancel_clock + fake.set_ticket_field + fake.publish;
}

/* Calls of ticket functions so far, of any kind. */
static int ticket_calls(void)
{
	return fake.get_ticket_field + fake.raise_alert + fake.fire_event + fake.open_ticket +
	       fake.append_history + fake.arm_clock + fake.cancel_clock + fake.set_ticket_field +
	       fake.working_days_deadline + fake.publish + fake.list_tickets;
}

static char dir[64];

static void setup(void)
{
	struct ticket *t;

	memset(&fake, 0, sizeof(fake));
	t = add_ticket(7, "r17_repair", "lanting");
	put_field(t, "abi_probe", "yes");
	put_field(t, "location", "Gate 3");
	t = add_ticket(8, "r28b_special_event", "lanting");
	put_field(t, "location", "Gate 4");
	strcpy(dir, "/tmp/gj-plugin-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Load a plugin that must be refused; return the message (caller frees). */
static char *refused(const char *path, int expect)
{
	struct gj_plugin *p = (struct gj_plugin *)&fake; /* sentinel */
	char *msg = NULL;

	ck_assert_int_eq(gj_plugin_load(path, &host, &fake, &p, &msg), expect);
	ck_assert_ptr_eq(p, (struct gj_plugin *)&fake); /* untouched */
	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(strstr(msg, path) != NULL, "message does not name the path: %s", msg);
	return msg;
}

/* The words of abi_probe_result, padded so that " name=value " matches
 * whole words only. */
static void assert_word(const char *text, const char *word)
{
	char padded[1100], want[128];

	snprintf(padded, sizeof(padded), " %s ", text);
	snprintf(want, sizeof(want), " %s ", word);
	ck_assert_msg(strstr(padded, want) != NULL, "no '%s' in abi_probe_result: %s", word, text);
}

static const char *const host_functions[] = {
	"get_ticket_field", "raise_alert", "fire_event", "open_ticket", "append_history",
	"arm_clock", "cancel_clock", "config_get", "log", "set_ticket_field",
	"working_days_deadline", "publish", "list_tickets",
};
#define N_HOST_FUNCTIONS (sizeof(host_functions) / sizeof(host_functions[0]))

/* Call into the plugin the way the daemon does: ticket functions work only
 * while a callback runs. */
static int callback_done(int r)
{
	fake.in_callback = false;
	return r;
}

#define CALLBACK(expr) (fake.in_callback = true, callback_done(expr))

START_TEST(ok_plugin_calls_every_host_function)
{
	const struct gj_plugin_descriptor *d;
	struct gj_plugin *p = NULL;
	struct gj_plugin_transition tr = {
		.ticket_id = 7, .estate = "lanting", .workflow = "r17_repair",
		.workflow_version = 2, .event = "open", .from_state = "",
		.to_state = "reported", .person = "li.ming", .role = "butler",
		.rule = "R17", .at_ms = T0,
	};
	struct gj_plugin_clock clk = {
		.ticket_id = 7, .estate = "lanting", .workflow = "r17_repair",
		.workflow_version = 2, .name = "probe", .state = "dispatched",
		.at_ms = T0 + 120000, .now_ms = T0 + 120000,
	};
	struct gj_plugin_kv refuse_kv[] = { { "technician", "zhao.lei" }, { "abi_refuse", "yes" } };
	struct gj_plugin_kv allow_kv[] = { { "abi_refuse", "no" } };
	struct gj_plugin_check chk = {
		.ticket_id = 7, .estate = "lanting", .workflow = "r17_repair",
		.workflow_version = 2, .event = "finish", .from_state = "dispatched",
		.to_state = "done", .person = "zhao.lei", .role = "engineering",
		.fields = refuse_kv, .n_fields = 2, .now_ms = T0,
	};
	struct gj_plugin_alert al = {
		.ticket_id = 7, .estate = "lanting", .workflow = "r17_repair",
		.workflow_version = 2, .clock = "dispatch", .rule = "R17",
		.kind = GJ_PLUGIN_ALERT_WARN, .deadline_ms = T0 + 600000, .now_ms = T0 + 480000,
		.late_ms = -120000, .state = "reported",
	};
	char *msg = NULL, why[128], word[64];
	const char *result;
	int *results, *init_calls, *probe_calls, *clock_calls, *check_calls;
	uint64_t *opened;
	int64_t *deadline;
	size_t *listed;
	void *h, *st;
	int before;

	ck_assert_int_eq(gj_plugin_load(GJ_TEST_PLUGIN_OK, &host, &fake, &p, &msg), 0);
	ck_assert_ptr_null(msg);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(gj_plugin_name(p), "test_abi_ok");
	ck_assert_str_eq(gj_plugin_path(p), GJ_TEST_PLUGIN_OK);
	d = gj_plugin_descriptor_of(p);
	ck_assert_uint_eq(d->abi_major, GJ_PLUGIN_ABI_MAJOR);
	ck_assert_uint_eq(d->abi_minor, GJ_PLUGIN_ABI_MINOR);
	ck_assert_ptr_nonnull(d->on_alert);
	ck_assert_ptr_nonnull(d->on_transition);
	ck_assert_ptr_nonnull(d->on_clock);
	ck_assert_ptr_nonnull(d->check_event);
	st = gj_plugin_state(p);
	ck_assert_ptr_nonnull(st);

	/* init reads its configuration and logs; it touches no ticket (the
	 * daemon would answer -EAGAIN). */
	ck_assert_int_eq(ticket_calls(), 0);
	ck_assert_int_eq(fake.outside, 0);
	ck_assert_int_eq(fake.config_get, 2); /* fail_init, and probe_tag named */
	ck_assert_int_eq(fake.log, 1);
	ck_assert_str_eq(fake.last_log, "init 42");

	/* What the plugin itself records, read through its own symbols. */
	h = dlopen(GJ_TEST_PLUGIN_OK, RTLD_NOW | RTLD_NOLOAD);
	ck_assert_ptr_nonnull(h);
	results = dlsym(h, "gj_test_abi_results");
	init_calls = dlsym(h, "gj_test_abi_init_calls");
	probe_calls = dlsym(h, "gj_test_abi_probe_calls");
	clock_calls = dlsym(h, "gj_test_abi_clock_calls");
	check_calls = dlsym(h, "gj_test_abi_check_calls");
	opened = dlsym(h, "gj_test_abi_opened_id");
	listed = dlsym(h, "gj_test_abi_listed");
	deadline = dlsym(h, "gj_test_abi_deadline_ms");
	ck_assert(results && init_calls && probe_calls && clock_calls && check_calls);
	ck_assert(opened && listed && deadline);
	ck_assert_int_eq(*init_calls, 1);
	for (size_t i = 0; i < N_HOST_FUNCTIONS; i++)
		ck_assert_msg(results[i] == 1, "%s called from init", host_functions[i]);

	/* An open of a ticket without abi_probe, and other events of the
	 * probe ticket: only the abi_crash and abi_probe reads (none for
	 * other events). */
	tr.ticket_id = 8;
	tr.workflow = "r28b_special_event";
	ck_assert_int_eq(CALLBACK(d->on_transition(st, &tr)), 0);
	ck_assert_int_eq(ticket_calls(), 2);
	ck_assert_int_eq(fake.get_ticket_field, 2);
	tr.ticket_id = 7;
	tr.workflow = "r17_repair";
	tr.event = "dispatch";
	ck_assert_int_eq(CALLBACK(d->on_transition(st, &tr)), 0);
	ck_assert_int_eq(ticket_calls(), 2);
	ck_assert_int_eq(*probe_calls, 0);

	/* The probe: the open of ticket 7 (abi_probe=yes). */
	tr.event = "open";
	fake.get_ticket_field = 0;
	ck_assert_int_eq(CALLBACK(d->on_transition(st, &tr)), 0);
	ck_assert_int_eq(*probe_calls, 1);
	ck_assert_int_eq(fake.outside, 0);
	for (size_t i = 0; i < N_HOST_FUNCTIONS; i++)
		ck_assert_msg(results[i] == 0, "%s returned %d", host_functions[i], results[i]);
	/* A 1.1 host: the 1.2 functions were left alone, and it says so. */
	ck_assert_int_eq(results[N_HOST_FUNCTIONS], 1);
	ck_assert_msg(strstr(field_of(7, "abi_probe_result"), "v12=skipped") != NULL, "%s",
		      field_of(7, "abi_probe_result"));

	/* Each called, with sane arguments.  get_ticket_field: abi_crash, abi_probe,
	 * location, state, clock.dispatch.state, state after the fire. */
	ck_assert_int_eq(fake.get_ticket_field, 6);
	ck_assert_int_eq(fake.raise_alert, 1);
	ck_assert_uint_eq(fake.alert.ticket, 7);
	ck_assert_str_eq(fake.alert.clock, "dispatch");
	ck_assert_uint_eq(fake.alert.level, 1);
	ck_assert_uint_eq(fake.alert.n, 1);
	ck_assert_str_eq(fake.alert.role, "manager");
	ck_assert_str_ne(fake.alert.message, "");
	ck_assert_int_eq(fake.set_ticket_field, 3); /* technician, severity, the result */
	ck_assert_str_eq(field_of(7, "technician"), "abi_probe_tech");
	ck_assert_str_eq(field_of(7, "severity"), "minor");
	ck_assert_int_eq(fake.fire_event, 1);
	ck_assert_uint_eq(fake.fire.ticket, 7);
	ck_assert_str_eq(fake.fire.event, "dispatch");
	ck_assert_str_eq(fake.fire.person, "abi_probe");
	ck_assert_str_eq(fake.fire.role, "butler");
	ck_assert_int_eq(fake.open_ticket, 1);
	ck_assert_str_eq(fake.open.workflow, "r17_repair");
	ck_assert_str_eq(fake.open.estate, "lanting");
	ck_assert_uint_eq(fake.open.n, 2);
	ck_assert_str_eq(fake.open.location, "opened by the abi probe of ticket 7");
	ck_assert_str_eq(fake.open.parent, "yes");
	ck_assert_uint_eq(*opened, 99);
	ck_assert_int_eq(fake.append_history, 1);
	ck_assert_uint_eq(fake.history.ticket, 7);
	ck_assert_str_eq(fake.history.note, "abi probe: every host function called once");
	ck_assert_int_eq(fake.arm_clock, 2);
	ck_assert_int_eq(fake.cancel_clock, 1);
	ck_assert_uint_eq(fake.n_clocks, 1); /* "scratch" cancelled, "probe" armed */
	ck_assert_str_eq(fake.clocks[0].name, "probe");
	ck_assert_uint_eq(fake.clocks[0].ticket, 7);
	ck_assert_int_eq(fake.clocks[0].at, T0 + 120000);
	ck_assert_int_eq(fake.working_days_deadline, 1);
	ck_assert_str_eq(fake.wd.estate, "lanting");
	ck_assert_int_eq(fake.wd.from, T0);
	ck_assert_int_eq(fake.wd.n, 3);
	ck_assert_int_eq(*deadline, T0 + 3 * INT64_C(86400000));
	ck_assert_int_eq(fake.publish, 1);
	ck_assert_str_eq(fake.notice.estate, "lanting");
	ck_assert_str_eq(fake.notice.name, "probe");
	ck_assert_uint_eq(fake.notice.n, 1);
	ck_assert_uint_eq(fake.notice.id0, 7);
	ck_assert_str_ne(fake.notice.text, "");
	ck_assert_int_eq(fake.list_tickets, 1);
	ck_assert_str_eq(fake.list.estate, "lanting");
	ck_assert_str_eq(fake.list.workflow, "r17_repair");
	ck_assert(fake.list.state_any);
	ck_assert_int_ne(fake.list.open_only, 0);
	ck_assert_uint_eq(*listed, 2); /* 7 and 99; 8 runs another workflow */
	ck_assert_int_eq(fake.config_get, 3);
	ck_assert_int_eq(fake.log, 2);
	ck_assert_str_eq(fake.last_log, "abi probe of ticket 7 done");
	/* The fields dispatch requires were set before the fire, and the
	 * result stored last. */
	ck_assert_str_eq(fake.order, "raise_alert technician severity fire_event open_ticket "
			 "append_history arm_clock cancel_clock arm_clock publish "
			 "abi_probe_result ");

	/* The same results, stored on the ticket. */
	result = field_of(7, "abi_probe_result");
	ck_assert_ptr_nonnull(result);
	for (size_t i = 0; i < N_HOST_FUNCTIONS; i++) {
		snprintf(word, sizeof(word), "%s=0", host_functions[i]);
		assert_word(result, word);
	}
	assert_word(result, "location=\"Gate 3\"");
	assert_word(result, "state=reported");
	assert_word(result, "clock.dispatch.state=running");
	assert_word(result, "state_after=dispatched");
	assert_word(result, "opened=99");
	assert_word(result, "arm_probe=0");
	assert_word(result, "listed=2");
	assert_word(result, "probe_tag=unit");
	snprintf(word, sizeof(word), "deadline_ms=%lld", (long long)(T0 + 3 * INT64_C(86400000)));
	assert_word(result, word);

	/* on_clock: only "probe" is noted. */
	before = ticket_calls();
	clk.name = "another";
	ck_assert_int_eq(CALLBACK(d->on_clock(st, &clk)), 0);
	ck_assert_int_eq(ticket_calls(), before);
	clk.name = "probe";
	ck_assert_int_eq(CALLBACK(d->on_clock(st, &clk)), 0);
	ck_assert_int_eq(*clock_calls, 1);
	ck_assert_int_eq(fake.append_history, 2);
	ck_assert_uint_eq(fake.history.ticket, 7);
	snprintf(word, sizeof(word), "probe clock fired at %lld", (long long)(T0 + 120000));
	ck_assert_str_eq(fake.history.note, word);

	/* check_event: abi_refuse=yes is refused with a sentence, anything
	 * else allowed with why untouched; it writes nothing. */
	before = write_calls();
	why[0] = 0;
	ck_assert_int_eq(CALLBACK(d->check_event(st, &chk, why, sizeof(why))), -EPERM);
	ck_assert_str_eq(why, "refused by the test plugin: abi_refuse=yes");
	strcpy(why, "untouched");
	chk.fields = allow_kv;
	chk.n_fields = 1;
	ck_assert_int_eq(CALLBACK(d->check_event(st, &chk, why, sizeof(why))), 0);
	chk.fields = NULL;
	chk.n_fields = 0;
	ck_assert_int_eq(CALLBACK(d->check_event(st, &chk, why, sizeof(why))), 0);
	ck_assert_str_eq(why, "untouched");
	ck_assert_int_eq(*check_calls, 3);
	ck_assert_int_eq(write_calls(), before);

	ck_assert_int_eq(CALLBACK(d->on_alert(st, &al)), 0);
	ck_assert_int_eq(fake.outside, 0);
	ck_assert_int_eq(*init_calls, 1);
	dlclose(h);

	gj_plugin_unload(p);
	ck_assert_str_eq(fake.last_log, "fini");
}
END_TEST

START_TEST(failing_init_is_refused)
{
	char *msg;

	fake.fail_init = "yes";
	msg = refused(GJ_TEST_PLUGIN_OK, -ECANCELED);
	ck_assert_msg(strstr(msg, "init failed") != NULL, "%s", msg);
	free(msg);
	ck_assert_int_eq(ticket_calls(), 0);
}
END_TEST

START_TEST(bad_major_is_refused_naming_both_versions)
{
	char *msg = refused(GJ_TEST_PLUGIN_BAD_MAJOR, -EPROTO);

	ck_assert_msg(strstr(msg, "built for ABI 2.0") != NULL, "%s", msg);
	char want[64];

	snprintf(want, sizeof(want), "this daemon speaks %d.%d", GJ_PLUGIN_ABI_MAJOR,
		 GJ_PLUGIN_ABI_MINOR);
	ck_assert_msg(strstr(msg, want) != NULL, "%s", msg);
	ck_assert_msg(strstr(msg, "rebuild it against gj_plugin.h") != NULL, "%s", msg);
	free(msg);
}
END_TEST

START_TEST(newer_minor_is_refused)
{
	char *msg = refused(GJ_TEST_PLUGIN_NEW_MINOR, -EPROTO);
	char want[32];

	snprintf(want, sizeof(want), "ABI %d.%d", GJ_PLUGIN_ABI_MAJOR, GJ_PLUGIN_ABI_MINOR + 1);
	ck_assert_msg(strstr(msg, want) != NULL, "%s", msg);
	free(msg);
}
END_TEST

START_TEST(missing_name_is_refused)
{
	char *msg = refused(GJ_TEST_PLUGIN_NONAME, -EINVAL);

	ck_assert_msg(strstr(msg, "no name") != NULL, "%s", msg);
	free(msg);
}
END_TEST

START_TEST(missing_symbol_is_refused)
{
	char *msg = refused(GJ_TEST_PLUGIN_NOSYM, -ENOENT);

	ck_assert_msg(strstr(msg, "gj_plugin_descriptor") != NULL, "%s", msg);
	free(msg);
}
END_TEST

START_TEST(non_regular_files_are_refused)
{
	char path[128];
	char *msg;

	msg = refused(dir, -EINVAL);
	ck_assert_msg(strstr(msg, "not a regular file") != NULL, "%s", msg);
	free(msg);

	snprintf(path, sizeof(path), "%s/dir.so", dir);
	ck_assert_int_eq(symlink("/tmp", path), 0);
	msg = refused(path, -EINVAL);
	ck_assert_msg(strstr(msg, "not a regular file") != NULL, "%s", msg);
	free(msg);

	snprintf(path, sizeof(path), "%s/fifo.so", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	msg = refused(path, -EINVAL);
	ck_assert_msg(strstr(msg, "not a regular file") != NULL, "%s", msg);
	free(msg);
}
END_TEST

START_TEST(nonexistent_and_garbage_are_refused)
{
	char path[128];
	char *msg;
	FILE *f;

	snprintf(path, sizeof(path), "%s/missing.so", dir);
	msg = refused(path, -ENOENT);
	ck_assert_msg(strstr(msg, "No such file") != NULL, "%s", msg);
	free(msg);

	snprintf(path, sizeof(path), "%s/garbage.so", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("not an ELF file\n", f);
	fclose(f);
	msg = refused(path, -ENOEXEC);
	ck_assert_msg(strstr(msg, "cannot load") != NULL, "%s", msg);
	free(msg);
}
END_TEST

START_TEST(load_dir_keeps_good_and_reports_bad)
{
	struct gj_plugins *ps = NULL;
	char path[128];
	char *errors = NULL, *nl;

	snprintf(path, sizeof(path), "%s/a_ok.so", dir);
	ck_assert_int_eq(symlink(GJ_TEST_PLUGIN_OK, path), 0);
	snprintf(path, sizeof(path), "%s/b_bad.so", dir);
	ck_assert_int_eq(symlink(GJ_TEST_PLUGIN_BAD_MAJOR, path), 0);
	snprintf(path, sizeof(path), "%s/README.txt", dir);
	ck_assert_int_eq(symlink(GJ_TEST_PLUGIN_BAD_MAJOR, path), 0); /* not *.so */

	ck_assert_int_eq(gj_plugins_load_dir(dir, &host, &fake, &ps, &errors), 0);
	ck_assert_ptr_nonnull(ps);
	ck_assert_uint_eq(gj_plugins_count(ps), 1);
	ck_assert_str_eq(gj_plugin_name(gj_plugins_get(ps, 0)), "test_abi_ok");
	ck_assert_ptr_null(gj_plugins_get(ps, 1));
	ck_assert_str_eq(fake.last_log, "init 42");
	ck_assert_int_eq(ticket_calls(), 0);

	ck_assert_ptr_nonnull(errors);
	nl = strchr(errors, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_str_eq(nl + 1, ""); /* exactly one line */
	ck_assert_msg(strstr(errors, "b_bad.so") != NULL, "%s", errors);
	ck_assert_msg(strstr(errors, "ABI 2.0") != NULL, "%s", errors);
	free(errors);

	gj_plugins_unload(ps);
	ck_assert_str_eq(fake.last_log, "fini");
}
END_TEST

START_TEST(load_dir_of_clean_and_missing_dirs)
{
	struct gj_plugins *ps = NULL;
	char path[128];
	char *errors = NULL;

	ck_assert_int_eq(gj_plugins_load_dir(dir, &host, &fake, &ps, &errors), 0);
	ck_assert_uint_eq(gj_plugins_count(ps), 0);
	ck_assert_ptr_null(errors);
	gj_plugins_unload(ps);

	ps = NULL;
	snprintf(path, sizeof(path), "%s/nope", dir);
	ck_assert_int_eq(gj_plugins_load_dir(path, &host, &fake, &ps, &errors), -ENOENT);
	ck_assert_ptr_null(ps);
	ck_assert_ptr_nonnull(errors);
	ck_assert_msg(strstr(errors, path) != NULL, "%s", errors);
	free(errors);
}
END_TEST

START_TEST(destroy_accepts_null)
{
	gj_plugin_unload(NULL);
	gj_plugins_unload(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plugin");
	TCase *tc = tcase_create("plugin");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ok_plugin_calls_every_host_function);
	tcase_add_test(tc, failing_init_is_refused);
	tcase_add_test(tc, bad_major_is_refused_naming_both_versions);
	tcase_add_test(tc, newer_minor_is_refused);
	tcase_add_test(tc, missing_name_is_refused);
	tcase_add_test(tc, missing_symbol_is_refused);
	tcase_add_test(tc, non_regular_files_are_refused);
	tcase_add_test(tc, nonexistent_and_garbage_are_refused);
	tcase_add_test(tc, load_dir_keeps_good_and_reports_bad);
	tcase_add_test(tc, load_dir_of_clean_and_missing_dirs);
	tcase_add_test(tc, destroy_accepts_null);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
