/*
 * plugin.c - load plugins (see plugin.h and gj_plugin.h).
 *
 * The order of the checks matters: the descriptor's version fields are read
 * before any other field, because a plugin built for another major may have
 * a descriptor of another shape; only then are the name and the functions
 * looked at, and init is called last.
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "plugin.h"

struct gj_plugin {
	void *handle;
	const struct gj_plugin_descriptor *desc;
	void *state;
	char *path;
};

struct gj_plugins {
	struct gj_plugin **v;
	size_t n;
};

static void set_error(char **ret_error, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_error(char **ret_error, const char *fmt, ...)
{
	va_list ap;
	char *s;

	if (!ret_error)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	*ret_error = s;
}

static int load_one(const char *path, const struct gj_host_api *host,
                    void *host_ctx, const struct gj_plugin_binder *binder,
                    struct gj_plugin **ret, char **ret_error)
{
	const struct gj_plugin_descriptor *d;
	struct gj_plugin *p = NULL;
	struct stat sb;
	void *handle = NULL;
	void *state = NULL;
	const char *err;
	int r;

	/* stat, not lstat: a symlink to a .so is fine, one to a directory is not. */
	if (stat(path, &sb) < 0) {
		r = -errno;
		set_error(ret_error, "plugin %s: %s", path, strerror(-r));
		return r;
	}
	if (!S_ISREG(sb.st_mode)) {
		set_error(ret_error, "plugin %s: not a regular file", path);
		return -EINVAL;
	}

	dlerror();
	handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		err = dlerror();
		set_error(ret_error, "plugin %s: cannot load: %s", path,
		          err ? err : "unknown error");
		return -ENOEXEC;
	}

	dlerror();
	d = dlsym(handle, GJ_PLUGIN_DESCRIPTOR_SYMBOL);
	if (!d) {
		set_error(ret_error, "plugin %s: no %s symbol: not a guanjia plugin",
		          path, GJ_PLUGIN_DESCRIPTOR_SYMBOL);
		r = -ENOENT;
		goto fail;
	}

	/* Versions first: nothing else of the descriptor is trusted before. */
	if (d->abi_major != GJ_PLUGIN_ABI_MAJOR || d->abi_minor > GJ_PLUGIN_ABI_MINOR) {
		set_error(ret_error,
		          "plugin %s was built for ABI %u.%u, this daemon speaks %u.%u: "
		          "rebuild it against gj_plugin.h",
		          path, (unsigned)d->abi_major, (unsigned)d->abi_minor,
		          (unsigned)GJ_PLUGIN_ABI_MAJOR, (unsigned)GJ_PLUGIN_ABI_MINOR);
		r = -EPROTO;
		goto fail;
	}
	if (!d->name || !d->name[0]) {
		set_error(ret_error, "plugin %s: descriptor has no name", path);
		r = -EINVAL;
		goto fail;
	}
	if (!d->init) {
		set_error(ret_error, "plugin %s (%s): descriptor has no init function",
		          path, d->name);
		r = -EINVAL;
		goto fail;
	}

	p = calloc(1, sizeof(*p));
	if (!p || !(p->path = strdup(path))) {
		set_error(ret_error, "plugin %s: out of memory", path);
		r = -ENOMEM;
		goto fail;
	}

	if (binder) {
		char *why = NULL;
		r = binder->bind(binder->arg, d->name, &host_ctx, &why);
		if (r != 0) {
			set_error(ret_error, "plugin %s (%s): %s", path, d->name,
			          why ? why : strerror(-r));
			free(why);
			goto fail;
		}
	}
	r = d->init(host, host_ctx, &state);
	if (r != 0) {
		if (binder && binder->unbind)
			binder->unbind(binder->arg, host_ctx);
		if (r > 0)
			r = -r;
		set_error(ret_error, "plugin %s (%s): init failed: %s", path, d->name,
		          strerror(-r));
		goto fail;
	}

	p->handle = handle;
	p->desc = d;
	p->state = state;
	*ret = p;
	return 0;

fail:
	if (p)
		free(p->path);
	free(p);
	dlclose(handle);
	return r;
}

int gj_plugin_load(const char *path, const struct gj_host_api *host,
                   void *host_ctx, struct gj_plugin **ret, char **ret_error)
{
	return load_one(path, host, host_ctx, NULL, ret, ret_error);
}

