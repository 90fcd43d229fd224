/*
 * client.c - libguanjia commands: a nanomsg REQ socket to guanjiad, request
 * ids, one convenience function per command, and a probe that tells "not
 * running" apart from "slow".
 */
#include "guanjia.h"
#include "private.h"
#include "wire.h"

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <nanomsg/nn.h>
#include <nanomsg/reqrep.h>

/* An unanswered request is resent this often (nanomsg's default is 60 s,
 * longer than any sensible timeout, so a request lost in a daemon restart
 * would never be retried). */
#define RESEND_IVL_MS 5000
/* Replies can be large (a replay of 10000 records, a list of 1000 tickets);
 * nanomsg's default limit is 1 MiB. */
#define MAX_REPLY (64 * 1024 * 1024)

struct gj_client {
	int sock;
	char *url;
	int timeout_ms;
	char *person;
	char *role;
	char *channel;
	uint64_t random;    /* one per client: ids of two clients never collide */
	uint64_t counter;
	int64_t last_ms;    /* ids stay ordered if the wall clock steps back */
	char *last_id;
};

int gj_client_nn_error(void)
{
	int e = nn_errno();

	switch (e) {
	case ETERM:
		return -ESHUTDOWN;
	case EFSM:
		return -EPROTO;
	default:
		return e > 0 ? -e : -EIO;
	}
}

int64_t gj_client_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t gj_client_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t random64(void)
{
	uint64_t r = 0;
	struct timespec ts;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r))
		return r;
	/* No entropy yet (early boot): uniqueness is what matters here. */
	clock_gettime(CLOCK_REALTIME, &ts);
	r = ((uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)getpid() << 32) ^
	    (uint64_t)ts.tv_sec ^ (uint64_t)(uintptr_t)&r;
	return r;
}

static int set_int_opt(int sock, int level, int option, int value)
{
	if (nn_setsockopt(sock, level, option, &value, sizeof(value)) < 0)
		return gj_client_nn_error();
	return 0;
}

int gj_client_connect(const char *url, struct gj_client **ret)
{
	struct gj_client *c;
	int r;

	if (!url || !*url || !ret)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->sock = -1;
	c->timeout_ms = GJ_CLIENT_DEFAULT_TIMEOUT_MS;
	c->random = random64();
	c->url = strdup(url);
	c->person = strdup("");
	c->role = strdup("");
	c->channel = strdup("");
	c->last_id = strdup("");
	if (!c->url || !c->person || !c->role || !c->channel || !c->last_id) {
		r = -ENOMEM;
		goto fail;
	}
	c->sock = nn_socket(AF_SP, NN_REQ);
	if (c->sock < 0) {
		r = gj_client_nn_error();
		goto fail;
	}
	r = set_int_opt(c->sock, NN_REQ, NN_REQ_RESEND_IVL, RESEND_IVL_MS);
	if (r < 0)
		goto fail;
	r = set_int_opt(c->sock, NN_SOL_SOCKET, NN_RCVMAXSIZE, MAX_REPLY);
	if (r < 0)
		goto fail;
	if (nn_connect(c->sock, url) < 0) {
		r = gj_client_nn_error();
		goto fail;
	}
	*ret = c;
	return 0;
fail:
	gj_client_destroy(c);
	return r;
}

void gj_client_destroy(struct gj_client *c)
{
	if (!c)
		return;
	if (c->sock >= 0)
		nn_close(c->sock);
	free(c->url);
	free(c->person);
	free(c->role);
	free(c->channel);
	free(c->last_id);
	free(c);
}

