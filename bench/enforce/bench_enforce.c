/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwall-bench-enforce: the cost of association repair. The same pre-built trace (16
 * associations, both directions, DATA packets of 1-3 chunks of ~200 bytes, a SACK for every two
 * DATA packets of the other direction, 5% of MSUs blocked) goes through sw_enforce_packet() with
 * repair off (chunk removal only) and with repair on, in the same run. The trace is generated
 * in batches of 512 packets (small enough to stay in L2, as mbufs recycled by a worker do);
 * each batch goes through the three modes in turn, each mode keeping its own enforcement
 * state across batches. Every packet is first copied into a work buffer (the rewrite is in
 * place); the copy-only mode is the baseline. Reports ns/packet per mode (best and median of
 * the rounds) and the repair-on / repair-off ratio (goal: <= 1.10).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "enforce.h"

#define NASSOC	16
#define PKT_MAX 768
#define L3	14
#define L4	34

struct tp {
	uint8_t b[PKT_MAX];
	uint32_t len;
	uint8_t dir;
	uint64_t mask;
	struct sw_pkt pkt;
};

static struct tp *trace;
static unsigned ntrace;

static void
w16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
w32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static struct tp *
start(unsigned a, unsigned dir, uint32_t vtag)
{
	struct tp *t = &trace[ntrace++];
	uint8_t *ip = t->b + L3;

	memset(t, 0, sizeof(*t));
	memcpy(t->b, "\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00", 14);
	ip[0] = 0x45;
	ip[8] = 64;
	ip[9] = 132;
	w32(ip + 12, dir ? 0x0a000002 : 0x0a000001);
	w32(ip + 16, dir ? 0x0a000001 : 0x0a000002);
	w16(t->b + L4, (uint16_t)(dir ? 2905 : 3000 + a));
	w16(t->b + L4 + 2, (uint16_t)(dir ? 3000 + a : 2905));
	w32(t->b + L4 + 4, vtag);
	t->len = L4 + 12;
	t->dir = (uint8_t)dir;
	return t;
}

static uint8_t *
chunk(struct tp *t, uint8_t type, uint16_t len)
{
	uint8_t *c = t->b + t->len;

	c[0] = type;
	w16(c + 2, len);
	t->len += (len + 3u) & ~3u;
	return c;
}

