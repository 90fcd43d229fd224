/*
 * private.h - helpers shared by the files of libguanjia, not exported to
 * its users.
 */
#pragma once

#include <stdint.h>

/** The current nanomsg error as a negative errno (the one translation). */
int gj_client_nn_error(void);

/** CLOCK_MONOTONIC in ms, for timeouts. */
int64_t gj_client_mono_ms(void);

/** CLOCK_REALTIME in ms since the epoch. */
int64_t gj_client_wall_ms(void);