static int replace_str(char **slot, const char *value)
{
	char *copy;

	if (!value)
		return 0;
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

int gj_client_set_actor(struct gj_client *c, const char *person, const char *role,
			const char *channel)
{
	int r;

	if (!c)
		return -EINVAL;
	r = replace_str(&c->person, person);
	if (r == 0)
		r = replace_str(&c->role, role);
	if (r == 0)
		r = replace_str(&c->channel, channel);
	return r;
}

void gj_client_set_timeout(struct gj_client *c, int timeout_ms)
{
	if (c)
		c->timeout_ms = timeout_ms < 0 ? -1 : timeout_ms;
}

const char *gj_client_url(const struct gj_client *c)
{
	return c ? c->url : NULL;
}

const char *gj_client_last_request_id(const struct gj_client *c)
{
	return c ? c->last_id : NULL;
}

/* "<ms>-<random>-<counter>" in fixed-width hex: 38 bytes, so ids of one
 * client compare in the order they were made, with strcmp as with eyes. */
static int make_request_id(struct gj_client *c, char **ret)
{
	int64_t ms = gj_client_wall_ms();
	char *id = NULL;

	if (ms < c->last_ms)
		ms = c->last_ms;
	c->last_ms = ms;
	if (asprintf(&id, "%012" PRIx64 "-%016" PRIx64 "-%08" PRIx64, (uint64_t)ms, c->random,
		     c->counter) < 0)
		return -ENOMEM;
	c->counter++;
	*ret = id;
	return 0;
}

/* Time left before deadline for nanomsg's NN_*TIMEO: -1 is forever. */
static int time_left(int64_t deadline)
{
	int64_t left;

	if (deadline < 0)
		return -1;
	left = deadline - gj_client_mono_ms();
	if (left <= 0)
		return 0;
	return left > INT32_MAX ? INT32_MAX : (int)left;
}

static int exchange(struct gj_client *c, const uint8_t *buf, size_t len,
		    Guanjia__Reply **ret_reply)
{
	int64_t deadline = c->timeout_ms < 0 ? -1 : gj_client_mono_ms() + c->timeout_ms;
	Guanjia__Reply *reply;
	void *msg = NULL;
	int left, n, r;

	for (;;) {
		left = time_left(deadline);
		if (left == 0)
			return -ETIMEDOUT;
		r = set_int_opt(c->sock, NN_SOL_SOCKET, NN_SNDTIMEO, left);
		if (r < 0)
			return r;
		if (nn_send(c->sock, buf, len, 0) >= 0)
			break;
		r = gj_client_nn_error();
		if (r != -EINTR)
			return r;
	}
	for (;;) {
		left = time_left(deadline);
		if (left == 0)
			return -ETIMEDOUT;
		r = set_int_opt(c->sock, NN_SOL_SOCKET, NN_RCVTIMEO, left);
		if (r < 0)
			return r;
		n = nn_recv(c->sock, &msg, NN_MSG, 0);
		if (n >= 0)
			break;
		r = gj_client_nn_error();
		if (r != -EINTR)
			return r;
	}
	reply = guanjia__reply__unpack(NULL, (size_t)n, msg);
	nn_freemsg(msg);
	if (!reply)
		return -EPROTO;
	/* The REQ socket already matches replies to requests; an id that
	 * differs means a confused peer.  A daemon that could not parse the
	 * request at all cannot echo the id, hence the empty case. */
	if (reply->request_id[0] && strcmp(reply->request_id, c->last_id) != 0) {
		guanjia__reply__free_unpacked(reply, NULL);
		return -EPROTO;
	}
	*ret_reply = reply;
	return 0;
}

int gj_client_call(struct gj_client *c, Guanjia__Request *req, Guanjia__Reply **ret_reply)
{
	Guanjia__Actor actor = GUANJIA__ACTOR__INIT;
	char *saved_id, *id = NULL;
	Guanjia__Actor *saved_actor;
	uint8_t *buf = NULL;
	size_t len;
	int r;

	if (!c || !req || !ret_reply || req->command_case == GUANJIA__REQUEST__COMMAND__NOT_SET)
		return -EINVAL;
	saved_id = req->request_id;
	saved_actor = req->actor;
	if (req->request_id && req->request_id[0]) {
		id = strdup(req->request_id);
		if (!id)
			return -ENOMEM;
	} else {
		r = make_request_id(c, &id);
		if (r < 0)
			return r;
		req->request_id = id;
	}
	if (!req->actor) {
		actor.person = c->person;
		actor.role = c->role;
		actor.channel = c->channel;
		req->actor = &actor;
	}
	len = guanjia__request__get_packed_size(req);
	if (len > GJ_MAX_MESSAGE) {
		r = -EMSGSIZE;
		goto out;
	}
	buf = malloc(len ? len : 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	guanjia__request__pack(req, buf);
	free(c->last_id);
	c->last_id = id;
	id = NULL;
	r = exchange(c, buf, len, ret_reply);
out:
	req->request_id = saved_id;
	req->actor = saved_actor;
	free(buf);
	free(id);
	return r;
}

void gj_reply_free(Guanjia__Reply *r)
{
	if (r)
		guanjia__reply__free_unpacked(r, NULL);
}

/* Fields parsed from "name=value" strings: names are copied (the wire
 * wants them NUL-terminated), values point into the caller's strings. */
struct kvset {
	Guanjia__Field *fields;
	Guanjia__Field **ptrs;
	size_t n;
};

static void kvset_clear(struct kvset *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->fields[i].name);
	free(f->fields);
	free(f->ptrs);
	*f = (struct kvset){0};
}

static int kvset_parse(struct kvset *f, const char *const *kv, size_t n)
{
	*f = (struct kvset){0};
	if (n == 0)
		return 0;
	if (!kv)
		return -EINVAL;
	f->fields = calloc(n, sizeof(*f->fields));
	f->ptrs = calloc(n, sizeof(*f->ptrs));
	if (!f->fields || !f->ptrs) {
		kvset_clear(f);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const char *eq = kv[i] ? strchr(kv[i], '=') : NULL;
		Guanjia__Field *fld = &f->fields[i];

		if (!eq || eq == kv[i]) {
			kvset_clear(f);
			return -EINVAL;
		}
		guanjia__field__init(fld);
		fld->name = strndup(kv[i], (size_t)(eq - kv[i]));
		if (!fld->name) {
			kvset_clear(f);
			return -ENOMEM;
		}
		fld->value = (char *)eq + 1;
		f->ptrs[i] = fld;
		f->n = i + 1;
	}
	return 0;
}

int gj_client_open(struct gj_client *c, const char *workflow, const char *estate,
		   const char *const *kv, size_t n_kv, const char *note,
		   Guanjia__Reply **ret_reply)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__OpenTicket open = GUANJIA__OPEN_TICKET__INIT;
	struct kvset f;
	int r;

	if (!c || !workflow || !ret_reply)
		return -EINVAL;
	r = kvset_parse(&f, kv, n_kv);
	if (r < 0)
		return r;
	open.workflow = (char *)workflow;
	if (estate)
		open.estate = (char *)estate;
	if (note)
		open.note = (char *)note;
	open.n_fields = f.n;
	open.fields = f.ptrs;
	req.command_case = GUANJIA__REQUEST__COMMAND_OPEN;
	req.open = &open;
	r = gj_client_call(c, &req, ret_reply);
	kvset_clear(&f);
	return r;
}

