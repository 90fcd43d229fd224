/*
 * ladder.c - the `ladder` escalation plugin: multi-level escalation of
 * workflow clocks, with a repeating last level.
 *
 * For the configured workflows (and clocks), a clock's warning raises
 * level 1 (level1_roles), its breach level 2 (level2_roles), and
 * level3_after later, through the plugin clock "l3:<clock>", level 3
 * (level3_roles), repeated through "rep:<clock>" every repeat_every, at
 * most max_repeats times, until acknowledged: the workflow clock is no
 * longer running, the ticket is closed, or one of acknowledge_events was
 * fired after the breach.  Its alerts replace the workflow's own
 * (on_alert returns 1).
 *
 * Bookkeeping lives on the ticket (set_ticket_field), never in memory, so
 * that a callback replayed after a restart finds what was already raised:
 *   ladder_<clock>_level     highest level raised (0 to 3)
 *   ladder_<clock>_deadline  deadline of the escalation in progress (ISO
 *                            8601); an alert with another deadline starts
 *                            a new escalation of that clock
 *   ladder_<clock>_repeats   level-3 reminders raised
 *   ladder_<clock>_last      due time of the last plugin clock handled
 *   ladder_ack_<clock>       how the breach was acknowledged ("" = not)
 *   ladder_clocks            the clocks escalated on this ticket, "a,b"
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_util.h"

#define PLUGIN_NAME "ladder"

/* Room for a field or clock name built from a workflow clock's id. */
#define NAME_LEN 160
/* Room for an alert message. */
#define MESSAGE_LEN 512

static const char L3_PREFIX[] = "l3:";
static const char REP_PREFIX[] = "rep:";

struct ladder {
	struct gj_pu_host h;
	struct gj_pu_list workflows;
	struct gj_pu_list clocks;       /* empty: every clock */
	struct gj_pu_list level1_roles; /* empty: no level 1 */
	struct gj_pu_list level2_roles;
	struct gj_pu_list level3_roles;
	struct gj_pu_list ack_events;
	int64_t level3_after_ms;
	int64_t repeat_every_ms;
	uint32_t max_repeats;
	int32_t utc_offset;
};

/* What an escalation step says in its message. */
struct step {
	uint64_t ticket;
	const char *rule;
	const char *clock;
	int64_t deadline_ms;
	int64_t now_ms;
};

static void ladder_free(struct ladder *l)
{
	if (!l)
		return;
	gj_pu_list_finish(&l->workflows);
	gj_pu_list_finish(&l->clocks);
	gj_pu_list_finish(&l->level1_roles);
	gj_pu_list_finish(&l->level2_roles);
	gj_pu_list_finish(&l->level3_roles);
	gj_pu_list_finish(&l->ack_events);
	free(l);
}

static int read_config(struct ladder *l)
{
	const struct gj_pu_host *h = &l->h;
	int r;

	if ((r = gj_pu_cfg_list(h, "workflows", "r17_repair", true, &l->workflows)) < 0 ||
	    (r = gj_pu_cfg_list(h, "clocks", "", false, &l->clocks)) < 0 ||
	    (r = gj_pu_cfg_roles(h, "level1_roles", "engineering", false, &l->level1_roles)) < 0 ||
	    (r = gj_pu_cfg_roles(h, "level2_roles", "team_head", true, &l->level2_roles)) < 0 ||
	    (r = gj_pu_cfg_roles(h, "level3_roles", "manager", true, &l->level3_roles)) < 0 ||
	    (r = gj_pu_cfg_list(h, "acknowledge_events", "", false, &l->ack_events)) < 0 ||
	    (r = gj_pu_cfg_duration(h, "level3_after", "30m", 1000, &l->level3_after_ms)) < 0 ||
	    (r = gj_pu_cfg_duration(h, "repeat_every", "15m", GJ_PU_MINUTE_MS,
	                            &l->repeat_every_ms)) < 0 ||
	    (r = gj_pu_cfg_uint(h, "max_repeats", 8, 0, 1000, &l->max_repeats)) < 0 ||
	    (r = gj_pu_cfg_utc_offset(h, "utc_offset", "+08:00", &l->utc_offset)) < 0)
		return r;
	return 0;
}

