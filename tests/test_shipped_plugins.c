/*
 * test_shipped_plugins.c - unit tests of the shipped escalation plugins
 * (plugins/ladder.c, special_event.c, defer_notice.c), each loaded with
 * dlopen from GJ_PLUGIN_BUILD_DIR and driven through its callbacks against
 * a fake host table: in-memory tickets (fields and pseudo-fields), the
 * alerts raised, the plugin clocks armed, the notices published, the
 * working_days_deadline calls (answered from a small table of the 2026
 * Chinese calendar; the real calendar is tested in test_calendar.c) and
 * the log; and the helpers they share (plugins/plugin_util.c, compiled in
 * here).  A "restart" is an unload and a load of the plugin with the
 * tickets kept.  The configuration is either set key by key or read from a
 * section of the shipped etc/plugins.yaml, answered as the host does.
 */
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gj_plugin.h"
#include "yamldoc.h"

/* The helpers every plugin links (hidden inside each .so), tested here
 * directly. */
#include "../plugins/plugin_util.c"

/* The real host's limits (daemon/host.c, proto/wire.h), enforced here too. */
#define HOST_MAX_NAME 64        /* field and notice names: < 64 of [a-z0-9_] */
#define HOST_MAX_MESSAGE 1024   /* alert messages */
#define HOST_MAX_VALUE 1024     /* field values */
#define HOST_MAX_CLOCK_NAME 128 /* plugin clock names */

#define MAX_TICKETS 16
#define MAX_FIELDS 48
#define MAX_ALERTS 32
#define MAX_CLOCKS 32
#define MAX_NOTICES 8
#define MAX_CONFIG 24
#define MAX_WD_CALLS 16
#define MAX_HISTORY 64
#define MAX_JOINED 32

struct field {
	char *key;
	char *value;
};

struct ticket {
	uint64_t id;
	const char *estate;
	const char *workflow;
	struct field fields[MAX_FIELDS]; /* "state", "closed", "clock.x.state"... */
	size_t n_fields;
};

struct alert {
	uint64_t ticket;
	char clock[64];
	uint32_t level;
	char roles[128]; /* joined with "," */
	char message[1024];
};

struct pclock {
	uint64_t ticket;
	char name[64];
	int64_t at_ms;
};

struct notice {
	char estate[32];
	char name[48];
	char *text;
	uint64_t ids[MAX_TICKETS];
	size_t n;
};

struct wd_call {
	char estate[32];
	int64_t from_ms;
	int32_t n;
};

/* Everything the fake host holds and saw. */
struct fake {
	bool in_init;
	int forbidden; /* calls other than config_get and log during init */
	const char *config[MAX_CONFIG][2];
	size_t n_config;
	struct gj_ynode *yaml;          /* etc/plugins.yaml, when used */
	const struct gj_ynode *section; /* the plugin's part of it */
	char *joined[MAX_JOINED];       /* lists config_get joined */
	size_t n_joined;
	struct ticket tickets[MAX_TICKETS];
	size_t n_tickets;
	struct alert alerts[MAX_ALERTS];
	size_t n_alerts;
	struct pclock clocks[MAX_CLOCKS]; /* armed */
	size_t n_clocks;
	struct notice notices[MAX_NOTICES];
	size_t n_notices;
	struct wd_call wd[MAX_WD_CALLS];
	size_t n_wd;
	char *history[MAX_HISTORY];
	size_t n_history;
	char log[4096]; /* every line, "\n"-terminated */
};

static struct fake fk;

/* --- the fake host --- */

static struct ticket *find_ticket(uint64_t id)
{
	size_t i;

	for (i = 0; i < fk.n_tickets; i++)
		if (fk.tickets[i].id == id)
			return &fk.tickets[i];
	return NULL;
}

static struct field *find_field(struct ticket *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->n_fields; i++)
		if (strcmp(t->fields[i].key, key) == 0)
			return &t->fields[i];
	return NULL;
}

static bool host_name(const char *s)
{
	size_t n;

	for (n = 0; s && s[n]; n++)
		if (n >= HOST_MAX_NAME - 1 || !((s[n] >= 'a' && s[n] <= 'z') ||
		    (s[n] >= '0' && s[n] <= '9') || s[n] == '_'))
			return false;
	return s && n > 0;
}

static bool host_role(const char *role)
{
	static const char *const roles[] = {
		"butler", "cs_lead", "manager", "engineering", "security",
		"admin_hr", "team_head", "owner", "tenant",
	};
	size_t i;

	for (i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(roles[i], role) == 0)
			return true;
	return false;
}

/* A call the plugin may not make from init. */
static bool refused_in_init(void)
{
	if (fk.in_init)
		fk.forbidden++;
	return fk.in_init;
}

static int fake_get_ticket_field(void *ctx, uint64_t id, const char *field,
                                 char *buf, size_t len)
{
	struct ticket *t;
	struct field *f;
	const char *v;
	char idbuf[24];

	if (refused_in_init())
		return -EAGAIN;
	t = find_ticket(id);
	if (!t)
		return -ENOENT;
	if (strcmp(field, "estate") == 0) {
		v = t->estate;
	} else if (strcmp(field, "workflow") == 0) {
		v = t->workflow;
	} else if (strcmp(field, "id") == 0) {
		snprintf(idbuf, sizeof(idbuf), "%llu", (unsigned long long)id);
		v = idbuf;
	} else {
		f = find_field(t, field);
		if (!f)
			return -ENOENT;
		v = f->value;
	}
	if (strlen(v) + 1 > len)
		return -ENOSPC;
	strcpy(buf, v);
	return 0;
}

static int fake_raise_alert(void *ctx, uint64_t id, const char *clock,
                            uint32_t level, const char *const roles[], size_t n,
                            const char *message)
{
	struct alert *a;
	size_t i;

	if (refused_in_init())
		return -EAGAIN;
	ck_assert_uint_lt(fk.n_alerts, MAX_ALERTS);
	ck_assert_ptr_nonnull(find_ticket(id));
	ck_assert(clock && *clock && strlen(clock) <= HOST_MAX_CLOCK_NAME);
	ck_assert(n >= 1 && n <= 16);
	for (i = 0; i < n; i++)
		ck_assert_msg(host_role(roles[i]), "unknown role %s", roles[i]);
	ck_assert_uint_le(strlen(message), HOST_MAX_MESSAGE);
	a = &fk.alerts[fk.n_alerts++];
	a->ticket = id;
	snprintf(a->clock, sizeof(a->clock), "%s", clock);
	a->level = level;
	for (i = 0; i < n; i++) {
		if (i)
			strcat(a->roles, ",");
		strcat(a->roles, roles[i]);
	}
	snprintf(a->message, sizeof(a->message), "%s", message);
	return 0;
}

static int fake_fire_event(void *ctx, uint64_t id, const char *event,
                           const char *person, const char *role)
{
	refused_in_init();
	return -ENOTSUP; /* no shipped plugin fires events */
}

static int fake_open_ticket(void *ctx, const char *workflow, const char *estate,
                            const struct gj_plugin_kv kv[], size_t n,
                            uint64_t *ret_id)
{
	refused_in_init();
	return -ENOTSUP; /* no shipped plugin opens tickets */
}

static int fake_append_history(void *ctx, uint64_t id, const char *note)
{
	if (refused_in_init())
		return -EAGAIN;
	ck_assert_ptr_nonnull(find_ticket(id));
	ck_assert_uint_lt(fk.n_history, MAX_HISTORY);
	fk.history[fk.n_history++] = strdup(note);
	return 0;
}

static struct pclock *find_clock(uint64_t id, const char *name)
{
	size_t i;

	for (i = 0; i < fk.n_clocks; i++)
		if (fk.clocks[i].ticket == id && strcmp(fk.clocks[i].name, name) == 0)
			return &fk.clocks[i];
	return NULL;
}

static void drop_clock(struct pclock *c)
{
	*c = fk.clocks[--fk.n_clocks];
}

static int fake_arm_clock(void *ctx, uint64_t id, const char *name, int64_t at_ms)
{
	struct pclock *c;

	if (refused_in_init())
		return -EAGAIN;
	ck_assert_ptr_nonnull(find_ticket(id));
	ck_assert(*name && strlen(name) <= HOST_MAX_CLOCK_NAME && at_ms > 0);
	c = find_clock(id, name); /* arming an existing name moves it */
	if (!c) {
		ck_assert_uint_lt(fk.n_clocks, MAX_CLOCKS);
		c = &fk.clocks[fk.n_clocks++];
		c->ticket = id;
		snprintf(c->name, sizeof(c->name), "%s", name);
	}
	c->at_ms = at_ms;
	return 0;
}

static int fake_cancel_clock(void *ctx, uint64_t id, const char *name)
{
	struct pclock *c;

	if (refused_in_init())
		return -EAGAIN;
	c = find_clock(id, name);
	if (!c)
		return -ENOENT;
	drop_clock(c);
	return 0;
}

/* As the host: a scalar's text, a list of scalars joined with ",". */
static const char *yaml_config_get(const char *key)
{
	const struct gj_ynode *n = gj_ynode_get(fk.section, key);
	size_t len = 1, i;
	char *s;

	if (!n || n->kind == GJ_YNODE_MAPPING)
		return NULL;
	if (n->kind == GJ_YNODE_SCALAR)
		return gj_ynode_is_null(n) ? NULL : gj_ynode_str(n);
	for (i = 0; i < n->n; i++)
		len += strlen(gj_ynode_str(n->items[i])) + 1;
	s = calloc(1, len);
	ck_assert_ptr_nonnull(s);
	for (i = 0; i < n->n; i++) {
		if (i)
			strcat(s, ",");
		strcat(s, gj_ynode_str(n->items[i]));
	}
	ck_assert_uint_lt(fk.n_joined, MAX_JOINED);
	fk.joined[fk.n_joined++] = s;
	return s;
}

static const char *fake_config_get(void *ctx, const char *key)
{
	size_t i;

	if (fk.section)
		return yaml_config_get(key);
	for (i = 0; i < fk.n_config; i++)
		if (strcmp(fk.config[i][0], key) == 0)
			return fk.config[i][1];
	return NULL;
}

static void fake_log(void *ctx, int level, const char *fmt, ...)
{
	size_t used = strlen(fk.log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fk.log + used, sizeof(fk.log) - used, fmt, ap);
	va_end(ap);
	used = strlen(fk.log);
	if (used + 1 < sizeof(fk.log))
		strcat(fk.log, "\n");
}

static int fake_set_ticket_field(void *ctx, uint64_t id, const char *field,
                                 const char *value);

/* The 2026 calendar around National Day (etc/calendars/cn.yaml). */
static const char *const rest_days[] = {
	"2026-09-25", "2026-09-26", "2026-09-27", "2026-10-01", "2026-10-02",
	"2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07",
};
static const char *const make_up_days[] = { "2026-09-20", "2026-10-10" };

