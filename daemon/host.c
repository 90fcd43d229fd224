/*
 * host.c - the daemon's side of the plugin ABI (gj_plugin.h): loading the
 * plugins, binding each to its own context and configuration section, the
 * plugin settings (config_get, and a warning at start for the settings
 * nobody reads), and the list of loaded plugins.
 *
 * The rest of the host: the functions of the table handed to plugins
 * (host_api.c), the engine's calls into the plugins (host_calls.c), alerts
 * with the people on duty and the estate, roster and calendar look-ups
 * (duty.c).
 */
#include "host.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_priv.h"
#include "log.h"
#include "plugin.h"
#include "yamldoc.h"

/* --- loading --------------------------------------------------------- */

int gj_host_create(struct gj_engine *eng, struct gj_host **ret)
{
	struct gj_host *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->eng = eng;
	if (eng) /* NULL: only to load and check plugins (--check-config) */
		eng->host = h;
	*ret = h;
	return 0;
}

void gj_host_destroy(struct gj_host *h)
{
	if (!h)
		return;
	gj_plugins_unload(h->plugins);
	for (size_t i = 0; i < h->n_bound; i++) {
		struct host_plugin *hp = h->bound[i];
		for (size_t j = 0; j < hp->n_strings; j++)
			free(hp->strings[j]);
		free(hp->strings);
		for (size_t j = 0; j < hp->n_asked; j++)
			free(hp->asked[j]);
		free(hp->asked);
		free(hp->name);
		free(hp);
	}
	free(h->bound);
	gj_ynode_destroy(h->config_root);
	if (h->eng && h->eng->host == h)
		h->eng->host = NULL;
	free(h);
}

int gj_host_set_plugin_config(struct gj_host *h, const char *name, const char *text,
			      size_t len, char **ret_error)
{
	struct gj_ynode *root = NULL;
	int rc = gj_ydoc_parse(name, text, len, &root, ret_error);

	if (rc)
		return rc;
	if (root->kind != GJ_YNODE_MAPPING && !gj_ynode_is_null(root)) {
		if (ret_error && asprintf(ret_error, "%s:%d: the plugin configuration must be a "
				"mapping of plugin names to their settings, not %s",
				name, root->line, gj_ynode_kind_name(root->kind)) < 0)
			*ret_error = NULL;
		gj_ynode_destroy(root);
		return -EINVAL;
	}
	gj_ynode_destroy(h->config_root);
	h->config_root = root;
	return 0;
}

static const char *keep_string(struct host_plugin *hp, char *s)
{
	void *na = realloc(hp->strings, (hp->n_strings + 1) * sizeof(*hp->strings));

	if (!na) {
		free(s);
		return NULL;
	}
	hp->strings = na;
	hp->strings[hp->n_strings++] = s;
	return s;
}

/* Remember which top-level settings a plugin reads, to name the others. */
static void note_asked(struct host_plugin *hp, const char *key)
{
	size_t len = strcspn(key, ".");
	char *k;
	void *na;

	for (size_t i = 0; i < hp->n_asked; i++)
		if (strlen(hp->asked[i]) == len && strncmp(hp->asked[i], key, len) == 0)
			return;
	na = realloc(hp->asked, (hp->n_asked + 1) * sizeof(*hp->asked));
	if (!na)
		return;
	hp->asked = na;
	k = strndup(key, len);
	if (k)
		hp->asked[hp->n_asked++] = k;
}

const char *gj_host_config_get(void *ctx, const char *key)
{
	struct host_plugin *hp = ctx;
	const struct gj_ynode *n = hp ? hp->config : NULL;
	char part[128];

	if (hp && key)
		note_asked(hp, key);
	if (!n || !key)
		return NULL;
	/* A dotted path through mappings. */
	while (n && *key) {
		const char *dot = strchr(key, '.');
		size_t len = dot ? (size_t)(dot - key) : strlen(key);
		if (len == 0 || len >= sizeof(part))
			return NULL;
		memcpy(part, key, len);
		part[len] = 0;
		n = gj_ynode_get(n, part);
		key += len + (dot ? 1 : 0);
	}
	if (!n)
		return NULL;
	if (n->kind == GJ_YNODE_SCALAR)
		return gj_ynode_is_null(n) ? NULL : gj_ynode_str(n);
	if (n->kind == GJ_YNODE_SEQUENCE) {
		size_t len = 1;
		char *s;
		for (size_t i = 0; i < n->n; i++) {
			if (!gj_ynode_str(n->items[i]))
				return NULL; /* only lists of scalars */
			len += strlen(gj_ynode_str(n->items[i])) + 1;
		}
		s = calloc(1, len);
		if (!s)
			return NULL;
		for (size_t i = 0; i < n->n; i++) {
			if (i)
				strcat(s, ",");
			strcat(s, gj_ynode_str(n->items[i]));
		}
		return keep_string(hp, s);
	}
	return NULL;
}