static int init(const struct gj_host_api *host, void *ctx, void **ret_state)
{
	struct ladder *l;
	int r;

	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->h.api = host;
	l->h.ctx = ctx;
	r = gj_pu_host_check(&l->h);
	if (r == 0)
		r = read_config(l);
	if (r < 0) {
		ladder_free(l);
		return r;
	}
	*ret_state = l;
	return 0;
}

static void fini(void *state)
{
	ladder_free(state);
}

static bool handles(const struct ladder *l, const char *workflow,
                    const char *clock)
{
	return gj_pu_list_has(&l->workflows, workflow) &&
	       (l->clocks.n == 0 || gj_pu_list_has(&l->clocks, clock));
}

/* "ladder_<clock>_<what>", within the host's limit on field names. */
static int field_name(char *buf, const char *clock, const char *what)
{
	int w = snprintf(buf, GJ_PU_NAME_LEN, "ladder_%s_%s", clock, what);

	return w < 0 || w >= GJ_PU_NAME_LEN ? -ENAMETOOLONG : 0;
}

static int ack_field_name(char *buf, const char *clock)
{
	int w = snprintf(buf, GJ_PU_NAME_LEN, "ladder_ack_%s", clock);

	return w < 0 || w >= GJ_PU_NAME_LEN ? -ENAMETOOLONG : 0;
}

/* "<prefix><clock>", the name of a plugin clock. */
static int clock_name(char *buf, const char *prefix, const char *clock)
{
	int w = snprintf(buf, NAME_LEN, "%s%s", prefix, clock);

	return w < 0 || w >= NAME_LEN ? -ENAMETOOLONG : 0;
}

static int get_int(const struct ladder *l, uint64_t ticket, const char *clock,
                   const char *what, int64_t def, int64_t *ret)
{
	char name[NAME_LEN];
	int r;

	r = field_name(name, clock, what);
	if (r < 0)
		return r;
	r = gj_pu_field_int(&l->h, ticket, name, def, ret);
	return r == -ENOENT ? 0 : r;
}

static int set_int(const struct ladder *l, uint64_t ticket, const char *clock,
                   const char *what, int64_t value)
{
	char name[NAME_LEN];
	int r;

	r = field_name(name, clock, what);
	if (r < 0)
		return r;
	return gj_pu_field_set_int(&l->h, ticket, name, value);
}

/* A time stored as ISO 8601; @p def when the field is missing or blank. */
static int get_time(const struct ladder *l, uint64_t ticket, const char *clock,
                    const char *what, int64_t def, int64_t *ret)
{
	char name[NAME_LEN], *v = NULL;
	int r;

	if ((r = field_name(name, clock, what)) < 0)
		return r;
	r = gj_pu_field_dup(&l->h, ticket, name, &v);
	if (r == -ENOENT || (r == 0 && gj_pu_blank(v))) {
		*ret = def;
		r = 0;
	} else if (r == 0 && gj_pu_parse_iso8601(v, ret) < 0) {
		r = -EINVAL;
	}
	free(v);
	return r;
}

static int set_time(const struct ladder *l, uint64_t ticket, const char *clock,
                    const char *what, int64_t ms)
{
	char name[NAME_LEN], value[GJ_PU_ISO_LEN];
	int r;

	if ((r = field_name(name, clock, what)) < 0)
		return r;
	gj_pu_format_iso8601(ms, l->utc_offset, value, sizeof(value));
	return l->h.api->set_ticket_field(l->h.ctx, ticket, name, value);
}

