/*
 * test_workflow.c - unit tests of workflow loading (daemon/workflow.c,
 * daemon/yamldoc.c): the shipped workflows load, every kind of broken file
 * is refused with the right "name:line: problem", durations parse, and a set
 * keeps and finds every version.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "workflow.h"
#include "yamldoc.h"

#ifndef GJ_SOURCE_ROOT
#error "GJ_SOURCE_ROOT must be defined by the build"
#endif

static const char *const shipped[] = {
	"r05_move_in_first_hand", "r17_repair", "r19_complaint",
	"r26a_home_repair", "r28b_special_event", NULL,
};

/* A valid workflow; the broken ones below are this with one change, so the
 * line numbers on the right are the ones their messages must name. */
static const char BASE[] =
	"# R17 test workflow\n"                            /*  1 */
	"id: r17_repair\n"                                 /*  2 */
	"version: 1\n"                                     /*  3 */
	"rule: R17\n"                                      /*  4 */
	"title: Public-area repair\n"                      /*  5 */
	"initial: reported\n"                              /*  6 */
	"open:\n"                                          /*  7 */
	"  roles: [butler, cs_lead]\n"                     /*  8 */
	"  requires: [location]\n"                         /*  9 */
	"states:\n"                                        /* 10 */
	"  - id: reported\n"                               /* 11 */
	"    title: Reported\n"                            /* 12 */
	"  - id: dispatched\n"                             /* 13 */
	"  - id: done\n"                                   /* 14 */
	"    final: true\n"                                /* 15 */
	"events:\n"                                        /* 16 */
	"  - id: dispatch\n"                               /* 17 */
	"    from: [reported]\n"                           /* 18 */
	"    to: dispatched\n"                             /* 19 */
	"    roles: [butler, cs_lead]\n"                   /* 20 */
	"    requires: [technician, severity]\n"           /* 21 */
	"  - id: finish\n"                                 /* 22 */
	"    from: [dispatched]\n"                         /* 23 */
	"    to: done\n"                                   /* 24 */
	"    roles: [engineering]\n"                       /* 25 */
	"clocks:\n"                                        /* 26 */
	"  - id: dispatch\n"                               /* 27 */
	"    title: Dispatched within 10 minutes\n"        /* 28 */
	"    start: {states: [reported]}\n"                /* 29 */
	"    stop: {states: [dispatched], events: []}\n"   /* 30 */
	"    target: 10m\n"                                /* 31 */
	"    warn_before: 2m\n"                            /* 32 */
	"    notify:\n"                                    /* 33 */
	"      warning: [butler]\n"                        /* 34 */
	"      breach: [cs_lead]\n"                        /* 35 */
	"  - id: minor_repair\n"                           /* 36 */
	"    start: {events: [dispatch]}\n"                /* 37 */
	"    stop: {states: [done]}\n"                     /* 38 */
	"    when: {field: severity, equals: minor}\n"     /* 39 */
	"    target: 60m\n"                                /* 40 */
	"    notify:\n"                                    /* 41 */
	"      breach: [cs_lead, manager]\n";              /* 42 */

/* BASE with `from` replaced by `to` (which must occur exactly once). */
static char *subst(const char *from, const char *to)
{
	const char *at = strstr(BASE, from);
	size_t pre;
	char *out;

	ck_assert_msg(at != NULL, "'%s' not in BASE", from);
	ck_assert_msg(strstr(at + 1, from) == NULL, "'%s' twice in BASE", from);
	pre = (size_t)(at - BASE);
	out = malloc(sizeof(BASE) + strlen(to));
	ck_assert_ptr_nonnull(out);
	memcpy(out, BASE, pre);
	strcpy(out + pre, to);
	strcat(out, at + strlen(from));
	return out;
}

static struct gj_workflow *load_ok(const char *name, const char *text)
{
	struct gj_workflow *wf = NULL;
	char *err = NULL;
	int r;

	r = gj_workflow_load_buffer(name, text, strlen(text), &wf, &err);
	ck_assert_msg(r == 0, "load failed (%d): %s", r, err ? err : "(no message)");
	ck_assert_ptr_nonnull(wf);
	ck_assert_ptr_null(err);
	return wf;
}

/* `text` must be refused with "t.yaml:<line>: ...<word>...". */
static void expect_error_text(const char *text, int line, const char *word)
{
	struct gj_workflow *wf = NULL;
	char *err = NULL;
	char prefix[64];
	int r;

	r = gj_workflow_load_buffer("t.yaml", text, strlen(text), &wf, &err);
	ck_assert_msg(r == -EINVAL, "expected -EINVAL, got %d (%s)", r,
		      err ? err : "no message");
	ck_assert_ptr_null(wf);
	ck_assert_ptr_nonnull(err);
	snprintf(prefix, sizeof(prefix), "t.yaml:%d: ", line);
	ck_assert_msg(strncmp(err, prefix, strlen(prefix)) == 0,
		      "got \"%s\", expected it to start with \"%s\"", err, prefix);
	ck_assert_msg(strstr(err, word) != NULL,
		      "got \"%s\", expected it to mention \"%s\"", err, word);
	free(err);
}

static void expect_error(const char *from, const char *to, int line,
			 const char *word)
{
	char *text = subst(from, to);

	expect_error_text(text, line, word);
	free(text);
}

/* --- the base workflow and the accessors --- */

