/*
 * workflow.c - load and check workflows declared in YAML; keep them in a set.
 *
 * A workflow file is one YAML document (read by yamldoc.c: no anchors,
 * aliases or tags; at most 1 MiB).  Loading checks everything and stops at
 * the first problem, reported as "<name>:<line>: <problem>" with the line of
 * the offending node, e.g.
 *
 *     r17.yaml:14: event 'dispatch': unknown state 'dispached' in 'to'
 *
 * THE FORMAT (docs/configuration.md is written from this block)
 *
 *   # R17 Public-area repairs (RULEBOOK R17): ...   <- comments are free
 *   id: r17_repair        required; identifier (see below), <= 48 bytes;
 *                         "calendar" is reserved (alert topics
 *                         alert.<estate>.calendar.<id> are the calendar's)
 *   version: 1            required; unquoted or quoted decimal integer,
 *                         1..4294967295
 *   rule: R17             required; RULEBOOK id: R, two digits, optional
 *                         a or b (R05, R17, R26a, R28b)
 *   title: Public-area repair   required; text (see below)
 *   initial: reported     required; a declared state that is not final
 *   open:                 optional mapping
 *     roles: [butler, cs_lead]  optional, not empty when given; known roles.
 *                         Default: every staff role (butler, cs_lead,
 *                         manager, engineering, security, admin_hr,
 *                         team_head), i.e. not owner or tenant.
 *     requires: [location]      optional; field identifiers that must be
 *                         given when a ticket is opened
 *   states:               required list of 1..64 mappings
 *     - id: reported      required identifier, unique among states
 *       title: Reported   optional text
 *       final: true       optional boolean (true/false), default false;
 *                         at least one state of the workflow must be final
 *   events:               required list of 1..64 mappings
 *     - id: dispatch      required identifier, unique among events; "open"
 *                         is reserved (opening a ticket is not an event)
 *       title: Dispatch   optional text
 *       from: [reported]  optional list of non-final states; absent or
 *                         empty: the event may be fired in any non-final
 *                         state
 *       to: dispatched    optional state (final or not); absent: the ticket
 *                         stays in the state it is in
 *       roles: [butler]   required, not empty; known roles that may fire it
 *       requires: [technician]  optional field identifiers that must be
 *                         present (in the command or already on the ticket)
 *       marks: identity_checked  optional field identifier: firing the
 *                         event sets this ticket field to the time it was
 *                         fired (ISO 8601), so that a later event can
 *                         require it: a step list is events that mark
 *                         their step and a last event requiring every mark.
 *                         A mark is written only by firing a step that
 *                         marks it: a command giving that field by hand is
 *                         refused
 *   clocks:               optional list of 0..32 mappings
 *     - id: dispatch      required identifier, unique among clocks
 *       rule: R17         optional RULEBOOK id; default: the workflow's rule
 *       title: ...        optional text
 *       start:            required mapping {states: [...], events: [...]},
 *                         both keys optional, at least one entry in all;
 *                         the clock starts when the ticket enters one of
 *                         the states (a new ticket enters the initial
 *                         state) or one of the events is fired.  "open" is
 *                         not an event: start on the initial state instead.
 *       stop:             required, same form; a state or event may not
 *                         both start and stop the same clock
 *       pause: {states: [...]}  optional: the clock pauses while the ticket is
 *                               in one of these states (time left kept),
 *                         the states must exist
 *       when: {field: severity, equals: minor}   optional condition on a
 *                         ticket field, checked when the clock would start;
 *                         {field: x, not_equals: y} starts it unless the
 *                         field equals y.  Exactly one of equals/not_equals;
 *                         the value is non-empty text.
 *       target: 10m       one of:
 *                         - a duration, round the clock: one or more
 *                           <digits><unit> with units d, h, m, s in that
 *                           order, each at most once, at most 9 digits each
 *                           ("90s", "10m", "1h30m", "8h", "2d"); more than
 *                           zero.  GJ_TARGET_DURATION, target_ms.
 *                         - "<N>wd", N working days, 1..10000 ("3wd"): due
 *                           at the close of the Nth working day on the
 *                           estate's calendar, counted as the calendar's
 *                           `counting` says (by default from the day after
 *                           the start).  GJ_TARGET_WORKING_DAYS,
 *                           target_count = N.
 *                         - "<N>wh", N working hours, 1..10000 ("8wh"): due
 *                           when N hours of the calendar's working hours
 *                           have passed (a start outside them counts from
 *                           the next working interval).
 *                           GJ_TARGET_WORKING_HOURS, target_count = N
 *                           (hours, not minutes).
 *                         N is plain decimal digits, no sign or spaces.
 *       deadline_field: reply_by   an identifier: the deadline is the ISO
 *                         8601 time in this ticket field.  Exactly one of
 *                         target and deadline_field must be given.
 *       warn_before: 2m   optional duration, more than zero; with a
 *                         duration target, less than the target.  With a
 *                         working-day or working-hour target it is wall
 *                         time before the deadline (e.g. 2h before the
 *                         17:30 close), not checked against the target.
 *       notify:           required mapping
 *         warning: [butler]   optional known roles; when not empty,
 *                         warn_before must be given
 *         breach: [cs_lead]   required, not empty; known roles
 *
 * Identifiers (ids of workflows, states, events, clocks; field names) are
 * 1..48 bytes of [a-z0-9_].  Text (titles, `when` values) is 1..256 bytes of
 * UTF-8 with no control characters (so one line).  Roles are the RULEBOOK
 * role ids (gj_known_roles).  Lists are YAML sequences (flow [a, b] or block
 * "- a") of at most 64 single values, with no repeated entry.  A key written
 * with no value (or ~ / null) counts as absent.  Unknown keys are errors
 * everywhere, as is a node of the wrong kind (a list where a mapping is
 * expected, ...).
 */
#include "workflow.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamlload.h"

#define ID_MAX 48
#define TEXT_MAX 256
#define LIST_MAX 64
#define STATES_MAX 64
#define EVENTS_MAX 64
#define CLOCKS_MAX 32
#define DURATION_DIGITS_MAX 9
#define WORKING_TARGET_MAX 10000    /* most N of "<N>wd" and "<N>wh" */

/* Generated from etc/workflows/ by scripts/embed.py (etc/meson.build). */
extern const struct gj_embedded_file gj_embedded_files[];

/* Staff roles first: the default for open.roles is the first N_STAFF. */
const char *const gj_known_roles[] = {
	"butler", "cs_lead", "manager", "engineering", "security",
	"admin_hr", "team_head", "owner", "tenant", NULL,
};
#define N_STAFF 7

