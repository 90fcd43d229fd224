/*
 * plugin_util.c - helpers shared by the shipped plugins (see
 * plugin_util.h): durations, comma-joined lists, dates and times at a fixed
 * UTC offset, string helpers, and configuration and ticket fields read
 * through the host table.
 *
 * Dates are counted as days since 1970-01-01 on the proleptic Gregorian
 * calendar (H. Hinnant's days_from_civil / civil_from_days), so that no
 * time zone database and no locale is involved: the estate calendars use a
 * fixed offset (+08:00, no daylight saving time).
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plugin_util.h"

/* Longest ticket field gj_pu_field_dup reads. */
#define FIELD_MAX (1024 * 1024)

/* --- strings --- */

bool gj_pu_streq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool gj_pu_blank(const char *s)
{
	if (!s)
		return true;
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return false;
	return true;
}

const char *gj_pu_kv_get(const struct gj_plugin_kv *kv, size_t n,
                         const char *key)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; kv && i < n; i++)
		if (kv[i].key && strcmp(kv[i].key, key) == 0)
			v = kv[i].value;
	return v;
}

int gj_pu_parse_uint(const char *s, uint32_t max, uint32_t *ret)
{
	uint64_t v = 0;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*s); s++) {
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return -EINVAL;
	}
	if (*s)
		return -EINVAL;
	*ret = (uint32_t)v;
	return 0;
}

bool gj_pu_valid_name(const char *s)
{
	size_t n;

	if (!s)
		return false;
	for (n = 0; s[n]; n++)
		if (n >= GJ_PU_NAME_LEN - 1 ||
		    !((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') ||
		      s[n] == '_'))
			return false;
	return n > 0;
}

bool gj_pu_known_role(const char *role)
{
	/* The daemon's gj_known_roles (daemon/workflow.c): raise_alert
	 * refuses any other, so a typo is caught at start, not at 2 a.m. */
	static const char *const roles[] = {
		"butler", "cs_lead", "manager", "engineering", "security",
		"admin_hr", "team_head", "owner", "tenant",
	};
	size_t i;

	for (i = 0; role && i < sizeof(roles) / sizeof(roles[0]); i++)
		if (strcmp(roles[i], role) == 0)
			return true;
	return false;
}

/* --- lists --- */

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

int gj_pu_list_parse(struct gj_pu_list *l, const char *s)
{
	char *buf, *p, *comma;
	const char *q;
	char **items;
	size_t n = 1;

	l->buf = NULL;
	l->items = NULL;
	l->n = 0;
	if (gj_pu_blank(s))
		return 0;
	for (q = s; *q; q++)
		n += *q == ',';
	buf = strdup(s);
	items = calloc(n, sizeof(*items));
	if (!buf || !items) {
		free(buf);
		free(items);
		return -ENOMEM;
	}
	n = 0;
	for (p = buf;; p = comma + 1) {
		comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		items[n] = trim(p);
		if (!*items[n]) {
			free(buf);
			free(items);
			return -EINVAL;
		}
		n++;
		if (!comma)
			break;
	}
	l->buf = buf;
	l->items = items;
	l->n = n;
	return 0;
}

void gj_pu_list_finish(struct gj_pu_list *l)
{
	if (!l)
		return;
	free(l->items);
	free(l->buf);
	l->items = NULL;
	l->buf = NULL;
	l->n = 0;
}

bool gj_pu_list_has(const struct gj_pu_list *l, const char *item)
{
	size_t i;

	if (!item)
		return false;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->items[i], item) == 0)
			return true;
	return false;
}

void gj_pu_list_format(const struct gj_pu_list *l, char *buf, size_t len)
{
	size_t i, used = 0;
	int w;

	if (!len)
		return;
	buf[0] = '\0';
	for (i = 0; i < l->n && used < len; i++) {
		w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
		             l->items[i]);
		if (w < 0)
			return;
		used += (size_t)w;
	}
}

/* --- durations --- */

