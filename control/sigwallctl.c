/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwallctl: the operator's command line (ARCHITECTURE.md section 7).
 *   sigwallctl [--instance NAME] reload | check | status | stats | events | inspect ...
 */
#include <stdio.h>
#include <string.h>

#include "sigwallctl.h"

const char *sw_ctl_instance = "default";

/* Subcommands built by later parts of the project are weak here: a binary built without them
 * says so instead of failing to link. */
static int
not_built(const char *cmd)
{
	fprintf(stderr, "sigwallctl: '%s' is not built into this binary\n", cmd);
	return 2;
}

#define WEAK_CMD(fn)                                                                               \
	__attribute__((weak)) int fn(int argc, char **argv)                                        \
	{                                                                                          \
		(void)argc;                                                                        \
		return not_built(argv[0]);                                                         \
	}
WEAK_CMD(sw_cmd_check)
WEAK_CMD(sw_cmd_reload)
WEAK_CMD(sw_cmd_status)
WEAK_CMD(sw_cmd_stats)
WEAK_CMD(sw_cmd_events)

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{"inspect", sw_cmd_inspect, "[--json] [--all] [--rules R --site S] FILE  decode a capture"},
	{"check", sw_cmd_check, "RULES SITE  validate a rule set without publishing"},
	{"reload", sw_cmd_reload, "[--rules R --site S]  compile and publish, wait until active"},
	{"status", sw_cmd_status, "[--json]  active generation, image, workers"},
	{"stats", sw_cmd_stats, "[--json] [--watch]  counters per worker and rule"},
	{"events", sw_cmd_events, "[--follow]  drop/alert/malformed events"},
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: sigwallctl [--instance NAME] COMMAND [ARGS]\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].help);
}

int
main(int argc, char **argv)
{
	int i = 1;
	size_t c;

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--instance") == 0 && i + 1 < argc) {
			sw_ctl_instance = argv[i + 1];
			i += 2;
		} else if (strncmp(argv[i], "--instance=", 11) == 0) {
			sw_ctl_instance = argv[i] + 11;
			i++;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			fprintf(stderr, "sigwallctl: unknown option '%s'\n", argv[i]);
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (sw_ctl_instance[0] == '\0' || strchr(sw_ctl_instance, '/') != NULL) {
		fprintf(stderr, "sigwallctl: invalid instance name '%s'\n", sw_ctl_instance);
		return 2;
	}
	for (c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].fn(argc - i, argv + i);
	fprintf(stderr, "sigwallctl: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return 2;
}
