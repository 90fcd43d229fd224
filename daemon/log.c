/*
 * log.c - timestamped log lines on stderr.
 */
#include "log.h"

#include <stdio.h>
#include <time.h>

static enum gj_log_level max_level = GJ_LOG_INFO;

void gj_log_set_level(enum gj_log_level level)
{
	max_level = level;
}

void gj_log(enum gj_log_level level, const char *fmt, ...)
{
	static const char *const names[] = { "error", "warn", "info", "debug" };
	struct timespec ts;
	struct tm tm;
	char when[32];
	va_list ap;

	if (level > max_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ld guanjiad %s: ", when, ts.tv_nsec / 1000000, names[level]);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
