/*
 * test_report.c - `gj report` (issue 4) against a month of generated
 * activity, and the computation of report.c on hand-made tickets.
 *
 * The integration test starts the real guanjiad with a manual clock on
 * 2026-09-30 (so that September tickets exist too), generates several
 * hundred tickets of R01, R02, R16, R17, R18, R21 and R26a with a fixed-seed
 * pseudo-random generator, and drives them through libguanjia in time
 * order, moving the clock so that some deadlines are missed.  While it plans
 * each ticket it keeps its own tally of what the October report must say,
 * worked out from what it does (the deadlines from the targets and its own
 * table of October's working days, never from the daemon), and builds the
 * expected JSON document from that tally.  Then:
 *  - on 11-01 00:00 `gj report --month 2026-10 --json` must be exactly the
 *    expected document, and the CSV and text forms must agree with it;
 *  - after a November of further activity (October tickets finished,
 *    breached, cancelled; November tickets opened) the report is the same;
 *  - a report asked for mid-October says it is incomplete.
 *
 * The workflows come from the source tree's etc/workflows (loaded with
 * --workflows, so the test does not depend on what the build embedded);
 * for a file that does not exist yet the test writes a minimal copy with
 * the field and event names of the shared conventions.
 *
 * The unit tests of report.c compile it in here (tests/meson.build builds
 * this file with harness.c and the client library only).
 * GJ_TEST_SHOW_REPORT=1 prints the October report's text and JSON.
 */
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "guanjia.h"
#include "itest.h"
#include "json.h"
#include "wire.h"

#include "report.c"

#ifndef GJ_GJ_PATH
#define GJ_GJ_PATH "gj"
#endif
#ifndef GJ_SOURCE_ROOT
#define GJ_SOURCE_ROOT "."
#endif

#define MIN 60000LL
#define HOUR (60 * MIN)
#define DAY (24 * HOUR)

static int64_t cur;             /* the daemon's clock, as the test moved it */
static int64_t OCT1, NOV1;      /* the month and its cut-off */
static char wf_dir[256];

/* ------------------------------------------------------------ time */

/* Day 0 is 2026-09-30, day 1 2026-10-01, day 32 2026-11-01. */
static int64_t T(int day, int h, int m)
{
	return OCT1 + (int64_t)(day - 1) * DAY + h * HOUR + m * MIN;
}

static int day_of(int64_t t)
{
	return (int)((t - (OCT1 - DAY)) / DAY);
}

/* The cn calendar by hand: 10-01..10-07 National Day, Saturday 10-10
 * worked, otherwise Monday to Friday (10-01 is a Thursday). */
static bool working_day(int day)
{
	int dow = (day + 2) % 7; /* 0 Monday */

	if (day >= 1 && day <= 7)
		return false;
	if (day == 10)
		return true;
	return dow < 5;
}

/* Within n working days of `start`: the close (17:30) of the nth working
 * day after its date. */
static int64_t wd_deadline(int64_t start, int n)
{
	int day = day_of(start);

	for (int k = 0; k < n;) {
		day++;
		if (working_day(day))
			k++;
	}
	return T(day, 17, 30);
}

static void iso(int64_t t, char *buf, size_t len)
{
	gj_time_format(t, 480, buf, len);
}

/* ------------------------------------------------------- the daemon */

static void check_applied(int rc, Guanjia__Reply *r, const char *what)
{
	ck_assert_msg(rc == 0, "%s: no reply: %s", what, strerror(-rc));
	ck_assert_msg(r->outcome == GUANJIA__OUTCOME__APPLIED, "%s: refused: %s", what, r->message);
}

static void advance(int64_t ms)
{
	Guanjia__Reply *r = NULL;
	int rc = gj_client_advance(it_client, ms, &r);

	check_applied(rc, r, "advance");
	gj_reply_free(r);
	cur += ms;
}

static void advance_to(int64_t t)
{
	ck_assert_msg(t >= cur, "cannot go back in time");
	if (t > cur)
		advance(t - cur);
}

/* Copy the shipped workflow `id` into wf_dir, or write `fallback`. */
static void install_workflow(const char *id, const char *fallback)
{
	char src[PATH_MAX], dst[PATH_MAX + 64], buf[8192];
	FILE *in, *out;
	size_t n;

	snprintf(src, sizeof(src), "%s/etc/workflows/%s.yaml", GJ_SOURCE_ROOT, id);
	snprintf(dst, sizeof(dst), "%s/%s.yaml", wf_dir, id);
	out = fopen(dst, "w");
	ck_assert_ptr_nonnull(out);
	in = fopen(src, "r");
	if (in) {
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
			ck_assert_uint_eq(fwrite(buf, 1, n, out), n);
		fclose(in);
	} else {
		ck_assert_ptr_nonnull(fallback);
		fputs(fallback, out);
	}
	ck_assert_int_eq(fclose(out), 0);
}

/* Minimal copies, for a tree where a workflow is not written yet: the
 * names of the shared conventions, the clocks of the rulebook. */
static const char FINDING_FMT[] =
	"id: %s\nversion: 1\nrule: %s\ntitle: 9S finding\ninitial: open\n"
	"open: {roles: [cs_lead, manager, admin_hr], requires: [responsible, finding]}\n"
	"states:\n  - {id: open}\n  - {id: rectified, final: true}\n  - {id: withdrawn, final: true}\n"
	"events:\n"
	"  - {id: rectify, from: [open], to: rectified, roles: [butler, cs_lead, manager, engineering, security, admin_hr, team_head]}\n"
	"  - {id: withdraw, from: [open], to: withdrawn, roles: [cs_lead, manager], requires: [reason]}\n"
	"clocks:\n  - {id: rectify, start: {states: [open]}, stop: {states: [rectified, withdrawn]},\n"
	"     target: 5m, notify: {breach: [cs_lead, manager]}}\n";

static const char R16_FALLBACK[] =
	"id: r16_finding\nversion: 1\nrule: R16\ntitle: Zone patrol finding\ninitial: passed\n"
	"open: {roles: [butler, cs_lead], requires: [zone, team]}\n"
	"states:\n  - {id: passed}\n  - {id: fixed}\n  - {id: resolved, final: true}\n  - {id: cancelled, final: true}\n"
	"events:\n"
	"  - {id: fix, from: [passed], to: fixed, roles: [team_head, engineering, security, admin_hr, butler], requires: [action]}\n"
	"  - {id: follow_up, from: [fixed], to: resolved, roles: [butler, cs_lead]}\n"
	"  - {id: cancel, to: cancelled, roles: [butler, cs_lead], requires: [reason]}\n"
	"clocks:\n  - {id: fix, start: {states: [passed]}, stop: {states: [fixed, resolved, cancelled]},\n"
	"     deadline_field: fix_by, notify: {breach: [team_head, cs_lead]}}\n";

static const char VISIT_FALLBACK[] =
	"id: r18_household_visit\nversion: 1\nrule: R18\ntitle: Household visit\ninitial: visited\n"
	"open: {roles: [butler, cs_lead], requires: [butler, unit, interview]}\n"
	"states:\n  - {id: visited}\n  - {id: filed, final: true}\n  - {id: cancelled, final: true}\n"
	"events:\n"
	"  - {id: file, from: [visited], to: filed, roles: [butler, cs_lead], requires: [follow_up]}\n"
	"  - {id: cancel, from: [visited], to: cancelled, roles: [cs_lead], requires: [reason]}\n";

static const char SURVEY_FALLBACK[] =
	"id: r18_survey\nversion: 1\nrule: R18\ntitle: Opinion survey\ninitial: recorded\n"
	"open: {roles: [butler, cs_lead], requires: [butler, unit, method, opinion]}\n"
	"states:\n  - {id: recorded}\n  - {id: filed, final: true}\n  - {id: cancelled, final: true}\n"
	"events:\n"
	"  - {id: file, from: [recorded], to: filed, roles: [butler, cs_lead], requires: [follow_up]}\n"
	"  - {id: cancel, from: [recorded], to: cancelled, roles: [cs_lead], requires: [reason]}\n";

static const char NRV_FALLBACK[] =
	"id: r18_new_resident_visit\nversion: 1\nrule: R18\ntitle: Visit to a new resident\ninitial: due\n"
	"open: {roles: [admin_hr, butler, cs_lead], requires: [unit]}\n"
	"states:\n  - {id: due}\n  - {id: visited, final: true}\n  - {id: cancelled, final: true}\n"
	"events:\n"
	"  - {id: visit, from: [due], to: visited, roles: [butler], requires: [butler, interview]}\n"
	"  - {id: cancel, from: [due], to: cancelled, roles: [cs_lead], requires: [reason]}\n"
	"clocks:\n  - {id: visit, start: {states: [due]}, stop: {states: [visited, cancelled]},\n"
	"     target: 3wd, notify: {breach: [cs_lead]}}\n";

