/*
 * generator.c - the `generator` plugin: opens the rulebook's recurring
 * tickets on a schedule, in each estate's time zone and on its working-day
 * calendar, and the tickets some events call for (docs/generators.md).
 *
 * Scheduled (one plugin timer, "tick", armed for the next instant of any
 * schedule of any estate served):
 *   r01, r02          every working day, 5 minutes before work: the office
 *                     and appearance 9S checks;
 *   r03               every Friday that is worked, 14:00: the signage round
 *                     (round_until 16:00);
 *   r12               monthly: the vacant-unit key count;
 *   r13, r14, r25     monthly, per unit: entrusted (free), vacant finished,
 *                     paid entrusted (two airings and a cleaning);
 *   r15               every second month, per vacant shell unit;
 *   r16               the patrol days of each week (default Monday and
 *                     Thursday; a day off moves to the next free working
 *                     day of the week), per zone;
 *   r18_register      every working day before work: the guard-post
 *                     registers read;
 *   r18_minimum       on the 1st: the 7 household visits and 7 surveys of
 *                     each butler in the month before, published as a
 *                     notice;
 *   r21_accounts      on the 1st: one fee account per household;
 *   r21_hand_over     on the 28th: the month's unpaid accounts handed over
 *                     to the manager (event hand_over, as the cs_lead);
 *   r22               on the 21st: the month's internal statistics;
 *   r23_meeting       a week before the meeting of the 15th, moved to the
 *                     nearest working day;
 *   r23_brief, r24_index  on the 1st, due by the 5th;
 *   r24_filing        every working day: the daily filing;
 *   r24_backup        on the 23rd, due by the 30th;
 *   r26b              every January: the residents' guide;
 *   r27_plan          every November: next year's community-event plan;
 *   r27_event         30 days before each event of the estate's plan;
 *   r28a              on the 5th working day before each public holiday,
 *                     per non-resident owner: the holiday concierge.
 * On events (in the transaction of the event):
 *   storm             a special event (r28b_special_event, r28b_dispute)
 *                     opened as a typhoon or rainstorm opens the storm round:
 *                     R13 and R25 units (priority 1), R14 (2), R15 (3);
 *   r18_visit         a move-in (R05, R06, R07) completed opens the visit
 *                     to the new resident (3 working days).
 *
 * Exactly once: every occurrence has a key ("r01:main:2026-10-09"), kept
 * with kv_put in the transaction that opens its ticket, and written on the
 * ticket as `occurrence`.  The stored value "last" is the instant up to
 * which every occurrence was handled; on_start and on_timer handle every
 * occurrence in (last, now] and re-arm the timer.  One handled more than
 * late_after after its instant (the daemon was down) gets
 * `generated_late=true` and `scheduled_for`.  On the very first start
 * nothing before now is opened.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_util.h"

#define PLUGIN_NAME "generator"

/* The plugin timer and the stored instant up to which all is done. */
static const char TICK[] = "tick";
static const char LAST_KEY[] = "last";

/* Longest key kv_put takes (2 * GJ_MAX_NAME), and the longest we build. */
#define KV_KEY_MAX 128
#define OCC_KEY_LEN 256
/* Items of the estate lists (units, zones, owners, butlers). */
#define ITEM_MAX 40
/* How far ahead the next instant is looked for, in days. */
#define HORIZON_DAYS 400
/* How far the calendar walks go (a holiday, a make-up day). */
#define WALK_DAYS 60
/* Day-kind cache per estate (direct-mapped). */
#define DK_CACHE 1024

enum sched {
	S_R01, S_R02, S_R03, S_R12, S_R13, S_R14, S_R15, S_R16, S_R18_REGISTER,
	S_R18_MINIMUM, S_R21_ACCOUNTS, S_R21_HAND_OVER, S_R22, S_R23_MEETING,
	S_R23_BRIEF, S_R24_INDEX, S_R24_FILING, S_R24_BACKUP, S_R25, S_R26B,
	S_R27_PLAN, S_R27_EVENT, S_R28A, S_STORM, S_R18_VISIT,
	N_SCHED
};

static const struct sched_def {
	const char *id;         /* name in the configuration and in keys */
	const char *workflow;   /* default workflow, NULL when none is opened */
	const char *at;         /* default time of day, NULL: from work start */
	uint32_t day;           /* default day of the month, 0: none */
} defs[N_SCHED] = {
	[S_R01] = { "r01", "r01_office_check", NULL, 0 },
	[S_R02] = { "r02", "r02_appearance_check", NULL, 0 },
	[S_R03] = { "r03", "r03_signage_round", "14:00", 0 },
	[S_R12] = { "r12", "r12_key_count", "09:00", 1 },
	[S_R13] = { "r13", "r13_entrusted_inspection", "09:00", 1 },
	[S_R14] = { "r14", "r14_vacant_finished_inspection", "09:00", 1 },
	[S_R15] = { "r15", "r15_vacant_shell_inspection", "09:00", 1 },
	[S_R16] = { "r16", "r16_patrol", NULL, 0 },
	[S_R18_REGISTER] = { "r18_register", "r18_register_read", NULL, 0 },
	[S_R18_MINIMUM] = { "r18_minimum", NULL, "09:00", 1 },
	[S_R21_ACCOUNTS] = { "r21_accounts", "r21_fee_account", "09:00", 1 },
	[S_R21_HAND_OVER] = { "r21_hand_over", "r21_fee_account", "16:00", 28 },
	[S_R22] = { "r22", "r22_statistics", "09:00", 21 },
	[S_R23_MEETING] = { "r23_meeting", "r23_monthly_meeting", "09:00", 15 },
	[S_R23_BRIEF] = { "r23_brief", "r23_quality_brief", "09:00", 1 },
	[S_R24_INDEX] = { "r24_index", "r24_index_update", "09:00", 1 },
	[S_R24_FILING] = { "r24_filing", "r24_daily_filing", NULL, 0 },
	[S_R24_BACKUP] = { "r24_backup", "r24_backup", "09:00", 23 },
	[S_R25] = { "r25", "r25_paid_entrusted_service", "09:00", 0 },
	[S_R26B] = { "r26b", "r26b_guide_update", "09:00", 1 },
	[S_R27_PLAN] = { "r27_plan", "r27_event_plan", "09:00", 15 },
	[S_R27_EVENT] = { "r27_event", "r27_community_event", "09:00", 0 },
	[S_R28A] = { "r28a", "r28a_holiday_contact", "09:00", 0 },
	[S_STORM] = { "storm", NULL, NULL, 0 },
	[S_R18_VISIT] = { "r18_visit", "r18_new_resident_visit", NULL, 0 },
};

enum rest_rule { REST_NEXT, REST_PREVIOUS, REST_KEEP };

/* R25 visits: which service, on which day of the month. */
struct r25_visit {
	const char *service;    /* airing or cleaning */
	uint32_t day;
	unsigned nth;           /* airing1, airing2, ... */
};

/* One of the storm round's four lists. */
enum storm_list { ST_R13, ST_R25, ST_R14, ST_R15, N_ST };

struct estate {
	const char *id;
	uint32_t on;                    /* bit per enum sched */
	int32_t work_start, day_close;  /* minutes after midnight */
	int32_t offset;                 /* minutes east of UTC */
	bool offset_known;
	struct gj_pu_list units[N_ST];  /* entrusted_free, entrusted_paid, vacant_finished, vacant_shell */
	struct gj_pu_list zones, butlers, owners, fee_accounts, events;
	bool dk_broken;                 /* its calendar failed: logged once */
	int64_t dk_day[DK_CACHE];
	int8_t dk_kind[DK_CACHE];
};

struct generator {
	struct gj_pu_host h;
	struct estate *estates;
	size_t n_estates;
	const char *workflow[N_SCHED];
	int32_t at[N_SCHED];            /* minutes; -1: from work start */
	uint32_t day[N_SCHED];
	uint32_t months[N_SCHED];       /* bit m (1..12) */
	int32_t work_start, day_close;
	enum rest_rule rest_rule;
	int64_t catch_up_ms, late_ms;
	int64_t before_work[N_SCHED];   /* r01, r02, r18_register */
	int32_t r03_until;
	int r03_wday;
	bool r03_rest_days;
	int patrol_wdays[7];
	int n_patrol;
	bool register_per_butler;
	uint32_t min_visits, min_surveys;
	const char *visit_workflow, *survey_workflow;
	struct gj_pu_list minimum_skip_states;
	const char *hand_over_event, *hand_over_role, *unpaid_state;
	bool hand_over_fire;
	uint32_t r22_due_day;
	int32_t meeting_time;
	uint32_t meeting_open_days;
	bool meeting_prefer_later;
	uint32_t brief_due_day, index_due_day, backup_due_day;
	struct r25_visit r25[8];
	size_t n_r25;
	uint32_t r27_submit_day;
	uint32_t r27_open_days, r27_plan_days;
	uint32_t r28a_wd;
	struct gj_pu_list storm_workflows, storm_fields, storm_kinds;
	int64_t storm_within[3];
	struct gj_pu_list move_in_workflows, done_states;
	/* Workflows whose opening was refused, each logged once. */
	char **refused;
	size_t n_refused;
};

/* --- configuration --------------------------------------------------- */

static int bad(const struct generator *g, const char *key, const char *value, const char *why)
{
	g->h.api->log(g->h.ctx, GJ_PLUGIN_LOG_ERR, "%s: \"%s\" %s", key, value ? value : "", why);
	return -EINVAL;
}

static int cfg_hhmm(const struct generator *g, const char *key, const char *def, int32_t *ret)
{
	const char *v = g->h.api->config_get(g->h.ctx, key);

	if (!v)
		v = def;
	if (gj_pu_parse_hhmm(v, ret) < 0)
		return bad(g, key, v, "is not a time of day (write HH:MM, e.g. \"08:30\")");
	return 0;
}

static int cfg_uint(const struct generator *g, const char *key, uint32_t def, uint32_t min,
		    uint32_t max, uint32_t *ret)
{
	return gj_pu_cfg_uint(&g->h, key, def, min, max, ret);
}

