/*
 * special_event.c - the `special_event` plugin (RULEBOOK R28b, item 2):
 * the team head reports an incident to the manager within 5 minutes of it
 * being found, and no special event is closed without its written report.
 *
 * When a ticket of the configured workflows opens (the event is found), the
 * plugin clock "head_report" is armed head_report_within later; the event
 * head_report_event cancels it.  If it falls due while the ticket is open
 * and not reported, one alert (level 1) goes straight to direct_roles.
 * check_event refuses close_event unless report_field is given with the
 * command or already on the ticket.
 *
 * Bookkeeping on the ticket (set_ticket_field), so that replays after a
 * restart change nothing:
 *   special_event_head_reported  when the head reported (ISO 8601)
 *   special_event_head_alerted   when the missing report was alerted
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_util.h"

#define PLUGIN_NAME "special_event"

/* The plugin clock, and the clock name alerts carry. */
static const char HEAD_CLOCK[] = "head_report";
static const char REPORTED_FIELD[] = "special_event_head_reported";
static const char ALERTED_FIELD[] = "special_event_head_alerted";

#define MESSAGE_LEN 768

struct special_event {
	struct gj_pu_host h;
	struct gj_pu_list workflows;
	struct gj_pu_list direct_roles;
	const char *head_report_event;
	const char *close_event;
	const char *report_field;
	int64_t within_ms;
	int32_t utc_offset;
};

static void special_event_free(struct special_event *se)
{
	if (!se)
		return;
	gj_pu_list_finish(&se->workflows);
	gj_pu_list_finish(&se->direct_roles);
	free(se);
}

static int read_config(struct special_event *se)
{
	const struct gj_pu_host *h = &se->h;
	int r;

	if ((r = gj_pu_cfg_list(h, "workflows", "r28b_special_event", true,
	                        &se->workflows)) < 0 ||
	    (r = gj_pu_cfg_roles(h, "direct_roles", "manager", true,
	                        &se->direct_roles)) < 0 ||
	    (r = gj_pu_cfg_duration(h, "head_report_within", "5m", 1000,
	                            &se->within_ms)) < 0 ||
	    (r = gj_pu_cfg_name(h, "head_report_event", "report_to_manager",
	                        &se->head_report_event)) < 0 ||
	    (r = gj_pu_cfg_name(h, "close_event", "close", &se->close_event)) < 0 ||
	    (r = gj_pu_cfg_name(h, "report_field", "report", &se->report_field)) < 0 ||
	    (r = gj_pu_cfg_utc_offset(h, "utc_offset", "+08:00", &se->utc_offset)) < 0)
		return r;
	return 0;
}

static int init(const struct gj_host_api *host, void *ctx, void **ret_state)
{
	struct special_event *se;
	int r;

	se = calloc(1, sizeof(*se));
	if (!se)
		return -ENOMEM;
	se->h.api = host;
	se->h.ctx = ctx;
	r = gj_pu_host_check(&se->h);
	if (r == 0)
		r = read_config(se);
	if (r < 0) {
		special_event_free(se);
		return r;
	}
	*ret_state = se;
	return 0;
}

static void fini(void *state)
{
	special_event_free(state);
}

static int on_open(const struct special_event *se,
                   const struct gj_plugin_transition *tr)
{
	if (gj_pu_field_present(&se->h, tr->ticket_id, REPORTED_FIELD))
		return 0;
	return se->h.api->arm_clock(se->h.ctx, tr->ticket_id, HEAD_CLOCK,
	                            tr->at_ms + se->within_ms);
}

static int on_reported(const struct special_event *se,
                       const struct gj_plugin_transition *tr)
{
	char at[GJ_PU_ISO_LEN];
	int r;

	if (!gj_pu_field_present(&se->h, tr->ticket_id, REPORTED_FIELD)) {
		gj_pu_format_iso8601(tr->at_ms, se->utc_offset, at, sizeof(at));
		r = se->h.api->set_ticket_field(se->h.ctx, tr->ticket_id,
		                                REPORTED_FIELD, at);
		if (r < 0)
			return r;
	}
	return gj_pu_cancel_clock(&se->h, tr->ticket_id, HEAD_CLOCK);
}

static int on_transition(void *state, const struct gj_plugin_transition *tr)
{
	struct special_event *se = state;

	if (!gj_pu_list_has(&se->workflows, tr->workflow))
		return 0;
	if (gj_pu_blank(tr->from_state) || gj_pu_streq(tr->event, "open"))
		return on_open(se, tr);
	if (gj_pu_streq(tr->event, se->head_report_event))
		return on_reported(se, tr);
	if (gj_pu_streq(tr->event, se->close_event) ||
	    gj_pu_field_is(&se->h, tr->ticket_id, "closed", "true"))
		return gj_pu_cancel_clock(&se->h, tr->ticket_id, HEAD_CLOCK);
	return 0;
}

