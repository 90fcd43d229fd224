/*
 * roster.c - load an estate's duty roster from YAML; who is on duty when.
 *
 * A roster file is one YAML document (read by yamldoc.c).  Loading checks
 * everything and stops at the first problem, reported as
 * "<name>:<line>: <problem>" with the line of the offending node, e.g.
 *
 *     demo.yaml:31: person 'wang.fang': shifts: unknown shift 'ofice'
 *     (shifts: office, day, night, always)
 *
 * THE FORMAT (docs/roster.md is written from this block)
 *
 *   estate: demo          required; the estate id ([a-z0-9_-]+, <= 48 bytes)
 *   zones: ["1#", "2#"]   optional list of the estate's zones (text, at most
 *                         32 bytes, no control characters, no repeats);
 *                         when given, every person's zone must be one of them
 *   shifts:               optional mapping of named shifts (at most 64):
 *     office: {from: "08:30", to: "17:30", days: working}
 *                         name: [a-z0-9_]+, <= 48 bytes, not "always";
 *                         from: required "HH:MM", 00:00..23:59;
 *                         to:   required "HH:MM", 00:00..24:00; earlier
 *                               than `from`: the shift crosses midnight;
 *                               equal to `from`: it lasts 24 hours;
 *                         days: optional, default all: `all`, `working`
 *                               (working days of the estate's calendar),
 *                               `rest` (its other days), or a non-empty
 *                               list of mon tue wed thu fri sat sun.
 *                         A shift belongs to the day it starts: whether it
 *                         runs is decided by that day alone.
 *                         `always` is built in: every moment of every day.
 *   escalation:           optional mapping staff role -> staff role: when
 *     butler: cs_lead     nobody is on duty in the key, ask the value (and
 *                         so on).  Cycles are allowed (each role is asked at
 *                         most once); a role may not escalate to itself.
 *   people:               required list of 1..4096 mappings
 *     - id: wang.fang     required; [a-z0-9] then [a-z0-9._-], <= 64 bytes,
 *                         unique: the Actor.person of commands
 *       name: 王芳        required text, at most 256 bytes
 *       roles: [butler]   required non-empty list of staff roles, no
 *                         repeats: butler cs_lead manager engineering
 *                         security admin_hr team_head (owner and tenant are
 *                         customers and are refused)
 *       team: customer_service   optional; [a-z0-9_]+, <= 48 bytes
 *       zone: "1#"        optional zone (see zones); none: every zone
 *       shifts: [office]  required list of shift names (declared above, or
 *                         always), no repeats; [] = on the roster (may act
 *                         in the roles) but never on duty
 *
 * No other keys are allowed.  Local time is the estate calendar's UTC
 * offset (see gj_roster_on_duty()).
 */
#include "roster.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "workflow.h"
#include "yamlload.h"

#define ID_MAX 48
#define TEXT_MAX 256
#define ZONE_MAX 32
#define MAX_ROLES 32            /* more than gj_known_roles will ever hold */
#define DAY_MIN (24 * 60)
#define DEFAULT_OFFSET_MIN 480  /* +08:00 when no calendar is given */
#define DAYS_MIN (-719162)      /* 0001-01-01 */
#define DAYS_MAX 2932896        /* 9999-12-31 */

static const char *const weekday_names[7] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun",
};

enum days_kind {
	DAYS_ALL = 0,
	DAYS_WORKING,
	DAYS_REST,
	DAYS_WEEKDAYS,
};

struct shift {
	char *id;
	bool always;            /* the built-in shift: every moment */
	int from_min;           /* local minutes after midnight of its day */
	int len_min;            /* 1..1440 */
	enum days_kind days;
	bool weekday[7];        /* DAYS_WEEKDAYS; 0 = Monday */
	int line;
};

struct person {
	struct gj_roster_person pub;
	size_t *shifts;         /* indices into gj_roster.shifts */
	size_t n_shifts;
	uint32_t role_bits;     /* bit i: gj_known_roles[i] */
};

struct gj_roster {
	char *estate;
	char **zones;
	size_t n_zones;
	struct shift *shifts;   /* [0] is the built-in `always` */
	size_t n_shifts;
	int escalation[MAX_ROLES];  /* index into gj_known_roles, or -1 */
	struct person *people;  /* in the order of the file */
	size_t n_people;
	struct person **by_id;  /* sorted by id, for lookups */
};

