/*
 * commands.c - the state-changing commands: open a ticket, fire an event.
 *
 * Both check everything before they write anything, so a refusal leaves no
 * trace in the batch's transaction.
 */
#include "engine_priv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wire.h"

static int check_fields(const struct gj_workflow *wf, Guanjia__Field *const *fields,
			size_t n, const char *note, struct gj_refusal *ref)
{
	if (n > GJ_MAX_FIELDS)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__TOO_LARGE,
				 "%zu fields given; at most %d per command", n, GJ_MAX_FIELDS);
	if (note && strlen(note) > GJ_MAX_NOTE)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__TOO_LARGE,
				 "the note has %zu bytes; at most %d", strlen(note), GJ_MAX_NOTE);
	for (size_t i = 0; i < n; i++) {
		const char *name = fields[i]->name, *value = fields[i]->value;
		if (!gj_valid_id(name, GJ_MAX_NAME, false))
			return gj_refuse(ref, GUANJIA__ERROR_CODE__INVALID_ARGUMENT,
					 "field name '%.64s' is not valid: use 1 to %d of a-z, 0-9 and _",
					 name, GJ_MAX_NAME);
		if (strlen(value) > GJ_MAX_FIELD_VALUE)
			return gj_refuse(ref, GUANJIA__ERROR_CODE__TOO_LARGE,
					 "field '%s' has %zu bytes; at most %d", name,
					 strlen(value), GJ_MAX_FIELD_VALUE);
		for (size_t j = 0; j < i; j++)
			if (strcmp(fields[j]->name, name) == 0)
				return gj_refuse(ref, GUANJIA__ERROR_CODE__INVALID_ARGUMENT,
						 "field '%s' is given twice", name);
		/* A step's mark is written by firing the step, never by hand. */
		for (size_t e = 0; e < wf->n_events; e++)
			if (wf->events[e].marks && strcmp(wf->events[e].marks, name) == 0)
				return gj_refuse(ref, GUANJIA__ERROR_CODE__INVALID_ARGUMENT,
						 "field '%s' records when '%s' was done: fire '%s' "
						 "instead of setting it", name, wf->events[e].id,
						 wf->events[e].id);
		/* A field that a clock reads its deadline from must be a time. */
		for (size_t c = 0; c < wf->n_clocks; c++) {
			int64_t t;
			if (wf->clocks[c].deadline_field &&
			    strcmp(wf->clocks[c].deadline_field, name) == 0 && *value &&
			    gj_time_parse(value, &t) != 0)
				return gj_refuse(ref, GUANJIA__ERROR_CODE__INVALID_ARGUMENT,
						 "field '%s' must be a time such as 2026-10-09T18:00+08:00 (got '%.64s')",
						 name, value);
		}
	}
	return 0;
}

static int apply_fields(Guanjia__Ticket *tk, Guanjia__Field *const *fields, size_t n,
			struct gj_refusal *ref)
{
	for (size_t i = 0; i < n; i++) {
		if (!gj_ticket_field(tk, fields[i]->name) && tk->n_fields >= GJ_MAX_TICKET_FIELDS)
			return gj_refuse(ref, GUANJIA__ERROR_CODE__TOO_LARGE,
					 "ticket %llu already has %d fields, the most it may have",
					 (unsigned long long)tk->id, GJ_MAX_TICKET_FIELDS);
		if (gj_ticket_set_field(tk, fields[i]->name, fields[i]->value))
			return -ENOMEM;
	}
	return 0;
}

/* The event that marks a field, or NULL. */
static const struct gj_wf_event *marker_of(const struct gj_workflow *wf, const char *field)
{
	for (size_t e = 0; e < wf->n_events; e++)
		if (wf->events[e].marks && strcmp(wf->events[e].marks, field) == 0)
			return &wf->events[e];
	return NULL;
}