static int cfg_duration(const struct generator *g, const char *key, const char *def,
			int64_t *ret)
{
	return gj_pu_cfg_duration(&g->h, key, def, 0, ret);
}

static int cfg_bool(const struct generator *g, const char *key, bool def, bool *ret)
{
	const char *v = g->h.api->config_get(g->h.ctx, key);

	if (!v)
		*ret = def;
	else if (strcmp(v, "true") == 0)
		*ret = true;
	else if (strcmp(v, "false") == 0)
		*ret = false;
	else
		return bad(g, key, v, "is not true or false");
	return 0;
}

/* A list of free text items (units, zones, owners, butlers): each 1 to
 * ITEM_MAX bytes, no ':' (occurrence keys are built from them). */
static int cfg_items(const struct generator *g, const char *key, size_t max_len, bool colon_ok,
		     struct gj_pu_list *ret)
{
	const char *v = g->h.api->config_get(g->h.ctx, key);
	size_t i, j;
	int r;

	r = gj_pu_list_parse(ret, v);
	if (r == -EINVAL)
		return bad(g, key, v, "has an empty item (write a list, e.g. [\"1-101\", \"1-102\"])");
	if (r < 0)
		return r;
	for (i = 0; i < ret->n; i++) {
		const char *s = ret->items[i];
		bool ok = strlen(s) <= max_len;
		for (j = 0; ok && s[j]; j++)
			ok = (unsigned char)s[j] >= 0x20 && s[j] != 0x7f && (colon_ok || s[j] != ':');
		if (!ok) {
			char why[160];
			snprintf(why, sizeof(why), "is not a valid item: at most %zu bytes, no "
				 "control characters%s", max_len, colon_ok ? "" : ", no ':'");
			bad(g, key, s, why);
			gj_pu_list_finish(ret);
			return -EINVAL;
		}
	}
	return 0;
}

/* A list of whole numbers min..max. */
static int cfg_numbers(const struct generator *g, const char *key, const char *def, uint32_t min,
		       uint32_t max, uint32_t *ret, size_t cap, size_t *ret_n)
{
	const char *v = g->h.api->config_get(g->h.ctx, key);
	struct gj_pu_list l;
	size_t i;
	int r;

	if (!v)
		v = def;
	r = gj_pu_list_parse(&l, v);
	if (r < 0)
		return r == -EINVAL ? bad(g, key, v, "has an empty item") : r;
	if (l.n > cap) {
		gj_pu_list_finish(&l);
		return bad(g, key, v, "has too many items");
	}
	for (i = 0; i < l.n; i++)
		if (gj_pu_parse_uint(l.items[i], max, &ret[i]) < 0 || ret[i] < min) {
			char why[96];
			snprintf(why, sizeof(why), "has an item that is not a whole number from %u to %u",
				 (unsigned)min, (unsigned)max);
			gj_pu_list_finish(&l);
			return bad(g, key, v, why);
		}
	*ret_n = l.n;
	gj_pu_list_finish(&l);
	return 0;
}

static int cfg_months(const struct generator *g, const char *key, const char *def,
		      uint32_t *ret_mask)
{
	uint32_t m[12];
	size_t n, i;
	int r = cfg_numbers(g, key, def, 1, 12, m, 12, &n);

	if (r < 0)
		return r;
	*ret_mask = 0;
	for (i = 0; i < n; i++)
		*ret_mask |= 1u << m[i];
	return 0;
}

static int sched_named(const char *s)
{
	int i;

	for (i = 0; i < N_SCHED; i++)
		if (strcmp(defs[i].id, s) == 0)
			return i;
	return -1;
}

static int cfg_schedules(const struct generator *g, const char *key, uint32_t def,
			 uint32_t *ret)
{
	const char *v = g->h.api->config_get(g->h.ctx, key);
	struct gj_pu_list l;
	size_t i;
	int r, s;

	if (!v) {
		*ret = def;
		return 0;
	}
	r = gj_pu_list_parse(&l, v);
	if (r < 0)
		return r == -EINVAL ? bad(g, key, v, "has an empty item") : r;
	*ret = 0;
	for (i = 0; i < l.n; i++) {
		s = sched_named(l.items[i]);
		if (s < 0) {
			bad(g, key, l.items[i], "is not a schedule (see docs/generators.md: r01, r02, "
			    "r03, r12, r13, r14, r15, r16, r18_register, r18_minimum, r21_accounts, "
			    "r21_hand_over, r22, r23_meeting, r23_brief, r24_index, r24_filing, "
			    "r24_backup, r25, r26b, r27_plan, r27_event, r28a, storm, r18_visit)");
			gj_pu_list_finish(&l);
			return -EINVAL;
		}
		*ret |= 1u << s;
	}
	gj_pu_list_finish(&l);
	return 0;
}

static const char *const unit_keys[N_ST] = {
	[ST_R13] = "entrusted_free", [ST_R25] = "entrusted_paid",
	[ST_R14] = "vacant_finished", [ST_R15] = "vacant_shell",
};

static int read_estate(struct generator *g, struct estate *e, uint32_t all)
{
	char key[192];
	int r = 0, i;

	e->offset = 480;
#define KEY(k) (snprintf(key, sizeof(key), "estates.%s." k, e->id), key)
	if ((r = cfg_schedules(g, KEY("schedules"), all, &e->on)) < 0)
		return r;
	{
		char def[16];
		snprintf(def, sizeof(def), "%02d:%02d", g->work_start / 60, g->work_start % 60);
		if ((r = cfg_hhmm(g, KEY("work_start"), def, &e->work_start)) < 0)
			return r;
		snprintf(def, sizeof(def), "%02d:%02d", g->day_close / 60, g->day_close % 60);
		if ((r = cfg_hhmm(g, KEY("day_close"), def, &e->day_close)) < 0)
			return r;
	}
	for (i = 0; i < N_ST; i++) {
		snprintf(key, sizeof(key), "estates.%s.%s", e->id, unit_keys[i]);
		if ((r = cfg_items(g, key, ITEM_MAX, false, &e->units[i])) < 0)
			return r;
	}
	if ((r = cfg_items(g, KEY("zones"), ITEM_MAX, false, &e->zones)) < 0 ||
	    (r = cfg_items(g, KEY("butlers"), ITEM_MAX, false, &e->butlers)) < 0 ||
	    (r = cfg_items(g, KEY("non_resident_owners"), 2 * ITEM_MAX + 1, false,
			   &e->owners)) < 0 ||
	    (r = cfg_items(g, KEY("fee_accounts"), 2 * ITEM_MAX + 1, false, &e->fee_accounts)) < 0 ||
	    (r = cfg_items(g, KEY("community_events"), 256, true, &e->events)) < 0)
		return r;
#undef KEY
	/* Each item "left=right" keeps its left part within ITEM_MAX. */
	for (size_t k = 0; k < e->owners.n + e->fee_accounts.n; k++) {
		const char *s = k < e->owners.n ? e->owners.items[k]
						: e->fee_accounts.items[k - e->owners.n];
		const char *eq = strchr(s, '=');
		if ((eq ? (size_t)(eq - s) : strlen(s)) > ITEM_MAX || eq == s) {
			snprintf(key, sizeof(key), "estates.%s.%s", e->id,
				 k < e->owners.n ? "non_resident_owners" : "fee_accounts");
			return bad(g, key, s, "is not NAME or NAME=VALUE with a NAME of 1 to 40 bytes");
		}
		if (k >= e->owners.n && !eq) {
			snprintf(key, sizeof(key), "estates.%s.fee_accounts", e->id);
			return bad(g, key, s, "needs the amount: HOUSEHOLD=AMOUNT, e.g. \"1-101=320.00\"");
		}
	}
	/* Community events: "YYYY-MM-DDTHH:MM activity". */
	for (size_t k = 0; k < e->events.n; k++) {
		const char *s = e->events.items[k];
		const char *sp = strchr(s, ' ');
		char when[40];
		int64_t days;
		int32_t min;
		if (!sp || sp - s != 16 || gj_pu_blank(sp)) {
			snprintf(key, sizeof(key), "estates.%s.community_events", e->id);
			return bad(g, key, s, "is not \"YYYY-MM-DDTHH:MM what\", e.g. "
				   "\"2026-11-14T15:00 Autumn tea party\"");
		}
		memcpy(when, s, 10);
		when[10] = 0;
		if (gj_pu_parse_date(when, &days) < 0 || s[10] != 'T' ||
		    (memcpy(when, s + 11, 5), when[5] = 0, gj_pu_parse_hhmm(when, &min) < 0)) {
			snprintf(key, sizeof(key), "estates.%s.community_events", e->id);
			return bad(g, key, s, "does not start with a date and time YYYY-MM-DDTHH:MM");
		}
	}
	return 0;
}

