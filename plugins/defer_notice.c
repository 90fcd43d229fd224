/*
 * defer_notice.c - the `defer_notice` plugin (RULEBOOK R17): a technician
 * who cannot fix a public-area repair for now files, within 3 working
 * days, the reason and the expected repair date (the defer notice); the
 * butler publishes the list of deferred repairs; no repair is later than
 * 30 working days.
 *
 *   cannot_fix_event  arms the plugin clock "notice" at the close of the
 *                     notice_within_wd-th working day (working_days_deadline
 *                     on the estate's calendar); if it falls due with no
 *                     notice filed, notice_roles are alerted.
 *   notice_event      checked first (check_event): needs a reason and an
 *                     expected date "YYYY-MM-DD", not in the past and not
 *                     later than max_wd working days after the repair was
 *                     reported (opened_at).  Applied: cancels "notice",
 *                     arms "expected" at day_close of the expected date,
 *                     and publishes the estate's list of deferred repairs.
 *   done_events       cancel both clocks; a deferred repair that is done
 *                     re-publishes the list.
 *   "expected"        falls due with the repair not done: overdue_roles
 *                     are alerted.
 *
 * Bookkeeping on the ticket (set_ticket_field), so that a replayed callback
 * alerts once:
 *   defer_notice_due        when the notice is due (ISO 8601)
 *   defer_notice_filed      when the notice was filed (ISO 8601)
 *   defer_notice_alerted    the due time whose missing notice was alerted
 *   defer_notice_overdue    the expected date whose passing was alerted
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_util.h"

#define PLUGIN_NAME "defer_notice"

static const char NOTICE_CLOCK[] = "notice";
static const char EXPECTED_CLOCK[] = "expected";
static const char DUE_FIELD[] = "defer_notice_due";
static const char FILED_FIELD[] = "defer_notice_filed";
static const char ALERTED_FIELD[] = "defer_notice_alerted";
static const char OVERDUE_FIELD[] = "defer_notice_overdue";
/* When the notice's due date was counted into a year without calendar
 * data: where the count started, to count again once the data is there. */
static const char FROM_FIELD[] = "defer_notice_counted_from";
static const char PROVISIONAL_FIELD[] = "defer_notice_provisional";
/* Fields of the notice event (the R17 workflow's). */
static const char REASON[] = "reason";
static const char EXPECTED_DATE[] = "expected_date";

#define MESSAGE_LEN 1024
/* Most repairs one published list names (a limit on what it holds). */
#define LIST_MAX 10000

struct defer_notice {
	struct gj_pu_host h;
	struct gj_pu_list workflows;
	struct gj_pu_list done_events;
	struct gj_pu_list notice_roles;
	struct gj_pu_list overdue_roles;
	const char *cannot_fix_event;
	const char *notice_event;
	const char *deferred_state;
	const char *list_name;
	uint32_t notice_within_wd;
	uint32_t max_wd;
	int32_t day_close;  /* minutes after midnight */
	int32_t utc_offset; /* minutes */
};

static void defer_notice_free(struct defer_notice *d)
{
	if (!d)
		return;
	gj_pu_list_finish(&d->workflows);
	gj_pu_list_finish(&d->done_events);
	gj_pu_list_finish(&d->notice_roles);
	gj_pu_list_finish(&d->overdue_roles);
	free(d);
}