/* ---- roles ------------------------------------------------------------ */

/* Index of a known role in gj_known_roles, or -1. */
static int role_index(const char *role)
{
	if (!role || !gj_role_is_known(role))
		return -1;
	for (int i = 0; i < MAX_ROLES && gj_known_roles[i]; i++)
		if (strcmp(gj_known_roles[i], role) == 0)
			return i;
	return -1;
}

/* The customers are subjects of tickets, never staff on a roster. */
static bool is_customer(const char *role)
{
	return strcmp(role, "owner") == 0 || strcmp(role, "tenant") == 0;
}

/* Index of a staff role, or -1. */
static int staff_index(const char *role)
{
	int i = role_index(role);

	return i >= 0 && !is_customer(role) ? i : -1;
}

/* ", "-separated staff roles, for messages. */
static void staff_roles_text(char *buf, size_t size)
{
	size_t at = 0;

	buf[0] = '\0';
	for (int i = 0; i < MAX_ROLES && gj_known_roles[i]; i++) {
		int n;

		if (is_customer(gj_known_roles[i]))
			continue;
		n = snprintf(buf + at, size - at, "%s%s", at ? ", " : "",
			     gj_known_roles[i]);
		if (n < 0 || (size_t)n >= size - at)
			break;
		at += (size_t)n;
	}
}

/* ---- loading ---------------------------------------------------------- */

/* [a-z0-9][a-z0-9._-]*: "wang.fang", "guard-07". */
static bool is_person_id(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-' || *s == '.'))
			return false;
	return true;
}

static int load_estate(struct gj_yload *l, const struct gj_ynode *root,
		       struct gj_roster *r)
{
	const struct gj_ynode *node;
	const char *s;
	int rc;

	rc = gj_yload_require(l, root, "", "estate", &node);
	if (rc >= 0)
		rc = gj_yload_str(l, node, "estate", ID_MAX, 0, &s);
	if (rc < 0)
		return rc;
	if (!gj_yload_is_ident(s, true))
		return gj_yload_fail(l, node->line, "estate: '%.64s' is not an estate "
				     "id (a-z, 0-9, _ and -)", s);
	return gj_yload_strdup(l, s, &r->estate);
}

static int load_zones(struct gj_yload *l, const struct gj_ynode *node,
		      struct gj_roster *r)
{
	int rc = gj_yload_expect_kind(l, node, "zones", GJ_YNODE_SEQUENCE);

	if (rc < 0)
		return rc;
	if (node->n == 0)
		return gj_yload_fail(l, node->line, "zones: empty (leave it out instead)");
	r->zones = calloc(node->n, sizeof(*r->zones));
	if (!r->zones)
		return gj_yload_oom(l);
	for (size_t i = 0; i < node->n; i++) {
		const struct gj_ynode *item = node->items[i];
		const char *s;

		rc = gj_yload_str(l, item, "zones", ZONE_MAX, 0, &s);
		if (rc < 0)
			return rc;
		if (gj_yload_has_control(s))
			return gj_yload_fail(l, item->line,
					     "zones: '%s' contains a control character", s);
		for (size_t j = 0; j < r->n_zones; j++)
			if (strcmp(r->zones[j], s) == 0)
				return gj_yload_fail(l, item->line,
						     "zones: '%s' given twice", s);
		rc = gj_yload_strdup(l, s, &r->zones[r->n_zones]);
		if (rc < 0)
			return rc;
		r->n_zones++;
	}
	return 0;
}

/* "HH:MM" in minutes; `to` also accepts 24:00.  -1 when not one. */
static int parse_hhmm(const char *s, bool end)
{
	int h, m;

	if (strlen(s) != 5 || s[2] != ':')
		return -1;
	for (int i = 0; i < 5; i++)
		if (i != 2 && (s[i] < '0' || s[i] > '9'))
			return -1;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m >= 60 || h * 60 + m > (end ? DAY_MIN : DAY_MIN - 1) ||
	    (h == 24 && !end))
		return -1;
	return h * 60 + m;
}