static const char R21_FALLBACK[] =
	"id: r21_fee_account\nversion: 1\nrule: R21\ntitle: Property fee account\ninitial: unpaid\n"
	"open: {roles: [admin_hr, butler, cs_lead], requires: [household, month, amount, due_by]}\n"
	"states:\n  - {id: unpaid}\n  - {id: with_manager}\n  - {id: paid, final: true}\n  - {id: cancelled, final: true}\n"
	"events:\n"
	"  - {id: remind, from: [unpaid, with_manager], roles: [butler, cs_lead, manager], requires: [method], marks: reminded}\n"
	"  - {id: paid, from: [unpaid, with_manager], to: paid, roles: [butler, cs_lead, manager]}\n"
	"  - {id: hand_over, from: [unpaid], to: with_manager, roles: [cs_lead], requires: [reminded]}\n"
	"  - {id: cancel, to: cancelled, roles: [cs_lead, manager], requires: [reason]}\n"
	"clocks:\n  - {id: hand_over, start: {states: [unpaid]}, stop: {states: [paid, with_manager, cancelled]},\n"
	"     deadline_field: due_by, notify: {breach: [manager]}}\n";

static void start_daemon(void)
{
	char r01[2048], r02[2048];
	const char *args[] = { "--manual-clock", "2026-09-30T08:00:00+08:00", "--workflows", wf_dir,
			       NULL };

	snprintf(wf_dir, sizeof(wf_dir), "%s/workflows", it_daemon.dir);
	ck_assert_int_eq(mkdir(wf_dir, 0700), 0);
	snprintf(r01, sizeof(r01), FINDING_FMT, "r01_finding", "R01");
	snprintf(r02, sizeof(r02), FINDING_FMT, "r02_finding", "R02");
	install_workflow("r17_repair", NULL);
	install_workflow("r26a_home_repair", NULL);
	install_workflow("r01_finding", r01);
	install_workflow("r02_finding", r02);
	install_workflow("r16_finding", R16_FALLBACK);
	install_workflow("r18_household_visit", VISIT_FALLBACK);
	install_workflow("r18_survey", SURVEY_FALLBACK);
	install_workflow("r18_new_resident_visit", NRV_FALLBACK);
	install_workflow("r21_fee_account", R21_FALLBACK);
	it_daemon.capture_stderr = true;
	ck_assert_int_eq(gj_daemon_start(&it_daemon, args), 0);
	ck_assert_int_eq(gj_client_connect(it_daemon.cmd_url, &it_client), 0);
	gj_client_set_timeout(it_client, 30000);
	ck_assert_int_eq(gj_client_set_actor(it_client, "test", "admin_hr", "test"), 0);
	ck_assert_int_eq(gj_time_parse("2026-09-30T08:00:00+08:00", &cur), 0);
}

/* Run gj with these arguments; its stdout (malloc'd) and exit status. */
static char *run_gj(const char *args, int *ret_status)
{
	char cmd[1024], *out = NULL;
	size_t len = 0, cap = 0, n;
	FILE *p;
	int st;

	snprintf(cmd, sizeof(cmd), "%s --connect %s --timeout 30000 %s", GJ_GJ_PATH,
		 it_daemon.cmd_url, args);
	p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	for (;;) {
		if (cap - len < 4096) {
			cap = cap ? 2 * cap : 65536;
			out = realloc(out, cap);
			ck_assert_ptr_nonnull(out);
		}
		n = fread(out + len, 1, cap - len - 1, p);
		if (n == 0)
			break;
		len += n;
	}
	out[len] = 0;
	st = pclose(p);
	*ret_status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	return out;
}

/* ----------------------------------------------------------- actions */

#define MAX_KV 5

struct action {
	int64_t at;
	uint32_t seq;
	int ticket;                 /* index into planned[]; -1: a mid-month report */
	const char *event;          /* "open" opens the ticket */
	const char *person, *role;
	size_t n_kv;
	char kv[MAX_KV][96];
};

struct planned {
	const char *workflow;
	uint64_t id;
};

static struct action *acts;
static size_t n_acts, cap_acts;
static struct planned planned[3000];
static size_t n_planned;

static int new_ticket(const char *wf)
{
	ck_assert_uint_lt(n_planned, sizeof(planned) / sizeof(planned[0]));
	planned[n_planned].workflow = wf;
	planned[n_planned].id = 0;
	return (int)n_planned++;
}

static struct action *act(int64_t at, int tk, const char *event, const char *person,
			  const char *role)
{
	struct action *a;

	if (n_acts == cap_acts) {
		cap_acts = cap_acts ? 2 * cap_acts : 1024;
		acts = realloc(acts, cap_acts * sizeof(*acts));
		ck_assert_ptr_nonnull(acts);
	}
	a = &acts[n_acts];
	memset(a, 0, sizeof(*a));
	a->at = at;
	a->seq = (uint32_t)n_acts++;
	a->ticket = tk;
	a->event = event;
	a->person = person;
	a->role = role;
	return a;
}

__attribute__((format(printf, 2, 3))) static void kv(struct action *a, const char *fmt, ...)
{
	va_list ap;

	ck_assert_uint_lt(a->n_kv, MAX_KV);
	va_start(ap, fmt);
	vsnprintf(a->kv[a->n_kv++], sizeof(a->kv[0]), fmt, ap);
	va_end(ap);
}

static int cmp_action(const void *x, const void *y)
{
	const struct action *a = x, *b = y;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void check_midmonth_report(void);

static void perform(const struct action *a)
{
	const char *kvp[MAX_KV];
	Guanjia__Reply *r = NULL;
	char what[160];
	int rc;

	if (a->ticket < 0) {
		check_midmonth_report();
		return;
	}
	for (size_t i = 0; i < a->n_kv; i++)
		kvp[i] = a->kv[i];
	ck_assert_int_eq(gj_client_set_actor(it_client, a->person, a->role, "test"), 0);
	snprintf(what, sizeof(what), "%s %s of #%d", a->event, planned[a->ticket].workflow, a->ticket);
	if (strcmp(a->event, "open") == 0) {
		rc = gj_client_open(it_client, planned[a->ticket].workflow, NULL, kvp, a->n_kv,
				    NULL, &r);
		check_applied(rc, r, what);
		planned[a->ticket].id = r->ticket->id;
	} else {
		ck_assert_msg(planned[a->ticket].id, "%s: not opened", what);
		rc = gj_client_fire(it_client, planned[a->ticket].id, a->event, kvp, a->n_kv,
				    NULL, &r);
		check_applied(rc, r, what);
	}
	gj_reply_free(r);
}

/* Perform the planned actions from *next on, up to (not including) `until`. */
static void run_until(size_t *next, int64_t until)
{
	for (; *next < n_acts && acts[*next].at < until; (*next)++) {
		advance_to(acts[*next].at);
		perform(&acts[*next]);
	}
}

/* ----------------------------------------------- the expected figures */

struct xclocks {
	uint32_t tickets, cancelled, clocks, met, breached, pending;
	int64_t late[2048];
	size_t n_late;
};

struct xrule {
	char rule[8];
	struct xclocks f;
};

struct xrow {
	char rule[8], workflow[40], clock[24];
	struct xclocks f;
};

struct xcount {
	char key[48];
	uint32_t a, b, c;           /* meaning per table (see its users) */
};

static struct xrule xrules[16];
static size_t n_xrules;
static struct xrow xrows[64];
static size_t n_xrows;
static struct xcount xtech[32], xteam17[32], xteam16[32], xbutler[32], xperson[32], xhouse[256];
static size_t n_xtech, n_xteam17, n_xteam16, n_xbutler, n_xperson, n_xhouse;
static uint32_t x_tickets, x_called_back, x_satisfied, x_accounts, x_accounts_paid,
	x_handed_over;
static int64_t x_billed_fen, x_paid_fen;

static struct xrule *xrule(const char *rule)
{
	for (size_t i = 0; i < n_xrules; i++)
		if (strcmp(xrules[i].rule, rule) == 0)
			return &xrules[i];
	ck_assert_uint_lt(n_xrules, 16);
	snprintf(xrules[n_xrules].rule, sizeof(xrules[0].rule), "%s", rule);
	return &xrules[n_xrules++];
}

static struct xrow *xrow(const char *rule, const char *wf, const char *clock)
{
	struct xrow *r;

	for (size_t i = 0; i < n_xrows; i++)
		if (strcmp(xrows[i].workflow, wf) == 0 && strcmp(xrows[i].clock, clock) == 0)
			return &xrows[i];
	ck_assert_uint_lt(n_xrows, 64);
	r = &xrows[n_xrows++];
	snprintf(r->rule, sizeof(r->rule), "%s", rule);
	snprintf(r->workflow, sizeof(r->workflow), "%s", wf);
	snprintf(r->clock, sizeof(r->clock), "%s", clock);
	return r;
}

static struct xcount *xcount_in(struct xcount *v, size_t cap, size_t *n, const char *key)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(v[i].key, key) == 0)
			return &v[i];
	ck_assert_uint_lt(*n, cap);
	snprintf(v[*n].key, sizeof(v[0].key), "%s", key);
	return &v[(*n)++];
}

#define xcount(v, n, key) xcount_in((v), sizeof(v) / sizeof((v)[0]), (n), (key))

static bool in_oct(int64_t t)
{
	return t >= OCT1 && t < NOV1;
}

/* A ticket opened in October (of `rule`), cancelled before the cut-off or not. */
static void x_ticket(const char *rule, bool cancelled)
{
	struct xrule *r = xrule(rule);

	x_tickets++;
	r->f.tickets++;
	r->f.cancelled += cancelled;
}

enum xv { XV_MET, XV_BREACHED, XV_PENDING };