static int read_config(struct defer_notice *d)
{
	const struct gj_pu_host *h = &d->h;
	int r;

	if ((r = gj_pu_cfg_list(h, "workflows", "r17_repair", true, &d->workflows)) < 0 ||
	    (r = gj_pu_cfg_name(h, "cannot_fix_event", "cannot_fix",
	                        &d->cannot_fix_event)) < 0 ||
	    (r = gj_pu_cfg_name(h, "notice_event", "defer_notice", &d->notice_event)) < 0 ||
	    (r = gj_pu_cfg_list(h, "done_events", "finish,cancel", true,
	                        &d->done_events)) < 0 ||
	    (r = gj_pu_cfg_name(h, "deferred_state", "deferred", &d->deferred_state)) < 0 ||
	    (r = gj_pu_cfg_uint(h, "notice_within_wd", 3, 1, 366, &d->notice_within_wd)) < 0 ||
	    (r = gj_pu_cfg_roles(h, "notice_roles", "engineering,butler", true,
	                        &d->notice_roles)) < 0 ||
	    (r = gj_pu_cfg_uint(h, "max_wd", 30, 1, 366, &d->max_wd)) < 0 ||
	    (r = gj_pu_cfg_roles(h, "overdue_roles", "engineering,butler,cs_lead", true,
	                        &d->overdue_roles)) < 0 ||
	    (r = gj_pu_cfg_name(h, "list_name", "deferred_repairs", &d->list_name)) < 0 ||
	    (r = gj_pu_cfg_hhmm(h, "day_close", "17:30", &d->day_close)) < 0 ||
	    (r = gj_pu_cfg_utc_offset(h, "utc_offset", "+08:00", &d->utc_offset)) < 0)
		return r;
	return 0;
}

static int init(const struct gj_host_api *host, void *ctx, void **ret_state)
{
	struct defer_notice *d;
	int r;

	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->h.api = host;
	d->h.ctx = ctx;
	r = gj_pu_host_check(&d->h);
	if (r == 0)
		r = read_config(d);
	if (r < 0) {
		defer_notice_free(d);
		return r;
	}
	*ret_state = d;
	return 0;
}

static void fini(void *state)
{
	defer_notice_free(state);
}

/* A ticket field as a new string, or a copy of @p def when missing. */
static char *field_or(const struct defer_notice *d, uint64_t ticket,
                      const char *field, const char *def)
{
	char *v = NULL;

	if (gj_pu_field_dup(&d->h, ticket, field, &v) < 0 || gj_pu_blank(v)) {
		free(v);
		return def ? strdup(def) : NULL;
	}
	return v;
}

/* " (location: description)", " (location)" or "" for a message. */
static void describe(const struct defer_notice *d, uint64_t ticket,
                     char *buf, size_t len)
{
	char *location = field_or(d, ticket, "location", NULL);
	char *description = field_or(d, ticket, "description", NULL);

	if (location && description)
		snprintf(buf, len, " (%s: %s)", location, description);
	else if (location || description)
		snprintf(buf, len, " (%s)", location ? location : description);
	else
		buf[0] = '\0';
	free(location);
	free(description);
}

/* --- the list of deferred repairs --- */

struct id_list {
	uint64_t *ids;
	size_t n, cap;
	int err;
};

static int collect_id(void *arg, uint64_t ticket)
{
	struct id_list *l = arg;
	uint64_t *bigger;
	size_t cap;

	if (l->n == LIST_MAX) {
		l->err = -E2BIG;
		return 1;
	}
	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 16;
		bigger = realloc(l->ids, cap * sizeof(*bigger));
		if (!bigger) {
			l->err = -ENOMEM;
			return 1;
		}
		l->ids = bigger;
		l->cap = cap;
	}
	l->ids[l->n++] = ticket;
	return 0;
}

/* One line of the list: "- ticket 7, lobby: lamp; reason: ...; expected ...". */
static void write_line(const struct defer_notice *d, FILE *f, uint64_t ticket)
{
	char *location = field_or(d, ticket, "location", NULL);
	char *description = field_or(d, ticket, "description", NULL);
	char *reason = field_or(d, ticket, REASON, NULL);
	char *expected = field_or(d, ticket, EXPECTED_DATE, NULL);
	char *due = field_or(d, ticket, DUE_FIELD, "?");

	fprintf(f, "- ticket %" PRIu64, ticket);
	if (location)
		fprintf(f, ", %s", location);
	if (description)
		fprintf(f, "%s%s", location ? ": " : ", ", description);
	if (expected)
		fprintf(f, "; reason: %s; expected %s\n", reason ? reason : "none given",
		        expected);
	else
		fprintf(f, "; no defer notice yet (due by %s)\n", due ? due : "?");
	free(location);
	free(description);
	free(reason);
	free(expected);
	free(due);
}

