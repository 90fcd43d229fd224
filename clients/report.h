/*
 * report.h - the monthly report of an estate (`gj report`), computed from
 * tickets and their history only, never from the time it is run: every
 * figure is taken "as of" the cut-off, the first instant of the next month
 * (or the daemon's clock while the month is still running), so a month
 * that is over always gives the same figures.  docs/reports.md defines
 * each figure; this file only computes them, gj_report.c prints them.
 *
 * Use: gj_report_create(), then for every ticket of the estate (listed
 * without history) ask gj_report_concerns(); read the ones it wants again
 * with their history and hand them to gj_report_add(); gj_report_finish()
 * sorts the tables and computes medians; read the struct; destroy.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guanjia.pb-c.h"

/** R18: visits and surveys each butler makes at least, per month. */
#define GJ_REPORT_R18_MINIMUM 7
/** R01/R02: this many findings of one person in a month deduct points. */
#define GJ_REPORT_FINDINGS_THRESHOLD 5
#define GJ_REPORT_FINDINGS_DEDUCTION 4
/** R21: the collection rate wanted, in per mille (85%). */
#define GJ_REPORT_R21_TARGET_PERMILLE 850

/** Deadline figures of a rule, or of one clock of one workflow. */
struct gj_report_clocks {
	uint32_t tickets;       /**< tickets of the month (rule rows only) */
	uint32_t cancelled;     /**< of which void at the cut-off (rule rows only) */
	uint32_t clocks;        /**< clocks counted: met + breached + pending */
	uint32_t met;           /**< stopped by the cut-off, never breached */
	uint32_t breached;      /**< breached by the cut-off (stopped late or still overdue) */
	uint32_t pending;       /**< running within their time, or paused, at the cut-off */
	bool has_late;          /**< breached > 0: the lateness figures are set */
	int64_t median_late_ms; /**< median lateness of the breached clocks */
	int64_t worst_late_ms;  /**< the largest lateness */
	int64_t *late_ms;       /**< the lateness of each breached clock (ascending, once finished) */
	size_t n_late, cap_late;
};

struct gj_report_clock_row {
	char *workflow;
	char *clock;
	struct gj_report_clocks f;
};

struct gj_report_rule {
	char *rule;             /**< "R17" */
	struct gj_report_clocks f;
	struct gj_report_clock_row *rows;  /**< per workflow and clock, sorted */
	size_t n_rows;
};

/** A completion rate of one technician or team: count of of. */
struct gj_report_rate {
	char *key;              /**< person or team id; "" when the field was not set */
	uint32_t count;         /**< done (or resolved) by the cut-off */
	uint32_t of;            /**< every ticket of the month but the void ones */
};

struct gj_report_butler {
	char *butler;
	uint32_t visits;              /**< r18_household_visit of the month, not void */
	uint32_t surveys;             /**< r18_survey of the month, not void */
	uint32_t new_resident_visits; /**< r18_new_resident_visit visited in the month */
};

struct gj_report_person {
	char *person;
	uint32_t r01;           /**< r01_finding of the month, not withdrawn */
	uint32_t r02;           /**< r02_finding likewise */
};

struct gj_report_household;

struct gj_report {
	char *estate;
	char month[8];          /**< "2026-10" */
	int offset_min;         /**< the estate calendar's UTC offset */
	int64_t from;           /**< the month's first instant */
	int64_t to;             /**< the next month's first instant */
	int64_t as_of;          /**< the cut-off: min(to, the daemon's clock) */
	bool complete;          /**< as_of == to: the figures will not change */
	uint32_t tickets;       /**< tickets opened in the month */

	struct gj_report_rule *rules;   /**< sorted by rule id */
	size_t n_rules;

	/* R17: repairs reported in the month. */
	struct gj_report_rate *r17_technicians, *r17_teams;
	size_t n_r17_technicians, n_r17_teams;
	struct gj_report_rate r17_total;
	/* R16: patrol findings recorded in the month. */
	struct gj_report_rate *r16_teams;
	size_t n_r16_teams;
	struct gj_report_rate r16_total;
	/* R26a: call-backs made in the month. */
	uint32_t r26a_called_back, r26a_satisfied;
	/* R18 */
	struct gj_report_butler *butlers;
	size_t n_butlers;
	/* R01, R02 */
	struct gj_report_person *people;
	size_t n_people;
	/* R21: fee accounts whose `month` is the report's month. */
	uint32_t r21_accounts;          /**< accounts billed (not cancelled) */
	uint32_t r21_accounts_paid;
	uint32_t r21_handed_over;       /**< accounts handed over to the manager */
	uint32_t r21_households;        /**< households billed */
	uint32_t r21_households_paid;   /**< households with every account paid */
	bool r21_amounts;               /**< every account had a readable amount */
	int64_t r21_billed_fen, r21_paid_fen;  /**< amounts in fen (0.01 yuan) */

	struct gj_report_household *households;  /* private */
	size_t n_households, cap_households;
};

/**
 * The first instants of month "YYYY-MM" and of the month after it, at the
 * given UTC offset.
 * @return 0 or -EINVAL
 */
int gj_report_month_bounds(const char *month, int offset_min, int64_t *ret_from, int64_t *ret_to);

/**
 * A new, empty report.
 * @param estate the estate's id (copied); NULL: every estate, until
 *        gj_report_set_estate()
 * @param month "YYYY-MM"
 * @param offset_min the estate calendar's UTC offset in minutes (480)
 * @param now the daemon's clock: the cut-off is min(month end, now)
 * @return 0, -EINVAL (bad month), -ENOMEM
 */
int gj_report_create(const char *estate, const char *month, int offset_min, int64_t now,
		     struct gj_report **ret);

/**
 * Set the estate (when it was not known at create time).
 * @return 0 or -ENOMEM
 */
int gj_report_set_estate(struct gj_report *r, const char *estate);

/** Free a report.  Accepts NULL. */
void gj_report_destroy(struct gj_report *r);

/**
 * Does this ticket (its history need not be there) count in the report?
 * Tickets of another estate never do.
 */
bool gj_report_concerns(const struct gj_report *r, const Guanjia__Ticket *t);

/**
 * Count a ticket, read with its history (gj_client_get(..., true, ...)).
 * A ticket that does not concern the report is ignored.
 * @return 0 or -ENOMEM
 */
int gj_report_add(struct gj_report *r, const Guanjia__Ticket *t);

/**
 * Sort every table and compute medians, rates and totals.  Call once,
 * after the last gj_report_add().
 * @return 0 or -ENOMEM
 */
int gj_report_finish(struct gj_report *r);

/**
 * count/of in per mille, rounded half up; -1 when of is 0.
 */
int32_t gj_report_permille(uint32_t count, uint32_t of);

/** Is the value given at an R26a call-back a satisfied one? */
bool gj_report_satisfied(const char *value);