static void x_verdict(const char *rule, const char *wf, const char *clock, enum xv v, int64_t late)
{
	struct xclocks *f[2] = { &xrule(rule)->f, &xrow(rule, wf, clock)->f };

	for (int i = 0; i < 2; i++) {
		f[i]->clocks++;
		if (v == XV_MET) {
			f[i]->met++;
		} else if (v == XV_BREACHED) {
			f[i]->breached++;
			ck_assert_uint_lt(f[i]->n_late, 2048);
			f[i]->late[f[i]->n_late++] = late;
		} else {
			f[i]->pending++;
		}
	}
}

/*
 * A clock of an October ticket as of the cut-off, from what the test does:
 * it runs from `start` (0: never) and is due at `deadline`; it stops at
 * `stop` (0: not in the plan), which may come after the cut-off;
 * `by_cancel`: the stop is the ticket's cancellation.  As of 11-01 00:00
 * it has run until min(stop, cut-off): past its deadline by then it is
 * breached, that late; stopped before then it is met (not counted when
 * the cancellation stopped it); otherwise it is still pending.
 */
static void x_clock(const char *rule, const char *wf, const char *clock, int64_t start,
		    int64_t deadline, int64_t stop, bool by_cancel)
{
	int64_t end = stop && stop < NOV1 ? stop : NOV1;

	if (!start || start >= NOV1)
		return;
	ck_assert_msg(deadline != end && deadline != stop, "ambiguous plan: stop at the deadline");
	if (deadline < end)
		x_verdict(rule, wf, clock, XV_BREACHED, end - deadline);
	else if (stop && stop < NOV1 && !by_cancel)
		x_verdict(rule, wf, clock, XV_MET, 0);
	else if (!(stop && stop < NOV1))
		x_verdict(rule, wf, clock, XV_PENDING, 0);
}

/* ----------------------------------------------------------- the plan */

static uint32_t rng = 20261001;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return rng;
}

static int rnd_in(int lo, int hi)
{
	return lo + (int)(rnd() % (uint32_t)(hi - lo + 1));
}

static int rnd_avoid(int lo, int hi, int avoid)
{
	int v;

	do
		v = rnd_in(lo, hi);
	while (v == avoid);
	return v;
}

static int64_t rnd_open(int day)
{
	return T(day, rnd_in(8, 19), rnd_in(0, 59));
}

/* The first of two optional instants (0: none). */
static int64_t first_of(int64_t a, int64_t b)
{
	if (!a)
		return b;
	if (!b)
		return a;
	return a < b ? a : b;
}

static const char *const techs[] = { "tech.an", "tech.bo", "tech.cai", "tech.du", "tech.fan" };
static const char *const tech_team[] = { "eng1", "eng1", "eng2", "eng2", "eng3" };

struct r17 {
	int64_t open, dispatch, defer, resume, finish, cancel;  /* 0: not done */
	const char *severity;
	int tech;
	bool team;
};

static void plan_r17(const struct r17 *p)
{
	int tk = new_ticket("r17_repair");
	bool oct = in_oct(p->open), cancelled = p->cancel && p->cancel < NOV1;
	struct action *a;

	a = act(p->open, tk, "open", "li.ming", "butler");
	kv(a, "location=Block %d lobby", tk % 9 + 1);
	if (p->dispatch) {
		a = act(p->dispatch, tk, "dispatch", "li.ming", "butler");
		kv(a, "technician=%s", techs[p->tech]);
		kv(a, "severity=%s", p->severity);
		if (p->team)
			kv(a, "team=%s", tech_team[p->tech]);
	}
	if (p->defer)
		act(p->defer, tk, "cannot_fix", techs[p->tech], "engineering");
	if (p->resume)
		act(p->resume, tk, "resume_work", techs[p->tech], "engineering");
	if (p->finish)
		act(p->finish, tk, "finish", techs[p->tech], "engineering");
	if (p->cancel) {
		a = act(p->cancel, tk, "cancel", "li.ming", "butler");
		kv(a, "reason=reported twice");
	}
	if (!oct)
		return;
	x_ticket("R17", cancelled);
	/* dispatch: 10 minutes from the report, stopped by the dispatch or
	 * the cancellation. */
	if (p->dispatch && (!p->cancel || p->dispatch < p->cancel))
		x_clock("R17", "r17_repair", "dispatch", p->open, p->open + 10 * MIN, p->dispatch, false);
	else
		x_clock("R17", "r17_repair", "dispatch", p->open, p->open + 10 * MIN, p->cancel, true);
	if (p->dispatch && (!p->cancel || p->dispatch < p->cancel)) {
		int64_t stop = first_of(p->finish, p->cancel);
		bool by_cancel = p->cancel && stop == p->cancel;
		const char *clock = strcmp(p->severity, "minor") == 0 ? "minor_repair"
				    : strcmp(p->severity, "moderate") == 0 ? "moderate_repair"
									  : "major_repair";
		int64_t due = strcmp(p->severity, "minor") == 0 ? p->dispatch + 60 * MIN
			      : wd_deadline(p->dispatch, strcmp(p->severity, "moderate") == 0 ? 3 : 15);

		if (p->defer) {
			/* Paused (minor only) with the time left; due that much
			 * after the resume; paused at the cut-off: pending. */
			ck_assert(strcmp(p->severity, "minor") == 0 && p->defer - p->dispatch < 60 * MIN);
			if (p->defer < NOV1 && (!p->resume || p->resume >= NOV1))
				x_verdict("R17", "r17_repair", clock, XV_PENDING, 0);
			else
				x_clock("R17", "r17_repair", clock, p->dispatch,
					p->resume + (p->dispatch + 60 * MIN - p->defer), stop, by_cancel);
		} else {
			x_clock("R17", "r17_repair", clock, p->dispatch, due, stop, by_cancel);
		}
		x_clock("R17", "r17_repair", "any_repair", p->dispatch, wd_deadline(p->dispatch, 30),
			stop, by_cancel);
	}
	if (!cancelled) {
		bool dispatched = p->dispatch && p->dispatch < NOV1;
		bool done = p->finish && p->finish < NOV1;
		struct xcount *t = xcount(xtech, &n_xtech, dispatched ? techs[p->tech] : "");
		struct xcount *m = xcount(xteam17, &n_xteam17,
					  dispatched && p->team ? tech_team[p->tech] : "");
		t->a += done;
		t->b++;
		m->a += done;
		m->b++;
	}
}

static void gen_r17(int day)
{
	struct r17 p = { .open = rnd_open(day), .tech = rnd_in(0, 4), .team = true,
			 .severity = "minor" };
	int s = rnd_in(0, 99);

	p.dispatch = p.open + rnd_avoid(1, 25, 10) * MIN;
	if (s < 45) {
		p.finish = p.dispatch + rnd_avoid(5, 100, 60) * MIN;
	} else if (s < 55) {
		int64_t due;
		p.severity = "moderate";
		due = wd_deadline(p.dispatch, 3);
		if (rnd() % 2)
			p.finish = p.dispatch + rnd_in(1, 30) * HOUR;
		else
			p.finish = due + rnd_in(1, 30) * HOUR;
		if (p.finish == due)
			p.finish += MIN;
	} else if (s < 60) {
		p.severity = "major";
		p.finish = p.dispatch + rnd_in(3 * 24, 25 * 24) * HOUR + 7 * MIN;
		if (p.finish == wd_deadline(p.dispatch, 15))
			p.finish += MIN;
	} else if (s < 68) {
		p.cancel = p.open + rnd_avoid(1, 30, 10) * MIN;
		p.dispatch = p.cancel < p.dispatch ? 0 : p.dispatch;
		if (p.dispatch)
			p.cancel = p.dispatch + rnd_in(5, 55) * MIN;
	} else if (s < 74) {
		p.cancel = p.dispatch + rnd_in(5, 55) * MIN;
	} else if (s < 82) {
		p.defer = p.dispatch + 20 * MIN;
		p.resume = p.defer + rnd_in(2, 48) * HOUR;
		p.finish = p.resume + rnd_avoid(5, 70, 40) * MIN;
	} else if (s < 86) {
		/* Deferred into November. */
		p.defer = p.dispatch + 20 * MIN;
		p.resume = T(33, 9, rnd_in(0, 59));
		p.finish = p.resume + 10 * MIN;
	} else {
		p.team = false;
		p.finish = p.dispatch + rnd_avoid(5, 100, 60) * MIN;
	}
	plan_r17(&p);
}

static const char *const satisfactions[] = { "satisfied", "very_satisfied", "neutral",
					     "dissatisfied", "满意", "不满意" };
static const bool satisfied[] = { true, true, false, false, true, false };

struct r26a {
	int64_t open, dispatch, arrive, slip, callback, close, cancel;
	int satisfaction;
};

