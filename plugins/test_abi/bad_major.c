/*
 * bad_major.c - test-only plugins with a descriptor the host must refuse
 * before calling anything: built as test_abi_bad_major (ABI 2.0, the
 * default), test_abi_new_minor (-DTEST_MINOR=<host minor + 1>) and
 * test_abi_noname (-DTEST_NONAME). init aborts: reaching it is a bug.
 */
#include <stdlib.h>

#include "gj_plugin.h"

#ifndef TEST_MAJOR
#define TEST_MAJOR 2
#endif
#ifndef TEST_MINOR
#define TEST_MINOR 0
#endif

static int init(const struct gj_host_api *host, void *ctx, void **ret_state)
{
	abort();
}

GJ_PLUGIN_EXPORT const struct gj_plugin_descriptor gj_plugin_descriptor = {
	.abi_major = TEST_MAJOR,
	.abi_minor = TEST_MINOR,
#ifdef TEST_NONAME
	.name = NULL,
#else
	.name = "test_abi_bad",
#endif
	.init = init,
};
