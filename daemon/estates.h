/*
 * estates.h - the estates a daemon serves (etc/estates.yaml).
 *
 * Each estate names the working-day calendar its working-day clocks count
 * on (etc/calendars/<calendar>.yaml) and, optionally, its duty roster
 * (etc/rosters/<roster>.yaml, see roster.h).  The format is described at
 * the top of estates.c and in docs/roster.md.  Loading checks everything and
 * reports the first problem as "name:line: problem"; it does not open the
 * calendar or roster files it names: the caller does, so that it can say
 * which estate needed them.  Nothing here logs.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/** Longest estate, calendar and roster id, in bytes. */
#define GJ_ESTATE_ID_MAX 48
/** Most estates one file may list. */
#define GJ_ESTATES_MAX 1024

/** One estate.  Read-only: owned by the struct gj_estates it came from. */
struct gj_estate {
	char *id;           /**< [a-z0-9_-]+, at most 48 bytes; unique in the file */
	char *title;        /**< display name, e.g. "Demo Garden" */
	char *calendar;     /**< calendar id: etc/calendars/<calendar>.yaml */
	char *roster;       /**< roster name (file stem): etc/rosters/<roster>.yaml;
	                         NULL when the estate has no duty roster */
	int line;           /**< line of the estate's entry (for messages) */
};

struct gj_estates;

/**
 * Load the list of estates from YAML text.
 * @param name  shown in error messages (usually the file path)
 * @param text  the YAML text; need not be NUL-terminated
 * @param len   bytes in text
 * @param ret   on success, the estates (free with gj_estates_destroy())
 * @param ret_error on failure, a malloc'd "name:line: problem" message
 *                  (NULL when out of memory); may itself be NULL
 * @return 0, -EINVAL on a problem in the text, -ENOMEM.
 */
int gj_estates_load_buffer(const char *name, const char *text, size_t len,
			   struct gj_estates **ret, char **ret_error);

/**
 * Same, from a file.
 * @return as gj_estates_load_buffer(), or -errno / -EFBIG when the file
 *         cannot be read or is over GJ_YDOC_MAX_BYTES (ret_error then says
 *         "path: reason").
 */
int gj_estates_load_file(const char *path, struct gj_estates **ret,
			 char **ret_error);

/** Free the estates.  Accepts NULL. */
void gj_estates_destroy(struct gj_estates *es);

/** The number of estates (>= 1). */
size_t gj_estates_count(const struct gj_estates *es);

/**
 * The estate at index i, in the order of the file.
 * @return the estate, or NULL when i >= gj_estates_count()
 */
const struct gj_estate *gj_estates_at(const struct gj_estates *es, size_t i);

/**
 * Look an estate up by id.
 * @return the estate, or NULL when there is none by that id (or id is NULL)
 */
const struct gj_estate *gj_estates_find(const struct gj_estates *es,
					const char *id);

/** An estate's id.  The accessors below never return NULL but for roster. */
const char *gj_estate_id(const struct gj_estate *e);
/** An estate's title. */
const char *gj_estate_title(const struct gj_estate *e);
/** The id of an estate's calendar, e.g. "cn". */
const char *gj_estate_calendar(const struct gj_estate *e);
/** The name of an estate's roster (file stem), or NULL when it has none. */
const char *gj_estate_roster(const struct gj_estate *e);