/* Missing fields are named; missing marks as the steps to do first. */
static int check_required(const struct gj_workflow *wf, const Guanjia__Ticket *tk,
			  const struct gj_strv *req, const char *what, struct gj_refusal *ref)
{
	char missing[512] = "", steps[512] = "";
	size_t n = 0, ns = 0;

	for (size_t i = 0; i < req->n; i++) {
		const char *v = gj_ticket_field(tk, req->v[i]);
		const struct gj_wf_event *step;
		/* Blanks are not an answer: " " is as missing as "". */
		while (v && (*v == ' ' || *v == '\t' || *v == '\n' || *v == '\r'))
			v++;
		if (v && *v)
			continue;
		step = marker_of(wf, req->v[i]);
		if (step) {
			size_t l = strlen(steps);
			snprintf(steps + l, sizeof(steps) - l, "%s'%s' (it records %s)",
				 ns++ ? ", " : "", step->id, req->v[i]);
			continue;
		}
		if (n++)
			strncat(missing, ", ", sizeof(missing) - strlen(missing) - 1);
		strncat(missing, req->v[i], sizeof(missing) - strlen(missing) - 1);
	}
	if (n && ns)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__MISSING_FIELD,
				 "%s needs %s: %s; and %s done first: %s", what,
				 n > 1 ? "these fields" : "the field", missing,
				 ns > 1 ? "these steps" : "the step", steps);
	if (n)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__MISSING_FIELD,
				 "%s needs %s: %s", what, n > 1 ? "these fields" : "the field", missing);
	if (ns)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__MISSING_FIELD,
				 "%s needs %s done first: %s", what,
				 ns > 1 ? "these steps" : "the step", steps);
	return 0;
}

static char *topic3(const char *kind, const char *estate, const char *wf, const char *leaf)
{
	char *t = NULL;

	if (asprintf(&t, "%s.%s.%s.%s", kind, estate, wf, leaf) < 0)
		return NULL;
	return t;
}

static int journal_transition(struct gj_engine *eng, const Guanjia__Ticket *tk,
			      const struct gj_who *who, const char *event,
			      const char *from)
{
	Guanjia__Record rec = GUANJIA__RECORD__INIT;
	Guanjia__Transition tr = GUANJIA__TRANSITION__INIT;
	int rc;

	tr.ticket_id = tk->id;
	tr.estate = tk->estate;
	tr.workflow = tk->workflow;
	tr.rule = tk->rule;
	tr.event = (char *)event;
	tr.from_state = (char *)(from ? from : "");
	tr.to_state = tk->state;
	tr.person = (char *)who->person;
	tr.role = (char *)who->role;
	tr.request_id = (char *)(who->request_id ? who->request_id : "");
	rec.body_case = GUANJIA__RECORD__BODY_TRANSITION;
	rec.transition = &tr;
	rec.topic = topic3("transition", tk->estate, tk->workflow, tk->state);
	if (!rec.topic)
		return -ENOMEM;
	rc = gj_engine_journal(eng, &rec);
	free(rec.topic);
	return rc;
}

static int history_of(struct gj_engine *eng, Guanjia__Ticket *tk, const struct gj_who *who,
		      const char *event, const char *from, Guanjia__Field **fields,
		      size_t n_fields, const char *note)
{
	Guanjia__HistoryEntry e = GUANJIA__HISTORY_ENTRY__INIT;

	e.person = (char *)who->person;
	e.role = (char *)who->role;
	e.channel = (char *)(who->channel ? who->channel : "");
	e.event = (char *)event;
	e.from_state = (char *)(from ? from : "");
	e.to_state = tk->state;
	e.note = (char *)(note ? note : "");
	e.fields = fields;
	e.n_fields = n_fields;
	e.request_id = (char *)(who->request_id ? who->request_id : "");
	return gj_engine_history(eng, tk, &e);
}

static int bump_open_count(struct gj_engine *eng, int delta)
{
	uint64_t v = 0;
	int rc = gj_store_meta_get_u64(eng->cur, "open_tickets", &v);

	if (rc && rc != -ENOENT)
		return rc;
	if (delta < 0 && v == 0)
		return 0;
	return gj_store_meta_put_u64(eng->cur, "open_tickets", v + (uint64_t)(int64_t)delta);
}