static int publish_list(const struct defer_notice *d, const char *estate)
{
	struct id_list l = { 0 };
	char *text = NULL;
	size_t len = 0, i;
	FILE *f;
	int r = 0;

	for (i = 0; i < d->workflows.n && r == 0 && l.err == 0; i++)
		r = d->h.api->list_tickets(d->h.ctx, estate, d->workflows.items[i],
		                           d->deferred_state, 1, collect_id, &l);
	if (r == 0)
		r = l.err;
	if (r < 0)
		goto out;
	f = open_memstream(&text, &len);
	if (!f) {
		r = -ENOMEM;
		goto out;
	}
	fprintf(f, "Deferred repairs on %s (R17): %zu", estate, l.n);
	fputs(l.n ? "\n" : " (none)\n", f);
	for (i = 0; i < l.n; i++)
		write_line(d, f, l.ids[i]);
	if (fclose(f) != 0) {
		r = -ENOMEM;
		goto out;
	}
	r = d->h.api->publish(d->h.ctx, estate, d->list_name, text, l.ids, l.n);
out:
	free(text);
	free(l.ids);
	return r;
}

/* --- transitions --- */

static int on_cannot_fix(const struct defer_notice *d,
                         const struct gj_plugin_transition *tr)
{
	char due[GJ_PU_ISO_LEN];
	int64_t due_ms;
	int provisional = 0, r;

	r = d->h.api->working_days_deadline(d->h.ctx, tr->estate, tr->at_ms,
	                                    (int32_t)d->notice_within_wd, &due_ms,
	                                    &provisional);
	if (r < 0)
		return r;
	gj_pu_format_iso8601(due_ms, d->utc_offset, due, sizeof(due));
	if ((r = d->h.api->arm_clock(d->h.ctx, tr->ticket_id, NOTICE_CLOCK, due_ms)) < 0 ||
	    (r = d->h.api->set_ticket_field(d->h.ctx, tr->ticket_id, DUE_FIELD, due)) < 0)
		return r;
	if (provisional) {
		char from[GJ_PU_ISO_LEN];
		gj_pu_format_iso8601(tr->at_ms, d->utc_offset, from, sizeof(from));
		if ((r = d->h.api->set_ticket_field(d->h.ctx, tr->ticket_id, FROM_FIELD, from)) < 0 ||
		    (r = d->h.api->set_ticket_field(d->h.ctx, tr->ticket_id, PROVISIONAL_FIELD,
						    "yes")) < 0)
			return r;
	}
	gj_pu_note(&d->h, tr->ticket_id,
	           "defer_notice: the defer notice (reason and expected repair date) "
	           "is due by %s, within %u working days (R17)%s",
	           due, (unsigned)d->notice_within_wd,
	           provisional ? "; provisional: the calendar of that year is not known yet" : "");
	/* On the list at once, with its notice due date until it is filed. */
	return publish_list(d, tr->estate);
}

static int on_notice(const struct defer_notice *d,
                     const struct gj_plugin_transition *tr)
{
	char at[GJ_PU_ISO_LEN], *date = NULL;
	int64_t day;
	int r;

	gj_pu_format_iso8601(tr->at_ms, d->utc_offset, at, sizeof(at));
	if ((r = gj_pu_cancel_clock(&d->h, tr->ticket_id, NOTICE_CLOCK)) < 0 ||
	    (r = d->h.api->set_ticket_field(d->h.ctx, tr->ticket_id, FILED_FIELD, at)) < 0)
		return r;
	r = gj_pu_field_dup(&d->h, tr->ticket_id, EXPECTED_DATE, &date);
	if (r == 0 && gj_pu_parse_date(date, &day) == 0)
		r = d->h.api->arm_clock(d->h.ctx, tr->ticket_id, EXPECTED_CLOCK,
		                        gj_pu_local_ms(day, d->day_close, d->utc_offset));
	else if (r == 0 || r == -ENOENT)
		/* check_event let it through, so the host did not store it. */
		d->h.api->log(d->h.ctx, GJ_PLUGIN_LOG_WARNING,
		              "ticket %" PRIu64 ": no valid %s after %s; not watching it",
		              tr->ticket_id, EXPECTED_DATE, tr->event);
	free(date);
	if (r < 0 && r != -ENOENT)
		return r;
	return publish_list(d, tr->estate);
}