/* " (kind K, location L)" from the ticket's fields, or "". */
static void describe(const struct special_event *se, uint64_t ticket,
                     char *buf, size_t len)
{
	char *kind = NULL, *location = NULL;

	gj_pu_field_dup(&se->h, ticket, "kind", &kind);
	gj_pu_field_dup(&se->h, ticket, "location", &location);
	if (kind && location)
		snprintf(buf, len, " (%s at %s)", kind, location);
	else if (kind || location)
		snprintf(buf, len, " (%s)", kind ? kind : location);
	else
		buf[0] = '\0';
	free(kind);
	free(location);
}

static int on_clock(void *state, const struct gj_plugin_clock *c)
{
	struct special_event *se = state;
	char msg[MESSAGE_LEN], what[256], found[GJ_PU_ISO_LEN], now[GJ_PU_ISO_LEN];
	char within[GJ_PU_DURATION_LEN], since[GJ_PU_DURATION_LEN];
	char *rule = NULL;
	int64_t found_ms = c->at_ms - se->within_ms;
	int r;

	if (strcmp(c->name, HEAD_CLOCK) != 0 ||
	    !gj_pu_list_has(&se->workflows, c->workflow))
		return 0;
	if (gj_pu_field_present(&se->h, c->ticket_id, REPORTED_FIELD) ||
	    gj_pu_field_present(&se->h, c->ticket_id, ALERTED_FIELD) ||
	    gj_pu_field_is(&se->h, c->ticket_id, "closed", "true"))
		return 0;

	describe(se, c->ticket_id, what, sizeof(what));
	gj_pu_field_dup(&se->h, c->ticket_id, "rule", &rule);
	gj_pu_format_iso8601(found_ms, se->utc_offset, found, sizeof(found));
	gj_pu_format_iso8601(c->now_ms, se->utc_offset, now, sizeof(now));
	gj_pu_format_duration(se->within_ms, within, sizeof(within));
	gj_pu_format_duration(c->now_ms - found_ms, since, sizeof(since));
	snprintf(msg, sizeof(msg),
	         "%s ticket %" PRIu64 "%s: the team head has not reported to the "
	         "manager within %s of the event being found (found at %s, %s ago; "
	         "no %s yet)",
	         rule && *rule ? rule : "R28b", c->ticket_id, what, within, found,
	         since, se->head_report_event);
	free(rule);
	if ((r = se->h.api->raise_alert(se->h.ctx, c->ticket_id, HEAD_CLOCK, 1,
	                                (const char *const *)se->direct_roles.items,
	                                se->direct_roles.n, msg)) < 0 ||
	    (r = se->h.api->set_ticket_field(se->h.ctx, c->ticket_id,
	                                     ALERTED_FIELD, now)) < 0)
		return r;
	gj_pu_note(&se->h, c->ticket_id, "special_event: no report to the manager "
	           "within %s; %s alerted directly", within, se->direct_roles.items[0]);
	return 0;
}

static int check_event(void *state, const struct gj_plugin_check *check,
                       char *why, size_t why_len)
{
	struct special_event *se = state;
	const char *report;

	if (!gj_pu_list_has(&se->workflows, check->workflow) ||
	    !gj_pu_streq(check->event, se->close_event))
		return 0;
	report = gj_pu_kv_get(check->fields, check->n_fields, se->report_field);
	if (!gj_pu_blank(report))
		return 0;
	/* Given as blank with the command: that is no report, even if an
	 * earlier one is stored, since the command would overwrite it. */
	if (!report && check->ticket_id &&
	    gj_pu_field_present(&se->h, check->ticket_id, se->report_field))
		return 0;
	snprintf(why, why_len,
	         "a special event cannot be closed without its written "
	         "special-event report (field '%s')", se->report_field);
	return -EPERM;
}

GJ_PLUGIN_EXPORT const struct gj_plugin_descriptor gj_plugin_descriptor = {
	GJ_PLUGIN_ABI_VERSION,
	.name = PLUGIN_NAME,
	.description = "R28b: team head reports to the manager within 5 minutes; no close without the written report",
	.init = init,
	.fini = fini,
	.on_transition = on_transition,
	.on_clock = on_clock,
	.check_event = check_event,
};
