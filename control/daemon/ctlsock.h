/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The unix-socket protocol between sigwallctl and sigwall-control.
 *
 * Socket: $SIGWALL_RUNDIR/<instance>.sock (default rundir /run/sigwall), mode 0600, SOCK_STREAM.
 * The client sends one request line of at most SW_CTL_REQ_MAX bytes, fields separated by TAB:
 *   reload [TAB rules TAB site]     compile and publish; answered when active or failed
 *   shadow TAB reload TAB sample [TAB rules TAB site]
 *                                   publish a candidate as the shadow policy (issue 18 D7),
 *                                   evaluated on 1 MSU in sample (0, 1: all), never acted on
 *   shadow TAB diff [TAB json]      MSUs whose action the shadow would change
 *   shadow TAB promote | drop       make the shadow active in one step | forget it
 *   status [TAB json]
 *   stats [TAB json]
 *   events [TAB follow]             recent events; with follow, keep streaming JSON lines
 *   ping
 * The server answers "OK\n" or "ERR <message>\n", then a body, then closes the connection
 * (events follow: streams until the client goes away). Anything else gets "ERR ..." and is
 * closed; it never disturbs the running instance.
 */
#ifndef SW_CONTROL_CTLSOCK_H
#define SW_CONTROL_CTLSOCK_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#define SW_CTL_REQ_MAX 4096
#define SW_RUNDIR_DEFAULT "/run/sigwall"

static inline const char *
sw_ctl_rundir(void)
{
	const char *d = getenv("SIGWALL_RUNDIR");

	return (d != NULL && d[0] != '\0') ? d : SW_RUNDIR_DEFAULT;
}

/* "<rundir>/<instance>.<suffix>"; 0 or -1 if it does not fit (sun_path is 108 bytes). */
static inline int
sw_ctl_path(char *buf, size_t len, const char *instance, const char *suffix)
{
	int n = snprintf(buf, len, "%s/%s.%s", sw_ctl_rundir(), instance, suffix);

	return (n < 0 || (size_t)n >= len) ? -1 : 0;
}

#endif /* SW_CONTROL_CTLSOCK_H */