static void unbind_plugin(void *arg, void *ctx)
{
	struct host_plugin *hp = ctx;

	(void)arg;
	if (hp)
		hp->refused = true;
}

static int bind_plugin(void *arg, const char *name, void **ret_ctx, char **ret_why)
{
	struct gj_host *h = arg;
	struct host_plugin *hp;
	void *na;

	/* The plugins bound so far in this load (h->plugins is only set once
	 * the whole directory is loaded). */
	for (size_t i = 0; i < h->n_bound; i++)
		if (!h->bound[i]->refused && strcmp(h->bound[i]->name, name) == 0) {
			if (asprintf(ret_why, "a plugin named '%s' is already loaded", name) < 0)
				*ret_why = NULL;
			return -EEXIST;
		}
	na = realloc(h->bound, (h->n_bound + 1) * sizeof(*h->bound));
	if (!na)
		return -ENOMEM;
	h->bound = na;
	hp = calloc(1, sizeof(*hp));
	if (!hp || !(hp->name = strdup(name))) {
		free(hp);
		return -ENOMEM;
	}
	hp->host = h;
	hp->config = h->config_root ? gj_ynode_get(h->config_root, name) : NULL;
	h->bound[h->n_bound++] = hp;
	*ret_ctx = hp;
	return 0;
}

/* Settings nobody reads are most likely misspelt: say so, once, at start. */
static void warn_unused_settings(struct gj_host *h)
{
	const struct gj_ynode *root = h->config_root;

	for (size_t i = 0; root && root->kind == GJ_YNODE_MAPPING && i < root->n; i++) {
		const char *name = gj_ynode_str(root->pairs[i].key);
		const struct gj_ynode *sec = root->pairs[i].value;
		struct host_plugin *hp = NULL;

		for (size_t b = 0; name && b < h->n_bound; b++)
			if (!h->bound[b]->refused && strcmp(h->bound[b]->name, name) == 0)
				hp = h->bound[b];
		if (!hp) {
			gj_log(GJ_LOG_WARN, "plugin settings line %d: there is no plugin '%s' loaded; "
			       "its settings are not used", root->pairs[i].key->line, name ? name : "?");
			continue;
		}
		if (sec->kind != GJ_YNODE_MAPPING) {
			if (!gj_ynode_is_null(sec))
				gj_log(GJ_LOG_WARN, "plugin settings line %d: the settings of '%s' must "
				       "be a mapping (key: value), not %s; none are used", sec->line,
				       name, gj_ynode_kind_name(sec->kind));
			continue;
		}
		for (size_t k = 0; k < sec->n; k++) {
			const char *key = gj_ynode_str(sec->pairs[k].key);
			bool used = false;
			for (size_t a = 0; key && a < hp->n_asked; a++)
				used = used || strcmp(hp->asked[a], key) == 0;
			if (!used)
				gj_log(GJ_LOG_WARN, "plugin settings line %d: plugin '%s' has no setting "
				       "'%s' (misspelt?); it is not used", sec->pairs[k].key->line, name,
				       key ? key : "?");
		}
	}
}

int gj_host_load_plugins(struct gj_host *h, const char *dir, char **ret_errors)
{
	struct gj_plugin_binder binder = { bind_plugin, unbind_plugin, h };

	if (h->plugins) {
		if (ret_errors)
			*ret_errors = strdup("plugins are already loaded");
		return -EBUSY;
	}
	int rc = gj_plugins_load_dir_bound(dir, &gj_host_table, &binder, &h->plugins, ret_errors);

	if (rc == 0)
		warn_unused_settings(h);
	return rc;
}

size_t gj_host_plugin_count(const struct gj_host *h)
{
	return h && h->plugins ? gj_plugins_count(h->plugins) : 0;
}

const char *gj_host_plugin_name(const struct gj_host *h, size_t i)
{
	struct gj_plugin *p = h && h->plugins ? gj_plugins_get(h->plugins, i) : NULL;

	return p ? gj_plugin_name(p) : NULL;
}
