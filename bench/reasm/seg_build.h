/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Segmented SCCP messages for the reassembly tests (tests/reasm) and benchmark (bench/reasm): a MAP
 * message encoded by sigwall-gen's encoders (bench/gen), cut into XUDT segments (Q.713 4.18,
 * segmentation parameter Q.713 3.17), each in an M3UA DATA message (RFC 4666 3.3.1).
 */
#ifndef SW_TESTS_REASM_SEG_BUILD_H
#define SW_TESTS_REASM_SEG_BUILD_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "dataplane/decode/decode.h"
#include "dataplane/proto/map.h"
#include "gen.h"

#define T_SEG_MAX 16
#define T_SEG_BUF 4600

struct t_seg {
	uint8_t buf[T_SEG_BUF]; /* the M3UA message at buf + off */
	uint32_t off, len;
};

/* insertSubscriberData (TS 29.002 8.8.1) in a TCAP Begin from calling GT cg for IMSI imsi. */
static inline size_t
t_isd_tcap(uint8_t *out, size_t cap, const char *imsi, uint32_t otid)
{
	uint8_t tmp[1024];
	struct sw_gen_bb b;
	struct sw_gen_tcap t;
	struct sw_gen_sub sub;
	size_t n;

	memset(&t, 0, sizeof(t));
	memset(&sub, 0, sizeof(sub));
	t.type = SW_GEN_BEGIN;
	t.dlg = SW_GEN_DLG_AARQ;
	t.acn = MAP_AC_SUBSCRIBER_DATA_MNGT;
	t.acn_ver = 3;
	t.otid = otid;
	t.ncomp = 1;
	t.comp[0].type = SW_GEN_INVOKE;
	t.comp[0].iid = 1;
	t.comp[0].op = MAP_OP_INSERT_SUBSCRIBER_DATA;
	snprintf(sub.imsi, sizeof(sub.imsi), "%s", imsi);
	snprintf(sub.msisdn, sizeof(sub.msisdn), "%s", "4917012345678");
	snprintf(sub.node_a, sizeof(sub.node_a), "%s", "27820000020");
	snprintf(sub.node_b, sizeof(sub.node_b), "%s", "491720000010");
	sw_gen_bb_init(&b, tmp, sizeof(tmp));
	sw_gen_tcap(&b, &t, &sub);
	n = sw_gen_bb_len(&b);
	if (n > cap)
		return 0;
	memcpy(out, b.p, n);
	return n;
}

/*
 * Segment data[0..n) of a message into one M3UA DATA message: XUDT from cg (SSN 6) to cd
 * (SSN 7), OPC opc, DPC 1001, segmentation local reference ref, F bit first, remaining rem.
 */
static inline void
t_segment(struct t_seg *s, const char *cg, const char *cd, uint32_t opc, uint32_t ref,
	  const uint8_t *data, size_t n, int first, int rem)
{
	struct sw_gen_sccp_addr cgpa = { .ssn = 6, .gti = 4 }, cdpa = { .ssn = 7, .gti = 4 };
	struct sw_gen_bb b;

	snprintf(cgpa.gt, sizeof(cgpa.gt), "%s", cg);
	snprintf(cdpa.gt, sizeof(cdpa.gt), "%s", cd);
	sw_gen_bb_init(&b, s->buf, sizeof(s->buf));
	sw_gen_sccp_xudt(&b, &cdpa, &cgpa, data, n, first, rem, ref);
	sw_gen_m3ua_data(&b, 100, opc, 1001, 3, 5);
	s->off = (uint32_t)(b.p - s->buf);
	s->len = (uint32_t)sw_gen_bb_len(&b);
}

/* Called/calling address, Q.713 3.4: route on GT, GTI 4, SSN, TT 0, E.164, BCD, international. */
static inline size_t
t_addr_enc(uint8_t *p, const char *gt, uint8_t ssn)
{
	size_t nd = strlen(gt), n = 0;

	p[n++] = 0x12; /* Q.713 3.4.1: GTI 4, SSN present, route on GT */
	p[n++] = ssn;
	p[n++] = 0x00;				     /* translation type */
	p[n++] = (uint8_t)(0x10 | (nd & 1 ? 1 : 2)); /* E.164, BCD odd/even */
	p[n++] = 0x04;				     /* international */
	for (size_t i = 0; i < nd; i += 2)
		p[n++] = (uint8_t)((gt[i] - '0') | (i + 1 < nd ? (gt[i + 1] - '0') << 4 : 0));
	return n;
}

/*
 * An LUDT segment (Q.713 4.20: long data, two-octet pointers counted from their second octet as
 * sccp.c reads them) in an M3UA DATA message, for messages longer than XUDT segments can carry.
 */