int gj_client_fire(struct gj_client *c, uint64_t ticket, const char *event,
		   const char *const *kv, size_t n_kv, const char *note,
		   Guanjia__Reply **ret_reply)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__FireEvent fire = GUANJIA__FIRE_EVENT__INIT;
	struct kvset f;
	int r;

	if (!c || !event || !ret_reply)
		return -EINVAL;
	r = kvset_parse(&f, kv, n_kv);
	if (r < 0)
		return r;
	fire.ticket_id = ticket;
	fire.event = (char *)event;
	if (note)
		fire.note = (char *)note;
	fire.n_fields = f.n;
	fire.fields = f.ptrs;
	req.command_case = GUANJIA__REQUEST__COMMAND_FIRE;
	req.fire = &fire;
	r = gj_client_call(c, &req, ret_reply);
	kvset_clear(&f);
	return r;
}

int gj_client_get(struct gj_client *c, uint64_t ticket, bool with_history,
		  Guanjia__Reply **ret_reply)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__GetTicket get = GUANJIA__GET_TICKET__INIT;

	get.ticket_id = ticket;
	get.with_history = with_history;
	req.command_case = GUANJIA__REQUEST__COMMAND_GET;
	req.get = &get;
	return gj_client_call(c, &req, ret_reply);
}

