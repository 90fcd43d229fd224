/*
 * subscribe.c - libguanjia's subscriber: journal records from guanjiad's PUB
 * socket, handed out in sequence order, each once.
 *
 * PUB/SUB drops messages when a subscriber is slow or not connected yet, so
 * the SUB socket takes every topic (a gap in seq is then always a drop) and
 * a REQ socket fills gaps with `replay`.  Three things merge:
 *  - `queue`: records from replays, in seq order, all <= `last`;
 *  - `pending`: one live record waiting until the gap before it is filled;
 *  - the SUB socket.
 * `last` is the highest seq accounted for (delivered, skipped as not
 * matching, or queued).  A live record at or below it was seen already.
 *
 * A live record only reveals a gap when it arrives; a record dropped while
 * nothing follows it (or published before the SUB connection was up) would
 * wait for the next one.  So while the socket is idle a replay "catches up"
 * now and then: once shortly after opening, then every IDLE_CATCHUP_MS.
 */
#include "guanjia.h"
#include "private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <nanomsg/nn.h>
#include <nanomsg/pubsub.h>

#define SUB_RCVBUF (4 * 1024 * 1024)   /* measured: the default drops */
#define REPLAY_BATCH 1000              /* records asked for per replay */
#define REPLAY_TIMEOUT_MS (GJ_CLIENT_DEFAULT_TIMEOUT_MS / 2)
#define FIRST_CATCHUP_MS 250
#define MIN_CATCHUP_TIMEOUT_MS 1000
#define IDLE_CATCHUP_MS 3000

struct gj_sub {
	int sock;
	struct gj_client *cmd;      /* NULL: no replay, gaps are skipped */
	char *prefix;
	size_t prefix_len;
	uint64_t last;
	bool last_known;
	bool catching_up;
	int64_t next_catchup;       /* monotonic ms */
	unsigned catchups;          /* rounds done (the first come sooner) */
	Guanjia__Record *pending;
	Guanjia__Record **queue;    /* ring buffer */
	size_t q_head, q_len, q_cap;
};

static int set_int_opt(int sock, int level, int option, int value)
{
	if (nn_setsockopt(sock, level, option, &value, sizeof(value)) < 0)
		return gj_client_nn_error();
	return 0;
}

static bool matches(const struct gj_sub *s, const Guanjia__Record *r)
{
	return strncmp(r->topic, s->prefix, s->prefix_len) == 0;
}

static int queue_push(struct gj_sub *s, Guanjia__Record *r)
{
	if (s->q_len == s->q_cap) {
		size_t cap = s->q_cap ? s->q_cap * 2 : 64;
		Guanjia__Record **q = malloc(cap * sizeof(*q));

		if (!q)
			return -ENOMEM;
		for (size_t i = 0; i < s->q_len; i++)
			q[i] = s->queue[(s->q_head + i) % s->q_cap];
		free(s->queue);
		s->queue = q;
		s->q_cap = cap;
		s->q_head = 0;
	}
	s->queue[(s->q_head + s->q_len) % s->q_cap] = r;
	s->q_len++;
	return 0;
}

static Guanjia__Record *queue_pop(struct gj_sub *s)
{
	Guanjia__Record *r;

	if (s->q_len == 0)
		return NULL;
	r = s->queue[s->q_head];
	s->q_head = (s->q_head + 1) % s->q_cap;
	s->q_len--;
	return r;
}

