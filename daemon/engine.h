/*
 * engine.h - the ticket engine: applies commands and fires deadlines inside
 * one LMDB write transaction per loop turn (group commit).
 *
 * Use:  gj_engine_batch_begin(); gj_engine_submit() for each request and/or
 * gj_engine_run_due(); gj_engine_batch_commit(); then hand out the replies
 * (gj_engine_replies) and publish the journal records (gj_engine_outbox);
 * gj_engine_batch_clear() before the next turn.  Nothing is replied to or
 * published before the commit that made it durable.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "calendar.h"
#include "store.h"
#include "workflow.h"

struct gj_engine;

struct gj_engine_config {
	const char *default_estate;     /**< estate of tickets opened without one */
	bool manual_clock;              /**< time moves only on AdvanceClock */
	int64_t manual_start_ms;        /**< where the manual clock starts */
	int64_t request_retention_ms;   /**< how long request ids are remembered */
	const char *command_url;        /**< for Status */
	const char *event_url;
	const char *data_dir;
	const struct gj_calendar *calendar; /**< counts working-day targets */
};

/** A reply ready to send, with the tag given to gj_engine_submit. */
struct gj_engine_reply {
	void *tag;
	uint8_t *buf;
	size_t len;
};

/** A journal record ready to publish: topic NUL packed record. */
struct gj_engine_record {
	uint64_t seq;
	uint8_t *msg;                   /**< topic, NUL, packed Record */
	size_t len;
};

int gj_engine_create(struct gj_store *store, const struct gj_workflows *wfs,
		     const struct gj_engine_config *cfg, struct gj_engine **ret);
void gj_engine_destroy(struct gj_engine *eng);

/** Milliseconds since the epoch on the engine's clock (real or manual). */
int64_t gj_engine_now(const struct gj_engine *eng);

/** Open the batch's write transaction (and read the real clock). */
int gj_engine_batch_begin(struct gj_engine *eng);

/**
 * Apply one raw request inside the batch.  Always produces exactly one
 * reply (refusals included), queued under `tag`.
 * @return 0, or a negative errno when the batch itself failed (storage).
 */
int gj_engine_submit(struct gj_engine *eng, const void *msg, size_t len, void *tag);

/**
 * Fire at most `max` deadlines due at or before now.
 * @param ret_more set when more are due
 */
int gj_engine_run_due(struct gj_engine *eng, size_t max, bool *ret_more);

/**
 * Commit the batch.  On failure every reply of a state-changing command is
 * replaced by a refusal saying nothing was saved, and the outbox is emptied.
 * @return 0 or the storage error (-ENOSPC when the map is full).
 */
int gj_engine_batch_commit(struct gj_engine *eng);

/** The replies of the committed batch, in submission order. */
size_t gj_engine_replies(struct gj_engine *eng, struct gj_engine_reply **ret);
/** The records of the committed batch, in sequence order. */
size_t gj_engine_outbox(struct gj_engine *eng, struct gj_engine_record **ret);
void gj_engine_batch_clear(struct gj_engine *eng);

/** The earliest deadline in the due index, or INT64_MAX when none. */
int64_t gj_engine_next_due(struct gj_engine *eng);

/** Packs a refusal (request_id may be NULL when it is not known). */
int gj_engine_refusal(int code, const char *message, const char *request_id,
		      uint8_t **ret_buf, size_t *ret_len);

/** A storage error spoilt this batch (0: none); it will not commit. */
int gj_engine_batch_failed(const struct gj_engine *eng);

/** Throw the batch away (transaction, replies, records, clock moves) so
 * that the same requests can be submitted again in a fresh batch. */
void gj_engine_batch_abort(struct gj_engine *eng);

/** Did a write of the last batch find the map full?  Grow it before the next. */
bool gj_engine_map_full(const struct gj_engine *eng);