int gj_apply_open(struct gj_engine *eng, const struct gj_who *who,
		  const Guanjia__OpenTicket *op, struct gj_refusal *ref,
		  Guanjia__Ticket **ret_tk)
{
	const struct gj_workflow *wf;
	const char *estate = op->estate && *op->estate ? op->estate : eng->cfg.default_estate;
	Guanjia__Ticket *tk = NULL;
	char list[512];
	int rc;

	if (!op->workflow || !*op->workflow)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__UNKNOWN_WORKFLOW,
				 "say which workflow the ticket runs (open.workflow is empty)");
	wf = gj_workflows_find(eng->wfs, op->workflow, 0);
	if (!wf) {
		size_t n = gj_workflows_count(eng->wfs);
		list[0] = 0;
		for (size_t i = 0; i < n; i++) {
			const struct gj_workflow *w = gj_workflows_at(eng->wfs, i);
			if (i && strcmp(w->id, gj_workflows_at(eng->wfs, i - 1)->id) == 0)
				continue;
			if (list[0])
				strncat(list, ", ", sizeof(list) - strlen(list) - 1);
			strncat(list, w->id, sizeof(list) - strlen(list) - 1);
		}
		return gj_refuse(ref, GUANJIA__ERROR_CODE__UNKNOWN_WORKFLOW,
				 "no workflow '%.64s'; known workflows: %s", op->workflow, list);
	}
	if (!gj_valid_id(estate, 48, true))
		return gj_refuse(ref, GUANJIA__ERROR_CODE__UNKNOWN_ESTATE,
				 "estate '%.64s' is not a valid estate id (a-z, 0-9, _ and -, at most 48)",
				 estate);
	if (!gj_strv_contains(&wf->open_roles, who->role)) {
		gj_join_ids(list, sizeof(list), (const char *const *)wf->open_roles.v, wf->open_roles.n);
		return gj_refuse(ref, GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED,
				 "role '%s' may not open %s tickets (allowed: %s)",
				 who->role, wf->id, list);
	}
	rc = gj_host_check_estate(eng, estate, ref);
	if (rc)
		return rc;
	rc = gj_host_check_roster(eng, estate, who, ref);
	if (rc)
		return rc;
	rc = check_fields(wf, op->fields, op->n_fields, op->note, ref);
	if (rc)
		return rc;
	{
		struct gj_host_check chk = {
			.ticket_id = 0, .estate = estate, .wf = wf, .event = "open",
			.from = NULL, .to = wf->initial, .who = who,
			.fields = op->fields, .n_fields = op->n_fields,
		};
		rc = gj_host_check_event(eng, &chk, ref);
		if (rc)
			return rc;
	}

	tk = calloc(1, sizeof(*tk));
	if (!tk)
		return -ENOMEM;
	guanjia__ticket__init(tk);
	rc = gj_store_ticket_next_id(eng->cur, &tk->id);
	if (rc)
		goto out;
	rc = -ENOMEM;
	if (gj_pb_set_str(&tk->workflow, wf->id) || gj_pb_set_str(&tk->rule, wf->rule) ||
	    gj_pb_set_str(&tk->estate, estate) || gj_pb_set_str(&tk->state, wf->initial) ||
	    gj_pb_set_str(&tk->opened_by, who->person))
		goto out;
	tk->workflow_version = wf->version;
	/* The calendar (and its version) the ticket's deadlines are counted on. */
	{
		const struct gj_calendar *cal = gj_host_calendar(eng, estate);
		if (cal && asprintf(&tk->calendar, "%s@%u", gj_calendar_id(cal),
				    gj_calendar_version(cal)) < 0) {
			tk->calendar = NULL;
			rc = -ENOMEM;
			goto out;
		}
	}
	tk->opened_at = eng->now;
	tk->updated_at = eng->now;
	rc = apply_fields(tk, op->fields, op->n_fields, ref);
	if (rc)
		goto out;
	rc = check_required(wf, tk, &wf->open_requires, "opening a ticket", ref);
	if (rc)
		goto out;
	/* One clock slot per declared clock, idle until its start condition. */
	if (wf->n_clocks) {
		tk->clocks = calloc(wf->n_clocks, sizeof(*tk->clocks));
		if (!tk->clocks) {
			rc = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < wf->n_clocks; i++) {
			Guanjia__Clock *c = malloc(sizeof(*c));
			if (!c) {
				rc = -ENOMEM;
				goto out;
			}
			guanjia__clock__init(c);
			tk->clocks[tk->n_clocks++] = c;
			if (gj_pb_set_str(&c->id, wf->clocks[i].id) ||
			    gj_pb_set_str(&c->rule, wf->clocks[i].rule) ||
			    gj_pb_set_str(&c->target, wf->clocks[i].target_text)) {
				rc = -ENOMEM;
				goto out;
			}
			c->target_ms = wf->clocks[i].target_ms;
		}
	}
	rc = history_of(eng, tk, who, "open", NULL, op->fields, op->n_fields, op->note);
	if (rc)
		goto out;
	rc = journal_transition(eng, tk, who, "open", NULL);
	if (rc)
		goto out;
	rc = gj_clocks_on_event(eng, tk, wf, "open", wf->initial, ref);
	if (rc)
		goto out;
	tk->closed = gj_workflow_state(wf, tk->state)->final;
	rc = gj_store_ticket_put(eng->cur, tk);
	if (rc)
		goto out;
	if (!tk->closed) {
		rc = bump_open_count(eng, 1);
		if (rc)
			goto out;
	}
	rc = gj_host_after_transition(eng, &tk, "open", NULL, who);
	if (rc)
		goto out;
	*ret_tk = tk;
	return 0;
