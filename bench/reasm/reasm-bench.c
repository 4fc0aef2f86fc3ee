/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * reasm-bench: what reassembly costs the worker's per-packet work (issue 14, Performance).
 * Decode + judge (sw_decode_packet + sw_judge_packet, what sw_worker_burst does per packet
 * before enforcement) over frames built in memory, with the shipped policy:
 *
 *   whole/off    every message in one XUDT (first, nothing remaining), no reassembly table
 *   whole/on     the same frames with the table: the cost of the check on unfragmented traffic
 *                (goal: <= 2 ns per packet)
 *   seg10/on     the same messages, 10% of them cut into two XUDT segments: throughput in
 *                messages against whole/on (goal: costs <= 15%)
 *
 * Each pass gives every segmented message a fresh local reference, so every pass reassembles
 * (no pass meets the messages judged by the one before as copies). The three configurations
 * alternate per round (noise hits all alike); medians over the rounds. Times are the thread's
 * CPU time (CLOCK_THREAD_CPUTIME_ID): preemption on a shared machine is not counted.
 *
 *   reasm-bench SRCDIR [ROUNDS] [PASSES]
 * Prints one line per configuration and "RESULT ..." lines. A benchmark, not a timed test.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "control/compiler/compiler.h"
#include "dataplane/decode/decode.h"
#include "dataplane/judge/judge.h"
#include "dataplane/reasm/reasm.h"
#include "seg_build.h"

#define NMSG 2048
#define FRAME_MAX 640

struct trace {
	uint8_t (*f)[FRAME_MAX];
	uint32_t *len;
	uint32_t *ref_off; /* offset of the local reference in the frame, 0: not a segment */
	uint32_t *msg;     /* message index of the frame */
	uint32_t n, nmsg;
};

/* CPU time of this thread: on a loaded machine, time spent preempted is not counted. */
static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
add(struct trace *t, const struct t_seg *s, int seg, uint32_t msg)
{
	uint32_t n = t_frame(t->f[t->n], s, 1000 + t->n, (uint16_t)t->n);

	t->len[t->n] = n;
	t->msg[t->n] = msg;
	t->ref_off[t->n] = 0;
	if (seg) {
		/* the segmentation parameter (Q.713 3.17) ends the optional part: 0x10 4 ind ref */
		for (uint32_t k = n - 7; k > 40; k--)
			if (t->f[t->n][k] == 0x10 && t->f[t->n][k + 1] == 4 &&
			    t->f[t->n][k + 6] == 0x00) {
				t->ref_off[t->n] = k + 3;
				break;
			}
		if (t->ref_off[t->n] == 0)
			abort();
	}
	t->n++;
}

/* NMSG insertSubscriberData from a partner; every tenth cut in two when seg10. */
static void
build(struct trace *t, int seg10)
{
	static uint8_t tc[1024];
	struct t_seg s[2];

	t->f = calloc(2 * NMSG, FRAME_MAX);
	t->len = calloc(2 * NMSG, sizeof(*t->len));
	t->ref_off = calloc(2 * NMSG, sizeof(*t->ref_off));
	t->msg = calloc(2 * NMSG, sizeof(*t->msg));
	if (t->f == NULL || t->len == NULL || t->ref_off == NULL || t->msg == NULL)
		abort();
	t->n = 0;
	t->nmsg = NMSG;
	for (uint32_t i = 0; i < NMSG; i++) {
		size_t n = t_isd_tcap(tc, sizeof(tc), "262021234567890", 0x01000000 + i);

		if (seg10 && i % 10 == 5) {
			t_cut(s, 2, "491720123456", "27820000020", 4001, i, tc, n);
			add(t, &s[0], 1, i);
			add(t, &s[1], 1, i);
		} else {
			t_segment(&s[0], "491720123456", "27820000020", 4001, i, tc, n, 1, 0);
			add(t, &s[0], 0, i);
		}
	}
}

