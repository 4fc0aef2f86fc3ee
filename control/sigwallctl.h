/* SPDX-License-Identifier: BSD-3-Clause */
/* sigwallctl subcommands. Each takes argv with argv[0] the subcommand and returns the exit code
 * (0 ok, 1 failure at run time, 2 bad usage or bad input). */
#ifndef SW_CONTROL_SIGWALLCTL_H
#define SW_CONTROL_SIGWALLCTL_H

#include <stdio.h>

extern const char *sw_ctl_instance; /* --instance NAME, default "default" */

int sw_cmd_inspect(int argc, char **argv);
int sw_cmd_check(int argc, char **argv);
int sw_cmd_reload(int argc, char **argv);
int sw_cmd_status(int argc, char **argv);
int sw_cmd_stats(int argc, char **argv);
int sw_cmd_events(int argc, char **argv);
int sw_cmd_log_reopen(int argc, char **argv);
int sw_cmd_site(int argc, char **argv);
int sw_cmd_assoc(int argc, char **argv); /* cmd_assoc.c (enforce) */
int sw_cmd_shadow(int argc, char **argv); /* cmd_shadow.c (issue 18 D7) */
/* cmd_ctl.c: send one request line to sigwall-control (control/daemon/ctlsock.h), copy the body
 * of the answer to out, errors to stderr. 0 on "OK", 2 on "EINVAL" (the request or its files
 * were refused: invalid input), 1 on "ERR" or a broken connection. */
int sw_ctl_request(const char *req, FILE *out);

#endif /* SW_CONTROL_SIGWALLCTL_H */
