/*
 * format.c - libguanjia's text: one readable line per journal record or
 * ticket (shared by gj and the tests), durations, enum names.
 */
#include "guanjia.h"
#include "wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Big enough for gj_time_format() and gj_duration_format(). */
#define TIME_BUF 40

static const char *enum_name(const ProtobufCEnumDescriptor *d, int value)
{
	const ProtobufCEnumValue *v = protobuf_c_enum_descriptor_get_value(d, value);

	return v ? v->name : "?";
}

const char *gj_error_code_name(int code)
{
	return enum_name(&guanjia__error_code__descriptor, code);
}

const char *gj_outcome_name(int outcome)
{
	return enum_name(&guanjia__outcome__descriptor, outcome);
}

static void put_time(FILE *f, int64_t ms)
{
	char buf[TIME_BUF];

	gj_time_format(ms, GJ_DEFAULT_UTC_OFFSET_MIN, buf, sizeof(buf));
	fputs(buf, f);
}

static void put_duration(FILE *f, int64_t ms)
{
	char buf[TIME_BUF];

	gj_duration_format(ms, buf, sizeof(buf));
	fputs(buf, f);
}

static void put_list(FILE *f, char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? ", " : "", v[i]);
}

static const char *clock_kind_word(Guanjia__ClockEventKind k)
{
	switch (k) {
	case GUANJIA__CLOCK_EVENT_KIND__STARTED:
		return "started";
	case GUANJIA__CLOCK_EVENT_KIND__WARNED:
		return "warned";
	case GUANJIA__CLOCK_EVENT_KIND__BREACHED:
		return "breached";
	case GUANJIA__CLOCK_EVENT_KIND__STOPPED:
		return "stopped";
	case GUANJIA__CLOCK_EVENT_KIND__PAUSED:
		return "paused";
	case GUANJIA__CLOCK_EVENT_KIND__RESUMED:
		return "resumed";
	case GUANJIA__CLOCK_EVENT_KIND__MOVED:
		return "moved";
	default:
		return "changed";
	}
}

static void put_transition(FILE *f, const Guanjia__Transition *t)
{
	fprintf(f, "ticket %llu: ", (unsigned long long)t->ticket_id);
	if (t->from_state[0])
		fprintf(f, "%s -[%s]-> %s", t->from_state, t->event, t->to_state);
	else
		fprintf(f, "opened in %s", t->to_state);
	fprintf(f, " by %s", t->person[0] ? t->person : "?");
	if (t->role[0])
		fprintf(f, " (%s)", t->role);
}

static void put_clock_event(FILE *f, const Guanjia__ClockEvent *c)
{
	fprintf(f, "ticket %llu: clock %s", (unsigned long long)c->ticket_id, c->clock);
	if (c->rule[0])
		fprintf(f, " (%s)", c->rule);
	fprintf(f, " %s", clock_kind_word(c->kind));
	switch (c->kind) {
	case GUANJIA__CLOCK_EVENT_KIND__STARTED:
	case GUANJIA__CLOCK_EVENT_KIND__RESUMED:
	case GUANJIA__CLOCK_EVENT_KIND__WARNED:
	case GUANJIA__CLOCK_EVENT_KIND__MOVED:
		if (c->deadline) {
			fputs(", due ", f);
			put_time(f, c->deadline);
		}
		break;
	case GUANJIA__CLOCK_EVENT_KIND__BREACHED:
		if (c->deadline) {
			fputs(", was due ", f);
			put_time(f, c->deadline);
		}
		break;
	case GUANJIA__CLOCK_EVENT_KIND__STOPPED:
		if (c->late_ms > 0) {
			fputs(", ", f);
			put_duration(f, c->late_ms);
			fputs(" late", f);
		}
		break;
	default:
		break;
	}
}

/* "engineering 孙强 (sun.qiang); manager 陈建国 (chen.jianguo) for team_head" */
static void put_on_duty(FILE *f, Guanjia__OnDuty **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const Guanjia__OnDuty *d = v[i];

		fprintf(f, "%s%s", i ? "; " : "", d->role[0] ? d->role : "?");
		if (d->name[0] && d->person[0])
			fprintf(f, " %s (%s)", d->name, d->person);
		else if (d->name[0] || d->person[0])
			fprintf(f, " %s", d->name[0] ? d->name : d->person);
		if (d->fallback_for[0])
			fprintf(f, " for %s", d->fallback_for);
	}
}

