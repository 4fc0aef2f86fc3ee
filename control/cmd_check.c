/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `sigwallctl check [--strict] RULES SITE`: parse, validate and compile without publishing.
 * Every error is reported (one "file:line: message" line each, exit 2); warnings
 * ("file:line: warning: message") leave the exit status 0 unless --strict.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/compiler/compiler.h"
#include "control/sigwallctl.h"

#define CHECK_ERR_MAX 65536

int
sw_cmd_check(int argc, char **argv)
{
	struct sw_compile_opts opts = { .all_errors = true, .warn = stderr };
	struct sw_compiled c;
	bool strict = false;
	char *err;
	int rc, a = 1;

	if (a < argc && strcmp(argv[a], "--strict") == 0) {
		strict = true;
		a++;
	}
	if (argc - a != 2 || strcmp(argv[a], "-h") == 0 || strcmp(argv[a], "--help") == 0) {
		fprintf(stderr, "usage: sigwallctl check [--strict] RULES SITE\n");
		return 2;
	}
	err = malloc(CHECK_ERR_MAX);
	if (err == NULL)
		return 2;
	rc = sw_compile_files_opts(argv[a], argv[a + 1], 0, &opts, &c, err, CHECK_ERR_MAX);
	if (rc != 0) {
		fprintf(stderr, "%s\n", err);
		free(err);
		return 2;
	}
	free(err);
	sw_compiled_summary(stdout, &c);
	if (c.nwarnings > 0)
		fprintf(stderr, "%u warning%s%s\n", c.nwarnings, c.nwarnings == 1 ? "" : "s",
			strict ? " (--strict: errors)" : "");
	sw_compiled_free(&c);
	return strict && c.nwarnings > 0 ? 2 : 0;
}