int gj_sub_open(const char *event_url, const char *cmd_url, const char *prefix,
		uint64_t from_seq, struct gj_sub **ret)
{
	Guanjia__Reply *reply = NULL;
	struct gj_sub *s;
	int r;

	if (!event_url || !*event_url || !ret)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->sock = -1;
	s->prefix = strdup(prefix ? prefix : "");
	if (!s->prefix) {
		r = -ENOMEM;
		goto fail;
	}
	s->prefix_len = strlen(s->prefix);
	s->sock = nn_socket(AF_SP, NN_SUB);
	if (s->sock < 0) {
		r = gj_client_nn_error();
		goto fail;
	}
	if (nn_setsockopt(s->sock, NN_SUB, NN_SUB_SUBSCRIBE, "", 0) < 0) {
		r = gj_client_nn_error();
		goto fail;
	}
	r = set_int_opt(s->sock, NN_SOL_SOCKET, NN_RCVBUF, SUB_RCVBUF);
	if (r < 0)
		goto fail;
	if (nn_connect(s->sock, event_url) < 0) {
		r = gj_client_nn_error();
		goto fail;
	}
	if (cmd_url) {
		r = gj_client_connect(cmd_url, &s->cmd);
		if (r < 0)
			goto fail;
		/* Reads need a person, not a role. */
		r = gj_client_set_actor(s->cmd, "libguanjia", "", "gj_sub");
		if (r < 0)
			goto fail;
	}
	if (from_seq > 0) {
		s->last = from_seq - 1;
		s->last_known = true;
		s->catching_up = s->cmd != NULL;
	} else if (s->cmd) {
		/* Start after the newest record now: whatever is published from
		 * here on is delivered, even before the SUB connection is up. */
		r = gj_client_status(s->cmd, &reply);
		if (r < 0)
			goto fail;
		if (reply->outcome == GUANJIA__OUTCOME__REFUSED ||
		    reply->result_case != GUANJIA__REPLY__RESULT_STATUS) {
			r = -EPROTO;
			goto fail;
		}
		s->last = reply->status->last_seq;
		s->last_known = true;
		s->catchups = 1;
		s->next_catchup = gj_client_mono_ms() + FIRST_CATCHUP_MS;
		gj_reply_free(reply);
		reply = NULL;
	}
	*ret = s;
	return 0;
fail:
	gj_reply_free(reply);
	gj_sub_destroy(s);
	return r;
}

void gj_sub_destroy(struct gj_sub *s)
{
	Guanjia__Record *r;

	if (!s)
		return;
	while ((r = queue_pop(s)))
		gj_record_free(r);
	free(s->queue);
	gj_record_free(s->pending);
	if (s->sock >= 0)
		nn_close(s->sock);
	gj_client_destroy(s->cmd);
	free(s->prefix);
	free(s);
}

void gj_record_free(Guanjia__Record *r)
{
	if (r)
		guanjia__record__free_unpacked(r, NULL);
}

uint64_t gj_sub_last_seq(const struct gj_sub *s)
{
	return s ? s->last : 0;
}

/*
 * One replay after `last`, queueing the matching records.  upto is the
 * last seq wanted (UINT64_MAX: the end of the journal).
 * @return 1 when more remains, 0 when done, <0 on failure
 */
static int replay_batch(struct gj_sub *s, uint64_t upto, int timeout_ms)
{
	uint64_t from = s->last + 1, top = s->last;
	uint32_t limit = REPLAY_BATCH;
	Guanjia__Reply *reply = NULL;
	Guanjia__RecordList *list;
	int r = 0;

	if (upto <= s->last)
		return 0;
	if (upto - s->last < limit)
		limit = (uint32_t)(upto - s->last);
	gj_client_set_timeout(s->cmd, timeout_ms);
	r = gj_client_replay(s->cmd, from, limit, s->prefix, &reply);
	if (r < 0)
		return r;
	if (reply->outcome == GUANJIA__OUTCOME__REFUSED ||
	    reply->result_case != GUANJIA__REPLY__RESULT_RECORDS) {
		gj_reply_free(reply);
		return -EPROTO;
	}
	list = reply->records;
	/* Records are taken out of the reply one by one: what is not kept is
	 * freed here, and the list is emptied before the reply is freed. */
	for (size_t i = 0; i < list->n_records; i++) {
		Guanjia__Record *rec = list->records[i];

		list->records[i] = NULL;
		if (r < 0 || rec->seq < from || rec->seq <= top || !matches(s, rec)) {
			gj_record_free(rec);
			continue;
		}
		r = queue_push(s, rec);
		if (r < 0) {
			gj_record_free(rec);
			continue;
		}
		top = rec->seq;
	}
	list->n_records = 0;
	if (r < 0) {
		gj_reply_free(reply);
		return r;
	}
	if (list->next_seq > from && list->next_seq - 1 > top)
		top = list->next_seq - 1;
	r = top > s->last && top < upto && top < list->last_seq;
	s->last = top;
	gj_reply_free(reply);
	return r;
}

/* A live message into `pending`.  @return 1 got one, 0 none (timeout,
 * interrupted, or a message that is not a record), <0 error */