static bool listed(const char *date, const char *const list[], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], date) == 0)
			return true;
	return false;
}

static bool working_day(int64_t day)
{
	time_t t = (time_t)(day * 86400);
	struct tm tm;
	char date[16];

	gmtime_r(&t, &tm);
	strftime(date, sizeof(date), "%Y-%m-%d", &tm);
	if (listed(date, rest_days, sizeof(rest_days) / sizeof(rest_days[0])))
		return false;
	if (listed(date, make_up_days, sizeof(make_up_days) / sizeof(make_up_days[0])))
		return true;
	return tm.tm_wday >= 1 && tm.tm_wday <= 5;
}

#define OFFSET_S (8 * 3600)
#define CLOSE_S (17 * 3600 + 30 * 60)

static int fake_working_days_deadline(void *ctx, const char *estate,
                                      int64_t from_ms, int32_t n,
                                      int64_t *ret_ms, int *ret_provisional)
{
	struct wd_call *c;
	int64_t day;

	if (refused_in_init())
		return -EAGAIN;
	ck_assert_uint_lt(fk.n_wd, MAX_WD_CALLS);
	c = &fk.wd[fk.n_wd++];
	snprintf(c->estate, sizeof(c->estate), "%s", estate);
	c->from_ms = from_ms;
	c->n = n;
	if (n < 1)
		return -EINVAL;
	day = (from_ms / 1000 + OFFSET_S) / 86400;
	while (n > 0)
		if (working_day(++day))
			n--;
	*ret_ms = (day * 86400 + CLOSE_S - OFFSET_S) * 1000;
	if (ret_provisional)
		*ret_provisional = 0;
	return 0;
}

static int fake_publish(void *ctx, const char *estate, const char *name,
                        const char *text, const uint64_t ids[], size_t n)
{
	struct notice *p;

	if (refused_in_init())
		return -EAGAIN;
	ck_assert_uint_lt(fk.n_notices, MAX_NOTICES);
	ck_assert_uint_le(n, MAX_TICKETS);
	ck_assert_msg(host_name(name), "bad notice name %s", name);
	p = &fk.notices[fk.n_notices++];
	snprintf(p->estate, sizeof(p->estate), "%s", estate);
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->text = strdup(text);
	memcpy(p->ids, ids, n * sizeof(*ids));
	p->n = n;
	return 0;
}

static const char *tget(uint64_t id, const char *key);

static int fake_list_tickets(void *ctx, const char *estate, const char *workflow,
                             const char *state, int open_only,
                             gj_plugin_ticket_fn fn, void *arg)
{
	struct ticket *t;
	const char *v;
	size_t i;

	if (refused_in_init())
		return -EAGAIN;
	for (i = 0; i < fk.n_tickets; i++) { /* created in id order */
		t = &fk.tickets[i];
		if ((estate && *estate && strcmp(t->estate, estate) != 0) ||
		    (workflow && *workflow && strcmp(t->workflow, workflow) != 0))
			continue;
		v = tget(t->id, "state");
		if (state && *state && (!v || strcmp(v, state) != 0))
			continue;
		v = tget(t->id, "closed");
		if (open_only && v && strcmp(v, "true") == 0)
			continue;
		if (fn(arg, t->id))
			break;
	}
	return 0;
}

