/*
 * site.h - the estates a daemon serves, each with its working-day calendar
 * and its duty roster, loaded and checked together at start.
 *
 * Sources (each a directory or file given on the command line, else the
 * configuration compiled into guanjiad from etc/):
 *   estates   etc/estates.yaml (daemon/estates.c)
 *   calendars etc/calendars/<id>.yaml (daemon/calendar.c)
 *   rosters   etc/rosters/<roster>.yaml (daemon/roster.c)
 * An estate that is not listed runs on the default calendar (--calendar)
 * and has no roster: anyone may act in any role the workflow allows.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "calendar.h"
#include "estates.h"
#include "roster.h"

struct gj_site;

struct gj_site_sources {
	const char *estates_file;       /**< NULL: the embedded etc/estates.yaml */
	const char *calendars_dir;      /**< NULL: the embedded calendars */
	const char *rosters_dir;        /**< NULL: the embedded rosters */
	const char *default_calendar;   /**< an id in the set, or a .yaml file */
};

/**
 * Load everything and check that each estate's calendar and roster exist
 * and that each roster is the roster of its estate.
 * @param ret_error on failure, a malloc'd message naming the file (and
 *        line) and the problem
 */
int gj_site_load(const struct gj_site_sources *src, struct gj_site **ret, char **ret_error);

void gj_site_destroy(struct gj_site *site);

/** The calendar of an estate (the default one for an estate not listed). */
const struct gj_calendar *gj_site_calendar(const struct gj_site *site, const char *estate);

/** A calendar by id (NULL when unknown); the default one for NULL or "". */
const struct gj_calendar *gj_site_calendar_by_id(const struct gj_site *site, const char *id);

/** The default calendar. */
const struct gj_calendar *gj_site_default_calendar(const struct gj_site *site);

/** The roster of an estate, or NULL when it has none. */
const struct gj_roster *gj_site_roster(const struct gj_site *site, const char *estate);

/** How many estates are listed. */
size_t gj_site_estate_count(const struct gj_site *site);

/** Is this estate listed? */
bool gj_site_has_estate(const struct gj_site *site, const char *estate);

/** The id of the i-th estate listed, NULL past the end. */
const char *gj_site_estate_id(const struct gj_site *site, size_t i);

/** How many calendars are loaded, and their ids ("a, b"). */
size_t gj_site_calendar_count(const struct gj_site *site);
