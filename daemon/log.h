/*
 * log.h - the daemon's log: one line per event on stderr, with the time and
 * a level.  Only the daemon layer (main.c, server.c) logs; everything below
 * returns errors.
 */
#pragma once

#include <stdarg.h>

enum gj_log_level { GJ_LOG_ERROR, GJ_LOG_WARN, GJ_LOG_INFO, GJ_LOG_DEBUG };

void gj_log_set_level(enum gj_log_level level);
void gj_log(enum gj_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
