/*
 * harness.c - start and stop the real daemon for integration tests.
 */
#include "harness.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

#ifndef GJ_DAEMON_PATH
#define GJ_DAEMON_PATH "guanjiad"
#endif

void gj_daemon_init(struct gj_daemon *d)
{
	memset(d, 0, sizeof(*d));
	strcpy(d->dir, "/tmp/gj-it-XXXXXX");
	if (!mkdtemp(d->dir)) {
		perror("mkdtemp");
		abort();
	}
	d->cmd_url = gj_cmd_url(d->dir);
	d->event_url = gj_event_url(d->dir);
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int gj_daemon_start(struct gj_daemon *d, const char *const *extra_args)
{
	const char *path = getenv("GJ_DAEMON") ? getenv("GJ_DAEMON") : GJ_DAEMON_PATH;
	const char *argv[32];
	int pfd[2], argc = 0;
	size_t got = 0;
	int64_t deadline;

	argv[argc++] = path;
	argv[argc++] = "--data";
	argv[argc++] = d->dir;
	for (size_t i = 0; extra_args && extra_args[i] && argc < 30; i++)
		argv[argc++] = extra_args[i];
	argv[argc] = NULL;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	d->pid = fork();
	if (d->pid < 0)
		return -1;
	if (d->pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		if (d->capture_stderr) {
			char log[128];
			int fd;
			snprintf(log, sizeof(log), "%s/stderr.log", d->dir);
			fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
			if (fd >= 0)
				dup2(fd, STDERR_FILENO);
		}
		execv(path, (char *const *)argv);
		fprintf(stderr, "exec %s: %s\n", path, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	/* Read until the ready line; the daemon prints it once both sockets
	 * are bound. */
	deadline = mono_ms() + 20000;
	d->ready_line[0] = 0;
	while (!strchr(d->ready_line, '\n')) {
		struct pollfd p = { pfd[0], POLLIN, 0 };
		int64_t left = deadline - mono_ms();
		ssize_t n;
		if (left <= 0 || poll(&p, 1, (int)left) <= 0) {
			fprintf(stderr, "guanjiad did not become ready in 20 s\n");
			close(pfd[0]);
			gj_daemon_kill9(d);
			return -1;
		}
		n = read(pfd[0], d->ready_line + got, sizeof(d->ready_line) - 1 - got);
		if (n <= 0) {
			fprintf(stderr, "guanjiad exited before it was ready\n");
			close(pfd[0]);
			waitpid(d->pid, NULL, 0);
			d->pid = 0;
			return -1;
		}
		got += (size_t)n;
		d->ready_line[got] = 0;
		if (got >= sizeof(d->ready_line) - 1)
			break;
	}
	close(pfd[0]);
	if (strncmp(d->ready_line, "guanjiad ready:", 15) != 0) {
		fprintf(stderr, "unexpected first line from guanjiad: %s\n", d->ready_line);
		gj_daemon_kill9(d);
		return -1;
	}
	return 0;
}

int gj_daemon_stop(struct gj_daemon *d)
{
	int status = 0;

	if (d->pid <= 0)
		return -1;
	kill(d->pid, SIGTERM);
	waitpid(d->pid, &status, 0);
	d->pid = 0;
	return status;
}

void gj_daemon_kill9(struct gj_daemon *d)
{
	if (d->pid <= 0)
		return;
	kill(d->pid, SIGKILL);
	waitpid(d->pid, NULL, 0);
	d->pid = 0;
}

bool gj_daemon_alive(struct gj_daemon *d)
{
	int status;

	if (d->pid <= 0)
		return false;
	if (waitpid(d->pid, &status, WNOHANG) == d->pid) {
		d->pid = 0;
		return false;
	}
	return true;
}

void gj_daemon_cleanup(struct gj_daemon *d)
{
	char cmd[128];

	if (d->pid > 0)
		gj_daemon_stop(d);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", d->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", d->dir);
	free(d->cmd_url);
	free(d->event_url);
	d->cmd_url = d->event_url = NULL;
}

char *gj_daemon_stderr(const struct gj_daemon *d)
{
	char path[128];
	FILE *f;
	char *buf;
	size_t n;

	snprintf(path, sizeof(path), "%s/stderr.log", d->dir);
	f = fopen(path, "r");
	if (!f)
		return strdup("");
	buf = calloc(1, 1 << 20);
	n = buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	if (buf)
		buf[n] = 0;
	return buf;
}
