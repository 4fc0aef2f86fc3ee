/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Decoder entry points. Pure C, no DPDK: the workers, sigwallctl inspect, the
 * tests, the fuzzers and the benchmarks all call exactly these.
 *
 * Layering (each layer decodes a bounded range of the same packet buffer and
 * stores absolute offsets):
 *   sw_decode_packet   link (eth/VLAN/SLL/SLL2/raw) -> IPv4/IPv6 -> SCTP chunk walk
 *   sw_decode_msu      one DATA/I-DATA chunk -> M3UA -> SCCP -> TCAP -> MAP, or -> ISUP
 * Each returns SW_MAL_NONE or the first malformation (also stored in the struct);
 * what was decoded before the malformation stays valid in the struct.
 */
#ifndef SW_DECODE_DECODE_H
#define SW_DECODE_DECODE_H

#include <stdint.h>

#include "cursor.h"
#include "dataplane/proto/ansi.h"
#include "dataplane/proto/cap.h"
#include "dataplane/proto/isup.h"
#include "dataplane/proto/m2pa.h"
#include "dataplane/proto/m3ua.h"
#include "dataplane/proto/map.h"
#include "dataplane/proto/sccp.h"
#include "dataplane/proto/sctp.h"
#include "dataplane/proto/tcap.h"
#include "msu.h"

/* M3UA payload protocol identifier, RFC 4666 1.4.7 (IANA SCTP PPID 3). */
#define SW_PPID_M3UA SCTP_PPID_M3UA
/* M2PA payload protocol identifier, RFC 4165 (IANA SCTP PPID 5). */
#define SW_PPID_M2PA SCTP_PPID_M2PA

/* Packet: link, IP and every SCTP chunk header. */
enum sw_mal sw_decode_packet(const uint8_t *buf, uint32_t len, enum sw_link link,
			     struct sw_pkt *pkt);

/* One MSU: the DATA or I-DATA chunk pkt->chunks[chunk_idx] and everything inside. */
enum sw_mal sw_decode_msu(const uint8_t *buf, const struct sw_pkt *pkt, unsigned chunk_idx,
			  struct sw_msu *msu);
/* The same in a network variant (issue 17 D6): ANSI reads 24-bit point codes as
 * network-cluster-member and SCCP addresses in the T1.112.3 format. sw_decode_msu is the ITU
 * case. The variant is kept in msu->ansi.variant (a layer decoder called on its own reads it
 * from there: set it after zeroing the struct). */
enum sw_mal sw_decode_msu_variant(const uint8_t *buf, const struct sw_pkt *pkt, unsigned chunk_idx,
				  enum sw_variant variant, struct sw_msu *msu);
/* The same with what the policy asks (decode/plan.h, issue 20 D2/D3; sw_policy_plan): kept in
 * msu->plan for the layers below. A NULL plan is sw_decode_msu_variant. */
enum sw_mal sw_decode_msu_plan(const uint8_t *buf, const struct sw_pkt *pkt, unsigned chunk_idx,
			       enum sw_variant variant, const struct sw_decode_plan *plan,
			       struct sw_msu *msu);

/*
 * Layer decoders, callable on their own (vectors, fuzzers). Each reads the
 * range [off, end) of buf. They fill their part of msu and set msu->mal on the
 * first malformation. sw_m3ua_decode calls sccp/isup, sccp calls tcap, and
 * tcap calls map for each component's parameter.
 */
enum sw_mal sw_m3ua_decode(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu);
/* M2PA (RFC 4165): one message [off, end) (the whole user data of its DATA chunk); User Data
 * carries MTP3 whose label and user part land where M3UA DATA puts them (msu.h, SW_HAS_M2PA). */
enum sw_mal sw_m2pa_decode(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu);
/* The user message of one SCTP DATA chunk [off, end) by its payload protocol identifier: M3UA
 * (PPID 3) or M2PA (PPID 5); any other PPID is SW_MAL_SCTP_PPID. */
enum sw_mal sw_decode_user_message(const uint8_t *buf, uint32_t off, uint32_t end, uint32_t ppid,
				   struct sw_msu *msu);
enum sw_mal sw_sccp_decode(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu);
enum sw_mal sw_isup_decode(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu);
enum sw_mal sw_tcap_decode(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu);
/* The argument of a message whose walk the decoder deferred (msu->arg_deferred, issue 20 D2,
 * plan_want.h): walked now from buf, the buffer msu was decoded from, as the TCAP walk would
 * have walked it (fields, malformation, the key's slots). msu->mal; nothing when not deferred. */
enum sw_mal sw_tcap_complete(const uint8_t *buf, struct sw_msu *msu);
/* MAP parameter of component comp_idx (already decoded by tcap), called by the TCAP walk for
 * every component in order: checks it, and stores its fields in msu->map if it is the default
 * source (the first invoke; without an invoke, the first returnResult giving a field). */