static int load_time(struct gj_yload *l, const struct gj_ynode *shift,
		     const char *what, const char *key, int *ret_min)
{
	const struct gj_ynode *node;
	bool end = strcmp(key, "to") == 0;
	char label[128];
	const char *s;
	int rc, min;

	rc = gj_yload_require(l, shift, what, key, &node);
	if (rc < 0)
		return rc;
	snprintf(label, sizeof(label), "%s: %s", what, key);
	rc = gj_yload_str(l, node, label, TEXT_MAX, 0, &s);
	if (rc < 0)
		return rc;
	min = parse_hhmm(s, end);
	if (min < 0)
		return gj_yload_fail(l, node->line, "%s: '%.64s' is not a time "
				     "\"HH:MM\" from 00:00 to %s", label, s,
				     end ? "24:00" : "23:59");
	*ret_min = min;
	return 0;
}

static int load_days(struct gj_yload *l, const struct gj_ynode *node,
		     const char *what, struct shift *sh)
{
	char label[128];

	snprintf(label, sizeof(label), "%s: days", what);
	if (node->kind == GJ_YNODE_SCALAR) {
		const char *s;
		int rc = gj_yload_str(l, node, label, TEXT_MAX, 0, &s);

		if (rc < 0)
			return rc;
		if (strcmp(s, "all") == 0)
			sh->days = DAYS_ALL;
		else if (strcmp(s, "working") == 0)
			sh->days = DAYS_WORKING;
		else if (strcmp(s, "rest") == 0)
			sh->days = DAYS_REST;
		else
			return gj_yload_fail(l, node->line, "%s: '%.64s' is not all, "
					     "working, rest or a list of weekdays",
					     label, s);
		return 0;
	}
	if (node->kind != GJ_YNODE_SEQUENCE)
		return gj_yload_fail(l, node->line, "%s: expected all, working, rest "
				     "or a list of weekdays, not %s", label,
				     gj_ynode_kind_name(node->kind));
	if (node->n == 0)
		return gj_yload_fail(l, node->line, "%s: empty list of weekdays", label);
	sh->days = DAYS_WEEKDAYS;
	for (size_t i = 0; i < node->n; i++) {
		const struct gj_ynode *item = node->items[i];
		const char *s;
		int w, rc;

		rc = gj_yload_str(l, item, label, TEXT_MAX, 0, &s);
		if (rc < 0)
			return rc;
		for (w = 0; w < 7; w++)
			if (strcmp(s, weekday_names[w]) == 0)
				break;
		if (w == 7)
			return gj_yload_fail(l, item->line, "%s: '%.64s' is not one "
					     "of mon, tue, wed, thu, fri, sat, sun",
					     label, s);
		if (sh->weekday[w])
			return gj_yload_fail(l, item->line, "%s: '%s' given twice",
					     label, s);
		sh->weekday[w] = true;
	}
	return 0;
}

static int load_shift(struct gj_yload *l, const struct gj_ypair *pair,
		      struct gj_roster *r)
{
	static const char *const keys[] = { "from", "to", "days", NULL };
	struct shift *sh = &r->shifts[r->n_shifts];
	const struct gj_ynode *def = pair->value, *days;
	char what[96];
	const char *s;
	int rc, to;

	rc = gj_yload_str(l, pair->key, "shifts", ID_MAX, 0, &s);
	if (rc < 0)
		return rc;
	if (!gj_yload_is_ident(s, false))
		return gj_yload_fail(l, pair->key->line, "shifts: '%.64s' is not a "
				     "shift name (a-z, 0-9 and _)", s);
	if (strcmp(s, "always") == 0)
		return gj_yload_fail(l, pair->key->line, "shifts: 'always' is built "
				     "in (every moment) and cannot be redefined");
	rc = gj_yload_strdup(l, s, &sh->id);
	if (rc < 0)
		return rc;
	r->n_shifts++;
	sh->line = pair->key->line;
	snprintf(what, sizeof(what), "shift '%s'", s);
	if (def->kind != GJ_YNODE_MAPPING)
		return gj_yload_fail(l, def->line, "%s: expected a mapping {from, "
				     "to, days}, not %s", what,
				     gj_ynode_kind_name(def->kind));
	rc = gj_yload_check_keys(l, def, what, keys, 0);
	if (rc < 0)
		return rc;
	rc = load_time(l, def, what, "from", &sh->from_min);
	if (rc < 0)
		return rc;
	rc = load_time(l, def, what, "to", &to);
	if (rc < 0)
		return rc;
	/* to < from crosses midnight; to == from is a 24-hour shift. */
	sh->len_min = to > sh->from_min ? to - sh->from_min
					: to + DAY_MIN - sh->from_min;
	days = gj_ynode_get(def, "days");
	if (days)
		return load_days(l, days, what, sh);
	sh->days = DAYS_ALL;
	return 0;
}

