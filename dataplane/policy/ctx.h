/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The verdict engine's per-worker context (private to dataplane/policy/): eval.c evaluates with
 * it; plan_key.c and plan_want.c derive from it, at bind, what the decoder is asked to do
 * (dataplane/decode/plan.h, issue 20 D2/D3).
 */
#ifndef SW_POLICY_CTX_H
#define SW_POLICY_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include <hs/hs.h>

#include "dataplane/decode/plan.h"
#include "image.h"
#include "policy.h"
#include "ratelimit.h"

#define SW_CACHE_SLOTS 8192      /* power of two; 2-way sets of consecutive slots. 4096 held
				    73% of the realistic mix of bench/dataplane, 8192 89%,
				    16384 96%: 2 MiB of entries per worker */
#define SW_KEY_MAX 232          /* + 8 + 16 header: 256-byte cache entries */
#define SW_KEY_PAD 40            /* slack after a key: fixed-size copies and 8-byte loads */
#define SW_ATOM_WORDS (SW_ATOMS_MAX / 64)
#define SW_RULE_WORDS (SW_RULES_MAX / 64)
#define SW_ACN_TEXT_MAX 96

/*
 * The cache is split: a compact array of key hashes (64 KiB, stays in L2) is probed first,
 * and the full entry (to compare the whole key: a hash collision must never change a
 * verdict) is touched only when a hash matches. A miss therefore costs no cache-line fetch
 * from the 2 MiB entry array.
 */
/* What settling a deferred argument found for a key (issue 20 D2, eval.c sw_policy_settle): a
 * key decided without the argument keeps its verdict in a cache entry marked decided; a key
 * that is not leaves a tag in utags (SW_UNDEC_SLOTS, direct-mapped, no key: a collision only
 * makes a message walked). */
#define SW_DEC_UNKNOWN 0 /* an entry of sw_policy_eval: settling not asked yet */
#define SW_DEC_DECIDED 1 /* decided without the argument: rule is the verdict */
#define SW_UNDEC_SLOTS 16384

struct sw_cache_ent {
	int32_t rule;
	uint16_t len;
	uint8_t dec; /* SW_DEC_* */
	uint8_t pad[9];
	uint8_t key[SW_KEY_MAX + 8]; /* + 8: key_equal reads whole words */
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct sw_cache_ent) == 256, "cache entry: 4 cache lines");

/* What scanning a message's fields found (eval.c cond_value): shared by the evaluations of one
 * message, and kept from deciding before its argument walk to its verdict (pscan). */
struct sw_scan {
	uint64_t atoms[SW_ATOM_WORDS];
	uint32_t net[SW_SF_COUNT];
	uint32_t scanned, scanned_pt;
};
#define SW_PSCAN_RING 64 /* a burst's MSUs decoded ahead of their verdicts (batching: 32) */
struct sw_pscan_rec {
	uint64_t seq;   /* msu->pscan_seq that owns it, 0: none */
	uint64_t owner; /* the msu's address ^ the plan's key stamp */
	uint32_t from;  /* the well-formed message's first match is no candidate below this */
	struct sw_scan sc;
};