static int cancel_plugin_clocks(const struct ladder *l, uint64_t ticket,
                                const char *clock)
{
	char name[NAME_LEN];
	int r;

	if ((r = clock_name(name, L3_PREFIX, clock)) < 0 ||
	    (r = gj_pu_cancel_clock(&l->h, ticket, name)) < 0 ||
	    (r = clock_name(name, REP_PREFIX, clock)) < 0)
		return r;
	return gj_pu_cancel_clock(&l->h, ticket, name);
}

/* Add @p clock to the ticket's "ladder_clocks" list if it is not there. */
static int engage(const struct ladder *l, uint64_t ticket, const char *clock)
{
	struct gj_pu_list engaged = { 0 };
	char *old = NULL, *joined;
	int r;

	r = gj_pu_field_dup(&l->h, ticket, "ladder_clocks", &old);
	if (r < 0 && r != -ENOENT)
		return r;
	r = gj_pu_list_parse(&engaged, old);
	if (r == 0 && !gj_pu_list_has(&engaged, clock)) {
		if (asprintf(&joined, "%s%s%s", old && *old ? old : "",
		             old && *old ? "," : "", clock) < 0) {
			r = -ENOMEM;
		} else {
			r = l->h.api->set_ticket_field(l->h.ctx, ticket,
			                               "ladder_clocks", joined);
			free(joined);
		}
	}
	gj_pu_list_finish(&engaged);
	free(old);
	return r;
}

/*
 * An alert for another deadline than the one being escalated starts a new
 * escalation (the clock ran again, or its deadline was recomputed); the
 * same deadline again is a replay.
 */
static int start_episode(const struct ladder *l, uint64_t ticket,
                         const char *clock, int64_t deadline_ms,
                         int64_t *ret_level)
{
	char name[NAME_LEN];
	int64_t stored, level;
	int r;

	if ((r = get_time(l, ticket, clock, "deadline", INT64_MIN, &stored)) < 0 ||
	    (r = get_int(l, ticket, clock, "level", 0, &level)) < 0)
		return r;
	if (stored == deadline_ms) {
		*ret_level = level;
		return 0;
	}
	if (stored != INT64_MIN) {
		if ((r = cancel_plugin_clocks(l, ticket, clock)) < 0 ||
		    (r = set_int(l, ticket, clock, "level", 0)) < 0 ||
		    (r = set_int(l, ticket, clock, "repeats", 0)) < 0 ||
		    (r = ack_field_name(name, clock)) < 0 ||
		    (r = l->h.api->set_ticket_field(l->h.ctx, ticket, name, "")) < 0)
			return r;
	}
	if ((r = set_time(l, ticket, clock, "deadline", deadline_ms)) < 0 ||
	    (r = engage(l, ticket, clock)) < 0)
		return r;
	*ret_level = 0;
	return 0;
}

static int raise_to(const struct ladder *l, const struct step *s,
                    uint32_t level, const struct gj_pu_list *roles,
                    const char *message)
{
	return l->h.api->raise_alert(l->h.ctx, s->ticket, s->clock, level,
	                             (const char *const *)roles->items, roles->n,
	                             message);
}

static int raise_level1(const struct ladder *l, const struct step *s)
{
	char msg[MESSAGE_LEN], in[GJ_PU_DURATION_LEN], due[GJ_PU_ISO_LEN];

	gj_pu_format_duration(s->deadline_ms - s->now_ms, in, sizeof(in));
	gj_pu_format_iso8601(s->deadline_ms, l->utc_offset, due, sizeof(due));
	snprintf(msg, sizeof(msg),
	         "%s ticket %" PRIu64 ", clock %s: level 1 (warning): due in %s, at %s",
	         s->rule, s->ticket, s->clock, in, due);
	return raise_to(l, s, 1, &l->level1_roles, msg);
}