static int load_shifts(struct gj_yload *l, const struct gj_ynode *node,
		       struct gj_roster *r)
{
	size_t n = 0;
	int rc;

	if (node && !gj_ynode_is_null(node)) {
		rc = gj_yload_expect_kind(l, node, "shifts", GJ_YNODE_MAPPING);
		if (rc < 0)
			return rc;
		if (node->n > GJ_ROSTER_MAX_SHIFTS)
			return gj_yload_fail(l, node->line, "shifts: more than %d shifts",
					     GJ_ROSTER_MAX_SHIFTS);
		n = node->n;
	}
	r->shifts = calloc(n + 1, sizeof(*r->shifts));
	if (!r->shifts)
		return gj_yload_oom(l);
	r->shifts[0].always = true;
	rc = gj_yload_strdup(l, "always", &r->shifts[0].id);
	if (rc < 0)
		return rc;
	r->n_shifts = 1;
	for (size_t i = 0; i < n; i++) {
		rc = load_shift(l, &node->pairs[i], r);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* A staff role named in `what`, as its index in gj_known_roles. */
static int get_staff_role(struct gj_yload *l, const struct gj_ynode *node,
			  const char *what, int *ret_index)
{
	char known[256];
	const char *s;
	int rc, i;

	rc = gj_yload_str(l, node, what, TEXT_MAX, 0, &s);
	if (rc < 0)
		return rc;
	if (!gj_role_is_known(s)) {
		staff_roles_text(known, sizeof(known));
		return gj_yload_fail(l, node->line, "%s: unknown role '%.64s' "
				     "(staff roles: %s)", what, s, known);
	}
	i = staff_index(s);
	if (i < 0)
		return gj_yload_fail(l, node->line, "%s: '%s' is a customer, not a "
				     "staff role: customers are not on a duty "
				     "roster", what, s);
	*ret_index = i;
	return 0;
}

static int load_escalation(struct gj_yload *l, const struct gj_ynode *node,
			   struct gj_roster *r)
{
	int rc;

	if (gj_ynode_is_null(node))
		return 0;
	rc = gj_yload_expect_kind(l, node, "escalation", GJ_YNODE_MAPPING);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < node->n; i++) {
		const struct gj_ypair *p = &node->pairs[i];
		int from, to;

		rc = get_staff_role(l, p->key, "escalation", &from);
		if (rc < 0)
			return rc;
		rc = get_staff_role(l, p->value, "escalation", &to);
		if (rc < 0)
			return rc;
		if (from == to)
			return gj_yload_fail(l, p->value->line, "escalation: %s "
					     "escalates to itself", gj_known_roles[from]);
		r->escalation[from] = to;
	}
	return 0;
}

static int load_person_roles(struct gj_yload *l, const struct gj_ynode *person,
			     const char *what, struct person *p)
{
	const struct gj_ynode *node;
	char label[128];
	int rc;

	snprintf(label, sizeof(label), "%s: roles", what);
	rc = gj_yload_require(l, person, what, "roles", &node);
	if (rc >= 0)
		rc = gj_yload_expect_kind(l, node, label, GJ_YNODE_SEQUENCE);
	if (rc < 0)
		return rc;
	if (node->n == 0)
		return gj_yload_fail(l, node->line, "%s: empty", label);
	if (node->n > MAX_ROLES)
		return gj_yload_fail(l, node->line, "%s: too many", label);
	p->pub.roles = calloc(node->n, sizeof(*p->pub.roles));
	if (!p->pub.roles)
		return gj_yload_oom(l);
	for (size_t i = 0; i < node->n; i++) {
		int role;

		rc = get_staff_role(l, node->items[i], label, &role);
		if (rc < 0)
			return rc;
		if (p->role_bits & (UINT32_C(1) << role))
			return gj_yload_fail(l, node->items[i]->line,
					     "%s: '%s' given twice", label,
					     gj_known_roles[role]);
		p->role_bits |= UINT32_C(1) << role;
		p->pub.roles[p->pub.n_roles++] = gj_known_roles[role];
	}
	return 0;
}

/* ", "-separated shift names, for messages. */
static void shift_names_text(const struct gj_roster *r, char *buf, size_t size)
{
	size_t at = 0;

	buf[0] = '\0';
	/* `always` (index 0) last: the declared ones are what a typo meant. */
	for (size_t k = 1; k <= r->n_shifts; k++) {
		const struct shift *sh = &r->shifts[k % r->n_shifts];
		int n = snprintf(buf + at, size - at, "%s%s", at ? ", " : "", sh->id);

		if (n < 0 || (size_t)n >= size - at) {
			if (size > 4)
				strcpy(buf + size - 4, "...");
			break;
		}
		at += (size_t)n;
	}
}

static int load_person_shifts(struct gj_yload *l, const struct gj_ynode *person,
			      const char *what, struct gj_roster *r,
			      struct person *p)
{
	const struct gj_ynode *node = gj_ynode_get(person, "shifts");
	char label[128];
	int rc;

