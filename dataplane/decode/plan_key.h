/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The cache key the decoder writes as it decodes (issue 20 D3): part of struct sw_decode_plan.
 *
 * At bind the policy context lays out, from the fields its image keys (hdr.key_mask), a fixed
 * key: per field a slot (offset into struct sw_msu_key.b, width by kind), the TCAP components
 * last. Each layer decoder writes its fields' slots right after it has decoded them
 * (decode/pkey.h): m3ua/m2pa the routing label and routing context, sccp the message type and
 * both addresses (integers and digits), tcap its type, the ACN, the components and the MAP or
 * CAP argument's fields, isup its type and numbers. The slot encodings are those of the verdict's
 * own key (policy/eval.c key_build), so that two MSUs have equal keys under one exactly when
 * they have under the other:
 *   integer field  v + 1 (little-endian, 2 bytes for 8-bit fields, 4 bytes for the others,
 *                  0 when absent; a 32-bit value of 0xffffffff (a routing context, an
 *                  M3UA point code), whose v + 1 wraps to 0, leaves the key unwritten
 *                  (stamp 0) and key_build the MSU uncached)
 *   digit field    min(len, kd + 1), then the first min(len, kd) digits, zero-filled to kd
 *                  (kd: the digits some pattern can reach, sw_img_field.key_digits)
 *   ACN            its length (0 absent), then its octets zero-filled to SW_ACN_MAX
 *   components     their count, then per component type, flags (has opcode, global, CAP),
 *                  opcode (4 bytes); more than SW_PKEY_COMPS: no key (stamp 0)
 * The verdict adds what the decoder cannot know (direction, port, link, state, SCTP ports).
 * A slot no layer reaches stays 0, as msu_clear left it: absent, as key_build reads it.
 * The key is valid when msu->key.stamp == plan->key.stamp ^ (uintptr_t)msu: written by the
 * decoder into this msu (a copy of it, such as a component's view, is not) with this plan.
 */
#ifndef SW_DECODE_PLAN_KEY_H
#define SW_DECODE_PLAN_KEY_H

#include <stdint.h>

#define SW_PKEY_BYTES 120 /* key bytes the decoder may write (fixed part + components) */
#define SW_PKEY_COMPS 4   /* components kept in the key (a message of more: no key) */
#define SW_PKEY_NONE 0xff /* slot offset of a field the key does not hold */

/* The fields the decoder writes (the image's SW_IF_* / SW_SF_* it knows of, plan_key.c maps). */
enum sw_pkey_int {
	SW_PK_OPC,
	SW_PK_DPC,
	SW_PK_SI,
	SW_PK_NI,
	SW_PK_RCTX,
	SW_PK_SCCP_TYPE,
	SW_PK_CGPA_SSN, /* the six of an address: SSN, TT, NP, NAI, GTI, RI; then the called one */
	SW_PK_CDPA_SSN = SW_PK_CGPA_SSN + 6,
	SW_PK_TCAP_TYPE = SW_PK_CDPA_SSN + 6,
	SW_PK_ISUP_TYPE,
	SW_PK_SS_CODE,
	SW_PK_SCMG_TYPE,
	SW_PK_SCMG_SSN,
	SW_PK_SCMG_PC,
	SW_PK_NINT
};

enum sw_pkey_dig {
	SW_PD_CGPA,
	SW_PD_CDPA,
	SW_PD_IMSI,
	SW_PD_MSISDN,
	SW_PD_VLR,
	SW_PD_MSC,
	SW_PD_HLR,
	SW_PD_SGSN,
	SW_PD_SMSC,
	SW_PD_SM_RP_DA,
	SW_PD_SM_RP_OA,
	SW_PD_CGPN,
	SW_PD_CDPN,
	SW_PD_NDIG
};

/* The key area of struct sw_msu (msu.h): zeroed with the rest of it by every decode. */
struct sw_msu_key {
	uint64_t stamp;                 /* plan stamp ^ (uintptr_t)msu; 0: no key written */
	uint8_t b[SW_PKEY_BYTES + 16];  /* + 16: whole-word pairs read past the key */
};

struct sw_plan_key {
	uint32_t size;  /* bytes of the fixed part (the components follow); 0: the decoder
			   writes no key (the verdict builds it, key_build) */
	uint64_t stamp; /* unique per plan built (never 0): what a written key is checked against */
	uint32_t imask; /* bit per enum sw_pkey_int the key holds */
	uint32_t dmask; /* bit per enum sw_pkey_dig the key holds */
	uint8_t ioff[SW_PK_NINT];      /* slot offsets, SW_PKEY_NONE: not in the key */
	uint8_t doff[SW_PD_NDIG];
	uint8_t dkd[SW_PD_NDIG];       /* digits kept */
	uint8_t acn_off;               /* SW_PKEY_NONE: the ACN is not in the key */
	uint8_t comp_off;              /* SW_PKEY_NONE: the components are not in the key */
	uint8_t hdr;                   /* SW_PKEY_H_*: what the verdict adds (not the decoder) */
};

/* The fields the verdict adds to a decoder-written key (policy/eval.c), besides the direction
 * and the state conditions. */
#define SW_PKEY_H_PORT 1u   /* the ingress port */
#define SW_PKEY_H_LINK 2u   /* the source's link */
#define SW_PKEY_H_RPORT 4u  /* the SCTP port of the outside endpoint */
#define SW_PKEY_H_LPORT 8u  /* ... of the inside one */

#endif /* SW_DECODE_PLAN_KEY_H */
