/*
 * gj_cli.c - the helpers every gj command uses: reporting errors, reading
 * numbers and ticket ids from the command line, connecting to guanjiad and
 * judging its reply.  Errors go to stderr as "gj: <message>".
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
	fprintf(stderr, "\nusage: gj %s%s%s\n", x->cmd->name, x->cmd->usage[0] ? " " : "",
		x->cmd->usage);
	return EXIT_USAGE;
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
		if (x->json)
			gj_cli_print_reply_json(x, reply);
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
