/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Printing decoded MSUs: the JSON record of `sigwallctl inspect --json` (the test oracle and
 * the expected output of the byte vectors) and the one-line text view. Not on the packet path.
 */
#ifndef SW_DECODE_PRINT_H
#define SW_DECODE_PRINT_H

#include <stddef.h>
#include <stdint.h>

#include "dataplane/proto/sctp.h" /* sw_sctp_chunk_name */
#include "msu.h"

/* A bounded string builder; output is truncated (never overrun) when cap is reached. */
struct sw_sb {
	char *p;
	size_t len, cap;
	int truncated;
};

void sw_sb_init(struct sw_sb *sb, char *p, size_t cap);
void sw_sb_printf(struct sw_sb *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sw_sb_json_str(struct sw_sb *sb, const char *s, size_t n);

/* JSON object members (no surrounding braces) of one MSU: frame, chunk, ip, sctp, m3ua, sccp,
 * tcap, map, isup, error. Layers that were not reached are omitted. Pass frame 0 to omit the
 * packet-level members (ip, sctp, frame, chunk), e.g. for layer vectors. */
void sw_json_msu(struct sw_sb *sb, const struct sw_pkt *pkt, const struct sw_msu *msu,
		 unsigned frame, unsigned data_idx);
/* JSON members of a packet without MSU (inspect --all): frame, ip, sctp with chunk names, error. */
void sw_json_pkt(struct sw_sb *sb, const struct sw_pkt *pkt, unsigned frame);
/* One-line human-readable view. */
void sw_text_msu(struct sw_sb *sb, const struct sw_pkt *pkt, const struct sw_msu *msu,
		 unsigned frame, unsigned data_idx);
void sw_text_pkt(struct sw_sb *sb, const struct sw_pkt *pkt, unsigned frame);


#endif /* SW_DECODE_PRINT_H */
