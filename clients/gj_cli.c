/*
 * gj_cli.c - the helpers every gj command uses: reporting errors, reading
 * numbers and ticket ids from the command line, connecting to guanjiad and
 * judging its reply.  Errors go to stderr as "gj: <message>".  At the end,
 * what the front-line commands (post, jobs, today) share: every ticket of a
 * filter, days and times of day, aligned tables.
 */
#include "gj_cli.h"
#include "gj_print.h"
#include "wire.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void gj_cli_err(const char *fmt, ...)
{
	va_list ap;

	fputs("gj: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int gj_cli_usage_error(const struct gj_ctx *x, const char *fmt, ...)
{
	va_list ap;

	fputs("gj: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	gj_cli_put_usage(stderr, "usage: ", x->cmd);
	return EXIT_USAGE;
}

void gj_cli_put_usage(FILE *f, const char *lead, const struct gj_command *c)
{
	int indent = (int)(strlen(lead) + strlen("gj ") + strlen(c->name) + 1);
	const char *p = c->usage;

	fprintf(f, "%sgj %s%s", lead, c->name, *p ? " " : "");
	for (;;) {
		const char *nl = strchr(p, '\n');

		if (!nl) {
			fprintf(f, "%s\n", p);
			return;
		}
		fprintf(f, "%.*s\n%*s", (int)(nl - p), p, indent, "");
		p = nl + 1;
	}
}

int gj_cli_parse_u64(const char *s, uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

int gj_cli_opt_u64(const struct gj_ctx *x, enum gj_opt_id id, uint64_t min, uint64_t dflt,
		   uint64_t *ret)
{
	const char *v = x->a->values[id];

	if (!v) {
		*ret = dflt;
		return 0;
	}
	if (gj_cli_parse_u64(v, ret) < 0 || *ret < min)
		return gj_cli_usage_error(x, "--%s wants a whole number >= %llu, not '%s'",
					  x->a->given_as[id], (unsigned long long)min, v);
	return 0;
}

int gj_cli_parse_ticket(const struct gj_ctx *x, const char *s, uint64_t *ret)
{
	if (s[0] == '#')
		s++;
	if (gj_cli_parse_u64(s, ret) < 0 || *ret == 0)
		return gj_cli_usage_error(x, "TICKET is a ticket number, not '%s'", s);
	return 0;
}

int gj_cli_check_kv(const struct gj_ctx *x, const char *const *kv, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(kv[i], '=');

		if (!eq || eq == kv[i])
			return gj_cli_usage_error(x, "expected field=value, not '%s'", kv[i]);
	}
	return 0;
}

int gj_cli_need_role(const struct gj_ctx *x)
{
	const char *role = x->a->values[O_ROLE];

	if (!role || !*role) {
		gj_cli_err("say who you are acting as: --role ROLE (or GJ_ROLE)");
		return EXIT_USAGE;
	}
	return 0;
}

int gj_cli_unreachable(const char *url, int r)
{
	gj_cli_err("cannot reach guanjiad at %s: %s: is it running? (start it with scripts/run)",
		   url, strerror(-r));
	return EXIT_UNREACHABLE;
}

int gj_cli_connect(struct gj_ctx *x)
{
	const struct gj_args *a = x->a;
	const char *connect = a->values[O_CONNECT];
	int r;

	x->cmd_url = connect ? strdup(connect) : gj_cmd_url(x->data_dir);
	if (!x->cmd_url) {
		gj_cli_err("out of memory");
		return EXIT_FAIL;
	}
	/* Say "not running" at once rather than after the timeout. */
	r = gj_url_probe(x->cmd_url, x->timeout_ms < 0 || x->timeout_ms > GJ_CLI_PROBE_TIMEOUT_MS ?
				     GJ_CLI_PROBE_TIMEOUT_MS : x->timeout_ms);
	if (r < 0 && r != -EOPNOTSUPP)
		return gj_cli_unreachable(x->cmd_url, r);
	r = gj_client_connect(x->cmd_url, &x->client);
	if (r < 0)
		return gj_cli_unreachable(x->cmd_url, r);
	r = gj_client_set_actor(x->client, a->values[O_AS], a->values[O_ROLE], a->values[O_CHANNEL]);
	if (r < 0) {
		gj_cli_err("out of memory");
		return EXIT_FAIL;
	}
	gj_client_set_timeout(x->client, x->timeout_ms);
	return 0;
}

int gj_cli_print_reply_json(struct gj_ctx *x, const Guanjia__Reply *reply)
{
	int r = gj_print_json_message(stdout, x->j, &reply->base);

	if (r < 0) {
		gj_cli_err("cannot print JSON: %s", strerror(-r));
		return EXIT_FAIL;
	}
	return 0;
}

int gj_cli_check_reply(struct gj_ctx *x, int r, const Guanjia__Reply *reply,
		       Guanjia__Reply__ResultCase want)
{
	if (r == -ETIMEDOUT) {
		gj_cli_err("no answer from guanjiad at %s within %d ms: is it running? (start it with scripts/run)",
			   x->cmd_url, x->timeout_ms);
		return EXIT_UNREACHABLE;
	}
	if (r == -EMSGSIZE) {
		gj_cli_err("the command is larger than %d bytes", GJ_MAX_MESSAGE);
		return EXIT_FAIL;
	}
	if (r == -EPROTO) {
		gj_cli_err("guanjiad at %s sent a reply gj cannot read", x->cmd_url);
		return EXIT_FAIL;
	}
	if (r < 0) {
		gj_cli_err("talking to guanjiad at %s: %s", x->cmd_url, strerror(-r));
		return r == -ENOMEM || r == -EINVAL ? EXIT_FAIL : EXIT_UNREACHABLE;
	}
	if (reply->outcome == GUANJIA__OUTCOME__REFUSED) {
		if (x->json) {
			/* A document the command had begun (list, report...) gives
			 * way to the refusal. */
			gj_json_reset(x->j);
			gj_cli_print_reply_json(x, reply);
		}
		gj_cli_err("refused (%s): %s", gj_error_code_name(reply->code), reply->message);
		return EXIT_FAIL;
	}
	if (reply->outcome != GUANJIA__OUTCOME__APPLIED &&
	    reply->outcome != GUANJIA__OUTCOME__ALREADY_APPLIED) {
		gj_cli_err("guanjiad answered with outcome %s", gj_outcome_name(reply->outcome));
		return EXIT_FAIL;
	}
	if (want != GUANJIA__REPLY__RESULT__NOT_SET && reply->result_case != want) {
		gj_cli_err("guanjiad's reply carries no result");
		return EXIT_FAIL;
	}
	return 0;
}

int gj_cli_print_line(char *line)
{
	if (!line) {
		gj_cli_err("out of memory");
		return EXIT_FAIL;
	}
	puts(line);
	free(line);
	return 0;
}

/* --------------------------------------------- helpers of the front-line commands */

int gj_cli_fetch_tickets(struct gj_ctx *x, const Guanjia__ListTickets *filter,
			 struct gj_cli_tickets *t)
{
	Guanjia__ListTickets f = *filter;
	Guanjia__Reply *reply = NULL;
	int rc, r;

	f.after_id = 0;
	f.limit = GJ_CLI_PAGE;
	for (;;) {
		Guanjia__Reply **rv;
		const Guanjia__Ticket **tv;
		size_t n;

		r = gj_client_list(x->client, &f, &reply);
		rc = gj_cli_check_reply(x, r, reply, GUANJIA__REPLY__RESULT_TICKETS);
		if (rc) {
			gj_reply_free(reply);
			return rc;
		}
		n = reply->tickets->n_tickets;
		rv = realloc(t->replies, (t->n_replies + 1) * sizeof(*rv));
		if (rv)
			t->replies = rv;
		tv = rv ? realloc(t->v, (t->n + n + 1) * sizeof(*tv)) : NULL;
		if (!tv) {
			gj_reply_free(reply);
			gj_cli_err("out of memory");
			return EXIT_FAIL;
		}
		t->v = tv;
		t->replies[t->n_replies++] = reply;
		t->now = reply->now;
		for (size_t i = 0; i < n; i++)
			t->v[t->n++] = reply->tickets->tickets[i];
		if (!reply->tickets->more || n == 0)
			return 0;
		f.after_id = reply->tickets->tickets[n - 1]->id;
		reply = NULL;
	}
}

void gj_cli_tickets_finish(struct gj_cli_tickets *t)
{
	for (size_t i = 0; i < t->n_replies; i++)
		gj_reply_free(t->replies[i]);
	free(t->replies);
	free(t->v);
	*t = (struct gj_cli_tickets){ 0 };
}

const char *gj_cli_field(const Guanjia__Ticket *t, const char *name)
{
	for (size_t i = 0; i < t->n_fields; i++)
		if (strcmp(t->fields[i]->name, name) == 0)
			return t->fields[i]->value;
	return NULL;
}

int gj_cli_parse_date(const char *s, int64_t *ret_day_start)
{
	/* gj_time_parse() alone would also take a time or an offset. */
	for (int i = 0; i < 10; i++)
		if (!s[i] || ((i == 4 || i == 7) ? s[i] != '-' : (s[i] < '0' || s[i] > '9')))
			return -EINVAL;
	if (s[10])
		return -EINVAL;
	return gj_time_parse(s, ret_day_start);
}

int64_t gj_cli_day_start(int64_t ms)
{
	int64_t off = (int64_t)GJ_DEFAULT_UTC_OFFSET_MIN * 60000, local = ms + off;
	int64_t day = local / GJ_CLI_DAY_MS - (local % GJ_CLI_DAY_MS < 0);

	return day * GJ_CLI_DAY_MS - off;
}

void gj_cli_date(int64_t ms, char *buf, size_t len)
{
	char iso[40];

	gj_time_format(ms, GJ_DEFAULT_UTC_OFFSET_MIN, iso, sizeof(iso));
	snprintf(buf, len, "%.10s", iso);
}

void gj_cli_when(int64_t ms, int64_t day_start, char *buf, size_t len)
{
	char iso[40];

	/* iso: 2026-10-09T10:05:00+08:00 */
	gj_time_format(ms, GJ_DEFAULT_UTC_OFFSET_MIN, iso, sizeof(iso));
	if (ms >= day_start && ms < day_start + GJ_CLI_DAY_MS)
		snprintf(buf, len, "%.5s", iso + 11);
	else
		snprintf(buf, len, "%.10s %.5s", iso, iso + 11);
}

void gj_cli_left(int64_t deadline, int64_t now, char *buf, size_t len)
{
	char d[40];

	gj_duration_format(deadline > now ? deadline - now : now - deadline, d, sizeof(d));
	snprintf(buf, len, deadline > now ? "%s left" : "LATE by %s", d);
}

int gj_cli_print_json(struct gj_ctx *x)
{
	int r = gj_print_json(stdout, x->j);

	if (r < 0) {
		gj_cli_err("cannot print JSON: %s", strerror(-r));
		return EXIT_FAIL;
	}
	return 0;
}

/* Columns a UTF-8 string takes on a terminal: East Asian wide characters
 * (Chinese names, plates such as 粤B12345) take two. */
static size_t text_width(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t w = 0;

	while (*p) {
		uint32_t c = *p;
		int n = c < 0x80 ? 0 : c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;

		c = n == 0 ? c : n == 1 ? c & 0x1f : n == 2 ? c & 0x0f : c & 0x07;
		p++;
		for (; n > 0 && (*p & 0xc0) == 0x80; n--, p++)
			c = (c << 6) | (*p & 0x3f);
		w += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) ||
		     (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
		     (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) ||
		     (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x20000 && c <= 0x3fffd) ? 2 : 1;
	}
	return w;
}

void gj_cli_table_row(struct gj_cli_table *t, ...)
{
	va_list ap;

	if (t->oom)
		return;
	if (t->n_rows == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 16;
		char **v = realloc(t->cells, cap * t->n_cols * sizeof(*v));

		if (!v) {
			t->oom = true;
			return;
		}
		t->cells = v;
		t->cap = cap;
	}
	va_start(ap, t);
	for (size_t i = 0; i < t->n_cols; i++) {
		const char *s = va_arg(ap, const char *);
		char *c = strdup(s ? s : "-");

		t->cells[t->n_rows * t->n_cols + i] = c;
		if (!c)
			t->oom = true;
	}
	va_end(ap);
	t->n_rows++;
}

int gj_cli_table_print(struct gj_cli_table *t, const char *indent)
{
	size_t *width = calloc(t->n_cols ? t->n_cols : 1, sizeof(*width));
	int rc = 0;

	if (!width || t->oom) {
		gj_cli_err("out of memory");
		rc = EXIT_FAIL;
		goto out;
	}
	for (size_t r = 0; r < t->n_rows; r++)
		for (size_t i = 0; i < t->n_cols; i++) {
			size_t w = text_width(t->cells[r * t->n_cols + i]);

			if (w > width[i])
				width[i] = w;
		}
	for (size_t r = 0; r < t->n_rows; r++) {
		fputs(indent, stdout);
		for (size_t i = 0; i < t->n_cols; i++) {
			const char *c = t->cells[r * t->n_cols + i];

			fputs(c, stdout);
			if (i + 1 < t->n_cols)
				printf("%*s", (int)(width[i] - text_width(c) + 2), "");
		}
		fputc('\n', stdout);
	}
out:
	for (size_t k = 0; k < t->n_rows * t->n_cols; k++)
		free(t->cells[k]);
	free(t->cells);
	free(width);
	t->cells = NULL;
	t->n_rows = t->cap = 0;
	t->oom = false;
	return rc;
}
