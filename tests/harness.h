/*
 * harness.h - integration-test helpers: start the real guanjiad on a
 * temporary data directory with ipc:// sockets and a manual clock, wait
 * until it says it is ready (never sleep and hope), stop it, kill it.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct gj_daemon {
	pid_t pid;
	char dir[64];           /**< the temporary data directory */
	char *cmd_url, *event_url;
	char ready_line[512];
	bool capture_stderr;    /**< send the daemon's stderr to DIR/stderr.log */
};

/** Make a fresh data directory (removed by gj_daemon_cleanup). */
void gj_daemon_init(struct gj_daemon *d);

/**
 * Start guanjiad (path from $GJ_DAEMON or the build's) with extra args, and
 * wait for its ready line (at most 20 s).  Returns 0 or -1 (and prints why).
 */
int gj_daemon_start(struct gj_daemon *d, const char *const *extra_args);

/** SIGTERM and wait; returns the exit status. */
int gj_daemon_stop(struct gj_daemon *d);

/** SIGKILL and wait. */
void gj_daemon_kill9(struct gj_daemon *d);

/** Stop if running and remove the data directory. */
void gj_daemon_cleanup(struct gj_daemon *d);

/** What the daemon wrote to stderr so far (capture_stderr); malloc'd. */
char *gj_daemon_stderr(const struct gj_daemon *d);

/** Is the process still alive? */
bool gj_daemon_alive(struct gj_daemon *d);