static int on_done(const struct defer_notice *d,
                   const struct gj_plugin_transition *tr)
{
	int r;

	if ((r = gj_pu_cancel_clock(&d->h, tr->ticket_id, NOTICE_CLOCK)) < 0 ||
	    (r = gj_pu_cancel_clock(&d->h, tr->ticket_id, EXPECTED_CLOCK)) < 0)
		return r;
	/* It leaves the list: keep the published list current. */
	if (gj_pu_streq(tr->from_state, d->deferred_state))
		return publish_list(d, tr->estate);
	return 0;
}

static int on_transition(void *state, const struct gj_plugin_transition *tr)
{
	struct defer_notice *d = state;

	if (!gj_pu_list_has(&d->workflows, tr->workflow))
		return 0;
	if (gj_pu_streq(tr->event, d->cannot_fix_event))
		return on_cannot_fix(d, tr);
	if (gj_pu_streq(tr->event, d->notice_event))
		return on_notice(d, tr);
	if (gj_pu_list_has(&d->done_events, tr->event))
		return on_done(d, tr);
	return 0;
}

/* --- at start: provisional due dates counted again --- */

struct recount {
	const struct defer_notice *d;
	int err;
};

/* A notice due date counted into a year the calendar had no data for is
 * counted again at each start; once the year is known it moves (history
 * entry) and stops being provisional. */
static int recount_one(void *arg, uint64_t ticket)
{
	struct recount *rc = arg;
	const struct defer_notice *d = rc->d;
	char *from = NULL, *estate = NULL, *old = NULL, due[GJ_PU_ISO_LEN];
	int64_t from_ms, due_ms;
	int provisional = 1, r;

	if (!gj_pu_field_is(&d->h, ticket, PROVISIONAL_FIELD, "yes") ||
	    gj_pu_field_present(&d->h, ticket, FILED_FIELD))
		return 0;
	if (gj_pu_field_dup(&d->h, ticket, FROM_FIELD, &from) < 0 ||
	    gj_pu_field_dup(&d->h, ticket, "estate", &estate) < 0 ||
	    gj_pu_parse_iso8601(from, &from_ms) < 0)
		goto out;
	r = d->h.api->working_days_deadline(d->h.ctx, estate, from_ms,
	                                    (int32_t)d->notice_within_wd, &due_ms, &provisional);
	if (r < 0 || provisional)
		goto out; /* still no data: the host has told admin_hr again */
	gj_pu_format_iso8601(due_ms, d->utc_offset, due, sizeof(due));
	gj_pu_field_dup(&d->h, ticket, DUE_FIELD, &old);
	if ((r = d->h.api->arm_clock(d->h.ctx, ticket, NOTICE_CLOCK, due_ms)) < 0 ||
	    (r = d->h.api->set_ticket_field(d->h.ctx, ticket, DUE_FIELD, due)) < 0 ||
	    (r = d->h.api->set_ticket_field(d->h.ctx, ticket, PROVISIONAL_FIELD, "no")) < 0) {
		rc->err = r;
		goto out;
	}
	gj_pu_note(&d->h, ticket, "defer_notice: the calendar now has the data of that year: "
	           "the defer notice is due by %s (was %s, counted Monday to Friday) (R17)",
	           due, old ? old : "?");
out:
	free(from);
	free(estate);
	free(old);
	return rc->err ? 1 : 0;
}

static int on_start(void *state, int64_t now_ms)
{
	struct defer_notice *d = state;
	struct recount rc = { d, 0 };

	(void)now_ms;
	for (size_t i = 0; i < d->workflows.n && rc.err == 0; i++) {
		int r = d->h.api->list_tickets(d->h.ctx, NULL, d->workflows.items[i],
		                               d->deferred_state, 1, recount_one, &rc);
		if (r < 0)
			return r;
	}
	return rc.err;
}

/* --- clocks --- */

static bool still_open(const struct defer_notice *d, uint64_t ticket)
{
	return !gj_pu_field_is(&d->h, ticket, "closed", "true");
}