START_TEST(test_base_loads)
{
	struct gj_workflow *wf = load_ok("t.yaml", BASE);
	const struct gj_wf_event *dispatch;
	const struct gj_wf_event *finish;
	const struct gj_wf_clock *c;

	ck_assert_str_eq(wf->id, "r17_repair");
	ck_assert_uint_eq(wf->version, 1);
	ck_assert_str_eq(wf->rule, "R17");
	ck_assert_str_eq(wf->title, "Public-area repair");
	ck_assert_str_eq(wf->initial, "reported");
	ck_assert_str_eq(wf->source_name, "t.yaml");
	ck_assert_int_eq(wf->line, 2);
	ck_assert_uint_eq(wf->open_roles.n, 2);
	ck_assert(gj_strv_contains(&wf->open_requires, "location"));
	ck_assert_uint_eq(wf->n_states, 3);
	ck_assert_uint_eq(wf->n_events, 2);
	ck_assert_uint_eq(wf->n_clocks, 2);

	ck_assert_ptr_nonnull(gj_workflow_state(wf, "done"));
	ck_assert(gj_workflow_state(wf, "done")->final);
	ck_assert_int_eq(gj_workflow_state(wf, "dispatched")->line, 13);
	ck_assert_ptr_null(gj_workflow_state(wf, "nope"));
	ck_assert_str_eq(gj_workflow_state(wf, "reported")->title, "Reported");
	ck_assert_ptr_null(gj_workflow_state(wf, "dispatched")->title);

	dispatch = gj_workflow_event(wf, "dispatch");
	finish = gj_workflow_event(wf, "finish");
	ck_assert_ptr_nonnull(dispatch);
	ck_assert_ptr_nonnull(finish);
	ck_assert_ptr_null(gj_workflow_event(wf, "open"));
	ck_assert_str_eq(dispatch->to, "dispatched");
	ck_assert_int_eq(dispatch->line, 17);
	ck_assert(gj_strv_contains(&dispatch->requires, "severity"));
	ck_assert(!gj_strv_contains(&dispatch->roles, "engineering"));
	ck_assert(gj_wf_event_allowed_in(wf, dispatch, "reported"));
	ck_assert(!gj_wf_event_allowed_in(wf, dispatch, "dispatched"));
	ck_assert(!gj_wf_event_allowed_in(wf, finish, "done"));
	ck_assert(!gj_wf_event_allowed_in(wf, finish, "nope"));

	ck_assert_int_eq(gj_workflow_clock_index(wf, "dispatch"), 0);
	ck_assert_int_eq(gj_workflow_clock_index(wf, "minor_repair"), 1);
	ck_assert_int_eq(gj_workflow_clock_index(wf, "nope"), -1);
	c = &wf->clocks[0];
	ck_assert_str_eq(c->rule, "R17");
	ck_assert_int_eq(c->unit, GJ_TARGET_DURATION);
	ck_assert_int_eq(c->target_ms, 10 * 60000);
	ck_assert_int_eq(c->warn_before_ms, 2 * 60000);
	ck_assert_str_eq(c->target_text, "10m");
	ck_assert(gj_strv_contains(&c->start_states, "reported"));
	ck_assert_uint_eq(c->stop_events.n, 0);
	ck_assert(gj_strv_contains(&c->notify_warn, "butler"));
	ck_assert(gj_strv_contains(&c->notify_breach, "cs_lead"));
	ck_assert_ptr_null(c->when_field);
	c = &wf->clocks[1];
	ck_assert_str_eq(c->when_field, "severity");
	ck_assert_str_eq(c->when_equals, "minor");
	ck_assert(!c->when_negate);
	ck_assert_int_eq(c->warn_before_ms, 0);
	ck_assert_uint_eq(c->notify_breach.n, 2);
	ck_assert(gj_strv_contains(&c->start_events, "dispatch"));
	gj_workflow_destroy(wf);
	gj_workflow_destroy(NULL);
}
END_TEST

START_TEST(test_defaults)
{
	char *text = subst("open:\n  roles: [butler, cs_lead]\n  requires: [location]\n", "");
	struct gj_workflow *wf = load_ok("t.yaml", text);

	/* open.roles defaults to every staff role */
	ck_assert_uint_eq(wf->open_roles.n, 7);
	ck_assert(gj_strv_contains(&wf->open_roles, "team_head"));
	ck_assert(!gj_strv_contains(&wf->open_roles, "owner"));
	ck_assert(!gj_strv_contains(&wf->open_roles, "tenant"));
	ck_assert_uint_eq(wf->open_requires.n, 0);
	gj_workflow_destroy(wf);
	free(text);

	/* no `from`: any non-final state; no `to`: stays */
	text = subst("    from: [dispatched]\n    to: done\n", "");
	wf = load_ok("t.yaml", text);
	ck_assert_ptr_null(gj_workflow_event(wf, "finish")->to);
	ck_assert(gj_wf_event_allowed_in(wf, gj_workflow_event(wf, "finish"), "reported"));
	ck_assert(gj_wf_event_allowed_in(wf, gj_workflow_event(wf, "finish"), "dispatched"));
	ck_assert(!gj_wf_event_allowed_in(wf, gj_workflow_event(wf, "finish"), "done"));
	gj_workflow_destroy(wf);
	free(text);

	/* clocks are optional; the clock's own rule and not_equals */
	text = subst("    when: {field: severity, equals: minor}\n",
		     "    rule: R26a\n    when: {field: severity, not_equals: major}\n");
	wf = load_ok("t.yaml", text);
	ck_assert_str_eq(wf->clocks[1].rule, "R26a");
	ck_assert(wf->clocks[1].when_negate);
	ck_assert_str_eq(wf->clocks[1].when_equals, "major");
	gj_workflow_destroy(wf);
	free(text);

	/* deadline_field instead of a target */
	text = subst("    target: 60m\n", "    deadline_field: reply_by\n    warn_before: 30m\n");
	wf = load_ok("t.yaml", text);
	ck_assert_str_eq(wf->clocks[1].deadline_field, "reply_by");
	ck_assert_ptr_null(wf->clocks[1].target_text);
	ck_assert_int_eq(wf->clocks[1].target_ms, 0);
	ck_assert_int_eq(wf->clocks[1].warn_before_ms, 30 * 60000);
	gj_workflow_destroy(wf);
	free(text);
}
END_TEST

