/*
 * gj-bench.c - how many acknowledged transitions per second guanjiad takes,
 * and how long each acknowledgement takes, under a closed-loop load.
 *
 * Each client thread owns one REQ socket and walks r17_repair tickets
 * through open -> dispatch -> finish, one request in flight at a time, so
 * the load is exactly --clients outstanding requests.  Every APPLIED reply
 * is one acknowledged (durable) transition.  The figures come from a window
 * that starts after a warm-up; a reply counts when it arrives inside it.
 *
 * This is a benchmark: it prints figures, never pass/fail.  See README.md.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/reqrep.h>

#include "guanjia.pb-c.h"
#include "wire.h"

#ifndef GJ_DAEMON_PATH
#define GJ_DAEMON_PATH "build/daemon/guanjiad"
#endif

#define NS_PER_MS 1000000LL
#define NS_PER_S 1000000000LL

/* How long the daemon may take to print its ready line. */
#define READY_TIMEOUT_MS 30000
/* How long a stopped daemon may take to exit before it gets SIGKILL. */
#define STOP_TIMEOUT_MS 30000
/* Receive timeout of the client sockets: how often a waiting client looks
 * at the abort flag, not a limit on latency. */
#define POLL_SLICE_MS 200
/* One packed request of this program is a few hundred bytes. */
#define REQ_BUF 4096

/* The workflow driven, and its field names (etc/workflows/r17_repair.yaml). */
#define WORKFLOW "r17_repair"

struct opts {
	const char *daemon_path;
	const char *connect_url;
	const char *data_dir;
	long clients;
	double seconds;
	double warmup;
	uint64_t requests;        /* 0: run for `seconds` */
	long batch;               /* 0: the daemon's default */
	const char *extra[16];    /* --daemon-arg, passed on as they are */
	size_t n_extra;
	double timeout;           /* per request, seconds */
	bool json;
	bool keep;
};

/* The daemon this program started. */
struct daemon_proc {
	pid_t pid;
	char dir[64];             /* data directory when we made it */
	const char *data;         /* data directory in use */
	bool own_dir;             /* made by us: removed unless --keep */
	char log_path[64];        /* its stderr */
	int exit_status;          /* from waitpid, -1 until it exited */
	bool exited;
};

/* What every client shares; written by main before it sets `go`. */
struct shared {
	char prefix[24];          /* run prefix of request ids */
	int64_t t0, t1;           /* measured window [t0, t1), CLOCK_MONOTONIC ns */
	bool by_requests;
	uint64_t limit;           /* --requests */
	int64_t timeout_ns;
	atomic_uint_fast64_t claimed;
	atomic_int abort;
	atomic_int done;
	pthread_mutex_t lock;     /* go, first_refusal, first_error */
	pthread_cond_t start;
	bool go;
	char *first_refusal;
	char *first_error;
};

struct client {
	pthread_t thread;
	unsigned idx;
	struct shared *sh;
	int sock;
	uint64_t counter;
	uint64_t *lat;            /* ns, one per measured reply */
	size_t n_lat, cap_lat;
	int64_t last_reply;       /* ns, latest measured reply */
	/* measured window */
	uint64_t applied, refused, already, tickets;
	/* whole run, warm-up included */
	uint64_t applied_all, refused_all;
	/* whole run: no reply in time; reply for another id or undecodable;
	 * the socket failed (the client stops) */
	uint64_t unanswered, bad_replies, transport;
};

struct results {
	double duration_s;
	uint64_t applied, refused, already, tickets;
	uint64_t unanswered, bad_replies, transport;
	uint64_t applied_all, refused_all;
	uint64_t *lat;
	size_t n_lat;
	bool interrupted;
	bool daemon_died;
	double daemon_cpu_s;      /* inside the window, -1: n/a */
	long hwm_kib, rss_kib;    /* -1: n/a */
	long anon_kib, file_kib;  /* of rss: heap and the like / mapped files (LMDB) */
	long long data_bytes, data_alloc;  /* -1: n/a */
	double bench_cpu_s;
	unsigned long long d_requests, d_batches;  /* from the daemon's log, 0: n/a */
};

static int64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * NS_PER_S + ts.tv_nsec;
}

static void usage(FILE *out)
{
	fprintf(out,
		"usage: gj-bench [OPTIONS]\n"
		"\n"
		"Closed-loop load on guanjiad: N clients each open an r17_repair ticket,\n"
		"dispatch it and finish it, one request in flight per client; prints\n"
		"acknowledged transitions per second, ack latency percentiles, the\n"
		"daemon's memory and the size of its database.\n"
		"\n"
		"  --clients N      client threads, one REQ socket each (default 64)\n"
		"  --seconds S      length of the measured window (default 10)\n"
		"  --requests N     measure N requests instead of a time window\n"
		"  --warmup S       unmeasured warm-up before the window (default 1)\n"
		"  --daemon PATH    guanjiad to start (default $GJ_DAEMON, else\n"
		"                   " GJ_DAEMON_PATH ")\n"
		"  --data DIR       start it on DIR instead of a fresh temporary directory\n"
		"                   (DIR is never removed)\n"
		"  --batch N        pass --batch N to the daemon started\n"
		"  --daemon-arg ARG pass ARG on to the daemon started (repeat for more,\n"
		"                   e.g. --daemon-arg=--map-size --daemon-arg=16)\n"
		"  --connect URL    use a running daemon at URL instead of starting one\n"
		"  --timeout S      give up on a request unanswered after S seconds (default 30)\n"
		"  --keep           keep the temporary data directory and the daemon's log\n"
		"  --json           print the figures as one JSON object\n"
		"  --help           this text\n");
}

static bool parse_double(const char *s, double min, double *ret)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= min) || v > 1e7)
		return false;
	*ret = v;
	return true;
}

static bool parse_long(const char *s, long min, long max, long *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return false;
	*ret = v;
	return true;
}