static void
finish(struct tp *t)
{
	uint8_t *ip = t->b + L3;
	uint32_t sum = 0, crc, off;
	unsigned i;

	w16(ip + 2, (uint16_t)(t->len - L3));
	for (i = 0; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	w16(ip + 10, (uint16_t)~sum);
	crc = sw_crc32c(t->b + L4, t->len - L4);
	memcpy(t->b + L4 + 8, &crc, 4); /* little-endian host: RFC 4960 byte order */
	t->pkt.len = t->len;
	t->pkt.ip_ver = 4;
	t->pkt.ip_proto = 132;
	t->pkt.l3_off = L3;
	t->pkt.l4_off = L4;
	t->pkt.l4_end = t->len;
	t->pkt.sctp = true;
	for (off = L4 + 12; off < t->len;) {
		struct sw_chunk *c = &t->pkt.chunks[t->pkt.nchunks++];

		c->type = t->b[off];
		c->len = (uint16_t)(t->b[off + 2] << 8 | t->b[off + 3]);
		c->off = off;
		off += (c->len + 3u) & ~3u;
	}
}

/* Per association and direction: the sender's next TSN/SSN, what the receiver has seen. */
struct sim {
	uint32_t tsn, removed, ssn[4];
	unsigned since_sack;
};

static struct sim sim[NASSOC][2];

static void
handshakes(void)
{
	unsigned a;

	ntrace = 0;
	for (a = 0; a < NASSOC; a++) {
		uint8_t *c;
		struct tp *t;

		/* INIT from A (tag 0x1000+a, TSN 1000), INIT-ACK from B (tag 0x2000+a, TSN 5000) */
		t = start(a, 0, 0);
		c = chunk(t, 1, 20);
		w32(c + 4, 0x1000 + a);
		w32(c + 8, 1 << 20);
		w16(c + 12, 4);
		w16(c + 14, 4);
		w32(c + 16, 1000);
		finish(t);
		t = start(a, 1, 0x1000 + a);
		c = chunk(t, 2, 20);
		w32(c + 4, 0x2000 + a);
		w32(c + 8, 1 << 20);
		w16(c + 12, 4);
		w16(c + 14, 4);
		w32(c + 16, 5000);
		finish(t);
		memset(sim[a], 0, sizeof(sim[a]));
		sim[a][0].tsn = 1000;
		sim[a][1].tsn = 5000;
	}
}

/* The next batch of npkts packets of the ongoing associations. */
static void
batch(unsigned npkts, unsigned block_pct)
{
	unsigned a, d, i, k;

	ntrace = 0;
	while (ntrace < npkts) {
		struct tp *t;
		struct sim *m;
		unsigned nch, r = (unsigned)rand() % 100;

		a = (unsigned)rand() % NASSOC;
		d = (unsigned)rand() % 2;
		m = &sim[a][d];
		nch = r < 80 ? 1 : r < 95 ? 2 : 3;
		t = start(a, d, d ? 0x1000 + a : 0x2000 + a);
		for (k = 0; k < nch; k++) {
			unsigned sid = (unsigned)rand() % 4;
			uint8_t *c = chunk(t, 0, 16 + 200);

			c[1] = 3;
			w32(c + 4, m->tsn);
			w16(c + 8, (uint16_t)sid);
			w16(c + 10, (uint16_t)m->ssn[sid]);
			w32(c + 12, 3);
			for (i = 0; i < 200; i++)
				c[16 + i] = (uint8_t)(i * 7 + k);
			if ((unsigned)rand() % 100 < block_pct) {
				t->mask |= 1ull << k;
				m->removed++;
			}
			m->tsn++;
			m->ssn[sid]++;
		}
		finish(t);
		/* the receiver acknowledges every second packet, in its (repaired) numbering */
		if (++m->since_sack >= 2 && ntrace < npkts) {
			struct tp *sk = start(a, 1 - d, d ? 0x2000 + a : 0x1000 + a);
			uint8_t *c = chunk(sk, 3, 16);

			w32(c + 4, m->tsn - 1 - m->removed);
			w32(c + 8, 1 << 20);
			finish(sk);
			m->since_sack = 0;
		}
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static uint64_t sink;
static uint64_t clock_ns;

/* mode 0: copy only, 1: repair off, 2: repair on, over the current batch. Returns ns. */
static double
pass(int mode, struct sw_enforce *e)
{
	static uint8_t work[PKT_MAX], reply[256];
	uint32_t rl;
	double t0, t1;
	unsigned i;

	t0 = now();
	for (i = 0; i < ntrace; i++) {
		const struct tp *t = &trace[i];

		memcpy(work, t->b, t->len);
		if (mode == 0) {
			sink += work[t->len - 1];
			continue;
		}
		sink += sw_enforce_packet(e, work, t->len, sizeof(work), &t->pkt, t->mask, t->dir,
					  clock_ns, reply, sizeof(reply), &rl);
	}
	t1 = now();
	return t1 - t0;
}

/* One round: a fresh trace of nbatch batches through the three modes. ns/packet per mode. */
static void
round_run(unsigned nbatch, unsigned bsz, unsigned block, unsigned modes, double out[3],
	  uint64_t *ctr)
{
	struct sw_enforce *e[3] = {NULL, sw_enforce_new(4 * NASSOC, false),
				   sw_enforce_new(4 * NASSOC, true)};
	double tot[3] = {0, 0, 0};
	uint64_t npk = 0;
	unsigned b, m;

	handshakes();
	for (m = 1; m < 3; m++)
		pass((int)m, e[m]);
	for (b = 0; b < nbatch; b++) {
		batch(bsz, block);
		npk += ntrace;
		clock_ns += 1000000;
		for (m = 0; m < 3; m++) {
			unsigned mm = (m + b) % 3; /* rotate the order: no mode always runs first */

			if (modes >> mm & 1)
				tot[mm] += pass((int)mm, e[mm]);
		}
	}
	for (m = 0; m < 3; m++)
		out[m] = tot[m] / (double)npk;
	if (ctr != NULL)
		memcpy(ctr, sw_enforce_counters(e[2]), sizeof(uint64_t) * SW_ENF_CTR_COUNT);
	sw_enforce_free(e[1]);
	sw_enforce_free(e[2]);
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	unsigned npkts = 1000000, rounds = 5, block = 5, bsz = 512, i, m;
	unsigned modes = 7;
	double r[3][64], one[3];
	uint64_t ctr[SW_ENF_CTR_COUNT];
	int c;

	while ((c = getopt(argc, argv, "n:r:b:m:")) != -1) {
		switch (c) {
		case 'm':
			modes = (unsigned)atoi(optarg);
			break; /* bit 0 copy, 1 off, 2 on (profiling) */
		case 'n':
			npkts = (unsigned)atoi(optarg);
			break;
		case 'r':
			rounds = (unsigned)atoi(optarg);
			break;
		case 'b':
			block = (unsigned)atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: sigwall-bench-enforce [-n packets per round] "
					"[-r rounds] [-b blocked%%]\n");
			return 2;
		}
	}
	if (rounds == 0 || rounds > 64)
		rounds = 5;
	trace = calloc(bsz + 4 * NASSOC + 2, sizeof(*trace));
	if (trace == NULL)
		return 1;
	srand(1);
	for (i = 0; i < rounds; i++) {
		round_run(npkts / bsz + 1, bsz, block, modes, one, i == 0 ? ctr : NULL);
		for (m = 0; m < 3; m++)
			r[m][i] = one[m];
	}
	for (m = 0; m < 3; m++)
		qsort(r[m], rounds, sizeof(double), cmp);
	printf("trace: %u rounds of %u packets in batches of %u, %d associations, 1-3 DATA "
	       "chunks of 200 B, SACK per 2 packets, %u%% of MSUs blocked\n",
	       rounds, npkts, bsz, NASSOC, block);
	printf("repair on (round 1): chunks removed %llu, data renumbered %llu, SACKs translated "
	       "%llu, SACKs generated %llu, neutralized %llu, SACK for unsent %llu, unknown %llu\n",
	       (unsigned long long)ctr[SW_ENF_CHUNKS_REMOVED],
	       (unsigned long long)ctr[SW_ENF_DATA_RENUMBERED],
	       (unsigned long long)ctr[SW_ENF_SACK_TRANSLATED],
	       (unsigned long long)ctr[SW_ENF_SACK_GENERATED],
	       (unsigned long long)ctr[SW_ENF_NEUTRALIZED],
	       (unsigned long long)ctr[SW_ENF_SACK_UNSENT],
	       (unsigned long long)ctr[SW_ENF_UNKNOWN_ASSOC]);
	printf("%-22s %10s %10s %12s\n", "ns/packet", "best", "median", "Mpps(best)");
	{
		static const char *const names[] = {"copy only (baseline)", "repair off",
						    "repair on"};

		for (m = 0; m < 3; m++)
			printf("%-22s %10.1f %10.1f %12.2f\n", names[m], r[m][0], r[m][rounds / 2],
			       1e3 / r[m][0]);
	}
	printf("ratio repair on / off: best %.3f, median %.3f (goal <= 1.10); "
	       "enforce only (minus copy): off %.1f ns, on %.1f ns\n",
	       r[2][0] / r[1][0], r[2][rounds / 2] / r[1][rounds / 2], r[1][0] - r[0][0],
	       r[2][0] - r[0][0]);
	return sink == 42;
}
