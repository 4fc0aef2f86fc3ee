/* SPDX-License-Identifier: BSD-3-Clause */
/* Reading pcap and pcapng captures (libpcap) frame by frame, with clear errors. */
#ifndef SW_CONTROL_PCAPREAD_H
#define SW_CONTROL_PCAPREAD_H

#include <stdint.h>

#include "dataplane/decode/msu.h"

struct sw_pcap_in;

/* Open FILE; on failure NULL and a one-line message in err ("FILE: reason"). */
struct sw_pcap_in *sw_pcap_open(const char *path, char *err, size_t errlen);
/* The capture's link type as the decoder's enum; -1 (and err) when unsupported. */
int sw_pcap_link(struct sw_pcap_in *in, enum sw_link *link, char *err, size_t errlen);
/* Next frame: 1 and data/len/frame number, 0 at the clean end, -1 on a corrupt or truncated file
 * (err names the file and the frame). */
int sw_pcap_next(struct sw_pcap_in *in, const uint8_t **data, uint32_t *len, uint64_t *ts_ns,
		 unsigned *frame, char *err, size_t errlen);
void sw_pcap_close(struct sw_pcap_in *in);
/*
 * IP fragments joined as the dataplane joins them (issue 14 Deliver 1, dataplane/reasm/ipfrag.h)
 * for the frame just read (decoded as *pkt, pkt->ip_frag set). Returns 1 when the fragment is
 * held (nothing to judge now); 0 otherwise, with data, len and pkt the whole datagram when it is
 * complete (valid until the next call), or the fragment with pkt->mal the reason when its
 * datagram failed (SW_MAL_IP_REASM_*), or the fragment as it was (ip_fragment).
 */
int sw_pcap_defrag(struct sw_pcap_in *in, const uint8_t **data, uint32_t *len, uint64_t ts_ns,
		   enum sw_link link, struct sw_pkt *pkt);

#endif /* SW_CONTROL_PCAPREAD_H */
