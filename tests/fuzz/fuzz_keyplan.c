/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz the cache key the decoder writes as it decodes (issue 20 D3: decode/pkey.h, the plan of
 * policy/plan_key.c): a frame decoded as fuzz_packet does, every DATA chunk with the plan of a
 * bound image (the shipped rules, or tests/policy/keyplan-label.conf / keyplan-tcap.conf, which
 * key every field the decoder writes), in the ITU or the ANSI variant. The oracle: a key read
 * by the hit path is the same when the chunk is decoded again, and over the MSUs of one input,
 * in both directions, two of them have equal decoder-written keys exactly when key_build gives
 * them equal keys; every MSU is then judged (hit and miss paths). Nothing may read or write out
 * of bounds (the sanitizer build runs this).
 *
 * Input: byte 0: bits 0-1 the link type (as fuzz_packet), bits 2-3 the image (0 and 3 the
 * shipped rules), bit 4 the ANSI variant; the rest is the frame.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control/compiler/compiler.h"
#include "dataplane/decode/decode.h"
#include "dataplane/decode/plan.h"
#include "dataplane/policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NIMG 3
#define NKEYS (2 * SW_CHUNKS_MAX)

static struct sw_compiled img[NIMG];
static struct sw_policy_ctx *ctx[NIMG];

struct keys {
	size_t nkb, nkp;
	uint8_t kb[SW_POLICY_KEY_BUF], kp[SW_POLICY_KEY_BUF];
};

static void
init(void)
{
	static const char *const rules[NIMG] = {
		SW_SRCROOT "/patterns/default.conf",
		SW_SRCROOT "/tests/policy/keyplan-label.conf",
		SW_SRCROOT "/tests/policy/keyplan-tcap.conf",
	};
	char err[1024];

	for (int i = 0; i < NIMG; i++) {
		if (sw_compile_files(rules[i], SW_SRCROOT "/patterns/site.example.conf", 1, &img[i],
				     err, sizeof(err)) != 0) {
			fprintf(stderr, "fuzz_keyplan: %s\n", err);
			abort();
		}
		ctx[i] = sw_policy_ctx_new();
		if (ctx[i] == NULL || sw_policy_ctx_bind(ctx[i], img[i].image) != 0 ||
		    sw_policy_plan(ctx[i])->key.size == 0)
			abort(); /* each of these images has a decoder-written key */
	}
}

static bool
eq(const uint8_t *a, size_t na, const uint8_t *b, size_t nb)
{
	return na == nb && memcmp(a, b, na) == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum sw_link links[4] = { SW_LINK_ETH, SW_LINK_RAW, SW_LINK_SLL, SW_LINK_SLL2 };
	static struct sw_msu msu, again;
	static struct keys k[NKEYS];
	struct sw_policy_ctx *c;
	const struct sw_decode_plan *plan;
	enum sw_variant variant;
	struct sw_pkt pkt;
	unsigned n = 0;

	if (ctx[0] == NULL)
		init();
	if (size < 1 || size > 65535)
		return 0;
	c = ctx[(data[0] >> 2) % 4 % NIMG];
	variant = (data[0] & 0x10) ? SW_VARIANT_ANSI : SW_VARIANT_ITU;
	plan = sw_policy_plan(c);
	sw_decode_packet(data + 1, (uint32_t)(size - 1), links[data[0] % 4], &pkt);
	for (unsigned i = 0; i < pkt.nchunks; i++) {
		if (!sw_sctp_is_data(pkt.chunks[i].type))
			continue;
		sw_decode_msu_plan(data + 1, &pkt, i, variant, plan, &msu);
		for (unsigned port = 0; port < 2; port++) {
			struct keys *x = &k[n];
			uint8_t kb[SW_POLICY_KEY_BUF], kp[SW_POLICY_KEY_BUF];
			size_t nkb, nkp;

			if (!sw_policy_key_pair(c, &pkt, &msu, port, x->kb, &x->nkb, x->kp, &x->nkp))
				continue;
			/* decoded again into another msu: the same key */
			sw_decode_msu_plan(data + 1, &pkt, i, variant, plan, &again);
			if (!sw_policy_key_pair(c, &pkt, &again, port, kb, &nkb, kp, &nkp) ||
			    !eq(kp, nkp, x->kp, x->nkp) || !eq(kb, nkb, x->kb, x->nkb))
				abort();
			if (x->nkb == 0)
				abort(); /* the decoder keyed an MSU the verdict leaves uncached */
			/* one equality under both keys */
			for (unsigned j = 0; j < n; j++)
				if (eq(k[j].kb, k[j].nkb, x->kb, x->nkb) !=
				    eq(k[j].kp, k[j].nkp, x->kp, x->nkp))
					abort();
			n++;
		}
		for (unsigned port = 0; port < 2; port++)
			(void)sw_policy_eval(c, &pkt, &msu, port, 0);
	}
	return 0;
}