out:
	if (tk)
		protobuf_c_message_free_unpacked(&tk->base, NULL);
	return rc;
}

/* The clocks the command could not start, into the reply (the reply
 * points at the engine's buffers until it is packed). */
static void unstarted_to_reply(struct gj_engine *eng, Guanjia__Reply *reply)
{
	static char *v[8];

	for (size_t i = 0; i < eng->n_unstarted; i++)
		v[i] = eng->unstarted[i];
	reply->unstarted_clocks = eng->n_unstarted ? v : NULL;
	reply->n_unstarted_clocks = eng->n_unstarted;
}

int gj_cmd_open(struct gj_engine *eng, const Guanjia__Request *req,
		Guanjia__Reply *reply, struct gj_refusal *ref)
{
	struct gj_who who = { req->actor->person, req->actor->role, req->actor->channel,
			      req->request_id, false };
	const struct gj_workflow *wf;
	Guanjia__Ticket *tk = NULL;
	int rc;

	eng->n_unstarted = 0;
	rc = gj_apply_open(eng, &who, req->open, ref, &tk);

	if (rc)
		return rc;
	wf = gj_workflows_find(eng->wfs, tk->workflow, tk->workflow_version);
	if (wf && gj_ticket_decorate(tk, wf)) {
		protobuf_c_message_free_unpacked(&tk->base, NULL);
		return -ENOMEM;
	}
	reply->result_case = GUANJIA__REPLY__RESULT_TICKET;
	reply->ticket = tk;
	if (asprintf(&reply->message, "ticket %llu opened (%s, state %s)",
		     (unsigned long long)tk->id, tk->workflow, tk->state) < 0)
		reply->message = (char *)protobuf_c_empty_string;
	unstarted_to_reply(eng, reply);
	return 0;
}