static int alert(const struct defer_notice *d, uint64_t ticket,
                 const char *clock, const struct gj_pu_list *roles,
                 const char *guard_field, const char *guard_value,
                 const char *message)
{
	int r;

	if ((r = d->h.api->raise_alert(d->h.ctx, ticket, clock, 1,
	                               (const char *const *)roles->items,
	                               roles->n, message)) < 0 ||
	    (r = d->h.api->set_ticket_field(d->h.ctx, ticket, guard_field,
	                                    guard_value)) < 0)
		return r;
	gj_pu_note(&d->h, ticket, "%s", message);
	return 0;
}

static int on_notice_due(const struct defer_notice *d,
                         const struct gj_plugin_clock *c)
{
	char msg[MESSAGE_LEN], what[384], late[GJ_PU_DURATION_LEN];
	char *due = NULL, *rule = NULL;
	int r = 0;

	if (!gj_pu_field_is(&d->h, c->ticket_id, "state", d->deferred_state) ||
	    gj_pu_field_present(&d->h, c->ticket_id, FILED_FIELD))
		return 0;
	due = field_or(d, c->ticket_id, DUE_FIELD, "?");
	rule = field_or(d, c->ticket_id, "rule", "R17");
	if (!due || !rule) {
		r = -ENOMEM;
		goto out;
	}
	if (gj_pu_field_is(&d->h, c->ticket_id, ALERTED_FIELD, due))
		goto out; /* delivered twice */
	describe(d, c->ticket_id, what, sizeof(what));
	gj_pu_format_duration(c->now_ms - c->at_ms, late, sizeof(late));
	snprintf(msg, sizeof(msg),
	         "%s ticket %" PRIu64 "%s: the defer notice (reason and expected "
	         "repair date) was due within %u working days of %s, by %s, and "
	         "has not been filed (%s late)",
	         rule, c->ticket_id, what, (unsigned)d->notice_within_wd,
	         d->cannot_fix_event, due, late);
	r = alert(d, c->ticket_id, NOTICE_CLOCK, &d->notice_roles,
	          ALERTED_FIELD, due, msg);
out:
	free(due);
	free(rule);
	return r;
}

static int on_expected_due(const struct defer_notice *d,
                           const struct gj_plugin_clock *c)
{
	char msg[MESSAGE_LEN], what[384], late[GJ_PU_DURATION_LEN];
	char due[GJ_PU_ISO_LEN];
	char *date = NULL, *reason = NULL, *rule = NULL;
	int r = 0;

	if (!still_open(d, c->ticket_id))
		return 0;
	date = field_or(d, c->ticket_id, EXPECTED_DATE, "?");
	reason = field_or(d, c->ticket_id, REASON, "none given");
	rule = field_or(d, c->ticket_id, "rule", "R17");
	if (!date || !reason || !rule) {
		r = -ENOMEM;
		goto out;
	}
	if (gj_pu_field_is(&d->h, c->ticket_id, OVERDUE_FIELD, date))
		goto out; /* delivered twice */
	describe(d, c->ticket_id, what, sizeof(what));
	gj_pu_format_duration(c->now_ms - c->at_ms, late, sizeof(late));
	gj_pu_format_iso8601(c->at_ms, d->utc_offset, due, sizeof(due));
	snprintf(msg, sizeof(msg),
	         "%s ticket %" PRIu64 "%s: the expected repair date %s has passed "
	         "(due by %s, %s late) and the repair is not done; reason given: %s",
	         rule, c->ticket_id, what, date, due, late, reason);
	r = alert(d, c->ticket_id, EXPECTED_CLOCK, &d->overdue_roles,
	          OVERDUE_FIELD, date, msg);
out:
	free(date);
	free(reason);
	free(rule);
	return r;
}

static int on_clock(void *state, const struct gj_plugin_clock *c)
{
	struct defer_notice *d = state;

	if (!gj_pu_list_has(&d->workflows, c->workflow))
		return 0;
	if (strcmp(c->name, NOTICE_CLOCK) == 0)
		return on_notice_due(d, c);
	if (strcmp(c->name, EXPECTED_CLOCK) == 0)
		return on_expected_due(d, c);
	return 0;
}