/* ------------------------------------------------------------------ */
/* the daemon                                                          */

static void print_file(const char *path, const char *title)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	fprintf(stderr, "---- %s (%s) ----\n", title, path);
	while (fgets(line, sizeof(line), f))
		fputs(line, stderr);
	fprintf(stderr, "---- end ----\n");
	fclose(f);
}

/* Start guanjiad on d->data and read its stdout up to the ready line. */
static int daemon_start(struct daemon_proc *d, const struct opts *o)
{
	char line[1024], batch[24];
	const char *argv[24];
	int argc = 0, pfd[2], logfd;
	size_t got = 0;
	int64_t deadline;
	sigset_t none;
	pid_t parent = getpid();

	argv[argc++] = o->daemon_path;
	argv[argc++] = "--data";
	argv[argc++] = d->data;
	if (o->batch) {
		snprintf(batch, sizeof(batch), "%ld", o->batch);
		argv[argc++] = "--batch";
		argv[argc++] = batch;
	}
	for (size_t i = 0; i < o->n_extra; i++)
		argv[argc++] = o->extra[i];
	argv[argc] = NULL;

	snprintf(d->log_path, sizeof(d->log_path), "/tmp/gj-bench-daemon-XXXXXX.log");
	logfd = mkostemps(d->log_path, 4, O_CLOEXEC);
	if (logfd < 0) {
		fprintf(stderr, "gj-bench: cannot create a log file in /tmp: %s\n", strerror(errno));
		d->log_path[0] = 0;
		return -1;
	}
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		fprintf(stderr, "gj-bench: pipe: %s\n", strerror(errno));
		close(logfd);
		return -1;
	}
	d->pid = fork();
	if (d->pid < 0) {
		fprintf(stderr, "gj-bench: fork: %s\n", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		close(logfd);
		return -1;
	}
	if (d->pid == 0) {
		/* The mask survives exec: the daemon must see SIGTERM. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* Ctrl-C is for gj-bench, which then stops the daemon in
		 * order; should gj-bench die, the daemon goes too. */
		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(127);
		dup2(pfd[1], STDOUT_FILENO);
		dup2(logfd, STDERR_FILENO);
		execv(o->daemon_path, (char *const *)argv);
		fprintf(stderr, "gj-bench: cannot run %s: %s\n", o->daemon_path, strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	close(logfd);

	/* The daemon prints its ready line once both sockets are bound. */
	deadline = mono_ns() + READY_TIMEOUT_MS * NS_PER_MS;
	line[0] = 0;
	while (!strchr(line, '\n') && got < sizeof(line) - 1) {
		struct pollfd p = { pfd[0], POLLIN, 0 };
		int64_t left = (deadline - mono_ns()) / NS_PER_MS;
		ssize_t n;
		int pr;

		if (left <= 0) {
			fprintf(stderr, "gj-bench: %s printed no ready line in %d s\n",
				o->daemon_path, READY_TIMEOUT_MS / 1000);
			goto fail;
		}
		pr = poll(&p, 1, (int)left);
		if (pr < 0 && errno != EINTR) {
			fprintf(stderr, "gj-bench: poll: %s\n", strerror(errno));
			goto fail;
		}
		if (pr <= 0)
			continue;
		n = read(pfd[0], line + got, sizeof(line) - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "gj-bench: %s exited before it was ready\n", o->daemon_path);
			goto fail;
		}
		got += (size_t)n;
		line[got] = 0;
	}
	close(pfd[0]);
	if (strncmp(line, "guanjiad ready:", 15) != 0) {
		fprintf(stderr, "gj-bench: unexpected first line from %s: %s\n", o->daemon_path, line);
		pfd[0] = -1;
		goto fail;
	}
	if (!o->json)
		fprintf(stderr, "gj-bench: %s", line);
	return 0;
fail:
	if (pfd[0] >= 0)
		close(pfd[0]);
	kill(d->pid, SIGKILL);
	waitpid(d->pid, &d->exit_status, 0);
	d->exited = true;
	print_file(d->log_path, "guanjiad's stderr");
	return -1;
}

/* SIGTERM, then wait; SIGKILL if it does not stop in time. */
static void daemon_stop(struct daemon_proc *d)
{
	int64_t deadline;

	if (d->pid <= 0 || d->exited)
		return;
	kill(d->pid, SIGTERM);
	deadline = mono_ns() + STOP_TIMEOUT_MS * NS_PER_MS;
	for (;;) {
		pid_t r = waitpid(d->pid, &d->exit_status, WNOHANG);
		if (r == d->pid) {
			d->exited = true;
			return;
		}
		if (r < 0 && errno != EINTR) {
			d->exited = true;
			d->exit_status = -1;
			return;
		}
		if (mono_ns() > deadline) {
			fprintf(stderr, "gj-bench: guanjiad did not stop %d s after SIGTERM; killing it\n",
				STOP_TIMEOUT_MS / 1000);
			kill(d->pid, SIGKILL);
			waitpid(d->pid, &d->exit_status, 0);
			d->exited = true;
			return;
		}
		/* waitpid has no timeout; a SIGCHLD (blocked, so pending) ends
		 * the wait early. */
		{
			sigset_t chld;
			struct timespec slice = { 0, 20 * NS_PER_MS };
			sigemptyset(&chld);
			sigaddset(&chld, SIGCHLD);
			sigtimedwait(&chld, NULL, &slice);
		}
	}
}

/* VmHWM or VmRSS of a process in KiB; -1 when unknown. */
static long proc_status_kib(pid_t pid, const char *key)
{
	char path[64], line[256];
	size_t kl = strlen(key);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			v = strtol(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* utime + stime of a process in seconds; -1 when unknown. */
static double proc_cpu_s(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	/* The command name may hold spaces and parentheses: skip past the
	 * last ')'; then come field 3 (state) ... 14 (utime), 15 (stime). */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* "stopping after N requests in M batches", logged on SIGTERM. */
static void parse_daemon_log(const char *path, struct results *r)
{
	char line[1024];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		const char *p = strstr(line, "stopping after ");
		unsigned long long a, b;
		if (p && sscanf(p, "stopping after %llu requests in %llu batches", &a, &b) == 2) {
			r->d_requests = a;
			r->d_batches = b;
		}
	}
	fclose(f);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path) < 0)
		fprintf(stderr, "gj-bench: cannot remove %s: %s\n", path, strerror(errno));
	return 0;
}

/* ------------------------------------------------------------------ */
/* one request                                                         */

static void note_first(struct shared *sh, char **slot, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note_first(struct shared *sh, char **slot, const char *fmt, ...)
{
	va_list ap;
	char *m = NULL;

	pthread_mutex_lock(&sh->lock);
	if (!*slot) {
		va_start(ap, fmt);
		if (vasprintf(&m, fmt, ap) >= 0)
			*slot = m;
		va_end(ap);
	}
	pthread_mutex_unlock(&sh->lock);
}

static int set_opt(int sock, int level, int option, int value)
{
	return nn_setsockopt(sock, level, option, &value, sizeof(value));
}

/* A REQ socket connected to url; -1 with errno on failure. */
static int req_socket(const char *url)
{
	int s = nn_socket(AF_SP, NN_REQ);

	if (s < 0)
		return -1;
	if (set_opt(s, NN_SOL_SOCKET, NN_RCVTIMEO, POLL_SLICE_MS) < 0 ||
	    set_opt(s, NN_SOL_SOCKET, NN_SNDTIMEO, POLL_SLICE_MS) < 0 ||
	    nn_connect(s, url) < 0) {
		int e = nn_errno();
		nn_close(s);
		errno = e;
		return -1;
	}
	return s;
}

enum rt_fail { RT_ABORTED, RT_TIMEOUT, RT_BAD_REPLY, RT_TRANSPORT };

/*
 * Send one packed request and wait for its reply.  Waits in slices so that
 * an abort is seen; gives up after timeout_ns (a REQ socket drops the
 * pending request when the next one is sent, so the caller may go on).
 * @return the unpacked reply (free with guanjia__reply__free_unpacked), or
 *         NULL with *ret_fail set and a message in err.
 */
static Guanjia__Reply *roundtrip(int sock, const uint8_t *buf, size_t len, int64_t timeout_ns,
				 atomic_int *abort_flag, enum rt_fail *ret_fail,
				 char *err, size_t errlen)
{
	int64_t give_up = mono_ns() + timeout_ns;
	Guanjia__Reply *reply;
	void *msg = NULL;
	int n;

	while (nn_send(sock, buf, len, 0) < 0) {
		int e = nn_errno();
		if (e != ETIMEDOUT && e != EINTR && e != EAGAIN) {
			snprintf(err, errlen, "send: %s", nn_strerror(e));
			*ret_fail = RT_TRANSPORT;
			return NULL;
		}
		if (atomic_load(abort_flag)) {
			*ret_fail = RT_ABORTED;
			return NULL;
		}
		if (mono_ns() > give_up) {
			snprintf(err, errlen, "could not send in %.1f s", (double)timeout_ns / NS_PER_S);
			*ret_fail = RT_TIMEOUT;
			return NULL;
		}
	}
	while ((n = nn_recv(sock, &msg, NN_MSG, 0)) < 0) {
		int e = nn_errno();
		if (e != ETIMEDOUT && e != EINTR && e != EAGAIN) {
			snprintf(err, errlen, "receive: %s", nn_strerror(e));
			*ret_fail = RT_TRANSPORT;
			return NULL;
		}
		if (atomic_load(abort_flag)) {
			*ret_fail = RT_ABORTED;
			return NULL;
		}
		if (mono_ns() > give_up) {
			snprintf(err, errlen, "no reply in %.1f s", (double)timeout_ns / NS_PER_S);
			*ret_fail = RT_TIMEOUT;
			return NULL;
		}
	}
	reply = guanjia__reply__unpack(NULL, (size_t)n, msg);
	nn_freemsg(msg);
	if (!reply) {
		snprintf(err, errlen, "a reply of %d bytes is not a guanjia Reply", n);
		*ret_fail = RT_BAD_REPLY;
	}
	return reply;
}

/* ------------------------------------------------------------------ */
/* a client thread                                                     */

enum step { STEP_OPEN, STEP_DISPATCH, STEP_FINISH };

static const char *step_name(enum step s)
{
	return s == STEP_OPEN ? "open" : s == STEP_DISPATCH ? "dispatch" : "finish";
}

static bool push_latency(struct client *c, uint64_t ns)
{
	if (c->n_lat == c->cap_lat) {
		size_t nc = c->cap_lat ? c->cap_lat * 2 : 4096;
		uint64_t *na = realloc(c->lat, nc * sizeof(*na));
		if (!na)
			return false;
		c->lat = na;
		c->cap_lat = nc;
	}
	c->lat[c->n_lat++] = ns;
	return true;
}

/* Pack the request for `step` of ticket `ticket` into buf. */
static size_t build(struct client *c, enum step step, uint64_t ticket,
		    char *rid, size_t rid_len, uint8_t *buf)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__Actor actor = GUANJIA__ACTOR__INIT;
	Guanjia__OpenTicket op = GUANJIA__OPEN_TICKET__INIT;
	Guanjia__FireEvent fe = GUANJIA__FIRE_EVENT__INIT;
	Guanjia__Field f0 = GUANJIA__FIELD__INIT, f1 = GUANJIA__FIELD__INIT;
	Guanjia__Field *fields[2] = { &f0, &f1 };
	char person[32], tech[32];
	size_t len;

	/* Counter zero-padded: one client's ids sort in the order sent. */
	snprintf(rid, rid_len, "%s-b%u-%010" PRIu64, c->sh->prefix, c->idx, ++c->counter);
	snprintf(person, sizeof(person), "bench.%u", c->idx);
	req.request_id = rid;
	req.actor = &actor;
	actor.person = person;
	actor.channel = "gj-bench";
	switch (step) {
	case STEP_OPEN:
		actor.role = "butler";
		f0.name = "location";
		f0.value = "tower 3, lobby, north door closer";
		op.workflow = WORKFLOW;
		op.fields = fields;
		op.n_fields = 1;
		req.command_case = GUANJIA__REQUEST__COMMAND_OPEN;
		req.open = &op;
		break;
	case STEP_DISPATCH:
		actor.role = "butler";
		snprintf(tech, sizeof(tech), "tech.%u", c->idx);
		f0.name = "technician";
		f0.value = tech;
		f1.name = "severity";
		f1.value = "minor";
		fe.ticket_id = ticket;
		fe.event = "dispatch";
		fe.fields = fields;
		fe.n_fields = 2;
		req.command_case = GUANJIA__REQUEST__COMMAND_FIRE;
		req.fire = &fe;
		break;
	case STEP_FINISH:
		actor.role = "engineering";
		fe.ticket_id = ticket;
		fe.event = "finish";
		req.command_case = GUANJIA__REQUEST__COMMAND_FIRE;
		req.fire = &fe;
		break;
	}
	len = guanjia__request__get_packed_size(&req);
	if (len > REQ_BUF)
		return 0;
	guanjia__request__pack(&req, buf);
	return len;
}

static void *client_main(void *arg)
{
	struct client *c = arg;
	struct shared *sh = c->sh;
	enum step step = STEP_OPEN;
	uint64_t ticket = 0;
	uint8_t buf[REQ_BUF];
	char rid[GJ_MAX_REQUEST_ID + 1], err[256];
	enum rt_fail fail;

	pthread_mutex_lock(&sh->lock);
	while (!sh->go)
		pthread_cond_wait(&sh->start, &sh->lock);
	pthread_mutex_unlock(&sh->lock);
	if (c->sock < 0)
		goto out;
	for (;;) {
		Guanjia__Reply *reply;
		int64_t t_send, t_recv;
		bool measured;
		size_t len;

		if (atomic_load(&sh->abort))
			break;
		t_send = mono_ns();
		if (!sh->by_requests && t_send >= sh->t1)
			break;
		measured = t_send >= sh->t0;
		if (sh->by_requests && measured &&
		    atomic_fetch_add(&sh->claimed, 1) >= sh->limit)
			break;
		len = build(c, step, ticket, rid, sizeof(rid), buf);
		if (!len) {
			note_first(sh, &sh->first_error, "client %u: request too large to pack", c->idx);
			c->transport++;
			break;
		}
		t_send = mono_ns();
		reply = roundtrip(c->sock, buf, len, sh->timeout_ns, &sh->abort, &fail, err, sizeof(err));
		t_recv = mono_ns();
		if (!reply) {
			if (fail == RT_ABORTED)
				break;
			note_first(sh, &sh->first_error, "client %u, request %s (%s): %s", c->idx, rid,
				   step_name(step), err);
			if (fail == RT_TRANSPORT) {
				c->transport++;
				break;
			}
			/* Unanswered or garbled: that ticket is lost to us. */
			if (fail == RT_TIMEOUT)
				c->unanswered++;
			else
				c->bad_replies++;
			step = STEP_OPEN;
			continue;
		}
		if (!sh->by_requests)
			measured = t_recv >= sh->t0 && t_recv < sh->t1;
		if (strcmp(reply->request_id, rid) != 0) {
			/* The REQ socket matched it to our request, so it is the
			 * answer to it, with a wrong id: count it, then judge the
			 * outcome as usual. */
			note_first(sh, &sh->first_error, "client %u: the reply to '%s' (%s) carries request id '%s': %s",
				   c->idx, rid, step_name(step), reply->request_id,
				   reply->message ? reply->message : "");
			c->bad_replies++;
		}
		if (measured) {
			if (!push_latency(c, (uint64_t)(t_recv - t_send))) {
				note_first(sh, &sh->first_error, "client %u: out of memory", c->idx);
				guanjia__reply__free_unpacked(reply, NULL);
				break;
			}
			if (t_recv > c->last_reply)
				c->last_reply = t_recv;
		}
		switch (reply->outcome) {
		case GUANJIA__OUTCOME__APPLIED:
		case GUANJIA__OUTCOME__ALREADY_APPLIED:
			if (reply->outcome == GUANJIA__OUTCOME__APPLIED) {
				c->applied_all++;
				c->applied += measured;
			} else {
				c->already += measured;
			}
			if (step == STEP_OPEN) {
				if (reply->result_case != GUANJIA__REPLY__RESULT_TICKET || !reply->ticket) {
					note_first(sh, &sh->first_error, "client %u: reply to open %s carries no ticket",
						   c->idx, rid);
					c->bad_replies++;
					step = STEP_OPEN;
					break;
				}
				ticket = reply->ticket->id;
				step = STEP_DISPATCH;
			} else if (step == STEP_DISPATCH) {
				step = STEP_FINISH;
			} else {
				c->tickets += measured;
				step = STEP_OPEN;
			}
			break;
		default:
			c->refused_all++;
			c->refused += measured;
			note_first(sh, &sh->first_refusal, "%s (code %d, request %s, %s)",
				   reply->message && *reply->message ? reply->message : "(no message)",
				   (int)reply->code, rid, step_name(step));
			/* Leave that ticket where it is and start a new one. */
			step = STEP_OPEN;
			break;
		}
		guanjia__reply__free_unpacked(reply, NULL);
	}
out:
	atomic_fetch_add(&sh->done, 1);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* figures                                                             */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* v sorted, q in parts per 100000: v[min(n-1, ceil(q*n)-1)]. */
static double pct_ms(const uint64_t *v, size_t n, uint64_t q)
{
	uint64_t k;

	if (!n)
		return 0;
	k = (q * (uint64_t)n + 99999) / 100000;
	if (k == 0)
		k = 1;
	if (k > n)
		k = n;
	return (double)v[k - 1] / NS_PER_MS;
}

static void json_str(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void fmt_kib(char *buf, size_t len, long kib)
{
	if (kib < 0)
		snprintf(buf, len, "n/a");
	else
		snprintf(buf, len, "%.1f MiB", (double)kib / 1024);
}

static void print_text(const struct opts *o, const struct daemon_proc *d, const struct shared *sh,
		       const struct results *r)
{
	const uint64_t *v = r->lat;
	size_t n = r->n_lat;
	char hwm[32], rss[32], anon[32], file[32];

	fmt_kib(hwm, sizeof(hwm), r->hwm_kib);
	fmt_kib(rss, sizeof(rss), r->rss_kib);
	fmt_kib(anon, sizeof(anon), r->anon_kib);
	fmt_kib(file, sizeof(file), r->file_kib);
	printf("daemon            %s\n", o->connect_url ? o->connect_url : o->daemon_path);
	if (d->data)
		printf("data directory    %s%s\n", d->data,
		       d->own_dir && !o->keep ? " (removed)" : "");
	printf("clients           %ld\n", o->clients);
	printf("duration          %.3f s measured, after %.1f s warm-up%s\n", r->duration_s, o->warmup,
	       r->interrupted ? " (INTERRUPTED)" : r->daemon_died ? " (DAEMON DIED)" : "");
	printf("transitions       %" PRIu64 " acknowledged (%" PRIu64 " tickets done)\n",
	       r->applied, r->tickets);
	printf("transitions/s     %.1f\n", r->duration_s > 0 ? (double)r->applied / r->duration_s : 0);
	printf("latency ms        p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f  (%zu samples)\n",
	       pct_ms(v, n, 50000), pct_ms(v, n, 90000), pct_ms(v, n, 99000), pct_ms(v, n, 99900),
	       n ? (double)v[n - 1] / NS_PER_MS : 0, n);
	printf("refusals          %" PRIu64 " (whole run incl. warm-up: %" PRIu64 ")\n",
	       r->refused, r->refused_all);
	if (sh->first_refusal)
		printf("first refusal     %s\n", sh->first_refusal);
	if (r->already)
		printf("already applied   %" PRIu64 " (a request was resent)\n", r->already);
	if (r->unanswered || r->bad_replies || r->transport || sh->first_error)
		printf("errors            %" PRIu64 " unanswered (after %.1f s), %" PRIu64 " bad replies, "
		       "%" PRIu64 " socket failures (whole run)\nfirst error       %s\n",
		       r->unanswered, o->timeout, r->bad_replies, r->transport,
		       sh->first_error ? sh->first_error : "?");
	printf("daemon peak RSS   %s (VmHWM)\n", hwm);
	if (r->rss_kib >= 0)
		printf("daemon RSS at end %s (VmRSS: %s anonymous, %s of mapped files such as data.mdb)\n",
		       rss, anon, file);
	else
		printf("daemon RSS at end n/a\n");
	if (r->data_bytes >= 0)
		printf("data.mdb          %.1f MiB (%.1f MiB allocated), %" PRIu64 " transitions stored by this run\n",
		       (double)r->data_bytes / 1048576, (double)r->data_alloc / 1048576, r->applied_all);
	else
		printf("data.mdb          n/a\n");
	if (r->daemon_cpu_s >= 0)
		printf("daemon CPU        %.2f s in the window (%.0f%% of one core)\n", r->daemon_cpu_s,
		       r->duration_s > 0 ? 100 * r->daemon_cpu_s / r->duration_s : 0);
	else
		printf("daemon CPU        n/a\n");
	if (r->d_batches)
		printf("daemon turns      %llu requests in %llu loop turns (%.1f per turn, whole run)\n",
		       r->d_requests, r->d_batches, (double)r->d_requests / (double)r->d_batches);
	printf("bench CPU         %.2f s (all client threads, whole run; %ld CPUs online)\n",
	       r->bench_cpu_s, sysconf(_SC_NPROCESSORS_ONLN));
}

static void print_json(const struct opts *o, const struct daemon_proc *d, const struct shared *sh,
		       const struct results *r)
{
	const uint64_t *v = r->lat;
	size_t n = r->n_lat;

	printf("{\"daemon\": ");
	json_str(stdout, o->connect_url ? o->connect_url : o->daemon_path);
	printf(", \"data_dir\": ");
	json_str(stdout, d->data);
	printf(", \"data_dir_removed\": %s", d->own_dir && !o->keep ? "true" : "false");
	printf(", \"clients\": %ld, \"warmup_s\": %.3f, \"duration_s\": %.3f", o->clients, o->warmup,
	       r->duration_s);
	printf(", \"interrupted\": %s, \"daemon_died\": %s", r->interrupted ? "true" : "false",
	       r->daemon_died ? "true" : "false");
	printf(", \"transitions\": %" PRIu64 ", \"tickets_done\": %" PRIu64, r->applied, r->tickets);
	printf(", \"transitions_per_s\": %.1f", r->duration_s > 0 ? (double)r->applied / r->duration_s : 0);
	printf(", \"latency_ms\": {\"samples\": %zu, \"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f, "
	       "\"p99_9\": %.3f, \"max\": %.3f}",
	       n, pct_ms(v, n, 50000), pct_ms(v, n, 90000), pct_ms(v, n, 99000), pct_ms(v, n, 99900),
	       n ? (double)v[n - 1] / NS_PER_MS : 0);
	printf(", \"refusals\": %" PRIu64 ", \"refusals_whole_run\": %" PRIu64, r->refused, r->refused_all);
	printf(", \"first_refusal\": ");
	json_str(stdout, sh->first_refusal);
	printf(", \"already_applied\": %" PRIu64 ", \"unanswered\": %" PRIu64 ", \"bad_replies\": %" PRIu64
	       ", \"socket_failures\": %" PRIu64 ", \"first_error\": ",
	       r->already, r->unanswered, r->bad_replies, r->transport);
	json_str(stdout, sh->first_error);
	if (r->hwm_kib >= 0)
		printf(", \"daemon_peak_rss_kib\": %ld", r->hwm_kib);
	else
		printf(", \"daemon_peak_rss_kib\": null");
	if (r->rss_kib >= 0)
		printf(", \"daemon_rss_end_kib\": %ld, \"daemon_rss_anon_kib\": %ld, \"daemon_rss_file_kib\": %ld",
		       r->rss_kib, r->anon_kib, r->file_kib);
	else
		printf(", \"daemon_rss_end_kib\": null, \"daemon_rss_anon_kib\": null, \"daemon_rss_file_kib\": null");
	if (r->data_bytes >= 0)
		printf(", \"data_mdb_bytes\": %lld, \"data_mdb_allocated_bytes\": %lld", r->data_bytes,
		       r->data_alloc);
	else
		printf(", \"data_mdb_bytes\": null, \"data_mdb_allocated_bytes\": null");
	printf(", \"transitions_whole_run\": %" PRIu64, r->applied_all);
	if (r->daemon_cpu_s >= 0)
		printf(", \"daemon_cpu_s\": %.3f", r->daemon_cpu_s);
	else
		printf(", \"daemon_cpu_s\": null");
	if (r->d_batches)
		printf(", \"daemon_requests\": %llu, \"daemon_turns\": %llu", r->d_requests, r->d_batches);
	printf(", \"bench_cpu_s\": %.3f, \"cpus\": %ld}\n", r->bench_cpu_s, sysconf(_SC_NPROCESSORS_ONLN));
}

/* ------------------------------------------------------------------ */

/* Ask the daemon for its status: is r17_repair there, where is its data. */
static int check_daemon(const char *url, double timeout_s, char **ret_data_dir)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__Actor actor = GUANJIA__ACTOR__INIT;
	Guanjia__StatusQuery sq = GUANJIA__STATUS_QUERY__INIT;
	Guanjia__Reply *reply;
	atomic_int never = 0;
	enum rt_fail fail;
	uint8_t buf[REQ_BUF];
	char rid[48], err[256];
	bool found = false;
	int s, rc = -1;

	snprintf(rid, sizeof(rid), "gj-bench-status-%d-%lld", (int)getpid(), (long long)mono_ns());
	req.request_id = rid;
	req.actor = &actor;
	actor.person = "gj-bench";
	actor.channel = "gj-bench";
	req.command_case = GUANJIA__REQUEST__COMMAND_STATUS;
	req.status = &sq;
	s = req_socket(url);
	if (s < 0) {
		fprintf(stderr, "gj-bench: cannot connect to %s: %s\n", url, strerror(errno));
		return -1;
	}
	reply = roundtrip(s, buf, guanjia__request__pack(&req, buf), (int64_t)(timeout_s * NS_PER_S),
			  &never, &fail, err, sizeof(err));
	nn_close(s);
	if (!reply) {
		fprintf(stderr, "gj-bench: status query to %s: %s\n", url, err);
		return -1;
	}
	if (reply->outcome != GUANJIA__OUTCOME__APPLIED || reply->result_case != GUANJIA__REPLY__RESULT_STATUS) {
		fprintf(stderr, "gj-bench: status query refused: %s\n", reply->message);
		goto out;
	}
	for (size_t i = 0; i < reply->status->n_workflows; i++)
		if (strncmp(reply->status->workflows[i], WORKFLOW "@", strlen(WORKFLOW) + 1) == 0)
			found = true;
	if (!found) {
		fprintf(stderr, "gj-bench: the daemon at %s has no workflow " WORKFLOW "\n", url);
		goto out;
	}
	if (ret_data_dir && reply->status->data_dir && *reply->status->data_dir)
		*ret_data_dir = strdup(reply->status->data_dir);
	rc = 0;
out:
	guanjia__reply__free_unpacked(reply, NULL);
	return rc;
}

/*
 * Wait (signals blocked, taken with sigtimedwait) until every client is
 * done; sample the daemon's CPU time at t0 and t1; notice Ctrl-C and the
 * death of the daemon.
 */
static void supervise(struct shared *sh, long clients, struct daemon_proc *d,
		      struct results *r, int64_t *ret_stop)
{
	double cpu0 = -1, cpu1 = -1;
	bool at_t0 = false, at_t1 = false;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	*ret_stop = 0;
	while (atomic_load(&sh->done) < clients) {
		int64_t now = mono_ns(), wake = now + 100 * NS_PER_MS;
		struct timespec ts;
		int sig;

		if (!at_t0 && now >= sh->t0) {
			at_t0 = true;
			if (d->pid > 0)
				cpu0 = proc_cpu_s(d->pid);
		}
		if (!at_t1 && !sh->by_requests && now >= sh->t1) {
			at_t1 = true;
			if (d->pid > 0)
				cpu1 = proc_cpu_s(d->pid);
		}
		if (!at_t0 && sh->t0 < wake)
			wake = sh->t0;
		else if (!at_t1 && !sh->by_requests && sh->t1 < wake)
			wake = sh->t1;
		if (wake < now)
			wake = now;
		ts.tv_sec = (wake - now) / NS_PER_S;
		ts.tv_nsec = (wake - now) % NS_PER_S;
		sig = sigtimedwait(&set, NULL, &ts);
		if (sig == SIGINT || sig == SIGTERM) {
			if (!atomic_exchange(&sh->abort, 1)) {
				r->interrupted = true;
				*ret_stop = mono_ns();
				fprintf(stderr, "gj-bench: interrupted; stopping the clients\n");
			}
		} else if (sig == SIGCHLD && d->pid > 0 && !d->exited) {
			if (waitpid(d->pid, &d->exit_status, WNOHANG) == d->pid) {
				d->exited = true;
				r->daemon_died = true;
				if (!atomic_exchange(&sh->abort, 1))
					*ret_stop = mono_ns();
				fprintf(stderr, "gj-bench: guanjiad exited during the run\n");
			}
		}
	}
	if (d->pid > 0 && !d->exited) {
		if (at_t0 && !at_t1)
			cpu1 = proc_cpu_s(d->pid);
		if (cpu0 >= 0 && cpu1 >= 0)
			r->daemon_cpu_s = cpu1 - cpu0;
	}
}

int main(int argc, char **argv)
{
	static const struct option lopts[] = {
		{ "clients", required_argument, NULL, 'c' },
		{ "seconds", required_argument, NULL, 's' },
		{ "requests", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "daemon", required_argument, NULL, 'D' },
		{ "data", required_argument, NULL, 'd' },
		{ "batch", required_argument, NULL, 'b' },
		{ "daemon-arg", required_argument, NULL, 'A' },
		{ "connect", required_argument, NULL, 'C' },
		{ "timeout", required_argument, NULL, 't' },
		{ "keep", no_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = {
		.daemon_path = getenv("GJ_DAEMON") ? getenv("GJ_DAEMON") : GJ_DAEMON_PATH,
		.clients = 64, .seconds = 10, .warmup = 1, .timeout = 30,
	};
	struct daemon_proc d = { .pid = -1, .exit_status = -1 };
	struct shared sh;
	struct results r;
	struct client *cl = NULL;
	struct rusage ru;
	char *url = NULL, *status_dir = NULL;
	sigset_t block;
	int64_t stop_at, t_end;
	int c, status = 1;
	long v;

	while ((c = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (!parse_long(optarg, 1, 4096, &o.clients)) {
				fprintf(stderr, "gj-bench: --clients takes a number from 1 to 4096\n");
				return 2;
			}
			break;
		case 's':
			if (!parse_double(optarg, 0.001, &o.seconds)) {
				fprintf(stderr, "gj-bench: --seconds takes a positive number\n");
				return 2;
			}
			break;
		case 'n':
			if (!parse_long(optarg, 1, 1L << 40, &v)) {
				fprintf(stderr, "gj-bench: --requests takes a positive number\n");
				return 2;
			}
			o.requests = (uint64_t)v;
			break;
		case 'w':
			if (!parse_double(optarg, 0, &o.warmup)) {
				fprintf(stderr, "gj-bench: --warmup takes seconds (0 or more)\n");
				return 2;
			}
			break;
		case 'D': o.daemon_path = optarg; break;
		case 'd': o.data_dir = optarg; break;
		case 'b':
			if (!parse_long(optarg, 1, 65536, &o.batch)) {
				fprintf(stderr, "gj-bench: --batch takes a number from 1 to 65536\n");
				return 2;
			}
			break;
		case 'A':
			if (o.n_extra == sizeof(o.extra) / sizeof(o.extra[0])) {
				fprintf(stderr, "gj-bench: at most %zu --daemon-arg\n", o.n_extra);
				return 2;
			}
			o.extra[o.n_extra++] = optarg;
			break;
		case 'C': o.connect_url = optarg; break;
		case 't':
			if (!parse_double(optarg, 0.1, &o.timeout)) {
				fprintf(stderr, "gj-bench: --timeout takes seconds (at least 0.1)\n");
				return 2;
			}
			break;
		case 'k': o.keep = true; break;
		case 'j': o.json = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "gj-bench: unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	if (o.connect_url && (o.data_dir || o.batch || o.n_extra)) {
		fprintf(stderr, "gj-bench: --data, --batch and --daemon-arg are for the daemon gj-bench starts; not with --connect\n");
		return 2;
	}

	/* Every thread (and the waits below) inherits this mask: the main
	 * thread alone takes these signals, with sigtimedwait. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &block, NULL);

	memset(&r, 0, sizeof(r));
	r.daemon_cpu_s = -1;
	r.hwm_kib = r.rss_kib = r.anon_kib = r.file_kib = -1;
	r.data_bytes = r.data_alloc = -1;
	memset(&sh, 0, sizeof(sh));
	pthread_mutex_init(&sh.lock, NULL);
	pthread_cond_init(&sh.start, NULL);

	if (o.connect_url) {
		url = strdup(o.connect_url);
	} else {
		if (o.data_dir) {
			d.data = o.data_dir;
		} else {
			snprintf(d.dir, sizeof(d.dir), "/tmp/gj-bench-XXXXXX");
			if (!mkdtemp(d.dir)) {
				fprintf(stderr, "gj-bench: mkdtemp: %s\n", strerror(errno));
				return 1;
			}
			d.data = d.dir;
			d.own_dir = true;
		}
		if (daemon_start(&d, &o))
			goto out;
		url = gj_cmd_url(d.data);
	}
	if (!url)
		goto out;
	if (check_daemon(url, o.timeout, &status_dir))
		goto out;
	if (o.connect_url && status_dir)
		d.data = status_dir;

	/* A run prefix keeps ids of two runs on one daemon apart; time first
	 * so that they sort in time order. */
	{
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		snprintf(sh.prefix, sizeof(sh.prefix), "%llx",
			 (unsigned long long)ts.tv_sec * 1000 + (unsigned long long)ts.tv_nsec / 1000000);
	}
	sh.by_requests = o.requests > 0;
	sh.limit = o.requests;
	sh.timeout_ns = (int64_t)(o.timeout * NS_PER_S);
	cl = calloc((size_t)o.clients, sizeof(*cl));
	if (!cl) {
		fprintf(stderr, "gj-bench: out of memory\n");
		goto out;
	}
	for (long i = 0; i < o.clients; i++) {
		cl[i].idx = (unsigned)i;
		cl[i].sh = &sh;
		cl[i].sock = req_socket(url);
		if (cl[i].sock < 0) {
			fprintf(stderr, "gj-bench: client %ld cannot connect to %s: %s\n", i, url,
				strerror(errno));
			atomic_store(&sh.abort, 1);
		}
		if (pthread_create(&cl[i].thread, NULL, client_main, &cl[i])) {
			fprintf(stderr, "gj-bench: cannot start client thread %ld\n", i);
			if (cl[i].sock >= 0)
				nn_close(cl[i].sock);
			atomic_store(&sh.abort, 1);
			o.clients = i; /* the threads to wait for */
			break;
		}
	}
	/* Set the window, then release every client at once. */
	pthread_mutex_lock(&sh.lock);
	sh.t0 = mono_ns() + (int64_t)(o.warmup * NS_PER_S);
	sh.t1 = sh.by_requests ? INT64_MAX : sh.t0 + (int64_t)(o.seconds * NS_PER_S);
	sh.go = true;
	pthread_cond_broadcast(&sh.start);
	pthread_mutex_unlock(&sh.lock);
	if (!o.json)
		fprintf(stderr, "gj-bench: %ld clients, %.1f s warm-up, then %s\n", o.clients, o.warmup,
			sh.by_requests ? "counting requests" : "measuring");

	supervise(&sh, o.clients, &d, &r, &stop_at);
	for (long i = 0; i < o.clients; i++) {
		pthread_join(cl[i].thread, NULL);
		if (cl[i].sock >= 0)
			nn_close(cl[i].sock);
	}

	/* The window: [t0, t1) for a timed run; up to the last measured reply
	 * when counting requests; cut short by Ctrl-C or a dead daemon. */
	if (sh.by_requests) {
		t_end = sh.t0;
		for (long i = 0; i < o.clients; i++)
			if (cl[i].last_reply > t_end)
				t_end = cl[i].last_reply;
	} else {
		t_end = sh.t1;
	}
	if (stop_at && stop_at < t_end)
		t_end = stop_at;
	r.duration_s = t_end > sh.t0 ? (double)(t_end - sh.t0) / NS_PER_S : 0;

	for (long i = 0; i < o.clients; i++) {
		r.applied += cl[i].applied;
		r.refused += cl[i].refused;
		r.already += cl[i].already;
		r.tickets += cl[i].tickets;
		r.applied_all += cl[i].applied_all;
		r.refused_all += cl[i].refused_all;
		r.unanswered += cl[i].unanswered;
		r.bad_replies += cl[i].bad_replies;
		r.transport += cl[i].transport;
		r.n_lat += cl[i].n_lat;
	}
	r.lat = malloc((r.n_lat ? r.n_lat : 1) * sizeof(*r.lat));
	if (!r.lat) {
		fprintf(stderr, "gj-bench: out of memory\n");
		goto out;
	}
	r.n_lat = 0;
	for (long i = 0; i < o.clients; i++) {
		memcpy(r.lat + r.n_lat, cl[i].lat, cl[i].n_lat * sizeof(*r.lat));
		r.n_lat += cl[i].n_lat;
	}
	qsort(r.lat, r.n_lat, sizeof(*r.lat), cmp_u64);

	/* Memory before the daemon stops; the file once it has. */
	if (d.pid > 0 && !d.exited) {
		r.hwm_kib = proc_status_kib(d.pid, "VmHWM");
		r.rss_kib = proc_status_kib(d.pid, "VmRSS");
		r.anon_kib = proc_status_kib(d.pid, "RssAnon");
		r.file_kib = proc_status_kib(d.pid, "RssFile");
	}
	daemon_stop(&d);
	if (d.data) {
		char path[4096];
		struct stat st;
		snprintf(path, sizeof(path), "%s/data.mdb", d.data);
		if (stat(path, &st) == 0) {
			r.data_bytes = (long long)st.st_size;
			r.data_alloc = (long long)st.st_blocks * 512;
		}
	}
	if (d.log_path[0])
		parse_daemon_log(d.log_path, &r);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		r.bench_cpu_s = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
				(double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;

	if (o.json)
		print_json(&o, &d, &sh, &r);
	else
		print_text(&o, &d, &sh, &r);
	fflush(stdout);
	if (d.pid > 0 && d.exited && d.exit_status != 0) {
		if (WIFSIGNALED(d.exit_status))
			fprintf(stderr, "gj-bench: guanjiad was killed by signal %d\n", WTERMSIG(d.exit_status));
		else
			fprintf(stderr, "gj-bench: guanjiad exited with status %d\n",
				WIFEXITED(d.exit_status) ? WEXITSTATUS(d.exit_status) : -1);
		print_file(d.log_path, "guanjiad's stderr");
	}
	status = r.unanswered || r.bad_replies || r.transport || r.daemon_died || r.interrupted ? 1 : 0;
out:
	if (d.pid > 0 && !d.exited)
		daemon_stop(&d);
	if (d.own_dir) {
		if (o.keep)
			fprintf(stderr, "gj-bench: data kept in %s\n", d.dir);
		else
			nftw(d.dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	if (d.log_path[0]) {
		if (o.keep)
			fprintf(stderr, "gj-bench: daemon log kept in %s\n", d.log_path);
		else
			unlink(d.log_path);
	}
	if (cl)
		for (long i = 0; i < o.clients; i++)
			free(cl[i].lat);
	free(cl);
	free(r.lat);
	free(url);
	free(status_dir);
	free(sh.first_refusal);
	free(sh.first_error);
	return status;
}
