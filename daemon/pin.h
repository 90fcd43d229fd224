/*
 * pin.h - workflow versions pinned in the store.  Every workflow version a
 * daemon served is kept in the data directory, so that a ticket keeps
 * running under the version it was opened with after the configuration
 * moved on, and a workflow changed without a new version number is caught.
 */
#pragma once

#include "store.h"
#include "workflow.h"

/**
 * Store each workflow of `set` not stored yet; refuse one whose stored text
 * differs under the same id and version; add every stored version that the
 * configuration no longer has to `set`, marked retired.
 * @param ret_error on -EEXIST or -EINVAL, a malloc'd message for a person
 */
int gj_pin_workflows(struct gj_store *st, struct gj_workflows *set, char **ret_error);
