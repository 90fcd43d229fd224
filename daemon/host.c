/*
 * host.c - the daemon's side of the plugin ABI (gj_plugin.h): the function
 * table handed to plugins, each plugin's configuration section, plugin
 * clocks, and the engine's calls into the plugins (check_event,
 * on_transition, on_alert, on_clock).
 *
 * Host functions act on the engine's batch transaction (eng->cur): what a
 * plugin does in a callback commits or is lost with what triggered it.  A
 * storage error inside a host function spoils the batch (eng->failed), so
 * the server runs it again, like any other storage error.  Callbacks are
 * made only after the engine stored the ticket concerned, so a plugin
 * reading or changing that ticket sees the stored one; the engine re-reads
 * it afterwards.
 */
#include "host.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "log.h"
#include "plugin.h"
#include "site.h"
#include "wire.h"
#include "yamldoc.h"

/* Callbacks nested deeper than this (a plugin firing an event whose
 * transition makes a plugin fire another...) are refused with -ELOOP. */
#define MAX_HOOK_DEPTH 4
/* Plugin clocks one ticket may hold. */
#define MAX_PLUGIN_CLOCKS 32
#define MAX_ALERT_MESSAGE 1024
#define MAX_NOTICE_TEXT (256 * 1024)

struct host_plugin {            /* the host_ctx of one plugin */
	struct gj_host *host;
	char *name;
	const struct gj_ynode *config;  /* its section, NULL when none */
	char **strings;                 /* what config_get returned (joined lists) */
	size_t n_strings;
	bool refused;                   /* its init failed: not loaded */
	char **asked;                   /* top-level settings it read (config_get) */
	size_t n_asked;
};

struct gj_host {
	struct gj_engine *eng;
	struct gj_ynode *config_root;
	struct host_plugin **bound;
	size_t n_bound;
	struct gj_plugins *plugins;
	bool read_only;                 /* inside check_event */
	const struct gj_site *site;     /* estates, calendars, rosters; may be NULL */
};

static const struct gj_host_api host_api;

/* --- helpers --------------------------------------------------------- */

static struct gj_engine *live(void *ctx, bool write)
{
	struct host_plugin *hp = ctx;
	struct gj_engine *eng = hp ? hp->host->eng : NULL;

	if (!eng || !eng->in_batch || eng->hook_depth == 0 || eng->failed)
		return NULL;
	if (write && hp->host->read_only)
		return NULL;
	return eng;
}

/* A storage error spoils the batch: the server throws it away and runs it
 * again (after growing the map when it was full). */
static int storage(struct gj_engine *eng, int rc)
{
	if (rc && rc != -ENOENT && rc != -EINVAL && rc != -EILSEQ) {
		if (!eng->failed)
			eng->failed = rc;
		if (rc == -ENOSPC)
			eng->map_full = true;
	}
	return rc;
}

static int load_ticket(struct gj_engine *eng, uint64_t id, Guanjia__Ticket **ret)
{
	return storage(eng, gj_store_ticket_get(eng->cur, id, ret));
}

static int store_ticket(struct gj_engine *eng, Guanjia__Ticket *tk)
{
	tk->updated_at = eng->now;
	return storage(eng, gj_store_ticket_put(eng->cur, tk));
}

static void free_ticket(Guanjia__Ticket *tk)
{
	if (tk)
		protobuf_c_message_free_unpacked(&tk->base, NULL);
}

static int offset_of(const struct gj_engine *eng, const char *estate)
{
	const struct gj_calendar *cal = gj_host_calendar(eng, estate);

	return cal ? gj_calendar_utc_offset_min(cal) : GJ_DEFAULT_UTC_OFFSET_MIN;
}

static Guanjia__Clock *clock_named(const Guanjia__Ticket *tk, const char *id)
{
	for (size_t i = 0; i < tk->n_clocks; i++)
		if (strcmp(tk->clocks[i]->id, id) == 0)
			return tk->clocks[i];
	return NULL;
}

static const char *clock_state_name(Guanjia__ClockState s)
{
	switch (s) {
	case GUANJIA__CLOCK_STATE__CLOCK_RUNNING: return "running";
	case GUANJIA__CLOCK_STATE__CLOCK_STOPPED: return "stopped";
	case GUANJIA__CLOCK_STATE__CLOCK_PAUSED: return "paused";
	default: return "idle";
	}
}

static int copy_out(char *buf, size_t len, const char *v)
{
	size_t n = strlen(v);

	if (n + 1 > len)
		return -ENOSPC;
	memcpy(buf, v, n + 1);
	return 0;
}

/* --- the host table -------------------------------------------------- */

/* Pseudo-fields first (documented in gj_plugin.h), then the ticket's own. */
static int pseudo_field(struct gj_engine *eng, const Guanjia__Ticket *tk, const char *field,
			char *buf, size_t len)
{
	int off = offset_of(eng, tk->estate);
	char tmp[64];

	if (strcmp(field, "id") == 0) {
		snprintf(tmp, sizeof(tmp), "%llu", (unsigned long long)tk->id);
		return copy_out(buf, len, tmp);
	}
	if (strcmp(field, "state") == 0)
		return copy_out(buf, len, tk->state);
	if (strcmp(field, "estate") == 0)
		return copy_out(buf, len, tk->estate);
	if (strcmp(field, "workflow") == 0)
		return copy_out(buf, len, tk->workflow);
	if (strcmp(field, "rule") == 0)
		return copy_out(buf, len, tk->rule);
	if (strcmp(field, "opened_by") == 0)
		return copy_out(buf, len, tk->opened_by);
	if (strcmp(field, "closed") == 0)
		return copy_out(buf, len, tk->closed ? "true" : "false");
	if (strcmp(field, "opened_at") == 0 || strcmp(field, "updated_at") == 0) {
		gj_time_format(field[0] == 'o' ? tk->opened_at : tk->updated_at, off, tmp, sizeof(tmp));
		return copy_out(buf, len, tmp);
	}
	if (strncmp(field, "clock.", 6) == 0) {
		const char *dot = strrchr(field + 6, '.');
		char id[GJ_MAX_NAME + 1];
		const Guanjia__Clock *c;
		size_t n;

		if (!dot || (n = (size_t)(dot - (field + 6))) == 0 || n > GJ_MAX_NAME)
			return -ENOENT;
		memcpy(id, field + 6, n);
		id[n] = 0;
		c = clock_named(tk, id);
		if (!c)
			return -ENOENT;
		dot++;
		if (strcmp(dot, "state") == 0)
			return copy_out(buf, len, clock_state_name(c->state));
		if (strcmp(dot, "warned") == 0)
			return copy_out(buf, len, c->warned ? "true" : "false");
		if (strcmp(dot, "breached") == 0)
			return copy_out(buf, len, c->breached ? "true" : "false");
		if (strcmp(dot, "deadline") == 0) {
			tmp[0] = 0;
			if (c->state == GUANJIA__CLOCK_STATE__CLOCK_RUNNING && c->deadline)
				gj_time_format(c->deadline, off, tmp, sizeof(tmp));
			return copy_out(buf, len, tmp);
		}
		return -ENOENT;
	}
	return 1; /* not a pseudo-field */
}

static int h_get_ticket_field(void *ctx, uint64_t ticket_id, const char *field,
			      char *buf, size_t len)
{
	struct gj_engine *eng = live(ctx, false);
	Guanjia__Ticket *tk = NULL;
	const char *v;
	int rc;

	if (!eng)
		return -EAGAIN;
	if (!field || !buf || !len)
		return -EINVAL;
	rc = load_ticket(eng, ticket_id, &tk);
	if (rc)
		return rc;
	rc = pseudo_field(eng, tk, field, buf, len);
	if (rc == 1) {
		v = gj_ticket_field(tk, field);
		rc = v ? copy_out(buf, len, v) : -ENOENT;
	}
	free_ticket(tk);
	return rc;
}