/* --- broken files --- */

START_TEST(test_marks)
{
	char *text = subst("    requires: [technician, severity]\n",
			   "    requires: [technician, severity]\n    marks: dispatched_at\n");
	struct gj_workflow *wf = load_ok("t.yaml", text);

	ck_assert_str_eq(gj_workflow_event(wf, "dispatch")->marks, "dispatched_at");
	ck_assert_ptr_null(gj_workflow_event(wf, "finish")->marks);
	gj_workflow_destroy(wf);
	free(text);
	expect_error("    requires: [technician, severity]\n",
		     "    requires: [technician, severity]\n    marks: Dispatched At\n", 22, "marks");
	expect_error("id: r17_repair\n", "id: calendar\n", 2, "'calendar' is reserved");
}
END_TEST

START_TEST(test_unknown_key)
{
	expect_error("    title: Reported\n", "    titel: Reported\n", 12,
		     "unknown key 'titel'");
	expect_error("version: 1\n", "version: 1\nowner: me\n", 4, "unknown key 'owner'");
	expect_error("    when: {field: severity, equals: minor}\n",
		     "    when: {field: severity, is: minor}\n", 39, "unknown key 'is'");
	expect_error("    stop: {states: [done]}\n", "    stop: {states: [done], pause: []}\n",
		     38, "unknown key 'pause'");
}
END_TEST

START_TEST(test_missing_id)
{
	expect_error("id: r17_repair\n", "", 2, "missing 'id'");
	expect_error("  - id: dispatched\n", "  - title: Dispatched\n", 13, "missing 'id'");
	expect_error("id: r17_repair\n", "id: R17-repair\n", 2, "bad identifier");
	expect_error("id: r17_repair\n",
		     "id: a_very_long_workflow_identifier_of_more_than_48_bytes\n", 2,
		     "bad identifier");
	expect_error("version: 1\n", "version: 0\n", 3, "version");
	expect_error("version: 1\n", "version: 4294967296\n", 3, "version");
	expect_error("version: 1\n", "version: one\n", 3, "version");
	expect_error("rule: R17\n", "rule: R17c\n", 4, "bad rule");
	expect_error("title: Public-area repair\n", "title: \"\"\n", 5, "must not be empty");
	expect_error("title: Public-area repair\n", "title:\n", 5, "'title' has no value");
	expect_error("    title: Reported\n", "    title: \"two\\nlines\"\n", 12, "one line");
	expect_error("    title: Reported\n", "    title: \"a\\0b\"\n", 12, "NUL");
}
END_TEST

START_TEST(test_unknown_state)
{
	expect_error("    to: dispatched\n", "    to: dispached\n", 19,
		     "event 'dispatch': unknown state 'dispached' in 'to'");
	expect_error("    from: [reported]\n", "    from: [reported,\n      reportd]\n", 19,
		     "event 'dispatch': unknown state 'reportd' in 'from'");
	expect_error("    from: [dispatched]\n", "    from: [dispatched, done]\n", 23,
		     "state 'done' in 'from' is final");
}
END_TEST

START_TEST(test_duplicates)
{
	expect_error("  - id: dispatched\n", "  - id: reported\n", 13,
		     "duplicate state 'reported' (first declared at line 11)");
	expect_error("  - id: finish\n", "  - id: dispatch\n", 22,
		     "duplicate event 'dispatch' (first declared at line 17)");
	expect_error("  - id: minor_repair\n", "  - id: dispatch\n", 36,
		     "duplicate clock 'dispatch'");
	expect_error("    roles: [engineering]\n", "    roles: [engineering, engineering]\n",
		     25, "lists 'engineering' twice");
	expect_error("    title: Reported\n", "    title: Reported\n    title: Again\n", 13,
		     "duplicate key 'title'");
	expect_error("  - id: finish\n", "  - id: open\n", 22, "reserved");
}
END_TEST

START_TEST(test_unknown_role)
{
	expect_error("    roles: [engineering]\n", "    roles: [engineer]\n", 25,
		     "unknown role 'engineer'");
	expect_error("open:\n  roles: [butler, cs_lead]\n", "open:\n  roles: [butler, boss]\n", 8,
		     "unknown role 'boss'");
	expect_error("      breach: [cs_lead, manager]\n", "      breach: [ceo]\n", 42,
		     "unknown role 'ceo'");
	expect_error("    roles: [engineering]\n", "    roles: []\n", 25, "must not be empty");
	expect_error("    roles: [engineering]\n", "", 22, "missing 'roles'");
}
END_TEST