static const struct gj_host_api host = {
	.abi_major = GJ_PLUGIN_ABI_MAJOR,
	.abi_minor = GJ_PLUGIN_ABI_MINOR,
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

/* --- tickets --- */

static void tset(uint64_t id, const char *key, const char *value)
{
	struct ticket *t = find_ticket(id);
	struct field *f;

	ck_assert_ptr_nonnull(t);
	f = find_field(t, key);
	if (!f) {
		ck_assert_uint_lt(t->n_fields, MAX_FIELDS);
		f = &t->fields[t->n_fields++];
		f->key = strdup(key);
	} else {
		free(f->value);
	}
	f->value = strdup(value);
}

static const char *tget(uint64_t id, const char *key)
{
	struct ticket *t = find_ticket(id);
	struct field *f;

	ck_assert_ptr_nonnull(t);
	f = find_field(t, key);
	return f ? f->value : NULL;
}

static int fake_set_ticket_field(void *ctx, uint64_t id, const char *field,
                                 const char *value)
{
	if (refused_in_init())
		return -EAGAIN;
	if (!find_ticket(id))
		return -ENOENT;
	ck_assert_msg(host_name(field), "the host refuses the field name %s", field);
	ck_assert_uint_le(strlen(value), HOST_MAX_VALUE);
	tset(id, field, value);
	return 0;
}

/* A new open ticket; ids must be given in increasing order. */
static void ticket_new(uint64_t id, const char *estate, const char *workflow,
                       const char *rule, const char *state, const char *opened_at)
{
	struct ticket *t;

	ck_assert_uint_lt(fk.n_tickets, MAX_TICKETS);
	ck_assert(fk.n_tickets == 0 || fk.tickets[fk.n_tickets - 1].id < id);
	t = &fk.tickets[fk.n_tickets++];
	t->id = id;
	t->estate = estate;
	t->workflow = workflow;
	tset(id, "state", state);
	tset(id, "closed", "false");
	tset(id, "rule", rule);
	tset(id, "opened_at", opened_at);
}

/* --- set-up --- */

static void cfg(const char *key, const char *value)
{
	ck_assert_uint_lt(fk.n_config, MAX_CONFIG);
	fk.config[fk.n_config][0] = key;
	fk.config[fk.n_config][1] = value;
	fk.n_config++;
}

static void setup(void)
{
	memset(&fk, 0, sizeof(fk));
}

static void teardown(void)
{
	size_t i, j;

	for (i = 0; i < fk.n_tickets; i++)
		for (j = 0; j < fk.tickets[i].n_fields; j++) {
			free(fk.tickets[i].fields[j].key);
			free(fk.tickets[i].fields[j].value);
		}
	for (i = 0; i < fk.n_notices; i++)
		free(fk.notices[i].text);
	for (i = 0; i < fk.n_history; i++)
		free(fk.history[i]);
	for (i = 0; i < fk.n_joined; i++)
		free(fk.joined[i]);
	gj_ynode_destroy(fk.yaml);
	memset(&fk, 0, sizeof(fk));
}

/* A plugin loaded the way the host does it. */
struct plugin {
	void *handle;
	const struct gj_plugin_descriptor *d;
	void *state;
};

/* dlopen and check a plugin; return what its init returned. */
static int try_load(const char *name, struct plugin *p)
{
	char path[512];
	int r;

	snprintf(path, sizeof(path), "%s/%s.so", GJ_PLUGIN_BUILD_DIR, name);
	memset(p, 0, sizeof(*p));
	p->handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	ck_assert_msg(p->handle != NULL, "dlopen %s: %s", path, dlerror());
	p->d = dlsym(p->handle, GJ_PLUGIN_DESCRIPTOR_SYMBOL);
	ck_assert_ptr_nonnull(p->d);
	ck_assert_uint_eq(p->d->abi_major, GJ_PLUGIN_ABI_MAJOR);
	ck_assert_uint_le(p->d->abi_minor, GJ_PLUGIN_ABI_MINOR);
	ck_assert_str_eq(p->d->name, name);
	ck_assert_ptr_nonnull(p->d->init);
	fk.in_init = true;
	r = p->d->init(&host, &fk, &p->state);
	fk.in_init = false;
	ck_assert_int_eq(fk.forbidden, 0);
	if (r < 0) {
		dlclose(p->handle);
		p->handle = NULL;
	}
	return r;
}

static void load(const char *name, struct plugin *p)
{
	int r = try_load(name, p);

	ck_assert_msg(r == 0, "init of %s failed: %d; log: %s", name, r, fk.log);
}

static void unload(struct plugin *p)
{
	if (p->d->fini)
		p->d->fini(p->state);
	dlclose(p->handle);
	memset(p, 0, sizeof(*p));
}

/* A daemon restart: same tickets and clocks, a new plugin state. */
static void restart(const char *name, struct plugin *p)
{
	unload(p);
	load(name, p);
}

/* --- driving callbacks --- */

/* ms of a local time "YYYY-MM-DDTHH:MM" at +08:00. */
static int64_t at(const char *s)
{
	struct tm tm = { 0 };
	int y, mo, d, h, mi;

	ck_assert_int_eq(sscanf(s, "%d-%d-%dT%d:%d", &y, &mo, &d, &h, &mi), 5);
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	return ((int64_t)timegm(&tm) - OFFSET_S) * 1000;
}

#define MIN_MS INT64_C(60000)

static int send_alert(struct plugin *p, uint64_t id, enum gj_plugin_alert_kind kind,
                      const char *clock, int64_t deadline, int64_t now)
{
	struct ticket *t = find_ticket(id);
	struct gj_plugin_alert a = {
		.ticket_id = id,
		.estate = t->estate,
		.workflow = t->workflow,
		.workflow_version = 2,
		.clock = clock,
		.rule = tget(id, "rule"),
		.kind = kind,
		.level = 0,
		.deadline_ms = deadline,
		.now_ms = now,
		.late_ms = now - deadline,
		.state = tget(id, "state"),
	};

	return p->d->on_alert(p->state, &a);
}

/* A transition; the fake ticket takes @p to first, as the host stores it. */
static int move(struct plugin *p, uint64_t id, const char *event,
                const char *from, const char *to, int64_t when)
{
	struct ticket *t = find_ticket(id);
	struct gj_plugin_transition tr = {
		.ticket_id = id,
		.estate = t->estate,
		.workflow = t->workflow,
		.workflow_version = 2,
		.event = event,
		.from_state = from,
		.to_state = to,
		.person = "wang.wu",
		.role = "engineering",
		.rule = tget(id, "rule"),
		.at_ms = when,
	};

	tset(id, "state", to);
	return p->d->on_transition(p->state, &tr);
}

/* Deliver a plugin clock at @p due (armed or not: a replay) at @p now. */
static int deliver(struct plugin *p, uint64_t id, const char *name,
                   int64_t due, int64_t now)
{
	struct ticket *t = find_ticket(id);
	struct gj_plugin_clock c = {
		.ticket_id = id,
		.estate = t->estate,
		.workflow = t->workflow,
		.workflow_version = 2,
		.name = name,
		.state = tget(id, "state"),
		.at_ms = due,
		.now_ms = now,
	};

	return p->d->on_clock(p->state, &c);
}

/* Fire an armed plugin clock at its time, consuming it as the host does. */
static int fire(struct plugin *p, uint64_t id, const char *name)
{
	struct pclock *c = find_clock(id, name);
	int64_t due;

	ck_assert_msg(c != NULL, "clock %s of ticket %llu is not armed", name,
	              (unsigned long long)id);
	due = c->at_ms;
	drop_clock(c);
	return deliver(p, id, name, due, due);
}

static int64_t armed_at(uint64_t id, const char *name)
{
	struct pclock *c = find_clock(id, name);

	ck_assert_msg(c != NULL, "clock %s of ticket %llu is not armed", name,
	              (unsigned long long)id);
	return c->at_ms;
}

static int check(struct plugin *p, uint64_t id, const char *event,
                 const struct gj_plugin_kv *fields, size_t n, int64_t now,
                 char *why, size_t why_len)
{
	struct ticket *t = find_ticket(id);
	struct gj_plugin_check c = {
		.ticket_id = id,
		.estate = t->estate,
		.workflow = t->workflow,
		.workflow_version = 2,
		.event = event,
		.from_state = tget(id, "state"),
		.person = "wang.wu",
		.role = "engineering",
		.fields = fields,
		.n_fields = n,
		.now_ms = now,
	};

	why[0] = '\0';
	return p->d->check_event(p->state, &c, why, why_len);
}

#define assert_has(hay, needle) \
	ck_assert_msg(strstr((hay), (needle)) != NULL, "\"%s\" not in \"%s\"", \
	              (needle), (hay))
#define assert_lacks(hay, needle) \
	ck_assert_msg(strstr((hay), (needle)) == NULL, "\"%s\" in \"%s\"", \
	              (needle), (hay))

/* ================= ladder ================= */

static const char *const R17 = "r17_repair";

/* The R17 set-up of etc/plugins.yaml, two reminders at most. */
static void ladder_config(void)
{
	cfg("workflows", "r17_repair");
	cfg("clocks", "minor_repair,moderate_repair");
	cfg("level1_roles", "engineering");
	cfg("level2_roles", "team_head");
	cfg("level3_roles", "manager,cs_lead");
	cfg("level3_after", "30m");
	cfg("repeat_every", "15m");
	cfg("max_repeats", "2");
	cfg("acknowledge_events", "cannot_fix,acknowledge");
}

/* Ticket 1: a dispatched minor repair whose clock is running. */
static void ladder_ticket(uint64_t id)
{
	ticket_new(id, "lanting", R17, "R17", "dispatched", "2026-10-09T10:00:00+08:00");
	tset(id, "clock.minor_repair.state", "running");
}

START_TEST(ladder_levels_then_repeats_up_to_the_cap)
{
	struct plugin p;
	int64_t d = at("2026-10-09T11:10");
	struct alert *a;

	ladder_config();
	ladder_ticket(1);
	load("ladder", &p);

	ck_assert_int_eq(send_alert(&p, 1, GJ_PLUGIN_ALERT_WARN, "minor_repair",
	                            d, d - 10 * MIN_MS), 1);
	ck_assert_uint_eq(fk.n_alerts, 1);
	a = &fk.alerts[0];
	ck_assert_uint_eq(a->level, 1);
	ck_assert_str_eq(a->roles, "engineering");
	ck_assert_str_eq(a->clock, "minor_repair");
	assert_has(a->message, "R17 ticket 1");
	assert_has(a->message, "minor_repair");
	assert_has(a->message, "level 1");
	assert_has(a->message, "due in 10m");
	assert_has(a->message, "2026-10-09T11:10:00+08:00");
	ck_assert_uint_eq(fk.n_clocks, 0);

	ck_assert_int_eq(send_alert(&p, 1, GJ_PLUGIN_ALERT_BREACH, "minor_repair",
	                            d, d + 1000), 1);
	ck_assert_uint_eq(fk.n_alerts, 2);
	a = &fk.alerts[1];
	ck_assert_uint_eq(a->level, 2);
	ck_assert_str_eq(a->roles, "team_head");
	assert_has(a->message, "R17 ticket 1");
	assert_has(a->message, "level 2");
	assert_has(a->message, "1s late");
	ck_assert_uint_eq(fk.n_clocks, 1);
	ck_assert(armed_at(1, "l3:minor_repair") == d + 30 * MIN_MS);

	ck_assert_int_eq(fire(&p, 1, "l3:minor_repair"), 0);
	ck_assert_uint_eq(fk.n_alerts, 3);
	a = &fk.alerts[2];
	ck_assert_uint_eq(a->level, 3);
	ck_assert_str_eq(a->roles, "manager,cs_lead");
	assert_has(a->message, "R17 ticket 1");
	assert_has(a->message, "level 3");
	assert_has(a->message, "30m late");
	ck_assert(armed_at(1, "rep:minor_repair") == d + 45 * MIN_MS);

	ck_assert_int_eq(fire(&p, 1, "rep:minor_repair"), 0);
	ck_assert_uint_eq(fk.n_alerts, 4);
	a = &fk.alerts[3];
	ck_assert_uint_eq(a->level, 3);
	ck_assert_str_eq(a->roles, "manager,cs_lead");
	assert_has(a->message, "reminder 1 of 2");
	assert_has(a->message, "45m late");
	ck_assert(armed_at(1, "rep:minor_repair") == d + 60 * MIN_MS);

	ck_assert_int_eq(fire(&p, 1, "rep:minor_repair"), 0);
	ck_assert_uint_eq(fk.n_alerts, 5);
	assert_has(fk.alerts[4].message, "reminder 2 of 2");
	assert_has(fk.alerts[4].message, "1h late");
	/* The cap is reached: nothing armed any more. */
	ck_assert_uint_eq(fk.n_clocks, 0);
	ck_assert_str_eq(tget(1, "ladder_minor_repair_level"), "3");
	ck_assert_str_eq(tget(1, "ladder_minor_repair_repeats"), "2");
	ck_assert_str_eq(tget(1, "ladder_minor_repair_deadline"), "2026-10-09T11:10:00+08:00");
	ck_assert_str_eq(tget(1, "ladder_clocks"), "minor_repair");
	unload(&p);
}
END_TEST

START_TEST(ladder_never_raises_a_level_twice_across_restarts)
{
	struct plugin p;
	int64_t d = at("2026-10-09T11:10") + 250; /* not a whole second */
	int64_t l3;

	ladder_config();
	ladder_ticket(1);
	load("ladder", &p);

	ck_assert_int_eq(send_alert(&p, 1, GJ_PLUGIN_ALERT_WARN, "minor_repair",
	                            d, d - 10 * MIN_MS), 1);
	ck_assert_int_eq(send_alert(&p, 1, GJ_PLUGIN_ALERT_WARN, "minor_repair",
	                            d, d - 10 * MIN_MS), 1);
	restart("ladder", &p);
	ck_assert_int_eq(send_alert(&p, 1, GJ_PLUGIN_ALERT_WARN, "minor_repair",
	                            d, d - 9 * MIN_MS), 1);
	ck_assert_uint_eq(fk.n_alerts, 1);

	ck_assert_int_eq(send_alert(&p, 1, GJ_PLUGIN_ALERT_BREACH, "minor_repair",
	                            d, d), 1);
	restart("ladder", &p);
	/* Replayed after the restart: handled (returns 1), nothing raised. */
	ck_assert_int_eq(send_alert(&p, 1, GJ_PLUGIN_ALERT_BREACH, "minor_repair",
	                            d, d + MIN_MS), 1);
	/* A late warning replayed after the breach raises nothing either. */
	ck_assert_int_eq(send_alert(&p, 1, GJ_PLUGIN_ALERT_WARN, "minor_repair",
	                            d, d + MIN_MS), 1);
	ck_assert_uint_eq(fk.n_alerts, 2);
	ck_assert_uint_eq(fk.alerts[1].level, 2);
	l3 = armed_at(1, "l3:minor_repair");
	ck_assert(l3 == d + 30 * MIN_MS);
	ck_assert_uint_eq(fk.n_clocks, 1);

	/* Level 3 delivered twice, with a restart in between. */
	ck_assert_int_eq(fire(&p, 1, "l3:minor_repair"), 0);
	ck_assert_uint_eq(fk.n_alerts, 3);
	restart("ladder", &p);
	ck_assert_int_eq(deliver(&p, 1, "l3:minor_repair", l3, l3 + 1000), 0);
	ck_assert_uint_eq(fk.n_alerts, 3);

	/* The first reminder delivered twice. */
	ck_assert_int_eq(fire(&p, 1, "rep:minor_repair"), 0);
	ck_assert_uint_eq(fk.n_alerts, 4);
	ck_assert_int_eq(deliver(&p, 1, "rep:minor_repair", l3 + 15 * MIN_MS,
	                         l3 + 16 * MIN_MS), 0);
	ck_assert_uint_eq(fk.n_alerts, 4);
	ck_assert(armed_at(1, "rep:minor_repair") == l3 + 30 * MIN_MS);

	ck_assert_uint_eq(fk.alerts[0].level, 1);
	ck_assert_uint_eq(fk.alerts[1].level, 2);
	ck_assert_uint_eq(fk.alerts[2].level, 3);
	ck_assert_uint_eq(fk.alerts[3].level, 3);
	unload(&p);
}
END_TEST

START_TEST(ladder_acknowledge_event_after_breach_stops_repeats)
{
	struct plugin p;
	int64_t d = at("2026-10-09T11:10");

	ladder_config();
	ladder_ticket(1);
	ladder_ticket(2);
	load("ladder", &p);

	/* Ticket 1: breached, level 3 raised, then acknowledged. */
	send_alert(&p, 1, GJ_PLUGIN_ALERT_BREACH, "minor_repair", d, d);
	ck_assert_int_eq(fire(&p, 1, "l3:minor_repair"), 0);
	ck_assert_uint_eq(fk.n_alerts, 2);
	ck_assert_ptr_nonnull(find_clock(1, "rep:minor_repair"));
	ck_assert_int_eq(move(&p, 1, "cannot_fix", "dispatched", "deferred",
	                      d + 40 * MIN_MS), 0);
	ck_assert_ptr_null(find_clock(1, "rep:minor_repair"));
	ck_assert_ptr_nonnull(tget(1, "ladder_ack_minor_repair"));
	assert_has(tget(1, "ladder_ack_minor_repair"), "cannot_fix");
	/* A reminder the host had already taken raises nothing. */
	ck_assert_int_eq(deliver(&p, 1, "rep:minor_repair", d + 45 * MIN_MS,
	                         d + 45 * MIN_MS), 0);
	ck_assert_uint_eq(fk.n_alerts, 2);

	/* Ticket 2: the same event before the breach acknowledges nothing. */
	send_alert(&p, 2, GJ_PLUGIN_ALERT_WARN, "minor_repair", d, d - 10 * MIN_MS);
	ck_assert_int_eq(move(&p, 2, "acknowledge", "dispatched", "dispatched",
	                      d - 5 * MIN_MS), 0);
	ck_assert_ptr_null(tget(2, "ladder_ack_minor_repair"));
	send_alert(&p, 2, GJ_PLUGIN_ALERT_BREACH, "minor_repair", d, d);
	ck_assert_uint_eq(fk.n_alerts, 4);
	ck_assert_uint_eq(fk.alerts[3].level, 2);
	ck_assert_ptr_nonnull(find_clock(2, "l3:minor_repair"));
	/* An event that is not an acknowledgement leaves it running. */
	ck_assert_int_eq(move(&p, 2, "note", "dispatched", "dispatched", d + MIN_MS), 0);
	ck_assert_ptr_nonnull(find_clock(2, "l3:minor_repair"));
	ck_assert_int_eq(fire(&p, 2, "l3:minor_repair"), 0);
	ck_assert_uint_eq(fk.n_alerts, 5);
	unload(&p);
}
END_TEST

START_TEST(ladder_stopped_clock_ends_the_escalation)
{
	struct plugin p;
	int64_t d = at("2026-10-09T11:10");

	ladder_config();
	ladder_ticket(1);
	ladder_ticket(2);
	load("ladder", &p);

	/* Ticket 1: the clock stops unseen; level 3 falls due. */
	send_alert(&p, 1, GJ_PLUGIN_ALERT_BREACH, "minor_repair", d, d);
	tset(1, "clock.minor_repair.state", "stopped");
	ck_assert_int_eq(fire(&p, 1, "l3:minor_repair"), 0);
	ck_assert_uint_eq(fk.n_alerts, 1);
	ck_assert_ptr_null(find_clock(1, "rep:minor_repair"));
	assert_has(tget(1, "ladder_ack_minor_repair"), "stopped");

	/* Ticket 2: finished (the clock stops) before level 3. */
	send_alert(&p, 2, GJ_PLUGIN_ALERT_BREACH, "minor_repair", d, d);
	ck_assert_ptr_nonnull(find_clock(2, "l3:minor_repair"));
	tset(2, "clock.minor_repair.state", "stopped");
	tset(2, "closed", "true");
	ck_assert_int_eq(move(&p, 2, "finish", "dispatched", "done", d + MIN_MS), 0);
	ck_assert_ptr_null(find_clock(2, "l3:minor_repair"));
	ck_assert_ptr_nonnull(tget(2, "ladder_ack_minor_repair"));
	ck_assert_uint_eq(fk.n_alerts, 2);
	unload(&p);
}
END_TEST

START_TEST(ladder_leaves_other_workflows_and_clocks_alone)
{
	struct plugin p;
	int64_t d = at("2026-10-09T11:10");

	ladder_config();
	ticket_new(1, "lanting", "r19_complaint", "R19", "received",
	           "2026-10-09T10:00:00+08:00");
	ladder_ticket(2);
	load("ladder", &p);

	ck_assert_int_eq(send_alert(&p, 1, GJ_PLUGIN_ALERT_BREACH, "reply", d, d), 0);
	/* dispatch is not among the configured clocks */
	ck_assert_int_eq(send_alert(&p, 2, GJ_PLUGIN_ALERT_BREACH, "dispatch", d, d), 0);
	ck_assert_int_eq(move(&p, 1, "acknowledge", "received", "received", d), 0);
	ck_assert_uint_eq(fk.n_alerts, 0);
	ck_assert_uint_eq(fk.n_clocks, 0);
	ck_assert_ptr_null(tget(1, "ladder_clocks"));
	ck_assert_ptr_null(tget(2, "ladder_clocks"));
	unload(&p);
}
END_TEST

START_TEST(ladder_without_level1_roles_skips_level1)
{
	struct plugin p;
	int64_t d = at("2026-10-09T11:10");

	cfg("workflows", "r17_repair");
	cfg("level1_roles", "");
	ladder_ticket(1);
	load("ladder", &p);

	/* Not handled: the workflow's own warning is raised instead. */
	ck_assert_int_eq(send_alert(&p, 1, GJ_PLUGIN_ALERT_WARN, "minor_repair",
	                            d, d - 10 * MIN_MS), 0);
	ck_assert_uint_eq(fk.n_alerts, 0);
	ck_assert_int_eq(send_alert(&p, 1, GJ_PLUGIN_ALERT_BREACH, "minor_repair",
	                            d, d), 1);
	ck_assert_uint_eq(fk.n_alerts, 1);
	ck_assert_uint_eq(fk.alerts[0].level, 2);
	/* the defaults */
	ck_assert_str_eq(fk.alerts[0].roles, "team_head");
	ck_assert(armed_at(1, "l3:minor_repair") == d + 30 * MIN_MS);
	ck_assert_int_eq(fire(&p, 1, "l3:minor_repair"), 0);
	ck_assert_str_eq(fk.alerts[1].roles, "manager");
	ck_assert(armed_at(1, "rep:minor_repair") == d + 45 * MIN_MS);
	unload(&p);
}
END_TEST

START_TEST(ladder_a_new_deadline_escalates_again)
{
	struct plugin p;
	int64_t d = at("2026-10-09T11:10"), d2 = at("2026-10-09T15:00");

	ladder_config();
	ladder_ticket(1);
	load("ladder", &p);

	send_alert(&p, 1, GJ_PLUGIN_ALERT_BREACH, "minor_repair", d, d);
	ck_assert_uint_eq(fk.n_alerts, 1);
	/* The clock ran again with another deadline: a new escalation. */
	ck_assert_int_eq(send_alert(&p, 1, GJ_PLUGIN_ALERT_BREACH, "minor_repair",
	                            d2, d2), 1);
	ck_assert_uint_eq(fk.n_alerts, 2);
	ck_assert_uint_eq(fk.alerts[1].level, 2);
	ck_assert(armed_at(1, "l3:minor_repair") == d2 + 30 * MIN_MS);
	ck_assert_uint_eq(fk.n_clocks, 1);
	unload(&p);
}
END_TEST

START_TEST(ladder_refuses_bad_configuration)
{
	static const char *const bad[][3] = {
		{ "repeat_every", "soon", "repeat_every: \"soon\" is not a duration" },
		{ "repeat_every", "10s", "repeat_every: \"10s\" is too short" },
		{ "level3_after", "30", "level3_after: \"30\" is not a duration" },
		{ "level3_after", "1m30h", "level3_after: \"1m30h\" is not a duration" },
		{ "max_repeats", "many", "max_repeats: \"many\" is not a whole number" },
		{ "level2_roles", "", "level2_roles: the list is empty" },
		{ "level3_roles", "manager,,cs_lead", "level3_roles: \"manager,,cs_lead\" has an empty item" },
		{ "workflows", "", "workflows: the list is empty" },
		{ "workflows", "r17 repair", "workflows: \"r17 repair\" is not a name" },
		{ "level1_roles", "engineer", "level1_roles: \"engineer\" is not a role" },
		{ "level3_roles", "manager,boss", "level3_roles: \"boss\" is not a role" },
		{ "utc_offset", "8", "utc_offset: \"8\" is not a UTC offset" },
	};
	struct plugin p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fk.n_config = 0;
		fk.log[0] = '\0';
		cfg(bad[i][0], bad[i][1]);
		ck_assert_int_eq(try_load("ladder", &p), -EINVAL);
		assert_has(fk.log, bad[i][2]);
	}
	/* And good ones load. */
	fk.n_config = 0;
	cfg("repeat_every", "1h30m");
	cfg("level3_after", "90s");
	cfg("max_repeats", "0");
	load("ladder", &p);
	unload(&p);
}
END_TEST