#define MAX_ON_DUTY 32

/* Who is on duty in the alert's roles, from the estate's roster (falling
 * back up the escalation order when nobody is). */
static size_t on_duty(struct gj_engine *eng, const Guanjia__Alert *al, Guanjia__OnDuty *slots,
		      Guanjia__OnDuty **ptrs, char **persons, size_t *ret_persons)
{
	const struct gj_site *site = eng->host ? eng->host->site : NULL;
	const struct gj_roster *r = gj_site_roster(site, al->estate);
	const struct gj_calendar *cal = gj_site_calendar(site, al->estate);
	Guanjia__Ticket *tk = NULL;
	const char *zone = NULL;
	size_t n = 0, np = 0;

	*ret_persons = 0;
	if (!r)
		return 0;
	/* A ticket of one zone (1#-4#) is for the people of that zone (and
	 * those who cover every zone). */
	if (al->ticket_id && gj_store_ticket_get(eng->cur, al->ticket_id, &tk) == 0)
		zone = gj_ticket_field(tk, "zone");
	for (size_t i = 0; i < al->n_notify_roles && n < MAX_ON_DUTY; i++) {
		struct gj_roster_duty duty[8];
		size_t got = 0;
		if (gj_roster_on_duty_in_zone(r, cal, al->notify_roles[i], zone && *zone ? zone : NULL,
					      eng->now, duty, 8, &got))
			continue;
		for (size_t j = 0; j < got && n < MAX_ON_DUTY; j++) {
			bool seen = false;
			guanjia__on_duty__init(&slots[n]);
			slots[n].role = (char *)duty[j].role;
			slots[n].person = (char *)duty[j].person;
			slots[n].name = (char *)(duty[j].name ? duty[j].name : "");
			slots[n].fallback_for = (char *)(duty[j].fallback_for ? duty[j].fallback_for : "");
			ptrs[n] = &slots[n];
			n++;
			for (size_t k = 0; k < np; k++)
				seen = seen || strcmp(persons[k], duty[j].person) == 0;
			if (!seen)
				persons[np++] = (char *)duty[j].person;
		}
	}
	/* The person the ticket is assigned to in an alerted role (its
	 * technician, its butler) is told too, on duty or not. */
	for (size_t i = 0; tk && i < al->n_notify_roles && np < MAX_ON_DUTY; i++) {
		static const char *const assignee[][2] = {
			{ "engineering", "technician" }, { "butler", "butler" },
		};
		for (size_t a = 0; a < 2; a++) {
			const char *who;
			bool seen = false;
			if (strcmp(al->notify_roles[i], assignee[a][0]) != 0)
				continue;
			who = gj_ticket_field(tk, assignee[a][1]);
			if (!who || !gj_roster_person_has_role(r, who, assignee[a][0]))
				continue;
			for (size_t k = 0; k < np; k++)
				seen = seen || strcmp(persons[k], who) == 0;
			if (!seen) {
				/* the roster's copy: tk is freed below */
				persons[np++] = (char *)gj_roster_person(r, who)->id;
			}
		}
	}
	*ret_persons = np;
	if (tk)
		protobuf_c_message_free_unpacked(&tk->base, NULL);
	return n;
}

int gj_alert_journal(struct gj_engine *eng, Guanjia__Alert *al, const char *topic)
{
	Guanjia__Record rec = GUANJIA__RECORD__INIT;
	Guanjia__OnDuty slots[MAX_ON_DUTY], *ptrs[MAX_ON_DUTY];
	char *persons[MAX_ON_DUTY];
	size_t np = 0, n = on_duty(eng, al, slots, ptrs, persons, &np);

	if (n) {
		al->on_duty = ptrs;
		al->n_on_duty = n;
	}
	if (np) {
		al->notify_persons = persons;
		al->n_notify_persons = np;
	}
	rec.body_case = GUANJIA__RECORD__BODY_ALERT;
	rec.alert = al;
	rec.topic = (char *)topic;
	n = (size_t)gj_engine_journal(eng, &rec);
	al->on_duty = NULL;
	al->n_on_duty = 0;
	al->notify_persons = NULL;
	al->n_notify_persons = 0;
	return (int)n;
}

static int h_raise_alert(void *ctx, uint64_t ticket_id, const char *clock, uint32_t level,
			 const char *const roles[], size_t n, const char *message)
{
	struct host_plugin *hp = ctx;
	struct gj_engine *eng = live(ctx, true);
	Guanjia__Alert al = GUANJIA__ALERT__INIT;
	Guanjia__Ticket *tk = NULL;
	const Guanjia__Clock *c;
	char *topic = NULL;
	int rc;

	if (!eng)
		return -EAGAIN;
	/* The clock name ends up in a topic: no dots in it. */
	if (!clock || !*clock || strchr(clock, '.') || strlen(clock) > 2 * GJ_MAX_NAME || !roles ||
	    n == 0 || n > 16 ||
	    !message || strlen(message) > MAX_ALERT_MESSAGE)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!roles[i] || !gj_role_is_known(roles[i]))
			return -EINVAL;
	rc = load_ticket(eng, ticket_id, &tk);
	if (rc)
		return rc;
	c = clock_named(tk, clock);
	al.ticket_id = tk->id;
	al.estate = tk->estate;
	al.workflow = tk->workflow;
	al.clock = (char *)clock;
	al.rule = c ? c->rule : tk->rule;
	/* A warning while the workflow clock it is about has not passed;
	 * otherwise (a plugin's own limit) a breach. */
	al.level = c && !c->breached ? GUANJIA__ALERT_LEVEL__WARNING : GUANJIA__ALERT_LEVEL__BREACH;
	al.notify_roles = (char **)roles;
	al.n_notify_roles = n;
	if (c && c->deadline) {
		al.deadline = c->deadline;
		al.late_ms = eng->now - c->deadline;
	}
	al.message = (char *)message;
	al.step = level;
	al.plugin = hp->name;
	if (asprintf(&topic, "alert.%s.%s.%s", tk->estate, tk->workflow, clock) < 0)
		rc = -ENOMEM;
	else
		rc = storage(eng, gj_alert_journal(eng, &al, topic));
	free(topic);
	free_ticket(tk);
	return rc;
}

static void log_refusal(struct host_plugin *hp, const char *what, const struct gj_refusal *ref)
{
	gj_log(GJ_LOG_WARN, "plugin %s: %s refused: %s", hp->name, what,
	       ref->message ? ref->message : "(no reason)");
}

static int h_fire_event(void *ctx, uint64_t ticket_id, const char *event, const char *person,
			const char *role)
{
	struct host_plugin *hp = ctx;
	struct gj_engine *eng = live(ctx, true);
	Guanjia__FireEvent fe = GUANJIA__FIRE_EVENT__INIT;
	struct gj_refusal ref = { 0, NULL };
	Guanjia__Ticket *tk = NULL;
	char channel[GJ_MAX_NAME + 8];
	struct gj_who who = { person, role, channel, NULL };
	int rc;

	if (!eng)
		return -EAGAIN;
	if (eng->hook_depth >= MAX_HOOK_DEPTH)
		return -ELOOP;
	if (!event || !person || !*person || !role || !gj_role_is_known(role))
		return -EINVAL;
	snprintf(channel, sizeof(channel), "plugin:%s", hp->name);
	fe.ticket_id = ticket_id;
	fe.event = (char *)event;
	rc = gj_apply_fire(eng, &who, &fe, &ref, &tk, NULL);
	if (ref.message) {
		log_refusal(hp, event, &ref);
		free(ref.message);
		free_ticket(tk);
		return -EPERM;
	}
	free_ticket(tk);
	return storage(eng, rc);
}

