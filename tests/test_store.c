/*
 * test_store.c - unit tests of the LMDB store on a real environment in a
 * temporary directory: tickets, history, the due index order, the journal,
 * request ids and their expiry, nested transactions.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

static char dir[64];
static struct gj_store *st;

static void setup(void)
{
	strcpy(dir, "/tmp/gj-store-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(gj_store_open(dir, 0, &st), 0);
}

static void teardown(void)
{
	char cmd[128];

	gj_store_close(st);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void reopen(void)
{
	gj_store_close(st);
	ck_assert_int_eq(gj_store_open(dir, 0, &st), 0);
}

START_TEST(ticket_roundtrip_survives_reopen)
{
	struct gj_txn t;
	Guanjia__Ticket tk = GUANJIA__TICKET__INIT, *got;
	uint64_t id;

	ck_assert_int_eq(gj_txn_begin(st, true, &t), 0);
	ck_assert_int_eq(gj_store_ticket_next_id(&t, &id), 0);
	ck_assert_uint_eq(id, 1);
	tk.id = id;
	tk.workflow = "r17_repair";
	tk.state = "reported";
	tk.estate = "main";
	ck_assert_int_eq(gj_store_ticket_put(&t, &tk), 0);
	ck_assert_int_eq(gj_txn_commit(&t), 0);
	reopen();
	ck_assert_int_eq(gj_txn_begin(st, false, &t), 0);
	ck_assert_int_eq(gj_store_ticket_get(&t, 1, &got), 0);
	ck_assert_str_eq(got->workflow, "r17_repair");
	ck_assert_str_eq(got->state, "reported");
	protobuf_c_message_free_unpacked(&got->base, NULL);
	ck_assert_int_eq(gj_store_ticket_get(&t, 2, &got), -ENOENT);
	ck_assert_int_eq(gj_store_ticket_next_id(&t, &id), 0);
	ck_assert_uint_eq(id, 2);
	gj_txn_abort(&t);
}
END_TEST

START_TEST(aborted_nested_txn_leaves_nothing)
{
	struct gj_txn t, child;
	Guanjia__Ticket tk = GUANJIA__TICKET__INIT, *got;

	ck_assert_int_eq(gj_txn_begin(st, true, &t), 0);
	tk.id = 1;
	tk.state = "a";
	ck_assert_int_eq(gj_store_ticket_put(&t, &tk), 0);
	ck_assert_int_eq(gj_txn_begin_nested(&t, &child), 0);
	tk.id = 2;
	ck_assert_int_eq(gj_store_ticket_put(&child, &tk), 0);
	gj_txn_abort(&child);
	ck_assert_int_eq(gj_txn_commit(&t), 0);
	ck_assert_int_eq(gj_txn_begin(st, false, &t), 0);
	ck_assert_int_eq(gj_store_ticket_get(&t, 1, &got), 0);
	protobuf_c_message_free_unpacked(&got->base, NULL);
	ck_assert_int_eq(gj_store_ticket_get(&t, 2, &got), -ENOENT);
	gj_txn_abort(&t);
}
END_TEST

START_TEST(history_is_per_ticket_and_ordered)
{
	struct gj_txn t;
	Guanjia__HistoryEntry e = GUANJIA__HISTORY_ENTRY__INIT, **h;
	size_t n;
	char note[32];

	ck_assert_int_eq(gj_txn_begin(st, true, &t), 0);
	for (uint32_t i = 0; i < 300; i++) {
		snprintf(note, sizeof(note), "n%u", i);
		e.seq = i;
		e.note = note;
		ck_assert_int_eq(gj_store_history_put(&t, 7, &e), 0);
		ck_assert_int_eq(gj_store_history_put(&t, 8, &e), 0);
	}
	ck_assert_int_eq(gj_txn_commit(&t), 0);
	ck_assert_int_eq(gj_txn_begin(st, false, &t), 0);
	ck_assert_int_eq(gj_store_history_list(&t, 7, &h, &n), 0);
	ck_assert_uint_eq(n, 300);
	for (size_t i = 0; i < n; i++) {
		snprintf(note, sizeof(note), "n%zu", i);
		ck_assert_str_eq(h[i]->note, note);
		protobuf_c_message_free_unpacked(&h[i]->base, NULL);
	}
	free(h);
	ck_assert_int_eq(gj_store_history_list(&t, 9, &h, &n), 0);
	ck_assert_uint_eq(n, 0);
	free(h);
	gj_txn_abort(&t);
}
END_TEST

START_TEST(due_index_orders_by_time_even_before_1970)
{
	struct gj_txn t;
	struct gj_due d, first;
	int64_t times[] = { 5000, -3000, 1700000000000LL, 0, 4999 };
	uint64_t count;

	ck_assert_int_eq(gj_txn_begin(st, true, &t), 0);
	for (size_t i = 0; i < 5; i++) {
		d = (struct gj_due){ times[i], 100 - i, (uint8_t)i, GJ_DUE_BREACH };
		ck_assert_int_eq(gj_store_due_put(&t, &d), 0);
	}
	ck_assert_int_eq(gj_store_due_count(&t, &count), 0);
	ck_assert_uint_eq(count, 5);
	int64_t expect[] = { -3000, 0, 4999, 5000, 1700000000000LL };
	for (size_t i = 0; i < 5; i++) {
		ck_assert_int_eq(gj_store_due_first(&t, &first), 0);
		ck_assert_int_eq(first.at, expect[i]);
		ck_assert_int_eq(first.kind, GJ_DUE_BREACH);
		ck_assert_int_eq(gj_store_due_del(&t, &first), 0);
	}
	ck_assert_int_eq(gj_store_due_first(&t, &first), -ENOENT);
	ck_assert_int_eq(gj_store_due_del(&t, &first), -ENOENT);
	ck_assert_int_eq(gj_txn_commit(&t), 0);
}
END_TEST

static int count_cb(uint64_t seq, const uint8_t *buf, size_t len, void *ctx)
{
	uint64_t *expect = ctx;
	Guanjia__Record *r = guanjia__record__unpack(NULL, len, buf);

	ck_assert_ptr_nonnull(r);
	ck_assert_uint_eq(seq, *expect);
	ck_assert_uint_eq(r->seq, seq);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	(*expect)++;
	return 0;
}

START_TEST(journal_appends_in_sequence_and_refuses_going_back)
{
	struct gj_txn t;
	Guanjia__Record rec = GUANJIA__RECORD__INIT;
	uint8_t *buf;
	size_t len;
	uint64_t last, next = 3;

	ck_assert_int_eq(gj_txn_begin(st, true, &t), 0);
	ck_assert_int_eq(gj_store_journal_last(&t, &last), 0);
	ck_assert_uint_eq(last, 0);
	rec.topic = "alert.main.r17_repair.dispatch";
	for (uint64_t s = 1; s <= 10; s++) {
		rec.seq = s;
		ck_assert_int_eq(gj_store_journal_put(&t, &rec, &buf, &len), 0);
		free(buf);
	}
	rec.seq = 5;
	ck_assert_int_eq(gj_store_journal_put(&t, &rec, &buf, &len), -EEXIST);
	ck_assert_int_eq(gj_store_journal_last(&t, &last), 0);
	ck_assert_uint_eq(last, 10);
	ck_assert_int_eq(gj_store_journal_scan(&t, 3, count_cb, &next), 0);
	ck_assert_uint_eq(next, 11);
	ck_assert_int_eq(gj_txn_commit(&t), 0);
}
END_TEST

START_TEST(request_ids_are_remembered_then_expire)
{
	struct gj_txn t;
	uint8_t *buf;
	size_t len, n;

	ck_assert_int_eq(gj_txn_begin(st, true, &t), 0);
	ck_assert_int_eq(gj_store_request_put(&t, "old", 1000, (const uint8_t *)"abc", 3), 0);
	ck_assert_int_eq(gj_store_request_put(&t, "new", 5000, (const uint8_t *)"xyz", 3), 0);
	ck_assert_int_eq(gj_store_request_get(&t, "old", &buf, &len), 0);
	ck_assert_uint_eq(len, 3);
	ck_assert_int_eq(memcmp(buf, "abc", 3), 0);
	free(buf);
	ck_assert_int_eq(gj_store_request_expire(&t, 2000, 100, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(gj_store_request_get(&t, "old", &buf, &len), -ENOENT);
	ck_assert_int_eq(gj_store_request_get(&t, "new", &buf, &len), 0);
	free(buf);
	ck_assert_int_eq(gj_txn_commit(&t), 0);
}
END_TEST

START_TEST(full_map_is_reported_and_grows)
{
	struct gj_txn t;
	Guanjia__HistoryEntry e = GUANJIA__HISTORY_ENTRY__INIT;
	char note[4000];
	int rc = 0;
	uint32_t i;

	gj_store_close(st);
	ck_assert_int_eq(gj_store_open(dir, 1 << 20, &st), 0); /* 1 MiB */
	memset(note, 'x', sizeof(note) - 1);
	note[sizeof(note) - 1] = 0;
	e.note = note;
	ck_assert_int_eq(gj_txn_begin(st, true, &t), 0);
	for (i = 0; i < 10000 && rc == 0; i++) {
		e.seq = i;
		rc = gj_store_history_put(&t, 1, &e);
	}
	ck_assert_int_eq(rc, -ENOSPC);
	gj_txn_abort(&t);
	ck_assert_int_eq(gj_store_grow(st), 0);
	ck_assert_uint_eq(gj_store_map_size(st), 2 << 20);
	ck_assert_int_eq(gj_txn_begin(st, true, &t), 0);
	e.seq = 0;
	ck_assert_int_eq(gj_store_history_put(&t, 1, &e), 0);
	ck_assert_int_eq(gj_txn_commit(&t), 0);
}
END_TEST


