/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * mkseg OUT.pcap: a capture of segmented SCCP messages for the policy and oracle tests of issue
 * 14 (tests/reasm/policy_segments.py says what each frame must get). Every frame is Ethernet,
 * IPv4 192.0.2.11 -> 10.20.0.11 (outside to inside), SCTP 2905 -> 2906 with one DATA chunk (RFC
 * 9260 3.3.1, CRC32c correct) carrying one M3UA DATA message; TSNs and SSNs count up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/enforce/enforce.h"
#include "dataplane/proto/sctp.h"
#include "seg_build.h"

#define PARTNER_DE_GT "491720123456"
#define PARTNER_DE_IMSI "262021234567890"
#define FR_IMSI "208011234567890"
#define HOME_IMSI "655011234567890"
#define FOREIGN_GT "8613912345678"
#define HOME_VLR "27820000020"

static FILE *out;
static uint32_t tsn = 1000, frame_no;
static uint16_t ssn;
static uint64_t ts_us = 1767225600000000ull; /* 2026-01-01 */

static void
le32(FILE *f, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	fwrite(b, 1, 4, f);
}

static void write_frame(uint8_t *f, uint32_t n, const char *what);

/* One frame around M3UA message s; prints "frame N: what" for the test's reader. */
static void
frame(const struct t_seg *s, const char *what)
{
	static uint8_t f[6000];

	write_frame(f, t_frame(f, s, tsn++, ssn++), what);
}

/* Fragment k of M3UA message s cut in nk (RFC 9260 6.9: TSN base + k, one SSN, B/E bits). */
static void
fragment(const struct t_seg *s, unsigned k, unsigned nk, uint32_t base, uint16_t fssn,
	 const char *what)
{
	static uint8_t f[6000];
	uint32_t per = (s->len + nk - 1) / nk, off = per * k;
	uint32_t len = off + per > s->len ? s->len - off : per;
	uint8_t fl = (uint8_t)((k == 0 ? SCTP_DATA_B : 0) | (k == nk - 1 ? SCTP_DATA_E : 0));

	write_frame(f, t_frame_raw(f, s->buf + s->off + off, len, base + k, fssn, fl), what);
}

static void
write_frame(uint8_t *f, uint32_t n, const char *what)
{
	uint32_t crc;
	uint8_t *sc = f + 34;

	/* RFC 9260 Appendix B: the CRC32c, stored least significant byte first */
	crc = sw_crc32c(sc, n - 34);
	sc[8] = (uint8_t)crc;
	sc[9] = (uint8_t)(crc >> 8);
	sc[10] = (uint8_t)(crc >> 16);
	sc[11] = (uint8_t)(crc >> 24);
	ts_us += 1000;
	le32(out, (uint32_t)(ts_us / 1000000));
	le32(out, (uint32_t)(ts_us % 1000000));
	le32(out, n);
	le32(out, n);
	fwrite(f, 1, n, out);
	printf("frame %u: %s\n", ++frame_no, what);
}