START_TEST(ladder_max_repeats_zero_raises_level3_once)
{
	struct plugin p;
	int64_t d = at("2026-10-09T11:10");

	cfg("max_repeats", "0");
	ladder_ticket(1);
	load("ladder", &p);
	send_alert(&p, 1, GJ_PLUGIN_ALERT_BREACH, "minor_repair", d, d);
	ck_assert_int_eq(fire(&p, 1, "l3:minor_repair"), 0);
	ck_assert_uint_eq(fk.n_alerts, 2);
	ck_assert_uint_eq(fk.alerts[1].level, 3);
	ck_assert_uint_eq(fk.n_clocks, 0);
	unload(&p);
}
END_TEST

/* ================= special_event ================= */

static const char *const R28B = "r28b_special_event";

static void special_ticket(uint64_t id)
{
	ticket_new(id, "lanting", R28B, "R28b", "found", "2026-10-09T10:00:00+08:00");
	tset(id, "kind", "burst_pipe");
	tset(id, "location", "3-2-101");
}

START_TEST(special_event_alerts_manager_when_head_never_reports)
{
	struct plugin p;
	int64_t t0 = at("2026-10-09T10:00");
	struct alert *a;

	special_ticket(2);
	load("special_event", &p); /* every key at its default */

	ck_assert_int_eq(move(&p, 2, "open", NULL, "found", t0), 0);
	ck_assert(armed_at(2, "head_report") == t0 + 5 * MIN_MS);
	ck_assert_int_eq(move(&p, 2, "report_to_head", "found", "found",
	                      t0 + 30 * 1000), 0);
	ck_assert_uint_eq(fk.n_alerts, 0);

	ck_assert_int_eq(fire(&p, 2, "head_report"), 0);
	ck_assert_uint_eq(fk.n_alerts, 1);
	a = &fk.alerts[0];
	ck_assert_uint_eq(a->ticket, 2);
	ck_assert_uint_eq(a->level, 1);
	ck_assert_str_eq(a->roles, "manager");
	ck_assert_str_eq(a->clock, "head_report");
	assert_has(a->message, "R28b ticket 2");
	assert_has(a->message, "burst_pipe at 3-2-101");
	assert_has(a->message, "team head has not reported to the manager within 5m");
	assert_has(a->message, "2026-10-09T10:00:00+08:00");

	/* Delivered again (after a restart): no second alert. */
	restart("special_event", &p);
	ck_assert_int_eq(deliver(&p, 2, "head_report", t0 + 5 * MIN_MS,
	                         t0 + 6 * MIN_MS), 0);
	ck_assert_uint_eq(fk.n_alerts, 1);
	unload(&p);
}
END_TEST

START_TEST(special_event_reported_at_3_minutes_does_not_alert)
{
	struct plugin p;
	int64_t t0 = at("2026-10-09T10:00");

	special_ticket(2);
	load("special_event", &p);

	ck_assert_int_eq(move(&p, 2, "open", NULL, "found", t0), 0);
	ck_assert_ptr_nonnull(find_clock(2, "head_report"));
	ck_assert_int_eq(move(&p, 2, "report_to_manager", "found", "found",
	                      t0 + 3 * MIN_MS), 0);
	ck_assert_ptr_null(find_clock(2, "head_report"));
	assert_has(tget(2, "special_event_head_reported"), "2026-10-09T10:03:00+08:00");
	/* Even if the host had already taken the clock: nothing. */
	ck_assert_int_eq(deliver(&p, 2, "head_report", t0 + 5 * MIN_MS,
	                         t0 + 5 * MIN_MS), 0);
	ck_assert_uint_eq(fk.n_alerts, 0);
	unload(&p);
}
END_TEST