struct sw_policy_ctx {
	const struct sw_image_hdr *img;
	uint64_t gen, checksum;
	hs_scratch_t *scratch;
	const struct sw_img_rule *rules;
	const struct sw_img_cond *conds;
	const uint64_t *opidx;
	uint32_t rule_words;
	/* Atom gate (image.h), NULL when the image gates no rule or SW_POLICY_F_NO_GATE is set. */
	const uint64_t *gated, *gmal, *gfield, *arow;
	uint64_t gate_amask[SW_ATOM_WORDS]; /* atoms that gate some rule */
	uint8_t ngfield, gfields[SW_SF_COUNT]; /* fields that gate some rule */
	const uint64_t *gifield, *vrow;        /* integer gate */
	const struct sw_img_ival *ivals;
	uint8_t ngifield, gifields[SW_IF_COUNT]; /* ifields that gate some rule */
	uint32_t iv_lo[SW_IF_COUNT], iv_hi[SW_IF_COUNT]; /* their values: ivals[lo, hi) */
	bool no_gate;              /* SW_POLICY_F_NO_GATE: reference evaluation */
	unsigned flags;            /* SW_POLICY_F_* */
	/* The image reads a field that a message of several components takes from each
	 * component (MAP or CAP argument: IMSI, addresses, numbers, USSD, ss-code; in a rule or
	 * as a rate-limit key): sw_policy_eval_msg decodes it per component. Without one, every
	 * component is judged with the message's fields (no second walk of its parameter). */
	bool view_fields;
	uint8_t nkey_if, key_if[SW_IF_COUNT];
	uint8_t nkey_sf, key_sf[SW_SF_COUNT];
	uint8_t key_kd[SW_SF_COUNT];  /* per key_sf: digits that count (sw_img_field.key_digits) */
	bool key_comp;
	bool key_dir;              /* the direction is in the key (first byte) */
	bool key_state;            /* the state conditions are in the key (SW_KEY_STATE) */
	bool key_addr;             /* the association's addresses are in the key (SW_KEY_ADDR) */
	uint32_t state;            /* state conditions that held for the message being judged
				      (bit per enum sw_state_cond; sw_policy_ctx_set_state) */
	uint64_t hits, misses;
	uint64_t scan_errors;      /* hs_scan failures: counted, the scan then matched nothing */
	uint64_t known_ops[4];     /* local opcodes 0..255 that TS 29.002 names */
	uint64_t known_cap_ops[4]; /* ... that TS 29.078 names (CAP messages, issue 17) */
	uint64_t *ctags;           /* hash | 1 of each slot's key, 0: empty */
	uint8_t *cvictim;          /* per set: the way to replace next */
	struct sw_cache_ent *cache;
	/* Rate limits (ratelimit.h): the table (shared, or this ctx's own when rl_own), the
	 * counters to charge, and per rule of the bound image its identity. */
	struct sw_rl_table *rl;
	bool rl_own;
	struct sw_rl_stats *rl_stats;
	struct sw_rl_stats rl_own_stats;
	uint64_t *rl_ident;
	struct sw_msu *view;       /* one component's view of a message (sw_policy_eval_msg) */
	/* where the decoder stores the components' views for this context (decode/plan_want.h);
	 * allocated at the first bind whose image reads them */
	struct sw_view_ring *view_ring;
	/* Rule identity (issue 18): the rules that can match now (enabled, not expired), valid
	 * for wall times in [live_lo, live_hi) (Unix s); outside, recomputed and the cache
	 * flushed. */
	uint64_t live[SW_RULE_WORDS];
	int64_t live_lo, live_hi;
	int64_t wall_off;          /* sw_policy_ctx_set_clock */
	bool has_dates;            /* some rule has monitor_until or expires */
	/* Interconnect scope (issue 18 Deliver 2), per message: the ingress port
	 * (sw_policy_ctx_set_port), the packet, the link of its source (when the image asks) */
	unsigned in_port;
	const struct sw_pkt *pkt;
	int32_t link;
	bool need_link;
	const struct sw_img_nets *nets; /* partner networks, NULL: no partners */
	/* What the decoder is asked for the bound image (sw_policy_plan): built at bind. */
	struct sw_decode_plan plan;
	/* Decided before the argument walk (issue 20 D2): the image allows it (bind: a decoder
	 * key, no state conditions, no dated rules); the fields a component's argument gives
	 * (bit per SW_SF_* / SW_IF_*: unknown until walked); a judge that settles is decoding
	 * (sw_policy_ctx_decide_arm); scans kept from deciding for the verdict (pscan). */
	bool decide_ok;
	uint32_t arg_sf, arg_if;
	bool dec_armed;
	uint32_t dec_pause;                    /* messages left not deferred (decide_window) */
	uint32_t w_settles, w_skips, w_evals;  /* the current window's */
	uint64_t dec_paused;                   /* windows after which it stopped */
	struct sw_pscan_rec *pscan; /* SW_PSCAN_RING records */
	uint64_t *utags;            /* keys found undecided (SW_UNDEC_SLOTS) */
	uint64_t pscan_next;
	uint64_t dec_evals, dec_hits, dec_skips;
};

/* The two parts of the plan, each built by its own file at bind (after every other field of
 * the context is set for the new image). */
void sw_plan_key_build(const struct sw_policy_ctx *ctx, struct sw_plan_key *key);
void sw_plan_want_build(const struct sw_policy_ctx *ctx, struct sw_plan_want *want);
/* The decoder's question (decode/plan_want.h sw_decide_fn; arg: the context), eval.c. */
bool sw_policy_decide(void *arg, struct sw_msu *msu);

#endif /* SW_POLICY_CTX_H */
