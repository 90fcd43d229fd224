/*
 * host.h - the daemon's side of the plugin ABI: the table of functions
 * plugins call (struct gj_host_api, see gj_plugin.h), each plugin's
 * configuration section, and the engine's calls into the plugins.
 *
 * Everything a plugin does through the table happens in the engine's
 * current batch transaction, so it commits (or is lost) together with what
 * triggered it.
 */
#pragma once

#include <stddef.h>

#include "engine.h"

struct gj_host;

/** Create the host of an engine (the engine then calls its plugins). */
int gj_host_create(struct gj_engine *eng, struct gj_host **ret);

/** Unload every plugin and free the host.  Accepts NULL. */
void gj_host_destroy(struct gj_host *h);

/**
 * The plugin configuration: one YAML mapping whose top-level keys are plugin
 * names; a plugin reads its own section with config_get.  Call before
 * loading plugins.
 * @param name shown in error messages (usually the file name)
 * @return 0, -EINVAL (with a "name:line: problem" in *ret_error), -ENOMEM
 */
int gj_host_set_plugin_config(struct gj_host *h, const char *name,
			      const char *text, size_t len, char **ret_error);

/**
 * Load every *.so of @p dir.  A plugin that is refused (ABI, not a regular
 * file, missing symbol, bad configuration, duplicate name) is skipped with
 * one line in *ret_errors; the others are kept.
 * @return 0 (even when some were refused), or -errno when the directory
 *         cannot be read (*ret_errors says why)
 */
int gj_host_load_plugins(struct gj_host *h, const char *dir, char **ret_errors);

struct gj_site;

/** The estates, calendars and rosters (the host does not own it). */
void gj_host_set_site(struct gj_host *h, const struct gj_site *site);

/** How many plugins are loaded, and the name of the i-th. */
size_t gj_host_plugin_count(const struct gj_host *h);
const char *gj_host_plugin_name(const struct gj_host *h, size_t i);
