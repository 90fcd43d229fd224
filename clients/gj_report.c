/*
 * gj_report.c - `gj report`: the month's statistics of an estate (issue 4,
 * being written: see docs/reports.md when it exists).
 */
#include "gj_cli.h"

int gj_run_report(struct gj_ctx *x)
{
	(void)x;
	gj_cli_err("report: not built yet");
	return EXIT_FAIL;
}