int gj_pu_parse_duration(const char *s, int64_t *ret_ms)
{
	static const struct {
		char unit;
		int64_t ms;
	} units[] = {
		{ 'd', GJ_PU_DAY_MS }, { 'h', GJ_PU_HOUR_MS },
		{ 'm', GJ_PU_MINUTE_MS }, { 's', 1000 },
	};
	size_t next = 0, u;
	int64_t total = 0, v;

	if (!s || !*s)
		return -EINVAL;
	while (*s) {
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		for (v = 0; isdigit((unsigned char)*s); s++) {
			v = v * 10 + (*s - '0');
			if (v > GJ_PU_DURATION_MAX_MS / 1000)
				return -EINVAL;
		}
		/* Units in decreasing order, each once: "1h30m", never "30m1h". */
		for (u = next; u < sizeof(units) / sizeof(units[0]); u++)
			if (units[u].unit == *s)
				break;
		if (u == sizeof(units) / sizeof(units[0]))
			return -EINVAL;
		total += v * units[u].ms;
		if (total > GJ_PU_DURATION_MAX_MS)
			return -EINVAL;
		next = u + 1;
		s++;
	}
	*ret_ms = total;
	return 0;
}

void gj_pu_format_duration(int64_t ms, char *buf, size_t len)
{
	int64_t s = (ms < 0 ? -ms : ms) / 1000;
	int64_t parts[4] = { s / 86400, s / 3600 % 24, s / 60 % 60, s % 60 };
	static const char units[4] = { 'd', 'h', 'm', 's' };
	size_t used = 0, i;
	int w;

	if (!len)
		return;
	buf[0] = '\0';
	if (s == 0) {
		snprintf(buf, len, "0s");
		return;
	}
	for (i = 0; i < 4 && used < len; i++) {
		if (!parts[i])
			continue;
		w = snprintf(buf + used, len - used, "%s%" PRId64 "%c",
		             used ? " " : "", parts[i], units[i]);
		if (w < 0)
			return;
		used += (size_t)w;
	}
}

