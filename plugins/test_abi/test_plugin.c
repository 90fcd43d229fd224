/*
 * test_plugin.c - a test-only plugin (test_abi_ok.so) exercising the ABI:
 * its init calls every host function once through the table and records
 * what each returned in gj_test_abi_results, which tests read with dlsym.
 * init fails with -ECANCELED when the host's config says fail_init=yes, and
 * with the first error when any host call failed. fini logs "fini".
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gj_plugin.h"

/** Indexes into gj_test_abi_results, one per host function. */
enum {
	R_GET_TICKET_FIELD,
	R_RAISE_ALERT,
	R_FIRE_EVENT,
	R_OPEN_TICKET,
	R_APPEND_HISTORY,
	R_ARM_CLOCK,
	R_CANCEL_CLOCK,
	R_CONFIG_GET,
	R_LOG,
	R_COUNT
};

GJ_PLUGIN_EXPORT int gj_test_abi_results[R_COUNT];
GJ_PLUGIN_EXPORT int gj_test_abi_init_calls;
GJ_PLUGIN_EXPORT uint64_t gj_test_abi_opened_id;

struct state {
	const struct gj_host_api *host;
	void *ctx;
};

static int init(const struct gj_host_api *host, void *ctx, void **ret_state)
{
	static const char *const roles[] = { "supervisor", "manager" };
	static const struct gj_plugin_kv kv[] = {
		{ "room", "3-2-101" }, { "kind", "inspection" },
	};
	const char *v;
	struct state *s;
	char buf[64];
	int i;

	gj_test_abi_init_calls++;
	if (host->abi_major != GJ_PLUGIN_ABI_MAJOR)
		return -EPROTO;
	v = host->config_get(ctx, "fail_init");
	gj_test_abi_results[R_CONFIG_GET] = v ? 0 : -ENOENT;
	if (v && strcmp(v, "yes") == 0)
		return -ECANCELED;

	gj_test_abi_results[R_GET_TICKET_FIELD] =
		host->get_ticket_field(ctx, 7, "estate", buf, sizeof(buf));
	if (gj_test_abi_results[R_GET_TICKET_FIELD] == 0 && strcmp(buf, "lanting") != 0)
		gj_test_abi_results[R_GET_TICKET_FIELD] = -EBADMSG;
	gj_test_abi_results[R_RAISE_ALERT] =
		host->raise_alert(ctx, 7, "respond", 1, roles, 2, "late");
	gj_test_abi_results[R_FIRE_EVENT] =
		host->fire_event(ctx, 7, "escalate", "plugin", "system");
	gj_test_abi_results[R_OPEN_TICKET] =
		host->open_ticket(ctx, "inspection", "lanting", kv, 2, &gj_test_abi_opened_id);
	gj_test_abi_results[R_APPEND_HISTORY] =
		host->append_history(ctx, 7, "noted by plugin");
	gj_test_abi_results[R_ARM_CLOCK] =
		host->arm_clock(ctx, 7, "remind", INT64_C(1700000000000));
	gj_test_abi_results[R_CANCEL_CLOCK] =
		host->cancel_clock(ctx, 7, "remind");
	host->log(ctx, GJ_PLUGIN_LOG_INFO, "init %d", 42);
	gj_test_abi_results[R_LOG] = 0;

	for (i = 0; i < R_COUNT; i++)
		if (gj_test_abi_results[i] != 0)
			return gj_test_abi_results[i];

	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->host = host;
	s->ctx = ctx;
	*ret_state = s;
	return 0;
}

static void fini(void *state)
{
	struct state *s = state;

	s->host->log(s->ctx, GJ_PLUGIN_LOG_INFO, "fini");
	free(s);
}

static int on_alert(void *state, const struct gj_plugin_alert *alert)
{
	return 0;
}

static int on_transition(void *state, const struct gj_plugin_transition *tr)
{
	return 0;
}

GJ_PLUGIN_EXPORT const struct gj_plugin_descriptor gj_plugin_descriptor = {
	GJ_PLUGIN_ABI_VERSION,
	.name = "test_abi_ok",
	.description = "test-only: calls every host function once",
	.init = init,
	.fini = fini,
	.on_alert = on_alert,
	.on_transition = on_transition,
};