	if (!node)
		return gj_yload_fail(l, person->line, "%s: missing 'shifts' "
				     "(write shifts: [] for someone never on duty)",
				     what);
	snprintf(label, sizeof(label), "%s: shifts", what);
	rc = gj_yload_expect_kind(l, node, label, GJ_YNODE_SEQUENCE);
	if (rc < 0)
		return rc;
	if (node->n == 0)
		return 0;
	p->shifts = calloc(node->n, sizeof(*p->shifts));
	if (!p->shifts)
		return gj_yload_oom(l);
	for (size_t i = 0; i < node->n; i++) {
		const struct gj_ynode *item = node->items[i];
		const char *s;
		size_t k;

		rc = gj_yload_str(l, item, label, TEXT_MAX, 0, &s);
		if (rc < 0)
			return rc;
		for (k = 0; k < r->n_shifts; k++)
			if (strcmp(r->shifts[k].id, s) == 0)
				break;
		if (k == r->n_shifts) {
			char names[512];

			shift_names_text(r, names, sizeof(names));
			return gj_yload_fail(l, item->line, "%s: unknown shift "
					     "'%.64s' (shifts: %s)", label, s, names);
		}
		for (size_t j = 0; j < p->n_shifts; j++)
			if (p->shifts[j] == k)
				return gj_yload_fail(l, item->line, "%s: '%s' given twice",
						     label, s);
		p->shifts[p->n_shifts++] = k;
	}
	return 0;
}

static int load_person(struct gj_yload *l, const struct gj_ynode *node,
		       struct gj_roster *r)
{
	static const char *const keys[] = {
		"id", "name", "roles", "team", "zone", "shifts", NULL,
	};
	struct person *p = &r->people[r->n_people];
	const struct gj_ynode *idn, *n;
	char what[96], label[128];
	const char *s;
	int rc;

	rc = gj_yload_expect_kind(l, node, "people", GJ_YNODE_MAPPING);
	if (rc < 0)
		return rc;
	p->pub.line = node->line;
	rc = gj_yload_require(l, node, "person", "id", &idn);
	if (rc >= 0)
		rc = gj_yload_str(l, idn, "person: id", GJ_ROSTER_PERSON_MAX, 0, &s);
	if (rc < 0)
		return rc;
	if (!is_person_id(s))
		return gj_yload_fail(l, idn->line, "person: id: '%.64s' is not a "
				     "person id (a-z and 0-9, then also '.', '_' "
				     "and '-')", s);
	for (size_t i = 0; i < r->n_people; i++)
		if (strcmp(r->people[i].pub.id, s) == 0)
			return gj_yload_fail(l, idn->line, "person '%s': listed "
					     "twice (first at line %d)", s,
					     r->people[i].pub.line);
	rc = gj_yload_strdup(l, s, &p->pub.id);
	if (rc < 0)
		return rc;
	r->n_people++;  /* from here on destroy frees what was set */
	snprintf(what, sizeof(what), "person '%s'", s);
	rc = gj_yload_check_keys(l, node, what, keys, 0);
	if (rc < 0)
		return rc;

	snprintf(label, sizeof(label), "%s: name", what);
	rc = gj_yload_require(l, node, what, "name", &n);
	if (rc >= 0)
		rc = gj_yload_str(l, n, label, TEXT_MAX, 0, &s);
	if (rc < 0 || (rc = gj_yload_strdup(l, s, &p->pub.name)) < 0)
		return rc;

	rc = load_person_roles(l, node, what, p);
	if (rc < 0)
		return rc;

