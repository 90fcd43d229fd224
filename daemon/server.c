/*
 * server.c - one turn of the loop (see docs/architecture.md):
 *   1. drain the command socket up to batch_max requests;
 *   2. fire every deadline now due, then apply the requests, in ONE write
 *      transaction;
 *   3. commit (one fsync for the whole batch);
 *   4. only then publish the journal records and reply to each request;
 *   5. re-arm the single timer for the earliest deadline.
 * The order matters: a reply or a published record always describes
 * something already on disk.
 */
#include "server.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>

#include "log.h"
#include "wire.h"

struct gj_server {
	struct gj_store *store;
	struct gj_engine *eng;
	struct gj_bus *bus;
	struct gj_server_config cfg;
	struct event_base *base;
	struct event *cmd_ev, *timer_ev, *sigint_ev, *sigterm_ev, *turn_ev;
	struct gj_bus_msg *msgs;
	uint64_t batches, requests;
};

static void arm_timer(struct gj_server *srv)
{
	int64_t next, delay;
	struct timeval tv;

	evtimer_del(srv->timer_ev);
	if (srv->cfg.manual_clock)
		return; /* manual time moves only on AdvanceClock */
	next = gj_engine_next_due(srv->eng);
	if (next == INT64_MAX)
		return;
	delay = next - gj_realtime_ms();
	if (delay < 0)
		delay = 0;
	tv.tv_sec = delay / 1000;
	tv.tv_usec = (delay % 1000) * 1000;
	evtimer_add(srv->timer_ev, &tv);
}

static void grow_map(struct gj_server *srv)
{
	int g = gj_store_grow(srv->store);

	if (g)
		gj_log(GJ_LOG_ERROR, "the database is full and cannot grow: %s", strerror(-g));
	else
		gj_log(GJ_LOG_WARN, "the database was full; map grown to %zu MiB",
		       gj_store_map_size(srv->store) >> 20);
}

/* One turn.  Returns true when work was left for another turn. */
static bool turn(struct gj_server *srv)
{
	struct gj_engine_reply *replies;
	struct gj_engine_record *recs;
	size_t n = 0, nr, no;
	bool more_due = false;
	int rc;

	while (n < srv->cfg.batch_max) {
		rc = gj_bus_recv(srv->bus, &srv->msgs[n]);
		if (rc == -EAGAIN)
			break;
		if (rc) {
			gj_log(GJ_LOG_WARN, "receiving a request failed: %s", strerror(-rc));
			break;
		}
		n++;
	}

	for (int attempt = 0;; attempt++) {
		rc = gj_engine_batch_begin(srv->eng);
		if (rc) {
			gj_log(GJ_LOG_ERROR, "cannot begin a transaction: %s", strerror(-rc));
			for (size_t i = 0; i < n; i++) {
				uint8_t *buf;
				size_t len;
				if (gj_engine_refusal(16 /* INTERNAL */, "the daemon cannot open its database right now; nothing was saved, try again",
						      NULL, &buf, &len) == 0) {
					gj_bus_reply(srv->bus, &srv->msgs[i], buf, len);
					free(buf);
				}
				gj_bus_msg_free(&srv->msgs[i]);
			}
			return false;
		}
		/* Deadlines first: whatever was due by now has fired before the
		 * requests of this turn look at the tickets. */
		rc = gj_engine_run_due(srv->eng, srv->cfg.due_max, &more_due);
		if (rc && rc != -ENOSPC)
			gj_log(GJ_LOG_ERROR, "firing deadlines failed: %s", strerror(-rc));
		for (size_t i = 0; i < n; i++) {
			rc = gj_engine_submit(srv->eng, srv->msgs[i].body, srv->msgs[i].len, &srv->msgs[i]);
			if (rc && rc != -ENOSPC)
				gj_log(GJ_LOG_ERROR, "applying a request failed: %s", strerror(-rc));
		}
		rc = gj_engine_batch_failed(srv->eng);
		if (!rc || attempt > 0)
			break;
		/* A storage error spoilt the transaction: throw it away, grow
		 * the map if it was full, and run the same requests again. */
		bool full = gj_engine_map_full(srv->eng);
		gj_engine_batch_abort(srv->eng);
		if (full)
			grow_map(srv);
		gj_log(GJ_LOG_WARN, "batch of %zu requests failed (%s); running it again", n,
		       strerror(-rc));
	}
	rc = gj_engine_batch_commit(srv->eng);
	if (rc)
		gj_log(GJ_LOG_ERROR, "commit of %zu requests failed: %s", n, strerror(-rc));

	/* Publish before replying: a client holding its reply knows the
	 * records it caused are already on their way to subscribers. */
	no = gj_engine_outbox(srv->eng, &recs);
	for (size_t i = 0; i < no; i++) {
		int r = gj_bus_publish(srv->bus, recs[i].msg, recs[i].len);
		if (r)
			gj_log(GJ_LOG_WARN, "record %llu not published (%s); subscribers replay it",
			       (unsigned long long)recs[i].seq, strerror(-r));
	}
	nr = gj_engine_replies(srv->eng, &replies);
	for (size_t i = 0; i < nr; i++) {
		struct gj_bus_msg *m = replies[i].tag;
		int r = gj_bus_reply(srv->bus, m, replies[i].buf, replies[i].len);
		if (r)
			gj_log(GJ_LOG_DEBUG, "reply not delivered: %s", strerror(-r));
	}
	gj_engine_batch_clear(srv->eng);
	for (size_t i = 0; i < n; i++)
		gj_bus_msg_free(&srv->msgs[i]);
	srv->batches++;
	srv->requests += n;

	if (rc == -ENOSPC || rc == -EAGAIN || gj_engine_map_full(srv->eng))
		grow_map(srv);
	arm_timer(srv);
	return n == srv->cfg.batch_max || more_due;
}