START_TEST(special_event_closed_before_due_does_not_alert)
{
	struct plugin p;
	int64_t t0 = at("2026-10-09T10:00");

	special_ticket(2);
	load("special_event", &p);
	move(&p, 2, "open", NULL, "found", t0);
	tset(2, "closed", "true");
	ck_assert_int_eq(move(&p, 2, "close", "found", "closed", t0 + 2 * MIN_MS), 0);
	ck_assert_ptr_null(find_clock(2, "head_report"));
	ck_assert_int_eq(deliver(&p, 2, "head_report", t0 + 5 * MIN_MS,
	                         t0 + 5 * MIN_MS), 0);
	ck_assert_uint_eq(fk.n_alerts, 0);
	unload(&p);
}
END_TEST

START_TEST(special_event_close_needs_the_written_report)
{
	static const struct gj_plugin_kv with_report[] = {
		{ "report", "Pipe replaced; 3 flats dried out; no injuries." },
	};
	static const struct gj_plugin_kv blank_report[] = { { "report", "  " } };
	static const struct gj_plugin_kv other[] = { { "note", "done" } };
	struct plugin p;
	int64_t now = at("2026-10-09T11:00");
	char why[256];

	special_ticket(2);
	ticket_new(3, "lanting", R17, "R17", "dispatched", "2026-10-09T10:00:00+08:00");
	load("special_event", &p);

	ck_assert_int_eq(check(&p, 2, "close", NULL, 0, now, why, sizeof(why)), -EPERM);
	ck_assert_str_eq(why, "a special event cannot be closed without its written "
	                      "special-event report (field 'report')");
	ck_assert_int_eq(check(&p, 2, "close", other, 1, now, why, sizeof(why)), -EPERM);
	ck_assert_int_eq(check(&p, 2, "close", blank_report, 1, now, why, sizeof(why)),
	                 -EPERM);
	ck_assert_int_eq(check(&p, 2, "close", with_report, 1, now, why, sizeof(why)), 0);
	/* Other events, other workflows: not this plugin's business. */
	ck_assert_int_eq(check(&p, 2, "report_to_head", NULL, 0, now, why, sizeof(why)), 0);
	ck_assert_int_eq(check(&p, 3, "close", NULL, 0, now, why, sizeof(why)), 0);
	/* A report already on the ticket will do. */
	tset(2, "report", "Written up by the team head.");
	ck_assert_int_eq(check(&p, 2, "close", NULL, 0, now, why, sizeof(why)), 0);
	/* ...but not one the command blanks out. */
	ck_assert_int_eq(check(&p, 2, "close", blank_report, 1, now, why, sizeof(why)),
	                 -EPERM);
	unload(&p);
}
END_TEST

START_TEST(special_event_ignores_other_workflows)
{
	struct plugin p;
	int64_t t0 = at("2026-10-09T10:00");

	ticket_new(3, "lanting", R17, "R17", "reported", "2026-10-09T10:00:00+08:00");
	load("special_event", &p);
	ck_assert_int_eq(move(&p, 3, "open", NULL, "reported", t0), 0);
	ck_assert_uint_eq(fk.n_clocks, 0);
	ck_assert_int_eq(deliver(&p, 3, "head_report", t0 + 5 * MIN_MS,
	                         t0 + 5 * MIN_MS), 0);
	ck_assert_uint_eq(fk.n_alerts, 0);
	unload(&p);
}
END_TEST

START_TEST(special_event_configured_and_refused)
{
	struct plugin p;
	int64_t t0 = at("2026-10-09T10:00");

	cfg("head_report_within", "five minutes");
	ck_assert_int_eq(try_load("special_event", &p), -EINVAL);
	assert_has(fk.log, "head_report_within: \"five minutes\" is not a duration");

	fk.n_config = 0;
	fk.log[0] = '\0';
	cfg("direct_roles", "");
	ck_assert_int_eq(try_load("special_event", &p), -EINVAL);
	assert_has(fk.log, "direct_roles");

	fk.n_config = 0;
	cfg("head_report_within", "3m");
	cfg("direct_roles", "manager,cs_lead");
	special_ticket(2);
	load("special_event", &p);
	move(&p, 2, "open", NULL, "found", t0);
	ck_assert(armed_at(2, "head_report") == t0 + 3 * MIN_MS);
	ck_assert_int_eq(fire(&p, 2, "head_report"), 0);
	ck_assert_str_eq(fk.alerts[0].roles, "manager,cs_lead");
	assert_has(fk.alerts[0].message, "within 3m");
	unload(&p);
}
END_TEST

/* ================= defer_notice ================= */

/* A dispatched repair reported on 2026-09-30 at 15:00. */
static void repair_ticket(uint64_t id, const char *estate, const char *state)
{
	ticket_new(id, estate, R17, "R17", state, "2026-09-30T15:00:00+08:00");
	tset(id, "location", "Block 3 lobby");
}

START_TEST(defer_notice_due_three_working_days_after_cannot_fix)
{
	struct plugin p;
	int64_t when = at("2026-09-30T16:00"), due = at("2026-10-10T17:30");
	struct alert *a;

	repair_ticket(3, "lanting", "dispatched");
	load("defer_notice", &p);

	ck_assert_int_eq(move(&p, 3, "cannot_fix", "dispatched", "deferred", when), 0);
	ck_assert_uint_eq(fk.n_wd, 1);
	ck_assert_str_eq(fk.wd[0].estate, "lanting");
	ck_assert(fk.wd[0].from_ms == when);
	ck_assert_int_eq(fk.wd[0].n, 3);
	/* Close of Saturday 2026-10-10, a make-up working day. */
	ck_assert(armed_at(3, "notice") == due);
	ck_assert_str_eq(tget(3, "defer_notice_due"), "2026-10-10T17:30:00+08:00");
	ck_assert_uint_eq(fk.n_alerts, 0);

	ck_assert_int_eq(fire(&p, 3, "notice"), 0);
	ck_assert_uint_eq(fk.n_alerts, 1);
	a = &fk.alerts[0];
	ck_assert_uint_eq(a->ticket, 3);
	ck_assert_str_eq(a->clock, "notice");
	ck_assert_str_eq(a->roles, "engineering,butler");
	assert_has(a->message, "R17 ticket 3 (Block 3 lobby)");
	assert_has(a->message, "defer notice");
	assert_has(a->message, "within 3 working days");
	assert_has(a->message, "2026-10-10T17:30:00+08:00");

	restart("defer_notice", &p);
	ck_assert_int_eq(deliver(&p, 3, "notice", due, due + MIN_MS), 0);
	ck_assert_uint_eq(fk.n_alerts, 1);
	unload(&p);
}
END_TEST

START_TEST(defer_notice_filed_in_time_does_not_alert)
{
	struct plugin p;
	int64_t when = at("2026-09-30T16:00");

	repair_ticket(3, "lanting", "dispatched");
	load("defer_notice", &p);
	move(&p, 3, "cannot_fix", "dispatched", "deferred", when);
	ck_assert_ptr_nonnull(find_clock(3, "notice"));
	tset(3, "reason", "waiting for a replacement pump");
	tset(3, "expected_date", "2026-10-20");
	ck_assert_int_eq(move(&p, 3, "defer_notice", "deferred", "deferred",
	                      at("2026-10-09T09:00")), 0);
	ck_assert_ptr_null(find_clock(3, "notice"));
	ck_assert_int_eq(deliver(&p, 3, "notice", at("2026-10-10T17:30"),
	                         at("2026-10-10T17:30")), 0);
	ck_assert_uint_eq(fk.n_alerts, 0);
	unload(&p);
}
END_TEST

START_TEST(defer_notice_check_refuses_bad_notices)
{
	static const char *const not_dates[] = {
		"2026-13-01", "2026-10-1", "next week", "2026-02-30", "2026-10-20x",
	};
	struct plugin p;
	int64_t now = at("2026-10-08T10:00");
	struct gj_plugin_kv kv[2] = {
		{ "reason", "waiting for a replacement pump" },
		{ "expected_date", "2026-10-20" },
	};
	char why[512];
	size_t i;

	repair_ticket(3, "lanting", "deferred");
	load("defer_notice", &p);

	ck_assert_int_eq(check(&p, 3, "defer_notice", kv, 2, now, why, sizeof(why)), 0);
	ck_assert_int_eq(check(&p, 3, "defer_notice", kv + 1, 1, now, why, sizeof(why)),
	                 -EPERM);
	assert_has(why, "reason");
	ck_assert_int_eq(check(&p, 3, "defer_notice", kv, 1, now, why, sizeof(why)),
	                 -EPERM);
	assert_has(why, "expected_date");

	for (i = 0; i < sizeof(not_dates) / sizeof(not_dates[0]); i++) {
		kv[1].value = not_dates[i];
		ck_assert_int_eq(check(&p, 3, "defer_notice", kv, 2, now, why,
		                       sizeof(why)), -EPERM);
		assert_has(why, "is not a date");
		assert_has(why, not_dates[i]);
	}

	kv[1].value = "2026-10-07";
	ck_assert_int_eq(check(&p, 3, "defer_notice", kv, 2, now, why, sizeof(why)),
	                 -EPERM);
	assert_has(why, "2026-10-07 is in the past (today is 2026-10-08");

	fk.n_wd = 0;
	kv[1].value = "2026-12-01";
	ck_assert_int_eq(check(&p, 3, "defer_notice", kv, 2, now, why, sizeof(why)),
	                 -EPERM);
	ck_assert_str_eq(why, "the expected repair date 2026-12-01 is later than 30 "
	                      "working days after the repair was reported on "
	                      "2026-09-30 (latest allowed: 2026-11-17, R17)");
	ck_assert_uint_eq(fk.n_wd, 1);
	ck_assert_int_eq(fk.wd[0].n, 30);
	ck_assert(fk.wd[0].from_ms == at("2026-09-30T15:00"));
	ck_assert_str_eq(fk.wd[0].estate, "lanting");

	kv[1].value = "2026-11-18";
	ck_assert_int_eq(check(&p, 3, "defer_notice", kv, 2, now, why, sizeof(why)),
	                 -EPERM);
	assert_has(why, "latest allowed: 2026-11-17");
	kv[1].value = "2026-11-17";
	ck_assert_int_eq(check(&p, 3, "defer_notice", kv, 2, now, why, sizeof(why)), 0);
	kv[1].value = "2026-10-08"; /* today */
	ck_assert_int_eq(check(&p, 3, "defer_notice", kv, 2, now, why, sizeof(why)), 0);

	/* Other events need none of it. */
	ck_assert_int_eq(check(&p, 3, "finish", NULL, 0, now, why, sizeof(why)), 0);
	unload(&p);
}
END_TEST