static void plan_r26a(const struct r26a *p)
{
	int tk = new_ticket("r26a_home_repair");
	struct action *a;

	a = act(p->open, tk, "open", "wang.fang", "butler");
	kv(a, "unit=%d-%d0%d", tk % 12 + 1, tk % 30 + 1, tk % 4 + 1);
	if (p->dispatch) {
		a = act(p->dispatch, tk, "dispatch", "wang.fang", "butler");
		kv(a, "technician=%s", techs[tk % 5]);
	}
	if (p->arrive)
		act(p->arrive, tk, "arrive", techs[tk % 5], "engineering");
	if (p->slip) {
		a = act(p->slip, tk, "return_slip", techs[tk % 5], "engineering");
		kv(a, "job_slip=JS-%d", tk);
		kv(a, "paid=%s", tk % 3 ? "no" : "yes");
	}
	if (p->callback) {
		a = act(p->callback, tk, "call_back", "wang.fang", "butler");
		kv(a, "satisfaction=%s", satisfactions[p->satisfaction]);
	}
	if (p->close)
		act(p->close, tk, "close", "wang.fang", "butler");
	if (p->cancel) {
		a = act(p->cancel, tk, "cancel", "wang.fang", "butler");
		kv(a, "reason=resident fixed it");
	}
	/* Call-backs count in the month they are made, whatever the month
	 * the repair was reported in. */
	if (p->callback && in_oct(p->callback)) {
		x_called_back++;
		x_satisfied += satisfied[p->satisfaction];
	}
	if (!in_oct(p->open))
		return;
	x_ticket("R26a", p->cancel && p->cancel < NOV1);
	if (p->dispatch)
		x_clock("R26a", "r26a_home_repair", "dispatch", p->open, p->open + 2 * MIN, p->dispatch,
			false);
	else
		x_clock("R26a", "r26a_home_repair", "dispatch", p->open, p->open + 2 * MIN, p->cancel,
			true);
	x_clock("R26a", "r26a_home_repair", "at_door", p->dispatch, p->dispatch + 15 * MIN,
		p->arrive, false);
	x_clock("R26a", "r26a_home_repair", "callback", p->slip, p->slip + 8 * HOUR, p->callback,
		false);
}

static void gen_r26a(int day)
{
	struct r26a p = { .open = rnd_open(day), .satisfaction = rnd_in(0, 5) };

	if (rnd_in(0, 9) == 0) {
		p.cancel = p.open + (rnd() % 2 ? 1 : rnd_in(3, 5)) * MIN;
	} else {
		int64_t due;
		p.dispatch = p.open + rnd_in(0, 1) * 3 * MIN + MIN;  /* 1 or 4 minutes */
		p.arrive = p.dispatch + rnd_avoid(5, 25, 15) * MIN;
		p.slip = p.arrive + rnd_in(30, 180) * MIN;
		due = p.slip + 8 * HOUR;
		p.callback = p.slip + rnd_avoid(10, 720, 480) * MIN;
		ck_assert(p.callback != due);
		p.close = p.callback + 5 * MIN;
	}
	plan_r26a(&p);
}

static const char *const people[] = { "p.chen", "p.chen", "p.chen", "p.li", "p.li",
				      "p.wang", "p.zhao", "p.sun" };

static void plan_finding(const char *wf, const char *rule, int64_t open, const char *person,
			 int64_t rectify, int64_t withdraw)
{
	int tk = new_ticket(wf);
	struct action *a;

	a = act(open, tk, "open", "zhou.min", "cs_lead");
	kv(a, "responsible=%s", person);
	kv(a, "finding=%s", rule[2] == '1' ? "desk untidy" : "uniform not worn");
	if (rectify)
		act(rectify, tk, "rectify", person, "butler");
	if (withdraw) {
		a = act(withdraw, tk, "withdraw", "zhou.min", "cs_lead");
		kv(a, "reason=recorded by mistake");
	}
	if (!in_oct(open))
		return;
	x_ticket(rule, withdraw && withdraw < NOV1);
	x_clock(rule, wf, "rectify", open, open + 5 * MIN, first_of(rectify, withdraw),
		withdraw && !rectify);
	if (!(withdraw && withdraw < NOV1)) {
		struct xcount *c = xcount(xperson, &n_xperson, person);
		if (rule[2] == '1')
			c->a++;
		else
			c->b++;
	}
}

static void gen_finding(const char *wf, const char *rule, int day)
{
	int64_t open = rnd_open(day);
	const char *person = people[rnd_in(0, 7)];

	if (rnd_in(0, 9) == 0)
		plan_finding(wf, rule, open, person, 0, open + 2 * MIN);
	else
		plan_finding(wf, rule, open, person, open + rnd_avoid(1, 12, 5) * MIN, 0);
}

static const char *const teams16[] = { "engineering", "security", "cleaning" };

static void plan_r16(int64_t open, const char *team, int64_t fix_by, int64_t fix, int64_t follow,
		     int64_t cancel)
{
	int tk = new_ticket("r16_finding");
	char when[40];
	struct action *a;

	iso(fix_by, when, sizeof(when));
	a = act(open, tk, "open", "wang.fang", "butler");
	kv(a, "zone=%d#", tk % 4 + 1);
	kv(a, "team=%s", team);
	kv(a, "problem=broken railing");
	kv(a, "fix_by=%s", when);
	if (fix) {
		a = act(fix, tk, "fix", "head.liu", "team_head");
		kv(a, "action=repaired");
	}
	if (follow)
		act(follow, tk, "follow_up", "wang.fang", "butler");
	if (cancel) {
		a = act(cancel, tk, "cancel", "wang.fang", "butler");
		kv(a, "reason=duplicate");
	}
	if (!in_oct(open))
		return;
	x_ticket("R16", cancel && cancel < NOV1);
	x_clock("R16", "r16_finding", "fix", open, fix_by, first_of(fix, cancel), cancel && !fix);
	if (!(cancel && cancel < NOV1)) {
		struct xcount *c = xcount(xteam16, &n_xteam16, team);
		c->a += follow && follow < NOV1;
		c->b++;
	}
}

static void gen_r16(int day)
{
	int64_t open = rnd_open(day), fix_by = open + 24 * HOUR;
	const char *team = teams16[rnd_in(0, 2)];
	int s = rnd_in(0, 9);

	if (s == 0) {
		plan_r16(open, team, fix_by, 0, 0, open + HOUR);
	} else {
		int64_t fix = open + rnd_avoid(1, 40, 24) * HOUR + 3 * MIN;
		plan_r16(open, team, fix_by, fix, s == 1 ? 0 : fix + 2 * HOUR, 0);
	}
}

static const char *const butlers[] = { "b.gao", "b.he", "b.lin", "b.ma" };

/* A household visit or an opinion survey, recorded when it is made. */
static void plan_r18(const char *wf, int64_t open, const char *butler, int64_t file,
		     int64_t cancel)
{
	int tk = new_ticket(wf);
	bool visit = strcmp(wf, "r18_household_visit") == 0;
	struct action *a;

	a = act(open, tk, "open", butler, "butler");
	kv(a, "butler=%s", butler);
	kv(a, "unit=%d-%d", tk % 12 + 1, tk % 30 + 101);
	if (visit) {
		kv(a, "interview=IR-%d", tk);
	} else {
		kv(a, "method=%s", tk % 2 ? "phone" : "visit");
		kv(a, "opinion=lift too slow");
	}
	if (file) {
		a = act(file, tk, "file", butler, "butler");
		kv(a, "follow_up=none");
	}
	if (cancel) {
		a = act(cancel, tk, "cancel", "zhou.min", "cs_lead");
		kv(a, "reason=recorded in error");
	}
	if (!in_oct(open))
		return;
	x_ticket("R18", cancel && cancel < NOV1);
	if (!(cancel && cancel < NOV1)) {
		struct xcount *c = xcount(xbutler, &n_xbutler, butler);
		if (visit)
			c->a++;
		else
			c->b++;
	}
}

static void gen_r18(const char *wf, int day)
{
	int64_t open = rnd_open(day);
	const char *butler = butlers[rnd_in(0, 3)];

	if (rnd_in(0, 9) == 0)
		plan_r18(wf, open, butler, 0, open + 2 * HOUR);
	else
		plan_r18(wf, open, butler, open + HOUR, 0);
}

/* A new resident's visit, due within 3 working days of the move-in; it
 * counts for the butler in the month it is made. */
static void plan_nrv(int64_t open, const char *butler, int64_t visit, int64_t cancel)
{
	int tk = new_ticket("r18_new_resident_visit");
	struct action *a;

	a = act(open, tk, "open", butler, "butler");
	kv(a, "unit=%d-%d", tk % 12 + 1, tk % 30 + 201);
	if (visit) {
		a = act(visit, tk, "visit", butler, "butler");
		kv(a, "butler=%s", butler);
		kv(a, "interview=IR-N%d", tk);
	}
	if (cancel) {
		a = act(cancel, tk, "cancel", "zhou.min", "cs_lead");
		kv(a, "reason=declined");
	}
	if (visit && in_oct(visit))
		xcount(xbutler, &n_xbutler, butler)->c++;
	if (!in_oct(open))
		return;
	x_ticket("R18", cancel && cancel < NOV1);
	x_clock("R18", "r18_new_resident_visit", "visit", open, wd_deadline(open, 3),
		first_of(visit, cancel), cancel && !visit);
}

static void gen_nrv(int day)
{
	int64_t open = rnd_open(day);
	const char *butler = butlers[rnd_in(0, 3)];

	if (rnd_in(0, 9) == 0)
		plan_nrv(open, butler, 0, open + 3 * HOUR);
	else
		plan_nrv(open, butler, T(day + rnd_in(1, 7), 10, rnd_in(0, 59)), 0);
}

struct fee {
	int64_t open, remind, hand_over, paid, cancel;
	const char *household, *month, *amount;
};

