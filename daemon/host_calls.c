/*
 * host_calls.c - the engine's calls into the plugins: check_event (read
 * only; it may refuse the command), on_transition, on_alert, a plugin clock
 * or a plugin timer falling due, on_start.
 *
 * Callbacks are made only after the engine stored the ticket concerned, so
 * a plugin reading or changing that ticket sees the stored one; the engine
 * re-reads it afterwards.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "host_priv.h"
#include "log.h"
#include "plugin.h"
#include "wire.h"

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
	uint64_t writes;
	int rc;

	if (!h || !h->plugins || eng->hook_depth >= MAX_HOOK_DEPTH)
		return 0;
	writes = h->ticket_writes;
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
	if (h->ticket_writes == writes)
		return 0; /* no plugin wrote a ticket: the one in hand is current */
	/* A plugin changed a ticket, maybe this one: hand back the stored one. */
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
	int rc = gj_host_timer_get(eng, d->ticket, &at, &plugin, &name);

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
	rc = gj_host_timer_put(eng, d->ticket, 0, plugin, name); /* spent */
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