static int read_config(struct generator *g)
{
	struct gj_pu_list serve = { 0 }, days = { 0 };
	uint32_t all = 0, airing[4], cleaning[4];
	size_t n_airing = 0, n_cleaning = 0, i;
	char key[96];
	const char *v;
	int r, s;

	for (s = 0; s < N_SCHED; s++)
		all |= 1u << s;
	/* Estate ids may hold '-' too (a-z, 0-9, _ and -, at most 48). */
	v = g->h.api->config_get(g->h.ctx, "serve");
	if ((r = gj_pu_list_parse(&serve, v ? v : "")) < 0)
		return r;
	for (size_t k = 0; k < serve.n; k++) {
		const char *c = serve.items[k];
		size_t len = strspn(c, "abcdefghijklmnopqrstuvwxyz0123456789_-");
		if (len == 0 || c[len] || len > 48) {
			r = bad(g, "serve", c, "is not an estate id (a-z, 0-9, _ and -, at most 48)");
			goto out;
		}
	}
	if ((r = cfg_schedules(g, "schedules", all, &all)) < 0 ||
	    (r = cfg_hhmm(g, "work_start", "08:30", &g->work_start)) < 0 ||
	    (r = cfg_hhmm(g, "day_close", "17:30", &g->day_close)) < 0 ||
	    (r = cfg_duration(g, "catch_up_limit", "35d", &g->catch_up_ms)) < 0 ||
	    (r = cfg_duration(g, "late_after", "1m", &g->late_ms)) < 0)
		goto out;
	v = g->h.api->config_get(g->h.ctx, "rest_day_deadline");
	if (!v || strcmp(v, "next_working_day") == 0)
		g->rest_rule = REST_NEXT;
	else if (strcmp(v, "previous_working_day") == 0)
		g->rest_rule = REST_PREVIOUS;
	else if (strcmp(v, "keep") == 0)
		g->rest_rule = REST_KEEP;
	else {
		r = bad(g, "rest_day_deadline", v, "is not next_working_day, previous_working_day "
			"or keep");
		goto out;
	}

	/* Per schedule: the workflow, the time of day, the day of the month. */
	for (s = 0; s < N_SCHED; s++) {
		g->at[s] = -1;
		if (defs[s].workflow) {
			snprintf(key, sizeof(key), "%s.workflow", defs[s].id);
			if ((r = gj_pu_cfg_name(&g->h, key, defs[s].workflow, &g->workflow[s])) < 0)
				goto out;
		}
		snprintf(key, sizeof(key), "%s.at", defs[s].id);
		if (defs[s].at || g->h.api->config_get(g->h.ctx, key))
			if ((r = cfg_hhmm(g, key, defs[s].at, &g->at[s])) < 0)
				goto out;
		snprintf(key, sizeof(key), "%s.day", defs[s].id);
		if ((r = cfg_uint(g, key, defs[s].day, defs[s].day ? 1 : 0, 31, &g->day[s])) < 0)
			goto out;
		snprintf(key, sizeof(key), "%s.months", defs[s].id);
		if ((r = cfg_months(g, key,
				    s == S_R15 ? "2,4,6,8,10,12" :
				    s == S_R26B ? "1" : s == S_R27_PLAN ? "11" :
				    "1,2,3,4,5,6,7,8,9,10,11,12", &g->months[s])) < 0)
			goto out;
	}
	if ((r = cfg_duration(g, "r01.before_work", "5m", &g->before_work[S_R01])) < 0 ||
	    (r = cfg_duration(g, "r02.before_work", "5m", &g->before_work[S_R02])) < 0 ||
	    (r = cfg_duration(g, "r18_register.before_work", "1h",
			      &g->before_work[S_R18_REGISTER])) < 0 ||
	    (r = cfg_hhmm(g, "r03.until", "16:00", &g->r03_until)) < 0 ||
	    (r = cfg_bool(g, "r03.on_rest_days", false, &g->r03_rest_days)) < 0 ||
	    (r = cfg_bool(g, "r18_register.per_butler", true, &g->register_per_butler)) < 0 ||
	    (r = cfg_uint(g, "r18_minimum.visits", 7, 0, 1000, &g->min_visits)) < 0 ||
	    (r = cfg_uint(g, "r18_minimum.surveys", 7, 0, 1000, &g->min_surveys)) < 0 ||
	    (r = gj_pu_cfg_name(&g->h, "r18_minimum.visit_workflow", "r18_household_visit",
				&g->visit_workflow)) < 0 ||
	    (r = gj_pu_cfg_name(&g->h, "r18_minimum.survey_workflow", "r18_survey",
				&g->survey_workflow)) < 0 ||
	    (r = gj_pu_cfg_list(&g->h, "r18_minimum.skip_states", "cancelled", false,
				&g->minimum_skip_states)) < 0 ||
	    (r = gj_pu_cfg_name(&g->h, "r21_hand_over.event", "hand_over",
				&g->hand_over_event)) < 0 ||
	    (r = gj_pu_cfg_name(&g->h, "r21_hand_over.role", "cs_lead", &g->hand_over_role)) < 0 ||
	    (r = gj_pu_cfg_name(&g->h, "r21_hand_over.state", "unpaid", &g->unpaid_state)) < 0 ||
	    (r = cfg_bool(g, "r21_hand_over.fire", true, &g->hand_over_fire)) < 0 ||
	    (r = cfg_uint(g, "r22.due_day", 5, 1, 31, &g->r22_due_day)) < 0 ||
	    (r = cfg_hhmm(g, "r23_meeting.time", "14:00", &g->meeting_time)) < 0 ||
	    (r = cfg_uint(g, "r23_meeting.open_days_before", 7, 0, 28,
			  &g->meeting_open_days)) < 0 ||
	    (r = cfg_bool(g, "r23_meeting.prefer_later", false, &g->meeting_prefer_later)) < 0 ||
	    (r = cfg_uint(g, "r23_brief.due_day", 5, 1, 31, &g->brief_due_day)) < 0 ||
	    (r = cfg_uint(g, "r24_index.due_day", 5, 1, 31, &g->index_due_day)) < 0 ||
	    (r = cfg_uint(g, "r24_backup.due_day", 30, 1, 31, &g->backup_due_day)) < 0 ||
	    (r = cfg_uint(g, "r27_plan.submit_day", 5, 1, 31, &g->r27_submit_day)) < 0 ||
	    (r = cfg_uint(g, "r27_event.open_days_before", 30, 1, 365, &g->r27_open_days)) < 0 ||
	    (r = cfg_uint(g, "r27_event.plan_days_before", 20, 0, 365, &g->r27_plan_days)) < 0 ||
	    (r = cfg_uint(g, "r28a.working_days_before", 5, 1, 30, &g->r28a_wd)) < 0 ||
	    (r = gj_pu_cfg_list(&g->h, "storm.workflows", "r28b_special_event,r28b_dispute", false,
				&g->storm_workflows)) < 0 ||
	    (r = gj_pu_cfg_list(&g->h, "storm.fields", "kind,disaster", true,
				&g->storm_fields)) < 0 ||
	    (r = gj_pu_cfg_list(&g->h, "storm.kinds", "typhoon,rainstorm", true,
				&g->storm_kinds)) < 0 ||
	    (r = gj_pu_cfg_list(&g->h, "r18_visit.workflows",
				"r05_move_in_first_hand,r06_move_in_second_hand,r07_tenant_move_in",
				false, &g->move_in_workflows)) < 0 ||
	    (r = gj_pu_cfg_list(&g->h, "r18_visit.done_states", "completed", true,
				&g->done_states)) < 0)
		goto out;
	/* The storm round's visit deadlines, per priority. */
	{
		struct gj_pu_list l = { 0 };
		v = g->h.api->config_get(g->h.ctx, "storm.visit_within");
		if ((r = gj_pu_list_parse(&l, v ? v : "4h,8h,24h")) < 0 || l.n != 3) {
			gj_pu_list_finish(&l);
			r = bad(g, "storm.visit_within", v, "is not a list of three durations "
				"(priority 1, 2, 3), e.g. [4h, 8h, 24h]");
			goto out;
		}
		for (i = 0; i < 3; i++)
			if (gj_pu_parse_duration(l.items[i], &g->storm_within[i]) < 0 ||
			    g->storm_within[i] <= 0) {
				r = bad(g, "storm.visit_within", l.items[i], "is not a duration");
				gj_pu_list_finish(&l);
				goto out;
			}
		gj_pu_list_finish(&l);
	}
	/* holiday_names is read where a holiday is met; declared here so the
	 * host knows the setting is ours. */
	(void)g->h.api->config_get(g->h.ctx, "holiday_names");
	/* Patrol days. */
	v = g->h.api->config_get(g->h.ctx, "r16.days");
	/* R16: at least two patrols a week per zone. */
	if ((r = gj_pu_list_parse(&days, v ? v : "mon,thu")) < 0 || days.n < 2 || days.n > 7) {
		r = bad(g, "r16.days", v, "is not a list of 2 to 7 days of the week, e.g. [mon, thu] "
			"(R16: at least two patrols a week)");
		goto out;
	}
	for (i = 0; i < days.n; i++) {
		int wd = gj_pu_parse_weekday(days.items[i]);
		if (wd < 0) {
			r = bad(g, "r16.days", days.items[i], "is not a day of the week (mon .. sun)");
			goto out;
		}
		if (i && wd <= g->patrol_wdays[i - 1]) {
			r = bad(g, "r16.days", days.items[i], "comes twice or out of order: list the "
				"days from mon to sun, each once");
			goto out;
		}
		g->patrol_wdays[g->n_patrol++] = wd;
	}
	v = g->h.api->config_get(g->h.ctx, "r03.weekday");
	g->r03_wday = gj_pu_parse_weekday(v ? v : "fri");
	if (g->r03_wday < 0) {
		r = bad(g, "r03.weekday", v, "is not a day of the week (mon .. sun)");
		goto out;
	}
	/* R25: two airings (the 1st and the 16th), one cleaning (the 1st). */
	if ((r = cfg_numbers(g, "r25.airing_days", "1,16", 1, 31, airing, 4, &n_airing)) < 0 ||
	    (r = cfg_numbers(g, "r25.cleaning_days", "1", 1, 31, cleaning, 4, &n_cleaning)) < 0)
		goto out;
	for (i = 0; i < n_airing; i++)
		g->r25[g->n_r25++] = (struct r25_visit){ "airing", airing[i], (unsigned)i + 1 };
	for (i = 0; i < n_cleaning; i++)
		g->r25[g->n_r25++] = (struct r25_visit){ "cleaning", cleaning[i], (unsigned)i + 1 };

	/* The estates served. */
	g->estates = calloc(serve.n ? serve.n : 1, sizeof(*g->estates));
	if (!g->estates) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < serve.n; i++) {
		struct estate *e = &g->estates[g->n_estates++];
		e->id = strdup(serve.items[i]);
		if (!e->id) {
			r = -ENOMEM;
			goto out;
		}
		for (size_t k = 0; k < DK_CACHE; k++)
			e->dk_day[k] = INT64_MIN;
		if ((r = read_estate(g, e, all)) < 0)
			goto out;
	}
	if (!g->n_estates)
		g->h.api->log(g->h.ctx, GJ_PLUGIN_LOG_NOTICE,
			      "no estate to serve (serve: is empty): nothing is generated");
	r = 0;