static int64_t fen_of(const char *amount)
{
	long y = 0, f = 0;
	const char *dot = strchr(amount, '.');

	y = strtol(amount, NULL, 10);
	if (dot)
		f = strlen(dot + 1) == 1 ? 10 * strtol(dot + 1, NULL, 10) : strtol(dot + 1, NULL, 10);
	return (int64_t)y * 100 + f;
}

static void plan_fee(const struct fee *p)
{
	int tk = new_ticket("r21_fee_account");
	int64_t due = strcmp(p->month, "2026-10") == 0 ? T(28, 17, 30) : T(31 + 28, 17, 30);
	char when[40];
	struct action *a;

	iso(due, when, sizeof(when));
	a = act(p->open, tk, "open", "admin.qian", "admin_hr");
	kv(a, "household=%s", p->household);
	kv(a, "month=%s", p->month);
	kv(a, "amount=%s", p->amount);
	kv(a, "due_by=%s", when);
	if (p->remind) {
		a = act(p->remind, tk, "remind", "wang.fang", "butler");
		kv(a, "method=phone");
	}
	if (p->hand_over)
		act(p->hand_over, tk, "hand_over", "zhou.min", "cs_lead");
	if (p->paid)
		act(p->paid, tk, "paid", "wang.fang", "butler");
	if (p->cancel) {
		a = act(p->cancel, tk, "cancel", "zhou.min", "cs_lead");
		kv(a, "reason=opened in error");
	}
	if (strcmp(p->month, "2026-10") == 0 && !(p->cancel && p->cancel < NOV1)) {
		struct xcount *h = xcount(xhouse, &n_xhouse, p->household);
		bool paid = p->paid && p->paid < NOV1;
		h->a++;
		h->b += paid;
		x_accounts++;
		x_accounts_paid += paid;
		x_handed_over += p->hand_over && p->hand_over < NOV1;
		x_billed_fen += fen_of(p->amount);
		if (paid)
			x_paid_fen += fen_of(p->amount);
	}
	if (!in_oct(p->open))
		return;
	x_ticket("R21", p->cancel && p->cancel < NOV1);
	{
		int64_t stop = first_of(first_of(p->paid, p->hand_over), p->cancel);
		x_clock("R21", "r21_fee_account", "hand_over", p->open, due, stop,
			p->cancel && stop == p->cancel);
	}
}

static char households[128][8];
static char amounts[128][16];

static void gen_fees(void)
{
	for (int i = 0; i < 100; i++) {
		struct fee p = { .month = "2026-10" };
		int s = rnd_in(0, 99);

		snprintf(households[i], sizeof(households[0]), "h%03d", i + 1);
		snprintf(amounts[i], sizeof(amounts[0]), "%d%s", 180 + (i * 37) % 300,
			 i % 4 == 0 ? ".50" : i % 4 == 1 ? ".5" : "");
		p.household = households[i];
		p.amount = amounts[i];
		/* The first 40 accounts were opened on 09-30, the others on 10-01. */
		p.open = i < 40 ? T(0, 9, i) : T(1, 9, i - 40);
		if (s < 70) {
			p.paid = T(rnd_in(2, 27), rnd_in(8, 19), rnd_in(0, 59));
		} else if (s < 78) {
			p.paid = T(rnd_in(29, 31), rnd_in(8, 19), rnd_in(0, 59));
		} else if (s < 85) {
			p.remind = T(20, 10, 0);
			p.hand_over = T(28, 10, rnd_in(0, 59));
			if (s % 2)
				p.paid = T(30, 15, 0);
		} else if (s < 90) {
			p.remind = T(20, 10, 0);
			p.hand_over = T(29, 9, rnd_in(0, 59));
		} else if (s < 97) {
			p.paid = T(36, 10, rnd_in(0, 59));  /* in November */
		} else {
			p.cancel = T(3, 11, 0);
		}
		plan_fee(&p);
	}
	/* A second October account of h050, never paid: the household has
	 * not paid. */
	plan_fee(&(struct fee){ .open = T(15, 10, 0), .household = "h050", .month = "2026-10",
				.amount = "35" });
	/* September's bill, paid in October; November's, opened in October. */
	plan_fee(&(struct fee){ .open = T(0, 10, 0), .household = "h001", .month = "2026-09",
				.amount = "300", .paid = T(3, 10, 0) });
	plan_fee(&(struct fee){ .open = T(31, 12, 0), .household = "h002", .month = "2026-11",
				.amount = "300" });
}

static void generate(void)
{
	/* September: counted only where October's definitions say so. */
	plan_r17(&(struct r17){ .open = T(0, 10, 0), .dispatch = T(0, 10, 20), .severity = "minor",
				.finish = T(2, 9, 0), .team = true });
	plan_r26a(&(struct r26a){ .open = T(0, 14, 0), .dispatch = T(0, 14, 1),
				  .arrive = T(0, 14, 11), .slip = T(0, 15, 0),
				  .callback = T(1, 10, 0), .close = T(1, 10, 5), .satisfaction = 0 });
	plan_r26a(&(struct r26a){ .open = T(0, 9, 0), .dispatch = T(0, 9, 1), .arrive = T(0, 9, 11),
				  .slip = T(0, 10, 0), .callback = T(0, 16, 0), .satisfaction = 3 });
	plan_finding("r01_finding", "R01", T(0, 11, 0), "p.li", T(0, 11, 3), 0);
	plan_r18("r18_household_visit", T(0, 15, 0), "b.he", T(0, 16, 0), 0);
	plan_nrv(T(0, 10, 0), "b.he", T(8, 11, 0), 0);

	gen_fees();
	for (int day = 1; day <= 31; day++) {
		int n = rnd_in(3, 6);
		for (int i = 0; i < n; i++)
			gen_r17(day);
		n = rnd_in(1, 4);
		for (int i = 0; i < n; i++)
			gen_r26a(day);
		n = rnd_in(0, 2);
		for (int i = 0; i < n; i++)
			gen_finding("r01_finding", "R01", day);
		if (rnd_in(0, 1))
			gen_finding("r02_finding", "R02", day);
		n = rnd_in(0, 2);
		for (int i = 0; i < n; i++)
			gen_r16(day);
		n = rnd_in(0, 2);
		for (int i = 0; i < n; i++)
			gen_r18("r18_household_visit", day);
		n = rnd_in(0, 2);
		for (int i = 0; i < n; i++)
			gen_r18("r18_survey", day);
		if (day % 2)
			gen_nrv(day);
	}

	/* The end of the month, where "as of the cut-off" matters. */
	/* Not dispatched at 11-01 00:00: overdue by 50 minutes; pending. */
	plan_r17(&(struct r17){ .open = T(31, 23, 0), .dispatch = T(32, 9, 0), .severity = "minor",
				.finish = T(32, 9, 30), .tech = 2, .team = true });
	plan_r17(&(struct r17){ .open = T(31, 23, 55), .dispatch = T(32, 0, 3), .severity = "minor",
				.finish = T(32, 0, 40), .tech = 3, .team = true });
	/* Dispatched, minor repair overdue 1h55m at the cut-off, finished in
	 * November; another within its hour at the cut-off. */
	plan_r17(&(struct r17){ .open = T(31, 21, 0), .dispatch = T(31, 21, 5), .severity = "minor",
				.finish = T(33, 10, 0), .tech = 0, .team = true });
	plan_r17(&(struct r17){ .open = T(31, 23, 20), .dispatch = T(31, 23, 25),
				.severity = "minor", .finish = T(32, 0, 10), .tech = 1, .team = true });
	/* A major repair dispatched in October and cancelled in November:
	 * in October it was open, so it counts as not done. */
	plan_r17(&(struct r17){ .open = T(30, 9, 0), .dispatch = T(30, 9, 5), .severity = "major",
				.cancel = T(34, 9, 0), .tech = 4, .team = true });
	/* R26a: the call-back due before the cut-off, made in November. */
	plan_r26a(&(struct r26a){ .open = T(31, 10, 0), .dispatch = T(31, 10, 1),
				  .arrive = T(31, 10, 10), .slip = T(31, 11, 0),
				  .callback = T(32, 10, 0), .close = T(32, 10, 5), .satisfaction = 0 });
	plan_r26a(&(struct r26a){ .open = T(31, 18, 0), .dispatch = T(31, 18, 1),
				  .arrive = T(31, 18, 10), .slip = T(31, 19, 0),
				  .callback = T(32, 9, 0), .close = T(32, 9, 5), .satisfaction = 1 });
	/* Findings not put right at the cut-off. */
	plan_finding("r01_finding", "R01", T(31, 23, 50), "p.zhao", T(32, 0, 10), 0);
	plan_finding("r02_finding", "R02", T(31, 23, 58), "p.zhao", T(32, 0, 1), 0);
	/* A visit cancelled in November still counts for October. */
	plan_r18("r18_household_visit", T(20, 10, 0), "b.ma", 0, T(33, 10, 0));
	/* A new resident visited in November: not October's visit. */
	plan_nrv(T(29, 10, 0), "b.lin", T(34, 10, 0), 0);

	/* November: none of it is October's. */
	plan_r17(&(struct r17){ .open = T(33, 10, 0), .dispatch = T(33, 10, 30), .severity = "minor",
				.finish = T(33, 12, 0), .tech = 0, .team = true });
	plan_r26a(&(struct r26a){ .open = T(33, 11, 0), .dispatch = T(33, 11, 1),
				  .arrive = T(33, 11, 10), .slip = T(33, 12, 0),
				  .callback = T(33, 13, 0), .satisfaction = 2 });
	plan_finding("r01_finding", "R01", T(33, 9, 0), "p.chen", T(33, 9, 20), 0);
	plan_r18("r18_survey", T(33, 9, 0), "b.gao", 0, 0);

	/* A report in the middle of the month. */
	act(T(16, 0, 0), -1, "report", NULL, NULL);
}