enum sw_mal sw_map_decode_component(const uint8_t *buf, struct sw_msu *msu, unsigned comp_idx);
/* The MAP-DialoguePDU (TS 29.002 17.4), the TLV [off, end) found by tcap in the user-information
 * of the dialogue portion: fills msu->mapdlg and sets SW_HAS_MAPDLG. Returns SW_MAL_NONE or
 * SW_MAL_TCAP_DIALOGUE (the dialogue portion is a TCAP element; tcap records it). */
enum sw_mal sw_map_decode_dialogue(const uint8_t *buf, uint32_t off, uint32_t end,
				   struct sw_msu *msu);
/*
 * CAP, 3GPP TS 29.078 (dataplane/decode/cap.c). sw_cap_recognise: called by the TCAP walk once
 * the dialogue portion is read (before the components): sets SW_HAS_CAP and msu->cap.version
 * when the application context is a CAP one, or when there is none and the called or calling
 * SSN is 146; returns whether it did. sw_cap_decode_component: the CAP counterpart of
 * sw_map_decode_component for a CAP message (same selection: the first invoke's fields in
 * msu->cap; every component's argument checked); component 0 starts msu->cap afresh, so that
 * a one-component view re-decodes cleanly. sw_map_decode_component calls it for CAP messages.
 */
bool sw_cap_recognise(struct sw_msu *msu);
enum sw_mal sw_cap_decode_component(const uint8_t *buf, struct sw_msu *msu, unsigned comp_idx);
/* Q.763 3.9 called / 3.10 calling party number octets [off, off + len) (ISUP, and CAP's
 * Called/CallingPartyNumber); SW_MAL_ISUP_PARAM_LEN under 2 octets, SW_MAL_ISUP_DIGITS_LONG. */
enum sw_mal sw_isup_number_decode(const uint8_t *buf, uint32_t off, uint32_t len, bool calling,
				  struct sw_isup_number *n);
/* Clear msu->map and fill it from component comp_idx alone (msu->map.from_comp = comp_idx + 1),
 * so that every invoke can be judged with its own parameters (issue 13). Returns that
 * component's MAP malformation (SW_MAL_NONE if none); msu->mal and the other layers are left
 * as the message decode set them. buf is the packet the message was decoded from. For a CAP
 * message (SW_HAS_CAP) the same with msu->cap: filled from that component when it is an
 * invoke (cap.from_comp = comp_idx + 1), left empty otherwise; msu->map stays empty. */
enum sw_mal sw_map_select_component(const uint8_t *buf, struct sw_msu *msu, unsigned comp_idx);
/*
 * Issue 20 D2: component comp_idx's view from what the decoder stored with a plan asking for
 * views (decode/plan_want.h): fills view->map, view->cap and view->has exactly as decoding that
 * component alone does (sw_map_decode_component(buf, view, 0) on a copy of msu with only that
 * component and msu->map cleared), without walking its argument again. false (view untouched):
 * nothing stored for this message (decoded without such a plan) or overwritten since; decode
 * it again. sw_decode_arg_walks: arguments (MAP parameters, CAP arguments) walked so far by
 * the calling thread (the policy-mask test counts them).
 */
bool sw_map_view_component(const struct sw_msu *msu, unsigned comp_idx, struct sw_msu *view);
uint64_t sw_decode_arg_walks(void);
extern _Thread_local uint64_t sw_decode_arg_walk_count;

/* The name tables (sw_map_op_name, sw_sccp_type_name, ...) are declared in the
 * dataplane/proto/ headers included above and defined once in dataplane/proto/names.c. */

/* An MTP3 routing label. */
struct sw_mtp3_label {
	uint32_t dpc, opc;
	uint8_t sls;
};

/* The MTP3 routing label at p (len octets available) of the given network variant
 * (dataplane/proto/ansi.h; ITU: Q.704 2.2.2; ANSI: T1.111.4 2.2). Returns the label's length in
 * octets, or -1 when it does not fit or the variant is unknown. The one label parser (M2PA, and
 * whatever else carries a bare MTP3 message). */
int sw_mtp3_label(const uint8_t *p, uint32_t len, enum sw_variant variant,
		  struct sw_mtp3_label *out);

/* Digit helpers shared by the layers. */
/* BCD, low nibble first (Q.713 3.4.2.3, Q.763 3.9, TS 29.002 TBCD). 0xf ends. With odd set, the
 * high nibble of the last byte is a filler. tbcd selects the TS 29.002 '*','#','a','b','c' mapping
 * for 0xa-0xe instead of hex. Returns -1 if more than SW_DIGITS_MAX digits. */
int sw_bcd_decode(const uint8_t *p, uint32_t n, bool odd, bool tbcd, struct sw_digits *out);

/* Dotted text of an encoded OID ("0.4.0.0.1.0.1.3"); returns the length written or -1. The one
 * OID-to-text (printer and policy): its validity rules are listed above its definition in
 * tcap.c (X.690 8.19.2 minimal encoding, terminated, every arc below 2^32, fits in outsz). */
int sw_oid_to_text(const uint8_t *oid, unsigned len, char *out, unsigned outsz);

#endif /* SW_DECODE_DECODE_H */