START_TEST(defer_notice_max_wd_is_configurable)
{
	struct plugin p;
	int64_t now = at("2026-10-08T10:00");
	struct gj_plugin_kv kv[2] = {
		{ "reason", "parts" }, { "expected_date", "2026-10-13" },
	};
	char why[512];

	cfg("max_wd", "5");
	repair_ticket(3, "lanting", "deferred");
	load("defer_notice", &p);
	/* 5 working days after 2026-09-30: Oct 8, 9, 10, 12, 13. */
	ck_assert_int_eq(check(&p, 3, "defer_notice", kv, 2, now, why, sizeof(why)), 0);
	kv[1].value = "2026-10-14";
	ck_assert_int_eq(check(&p, 3, "defer_notice", kv, 2, now, why, sizeof(why)),
	                 -EPERM);
	assert_has(why, "later than 5 working days");
	assert_has(why, "latest allowed: 2026-10-13");
	unload(&p);
}
END_TEST

START_TEST(defer_notice_publishes_every_deferred_repair)
{
	struct plugin p;
	int64_t when = at("2026-10-09T09:00");
	const char *text;

	repair_ticket(3, "lanting", "deferred");
	tset(3, "description", "ceiling lamp out");
	repair_ticket(4, "lanting", "deferred");
	tset(4, "location", "Gate 2");
	tset(4, "reason", "cable to be dug up");
	tset(4, "expected_date", "2026-10-30");
	tset(4, "defer_notice_filed", "2026-10-08T10:00:00+08:00");
	repair_ticket(5, "lanting", "dispatched");
	repair_ticket(6, "yayuan", "deferred");
	ticket_new(7, "lanting", "r26a_home_repair", "R26a", "deferred",
	           "2026-09-30T15:00:00+08:00");
	repair_ticket(8, "lanting", "deferred");
	tset(8, "location", "Car park B1");
	tset(8, "defer_notice_due", "2026-10-12T17:30:00+08:00");
	repair_ticket(9, "lanting", "deferred"); /* closed: open ones only */
	tset(9, "closed", "true");
	load("defer_notice", &p);

	tset(3, "reason", "waiting for a replacement fitting");
	tset(3, "expected_date", "2026-10-20");
	ck_assert_int_eq(move(&p, 3, "defer_notice", "deferred", "deferred", when), 0);
	ck_assert(armed_at(3, "expected") == at("2026-10-20T17:30"));

	ck_assert_uint_eq(fk.n_notices, 1);
	ck_assert_str_eq(fk.notices[0].estate, "lanting");
	ck_assert_str_eq(fk.notices[0].name, "deferred_repairs");
	ck_assert_uint_eq(fk.notices[0].n, 3);
	ck_assert_uint_eq(fk.notices[0].ids[0], 3);
	ck_assert_uint_eq(fk.notices[0].ids[1], 4);
	ck_assert_uint_eq(fk.notices[0].ids[2], 8);
	text = fk.notices[0].text;
	assert_has(text, "Deferred repairs on lanting (R17): 3\n");
	assert_has(text, "- ticket 3, Block 3 lobby: ceiling lamp out; reason: waiting "
	                 "for a replacement fitting; expected 2026-10-20\n");
	assert_has(text, "- ticket 4, Gate 2; reason: cable to be dug up; expected 2026-10-30\n");
	assert_has(text, "- ticket 8, Car park B1; no defer notice yet (due by "
	                 "2026-10-12T17:30:00+08:00)\n");
	assert_lacks(text, "ticket 5");
	assert_lacks(text, "ticket 6");
	assert_lacks(text, "ticket 7");
	assert_lacks(text, "ticket 9");

	/* Ticket 3 is done: its clocks go, the list is published again. */
	tset(3, "closed", "true");
	ck_assert_int_eq(move(&p, 3, "finish", "deferred", "done", when + MIN_MS), 0);
	ck_assert_ptr_null(find_clock(3, "expected"));
	ck_assert_ptr_null(find_clock(3, "notice"));
	ck_assert_uint_eq(fk.n_notices, 2);
	ck_assert_uint_eq(fk.notices[1].n, 2);
	ck_assert_uint_eq(fk.notices[1].ids[0], 4);
	ck_assert_uint_eq(fk.notices[1].ids[1], 8);
	assert_lacks(fk.notices[1].text, "ticket 3");
	assert_has(fk.notices[1].text, "ticket 4");

	/* A repair finished straight from dispatched changes no list. */
	tset(5, "closed", "true");
	ck_assert_int_eq(move(&p, 5, "finish", "dispatched", "done", when + 2 * MIN_MS), 0);
	ck_assert_uint_eq(fk.n_notices, 2);
	unload(&p);
}
END_TEST

START_TEST(defer_notice_expected_date_passed)
{
	struct plugin p;
	int64_t due = at("2026-10-20T17:30");
	struct alert *a;

	repair_ticket(3, "lanting", "deferred");
	repair_ticket(4, "lanting", "deferred");
	load("defer_notice", &p);
	tset(3, "reason", "waiting for a replacement fitting");
	tset(3, "expected_date", "2026-10-20");
	move(&p, 3, "defer_notice", "deferred", "deferred", at("2026-10-09T09:00"));
	tset(4, "reason", "parts");
	tset(4, "expected_date", "2026-10-20");
	move(&p, 4, "defer_notice", "deferred", "deferred", at("2026-10-09T09:00"));
	ck_assert(armed_at(3, "expected") == due);

	ck_assert_int_eq(fire(&p, 3, "expected"), 0);
	ck_assert_uint_eq(fk.n_alerts, 1);
	a = &fk.alerts[0];
	ck_assert_uint_eq(a->ticket, 3);
	ck_assert_str_eq(a->clock, "expected");
	ck_assert_str_eq(a->roles, "engineering,butler,cs_lead");
	assert_has(a->message, "R17 ticket 3");
	assert_has(a->message, "expected repair date 2026-10-20 has passed");
	assert_has(a->message, "waiting for a replacement fitting");
	ck_assert_int_eq(deliver(&p, 3, "expected", due, due + MIN_MS), 0);
	ck_assert_uint_eq(fk.n_alerts, 1);

	/* Ticket 4 was done in time: no alert even if delivered. */
	tset(4, "closed", "true");
	ck_assert_int_eq(move(&p, 4, "finish", "deferred", "done", due - MIN_MS), 0);
	ck_assert_ptr_null(find_clock(4, "expected"));
	ck_assert_int_eq(deliver(&p, 4, "expected", due, due), 0);
	ck_assert_uint_eq(fk.n_alerts, 1);
	unload(&p);
}
END_TEST

START_TEST(defer_notice_refuses_bad_configuration)
{
	static const char *const bad[][3] = {
		{ "notice_within_wd", "three", "notice_within_wd: \"three\" is not a whole number" },
		{ "notice_within_wd", "0", "notice_within_wd: \"0\" is not a whole number" },
		{ "max_wd", "-1", "max_wd: \"-1\"" },
		{ "day_close", "25:00", "day_close: \"25:00\" is not a time of day" },
		{ "utc_offset", "+8", "utc_offset: \"+8\" is not a UTC offset" },
		{ "notice_event", "defer notice", "notice_event: \"defer notice\" is not a name" },
		{ "done_events", "", "done_events: the list is empty" },
		{ "overdue_roles", "engineering,butlers", "overdue_roles: \"butlers\" is not a role" },
		{ "list_name", "deferred-repairs", "list_name: \"deferred-repairs\" is not a name" },
	};
	struct plugin p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		fk.n_config = 0;
		fk.log[0] = '\0';
		cfg(bad[i][0], bad[i][1]);
		ck_assert_int_eq(try_load("defer_notice", &p), -EINVAL);
		assert_has(fk.log, bad[i][2]);
	}
}
END_TEST

START_TEST(defer_notice_configured_names_and_times)
{
	struct plugin p;
	int64_t when = at("2026-09-30T16:00");

	cfg("cannot_fix_event", "postpone");
	cfg("notice_event", "file_notice");
	cfg("notice_within_wd", "1");
	cfg("day_close", "18:00");
	cfg("list_name", "postponed");
	cfg("notice_roles", "butler");
	repair_ticket(3, "lanting", "dispatched");
	load("defer_notice", &p);
	/* The default names mean nothing now. */
	ck_assert_int_eq(move(&p, 3, "cannot_fix", "dispatched", "deferred", when), 0);
	ck_assert_uint_eq(fk.n_clocks, 0);
	ck_assert_int_eq(move(&p, 3, "postpone", "dispatched", "deferred", when), 0);
	ck_assert_int_eq(fk.wd[0].n, 1);
	ck_assert(armed_at(3, "notice") == at("2026-10-08T17:30"));
	tset(3, "reason", "parts");
	tset(3, "expected_date", "2026-10-20");
	ck_assert_int_eq(move(&p, 3, "file_notice", "deferred", "deferred",
	                      at("2026-10-08T09:00")), 0);
	ck_assert(armed_at(3, "expected") == at("2026-10-20T18:00"));
	/* published when it was postponed, and when the notice was filed */
	ck_assert_uint_eq(fk.n_notices, 2);
	ck_assert_str_eq(fk.notices[0].name, "postponed");
	ck_assert_str_eq(fk.notices[1].name, "postponed");
	unload(&p);
}
END_TEST

/* ================= etc/plugins.yaml ================= */

/* Read etc/plugins.yaml; answer config_get from the section of @p name. */
static void shipped_config(const char *name)
{
	char *text = NULL, *err = NULL;
	size_t len = 0;
	FILE *f;

	if (!fk.yaml) {
		f = fopen(GJ_SOURCE_ROOT "/etc/plugins.yaml", "r");
		ck_assert_ptr_nonnull(f);
		text = malloc(65536);
		ck_assert_ptr_nonnull(text);
		len = fread(text, 1, 65536, f);
		fclose(f);
		ck_assert_uint_lt(len, 65536);
		ck_assert_msg(gj_ydoc_parse("plugins.yaml", text, len, &fk.yaml, &err) == 0,
		              "%s", err ? err : "?");
		free(text);
	}
	fk.section = gj_ynode_get(fk.yaml, name);
	ck_assert_msg(fk.section != NULL, "etc/plugins.yaml has no section %s", name);
	ck_assert_int_eq(fk.section->kind, GJ_YNODE_MAPPING);
}

