/* SPDX-License-Identifier: BSD-3-Clause */
/* sigwallctl subcommands. Each takes argv with argv[0] the subcommand and returns the exit code
 * (0 ok, 1 failure at run time, 2 bad usage or bad input). */
#ifndef SW_CONTROL_SIGWALLCTL_H
#define SW_CONTROL_SIGWALLCTL_H

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

#endif /* SW_CONTROL_SIGWALLCTL_H */