int gj_apply_fire(struct gj_engine *eng, const struct gj_who *who,
		  const Guanjia__FireEvent *fe, struct gj_refusal *ref,
		  Guanjia__Ticket **ret_tk, char **ret_from)
{
	const struct gj_workflow *wf;
	const struct gj_wf_event *ev;
	Guanjia__Ticket *tk = NULL;
	char list[512], *from = NULL;
	bool was_closed;
	int rc;

	rc = gj_store_ticket_get(eng->cur, fe->ticket_id, &tk);
	if (rc == -ENOENT)
		return gj_refuse(ref, GUANJIA__ERROR_CODE__UNKNOWN_TICKET,
				 "there is no ticket %llu", (unsigned long long)fe->ticket_id);
	if (rc)
		return rc;
	wf = gj_workflows_find(eng->wfs, tk->workflow, tk->workflow_version);
	if (!wf) {
		rc = gj_refuse(ref, GUANJIA__ERROR_CODE__INTERNAL,
			       "ticket %llu runs workflow %s version %u, which is not loaded",
			       (unsigned long long)tk->id, tk->workflow, tk->workflow_version);
		goto out;
	}
	if (tk->closed) {
		rc = gj_refuse(ref, GUANJIA__ERROR_CODE__TICKET_CLOSED,
			       "ticket %llu is closed (state %s); no event can be fired on it",
			       (unsigned long long)tk->id, tk->state);
		goto out;
	}
	ev = fe->event && *fe->event ? gj_workflow_event(wf, fe->event) : NULL;
	if (!ev) {
		list[0] = 0;
		for (size_t i = 0; i < wf->n_events; i++) {
			if (i)
				strncat(list, ", ", sizeof(list) - strlen(list) - 1);
			strncat(list, wf->events[i].id, sizeof(list) - strlen(list) - 1);
		}
		rc = gj_refuse(ref, GUANJIA__ERROR_CODE__UNKNOWN_EVENT,
			       "workflow %s has no event '%.64s'; its events are: %s",
			       wf->id, fe->event ? fe->event : "", list);
		goto out;
	}
	if (!gj_wf_event_allowed_in(wf, ev, tk->state)) {
		gj_join_ids(list, sizeof(list), (const char *const *)ev->from.v, ev->from.n);
		rc = gj_refuse(ref, GUANJIA__ERROR_CODE__ILLEGAL_TRANSITION,
			       "event '%s' cannot be fired on ticket %llu in state '%s' (only from: %s)",
			       ev->id, (unsigned long long)tk->id, tk->state, list);
		goto out;
	}
	if (!gj_strv_contains(&ev->roles, who->role)) {
		gj_join_ids(list, sizeof(list), (const char *const *)ev->roles.v, ev->roles.n);
		rc = gj_refuse(ref, GUANJIA__ERROR_CODE__ROLE_NOT_ALLOWED,
			       "role '%s' may not fire '%s' (allowed: %s)",
			       who->role, ev->id, list);
		goto out;
	}
	rc = gj_host_check_roster(eng, tk->estate, who, ref);
	if (rc)
		goto out;
	rc = check_fields(wf, fe->fields, fe->n_fields, fe->note, ref);
	if (rc)
		goto out;
	if (tk->n_clocks != wf->n_clocks) {
		rc = gj_refuse(ref, GUANJIA__ERROR_CODE__INTERNAL,
			       "ticket %llu has %zu clocks but its workflow %s@%u declares %zu",
			       (unsigned long long)tk->id, tk->n_clocks, wf->id, wf->version,
			       wf->n_clocks);
		goto out;
	}
	if (tk->history_len >= GJ_MAX_HISTORY) {
		rc = gj_refuse(ref, GUANJIA__ERROR_CODE__TOO_LARGE,
			       "ticket %llu has %d history entries, the most it may have",
			       (unsigned long long)tk->id, GJ_MAX_HISTORY);
		goto out;
	}
	rc = apply_fields(tk, fe->fields, fe->n_fields, ref);
	if (rc)
		goto out;
	if (ev->marks) {
		/* A step ticked: when, in the field a later event may require. */
		char when[40];
		const struct gj_calendar *cal = gj_host_calendar(eng, tk->estate);
		gj_time_format(eng->now, cal ? gj_calendar_utc_offset_min(cal)
					     : GJ_DEFAULT_UTC_OFFSET_MIN, when, sizeof(when));
		if (!gj_ticket_field(tk, ev->marks) && tk->n_fields >= GJ_MAX_TICKET_FIELDS) {
			rc = gj_refuse(ref, GUANJIA__ERROR_CODE__TOO_LARGE,
				       "ticket %llu already has %d fields, the most it may have",
				       (unsigned long long)tk->id, GJ_MAX_TICKET_FIELDS);
			goto out;
		}
		if (gj_ticket_set_field(tk, ev->marks, when)) {
			rc = -ENOMEM;
			goto out;
		}
	}
	{
		char what[128];
		snprintf(what, sizeof(what), "event '%s'", ev->id);
		rc = check_required(wf, tk, &ev->requires, what, ref);
		if (rc)
			goto out;
	}
	{
		struct gj_host_check chk = {
			.ticket_id = tk->id, .estate = tk->estate, .wf = wf, .event = ev->id,
			.from = tk->state, .to = ev->to ? ev->to : tk->state, .who = who,
			.fields = fe->fields, .n_fields = fe->n_fields,
		};
		rc = gj_host_check_event(eng, &chk, ref);
		if (rc)
			goto out;
	}
	from = strdup(tk->state);
	if (!from) {
		rc = -ENOMEM;
		goto out;
	}
	if (ev->to && gj_pb_set_str(&tk->state, ev->to)) {
		rc = -ENOMEM;
		goto out;
	}
	was_closed = tk->closed;
	tk->closed = gj_workflow_state(wf, tk->state)->final;
	tk->updated_at = eng->now;
	rc = history_of(eng, tk, who, ev->id, from, fe->fields, fe->n_fields, fe->note);
	if (rc)
		goto out;
	rc = journal_transition(eng, tk, who, ev->id, from);
	if (rc)
		goto out;
	rc = gj_clocks_on_event(eng, tk, wf, ev->id, ev->to, ref);
	if (rc)
		goto out;
	rc = gj_store_ticket_put(eng->cur, tk);
	if (rc)
		goto out;
	if (tk->closed && !was_closed) {
		rc = bump_open_count(eng, -1);
		if (rc)
			goto out;
	}
	rc = gj_host_after_transition(eng, &tk, ev->id, from, who);
	if (rc)
		goto out;
	*ret_tk = tk;
	if (ret_from)
		*ret_from = from;
	else
		free(from);
	return 0;
out:
	free(from);
	if (tk)
		protobuf_c_message_free_unpacked(&tk->base, NULL);
	return rc;
}

int gj_cmd_fire(struct gj_engine *eng, const Guanjia__Request *req,
		Guanjia__Reply *reply, struct gj_refusal *ref)
{
	struct gj_who who = { req->actor->person, req->actor->role, req->actor->channel,
			      req->request_id, false };
	const struct gj_workflow *wf;
	Guanjia__Ticket *tk = NULL;
	char *from = NULL;
	int rc;

	eng->n_unstarted = 0;
	rc = gj_apply_fire(eng, &who, req->fire, ref, &tk, &from);

	if (rc)
		return rc;
	wf = gj_workflows_find(eng->wfs, tk->workflow, tk->workflow_version);
	if (wf && gj_ticket_decorate(tk, wf)) {
		free(from);
		protobuf_c_message_free_unpacked(&tk->base, NULL);
		return -ENOMEM;
	}
	reply->result_case = GUANJIA__REPLY__RESULT_TICKET;
	reply->ticket = tk;
	unstarted_to_reply(eng, reply);
	if (asprintf(&reply->message, "ticket %llu: %s, %s -> %s", (unsigned long long)tk->id,
		     req->fire->event, from, tk->state) < 0)
		reply->message = (char *)protobuf_c_empty_string;
	free(from);
	return 0;
}
