/*
 * host_api.c - the functions of the host table (struct gj_host_api, see
 * gj_plugin.h) that plugins call: ticket fields, alerts, events, opening
 * tickets, history notes, plugin clocks, logging, working-day deadlines,
 * notices, ticket lists, plugin timers, stored values, calendars, estates;
 * and the table itself.
 *
 * Host functions act on the engine's batch transaction (eng->cur): what a
 * plugin does in a callback commits or is lost with what triggered it.  A
 * storage error inside a host function spoils the batch (eng->failed), so
 * the server runs it again, like any other storage error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_priv.h"
#include "log.h"
#include "site.h"
#include "wire.h"

/* Plugin clocks one ticket may hold. */
#define MAX_PLUGIN_CLOCKS 32
#define MAX_ALERT_MESSAGE 1024
#define MAX_NOTICE_TEXT (256 * 1024)

/* --- helpers --------------------------------------------------------- */

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
		rc = storage(eng, gj_alert_journal(eng, tk, &al, topic));
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
	struct gj_who who = { person, role, channel, NULL, true };
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
	eng->host->ticket_writes++;
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
	struct gj_who who = { hp->name, "admin_hr", channel, NULL, true };
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
	eng->host->ticket_writes++;
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
	bool prov = false;
	int rc;

	if (!eng)
		return -EAGAIN;
	if (n < 1 || n > GJ_CALENDAR_MAX_ADD || !ret_ms)
		return -EINVAL;
	cal = gj_host_calendar(eng, estate);
	if (!cal)
		return -ENOENT;
	rc = gj_calendar_working_days_close(cal, from_ms, n, ret_ms, &prov);
	if (!rc && ret_provisional)
		*ret_provisional = prov;
	if (!rc && prov && !eng->host->read_only) {
		/* Never silently Monday to Friday: tell the administrator, as for
		 * a workflow clock counted into a year without data; once per
		 * plugin, calendar and year in a batch. */
		struct host_plugin *hp = ctx;
		struct gj_host *h = eng->host;
		char what[160], key[96], year[40];
		bool said = false;

		gj_time_format(*ret_ms, gj_calendar_utc_offset_min(cal), year, sizeof(year));
		snprintf(key, sizeof(key), "%s/%s/%.4s", hp->name, gj_calendar_id(cal), year);
		if (h->prov_batch != eng->batch_serial) {
			h->prov_batch = eng->batch_serial;
			h->n_prov_said = 0;
		}
		for (size_t i = 0; i < h->n_prov_said; i++)
			said = said || strcmp(h->prov_said[i], key) == 0;
		if (!said) {
			if (h->n_prov_said < 16)
				snprintf(h->prov_said[h->n_prov_said++], sizeof(h->prov_said[0]), "%s",
					 key);
			snprintf(what, sizeof(what), "a deadline plugin %s counted (%d working days)",
				 hp->name, n);
			rc = storage(eng, gj_alert_provisional(eng, NULL, estate ? estate : "",
							       gj_calendar_id(cal), "", *ret_ms,
							       hp->name, what));
		}
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
int gj_host_timer_get(struct gj_engine *eng, uint64_t id, int64_t *ret_at, char **ret_plugin,
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

int gj_host_timer_put(struct gj_engine *eng, uint64_t id, int64_t at, const char *plugin,
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
	int rc = gj_host_timer_get(eng, id, &at, NULL, NULL);

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
	return gj_host_timer_put(eng, id, 0, plugin, name);
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
	rc = gj_host_timer_put(eng, id, at_ms, hp->name, name);
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

const struct gj_host_api gj_host_table = {
	.abi_major = GJ_PLUGIN_ABI_MAJOR,
	.abi_minor = GJ_PLUGIN_ABI_MINOR,
	.get_ticket_field = h_get_ticket_field,
	.raise_alert = h_raise_alert,
	.fire_event = h_fire_event,
	.open_ticket = h_open_ticket,
	.append_history = h_append_history,
	.arm_clock = h_arm_clock,
	.cancel_clock = h_cancel_clock,
	.config_get = gj_host_config_get,
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
