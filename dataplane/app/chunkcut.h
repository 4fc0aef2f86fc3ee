/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Chunk removal WITHOUT association repair: the stop-gap used when the enforce
 * library (dataplane/enforce, issue 7) is not built. It takes DATA chunks out of
 * an SCTP packet in place, fixes the IP length (and IPv4 header checksum) and
 * recomputes the SCTP CRC32c. It does not renumber TSNs/SSNs nor translate
 * SACKs: the receiver sees a TSN gap, so a real SCTP association stalls and
 * finally aborts. See dataplane/app/README.md.
 */
#ifndef SW_APP_CHUNKCUT_H
#define SW_APP_CHUNKCUT_H

#include <stdint.h>

#include "msu.h"

/* SCTP CRC32c (RFC 4960 Appendix B) of an SCTP packet whose checksum field is zero. */
uint32_t sw_app_crc32c(const uint8_t *p, uint32_t len);

/*
 * Remove chunks pkt->chunks[i] for every bit i set in mask from the frame buf of
 * length len (pkt decoded from it). Returns the new frame length, or 0 when no
 * chunk would be left (the caller drops the packet).
 */
uint32_t sw_app_chunk_cut(uint8_t *buf, uint32_t len, const struct sw_pkt *pkt, uint32_t mask);

#endif /* SW_APP_CHUNKCUT_H */
