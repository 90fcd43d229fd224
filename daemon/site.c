/*
 * site.c - load the estates, their calendars and their duty rosters, and
 * check that they fit together (see site.h).
 */
#include "site.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamlload.h"

struct site_roster {
	const char *estate;             /* owned by the estates */
	struct gj_roster *roster;
};

struct gj_site {
	struct gj_estates *estates;
	struct gj_calendars *calendars;
	struct gj_calendar *own_default;        /* loaded from a file, else NULL */
	const struct gj_calendar *def;
	struct site_roster *rosters;
	size_t n_rosters;
};

extern const struct gj_embedded_file gj_embedded_settings[];
extern const struct gj_embedded_file gj_embedded_rosters[];

static int failf(char **ret_error, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int failf(char **ret_error, int rc, const char *fmt, ...)
{
	va_list ap;

	if (ret_error) {
		va_start(ap, fmt);
		if (vasprintf(ret_error, fmt, ap) < 0)
			*ret_error = NULL;
		va_end(ap);
	}
	return rc;
}

static int load_estates(struct gj_site *site, const char *file, char **ret_error)
{
	const struct gj_embedded_file *f;

	if (file)
		return gj_estates_load_file(file, &site->estates, ret_error);
	f = gj_yload_embedded(gj_embedded_settings, "estates.yaml");
	if (!f) /* built without one: no estates listed */
		return gj_estates_load_buffer("<embedded>/estates.yaml", "estates: []\n", 12,
					      &site->estates, ret_error);
	return gj_estates_load_buffer("<embedded>/estates.yaml", f->text, f->len, &site->estates,
				      ret_error);
}

static int load_roster(const char *dir, const char *name, struct gj_roster **ret, char **ret_error)
{
	char file[300];

	if (dir) {
		snprintf(file, sizeof(file), "%s/%s.yaml", dir, name);
		return gj_roster_load_file(file, ret, ret_error);
	}
	snprintf(file, sizeof(file), "%s.yaml", name);
	const struct gj_embedded_file *f = gj_yload_embedded(gj_embedded_rosters, file);
	if (!f)
		return failf(ret_error, -ENOENT, "no roster '%s' compiled in (etc/rosters/%s.yaml); "
			     "give the directory with --rosters", name, name);
	snprintf(file, sizeof(file), "<embedded>/rosters/%s.yaml", name);
	return gj_roster_load_buffer(file, f->text, f->len, ret, ret_error);
}

int gj_site_load(const struct gj_site_sources *src, struct gj_site **ret, char **ret_error)
{
	struct gj_site *site = calloc(1, sizeof(*site));
	const char *def = src->default_calendar ? src->default_calendar : "cn";
	char *err = NULL;
	int rc;

	if (ret_error)
		*ret_error = NULL;
	if (!site || !(site->calendars = gj_calendars_create())) {
		free(site);
		return -ENOMEM;
	}
	rc = src->calendars_dir ? gj_calendars_load_dir(site->calendars, src->calendars_dir, ret_error)
				: gj_calendars_load_embedded(site->calendars, ret_error);
	if (rc)
		goto fail;
	if (strchr(def, '/') || strstr(def, ".yaml")) {
		rc = gj_calendar_load_file(def, &site->own_default, ret_error);
		if (rc)
			goto fail;
		site->def = site->own_default;
	} else {
		site->def = gj_calendars_find(site->calendars, def);
		if (!site->def) {
			rc = failf(ret_error, -ENOENT, "no calendar '%s' (%zu known%s%s)", def,
				   gj_calendars_count(site->calendars),
				   gj_calendars_count(site->calendars) ? ", e.g. " : "",
				   gj_calendars_count(site->calendars)
					   ? gj_calendar_id(gj_calendars_at(site->calendars, 0)) : "");
			goto fail;
		}
	}
	rc = load_estates(site, src->estates_file, ret_error);
	if (rc)
		goto fail;
	site->rosters = calloc(gj_estates_count(site->estates) + 1, sizeof(*site->rosters));
	if (!site->rosters) {
		rc = -ENOMEM;
		goto fail;
	}
	for (size_t i = 0; i < gj_estates_count(site->estates); i++) {
		const struct gj_estate *e = gj_estates_at(site->estates, i);
		const char *cal = gj_estate_calendar(e), *rn = gj_estate_roster(e);
		struct gj_roster *r = NULL;

		if (!gj_calendars_find(site->calendars, cal)) {
			rc = failf(ret_error, -ENOENT, "estate '%s' (line %d of the estates) uses "
				   "calendar '%s', which is not loaded", gj_estate_id(e), e->line, cal);
			goto fail;
		}
		if (!rn)
			continue;
		rc = load_roster(src->rosters_dir, rn, &r, &err);
		if (rc) {
			rc = failf(ret_error, rc, "estate '%s': %s", gj_estate_id(e),
				   err ? err : strerror(-rc));
			free(err);
			goto fail;
		}
		if (strcmp(gj_roster_estate(r), gj_estate_id(e)) != 0) {
			rc = failf(ret_error, -EINVAL, "estate '%s' names roster '%s', but that roster "
				   "is the roster of estate '%s'", gj_estate_id(e), rn,
				   gj_roster_estate(r));
			gj_roster_destroy(r);
			goto fail;
		}
		site->rosters[site->n_rosters].estate = gj_estate_id(e);
		site->rosters[site->n_rosters++].roster = r;
	}
	*ret = site;
	return 0;
fail:
	gj_site_destroy(site);
	return rc;
}

void gj_site_destroy(struct gj_site *site)
{
	if (!site)
		return;
	for (size_t i = 0; i < site->n_rosters; i++)
		gj_roster_destroy(site->rosters[i].roster);
	free(site->rosters);
	gj_estates_destroy(site->estates);
	gj_calendars_destroy(site->calendars);
	gj_calendar_destroy(site->own_default);
	free(site);
}

const struct gj_calendar *gj_site_calendar(const struct gj_site *site, const char *estate)
{
	const struct gj_estate *e;

	if (!site)
		return NULL;
	e = estate ? gj_estates_find(site->estates, estate) : NULL;
	if (e) {
		const struct gj_calendar *c = gj_calendars_find(site->calendars, gj_estate_calendar(e));
		if (c)
			return c;
	}
	return site->def;
}

const struct gj_calendar *gj_site_calendar_by_id(const struct gj_site *site, const char *id)
{
	if (!site)
		return NULL;
	if (!id || !*id)
		return site->def;
	if (site->own_default && strcmp(gj_calendar_id(site->own_default), id) == 0)
		return site->own_default;
	return gj_calendars_find(site->calendars, id);
}

const struct gj_calendar *gj_site_default_calendar(const struct gj_site *site)
{
	return site ? site->def : NULL;
}

const struct gj_roster *gj_site_roster(const struct gj_site *site, const char *estate)
{
	for (size_t i = 0; site && estate && i < site->n_rosters; i++)
		if (strcmp(site->rosters[i].estate, estate) == 0)
			return site->rosters[i].roster;
	return NULL;
}

size_t gj_site_estate_count(const struct gj_site *site)
{
	return site ? gj_estates_count(site->estates) : 0;
}

size_t gj_site_calendar_count(const struct gj_site *site)
{
	return site ? gj_calendars_count(site->calendars) + (site->own_default ? 1 : 0) : 0;
}

const char *gj_site_estate_id(const struct gj_site *site, size_t i)
{
	const struct gj_estate *e = site && i < gj_estates_count(site->estates)
					    ? gj_estates_at(site->estates, i) : NULL;

	return e ? gj_estate_id(e) : NULL;
}

bool gj_site_has_estate(const struct gj_site *site, const char *estate)
{
	return site && estate && gj_estates_find(site->estates, estate) != NULL;
}