/* --- the notice's check --- */

static int check_notice(const struct defer_notice *d,
                        const struct gj_plugin_check *check, char *why,
                        size_t why_len)
{
	const char *reason = gj_pu_kv_get(check->fields, check->n_fields, REASON);
	const char *date = gj_pu_kv_get(check->fields, check->n_fields, EXPECTED_DATE);
	char today_s[GJ_PU_DATE_LEN], latest_s[GJ_PU_DATE_LEN], opened_s[GJ_PU_DATE_LEN];
	char *opened = NULL;
	int64_t day, today, opened_ms, latest_ms;
	int r;

	if (gj_pu_blank(reason)) {
		snprintf(why, why_len, "a defer notice needs the reason the repair "
		         "cannot be done now (field '%s', R17)", REASON);
		return -EPERM;
	}
	if (gj_pu_blank(date)) {
		snprintf(why, why_len, "a defer notice needs the expected repair date "
		         "(field '%s', YYYY-MM-DD, R17)", EXPECTED_DATE);
		return -EPERM;
	}
	if (gj_pu_parse_date(date, &day) < 0) {
		snprintf(why, why_len, "the expected repair date \"%.40s\" is not a "
		         "date: write YYYY-MM-DD, e.g. 2026-10-20", date);
		return -EPERM;
	}
	today = gj_pu_day_of(check->now_ms, d->utc_offset);
	if (day < today) {
		gj_pu_format_date(today, today_s, sizeof(today_s));
		snprintf(why, why_len, "the expected repair date %s is in the past "
		         "(today is %s, R17)", date, today_s);
		return -EPERM;
	}

	r = gj_pu_field_dup(&d->h, check->ticket_id, "opened_at", &opened);
	if (r == 0 && gj_pu_parse_iso8601(opened, &opened_ms) < 0)
		r = -EBADMSG;
	if (r < 0) {
		d->h.api->log(d->h.ctx, GJ_PLUGIN_LOG_ERR,
		              "ticket %" PRIu64 ": cannot read opened_at \"%s\": %s",
		              check->ticket_id, opened ? opened : "", strerror(-r));
		free(opened);
		/* Refused, not let through: the limit could not be checked. */
		snprintf(why, why_len, "the expected repair date cannot be checked against the "
		         "%u-working-day limit now (the report date of ticket %" PRIu64 " cannot "
		         "be read); try again", (unsigned)d->max_wd, check->ticket_id);
		return -EPERM;
	}
	free(opened);
	r = d->h.api->working_days_deadline(d->h.ctx, check->estate, opened_ms,
	                                    (int32_t)d->max_wd, &latest_ms, NULL);
	if (r < 0)
		return r;
	if (day > gj_pu_day_of(latest_ms, d->utc_offset)) {
		gj_pu_format_date(gj_pu_day_of(opened_ms, d->utc_offset), opened_s,
		                  sizeof(opened_s));
		gj_pu_format_date(gj_pu_day_of(latest_ms, d->utc_offset), latest_s,
		                  sizeof(latest_s));
		snprintf(why, why_len, "the expected repair date %s is later than %u "
		         "working days after the repair was reported on %s (latest "
		         "allowed: %s, R17)", date, (unsigned)d->max_wd, opened_s, latest_s);
		return -EPERM;
	}
	return 0;
}

static int check_event(void *state, const struct gj_plugin_check *check,
                       char *why, size_t why_len)
{
	struct defer_notice *d = state;

	if (!gj_pu_list_has(&d->workflows, check->workflow) ||
	    !gj_pu_streq(check->event, d->notice_event))
		return 0;
	return check_notice(d, check, why, why_len);
}

GJ_PLUGIN_EXPORT const struct gj_plugin_descriptor gj_plugin_descriptor = {
	GJ_PLUGIN_ABI_VERSION,
	.name = PLUGIN_NAME,
	.description = "R17: the defer notice within 3 working days, its expected date, and the list of deferred repairs",
	.init = init,
	.fini = fini,
	.on_transition = on_transition,
	.on_clock = on_clock,
	.check_event = check_event,
	.on_start = on_start,
};