	n = gj_ynode_get(node, "team");
	if (n && !gj_ynode_is_null(n)) {
		snprintf(label, sizeof(label), "%s: team", what);
		rc = gj_yload_str(l, n, label, ID_MAX, 0, &s);
		if (rc < 0)
			return rc;
		if (!gj_yload_is_ident(s, false))
			return gj_yload_fail(l, n->line, "%s: team: '%.64s' is not an "
					     "identifier (a-z, 0-9 and _)", what, s);
		rc = gj_yload_strdup(l, s, &p->pub.team);
		if (rc < 0)
			return rc;
	}

	n = gj_ynode_get(node, "zone");
	if (n && !gj_ynode_is_null(n)) {
		size_t z;

		snprintf(label, sizeof(label), "%s: zone", what);
		rc = gj_yload_str(l, n, label, ZONE_MAX, 0, &s);
		if (rc < 0)
			return rc;
		if (gj_yload_has_control(s))
			return gj_yload_fail(l, n->line, "%s: zone: contains a control "
					     "character", what);
		for (z = 0; z < r->n_zones; z++)
			if (strcmp(r->zones[z], s) == 0)
				break;
		if (r->n_zones > 0 && z == r->n_zones)
			return gj_yload_fail(l, n->line, "%s: zone: '%s' is not one of the "
					     "estate's zones", what, s);
		rc = gj_yload_strdup(l, s, &p->pub.zone);
		if (rc < 0)
			return rc;
	}

	return load_person_shifts(l, node, what, r, p);
}

static int load_people(struct gj_yload *l, const struct gj_ynode *root,
		       struct gj_roster *r)
{
	const struct gj_ynode *node = gj_ynode_get(root, "people");
	int rc;