/* ---------------------------------------------- the expected document */

static int cmp_xrule(const void *x, const void *y)
{
	return strcmp(((const struct xrule *)x)->rule, ((const struct xrule *)y)->rule);
}

static int cmp_xrow(const void *x, const void *y)
{
	const struct xrow *a = x, *b = y;
	int c = strcmp(a->rule, b->rule);

	if (!c)
		c = strcmp(a->workflow, b->workflow);
	return c ? c : strcmp(a->clock, b->clock);
}

static int cmp_xcount(const void *x, const void *y)
{
	return strcmp(((const struct xcount *)x)->key, ((const struct xcount *)y)->key);
}

static int cmp_late(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

	return (a > b) - (a < b);
}

/* Per mille, rounded half up, by hand. */
static void x_permille(struct gj_json *j, const char *key, uint32_t count, uint32_t of)
{
	gj_json_key(j, key);
	if (of == 0)
		gj_json_null(j);
	else
		gj_json_int(j, (int64_t)((count * 1000.0) / of + 0.5));
}

static void x_clocks_json(struct gj_json *j, struct xclocks *f, bool rule_row)
{
	if (rule_row) {
		gj_json_key(j, "tickets");
		gj_json_uint(j, f->tickets);
		gj_json_key(j, "cancelled");
		gj_json_uint(j, f->cancelled);
	}
	gj_json_key(j, "clocks");
	gj_json_uint(j, f->clocks);
	gj_json_key(j, "met");
	gj_json_uint(j, f->met);
	gj_json_key(j, "breached");
	gj_json_uint(j, f->breached);
	gj_json_key(j, "pending");
	gj_json_uint(j, f->pending);
	x_permille(j, "met_permille", f->met, f->met + f->breached);
	qsort(f->late, f->n_late, sizeof(f->late[0]), cmp_late);
	gj_json_key(j, "median_late_ms");
	if (f->n_late == 0)
		gj_json_null(j);
	else if (f->n_late % 2)
		gj_json_int(j, f->late[f->n_late / 2]);
	else
		gj_json_int(j, (f->late[f->n_late / 2 - 1] + f->late[f->n_late / 2]) / 2);
	gj_json_key(j, "worst_late_ms");
	if (f->n_late == 0)
		gj_json_null(j);
	else
		gj_json_int(j, f->late[f->n_late - 1]);
}

static void x_rates_json(struct gj_json *j, const char *key, const char *name, const char *count,
			 const char *of, struct xcount *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_xcount);
	gj_json_key(j, key);
	gj_json_array_begin(j);
	for (size_t i = 0; i < n; i++) {
		gj_json_object_begin(j);
		gj_json_key(j, name);
		gj_json_string(j, v[i].key);
		gj_json_key(j, count);
		gj_json_uint(j, v[i].a);
		gj_json_key(j, of);
		gj_json_uint(j, v[i].b);
		x_permille(j, "rate_permille", v[i].a, v[i].b);
		gj_json_object_end(j);
	}
	gj_json_array_end(j);
}

static uint32_t total(const struct xcount *v, size_t n, int which)
{
	uint32_t s = 0;

	for (size_t i = 0; i < n; i++)
		s += which ? v[i].b : v[i].a;
	return s;
}

static char *expected_json(void)
{
	struct gj_json *j;
	const char *text;
	uint32_t households_paid = 0;

	ck_assert_int_eq(gj_json_create(&j), 0);
	qsort(xrules, n_xrules, sizeof(xrules[0]), cmp_xrule);
	qsort(xrows, n_xrows, sizeof(xrows[0]), cmp_xrow);
	gj_json_object_begin(j);
	gj_json_key(j, "estate");
	gj_json_string(j, "main");
	gj_json_key(j, "month");
	gj_json_string(j, "2026-10");
	gj_json_key(j, "from");
	gj_json_string(j, "2026-10-01T00:00:00+08:00");
	gj_json_key(j, "to");
	gj_json_string(j, "2026-11-01T00:00:00+08:00");
	gj_json_key(j, "as_of");
	gj_json_string(j, "2026-11-01T00:00:00+08:00");
	gj_json_key(j, "complete");
	gj_json_bool(j, true);
	gj_json_key(j, "tickets");
	gj_json_uint(j, x_tickets);

	gj_json_key(j, "rules");
	gj_json_array_begin(j);
	for (size_t i = 0; i < n_xrules; i++) {
		gj_json_object_begin(j);
		gj_json_key(j, "rule");
		gj_json_string(j, xrules[i].rule);
		x_clocks_json(j, &xrules[i].f, true);
		gj_json_key(j, "by_clock");
		gj_json_array_begin(j);
		for (size_t k = 0; k < n_xrows; k++) {
			if (strcmp(xrows[k].rule, xrules[i].rule) != 0)
				continue;
			gj_json_object_begin(j);
			gj_json_key(j, "workflow");
			gj_json_string(j, xrows[k].workflow);
			gj_json_key(j, "clock");
			gj_json_string(j, xrows[k].clock);
			x_clocks_json(j, &xrows[k].f, false);
			gj_json_object_end(j);
		}
		gj_json_array_end(j);
		gj_json_object_end(j);
	}
	gj_json_array_end(j);

	gj_json_key(j, "r17_repairs");
	gj_json_object_begin(j);
	gj_json_key(j, "done");
	gj_json_uint(j, total(xtech, n_xtech, 0));
	gj_json_key(j, "repairs");
	gj_json_uint(j, total(xtech, n_xtech, 1));
	x_permille(j, "rate_permille", total(xtech, n_xtech, 0), total(xtech, n_xtech, 1));
	x_rates_json(j, "technicians", "technician", "done", "repairs", xtech, n_xtech);
	x_rates_json(j, "teams", "team", "done", "repairs", xteam17, n_xteam17);
	gj_json_object_end(j);

	gj_json_key(j, "r16_findings");
	gj_json_object_begin(j);
	gj_json_key(j, "resolved");
	gj_json_uint(j, total(xteam16, n_xteam16, 0));
	gj_json_key(j, "findings");
	gj_json_uint(j, total(xteam16, n_xteam16, 1));
	x_permille(j, "rate_permille", total(xteam16, n_xteam16, 0), total(xteam16, n_xteam16, 1));
	x_rates_json(j, "teams", "team", "resolved", "findings", xteam16, n_xteam16);
	gj_json_object_end(j);

	gj_json_key(j, "r26a_callbacks");
	gj_json_object_begin(j);
	gj_json_key(j, "called_back");
	gj_json_uint(j, x_called_back);
	gj_json_key(j, "satisfied");
	gj_json_uint(j, x_satisfied);
	x_permille(j, "rate_permille", x_satisfied, x_called_back);
	gj_json_object_end(j);

	qsort(xbutler, n_xbutler, sizeof(xbutler[0]), cmp_xcount);
	gj_json_key(j, "r18_butlers");
	gj_json_object_begin(j);
	gj_json_key(j, "minimum");
	gj_json_uint(j, 7);
	gj_json_key(j, "butlers");
	gj_json_array_begin(j);
	for (size_t i = 0; i < n_xbutler; i++) {
		gj_json_object_begin(j);
		gj_json_key(j, "butler");
		gj_json_string(j, xbutler[i].key);
		gj_json_key(j, "visits");
		gj_json_uint(j, xbutler[i].a);
		gj_json_key(j, "surveys");
		gj_json_uint(j, xbutler[i].b);
		gj_json_key(j, "new_resident_visits");
		gj_json_uint(j, xbutler[i].c);
		gj_json_key(j, "visits_short");
		gj_json_bool(j, xbutler[i].a < 7);
		gj_json_key(j, "surveys_short");
		gj_json_bool(j, xbutler[i].b < 7);
		gj_json_object_end(j);
	}
	gj_json_array_end(j);
	gj_json_object_end(j);

	qsort(xperson, n_xperson, sizeof(xperson[0]), cmp_xcount);
	gj_json_key(j, "r01_r02_findings");
	gj_json_object_begin(j);
	gj_json_key(j, "threshold");
	gj_json_uint(j, 5);
	gj_json_key(j, "points");
	gj_json_uint(j, 4);
	gj_json_key(j, "people");
	gj_json_array_begin(j);
	for (size_t i = 0; i < n_xperson; i++) {
		gj_json_object_begin(j);
		gj_json_key(j, "person");
		gj_json_string(j, xperson[i].key);
		gj_json_key(j, "r01");
		gj_json_uint(j, xperson[i].a);
		gj_json_key(j, "r02");
		gj_json_uint(j, xperson[i].b);
		gj_json_key(j, "deduction");
		gj_json_uint(j, (xperson[i].a >= 5 ? 4 : 0) + (xperson[i].b >= 5 ? 4 : 0));
		gj_json_object_end(j);
	}
	gj_json_array_end(j);
	gj_json_object_end(j);

	for (size_t i = 0; i < n_xhouse; i++)
		households_paid += xhouse[i].a == xhouse[i].b;
	gj_json_key(j, "r21_collection");
	gj_json_object_begin(j);
	gj_json_key(j, "month");
	gj_json_string(j, "2026-10");
	gj_json_key(j, "households");
	gj_json_uint(j, n_xhouse);
	gj_json_key(j, "households_paid");
	gj_json_uint(j, households_paid);
	x_permille(j, "rate_permille", households_paid, (uint32_t)n_xhouse);
	gj_json_key(j, "target_permille");
	gj_json_uint(j, 850);
	gj_json_key(j, "below_target");
	gj_json_bool(j, households_paid * 100 < 85 * n_xhouse);
	gj_json_key(j, "accounts");
	gj_json_uint(j, x_accounts);
	gj_json_key(j, "accounts_paid");
	gj_json_uint(j, x_accounts_paid);
	gj_json_key(j, "handed_over");
	gj_json_uint(j, x_handed_over);
	gj_json_key(j, "billed_fen");
	gj_json_int(j, x_billed_fen);
	gj_json_key(j, "paid_fen");
	gj_json_int(j, x_paid_fen);
	gj_json_object_end(j);
	gj_json_object_end(j);

	ck_assert_int_eq(gj_json_finish(j, &text, NULL), 0);
	char *copy = strdup(text);
	gj_json_destroy(j);
	return copy;
}