static int raise_level2(const struct ladder *l, const struct step *s)
{
	char msg[MESSAGE_LEN], late[GJ_PU_DURATION_LEN], due[GJ_PU_ISO_LEN];
	char after[GJ_PU_DURATION_LEN], next[128];

	gj_pu_format_duration(s->now_ms - s->deadline_ms, late, sizeof(late));
	gj_pu_format_iso8601(s->deadline_ms, l->utc_offset, due, sizeof(due));
	gj_pu_format_duration(l->level3_after_ms, after, sizeof(after));
	gj_pu_list_format(&l->level3_roles, next, sizeof(next));
	snprintf(msg, sizeof(msg),
	         "%s ticket %" PRIu64 ", clock %s: level 2 (breach): %s late, "
	         "was due at %s; level 3 (%s) in %s unless acknowledged",
	         s->rule, s->ticket, s->clock, late, due, next, after);
	return raise_to(l, s, 2, &l->level2_roles, msg);
}

/* Level 3 itself (@p reminder 0) or its reminder number @p reminder. */
static int raise_level3(const struct ladder *l, const struct step *s,
                        int64_t reminder)
{
	char msg[MESSAGE_LEN], late[GJ_PU_DURATION_LEN], due[GJ_PU_ISO_LEN];
	char every[GJ_PU_DURATION_LEN], what[160];

	gj_pu_format_duration(s->now_ms - s->deadline_ms, late, sizeof(late));
	gj_pu_format_iso8601(s->deadline_ms, l->utc_offset, due, sizeof(due));
	gj_pu_format_duration(l->repeat_every_ms, every, sizeof(every));
	if (reminder == 0 && l->max_repeats > 0)
		snprintf(what, sizeof(what), "repeated every %s, at most %u times, "
		         "until acknowledged", every, (unsigned)l->max_repeats);
	else if (reminder == 0)
		snprintf(what, sizeof(what), "not repeated");
	else
		snprintf(what, sizeof(what), "reminder %" PRId64 " of %u",
		         reminder, (unsigned)l->max_repeats);
	snprintf(msg, sizeof(msg),
	         "%s ticket %" PRIu64 ", clock %s: level 3: %s late and %snot "
	         "acknowledged, was due at %s (%s)",
	         s->rule, s->ticket, s->clock, late, reminder ? "still " : "",
	         due, what);
	return raise_to(l, s, 3, &l->level3_roles, msg);
}

static int on_warn(const struct ladder *l, const struct step *s, int64_t level)
{
	int r;

	if (level >= 1)
		return 1; /* raised before: a replay */
	if (l->level1_roles.n == 0)
		return 0; /* no level 1: the workflow's own warning stands */
	if ((r = raise_level1(l, s)) < 0 ||
	    (r = set_int(l, s->ticket, s->clock, "level", 1)) < 0)
		return r;
	return 1;
}

static int on_breach(const struct ladder *l, const struct step *s,
                     int64_t level)
{
	char name[NAME_LEN];
	int64_t at = s->deadline_ms + l->level3_after_ms;
	int r;

	if (level >= 2)
		return 1; /* raised before: a replay */
	/* A breach reported late (the daemon was down) escalates from now. */
	if (at < s->now_ms)
		at = s->now_ms;
	if ((r = raise_level2(l, s)) < 0 ||
	    (r = set_int(l, s->ticket, s->clock, "level", 2)) < 0 ||
	    (r = set_int(l, s->ticket, s->clock, "repeats", 0)) < 0 ||
	    (r = clock_name(name, L3_PREFIX, s->clock)) < 0 ||
	    (r = l->h.api->arm_clock(l->h.ctx, s->ticket, name, at)) < 0)
		return r;
	return 1;
}