static void put_alert(FILE *f, const Guanjia__Alert *a)
{
	fprintf(f, "ticket %llu: %s clock %s", (unsigned long long)a->ticket_id,
		a->level == GUANJIA__ALERT_LEVEL__BREACH ? "BREACH" :
		a->level == GUANJIA__ALERT_LEVEL__WARNING ? "WARNING" : "ALERT",
		a->clock);
	if (a->rule[0])
		fprintf(f, " (%s)", a->rule);
	/* Step 0 is the workflow's own alert; a plugin's ladder counts from 1. */
	if (a->step)
		fprintf(f, ", step %u", a->step);
	if (a->plugin[0])
		fprintf(f, a->step ? " (%s)" : ", from %s", a->plugin);
	if (a->late_ms > 0) {
		fputs(", ", f);
		put_duration(f, a->late_ms);
		fputs(" late", f);
	} else if (a->late_ms < 0) {
		fputs(", due in ", f);
		put_duration(f, -a->late_ms);
	}
	if (a->n_notify_roles || a->n_notify_persons) {
		fputs(", notify ", f);
		put_list(f, a->notify_roles, a->n_notify_roles);
		if (a->n_notify_roles && a->n_notify_persons)
			fputs(", ", f);
		put_list(f, a->notify_persons, a->n_notify_persons);
	}
	if (a->n_on_duty) {
		fputs(", on duty: ", f);
		put_on_duty(f, a->on_duty, a->n_on_duty);
	}
	if (a->delayed)
		fputs(" (delayed: the daemon was down)", f);
	if (a->message[0])
		fprintf(f, ": %s", a->message);
}

/* At most this many ticket ids of a notice on its line. */
#define NOTICE_IDS 20

/* "notice deferred_repairs from defer_notice: 2 tickets (12, 15)"; the
 * estate is in the topic, the text is left to the caller (it has lines). */
static void put_notice(FILE *f, const Guanjia__Notice *n)
{
	fprintf(f, "notice %s", n->name[0] ? n->name : "?");
	if (n->plugin[0])
		fprintf(f, " from %s", n->plugin);
	if (!n->n_ticket_ids) {
		fputs(": no tickets", f);
		return;
	}
	fprintf(f, ": %zu ticket%s (", n->n_ticket_ids, n->n_ticket_ids == 1 ? "" : "s");
	for (size_t i = 0; i < n->n_ticket_ids && i < NOTICE_IDS; i++)
		fprintf(f, "%s%llu", i ? ", " : "", (unsigned long long)n->ticket_ids[i]);
	if (n->n_ticket_ids > NOTICE_IDS)
		fprintf(f, " and %zu more", n->n_ticket_ids - NOTICE_IDS);
	fputc(')', f);
}

char *gj_record_line(const Guanjia__Record *r)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	if (!r)
		return NULL;
	f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	fprintf(f, "#%llu ", (unsigned long long)r->seq);
	put_time(f, r->at);
	fprintf(f, " %s ", r->topic[0] ? r->topic : "-");
	switch (r->body_case) {
	case GUANJIA__RECORD__BODY_TRANSITION:
		put_transition(f, r->transition);
		break;
	case GUANJIA__RECORD__BODY_CLOCK:
		put_clock_event(f, r->clock);
		break;
	case GUANJIA__RECORD__BODY_ALERT:
		put_alert(f, r->alert);
		break;
	case GUANJIA__RECORD__BODY_NOTICE:
		put_notice(f, r->notice);
		break;
	default:
		fputs("(no body)", f);
		break;
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

char *gj_ticket_line(const Guanjia__Ticket *t, int64_t now)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	if (!t)
		return NULL;
	f = open_memstream(&out, &len);
	if (!f)
		return NULL;
	fprintf(f, "%llu %s", (unsigned long long)t->id, t->workflow);
	if (t->estate[0])
		fprintf(f, " [%s]", t->estate);
	fprintf(f, " %s", t->state);
	if (t->closed)
		fputs(" (closed)", f);
	for (size_t i = 0; i < t->n_clocks; i++) {
		const Guanjia__Clock *c = t->clocks[i];

		if (c->state != GUANJIA__CLOCK_STATE__CLOCK_RUNNING &&
		    c->state != GUANJIA__CLOCK_STATE__CLOCK_PAUSED)
			continue;
		fprintf(f, "; %s", c->id);
		if (c->rule[0])
			fprintf(f, " (%s)", c->rule);
		if (c->state == GUANJIA__CLOCK_STATE__CLOCK_PAUSED) {
			fputs(" paused", f);
		} else if (!c->deadline) {
			fputs(" running", f);
		} else if (c->deadline > now) {
			fputc(' ', f);
			put_duration(f, c->deadline - now);
			fputs(" left, due ", f);
			put_time(f, c->deadline);
		} else {
			fputs(" OVERDUE by ", f);
			put_duration(f, now - c->deadline);
			fputs(", was due ", f);
			put_time(f, c->deadline);
		}
	}
	if (fclose(f) != 0) {
		free(out);
		return NULL;
	}
	return out;
}

int gj_duration_parse(const char *text, int64_t *ret_ms)
{
	const char *p = text;
	int64_t total = 0;

	if (!text || !*text || !ret_ms)
		return -EINVAL;
	while (*p) {
		int64_t n = 0, unit;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (n > (INT64_MAX - 9) / 10)
				return -ERANGE;
			n = n * 10 + (*p - '0');
		}
		if (p[0] == 'm' && p[1] == 's') {
			unit = 1;
			p += 2;
		} else {
			switch (*p) {
			case 'd':
				unit = 86400000;
				break;
			case 'h':
				unit = 3600000;
				break;
			case 'm':
				unit = 60000;
				break;
			case 's':
				unit = 1000;
				break;
			default:
				return -EINVAL;
			}
			p++;
		}
		if (n > INT64_MAX / unit || total > INT64_MAX - n * unit)
			return -ERANGE;
		total += n * unit;
	}
	*ret_ms = total;
	return 0;
}
