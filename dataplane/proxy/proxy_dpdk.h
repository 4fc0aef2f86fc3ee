/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * `sigwall-dataplane --mode proxy`: the proxy on one lcore, usrsctp (AF_CONN, no threads) fed
 * from and drained to one DPDK port's queue, the links and routes of the site file, the judge
 * bound to the policy image the main lcore validated (struct sw_image_watch).
 *
 * This is the one file of dataplane/proxy that includes rte_*.h (the house rule keeps DPDK in
 * dataplane/app; the proxy's DPDK glue lives here so that app's main.c needs only a hook).
 */
#ifndef SW_PROXY_PROXY_DPDK_H
#define SW_PROXY_PROXY_DPDK_H

#include <stdbool.h>
#include <stdint.h>

#include "proxy.h"

struct rte_mempool;
struct sw_image_watch;
struct sw_shm_worker;
struct sw_shm_ring;

struct sw_proxy_dpdk_args {
	uint16_t port, queue;           /* the first port (nports 0: the only one) */
	/* --ports: a link's `port` (site file) is an index into ports[] (issue 21 D1) */
	uint16_t ports[SW_PROXY_PORTS];
	unsigned nports;
	struct rte_mempool *pool;
	const char *site;               /* site file with links and routes */
	struct sw_image_watch *watch;   /* NULL: no shared image, default action only */
	volatile bool *quit;
	bool default_drop;              /* verdict while no image is bound */
	unsigned status_every_ms;       /* print the links' status lines; 0: never */
	/* The stats region's block of the worker whose lcore the proxy runs on (epoch, alive,
	 * counters, as an inline worker) and its event ring (NULL: events off); NULL: none. */
	struct sw_shm_worker *sw;
	struct sw_shm_ring *ring;
	const char *instance;           /* the associations' status object (proxy_shm.h); NULL: none */
	int rc;                         /* result: 0 or -errno (set up failed) */
};

/* lcore function (rte_eal_remote_launch): runs until *quit. */
int sw_proxy_dpdk_main(void *args);

#endif /* SW_PROXY_PROXY_DPDK_H */
