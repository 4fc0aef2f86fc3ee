/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ANSI SS7 wire constants (North American networks): the network variant a site or a link
 * declares, 24-bit point codes (ANSI T1.111.4), the MTP3 routing label (T1.111.4 2.2), the
 * ANSI SCCP address format (T1.112.3 3.4) and SCCP management (T1.112.3 5), and the package
 * types of ANSI TCAP (T1.114.3), which sigwall recognises but does not decode.
 */
#ifndef SW_PROTO_ANSI_H
#define SW_PROTO_ANSI_H

#include <stdint.h>
#include <stdio.h>

/* Network variant (site.variant, a link's variant; struct sw_msu ansi.variant). */
enum sw_variant {
	SW_VARIANT_ITU = 0, /* ITU-T Q.704 / Q.713 / Q.773: 14-bit point codes */
	SW_VARIANT_ANSI = 1, /* ANSI T1.111 / T1.112 / T1.114: 24-bit point codes */
};

/*
 * Point code, T1.111.4 2.2.3: network (octet 3), cluster (octet 2), member (octet 1), sent member
 * first; as an integer (M3UA Protocol Data, RFC 4666 3.3.1, and the policy) network << 16 |
 * cluster << 8 | member, printed "network-cluster-member".
 */
#define ANSI_PC_LEN		3
#define ANSI_PC_MASK		0xffffff
#define ANSI_PC_TEXT_MAX	12     /* "255-255-255" and its NUL */

/* The MTP3 routing label (T1.111.4 2.2: DPC, OPC, SLS; 7 octets) is MTP3_ANSI_LABEL_LEN in
 * dataplane/proto/m2pa.h, read by sw_mtp3_label (dataplane/decode/m2pa.c) with the variant. */

/* SCCP address indicator, T1.112.3 3.4.1: the bit order differs from Q.713 3.4.1 */
#define ANSI_AI_SSN		0x01   /* bit 1: subsystem number indicator */
#define ANSI_AI_PC		0x02   /* bit 2: point code indicator */
#define ANSI_AI_GTI_MASK	0x3c   /* bits 3-6: global title indicator */
#define ANSI_AI_GTI_SHIFT	2
#define ANSI_AI_RI		0x40   /* bit 7: routing indicator, 1 route on DPC/SSN */
#define ANSI_AI_NATIONAL	0x80   /* bit 8: 1 national address (ANSI), 0 international */

/* ANSI global title indicators, T1.112.3 3.4.2.3 (the subsystem number comes before the point
 * code in the address, T1.112.3 3.4.2) */
#define ANSI_GTI_NONE		0
#define ANSI_GTI_TT_NP_ES	1      /* translation type, numbering plan / encoding scheme */
#define ANSI_GTI_TT		2      /* translation type only */

/* SCCP management, T1.112.3 5.3: format identifier, affected SSN, affected point code (3 octets,
 * member first), subsystem multiplicity indicator. ANSI has no SSC (Q.713 5.1's 0x06). */
#define ANSI_SCMG_LEN		6

/* ANSI TCAP package types, T1.114.3 (private class, constructed) */
#define ANSI_TCAP_UNI		0xe1   /* Unidirectional */
#define ANSI_TCAP_QWP		0xe2   /* Query With Permission */
#define ANSI_TCAP_QWOP		0xe3   /* Query Without Permission */
#define ANSI_TCAP_RESP		0xe4   /* Response */
#define ANSI_TCAP_CWP		0xe5   /* Conversation With Permission */
#define ANSI_TCAP_CWOP		0xe6   /* Conversation Without Permission */
#define ANSI_TCAP_ABORT		0xf6   /* Abort */

/* Lowercase name of a package type ("query_with_permission", ...); NULL when not ANSI TCAP. */
const char *sw_ansi_tcap_name(uint8_t pkg);
/* Name of a variant ("itu", "ansi") and back (-1 when unknown). */
const char *sw_variant_name(uint8_t variant);
int sw_variant_code(const char *name);
/* "n-c-m" to a 24-bit point code (each part 0-255, decimal); -1 if it is not one. */
int sw_ansi_pc_parse(const char *s, uint32_t *pc);

/* A 24-bit point code as "network-cluster-member" into out (ANSI_PC_TEXT_MAX bytes). */
static inline const char *
sw_ansi_pc_text(uint32_t pc, char out[ANSI_PC_TEXT_MAX])
{
	snprintf(out, ANSI_PC_TEXT_MAX, "%u-%u-%u", (pc >> 16) & 0xff, (pc >> 8) & 0xff, pc & 0xff);
	return out;
}

#endif /* SW_PROTO_ANSI_H */
