/*
 * test_plugin.c - unit tests of the plugin loader against test-only modules
 * (plugins/test_abi): a good plugin calls every host function through the
 * table; the loader refuses a wrong major, a newer minor, a missing name or
 * symbol, a failing init, and paths that are not regular files; loading a
 * directory keeps the good plugins and reports the others, one line each.
 */
#include <check.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plugin.h"

/* What the fake host saw. */
struct fake {
	int get_ticket_field, raise_alert, fire_event, open_ticket;
	int append_history, arm_clock, cancel_clock, config_get, log;
	const char *fail_init;
	size_t alert_roles;
	char last_log[128];
};

static int fake_get_ticket_field(void *ctx, uint64_t id, const char *field,
                                 char *buf, size_t len)
{
	struct fake *f = ctx;

	f->get_ticket_field++;
	if (id != 7 || strcmp(field, "estate") != 0)
		return -ENOENT;
	if (len < sizeof("lanting"))
		return -ENOSPC;
	strcpy(buf, "lanting");
	return 0;
}

static int fake_raise_alert(void *ctx, uint64_t id, const char *clock,
                            uint32_t level, const char *const roles[], size_t n,
                            const char *message)
{
	struct fake *f = ctx;

	f->raise_alert++;
	f->alert_roles = n;
	return id == 7 && strcmp(clock, "respond") == 0 && level == 1 &&
	       n == 2 && strcmp(roles[1], "manager") == 0 ? 0 : -EINVAL;
}

static int fake_fire_event(void *ctx, uint64_t id, const char *event,
                           const char *person, const char *role)
{
	struct fake *f = ctx;

	f->fire_event++;
	return strcmp(event, "escalate") == 0 ? 0 : -EINVAL;
}

static int fake_open_ticket(void *ctx, const char *workflow, const char *estate,
                            const struct gj_plugin_kv kv[], size_t n,
                            uint64_t *ret_id)
{
	struct fake *f = ctx;

	f->open_ticket++;
	if (n != 2 || strcmp(kv[0].key, "room") != 0)
		return -EINVAL;
	*ret_id = 99;
	return 0;
}

static int fake_append_history(void *ctx, uint64_t id, const char *note)
{
	struct fake *f = ctx;

	f->append_history++;
	return 0;
}

static int fake_arm_clock(void *ctx, uint64_t id, const char *clock, int64_t at_ms)
{
	struct fake *f = ctx;

	f->arm_clock++;
	return at_ms == INT64_C(1700000000000) ? 0 : -EINVAL;
}

static int fake_cancel_clock(void *ctx, uint64_t id, const char *clock)
{
	struct fake *f = ctx;

	f->cancel_clock++;
	return 0;
}

static const char *fake_config_get(void *ctx, const char *key)
{
	struct fake *f = ctx;

	f->config_get++;
	if (strcmp(key, "fail_init") == 0)
		return f->fail_init ? f->fail_init : "no";
	return NULL;
}

static void fake_log(void *ctx, int level, const char *fmt, ...)
{
	struct fake *f = ctx;
	va_list ap;

	f->log++;
	va_start(ap, fmt);
	vsnprintf(f->last_log, sizeof(f->last_log), fmt, ap);
	va_end(ap);
}

static const struct gj_host_api host = {
	.abi_major = GJ_PLUGIN_ABI_MAJOR,
	.abi_minor = GJ_PLUGIN_ABI_MINOR,
	.get_ticket_field = fake_get_ticket_field,
	.raise_alert = fake_raise_alert,
	.fire_event = fake_fire_event,
	.open_ticket = fake_open_ticket,
	.append_history = fake_append_history,
	.arm_clock = fake_arm_clock,
	.cancel_clock = fake_cancel_clock,
	.config_get = fake_config_get,
	.log = fake_log,
};

static struct fake fake;
static char dir[64];