static int on_alert(void *state, const struct gj_plugin_alert *a)
{
	struct ladder *l = state;
	struct step s = {
		.ticket = a->ticket_id,
		.rule = a->rule && *a->rule ? a->rule : a->workflow,
		.clock = a->clock,
		.deadline_ms = a->deadline_ms,
		.now_ms = a->now_ms,
	};
	int64_t level;
	int r;

	if (!a->clock || !handles(l, a->workflow, a->clock))
		return 0;
	r = start_episode(l, a->ticket_id, a->clock, a->deadline_ms, &level);
	if (r < 0)
		return r;
	switch (a->kind) {
	case GJ_PLUGIN_ALERT_WARN:
		return on_warn(l, &s, level);
	case GJ_PLUGIN_ALERT_BREACH:
		return on_breach(l, &s, level);
	}
	return 0;
}

/*
 * Is the escalation of @p clock over?  Returns 1 when it was acknowledged
 * before (nothing left to do), 0 otherwise with @p why "" while it goes on
 * or saying why it is over now: the ticket closed, or the workflow clock no
 * longer running (stopped, paused, idle, or gone).
 */
static int why_over(const struct ladder *l, uint64_t ticket, const char *clock,
                    char *why, size_t len)
{
	char name[NAME_LEN], state[32];
	int r;

	why[0] = '\0';
	if ((r = ack_field_name(name, clock)) < 0)
		return r;
	if (gj_pu_field_present(&l->h, ticket, name))
		return 1;
	if (gj_pu_field_is(&l->h, ticket, "closed", "true")) {
		snprintf(why, len, "ticket closed");
		return 0;
	}
	snprintf(name, sizeof(name), "clock.%s.state", clock);
	r = l->h.api->get_ticket_field(l->h.ctx, ticket, name, state, sizeof(state));
	if (r == -ENOENT || r == -ENOSPC)
		snprintf(why, len, "clock %s not found", clock);
	else if (r < 0)
		return r;
	else if (strcmp(state, "running") != 0)
		snprintf(why, len, "clock %s %s", clock, state);
	return 0;
}

/* Record that the escalation of @p clock is over, and stop its clocks. */
static int acknowledge(const struct ladder *l, uint64_t ticket,
                       const char *clock, const char *why, int64_t at_ms)
{
	char name[NAME_LEN], at[GJ_PU_ISO_LEN], value[384];
	int r;

	gj_pu_format_iso8601(at_ms, l->utc_offset, at, sizeof(at));
	snprintf(value, sizeof(value), "%s at %s", why, at);
	if ((r = ack_field_name(name, clock)) < 0 ||
	    (r = l->h.api->set_ticket_field(l->h.ctx, ticket, name, value)) < 0 ||
	    (r = cancel_plugin_clocks(l, ticket, clock)) < 0)
		return r;
	gj_pu_note(&l->h, ticket, "ladder: escalation of clock %s ended: %s at %s",
	           clock, why, at);
	return 0;
}

