/*
 * main.c - guanjiad: options, the data directory and its lock, start-up.
 * Start-up errors are fatal and say what to do; once serving, nothing a
 * client sends stops the daemon.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus.h"
#include "calendar.h"
#include "engine.h"
#include "host.h"
#include "log.h"
#include "pin.h"
#include "server.h"
#include "site.h"
#include "store.h"
#include "wire.h"
#include "workflow.h"
#include "yamldoc.h"
#include "yamlload.h"

#define TRANSPORT_MAX_MSG (1024 * 1024)

static void usage(FILE *out)
{
	fprintf(out,
		"usage: guanjiad [OPTIONS]\n"
		"\n"
		"The guanjia daemon: service tickets as state machines, SLA clocks and\n"
		"escalation alerts for a property-management company.\n"
		"\n"
		"  --data DIR            data directory: LMDB files and ipc:// sockets\n"
		"                        (default $GUANJIA_DATA, else /var/lib/guanjia as\n"
		"                        root, else ~/.local/state/guanjia)\n"
		"  --listen URL          command socket (default ipc://DIR/" GJ_CMD_SOCKET ")\n"
		"  --publish URL         event socket (default ipc://DIR/" GJ_EVENT_SOCKET ")\n"
		"  --workflows DIR       load workflows from DIR instead of the embedded\n"
		"                        default configuration (etc/workflows/)\n"
		"  --estate ID           estate of tickets opened without one (default main)\n"
		"  --calendar ID|FILE    the default working-day calendar (for estates not\n"
		"                        listed): one of the calendars (cn, the Chinese\n"
		"                        national calendar, default) or a YAML file\n"
		"  --calendars DIR       load the calendars from DIR instead of the embedded\n"
		"                        ones (etc/calendars/)\n"
		"  --estates FILE        the estates served, each with its calendar and\n"
		"                        roster (default: the embedded etc/estates.yaml)\n"
		"  --rosters DIR         the duty rosters (default: the embedded\n"
		"                        etc/rosters/)\n"
		"  --manual-clock TIME   start the clock at TIME (ISO 8601, e.g.\n"
		"                        2026-10-09T10:00:00+08:00); it then moves only on\n"
		"                        'gj clock advance' (for tests and drills)\n"
		"  --plugins DIR         load the escalation plugins (*.so) of DIR; a\n"
		"                        refused one is logged and skipped\n"
		"  --plugin-config FILE  the plugins' settings (default: the embedded\n"
		"                        etc/plugins.yaml)\n"
		"  --batch N             requests applied per transaction at most (default 1024)\n"
		"  --map-size MIB        initial LMDB map size in MiB (default 1024; grows)\n"
		"  --check-config        load the configuration, report, and exit\n"
		"  --verbose             log every batch (debug)\n"
		"  --version             print the version and exit\n"
		"  --help                this text\n");
}

static int lock_data_dir(const char *dir)
{
	char *path = NULL;
	int fd;

	if (asprintf(&path, "%s/guanjiad.lock", dir) < 0)
		return -ENOMEM;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640);
	free(path);
	if (fd < 0)
		return -errno;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		close(fd);
		return e == EWOULDBLOCK ? -EBUSY : -e;
	}
	return fd; /* held until the process exits */
}

static int mkdir_p(const char *dir)
{
	char *tmp = strdup(dir);
	int rc = 0;

	if (!tmp)
		return -ENOMEM;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0750) < 0 && errno != EEXIST)
			rc = -errno;
		*p = '/';
	}
	if (!rc && mkdir(tmp, 0750) < 0 && errno != EEXIST)
		rc = -errno;
	free(tmp);
	return rc;
}

extern const struct gj_embedded_file gj_embedded_settings[];

/* The plugins' settings (a file, else the embedded etc/plugins.yaml), then
 * every plugin of dir.  A refused plugin is logged, and the daemon goes on
 * with the others; a broken settings file stops the start. */