out:
	gj_pu_list_finish(&serve);
	gj_pu_list_finish(&days);
	return r;
}

static void generator_free(struct generator *g)
{
	size_t i;
	int k;

	if (!g)
		return;
	for (i = 0; i < g->n_estates; i++) {
		struct estate *e = &g->estates[i];
		for (k = 0; k < N_ST; k++)
			gj_pu_list_finish(&e->units[k]);
		gj_pu_list_finish(&e->zones);
		gj_pu_list_finish(&e->butlers);
		gj_pu_list_finish(&e->owners);
		gj_pu_list_finish(&e->fee_accounts);
		gj_pu_list_finish(&e->events);
		free((char *)e->id);
	}
	free(g->estates);
	gj_pu_list_finish(&g->minimum_skip_states);
	gj_pu_list_finish(&g->storm_workflows);
	gj_pu_list_finish(&g->storm_fields);
	gj_pu_list_finish(&g->storm_kinds);
	gj_pu_list_finish(&g->move_in_workflows);
	gj_pu_list_finish(&g->done_states);
	for (i = 0; i < g->n_refused; i++)
		free(g->refused[i]);
	free(g->refused);
	free(g);
}

static int init(const struct gj_host_api *host, void *ctx, void **ret_state)
{
	struct generator *g;
	int r;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->h.api = host;
	g->h.ctx = ctx;
	if (host->abi_major != GJ_PLUGIN_ABI_MAJOR || host->abi_minor < 2) {
		host->log(ctx, GJ_PLUGIN_LOG_ERR, "the host speaks plugin ABI %u.%u; this plugin "
			  "needs 1.2 (timers, stored values, day kinds)",
			  (unsigned)host->abi_major, (unsigned)host->abi_minor);
		free(g);
		return -EPROTO;
	}
	r = read_config(g);
	if (r < 0) {
		generator_free(g);
		return r;
	}
	*ret_state = g;
	return 0;
}

static void fini(void *state)
{
	generator_free(state);
}

/* --- the estate's calendar ------------------------------------------- */

static struct estate *estate_named(const struct generator *g, const char *id)
{
	size_t i;

	for (i = 0; id && i < g->n_estates; i++)
		if (strcmp(g->estates[i].id, id) == 0)
			return &g->estates[i];
	return NULL;
}

static bool is_on(const struct estate *e, enum sched s)
{
	return (e->on >> s) & 1;
}

struct dk_arg {
	struct generator *g;
	struct estate *e;
};

static int day_kind(void *arg, int64_t day)
{
	struct dk_arg *a = arg;
	struct estate *e = a->e;
	size_t slot = (size_t)(day & (DK_CACHE - 1));
	int64_t y;
	unsigned m, d;
	int k;

	if (e->dk_day[slot] == day)
		return e->dk_kind[slot];
	gj_pu_civil(day, &y, &m, &d);
	k = a->g->h.api->day_kind(a->g->h.ctx, e->id, (int)y, (int)m, (int)d, NULL);
	if (k < 0)
		return k;
	e->dk_day[slot] = day;
	e->dk_kind[slot] = (int8_t)k;
	return k;
}

static int64_t local(const struct estate *e, int64_t day, int32_t minutes)
{
	return gj_pu_local_ms(day, minutes, e->offset);
}

/* The close of business of a day: what the calendar says for a working day
 * (half days included), else the estate's day_close. */
static int64_t close_of(struct generator *g, struct estate *e, int64_t day)
{
	struct dk_arg a = { g, e };
	int64_t ms;
	int k = day_kind(&a, day);

	if (gj_pu_kind_is_working(k)) {
		/* "Within 1 working day" from the day before is this day's close
		 * (exclude_start); from the day itself, under include_start. */
		if (g->h.api->working_days_deadline(g->h.ctx, e->id, local(e, day - 1, 720), 1,
						    &ms, NULL) == 0 &&
		    gj_pu_day_of(ms, e->offset) == day)
			return ms;
		if (g->h.api->working_days_deadline(g->h.ctx, e->id, local(e, day, 720), 1,
						    &ms, NULL) == 0 &&
		    gj_pu_day_of(ms, e->offset) == day)
			return ms;
	}
	return local(e, day, e->day_close);
}

static int64_t ymd(int64_t y, unsigned m, unsigned d)
{
	unsigned dim = gj_pu_days_in_month(y, m);

	return gj_pu_days_from_civil(y, m, d > dim ? dim : d);
}

/* A deadline "by day N of a month": the close of that day, moved by
 * rest_day_deadline when it is not worked. */
static int64_t due_close(struct generator *g, struct estate *e, int64_t day)
{
	struct dk_arg a = { g, e };
	int64_t d = day;

	if (g->rest_rule != REST_KEEP &&
	    gj_pu_working_day_from(day_kind, &a, day, g->rest_rule == REST_NEXT ? 1 : -1,
				   WALK_DAYS, &d) < 0)
		d = day;
	return close_of(g, e, d);
}

/* The end of a period: the close of its last working day on or before
 * @p last, not before @p first. */
static int64_t period_end(struct generator *g, struct estate *e, int64_t first, int64_t last)
{
	struct dk_arg a = { g, e };
	int64_t d;

	if (gj_pu_working_day_from(day_kind, &a, last, -1, (int)(last - first), &d) < 0)
		return local(e, last, e->day_close);
	return close_of(g, e, d);
}

static int64_t month_end(struct generator *g, struct estate *e, int64_t y, unsigned m)
{
	return period_end(g, e, ymd(y, m, 1), ymd(y, m, 31));
}

/* The day of the meeting of month m: the 15th, or the nearest working day
 * of the same month. */
static int64_t meeting_day(struct generator *g, struct estate *e, int64_t y, unsigned m)
{
	struct dk_arg a = { g, e };
	int64_t d = ymd(y, m, g->day[S_R23_MEETING]), got;

	if (gj_pu_nearest_working_day(day_kind, &a, d, ymd(y, m, 1), ymd(y, m, 31),
				      g->meeting_prefer_later, &got) == 0)
		return got;
	return d;
}

static void next_month(int64_t *y, unsigned *m)
{
	if (++*m > 12) {
		*m = 1;
		++*y;
	}
}

/* --- occurrences ------------------------------------------------------ */

struct occ {
	int64_t at;             /* the instant it is scheduled for */
	uint64_t seq;           /* emission order: ties keep it */
	enum sched s;
	struct estate *e;
	int64_t day;            /* the local day it falls on */
	int64_t a, b;           /* per schedule: item index, holiday, ... */
};

struct walk {
	struct generator *g;
	int64_t lo, hi;         /* collect lo < at <= hi */
	int64_t now;
	int64_t next;           /* the first instant after now, INT64_MAX: none */
	struct occ *v;
	size_t n, cap;
	uint64_t seq;
	int err;
};

static void emit(struct walk *w, enum sched s, struct estate *e, int64_t day, int64_t at,
		 int64_t a, int64_t b)
{
	struct occ *o;

	if (at > w->now && at < w->next)
		w->next = at;
	if (at <= w->lo || at > w->hi || w->err)
		return;
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;
		void *nv = realloc(w->v, cap * sizeof(*w->v));
		if (!nv) {
			w->err = -ENOMEM;
			return;
		}
		w->v = nv;
		w->cap = cap;
	}
	o = &w->v[w->n++];
	*o = (struct occ){ at, w->seq++, s, e, day, a, b };
}

static int32_t at_or(const struct generator *g, enum sched s, int32_t def)
{
	return g->at[s] >= 0 ? g->at[s] : def;
}

static bool monthly_on(const struct generator *g, const struct estate *e, enum sched s,
		       unsigned m, unsigned d)
{
	return is_on(e, s) && d == g->day[s] && ((g->months[s] >> m) & 1);
}

