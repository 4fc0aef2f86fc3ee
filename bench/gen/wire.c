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
