/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Reassembly sequences (issue 14, dataplane/reasm): the input is a table configuration and a
 * sequence of SCCP segments (key, F bit, remaining, time step, data) or of SCTP DATA fragments
 * (stream, B/E/U bits, TSN step, PPID, time step, data) fed to one table, with a verdict
 * recorded for every message judged. A rebuilt SCTP message is decoded by its PPID (M3UA or
 * M2PA) and may go on to the SCCP table. Checked after every segment, besides the
 * sanitizers: a rebuilt message is at most 3,952 octets of at most max_pieces segments; a held
 * segment is no longer a malformation; a failure has a reassembly reason; a later copy gets the
 * verdict last given to its message; the table never holds more than its entries.
 *
 * Input: byte 0: entries 16 << (b & 3), max_pieces 1 + (b >> 2 & 15), bit 6: SCTP fragments.
 * Then records [flags] [low nibble, high nibble time step in 1/2 s] [length] [data]:
 *   SCCP: flags bit 0 first, bits 1-2 OPC, bits 3-5 local reference, bit 6 port, bit 7 called
 *         address variant; low nibble: remaining segments.
 *   SCTP: flags bit 0 B, bit 1 E, bit 2 U, bits 3-5 stream, bit 6 port, bit 7 not M3UA (PPID 3)
 *         but M2PA (5) on an even stream, 46 on an odd one; low nibble: TSN step - 4 from the
 *         previous fragment.
 * The verdict given to a judged message is drop when its first data octet is odd.
 *
 * Byte 0 bit 7: IP fragments (issue 14 D1) through the EAL-free table inspect uses
 * (dataplane/reasm/ipfrag.c; the workers' rte_ip_frag needs the EAL heap, so it is not reachable
 * here: tests/reasm/dp_ipfrag.py drives it). Entries 2 << (b & 3), 1,024 octets at most, 2 s
 * timeout. Records [flags] [offset in 8-octet units] [length] [data]: flags bit 0 more
 * fragments, bits 1-3 identification, bit 4 IPv6, bits 5-7 time step in 1/2 s. Checked: a
 * rebuilt datagram decodes as no fragment, is at most 1,024 octets of payload and holds the
 * octets last put at each offset under its identification; a failure has an IP reassembly
 * reason; a fragment that is not reassembled stays ip_fragment.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/decode/decode.h"
#include "dataplane/proto/sctp.h"
#include "dataplane/proto/ip.h"
#include "dataplane/reasm/ipfrag.h"
#include "dataplane/reasm/reasm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NKEYS 64 /* 4 OPCs x 8 references x 2 ports */

static void
seg_msu(struct sw_msu *msu, uint8_t flags, uint8_t rem, uint32_t off, uint32_t len)
{
	memset(msu, 0, sizeof(*msu));
	msu->has = SW_HAS_M3UA | SW_HAS_PROTO_DATA | SW_HAS_SCCP | SW_HAS_SEGMENT;
	msu->mal = SW_MAL_SCCP_SEGMENTED;
	msu->m3ua.opc = 4000 + (flags >> 1 & 3);
	msu->m3ua.dpc = 1001;
	msu->m3ua.si = 3;
	msu->sccp.type = SCCP_MSG_XUDT;
	msu->sccp.cgpa.present = true;
	msu->sccp.cgpa.gti = 4;
	msu->sccp.cgpa.digits.len = 12;
	memcpy(msu->sccp.cgpa.digits.d, "491720123456", 12);
	msu->sccp.cdpa.present = true;
	msu->sccp.cdpa.gti = 4;
	msu->sccp.cdpa.digits.len = 11;
	memcpy(msu->sccp.cdpa.digits.d, flags & 0x80 ? "27820000099" : "27820000020", 11);
	msu->sccp.seg_first = flags & 1;
	msu->sccp.seg_remaining = rem & 0x0f;
	msu->sccp.seg_ref = flags >> 3 & 7;
	msu->sccp.data_off = off;
	msu->sccp.data_len = len;
}