/* Equal, or say where they part. */
static void assert_same_json(const char *got, const char *want, const char *what)
{
	size_t i = 0;

	while (got[i] && got[i] == want[i])
		i++;
	if (got[i] == 0 && want[i] == 0)
		return;
	ck_abort_msg("%s differs at byte %zu:\n got  ...%.300s\n want ...%.300s", what, i,
		     got + (i > 120 ? i - 120 : 0), want + (i > 120 ? i - 120 : 0));
}

static char *report_json(void)
{
	int st;
	char *out = run_gj("report --month 2026-10 --json", &st);
	size_t n = strlen(out);

	ck_assert_msg(st == 0, "gj report --json exited %d: %s", st, out);
	ck_assert_msg(n > 0 && out[n - 1] == '\n' && !memchr(out, '\n', n - 1),
		      "not one line of JSON");
	out[n - 1] = 0;
	return out;
}

static void check_midmonth_report(void)
{
	char *out = report_json();

	ck_assert_ptr_nonnull(strstr(out, "\"as_of\":\"2026-10-16T00:00:00+08:00\",\"complete\":false,"));
	free(out);
}

/* One CSV line of 22 cells (NULL: empty), as the report writes it. */
static void csv_expect(const char *out, const char *const cells[22])
{
	char line[512] = "";

	for (int i = 0; i < 22; i++) {
		if (i)
			strcat(line, ",");
		if (cells[i])
			strcat(line, cells[i]);
	}
	strcat(line, "\n");
	ck_assert_msg(strstr(out, line), "no CSV line %s", line);
}

/* The CSV: a header, one row per figure; check the rule rows and R21's
 * against the tally (already sorted by expected_json()). */
static void check_csv(void)
{
	static const char header[] =
		"estate,month,section,rule,workflow,clock,subject,tickets,cancelled,clocks,met,"
		"breached,pending,pct_met,median_late_ms,worst_late_ms,count,of,rate_pct,threshold,"
		"deduction,flag\n";
	char num[16][24], *out, *p;
	size_t rows = 0;
	uint32_t households_paid = 0;
	int st, pm;

	out = run_gj("report --month 2026-10 --csv", &st);
	ck_assert_msg(st == 0, "gj report --csv exited %d", st);
	ck_assert_msg(strncmp(out, header, strlen(header)) == 0, "CSV header: %.300s", out);
	for (p = out; *p; p = strchr(p, '\n') + 1, rows++)
		ck_assert_ptr_nonnull(strchr(p, '\n'));
	snprintf(num[0], sizeof(num[0]), "%u", x_tickets);
	csv_expect(out, (const char *const[22]){ "main", "2026-10", "report", [7] = num[0],
						 [21] = "complete" });
	for (size_t i = 0; i < n_xrules; i++) {
		struct xclocks *f = &xrules[i].f;
		size_t n = f->n_late;

		snprintf(num[0], sizeof(num[0]), "%u", f->tickets);
		snprintf(num[1], sizeof(num[0]), "%u", f->cancelled);
		snprintf(num[2], sizeof(num[0]), "%u", f->clocks);
		snprintf(num[3], sizeof(num[0]), "%u", f->met);
		snprintf(num[4], sizeof(num[0]), "%u", f->breached);
		snprintf(num[5], sizeof(num[0]), "%u", f->pending);
		num[6][0] = num[7][0] = num[8][0] = 0;
		if (f->met + f->breached) {
			pm = (int)((f->met * 1000.0) / (f->met + f->breached) + 0.5);
			snprintf(num[6], sizeof(num[0]), "%d.%d", pm / 10, pm % 10);
		}
		if (n) {
			snprintf(num[7], sizeof(num[0]), "%lld",
				 (long long)(n % 2 ? f->late[n / 2] : (f->late[n / 2 - 1] + f->late[n / 2]) / 2));
			snprintf(num[8], sizeof(num[0]), "%lld", (long long)f->late[n - 1]);
		}
		csv_expect(out, (const char *const[22]){ "main", "2026-10", "rule", xrules[i].rule,
							 [7] = num[0], num[1], num[2], num[3], num[4],
							 num[5], num[6], num[7], num[8] });
	}
	for (size_t i = 0; i < n_xhouse; i++)
		households_paid += xhouse[i].a == xhouse[i].b;
	pm = (int)((households_paid * 1000.0) / n_xhouse + 0.5);
	snprintf(num[0], sizeof(num[0]), "%u", households_paid);
	snprintf(num[1], sizeof(num[0]), "%zu", n_xhouse);
	snprintf(num[2], sizeof(num[0]), "%d.%d", pm / 10, pm % 10);
	csv_expect(out, (const char *const[22]){ "main", "2026-10", "r21_collection", "R21",
						 [6] = "2026-10", [16] = num[0], num[1], num[2], "85",
						 [21] = households_paid * 100 < 85 * n_xhouse ? "below_target"
											      : NULL });
	/* header, report, rules, clocks, technicians, teams, total, R16 teams,
	 * total, R26a, three per butler, two per person, R21 */
	ck_assert_uint_eq(rows, 1 + 1 + n_xrules + n_xrows + n_xtech + n_xteam17 + 1 + n_xteam16 +
					1 + 1 + 3 * n_xbutler + 2 * n_xperson + 1);
	free(out);
}

START_TEST(october_report_matches_the_hand_tally_and_does_not_change)
{
	size_t next = 0;
	char *want, *got, *again, *text;
	int st;

	start_daemon();
	generate();
	qsort(acts, n_acts, sizeof(*acts), cmp_action);
	ck_assert_uint_ge(x_tickets, 300);

	/* October, then the report at the cut-off. */
	run_until(&next, NOV1);
	advance_to(NOV1);
	want = expected_json();
	got = report_json();
	assert_same_json(got, want, "the October report");

	check_csv();
	text = run_gj("report --month 2026-10", &st);
	ck_assert_int_eq(st, 0);
	if (getenv("GJ_TEST_SHOW_REPORT"))
		fprintf(stderr, "%s\n%s\n", text, got);
	ck_assert_ptr_nonnull(strstr(text, "Report of estate main for 2026-10"));
	ck_assert_ptr_nonnull(strstr(text, "the month is over: these figures stay as they are"));
	ck_assert_ptr_nonnull(strstr(text, "R21 fee collection, bills for 2026-10:"));
	free(text);

	/* The same twice, and after a November of activity. */
	again = report_json();
	assert_same_json(again, got, "the October report asked again");
	free(again);
	run_until(&next, INT64_MAX);
	advance_to(T(51, 12, 0)); /* 11-20 */
	again = report_json();
	assert_same_json(again, got, "the October report asked on 11-20");
	free(again);

	/* November's report has none of October's tickets. */
	text = run_gj("report --month 2026-11 --json", &st);
	ck_assert_int_eq(st, 0);
	ck_assert_ptr_nonnull(strstr(text, "\"complete\":false,\"tickets\":4,"));
	free(text);

	/* Usage errors. */
	free(run_gj("report --month 2026-13 2>/dev/null", &st));
	ck_assert_int_eq(st, 2);
	free(run_gj("report 2>/dev/null", &st));
	ck_assert_int_eq(st, 2);
	free(run_gj("report --month 2026-10 --csv --json 2>/dev/null", &st));
	ck_assert_int_eq(st, 2);
	free(want);
	free(got);
}
END_TEST

/* ------------------------------------------- report.c on its own */

static Guanjia__HistoryEntry *entry(int64_t at, const char *event, const char *from,
				    const char *to)
{
	Guanjia__HistoryEntry *e = calloc(1, sizeof(*e));

	guanjia__history_entry__init(e);
	e->at = at;
	e->event = (char *)event;
	e->from_state = (char *)from;
	e->to_state = (char *)to;
	return e;
}