#define KNOWN_ROLES_TEXT \
	"butler, cs_lead, manager, engineering, security, admin_hr, " \
	"team_head, owner, tenant"

/** @return true when `role` is one of gj_known_roles. */
bool gj_role_is_known(const char *role)
{
	if (!role)
		return false;
	for (size_t i = 0; gj_known_roles[i]; i++)
		if (strcmp(gj_known_roles[i], role) == 0)
			return true;
	return false;
}

bool gj_strv_contains(const struct gj_strv *sv, const char *s)
{
	if (!sv || !s)
		return false;
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

static void strv_free(struct gj_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = 0;
}

/* --- durations --- */

int gj_parse_duration(const char *text, int64_t *ret_ms)
{
	static const struct {
		char unit;
		int64_t ms;
	} units[] = {
		{ 'd', 86400000 }, { 'h', 3600000 }, { 'm', 60000 }, { 's', 1000 },
	};
	const char *p = text;
	size_t next_unit = 0;
	int64_t total = 0;

	if (!text || !*text)
		return -EINVAL;
	while (*p) {
		int64_t n = 0;
		size_t digits = 0;
		size_t u;

		while (*p >= '0' && *p <= '9') {
			if (++digits > DURATION_DIGITS_MAX)
				return -EINVAL;
			n = n * 10 + (*p - '0');
			p++;
		}
		if (digits == 0)
			return -EINVAL;
		/* Units in descending order, each once: "1h30m", not "30m1h". */
		for (u = next_unit; u < sizeof(units) / sizeof(units[0]); u++)
			if (units[u].unit == *p)
				break;
		if (u == sizeof(units) / sizeof(units[0]))
			return -EINVAL;
		/* At most 4 terms of < 10^9 days each: no overflow possible. */
		total += n * units[u].ms;
		next_unit = u + 1;
		p++;
	}
	*ret_ms = total;
	return 0;
}

/* "3wd" / "8wh": a target counted on the estate's working calendar. */
static const char *working_target_kind(const char *s)
{
	size_t digits = strspn(s, "0123456789");

	if (digits == 0 || s[digits] != 'w' || s[digits + 1] == '\0' ||
	    s[digits + 2] != '\0')
		return NULL;
	if (s[digits + 1] == 'd')
		return "working-day";
	if (s[digits + 1] == 'h')
		return "working-hour";
	return NULL;
}

/* --- the loader --- */

static bool id_ok(const char *s)
{
	return strlen(s) <= ID_MAX && gj_yload_is_ident(s, false);
}

/* ^R[0-9]{2}[ab]?$ */
static bool rule_ok(const char *s)
{
	if (s[0] != 'R' || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9')
		return false;
	if (s[3] == '\0')
		return true;
	return (s[3] == 'a' || s[3] == 'b') && s[4] == '\0';
}

static int require(struct gj_yload *l, const struct gj_ynode *map,
		   const char *key, const char *label, const char *what,
		   const struct gj_ynode **ret)
{
	const struct gj_ypair *p = gj_ynode_pair(map, key);

	if (!p)
		return gj_yload_fail_in(l, map->line, what, "missing '%s'", label);
	if (gj_ynode_is_null(p->value))
		return gj_yload_fail_in(l, p->key->line, what, "'%s' has no value", label);
	*ret = p->value;
	return 0;
}

static int expect_kind(struct gj_yload *l, const struct gj_ynode *n,
		       enum gj_ynode_kind kind, const char *label,
		       const char *what)
{
	if (n->kind == kind)
		return 0;
	return gj_yload_fail_in(l, n->line, what, "'%s' must be %s, not %s", label,
				gj_ynode_kind_name(kind), gj_ynode_kind_name(n->kind));
}

static int check_keys(struct gj_yload *l, const struct gj_ynode *map,
		      const char *const *allowed, const char *what)
{
	const struct gj_ypair *p = gj_yload_unknown_key(map, allowed);
	char list[256] = "";

	if (!p)
		return 0;
	for (size_t a = 0; allowed[a]; a++) {
		if (a)
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, allowed[a], sizeof(list) - strlen(list) - 1);
	}
	return gj_yload_fail_in(l, p->key->line, what, "unknown key '%.64s' (expected: %s)",
				p->key->text, list);
}

/* A scalar's text as a C string. */
static int scalar(struct gj_yload *l, const struct gj_ynode *n,
		  const char *label, const char *what, const char **ret)
{
	const char *s;
	int r;

	r = expect_kind(l, n, GJ_YNODE_SCALAR, label, what);
	if (r < 0)
		return r;
	s = gj_ynode_str(n);
	if (!s)
		return gj_yload_fail_in(l, n->line, what,
					"'%s' contains a NUL byte", label);
	*ret = s;
	return 0;
}

static int check_text(struct gj_yload *l, const struct gj_ynode *n,
		      const char *s, const char *label, const char *what)
{
	if (!*s)
		return gj_yload_fail_in(l, n->line, what, "'%s' must not be empty", label);
	if (strlen(s) > TEXT_MAX)
		return gj_yload_fail_in(l, n->line, what,
					"'%s' is too long (at most %d bytes)",
					label, TEXT_MAX);
	if (gj_yload_has_control(s))
		return gj_yload_fail_in(l, n->line, what,
					"'%s' must be one line with no control characters",
					label);
	return 0;
}

static int check_id(struct gj_yload *l, const struct gj_ynode *n,
		    const char *s, const char *label, const char *what)
{
	if (id_ok(s))
		return 0;
	return gj_yload_fail_in(l, n->line, what,
				"bad identifier '%.64s' in '%s' (use a-z, 0-9 "
				"and _, at most %d bytes)", s, label, ID_MAX);
}

/* Optional text (a title): NULL when absent. */
static int get_text(struct gj_yload *l, const struct gj_ynode *map,
		    const char *key, bool required, const char *what,
		    char **ret)
{
	const struct gj_ynode *n = gj_yload_lookup(map, key);
	const char *s;
	int r;

	if (!n && !required)
		return 0;
	if (!n)
		r = require(l, map, key, key, what, &n);
	else
		r = 0;
	if (r >= 0)
		r = scalar(l, n, key, what, &s);
	if (r >= 0)
		r = check_text(l, n, s, key, what);
	if (r >= 0)
		r = gj_yload_strdup(l, s, ret);
	return r;
}

/* An identifier; *ret_node (optional) is its node, NULL when absent. */
static int get_id(struct gj_yload *l, const struct gj_ynode *map,
		  const char *key, bool required, const char *what,
		  char **ret, const struct gj_ynode **ret_node)
{
	const struct gj_ynode *n = gj_yload_lookup(map, key);
	const char *s;
	int r = 0;

	if (!n && !required)
		return 0;
	if (!n)
		r = require(l, map, key, key, what, &n);
	if (r >= 0)
		r = scalar(l, n, key, what, &s);
	if (r >= 0)
		r = check_id(l, n, s, key, what);
	if (r >= 0)
		r = gj_yload_strdup(l, s, ret);
	if (r >= 0 && ret_node)
		*ret_node = n;
	return r;
}

static int get_rule(struct gj_yload *l, const struct gj_ynode *map,
		    bool required, const char *what, char **ret)
{
	const struct gj_ynode *n = gj_yload_lookup(map, "rule");
	const char *s;
	int r = 0;

	if (!n && !required)
		return 0;
	if (!n)
		r = require(l, map, "rule", "rule", what, &n);
	if (r >= 0)
		r = scalar(l, n, "rule", what, &s);
	if (r >= 0 && !rule_ok(s))
		r = gj_yload_fail_in(l, n->line, what,
				     "bad rule '%.64s' (expected a RULEBOOK id "
				     "such as R05, R17 or R28b)", s);
	if (r >= 0)
		r = gj_yload_strdup(l, s, ret);
	return r;
}

static const struct gj_wf_state *find_state(const struct gj_workflow *wf,
					    const char *id)
{
	for (size_t i = 0; i < wf->n_states; i++)
		if (wf->states[i].id && strcmp(wf->states[i].id, id) == 0)
			return &wf->states[i];
	return NULL;
}

static const struct gj_wf_event *find_event(const struct gj_workflow *wf,
					    const char *id)
{
	for (size_t i = 0; i < wf->n_events; i++)
		if (wf->events[i].id && strcmp(wf->events[i].id, id) == 0)
			return &wf->events[i];
	return NULL;
}

/* What the entries of a list refer to. */
enum ref {
	REF_FIELD,          /* a ticket field: any identifier */
	REF_ROLE,           /* a known role */
	REF_STATE,          /* a declared state */
	REF_LIVE_STATE,     /* a declared state that is not final */
	REF_EVENT,          /* a declared event */
};

#define LIST_REQUIRED 1u    /* the key must be there */
#define LIST_NONEMPTY 2u    /* when there, it must have an entry */

static int check_ref(struct gj_yload *l, const struct gj_workflow *wf,
		     const struct gj_ynode *n, const char *s, enum ref ref,
		     const char *label, const char *what)
{
	const struct gj_wf_state *st;

	switch (ref) {
	case REF_FIELD:
		return check_id(l, n, s, label, what);
	case REF_ROLE:
		if (gj_role_is_known(s))
			return 0;
		return gj_yload_fail_in(l, n->line, what,
					"unknown role '%.64s' in '%s' "
					"(known: " KNOWN_ROLES_TEXT ")", s, label);
	case REF_STATE:
	case REF_LIVE_STATE:
		st = find_state(wf, s);
		if (!st)
			return gj_yload_fail_in(l, n->line, what,
						"unknown state '%.64s' in '%s'",
						s, label);
		if (ref == REF_LIVE_STATE && st->final)
			return gj_yload_fail_in(l, n->line, what,
						"state '%s' in '%s' is final (no event "
						"can be fired there)", s, label);
		return 0;
	case REF_EVENT:
		if (find_event(wf, s))
			return 0;
		if (strcmp(s, "open") == 0)
			return gj_yload_fail_in(l, n->line, what,
						"'open' in '%s' is not an event; use the "
						"initial state '%s' in 'states' instead",
						label, wf->initial ? wf->initial : "?");
		return gj_yload_fail_in(l, n->line, what, "unknown event '%.64s' in '%s'",
					s, label);
	}
	return -EINVAL;
}

/* A list of identifiers under `key`; `label` names it in messages. */
static int get_list(struct gj_yload *l, const struct gj_workflow *wf,
		    const struct gj_ynode *map, const char *key,
		    const char *label, unsigned flags, enum ref ref,
		    const char *what, struct gj_strv *ret)
{
	const struct gj_ynode *n = gj_yload_lookup(map, key);
	struct gj_strv sv = { NULL, 0 };
	int r;

	if (!n && !(flags & LIST_REQUIRED))
		return 0;
	if (!n) {
		r = require(l, map, key, label, what, &n);
		if (r < 0)
			return r;
	}
	r = expect_kind(l, n, GJ_YNODE_SEQUENCE, label, what);
	if (r < 0)
		return r;
	if (n->n == 0 && (flags & LIST_NONEMPTY))
		return gj_yload_fail_in(l, n->line, what, "'%s' must not be empty", label);
	if (n->n > LIST_MAX)
		return gj_yload_fail_in(l, n->line, what,
					"'%s' has too many entries (at most %d)",
					label, LIST_MAX);
	if (n->n == 0)
		return 0;
	sv.v = calloc(n->n, sizeof(*sv.v));
	if (!sv.v)
		return gj_yload_oom(l);
	for (size_t i = 0; i < n->n; i++) {
		const struct gj_ynode *item = n->items[i];
		const char *s;

		if (gj_ynode_is_null(item)) {
			r = gj_yload_fail_in(l, item->line, what,
					     "'%s' has an empty entry", label);
			goto fail;
		}
		r = scalar(l, item, label, what, &s);
		if (r < 0)
			goto fail;
		r = check_ref(l, wf, item, s, ref, label, what);
		if (r < 0)
			goto fail;
		if (gj_strv_contains(&sv, s)) {
			r = gj_yload_fail_in(l, item->line, what,
					     "'%s' lists '%s' twice", label, s);
			goto fail;
		}
		r = gj_yload_strdup(l, s, &sv.v[sv.n]);
		if (r < 0)
			goto fail;
		sv.n++;
	}
	*ret = sv;
	return 0;
fail:
	strv_free(&sv);
	return r;
}

/* The line of the entry `s` in the list under map.key (for messages about
 * an entry found after the list was read); the map's line if not found. */
static int entry_line(const struct gj_ynode *map, const char *key,
		      const char *s)
{
	const struct gj_ynode *list = gj_yload_lookup(map, key);

	for (size_t i = 0; list && list->kind == GJ_YNODE_SEQUENCE && i < list->n; i++)
		if (list->items[i]->text && strcmp(list->items[i]->text, s) == 0)
			return list->items[i]->line;
	return map->line;
}

/* A list of mappings under `key` (states, events, clocks). */
static int get_entries(struct gj_yload *l, const struct gj_ynode *root,
		       const char *key, bool required, size_t max,
		       const struct gj_ynode **ret)
{
	const struct gj_ynode *n = gj_yload_lookup(root, key);
	int r;

	if (!n && !required) {
		*ret = NULL;
		return 0;
	}
	if (!n) {
		r = require(l, root, key, key, "", &n);
		if (r < 0)
			return r;
	}
	r = expect_kind(l, n, GJ_YNODE_SEQUENCE, key, "");
	if (r < 0)
		return r;
	if (required && n->n == 0)
		return gj_yload_fail(l, n->line, "'%s' must not be empty", key);
	if (n->n > max)
		return gj_yload_fail(l, n->line, "too many %s (at most %zu)", key, max);
	for (size_t i = 0; i < n->n; i++)
		if (n->items[i]->kind != GJ_YNODE_MAPPING)
			return gj_yload_fail(l, n->items[i]->line,
					     "each entry of '%s' must be a mapping, not %s",
					     key, gj_ynode_kind_name(n->items[i]->kind));
	*ret = n;
	return 0;
}

static int parse_states(struct gj_yload *l, struct gj_workflow *wf,
			const struct gj_ynode *root)
{
	static const char *const keys[] = { "id", "title", "final", NULL };
	const struct gj_ynode *list;
	bool any_final = false;
	int r;

	r = get_entries(l, root, "states", true, STATES_MAX, &list);
	if (r < 0)
		return r;
	wf->states = calloc(list->n, sizeof(*wf->states));
	if (!wf->states)
		return gj_yload_oom(l);
	for (size_t i = 0; i < list->n; i++) {
		const struct gj_ynode *map = list->items[i];
		struct gj_wf_state *st = &wf->states[wf->n_states++];
		const struct gj_ynode *idn = NULL;
		const struct gj_ynode *fin;
		char what[96];

		st->line = map->line;
		snprintf(what, sizeof(what), "state #%zu", i + 1);
		r = get_id(l, map, "id", true, what, &st->id, &idn);
		if (r < 0)
			return r;
		snprintf(what, sizeof(what), "state '%s'", st->id);
		for (size_t j = 0; j < i; j++)
			if (strcmp(wf->states[j].id, st->id) == 0)
				return gj_yload_fail(l, idn->line, "duplicate state '%s' "
						     "(first declared at line %d)",
						     st->id, wf->states[j].line);
		r = check_keys(l, map, keys, what);
		if (r >= 0)
			r = get_text(l, map, "title", false, what, &st->title);
		if (r < 0)
			return r;
		fin = gj_yload_lookup(map, "final");
		if (fin && gj_ynode_bool(fin, &st->final) < 0)
			return gj_yload_fail_in(l, fin->line, what,
						"'final' must be true or false");
		any_final |= st->final;
	}
	if (!any_final)
		return gj_yload_fail(l, list->line,
				     "no state is final: a ticket could never be closed");
	return 0;
}

static int parse_open(struct gj_yload *l, struct gj_workflow *wf,
		      const struct gj_ynode *root)
{
	static const char *const keys[] = { "roles", "requires", NULL };
	const struct gj_ynode *open = gj_yload_lookup(root, "open");
	int r;

	if (open) {
		r = expect_kind(l, open, GJ_YNODE_MAPPING, "open", "");
		if (r >= 0)
			r = check_keys(l, open, keys, "open");
		if (r >= 0)
			r = get_list(l, wf, open, "roles", "open.roles",
				     LIST_NONEMPTY, REF_ROLE, "", &wf->open_roles);
		if (r >= 0)
			r = get_list(l, wf, open, "requires", "open.requires", 0,
				     REF_FIELD, "", &wf->open_requires);
		if (r < 0)
			return r;
	}
	if (wf->open_roles.n > 0)
		return 0;
	wf->open_roles.v = calloc(N_STAFF, sizeof(char *));
	if (!wf->open_roles.v)
		return gj_yload_oom(l);
	for (size_t i = 0; i < N_STAFF; i++) {
		r = gj_yload_strdup(l, gj_known_roles[i], &wf->open_roles.v[i]);
		if (r < 0)
			return r;
		wf->open_roles.n++;
	}
	return 0;
}

static int parse_events(struct gj_yload *l, struct gj_workflow *wf,
			const struct gj_ynode *root)
{
	static const char *const keys[] = {
		"id", "title", "from", "to", "roles", "requires", "marks", NULL,
	};
	const struct gj_ynode *list;
	int r;

	r = get_entries(l, root, "events", true, EVENTS_MAX, &list);
	if (r < 0)
		return r;
	wf->events = calloc(list->n, sizeof(*wf->events));
	if (!wf->events)
		return gj_yload_oom(l);
	for (size_t i = 0; i < list->n; i++) {
		const struct gj_ynode *map = list->items[i];
		struct gj_wf_event *ev = &wf->events[wf->n_events++];
		const struct gj_ynode *idn = NULL;
		const struct gj_ynode *to = NULL;
		char what[96];

		ev->line = map->line;
		snprintf(what, sizeof(what), "event #%zu", i + 1);
		r = get_id(l, map, "id", true, what, &ev->id, &idn);
		if (r < 0)
			return r;
		snprintf(what, sizeof(what), "event '%s'", ev->id);
		if (strcmp(ev->id, "open") == 0)
			return gj_yload_fail(l, idn->line, "event id 'open' is "
					     "reserved (opening a ticket is not an event)");
		for (size_t j = 0; j < i; j++)
			if (strcmp(wf->events[j].id, ev->id) == 0)
				return gj_yload_fail(l, idn->line, "duplicate event '%s' "
						     "(first declared at line %d)",
						     ev->id, wf->events[j].line);
		r = check_keys(l, map, keys, what);
		if (r >= 0)
			r = get_text(l, map, "title", false, what, &ev->title);
		if (r >= 0)
			r = get_list(l, wf, map, "from", "from", 0, REF_LIVE_STATE,
				     what, &ev->from);
		if (r >= 0)
			r = get_id(l, map, "to", false, what, &ev->to, &to);
		if (r >= 0 && ev->to && !find_state(wf, ev->to))
			r = gj_yload_fail_in(l, to->line, what,
					     "unknown state '%s' in 'to'", ev->to);
		if (r >= 0)
			r = get_list(l, wf, map, "roles", "roles",
				     LIST_REQUIRED | LIST_NONEMPTY, REF_ROLE, what,
				     &ev->roles);
		if (r >= 0)
			r = get_list(l, wf, map, "requires", "requires", 0,
				     REF_FIELD, what, &ev->requires);
		if (r >= 0) {
			const struct gj_ynode *mk = NULL;
			r = get_id(l, map, "marks", false, what, &ev->marks, &mk);
		}
		if (r < 0)
			return r;
	}
	return 0;
}

/* start/stop/pause: {states: [...], events: [...]} */
static int parse_trigger(struct gj_yload *l, const struct gj_workflow *wf,
			 const struct gj_ynode *clock, const char *key,
			 bool with_events, const char *what,
			 struct gj_strv *ret_states, struct gj_strv *ret_events,
			 const struct gj_ynode **ret_node)
{
	static const char *const both[] = { "states", "events", NULL };
	static const char *const states_only[] = { "states", NULL };
	const struct gj_ynode *n = gj_yload_lookup(clock, key);
	char label_s[32];
	char label_e[32];
	int r = 0;

	*ret_node = NULL;
	if (!n && !with_events)
		return 0;       /* pause is optional */
	if (!n)
		r = require(l, clock, key, key, what, &n);
	if (r >= 0)
		r = expect_kind(l, n, GJ_YNODE_MAPPING, key, what);
	if (r >= 0)
		r = check_keys(l, n, with_events ? both : states_only, what);
	if (r < 0)
		return r;
	snprintf(label_s, sizeof(label_s), "%s.states", key);
	snprintf(label_e, sizeof(label_e), "%s.events", key);
	r = get_list(l, wf, n, "states", label_s, 0, REF_STATE, what, ret_states);
	if (r >= 0 && with_events)
		r = get_list(l, wf, n, "events", label_e, 0, REF_EVENT, what,
			     ret_events);
	if (r < 0)
		return r;
	if (with_events && ret_states->n == 0 && ret_events->n == 0)
		return gj_yload_fail_in(l, n->line, what,
					"'%s' needs at least one entry in 'states' "
					"or 'events'", key);
	*ret_node = n;
	return 0;
}

static int parse_when(struct gj_yload *l, struct gj_wf_clock *c,
		      const struct gj_ynode *clock, const char *what)
{
	static const char *const keys[] = { "field", "equals", "not_equals", NULL };
	const struct gj_ynode *n = gj_yload_lookup(clock, "when");
	const struct gj_ynode *eq;
	const struct gj_ynode *ne;
	const char *s;
	int r;

	if (!n)
		return 0;
	r = expect_kind(l, n, GJ_YNODE_MAPPING, "when", what);
	if (r >= 0)
		r = check_keys(l, n, keys, what);
	if (r >= 0)
		r = get_id(l, n, "field", true, what, &c->when_field, NULL);
	if (r < 0)
		return r;
	eq = gj_ynode_get(n, "equals");
	ne = gj_ynode_get(n, "not_equals");
	if (eq && ne)
		return gj_yload_fail_in(l, ne->line, what,
					"'when' takes 'equals' or 'not_equals', not both");
	if (!eq && !ne)
		return gj_yload_fail_in(l, n->line, what,
					"'when' needs 'equals' or 'not_equals'");
	c->when_negate = ne != NULL;
	if (!eq)
		eq = ne;
	r = scalar(l, eq, c->when_negate ? "not_equals" : "equals", what, &s);
	if (r >= 0)
		r = check_text(l, eq, s, c->when_negate ? "not_equals" : "equals",
			       what);
	if (r >= 0)
		r = gj_yload_strdup(l, s, &c->when_equals);
	return r;
}


/* The rest of a working-day or working-hour target: keep its text, check
 * warn_before (wall time before the deadline). */
static int parse_target_tail(struct gj_yload *l, struct gj_wf_clock *c, const char *s,
			     const struct gj_ynode *warn, const char *what)
{
	const char *w;
	int r = gj_yload_strdup(l, s, &c->target_text);

	if (r < 0 || !warn)
		return r;
	r = scalar(l, warn, "warn_before", what, &w);
	if (r < 0)
		return r;
	if (working_target_kind(w) || gj_parse_duration(w, &c->warn_before_ms) < 0 ||
	    c->warn_before_ms <= 0)
		return gj_yload_fail_in(l, warn->line, what,
					"bad warn_before '%.64s' (expected a duration "
					"more than zero, such as 2h)", w);
	return 0;
}

static int parse_target(struct gj_yload *l, struct gj_wf_clock *c,
			const struct gj_ynode *clock, const char *what)
{
	const struct gj_ynode *target = gj_yload_lookup(clock, "target");
	const struct gj_ynode *deadline = gj_yload_lookup(clock, "deadline_field");
	const struct gj_ynode *warn = gj_yload_lookup(clock, "warn_before");
	const char *s;
	const char *kind;
	int r;

	if (target && deadline)
		return gj_yload_fail_in(l, deadline->line, what,
					"give 'target' or 'deadline_field', not both");
	if (!target && !deadline)
		return gj_yload_fail_in(l, clock->line, what,
					"missing 'target' (or 'deadline_field')");
	c->unit = GJ_TARGET_DURATION;
	if (deadline) {
		r = get_id(l, clock, "deadline_field", true, what,
			   &c->deadline_field, NULL);
		if (r < 0)
			return r;
	} else {
		r = scalar(l, target, "target", what, &s);
		if (r < 0)
			return r;
		kind = working_target_kind(s);
		if (kind) {
			bool days = strcmp(kind, "working-day") == 0;
			long n = 0;

			/* Stops past the limit: no overflow on long input. */
			for (const char *p = s; *p >= '0' && *p <= '9' &&
			     n <= WORKING_TARGET_MAX; p++)
				n = n * 10 + (*p - '0');

			if (n < 1 || n > WORKING_TARGET_MAX)
				return gj_yload_fail_in(l, target->line, what,
							"target '%s': between 1%s and %d%s",
							s, days ? "wd" : "wh",
							WORKING_TARGET_MAX,
							days ? "wd" : "wh");
			c->unit = days ? GJ_TARGET_WORKING_DAYS : GJ_TARGET_WORKING_HOURS;
			c->target_count = (int32_t)n;
			return parse_target_tail(l, c, s, warn, what);
		}
		if (gj_parse_duration(s, &c->target_ms) < 0)
			return gj_yload_fail_in(l, target->line, what,
						"bad target '%.64s' (expected a duration "
						"such as 90s, 10m, 1h30m, 8h or 2d)", s);
		if (c->target_ms <= 0)
			return gj_yload_fail_in(l, target->line, what,
						"target '%s' must be more than zero", s);
		r = gj_yload_strdup(l, s, &c->target_text);
		if (r < 0)
			return r;
	}
	if (!warn)
		return 0;
	r = scalar(l, warn, "warn_before", what, &s);
	if (r < 0)
		return r;
	if (working_target_kind(s) || gj_parse_duration(s, &c->warn_before_ms) < 0)
		return gj_yload_fail_in(l, warn->line, what,
					"bad warn_before '%.64s' (expected a duration "
					"such as 30s, 2m or 1h)", s);
	if (c->warn_before_ms <= 0)
		return gj_yload_fail_in(l, warn->line, what,
					"warn_before '%s' must be more than zero", s);
	if (c->target_text && c->warn_before_ms >= c->target_ms)
		return gj_yload_fail_in(l, warn->line, what,
					"warn_before (%s) must be less than the "
					"target (%s)", s, c->target_text);
	return 0;
}

static int parse_notify(struct gj_yload *l, const struct gj_workflow *wf,
			struct gj_wf_clock *c, const struct gj_ynode *clock,
			const char *what)
{
	static const char *const keys[] = { "warning", "breach", NULL };
	const struct gj_ynode *n = gj_yload_lookup(clock, "notify");
	int r;

	if (!n)
		return gj_yload_fail_in(l, clock->line, what,
					"missing 'notify' (at least 'notify.breach' "
					"is required)");
	r = expect_kind(l, n, GJ_YNODE_MAPPING, "notify", what);
	if (r >= 0)
		r = check_keys(l, n, keys, what);
	if (r >= 0)
		r = get_list(l, wf, n, "warning", "notify.warning", 0, REF_ROLE,
			     what, &c->notify_warn);
	if (r >= 0)
		r = get_list(l, wf, n, "breach", "notify.breach",
			     LIST_REQUIRED | LIST_NONEMPTY, REF_ROLE, what,
			     &c->notify_breach);
	if (r < 0)
		return r;
	if (c->notify_warn.n > 0 && c->warn_before_ms == 0)
		return gj_yload_fail_in(l, gj_ynode_get(n, "warning")->line, what,
					"'notify.warning' needs 'warn_before'");
	return 0;
}

static int parse_clocks(struct gj_yload *l, struct gj_workflow *wf,
			const struct gj_ynode *root)
{
	static const char *const keys[] = {
		"id", "rule", "title", "start", "stop", "pause", "when",
		"target", "deadline_field", "warn_before", "notify", NULL,
	};
	const struct gj_ynode *list;
	int r;

	r = get_entries(l, root, "clocks", false, CLOCKS_MAX, &list);
	if (r < 0 || !list || list->n == 0)
		return r;
	wf->clocks = calloc(list->n, sizeof(*wf->clocks));
	if (!wf->clocks)
		return gj_yload_oom(l);
	for (size_t i = 0; i < list->n; i++) {
		const struct gj_ynode *map = list->items[i];
		struct gj_wf_clock *c = &wf->clocks[wf->n_clocks++];
		const struct gj_ynode *idn = NULL;
		const struct gj_ynode *start = NULL;
		const struct gj_ynode *stop = NULL;
		const struct gj_ynode *pause = NULL;
		struct gj_strv unused = { NULL, 0 };
		char what[96];

		c->line = map->line;
		snprintf(what, sizeof(what), "clock #%zu", i + 1);
		r = get_id(l, map, "id", true, what, &c->id, &idn);
		if (r < 0)
			return r;
		snprintf(what, sizeof(what), "clock '%s'", c->id);
		for (size_t j = 0; j < i; j++)
			if (strcmp(wf->clocks[j].id, c->id) == 0)
				return gj_yload_fail(l, idn->line, "duplicate clock '%s' "
						     "(first declared at line %d)",
						     c->id, wf->clocks[j].line);
		r = check_keys(l, map, keys, what);
		if (r >= 0)
			r = get_rule(l, map, false, what, &c->rule);
		if (r >= 0 && !c->rule)
			r = gj_yload_strdup(l, wf->rule, &c->rule);
		if (r >= 0)
			r = get_text(l, map, "title", false, what, &c->title);
		if (r >= 0)
			r = parse_trigger(l, wf, map, "start", true, what,
					  &c->start_states, &c->start_events, &start);
		if (r >= 0)
			r = parse_trigger(l, wf, map, "stop", true, what,
					  &c->stop_states, &c->stop_events, &stop);
		if (r >= 0)
			r = parse_trigger(l, wf, map, "pause", false, what,
					  &c->pause_states, &unused, &pause);
		if (r < 0)
			return r;
		for (size_t k = 0; k < c->stop_states.n; k++)
			if (gj_strv_contains(&c->start_states, c->stop_states.v[k]))
				return gj_yload_fail_in(l, entry_line(stop, "states",
								      c->stop_states.v[k]),
							what, "state '%s' both starts "
							"and stops the clock",
							c->stop_states.v[k]);
		for (size_t k = 0; k < c->stop_events.n; k++)
			if (gj_strv_contains(&c->start_events, c->stop_events.v[k]))
				return gj_yload_fail_in(l, entry_line(stop, "events",
								      c->stop_events.v[k]),
							what, "event '%s' both starts "
							"and stops the clock",
							c->stop_events.v[k]);
		r = parse_when(l, c, map, what);
		if (r >= 0)
			r = parse_target(l, c, map, what);
		if (r >= 0)
			r = parse_notify(l, wf, c, map, what);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_workflow(struct gj_yload *l, struct gj_workflow *wf,
			  const struct gj_ynode *root)
{
	static const char *const keys[] = {
		"id", "version", "rule", "title", "initial", "open", "states",
		"events", "clocks", NULL,
	};
	const struct gj_ynode *idn = NULL;
	const struct gj_ynode *n = NULL;
	const struct gj_wf_state *st;
	uint64_t version;
	int r;

	if (root->kind != GJ_YNODE_MAPPING)
		return gj_yload_fail(l, root->line,
				     "the document must be a mapping, not %s",
				     gj_ynode_kind_name(root->kind));
	r = check_keys(l, root, keys, "");
	if (r >= 0)
		r = get_id(l, root, "id", true, "", &wf->id, &idn);
	if (r >= 0)
		r = require(l, root, "version", "version", "", &n);
	if (r < 0)
		return r;
	if (strcmp(wf->id, "calendar") == 0)
		return gj_yload_fail(l, idn->line, "workflow id 'calendar' is reserved (the topics "
				     "alert.<estate>.calendar.<id> carry the calendars' alerts)");
	wf->line = idn->line;
	if (gj_ynode_uint(n, &version) < 0 || version < 1 || version > UINT32_MAX)
		return gj_yload_fail(l, n->line,
				     "'version' must be a whole number from 1 to %" PRIu32,
				     UINT32_MAX);
	wf->version = (uint32_t)version;
	r = get_rule(l, root, true, "", &wf->rule);
	if (r >= 0)
		r = get_text(l, root, "title", true, "", &wf->title);
	if (r >= 0)
		r = parse_states(l, wf, root);
	if (r >= 0)
		r = get_id(l, root, "initial", true, "", &wf->initial, &n);
	if (r < 0)
		return r;
	st = find_state(wf, wf->initial);
	if (!st)
		return gj_yload_fail(l, n->line, "initial state '%s' is not "
				     "declared in 'states'", wf->initial);
	if (st->final)
		return gj_yload_fail(l, n->line, "initial state '%s' is final (a "
				     "new ticket would be closed at once)", wf->initial);
	r = parse_open(l, wf, root);
	if (r >= 0)
		r = parse_events(l, wf, root);
	if (r >= 0)
		r = parse_clocks(l, wf, root);
	return r;
}

int gj_workflow_load_buffer(const char *name, const char *text, size_t len,
			    struct gj_workflow **ret, char **ret_error)
{
	struct gj_yload l = { .name = name ? name : "(workflow)" };
	struct gj_ynode *root = NULL;
	struct gj_workflow *wf;
	char *error = NULL;
	int r;

	r = gj_ydoc_parse(l.name, text, len, &root, &error);
	if (r < 0) {
		if (ret_error)
			*ret_error = error;
		else
			free(error);
		return r;
	}
	wf = calloc(1, sizeof(*wf));
	if (!wf) {
		gj_ynode_destroy(root);
		return -ENOMEM;
	}
	r = gj_yload_strdup(&l, l.name, &wf->source_name);
	if (r >= 0) {
		wf->source_text = malloc(len + 1);
		if (!wf->source_text) {
			r = gj_yload_oom(&l);
		} else {
			memcpy(wf->source_text, text, len);
			wf->source_text[len] = 0;
			wf->source_len = len;
		}
	}
	if (r >= 0)
		r = parse_workflow(&l, wf, root);
	gj_ynode_destroy(root);
	r = gj_yload_finish(&l, r, ret_error);
	if (r < 0) {
		gj_workflow_destroy(wf);
		return r;
	}
	*ret = wf;
	return 0;
}

int gj_workflow_load_file(const char *path, struct gj_workflow **ret,
			  char **ret_error)
{
	char *text = NULL;
	size_t len = 0;
	int r;

	r = gj_yload_read_file(path, GJ_YLOAD_REGULAR, &text, &len, ret_error);
	if (r < 0)
		return r;
	r = gj_workflow_load_buffer(path, text, len, ret, ret_error);
	free(text);
	return r;
}

/** Free a workflow and everything it owns.  Accepts NULL. */
void gj_workflow_destroy(struct gj_workflow *wf)
{
	if (!wf)
		return;
	free(wf->source_text);
	free(wf->id);
	free(wf->rule);
	free(wf->title);
	free(wf->initial);
	strv_free(&wf->open_roles);
	strv_free(&wf->open_requires);
	for (size_t i = 0; i < wf->n_states; i++) {
		free(wf->states[i].id);
		free(wf->states[i].title);
	}
	free(wf->states);
	for (size_t i = 0; i < wf->n_events; i++) {
		struct gj_wf_event *ev = &wf->events[i];

		free(ev->id);
		free(ev->title);
		strv_free(&ev->from);
		free(ev->to);
		strv_free(&ev->roles);
		strv_free(&ev->requires);
		free(ev->marks);
	}
	free(wf->events);
	for (size_t i = 0; i < wf->n_clocks; i++) {
		struct gj_wf_clock *c = &wf->clocks[i];

		free(c->id);
		free(c->rule);
		free(c->title);
		strv_free(&c->start_states);
		strv_free(&c->start_events);
		strv_free(&c->stop_states);
		strv_free(&c->stop_events);
		strv_free(&c->pause_states);
		free(c->target_text);
		strv_free(&c->notify_warn);
		strv_free(&c->notify_breach);
		free(c->when_field);
		free(c->when_equals);
		free(c->deadline_field);
	}
	free(wf->clocks);
	free(wf->source_name);
	free(wf);
}

/** @return the state with this id, or NULL. */
const struct gj_wf_state *gj_workflow_state(const struct gj_workflow *wf,
					    const char *id)
{
	if (!wf || !id)
		return NULL;
	return find_state(wf, id);
}

/** @return the event with this id, or NULL. */
const struct gj_wf_event *gj_workflow_event(const struct gj_workflow *wf,
					    const char *id)
{
	if (!wf || !id)
		return NULL;
	return find_event(wf, id);
}

int gj_workflow_clock_index(const struct gj_workflow *wf, const char *id)
{
	if (!wf || !id)
		return -1;
	for (size_t i = 0; i < wf->n_clocks; i++)
		if (strcmp(wf->clocks[i].id, id) == 0)
			return (int)i;
	return -1;
}

bool gj_wf_event_allowed_in(const struct gj_workflow *wf,
			    const struct gj_wf_event *ev, const char *state)
{
	const struct gj_wf_state *st = gj_workflow_state(wf, state);

	if (!st || !ev)
		return false;
	if (ev->from.n == 0)
		return !st->final;
	return gj_strv_contains(&ev->from, state);
}

/* --- the set --- */

struct gj_workflows {
	struct gj_workflow **v;     /* sorted by id, then version */
	size_t n;
	size_t cap;
};

/** Create an empty set; NULL when out of memory. */
struct gj_workflows *gj_workflows_create(void)
{
	return calloc(1, sizeof(struct gj_workflows));
}

/** Destroy a set and every workflow in it.  Accepts NULL. */
void gj_workflows_destroy(struct gj_workflows *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++)
		gj_workflow_destroy(set->v[i]);
	free(set->v);
	free(set);
}

static int compare(const char *id_a, uint32_t ver_a, const char *id_b,
		   uint32_t ver_b)
{
	int c = strcmp(id_a, id_b);

	if (c)
		return c;
	return ver_a < ver_b ? -1 : ver_a > ver_b;
}

/* The index of the first entry not less than (id, version). */
static size_t lower_bound(const struct gj_workflows *set, const char *id,
			  uint32_t version)
{
	size_t lo = 0;
	size_t hi = set->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (compare(set->v[mid]->id, set->v[mid]->version, id, version) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct gj_workflow *gj_workflows_find(const struct gj_workflows *set,
					    const char *id, uint32_t version)
{
	size_t i;

	if (!set || !id)
		return NULL;
	if (version == 0) {
		/* The newest is the last entry before (id, version 0) of the
		 * next id, i.e. just before the first entry past (id, max). */
		i = lower_bound(set, id, UINT32_MAX);
		if (i < set->n && strcmp(set->v[i]->id, id) == 0 && !set->v[i]->retired)
			return set->v[i];
		while (i > 0 && strcmp(set->v[i - 1]->id, id) == 0) {
			if (!set->v[i - 1]->retired)
				return set->v[i - 1];
			i--;
		}
		return NULL;
	}
	i = lower_bound(set, id, version);
	if (i < set->n && compare(set->v[i]->id, set->v[i]->version, id, version) == 0)
		return set->v[i];
	return NULL;
}

size_t gj_workflows_count(const struct gj_workflows *set)
{
	return set ? set->n : 0;
}

const struct gj_workflow *gj_workflows_at(const struct gj_workflows *set,
					  size_t i)
{
	if (!set || i >= set->n)
		return NULL;
	return set->v[i];
}

static int duplicate_error(const struct gj_workflow *wf,
			   const struct gj_workflow *old, char **ret_error)
{
	if (ret_error &&
	    asprintf(ret_error,
		     "%s:%d: workflow '%s' version %" PRIu32 " is already loaded from %s",
		     wf->source_name ? wf->source_name : "(workflow)",
		     wf->line > 0 ? wf->line : 1, wf->id, wf->version,
		     old->source_name ? old->source_name : "(workflow)") < 0)
		*ret_error = NULL;
	return -EEXIST;
}

/* Add all of wfs[0..n) or none; the set takes them over either way. */
static int add_all(struct gj_workflows *set, struct gj_workflow **wfs,
		   size_t n, char **ret_error)
{
	int r = 0;

	if (!set) {
		r = -EINVAL;
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		const struct gj_workflow *old;

		if (!wfs[i] || !wfs[i]->id) {
			r = -EINVAL;
			goto fail;
		}
		old = gj_workflows_find(set, wfs[i]->id, wfs[i]->version);
		for (size_t j = 0; !old && j < i; j++)
			if (compare(wfs[j]->id, wfs[j]->version, wfs[i]->id,
				    wfs[i]->version) == 0)
				old = wfs[j];
		if (old) {
			r = duplicate_error(wfs[i], old, ret_error);
			goto fail;
		}
	}
	if (set->n + n > set->cap) {
		size_t cap = set->cap ? set->cap : 8;
		struct gj_workflow **v;

		while (cap < set->n + n)
			cap *= 2;
		v = realloc(set->v, cap * sizeof(*v));
		if (!v) {
			r = -ENOMEM;
			goto fail;
		}
		set->v = v;
		set->cap = cap;
	}
	/* Nothing below can fail: the set is changed all at once. */
	for (size_t i = 0; i < n; i++) {
		size_t at = lower_bound(set, wfs[i]->id, wfs[i]->version);

		memmove(&set->v[at + 1], &set->v[at], (set->n - at) * sizeof(*set->v));
		set->v[at] = wfs[i];
		set->n++;
	}
	return 0;

fail:
	for (size_t i = 0; i < n; i++)
		gj_workflow_destroy(wfs[i]);
	return r;
}

int gj_workflows_add(struct gj_workflows *set, struct gj_workflow *wf,
		     char **ret_error)
{
	return add_all(set, &wf, 1, ret_error);
}

/**
 * Load every *.yaml / *.yml file of a directory (sorted by name; names
 * starting with '.' are skipped).  All or nothing: on any error the set is
 * left as it was.
 * @return 0, -errno when the directory or a file cannot be read, -EINVAL on
 *         a problem in a file, -EEXIST on a duplicate id and version,
 *         -E2BIG with more than 4096 files, -ENOMEM.
 */
int gj_workflows_load_dir(struct gj_workflows *set, const char *dir,
			  char **ret_error)
{
	struct gj_workflow **wfs = NULL;
	char **names = NULL;
	size_t n_names = 0;
	size_t n_wfs = 0;
	int r;

	r = gj_yload_list_dir(dir, "workflow", &names, &n_names, ret_error);
	if (r < 0 || n_names == 0)
		goto out;
	wfs = calloc(n_names, sizeof(*wfs));
	if (!wfs) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n_names; i++) {
		char *path = NULL;

		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			r = -ENOMEM;
			goto out;
		}
		r = gj_workflow_load_file(path, &wfs[n_wfs], ret_error);
		free(path);
		if (r < 0)
			goto out;
		n_wfs++;
	}
	r = add_all(set, wfs, n_wfs, ret_error);
	n_wfs = 0;      /* taken over by add_all, also on failure */
out:
	for (size_t i = 0; i < n_wfs; i++)
		gj_workflow_destroy(wfs[i]);
	free(wfs);
	gj_yload_names_free(names, n_names);
	return r;
}

/**
 * Load the workflows compiled in from etc/workflows/; their names in
 * messages are "<embedded>/<file name>".  All or nothing, like
 * gj_workflows_load_dir().
 */
int gj_workflows_load_embedded(struct gj_workflows *set, char **ret_error)
{
	struct gj_workflow **wfs;
	size_t n = 0;
	size_t n_wfs = 0;
	int r = 0;

	while (gj_embedded_files[n].name)
		n++;
	if (n == 0)
		return 0;
	wfs = calloc(n, sizeof(*wfs));
	if (!wfs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		char *name = NULL;

		if (asprintf(&name, "<embedded>/%s", gj_embedded_files[i].name) < 0) {
			r = -ENOMEM;
			goto out;
		}
		r = gj_workflow_load_buffer(name, gj_embedded_files[i].text,
					    gj_embedded_files[i].len, &wfs[n_wfs],
					    ret_error);
		free(name);
		if (r < 0)
			goto out;
		n_wfs++;
	}
	r = add_all(set, wfs, n_wfs, ret_error);
	n_wfs = 0;
out:
	for (size_t i = 0; i < n_wfs; i++)
		gj_workflow_destroy(wfs[i]);
	free(wfs);
	return r;
}