static int recv_live(struct gj_sub *s, int wait_ms)
{
	Guanjia__Record *rec;
	const char *nul;
	void *msg = NULL;
	int n, r;

	if (wait_ms != 0) {
		r = set_int_opt(s->sock, NN_SOL_SOCKET, NN_RCVTIMEO, wait_ms);
		if (r < 0)
			return r;
	}
	n = nn_recv(s->sock, &msg, NN_MSG, wait_ms == 0 ? NN_DONTWAIT : 0);
	if (n < 0) {
		r = gj_client_nn_error();
		if (r == -ETIMEDOUT || r == -EAGAIN || r == -EINTR)
			return 0;
		return r;
	}
	nul = memchr(msg, '\0', (size_t)n);
	rec = NULL;
	if (nul)
		rec = guanjia__record__unpack(NULL, (size_t)n - (size_t)(nul + 1 - (const char *)msg),
					      (const uint8_t *)nul + 1);
	nn_freemsg(msg);
	if (!rec)
		return 0;
	if (rec->seq == 0) {
		gj_record_free(rec);
		return 0;
	}
	s->pending = rec;
	return 1;
}

/* How long a replay may wait: REPLAY_TIMEOUT_MS, and for an optional
 * catch-up about the caller's deadline (but long enough for a round trip
 * even when the caller only polls). */
static int replay_timeout(int64_t deadline, bool optional)
{
	int64_t left;

	if (!optional || deadline < 0)
		return REPLAY_TIMEOUT_MS;
	left = deadline - gj_client_mono_ms();
	if (left < MIN_CATCHUP_TIMEOUT_MS)
		return MIN_CATCHUP_TIMEOUT_MS;
	return left < REPLAY_TIMEOUT_MS ? (int)left : REPLAY_TIMEOUT_MS;
}

int gj_sub_next(struct gj_sub *s, int timeout_ms, Guanjia__Record **ret_record)
{
	int64_t deadline, now, wait;
	Guanjia__Record *rec;
	int r;

	if (!s || !ret_record)
		return -EINVAL;
	deadline = timeout_ms < 0 ? -1 : gj_client_mono_ms() + timeout_ms;
	for (;;) {
		rec = queue_pop(s);
		if (rec) {
			*ret_record = rec;
			return 0;
		}
		if (s->pending) {
			uint64_t seq = s->pending->seq;

			if (s->last_known && seq <= s->last) {
				gj_record_free(s->pending);
				s->pending = NULL;
				continue;
			}
			if (!s->last_known || seq == s->last + 1 || !s->cmd) {
				rec = s->pending;
				s->pending = NULL;
				s->last = seq;
				s->last_known = true;
				if (matches(s, rec)) {
					*ret_record = rec;
					return 0;
				}
				gj_record_free(rec);
				continue;
			}
			r = replay_batch(s, seq - 1, replay_timeout(deadline, false));
			if (r == -ENOMEM)
				return r;
			if (r < 0)
				return -ECOMM;
			/* Done, yet short of the gap's end: the journal no longer
			 * has those records (or never will); skip them. */
			if (r == 0 && s->last < seq - 1)
				s->last = seq - 1;
			continue;
		}
		if (s->catching_up) {
			r = replay_batch(s, UINT64_MAX, replay_timeout(deadline, true));
			if (r == -ENOMEM)
				return r;
			/* Catching up is a safety net: a failure waits for the
			 * next round rather than failing the caller.  The round
			 * after the first comes soon: it covers the time the
			 * SUB connection took to come up. */
			if (r <= 0) {
				s->catching_up = false;
				s->next_catchup = gj_client_mono_ms() +
					(s->catchups++ == 0 ? FIRST_CATCHUP_MS : IDLE_CATCHUP_MS);
			}
			continue;
		}

		now = gj_client_mono_ms();
		wait = deadline < 0 ? -1 : (deadline > now ? deadline - now : 0);
		if (s->cmd && s->next_catchup) {
			int64_t until = s->next_catchup > now ? s->next_catchup - now : 0;

			if (wait < 0 || until < wait)
				wait = until;
		}
		r = recv_live(s, wait > INT32_MAX ? INT32_MAX : (int)wait);
		if (r < 0)
			return r;
		now = gj_client_mono_ms();
		if (r > 0) {
			if (s->cmd)
				s->next_catchup = now + IDLE_CATCHUP_MS;
			continue;
		}
		if (s->cmd && s->next_catchup && now >= s->next_catchup) {
			s->catching_up = true;
			continue;
		}
		if (deadline >= 0 && now >= deadline)
			return -ETIMEDOUT;
	}
}