int
main(int argc, char **argv)
{
	static uint8_t tc[1024];
	static struct t_seg s[4], x;
	size_t n;

	if (argc != 2 || (out = fopen(argv[1], "wb")) == NULL) {
		fprintf(stderr, "usage: mkseg OUT.pcap\n");
		return 2;
	}
	le32(out, 0xa1b2c3d4);
	fwrite("\x02\x00\x04\x00", 1, 4, out);
	le32(out, 0);
	le32(out, 0);
	le32(out, 65535);
	le32(out, 1); /* Ethernet */

	/* 1-3: a partner's insertSubscriberData for its own subscriber, out of order */
	n = t_isd_tcap(tc, sizeof(tc), PARTNER_DE_IMSI, 0x01000001);
	t_cut(s, 3, PARTNER_DE_GT, HOME_VLR, 4001, 0x000101, tc, n);
	frame(&s[1], "legit pending");
	frame(&s[2], "legit pending");
	frame(&s[0], "legit complete allow");
	/* 4-5: insertSubscriberData for a home subscriber from a GT of no partner, in order */
	n = t_isd_tcap(tc, sizeof(tc), HOME_IMSI, 0x01000002);
	t_cut(s, 2, FOREIGN_GT, HOME_VLR, 4001, 0x000102, tc, n);
	frame(&s[0], "attack pending");
	frame(&s[1], "attack complete drop");
	/* 6: a retransmitted copy of the attack's first segment */
	frame(&s[0], "attack known drop");
	/* 7-9: the partner again, for a subscriber of another partner (FS.11 category 2) */
	n = t_isd_tcap(tc, sizeof(tc), FR_IMSI, 0x01000003);
	t_cut(s, 3, PARTNER_DE_GT, HOME_VLR, 4001, 0x000103, tc, n);
	frame(&s[2], "attack pending");
	frame(&s[0], "attack pending");
	frame(&s[1], "attack complete drop");
	/* 10-11: a segment, then another one at its place with other octets */
	n = t_isd_tcap(tc, sizeof(tc), PARTNER_DE_IMSI, 0x01000004);
	t_cut(s, 2, PARTNER_DE_GT, HOME_VLR, 4001, 0x000104, tc, n);
	frame(&s[1], "legit pending");
	t_segment(&x, PARTNER_DE_GT, HOME_VLR, 4001, 0x000104, tc, 8, 0, 0);
	frame(&x, "conflict malformed drop sccp_reasm_conflict");
	/* 12: and the first segment of that failed message */
	frame(&s[0], "conflict known drop sccp_reasm_conflict");
	/* 13-14: the partner's ISD in two LUDT segments (Q.713 4.20, long data) */
	n = t_isd_tcap(tc, sizeof(tc), PARTNER_DE_IMSI, 0x01000005);
	t_ludt_segment(&s[0], PARTNER_DE_GT, HOME_VLR, 4001, 0x000105, tc, n / 2, 1, 1);
	t_ludt_segment(&s[1], PARTNER_DE_GT, HOME_VLR, 4001, 0x000105, tc + n / 2, n - n / 2, 0,
		       0);
	frame(&s[0], "legit pending");
	frame(&s[1], "legit complete allow");
	/* 15-16: a segment claiming 16 segments in a message whose first said 2 */
	t_segment(&x, PARTNER_DE_GT, HOME_VLR, 4001, 0x000106, tc, 8, 1, 1);
	frame(&x, "legit pending");
	t_segment(&x, PARTNER_DE_GT, HOME_VLR, 4001, 0x000106, tc + 8, 8, 0, 14);
	frame(&x, "inconsistent malformed drop sccp_reasm_inconsistent");
	/* 17-19: the partner's ISD in order (tshark rebuilds XUDT segments only in order) */
	n = t_isd_tcap(tc, sizeof(tc), PARTNER_DE_IMSI, 0x01000007);
	t_cut(s, 3, PARTNER_DE_GT, HOME_VLR, 4001, 0x000107, tc, n);
	frame(&s[0], "legit pending");
	frame(&s[1], "legit pending");
	frame(&s[2], "legit complete allow");
	/* 20-22: the partner's ISD in a UDT, fragmented by SCTP over three DATA chunks (RFC 9260
	 * 6.9, issue 14 D2): held, then judged whole by its content on the last one */
	n = t_isd_tcap(tc, sizeof(tc), PARTNER_DE_IMSI, 0x01000008);
	t_udt(&x, PARTNER_DE_GT, HOME_VLR, 4001, tc, n);
	fragment(&x, 0, 3, tsn, ssn, "legit pending");
	fragment(&x, 1, 3, tsn, ssn, "legit pending");
	fragment(&x, 2, 3, tsn, ssn, "legit complete allow");
	tsn += 3;
	ssn++;
	/* 23-25: an attack fragmented in two, E before B, then the E fragment retransmitted */
	n = t_isd_tcap(tc, sizeof(tc), HOME_IMSI, 0x01000009);
	t_udt(&x, FOREIGN_GT, HOME_VLR, 4001, tc, n);
	fragment(&x, 1, 2, tsn, ssn, "attack pending");
	fragment(&x, 0, 2, tsn, ssn, "attack complete drop");
	fragment(&x, 1, 2, tsn, ssn, "attack known drop");
	tsn += 2;
	ssn++;
	if (fclose(out) != 0) {
		perror(argv[1]);
		return 1;
	}
	return 0;
}