/* Every occurrence of estate e on its local day `day`. */
static int day_occurrences(struct walk *w, struct estate *e, int64_t day)
{
	struct generator *g = w->g;
	struct dk_arg a = { g, e };
	int kind = day_kind(&a, day), wday = gj_pu_weekday(day);
	bool working;
	int64_t y;
	unsigned m, d;
	size_t i;

	if (kind < 0)
		return kind;
	working = gj_pu_kind_is_working(kind);
	gj_pu_civil(day, &y, &m, &d);

	if (is_on(e, S_R18_REGISTER) && working) {
		int64_t at = local(e, day, at_or(g, S_R18_REGISTER, e->work_start)) -
			     (g->at[S_R18_REGISTER] >= 0 ? 0 : g->before_work[S_R18_REGISTER]);
		if (g->register_per_butler && e->butlers.n)
			for (i = 0; i < e->butlers.n; i++)
				emit(w, S_R18_REGISTER, e, day, at, (int64_t)i, 0);
		else
			emit(w, S_R18_REGISTER, e, day, at, -1, 0);
	}
	if (is_on(e, S_R01) && working)
		emit(w, S_R01, e, day, g->at[S_R01] >= 0 ? local(e, day, g->at[S_R01]) :
		     local(e, day, e->work_start) - g->before_work[S_R01], 0, 0);
	if (is_on(e, S_R02) && working)
		emit(w, S_R02, e, day, g->at[S_R02] >= 0 ? local(e, day, g->at[S_R02]) :
		     local(e, day, e->work_start) - g->before_work[S_R02], 0, 0);
	if (is_on(e, S_R24_FILING) && working)
		emit(w, S_R24_FILING, e, day, local(e, day, at_or(g, S_R24_FILING, e->work_start)),
		     0, 0);
	if (is_on(e, S_R16) && e->zones.n) {
		int64_t monday = day - wday, pd[7];
		int n = gj_pu_week_days(day_kind, &a, monday, g->patrol_wdays, g->n_patrol, pd);
		if (n < 0)
			return n;
		for (int k = 0; k < n; k++)
			if (pd[k] == day)
				for (i = 0; i < e->zones.n; i++)
					emit(w, S_R16, e, day,
					     local(e, day, at_or(g, S_R16, e->work_start)),
					     (int64_t)i, 0);
	}
	if (is_on(e, S_R28A) && working && e->owners.n) {
		int64_t first[4], last[4];
		int n = gj_pu_holidays_ahead(day_kind, &a, day, (int)g->r28a_wd, WALK_DAYS, first,
					     last, 4);
		if (n < 0)
			return n;
		for (int k = 0; k < n; k++)
			for (i = 0; i < e->owners.n; i++)
				emit(w, S_R28A, e, day, local(e, day, at_or(g, S_R28A, e->work_start)),
				     (int64_t)i, first[k] * 10000 + (last[k] - first[k]));
	}
	if (is_on(e, S_R03) && wday == g->r03_wday && (working || g->r03_rest_days))
		emit(w, S_R03, e, day, local(e, day, g->at[S_R03]), 0, 0);

	/* Monthly. */
	if (monthly_on(g, e, S_R12, m, d))
		emit(w, S_R12, e, day, local(e, day, g->at[S_R12]), 0, 0);
	if (monthly_on(g, e, S_R13, m, d))
		for (i = 0; i < e->units[ST_R13].n; i++)
			emit(w, S_R13, e, day, local(e, day, g->at[S_R13]), (int64_t)i, 0);
	if (monthly_on(g, e, S_R14, m, d))
		for (i = 0; i < e->units[ST_R14].n; i++)
			emit(w, S_R14, e, day, local(e, day, g->at[S_R14]), (int64_t)i, 0);
	if (monthly_on(g, e, S_R15, m, d))
		for (i = 0; i < e->units[ST_R15].n; i++)
			emit(w, S_R15, e, day, local(e, day, g->at[S_R15]), (int64_t)i, 0);
	if (is_on(e, S_R25) && ((g->months[S_R25] >> m) & 1))
		for (size_t v = 0; v < g->n_r25; v++)
			if (g->r25[v].day == d)
				for (i = 0; i < e->units[ST_R25].n; i++)
					emit(w, S_R25, e, day, local(e, day, g->at[S_R25]),
					     (int64_t)i, (int64_t)v);
	if (monthly_on(g, e, S_R18_MINIMUM, m, d))
		emit(w, S_R18_MINIMUM, e, day, local(e, day, g->at[S_R18_MINIMUM]), 0, 0);
	if (monthly_on(g, e, S_R21_ACCOUNTS, m, d))
		for (i = 0; i < e->fee_accounts.n; i++)
			emit(w, S_R21_ACCOUNTS, e, day, local(e, day, g->at[S_R21_ACCOUNTS]),
			     (int64_t)i, 0);
	if (monthly_on(g, e, S_R21_HAND_OVER, m, d))
		emit(w, S_R21_HAND_OVER, e, day, local(e, day, g->at[S_R21_HAND_OVER]), 0, 0);
	if (monthly_on(g, e, S_R22, m, d))
		emit(w, S_R22, e, day, local(e, day, g->at[S_R22]), 0, 0);
	if (monthly_on(g, e, S_R23_BRIEF, m, d))
		emit(w, S_R23_BRIEF, e, day, local(e, day, g->at[S_R23_BRIEF]), 0, 0);
	if (monthly_on(g, e, S_R24_INDEX, m, d))
		emit(w, S_R24_INDEX, e, day, local(e, day, g->at[S_R24_INDEX]), 0, 0);
	if (monthly_on(g, e, S_R24_BACKUP, m, d))
		emit(w, S_R24_BACKUP, e, day, local(e, day, g->at[S_R24_BACKUP]), 0, 0);
	if (monthly_on(g, e, S_R26B, m, d))
		emit(w, S_R26B, e, day, local(e, day, g->at[S_R26B]), 0, 0);
	if (monthly_on(g, e, S_R27_PLAN, m, d))
		emit(w, S_R27_PLAN, e, day, local(e, day, g->at[S_R27_PLAN]), 0, 0);

	/* The meeting, opened open_days_before its (moved) day. */
	if (is_on(e, S_R23_MEETING)) {
		int64_t target = day + g->meeting_open_days, my;
		unsigned mm, md;
		gj_pu_civil(target, &my, &mm, &md);
		if (((g->months[S_R23_MEETING] >> mm) & 1) && meeting_day(g, e, my, mm) == target)
			emit(w, S_R23_MEETING, e, day, local(e, day, g->at[S_R23_MEETING]), target, 0);
	}
	/* Community events, opened open_days_before the event's day. */
	if (is_on(e, S_R27_EVENT))
		for (i = 0; i < e->events.n; i++) {
			int64_t ev;
			char date[11];
			memcpy(date, e->events.items[i], 10);
			date[10] = 0;
			if (gj_pu_parse_date(date, &ev) == 0 && ev - g->r27_open_days == day)
				emit(w, S_R27_EVENT, e, day, local(e, day, g->at[S_R27_EVENT]),
				     (int64_t)i, 0);
		}
	return 0;
}

/* Walk the days of every estate that may hold an instant in (lo, hi], and
 * the days after now until the next instant is found. */
static int walk_estates(struct walk *w)
{
	struct generator *g = w->g;
	size_t i;

	for (i = 0; i < g->n_estates; i++) {
		struct estate *e = &g->estates[i];
		int64_t day, first, last, stop;
		int r = 0;

		if (e->dk_broken)
			continue;
		if (!e->offset_known) {
			int off = 480;
			if (g->h.api->utc_offset(g->h.ctx, e->id, &off) == 0)
				e->offset = off;
			e->offset_known = true;
		}
		/* A day's occurrences fall on that day, unless a time before
		 * work reaches back over midnight: one day more each side. */
		first = gj_pu_day_of(w->lo + 1, e->offset) - 1;
		last = gj_pu_day_of(w->hi, e->offset) + 1;
		if (w->hi <= w->lo)
			first = last + 1;
		for (day = first; day <= last && r == 0; day++)
			r = day_occurrences(w, e, day);
		/* The next instant: the walk stops a day after the first day
		 * that starts after the next instant found so far. */
		stop = gj_pu_day_of(w->now, e->offset) + HORIZON_DAYS;
		for (day = gj_pu_day_of(w->now, e->offset); r == 0 && day <= stop; day++) {
			int64_t lo = w->lo, hi = w->hi;
			if (w->next != INT64_MAX && gj_pu_day_of(w->next, e->offset) < day - 1)
				break;
			if (day >= first && day <= last)
				continue; /* walked above */
			w->lo = w->hi = INT64_MAX; /* nothing collected, only `next` */
			r = day_occurrences(w, e, day);
			w->lo = lo;
			w->hi = hi;
		}
		if (r < 0) {
			g->h.api->log(g->h.ctx, GJ_PLUGIN_LOG_ERR,
				      "estate %s: its calendar cannot be read (%s): nothing is "
				      "generated for it until the daemon restarts", e->id,
				      strerror(-r));
			e->dk_broken = true;
		}
	}
	return w->err;
}