static int h_open_ticket(void *ctx, const char *workflow, const char *estate,
			 const struct gj_plugin_kv kv[], size_t n, uint64_t *ret_id)
{
	struct host_plugin *hp = ctx;
	struct gj_engine *eng = live(ctx, true);
	Guanjia__OpenTicket op = GUANJIA__OPEN_TICKET__INIT;
	struct gj_refusal ref = { 0, NULL };
	Guanjia__Field *fields = NULL, **fp = NULL;
	Guanjia__Ticket *tk = NULL;
	char channel[GJ_MAX_NAME + 8];
	struct gj_who who = { hp->name, "admin_hr", channel, NULL };
	int rc;

	if (!eng)
		return -EAGAIN;
	if (eng->hook_depth >= MAX_HOOK_DEPTH)
		return -ELOOP;
	if (!workflow || (n && !kv) || n > GJ_MAX_FIELDS)
		return -EINVAL;
	snprintf(channel, sizeof(channel), "plugin:%s", hp->name);
	if (n) {
		fields = calloc(n, sizeof(*fields));
		fp = calloc(n, sizeof(*fp));
		if (!fields || !fp) {
			free(fields);
			free(fp);
			return -ENOMEM;
		}
		for (size_t i = 0; i < n; i++) {
			guanjia__field__init(&fields[i]);
			fields[i].name = (char *)(kv[i].key ? kv[i].key : "");
			fields[i].value = (char *)(kv[i].value ? kv[i].value : "");
			fp[i] = &fields[i];
		}
	}
	op.workflow = (char *)workflow;
	op.estate = (char *)(estate ? estate : "");
	op.fields = fp;
	op.n_fields = n;
	/* The plugin opens on behalf of the first role allowed to open. */
	{
		const struct gj_workflow *wf = gj_workflows_find(eng->wfs, workflow, 0);
		if (wf && wf->open_roles.n)
			who.role = wf->open_roles.v[0];
	}
	rc = gj_apply_open(eng, &who, &op, &ref, &tk);
	free(fields);
	free(fp);
	if (ref.message) {
		log_refusal(hp, "open", &ref);
		free(ref.message);
		free_ticket(tk);
		return -EPERM;
	}
	if (rc == 0 && ret_id)
		*ret_id = tk->id;
	free_ticket(tk);
	return storage(eng, rc);
}

static int h_append_history(void *ctx, uint64_t ticket_id, const char *note)
{
	struct host_plugin *hp = ctx;
	struct gj_engine *eng = live(ctx, true);
	Guanjia__HistoryEntry e = GUANJIA__HISTORY_ENTRY__INIT;
	Guanjia__Ticket *tk = NULL;
	char channel[GJ_MAX_NAME + 8];
	int rc;

	if (!eng)
		return -EAGAIN;
	if (!note || strlen(note) > GJ_MAX_NOTE)
		return -EINVAL;
	rc = load_ticket(eng, ticket_id, &tk);
	if (rc)
		return rc;
	if (tk->history_len >= GJ_MAX_HISTORY) {
		free_ticket(tk);
		return -ENOSPC;
	}
	snprintf(channel, sizeof(channel), "plugin:%s", hp->name);
	e.person = hp->name;
	e.role = (char *)"system";
	e.channel = channel;
	e.event = (char *)"note";
	e.from_state = tk->state;
	e.to_state = tk->state;
	e.note = (char *)note;
	rc = storage(eng, gj_engine_history(eng, tk, &e));
	if (!rc)
		rc = store_ticket(eng, tk);
	free_ticket(tk);
	return rc;
}

static Guanjia__PluginClock *plugin_clock(Guanjia__Ticket *tk, const char *plugin,
					  const char *name, size_t *ret_idx)
{
	for (size_t i = 0; i < tk->n_plugin_clocks; i++) {
		Guanjia__PluginClock *pc = tk->plugin_clocks[i];
		if (strcmp(pc->plugin, plugin) == 0 && strcmp(pc->name, name) == 0) {
			*ret_idx = i;
			return pc;
		}
	}
	return NULL;
}

static int unarm(struct gj_engine *eng, Guanjia__Ticket *tk, size_t idx)
{
	Guanjia__PluginClock *pc = tk->plugin_clocks[idx];
	struct gj_due d = { .at = pc->at, .ticket = tk->id, .clock = (uint8_t)idx,
			    .kind = GJ_DUE_PLUGIN };
	int rc = 0;

	if (pc->at) {
		rc = gj_store_due_del(eng->cur, &d);
		if (rc == -ENOENT)
			rc = 0;
	}
	pc->at = 0;
	return storage(eng, rc);
}

static int h_arm_clock(void *ctx, uint64_t ticket_id, const char *name, int64_t at_ms)
{
	struct host_plugin *hp = ctx;
	struct gj_engine *eng = live(ctx, true);
	Guanjia__Ticket *tk = NULL;
	Guanjia__PluginClock *pc;
	size_t idx = 0;
	int rc;

	if (!eng)
		return -EAGAIN;
	if (!name || !*name || strlen(name) > 2 * GJ_MAX_NAME || at_ms <= 0)
		return -EINVAL;
	rc = load_ticket(eng, ticket_id, &tk);
	if (rc)
		return rc;
	pc = plugin_clock(tk, hp->name, name, &idx);
	if (pc) {
		rc = unarm(eng, tk, idx);
		if (rc)
			goto out;
	} else {
		/* A spent slot is reused; otherwise one is added. */
		for (idx = 0; idx < tk->n_plugin_clocks; idx++)
			if (tk->plugin_clocks[idx]->at == 0)
				break;
		if (idx == tk->n_plugin_clocks) {
			void *na;
			if (idx >= MAX_PLUGIN_CLOCKS) {
				rc = -ENOSPC;
				goto out;
			}
			na = realloc(tk->plugin_clocks, (idx + 1) * sizeof(*tk->plugin_clocks));
			if (!na) {
				rc = -ENOMEM;
				goto out;
			}
			tk->plugin_clocks = na;
			pc = malloc(sizeof(*pc));
			if (!pc) {
				rc = -ENOMEM;
				goto out;
			}
			guanjia__plugin_clock__init(pc);
			tk->plugin_clocks[tk->n_plugin_clocks++] = pc;
		}
		pc = tk->plugin_clocks[idx];
		if (gj_pb_set_str(&pc->plugin, hp->name) || gj_pb_set_str(&pc->name, name)) {
			rc = -ENOMEM;
			goto out;
		}
	}
	/* Never in the past: it fires at the next turn, not in a loop. */
	pc->at = at_ms > eng->now ? at_ms : eng->now + 1;
	{
		struct gj_due d = { .at = pc->at, .ticket = tk->id, .clock = (uint8_t)idx,
				    .kind = GJ_DUE_PLUGIN };
		rc = storage(eng, gj_store_due_put(eng->cur, &d));
	}
	if (!rc)
		rc = store_ticket(eng, tk);
out:
	free_ticket(tk);
	return rc;
}

static int h_cancel_clock(void *ctx, uint64_t ticket_id, const char *name)
{
	struct host_plugin *hp = ctx;
	struct gj_engine *eng = live(ctx, true);
	Guanjia__Ticket *tk = NULL;
	Guanjia__PluginClock *pc;
	size_t idx = 0;
	int rc;

	if (!eng)
		return -EAGAIN;
	if (!name)
		return -EINVAL;
	rc = load_ticket(eng, ticket_id, &tk);
	if (rc)
		return rc;
	pc = plugin_clock(tk, hp->name, name, &idx);
	if (!pc || !pc->at) {
		free_ticket(tk);
		return -ENOENT;
	}
	rc = unarm(eng, tk, idx);
	if (!rc)
		rc = store_ticket(eng, tk);
	free_ticket(tk);
	return rc;
}