START_TEST(shipped_configuration_is_accepted_and_used)
{
	struct plugin p;
	int64_t d = at("2026-10-09T11:10"), t0 = at("2026-10-09T10:00");
	char why[256];

	ladder_ticket(1);
	tset(1, "clock.dispatch.state", "running");
	special_ticket(2);
	repair_ticket(3, "lanting", "dispatched");

	shipped_config("ladder");
	load("ladder", &p);
	/* dispatch keeps the workflow's own alerts */
	ck_assert_int_eq(send_alert(&p, 1, GJ_PLUGIN_ALERT_BREACH, "dispatch", d, d), 0);
	ck_assert_int_eq(send_alert(&p, 1, GJ_PLUGIN_ALERT_WARN, "minor_repair",
	                            d, d - 10 * MIN_MS), 1);
	ck_assert_str_eq(fk.alerts[0].roles, "engineering");
	ck_assert_int_eq(send_alert(&p, 1, GJ_PLUGIN_ALERT_BREACH, "minor_repair", d, d), 1);
	ck_assert_str_eq(fk.alerts[1].roles, "team_head");
	ck_assert(armed_at(1, "l3:minor_repair") == d + 30 * MIN_MS);
	ck_assert_int_eq(fire(&p, 1, "l3:minor_repair"), 0);
	ck_assert_str_eq(fk.alerts[2].roles, "manager");
	assert_has(fk.alerts[2].message, "at most 8 times");
	ck_assert(armed_at(1, "rep:minor_repair") == d + 45 * MIN_MS);
	unload(&p);

	shipped_config("special_event");
	load("special_event", &p);
	move(&p, 2, "open", "", "found", t0);
	ck_assert(armed_at(2, "head_report") == t0 + 5 * MIN_MS);
	ck_assert_int_eq(check(&p, 2, "close", NULL, 0, t0, why, sizeof(why)), -EPERM);
	unload(&p);

	shipped_config("defer_notice");
	load("defer_notice", &p);
	move(&p, 3, "cannot_fix", "dispatched", "deferred", at("2026-09-30T16:00"));
	ck_assert(armed_at(3, "notice") == at("2026-10-10T17:30"));
	ck_assert_int_eq(fk.wd[0].n, 3);
	unload(&p);
}
END_TEST

/* ================= plugin_util ================= */