static inline void
t_ludt_segment(struct t_seg *s, const char *cg, const char *cd, uint32_t opc, uint32_t ref,
	       const uint8_t *data, size_t n, int first, int rem)
{
	uint8_t m[T_SEG_BUF];
	size_t la, lb, k = 11, ptr[4];
	struct sw_gen_bb b;

	m[0] = 0x13; /* LUDT */
	m[1] = 0x81; /* class 1, return on error */
	m[2] = 0x0f; /* hop counter */
	ptr[0] = k;
	la = t_addr_enc(m + k + 1, cd, 7);
	m[k] = (uint8_t)la;
	k += 1 + la;
	ptr[1] = k;
	lb = t_addr_enc(m + k + 1, cg, 6);
	m[k] = (uint8_t)lb;
	k += 1 + lb;
	ptr[2] = k;
	m[k] = (uint8_t)n;
	m[k + 1] = (uint8_t)(n >> 8);
	memcpy(m + k + 2, data, n);
	k += 2 + n;
	ptr[3] = k;
	m[k++] = 0x10; /* segmentation, Q.713 3.17 */
	m[k++] = 4;
	m[k++] = (uint8_t)((first ? 0x80 : 0) | 0x40 | (rem & 0x0f));
	m[k++] = (uint8_t)ref;
	m[k++] = (uint8_t)(ref >> 8);
	m[k++] = (uint8_t)(ref >> 16);
	m[k++] = 0x00; /* end of optional parameters */
	for (unsigned i = 0; i < 4; i++) {
		size_t v = ptr[i] - (3 + 2 * i + 1);

		m[3 + 2 * i] = (uint8_t)v;
		m[4 + 2 * i] = (uint8_t)(v >> 8);
	}
	sw_gen_bb_init(&b, s->buf, sizeof(s->buf));
	b.p -= k;
	memcpy(b.p, m, k);
	sw_gen_m3ua_data(&b, 100, opc, 1001, 3, 5);
	s->off = (uint32_t)(b.p - s->buf);
	s->len = (uint32_t)sw_gen_bb_len(&b);
}

/* Cut data[0..n) into k segments as equal as possible (segment i gets remaining k-1-i). */
static inline unsigned
t_cut(struct t_seg *segs, unsigned k, const char *cg, const char *cd, uint32_t opc, uint32_t ref,
      const uint8_t *data, size_t n)
{
	size_t per = (n + k - 1) / k, off = 0;

	for (unsigned i = 0; i < k; i++) {
		size_t len = off + per > n ? n - off : per;

		t_segment(&segs[i], cg, cd, opc, ref, data + off, len, i == 0, (int)(k - 1 - i));
		off += len;
	}
	return k;
}

/* Decode segment s as the judge does (the M3UA message alone). */
static inline enum sw_mal
t_decode(const struct t_seg *s, struct sw_msu *msu)
{
	memset(msu, 0, sizeof(*msu));
	return sw_m3ua_decode(s->buf, s->off, s->off + s->len, msu);
}

/*
 * An Ethernet frame around DATA chunk payload d[0..n): IPv4 192.0.2.11 -> 10.20.0.11 (outside to
 * inside), SCTP 2905 -> 2906, verification tag 0x5eed1234, one DATA chunk (RFC 9260 3.3.1) with
 * flags (SCTP_DATA_B/E/U), TSN tsn, stream 1, SSN ssn, PPID 3 (M3UA). The SCTP checksum is left
 * 0 (the caller fills it where a reader checks it). Returns the frame length.
 */
static inline uint32_t
t_frame_raw(uint8_t *f, const uint8_t *dp, uint32_t dn, uint32_t tsn, uint16_t ssn, uint8_t flags)
{
	uint32_t dlen = 16 + dn, pad = (4 - (dlen & 3)) & 3, n = 14 + 20 + 12 + dlen + pad;
	uint8_t *ip = f + 14, *sc = ip + 20, *d = sc + 12;
	uint32_t sum = 0;

	memset(f, 0, n);
	memcpy(f, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	ip[0] = 0x45;
	ip[2] = (uint8_t)((n - 14) >> 8);
	ip[3] = (uint8_t)(n - 14);
	ip[6] = 0x40; /* DF */
	ip[8] = 64;
	ip[9] = 132; /* SCTP */
	memcpy(ip + 12, "\xc0\x00\x02\x0b\x0a\x14\x00\x0b", 8);
	for (unsigned i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ip[10] = (uint8_t)(~sum >> 8);
	ip[11] = (uint8_t)~sum;
	memcpy(sc, "\x0b\x59\x0b\x5a\x5e\xed\x12\x34", 8); /* ports 2905, 2906; tag */
	d[0] = 0; /* DATA */
	d[1] = flags;
	d[2] = (uint8_t)(dlen >> 8);
	d[3] = (uint8_t)dlen;
	d[4] = (uint8_t)(tsn >> 24);
	d[5] = (uint8_t)(tsn >> 16);
	d[6] = (uint8_t)(tsn >> 8);
	d[7] = (uint8_t)tsn;
	d[9] = 1; /* stream 1 */
	d[10] = (uint8_t)(ssn >> 8);
	d[11] = (uint8_t)ssn;
	d[15] = 3; /* M3UA */
	memcpy(d + 16, dp, dn);
	return n;
}

/* The frame of M3UA message s whole in one DATA chunk (B and E). */
static inline uint32_t
t_frame(uint8_t *f, const struct t_seg *s, uint32_t tsn, uint16_t ssn)
{
	return t_frame_raw(f, s->buf + s->off, s->len, tsn, ssn, 0x03);
}

/* An M3UA DATA message carrying an SCCP UDT (Q.713 4.10) around TCAP tc[0..n) from cg to cd. */
static inline void
t_udt(struct t_seg *s, const char *cg, const char *cd, uint32_t opc, const uint8_t *tc, size_t n)
{
	struct sw_gen_sccp_addr cgpa = { .ssn = 6, .gti = 4 }, cdpa = { .ssn = 7, .gti = 4 };
	struct sw_gen_bb b;

	snprintf(cgpa.gt, sizeof(cgpa.gt), "%s", cg);
	snprintf(cdpa.gt, sizeof(cdpa.gt), "%s", cd);
	sw_gen_bb_init(&b, s->buf, sizeof(s->buf));
	b.p -= n;
	memcpy(b.p, tc, n);
	sw_gen_sccp_udt(&b, &cdpa, &cgpa);
	sw_gen_m3ua_data(&b, 100, opc, 1001, 3, 5);
	s->off = (uint32_t)(b.p - s->buf);
	s->len = (uint32_t)sw_gen_bb_len(&b);
}

#endif /* SW_TESTS_REASM_SEG_BUILD_H */
