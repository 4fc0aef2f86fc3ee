/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwallctl: the operator's command line (ARCHITECTURE.md section 7).
 *   sigwallctl [--instance NAME] reload | shadow | check | status | stats | events |
 *              log-reopen | inspect ...
 *   sigwallctl --help | --version, sigwallctl COMMAND --help
 * Exit status: 0 ok, 1 runtime failure, 2 usage or invalid input (control/README.md).
 */
#include <stdbool.h>
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
WEAK_CMD(sw_cmd_log_reopen)
WEAK_CMD(sw_cmd_site)
WEAK_CMD(sw_cmd_shadow)

#ifndef SW_VERSION
#define SW_VERSION "unknown"
#endif

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *args;
	const char *help;
	const char *more; /* the subcommand's --help, after its usage line */
} commands[] = {
	{"inspect", sw_cmd_inspect, "[--json | --summary] [--all] [--rules R --site S] [--port 0|1] FILE",
	 "decode a capture",
	 "  --json     one JSON object per MSU\n"
	 "  --all      also the packets that carry no MSU\n"
	 "  --summary  per-layer counts (and verdict counts with --rules)\n"
	 "  --rules R --site S  judge every MSU with this policy (dry run)\n"
	 "  --port 0|1  the port the capture arrived on (0 outside, 1 inside)\n"},
	{"check", sw_cmd_check, "RULES SITE", "validate a rule set without publishing",
	 "  compiles RULES for SITE as a reload would; exit 2 with file:line: message if not\n"},
	{"reload", sw_cmd_reload, "[--shadow [--sample N]] [--rules R --site S]",
	 "compile and publish, wait until active",
	 "  without --rules/--site the running files are read again; exit 2 when the files\n"
	 "  are refused (the running generation stays), 1 when the live workers did not all\n"
	 "  pick the new generation up within control's --reload-timeout\n"
	 "  --shadow    publish as the shadow policy: evaluated beside the active one, never\n"
	 "              acted on (`sigwallctl shadow diff`, `shadow promote`)\n"
	 "  --sample N  the shadow judges 1 MSU in N (default: all)\n"},
	{"shadow", sw_cmd_shadow, "diff [--json] | promote | drop",
	 "what the shadow policy would change; make it active",
	 "  diff     MSUs whose action the shadow would change since it was published, per\n"
	 "           candidate rule and per partner (calling party GT), with example events\n"
	 "  promote  make the shadow the active image in one step (no MSU judged by neither)\n"
	 "  drop     forget the shadow; the active image is untouched\n"
	 "  exit 1 when there is no shadow or a reload is in flight\n"},
	{"status", sw_cmd_status, "[--json]", "active generation, image, workers, reload history",
	 "  --json  one JSON document\n"},
	{"stats", sw_cmd_stats, "[--json] [--watch]", "counters per worker and rule",
	 "  --json   one JSON document\n"
	 "  --watch  repeat every second\n"},
	{"events", sw_cmd_events, "[--follow]", "drop/alert/malformed/state/system events",
	 "  the last 256 event lines (JSON, schema in control/README.md)\n"
	 "  --follow  keep streaming new lines\n"},
	{"assoc", sw_cmd_assoc, "[--json]", "per-association repair statistics (inline)",
	 "  per SCTP association the dataplane repairs (busiest first): vtag pair, addresses,\n"
	 "  ports, chunks removed, TSN offset, SACKs generated, retransmissions, last error\n"},
	{"log-reopen", sw_cmd_log_reopen, "", "reopen the event files (logrotate)",
	 "  as SIGHUP to sigwall-control: close and open --events/--events-pcap again\n"},
	{"site", sw_cmd_site, "import-ir21 FILE.xml...", "IR.21 exports to site-file partners",
	 "  prints one `partners = ( ... );` setting (for @include in the site group) and on\n"
	 "  stderr what was skipped and why; exit 2 when a file is not an IR.21 export\n"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: sigwallctl [--instance NAME] COMMAND [ARGS]\n"
		"       sigwallctl --help | --version | COMMAND --help\n");
	for (i = 0; i < NCOMMANDS; i++) {
		char left[96];

		snprintf(left, sizeof(left), "%s %s", commands[i].name, commands[i].args);
		fprintf(f, "  %-40s %s\n", left, commands[i].help);
	}
	fprintf(f, "NAME defaults to 'default'. Exit status: 0 ok, 1 runtime failure, "
		"2 usage or invalid input.\n");
}

/* COMMAND --help / -h anywhere among its arguments (before a lone "--"). */
static bool
wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
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
		} else if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
			printf("sigwallctl %s\n", SW_VERSION);
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
	for (c = 0; c < NCOMMANDS; c++) {
		if (strcmp(argv[i], commands[c].name) != 0)
			continue;
		if (wants_help(argc - i, argv + i)) {
			printf("usage: sigwallctl [--instance NAME] %s %s\n%s\n%s", commands[c].name,
			       commands[c].args, commands[c].help, commands[c].more);
			return 0;
		}
		if (argc - i > 1 && strcmp(argv[i + 1], "--version") == 0) {
			printf("sigwallctl %s\n", SW_VERSION);
			return 0;
		}
		return commands[c].fn(argc - i, argv + i);
	}
	fprintf(stderr, "sigwallctl: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return 2;
}