static const char *keep_string(struct host_plugin *hp, char *s)
{
	void *na = realloc(hp->strings, (hp->n_strings + 1) * sizeof(*hp->strings));

	if (!na) {
		free(s);
		return NULL;
	}
	hp->strings = na;
	hp->strings[hp->n_strings++] = s;
	return s;
}

/* Remember which top-level settings a plugin reads, to name the others. */
static void note_asked(struct host_plugin *hp, const char *key)
{
	size_t len = strcspn(key, ".");
	char *k;
	void *na;

	for (size_t i = 0; i < hp->n_asked; i++)
		if (strlen(hp->asked[i]) == len && strncmp(hp->asked[i], key, len) == 0)
			return;
	na = realloc(hp->asked, (hp->n_asked + 1) * sizeof(*hp->asked));
	if (!na)
		return;
	hp->asked = na;
	k = strndup(key, len);
	if (k)
		hp->asked[hp->n_asked++] = k;
}

static const char *h_config_get(void *ctx, const char *key)
{
	struct host_plugin *hp = ctx;
	const struct gj_ynode *n = hp ? hp->config : NULL;
	char part[128];

	if (hp && key)
		note_asked(hp, key);
	if (!n || !key)
		return NULL;
	/* A dotted path through mappings. */
	while (n && *key) {
		const char *dot = strchr(key, '.');
		size_t len = dot ? (size_t)(dot - key) : strlen(key);
		if (len == 0 || len >= sizeof(part))
			return NULL;
		memcpy(part, key, len);
		part[len] = 0;
		n = gj_ynode_get(n, part);
		key += len + (dot ? 1 : 0);
	}
	if (!n)
		return NULL;
	if (n->kind == GJ_YNODE_SCALAR)
		return gj_ynode_is_null(n) ? NULL : gj_ynode_str(n);
	if (n->kind == GJ_YNODE_SEQUENCE) {
		size_t len = 1;
		char *s;
		for (size_t i = 0; i < n->n; i++) {
			if (!gj_ynode_str(n->items[i]))
				return NULL; /* only lists of scalars */
			len += strlen(gj_ynode_str(n->items[i])) + 1;
		}
		s = calloc(1, len);
		if (!s)
			return NULL;
		for (size_t i = 0; i < n->n; i++) {
			if (i)
				strcat(s, ",");
			strcat(s, gj_ynode_str(n->items[i]));
		}
		return keep_string(hp, s);
	}
	return NULL;
}

static void h_log(void *ctx, int level, const char *fmt, ...)
{
	struct host_plugin *hp = ctx;
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	gj_log(level <= GJ_PLUGIN_LOG_ERR ? GJ_LOG_ERROR :
	       level == GJ_PLUGIN_LOG_WARNING ? GJ_LOG_WARN :
	       level >= GJ_PLUGIN_LOG_DEBUG ? GJ_LOG_DEBUG : GJ_LOG_INFO,
	       "plugin %s: %s", hp ? hp->name : "?", line);
}

static int h_set_ticket_field(void *ctx, uint64_t ticket_id, const char *field, const char *value)
{
	struct gj_engine *eng = live(ctx, true);
	Guanjia__Ticket *tk = NULL;
	int rc;

	if (!eng)
		return -EAGAIN;
	if (!field || !gj_valid_id(field, GJ_MAX_NAME, false) || !value ||
	    strlen(value) > GJ_MAX_FIELD_VALUE)
		return -EINVAL;
	rc = load_ticket(eng, ticket_id, &tk);
	if (rc)
		return rc;
	if (!gj_ticket_field(tk, field) && tk->n_fields >= GJ_MAX_TICKET_FIELDS)
		rc = -ENOSPC;
	else if (gj_ticket_set_field(tk, field, value))
		rc = -ENOMEM;
	else
		rc = store_ticket(eng, tk);
	free_ticket(tk);
	return rc;
}

static int h_working_days_deadline(void *ctx, const char *estate, int64_t from_ms, int32_t n,
				   int64_t *ret_ms, int *ret_provisional)
{
	struct gj_engine *eng = live(ctx, false);
	const struct gj_calendar *cal;
	struct gj_date day, last;
	bool prov = false;
	int64_t local, days;
	int rc;

	if (!eng)
		return -EAGAIN;
	if (n < 1 || n > GJ_CALENDAR_MAX_ADD || !ret_ms)
		return -EINVAL;
	cal = gj_host_calendar(eng, estate);
	if (!cal)
		return -ENOENT;
	local = from_ms + (int64_t)gj_calendar_utc_offset_min(cal) * 60000;
	days = local >= 0 ? local / 86400000 : -((-local + 86399999) / 86400000);
	rc = gj_date_from_days((int32_t)days, &day);
	if (!rc)
		rc = gj_calendar_add_working_days(cal, day, n, &last, &prov);
	if (!rc)
		rc = gj_calendar_day_close_ms(cal, last, ret_ms);
	if (!rc && ret_provisional)
		*ret_provisional = prov;
	if (!rc && prov && !eng->host->read_only) {
		/* Never silently Monday to Friday: tell the administrator, as for
		 * a workflow clock counted into a year without data. */
		static char *const roles[] = { (char *)"admin_hr" };
		struct host_plugin *hp = ctx;
		Guanjia__Alert al = GUANJIA__ALERT__INIT;
		char when[40], *msg = NULL, *topic = NULL;

		gj_time_format(*ret_ms, gj_calendar_utc_offset_min(cal), when, sizeof(when));
		if (asprintf(&msg, "calendar '%s' has no data for the year %.4s: a deadline plugin %s "
			     "counted (%d working days, due %s) assumes Monday to Friday and is "
			     "provisional; add that year's rest and make-up days to the calendar",
			     gj_calendar_id(cal), when, hp->name, n, when) < 0 ||
		    asprintf(&topic, "alert.%s.calendar.%s", estate ? estate : "", gj_calendar_id(cal)) < 0) {
			free(msg);
			return -ENOMEM;
		}
		al.estate = (char *)(estate ? estate : "");
		al.workflow = (char *)"calendar";
		al.clock = (char *)gj_calendar_id(cal);
		al.rule = (char *)"";
		al.level = GUANJIA__ALERT_LEVEL__WARNING;
		al.notify_roles = (char **)roles;
		al.n_notify_roles = 1;
		al.deadline = *ret_ms;
		al.late_ms = eng->now - *ret_ms;
		al.message = msg;
		al.plugin = hp->name;
		rc = storage(eng, gj_alert_journal(eng, &al, topic));
		free(msg);
		free(topic);
	}
	return rc;
}

static int h_publish(void *ctx, const char *estate, const char *name, const char *text,
		     const uint64_t ids[], size_t n)
{
	struct host_plugin *hp = ctx;
	struct gj_engine *eng = live(ctx, true);
	Guanjia__Record rec = GUANJIA__RECORD__INIT;
	Guanjia__Notice no = GUANJIA__NOTICE__INIT;
	int rc;

	if (!eng)
		return -EAGAIN;
	if (!estate || !gj_valid_id(estate, 48, true) || !name || !gj_valid_id(name, GJ_MAX_NAME, false) ||
	    !text || strlen(text) > MAX_NOTICE_TEXT || (n && !ids) || n > 10000)
		return -EINVAL;
	no.estate = (char *)estate;
	no.plugin = hp->name;
	no.name = (char *)name;
	no.text = (char *)text;
	no.ticket_ids = (uint64_t *)ids;
	no.n_ticket_ids = n;
	rec.body_case = GUANJIA__RECORD__BODY_NOTICE;
	rec.notice = &no;
	if (asprintf(&rec.topic, "notice.%s.%s.%s", estate, hp->name, name) < 0)
		return -ENOMEM;
	rc = storage(eng, gj_engine_journal(eng, &rec));
	free(rec.topic);
	return rc;
}

