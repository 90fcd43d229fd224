/*
 * server.h - the event loop: drain requests, apply them in one transaction,
 * commit, reply, publish, and keep one timer for the earliest deadline.
 */
#pragma once

#include <stddef.h>

#include "bus.h"
#include "engine.h"
#include "store.h"

struct gj_server;

struct gj_server_config {
	size_t batch_max;       /**< requests applied in one transaction at most */
	size_t due_max;         /**< deadlines fired in one transaction at most */
	bool manual_clock;
};

int gj_server_create(struct gj_store *store, struct gj_engine *eng, struct gj_bus *bus,
		     const struct gj_server_config *cfg, struct gj_server **ret);
void gj_server_destroy(struct gj_server *srv);

/** Fire whatever fell due while the daemon was down (before it says ready). */
void gj_server_catch_up(struct gj_server *srv);

/** Run until SIGINT or SIGTERM. */
int gj_server_run(struct gj_server *srv);