int gj_plugin_load_bound(const char *path, const struct gj_host_api *host,
                         const struct gj_plugin_binder *binder,
                         struct gj_plugin **ret, char **ret_error)
{
	return load_one(path, host, NULL, binder, ret, ret_error);
}

void gj_plugin_unload(struct gj_plugin *p)
{
	if (!p)
		return;
	if (p->desc->fini)
		p->desc->fini(p->state);
	dlclose(p->handle);
	free(p->path);
	free(p);
}

const char *gj_plugin_name(const struct gj_plugin *p)
{
	return p->desc->name;
}

const char *gj_plugin_path(const struct gj_plugin *p)
{
	return p->path;
}

const struct gj_plugin_descriptor *gj_plugin_descriptor_of(const struct gj_plugin *p)
{
	return p->desc;
}

void *gj_plugin_state(const struct gj_plugin *p)
{
	return p->state;
}

static int is_so(const struct dirent *e)
{
	size_t n = strlen(e->d_name);

	return e->d_name[0] != '.' && n > 3 && strcmp(e->d_name + n - 3, ".so") == 0;
}

/* Append a line to a malloc'ed text. */
static int append_line(char **text, size_t *len, const char *line)
{
	size_t l = strlen(line);
	char *t = realloc(*text, *len + l + 2);

	if (!t)
		return -ENOMEM;
	memcpy(t + *len, line, l);
	t[*len + l] = '\n';
	t[*len + l + 1] = '\0';
	*text = t;
	*len += l + 1;
	return 0;
}

static int load_dir(const char *dir, const struct gj_host_api *host,
                    void *host_ctx, const struct gj_plugin_binder *binder,
                    struct gj_plugins **ret, char **ret_errors)
{
	struct dirent **names = NULL;
	struct gj_plugins *ps;
	char *errors = NULL;
	size_t errlen = 0;
	int n, i, r = 0;

	ps = calloc(1, sizeof(*ps));
	if (!ps) {
		set_error(ret_errors, "plugin directory %s: out of memory", dir);
		return -ENOMEM;
	}
	n = scandir(dir, &names, is_so, alphasort);
	if (n < 0) {
		r = -errno;
		set_error(ret_errors, "plugin directory %s: %s", dir, strerror(-r));
		free(ps);
		return r;
	}
	if (n > 0) {
		ps->v = calloc((size_t)n, sizeof(*ps->v));
		if (!ps->v) {
			r = -ENOMEM;
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		struct gj_plugin *p;
		char *path, *msg = NULL;

		if (asprintf(&path, "%s/%s", dir, names[i]->d_name) < 0) {
			r = -ENOMEM;
			goto out;
		}
		if (load_one(path, host, host_ctx, binder, &p, &msg) == 0) {
			ps->v[ps->n++] = p;
		} else if (append_line(&errors, &errlen,
		                       msg ? msg : "plugin: out of memory") < 0) {
			r = -ENOMEM;
		}
		free(msg);
		free(path);
		if (r < 0)
			goto out;
	}

out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (r < 0) {
		gj_plugins_unload(ps);
		free(errors);
		set_error(ret_errors, "plugin directory %s: %s", dir, strerror(-r));
		return r;
	}
	*ret = ps;
	if (ret_errors)
		*ret_errors = errors;
	else
		free(errors);
	return 0;
}

int gj_plugins_load_dir(const char *dir, const struct gj_host_api *host,
                        void *host_ctx, struct gj_plugins **ret,
                        char **ret_errors)
{
	return load_dir(dir, host, host_ctx, NULL, ret, ret_errors);
}

int gj_plugins_load_dir_bound(const char *dir, const struct gj_host_api *host,
                              const struct gj_plugin_binder *binder,
                              struct gj_plugins **ret, char **ret_errors)
{
	return load_dir(dir, host, NULL, binder, ret, ret_errors);
}

size_t gj_plugins_count(const struct gj_plugins *ps)
{
	return ps->n;
}

struct gj_plugin *gj_plugins_get(const struct gj_plugins *ps, size_t i)
{
	return i < ps->n ? ps->v[i] : NULL;
}

void gj_plugins_unload(struct gj_plugins *ps)
{
	if (!ps)
		return;
	/* Reverse order: a plugin loaded later may rely on an earlier one. */
	while (ps->n > 0)
		gj_plugin_unload(ps->v[--ps->n]);
	free(ps->v);
	free(ps);
}