struct list_ctx {
	const char *estate, *workflow, *state;
	bool open_only;
	uint64_t *ids;
	size_t n, cap;
};

static bool matches(const char *want, const char *have)
{
	return !want || !*want || strcmp(want, have) == 0;
}

static int list_one(Guanjia__Ticket *tk, void *arg)
{
	struct list_ctx *l = arg;

	if (!matches(l->estate, tk->estate) || !matches(l->workflow, tk->workflow) ||
	    !matches(l->state, tk->state) || (l->open_only && tk->closed))
		return 0;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 64;
		void *na = realloc(l->ids, nc * sizeof(*l->ids));
		if (!na)
			return -ENOMEM;
		l->ids = na;
		l->cap = nc;
	}
	l->ids[l->n++] = tk->id;
	return 0;
}

static int h_list_tickets(void *ctx, const char *estate, const char *workflow, const char *state,
			  int open_only, gj_plugin_ticket_fn fn, void *arg)
{
	struct gj_engine *eng = live(ctx, false);
	struct list_ctx l = { estate, workflow, state, open_only != 0, NULL, 0, 0 };
	int rc;

	if (!eng)
		return -EAGAIN;
	if (!fn)
		return -EINVAL;
	/* Ids first, then the calls: fn may change tickets. */
	rc = gj_store_ticket_scan(eng->cur, 0, list_one, &l);
	if (rc < 0) {
		free(l.ids);
		return storage(eng, rc);
	}
	for (size_t i = 0; i < l.n; i++)
		if (fn(arg, l.ids[i]))
			break;
	free(l.ids);
	return 0;
}

/* --- 1.2: plugin timers, stored values, calendars, estates ---------------
 *
 * A plugin timer is meta "ptimer:<plugin>:<name>" = its id (8 bytes),
 * meta "ptimer#<id>" = at (8 bytes) then "<plugin>\0<name>", and one due
 * entry {at, ticket = id, kind TIMER}.  Ids come from meta "ptimer_next".
 * A stored value is meta "pkv:<plugin>:<key>".
 */

#define MAX_KV_VALUE 1024

