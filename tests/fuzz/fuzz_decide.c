/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz the verdicts decided before the MAP/CAP argument is walked (issue 20 D2: the TCAP walk
 * defers the argument of a message of one component, dataplane/policy sw_policy_settle decides
 * or walks it). A frame, decoded as fuzz_packet does, is judged by two judges bound to one image:
 * one that walks every argument and one that defers (SW_POLICY_F_DECIDE_ALWAYS: every message
 * it may, not only where that pays). The oracle: the same judgement (class, forward, chunks
 * dropped; per chunk action, monitor, state), and the same rule and malformation unless the
 * deferring judge skipped an argument that the walk finds malformed (that message is reported
 * by the rule that decided it). Nothing may read or write out of bounds (the sanitizer build
 * runs this).
 *
 * Input: byte 0: bits 0-1 the link type (as fuzz_packet), bits 2-3 the image (stateless.conf,
 * tests/policy/decide.conf, keyplan-tcap.conf; 3: stateless.conf), bit 4 the port; the rest is
 * the frame.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/compiler/compiler.h"
#include "dataplane/decode/decode.h"
#include "dataplane/judge/judge.h"
#include "dataplane/policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NIMG 3

static struct sw_compiled img[NIMG];
static struct sw_judge_ctx walk[NIMG], dec[NIMG];

static void
judge_init(struct sw_judge_ctx *j, const void *image, unsigned flags)
{
	memset(j, 0, sizeof(*j));
	j->pctx = sw_policy_ctx_new();
	if (j->pctx == NULL)
		abort();
	sw_policy_ctx_set_flags(j->pctx, flags);
	if (sw_policy_ctx_bind(j->pctx, image) != 0)
		abort();
	j->image = image;
	j->no_image_action = SW_ACTION_DROP;
	j->non_ip_pass = true;
}

static void
init(void)
{
	static const char *const rules[NIMG] = {
		SW_SRCROOT "/patterns/stateless.conf",
		SW_SRCROOT "/tests/policy/decide.conf",
		SW_SRCROOT "/tests/policy/keyplan-tcap.conf",
	};
	char err[1024];

	for (int i = 0; i < NIMG; i++) {
		if (sw_compile_files(rules[i], SW_SRCROOT "/patterns/site.example.conf", 1, &img[i],
				     err, sizeof(err)) != 0) {
			fprintf(stderr, "fuzz_decide: %s\n", err);
			abort();
		}
		judge_init(&walk[i], img[i].image, 0);
		judge_init(&dec[i], img[i].image, SW_POLICY_F_DECIDE_ALWAYS);
		dec[i].decide = true;
	}
}

/* Which MSUs of the frame the deferring judge decided without their argument, in chunk order. */
struct skipped {
	unsigned n;
	bool s[SW_CHUNKS_MAX];
};

static void
note(void *arg, const struct sw_pkt *pkt, const struct sw_msu *msu,
     const struct sw_judge_verdict *v)
{
	struct skipped *k = arg;

	(void)pkt;
	(void)v;
	if (msu->arg_deferred)
		abort(); /* judged with its argument neither walked nor decided */
	if (k->n < SW_CHUNKS_MAX)
		k->s[k->n++] = msu->arg_skipped != 0;
}

static bool
verdicts_same(const struct sw_judge_verdict *a, const struct sw_judge_verdict *b, bool loose)
{
	if (a->chunk != b->chunk || a->action != b->action || a->monitor != b->monitor ||
	    a->state != b->state || a->no_image != b->no_image)
		return false;
	return loose || (a->rule == b->rule && a->mal == b->mal);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum sw_link links[4] = { SW_LINK_ETH, SW_LINK_RAW, SW_LINK_SLL, SW_LINK_SLL2 };
	static struct sw_msu ma, mb;
	static struct sw_judgement a, b;
	static uint64_t now;
	struct skipped k = { 0 };
	struct sw_pkt pkt;
	unsigned i, port;

	if (walk[0].pctx == NULL)
		init();
	if (size < 1 || size > 65535)
		return 0;
	i = (data[0] >> 2) % 4 % NIMG;
	port = (data[0] >> 4) & 1;
	now += 1000000;
	sw_decode_packet(data + 1, (uint32_t)(size - 1), links[data[0] % 4], &pkt);
	sw_judge_packet(&walk[i], data + 1, &pkt, port, now, &ma, &a, NULL, NULL);
	sw_judge_packet(&dec[i], data + 1, &pkt, port, now, &mb, &b, note, &k);
	if (a.cls != b.cls || a.forward != b.forward || a.drop_mask != b.drop_mask ||
	    a.nverdicts != b.nverdicts)
		abort();
	if (a.cls != SW_JUDGE_CHUNKS && !verdicts_same(&a.pkt, &b.pkt, false))
		abort();
	for (unsigned v = 0; v < a.nverdicts; v++) {
		bool skipped = v < k.n && k.s[v];
		if (!verdicts_same(&a.v[v], &b.v[v], skipped && a.v[v].mal != SW_MAL_NONE)) {
			fprintf(stderr,
				"fuzz_decide: image %u port %u chunk %u%s: walked action %u rule %d mal "
				"%u state %u, deferred action %u rule %d mal %u state %u\n",
				i, port, a.v[v].chunk, skipped ? " (argument skipped)" : "",
				a.v[v].action, a.v[v].rule, a.v[v].mal, a.v[v].state, b.v[v].action,
				b.v[v].rule, b.v[v].mal, b.v[v].state);
			abort();
		}
	}
	return 0;
}