START_TEST(test_bad_target)
{
	expect_error("    target: 10m\n", "    target: 10 minutes\n", 31, "bad target");
	expect_error("    target: 10m\n", "    target: 10\n", 31, "bad target");
	expect_error("    target: 10m\n", "    target: 0m\n", 31, "more than zero");
	expect_error("    target: 10m\n", "    target: [10m]\n", 31, "must be a single value");
	expect_error("    target: 10m\n", "", 27, "missing 'target'");
	expect_error("    target: 60m\n", "    target: 60m\n    deadline_field: reply_by\n", 41,
		     "not both");
	expect_error("    warn_before: 2m\n", "    warn_before: soon\n", 32, "bad warn_before");
}
END_TEST

START_TEST(test_warn_before_target)
{
	expect_error("    warn_before: 2m\n", "    warn_before: 10m\n", 32,
		     "warn_before (10m) must be less than the target (10m)");
	expect_error("    warn_before: 2m\n", "    warn_before: 1h\n", 32, "less than");
	expect_error("    warn_before: 2m\n", "", 33, "needs 'warn_before'");
}
END_TEST

START_TEST(test_initial_state)
{
	expect_error("initial: reported\n", "", 2, "missing 'initial'");
	expect_error("initial: reported\n", "initial: nowhere\n", 6,
		     "initial state 'nowhere' is not declared");
	expect_error("initial: reported\n", "initial: done\n", 6,
		     "initial state 'done' is final");
	expect_error("    final: true\n", "    final: yes\n", 15, "true or false");
	expect_error("    final: true\n", "", 11, "no state is final");
}
END_TEST

START_TEST(test_clock_references)
{
	expect_error("    start: {states: [reported]}\n", "    start: {states: [reportd]}\n", 29,
		     "clock 'dispatch': unknown state 'reportd' in 'start.states'");
	expect_error("    start: {events: [dispatch]}\n", "    start: {events: [dispatched]}\n",
		     37, "clock 'minor_repair': unknown event 'dispatched' in 'start.events'");
	expect_error("    stop: {states: [done]}\n", "    stop: {events: [finsh]}\n", 38,
		     "unknown event 'finsh' in 'stop.events'");
	expect_error("    start: {events: [dispatch]}\n", "    start: {events: [open]}\n", 37,
		     "initial state 'reported'");
	expect_error("    start: {states: [reported]}\n", "    start: {states: []}\n", 29,
		     "'start' needs at least one entry");
	expect_error("    start: {states: [reported]}\n", "", 27, "missing 'start'");
	expect_error("    stop: {states: [done]}\n", "    stop: {states: [done]}\n    pause: {states: [paused]}\n",
		     39, "unknown state 'paused' in 'pause.states'");
	expect_error("    stop: {states: [done]}\n", "    stop: {states: [done], events: [dispatch]}\n",
		     38, "event 'dispatch' both starts and stops");
	expect_error("    when: {field: severity, equals: minor}\n",
		     "    when: {field: severity, equals: minor, not_equals: major}\n", 39, "not both");
	expect_error("    when: {field: severity, equals: minor}\n",
		     "    when: {field: severity}\n", 39, "needs 'equals' or 'not_equals'");
}
END_TEST

START_TEST(test_notify_breach_missing)
{
	expect_error("      breach: [cs_lead]\n", "", 34, "missing 'notify.breach'");
	expect_error("    notify:\n      breach: [cs_lead, manager]\n", "", 36,
		     "missing 'notify'");
	expect_error("      breach: [cs_lead, manager]\n", "      breach: []\n", 42,
		     "'notify.breach' must not be empty");
}
END_TEST

START_TEST(test_wrong_type)
{
	expect_error("open:\n  roles: [butler, cs_lead]\n  requires: [location]\n",
		     "open:\n  - butler\n", 8, "'open' must be a mapping, not a list");
	expect_error("    from: [reported]\n", "    from: reported\n", 18,
		     "'from' must be a list, not a single value");
	expect_error("  - id: reported\n    title: Reported\n  - id: dispatched\n  - id: done\n    final: true\n",
		     "  reported: {}\n", 11, "'states' must be a list, not a mapping");
	expect_error("  - id: done\n    final: true\n", "  - done\n", 14,
		     "each entry of 'states' must be a mapping");
	expect_error_text("- id: x\n- id: y\n", 1, "the document must be a mapping, not a list");
	expect_error_text("just text\n", 1, "must be a mapping, not a single value");
}
END_TEST

START_TEST(test_yaml_syntax)
{
	expect_error("title: Public-area repair\n", "title: Public: area repair\n", 5,
		     "mapping values are not allowed");
	expect_error("    to: dispatched\n", "    to: [dispatched\n", 20, "flow sequence");
	expect_error_text("", 1, "empty");
	expect_error_text("# only a comment\n", 1, "empty");
	expect_error_text("id: a\n---\nid: b\n", 2, "only one document");
	expect_error("open:\n  roles: [butler, cs_lead]\n", "open:\n  roles: &r [butler, cs_lead]\n", 8,
		     "anchors");
	expect_error("    roles: [engineering]\n", "    roles: *r\n", 25, "aliases");
	expect_error("rule: R17\n", "rule: !!str R17\n", 4, "tags");
	expect_error("title: Public-area repair\n", "title: \"bad \xff byte\"\n", 5, "UTF-8");
}
END_TEST