static void on_turn(evutil_socket_t fd, short what, void *arg)
{
	struct gj_server *srv = arg;

	/* Work left over: come back after other events had their turn. */
	if (turn(srv))
		event_active(srv->turn_ev, EV_TIMEOUT, 0);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct gj_server *srv = arg;

	gj_log(GJ_LOG_INFO, "signal %d: stopping after %llu requests in %llu batches",
	       (int)sig, (unsigned long long)srv->requests, (unsigned long long)srv->batches);
	event_base_loopbreak(srv->base);
}

int gj_server_create(struct gj_store *store, struct gj_engine *eng, struct gj_bus *bus,
		     const struct gj_server_config *cfg, struct gj_server **ret)
{
	struct gj_server *srv = calloc(1, sizeof(*srv));
	struct event_config *ec;
	int fd, rc;

	if (!srv)
		return -ENOMEM;
	srv->store = store;
	srv->eng = eng;
	srv->bus = bus;
	srv->cfg = *cfg;
	if (!srv->cfg.batch_max)
		srv->cfg.batch_max = 1024;
	if (!srv->cfg.due_max)
		srv->cfg.due_max = 1024;
	srv->msgs = calloc(srv->cfg.batch_max, sizeof(*srv->msgs));
	ec = event_config_new();
	if (!srv->msgs || !ec)
		goto nomem;
	/* Deadlines are the product: wake up on time, not up to 3 ms late. */
	event_config_set_flag(ec, EVENT_BASE_FLAG_PRECISE_TIMER);
	srv->base = event_base_new_with_config(ec);
	event_config_free(ec);
	if (!srv->base)
		goto nomem;
	rc = gj_bus_cmd_fd(bus, &fd);
	if (rc) {
		gj_server_destroy(srv);
		return rc;
	}
	srv->cmd_ev = event_new(srv->base, fd, EV_READ | EV_PERSIST, on_turn, srv);
	srv->timer_ev = evtimer_new(srv->base, on_turn, srv);
	srv->turn_ev = event_new(srv->base, -1, 0, on_turn, srv);
	srv->sigint_ev = evsignal_new(srv->base, SIGINT, on_signal, srv);
	srv->sigterm_ev = evsignal_new(srv->base, SIGTERM, on_signal, srv);
	if (!srv->cmd_ev || !srv->timer_ev || !srv->turn_ev || !srv->sigint_ev || !srv->sigterm_ev)
		goto nomem;
	event_add(srv->cmd_ev, NULL);
	event_add(srv->sigint_ev, NULL);
	event_add(srv->sigterm_ev, NULL);
	*ret = srv;
	return 0;
nomem:
	gj_server_destroy(srv);
	return -ENOMEM;
}

void gj_server_destroy(struct gj_server *srv)
{
	if (!srv)
		return;
	if (srv->cmd_ev)
		event_free(srv->cmd_ev);
	if (srv->timer_ev)
		event_free(srv->timer_ev);
	if (srv->turn_ev)
		event_free(srv->turn_ev);
	if (srv->sigint_ev)
		event_free(srv->sigint_ev);
	if (srv->sigterm_ev)
		event_free(srv->sigterm_ev);
	if (srv->base)
		event_base_free(srv->base);
	free(srv->msgs);
	free(srv);
}

void gj_server_catch_up(struct gj_server *srv)
{
	while (turn(srv))
		;
}

int gj_server_run(struct gj_server *srv)
{
	event_active(srv->turn_ev, EV_TIMEOUT, 0);
	if (event_base_dispatch(srv->base) < 0)
		return -EIO;
	return 0;
}