int gj_client_list(struct gj_client *c, const Guanjia__ListTickets *filter,
		   Guanjia__Reply **ret_reply)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__ListTickets list = GUANJIA__LIST_TICKETS__INIT;

	if (filter)
		list = *filter;
	req.command_case = GUANJIA__REQUEST__COMMAND_LIST;
	req.list = &list;
	return gj_client_call(c, &req, ret_reply);
}

int gj_client_replay(struct gj_client *c, uint64_t from_seq, uint32_t limit,
		     const char *prefix, Guanjia__Reply **ret_reply)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__Replay replay = GUANJIA__REPLAY__INIT;

	replay.from_seq = from_seq;
	replay.limit = limit;
	if (prefix)
		replay.topic_prefix = (char *)prefix;
	req.command_case = GUANJIA__REQUEST__COMMAND_REPLAY;
	req.replay = &replay;
	return gj_client_call(c, &req, ret_reply);
}

int gj_client_status(struct gj_client *c, Guanjia__Reply **ret_reply)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__StatusQuery status = GUANJIA__STATUS_QUERY__INIT;

	req.command_case = GUANJIA__REQUEST__COMMAND_STATUS;
	req.status = &status;
	return gj_client_call(c, &req, ret_reply);
}

int gj_client_advance(struct gj_client *c, int64_t by_ms, Guanjia__Reply **ret_reply)
{
	Guanjia__Request req = GUANJIA__REQUEST__INIT;
	Guanjia__AdvanceClock adv = GUANJIA__ADVANCE_CLOCK__INIT;

	adv.by_ms = by_ms;
	req.command_case = GUANJIA__REQUEST__COMMAND_ADVANCE_CLOCK;
	req.advance_clock = &adv;
	return gj_client_call(c, &req, ret_reply);
}

/* ------------------------------------------------------------------ probe */

static int probe_ipc(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, r = 0;

	if (!*path)
		return -EINVAL;
	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	memcpy(sa.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		r = -errno;
	close(fd);
	return r;
}

static int connect_timeout(const struct addrinfo *ai, int timeout_ms)
{
	struct pollfd pfd;
	socklen_t elen = sizeof(int);
	int fd, err = 0, r;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -errno;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
		r = 0;
		goto out;
	}
	if (errno != EINPROGRESS) {
		r = -errno;
		goto out;
	}
	pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
	do
		r = poll(&pfd, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		r = -errno;
		goto out;
	}
	if (r == 0) {
		r = -ETIMEDOUT;
		goto out;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		r = -errno;
	else
		r = -err;
out:
	close(fd);
	return r;
}

/* "tcp://[interface;]host:port"; host may be "[v6]". */
static int probe_tcp(const char *addr, int timeout_ms)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	const char *semi = strchr(addr, ';');
	char *host, *port;
	size_t hlen;
	int r;

	if (semi)
		addr = semi + 1;
	host = strdup(addr);
	if (!host)
		return -ENOMEM;
	port = strrchr(host, ':');
	if (!port || port == host || !port[1]) {
		r = -EINVAL;
		goto out;
	}
	*port++ = '\0';
	hlen = strlen(host);
	if (host[0] == '[' && hlen > 2 && host[hlen - 1] == ']') {
		host[hlen - 1] = '\0';
		memmove(host, host + 1, hlen - 1);
	}
	if (strcmp(host, "*") == 0) {
		r = -EINVAL;   /* a bind address, not one to connect to */
		goto out;
	}
	if (getaddrinfo(host, port, &hints, &res) != 0) {
		r = -EHOSTUNREACH;
		goto out;
	}
	r = -EHOSTUNREACH;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		r = connect_timeout(ai, timeout_ms);
		if (r == 0)
			break;
	}
	freeaddrinfo(res);
out:
	free(host);
	return r;
}

int gj_url_probe(const char *url, int timeout_ms)
{
	if (!url)
		return -EINVAL;
	if (strncmp(url, "ipc://", 6) == 0)
		return probe_ipc(url + 6);
	if (strncmp(url, "tcp://", 6) == 0)
		return probe_tcp(url + 6, timeout_ms < 0 ? -1 : timeout_ms);
	return -EOPNOTSUPP;
}