START_TEST(util_durations)
{
	static const struct {
		const char *s;
		int64_t ms;
	} good[] = {
		{ "90s", 90000 }, { "5m", 300000 }, { "1h30m", 5400000 },
		{ "2d", 2 * 86400000LL }, { "1d2h3m4s", 93784000 }, { "0s", 0 },
	};
	static const char *const bad[] = {
		"", "5", "m", "soon", "1h1h", "30m1h", "-5m", "5 m", "5m ", "1.5h",
		"367d", "99999999999999999999s",
	};
	char buf[GJ_PU_DURATION_LEN];
	int64_t ms;
	size_t i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(gj_pu_parse_duration(good[i].s, &ms) == 0, "%s", good[i].s);
		ck_assert(ms == good[i].ms);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(gj_pu_parse_duration(bad[i], &ms) == -EINVAL, "%s", bad[i]);
	ck_assert_int_eq(gj_pu_parse_duration(NULL, &ms), -EINVAL);

	gj_pu_format_duration(5400000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1h 30m");
	gj_pu_format_duration(-90000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1m 30s");
	gj_pu_format_duration(999, buf, sizeof(buf));
	ck_assert_str_eq(buf, "0s");
	gj_pu_format_duration(93784000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1d 2h 3m 4s");
}
END_TEST

START_TEST(util_lists_and_names)
{
	struct gj_pu_list l = { 0 };
	char buf[64];

	ck_assert_int_eq(gj_pu_list_parse(&l, "manager, cs_lead ,butler"), 0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.items[0], "manager");
	ck_assert_str_eq(l.items[1], "cs_lead");
	ck_assert_str_eq(l.items[2], "butler");
	ck_assert(gj_pu_list_has(&l, "cs_lead"));
	ck_assert(!gj_pu_list_has(&l, "cs"));
	ck_assert(!gj_pu_list_has(&l, NULL));
	gj_pu_list_format(&l, buf, sizeof(buf));
	ck_assert_str_eq(buf, "manager, cs_lead, butler");
	gj_pu_list_finish(&l);
	ck_assert_uint_eq(l.n, 0);

	ck_assert_int_eq(gj_pu_list_parse(&l, ""), 0);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(gj_pu_list_parse(&l, NULL), 0);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_int_eq(gj_pu_list_parse(&l, "a,,b"), -EINVAL);
	ck_assert_int_eq(gj_pu_list_parse(&l, "a,"), -EINVAL);
	ck_assert_ptr_null(l.items);
	gj_pu_list_finish(&l);

	ck_assert(gj_pu_valid_name("deferred_repairs"));
	ck_assert(!gj_pu_valid_name("deferred-repairs"));
	ck_assert(!gj_pu_valid_name("Close"));
	ck_assert(!gj_pu_valid_name(""));
	ck_assert(gj_pu_known_role("team_head"));
	ck_assert(!gj_pu_known_role("boss"));
	ck_assert(gj_pu_blank(" \t"));
	ck_assert(!gj_pu_blank(" x"));
}
END_TEST

START_TEST(util_dates_and_times)
{
	char buf[GJ_PU_ISO_LEN];
	int64_t days, ms;
	int32_t min;

	ck_assert_int_eq(gj_pu_parse_date("1970-01-01", &days), 0);
	ck_assert(days == 0);
	ck_assert_int_eq(gj_pu_parse_date("2026-09-30", &days), 0);
	ck_assert(days == 20726);
	gj_pu_format_date(days, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-09-30");
	ck_assert_int_eq(gj_pu_parse_date("2028-02-29", &days), 0);
	ck_assert_int_eq(gj_pu_parse_date("2026-02-29", &days), -EINVAL);
	ck_assert_int_eq(gj_pu_parse_date("2100-02-29", &days), -EINVAL);
	ck_assert_int_eq(gj_pu_parse_date("2000-02-29", &days), 0);
	gj_pu_format_date(-1, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1969-12-31");

	ck_assert_int_eq(gj_pu_parse_iso8601("2026-09-30T16:00:00+08:00", &ms), 0);
	ck_assert(ms == at("2026-09-30T16:00"));
	ck_assert_int_eq(gj_pu_parse_iso8601("2026-09-30T08:00:00.250Z", &ms), 0);
	ck_assert(ms == at("2026-09-30T16:00") + 250);
	ck_assert_int_eq(gj_pu_parse_iso8601("2026-09-30T16:00+08:00", &ms), 0);
	ck_assert_int_eq(gj_pu_parse_iso8601("2026-09-30T16:00:00", &ms), -EINVAL);
	ck_assert_int_eq(gj_pu_parse_iso8601("2026-09-30", &ms), -EINVAL);
	gj_pu_format_iso8601(at("2026-09-30T16:00") + 250, 480, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-09-30T16:00:00.250+08:00");
	gj_pu_format_iso8601(at("2026-09-30T16:00"), -330, buf, sizeof(buf));
	ck_assert_str_eq(buf, "2026-09-30T02:30:00-05:30");

	/* 00:30 on Oct 1 at +08:00 is still Sep 30 in UTC. */
	ck_assert(gj_pu_day_of(at("2026-10-01T00:30"), 480) == 20727);
	ck_assert(gj_pu_day_of(at("2026-10-01T00:30"), 0) == 20726);
	ck_assert(gj_pu_local_ms(20726, 17 * 60 + 30, 480) == at("2026-09-30T17:30"));

	ck_assert_int_eq(gj_pu_parse_hhmm("17:30", &min), 0);
	ck_assert_int_eq(min, 1050);
	ck_assert_int_eq(gj_pu_parse_hhmm("24:00", &min), 0);
	ck_assert_int_eq(gj_pu_parse_hhmm("24:01", &min), -EINVAL);
	ck_assert_int_eq(gj_pu_parse_hhmm("7:30", &min), -EINVAL);
	ck_assert_int_eq(gj_pu_parse_utc_offset("+08:00", &min), 0);
	ck_assert_int_eq(min, 480);
	ck_assert_int_eq(gj_pu_parse_utc_offset("-05:30", &min), 0);
	ck_assert_int_eq(min, -330);
	ck_assert_int_eq(gj_pu_parse_utc_offset("Z", &min), 0);
	ck_assert_int_eq(min, 0);
	ck_assert_int_eq(gj_pu_parse_utc_offset("+8", &min), -EINVAL);
}
END_TEST

/* ================= plugin_util: the generator's calendar walks ================= */

/* The 2026 data of etc/calendars/cn.yaml, as day_kind answers it; `arg`
 * may name one extra holiday (a day) for the tie of the nearest working
 * day. */
static int cn2026_kind(void *arg, int64_t day)
{
	static const char *const rest[][2] = {
		{ "2026-01-01", "2026-01-03" }, { "2026-02-15", "2026-02-23" },
		{ "2026-04-04", "2026-04-06" }, { "2026-05-01", "2026-05-05" },
		{ "2026-06-19", "2026-06-21" }, { "2026-09-25", "2026-09-27" },
		{ "2026-10-01", "2026-10-07" },
	};
	static const char *const work[] = {
		"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
	};
	const int64_t *extra = arg;
	int64_t a, b;
	size_t i;

	if (extra && *extra == day)
		return GJ_PLUGIN_DAY_HOLIDAY;
	for (i = 0; i < sizeof(rest) / sizeof(rest[0]); i++) {
		ck_assert_int_eq(gj_pu_parse_date(rest[i][0], &a), 0);
		ck_assert_int_eq(gj_pu_parse_date(rest[i][1], &b), 0);
		if (day >= a && day <= b)
			return GJ_PLUGIN_DAY_HOLIDAY;
	}
	for (i = 0; i < sizeof(work) / sizeof(work[0]); i++) {
		ck_assert_int_eq(gj_pu_parse_date(work[i], &a), 0);
		if (day == a)
			return GJ_PLUGIN_DAY_MAKEUP;
	}
	return gj_pu_weekday(day) >= 5 ? GJ_PLUGIN_DAY_WEEKEND : GJ_PLUGIN_DAY_WORKING;
}

static int64_t day_of(const char *date)
{
	int64_t d;

	ck_assert_msg(gj_pu_parse_date(date, &d) == 0, "%s", date);
	return d;
}

static void assert_day(int64_t day, const char *want)
{
	char buf[GJ_PU_DATE_LEN];

	gj_pu_format_date(day, buf, sizeof(buf));
	ck_assert_str_eq(buf, want);
}

START_TEST(util_generator_dates)
{
	int64_t y;
	unsigned m, d;

	ck_assert_int_eq(gj_pu_weekday(0), 3);                  /* 1970-01-01 Thursday */
	ck_assert_int_eq(gj_pu_weekday(-1), 2);                 /* 1969-12-31 Wednesday */
	ck_assert_int_eq(gj_pu_weekday(day_of("2026-10-09")), 4);   /* Friday */
	ck_assert_int_eq(gj_pu_weekday(day_of("2026-11-15")), 6);   /* Sunday */
	ck_assert_int_eq(gj_pu_weekday(day_of("2026-09-28")), 0);   /* Monday */
	gj_pu_civil(day_of("2028-02-29"), &y, &m, &d);
	ck_assert(y == 2028 && m == 2 && d == 29);
	ck_assert_uint_eq(gj_pu_days_in_month(2026, 2), 28);
	ck_assert_uint_eq(gj_pu_days_in_month(2028, 2), 29);
	ck_assert_uint_eq(gj_pu_days_in_month(2026, 11), 30);
	ck_assert_uint_eq(gj_pu_days_in_month(2026, 13), 0);
	ck_assert_int_eq(gj_pu_parse_weekday("mon"), 0);
	ck_assert_int_eq(gj_pu_parse_weekday("sun"), 6);
	ck_assert_int_eq(gj_pu_parse_weekday("Mon"), -EINVAL);
	ck_assert_int_eq(gj_pu_parse_weekday(NULL), -EINVAL);
	ck_assert(gj_pu_kind_is_working(GJ_PLUGIN_DAY_MAKEUP));
	ck_assert(!gj_pu_kind_is_working(GJ_PLUGIN_DAY_HOLIDAY));
}
END_TEST

START_TEST(util_generator_working_days)
{
	int64_t got, extra;

	/* The first working day on or after / before a day. */
	ck_assert_int_eq(gj_pu_working_day_from(cn2026_kind, NULL, day_of("2026-10-01"), 1, 60,
	                                        &got), 0);
	assert_day(got, "2026-10-08");
	ck_assert_int_eq(gj_pu_working_day_from(cn2026_kind, NULL, day_of("2026-10-05"), -1, 60,
	                                        &got), 0);
	assert_day(got, "2026-09-30");
	ck_assert_int_eq(gj_pu_working_day_from(cn2026_kind, NULL, day_of("2026-10-10"), 1, 60,
	                                        &got), 0);
	assert_day(got, "2026-10-10"); /* the make-up Saturday itself */
	ck_assert_int_eq(gj_pu_working_day_from(cn2026_kind, NULL, day_of("2026-10-01"), 1, 3,
	                                        &got), -ENOENT);

	/* The meeting of the 15th: a working day stays; Sunday 11-15 goes to
	 * Monday 11-16 (one day) rather than Friday 11-13 (two); 02-15 in
	 * the Spring Festival goes to the make-up Saturday 02-14. */
	ck_assert_int_eq(gj_pu_nearest_working_day(cn2026_kind, NULL, day_of("2026-10-15"),
	                 day_of("2026-10-01"), day_of("2026-10-31"), false, &got), 0);
	assert_day(got, "2026-10-15");
	ck_assert_int_eq(gj_pu_nearest_working_day(cn2026_kind, NULL, day_of("2026-11-15"),
	                 day_of("2026-11-01"), day_of("2026-11-30"), false, &got), 0);
	assert_day(got, "2026-11-16");
	ck_assert_int_eq(gj_pu_nearest_working_day(cn2026_kind, NULL, day_of("2026-02-15"),
	                 day_of("2026-02-01"), day_of("2026-02-28"), false, &got), 0);
	assert_day(got, "2026-02-14");
	/* A tie: a one-day holiday on Wednesday 07-15, Tuesday and Thursday
	 * both worked: the earlier, unless the later is preferred. */
	extra = day_of("2026-07-15");
	ck_assert_int_eq(gj_pu_nearest_working_day(cn2026_kind, &extra, extra,
	                 day_of("2026-07-01"), day_of("2026-07-31"), false, &got), 0);
	assert_day(got, "2026-07-14");
	ck_assert_int_eq(gj_pu_nearest_working_day(cn2026_kind, &extra, extra,
	                 day_of("2026-07-01"), day_of("2026-07-31"), true, &got), 0);
	assert_day(got, "2026-07-16");
	/* The range bounds the search: nothing worked in 10-01..10-07. */
	ck_assert_int_eq(gj_pu_nearest_working_day(cn2026_kind, NULL, day_of("2026-10-04"),
	                 day_of("2026-10-01"), day_of("2026-10-07"), false, &got), -ENOENT);
}
END_TEST

START_TEST(util_generator_holidays_ahead)
{
	int64_t first[4], last[4];

	/* The 5th working day before the Mid-Autumn Festival (09-25): 09-24,
	 * 09-23, 09-22, 09-21 and the make-up Sunday 09-20. */
	ck_assert_int_eq(gj_pu_holidays_ahead(cn2026_kind, NULL, day_of("2026-09-20"), 5, 60,
	                                      first, last, 4), 1);
	assert_day(first[0], "2026-09-25");
	assert_day(last[0], "2026-09-27");
	/* Before National Day: 09-30, 09-29, 09-28, the festival skipped,
	 * 09-24, 09-23. */
	ck_assert_int_eq(gj_pu_holidays_ahead(cn2026_kind, NULL, day_of("2026-09-23"), 5, 60,
	                                      first, last, 4), 1);
	assert_day(first[0], "2026-10-01");
	assert_day(last[0], "2026-10-07");
	ck_assert_int_eq(gj_pu_holidays_ahead(cn2026_kind, NULL, day_of("2026-09-22"), 5, 60,
	                                      first, last, 4), 0);
	ck_assert_int_eq(gj_pu_holidays_ahead(cn2026_kind, NULL, day_of("2026-09-24"), 5, 60,
	                                      first, last, 4), 0);
	/* A rest day is never the day of the contact. */
	ck_assert_int_eq(gj_pu_holidays_ahead(cn2026_kind, NULL, day_of("2026-09-26"), 5, 60,
	                                      first, last, 4), 0);
	/* The last working day before: n = 1. */
	ck_assert_int_eq(gj_pu_holidays_ahead(cn2026_kind, NULL, day_of("2026-09-30"), 1, 60,
	                                      first, last, 4), 1);
	assert_day(first[0], "2026-10-01");
	/* Labour Day 05-01 (a Friday): 04-30, 04-29, 04-28, 04-27, 04-24. */
	ck_assert_int_eq(gj_pu_holidays_ahead(cn2026_kind, NULL, day_of("2026-04-24"), 5, 60,
	                                      first, last, 4), 1);
	assert_day(first[0], "2026-05-01");
	assert_day(last[0], "2026-05-05");
}
END_TEST

START_TEST(util_generator_patrol_week)
{
	const int mon_thu[] = { 0, 3 };
	int64_t days[7];

	/* National Day from Thursday: Monday stays, Thursday has nowhere to go. */
	ck_assert_int_eq(gj_pu_week_days(cn2026_kind, NULL, day_of("2026-09-28"), mon_thu, 2,
	                                 days), 1);
	assert_day(days[0], "2026-09-28");
	/* Monday 10-05 is off, so are 10-06 and 10-07; Thursday is taken:
	 * Friday 10-09. */
	ck_assert_int_eq(gj_pu_week_days(cn2026_kind, NULL, day_of("2026-10-05"), mon_thu, 2,
	                                 days), 2);
	assert_day(days[0], "2026-10-09");
	assert_day(days[1], "2026-10-08");
	ck_assert_int_eq(gj_pu_week_days(cn2026_kind, NULL, day_of("2026-10-12"), mon_thu, 2,
	                                 days), 2);
	assert_day(days[0], "2026-10-12");
	assert_day(days[1], "2026-10-15");
	/* The Spring Festival week before the make-up Saturday 02-28:
	 * Monday 02-23 is off, Thursday 02-26 stays, Monday moves to 02-24. */
	ck_assert_int_eq(gj_pu_week_days(cn2026_kind, NULL, day_of("2026-02-23"), mon_thu, 2,
	                                 days), 2);
	assert_day(days[0], "2026-02-24");
	assert_day(days[1], "2026-02-26");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("shipped_plugins");
	TCase *ladder = tcase_create("ladder");
	TCase *special = tcase_create("special_event");
	TCase *defer = tcase_create("defer_notice");
	TCase *shipped = tcase_create("plugins.yaml");
	TCase *util = tcase_create("plugin_util");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(ladder, setup, teardown);
	tcase_add_test(ladder, ladder_levels_then_repeats_up_to_the_cap);
	tcase_add_test(ladder, ladder_never_raises_a_level_twice_across_restarts);
	tcase_add_test(ladder, ladder_acknowledge_event_after_breach_stops_repeats);
	tcase_add_test(ladder, ladder_stopped_clock_ends_the_escalation);
	tcase_add_test(ladder, ladder_leaves_other_workflows_and_clocks_alone);
	tcase_add_test(ladder, ladder_without_level1_roles_skips_level1);
	tcase_add_test(ladder, ladder_a_new_deadline_escalates_again);
	tcase_add_test(ladder, ladder_refuses_bad_configuration);
	tcase_add_test(ladder, ladder_max_repeats_zero_raises_level3_once);
	suite_add_tcase(s, ladder);

	tcase_add_checked_fixture(special, setup, teardown);
	tcase_add_test(special, special_event_alerts_manager_when_head_never_reports);
	tcase_add_test(special, special_event_reported_at_3_minutes_does_not_alert);
	tcase_add_test(special, special_event_closed_before_due_does_not_alert);
	tcase_add_test(special, special_event_close_needs_the_written_report);
	tcase_add_test(special, special_event_ignores_other_workflows);
	tcase_add_test(special, special_event_configured_and_refused);
	suite_add_tcase(s, special);

	tcase_add_checked_fixture(defer, setup, teardown);
	tcase_add_test(defer, defer_notice_due_three_working_days_after_cannot_fix);
	tcase_add_test(defer, defer_notice_filed_in_time_does_not_alert);
	tcase_add_test(defer, defer_notice_check_refuses_bad_notices);
	tcase_add_test(defer, defer_notice_max_wd_is_configurable);
	tcase_add_test(defer, defer_notice_publishes_every_deferred_repair);
	tcase_add_test(defer, defer_notice_expected_date_passed);
	tcase_add_test(defer, defer_notice_refuses_bad_configuration);
	tcase_add_test(defer, defer_notice_configured_names_and_times);
	suite_add_tcase(s, defer);

	tcase_add_checked_fixture(util, setup, teardown);
	tcase_add_test(util, util_durations);
	tcase_add_test(util, util_lists_and_names);
	tcase_add_test(util, util_dates_and_times);
	tcase_add_test(util, util_generator_dates);
	tcase_add_test(util, util_generator_working_days);
	tcase_add_test(util, util_generator_holidays_ahead);
	tcase_add_test(util, util_generator_patrol_week);
	suite_add_tcase(s, util);

	tcase_add_checked_fixture(shipped, setup, teardown);
	tcase_add_test(shipped, shipped_configuration_is_accepted_and_used);
	suite_add_tcase(s, shipped);

	/* Fork mode unless CK_FORK=no (meson test --setup=valgrind sets it, so
	 * that valgrind sees the plugins' allocations in this process). */
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
