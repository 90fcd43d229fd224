/*
 * wire.c - conventions shared by the daemon and its clients: default paths,
 * socket addresses, and time as text.
 */
#include "wire.h"

#include <errno.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

char *gj_data_dir(const char *explicit_dir)
{
	const char *env;
	char *out = NULL;

	if (explicit_dir && *explicit_dir)
		return strdup(explicit_dir);
	env = getenv("GUANJIA_DATA");
	if (env && *env)
		return strdup(env);
	if (geteuid() == 0)
		return strdup("/var/lib/guanjia");
	env = getenv("XDG_STATE_HOME");
	if (env && *env) {
		if (asprintf(&out, "%s/guanjia", env) < 0)
			return NULL;
		return out;
	}
	env = getenv("HOME");
	if (!env || !*env) {
		struct passwd *pw = getpwuid(geteuid());
		env = pw ? pw->pw_dir : "/tmp";
	}
	if (asprintf(&out, "%s/.local/state/guanjia", env) < 0)
		return NULL;
	return out;
}

static char *ipc_url(const char *dir, const char *name)
{
	char *out = NULL;

	if (asprintf(&out, "ipc://%s/%s", dir, name) < 0)
		return NULL;
	return out;
}

char *gj_cmd_url(const char *data_dir)
{
	return ipc_url(data_dir, GJ_CMD_SOCKET);
}

char *gj_event_url(const char *data_dir)
{
	return ipc_url(data_dir, GJ_EVENT_SOCKET);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * well-known civil-calendar arithmetic, written out here). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	const int64_t era = (y >= 0 ? y : y - 399) / 400;
	const unsigned yoe = (unsigned)(y - era * 400);
	const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int read_num(const char **p, int digits, int *ret)
{
	int v = 0;

	for (int i = 0; i < digits; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -EINVAL;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += digits;
	*ret = v;
	return 0;
}

int gj_time_parse(const char *text, int64_t *ret_ms)
{
	const char *p = text;
	int y, mo, d, h = 0, mi = 0, s = 0, ms = 0;
	int offset_min = GJ_DEFAULT_UTC_OFFSET_MIN;

	if (!text)
		return -EINVAL;
	if (read_num(&p, 4, &y) || *p++ != '-' || read_num(&p, 2, &mo) ||
	    *p++ != '-' || read_num(&p, 2, &d))
		return -EINVAL;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -EINVAL;
	if (*p == 'T' || *p == ' ') {
		p++;
		if (read_num(&p, 2, &h) || *p++ != ':' || read_num(&p, 2, &mi))
			return -EINVAL;
		if (*p == ':') {
			p++;
			if (read_num(&p, 2, &s))
				return -EINVAL;
			if (*p == '.') {
				int frac = 0, n = 0;
				p++;
				while (*p >= '0' && *p <= '9') {
					if (n < 3) {
						frac = frac * 10 + (*p - '0');
						n++;
					}
					p++;
				}
				while (n++ < 3)
					frac *= 10;
				ms = frac;
			}
		}
		if (h > 24 || mi > 59 || s > 60 || (h == 24 && (mi || s || ms)))
			return -EINVAL;
	}
	if (*p == 'Z') {
		offset_min = 0;
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1, oh, om = 0;
		p++;
		if (read_num(&p, 2, &oh))
			return -EINVAL;
		if (*p == ':')
			p++;
		if (*p && read_num(&p, 2, &om))
			return -EINVAL;
		if (om > 59 || oh * 60 + om > 14 * 60)
			return -EINVAL; /* UTC offsets run from -14:00 to +14:00 */
		offset_min = sign * (oh * 60 + om);
	}
	if (*p)
		return -EINVAL;
	/* Reject dates such as 02-30 by a round trip through the day count. */
	int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
	if (d > 28) {
		int64_t next = days_from_civil(mo == 12 ? y + 1 : y,
					       mo == 12 ? 1u : (unsigned)mo + 1, 1);
		if (days >= next)
			return -EINVAL;
	}
	*ret_ms = ((days * 86400 + h * 3600 + mi * 60 + s) - (int64_t)offset_min * 60) * 1000 + ms;
	return 0;
}

void gj_time_format(int64_t ms, int offset_min, char *buf, size_t len)
{
	time_t t = (time_t)((ms - (ms % 1000 + 1000) % 1000) / 1000) + (time_t)offset_min * 60;
	struct tm tm;
	int off = offset_min < 0 ? -offset_min : offset_min;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, offset_min < 0 ? '-' : '+', off / 60, off % 60);
}

void gj_duration_format(int64_t ms, char *buf, size_t len)
{
	bool neg = ms < 0;
	uint64_t a = neg ? (uint64_t)(-ms) : (uint64_t)ms;
	uint64_t s = a / 1000, d = s / 86400, h = (s / 3600) % 24, m = (s / 60) % 60, sec = s % 60;
	const char *sign = neg ? "-" : "";

	if (a == 0)
		snprintf(buf, len, "0s");
	else if (a < 1000)
		snprintf(buf, len, "%s%llums", sign, (unsigned long long)a);
	else if (d)
		snprintf(buf, len, "%s%llud%02lluh%02llum", sign, (unsigned long long)d,
			 (unsigned long long)h, (unsigned long long)m);
	else if (h)
		snprintf(buf, len, "%s%lluh%02llum", sign, (unsigned long long)h,
			 (unsigned long long)m);
	else if (m)
		snprintf(buf, len, "%s%llum%02llus", sign, (unsigned long long)m,
			 (unsigned long long)sec);
	else
		snprintf(buf, len, "%s%llus", sign, (unsigned long long)sec);
}

int64_t gj_realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
