/*
 * duty.c - the plugin host's side of the site (estates with their calendars
 * and duty rosters): alerts journaled with the people on duty, the estate
 * and roster checks of a command, an estate's calendar.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "host_priv.h"
#include "site.h"
#include "wire.h"

#define MAX_ON_DUTY 32

/* Who is on duty in the alert's roles, from the estate's roster (falling
 * back up the escalation order when nobody is). */
static size_t on_duty(struct gj_engine *eng, const Guanjia__Ticket *tk, const Guanjia__Alert *al,
		      Guanjia__OnDuty *slots, Guanjia__OnDuty **ptrs, char **persons,
		      size_t *ret_persons)
{
	const struct gj_site *site = eng->host ? eng->host->site : NULL;
	const struct gj_roster *r = gj_site_roster(site, al->estate);
	const struct gj_calendar *cal = gj_site_calendar(site, al->estate);
	const char *zone = tk ? gj_ticket_field(tk, "zone") : NULL;
	size_t n = 0, np = 0;

	*ret_persons = 0;
	if (!r)
		return 0;
	/* A ticket of one zone (1#-4#) is for the people of that zone (and
	 * those who cover every zone). */
	for (size_t i = 0; i < al->n_notify_roles && n < MAX_ON_DUTY; i++) {
		struct gj_roster_duty duty[8];
		size_t got = 0;
		if (gj_roster_on_duty_in_zone(r, cal, al->notify_roles[i], zone && *zone ? zone : NULL,
					      eng->now, duty, 8, &got))
			continue;
		for (size_t j = 0; j < got && n < MAX_ON_DUTY; j++) {
			bool seen = false;
			guanjia__on_duty__init(&slots[n]);
			slots[n].role = (char *)duty[j].role;
			slots[n].person = (char *)duty[j].person;
			slots[n].name = (char *)(duty[j].name ? duty[j].name : "");
			slots[n].fallback_for = (char *)(duty[j].fallback_for ? duty[j].fallback_for : "");
			ptrs[n] = &slots[n];
			n++;
			for (size_t k = 0; k < np; k++)
				seen = seen || strcmp(persons[k], duty[j].person) == 0;
			if (!seen)
				persons[np++] = (char *)duty[j].person;
		}
	}
	/* The person the ticket is assigned to in an alerted role (its
	 * technician, its butler) is told too, on duty or not. */
	for (size_t i = 0; tk && i < al->n_notify_roles && np < MAX_ON_DUTY; i++) {
		static const char *const assignee[][2] = {
			{ "engineering", "technician" }, { "butler", "butler" },
		};
		for (size_t a = 0; a < 2; a++) {
			const char *who;
			bool seen = false;
			if (strcmp(al->notify_roles[i], assignee[a][0]) != 0)
				continue;
			who = gj_ticket_field(tk, assignee[a][1]);
			if (!who || !gj_roster_person_has_role(r, who, assignee[a][0]))
				continue;
			for (size_t k = 0; k < np; k++)
				seen = seen || strcmp(persons[k], who) == 0;
			if (!seen) {
				/* the roster's copy, which outlives the ticket */
				persons[np++] = (char *)gj_roster_person(r, who)->id;
			}
		}
	}
	*ret_persons = np;
	return n;
}

int gj_alert_journal(struct gj_engine *eng, const Guanjia__Ticket *tk, Guanjia__Alert *al,
		     const char *topic)
{
	Guanjia__Record rec = GUANJIA__RECORD__INIT;
	Guanjia__OnDuty slots[MAX_ON_DUTY], *ptrs[MAX_ON_DUTY];
	char *persons[MAX_ON_DUTY];
	size_t np = 0, n = on_duty(eng, tk, al, slots, ptrs, persons, &np);

	if (n) {
		al->on_duty = ptrs;
		al->n_on_duty = n;
	}
	if (np) {
		al->notify_persons = persons;
		al->n_notify_persons = np;
	}
	rec.body_case = GUANJIA__RECORD__BODY_ALERT;
	rec.alert = al;
	rec.topic = (char *)topic;
	n = (size_t)gj_engine_journal(eng, &rec);
	al->on_duty = NULL;
	al->n_on_duty = 0;
	al->notify_persons = NULL;
	al->n_notify_persons = 0;
	return (int)n;
}

/* --- estates (calendars and rosters) --------------------------------- */

void gj_host_set_site(struct gj_host *h, const struct gj_site *site)
{
	h->site = site;
}