static int load_plugins(struct gj_host *host, const char *dir, const char *cfg_file,
			size_t *ret_refused)
{
	char *err = NULL, *text = NULL;
	const char *name = "<embedded>/plugins.yaml";
	size_t len = 0;
	int rc = 0;

	if (cfg_file) {
		rc = gj_yload_read_file(cfg_file, GJ_YLOAD_REGULAR, &text, &len, &err);
		if (rc) {
			fprintf(stderr, "guanjiad: --plugin-config %s\n", err ? err : strerror(-rc));
			free(err);
			return rc;
		}
		name = cfg_file;
		rc = gj_host_set_plugin_config(host, name, text, len, &err);
		free(text);
	} else {
		const struct gj_embedded_file *f = gj_yload_embedded(gj_embedded_settings, "plugins.yaml");
		if (f)
			rc = gj_host_set_plugin_config(host, name, f->text, f->len, &err);
	}
	if (rc) {
		fprintf(stderr, "guanjiad: plugin configuration error: %s\n", err ? err : strerror(-rc));
		free(err);
		return rc;
	}
	if (!dir)
		return 0;
	rc = gj_host_load_plugins(host, dir, &err);
	if (err) {
		/* One line per refused plugin, each saying which and why. */
		for (char *line = strtok(err, "\n"); line; line = strtok(NULL, "\n")) {
			gj_log(GJ_LOG_ERROR, "%s; the daemon goes on without it", line);
			if (ret_refused)
				(*ret_refused)++;
		}
		free(err);
	}
	if (rc) {
		fprintf(stderr, "guanjiad: --plugins %s: cannot read the directory\n", dir);
		return rc;
	}
	for (size_t i = 0; i < gj_host_plugin_count(host); i++)
		gj_log(GJ_LOG_INFO, "plugin %s loaded", gj_host_plugin_name(host, i));
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "data", required_argument, NULL, 'd' },
		{ "listen", required_argument, NULL, 'l' },
		{ "publish", required_argument, NULL, 'p' },
		{ "workflows", required_argument, NULL, 'w' },
		{ "estate", required_argument, NULL, 'e' },
		{ "calendar", required_argument, NULL, 'C' },
		{ "calendars", required_argument, NULL, 'D' },
		{ "estates", required_argument, NULL, 'E' },
		{ "rosters", required_argument, NULL, 'R' },
		{ "manual-clock", required_argument, NULL, 'm' },
		{ "batch", required_argument, NULL, 'b' },
		{ "plugins", required_argument, NULL, 'P' },
		{ "plugin-config", required_argument, NULL, 'K' },
		{ "map-size", required_argument, NULL, 's' },
		{ "check-config", no_argument, NULL, 'c' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *data_opt = NULL, *listen = NULL, *publish = NULL, *wf_dir = NULL;
	const char *plugin_dir = NULL, *plugin_cfg = NULL;
	struct gj_site_sources sources = { .default_calendar = "cn" };
	struct gj_site *site = NULL;
	struct gj_host *host = NULL;
	struct gj_engine_config ecfg = { 0 };
	struct gj_server_config scfg = { 0 };
	struct gj_workflows *wfs = NULL;
	struct gj_store *store = NULL;
	struct gj_engine *eng = NULL;
	struct gj_bus *bus = NULL;
	struct gj_server *srv = NULL;
	char *data = NULL, *cmd_url = NULL, *event_url = NULL, *err = NULL;
	bool check_only = false;
	size_t map_mib = 1024;
	int c, rc, status = 1;

	ecfg.default_estate = "main";
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': data_opt = optarg; break;
		case 'l': listen = optarg; break;
		case 'p': publish = optarg; break;
		case 'w': wf_dir = optarg; break;
		case 'e': ecfg.default_estate = optarg; break;
		case 'C': sources.default_calendar = optarg; break;
		case 'D': sources.calendars_dir = optarg; break;
		case 'E': sources.estates_file = optarg; break;
		case 'R': sources.rosters_dir = optarg; break;
		case 'm':
			if (gj_time_parse(optarg, &ecfg.manual_start_ms)) {
				fprintf(stderr, "guanjiad: --manual-clock: '%s' is not a time; write e.g. 2026-10-09T10:00:00+08:00\n", optarg);
				return 2;
			}
			ecfg.manual_clock = true;
			break;
		case 'b': {
			long v = strtol(optarg, NULL, 10);
			if (v < 1 || v > 65536) {
				fprintf(stderr, "guanjiad: --batch takes a number from 1 to 65536\n");
				return 2;
			}
			scfg.batch_max = (size_t)v;
			break;
		}
		case 's': {
			long v = strtol(optarg, NULL, 10);
			if (v < 1 || v > (1L << 22)) {
				fprintf(stderr, "guanjiad: --map-size takes MiB from 1 to 4194304\n");
				return 2;
			}
			map_mib = (size_t)v;
			break;
		}
		case 'P': plugin_dir = optarg; break;
		case 'K': plugin_cfg = optarg; break;
		case 'c': check_only = true; break;
		case 'v': gj_log_set_level(GJ_LOG_DEBUG); break;
		case 'V': printf("guanjiad %s (protocol %d)\n", GJ_VERSION, GJ_PROTOCOL_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "guanjiad: unexpected argument '%s' (see --help)\n", argv[optind]);
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);

	wfs = gj_workflows_create();
	if (!wfs)
		goto out;
	rc = wf_dir ? gj_workflows_load_dir(wfs, wf_dir, &err) : gj_workflows_load_embedded(wfs, &err);
	if (rc) {
		fprintf(stderr, "guanjiad: configuration error: %s\n", err ? err : strerror(-rc));
		goto out;
	}
	rc = gj_site_load(&sources, &site, &err);
	if (rc) {
		fprintf(stderr, "guanjiad: configuration error (estates, calendars, rosters): %s\n",
			err ? err : strerror(-rc));
		goto out;
	}
	ecfg.calendar = gj_site_default_calendar(site);
	if (gj_site_estate_count(site) && !gj_site_has_estate(site, ecfg.default_estate)) {
		fprintf(stderr, "guanjiad: configuration error: the default estate '%s' (--estate) is "
			"not one of the estates listed (--estates)\n", ecfg.default_estate);
		goto out;
	}
	if (gj_workflows_count(wfs) == 0) {
		fprintf(stderr, "guanjiad: configuration error: %s holds no workflow (*.yaml); nothing to serve\n",
			wf_dir ? wf_dir : "the embedded configuration");
		goto out;
	}
	if (check_only) {
		printf("configuration OK: %zu workflows from %s; %zu estates, %zu calendars "
		       "(default %s)\n", gj_workflows_count(wfs),
		       wf_dir ? wf_dir : "the embedded default", gj_site_estate_count(site),
		       gj_site_calendar_count(site), gj_calendar_id(ecfg.calendar));
		for (size_t i = 0; i < gj_workflows_count(wfs); i++) {
			const struct gj_workflow *w = gj_workflows_at(wfs, i);
			printf("  %s@%u  %s  %s\n", w->id, w->version, w->rule, w->title);
		}
		/* The plugins' settings and the plugins themselves, as a start
		 * would load them; a refused one makes the check fail. */
		{
			size_t refused = 0;
			if (gj_host_create(NULL, &host) ||
			    load_plugins(host, plugin_dir, plugin_cfg, &refused))
				goto out;
			if (plugin_dir)
				printf("plugins: %zu loaded from %s, %zu refused (see above)\n",
				       gj_host_plugin_count(host), plugin_dir, refused);
			if (refused)
				goto out;
		}
		status = 0;
		goto out;
	}

	data = gj_data_dir(data_opt);
	if (!data)
		goto out;
	rc = mkdir_p(data);
	if (rc) {
		fprintf(stderr, "guanjiad: cannot create data directory %s: %s\n", data, strerror(-rc));
		goto out;
	}
	rc = lock_data_dir(data);
	if (rc < 0) {
		if (rc == -EBUSY)
			fprintf(stderr, "guanjiad: another guanjiad is already running on %s\n", data);
		else
			fprintf(stderr, "guanjiad: cannot lock %s: %s\n", data, strerror(-rc));
		goto out;
	}
	cmd_url = listen ? strdup(listen) : gj_cmd_url(data);
	event_url = publish ? strdup(publish) : gj_event_url(data);
	if (!cmd_url || !event_url)
		goto out;

	rc = gj_store_open(data, map_mib << 20, &store);
	if (rc) {
		fprintf(stderr, "guanjiad: cannot open the database in %s: %s\n", data,
			rc == -EPROTO ? "it was written by another version of guanjiad" : strerror(-rc));
		goto out;
	}
	rc = gj_pin_workflows(store, wfs, &err);
	if (rc) {
		fprintf(stderr, "guanjiad: configuration error: %s\n", err ? err : strerror(-rc));
		goto out;
	}
	ecfg.command_url = cmd_url;
	ecfg.event_url = event_url;
	ecfg.data_dir = data;
	rc = gj_engine_create(store, wfs, &ecfg, &eng);
	if (rc) {
		fprintf(stderr, "guanjiad: cannot start the engine: %s\n", strerror(-rc));
		goto out;
	}
	rc = gj_host_create(eng, &host);
	if (rc)
		goto out;
	gj_host_set_site(host, site);
	rc = load_plugins(host, plugin_dir, plugin_cfg, NULL);
	if (rc)
		goto out;
	rc = gj_bus_open(cmd_url, event_url, TRANSPORT_MAX_MSG, &bus);
	if (rc) {
		fprintf(stderr, "guanjiad: cannot bind %s / %s: %s\n", cmd_url, event_url, strerror(-rc));
		goto out;
	}
	scfg.manual_clock = ecfg.manual_clock;
	rc = gj_server_create(store, eng, bus, &scfg, &srv);
	if (rc) {
		fprintf(stderr, "guanjiad: cannot set up the event loop: %s\n", strerror(-rc));
		goto out;
	}
	gj_server_catch_up(srv);
	{
		char now[40];
		gj_time_format(gj_engine_now(eng), GJ_DEFAULT_UTC_OFFSET_MIN, now, sizeof(now));
		/* Tests and scripts wait for this line: it comes only once both
		 * sockets are bound. */
		printf("guanjiad ready: commands %s events %s data %s clock %s %s workflows %zu plugins %zu\n",
		       cmd_url, event_url, data, ecfg.manual_clock ? "manual" : "real", now,
		       gj_workflows_count(wfs), gj_host_plugin_count(host));
		fflush(stdout);
	}
	gj_log(GJ_LOG_INFO, "serving %zu workflows; data in %s", gj_workflows_count(wfs), data);
	rc = gj_server_run(srv);
	status = rc ? 1 : 0;
out:
	gj_server_destroy(srv);
	gj_bus_close(bus);
	gj_host_destroy(host);
	gj_engine_destroy(eng);
	gj_store_close(store);
	gj_workflows_destroy(wfs);
	gj_site_destroy(site);
	free(err);
	free(data);
	free(cmd_url);
	free(event_url);
	return status;
}
