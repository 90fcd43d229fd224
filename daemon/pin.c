/*
 * pin.c - keep every served workflow version in the store (meta keys
 * "wf:<id>@<version>" -> the YAML text).
 */
#include "pin.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "wf:"

struct restore_ctx {
	struct gj_workflows *set;
	char **ret_error;
	int restored;
};

static int restore_one(const char *name, size_t name_len, const void *v, size_t len, void *vctx)
{
	struct restore_ctx *ctx = vctx;
	char key[160], *at, *err = NULL;
	struct gj_workflow *wf;
	unsigned long version;
	int r;

	if (name_len >= sizeof(key) || name_len <= strlen(PREFIX))
		return 0;
	memcpy(key, name, name_len);
	key[name_len] = 0;
	at = strrchr(key, '@');
	if (!at)
		return 0;
	*at = 0;
	version = strtoul(at + 1, NULL, 10);
	if (gj_workflows_find(ctx->set, key + strlen(PREFIX), (uint32_t)version))
		return 0; /* still in the configuration */
	*at = '@';
	r = gj_workflow_load_buffer(key, v, len, &wf, &err);
	if (r) {
		if (ctx->ret_error && asprintf(ctx->ret_error,
					       "stored workflow %s cannot be loaded any more: %s",
					       key + strlen(PREFIX), err ? err : strerror(-r)) < 0)
			*ctx->ret_error = NULL;
		free(err);
		return r;
	}
	wf->retired = true;
	r = gj_workflows_add(ctx->set, wf, &err);
	if (r) {
		if (ctx->ret_error)
			*ctx->ret_error = err;
		else
			free(err);
		return r;
	}
	ctx->restored++;
	return 0;
}

int gj_pin_workflows(struct gj_store *st, struct gj_workflows *set, char **ret_error)
{
	struct restore_ctx ctx = { set, ret_error, 0 };
	struct gj_txn t;
	size_t n = gj_workflows_count(set);
	int rc;

	rc = gj_txn_begin(st, true, &t);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++) {
		const struct gj_workflow *wf = gj_workflows_at(set, i);
		char key[160];
		void *old;
		size_t old_len;

		snprintf(key, sizeof(key), PREFIX "%s@%u", wf->id, wf->version);
		rc = gj_store_meta_get(&t, key, &old, &old_len);
		if (rc == -ENOENT) {
			rc = gj_store_meta_put(&t, key, wf->source_text, wf->source_len);
			if (rc)
				goto fail;
			continue;
		}
		if (rc)
			goto fail;
		bool same = old_len == wf->source_len && memcmp(old, wf->source_text, old_len) == 0;
		free(old);
		if (!same) {
			if (ret_error &&
			    asprintf(ret_error,
				     "%s: workflow '%s' version %u was changed since this data directory "
				     "stored it; give the changed workflow a new version number (tickets "
				     "keep the version they were opened under)",
				     wf->source_name, wf->id, wf->version) < 0)
				*ret_error = NULL;
			rc = -EEXIST;
			goto fail;
		}
	}
	rc = gj_store_meta_scan(&t, PREFIX, restore_one, &ctx);
	if (rc)
		goto fail;
	return gj_txn_commit(&t);
fail:
	gj_txn_abort(&t);
	return rc;
}