START_TEST(meta_values)
{
	struct gj_txn t;
	uint64_t v;

	ck_assert_int_eq(gj_txn_begin(st, true, &t), 0);
	ck_assert_int_eq(gj_store_meta_get_u64(&t, "nothing", &v), -ENOENT);
	ck_assert_int_eq(gj_store_meta_put_u64(&t, "open_tickets", 42), 0);
	ck_assert_int_eq(gj_store_meta_get_u64(&t, "open_tickets", &v), 0);
	ck_assert_uint_eq(v, 42);
	ck_assert_int_eq(gj_store_meta_get_u64(&t, "schema", &v), 0);
	ck_assert_uint_eq(v, 1);
	ck_assert_int_eq(gj_txn_commit(&t), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("store");
	TCase *tc = tcase_create("store");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ticket_roundtrip_survives_reopen);
	tcase_add_test(tc, aborted_nested_txn_leaves_nothing);
	tcase_add_test(tc, history_is_per_ticket_and_ordered);
	tcase_add_test(tc, due_index_orders_by_time_even_before_1970);
	tcase_add_test(tc, journal_appends_in_sequence_and_refuses_going_back);
	tcase_add_test(tc, request_ids_are_remembered_then_expire);
	tcase_add_test(tc, full_map_is_reported_and_grows);
	tcase_add_test(tc, meta_values);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