static int occ_cmp(const void *pa, const void *pb)
{
	const struct occ *a = pa, *b = pb;

	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* --- fields ----------------------------------------------------------- */

struct fields {
	struct gj_plugin_kv kv[GJ_PU_NAME_LEN / 2];
	size_t n;
	char arena[4096];
	size_t used;
};

static void fset(struct fields *f, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fset(struct fields *f, const char *key, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (f->n >= sizeof(f->kv) / sizeof(f->kv[0]) || f->used >= sizeof(f->arena))
		return;
	va_start(ap, fmt);
	w = vsnprintf(f->arena + f->used, sizeof(f->arena) - f->used, fmt, ap);
	va_end(ap);
	if (w < 0 || (size_t)w >= sizeof(f->arena) - f->used)
		return;
	f->kv[f->n].key = key;
	f->kv[f->n].value = f->arena + f->used;
	f->n++;
	f->used += (size_t)w + 1;
}

static void ftime(struct fields *f, const struct estate *e, const char *key, int64_t ms)
{
	char iso[GJ_PU_ISO_LEN];

	gj_pu_format_iso8601(ms, e->offset, iso, sizeof(iso));
	fset(f, key, "%s", iso);
}

static void fdate(char *buf, size_t len, int64_t day)
{
	gj_pu_format_date(day, buf, len);
}

static void fmonth(char *buf, size_t len, int64_t day)
{
	int64_t y;
	unsigned m, d;

	gj_pu_civil(day, &y, &m, &d);
	snprintf(buf, len, "%04" PRId64 "-%02u", y, m);
}

/* --- opening, exactly once ------------------------------------------- */

/* The stored-value key of an occurrence: ':' is not allowed there; a key
 * too long is replaced by a hash of it. */
static void kv_key(const char *occ, char *buf, size_t len)
{
	size_t n = strlen(occ), i;

	if (n < KV_KEY_MAX && n < len) {
		for (i = 0; i <= n; i++)
			buf[i] = occ[i] == ':' ? '/' : occ[i];
		return;
	}
	{
		uint64_t h = 1469598103934665603ULL;
		for (i = 0; i < n; i++)
			h = (h ^ (unsigned char)occ[i]) * 1099511628211ULL;
		snprintf(buf, len, "h/%016" PRIx64 "/%.*s", h, 40, occ);
		for (i = 0; buf[i]; i++)
			if (buf[i] == ':')
				buf[i] = '/';
	}
}

/* Already handled?  1 yes, 0 no, or an error. */
static int done_already(struct generator *g, const char *occ)
{
	char key[KV_KEY_MAX + 8], val[64];
	int r;

	kv_key(occ, key, sizeof(key));
	r = g->h.api->kv_get(g->h.ctx, key, val, sizeof(val));
	if (r == 0 || r == -ENOSPC)
		return 1;
	return r == -ENOENT ? 0 : r;
}

static int mark_done(struct generator *g, const char *occ, const char *value)
{
	char key[KV_KEY_MAX + 8];

	kv_key(occ, key, sizeof(key));
	return g->h.api->kv_put(g->h.ctx, key, value);
}

static void log_refused(struct generator *g, const char *workflow, const char *occ, int r)
{
	size_t i;
	void *nv;

	for (i = 0; i < g->n_refused; i++)
		if (strcmp(g->refused[i], workflow) == 0)
			return;
	g->h.api->log(g->h.ctx, GJ_PLUGIN_LOG_WARNING,
		      "%s: opening a %s ticket failed (%s; is the workflow loaded?): the "
		      "occurrence is skipped; further failures of %s are not logged",
		      occ, workflow, strerror(-r), workflow);
	nv = realloc(g->refused, (g->n_refused + 1) * sizeof(*g->refused));
	if (!nv)
		return;
	g->refused = nv;
	if ((g->refused[g->n_refused] = strdup(workflow)))
		g->n_refused++;
}

/* Open one ticket for occurrence `occ` unless it was opened already; the
 * key is stored in the same transaction.  *ret_id is 0 when nothing was
 * opened.  Only an error of the transaction itself is returned. */
static int open_once(struct generator *g, const struct estate *e, const char *workflow,
		     struct fields *f, const char *occ, uint64_t *ret_id)
{
	char id[32];
	uint64_t tid = 0;
	int r;

	*ret_id = 0;
	r = done_already(g, occ);
	if (r != 0)
		return r < 0 ? r : 0;
	fset(f, "occurrence", "%s", occ);
	r = g->h.api->open_ticket(g->h.ctx, workflow, e->id, f->kv, f->n, &tid);
	if (r == -EPERM || r == -EINVAL) {
		/* refused (the workflow not loaded, a field it will not take):
		 * said once, and the occurrence is not tried again */
		log_refused(g, workflow, occ, r);
		return mark_done(g, occ, "refused");
	}
	if (r < 0)
		return r; /* a storage error: the transaction runs again */
	snprintf(id, sizeof(id), "%" PRIu64, tid);
	r = mark_done(g, occ, id);
	if (r == 0)
		*ret_id = tid;
	return r;
}

/* --- scheduled occurrences -------------------------------------------- */

struct id_list {
	uint64_t *ids;
	size_t n, cap;
	int err;
};

static int collect_id(void *arg, uint64_t id)
{
	struct id_list *l = arg;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 32;
		void *nv = realloc(l->ids, cap * sizeof(*l->ids));
		if (!nv) {
			l->err = -ENOMEM;
			return 1;
		}
		l->ids = nv;
		l->cap = cap;
	}
	l->ids[l->n++] = id;
	return 0;
}

static char *field_dup(struct generator *g, uint64_t id, const char *field)
{
	char *v = NULL;

	if (gj_pu_field_dup(&g->h, id, field, &v) < 0)
		return NULL;
	return v;
}

/* R18: household visits and surveys per butler in the month before. */
static int r18_minimum(struct generator *g, struct estate *e, const struct occ *o,
		       const char *occ)
{
	struct tally {
		char *butler;
		unsigned n[2];
	} *t = NULL;
	size_t nt = 0, i, below = 0;
	int64_t y;
	unsigned m, d;
	int64_t from, to;
	char month[16], *text = NULL;
	size_t len = 0;
	FILE *f;
	int r = 0;

	r = done_already(g, occ);
	if (r != 0)
		return r < 0 ? r : 0;
	gj_pu_civil(o->day, &y, &m, &d);
	to = local(e, ymd(y, m, 1), 0);
	if (--m == 0) {
		m = 12;
		y--;
	}
	from = local(e, ymd(y, m, 1), 0);
	snprintf(month, sizeof(month), "%04" PRId64 "-%02u", y, m);
	/* The butlers listed count even with nothing done. */
	t = calloc(e->butlers.n + 1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	for (i = 0; i < e->butlers.n; i++)
		t[nt++].butler = strdup(e->butlers.items[i]);
	for (int which = 0; which < 2 && r == 0; which++) {
		struct id_list l = { 0 };
		r = g->h.api->list_tickets(g->h.ctx, e->id,
					   which ? g->survey_workflow : g->visit_workflow, NULL, 0,
					   collect_id, &l);
		if (r == 0)
			r = l.err;
		for (size_t k = 0; r == 0 && k < l.n; k++) {
			char *opened = field_dup(g, l.ids[k], "opened_at");
			char *state = field_dup(g, l.ids[k], "state");
			char *butler = field_dup(g, l.ids[k], "butler");
			int64_t at;
			if (opened && state && butler && !gj_pu_blank(butler) &&
			    !gj_pu_list_has(&g->minimum_skip_states, state) &&
			    gj_pu_parse_iso8601(opened, &at) == 0 && at >= from && at < to) {
				for (i = 0; i < nt; i++)
					if (t[i].butler && strcmp(t[i].butler, butler) == 0)
						break;
				if (i == nt) {
					void *nv = realloc(t, (nt + 1) * sizeof(*t));
					if (!nv)
						r = -ENOMEM;
					else {
						t = nv;
						t[nt].butler = butler;
						t[nt].n[0] = t[nt].n[1] = 0;
						butler = NULL;
						nt++;
					}
				}
				if (r == 0)
					t[i].n[which]++;
			}
			free(opened);
			free(state);
			free(butler);
		}
		free(l.ids);
	}
	if (r < 0)
		goto out;
	f = open_memstream(&text, &len);
	if (!f) {
		r = -ENOMEM;
		goto out;
	}
	fprintf(f, "R18 monthly minimum on %s for %s: at least %u household visits and %u "
		"opinion surveys per butler\n", e->id, month, (unsigned)g->min_visits,
		(unsigned)g->min_surveys);
	for (i = 0; i < nt; i++) {
		bool ok = t[i].n[0] >= g->min_visits && t[i].n[1] >= g->min_surveys;
		fprintf(f, "- %s: %u visits, %u surveys: %s\n", t[i].butler ? t[i].butler : "?",
			t[i].n[0], t[i].n[1], ok ? "met" : "below the minimum");
		below += !ok;
	}
	fprintf(f, "%zu butlers, %zu below the minimum\n", nt, below);
	if (fclose(f) != 0) {
		r = -ENOMEM;
		goto out;
	}
	r = g->h.api->publish(g->h.ctx, e->id, "r18_minimum", text, NULL, 0);
	if (r == 0)
		r = mark_done(g, occ, "published");
out:
	for (i = 0; i < nt; i++)
		free(t[i].butler);
	free(t);
	free(text);
	return r;
}

/* R21: on the 28th the month's unpaid accounts go to the manager. */
static int r21_hand_over(struct generator *g, struct estate *e, const struct occ *o,
			 const char *occ)
{
	struct id_list l = { 0 }, handed = { 0 }, not_handed = { 0 };
	char month[16], *text = NULL;
	size_t len = 0, i;
	FILE *f;
	int r;

	r = done_already(g, occ);
	if (r != 0)
		return r < 0 ? r : 0;
	fmonth(month, sizeof(month), o->day);
	r = g->h.api->list_tickets(g->h.ctx, e->id, g->workflow[S_R21_HAND_OVER], g->unpaid_state,
				   1, collect_id, &l);
	if (r == 0)
		r = l.err;
	for (i = 0; r == 0 && i < l.n; i++) {
		if (!gj_pu_field_is(&g->h, l.ids[i], "month", month))
			continue;
		if (!g->hand_over_fire) {
			collect_id(&not_handed, l.ids[i]);
			r = not_handed.err;
			continue;
		}
		r = g->h.api->fire_event(g->h.ctx, l.ids[i], g->hand_over_event, PLUGIN_NAME,
					 g->hand_over_role);
		if (r == -EAGAIN)
			break;
		if (r == 0)
			collect_id(&handed, l.ids[i]);
		else
			collect_id(&not_handed, l.ids[i]);
		r = handed.err ? handed.err : not_handed.err;
	}
	if (r < 0)
		goto out;
	f = open_memstream(&text, &len);
	if (!f) {
		r = -ENOMEM;
		goto out;
	}
	if (g->hand_over_fire)
		fprintf(f, "R21 on %s, the 28th: %zu unpaid accounts of %s handed over to the "
			"manager", e->id, handed.n, month);
	else
		fprintf(f, "R21 on %s, the 28th: %zu accounts of %s still unpaid, for the cs_lead "
			"to hand over to the manager", e->id, not_handed.n, month);
	for (i = 0; i < handed.n; i++) {
		char *h = field_dup(g, handed.ids[i], "household");
		fprintf(f, "%s%s (ticket %" PRIu64 ")", i ? ", " : ": ", h ? h : "?",
			handed.ids[i]);
		free(h);
	}
	if (g->hand_over_fire)
		fprintf(f, "\n%zu not handed over (the hand-over was refused, e.g. no reminder "
			"recorded)", not_handed.n);
	for (i = 0; i < not_handed.n; i++) {
		char *h = field_dup(g, not_handed.ids[i], "household");
		fprintf(f, "%s%s (ticket %" PRIu64 ")", i ? ", " : ": ", h ? h : "?",
			not_handed.ids[i]);
		free(h);
	}
	fputc('\n', f);
	if (fclose(f) != 0) {
		r = -ENOMEM;
		goto out;
	}
	for (i = 0; i < not_handed.n; i++)
		collect_id(&handed, not_handed.ids[i]);
	r = handed.err;
	if (r == 0)
		r = g->h.api->publish(g->h.ctx, e->id, "r21_hand_over", text, handed.ids, handed.n);
	if (r == 0)
		r = mark_done(g, occ, "handed_over");
out:
	free(text);
	free(l.ids);
	free(handed.ids);
	free(not_handed.ids);
	return r;
}

/* "left=right": the left part into buf, the right part returned (or NULL). */
static const char *split_eq(const char *s, char *buf, size_t len)
{
	const char *eq = strchr(s, '=');

	snprintf(buf, len, "%.*s", eq ? (int)(eq - s) : (int)strlen(s), s);
	return eq ? eq + 1 : NULL;
}

static int run_occurrence(struct generator *g, const struct occ *o, int64_t now)
{
	struct estate *e = o->e;
	struct fields f = { .n = 0 };
	char occ[OCC_KEY_LEN], date[GJ_PU_DATE_LEN], month[16], item[2 * ITEM_MAX + 2];
	const char *workflow = g->workflow[o->s];
	int64_t y;
	unsigned m, d;
	uint64_t id;

	fdate(date, sizeof(date), o->day);
	fmonth(month, sizeof(month), o->day);
	gj_pu_civil(o->day, &y, &m, &d);

	switch (o->s) {
	case S_R18_MINIMUM:
		snprintf(occ, sizeof(occ), "%s:%s:%s", defs[o->s].id, e->id, month);
		return r18_minimum(g, e, o, occ);
	case S_R21_HAND_OVER:
		snprintf(occ, sizeof(occ), "%s:%s:%s", defs[o->s].id, e->id, month);
		return r21_hand_over(g, e, o, occ);
	default:
		break;
	}

	/* Late: the daemon was down at the instant. */
	if (now - o->at > g->late_ms) {
		fset(&f, "generated_late", "true");
		ftime(&f, e, "scheduled_for", o->at);
	}
	switch (o->s) {
	case S_R01:
	case S_R02:
		snprintf(occ, sizeof(occ), "%s:%s:%s", defs[o->s].id, e->id, date);
		fset(&f, "day", "%s", date);
		break;
	case S_R03:
		snprintf(occ, sizeof(occ), "%s:%s:%s", defs[o->s].id, e->id, date);
		ftime(&f, e, "round_until", local(e, o->day, g->r03_until));
		break;
	case S_R24_FILING:
		snprintf(occ, sizeof(occ), "%s:%s:%s", defs[o->s].id, e->id, date);
		fset(&f, "day", "%s", date);
		ftime(&f, e, "due_by", close_of(g, e, o->day));
		break;
	case S_R18_REGISTER:
		if (o->a >= 0) {
			snprintf(occ, sizeof(occ), "%s:%s:%s:%s", defs[o->s].id, e->id, date,
				 e->butlers.items[o->a]);
			fset(&f, "butler", "%s", e->butlers.items[o->a]);
		} else {
			snprintf(occ, sizeof(occ), "%s:%s:%s", defs[o->s].id, e->id, date);
		}
		fset(&f, "day", "%s", date);
		ftime(&f, e, "due_by", local(e, o->day, e->work_start));
		break;
	case S_R16: {
		const char *zone = e->zones.items[o->a], *butler;
		char key[192];
		snprintf(occ, sizeof(occ), "%s:%s:%s:%s", defs[o->s].id, e->id, date, zone);
		fset(&f, "zone", "%s", zone);
		snprintf(key, sizeof(key), "estates.%s.zone_butlers.%s", e->id, zone);
		butler = strchr(zone, '.') ? NULL : g->h.api->config_get(g->h.ctx, key);
		if (butler && !gj_pu_blank(butler))
			fset(&f, "butler", "%s", butler);
		ftime(&f, e, "patrol_by", close_of(g, e, o->day));
		break;
	}
	case S_R12:
		snprintf(occ, sizeof(occ), "%s:%s:%s", defs[o->s].id, e->id, month);
		fset(&f, "month", "%s", month);
		ftime(&f, e, "count_by", month_end(g, e, y, m));
		break;
	case S_R13:
	case S_R14:
	case S_R15: {
		int st = o->s == S_R13 ? ST_R13 : o->s == S_R14 ? ST_R14 : ST_R15;
		int64_t ey = y;
		unsigned em = m;
		const char *unit = e->units[st].items[o->a];
		snprintf(occ, sizeof(occ), "%s:%s:%s:%s", defs[o->s].id, e->id, month, unit);
		fset(&f, "unit", "%s", unit);
		fset(&f, "month", "%s", month);
		/* Every second month (R15): the visit within the two months. */
		if (o->s == S_R15)
			next_month(&ey, &em);
		ftime(&f, e, "visit_by", month_end(g, e, ey, em));
		break;
	}
	case S_R25: {
		const struct r25_visit *v = &g->r25[o->b];
		const char *unit = e->units[ST_R25].items[o->a];
		int64_t until = ymd(y, m, 31);
		/* Due before the next visit of the same service this month. */
		for (size_t k = 0; k < g->n_r25; k++)
			if (strcmp(g->r25[k].service, v->service) == 0 && g->r25[k].day > v->day &&
			    ymd(y, m, g->r25[k].day) - 1 < until)
				until = ymd(y, m, g->r25[k].day) - 1;
		snprintf(occ, sizeof(occ), "%s:%s:%s:%s:%s%u", defs[o->s].id, e->id, month, unit,
			 v->service, v->nth);
		fset(&f, "unit", "%s", unit);
		fset(&f, "service", "%s", v->service);
		fset(&f, "month", "%s", month);
		ftime(&f, e, "visit_by", period_end(g, e, o->day, until));
		break;
	}
	case S_R21_ACCOUNTS: {
		const char *amount = split_eq(e->fee_accounts.items[o->a], item, sizeof(item));
		snprintf(occ, sizeof(occ), "%s:%s:%s:%s", defs[o->s].id, e->id, month, item);
		fset(&f, "household", "%s", item);
		fset(&f, "month", "%s", month);
		fset(&f, "amount", "%s", amount ? amount : "");
		ftime(&f, e, "due_by", close_of(g, e, ymd(y, m, 28)));
		break;
	}
	case S_R22: {
		int64_t ny = y;
		unsigned nm = m;
		snprintf(occ, sizeof(occ), "%s:%s:%s", defs[o->s].id, e->id, month);
		fset(&f, "month", "%s", month);
		ftime(&f, e, "collect_by", month_end(g, e, y, m));
		next_month(&ny, &nm);
		ftime(&f, e, "due_by", due_close(g, e, ymd(ny, nm, g->r22_due_day)));
		ftime(&f, e, "present_by", local(e, meeting_day(g, e, ny, nm), g->meeting_time));
		break;
	}
	case S_R23_MEETING: {
		char mmonth[16];
		fmonth(mmonth, sizeof(mmonth), o->a);
		snprintf(occ, sizeof(occ), "%s:%s:%s", defs[o->s].id, e->id, mmonth);
		fset(&f, "month", "%s", mmonth);
		ftime(&f, e, "meeting_at", local(e, o->a, g->meeting_time));
		break;
	}
	case S_R23_BRIEF:
	case S_R24_INDEX:
	case S_R24_BACKUP: {
		uint32_t due = o->s == S_R23_BRIEF ? g->brief_due_day :
			       o->s == S_R24_INDEX ? g->index_due_day : g->backup_due_day;
		snprintf(occ, sizeof(occ), "%s:%s:%s", defs[o->s].id, e->id, month);
		fset(&f, "month", "%s", month);
		ftime(&f, e, "due_by", due_close(g, e, ymd(y, m, due)));
		break;
	}
	case S_R26B:
		snprintf(occ, sizeof(occ), "%s:%s:%04" PRId64, defs[o->s].id, e->id, y);
		fset(&f, "year", "%04" PRId64, y);
		ftime(&f, e, "due_by", month_end(g, e, y, m));
		break;
	case S_R27_PLAN:
		snprintf(occ, sizeof(occ), "%s:%s:%04" PRId64, defs[o->s].id, e->id, y + 1);
		fset(&f, "year", "%04" PRId64, y + 1);
		ftime(&f, e, "submit_by", due_close(g, e, ymd(y, 12, g->r27_submit_day)));
		ftime(&f, e, "approve_by", month_end(g, e, y + 1, 1));
		break;
	case S_R27_EVENT: {
		const char *s = e->events.items[o->a];
		int64_t ev_day;
		int32_t min;
		char hhmm[6];
		memcpy(date, s, 10);
		date[10] = 0;
		memcpy(hhmm, s + 11, 5);
		hhmm[5] = 0;
		gj_pu_parse_date(date, &ev_day);
		gj_pu_parse_hhmm(hhmm, &min);
		snprintf(occ, sizeof(occ), "%s:%s:%sT%.2s%.2s", defs[o->s].id, e->id, date, hhmm,
			 hhmm + 3);
		fset(&f, "activity", "%s", s + 17);
		ftime(&f, e, "event_date", local(e, ev_day, min));
		ftime(&f, e, "plan_by", local(e, ev_day - g->r27_plan_days, min));
		break;
	}
	case S_R28A: {
		int64_t first = o->b / 10000, last = first + o->b % 10000;
		char first_s[GJ_PU_DATE_LEN], last_s[GJ_PU_DATE_LEN], key[96];
		const char *unit = split_eq(e->owners.items[o->a], item, sizeof(item)), *name;
		fdate(first_s, sizeof(first_s), first);
		fdate(last_s, sizeof(last_s), last);
		snprintf(occ, sizeof(occ), "%s:%s:%s:%s", defs[o->s].id, e->id, first_s, item);
		fset(&f, "owner", "%s", item);
		if (unit && *unit)
			fset(&f, "unit", "%s", unit);
		snprintf(key, sizeof(key), "holiday_names.%s", first_s);
		name = g->h.api->config_get(g->h.ctx, key);
		if (name && !gj_pu_blank(name))
			fset(&f, "holiday", "%s %s", name, first_s);
		else
			fset(&f, "holiday", "public holiday %s..%s", first_s, last_s);
		fset(&f, "holiday_start", "%s", first_s);
		fset(&f, "holiday_end", "%s", last_s);
		ftime(&f, e, "contact_by", close_of(g, e, o->day));
		break;
	}
	default:
		return 0;
	}
	return open_once(g, e, workflow, &f, occ, &id);
}

/* The daemon's transaction failed (a storage error): every host call now
 * answers -EAGAIN, and the server runs the whole batch again. */
static bool spoiled(struct generator *g)
{
	char buf[32];

	return g->h.api->kv_get(g->h.ctx, LAST_KEY, buf, sizeof(buf)) == -EAGAIN;
}

/* Handle every occurrence in (last, now], then arm the timer for the next. */
static int run(struct generator *g, int64_t now)
{
	struct walk w = { .g = g, .now = now, .next = INT64_MAX };
	char buf[32], at[GJ_PU_ISO_LEN], from[GJ_PU_ISO_LEN];
	int32_t off = g->n_estates ? g->estates[0].offset : 480;
	int64_t last = now;
	bool stored = false;
	size_t i;
	int r;

	if (!g->n_estates)
		return 0;
	r = g->h.api->kv_get(g->h.ctx, LAST_KEY, buf, sizeof(buf));
	if (r == 0) {
		char *end;
		long long v = strtoll(buf, &end, 10);
		if (*end == 0 && end != buf) {
			last = v;
			stored = true;
		}
	} else if (r != -ENOENT) {
		return r;
	}
	/* Nothing stored (the very first start): nothing before now is
	 * opened.  A clock set back: nothing is opened twice (the keys). */
	w.lo = last < now ? last : now;
	w.hi = now;
	if (now - w.lo > g->catch_up_ms) {
		gj_pu_format_iso8601(w.lo, off, from, sizeof(from));
		w.lo = now - g->catch_up_ms;
		gj_pu_format_iso8601(w.lo, off, at, sizeof(at));
		g->h.api->log(g->h.ctx, GJ_PLUGIN_LOG_WARNING,
			      "nothing was generated since %s: occurrences before %s are older "
			      "than catch_up_limit and are not opened", from, at);
	}
	r = walk_estates(&w);
	if (r < 0)
		goto out;
	qsort(w.v, w.n, sizeof(*w.v), occ_cmp);
	for (i = 0; i < w.n; i++) {
		r = run_occurrence(g, &w.v[i], now);
		if (r < 0 && spoiled(g))
			goto out; /* the transaction failed: it runs again */
		if (r < 0) {
			gj_pu_format_iso8601(w.v[i].at, w.v[i].e->offset, at, sizeof(at));
			g->h.api->log(g->h.ctx, GJ_PLUGIN_LOG_ERR, "%s on %s, scheduled for %s: "
				      "failed (%s); skipped", defs[w.v[i].s].id, w.v[i].e->id, at,
				      strerror(-r));
		}
	}
	if (w.n && now - w.v[0].at > g->late_ms) {
		gj_pu_format_iso8601(w.v[0].at, w.v[0].e->offset, from, sizeof(from));
		g->h.api->log(g->h.ctx, GJ_PLUGIN_LOG_NOTICE,
			      "caught up on %zu occurrences due since %s: opened late, marked "
			      "generated_late", w.n, from);
	}
	if (!stored || now > last) {
		snprintf(buf, sizeof(buf), "%" PRId64, now > last ? now : last);
		r = g->h.api->kv_put(g->h.ctx, LAST_KEY, buf);
		if (r < 0)
			goto out;
	}
	if (w.next != INT64_MAX)
		r = g->h.api->arm_timer(g->h.ctx, TICK, w.next);
	else {
		r = g->h.api->cancel_timer(g->h.ctx, TICK);
		if (r == -ENOENT)
			r = 0;
	}
out:
	/* A run that failed without spoiling the transaction must not leave the
	 * generator without its timer: try again in a minute. */
	if (r < 0 && !spoiled(g))
		g->h.api->arm_timer(g->h.ctx, TICK, now + 60000);
	free(w.v);
	return r;
}

static int on_start(void *state, int64_t now_ms)
{
	return run(state, now_ms);
}

static int on_timer(void *state, const struct gj_plugin_timer *t)
{
	struct generator *g = state;

	if (strcmp(t->name, TICK) != 0)
		return 0;
	return run(g, t->now_ms);
}

/* --- on events -------------------------------------------------------- */

static int storm_round(struct generator *g, struct estate *e,
		       const struct gj_plugin_transition *tr, const char *kind)
{
	static const struct {
		int list;
		enum sched s;
		int priority;
	} order[] = {
		{ ST_R13, S_R13, 1 }, { ST_R25, S_R25, 1 }, { ST_R14, S_R14, 2 }, { ST_R15, S_R15, 3 },
	};
	struct id_list opened = { 0 };
	char occ[OCC_KEY_LEN], *text = NULL;
	size_t len = 0;
	FILE *f;
	int r = 0;

	for (size_t k = 0; k < sizeof(order) / sizeof(order[0]) && r == 0; k++) {
		const struct gj_pu_list *units = &e->units[order[k].list];
		for (size_t i = 0; i < units->n && r == 0; i++) {
			struct fields fl = { .n = 0 };
			uint64_t id = 0;
			snprintf(occ, sizeof(occ), "storm:%s:%" PRIu64 ":%s:%s", e->id, tr->ticket_id,
				 defs[order[k].s].id, units->items[i]);
			fset(&fl, "unit", "%s", units->items[i]);
			fset(&fl, "priority", "%d", order[k].priority);
			fset(&fl, "storm", "%" PRIu64, tr->ticket_id);
			fset(&fl, "storm_kind", "%s", kind);
			if (order[k].s == S_R25)
				fset(&fl, "service", "storm_check");
			ftime(&fl, e, "visit_by",
			      tr->at_ms + g->storm_within[order[k].priority - 1]);
			r = open_once(g, e, g->workflow[order[k].s], &fl, occ, &id);
			if (r == 0 && id)
				collect_id(&opened, id);
		}
	}
	if (r < 0 || opened.err || !opened.n) {
		r = r < 0 ? r : opened.err;
		goto out;
	}
	f = open_memstream(&text, &len);
	if (!f) {
		r = -ENOMEM;
		goto out;
	}
	fprintf(f, "Storm round on %s (%s, ticket %" PRIu64 "): %zu inspections, in priority "
		"order: entrusted units (R13, R25) first, vacant finished units (R14) second, "
		"vacant shell units (R15) third\n", e->id, kind, tr->ticket_id, opened.n);
	for (size_t i = 0; i < opened.n; i++) {
		char *unit = field_dup(g, opened.ids[i], "unit");
		char *p = field_dup(g, opened.ids[i], "priority");
		char *wf = field_dup(g, opened.ids[i], "workflow");
		fprintf(f, "- ticket %" PRIu64 ": %s, priority %s (%s)\n", opened.ids[i],
			unit ? unit : "?", p ? p : "?", wf ? wf : "?");
		free(unit);
		free(p);
		free(wf);
	}
	if (fclose(f) != 0) {
		r = -ENOMEM;
		goto out;
	}
	r = g->h.api->publish(g->h.ctx, e->id, "storm_round", text, opened.ids, opened.n);
out:
	free(text);
	free(opened.ids);
	return r;
}

static int new_resident_visit(struct generator *g, struct estate *e,
			      const struct gj_plugin_transition *tr)
{
	struct fields f = { .n = 0 };
	char occ[OCC_KEY_LEN];
	char *unit = field_dup(g, tr->ticket_id, "unit");
	char *butler = field_dup(g, tr->ticket_id, "butler");
	char *resident = field_dup(g, tr->ticket_id, "owner_name");
	uint64_t id;
	int r;

	if (!resident)
		resident = field_dup(g, tr->ticket_id, "tenant_name");
	snprintf(occ, sizeof(occ), "r18_visit:%s:%" PRIu64, e->id, tr->ticket_id);
	fset(&f, "unit", "%s", unit ? unit : "?");
	if (butler && !gj_pu_blank(butler))
		fset(&f, "butler", "%s", butler);
	else if (gj_pu_streq(tr->role, "butler") && tr->person)
		fset(&f, "butler", "%s", tr->person);
	if (resident && !gj_pu_blank(resident))
		fset(&f, "resident", "%s", resident);
	fset(&f, "move_in", "%" PRIu64, tr->ticket_id);
	ftime(&f, e, "moved_in_at", tr->at_ms);
	r = open_once(g, e, g->workflow[S_R18_VISIT], &f, occ, &id);
	free(unit);
	free(butler);
	free(resident);
	return r;
}

static int on_transition(void *state, const struct gj_plugin_transition *tr)
{
	struct generator *g = state;
	struct estate *e;

	if (!g->n_estates)
		return 0;
	if (gj_pu_streq(tr->event, "open") && gj_pu_list_has(&g->storm_workflows, tr->workflow)) {
		e = estate_named(g, tr->estate);
		if (!e || !is_on(e, S_STORM))
			return 0;
		for (size_t i = 0; i < g->storm_fields.n; i++) {
			char *v = field_dup(g, tr->ticket_id, g->storm_fields.items[i]);
			if (v && gj_pu_list_has(&g->storm_kinds, v)) {
				int r;
				if (!e->offset_known) {
					int off = 480;
					if (g->h.api->utc_offset(g->h.ctx, e->id, &off) == 0)
						e->offset = off;
					e->offset_known = true;
				}
				r = storm_round(g, e, tr, v);
				free(v);
				return r;
			}
			free(v);
		}
		return 0;
	}
	if (gj_pu_list_has(&g->move_in_workflows, tr->workflow) &&
	    gj_pu_list_has(&g->done_states, tr->to_state) &&
	    !gj_pu_streq(tr->from_state, tr->to_state)) {
		e = estate_named(g, tr->estate);
		if (!e || !is_on(e, S_R18_VISIT))
			return 0;
		if (!e->offset_known) {
			int off = 480;
			if (g->h.api->utc_offset(g->h.ctx, e->id, &off) == 0)
				e->offset = off;
			e->offset_known = true;
		}
		return new_resident_visit(g, e, tr);
	}
	return 0;
}

GJ_PLUGIN_EXPORT const struct gj_plugin_descriptor gj_plugin_descriptor = {
	GJ_PLUGIN_ABI_VERSION,
	.name = PLUGIN_NAME,
	.description = "opens the rulebook's recurring tickets on each estate's schedule and calendar, exactly once",
	.init = init,
	.fini = fini,
	.on_transition = on_transition,
	.on_timer = on_timer,
	.on_start = on_start,
};
