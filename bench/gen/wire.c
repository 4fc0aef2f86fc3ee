/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwall-gen plumbing: seeded random numbers, CRC32c for SCTP, buffered pcap output.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

void
sw_gen_rng_seed(struct sw_gen_rng *r, uint64_t seed)
{
	int i;

	/* splitmix64, the seeding recommended by the xoshiro authors */
	for (i = 0; i < 4; i++) {
		uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		r->s[i] = z ^ (z >> 31);
	}
}

/*
 * CRC32c (Castagnoli, reflected polynomial 0x82F63B78), RFC 4960 Appendix B. The SSE4.2 crc32
 * instruction computes exactly this polynomial; a slice-by-8 table is the portable fallback.
 */
static uint32_t crc_tab[8][256];
static int crc_hw;

void
sw_gen_crc32c_init(void)
{
	uint32_t i, j, c;

	for (i = 0; i < 256; i++) {
		c = i;
		for (j = 0; j < 8; j++)
			c = (c >> 1) ^ ((c & 1) ? 0x82f63b78u : 0);
		crc_tab[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (j = 1; j < 8; j++)
			crc_tab[j][i] =
				(crc_tab[j - 1][i] >> 8) ^ crc_tab[0][crc_tab[j - 1][i] & 0xff];
#if defined(__x86_64__)
	__builtin_cpu_init();
	crc_hw = __builtin_cpu_supports("sse4.2");
#endif
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t
crc_hw_update(uint32_t crc, const uint8_t *p, size_t n)
{
	uint64_t c = crc, v;

	while (n >= 8) {
		memcpy(&v, p, 8);
		c = __builtin_ia32_crc32di(c, v);
		p += 8;
		n -= 8;
	}
	while (n-- > 0)
		c = __builtin_ia32_crc32qi((uint32_t)c, *p++);
	return (uint32_t)c;
}
#endif

static uint32_t
crc_sw_update(uint32_t crc, const uint8_t *p, size_t n)
{
	uint32_t lo, hi;

	while (n >= 8) {
		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
		lo ^= crc;
		crc = crc_tab[7][lo & 0xff] ^ crc_tab[6][(lo >> 8) & 0xff] ^
		      crc_tab[5][(lo >> 16) & 0xff] ^ crc_tab[4][lo >> 24] ^ crc_tab[3][hi & 0xff] ^
		      crc_tab[2][(hi >> 8) & 0xff] ^ crc_tab[1][(hi >> 16) & 0xff] ^
		      crc_tab[0][hi >> 24];
		p += 8;
		n -= 8;
	}
	while (n-- > 0)
		crc = (crc >> 8) ^ crc_tab[0][(crc ^ *p++) & 0xff];
	return crc;
}

int
sw_gen_crc32c_use_hw(int on)
{
	int was = crc_hw;

#if defined(__x86_64__)
	crc_hw = on && __builtin_cpu_supports("sse4.2");
#else
	(void)on;
#endif
	return was;
}

uint32_t
sw_gen_crc32c(const uint8_t *p, size_t n)
{
#if defined(__x86_64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (crc_hw)
		return ~crc_hw_update(0xffffffffu, p, n);
#endif
	return ~crc_sw_update(0xffffffffu, p, n);
}

/* ---- buffered output ---- */

int
sw_gen_out_open(struct sw_gen_out *o, FILE *f, size_t cap)
{
	o->f = f;
	o->len = 0;
	o->cap = cap;
	o->err = 0;
	o->buf = malloc(cap);
	return o->buf == NULL ? -1 : 0;
}

int
sw_gen_out_flush(struct sw_gen_out *o)
{
	if (o->len > 0 && o->err == 0 && fwrite(o->buf, 1, o->len, o->f) != o->len)
		o->err = 1;
	o->len = 0;
	return o->err ? -1 : 0;
}

void
sw_gen_out_write(struct sw_gen_out *o, const void *p, size_t n)
{
	if (o->len + n > o->cap) {
		sw_gen_out_flush(o);
		if (n > o->cap) {
			if (o->err == 0 && fwrite(p, 1, n, o->f) != n)
				o->err = 1;
			return;
		}
	}
	memcpy(o->buf + o->len, p, n);
	o->len += n;
}

void
sw_gen_out_free(struct sw_gen_out *o)
{
	free(o->buf);
	o->buf = NULL;
}

/* libpcap file format: magic a1b2c3d4 (microseconds), v2.4, LINKTYPE_ETHERNET. */
void
sw_gen_pcap_header(struct sw_gen_out *o)
{
	uint32_t h[6] = {0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 1};

	/* version is two uint16 (2, 4) in host order */
	uint16_t ver[2] = {2, 4};

	memcpy((uint8_t *)h + 4, ver, 4);
	sw_gen_out_write(o, h, sizeof(h));
}

void
sw_gen_pcap_record(struct sw_gen_out *o, uint64_t ts_us, const uint8_t *frame, size_t len)
{
	uint32_t r[4];

	r[0] = (uint32_t)(ts_us / 1000000);
	r[1] = (uint32_t)(ts_us % 1000000);
	r[2] = (uint32_t)len;
	r[3] = (uint32_t)len;
	sw_gen_out_write(o, r, sizeof(r));
	sw_gen_out_write(o, frame, len);
}
