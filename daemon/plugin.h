/*
 * plugin.h - the host side of plugins: load a .so, check its ABI version
 * before touching anything else in it, call its init, and unload it.
 * Nothing here logs: refusals come back as a negative errno and a message
 * (naming the path and the reason) for the caller to log once.
 */
#pragma once

#include <stddef.h>

#include "gj_plugin.h"

struct gj_plugin;
struct gj_plugins;

/**
 * Load one plugin and call its init.
 * @param path the .so; must be a regular file (symlinks to one are followed)
 * @param host the table handed to the plugin; must outlive the plugin
 * @param host_ctx first argument of every host function
 * @param ret the loaded plugin, untouched on failure
 * @param ret_error on failure, a malloc'ed message (may be NULL to ignore)
 * @return 0, -EINVAL (not a regular file, bad descriptor), -ENOENT (no such
 *         file, no descriptor symbol), -ENOEXEC (dlopen failed),
 *         -EPROTO (ABI mismatch), the init's error, -ENOMEM
 */
int gj_plugin_load(const char *path, const struct gj_host_api *host,
                   void *host_ctx, struct gj_plugin **ret, char **ret_error);

/**
 * Gives each plugin its own host_ctx, once its descriptor passed the ABI
 * checks and before its init: bind returns 0 and the context, or -errno and
 * (optionally) a malloc'ed reason, e.g. a second plugin of the same name.
 */
struct gj_plugin_binder {
	int (*bind)(void *arg, const char *name, void **ret_ctx, char **ret_why);
	/** The plugin bound to ctx was refused after all (its init failed). */
	void (*unbind)(void *arg, void *ctx);
	void *arg;
};

/** gj_plugin_load() with a context per plugin from @p binder. */
int gj_plugin_load_bound(const char *path, const struct gj_host_api *host,
                         const struct gj_plugin_binder *binder,
                         struct gj_plugin **ret, char **ret_error);

/** Call the plugin's fini, dlclose it, free it. Accepts NULL. */
void gj_plugin_unload(struct gj_plugin *p);

/** @return the plugin's name (from its descriptor) */
const char *gj_plugin_name(const struct gj_plugin *p);

/** @return the path the plugin was loaded from */
const char *gj_plugin_path(const struct gj_plugin *p);

/** @return the plugin's descriptor */
const struct gj_plugin_descriptor *gj_plugin_descriptor_of(const struct gj_plugin *p);

/** @return the state its init returned */
void *gj_plugin_state(const struct gj_plugin *p);

/**
 * Load every *.so of a directory, in name order. Refused plugins are skipped,
 * the others kept.
 * @param ret the set of loaded plugins (possibly empty)
 * @param ret_errors a malloc'ed text, one line per refused plugin, or NULL
 *        when none was refused (may be NULL to ignore)
 * @return 0 (even if some were refused), -errno if the directory cannot be
 *         read or memory runs out (then *ret_errors says why)
 */
int gj_plugins_load_dir(const char *dir, const struct gj_host_api *host,
                        void *host_ctx, struct gj_plugins **ret,
                        char **ret_errors);

/** gj_plugins_load_dir() with a context per plugin from @p binder. */
int gj_plugins_load_dir_bound(const char *dir, const struct gj_host_api *host,
                              const struct gj_plugin_binder *binder,
                              struct gj_plugins **ret, char **ret_errors);

/** @return how many plugins the set holds */
size_t gj_plugins_count(const struct gj_plugins *ps);

/** @return the i-th plugin of the set (name order), NULL when out of range */
struct gj_plugin *gj_plugins_get(const struct gj_plugins *ps, size_t i);

/** Unload every plugin of the set (reverse order) and free it. Accepts NULL. */
void gj_plugins_unload(struct gj_plugins *ps);
