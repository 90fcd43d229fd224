/*
 * nosym.c - a test-only shared object (test_abi_nosym.so) that loads fine but
 * exports no gj_plugin_descriptor: the host must refuse it.
 */
#include "gj_plugin.h"

GJ_PLUGIN_EXPORT int gj_test_not_a_plugin = 1;
