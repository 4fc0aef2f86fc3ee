/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Proxy mode's section of sigwall-control's JSON status and Prometheus metrics (issue 21
 * Deliver 5), read from the instance's proxy status object (dataplane/proxy/proxy_shm.h): the
 * associations with their SCTP, ASP and AS states and per-link counters, and the proxy's
 * outcome counters (routed, rejected, aborted, redirected, no route ...). Nothing when the
 * instance runs no proxy (no object), so inline instances' output is unchanged.
 */
#ifndef SW_CONTROL_DAEMON_PROXY_STATUS_H
#define SW_CONTROL_DAEMON_PROXY_STATUS_H

#include "control.h"

/* `,"proxy":{...}` for the JSON status object (a member after others), or nothing. */
void sw_ctl_proxy_json(struct sw_buf *b, const char *instance);

/* The sigwall_proxy_* metric families, or nothing. */
void sw_ctl_proxy_metrics(struct sw_buf *b, const char *instance);

#endif /* SW_CONTROL_DAEMON_PROXY_STATUS_H */