	if (!node)
		return gj_yload_fail(l, root->line, "missing 'people'");
	rc = gj_yload_expect_kind(l, node, "people", GJ_YNODE_SEQUENCE);
	if (rc < 0)
		return rc;
	if (node->n == 0)
		return gj_yload_fail(l, node->line, "people: empty");
	if (node->n > GJ_ROSTER_MAX_PEOPLE)
		return gj_yload_fail(l, node->line, "people: more than %d people",
				     GJ_ROSTER_MAX_PEOPLE);
	r->people = calloc(node->n, sizeof(*r->people));
	if (!r->people)
		return gj_yload_oom(l);
	for (size_t i = 0; i < node->n; i++) {
		rc = load_person(l, node->items[i], r);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int cmp_person_id(const void *a, const void *b)
{
	const struct person *pa = *(const struct person *const *)a;
	const struct person *pb = *(const struct person *const *)b;

	return strcmp(pa->pub.id, pb->pub.id);
}

static int load_root(struct gj_yload *l, const struct gj_ynode *root,
		     struct gj_roster *r)
{
	static const char *const keys[] = {
		"estate", "zones", "shifts", "escalation", "people", NULL,
	};
	const struct gj_ynode *node;
	int rc;

	if (root->kind != GJ_YNODE_MAPPING)
		return gj_yload_fail(l, root->line, "expected a mapping, not %s",
				     gj_ynode_kind_name(root->kind));
	rc = gj_yload_check_keys(l, root, "roster", keys, 0);
	if (rc < 0)
		return rc;
	rc = load_estate(l, root, r);
	if (rc < 0)
		return rc;
	node = gj_ynode_get(root, "zones");
	if (node && !gj_ynode_is_null(node)) {
		rc = load_zones(l, node, r);
		if (rc < 0)
			return rc;
	}
	/* Shifts and zones before people: people refer to them. */
	node = gj_ynode_get(root, "shifts");
	rc = load_shifts(l, node, r);
	if (rc < 0)
		return rc;
	node = gj_ynode_get(root, "escalation");
	if (node) {
		rc = load_escalation(l, node, r);
		if (rc < 0)
			return rc;
	}
	rc = load_people(l, root, r);
	if (rc < 0)
		return rc;

	r->by_id = calloc(r->n_people, sizeof(*r->by_id));
	if (!r->by_id)
		return gj_yload_oom(l);
	for (size_t i = 0; i < r->n_people; i++)
		r->by_id[i] = &r->people[i];
	qsort(r->by_id, r->n_people, sizeof(*r->by_id), cmp_person_id);
	return 0;
}

int gj_roster_load_buffer(const char *name, const char *text, size_t len,
			  struct gj_roster **ret, char **ret_error)
{
	struct gj_yload l = { .name = name };
	struct gj_ynode *root = NULL;
	struct gj_roster *r;
	int rc;

	rc = gj_ydoc_parse(name, text, len, &root, ret_error);
	if (rc < 0)
		return rc;
	r = calloc(1, sizeof(*r));
	if (!r) {
		gj_ynode_destroy(root);
		if (ret_error)
			*ret_error = NULL;
		return -ENOMEM;
	}
	for (size_t i = 0; i < MAX_ROLES; i++)
		r->escalation[i] = -1;
	rc = load_root(&l, root, r);
	gj_ynode_destroy(root);
	rc = gj_yload_finish(&l, rc, ret_error);
	if (rc < 0) {
		gj_roster_destroy(r);
		return rc;
	}
	*ret = r;
	return 0;
}

int gj_roster_load_file(const char *path, struct gj_roster **ret,
			char **ret_error)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	rc = gj_yload_read_file(path, 0, &text, &len, ret_error);
	if (rc < 0)
		return rc;
	rc = gj_roster_load_buffer(path, text, len, ret, ret_error);
	free(text);
	return rc;
}

void gj_roster_destroy(struct gj_roster *r)
{
	if (!r)
		return;
	free(r->estate);
	for (size_t i = 0; i < r->n_zones; i++)
		free(r->zones[i]);
	free(r->zones);
	for (size_t i = 0; i < r->n_shifts; i++)
		free(r->shifts[i].id);
	free(r->shifts);
	for (size_t i = 0; i < r->n_people; i++) {
		struct person *p = &r->people[i];

		free(p->pub.id);
		free(p->pub.name);
		free(p->pub.team);
		free(p->pub.zone);
		free(p->pub.roles);
		free(p->shifts);
	}
	free(r->people);
	free(r->by_id);
	free(r);
}

/* ---- lookups ---------------------------------------------------------- */

const char *gj_roster_estate(const struct gj_roster *r)
{
	return r->estate;
}

size_t gj_roster_count(const struct gj_roster *r)
{
	return r->n_people;
}

const struct gj_roster_person *gj_roster_person_at(const struct gj_roster *r,
						   size_t i)
{
	return i < r->n_people ? &r->people[i].pub : NULL;
}

static const struct person *find_person(const struct gj_roster *r,
					const char *id)
{
	size_t lo = 0, hi = r->n_people;

	if (!id)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(r->by_id[mid]->pub.id, id);

		if (c == 0)
			return r->by_id[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct gj_roster_person *gj_roster_person(const struct gj_roster *r,
						const char *person)
{
	const struct person *p = find_person(r, person);

	return p ? &p->pub : NULL;
}

bool gj_roster_has_person(const struct gj_roster *r, const char *person)
{
	return find_person(r, person) != NULL;
}

bool gj_roster_person_has_role(const struct gj_roster *r, const char *person,
			       const char *role)
{
	const struct person *p = find_person(r, person);
	int i = staff_index(role);

	return p && i >= 0 && (p->role_bits & (UINT32_C(1) << i));
}

const char *const *gj_roster_person_roles(const struct gj_roster *r,
					  const char *person, size_t *ret_n)
{
	const struct person *p = find_person(r, person);

	*ret_n = p ? p->pub.n_roles : 0;
	return p ? p->pub.roles : NULL;
}

int gj_roster_check_actor(const struct gj_roster *r, const char *person,
			  const char *role, char **ret_error)
{
	const struct person *p = find_person(r, person);
	char *buf = NULL;
	size_t size = 0;
	FILE *f;

	if (p && gj_roster_person_has_role(r, person, role))
		return 0;
	if (!ret_error)
		return p ? -EPERM : -ENOENT;
	*ret_error = NULL;
	f = open_memstream(&buf, &size);
	if (!f)
		return p ? -EPERM : -ENOENT;
	if (!p) {
		fprintf(f, "%.64s is not on the roster of %s",
			person ? person : "(nobody)", r->estate);
	} else {
		fprintf(f, "%s is on the roster of %s as ", p->pub.id, r->estate);
		for (size_t i = 0; i < p->pub.n_roles; i++)
			fprintf(f, "%s%s", i == 0 ? "" :
				i + 1 == p->pub.n_roles ? " and " : ", ",
				p->pub.roles[i]);
		fprintf(f, ", not as %.64s", role ? role : "(no role)");
	}
	if (fclose(f) == 0)
		*ret_error = buf;
	else
		free(buf);
	return p ? -EPERM : -ENOENT;
}

/* ---- on duty ---------------------------------------------------------- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* 0 = Monday; 1970-01-01 was a Thursday. */
static int weekday(int32_t days)
{
	int w = (int)((days + 3) % 7);

	return w < 0 ? w + 7 : w;
}

/* Does a shift run on the local day `days` (since the epoch)? */
static bool shift_runs(const struct shift *sh, const struct gj_calendar *cal,
		       int64_t days)
{
	struct gj_date date;
	bool working;

	if (days < DAYS_MIN || days > DAYS_MAX)
		return false;
	switch (sh->days) {
	case DAYS_ALL:
		return true;
	case DAYS_WEEKDAYS:
		return sh->weekday[weekday((int32_t)days)];
	case DAYS_WORKING:
	case DAYS_REST:
		if (cal) {
			if (gj_date_from_days((int32_t)days, &date) < 0 ||
			    gj_calendar_is_working_day(cal, date.y, date.m, date.d,
						       &working, NULL) < 0)
				return false;
		} else {
			working = weekday((int32_t)days) < 5;
		}
		return sh->days == DAYS_WORKING ? working : !working;
	}
	return false;
}

/* Does a shift cover local minute `minute` of local day `days`?  A shift
 * belongs to the day it starts: the occurrence of day D covers
 * [D + from, D + from + len), so only D and D - 1 can cover an instant. */
static bool shift_covers(const struct shift *sh, const struct gj_calendar *cal,
			 int64_t days, int minute)
{
	if (sh->always)
		return true;
	if (minute >= sh->from_min && minute < sh->from_min + sh->len_min &&
	    shift_runs(sh, cal, days))
		return true;
	return minute + DAY_MIN < sh->from_min + sh->len_min &&
	       shift_runs(sh, cal, days - 1);
}

static bool zone_matches(const struct person *p, const char *zone)
{
	return !zone || !p->pub.zone || strcmp(p->pub.zone, zone) == 0;
}

int gj_roster_on_duty_in_zone(const struct gj_roster *r,
			      const struct gj_calendar *cal, const char *role,
			      const char *zone, int64_t now_ms,
			      struct gj_roster_duty *out, size_t max,
			      size_t *ret_n)
{
	bool active[GJ_ROSTER_MAX_SHIFTS + 1];
	bool asked[MAX_ROLES] = { false };
	int offset = cal ? gj_calendar_utc_offset_min(cal) : DEFAULT_OFFSET_MIN;
	int64_t local_min, days;
	int minute, ri, first;
	size_t n = 0;

	first = ri = staff_index(role);
	if (ri < 0)
		return -EINVAL;
	local_min = floor_div(now_ms, 60 * 1000) + offset;
	days = floor_div(local_min, DAY_MIN);
	minute = (int)(local_min - days * DAY_MIN);
	if (days < DAYS_MIN || days > DAYS_MAX)
		return -ERANGE;

	/* Which shifts cover the instant does not depend on the person. */
	for (size_t k = 0; k < r->n_shifts; k++)
		active[k] = shift_covers(&r->shifts[k], cal, days, minute);

	/* Each role at most once: a cycle in the escalation order ends. */
	for (; ri >= 0 && !asked[ri]; ri = r->escalation[ri]) {
		bool found = false;

		asked[ri] = true;
		for (size_t i = 0; i < r->n_people; i++) {
			const struct person *p = &r->people[i];
			bool on = false;

			if (!(p->role_bits & (UINT32_C(1) << ri)) || !zone_matches(p, zone))
				continue;
			for (size_t j = 0; j < p->n_shifts && !on; j++)
				on = active[p->shifts[j]];
			if (!on)
				continue;
			found = true;
			if (n < max)
				out[n++] = (struct gj_roster_duty){
					.role = gj_known_roles[ri],
					.person = p->pub.id,
					.name = p->pub.name,
					.fallback_for = ri == first ? NULL
								    : gj_known_roles[first],
				};
		}
		if (found)
			break;
	}
	*ret_n = n;
	return 0;
}

int gj_roster_on_duty(const struct gj_roster *r, const struct gj_calendar *cal,
		      const char *role, int64_t now_ms,
		      struct gj_roster_duty *out, size_t max, size_t *ret_n)
{
	return gj_roster_on_duty_in_zone(r, cal, role, NULL, now_ms, out, max,
					 ret_n);
}