/* One pass over the trace: ns spent judging. pass renumbers the segments' references. */
static uint64_t
pass(struct trace *t, struct sw_judge_ctx *ctx, uint32_t pno, uint64_t *allowed)
{
	static struct sw_msu msu;
	static struct sw_judgement j;
	struct sw_pkt pkt;
	uint64_t t0;

	for (uint32_t i = 0; i < t->n; i++)
		if (t->ref_off[i] != 0) {
			uint32_t ref = (pno * NMSG + t->msg[i]) & 0xffffff;

			t->f[i][t->ref_off[i]] = (uint8_t)ref;
			t->f[i][t->ref_off[i] + 1] = (uint8_t)(ref >> 8);
			t->f[i][t->ref_off[i] + 2] = (uint8_t)(ref >> 16);
		}
	t0 = now_ns();
	for (uint32_t i = 0; i < t->n; i++) {
		sw_decode_packet(t->f[i], t->len[i], SW_LINK_ETH, &pkt);
		sw_judge_packet(ctx, t->f[i], &pkt, 0, t0 + i, &msu, &j, NULL, NULL);
		*allowed += j.forward;
	}
	return now_ns() - t0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	static struct trace whole, seg;
	unsigned rounds = argc > 2 ? (unsigned)atoi(argv[2]) : 7;
	unsigned passes = argc > 3 ? (unsigned)atoi(argv[3]) : 200;
	char rules[4096], site[4096], err[512];
	struct sw_compiled img;
	struct sw_judge_ctx off = { 0 }, on;
	uint64_t *r_off, *r_on, *r_seg, allowed = 0;
	uint32_t pno = 0; /* passes over the segmented trace: a fresh reference each */
	double m_off, m_on, m_seg;
	int rc;

	if (argc < 2 || rounds == 0 || passes == 0) {
		fprintf(stderr, "usage: reasm-bench SRCDIR [ROUNDS] [PASSES]\n");
		return 2;
	}
	snprintf(rules, sizeof(rules), "%s/patterns/default.conf", argv[1]);
	snprintf(site, sizeof(site), "%s/patterns/site.example.conf", argv[1]);
	if (sw_compile_files(rules, site, 1, &img, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	off.pctx = sw_policy_ctx_new();
	if (off.pctx == NULL || sw_policy_ctx_bind(off.pctx, img.image) < 0)
		return 1;
	off.image = img.image;
	on = off;
	on.reasm = sw_reasm_new(NULL);
	if (on.reasm == NULL)
		return 1;
	build(&whole, 0);
	build(&seg, 1);
	r_off = calloc(rounds, sizeof(*r_off));
	r_on = calloc(rounds, sizeof(*r_on));
	r_seg = calloc(rounds, sizeof(*r_seg));
	for (unsigned r = 0; r < rounds; r++) {
		for (unsigned p = 0; p < passes; p++) {
			r_off[r] += pass(&whole, &off, 0, &allowed);
			r_on[r] += pass(&whole, &on, 0, &allowed);
			r_seg[r] += pass(&seg, &on, pno++, &allowed);
		}
	}
	qsort(r_off, rounds, sizeof(*r_off), cmp_u64);
	qsort(r_on, rounds, sizeof(*r_on), cmp_u64);
	qsort(r_seg, rounds, sizeof(*r_seg), cmp_u64);
	m_off = (double)r_off[rounds / 2] / ((double)passes * whole.n);
	m_on = (double)r_on[rounds / 2] / ((double)passes * whole.n);
	m_seg = (double)r_seg[rounds / 2] / ((double)passes * seg.n);
	printf("frames: whole %u (%u messages), seg10 %u (%u messages, %u segmented in two)\n",
	       whole.n, whole.nmsg, seg.n, seg.nmsg, seg.n - seg.nmsg);
	printf("whole/off  %7.1f ns/packet\n", m_off);
	printf("whole/on   %7.1f ns/packet  (+%.2f ns: the reassembly check; goal <= 2)\n", m_on,
	       m_on - m_off);
	printf("seg10/on   %7.1f ns/packet, %7.1f ns/message vs %.1f: throughput %.1f%% lower "
	       "(goal <= 15%%)\n",
	       m_seg, m_seg * seg.n / seg.nmsg, m_on, 100.0 * (1.0 - m_on / (m_seg * seg.n / seg.nmsg)));
	printf("reassembled %llu, held %llu, known %llu, failed %llu (must be 0), forwarded %llu\n",
	       (unsigned long long)sw_reasm_stats(on.reasm)->completed,
	       (unsigned long long)sw_reasm_stats(on.reasm)->pending,
	       (unsigned long long)sw_reasm_stats(on.reasm)->known,
	       (unsigned long long)sw_reasm_stats(on.reasm)->failed, (unsigned long long)allowed);
	printf("RESULT rounds=%u passes=%u whole_off_ns=%.2f whole_on_ns=%.2f check_ns=%.2f "
	       "seg10_ns_pkt=%.2f seg10_ns_msg=%.2f seg10_cost_pct=%.1f\n",
	       rounds, passes, m_off, m_on, m_on - m_off, m_seg, m_seg * seg.n / seg.nmsg,
	       100.0 * (1.0 - m_on / (m_seg * seg.n / seg.nmsg)));
	rc = sw_reasm_stats(on.reasm)->failed == 0 ? 0 : 1;
	sw_reasm_free(on.reasm);
	sw_policy_ctx_free(off.pctx);
	sw_compiled_free(&img);
	return rc;
}
