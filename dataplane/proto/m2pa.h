/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * M2PA wire constants, RFC 4165 (MTP2-User Peer-to-Peer Adaptation Layer, SCTP PPID 5), and the
 * MTP3 message it carries: service information octet and routing label (ITU-T Q.704 2.2, 14.2).
 */
#ifndef SW_PROTO_M2PA_H
#define SW_PROTO_M2PA_H

#include <stdint.h>

/* Common message header, RFC 4165 2.1.1: version, spare, message class, message type, length. */
#define M2PA_VERSION		1      /* RFC 4165 2.1.1: release 1.0 of the protocol */
#define M2PA_CLASS		11     /* RFC 4165 2.1.1: M2PA Messages */
#define M2PA_TYPE_USER_DATA	1      /* RFC 4165 2.1.1, 2.3.1 */
#define M2PA_TYPE_LINK_STATUS	2      /* RFC 4165 2.1.1, 2.3.2 */
#define M2PA_COMMON_HLEN	8      /* RFC 4165 2.1.1 */
/* M2PA header, RFC 4165 2.2: unused (8), BSN (24), unused (8), FSN (24). */
#define M2PA_HLEN		16     /* common header + M2PA header: the smallest message */
#define M2PA_OFF_LEN		4      /* Message Length: the whole message, headers included */
#define M2PA_OFF_BSN		8      /* 1 unused octet, then the 24-bit BSN */
#define M2PA_OFF_FSN		12     /* 1 unused octet, then the 24-bit FSN */
#define M2PA_SEQ_MASK		0xffffffu /* RFC 4165 2.2: 24-bit sequence numbers */
/* RFC 4165 2.2 and its alignment procedure: FSN and BSN start at 2^24 - 1 (16,777,215), so the
 * first User Data message after alignment has FSN 0; both are incremented modulo 2^24. */
#define M2PA_SEQ_INITIAL	0xffffffu

/* User Data, RFC 4165 2.3.1: one octet with the priority (PRI, the two high bits; used only by
 * national MTPs such as JT-Q703, spare otherwise), then the MTP3 message (SIO + SIF). A User
 * Data message without a Data field is an acknowledgement only (RFC 4165 2.3.1, 3.3): it does
 * not take a new FSN. */
#define M2PA_PRI_SHIFT		6
#define M2PA_PRI_LEN		1

/* Link Status, RFC 4165 2.3.2: a 32-bit State, then (Proving only) filler. */
#define M2PA_LS_ALIGNMENT	1
#define M2PA_LS_PROVING_NORMAL	2
#define M2PA_LS_PROVING_EMERG	3
#define M2PA_LS_READY		4
#define M2PA_LS_PROC_OUTAGE	5
#define M2PA_LS_PROC_RECOVERED	6
#define M2PA_LS_BUSY		7
#define M2PA_LS_BUSY_ENDED	8
#define M2PA_LS_OUT_OF_SERVICE	9
#define M2PA_LS_STATE_LEN	4

/*
 * MTP3 service information octet, ITU-T Q.704 14.2: service indicator (bits DCBA, the low
 * nibble; values in dataplane/proto/m3ua.h MTP3_SI_*), subservice field (bits HGFE): network
 * indicator in bits HG (Q.704 14.2.2), bits FE spare in ITU, message priority in national use.
 */
#define MTP3_SIO_SI_MASK	0x0f
#define MTP3_SIO_NI_SHIFT	6
#define MTP3_SIO_PRI_SHIFT	4
#define MTP3_SIO_PRI_MASK	0x03
#define MTP3_SI_SNTM_SPECIAL	2      /* Q.704 14.2.1: signalling network testing, special */

/*
 * Routing label, ITU-T Q.704 2.2.2 (figure 3): DPC (14 bits), OPC (14 bits), SLS (4 bits), sent
 * least significant bit first: a 32-bit little-endian word. ANSI T1.111.4 (24-bit point codes,
 * 8-bit SLS, 7 octets) is the other variant; the one parser, sw_mtp3_label() in
 * dataplane/decode/m2pa.c, takes the variant.
 */
#define MTP3_ITU_LABEL_LEN	4
#define MTP3_ITU_PC_BITS	14
#define MTP3_ITU_PC_MASK	0x3fffu
#define MTP3_ITU_SLS_SHIFT	28
#define MTP3_ANSI_LABEL_LEN	7      /* ANSI T1.111.4 2.2: DPC 24, OPC 24, SLS 8 */

/* Names (static strings; NULL when unassigned). */
const char *sw_m2pa_type_name(uint8_t type);          /* "user_data", "link_status" */
const char *sw_m2pa_state_name(uint32_t state);       /* "alignment" ... "out_of_service" */

#endif /* SW_PROTO_M2PA_H */