static void setup(void)
{
	memset(&fake, 0, sizeof(fake));
	strcpy(dir, "/tmp/gj-plugin-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Load a plugin that must be refused; return the message (caller frees). */
static char *refused(const char *path, int expect)
{
	struct gj_plugin *p = (struct gj_plugin *)&fake; /* sentinel */
	char *msg = NULL;

	ck_assert_int_eq(gj_plugin_load(path, &host, &fake, &p, &msg), expect);
	ck_assert_ptr_eq(p, (struct gj_plugin *)&fake); /* untouched */
	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(strstr(msg, path) != NULL, "message does not name the path: %s", msg);
	return msg;
}

START_TEST(ok_plugin_calls_every_host_function)
{
	struct gj_plugin *p = NULL;
	char *msg = NULL;
	void *h;
	int *results, *init_calls;
	uint64_t *opened;
	int i;

	ck_assert_int_eq(gj_plugin_load(GJ_TEST_PLUGIN_OK, &host, &fake, &p, &msg), 0);
	ck_assert_ptr_null(msg);
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(gj_plugin_name(p), "test_abi_ok");
	ck_assert_str_eq(gj_plugin_path(p), GJ_TEST_PLUGIN_OK);
	ck_assert_uint_eq(gj_plugin_descriptor_of(p)->abi_major, GJ_PLUGIN_ABI_MAJOR);
	ck_assert_ptr_nonnull(gj_plugin_descriptor_of(p)->on_alert);
	ck_assert_ptr_nonnull(gj_plugin_state(p));

	ck_assert_int_eq(fake.get_ticket_field, 1);
	ck_assert_int_eq(fake.raise_alert, 1);
	ck_assert_uint_eq(fake.alert_roles, 2);
	ck_assert_int_eq(fake.fire_event, 1);
	ck_assert_int_eq(fake.open_ticket, 1);
	ck_assert_int_eq(fake.append_history, 1);
	ck_assert_int_eq(fake.arm_clock, 1);
	ck_assert_int_eq(fake.cancel_clock, 1);
	ck_assert_int_eq(fake.config_get, 1);
	ck_assert_int_eq(fake.log, 1);
	ck_assert_str_eq(fake.last_log, "init 42");

	/* What the plugin itself recorded, read through its own symbols. */
	h = dlopen(GJ_TEST_PLUGIN_OK, RTLD_NOW | RTLD_NOLOAD);
	ck_assert_ptr_nonnull(h);
	results = dlsym(h, "gj_test_abi_results");
	init_calls = dlsym(h, "gj_test_abi_init_calls");
	opened = dlsym(h, "gj_test_abi_opened_id");
	ck_assert_ptr_nonnull(results);
	ck_assert_ptr_nonnull(init_calls);
	ck_assert_ptr_nonnull(opened);
	ck_assert_int_eq(*init_calls, 1);
	for (i = 0; i < 9; i++)
		ck_assert_int_eq(results[i], 0);
	ck_assert_uint_eq(*opened, 99);
	dlclose(h);

	gj_plugin_unload(p);
	ck_assert_int_eq(fake.log, 2);
	ck_assert_str_eq(fake.last_log, "fini");
}
END_TEST

START_TEST(failing_init_is_refused)
{
	char *msg;

	fake.fail_init = "yes";
	msg = refused(GJ_TEST_PLUGIN_OK, -ECANCELED);
	ck_assert_msg(strstr(msg, "init failed") != NULL, "%s", msg);
	free(msg);
	ck_assert_int_eq(fake.raise_alert, 0);
}
END_TEST

START_TEST(bad_major_is_refused_naming_both_versions)
{
	char *msg = refused(GJ_TEST_PLUGIN_BAD_MAJOR, -EPROTO);

	ck_assert_msg(strstr(msg, "built for ABI 2.0") != NULL, "%s", msg);
	char want[64];

	snprintf(want, sizeof(want), "this daemon speaks %d.%d", GJ_PLUGIN_ABI_MAJOR,
		 GJ_PLUGIN_ABI_MINOR);
	ck_assert_msg(strstr(msg, want) != NULL, "%s", msg);
	ck_assert_msg(strstr(msg, "rebuild it against gj_plugin.h") != NULL, "%s", msg);
	free(msg);
}
END_TEST

START_TEST(newer_minor_is_refused)
{
	char *msg = refused(GJ_TEST_PLUGIN_NEW_MINOR, -EPROTO);
	char want[32];

	snprintf(want, sizeof(want), "ABI %d.%d", GJ_PLUGIN_ABI_MAJOR, GJ_PLUGIN_ABI_MINOR + 1);
	ck_assert_msg(strstr(msg, want) != NULL, "%s", msg);
	free(msg);
}
END_TEST

START_TEST(missing_name_is_refused)
{
	char *msg = refused(GJ_TEST_PLUGIN_NONAME, -EINVAL);

	ck_assert_msg(strstr(msg, "no name") != NULL, "%s", msg);
	free(msg);
}
END_TEST

START_TEST(missing_symbol_is_refused)
{
	char *msg = refused(GJ_TEST_PLUGIN_NOSYM, -ENOENT);

	ck_assert_msg(strstr(msg, "gj_plugin_descriptor") != NULL, "%s", msg);
	free(msg);
}
END_TEST

START_TEST(non_regular_files_are_refused)
{
	char path[128];
	char *msg;

	msg = refused(dir, -EINVAL);
	ck_assert_msg(strstr(msg, "not a regular file") != NULL, "%s", msg);
	free(msg);

	snprintf(path, sizeof(path), "%s/dir.so", dir);
	ck_assert_int_eq(symlink("/tmp", path), 0);
	msg = refused(path, -EINVAL);
	ck_assert_msg(strstr(msg, "not a regular file") != NULL, "%s", msg);
	free(msg);

	snprintf(path, sizeof(path), "%s/fifo.so", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	msg = refused(path, -EINVAL);
	ck_assert_msg(strstr(msg, "not a regular file") != NULL, "%s", msg);
	free(msg);
}
END_TEST

START_TEST(nonexistent_and_garbage_are_refused)
{
	char path[128];
	char *msg;
	FILE *f;

	snprintf(path, sizeof(path), "%s/missing.so", dir);
	msg = refused(path, -ENOENT);
	ck_assert_msg(strstr(msg, "No such file") != NULL, "%s", msg);
	free(msg);

	snprintf(path, sizeof(path), "%s/garbage.so", dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("not an ELF file\n", f);
	fclose(f);
	msg = refused(path, -ENOEXEC);
	ck_assert_msg(strstr(msg, "cannot load") != NULL, "%s", msg);
	free(msg);
}
END_TEST

START_TEST(load_dir_keeps_good_and_reports_bad)
{
	struct gj_plugins *ps = NULL;
	char path[128];
	char *errors = NULL, *nl;

	snprintf(path, sizeof(path), "%s/a_ok.so", dir);
	ck_assert_int_eq(symlink(GJ_TEST_PLUGIN_OK, path), 0);
	snprintf(path, sizeof(path), "%s/b_bad.so", dir);
	ck_assert_int_eq(symlink(GJ_TEST_PLUGIN_BAD_MAJOR, path), 0);
	snprintf(path, sizeof(path), "%s/README.txt", dir);
	ck_assert_int_eq(symlink(GJ_TEST_PLUGIN_BAD_MAJOR, path), 0); /* not *.so */

	ck_assert_int_eq(gj_plugins_load_dir(dir, &host, &fake, &ps, &errors), 0);
	ck_assert_ptr_nonnull(ps);
	ck_assert_uint_eq(gj_plugins_count(ps), 1);
	ck_assert_str_eq(gj_plugin_name(gj_plugins_get(ps, 0)), "test_abi_ok");
	ck_assert_ptr_null(gj_plugins_get(ps, 1));
	ck_assert_int_eq(fake.raise_alert, 1);

	ck_assert_ptr_nonnull(errors);
	nl = strchr(errors, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_str_eq(nl + 1, ""); /* exactly one line */
	ck_assert_msg(strstr(errors, "b_bad.so") != NULL, "%s", errors);
	ck_assert_msg(strstr(errors, "ABI 2.0") != NULL, "%s", errors);
	free(errors);

	gj_plugins_unload(ps);
	ck_assert_str_eq(fake.last_log, "fini");
}
END_TEST

START_TEST(load_dir_of_clean_and_missing_dirs)
{
	struct gj_plugins *ps = NULL;
	char path[128];
	char *errors = NULL;

	ck_assert_int_eq(gj_plugins_load_dir(dir, &host, &fake, &ps, &errors), 0);
	ck_assert_uint_eq(gj_plugins_count(ps), 0);
	ck_assert_ptr_null(errors);
	gj_plugins_unload(ps);

	ps = NULL;
	snprintf(path, sizeof(path), "%s/nope", dir);
	ck_assert_int_eq(gj_plugins_load_dir(path, &host, &fake, &ps, &errors), -ENOENT);
	ck_assert_ptr_null(ps);
	ck_assert_ptr_nonnull(errors);
	ck_assert_msg(strstr(errors, path) != NULL, "%s", errors);
	free(errors);
}
END_TEST

START_TEST(destroy_accepts_null)
{
	gj_plugin_unload(NULL);
	gj_plugins_unload(NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("plugin");
	TCase *tc = tcase_create("plugin");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, ok_plugin_calls_every_host_function);
	tcase_add_test(tc, failing_init_is_refused);
	tcase_add_test(tc, bad_major_is_refused_naming_both_versions);
	tcase_add_test(tc, newer_minor_is_refused);
	tcase_add_test(tc, missing_name_is_refused);
	tcase_add_test(tc, missing_symbol_is_refused);
	tcase_add_test(tc, non_regular_files_are_refused);
	tcase_add_test(tc, nonexistent_and_garbage_are_refused);
	tcase_add_test(tc, load_dir_keeps_good_and_reports_bad);
	tcase_add_test(tc, load_dir_of_clean_and_missing_dirs);
	tcase_add_test(tc, destroy_accepts_null);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