static int meta_name(char *buf, size_t len, const char *prefix, const char *plugin,
		     const char *name)
{
	int n = snprintf(buf, len, "%s:%s:%s", prefix, plugin, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static bool valid_key(const char *k)
{
	size_t n = k ? strlen(k) : 0;

	return n > 0 && n <= 2 * GJ_MAX_NAME && !strchr(k, ':');
}

static int timer_id(struct gj_engine *eng, const char *plugin, const char *name, bool create,
		    uint64_t *ret)
{
	char key[300];
	int rc = meta_name(key, sizeof(key), "ptimer", plugin, name);

	if (rc)
		return rc;
	rc = gj_store_meta_get_u64(eng->cur, key, ret);
	if (rc != -ENOENT || !create)
		return storage(eng, rc);
	rc = gj_store_meta_get_u64(eng->cur, "ptimer_next", ret);
	if (rc == -ENOENT) {
		*ret = 1;
		rc = 0;
	}
	if (!rc)
		rc = gj_store_meta_put_u64(eng->cur, "ptimer_next", *ret + 1);
	if (!rc)
		rc = gj_store_meta_put_u64(eng->cur, key, *ret);
	return storage(eng, rc);
}

/* The record of timer `id`: when it is armed for (0: not armed). */
static int timer_get(struct gj_engine *eng, uint64_t id, int64_t *ret_at, char **ret_plugin,
		     char **ret_name)
{
	char key[40];
	void *v = NULL;
	size_t len = 0;
	int rc;

	snprintf(key, sizeof(key), "ptimer#%llu", (unsigned long long)id);
	rc = gj_store_meta_get(eng->cur, key, &v, &len);
	if (rc)
		return storage(eng, rc);
	if (len < 10) {
		free(v);
		return -EILSEQ;
	}
	memcpy(ret_at, v, 8);
	if (ret_plugin)
		*ret_plugin = strndup((char *)v + 8, len - 8);
	if (ret_name) {
		size_t pl = strnlen((char *)v + 8, len - 8);
		*ret_name = pl + 9 < len ? strndup((char *)v + 8 + pl + 1, len - 8 - pl - 1)
					 : strdup("");
	}
	free(v);
	return 0;
}

static int timer_put(struct gj_engine *eng, uint64_t id, int64_t at, const char *plugin,
		     const char *name)
{
	size_t pl = strlen(plugin), nl = strlen(name), len = 8 + pl + 1 + nl;
	char key[40], *v = malloc(len);
	int rc;

	if (!v)
		return -ENOMEM;
	memcpy(v, &at, 8);
	memcpy(v + 8, plugin, pl + 1);
	memcpy(v + 8 + pl + 1, name, nl);
	snprintf(key, sizeof(key), "ptimer#%llu", (unsigned long long)id);
	rc = storage(eng, gj_store_meta_put(eng->cur, key, v, len));
	free(v);
	return rc;
}

static int timer_unarm(struct gj_engine *eng, uint64_t id, const char *plugin, const char *name)
{
	int64_t at = 0;
	int rc = timer_get(eng, id, &at, NULL, NULL);

	if (rc == -ENOENT || (rc == 0 && at == 0))
		return -ENOENT;
	if (rc)
		return rc;
	{
		struct gj_due d = { .at = at, .ticket = id, .clock = 0, .kind = GJ_DUE_TIMER };
		rc = gj_store_due_del(eng->cur, &d);
		if (rc && rc != -ENOENT)
			return storage(eng, rc);
	}
	return timer_put(eng, id, 0, plugin, name);
}

static int h_arm_timer(void *ctx, const char *name, int64_t at_ms)
{
	struct host_plugin *hp = ctx;
	struct gj_engine *eng = live(ctx, true);
	uint64_t id;
	int rc;

	if (!eng)
		return -EAGAIN;
	if (!valid_key(name) || at_ms <= 0)
		return -EINVAL;
	rc = timer_id(eng, hp->name, name, true, &id);
	if (rc)
		return rc;
	rc = timer_unarm(eng, id, hp->name, name);
	if (rc && rc != -ENOENT)
		return rc;
	/* Never in the past: it fires at the next turn, not in a loop. */
	if (at_ms <= eng->now)
		at_ms = eng->now + 1;
	rc = timer_put(eng, id, at_ms, hp->name, name);
	if (!rc) {
		struct gj_due d = { .at = at_ms, .ticket = id, .clock = 0, .kind = GJ_DUE_TIMER };
		rc = storage(eng, gj_store_due_put(eng->cur, &d));
	}
	return rc;
}

static int h_cancel_timer(void *ctx, const char *name)
{
	struct host_plugin *hp = ctx;
	struct gj_engine *eng = live(ctx, true);
	uint64_t id;
	int rc;

	if (!eng)
		return -EAGAIN;
	if (!valid_key(name))
		return -EINVAL;
	rc = timer_id(eng, hp->name, name, false, &id);
	if (rc)
		return rc;
	return timer_unarm(eng, id, hp->name, name);
}

static int h_kv_get(void *ctx, const char *key, char *buf, size_t len)
{
	struct host_plugin *hp = ctx;
	struct gj_engine *eng = live(ctx, false);
	char name[300];
	void *v = NULL;
	size_t vl = 0;
	int rc;

	if (!eng)
		return -EAGAIN;
	if (!valid_key(key) || !buf || !len)
		return -EINVAL;
	rc = meta_name(name, sizeof(name), "pkv", hp->name, key);
	if (!rc)
		rc = storage(eng, gj_store_meta_get(eng->cur, name, &v, &vl));
	if (rc)
		return rc;
	if (vl + 1 > len)
		rc = -ENOSPC;
	else {
		memcpy(buf, v, vl);
		buf[vl] = 0;
	}
	free(v);
	return rc;
}

static int h_kv_put(void *ctx, const char *key, const char *value)
{
	struct host_plugin *hp = ctx;
	struct gj_engine *eng = live(ctx, true);
	char name[300];
	int rc;

	if (!eng)
		return -EAGAIN;
	if (!valid_key(key) || (value && strlen(value) > MAX_KV_VALUE))
		return -EINVAL;
	rc = meta_name(name, sizeof(name), "pkv", hp->name, key);
	if (rc)
		return rc;
	if (!value) {
		rc = gj_store_meta_del(eng->cur, name);
		return rc == -ENOENT ? 0 : storage(eng, rc);
	}
	return storage(eng, gj_store_meta_put(eng->cur, name, value, strlen(value)));
}

static int h_day_kind(void *ctx, const char *estate, int y, int m, int d, int *ret_known)
{
	struct host_plugin *hp = ctx;
	const struct gj_calendar *cal = hp && hp->host->eng ? gj_host_calendar(hp->host->eng, estate)
						 : NULL;
	struct gj_date date = { y, m, d };
	enum gj_day_kind kind;
	bool known = false;
	int rc;

	if (!cal)
		return -ENOENT;
	rc = gj_calendar_day_kind(cal, date, &kind, &known);
	if (rc)
		return rc;
	if (ret_known)
		*ret_known = known;
	return (int)kind;
}

static int h_list_estates(void *ctx, gj_plugin_estate_fn fn, void *arg)
{
	struct host_plugin *hp = ctx;
	const struct gj_site *site = hp ? hp->host->site : NULL;
	const char *id;

	if (!fn)
		return -EINVAL;
	if (!site || gj_site_estate_count(site) == 0) {
		/* No estates listed: the default estate is the one served. */
		if (hp && hp->host->eng && hp->host->eng->cfg.default_estate)
			fn(arg, hp->host->eng->cfg.default_estate);
		return 0;
	}
	for (size_t i = 0; (id = gj_site_estate_id(site, i)); i++)
		if (fn(arg, id))
			break;
	return 0;
}

static int h_utc_offset(void *ctx, const char *estate, int *ret_minutes)
{
	struct host_plugin *hp = ctx;
	const struct gj_calendar *cal = hp && hp->host->eng ? gj_host_calendar(hp->host->eng, estate)
						 : NULL;

	if (!ret_minutes)
		return -EINVAL;
	*ret_minutes = cal ? gj_calendar_utc_offset_min(cal) : GJ_DEFAULT_UTC_OFFSET_MIN;
	return 0;
}

static const struct gj_host_api host_api = {
	.abi_major = GJ_PLUGIN_ABI_MAJOR,
	.abi_minor = GJ_PLUGIN_ABI_MINOR,
	.get_ticket_field = h_get_ticket_field,
	.raise_alert = h_raise_alert,
	.fire_event = h_fire_event,
	.open_ticket = h_open_ticket,
	.append_history = h_append_history,
	.arm_clock = h_arm_clock,
	.cancel_clock = h_cancel_clock,
	.config_get = h_config_get,
	.log = h_log,
	.set_ticket_field = h_set_ticket_field,
	.working_days_deadline = h_working_days_deadline,
	.publish = h_publish,
	.list_tickets = h_list_tickets,
	.arm_timer = h_arm_timer,
	.cancel_timer = h_cancel_timer,
	.kv_get = h_kv_get,
	.kv_put = h_kv_put,
	.day_kind = h_day_kind,
	.list_estates = h_list_estates,
	.utc_offset = h_utc_offset,
};

/* --- loading --------------------------------------------------------- */

int gj_host_create(struct gj_engine *eng, struct gj_host **ret)
{
	struct gj_host *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->eng = eng;
	if (eng) /* NULL: only to load and check plugins (--check-config) */
		eng->host = h;
	*ret = h;
	return 0;
}

void gj_host_destroy(struct gj_host *h)
{
	if (!h)
		return;
	gj_plugins_unload(h->plugins);
	for (size_t i = 0; i < h->n_bound; i++) {
		struct host_plugin *hp = h->bound[i];
		for (size_t j = 0; j < hp->n_strings; j++)
			free(hp->strings[j]);
		free(hp->strings);
		for (size_t j = 0; j < hp->n_asked; j++)
			free(hp->asked[j]);
		free(hp->asked);
		free(hp->name);
		free(hp);
	}
	free(h->bound);
	gj_ynode_destroy(h->config_root);
	if (h->eng && h->eng->host == h)
		h->eng->host = NULL;
	free(h);
}

int gj_host_set_plugin_config(struct gj_host *h, const char *name, const char *text,
			      size_t len, char **ret_error)
{
	struct gj_ynode *root = NULL;
	int rc = gj_ydoc_parse(name, text, len, &root, ret_error);

	if (rc)
		return rc;
	if (root->kind != GJ_YNODE_MAPPING && !gj_ynode_is_null(root)) {
		if (ret_error && asprintf(ret_error, "%s:%d: the plugin configuration must be a "
				"mapping of plugin names to their settings, not %s",
				name, root->line, gj_ynode_kind_name(root->kind)) < 0)
			*ret_error = NULL;
		gj_ynode_destroy(root);
		return -EINVAL;
	}
	gj_ynode_destroy(h->config_root);
	h->config_root = root;
	return 0;
}

static void unbind_plugin(void *arg, void *ctx)
{
	struct host_plugin *hp = ctx;

	(void)arg;
	if (hp)
		hp->refused = true;
}

static int bind_plugin(void *arg, const char *name, void **ret_ctx, char **ret_why)
{
	struct gj_host *h = arg;
	struct host_plugin *hp;
	void *na;

	/* The plugins bound so far in this load (h->plugins is only set once
	 * the whole directory is loaded). */
	for (size_t i = 0; i < h->n_bound; i++)
		if (!h->bound[i]->refused && strcmp(h->bound[i]->name, name) == 0) {
			if (asprintf(ret_why, "a plugin named '%s' is already loaded", name) < 0)
				*ret_why = NULL;
			return -EEXIST;
		}
	na = realloc(h->bound, (h->n_bound + 1) * sizeof(*h->bound));
	if (!na)
		return -ENOMEM;
	h->bound = na;
	hp = calloc(1, sizeof(*hp));
	if (!hp || !(hp->name = strdup(name))) {
		free(hp);
		return -ENOMEM;
	}
	hp->host = h;
	hp->config = h->config_root ? gj_ynode_get(h->config_root, name) : NULL;
	h->bound[h->n_bound++] = hp;
	*ret_ctx = hp;
	return 0;
}

/* Settings nobody reads are most likely misspelt: say so, once, at start. */
static void warn_unused_settings(struct gj_host *h)
{
	const struct gj_ynode *root = h->config_root;

	for (size_t i = 0; root && root->kind == GJ_YNODE_MAPPING && i < root->n; i++) {
		const char *name = gj_ynode_str(root->pairs[i].key);
		const struct gj_ynode *sec = root->pairs[i].value;
		struct host_plugin *hp = NULL;

		for (size_t b = 0; name && b < h->n_bound; b++)
			if (!h->bound[b]->refused && strcmp(h->bound[b]->name, name) == 0)
				hp = h->bound[b];
		if (!hp) {
			gj_log(GJ_LOG_WARN, "plugin settings line %d: there is no plugin '%s' loaded; "
			       "its settings are not used", root->pairs[i].key->line, name ? name : "?");
			continue;
		}
		if (sec->kind != GJ_YNODE_MAPPING) {
			if (!gj_ynode_is_null(sec))
				gj_log(GJ_LOG_WARN, "plugin settings line %d: the settings of '%s' must "
				       "be a mapping (key: value), not %s; none are used", sec->line,
				       name, gj_ynode_kind_name(sec->kind));
			continue;
		}
		for (size_t k = 0; k < sec->n; k++) {
			const char *key = gj_ynode_str(sec->pairs[k].key);
			bool used = false;
			for (size_t a = 0; key && a < hp->n_asked; a++)
				used = used || strcmp(hp->asked[a], key) == 0;
			if (!used)
				gj_log(GJ_LOG_WARN, "plugin settings line %d: plugin '%s' has no setting "
				       "'%s' (misspelt?); it is not used", sec->pairs[k].key->line, name,
				       key ? key : "?");
		}
	}
}

int gj_host_load_plugins(struct gj_host *h, const char *dir, char **ret_errors)
{
	struct gj_plugin_binder binder = { bind_plugin, unbind_plugin, h };

	if (h->plugins) {
		if (ret_errors)
			*ret_errors = strdup("plugins are already loaded");
		return -EBUSY;
	}
	int rc = gj_plugins_load_dir_bound(dir, &host_api, &binder, &h->plugins, ret_errors);

	if (rc == 0)
		warn_unused_settings(h);
	return rc;
}

size_t gj_host_plugin_count(const struct gj_host *h)
{
	return h && h->plugins ? gj_plugins_count(h->plugins) : 0;
}

const char *gj_host_plugin_name(const struct gj_host *h, size_t i)
{
	struct gj_plugin *p = h && h->plugins ? gj_plugins_get(h->plugins, i) : NULL;

	return p ? gj_plugin_name(p) : NULL;
}

/* --- the engine's calls into the plugins ----------------------------- */

#define EACH_PLUGIN(h, p, d) \
	for (size_t i_ = 0; (h) && (h)->plugins && i_ < gj_plugins_count((h)->plugins); i_++) \
		for (struct gj_plugin *p = gj_plugins_get((h)->plugins, i_); p; p = NULL) \
			for (const struct gj_plugin_descriptor *d = gj_plugin_descriptor_of(p); d; d = NULL)

int gj_host_check_event(struct gj_engine *eng, const struct gj_host_check *chk,
			struct gj_refusal *ref)
{
	struct gj_host *h = eng->host;
	struct gj_plugin_kv kv[GJ_MAX_FIELDS];
	struct gj_plugin_check pc = {
		.ticket_id = chk->ticket_id, .estate = chk->estate, .workflow = chk->wf->id,
		.workflow_version = chk->wf->version, .event = chk->event,
		.from_state = chk->from, .to_state = chk->to, .person = chk->who->person,
		.role = chk->who->role, .fields = kv, .n_fields = 0, .now_ms = eng->now,
	};

	if (!h || !h->plugins || eng->hook_depth >= MAX_HOOK_DEPTH)
		return 0;
	for (size_t i = 0; i < chk->n_fields && i < GJ_MAX_FIELDS; i++) {
		kv[i].key = chk->fields[i]->name;
		kv[i].value = chk->fields[i]->value;
		pc.n_fields++;
	}
	EACH_PLUGIN(h, p, d) {
		char why[512] = "";
		int r;
		if (d->abi_minor < 1 || !d->check_event)
			continue;
		eng->hook_depth++;
		h->read_only = true;
		r = d->check_event(gj_plugin_state(p), &pc, why, sizeof(why));
		h->read_only = false;
		eng->hook_depth--;
		if (r == -EPERM)
			return gj_refuse(ref, GUANJIA__ERROR_CODE__REFUSED_BY_POLICY, "%s",
					 why[0] ? why : "refused by an escalation plugin");
		if (r < 0)
			gj_log(GJ_LOG_WARN, "plugin %s: check of '%s' failed (%s); the command goes on",
			       gj_plugin_name(p), chk->event, strerror(-r));
		if (eng->failed)
			return eng->failed;
	}
	return 0;
}

int gj_host_after_transition(struct gj_engine *eng, Guanjia__Ticket **tkp, const char *event,
			     const char *from, const struct gj_who *who)
{
	struct gj_host *h = eng->host;
	Guanjia__Ticket *tk = *tkp, *fresh = NULL;
	bool called = false;
	int rc;

	if (!h || !h->plugins || eng->hook_depth >= MAX_HOOK_DEPTH)
		return 0;
	{
		struct gj_plugin_transition tr = {
			.ticket_id = tk->id, .estate = tk->estate, .workflow = tk->workflow,
			.workflow_version = tk->workflow_version, .event = event,
			.from_state = from ? from : "", .to_state = tk->state,
			.person = who->person, .role = who->role, .rule = tk->rule,
			.at_ms = eng->now,
		};
		EACH_PLUGIN(h, p, d) {
			int r;
			if (!d->on_transition)
				continue;
			called = true;
			eng->hook_depth++;
			r = d->on_transition(gj_plugin_state(p), &tr);
			eng->hook_depth--;
			if (r < 0)
				gj_log(GJ_LOG_WARN, "plugin %s: on_transition of ticket %llu (%s) failed: %s",
				       gj_plugin_name(p), (unsigned long long)tk->id, event, strerror(-r));
			if (eng->failed)
				return eng->failed;
		}
	}
	if (!called)
		return 0;
	/* A plugin may have changed the ticket: hand back the stored one. */
	rc = load_ticket(eng, tk->id, &fresh);
	if (rc)
		return rc;
	free_ticket(tk);
	*tkp = fresh;
	return 0;
}

int gj_host_on_alert(struct gj_engine *eng, const Guanjia__Ticket *tk, const Guanjia__Clock *c,
		     bool breach, bool *ret_handled)
{
	struct gj_host *h = eng->host;
	struct gj_plugin_alert al = {
		.ticket_id = tk->id, .estate = tk->estate, .workflow = tk->workflow,
		.workflow_version = tk->workflow_version, .clock = c->id, .rule = c->rule,
		.kind = breach ? GJ_PLUGIN_ALERT_BREACH : GJ_PLUGIN_ALERT_WARN,
		.level = breach ? 1 : 0, .deadline_ms = c->deadline, .now_ms = eng->now,
		.late_ms = eng->now - c->deadline, .state = tk->state,
	};

	*ret_handled = false;
	if (!h || !h->plugins)
		return 0;
	EACH_PLUGIN(h, p, d) {
		int r;
		if (!d->on_alert)
			continue;
		eng->hook_depth++;
		r = d->on_alert(gj_plugin_state(p), &al);
		eng->hook_depth--;
		if (r == 1 && d->abi_minor >= 1)
			*ret_handled = true;
		else if (r < 0)
			gj_log(GJ_LOG_WARN, "plugin %s: on_alert of ticket %llu clock %s failed: %s",
			       gj_plugin_name(p), (unsigned long long)tk->id, c->id, strerror(-r));
		if (eng->failed)
			return eng->failed;
	}
	return 0;
}

static struct gj_plugin *plugin_named(const struct gj_host *h, const char *name)
{
	for (size_t i = 0; i < gj_host_plugin_count(h); i++)
		if (strcmp(gj_host_plugin_name(h, i), name) == 0)
			return gj_plugins_get(h->plugins, i);
	return NULL;
}

int gj_host_fire_clock(struct gj_engine *eng, const struct gj_due *d)
{
	Guanjia__Ticket *tk = NULL;
	Guanjia__PluginClock *pc;
	const struct gj_plugin_descriptor *desc;
	struct gj_plugin *p;
	char *plugin = NULL, *name = NULL;
	int rc = gj_store_ticket_get(eng->cur, d->ticket, &tk);

	if (rc == -ENOENT || rc == -EILSEQ)
		return 0;
	if (rc)
		return rc;
	if (d->clock >= tk->n_plugin_clocks || tk->plugin_clocks[d->clock]->at != d->at)
		goto out; /* stale: moved or cancelled */
	pc = tk->plugin_clocks[d->clock];
	plugin = strdup(pc->plugin);
	name = strdup(pc->name);
	if (!plugin || !name) {
		rc = -ENOMEM;
		goto out;
	}
	pc->at = 0; /* spent, in the same transaction that calls the plugin */
	rc = gj_store_ticket_put(eng->cur, tk);
	if (rc)
		goto out;
	p = plugin_named(eng->host, plugin);
	desc = p ? gj_plugin_descriptor_of(p) : NULL;
	if (!desc || desc->abi_minor < 1 || !desc->on_clock) {
		gj_log(GJ_LOG_WARN, "plugin clock '%s' of ticket %llu belongs to plugin '%s', "
		       "which is not loaded: dropped", name, (unsigned long long)tk->id, plugin);
		goto out;
	}
	{
		struct gj_plugin_clock ev = {
			.ticket_id = tk->id, .estate = tk->estate, .workflow = tk->workflow,
			.workflow_version = tk->workflow_version, .name = name, .state = tk->state,
			.at_ms = d->at, .now_ms = eng->now,
		};
		int r;
		eng->hook_depth++;
		r = desc->on_clock(gj_plugin_state(p), &ev);
		eng->hook_depth--;
		if (r < 0)
			gj_log(GJ_LOG_WARN, "plugin %s: clock '%s' of ticket %llu failed: %s",
			       plugin, name, (unsigned long long)tk->id, strerror(-r));
		rc = eng->failed;
	}
out:
	free(plugin);
	free(name);
	free_ticket(tk);
	return rc;
}

int gj_host_fire_timer(struct gj_engine *eng, const struct gj_due *d)
{
	char *plugin = NULL, *name = NULL;
	const struct gj_plugin_descriptor *desc;
	struct gj_plugin *p;
	int64_t at = 0;
	int rc = timer_get(eng, d->ticket, &at, &plugin, &name);

	if (rc == -ENOENT || rc == -EILSEQ)
		return 0;
	if (rc)
		return rc;
	if (!plugin || !name) {
		rc = -ENOMEM;
		goto out;
	}
	if (at != d->at)
		goto out; /* moved or cancelled */
	rc = timer_put(eng, d->ticket, 0, plugin, name); /* spent */
	if (rc)
		goto out;
	p = plugin_named(eng->host, plugin);
	desc = p ? gj_plugin_descriptor_of(p) : NULL;
	if (!desc || desc->abi_minor < 2 || !desc->on_timer) {
		gj_log(GJ_LOG_WARN, "timer '%s' of plugin '%s', which is not loaded: dropped", name,
		       plugin);
		goto out;
	}
	{
		struct gj_plugin_timer t = { .name = name, .at_ms = d->at, .now_ms = eng->now };
		int r;
		eng->hook_depth++;
		r = desc->on_timer(gj_plugin_state(p), &t);
		eng->hook_depth--;
		if (r < 0)
			gj_log(GJ_LOG_WARN, "plugin %s: timer '%s' failed: %s", plugin, name,
			       strerror(-r));
		rc = eng->failed;
	}
out:
	free(plugin);
	free(name);
	return rc;
}

int gj_host_on_start(struct gj_engine *eng)
{
	struct gj_host *h = eng->host;

	EACH_PLUGIN(h, p, d) {
		int r;
		if (d->abi_minor < 2 || !d->on_start)
			continue;
		eng->hook_depth++;
		r = d->on_start(gj_plugin_state(p), eng->now);
		eng->hook_depth--;
		if (r < 0)
			gj_log(GJ_LOG_WARN, "plugin %s: on_start failed: %s", gj_plugin_name(p),
			       strerror(-r));
		if (eng->failed)
			return eng->failed;
	}
	return 0;
}

/* --- estates (calendars and rosters) --------------------------------- */

void gj_host_set_site(struct gj_host *h, const struct gj_site *site)
{
	h->site = site;
}

int gj_host_check_estate(struct gj_engine *eng, const char *estate, struct gj_refusal *ref)
{
	const struct gj_site *site = eng->host ? eng->host->site : NULL;
	char list[512];
	const char *ids[64];
	size_t n = 0;

	/* With estates listed, a ticket may only be opened in one of them: a
	 * typo would otherwise make an estate without calendar or roster. */
	if (!site || gj_site_estate_count(site) == 0 || gj_site_has_estate(site, estate))
		return 0;
	while (n < 64 && (ids[n] = gj_site_estate_id(site, n)))
		n++;
	gj_join_ids(list, sizeof(list), ids, n);
	return gj_refuse(ref, GUANJIA__ERROR_CODE__UNKNOWN_ESTATE,
			 "there is no estate '%.64s' (estates: %s)", estate, list);
}

int gj_host_check_roster(struct gj_engine *eng, const char *estate, const struct gj_who *who,
			 struct gj_refusal *ref)
{
	const struct gj_roster *r = eng->host ? gj_site_roster(eng->host->site, estate) : NULL;
	char *why = NULL;
	int rc;

	/* Customers are not on rosters; plugins act for the daemon. */
	if (!r || strcmp(who->role, "owner") == 0 || strcmp(who->role, "tenant") == 0 ||
	    (who->channel && strncmp(who->channel, "plugin:", 7) == 0))
		return 0;
	rc = gj_roster_check_actor(r, who->person, who->role, &why);
	if (rc == 0)
		return 0;
	rc = gj_refuse(ref, GUANJIA__ERROR_CODE__NOT_ON_ROSTER, "%s",
		       why ? why : "the person is not on the estate's roster in that role");
	free(why);
	return rc;
}

int gj_host_check_roster_all(struct gj_engine *eng, const char *estate, const struct gj_who *who,
			     struct gj_refusal *ref)
{
	const struct gj_site *site = eng->host ? eng->host->site : NULL;
	const char *id;

	if (estate)
		return gj_host_check_roster(eng, estate, who, ref);
	for (size_t i = 0; site && (id = gj_site_estate_id(site, i)); i++) {
		int rc = gj_host_check_roster(eng, id, who, ref);
		if (rc) {
			/* Say how to act on the estates one may act on. */
			char *m = NULL;
			if (ref->message && asprintf(&m, "%s; name an estate (gj recompute --estate E)",
						     ref->message) >= 0) {
				free(ref->message);
				ref->message = m;
			}
			return rc;
		}
	}
	return 0;
}

const struct gj_calendar *gj_host_calendar_by_id(const struct gj_engine *eng, const char *id)
{
	if (eng->host && eng->host->site)
		return gj_site_calendar_by_id(eng->host->site, id);
	if (eng->cfg.calendar && strcmp(gj_calendar_id(eng->cfg.calendar), id) == 0)
		return eng->cfg.calendar;
	return NULL;
}

const struct gj_calendar *gj_host_calendar(const struct gj_engine *eng, const char *estate)
{
	const struct gj_calendar *c = eng->host ? gj_site_calendar(eng->host->site, estate) : NULL;

	return c ? c : eng->cfg.calendar;
}