/* --- dates and times --- */

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t gj_pu_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *ret_y, unsigned *ret_m,
                            unsigned *ret_d)
{
	int64_t era, doe, yoe, doy, mp;
	unsigned m;

	z += 719468;
	era = floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*ret_d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*ret_m = m;
	*ret_y = yoe + era * 400 + (m <= 2);
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(int64_t y, unsigned m)
{
	static const unsigned days[12] = { 31, 28, 31, 30, 31, 30,
	                                   31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Read exactly @p n digits. */
static int digits(const char **s, int n, int *ret)
{
	int v = 0;

	for (; n > 0; n--, (*s)++) {
		if (!isdigit((unsigned char)**s))
			return -EINVAL;
		v = v * 10 + (**s - '0');
	}
	*ret = v;
	return 0;
}

/* "YYYY-MM-DD" at *s, advancing *s past it. */
static int parse_date_at(const char **s, int64_t *ret_days)
{
	int y, m, d;

	if (digits(s, 4, &y) < 0 || *(*s)++ != '-' ||
	    digits(s, 2, &m) < 0 || *(*s)++ != '-' || digits(s, 2, &d) < 0)
		return -EINVAL;
	if (m < 1 || m > 12 || d < 1 || (unsigned)d > month_days(y, (unsigned)m))
		return -EINVAL;
	*ret_days = gj_pu_days_from_civil(y, (unsigned)m, (unsigned)d);
	return 0;
}

int gj_pu_parse_date(const char *s, int64_t *ret_days)
{
	int64_t days;

	if (!s || parse_date_at(&s, &days) < 0 || *s)
		return -EINVAL;
	*ret_days = days;
	return 0;
}

void gj_pu_format_date(int64_t days, char *buf, size_t len)
{
	int64_t y;
	unsigned m, d;

	civil_from_days(days, &y, &m, &d);
	snprintf(buf, len, "%04" PRId64 "-%02u-%02u", y, m, d);
}

int gj_pu_parse_hhmm(const char *s, int32_t *ret_minutes)
{
	int h, m;

	if (!s || digits(&s, 2, &h) < 0 || *s++ != ':' || digits(&s, 2, &m) < 0 ||
	    *s || h > 24 || m > 59 || (h == 24 && m != 0))
		return -EINVAL;
	*ret_minutes = h * 60 + m;
	return 0;
}

/* "Z" or "+HH:MM" / "-HH:MM" at *s, advancing *s past it. */
static int parse_offset_at(const char **s, int32_t *ret_minutes)
{
	int sign, h, m;

	if (**s == 'Z') {
		(*s)++;
		*ret_minutes = 0;
		return 0;
	}
	if (**s != '+' && **s != '-')
		return -EINVAL;
	sign = *(*s)++ == '-' ? -1 : 1;
	if (digits(s, 2, &h) < 0 || *(*s)++ != ':' || digits(s, 2, &m) < 0 ||
	    h > 14 || m > 59)
		return -EINVAL;
	*ret_minutes = sign * (h * 60 + m);
	return 0;
}

int gj_pu_parse_utc_offset(const char *s, int32_t *ret_minutes)
{
	int32_t off;

	if (!s || parse_offset_at(&s, &off) < 0 || *s)
		return -EINVAL;
	*ret_minutes = off;
	return 0;
}

int64_t gj_pu_day_of(int64_t ms, int32_t offset_min)
{
	return floor_div(ms + offset_min * GJ_PU_MINUTE_MS, GJ_PU_DAY_MS);
}

int64_t gj_pu_local_ms(int64_t days, int32_t minutes, int32_t offset_min)
{
	return days * GJ_PU_DAY_MS + (int64_t)(minutes - offset_min) * GJ_PU_MINUTE_MS;
}

int gj_pu_parse_iso8601(const char *s, int64_t *ret_ms)
{
	int64_t days, frac_ms = 0, scale = 100;
	int h, m, sec = 0;
	int32_t off;

	if (!s || parse_date_at(&s, &days) < 0 || (*s != 'T' && *s != ' '))
		return -EINVAL;
	s++;
	if (digits(&s, 2, &h) < 0 || *s++ != ':' || digits(&s, 2, &m) < 0)
		return -EINVAL;
	if (*s == ':') {
		s++;
		if (digits(&s, 2, &sec) < 0)
			return -EINVAL;
		if (*s == '.' || *s == ',') {
			s++;
			if (!isdigit((unsigned char)*s))
				return -EINVAL;
			for (; isdigit((unsigned char)*s); s++, scale /= 10)
				frac_ms += (*s - '0') * scale;
		}
	}
	if (h > 24 || m > 59 || sec > 60 || parse_offset_at(&s, &off) < 0 || *s)
		return -EINVAL;
	*ret_ms = gj_pu_local_ms(days, h * 60 + m, off) + sec * INT64_C(1000) + frac_ms;
	return 0;
}

void gj_pu_format_iso8601(int64_t ms, int32_t offset_min, char *buf, size_t len)
{
	int64_t local = ms + offset_min * GJ_PU_MINUTE_MS;
	int64_t days = floor_div(local, GJ_PU_DAY_MS);
	int64_t in_day = local - days * GJ_PU_DAY_MS, s = in_day / 1000;
	int32_t off = offset_min < 0 ? -offset_min : offset_min;
	char date[GJ_PU_DATE_LEN], frac[8] = "";

	gj_pu_format_date(days, date, sizeof(date));
	if (in_day % 1000)
		snprintf(frac, sizeof(frac), ".%03d", (int)(in_day % 1000));
	snprintf(buf, len, "%sT%02d:%02d:%02d%s%c%02d:%02d", date,
	         (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60), frac,
	         offset_min < 0 ? '-' : '+', (int)(off / 60), (int)(off % 60));
}

/* --- the host --- */

int gj_pu_host_check(const struct gj_pu_host *h)
{
	if (h->api->abi_major == GJ_PLUGIN_ABI_MAJOR && h->api->abi_minor >= 1)
		return 0;
	h->api->log(h->ctx, GJ_PLUGIN_LOG_ERR,
	            "the host speaks plugin ABI %u.%u; this plugin needs 1.1 "
	            "(set_ticket_field, working_days_deadline, publish, list_tickets)",
	            (unsigned)h->api->abi_major,
	            (unsigned)h->api->abi_minor);
	return -EPROTO;
}

int gj_pu_field_dup(const struct gj_pu_host *h, uint64_t ticket,
                    const char *field, char **ret)
{
	size_t len = 256;
	char *buf = NULL, *bigger;
	int r;

	for (;;) {
		bigger = realloc(buf, len);
		if (!bigger) {
			free(buf);
			return -ENOMEM;
		}
		buf = bigger;
		r = h->api->get_ticket_field(h->ctx, ticket, field, buf, len);
		if (r != -ENOSPC || len >= FIELD_MAX)
			break;
		len *= 2;
	}
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	return 0;
}

bool gj_pu_field_present(const struct gj_pu_host *h, uint64_t ticket,
                         const char *field)
{
	char *v = NULL;
	bool present;

	if (gj_pu_field_dup(h, ticket, field, &v) < 0)
		return false;
	present = !gj_pu_blank(v);
	free(v);
	return present;
}

bool gj_pu_field_is(const struct gj_pu_host *h, uint64_t ticket,
                    const char *field, const char *value)
{
	char *v = NULL;
	bool is;

	if (gj_pu_field_dup(h, ticket, field, &v) < 0)
		return false;
	is = strcmp(v, value) == 0;
	free(v);
	return is;
}

int gj_pu_field_int(const struct gj_pu_host *h, uint64_t ticket,
                    const char *field, int64_t def, int64_t *ret)
{
	char buf[32], *end;
	long long v;
	int r;

	r = h->api->get_ticket_field(h->ctx, ticket, field, buf, sizeof(buf));
	if (r == -ENOENT) {
		*ret = def;
		return -ENOENT;
	}
	if (r < 0)
		return r == -ENOSPC ? -EINVAL : r;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

int gj_pu_field_set_int(const struct gj_pu_host *h, uint64_t ticket,
                        const char *field, int64_t value)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%" PRId64, value);
	return h->api->set_ticket_field(h->ctx, ticket, field, buf);
}

int gj_pu_cancel_clock(const struct gj_pu_host *h, uint64_t ticket,
                       const char *name)
{
	int r = h->api->cancel_clock(h->ctx, ticket, name);

	return r == -ENOENT ? 0 : r;
}

void gj_pu_note(const struct gj_pu_host *h, uint64_t ticket, const char *fmt, ...)
{
	char *note = NULL;
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&note, fmt, ap);
	va_end(ap);
	if (r < 0)
		return;
	r = h->api->append_history(h->ctx, ticket, note);
	if (r < 0)
		h->api->log(h->ctx, GJ_PLUGIN_LOG_WARNING,
		            "ticket %" PRIu64 ": history note not added (%s): %s",
		            ticket, strerror(-r), note);
	free(note);
}

/* --- configuration --- */

static const char *cfg_value(const struct gj_pu_host *h, const char *key,
                             const char *def)
{
	const char *v = h->api->config_get(h->ctx, key);

	return v ? v : def;
}

int gj_pu_cfg_duration(const struct gj_pu_host *h, const char *key,
                       const char *def, int64_t min_ms, int64_t *ret_ms)
{
	const char *v = cfg_value(h, key, def);
	char min[GJ_PU_DURATION_LEN];
	int64_t ms;

	if (gj_pu_parse_duration(v, &ms) < 0) {
		h->api->log(h->ctx, GJ_PLUGIN_LOG_ERR,
		            "%s: \"%s\" is not a duration (write e.g. 90s, 5m or "
		            "1h30m; units d, h, m, s)", key, v ? v : "");
		return -EINVAL;
	}
	if (ms < min_ms) {
		gj_pu_format_duration(min_ms, min, sizeof(min));
		h->api->log(h->ctx, GJ_PLUGIN_LOG_ERR,
		            "%s: \"%s\" is too short (at least %s)",
		            key, v, min);
		return -EINVAL;
	}
	*ret_ms = ms;
	return 0;
}

int gj_pu_cfg_uint(const struct gj_pu_host *h, const char *key, uint32_t def,
                   uint32_t min, uint32_t max, uint32_t *ret)
{
	const char *v = h->api->config_get(h->ctx, key);
	uint32_t n;

	if (!v) {
		*ret = def;
		return 0;
	}
	if (gj_pu_parse_uint(v, max, &n) < 0 || n < min) {
		h->api->log(h->ctx, GJ_PLUGIN_LOG_ERR,
		            "%s: \"%s\" is not a whole number from %u to %u",
		            key, v, (unsigned)min, (unsigned)max);
		return -EINVAL;
	}
	*ret = n;
	return 0;
}

int gj_pu_cfg_list(const struct gj_pu_host *h, const char *key,
                   const char *def, bool nonempty, struct gj_pu_list *ret)
{
	const char *v = cfg_value(h, key, def);
	size_t i;
	int r;

	r = gj_pu_list_parse(ret, v);
	if (r == -EINVAL) {
		h->api->log(h->ctx, GJ_PLUGIN_LOG_ERR,
		            "%s: \"%s\" has an empty item (write a list of names, "
		            "e.g. [manager, cs_lead])", key, v);
		return r;
	}
	if (r < 0)
		return r;
	if (nonempty && ret->n == 0) {
		h->api->log(h->ctx, GJ_PLUGIN_LOG_ERR,
		            "%s: the list is empty; it needs at least one name", key);
		return -EINVAL;
	}
	for (i = 0; i < ret->n; i++)
		if (!gj_pu_valid_name(ret->items[i])) {
			h->api->log(h->ctx, GJ_PLUGIN_LOG_ERR,
			            "%s: \"%s\" is not a name (a-z, 0-9 and _, at most "
			            "%d characters)", key, ret->items[i], GJ_PU_NAME_LEN - 1);
			gj_pu_list_finish(ret);
			return -EINVAL;
		}
	return 0;
}

int gj_pu_cfg_roles(const struct gj_pu_host *h, const char *key,
                    const char *def, bool nonempty, struct gj_pu_list *ret)
{
	size_t i;
	int r;

	r = gj_pu_cfg_list(h, key, def, nonempty, ret);
	if (r < 0)
		return r;
	for (i = 0; i < ret->n; i++)
		if (!gj_pu_known_role(ret->items[i])) {
			h->api->log(h->ctx, GJ_PLUGIN_LOG_ERR,
			            "%s: \"%s\" is not a role (butler, cs_lead, manager, "
			            "engineering, security, admin_hr, team_head, owner, "
			            "tenant)", key, ret->items[i]);
			gj_pu_list_finish(ret);
			return -EINVAL;
		}
	return 0;
}

int gj_pu_cfg_name(const struct gj_pu_host *h, const char *key,
                   const char *def, const char **ret)
{
	const char *v = cfg_value(h, key, def);

	if (!gj_pu_valid_name(v)) {
		h->api->log(h->ctx, GJ_PLUGIN_LOG_ERR,
		            "%s: \"%s\" is not a name (a-z, 0-9 and _, at most %d "
		            "characters)", key, v ? v : "", GJ_PU_NAME_LEN - 1);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

int gj_pu_cfg_hhmm(const struct gj_pu_host *h, const char *key,
                   const char *def, int32_t *ret_minutes)
{
	const char *v = cfg_value(h, key, def);

	if (gj_pu_parse_hhmm(v, ret_minutes) < 0) {
		h->api->log(h->ctx, GJ_PLUGIN_LOG_ERR,
		            "%s: \"%s\" is not a time of day (write HH:MM, e.g. "
		            "17:30)", key, v ? v : "");
		return -EINVAL;
	}
	return 0;
}

int gj_pu_cfg_utc_offset(const struct gj_pu_host *h, const char *key,
                         const char *def, int32_t *ret_minutes)
{
	const char *v = cfg_value(h, key, def);

	if (gj_pu_parse_utc_offset(v, ret_minutes) < 0) {
		h->api->log(h->ctx, GJ_PLUGIN_LOG_ERR,
		            "%s: \"%s\" is not a UTC offset (write e.g. \"+08:00\")",
		            key, v ? v : "");
		return -EINVAL;
	}
	return 0;
}

/* --- calendar arithmetic for generators --- */

void gj_pu_civil(int64_t days, int64_t *ret_y, unsigned *ret_m, unsigned *ret_d)
{
	civil_from_days(days, ret_y, ret_m, ret_d);
}

unsigned gj_pu_days_in_month(int64_t y, unsigned m)
{
	return m >= 1 && m <= 12 ? month_days(y, m) : 0;
}

int gj_pu_weekday(int64_t days)
{
	/* 1970-01-01 was a Thursday. */
	return (int)(days - floor_div(days + 3, 7) * 7 + 3);
}

int gj_pu_parse_weekday(const char *s)
{
	static const char *const names[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };
	int i;

	for (i = 0; s && i < 7; i++)
		if (strcmp(s, names[i]) == 0)
			return i;
	return -EINVAL;
}

bool gj_pu_kind_is_working(int kind)
{
	return kind == GJ_PLUGIN_DAY_WORKING || kind == GJ_PLUGIN_DAY_MAKEUP;
}

int gj_pu_working_day_from(gj_pu_day_kind_fn fn, void *arg, int64_t day, int step,
                           int max_days, int64_t *ret_day)
{
	int i, k;

	if (step != 1 && step != -1)
		return -EINVAL;
	for (i = 0; i <= max_days; i++, day += step) {
		k = fn(arg, day);
		if (k < 0)
			return k;
		if (gj_pu_kind_is_working(k)) {
			*ret_day = day;
			return 0;
		}
	}
	return -ENOENT;
}

int gj_pu_nearest_working_day(gj_pu_day_kind_fn fn, void *arg, int64_t day, int64_t lo,
                              int64_t hi, bool prefer_later, int64_t *ret_day)
{
	int64_t dist, first, second;
	int k;

	for (dist = 0; day - dist >= lo || day + dist <= hi; dist++) {
		first = prefer_later ? day + dist : day - dist;
		second = prefer_later ? day - dist : day + dist;
		if (first >= lo && first <= hi) {
			k = fn(arg, first);
			if (k < 0)
				return k;
			if (gj_pu_kind_is_working(k)) {
				*ret_day = first;
				return 0;
			}
		}
		if (dist && second >= lo && second <= hi) {
			k = fn(arg, second);
			if (k < 0)
				return k;
			if (gj_pu_kind_is_working(k)) {
				*ret_day = second;
				return 0;
			}
		}
	}
	return -ENOENT;
}

int gj_pu_holidays_ahead(gj_pu_day_kind_fn fn, void *arg, int64_t day, int n, int horizon,
                         int64_t ret_first[], int64_t ret_last[], int max)
{
	int count = 1, found = 0, prev, k, i;
	int64_t d, e;

	prev = fn(arg, day);
	if (prev < 0)
		return prev;
	if (!gj_pu_kind_is_working(prev) || n < 1)
		return 0;
	/* count = working days from `day` to the day before d. */
	for (d = day + 1; d <= day + horizon && count <= n; d++) {
		k = fn(arg, d);
		if (k < 0)
			return k;
		if (k == GJ_PLUGIN_DAY_HOLIDAY && prev != GJ_PLUGIN_DAY_HOLIDAY && count == n &&
		    found < max) {
			/* A holiday starts here: find where it ends. */
			for (e = d, i = 0; i < 366; i++, e++) {
				int ke = fn(arg, e + 1);
				if (ke < 0)
					return ke;
				if (ke != GJ_PLUGIN_DAY_HOLIDAY)
					break;
			}
			ret_first[found] = d;
			ret_last[found] = e;
			found++;
		}
		if (gj_pu_kind_is_working(k))
			count++;
		prev = k;
	}
	return found;
}

int gj_pu_week_days(gj_pu_day_kind_fn fn, void *arg, int64_t monday, const int wdays[], int n,
                    int64_t ret_days[])
{
	bool taken[7] = { false }, working[7];
	int64_t out[7];
	bool have[7] = { false };
	int i, j, k, got = 0;

	if (n < 0 || n > 7)
		return -EINVAL;
	for (i = 0; i < 7; i++) {
		k = fn(arg, monday + i);
		if (k < 0)
			return k;
		working[i] = gj_pu_kind_is_working(k);
	}
	/* The weekdays that are worked keep their day... */
	for (i = 0; i < n; i++) {
		if (wdays[i] < 0 || wdays[i] > 6)
			return -EINVAL;
		if (working[wdays[i]] && !taken[wdays[i]]) {
			taken[wdays[i]] = true;
			out[i] = monday + wdays[i];
			have[i] = true;
		}
	}
	/* ...the others move to the next free working day of the week. */
	for (i = 0; i < n; i++) {
		if (have[i])
			continue;
		for (j = wdays[i] + 1; j < 7; j++)
			if (working[j] && !taken[j])
				break;
		if (j < 7) {
			taken[j] = true;
			out[i] = monday + j;
			have[i] = true;
		}
	}
	for (i = 0; i < n; i++)
		if (have[i])
			ret_days[got++] = out[i];
	return got;
}
