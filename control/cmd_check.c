/* SPDX-License-Identifier: BSD-3-Clause */
/* `sigwallctl check RULES SITE`: parse, validate and compile without publishing. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "control/compiler/compiler.h"
#include "control/sigwallctl.h"


int
sw_cmd_check(int argc, char **argv)
{
	struct sw_compiled c;
	char err[1024];
	int rc;

	if (argc != 3 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		fprintf(stderr, "usage: sigwallctl check RULES SITE\n");
		return 2;
	}
	rc = sw_compile_files(argv[1], argv[2], 0, &c, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	sw_compiled_summary(stdout, &c);
	sw_compiled_free(&c);
	return 0;
}
