/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwallctl shadow diff [--json] | promote | drop: the shadow policy of issue 18 D7 (a candidate
 * rule set `sigwallctl reload --shadow` published beside the active one; the workers evaluate
 * it and never act on it). The requests are in control/daemon/ctlsock.h.
 */
#include <stdio.h>
#include <string.h>

#include "sigwallctl.h"

int
sw_cmd_shadow(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "diff") == 0 &&
	    (argc == 2 || (argc == 3 && strcmp(argv[2], "--json") == 0)))
		return sw_ctl_request(argc == 3 ? "shadow\tdiff\tjson\n" : "shadow\tdiff\n", stdout);
	if (argc == 2 && strcmp(argv[1], "promote") == 0)
		return sw_ctl_request("shadow\tpromote\n", stdout);
	if (argc == 2 && strcmp(argv[1], "drop") == 0)
		return sw_ctl_request("shadow\tdrop\n", stdout);
	fprintf(stderr, "usage: sigwallctl shadow diff [--json] | promote | drop\n");
	return 2;
}
