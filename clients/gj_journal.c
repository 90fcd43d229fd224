/*
 * gj_journal.c - the gj commands that read the journal: watch (records as
 * they are published, gaps filled with replay) and replay (records already
 * in the journal).  Both print a record as gj_print_record() does, or as
 * one line of JSON.
 */
#include "gj_cli.h"
#include "gj_print.h"
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int print_record(struct gj_ctx *x, const Guanjia__Record *rec)
{
	int r;

	if (x->json) {
		r = gj_print_json_message(stdout, x->j, &rec->base);
		if (r < 0) {
			gj_cli_err("cannot print JSON: %s", strerror(-r));
			return EXIT_FAIL;
		}
	} else if (gj_print_record(stdout, rec) < 0) {
		gj_cli_err("out of memory");
		return EXIT_FAIL;
	}
	/* A watch whose output is gone (disk full, reader gone) stops saying so
	 * rather than dropping records in silence. */
	if (fflush(stdout) != 0 || ferror(stdout)) {
		gj_cli_err("cannot write the records: %s", strerror(errno));
		return EXIT_FAIL;
	}
	return 0;
}

/* A daemon bound to tcp://(star):PORT reports that as its event URL; a client
 * reaches it at the host it used for the command socket. */
static char *derive_event_url(const char *cmd_url, const char *reported)
{
	const char *wild[] = { "tcp://*:", "tcp://0.0.0.0:", "tcp://[::]:", "tcp://::" };
	const char *host, *end;
	char *out = NULL;

	if (strncmp(cmd_url, "tcp://", 6) != 0)
		return strdup(reported);
	for (size_t i = 0; i < sizeof(wild) / sizeof(wild[0]); i++) {
		size_t n = strlen(wild[i]);

		if (strncmp(reported, wild[i], n) != 0 || (i == 3 && reported[n] != ':'))
			continue;
		host = cmd_url + 6;
		if (strchr(host, ';'))
			host = strchr(host, ';') + 1;
		end = strrchr(host, ':');
		if (!end)
			break;
		if (asprintf(&out, "tcp://%.*s:%s", (int)(end - host), host,
			     strrchr(reported, ':') + 1) < 0)
			return NULL;
		return out;
	}
	return strdup(reported);
}

static int event_url(struct gj_ctx *x, char **ret)
{
	Guanjia__Reply *reply = NULL;
	int rc, r;

	if (x->a->values[O_EVENTS]) {
		*ret = strdup(x->a->values[O_EVENTS]);
	} else if (!x->a->values[O_CONNECT]) {
		*ret = gj_event_url(x->data_dir);
	} else {
		r = gj_client_status(x->client, &reply);
		rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_STATUS);
		if (rc) {
			gj_reply_free(reply);
			return rc;
		}
		*ret = derive_event_url(x->cmd_url, reply->status->event_url);
		gj_reply_free(reply);
	}
	if (!*ret) {
		gj_cli_err("out of memory");
		return EXIT_FAIL;
	}
	return 0;
}

int gj_run_watch(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	const char *prefix = a->values[O_PREFIX] ? a->values[O_PREFIX] : "";
	struct gj_sub *sub = NULL;
	Guanjia__Record *rec;
	uint64_t from, count, seen = 0;
	int idle, rc, r;
	char *ev_url = NULL;

	if (a->n_pos > 2)
		return gj_cli_usage_error(x, "watch takes at most one PREFIX");
	if (a->n_pos == 2)
		prefix = a->pos[1];
	rc = gj_cli_opt_u64(x, O_FROM, 1, 0, &from);
	if (!rc)
		rc = gj_cli_opt_u64(x, O_COUNT, 1, 0, &count);
	if (rc)
		return rc;
	/* For watch, --timeout is how long to wait for the next record; the
	 * replies of replays keep the default timeout. */
	idle = a->values[O_TIMEOUT] ? x->timeout_ms : -1;
	x->timeout_ms = GJ_CLIENT_DEFAULT_TIMEOUT_MS;
	rc = gj_cli_connect(x);
	if (!rc)
		rc = event_url(x, &ev_url);
	if (rc)
		goto out;
	r = gj_url_probe(ev_url, GJ_CLI_PROBE_TIMEOUT_MS);
	if (r < 0 && r != -EOPNOTSUPP) {
		rc = gj_cli_unreachable(ev_url, r);
		goto out;
	}
	r = gj_sub_open(ev_url, x->cmd_url, prefix, from, &sub);
	if (r == -ETIMEDOUT || r == -ECONNREFUSED || r == -ENOENT) {
		rc = gj_cli_unreachable(x->cmd_url, r);
		goto out;
	}
	if (r < 0) {
		gj_cli_err("cannot subscribe to %s: %s", ev_url, strerror(-r));
		rc = r == -EINVAL || r == -EPROTO || r == -ENOMEM ? EXIT_FAIL : EXIT_UNREACHABLE;
		goto out;
	}
	while (!count || seen < count) {
		r = gj_sub_next(sub, idle, &rec);
		if (r == -ETIMEDOUT)
			break;
		if (r == -ECOMM) {
			gj_cli_err("guanjiad at %s does not answer the replay that fills a gap in the journal",
				   x->cmd_url);
			rc = EXIT_UNREACHABLE;
			goto out;
		}
		if (r < 0) {
			gj_cli_err("watching %s: %s", ev_url, strerror(-r));
			rc = EXIT_FAIL;
			goto out;
		}
		rc = print_record(x, rec);
		gj_record_free(rec);
		if (rc)
			goto out;
		seen++;
	}
out:
	gj_sub_destroy(sub);
	free(ev_url);
	return rc;
}

int gj_run_replay(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	const char *prefix = a->values[O_PREFIX] ? a->values[O_PREFIX] : "";
	Guanjia__Reply *reply = NULL;
	uint64_t from, limit, shown = 0;
	int rc, r;

	if (a->n_pos > 2)
		return gj_cli_usage_error(x, "replay takes at most one PREFIX");
	if (a->n_pos == 2)
		prefix = a->pos[1];
	rc = gj_cli_opt_u64(x, O_FROM, 1, 1, &from);
	if (!rc)
		rc = gj_cli_opt_u64(x, O_LIMIT, 1, 0, &limit);
	if (!rc)
		rc = gj_cli_connect(x);
	if (rc)
		return rc;
	for (;;) {
		uint32_t ask = GJ_CLI_PAGE;
		const Guanjia__RecordList *list;
		bool done;

		if (limit && limit - shown < ask)
			ask = (uint32_t)(limit - shown);
		r = gj_client_replay(x->client, from, ask, prefix, &reply);
		rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_RECORDS);
		if (rc)
			break;
		list = reply->records;
		for (size_t i = 0; i < list->n_records && !rc; i++, shown++)
			rc = print_record(x, list->records[i]);
		done = rc || (limit && shown >= limit) || list->next_seq <= from ||
		       list->next_seq > list->last_seq;
		from = list->next_seq;
		gj_reply_free(reply);
		reply = NULL;
		if (done)
			break;
	}
	gj_reply_free(reply);
	return rc;
}
