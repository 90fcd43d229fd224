/*
 * gj_print.h - how gj shows what the daemon answered: text for people,
 * one JSON document per line for programs.
 */
#pragma once

#include <stdint.h>
#include <stdio.h>

#include "guanjia.h"
#include "json.h"

/** `gj show`: the whole ticket, with time left measured at `now`. */
void gj_print_ticket(FILE *f, const Guanjia__Ticket *t, int64_t now);

/** `gj status`. */
void gj_print_status(FILE *f, const Guanjia__Status *st);

/**
 * `gj watch` and `gj replay`: the record's line (gj_record_line()); a notice
 * is followed by its text, each line indented by four spaces.
 * @return 0 or -ENOMEM
 */
int gj_print_record(FILE *f, const Guanjia__Record *r);

/** `gj explain`: the explanation's lines, as the daemon wrote them. */
void gj_print_explanation(FILE *f, const Guanjia__Explanation *ex);

/**
 * `gj recompute`: how many deadlines of how many tickets would move (or
 * moved), and those tickets' ids, e.g. "3 deadlines of 2 tickets would
 * move: 12, 15; run again with --apply to move them".
 */
void gj_print_recompute(FILE *f, const Guanjia__RecomputeResult *res);

/**
 * One protobuf message as one line of JSON.
 * @return 0, or the error of gj_json_finish() / -EIO
 */
int gj_print_json_message(FILE *f, struct gj_json *j, const ProtobufCMessage *m);

/**
 * Print the document in j as one line and reset j.
 * @return 0, or the error of gj_json_finish() / -EIO
 */
int gj_print_json(FILE *f, struct gj_json *j);