START_TEST(test_yaml_limits)
{
	/* deeper than GJ_YDOC_MAX_DEPTH */
	char deep[256] = "a: ";
	size_t n = strlen(deep);
	struct gj_ynode *root = NULL;
	char *err = NULL;
	char *big;
	static const char small[] = "\n\na: [1, 2]\nb:\n  c: 'q'\nd: ~\ne: true\n";

	for (int i = 0; i < 40; i++)
		deep[n++] = '[';
	for (int i = 0; i < 40; i++)
		deep[n++] = ']';
	deep[n] = '\0';
	expect_error_text(deep, 1, "nested too deeply");

	big = malloc(GJ_YDOC_MAX_BYTES + 2);
	ck_assert_ptr_nonnull(big);
	memset(big, '#', GJ_YDOC_MAX_BYTES + 1);
	big[GJ_YDOC_MAX_BYTES + 1] = '\0';
	expect_error_text(big, 1, "too large");
	free(big);

	/* the reader itself: lines, kinds, lookups */
	ck_assert_int_eq(gj_ydoc_parse("x", small, strlen(small), &root, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_int_eq(root->kind, GJ_YNODE_MAPPING);
	ck_assert_int_eq(root->line, 3);
	ck_assert_int_eq(gj_ynode_get(root, "a")->kind, GJ_YNODE_SEQUENCE);
	ck_assert_uint_eq(gj_ynode_get(root, "a")->n, 2);
	ck_assert_int_eq(gj_ynode_get(root, "b")->line, 5);
	ck_assert_str_eq(gj_ynode_str(gj_ynode_get(gj_ynode_get(root, "b"), "c")), "q");
	ck_assert(gj_ynode_is_null(gj_ynode_get(root, "d")));
	ck_assert(!gj_ynode_is_null(gj_ynode_get(gj_ynode_get(root, "b"), "c")));
	ck_assert_ptr_null(gj_ynode_get(root, "zz"));
	{
		bool v = false;
		uint64_t u = 0;

		ck_assert_int_eq(gj_ynode_bool(gj_ynode_get(root, "e"), &v), 0);
		ck_assert(v);
		ck_assert_int_eq(gj_ynode_uint(gj_ynode_get(root, "a")->items[1], &u), 0);
		ck_assert_uint_eq(u, 2);
		ck_assert_int_eq(gj_ynode_uint(gj_ynode_get(root, "e"), &u), -EINVAL);
	}
	gj_ynode_destroy(root);
}
END_TEST

START_TEST(test_working_day_target)
{
	struct gj_workflow *wf = NULL;
	char *text = subst("    target: 60m\n", "    target: 3wd\n");
	char *err = NULL;
	int r;

	r = gj_workflow_load_buffer("t.yaml", text, strlen(text), &wf, &err);
	ck_assert_msg(r == 0, "3wd refused: %s", err ? err : "");
	int i = gj_workflow_clock_index(wf, "minor_repair");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(wf->clocks[i].unit, GJ_TARGET_WORKING_DAYS);
	ck_assert_int_eq(wf->clocks[i].target_count, 3);
	ck_assert_str_eq(wf->clocks[i].target_text, "3wd");
	ck_assert_int_eq(wf->clocks[i].target_ms, 0);
	gj_workflow_destroy(wf);
	free(text);

	/* Leading zeros and the largest count are fine. */
	text = subst("    target: 60m\n", "    target: 0010000wd\n");
	wf = NULL;
	r = gj_workflow_load_buffer("t.yaml", text, strlen(text), &wf, &err);
	ck_assert_msg(r == 0, "0010000wd refused: %s", err ? err : "");
	i = gj_workflow_clock_index(wf, "minor_repair");
	ck_assert_int_eq(wf->clocks[i].unit, GJ_TARGET_WORKING_DAYS);
	ck_assert_int_eq(wf->clocks[i].target_count, 10000);
	gj_workflow_destroy(wf);
	free(text);

	expect_error("    target: 60m\n", "    target: 0wd\n", 40,
		     "target '0wd': between 1wd and 10000wd");
	expect_error("    target: 60m\n", "    target: 10001wd\n", 40,
		     "target '10001wd': between 1wd and 10000wd");
	expect_error("    target: 60m\n", "    target: 99999999999999999999999wd\n", 40,
		     "between 1wd and 10000wd");
	expect_error("    target: 60m\n", "    target: 3w\n", 40, "bad target '3w'");
	expect_error("    target: 60m\n", "    target: 3wdd\n", 40, "bad target '3wdd'");
	expect_error("    target: 60m\n", "    target: -3wd\n", 40, "bad target '-3wd'");
	expect_error("    target: 60m\n", "    target: 1.5wd\n", 40, "bad target '1.5wd'");
}
END_TEST

/* "<N>wh": N working hours, target_count in hours. */
START_TEST(test_working_hour_target)
{
	struct gj_workflow *wf = NULL;
	char *text = subst("    target: 60m\n", "    target: 8wh\n    warn_before: 2h\n");
	char *err = NULL;
	int r, i;

	r = gj_workflow_load_buffer("t.yaml", text, strlen(text), &wf, &err);
	ck_assert_msg(r == 0, "8wh refused: %s", err ? err : "");
	i = gj_workflow_clock_index(wf, "minor_repair");
	ck_assert_int_ge(i, 0);
	ck_assert_int_eq(wf->clocks[i].unit, GJ_TARGET_WORKING_HOURS);
	ck_assert_int_eq(wf->clocks[i].target_count, 8);
	ck_assert_int_eq(wf->clocks[i].target_ms, 0);
	ck_assert_str_eq(wf->clocks[i].target_text, "8wh");
	ck_assert_int_eq(wf->clocks[i].warn_before_ms, 2 * 3600000);
	gj_workflow_destroy(wf);
	free(text);

	/* warn_before is wall time before the deadline: it may exceed N. */
	text = subst("    target: 60m\n", "    target: 1wh\n    warn_before: 1d\n");
	wf = NULL;
	r = gj_workflow_load_buffer("t.yaml", text, strlen(text), &wf, &err);
	ck_assert_msg(r == 0, "1wh with warn_before 1d refused: %s", err ? err : "");
	i = gj_workflow_clock_index(wf, "minor_repair");
	ck_assert_int_eq(wf->clocks[i].unit, GJ_TARGET_WORKING_HOURS);
	ck_assert_int_eq(wf->clocks[i].target_count, 1);
	gj_workflow_destroy(wf);
	free(text);

	expect_error("    target: 60m\n", "    target: 0wh\n", 40,
		     "target '0wh': between 1wh and 10000wh");
	expect_error("    target: 60m\n", "    target: 10001wh\n", 40,
		     "target '10001wh': between 1wh and 10000wh");
	expect_error("    target: 60m\n", "    target: 8wh\n    warn_before: 1wh\n", 41,
		     "bad warn_before '1wh'");
	expect_error("    target: 60m\n", "    target: 8wh\n    warn_before: 0m\n", 41,
		     "bad warn_before '0m'");
	expect_error("    target: 60m\n", "    target: 8hw\n", 40, "bad target '8hw'");
}
END_TEST

/* --- the set --- */

START_TEST(test_duplicate_in_set)
{
	struct gj_workflows *set = gj_workflows_create();
	struct gj_workflow *a = load_ok("a.yaml", BASE);
	struct gj_workflow *b = load_ok("b.yaml", BASE);
	char *err = NULL;

	ck_assert_ptr_nonnull(set);
	ck_assert_int_eq(gj_workflows_add(set, a, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_int_eq(gj_workflows_add(set, b, &err), -EEXIST);   /* b is freed */
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err, "b.yaml:2: workflow 'r17_repair' version 1 is already loaded from a.yaml");
	free(err);
	ck_assert_uint_eq(gj_workflows_count(set), 1);
	ck_assert_ptr_eq(gj_workflows_find(set, "r17_repair", 1), a);
	gj_workflows_destroy(set);
	gj_workflows_destroy(NULL);
}
END_TEST

START_TEST(test_find_by_version)
{
	struct gj_workflows *set = gj_workflows_create();
	char *v2text = subst("version: 1\n", "version: 2\n");
	char *othertext = subst("id: r17_repair\n", "id: a_first\n");
	struct gj_workflow *v1 = load_ok("v1.yaml", BASE);
	struct gj_workflow *v2 = load_ok("v2.yaml", v2text);
	struct gj_workflow *other = load_ok("o.yaml", othertext);

	/* added newest first: the set sorts them */
	ck_assert_int_eq(gj_workflows_add(set, v2, NULL), 0);
	ck_assert_int_eq(gj_workflows_add(set, v1, NULL), 0);
	ck_assert_int_eq(gj_workflows_add(set, other, NULL), 0);
	ck_assert_uint_eq(gj_workflows_count(set), 3);
	ck_assert_ptr_eq(gj_workflows_at(set, 0), other);
	ck_assert_ptr_eq(gj_workflows_at(set, 1), v1);
	ck_assert_ptr_eq(gj_workflows_at(set, 2), v2);
	ck_assert_ptr_null(gj_workflows_at(set, 3));

	ck_assert_ptr_eq(gj_workflows_find(set, "r17_repair", 0), v2);
	ck_assert_ptr_eq(gj_workflows_find(set, "r17_repair", 1), v1);
	ck_assert_ptr_eq(gj_workflows_find(set, "r17_repair", 2), v2);
	ck_assert_ptr_null(gj_workflows_find(set, "r17_repair", 3));
	ck_assert_ptr_eq(gj_workflows_find(set, "a_first", 0), other);
	ck_assert_ptr_null(gj_workflows_find(set, "a_firs", 0));
	ck_assert_ptr_null(gj_workflows_find(set, "r17", 0));
	ck_assert_ptr_null(gj_workflows_find(set, "zzz", 0));
	ck_assert_ptr_null(gj_workflows_find(set, "a_first", 2));
	gj_workflows_destroy(set);
	free(v2text);
	free(othertext);
}
END_TEST

static void check_shipped(const struct gj_workflows *set, const char *prefix)
{
	const struct gj_workflow *wf;

	/* every file of etc/workflows/ is shipped; these five at least */
	ck_assert_uint_ge(gj_workflows_count(set), 5);
	for (size_t i = 0; shipped[i]; i++) {
		wf = gj_workflows_find(set, shipped[i], 0);
		ck_assert_msg(wf != NULL, "%s not loaded", shipped[i]);
		/* r05 became a step list and r17 gained the deferred state:
		 * both at version 2 */
		ck_assert_uint_eq(wf->version, strcmp(shipped[i], "r17_repair") == 0 ||
						       strcmp(shipped[i], "r05_move_in_first_hand") == 0
					       ? 2 : 1);
		ck_assert_msg(strncmp(wf->source_name, prefix, strlen(prefix)) == 0,
			      "source %s", wf->source_name);
		ck_assert(strstr(wf->source_name, shipped[i]) != NULL);
	}
	/* the rules' time limits */
	wf = gj_workflows_find(set, "r05_move_in_first_hand", 0);
	ck_assert_int_eq(wf->clocks[gj_workflow_clock_index(wf, "move_in")].target_ms, 30 * 60000);
	wf = gj_workflows_find(set, "r17_repair", 0);
	ck_assert_int_eq(wf->clocks[gj_workflow_clock_index(wf, "dispatch")].target_ms, 10 * 60000);
	ck_assert_int_eq(wf->clocks[gj_workflow_clock_index(wf, "minor_repair")].target_ms, 60 * 60000);
	ck_assert_str_eq(wf->clocks[gj_workflow_clock_index(wf, "minor_repair")].when_equals, "minor");
	wf = gj_workflows_find(set, "r19_complaint", 0);
	ck_assert_int_eq(wf->clocks[gj_workflow_clock_index(wf, "forward")].target_ms, 5 * 60000);
	ck_assert(wf->clocks[gj_workflow_clock_index(wf, "forward")].when_negate);
	ck_assert_str_eq(wf->clocks[gj_workflow_clock_index(wf, "reply")].deadline_field, "reply_by");
	ck_assert(!gj_wf_event_allowed_in(wf, gj_workflow_event(wf, "close"), "replied"));
	ck_assert(gj_wf_event_allowed_in(wf, gj_workflow_event(wf, "close"), "called_back"));
	wf = gj_workflows_find(set, "r26a_home_repair", 0);
	ck_assert_int_eq(wf->clocks[gj_workflow_clock_index(wf, "dispatch")].target_ms, 2 * 60000);
	ck_assert_int_eq(wf->clocks[gj_workflow_clock_index(wf, "at_door")].target_ms, 15 * 60000);
	ck_assert_int_eq(wf->clocks[gj_workflow_clock_index(wf, "callback")].target_ms, 8 * 3600000);
	wf = gj_workflows_find(set, "r28b_special_event", 0);
	ck_assert_uint_eq(wf->n_clocks, 4);
	ck_assert_int_eq(wf->clocks[gj_workflow_clock_index(wf, "report_to_head")].target_ms, 60000);
	ck_assert_int_eq(wf->clocks[gj_workflow_clock_index(wf, "first_response")].target_ms, 10 * 60000);
	ck_assert(gj_strv_contains(&gj_workflow_event(wf, "close")->requires, "report"));
}

START_TEST(test_shipped_embedded)
{
	struct gj_workflows *set = gj_workflows_create();
	char *err = NULL;
	int r;

	r = gj_workflows_load_embedded(set, &err);
	ck_assert_msg(r == 0, "embedded: %s", err ? err : "?");
	check_shipped(set, "<embedded>/");
	/* loading them again: every one a duplicate, and the set unchanged */
	ck_assert_int_eq(gj_workflows_load_embedded(set, &err), -EEXIST);
	ck_assert_ptr_nonnull(strstr(err, "already loaded"));
	free(err);
	/* every file of etc/workflows/ is shipped; these five at least */
	ck_assert_uint_ge(gj_workflows_count(set), 5);
	gj_workflows_destroy(set);
}
END_TEST

START_TEST(test_shipped_dir)
{
	struct gj_workflows *set = gj_workflows_create();
	struct gj_workflow *wf = NULL;
	char *err = NULL;
	int r;

	r = gj_workflows_load_dir(set, GJ_SOURCE_ROOT "/etc/workflows", &err);
	ck_assert_msg(r == 0, "dir: %s", err ? err : "?");
	check_shipped(set, GJ_SOURCE_ROOT "/etc/workflows/");
	gj_workflows_destroy(set);

	r = gj_workflow_load_file(GJ_SOURCE_ROOT "/etc/workflows/r17_repair.yaml", &wf, &err);
	ck_assert_msg(r == 0, "file: %s", err ? err : "?");
	ck_assert_str_eq(wf->id, "r17_repair");
	gj_workflow_destroy(wf);

	r = gj_workflow_load_file(GJ_SOURCE_ROOT "/etc/workflows/nope.yaml", &wf, &err);
	ck_assert_int_eq(r, -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "nope.yaml"));
	free(err);
	r = gj_workflow_load_file(GJ_SOURCE_ROOT "/etc/workflows", &wf, &err);
	ck_assert_int_eq(r, -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a regular file"));
	free(err);

	set = gj_workflows_create();
	r = gj_workflows_load_dir(set, GJ_SOURCE_ROOT "/no/such/dir", &err);
	ck_assert_int_eq(r, -ENOENT);
	free(err);
	gj_workflows_destroy(set);
}
END_TEST

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fputs(text, f) >= 0, 1);
	ck_assert_int_eq(fclose(f), 0);
}

static void remove_file(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

START_TEST(test_dir_all_or_nothing)
{
	char dir[] = "/tmp/gj-test-wf-XXXXXX";
	struct gj_workflows *set = gj_workflows_create();
	char *v2 = subst("version: 1\n", "version: 2\n");
	char *broken = subst("    to: dispatched\n", "    to: dispached\n");
	char *err = NULL;
	char expect[600];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file(dir, "a.yaml", BASE);
	write_file(dir, "b.yml", v2);
	write_file(dir, "c.txt", "not: yaml: at all");    /* ignored */
	write_file(dir, ".hidden.yaml", "nor: [this");    /* ignored */
	ck_assert_int_eq(gj_workflows_load_dir(set, dir, &err), 0);
	ck_assert_uint_eq(gj_workflows_count(set), 2);
	ck_assert_uint_eq(gj_workflows_find(set, "r17_repair", 0)->version, 2);
	gj_workflows_destroy(set);

	/* the same id and version twice: the later file (by name) is named */
	set = gj_workflows_create();
	write_file(dir, "c.yaml", BASE);
	ck_assert_int_eq(gj_workflows_load_dir(set, dir, &err), -EEXIST);
	snprintf(expect, sizeof(expect),
		 "%s/c.yaml:2: workflow 'r17_repair' version 1 is already loaded from %s/a.yaml",
		 dir, dir);
	ck_assert_str_eq(err, expect);
	free(err);
	ck_assert_uint_eq(gj_workflows_count(set), 0);
	remove_file(dir, "c.yaml");

	/* a broken file: nothing is added, the message names it */
	write_file(dir, "d.yaml", broken);
	ck_assert_int_eq(gj_workflows_load_dir(set, dir, &err), -EINVAL);
	snprintf(expect, sizeof(expect), "%s/d.yaml:19: ", dir);
	ck_assert_int_eq(strncmp(err, expect, strlen(expect)), 0);
	free(err);
	ck_assert_uint_eq(gj_workflows_count(set), 0);

	remove_file(dir, "a.yaml");
	remove_file(dir, "b.yml");
	remove_file(dir, "c.txt");
	remove_file(dir, ".hidden.yaml");
	remove_file(dir, "d.yaml");
	ck_assert_int_eq(rmdir(dir), 0);
	gj_workflows_destroy(set);
	free(v2);
	free(broken);
}
END_TEST

/* --- durations and roles --- */

START_TEST(test_parse_duration)
{
	static const struct {
		const char *text;
		int64_t ms;
	} good[] = {
		{ "90s", 90000 }, { "10m", 600000 }, { "1h30m", 5400000 },
		{ "8h", 28800000 }, { "2d", 172800000 }, { "0s", 0 },
		{ "1d2h3m4s", 93784000 }, { "007m", 420000 },
		{ "999999999d", 999999999LL * 86400000 },
	};
	static const char *const bad[] = {
		"", "10", "m", "1h1h", "30m1h", "10M", " 10m", "10m ", "-1m",
		"+1m", "1.5h", "3wd", "8wh", "1234567890s", "10ms", "1h 30m",
		"1w", "h1",
	};
	int64_t ms;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ms = -1;
		ck_assert_msg(gj_parse_duration(good[i].text, &ms) == 0, "'%s'", good[i].text);
		ck_assert_msg(ms == good[i].ms, "'%s': %lld", good[i].text, (long long)ms);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ms = 42;
		ck_assert_msg(gj_parse_duration(bad[i], &ms) == -EINVAL, "'%s' accepted", bad[i]);
		ck_assert_int_eq(ms, 42);   /* untouched on failure */
	}
	ck_assert_int_eq(gj_parse_duration(NULL, &ms), -EINVAL);
}
END_TEST

START_TEST(test_roles)
{
	static const char *const roles[] = {
		"butler", "cs_lead", "manager", "engineering", "security",
		"admin_hr", "team_head", "owner", "tenant",
	};
	size_t n = 0;

	for (size_t i = 0; i < sizeof(roles) / sizeof(roles[0]); i++)
		ck_assert(gj_role_is_known(roles[i]));
	while (gj_known_roles[n])
		n++;
	ck_assert_uint_eq(n, 9);
	ck_assert(!gj_role_is_known("Butler"));
	ck_assert(!gj_role_is_known(""));
	ck_assert(!gj_role_is_known(NULL));
}
END_TEST

static Suite *workflow_suite(void)
{
	Suite *s = suite_create("workflow");
	TCase *tc;

	tc = tcase_create("load");
	tcase_add_test(tc, test_base_loads);
	tcase_add_test(tc, test_defaults);
	suite_add_tcase(s, tc);

	tc = tcase_create("errors");
	tcase_add_test(tc, test_unknown_key);
	tcase_add_test(tc, test_marks);
	tcase_add_test(tc, test_missing_id);
	tcase_add_test(tc, test_unknown_state);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_unknown_role);
	tcase_add_test(tc, test_bad_target);
	tcase_add_test(tc, test_warn_before_target);
	tcase_add_test(tc, test_initial_state);
	tcase_add_test(tc, test_clock_references);
	tcase_add_test(tc, test_notify_breach_missing);
	tcase_add_test(tc, test_wrong_type);
	tcase_add_test(tc, test_yaml_syntax);
	tcase_add_test(tc, test_yaml_limits);
	tcase_add_test(tc, test_working_day_target);
	tcase_add_test(tc, test_working_hour_target);
	suite_add_tcase(s, tc);

	tc = tcase_create("set");
	tcase_add_test(tc, test_duplicate_in_set);
	tcase_add_test(tc, test_find_by_version);
	tcase_add_test(tc, test_shipped_embedded);
	tcase_add_test(tc, test_shipped_dir);
	tcase_add_test(tc, test_dir_all_or_nothing);
	suite_add_tcase(s, tc);

	tc = tcase_create("basics");
	tcase_add_test(tc, test_parse_duration);
	tcase_add_test(tc, test_roles);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(workflow_suite());
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
