/*
 * host_priv.h - what the files of the plugin host share (host.c, host_api.c,
 * host_calls.c, duty.c): the host, each plugin's context, the nesting limit
 * of callbacks, and the helpers of the host functions.  Not for use outside
 * them.
 */
#pragma once

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine_priv.h"
#include "gj_plugin.h"

struct gj_plugins;
struct gj_site;
struct gj_ynode;

/* Callbacks nested deeper than this (a plugin firing an event whose
 * transition makes a plugin fire another...) are refused with -ELOOP. */
#define MAX_HOOK_DEPTH 4

struct host_plugin {            /* the host_ctx of one plugin */
	struct gj_host *host;
	char *name;
	const struct gj_ynode *config;  /* its section, NULL when none */
	char **strings;                 /* what config_get returned (joined lists) */
	size_t n_strings;
	bool refused;                   /* its init failed: not loaded */
	char **asked;                   /* top-level settings it read (config_get) */
	size_t n_asked;
};

struct gj_host {
	struct gj_engine *eng;
	struct gj_ynode *config_root;
	struct host_plugin **bound;
	size_t n_bound;
	struct gj_plugins *plugins;
	bool read_only;                 /* inside check_event */
	const struct gj_site *site;
	/* calendar-provisional alerts already raised by plugins in this batch
	 * ("plugin/calendar/year"): once each per batch is enough */
	uint64_t ticket_writes;         /* tickets plugins wrote (see after_transition) */
	uint64_t prov_batch;
	char prov_said[16][96];
	size_t n_prov_said;     /* estates, calendars, rosters; may be NULL */
};

/* The table handed to every plugin (host_api.c). */
extern const struct gj_host_api gj_host_table;

/* The table's config_get: a dotted path into the plugin's own settings
 * (host.c, with the warning for the settings nobody reads). */
const char *gj_host_config_get(void *ctx, const char *key);

/* A plugin timer's record (host_api.c, where its layout is described):
 * read (when it is armed for, 0: not armed; its plugin and name) and write. */
int gj_host_timer_get(struct gj_engine *eng, uint64_t id, int64_t *ret_at, char **ret_plugin,
		      char **ret_name);
int gj_host_timer_put(struct gj_engine *eng, uint64_t id, int64_t at, const char *plugin,
		      const char *name);

/* --- helpers --------------------------------------------------------- */

static inline struct gj_engine *live(void *ctx, bool write)
{
	struct host_plugin *hp = ctx;
	struct gj_engine *eng = hp ? hp->host->eng : NULL;

	if (!eng || !eng->in_batch || eng->hook_depth == 0 || eng->failed)
		return NULL;
	if (write && hp->host->read_only)
		return NULL;
	return eng;
}

/* A storage error spoils the batch: the server throws it away and runs it
 * again (after growing the map when it was full). */
static inline int storage(struct gj_engine *eng, int rc)
{
	if (rc && rc != -ENOENT && rc != -EINVAL && rc != -EILSEQ)
		gj_engine_spoil(eng, rc);
	return rc;
}

static inline int load_ticket(struct gj_engine *eng, uint64_t id, Guanjia__Ticket **ret)
{
	return storage(eng, gj_store_ticket_get(eng->cur, id, ret));
}

static inline int store_ticket(struct gj_engine *eng, Guanjia__Ticket *tk)
{
	eng->host->ticket_writes++;
	tk->updated_at = eng->now;
	return storage(eng, gj_store_ticket_put(eng->cur, tk));
}

static inline void free_ticket(Guanjia__Ticket *tk)
{
	if (tk)
		protobuf_c_message_free_unpacked(&tk->base, NULL);
}
