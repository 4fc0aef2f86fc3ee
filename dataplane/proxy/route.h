/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Proxy routing: destination point code -> set of links (associations), with SLS-based load
 * sharing, and optional global title translation (GT prefix -> DPC and SSN).
 *
 * Load sharing follows MTP's SLS load-sharing table (Q.705 5.1 / ITU-T Q.704 4.2): each route
 * maps the 16 SLS values (ITU, 4 bits) onto its available links. The same SLS always leaves on the
 * same association, so a TCAP dialogue (whose messages carry one SLS, Q.714 1.1.2.2 for class 1;
 * class 0 senders conventionally keep it per dialogue) stays on one association. When a link
 * fails only its SLS values move (to the remaining links, round robin); when it comes back the
 * table is rebalanced (changeback).
 *
 * Pure C, no allocation after sw_route_table_init; lookups never allocate.
 */
#ifndef SW_PROXY_ROUTE_H
#define SW_PROXY_ROUTE_H

#include <stdbool.h>
#include <stdint.h>

#define SW_ROUTE_MAX 1024        /* DPC routes */
#define SW_ROUTE_GT_MAX 1024     /* GT translation entries */
#define SW_ROUTE_LINKS 8         /* links per route */
#define SW_ROUTE_SLS 16          /* ITU SLS values (Q.704 2.2) */
#define SW_ROUTE_GT_DIGITS 32
#define SW_LINK_NONE 0xffff

struct sw_route {
	uint32_t dpc;
	uint16_t link[SW_ROUTE_LINKS]; /* link ids (the proxy's link index) */
	uint8_t nlinks;
	uint16_t sls_map[SW_ROUTE_SLS]; /* SLS -> link id, SW_LINK_NONE: no link available */
};

/* GT prefix -> DPC (and SSN to set in the called party address; 0 = keep). */
struct sw_route_gt {
	char prefix[SW_ROUTE_GT_DIGITS + 1];
	uint8_t len;
	uint32_t dpc;
	uint8_t ssn;
};

struct sw_route_table {
	struct sw_route route[SW_ROUTE_MAX]; /* sorted by dpc after sw_route_table_seal */
	unsigned nroutes;
	struct sw_route_gt gt[SW_ROUTE_GT_MAX]; /* sorted longest prefix first after seal */
	unsigned ngt;
	/* link availability, indexed by link id (bit set: available) */
	uint64_t link_up[4];
	bool sealed;
};

#define SW_ROUTE_LINK_IDS 256

void sw_route_table_init(struct sw_route_table *t);
/* Add a route dpc -> links (1..SW_ROUTE_LINKS ids < SW_ROUTE_LINK_IDS). 0, -EEXIST (dpc twice),
 * -ENOSPC or -EINVAL. */
int sw_route_add(struct sw_route_table *t, uint32_t dpc, const uint16_t *links, unsigned n);
/* Add a GT translation: digits prefix (1..32 of 0-9a-f) -> dpc, ssn. 0, -EEXIST, -ENOSPC,
 * -EINVAL. */
int sw_route_add_gt(struct sw_route_table *t, const char *prefix, uint32_t dpc, uint8_t ssn);
/* Sort for lookups; every link starts unavailable. */
void sw_route_table_seal(struct sw_route_table *t);

/* Link (association) availability changed: the SLS tables of the routes through it are
 * rebuilt. Returns the number of routes whose availability (some link vs none) changed; their
 * dpcs are written to changed[] (up to max) so the owner can send DUNA/DAVA. */
unsigned sw_route_link_set(struct sw_route_table *t, uint16_t link, bool up, uint32_t *changed,
			   unsigned max);
bool sw_route_link_is_up(const struct sw_route_table *t, uint16_t link);

const struct sw_route *sw_route_find(const struct sw_route_table *t, uint32_t dpc);
/* Link for dpc and sls, or SW_LINK_NONE (no route or no available link). */
uint16_t sw_route_pick(const struct sw_route_table *t, uint32_t dpc, uint8_t sls);
/* Is the dpc reachable (a route with an available link)? */
bool sw_route_available(const struct sw_route_table *t, uint32_t dpc);
/* Longest GT prefix matching digits, or NULL. */
const struct sw_route_gt *sw_route_gt_lookup(const struct sw_route_table *t, const char *digits);

#endif /* SW_PROXY_ROUTE_H */
