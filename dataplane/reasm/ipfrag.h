/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IP fragments (issue 14 Deliver 1). The workers reassemble with DPDK's rte_ip_frag
 * (dataplane/app/worker.c); this file holds what the two sides share and, for the places that
 * run without the EAL (rte_ip_frag_table_create allocates from the EAL heap): `sigwallctl
 * inspect` and the fuzzer, a pure C table that accepts and refuses exactly what rte_ip_frag
 * 22.11 does (lib/ip_frag/ip_frag_internal.c ip_frag_process, ipv4_reassembly.c,
 * ipv6_reassembly.c), so that the dry run and the appliance agree:
 *
 *   - a datagram is keyed by source, destination and identification (RFC 791 3.2, RFC 8200
 *     4.5); at most SW_IPFRAG_MAX_FRAG (RTE_LIBRTE_IP_FRAG_MAX_FRAG) fragments, one of them
 *     the first (offset 0) and one the last (M = 0);
 *   - it is whole when the fragments' lengths add up to the last one's end and they join
 *     end to start from the first to the last; a second first or last fragment, a ninth
 *     fragment, lengths adding up past the end or a set that does not join (overlap, a
 *     conflicting copy) fail the whole datagram (SW_MAL_IP_REASM_OVERLAP);
 *   - a datagram not whole `timeout` after its first fragment fails (SW_MAL_IP_REASM_TIMEOUT)
 *     when the table next looks at it; no free entry: SW_MAL_IP_REASM_FULL;
 *   - the rebuilt IPv4 header is the first fragment's with the total length set, the
 *     fragment field cleared but for DF and the checksum recomputed; IPv6 loses its fragment
 *     header (which must follow the fixed header directly, as rte_ip_frag requires; a
 *     fragment behind other extension headers stays `ip_fragment`).
 * Datagrams longer than max_len fail with SW_MAL_IP_REASM_LONG (both sides check this first).
 */
#ifndef SW_REASM_IPFRAG_H
#define SW_REASM_IPFRAG_H

#include <stdbool.h>
#include <stdint.h>

#include "dataplane/decode/msu.h"

#define SW_IPFRAG_MAX_FRAG 8 /* RTE_LIBRTE_IP_FRAG_MAX_FRAG of DPDK's default configuration */
/* Rebuilt datagrams longer than this fail (SW_MAL_IP_REASM_LONG): an SCTP packet with the
 * longest M3UA message sigwall judges (SW_REASM_SCTP_DATA_MAX) fits many times. */
#define SW_IPFRAG_LEN_MAX	  16384
#define SW_IPFRAG_ENTRIES_DEFAULT 256 /* datagrams in reassembly per worker */
/* From the first fragment. RFC 791 3.2 suggests 15 s for hosts; a firewall holding the
 * fragments' buffers waits less: a sender's fragments of one datagram leave together. */
#define SW_IPFRAG_TIMEOUT_DEFAULT_MS 3000

/* One fragment as both sides read it. */
struct sw_ipfrag_info {
	uint8_t ver;	 /* 4 or 6 */
	bool more;	 /* MF / M */
	uint32_t l3_off; /* IP header */
	uint32_t l3_len; /* IPv4: IHL * 4; IPv6: 40 + the 8-octet fragment header */
	uint32_t ofs;	 /* fragment offset in octets */
	uint32_t len;	 /* payload octets of this fragment */
	uint32_t id;	 /* identification */
};

/*
 * Read the fragment that sw_decode_packet flagged (pkt->ip_frag). Returns 0, or -1 when it is
 * not handed to reassembly and stays `ip_fragment` (judged whole by the malformed action): an
 * IPv6 fragment header behind other extension headers (rte_ip_frag reads it right after the
 * fixed header), an empty fragment, or an IPv6 atomic fragment (offset 0, M = 0, RFC 8200 4.5:
 * rte_ip_frag would hold it until the timeout).
 */
int sw_ipfrag_parse(const uint8_t *buf, const struct sw_pkt *pkt, struct sw_ipfrag_info *fi);

enum sw_ipfrag_res {
	SW_IPFRAG_NONE = 0, /* not reassembled: judge the fragment as it is (ip_fragment) */
	SW_IPFRAG_HELD,	    /* held until the datagram is whole: nothing to judge now */
	SW_IPFRAG_DONE,	    /* whole: *out, *outlen is the frame (link header + datagram) */
	SW_IPFRAG_FAIL,	    /* *mal is the reason: judge this fragment with it */
};

struct sw_ipfrag_stats {
	uint64_t held, done, full, timeout, overlap, long_;
};

struct sw_ipfrag;

/* entries: datagrams in reassembly at once; timeout_ns; max_len: see SW_IPFRAG_LEN_MAX. */
struct sw_ipfrag *sw_ipfrag_new(uint32_t entries, uint64_t timeout_ns, uint32_t max_len);
void sw_ipfrag_free(struct sw_ipfrag *t);

/*
 * Put the fragment buf[0..len) (decoded as pkt, pkt->ip_frag set) at time now_ns. DONE: *out
 * points into the table and stays valid until the next call.
 */
enum sw_ipfrag_res sw_ipfrag_put(struct sw_ipfrag *t, const uint8_t *buf, uint32_t len,
				 const struct sw_pkt *pkt, uint64_t now_ns, const uint8_t **out,
				 uint32_t *outlen, enum sw_mal *mal);

const struct sw_ipfrag_stats *sw_ipfrag_stats(const struct sw_ipfrag *t);

#endif /* SW_REASM_IPFRAG_H */