static int on_clock(void *state, const struct gj_plugin_clock *c)
{
	struct ladder *l = state;
	struct step s = { .ticket = c->ticket_id, .now_ms = c->now_ms };
	char name[NAME_LEN], why[NAME_LEN + 64], *rule = NULL;
	int64_t level, repeats, last, next;
	bool reminder;
	int r;

	if (strncmp(c->name, L3_PREFIX, strlen(L3_PREFIX)) == 0) {
		s.clock = c->name + strlen(L3_PREFIX);
		reminder = false;
	} else if (strncmp(c->name, REP_PREFIX, strlen(REP_PREFIX)) == 0) {
		s.clock = c->name + strlen(REP_PREFIX);
		reminder = true;
	} else {
		return 0; /* not one of ours */
	}
	if (!handles(l, c->workflow, s.clock))
		return 0;
	if ((r = get_int(l, s.ticket, s.clock, "level", 0, &level)) < 0 ||
	    (r = get_int(l, s.ticket, s.clock, "repeats", 0, &repeats)) < 0 ||
	    (r = get_time(l, s.ticket, s.clock, "last", INT64_MIN, &last)) < 0 ||
	    (r = get_time(l, s.ticket, s.clock, "deadline",
	                 c->at_ms - l->level3_after_ms, &s.deadline_ms)) < 0)
		return r;
	/* Delivered twice: the first delivery raised it. */
	if (c->at_ms <= last || level < 2 || (!reminder && level >= 3) ||
	    (reminder && repeats >= (int64_t)l->max_repeats))
		return 0;
	r = why_over(l, s.ticket, s.clock, why, sizeof(why));
	if (r != 0)
		return r < 0 ? r : 0;
	if (why[0])
		return acknowledge(l, s.ticket, s.clock, why, c->now_ms);

	r = gj_pu_field_dup(&l->h, s.ticket, "rule", &rule);
	s.rule = r == 0 && *rule ? rule : c->workflow;
	if (reminder)
		repeats++;
	if ((r = raise_level3(l, &s, reminder ? repeats : 0)) < 0 ||
	    (r = set_int(l, s.ticket, s.clock, "level", 3)) < 0 ||
	    (r = set_int(l, s.ticket, s.clock, "repeats", repeats)) < 0 ||
	    (r = set_time(l, s.ticket, s.clock, "last", c->at_ms)) < 0)
		goto out;
	if (repeats < (int64_t)l->max_repeats) {
		/* Keep the cadence; after a long outage, one reminder now. */
		next = c->at_ms + l->repeat_every_ms;
		if (next <= c->now_ms)
			next = c->now_ms + l->repeat_every_ms;
		if ((r = clock_name(name, REP_PREFIX, s.clock)) < 0 ||
		    (r = l->h.api->arm_clock(l->h.ctx, s.ticket, name, next)) < 0)
			goto out;
	}
	r = 0;
out:
	free(rule);
	return r;
}

/*
 * After any move of the ticket, end the escalations it settles: one of
 * acknowledge_events fired after a breach, or a breached clock that no
 * longer runs (its plugin clocks are then cancelled at once rather than
 * left to fall due).
 */
static int on_transition(void *state, const struct gj_plugin_transition *tr)
{
	struct ladder *l = state;
	struct gj_pu_list engaged = { 0 };
	char *value = NULL, why[NAME_LEN + 128];
	int64_t level;
	size_t i;
	int r;

	if (!gj_pu_list_has(&l->workflows, tr->workflow))
		return 0;
	r = gj_pu_field_dup(&l->h, tr->ticket_id, "ladder_clocks", &value);
	if (r == -ENOENT)
		return 0;
	if (r < 0 || (r = gj_pu_list_parse(&engaged, value)) < 0)
		goto out;
	for (i = 0; i < engaged.n; i++) {
		const char *clock = engaged.items[i];

		if ((r = get_int(l, tr->ticket_id, clock, "level", 0, &level)) < 0)
			goto out;
		if (level < 2)
			continue; /* not breached: nothing to acknowledge */
		r = why_over(l, tr->ticket_id, clock, why, sizeof(why));
		if (r < 0)
			goto out;
		if (r == 1)
			continue;
		if (gj_pu_list_has(&l->ack_events, tr->event))
			snprintf(why, sizeof(why), "acknowledged by event %s of %s (%s)",
			         tr->event, tr->person ? tr->person : "?",
			         tr->role ? tr->role : "?");
		if (why[0] &&
		    (r = acknowledge(l, tr->ticket_id, clock, why, tr->at_ms)) < 0)
			goto out;
	}
	r = 0;
out:
	gj_pu_list_finish(&engaged);
	free(value);
	return r;
}

GJ_PLUGIN_EXPORT const struct gj_plugin_descriptor gj_plugin_descriptor = {
	GJ_PLUGIN_ABI_VERSION,
	.name = PLUGIN_NAME,
	.description = "multi-level escalation of workflow clocks, repeated until acknowledged",
	.init = init,
	.fini = fini,
	.on_alert = on_alert,
	.on_transition = on_transition,
	.on_clock = on_clock,
};