static void
frag_msu(struct sw_msu *msu, uint8_t flags, uint32_t tsn, uint32_t off, uint32_t len)
{
	memset(msu, 0, sizeof(*msu));
	msu->mal = SW_MAL_SCTP_DATA_FRAGMENT;
	msu->chunk_type = SCTP_CT_DATA;
	msu->chunk_flags = flags & 7;
	if ((msu->chunk_flags & SCTP_DATA_BE) == SCTP_DATA_BE)
		msu->chunk_flags &= (uint8_t)~SCTP_DATA_E; /* a whole message is no fragment */
	msu->tsn = tsn;
	msu->sid = flags >> 3 & 7;
	msu->ssn = (uint16_t)(msu->sid * 7);
	msu->ppid = !(flags & 0x80) ? SW_PPID_M3UA : (msu->sid & 1) ? 46 : SW_PPID_M2PA;
	msu->data_off = off;
	msu->data_len = len;
}

#define IP_MAX 1024

/* An Ethernet frame with the IPv4 or IPv6 fragment of one record. */
static uint32_t
ip_frame(uint8_t *f, uint8_t flags, uint32_t ofs, const uint8_t *d, uint32_t len)
{
	uint8_t *ip = f + ETH_HDR_LEN;
	uint32_t id = 0x100u + (flags >> 1 & 7);

	memset(f, 0, ETH_HDR_LEN + IPV6_HDR_LEN + IPV6_FRAG_HDR_LEN);
	if (flags & 0x10) {
		f[12] = 0x86, f[13] = 0xdd;
		ip[0] = 0x60;
		ip[IPV6_OFF_NH] = IPV6_NH_FRAGMENT;
		ip[IPV6_OFF_SRC] = ip[IPV6_OFF_DST] = 0x20;
		ip[IPV6_OFF_DST + 15] = 2;
		sw_ipv6_fix(ip, IPV6_HDR_LEN + IPV6_FRAG_HDR_LEN + len);
		ip[40] = IP_PROTO_SCTP;
		ip[42] = (uint8_t)(ofs >> 8);
		ip[43] = (uint8_t)((ofs & 0xf8) | (flags & 1));
		ip[46] = (uint8_t)(id >> 8), ip[47] = (uint8_t)id;
		memcpy(ip + 48, d, len);
		return ETH_HDR_LEN + 48 + len;
	}
	f[12] = 0x08;
	ip[0] = 0x45;
	ip[4] = (uint8_t)(id >> 8), ip[5] = (uint8_t)id;
	ip[IPV4_OFF_FRAG] = (uint8_t)(((flags & 1) ? IPV4_FLAG_MF >> 8 : 0) | (ofs / 8) >> 8);
	ip[IPV4_OFF_FRAG + 1] = (uint8_t)(ofs / 8);
	ip[IPV4_OFF_PROTO] = IP_PROTO_SCTP;
	ip[12] = ip[16] = 10, ip[19] = 2;
	memcpy(ip + IPV4_HDR_MIN, d, len);
	sw_ipv4_fix(ip, IPV4_HDR_MIN + len, IPV4_HDR_MIN);
	return ETH_HDR_LEN + IPV4_HDR_MIN + len;
}