static Guanjia__Clock *clock_of(const char *id, int state, int64_t started, int64_t deadline,
				int64_t stopped, bool breached, int64_t breached_at)
{
	Guanjia__Clock *c = calloc(1, sizeof(*c));

	guanjia__clock__init(c);
	c->id = (char *)id;
	c->rule = (char *)"R17";
	c->state = state;
	c->started_at = started;
	c->deadline = deadline;
	c->stopped_at = stopped;
	c->breached = breached;
	c->breached_at = breached_at;
	return c;
}

START_TEST(clock_verdicts_as_of_the_cut_off)
{
	Guanjia__Ticket t = GUANJIA__TICKET__INIT;
	Guanjia__HistoryEntry *h[3];
	Guanjia__Clock *c[6];
	struct gj_report *r;
	const struct gj_report_clocks *f;

	ck_assert_int_eq(gj_time_parse("2026-10-01T00:00:00+08:00", &OCT1), 0);
	NOV1 = OCT1 + 31 * DAY;
	t.id = 7;
	t.workflow = (char *)"r17_repair";
	t.rule = (char *)"R17";
	t.estate = (char *)"main";
	t.state = (char *)"done";
	t.closed = true;
	t.opened_at = T(10, 9, 0);
	t.updated_at = T(33, 9, 0);
	h[0] = entry(T(10, 9, 0), "open", "", "reported");
	h[1] = entry(T(10, 9, 5), "dispatch", "reported", "dispatched");
	h[2] = entry(T(33, 9, 0), "finish", "dispatched", "done");  /* after the cut-off */
	t.history = h;
	t.n_history = 3;
	/* Breached only after the cut-off (the daemon was down over it) but
	 * due before it: overdue at the cut-off, 1 hour. */
	c[0] = clock_of("a", GUANJIA__CLOCK_STATE__CLOCK_STOPPED, T(10, 9, 5), T(31, 23, 0), T(33, 9, 0),
			true, T(32, 8, 0));
	/* Stopped after the cut-off while paused, never breached, its stale
	 * deadline before the cut-off: pending. */
	c[1] = clock_of("b", GUANJIA__CLOCK_STATE__CLOCK_STOPPED, T(10, 9, 5), T(12, 9, 0), T(33, 9, 0),
			false, 0);
	/* Started after the cut-off: not counted. */
	c[2] = clock_of("c", GUANJIA__CLOCK_STATE__CLOCK_STOPPED, T(32, 1, 0), T(32, 2, 0), T(32, 3, 0),
			true, T(32, 2, 0));
	/* Stopped in October a day late. */
	c[3] = clock_of("d", GUANJIA__CLOCK_STATE__CLOCK_STOPPED, T(10, 9, 5), T(11, 9, 0), T(12, 9, 0),
			true, T(11, 9, 0));
	/* Never started. */
	c[4] = clock_of("e", GUANJIA__CLOCK_STATE__CLOCK_IDLE, 0, 0, 0, false, 0);
	/* Met in October. */
	c[5] = clock_of("f", GUANJIA__CLOCK_STATE__CLOCK_STOPPED, T(10, 9, 0), T(10, 9, 10), T(10, 9, 5),
			false, 0);
	t.clocks = c;
	t.n_clocks = 6;

	ck_assert_int_eq(gj_report_create("main", "2026-10", 480, T(40, 0, 0), &r), 0);
	ck_assert(r->complete);
	ck_assert_int_eq(r->as_of, NOV1);
	ck_assert(gj_report_concerns(r, &t));
	ck_assert_int_eq(gj_report_add(r, &t), 0);
	ck_assert_int_eq(gj_report_finish(r), 0);
	ck_assert_uint_eq(r->n_rules, 1);
	f = &r->rules[0].f;
	ck_assert_uint_eq(f->tickets, 1);
	ck_assert_uint_eq(f->clocks, 4);
	ck_assert_uint_eq(f->met, 1);
	ck_assert_uint_eq(f->breached, 2);
	ck_assert_uint_eq(f->pending, 1);
	ck_assert_int_eq(f->worst_late_ms, DAY);
	ck_assert_int_eq(f->median_late_ms, (DAY + HOUR) / 2);
	ck_assert_uint_eq(r->rules[0].n_rows, 4);
	/* Finished after the cut-off: not done in October. */
	ck_assert_uint_eq(r->r17_total.of, 1);
	ck_assert_uint_eq(r->r17_total.count, 0);
	gj_report_destroy(r);

	/* Cancelled in October: the clock the cancellation stopped is not
	 * counted, the one breached before it is; the repair is left out of
	 * the completion rate. */
	h[2]->at = T(12, 10, 0);
	h[2]->event = (char *)"cancel";
	h[2]->to_state = (char *)"cancelled";
	t.state = (char *)"cancelled";
	t.updated_at = T(12, 10, 0);
	c[1]->stopped_at = T(12, 10, 0);
	c[1]->deadline = T(13, 9, 0);
	c[0]->stopped_at = T(12, 10, 0);
	c[0]->deadline = T(11, 10, 0);
	c[0]->breached_at = T(11, 10, 0);
	t.n_clocks = 2;
	ck_assert_int_eq(gj_report_create("main", "2026-10", 480, T(40, 0, 0), &r), 0);
	ck_assert_int_eq(gj_report_add(r, &t), 0);
	ck_assert_int_eq(gj_report_finish(r), 0);
	f = &r->rules[0].f;
	ck_assert_uint_eq(f->cancelled, 1);
	ck_assert_uint_eq(f->clocks, 1);
	ck_assert_uint_eq(f->breached, 1);
	ck_assert_int_eq(f->worst_late_ms, DAY);
	ck_assert_uint_eq(r->r17_total.of, 0);
	gj_report_destroy(r);

	/* Another estate's ticket does not concern it. */
	ck_assert_int_eq(gj_report_create("demo", "2026-10", 480, T(40, 0, 0), &r), 0);
	ck_assert(!gj_report_concerns(r, &t));
	gj_report_destroy(r);
	for (int i = 0; i < 3; i++)
		free(h[i]);
	for (int i = 0; i < 6; i++)
		free(c[i]);
}
END_TEST

START_TEST(months_rates_and_amounts)
{
	int64_t from, to, x;

	ck_assert_int_eq(gj_report_month_bounds("2026-12", 480, &from, &to), 0);
	ck_assert_int_eq(gj_time_parse("2026-12-01T00:00:00+08:00", &x), 0);
	ck_assert_int_eq(from, x);
	ck_assert_int_eq(gj_time_parse("2027-01-01T00:00:00+08:00", &x), 0);
	ck_assert_int_eq(to, x);
	ck_assert_int_eq(gj_report_month_bounds("2026-13", 480, &from, &to), -EINVAL);
	ck_assert_int_eq(gj_report_month_bounds("2026-1", 480, &from, &to), -EINVAL);
	ck_assert_int_eq(gj_report_month_bounds("2026/10", 480, &from, &to), -EINVAL);
	ck_assert_int_eq(gj_report_month_bounds("20x6-10", 480, &from, &to), -EINVAL);

	ck_assert_int_eq(gj_report_permille(1, 3), 333);
	ck_assert_int_eq(gj_report_permille(2, 3), 667);
	ck_assert_int_eq(gj_report_permille(1, 16), 63);   /* 62.5 rounds up */
	ck_assert_int_eq(gj_report_permille(17, 20), 850);
	ck_assert_int_eq(gj_report_permille(0, 0), -1);

	ck_assert(gj_report_satisfied("satisfied"));
	ck_assert(gj_report_satisfied("Very_Satisfied"));
	ck_assert(gj_report_satisfied("满意"));
	ck_assert(!gj_report_satisfied("不满意"));
	ck_assert(!gj_report_satisfied("neutral"));
	ck_assert(!gj_report_satisfied(NULL));

	ck_assert_int_eq(parse_amount("320", &x), 0);
	ck_assert_int_eq(x, 32000);
	ck_assert_int_eq(parse_amount("320.5", &x), 0);
	ck_assert_int_eq(x, 32050);
	ck_assert_int_eq(parse_amount(" 0.05 ", &x), 0);
	ck_assert_int_eq(x, 5);
	ck_assert_int_eq(parse_amount("3.456", &x), -EINVAL);
	ck_assert_int_eq(parse_amount("", &x), -EINVAL);
	ck_assert_int_eq(parse_amount("12a", &x), -EINVAL);
	ck_assert_int_eq(parse_amount("12.", &x), -EINVAL);
}
END_TEST

static void setup(void)
{
	it_setup();
	ck_assert_int_eq(gj_time_parse("2026-10-01T00:00:00+08:00", &OCT1), 0);
	NOV1 = OCT1 + 31 * DAY;
}

static void teardown(void)
{
	it_teardown();  /* the workflows are in its directory */
	free(acts);
	acts = NULL;
	n_acts = cap_acts = 0;
}

static Suite *report_suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("month");
	TCase *unit = tcase_create("unit");

	tcase_set_timeout(tc, 300);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, october_report_matches_the_hand_tally_and_does_not_change);
	suite_add_tcase(s, tc);
	tcase_add_test(unit, clock_verdicts_as_of_the_cut_off);
	tcase_add_test(unit, months_rates_and_amounts);
	suite_add_tcase(s, unit);
	return s;
}

int main(void)
{
	return it_run(report_suite());
}