int gj_host_check_estate(struct gj_engine *eng, const char *estate, struct gj_refusal *ref)
{
	const struct gj_site *site = eng->host ? eng->host->site : NULL;
	char list[512];
	const char *ids[64];
	size_t n = 0;

	/* With estates listed, a ticket may only be opened in one of them: a
	 * typo would otherwise make an estate without calendar or roster. */
	if (!site || gj_site_estate_count(site) == 0 || gj_site_has_estate(site, estate))
		return 0;
	while (n < 64 && (ids[n] = gj_site_estate_id(site, n)))
		n++;
	gj_join_ids(list, sizeof(list), ids, n);
	return gj_refuse(ref, GUANJIA__ERROR_CODE__UNKNOWN_ESTATE,
			 "there is no estate '%.64s' (estates: %s)", estate, list);
}

int gj_host_check_roster(struct gj_engine *eng, const char *estate, const struct gj_who *who,
			 struct gj_refusal *ref)
{
	const struct gj_roster *r = eng->host ? gj_site_roster(eng->host->site, estate) : NULL;
	char *why = NULL;
	int rc;

	/* Customers are not on rosters; plugins act for the daemon. */
	if (!r || strcmp(who->role, "owner") == 0 || strcmp(who->role, "tenant") == 0 ||
	    who->plugin)
		return 0;
	rc = gj_roster_check_actor(r, who->person, who->role, &why);
	if (rc == 0)
		return 0;
	rc = gj_refuse(ref, GUANJIA__ERROR_CODE__NOT_ON_ROSTER, "%s",
		       why ? why : "the person is not on the estate's roster in that role");
	free(why);
	return rc;
}

int gj_host_check_roster_all(struct gj_engine *eng, const char *estate, const struct gj_who *who,
			     struct gj_refusal *ref)
{
	const struct gj_site *site = eng->host ? eng->host->site : NULL;
	const char *id;

	if (estate)
		return gj_host_check_roster(eng, estate, who, ref);
	for (size_t i = 0; site && (id = gj_site_estate_id(site, i)); i++) {
		int rc = gj_host_check_roster(eng, id, who, ref);
		if (rc) {
			/* Say how to act on the estates one may act on. */
			char *m = NULL;
			if (ref->message && asprintf(&m, "%s; name an estate (gj recompute --estate E)",
						     ref->message) >= 0) {
				free(ref->message);
				ref->message = m;
			}
			return rc;
		}
	}
	return 0;
}

const struct gj_calendar *gj_host_calendar_by_id(const struct gj_engine *eng, const char *id)
{
	if (eng->host && eng->host->site)
		return gj_site_calendar_by_id(eng->host->site, id);
	if (eng->cfg.calendar && strcmp(gj_calendar_id(eng->cfg.calendar), id) == 0)
		return eng->cfg.calendar;
	return NULL;
}

const struct gj_calendar *gj_host_calendar(const struct gj_engine *eng, const char *estate)
{
	const struct gj_calendar *c = eng->host ? gj_site_calendar(eng->host->site, estate) : NULL;

	return c ? c : eng->cfg.calendar;
}

int gj_alert_provisional(struct gj_engine *eng, const Guanjia__Ticket *tk, const char *estate,
			 const char *clock, const char *rule, int64_t deadline,
			 const char *plugin, const char *what)
{
	static char *const roles[] = { (char *)"admin_hr" };
	const struct gj_calendar *cal = gj_host_calendar(eng, estate);
	const char *id = cal ? gj_calendar_id(cal) : "?";
	Guanjia__Alert al = GUANJIA__ALERT__INIT;
	char when[40], *msg = NULL, *topic = NULL;
	int rc;

	gj_time_format(deadline, cal ? gj_calendar_utc_offset_min(cal) : GJ_DEFAULT_UTC_OFFSET_MIN,
		       when, sizeof(when));
	if (asprintf(&msg, "calendar '%s' has no data for the year %.4s: %s (due %s) assumes "
		     "Monday to Friday and is provisional; add that year's rest and make-up days "
		     "to the calendar", id, when, what, when) < 0)
		return -ENOMEM;
	if (asprintf(&topic, "alert.%s.calendar.%s", estate, id) < 0) {
		free(msg);
		return -ENOMEM;
	}
	al.ticket_id = tk ? tk->id : 0;
	al.estate = (char *)estate;
	al.workflow = tk ? tk->workflow : (char *)"calendar";
	al.clock = (char *)clock;
	al.rule = (char *)(rule ? rule : "");
	al.level = GUANJIA__ALERT_LEVEL__WARNING;
	al.notify_roles = (char **)roles;
	al.n_notify_roles = 1;
	al.deadline = deadline;
	al.late_ms = eng->now - deadline;
	al.message = msg;
	al.plugin = (char *)(plugin ? plugin : "");
	rc = gj_alert_journal(eng, tk, &al, topic);
	free(msg);
	free(topic);
	return rc;
}