static int
fuzz_ip(const uint8_t *data, size_t size)
{
	static uint8_t f[ETH_HDR_LEN + 48 + 256];
	static uint8_t shadow[16][2048]; /* octets last put per identification and version */
	struct sw_ipfrag *t = sw_ipfrag_new(2u << (data[0] & 3), 2000000000ull, IP_MAX);
	uint64_t now = 1;
	size_t at = 1;

	if (t == NULL)
		abort();
	while (at + 3 <= size) {
		uint8_t flags = data[at], len = data[at + 2];
		uint32_t ofs = (uint32_t)data[at + 1] * 8, flen, outlen = 0;
		unsigned key = (flags >> 1 & 7) + (flags & 0x10 ? 8u : 0u);
		const uint8_t *out = NULL;
		enum sw_mal mal = SW_MAL_NONE;
		enum sw_ipfrag_res res;
		struct sw_pkt pkt;

		if (len > size - at - 3)
			len = (uint8_t)(size - at - 3);
		now += (uint64_t)(flags >> 5) * 500000000ull;
		flen = ip_frame(f, flags, ofs, data + at + 3, len);
		sw_decode_packet(f, flen, SW_LINK_ETH, &pkt);
		if (pkt.ip_frag) {
			res = sw_ipfrag_put(t, f, flen, &pkt, now, &out, &outlen, &mal);
			if (res == SW_IPFRAG_HELD || res == SW_IPFRAG_DONE)
				memcpy(shadow[key] + ofs, data + at + 3, len);
			if (res == SW_IPFRAG_DONE) {
				uint32_t hl = flags & 0x10 ? IPV6_HDR_LEN : IPV4_HDR_MIN;
				struct sw_pkt whole;

				sw_decode_packet(out, outlen, SW_LINK_ETH, &whole);
				if (whole.ip_frag || outlen < ETH_HDR_LEN + hl ||
				    outlen - ETH_HDR_LEN - hl > IP_MAX ||
				    memcmp(out + ETH_HDR_LEN + hl, shadow[key],
					   outlen - ETH_HDR_LEN - hl) != 0)
					abort();
			} else if (res == SW_IPFRAG_FAIL &&
				   (mal < SW_MAL_IP_REASM_FULL || mal > SW_MAL_IP_REASM_LONG)) {
				abort();
			} else if (res == SW_IPFRAG_NONE && pkt.mal != SW_MAL_IP_FRAGMENT) {
				abort();
			}
		}
		at += 3u + len;
	}
	sw_ipfrag_free(t);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_msu msu;
	static struct sw_pkt pkt = { .sctp = true, .sport = 2905, .dport = 2906, .vtag = 7 };
	struct sw_reasm_conf conf;
	struct sw_reasm *r;
	int8_t given[NKEYS]; /* last action given to each key's message, -1: none */
	uint64_t now = 1;
	uint32_t tsn = 0xfffffff0u;
	size_t at = 1;
	bool sctp;

	if (size < 1 || size > 65536)
		return 0;
	if (data[0] & 0x80)
		return fuzz_ip(data, size);
	sctp = data[0] & 0x40;
	conf.entries = 16u << (data[0] & 3);
	conf.max_pieces = (uint8_t)(1 + (data[0] >> 2 & 15));
	conf.timeout_ns = 8 * 500000000ull;
	r = sw_reasm_new(&conf);
	if (r == NULL)
		abort();
	sw_reasm_set_sctp(r, true);
	memset(given, -1, sizeof(given));
	while (at + 3 <= size) {
		uint8_t flags = data[at], rem = data[at + 1], len = data[at + 2];
		unsigned key = (flags >> 1 & 3) * 16u + (flags >> 3 & 7) * 2u + (flags >> 6 & 1);
		struct sw_reasm_out o;
		enum sw_reasm_res res;
		uint32_t off = (uint32_t)at + 3;

		if (len > size - off)
			len = (uint8_t)(size - off);
		now += (uint64_t)(rem >> 4) * 500000000ull;
		if (sctp) {
			tsn += (uint32_t)(rem & 15) - 4u;
			frag_msu(&msu, flags, tsn, off, len);
		} else {
			seg_msu(&msu, flags, rem, off, len);
		}
		res = sw_reasm_msu(r, data, &pkt, &msu, flags >> 6 & 1, now, &o);
		switch (res) {
		case SW_REASM_PENDING:
			if (msu.mal != SW_MAL_NONE)
				abort();
			break;
		case SW_REASM_COMPLETE:
			if (o.len > SW_REASM_SCTP_DATA_MAX || (!sctp && o.len > SW_REASM_SCCP_DATA_MAX) ||
			    o.npieces == 0 || o.npieces > conf.max_pieces ||
			    (o.entry < 0 && o.sctp_entry < 0))
				abort();
			/* fall through */
		case SW_REASM_FAIL: {
			uint8_t act = len > 0 && (data[off] & 1) ? 1 : 0;
			struct sw_reasm_verdict v = { .action = act, .mal = (uint16_t)msu.mal,
						      .rule = 3 };

			if (res == SW_REASM_FAIL &&
			    (msu.mal < SW_MAL_SCCP_REASM_FULL || msu.mal > SW_MAL_SCTP_REASM_SEGMENTS))
				abort();
			sw_reasm_verdict(r, &o, &v);
			if (!sctp && o.entry >= 0)
				given[key] = (int8_t)act;
			break;
		}
		case SW_REASM_KNOWN:
			/* SCTP: a rebuilt message's SCCP segment may belong to another key's */
			if (!sctp && (given[key] < 0 || o.known.action != (uint8_t)given[key]))
				abort();
			if (o.known.action > 1)
				abort();
			break;
		default:
			abort();
		}
		if (sw_reasm_stats(r)->in_use > conf.entries * 2u + 16)
			abort();
		at = off + len;
	}
	sw_reasm_free(r);
	return 0;
}
