/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Verdict engine: first matching rule of an image for one decoded MSU.
 *
 * Per MSU on a cache miss: candidate rules come from the opcode index (a rule that requires an
 * invoke of sendRoutingInfo is only tried when some component carries opcode 22), then the gate
 * (image.h) drops the rules whose gate atom is not set (the fields gating some candidate are
 * scanned first) or whose gate integer field (point codes) has no gate value, so the cost no
 * longer grows with the number of list and point-code rules; the rest are tried
 * in order, cheap conditions first; the first time a condition needs a string field, that field
 * is scanned (its Hyperscan database, then its bulk prefix table) into an atom bitset and its
 * network (home, partner k) resolved: each field at most once per MSU, and a field no candidate
 * reaches not at all. The first candidate whose conditions all hold wins. The result is cached
 * per worker, keyed by exactly the fields the image declares relevant (hdr.key_mask), and of a
 * digit field only its leading digits that some pattern can reach (sw_img_field.key_digits: the
 * PLMN of an IMSI when only 5-digit network prefixes use it), so a hit can never differ from a
 * miss while subscribers that differ past those digits share an entry. Rate-limit rules are cached by rule id only: the token bucket is
 * charged on every MSU, hit or miss, in the rate-limit table (ratelimit.h: exact keys, shared by
 * the workers that share it, kept across reloads).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <hs/hs.h>

#include "ctx.h"
#include "decode.h"
#include "dataplane/decode/pkey.h"
#include "image.h"
#include "policy.h"
#include "ratelimit.h"

struct sw_policy_ctx *
sw_policy_ctx_new(void)
{
	struct sw_policy_ctx *ctx = calloc(1, sizeof(*ctx));

	if (ctx == NULL)
		return NULL;
	ctx->cache = aligned_alloc(64, sizeof(struct sw_cache_ent) * SW_CACHE_SLOTS);
	ctx->rl_ident = calloc(SW_RULES_MAX, sizeof(*ctx->rl_ident));
	ctx->rl_stats = &ctx->rl_own_stats;
	ctx->ctags = aligned_alloc(64, sizeof(uint64_t) * SW_CACHE_SLOTS);
	ctx->cvictim = calloc(SW_CACHE_SLOTS / 2, 1);
	ctx->view = malloc(sizeof(*ctx->view));
	if (ctx->cache == NULL || ctx->rl_ident == NULL || ctx->ctags == NULL ||
	    ctx->cvictim == NULL || ctx->view == NULL) {
		sw_policy_ctx_free(ctx);
		errno = ENOMEM;
		return NULL;
	}
	memset(ctx->cache, 0, sizeof(struct sw_cache_ent) * SW_CACHE_SLOTS);
	memset(ctx->ctags, 0, sizeof(uint64_t) * SW_CACHE_SLOTS);
	for (int32_t op = 0; op < 256; op++)
		if (sw_map_op_name(op) != NULL)
			ctx->known_ops[op >> 6] |= 1ull << (op & 63);
	for (int32_t op = 0; op < 256; op++)
		if (sw_cap_op_name(op) != NULL)
			ctx->known_cap_ops[op >> 6] |= 1ull << (op & 63);
	return ctx;
}

void
sw_policy_ctx_set_flags(struct sw_policy_ctx *ctx, unsigned flags)
{
	bool no_gate = (flags & SW_POLICY_F_NO_GATE) != 0;

	if (no_gate != ctx->no_gate || flags != ctx->flags)
		ctx->img = NULL; /* the gate and the field mask are set up at bind */
	ctx->no_gate = no_gate;
	ctx->flags = flags;
}

bool
sw_policy_ctx_reads_components(const struct sw_policy_ctx *ctx)
{
	return ctx->view_fields;
}

void
sw_policy_ctx_set_port(struct sw_policy_ctx *ctx, unsigned port)
{
	ctx->in_port = port;
}

void
sw_policy_ctx_set_clock(struct sw_policy_ctx *ctx, int64_t offset_ns)
{
	ctx->wall_off = offset_ns;
	ctx->live_lo = INT64_MAX; /* recomputed at the next evaluation */
	ctx->live_hi = INT64_MIN;
}

/* The live rules at Unix time t (s): enabled, and not expired; the window in which that holds.
 * Off the fast path: at bind and when the wall clock leaves the window. */
static void
live_rules(struct sw_policy_ctx *ctx, int64_t t)
{
	const struct sw_image_hdr *h = ctx->img;

	memset(ctx->live, 0, sizeof(ctx->live));
	ctx->live_lo = INT64_MIN;
	ctx->live_hi = INT64_MAX;
	for (uint32_t i = 0; i < h->nrules && i < SW_RULES_MAX; i++) {
		const struct sw_img_rule *r = &ctx->rules[i];
		if (r->expires != 0) {
			if (t >= r->expires && r->expires > ctx->live_lo)
				ctx->live_lo = r->expires;
			if (t < r->expires && r->expires < ctx->live_hi)
				ctx->live_hi = r->expires;
		}
		if (r->enabled && (r->expires == 0 || t < r->expires))
			ctx->live[i >> 6] |= 1ull << (i & 63);
	}
}

void
sw_policy_ctx_free(struct sw_policy_ctx *ctx)
{
	if (ctx == NULL)
		return;
	if (ctx->scratch != NULL)
		hs_free_scratch(ctx->scratch);
	free(ctx->cache);
	free(ctx->rl_ident);
	if (ctx->rl_own)
		sw_rl_table_free(ctx->rl);
	free(ctx->ctags);
	free(ctx->cvictim);
	free(ctx->view);
	free(ctx->view_ring);
	free(ctx->pscan);
	free(ctx->utags);
	free(ctx);
}

static inline const void *
img_at(const struct sw_image_hdr *h, uint32_t off)
{
	return (const char *)h + off;
}

/*
 * Whether the bound image lets the decoder skip an argument whose verdict is decided (issue 20
 * D2, sw_policy_decide), and which fields an argument gives. Not with state conditions (the
 * state tables learn only from well-formed messages: a skipped argument could hide a
 * malformation), nor with dated rules (the live rules could change between the decision and
 * the verdict), nor without a decoder key (the decisions are remembered by it).
 */
static void
decide_bind(struct sw_policy_ctx *ctx, uint64_t arg_mask)
{
	const struct sw_image_hdr *h = ctx->img;
	const struct sw_img_site *site = img_at(h, h->site_off);
	bool state = false;

	ctx->arg_sf = ctx->arg_if = 0;
	for (unsigned f = 0; f < SW_SF_COUNT; f++)
		if (arg_mask & SW_KEY_SFIELD(f))
			ctx->arg_sf |= 1u << f;
	for (unsigned f = 0; f < SW_IF_COUNT; f++)
		if (arg_mask & SW_KEY_IFIELD(f))
			ctx->arg_if |= 1u << f;
	if (ctx->flags & SW_POLICY_F_BAD_DECIDE)
		ctx->arg_sf = ctx->arg_if = 0; /* the self-check's wrong decision: fields absent */
	if (site->state_off != 0)
		state = ((const struct sw_img_state *)img_at(h, site->state_off))->used != 0;
	for (uint32_t i = 0; i < h->nrules && i < SW_RULES_MAX && !state; i++)
		for (uint32_t j = 0; j < ctx->rules[i].ncond; j++)
			state |= ctx->conds[ctx->rules[i].cond_first + j].kind == SW_COND_STATE;
	ctx->decide_ok = ctx->plan.key.size != 0 && !ctx->has_dates && !state;
	ctx->dec_armed = false;
	ctx->dec_pause = 0;
	ctx->w_settles = ctx->w_skips = ctx->w_evals = 0;
	if (ctx->decide_ok && ctx->pscan == NULL)
		ctx->pscan = calloc(SW_PSCAN_RING, sizeof(*ctx->pscan));
	if (ctx->decide_ok && ctx->utags == NULL)
		ctx->utags = calloc(SW_UNDEC_SLOTS, sizeof(*ctx->utags));
	if (ctx->pscan == NULL || ctx->utags == NULL)
		ctx->decide_ok = false;
	else
		memset(ctx->utags, 0, SW_UNDEC_SLOTS * sizeof(*ctx->utags));
}

int
sw_policy_ctx_bind(struct sw_policy_ctx *ctx, const void *image)
{
	const struct sw_image_hdr *h = image;
	uint64_t m;

	if (ctx == NULL || image == NULL)
		return -EINVAL;
	if (ctx->img == h && ctx->gen == h->generation && ctx->checksum == h->checksum)
		return 0;
	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		if (h->fields[f].db_off == 0)
			continue;
		if (hs_alloc_scratch(img_at(h, h->fields[f].db_off), &ctx->scratch) != HS_SUCCESS)
			return -ENOMEM;
	}
	ctx->img = h;
	ctx->gen = h->generation;
	ctx->checksum = h->checksum;
	ctx->rules = img_at(h, h->rules_off);
	ctx->conds = img_at(h, h->conds_off);
	ctx->opidx = img_at(h, h->opidx_off);
	ctx->rule_words = h->rule_words;
	ctx->nkey_if = ctx->nkey_sf = 0;
	m = h->key_mask;
	ctx->key_dir = (m & SW_KEY_IFIELD(SW_IF_DIRECTION)) != 0;
	for (unsigned i = 0; i < SW_IF_COUNT; i++)
		if ((m & SW_KEY_IFIELD(i)) && i != SW_IF_DIRECTION)
			ctx->key_if[ctx->nkey_if++] = (uint8_t)i;
	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		unsigned kd = h->fields[f].key_digits;
		if (!(m & SW_KEY_SFIELD(f)))
			continue;
		ctx->key_kd[ctx->nkey_sf] = (uint8_t)(kd > SW_DIGITS_MAX ? SW_DIGITS_MAX : kd);
		ctx->key_sf[ctx->nkey_sf++] = (uint8_t)f;
	}
	ctx->key_comp = (m & SW_KEY_COMP) != 0;
	ctx->need_link = (m & SW_KEY_IFIELD(SW_IF_LINK)) != 0;
	ctx->nets = NULL;
	if (h->site_off != 0 && ((const struct sw_img_site *)img_at(h, h->site_off))->nets_off != 0)
		ctx->nets = img_at(h, ((const struct sw_img_site *)img_at(h, h->site_off))->nets_off);
	ctx->key_state = (m & SW_KEY_STATE) != 0;
	ctx->key_addr = (m & SW_KEY_ADDR) != 0;
	ctx->gated = NULL;
	ctx->ngfield = 0;
	memset(ctx->gate_amask, 0, sizeof(ctx->gate_amask));
	if (h->ngated > 0 && !ctx->no_gate) {
		unsigned rw = h->rule_words;
		const uint64_t *g = img_at(h, h->gate_off);
		ctx->gated = g;
		ctx->gmal = g + rw;
		ctx->gfield = g + 2 * rw;
		ctx->arow = g + (2 + SW_SF_COUNT) * (size_t)rw;
		for (unsigned f = 0; f < SW_SF_COUNT; f++)
			for (unsigned w = 0; w < rw; w++)
				if (ctx->gfield[f * rw + w] != 0) {
					ctx->gfields[ctx->ngfield++] = (uint8_t)f;
					break;
				}
		ctx->gifield = ctx->arow + (size_t)h->natoms * rw;
		ctx->vrow = ctx->gifield + (size_t)SW_IF_COUNT * rw;
		ctx->ivals = (const void *)(ctx->vrow + (size_t)h->nivals * rw);
		ctx->ngifield = 0;
		for (unsigned f = 0; f < SW_IF_COUNT; f++) {
			uint32_t lo = 0, hi;
			while (lo < h->nivals && ctx->ivals[lo].field < f)
				lo++;
			for (hi = lo; hi < h->nivals && ctx->ivals[hi].field == f; hi++)
				;
			ctx->iv_lo[f] = lo;
			ctx->iv_hi[f] = hi;
			for (unsigned w = 0; w < rw; w++)
				if (ctx->gifield[f * rw + w] != 0) {
					ctx->gifields[ctx->ngifield++] = (uint8_t)f;
					break;
				}
		}
		for (unsigned a = 0; a < h->natoms && a < SW_ATOMS_MAX; a++)
			for (unsigned w = 0; w < rw; w++)
				if (ctx->arow[(size_t)a * rw + w] != 0) {
					ctx->gate_amask[a >> 6] |= 1ull << (a & 63);
					break;
				}
	}
	ctx->has_dates = false;
	for (uint32_t i = 0; i < h->nrules && i < SW_RULES_MAX; i++)
		ctx->has_dates |= ctx->rules[i].monitor_until != 0 || ctx->rules[i].expires != 0;
	live_rules(ctx, 0);
	if (ctx->has_dates) /* the window of the first evaluation's time */
		ctx->live_lo = INT64_MAX, ctx->live_hi = INT64_MIN;
	/* Rate-limit rules: their identity (the buckets of a rule that kept it, and its rate, burst
	 * and key, are kept: the table is not flushed); a context without a shared table gets its
	 * own the first time an image has such rules. */
	bool any_rl = false;
	for (uint32_t i = 0; i < h->nrules && i < SW_RULES_MAX; i++) {
		ctx->rl_ident[i] = 0;
		if (ctx->rules[i].action == SW_IMG_ACTION_RATE_LIMIT) {
			ctx->rl_ident[i] = sw_rl_rule_ident(h, (int32_t)i);
			any_rl = true;
		}
	}
	/* Fields a component's own argument gives (sf_digits, if_get: the MAP or CAP argument's;
	 * ISUP's numbers are the message's, CAP's calling / called party are the component's). */
	const uint64_t view_mask =
		SW_KEY_SFIELD(SW_SF_IMSI) | SW_KEY_SFIELD(SW_SF_MSISDN) | SW_KEY_SFIELD(SW_SF_VLR) |
		SW_KEY_SFIELD(SW_SF_MSC) | SW_KEY_SFIELD(SW_SF_HLR) | SW_KEY_SFIELD(SW_SF_SGSN) |
		SW_KEY_SFIELD(SW_SF_SMSC) | SW_KEY_SFIELD(SW_SF_SM_RP_DA) |
		SW_KEY_SFIELD(SW_SF_SM_RP_OA) | SW_KEY_SFIELD(SW_SF_USSD) |
		SW_KEY_SFIELD(SW_SF_CGPN) | SW_KEY_SFIELD(SW_SF_CDPN) | SW_KEY_IFIELD(SW_IF_SS_CODE);
	ctx->view_fields = (h->key_mask & view_mask) != 0;
	for (uint32_t i = 0; i < h->nrules && i < SW_RULES_MAX; i++)
		if (ctx->rules[i].action == SW_IMG_ACTION_RATE_LIMIT &&
		    ctx->rules[i].rl_key < SW_SF_COUNT &&
		    (view_mask & SW_KEY_SFIELD(ctx->rules[i].rl_key)))
			ctx->view_fields = true;
	if (ctx->flags & SW_POLICY_F_FULL_VIEWS)
		ctx->view_fields = true;
	if (ctx->flags & SW_POLICY_F_SKIP_VIEWS)
		ctx->view_fields = false;
	if (any_rl && ctx->rl == NULL) {
		ctx->rl = sw_rl_table_new(SW_RL_DEFAULT_ENTRIES, 0, 0);
		if (ctx->rl == NULL) {
			ctx->img = NULL;
			return -ENOMEM;
		}
		ctx->rl_own = true;
	}
	/* What the decoder is asked for this image (issue 20 D2, D3) */
	ctx->plan.gen = h->generation;
	ctx->plan.checksum = h->checksum;
	sw_plan_key_build(ctx, &ctx->plan.key);
	if (ctx->view_fields && ctx->view_ring == NULL) {
		/* the decoder stores the components' views here (no ring: they are decoded again) */
		ctx->view_ring = calloc(1, sizeof(*ctx->view_ring));
		if (ctx->view_ring != NULL)
			ctx->view_ring->next = 1;
	}
	decide_bind(ctx, view_mask);
	sw_plan_want_build(ctx, &ctx->plan.want);
	/* Flush: no slot matches any more. */
	memset(ctx->ctags, 0, sizeof(uint64_t) * SW_CACHE_SLOTS);
	return 0;
}

const struct sw_decode_plan *
sw_policy_plan(const struct sw_policy_ctx *ctx)
{
	return ctx != NULL && ctx->img != NULL ? &ctx->plan : NULL;
}

int
sw_policy_ctx_set_ratelimit(struct sw_policy_ctx *ctx, struct sw_rl_table *table,
			    struct sw_rl_stats *stats)
{
	if (ctx == NULL)
		return -EINVAL;
	if (table != NULL) {
		if (ctx->rl_own)
			sw_rl_table_free(ctx->rl);
		ctx->rl = table;
		ctx->rl_own = false;
	}
	ctx->rl_stats = stats != NULL ? stats : &ctx->rl_own_stats;
	return 0;
}

const struct sw_rl_stats *
sw_policy_ctx_rl_stats(const struct sw_policy_ctx *ctx)
{
	return ctx->rl_stats;
}

void
sw_policy_ctx_stats(const struct sw_policy_ctx *ctx, uint64_t *cache_hits, uint64_t *cache_misses)
{
	if (cache_hits != NULL)
		*cache_hits = ctx->hits;
	if (cache_misses != NULL)
		*cache_misses = ctx->misses;
}

void
sw_policy_ctx_set_state(struct sw_policy_ctx *ctx, uint32_t state)
{
	ctx->state = state;
}

uint64_t
sw_policy_ctx_scan_errors(const struct sw_policy_ctx *ctx)
{
	return ctx->scan_errors;
}

/* ---- field access ---- */

static inline const struct sw_digits *
sf_digits(const struct sw_msu *m, unsigned f)
{
	switch (f) {
	case SW_SF_CGPA:
		return (m->has & SW_HAS_SCCP) && m->sccp.cgpa.present ? &m->sccp.cgpa.digits : NULL;
	case SW_SF_CDPA:
		return (m->has & SW_HAS_SCCP) && m->sccp.cdpa.present ? &m->sccp.cdpa.digits : NULL;
	/* a CAP message (issue 17) gives its argument's iMSI, VLR number (locationInformation),
	 * mscAddress and calling / called party numbers to the same fields */
	case SW_SF_IMSI:
		return (m->has & SW_HAS_CAP) ? &m->cap.imsi : &m->map.imsi;
	case SW_SF_MSISDN:
		return &m->map.msisdn;
	case SW_SF_VLR:
		return (m->has & SW_HAS_CAP) ? &m->cap.vlr : &m->map.vlr;
	case SW_SF_MSC:
		return (m->has & SW_HAS_CAP) ? &m->cap.msc : &m->map.msc;
	case SW_SF_HLR:
		return &m->map.hlr;
	case SW_SF_SGSN:
		return &m->map.sgsn;
	case SW_SF_SMSC:
		return &m->map.smsc;
	case SW_SF_SM_RP_DA:
		return &m->map.sm_rp_da;
	case SW_SF_SM_RP_OA:
		return &m->map.sm_rp_oa;
	case SW_SF_CGPN:
		if ((m->has & SW_HAS_CAP) && m->cap.calling.present)
			return &m->cap.calling.digits;
		return (m->has & SW_HAS_ISUP) && m->isup.cgpn.present ? &m->isup.cgpn.digits : NULL;
	case SW_SF_CDPN:
		if ((m->has & SW_HAS_CAP) && m->cap.called.present)
			return &m->cap.called.digits;
		return (m->has & SW_HAS_ISUP) && m->isup.cdpn.present ? &m->isup.cdpn.digits : NULL;
	}
	return NULL;
}

/* Dotted text of the ACN: the decoder's one OID-to-text (the printer's too, so that what
 * `inspect` prints is what the rules match); 0 when the OID is not valid. */
static unsigned
acn_text(const uint8_t *oid, unsigned len, char *out, unsigned outsz)
{
	int n = sw_oid_to_text(oid, len, out, outsz);

	return n > 0 ? (unsigned)n : 0;
}

/* Text of a string field for scanning; len 0 when absent. */
static inline const char *
sf_text(const struct sw_msu *m, unsigned f, unsigned *len, char *acnbuf)
{
	const struct sw_digits *d;

	if (f == SW_SF_USSD) {
		*len = m->map.ussd_len <= SW_USSD_MAX ? m->map.ussd_len : SW_USSD_MAX;
		return m->map.ussd;
	}
	if (f == SW_SF_ACN) {
		*len = (m->has & SW_HAS_ACN) && m->tcap.acn_len <= SW_ACN_MAX
			       ? acn_text(m->tcap.acn, m->tcap.acn_len, acnbuf, SW_ACN_TEXT_MAX)
			       : 0;
		return acnbuf;
	}
	d = sf_digits(m, f);
	if (d == NULL) {
		*len = 0;
		return "";
	}
	*len = d->len <= SW_DIGITS_MAX ? d->len : SW_DIGITS_MAX;
	return d->d;
}

/* The association's address `which` (SW_ADDR_REMOTE: the outside endpoint, the source of what
 * comes from outside; SW_ADDR_LOCAL: the inside one), as remote_port / local_port; NULL when
 * the MSU came in no IP packet. port: the direction. */
static inline const uint8_t *
addr_get(const struct sw_policy_ctx *ctx, unsigned port, unsigned which)
{
	const struct sw_pkt *pk = ctx->pkt;

	if (pk == NULL || (pk->ip_ver != 4 && pk->ip_ver != 6))
		return NULL;
	return (which == SW_ADDR_REMOTE) == (port == SW_SIDE_OUTSIDE) ? pk->src : pk->dst;
}

/* SW_COND_ADDR: the address is in one of the condition's prefixes (image.c checked them). */
static bool
addr_in(const struct sw_policy_ctx *ctx, const struct sw_img_cond *c, unsigned port)
{
	const struct sw_img_addrs *as = img_at(ctx->img, c->arg);
	const struct sw_img_peer *p = (const void *)(as + 1);
	const uint8_t *addr = addr_get(ctx, port, c->field);

	if (addr == NULL)
		return false;
	for (uint32_t i = 0; i < as->n; i++) {
		unsigned full = p[i].plen / 8, rest = p[i].plen % 8;
		if (p[i].family != ctx->pkt->ip_ver || memcmp(p[i].addr, addr, full) != 0)
			continue;
		if (rest != 0 && ((addr[full] ^ p[i].addr[full]) & (uint8_t)(0xff00u >> rest)))
			continue;
		return true;
	}
	return false;
}

/* Integer field; false when absent. port: the direction (0 outside, 1 inside). */
static inline bool
if_get(const struct sw_policy_ctx *ctx, const struct sw_msu *m, unsigned port, unsigned f,
       uint32_t *v)
{
	const struct sw_sccp_addr *a;
	const struct sw_pkt *pk = ctx->pkt;

	switch (f) {
	case SW_IF_PORT:
		*v = ctx->in_port;
		return ctx->in_port <= 1;
	case SW_IF_LINK:
		*v = (uint32_t)ctx->link;
		return ctx->link >= 0;
	case SW_IF_RCTX:
		*v = m->m3ua.rctx;
		return (m->has & SW_HAS_RCTX) != 0;
	case SW_IF_REMOTE_PORT:
	case SW_IF_LOCAL_PORT:
		/* the remote endpoint is the outside one: the source of what comes from outside */
		if (pk == NULL || !pk->sctp)
			return false;
		*v = (f == SW_IF_REMOTE_PORT) == (port == SW_SIDE_OUTSIDE) ? pk->sport : pk->dport;
		return true;
	case SW_IF_DIRECTION:
		*v = port;
		return true;
	case SW_IF_OPC:
		*v = m->m3ua.opc;
		return (m->has & SW_HAS_MTP3) != 0;
	case SW_IF_DPC:
		*v = m->m3ua.dpc;
		return (m->has & SW_HAS_MTP3) != 0;
	case SW_IF_SI:
		*v = m->m3ua.si;
		return (m->has & SW_HAS_MTP3) != 0;
	case SW_IF_NI:
		*v = m->m3ua.ni;
		return (m->has & SW_HAS_MTP3) != 0;
	case SW_IF_SCCP_TYPE:
		*v = m->sccp.type;
		return (m->has & SW_HAS_SCCP) != 0;
	case SW_IF_TCAP_TYPE:
		*v = m->tcap.type;
		return (m->has & SW_HAS_TCAP) != 0 && m->tcap.type != SW_TCAP_NONE;
	case SW_IF_ISUP_TYPE:
		*v = m->isup.type;
		return (m->has & SW_HAS_ISUP) != 0;
	case SW_IF_SS_CODE:
		*v = m->map.ss_code;
		return m->map.has_ss_code;
	case SW_IF_SCMG_TYPE:
		*v = m->sccp.scmg.type;
		return (m->has & SW_HAS_SCMG) != 0;
	case SW_IF_SCMG_SSN:
		*v = m->sccp.scmg.assn;
		return (m->has & SW_HAS_SCMG) != 0;
	case SW_IF_SCMG_PC:
		*v = m->sccp.scmg.apc;
		return (m->has & SW_HAS_SCMG) != 0;
	}
	if (!(m->has & SW_HAS_SCCP))
		return false;
	a = f < SW_IF_CDPA_SSN ? &m->sccp.cgpa : &m->sccp.cdpa;
	if (!a->present)
		return false;
	switch (f < SW_IF_CDPA_SSN ? f : f - (SW_IF_CDPA_SSN - SW_IF_CGPA_SSN)) {
	case SW_IF_CGPA_SSN:
		*v = a->ssn;
		return a->has_ssn;
	case SW_IF_CGPA_TT:
		*v = a->tt;
		return a->gti >= 2 && a->gti <= 4;
	case SW_IF_CGPA_NP:
		*v = a->np;
		return a->gti == 3 || a->gti == 4;
	case SW_IF_CGPA_NAI:
		*v = a->nai;
		return a->gti == 1 || a->gti == 4;
	case SW_IF_CGPA_GTI:
		*v = a->gti;
		return true;
	case SW_IF_CGPA_RI:
		*v = a->ri;
		return true;
	}
	return false;
}

static inline bool
set_has(const struct sw_image_hdr *h, uint32_t set_off, int64_t v)
{
	const struct sw_img_set *s = img_at(h, set_off);
	const uint32_t *big;
	uint32_t lo = 0, hi;

	if (v < 0)
		return false;
	if (v < 256)
		return (s->bits[v >> 6] >> (v & 63)) & 1;
	if (v > UINT32_MAX)
		return false;
	big = img_at(h, s->big_off);
	hi = s->nbig;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;
		if (big[mid] == (uint32_t)v)
			return true;
		if (big[mid] < (uint32_t)v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* ---- cache key ---- */

/* Equality of two keys of n bytes; both have readable slack up to a multiple of 8. */
static inline bool
key_equal(const uint8_t *x, const uint8_t *y, size_t n)
{
	uint64_t diff = 0, p, q;
	size_t i = 0;

	for (; i + 8 <= n; i += 8) {
		memcpy(&p, x + i, 8);
		memcpy(&q, y + i, 8);
		diff |= p ^ q;
	}
	if (i < n) {
		memcpy(&p, x + i, 8);
		memcpy(&q, y + i, 8);
		diff |= (p ^ q) & (~0ull >> (8 * (8 - (n - i))));
	}
	return diff == 0;
}

/* Equality of the whole words holding n bytes (both zero past n up to the next word). */
static inline bool
words_equal(const uint8_t *x, const uint8_t *y, size_t n)
{
	uint64_t diff = 0;

	for (size_t i = 0; i < n; i += 8) {
		uint64_t p, q;
		memcpy(&p, x + i, 8);
		memcpy(&q, y + i, 8);
		diff |= p ^ q;
	}
	return diff == 0;
}

#define K1 0xff51afd7ed558ccdull
#define K2 0xc4ceb9fe1a85ec53ull

/* Mix n bytes at p (readable up to the next multiple of 8) into the lanes, masked past n. */
static inline void
hash_bytes(uint64_t *a, uint64_t *b, const uint8_t *p, unsigned n)
{
	unsigned i = 0;

	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		if ((i & 8) == 0)
			*a = (*a ^ w) * K1;
		else
			*b = (*b ^ w) * K2;
	}
	if (i < n) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		w &= ~0ull >> (8 * (8 - (n - i)));
		*b = (*b ^ w) * K2;
	}
}

/*
 * Cache key of an MSU: exactly the fields the image declares relevant, compacted; of a digit
 * field its first key_digits digits and its length capped at key_digits + 1. Its hash is
 * computed at the same time from the MSU itself (reading the key back right after writing it
 * would stall on store forwarding); it hashes the same values in the same order, so equal keys
 * always have equal hashes. Returns the key length, 0 when the key does not fit (the MSU is
 * then evaluated uncached).
 */
static inline __attribute__((always_inline)) size_t
key_build(const struct sw_policy_ctx *ctx, const struct sw_msu *m, unsigned port, bool mal,
	  uint8_t *k, uint64_t *hash)
{
	uint64_t a, b = 0xc2b2ae3d27d4eb4full;
	size_t n = 0;
	/* The direction (0/1) shares the first byte with the malformed flag: no field of its own,
	 * no multiply of its own. */
	uint8_t first = (uint8_t)(mal | (ctx->key_dir ? (port & 0x7f) << 1 : 0));

	if (ctx->key_dir && port > 0x7f)
		return 0;
	a = 0x9e3779b97f4a7c15ull ^ first;
	k[n++] = first;
	for (unsigned i = 0; i < ctx->nkey_if; i++) {
		uint32_t v = 0;
		bool present = if_get(ctx, m, port, ctx->key_if[i], &v);
		uint32_t w = present ? v + 1 : 0;
		/* v + 1 wraps for the one value a 32-bit field can take that no other encoding
		 * leaves free (an M3UA routing context of 0xffffffff, RFC 4666 3.3.1): it would
		 * key as absent, and a hit could give another verdict than a miss. Uncached. */
		if (__builtin_expect(present && v == UINT32_MAX, 0))
			return 0;
		memcpy(k + n, &w, 4);
		n += 4;
		if (i & 1)
			b = (b ^ w) * K2;
		else
			a = (a ^ w) * K1;
	}
	for (unsigned i = 0; i < ctx->nkey_sf; i++) {
		unsigned f = ctx->key_sf[i];
		const uint8_t *p;
		unsigned len;

		if (f == SW_SF_USSD) {
			len = m->map.ussd_len <= SW_USSD_MAX ? m->map.ussd_len : SW_USSD_MAX;
			p = (const uint8_t *)m->map.ussd;
		} else if (f == SW_SF_ACN) {
			len = (m->has & SW_HAS_ACN) && m->tcap.acn_len <= SW_ACN_MAX ? m->tcap.acn_len
										    : 0;
			p = m->tcap.acn;
		} else {
			const struct sw_digits *d = sf_digits(m, f);
			unsigned kd = ctx->key_kd[i];
			len = d != NULL && d->len <= SW_DIGITS_MAX ? d->len : 0;
			if (n + 1 + SW_DIGITS_MAX > SW_KEY_MAX)
				return 0;
			/* Only the first kd digits can change a verdict, and whether there are
			 * more: the length is kept up to kd + 1. */
			unsigned mark = len > kd ? kd + 1 : len;
			len = len > kd ? kd : len;
			k[n++] = (uint8_t)mark;
			a = (a ^ (mark + 1)) * K1;
			/* Fixed-size copy of the whole digit array (no variable-length memcpy on the
			 * hot path); only len bytes count, the next field overwrites the rest. */
			if (d != NULL) {
				memcpy(k + n, d->d, SW_DIGITS_MAX);
				hash_bytes(&a, &b, (const uint8_t *)d->d, len);
			}
			n += len;
			continue;
		}
		if (n + 1 + len > SW_KEY_MAX)
			return 0;
		k[n++] = (uint8_t)len;
		a = (a ^ (len + 1)) * K1;
		if (len > 0) {
			memcpy(k + n, p, len);
			hash_bytes(&a, &b, p, len);
		}
		n += len;
	}
	if (ctx->key_addr) {
		/* the IP version, then the remote and the local address (16 bytes each, an IPv4
		 * one in the first 4): what remote_ip and local_ip read */
		const uint8_t *ra = addr_get(ctx, port, SW_ADDR_REMOTE);
		const uint8_t *la = addr_get(ctx, port, SW_ADDR_LOCAL);
		unsigned al = ra != NULL && ctx->pkt->ip_ver == 4 ? 4 : 16;

		if (n + 33 > SW_KEY_MAX)
			return 0;
		k[n] = ra != NULL ? ctx->pkt->ip_ver : 0;
		memset(k + n + 1, 0, 32);
		if (ra != NULL) {
			memcpy(k + n + 1, ra, al);
			memcpy(k + n + 17, la, al);
		}
		a = (a ^ (k[n] + 0x200)) * K1;
		hash_bytes(&a, &b, k + n + 1, 32);
		n += 33;
	}
	if (ctx->key_state) {
		if (n + 1 > SW_KEY_MAX)
			return 0;
		_Static_assert(SW_ST_COUNT <= 8, "the state conditions fit the key's byte");
		k[n++] = (uint8_t)ctx->state;
		b = (b ^ (ctx->state + 0x100)) * K2;
	}
	if (ctx->key_comp) {
		unsigned nc = (m->has & SW_HAS_TCAP) ? m->tcap.ncomp : 0;
		if (nc > SW_COMP_MAX)
			nc = SW_COMP_MAX;
		if (n + 1 + 6 * nc > SW_KEY_MAX)
			return 0;
		k[n++] = (uint8_t)nc;
		b = (b ^ (nc + 1)) * K2;
		for (unsigned c = 0; c < nc; c++) {
			const struct sw_tcap_comp *tc = &m->tcap.comp[c];
			/* bit 2: the opcode is CAP's (the same number names another operation) */
			uint8_t fl = (uint8_t)(tc->has_opcode | tc->opcode_global << 1 |
					       ((m->has & SW_HAS_CAP) != 0) << 2);
			k[n++] = tc->type;
			k[n++] = fl;
			memcpy(k + n, &tc->opcode, 4);
			n += 4;
			a = (a ^ (tc->type | (uint64_t)fl << 8 | (uint64_t)(uint32_t)tc->opcode << 32)) *
			    K1;
		}
	}
	uint64_t h = a ^ ((b << 31) | (b >> 33)) ^ n;
	h ^= h >> 32;
	h *= K1;
	*hash = h ^ (h >> 29);
	return n;
}

/*
 * The key the decoder wrote (issue 20 D3, decode/plan_key.h), when it wrote one for this MSU
 * with this context's plan and the MSU is well-formed: the verdict adds in two words what the
 * decoder cannot know (direction, state conditions, ingress port, link, SCTP ports), hashes
 * them and the decoder's bytes word by word; returns the decoder's byte count, 0 when the key
 * must be built (key_build). The encodings are key_build's, so both keys induce one equality
 * (tests/policy/keyplan.sh); a planned entry is told from a built one by SW_LEN_PLANNED.
 */
#define SW_LEN_PLANNED 0x8000u
#define SW_PKEY_HDR 16 /* bytes of the verdict's two words before the decoder's */
_Static_assert(SW_PKEY_HDR + SW_PKEY_BYTES <= SW_KEY_MAX, "a decoder key fits an entry");

static inline size_t
plan_key(const struct sw_policy_ctx *ctx, const struct sw_msu *m, unsigned port,
	 uint64_t hdr[2], uint64_t *hash)
{
	const struct sw_plan_key *pk = &ctx->plan.key;
	const struct sw_pkt *pkt = ctx->pkt;
	uint64_t a, b;
	size_t n;

	if (pk->size == 0 || m->key.stamp != (pk->stamp ^ (uintptr_t)m) || m->mal != SW_MAL_NONE ||
	    (ctx->key_dir && port > 0x7f))
		return 0;
	n = pk->comp_off != SW_PKEY_NONE ? pk->comp_off + 1u + 6u * m->key.b[pk->comp_off]
					 : pk->size;
	hdr[0] = (ctx->key_dir ? port : 0) | (ctx->key_state ? (uint64_t)(uint8_t)ctx->state << 8 : 0);
	hdr[1] = 0;
	if (__builtin_expect(pk->hdr != 0, 0)) {
		if ((pk->hdr & SW_PKEY_H_PORT) && ctx->in_port <= 1)
			hdr[0] |= (uint64_t)(ctx->in_port + 1) << 16;
		if (pk->hdr & SW_PKEY_H_LINK)
			hdr[0] |= (uint64_t)(uint32_t)(ctx->link + 1) << 32;
		if (pkt != NULL && pkt->sctp) {
			/* the remote endpoint is the outside one (if_get) */
			uint32_t rp = port == SW_SIDE_OUTSIDE ? pkt->sport : pkt->dport;
			uint32_t lp = port == SW_SIDE_OUTSIDE ? pkt->dport : pkt->sport;
			if (pk->hdr & SW_PKEY_H_RPORT)
				hdr[1] |= rp + 1;
			if (pk->hdr & SW_PKEY_H_LPORT)
				hdr[1] |= (uint64_t)(lp + 1) << 32;
		}
	}
	a = (0x9e3779b97f4a7c15ull ^ hdr[0]) * K1;
	b = (0xc2b2ae3d27d4eb4full ^ hdr[1]) * K2;
	/* whole words, two lanes: the decoder's key is zero past its n bytes (plan_key.h) */
	for (size_t i = 0; i < n; i += 16) {
		uint64_t w0, w1;
		memcpy(&w0, m->key.b + i, 8);
		memcpy(&w1, m->key.b + i + 8, 8);
		a = (a ^ w0) * K1;
		b = (b ^ w1) * K2;
	}
	uint64_t h = a ^ ((b << 31) | (b >> 33)) ^ n;
	h ^= h >> 32;
	h *= K1;
	*hash = h ^ (h >> 29);
	return n;
}

/* ---- matching ---- */

static int
on_match(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
	 void *arg)
{
	uint64_t *atoms = arg;

	(void)from;
	(void)to;
	(void)flags;
	if (id < SW_ATOMS_MAX)
		atoms[id >> 6] |= 1ull << (id & 63);
	return 0;
}

static inline void
ptab_scan(const struct sw_image_hdr *h, const struct sw_img_field *fd, const char *s,
	  unsigned len, uint64_t *atoms)
{
	const struct sw_img_pslot *slots = img_at(h, fd->ptab_off);
	const uint64_t *bloom = img_at(h, fd->bloom_off);
	uint32_t mask = fd->ptab_nslots - 1;
	uint64_t key = 0, keys[SW_PTAB_DIGITS];
	uint32_t at[SW_PTAB_DIGITS];
	uint8_t lens[SW_PTAB_DIGITS];
	unsigned n = 0;

	if (len > SW_PTAB_DIGITS)
		len = SW_PTAB_DIGITS;
	/* First every bucket's address, prefetched: with a 100k-entry table each probe is a
	 * cache miss, and the misses of all prefix lengths then overlap instead of adding up. */
	for (unsigned l = 1; l <= len; l++) {
		unsigned nib = sw_ptab_nibble(s[l - 1]);
		if (nib == 0)
			break;
		key |= (uint64_t)nib << (4 * (l - 1));
		if (!(fd->ptab_lens & (1u << (l - 1))))
			continue;
		uint64_t hv = sw_ptab_hash(key, l);
		uint32_t bit = SW_BLOOM_BIT(hv, fd->bloom_bits);
		uint32_t bit2 = SW_BLOOM_BIT2(hv, fd->bloom_bits);
		if (!((bloom[bit >> 6] >> (bit & 63)) & (bloom[bit2 >> 6] >> (bit2 & 63)) & 1))
			continue;
		keys[n] = key;
		lens[n] = (uint8_t)l;
		at[n] = (uint32_t)hv & mask;
		__builtin_prefetch(&slots[at[n]]);
		n++;
	}
	for (unsigned k = 0; k < n; k++) {
		for (uint32_t i = at[k];; i = (i + 1) & mask) {
			const struct sw_img_pslot *sl = &slots[i];
			if (sl->key == 0)
				break;
			if (sl->key == keys[k] && sl->len == lens[k] && sl->atom < SW_ATOMS_MAX)
				atoms[sl->atom >> 6] |= 1ull << (sl->atom & 63);
		}
	}
}

static inline bool
atom_has(const uint64_t *atoms, uint32_t a)
{
	return (atoms[a >> 6] >> (a & 63)) & 1;
}

static inline bool
op_unknown(const struct sw_policy_ctx *ctx, int32_t op, bool cap)
{
	const uint64_t *known = cap ? ctx->known_cap_ops : ctx->known_ops;

	return op < 0 || op > 255 || !((known[op >> 6] >> (op & 63)) & 1);
}

static __attribute__((always_inline)) inline bool
comp_match(const struct sw_policy_ctx *ctx, const struct sw_img_cond *c, const struct sw_msu *m)
{
	const struct sw_image_hdr *h = ctx->img;

	unsigned nc = (m->has & SW_HAS_TCAP) ? m->tcap.ncomp : 0;
	/* a CAP message's operation codes are in the CAP namespace (dataplane/proto/cap.h) */
	bool cap = (m->has & SW_HAS_CAP) != 0;
	int64_t ns = cap ? CAP_OP_NS : 0;

	if (nc > SW_COMP_MAX)
		nc = SW_COMP_MAX;
	for (unsigned i = 0; i < nc; i++) {
		const struct sw_tcap_comp *tc = &m->tcap.comp[i];
		if (c->arg != 0 && !set_has(h, c->arg, tc->type))
			continue;
		if (c->arg2 != 0 && (!tc->has_opcode || tc->opcode_global || tc->opcode < 0 ||
				     !set_has(h, c->arg2, ns + tc->opcode)))
			continue;
		if ((c->field2 & SW_COMP_F_GLOBAL) && !(tc->has_opcode && tc->opcode_global))
			continue;
		if ((c->field2 & SW_COMP_F_UNKNOWN) &&
		    !(tc->has_opcode && !tc->opcode_global && op_unknown(ctx, tc->opcode, cap)))
			continue;
		return true;
	}
	return false;
}

/*
 * Network of a number among the partners (issue 18 Deliver 1): its longest prefix in the kind's
 * table, SW_NET_PARTNER + k, SW_NET_NONE when no partner's. One probe per prefix length
 * present, longest first, each behind the Bloom filter: the cost does not depend on the number
 * of partners.
 */
static inline uint32_t
net_lookup(const struct sw_image_hdr *h, const struct sw_img_ntab *t, const char *s,
	   unsigned len)
{
	const struct sw_img_pslot *slots = img_at(h, t->slots_off);
	const uint64_t *bloom = img_at(h, t->bloom_off);
	uint32_t mask = t->nslots - 1;
	uint64_t keys[SW_PTAB_DIGITS + 1], key = 0;
	unsigned n = 0;

	if (t->slots_off == 0)
		return SW_NET_NONE;
	if (len > SW_PTAB_DIGITS)
		len = SW_PTAB_DIGITS;
	for (unsigned l = 1; l <= len; l++) {
		unsigned nib = sw_ptab_nibble(s[l - 1]);
		if (nib == 0)
			break;
		key |= (uint64_t)nib << (4 * (l - 1));
		keys[l] = key;
		n = l;
	}
	for (unsigned l = n; l >= 1; l--) {
		if (!(t->lens & (1u << (l - 1))))
			continue;
		uint64_t hv = sw_ptab_hash(keys[l], l);
		uint32_t bit = SW_BLOOM_BIT(hv, t->bloom_bits);
		uint32_t bit2 = SW_BLOOM_BIT2(hv, t->bloom_bits);
		if (!((bloom[bit >> 6] >> (bit & 63)) & (bloom[bit2 >> 6] >> (bit2 & 63)) & 1))
			continue;
		for (uint32_t i = (uint32_t)hv & mask;; i = (i + 1) & mask) {
			const struct sw_img_pslot *sl = &slots[i];
			if (sl->key == 0)
				break;
			if (sl->key == keys[l] && sl->len == l)
				return SW_NET_PARTNER + sl->atom;
		}
	}
	return SW_NET_NONE;
}

/* The partner property c->field2 (SW_PCHK_*) of network net (SW_COND_PARTNER). */
static bool
partner_has(const struct sw_policy_ctx *ctx, const struct sw_img_cond *c, uint32_t net,
	    const struct sw_msu *m)
{
	const struct sw_image_hdr *h = ctx->img;
	const struct sw_img_pinfo *pi;
	unsigned nc, nop = 0;

	if (net < SW_NET_PARTNER || ctx->nets == NULL || net - SW_NET_PARTNER >= ctx->nets->npartners)
		return false;
	pi = (const struct sw_img_pinfo *)img_at(h, ctx->nets->pinfo_off) + (net - SW_NET_PARTNER);
	if (c->field2 == SW_PCHK_WRONG_LINK)
		return pi->links != 0 && (ctx->link < 0 || !set_has(h, pi->links, ctx->link));
	if (pi->allow_ops == 0)
		return false;
	/* allowed: every local operation code of the message is on the partner's list */
	nc = (m->has & SW_HAS_TCAP) ? m->tcap.ncomp : 0;
	if (nc > SW_COMP_MAX)
		nc = SW_COMP_MAX;
	for (unsigned i = 0; i < nc; i++) {
		const struct sw_tcap_comp *tc = &m->tcap.comp[i];
		if (!tc->has_opcode)
			continue;
		if (tc->opcode_global || !set_has(h, pi->allow_ops, tc->opcode))
			return false;
		nop++;
	}
	return nop > 0;
}

/* Scan string field f once (Hyperscan database, then bulk prefix table) and resolve its
 * network if a relation needs it. Called lazily: a field no candidate rule reaches is never
 * scanned. */
static void
scan_field(struct sw_policy_ctx *ctx, const struct sw_msu *m, unsigned f, uint64_t *atoms,
	   uint32_t *net, bool pt_done)
{
	const struct sw_image_hdr *h = ctx->img;
	const struct sw_img_field *fd = &h->fields[f];
	char acnbuf[SW_ACN_TEXT_MAX];
	unsigned len;
	const char *s = sf_text(m, f, &len, acnbuf);

	if (len > 0) {
		if (fd->db_off != 0) {
			/* Into a copy: a failed scan (a corrupt database, scratch too small) must
			 * not leave part of its matches behind. It matches nothing and is counted. */
			uint64_t got[SW_ATOM_WORDS] = { 0 };
			if (__builtin_expect(hs_scan(img_at(h, fd->db_off), s, len, 0, ctx->scratch,
						     on_match, got) == HS_SUCCESS, 1)) {
				for (unsigned w = 0; w < SW_ATOM_WORDS; w++)
					atoms[w] |= got[w];
			} else {
				ctx->scan_errors++;
			}
		}
		if (fd->ptab_off != 0 && !pt_done)
			ptab_scan(h, fd, s, len, atoms);
	}
	net[f] = SW_NET_NONE;
	if (fd->net_home != 0xffff && atom_has(atoms, fd->net_home)) {
		net[f] = SW_NET_HOME;
		return;
	}
	if (fd->net_partner < SW_NETK_COUNT && ctx->nets != NULL && len > 0)
		net[f] = net_lookup(h, &ctx->nets->tab[fd->net_partner], s, len);
}

/* The prefix table of field f only. */
static __attribute__((noinline)) void
scan_pt(struct sw_policy_ctx *ctx, const struct sw_msu *m, unsigned f, uint64_t *atoms)
{
	char acnbuf[SW_ACN_TEXT_MAX];
	unsigned len;
	const char *s = sf_text(m, f, &len, acnbuf);

	if (len > 0)
		ptab_scan(ctx->img, &ctx->img->fields[f], s, len, atoms);
}

#define NEED(f)                                                  \
	do {                                                     \
		if (!(scanned & (1u << (f)))) {                  \
			scan_field(ctx, m, (f), atoms, net,      \
				   (scanned_pt >> (f)) & 1);      \
			scanned |= 1u << (f);                    \
		}                                                \
	} while (0)

/* Candidates: rules not indexed by opcode, plus those indexed by an opcode present; of them the
 * live ones (enabled, not expired). */
static inline void
candidates(const struct sw_policy_ctx *ctx, const struct sw_msu *m, uint64_t *cand)
{
	unsigned rw = ctx->rule_words;
	const uint64_t *base = ctx->opidx + (size_t)SW_OPIDX_BASE * rw;

	for (unsigned w = 0; w < rw; w++)
		cand[w] = base[w];
	/* the opcode index rows are MAP codes: a CAP message's rules by opcode (CAP_OP_NS + code,
	 * above 255) are never indexed, so they are in the base row already */
	if ((m->has & (SW_HAS_TCAP | SW_HAS_CAP)) == SW_HAS_TCAP) {
		unsigned nc = m->tcap.ncomp < SW_COMP_MAX ? m->tcap.ncomp : SW_COMP_MAX;
		for (unsigned c = 0; c < nc; c++) {
			const struct sw_tcap_comp *tc = &m->tcap.comp[c];
			if (!tc->has_opcode || tc->opcode_global || tc->opcode < 0 ||
			    tc->opcode > 255)
				continue;
			const uint64_t *row = ctx->opidx + (size_t)tc->opcode * rw;
			for (unsigned w = 0; w < rw; w++)
				cand[w] |= row[w];
		}
	}
	for (unsigned w = 0; w < rw; w++)
		cand[w] &= ctx->live[w];
}

/* One condition's value for m (before its negation): the fields it needs are scanned once per
 * message (*scanned, *scanned_pt: fields whose Hyperscan database / prefix table ran). */
static __attribute__((always_inline)) inline bool
cond_value(struct sw_policy_ctx *ctx, const struct sw_msu *m, unsigned port,
	   const struct sw_img_cond *c, uint64_t *atoms, uint32_t *net, uint32_t *scanned_,
	   uint32_t *scanned_pt_, char *acnbuf)
{
	const struct sw_image_hdr *h = ctx->img;
	uint32_t scanned = *scanned_, scanned_pt = *scanned_pt_;
	bool v = false;
	uint32_t x;

	switch (c->kind) {
	case SW_COND_INT:
		v = if_get(ctx, m, port, c->field, &x) && set_has(h, c->arg, x);
		break;
	case SW_COND_ATOM:
		/* An atom the prefix table sets is set whatever Hyperscan finds: a
		 * blocklisted GT is dropped without a Hyperscan scan of its field. */
		if (!(scanned & (1u << c->field)) && h->fields[c->field].ptab_off != 0 &&
		    !(scanned_pt & (1u << c->field))) {
			scan_pt(ctx, m, c->field, atoms);
			scanned_pt |= 1u << c->field;
		}
		if (!atom_has(atoms, c->arg))
			NEED(c->field);
		v = atom_has(atoms, c->arg);
		break;
	case SW_COND_PRESENT:
		if (c->field2 == 1) {
			v = if_get(ctx, m, port, c->field, &x);
		} else {
			unsigned len;
			sf_text(m, c->field, &len, acnbuf);
			v = len > 0;
		}
		break;
	case SW_COND_NET_IN:
		NEED(c->field);
		v = ((c->arg & SW_NET_IN_HOME) && net[c->field] == SW_NET_HOME) ||
		    ((c->arg & SW_NET_IN_PARTNER) && net[c->field] >= SW_NET_PARTNER) ||
		    (c->arg2 != 0 && set_has(h, c->arg2, net[c->field]));
		break;
	case SW_COND_PARTNER:
		NEED(c->field);
		v = partner_has(ctx, c, net[c->field], m);
		break;
	case SW_COND_NET_EQ:
		NEED(c->field);
		NEED(c->field2);
		v = net[c->field] != SW_NET_NONE && net[c->field] == net[c->field2];
		break;
	case SW_COND_COMP:
		v = comp_match(ctx, c, m);
		break;
	case SW_COND_STATE:
		v = (ctx->state >> c->field) & 1;
		break;
	case SW_COND_ADDR:
		v = addr_in(ctx, c, port);
		break;
	}
	*scanned_ = scanned;
	*scanned_pt_ = scanned_pt;
	return v;
}

/* A condition reads a field of the component's argument (ctx->arg_sf, arg_if), or the state. */
static inline bool
cond_reads_arg(const struct sw_policy_ctx *ctx, const struct sw_img_cond *c)
{
	switch (c->kind) {
	case SW_COND_INT:
		return (ctx->arg_if >> c->field) & 1;
	case SW_COND_PRESENT:
		return c->field2 == 1 ? (ctx->arg_if >> c->field) & 1 : (ctx->arg_sf >> c->field) & 1;
	case SW_COND_ATOM:
	case SW_COND_NET_IN:
	case SW_COND_PARTNER:
		return (ctx->arg_sf >> c->field) & 1;
	case SW_COND_NET_EQ:
		return ((ctx->arg_sf >> c->field) | (ctx->arg_sf >> c->field2)) & 1;
	case SW_COND_STATE:
		return true; /* never in an image that decides (decide_bind) */
	default: /* SW_COND_COMP, SW_COND_ADDR: the message's */
		return false;
	}
}

#define SW_RULE_UNDECIDED (-100) /* evaluate_core, tri: the first match needs the argument */


/*
 * The first match of m (malformed or not). tri (issue 20 D2, decide_eval): the conditions that
 * read the component's argument are unknown (ctx->arg_sf, arg_if; the argument is not walked
 * yet): a rule whose other conditions hold makes the answer SW_RULE_UNDECIDED, and a gate on
 * an argument field removes no rule. sc: what earlier evaluations of m scanned (the fields
 * tri scans are the message's, the same after the walk). Candidates below from are not tried;
 * *stop: the candidate it stopped at (SW_RULES_MAX: none), a from for another evaluation of m
 * in the same pass after the walk (every candidate below failed on the message's own fields).
 */
static __attribute__((always_inline)) inline int32_t
evaluate_core(struct sw_policy_ctx *ctx, const struct sw_msu *m, unsigned port, bool mal,
	      bool tri, struct sw_scan *sc, unsigned from, unsigned *stop)
{
	uint64_t *atoms = sc->atoms;
	uint32_t *net = sc->net;
	uint64_t cand[SW_RULE_WORDS];
	char acnbuf[SW_ACN_TEXT_MAX];
	unsigned rw = ctx->rule_words;
	uint32_t scanned = sc->scanned, scanned_pt = sc->scanned_pt;
	int32_t res = mal ? SW_RULE_MALFORMED : SW_RULE_DEFAULT;

	candidates(ctx, m, cand);

	/*
	 * Atom gate: a gated rule cannot match unless its gate atom is set. Scan (once, as the
	 * conditions would) every field that gates some candidate, then keep of the gated
	 * candidates only the rows of the atoms that are set. Only removes rules that cannot
	 * match, so the first match is unchanged. The malformed flag filters the same way.
	 */
	if (ctx->gated != NULL) {
		const uint64_t *gm = ctx->gmal;
		uint64_t any = 0, allow[SW_RULE_WORDS];

		for (unsigned w = 0; w < rw; w++)
			any |= cand[w] = mal ? cand[w] & gm[w] : cand[w] & ~gm[w];
		for (unsigned i = 0; any != 0 && i < ctx->ngfield; i++) {
			unsigned f = ctx->gfields[i];
			const uint64_t *gf = ctx->gfield + (size_t)f * rw;
			uint64_t hit = 0;
			for (unsigned w = 0; w < rw; w++)
				hit |= cand[w] & gf[w];
			if (hit == 0)
				continue;
			if (tri && ((ctx->arg_sf >> f) & 1))
				continue; /* not walked: the rules it gates stay (allow, below) */
			NEED(f);
		}
		if (any != 0) {
			for (unsigned w = 0; w < rw; w++)
				allow[w] = ~ctx->gated[w];
			if (tri)
				for (unsigned f = 0; f < SW_SF_COUNT; f++)
					if ((ctx->arg_sf >> f) & 1) {
						const uint64_t *gf = ctx->gfield + (size_t)f * rw;
						for (unsigned w = 0; w < rw; w++)
							allow[w] |= gf[w];
					}
			for (unsigned aw = 0; aw < SW_ATOM_WORDS; aw++) {
				uint64_t bits = atoms[aw] & ctx->gate_amask[aw];
				while (bits != 0) {
					unsigned a = aw * 64 + (unsigned)__builtin_ctzll(bits);
					const uint64_t *row = ctx->arow + (size_t)a * rw;
					bits &= bits - 1;
					for (unsigned w = 0; w < rw; w++)
						allow[w] |= row[w];
				}
			}
			/* Integer gate: the row of the field's value, found by binary search. */
			for (unsigned i = 0; i < ctx->ngifield; i++) {
				unsigned f = ctx->gifields[i];
				const uint64_t *gf = ctx->gifield + (size_t)f * rw;
				uint64_t hit = 0;
				uint32_t x, lo = ctx->iv_lo[f], hi = ctx->iv_hi[f];
				for (unsigned w = 0; w < rw; w++)
					hit |= cand[w] & gf[w];
				if (tri && ((ctx->arg_if >> f) & 1)) {
					for (unsigned w = 0; w < rw; w++)
						allow[w] |= gf[w];
					continue;
				}
				if (hit == 0 || !if_get(ctx, m, port, f, &x))
					continue;
				while (lo < hi) {
					uint32_t mid = lo + (hi - lo) / 2;
					uint32_t y = ctx->ivals[mid].value;
					if (y == x) {
						const uint64_t *row = ctx->vrow + (size_t)mid * rw;
						for (unsigned w = 0; w < rw; w++)
							allow[w] |= row[w];
						break;
					}
					if (y < x)
						lo = mid + 1;
					else
						hi = mid;
				}
			}
			for (unsigned w = 0; w < rw; w++)
				cand[w] &= allow[w];
		}
	}

	*stop = SW_RULES_MAX;
	for (unsigned w = from / 64; w < rw; w++) {
		uint64_t bits = cand[w] & (w == from / 64 ? ~0ull << (from % 64) : ~0ull);
		while (bits != 0) {
			unsigned ri = w * 64 + (unsigned)__builtin_ctzll(bits);
			const struct sw_img_rule *r = &ctx->rules[ri];
			const struct sw_img_cond *c = &ctx->conds[r->cond_first];
			bool ok = r->malformed == mal, unknown = false;

			bits &= bits - 1;
			for (uint32_t j = 0; ok && j < r->ncond; j++, c++) {
				if (tri && cond_reads_arg(ctx, c)) {
					unknown = true;
					continue;
				}
				bool v = cond_value(ctx, m, port, c, atoms, net, &scanned,
						    &scanned_pt, acnbuf);
				ok = v != c->neg;
			}
			if (ok) {
				res = tri && unknown ? SW_RULE_UNDECIDED : (int32_t)ri;
				*stop = ri;
				goto out;
			}
		}
	}
out:
	sc->scanned = scanned;
	sc->scanned_pt = scanned_pt;
	return res;
}

static int32_t
evaluate(struct sw_policy_ctx *ctx, const struct sw_msu *m, unsigned port, bool mal)
{
	const struct sw_pscan_rec *pr;
	unsigned stop;
	struct sw_scan sc;

	if (__builtin_expect(m->pscan_seq != 0, 0) && ctx->pscan != NULL &&
	    (pr = &ctx->pscan[m->pscan_seq & (SW_PSCAN_RING - 1)])->seq == m->pscan_seq &&
	    pr->owner == (ctx->plan.key.stamp ^ (uintptr_t)m)) {
		/* what deciding before the argument was walked found (decide_eval): the scans of
		 * the message's own fields, unchanged by the walk, and where its well-formed pass
		 * stopped */
		memcpy(&sc, &pr->sc, sizeof(sc));
		return evaluate_core(ctx, m, port, mal, false, &sc, mal ? 0 : pr->from, &stop);
	}
	/* every other message: from 0, a constant (no candidate masked) */
	memset(sc.atoms, 0, sizeof(sc.atoms));
	sc.scanned = sc.scanned_pt = 0;
	return evaluate_core(ctx, m, port, mal, false, &sc, 0, &stop);
}



/* Token bucket of (rule, key) in the rate-limit table: true if a token was available. The key
 * holds the key field's value in full (ratelimit.h): digits, or the point code. */
static bool
rate_take(struct sw_policy_ctx *ctx, const struct sw_img_rule *r, int32_t rule,
	  const struct sw_msu *m, uint64_t now_ns)
{
	struct sw_rl_key k;

	memset(&k, 0, sizeof(k));
	k.rule = ctx->rl_ident[rule];
	k.rate = r->rl_rate;
	k.burst = r->rl_burst;
	k.field = r->rl_key;
	if (r->rl_key < SW_SF_COUNT) {
		const struct sw_digits *d = sf_digits(m, r->rl_key);
		if (d != NULL && d->len <= SW_DIGITS_MAX) {
			k.len = d->len;
			memcpy(k.val, d->d, d->len);
		}
	} else if ((r->rl_key == SW_RL_KEY_OPC || r->rl_key == SW_RL_KEY_DPC) &&
		   (m->has & SW_HAS_M3UA)) {
		uint32_t pc = r->rl_key == SW_RL_KEY_OPC ? m->m3ua.opc : m->m3ua.dpc;
		k.len = sizeof(pc);
		memcpy(k.val, &pc, sizeof(pc));
	}
	return sw_rl_take(ctx->rl, &k, now_ns, ctx->rl_stats);
}

/* ---- direction ---- */

static const struct sw_img_peer *
peer_of_addr(const struct sw_image_hdr *h, const struct sw_pkt *pkt, const uint8_t *addr)
{
	const struct sw_img_site *st;
	const struct sw_img_peer *pe;

	if (h == NULL || h->site_off == 0 || pkt == NULL || (pkt->ip_ver != 4 && pkt->ip_ver != 6))
		return NULL;
	st = img_at(h, h->site_off);
	pe = img_at(h, st->peers_off);
	/* Longest prefix first (the compiler's order): the first match is the most specific. */
	for (uint32_t i = 0; i < st->npeers; i++) {
		unsigned full = pe[i].plen / 8, rest = pe[i].plen % 8;
		if (pe[i].family != pkt->ip_ver || memcmp(pe[i].addr, addr, full) != 0)
			continue;
		if (rest != 0 && ((addr[full] ^ pe[i].addr[full]) & (uint8_t)(0xff00u >> rest)))
			continue;
		return &pe[i];
	}
	return NULL;
}

static const struct sw_img_peer *
peer_of(const struct sw_image_hdr *h, const struct sw_pkt *pkt)
{
	return peer_of_addr(h, pkt, pkt != NULL ? pkt->src : NULL);
}

unsigned
sw_policy_variant(const struct sw_policy_ctx *ctx, const struct sw_pkt *pkt)
{
	const struct sw_image_hdr *h = ctx != NULL ? ctx->img : NULL;
	const struct sw_img_site *st;
	const struct sw_img_peer *p;

	if (h == NULL || h->site_off == 0)
		return 0; /* SW_VARIANT_ITU */
	st = img_at(h, h->site_off);
	if (!st->link_variants)
		return st->variant; /* no link lookup when no link gives one */
	p = peer_of(h, pkt);
	if (p != NULL && p->variant != 0)
		return p->variant - 1u;
	p = peer_of_addr(h, pkt, pkt != NULL ? pkt->dst : NULL);
	if (p != NULL && p->variant != 0)
		return p->variant - 1u;
	return st->variant;
}

int
sw_policy_link(const struct sw_policy_ctx *ctx, const struct sw_pkt *pkt)
{
	const struct sw_img_peer *p = peer_of(ctx->img, pkt);

	return p != NULL ? (int)p->link : -1;
}

/* rate (issue 18 D7, `sigwallctl shadow diff` per partner): the partner whose GT range holds the
 * calling party, by the image's partner GT table (net_lookup). */
int32_t
sw_policy_partner_of(const struct sw_policy_ctx *ctx, const struct sw_msu *m)
{
	char acnbuf[SW_ACN_TEXT_MAX];
	unsigned len;
	const char *s;
	uint32_t net;

	if (ctx->img == NULL || ctx->nets == NULL)
		return -1;
	s = sf_text(m, SW_SF_CGPA, &len, acnbuf);
	if (len == 0)
		return -1;
	net = net_lookup(ctx->img, &ctx->nets->tab[SW_NETK_GT], s, len);
	return net >= SW_NET_PARTNER ? (int32_t)(net - SW_NET_PARTNER) : -1;
}

static bool
home_pc(const struct sw_image_hdr *h, uint32_t pc)
{
	const struct sw_img_site *st = img_at(h, h->site_off);
	const uint32_t *v = img_at(h, st->home_pc_off);
	uint32_t lo = 0, hi = st->nhome_pc;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (v[mid] == pc)
			return true;
		if (v[mid] < pc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

unsigned
sw_policy_direction(const struct sw_policy_ctx *ctx, const struct sw_pkt *pkt,
		    const struct sw_msu *msu, unsigned port, enum sw_dir_mode mode)
{
	const struct sw_image_hdr *h = ctx->img;
	const struct sw_img_peer *p = peer_of(h, pkt);

	if (mode == SW_DIR_PORT) {
		if (port != SW_SIDE_INSIDE)
			return SW_SIDE_OUTSIDE;
		return p != NULL && p->side == SW_SIDE_OUTSIDE ? SW_SIDE_OUTSIDE : SW_SIDE_INSIDE;
	}
	if (h == NULL || h->site_off == 0)
		return SW_SIDE_OUTSIDE;
	if (((const struct sw_img_site *)img_at(h, h->site_off))->nlinks > 0)
		return p != NULL ? p->side : SW_SIDE_OUTSIDE;
	return msu != NULL && (msu->has & SW_HAS_MTP3) && home_pc(h, msu->m3ua.opc)
		       ? SW_SIDE_INSIDE
		       : SW_SIDE_OUTSIDE;
}

/* The verdict of rule for msu: the rule's action (a rate limit takes a token), or the policy's
 * default / malformed action; monitor turns a drop into an alert. */
static __attribute__((always_inline)) inline struct sw_verdict
resolve(struct sw_policy_ctx *ctx, int32_t rule, const struct sw_msu *msu, uint64_t now_ns,
	int64_t wall_s)
{
	const struct sw_image_hdr *h = ctx->img;
	struct sw_verdict v = { .action = SW_ACTION_ALLOW, .monitor = false, .rule = rule };
	uint8_t action;
	bool monitor;

	if (rule >= 0) {
		const struct sw_img_rule *r = &ctx->rules[rule];
		action = r->action;
		if (action == SW_IMG_ACTION_RATE_LIMIT)
			action = rate_take(ctx, r, rule, msu, now_ns) ? SW_ACTION_ALLOW
								       : SW_ACTION_DROP;
		monitor = r->monitor || h->monitor || r->monitor_until > wall_s;
	} else {
		action = rule == SW_RULE_MALFORMED ? h->malformed_action : h->default_action;
		monitor = h->monitor;
	}
	if (monitor && action == SW_ACTION_DROP) {
		action = SW_ACTION_ALERT;
		v.monitor = true;
	}
	v.action = action;
	return v;
}

/* Cache rule as the verdict of the decoder's key of msu (plan_key: pn bytes, hdr, hash); dec:
 * what settling an argument found for that key (SW_DEC_*, sw_policy_settle). */
static __attribute__((always_inline)) inline void
cache_put(struct sw_policy_ctx *ctx, uint64_t hash, const uint64_t hdr[2], const struct sw_msu *msu,
	  size_t pn, int32_t rule, uint8_t dec)
{
	uint32_t set = (uint32_t)(hash >> 20) & (SW_CACHE_SLOTS / 2 - 1);
	uint32_t slot = 2 * set + ctx->cvictim[set];
	struct sw_cache_ent *e = &ctx->cache[slot];

	ctx->cvictim[set] ^= 1;
	ctx->ctags[slot] = hash | 1;
	e->rule = rule;
	e->dec = dec;
	e->len = (uint16_t)(SW_LEN_PLANNED | (SW_PKEY_HDR + pn));
	memcpy(e->key, hdr, SW_PKEY_HDR);
	/* whole words: the zeros past the key are compared too (words_equal) */
	memcpy(e->key + SW_PKEY_HDR, msu->key.b, (pn + 7) & ~(size_t)7);
}

struct sw_verdict
sw_policy_eval(struct sw_policy_ctx *ctx, const struct sw_pkt *pkt, const struct sw_msu *msu,
	       unsigned port, uint64_t now_ns)
{
	const struct sw_image_hdr *h = ctx->img;
	struct sw_verdict v = { .action = SW_ACTION_ALLOW, .monitor = false, .rule = 0 };
	bool mal = msu->mal != SW_MAL_NONE;
	uint8_t key[SW_KEY_MAX + SW_KEY_PAD];
	struct sw_cache_ent *e = NULL;
	uint64_t hash = 0, hdr[2];
	uint32_t set = 0;
	bool cache = false;
	size_t klen, pn;
	int32_t rule;
	int64_t wall_s = 0;

	ctx->pkt = pkt;
	if (__builtin_expect(h == NULL, 0)) {
		/* Not bound to an image (a caller bug): no policy, nothing to enforce. */
		v.rule = SW_RULE_DEFAULT;
		return v;
	}
	if (__builtin_expect(ctx->has_dates, 0)) {
		/* Dated rules (issue 18): the set of live rules changes at an expiry, and with it
		 * the verdicts cached before. */
		wall_s = ((int64_t)now_ns + ctx->wall_off) / 1000000000;
		if (wall_s < ctx->live_lo || wall_s >= ctx->live_hi) {
			uint64_t was[SW_RULE_WORDS];
			memcpy(was, ctx->live, sizeof(was));
			live_rules(ctx, wall_s);
			if (memcmp(was, ctx->live, sizeof(was)) != 0)
				memset(ctx->ctags, 0, sizeof(uint64_t) * SW_CACHE_SLOTS);
		}
	}
	if (ctx->need_link) {
		const struct sw_img_peer *p = peer_of(h, pkt);
		ctx->link = p != NULL ? (int32_t)p->link : -1;
	}
	pn = plan_key(ctx, msu, port, hdr, &hash);
	if (pn > 0) {
		/* the key the decoder wrote (plan_key): the verdict's two words, then its bytes */
		uint64_t tag = hash | 1;
		set = (uint32_t)(hash >> 20) & (SW_CACHE_SLOTS / 2 - 1);
		for (unsigned w = 0; w < 2; w++) {
			uint32_t slot = 2 * set + w;
			uint64_t h0, h1;
			if (ctx->ctags[slot] != tag)
				continue;
			e = &ctx->cache[slot];
			memcpy(&h0, e->key, 8);
			memcpy(&h1, e->key + 8, 8);
			if (e->len == (SW_LEN_PLANNED | (SW_PKEY_HDR + pn)) && h0 == hdr[0] &&
			    h1 == hdr[1] && words_equal(e->key + SW_PKEY_HDR, msu->key.b, pn)) {
				ctx->hits++;
				rule = e->rule;
				goto resolve;
			}
		}
		cache = true;
		klen = 0;
	} else {
		klen = key_build(ctx, msu, port, mal, key, &hash);
	}
	if (klen > 0) {
		uint64_t tag = hash | 1;
		set = (uint32_t)(hash >> 20) & (SW_CACHE_SLOTS / 2 - 1);
		for (unsigned w = 0; w < 2; w++) {
			uint32_t slot = 2 * set + w;
			if (ctx->ctags[slot] != tag)
				continue;
			e = &ctx->cache[slot];
			if (e->len == klen && key_equal(e->key, key, klen)) {
				ctx->hits++;
				rule = e->rule;
				goto resolve;
			}
		}
		cache = true;
	}
	ctx->misses++;
	rule = evaluate(ctx, msu, port, mal);
	if (cache && pn > 0) {
		cache_put(ctx, hash, hdr, msu, pn, rule, SW_DEC_UNKNOWN);
	} else if (cache) {
		uint32_t slot = 2 * set + ctx->cvictim[set];
		ctx->cvictim[set] ^= 1;
		e = &ctx->cache[slot];
		ctx->ctags[slot] = hash | 1;
		e->rule = rule;
		e->dec = SW_DEC_UNKNOWN;
		e->len = (uint16_t)klen;
		memcpy(e->key, key, klen);
	}
resolve:
	return resolve(ctx, rule, msu, now_ns, wall_s);
}

/* drop > alert > allow */
static inline unsigned
action_rank(uint8_t action)
{
	return action == SW_ACTION_DROP ? 2 : action == SW_ACTION_ALERT ? 1 : 0;
}

/* A message of several components (sw_policy_eval_msg; out of line: the prologue of this loop
 * is not paid by a message of one component). */
static __attribute__((noinline)) struct sw_verdict
eval_components(struct sw_policy_ctx *ctx, const uint8_t *buf, const struct sw_pkt *pkt,
		const struct sw_msu *msu, unsigned port, uint64_t now_ns)
{
	struct sw_msu *view = ctx->view;
	struct sw_verdict best = { .action = SW_ACTION_ALLOW, .rule = SW_RULE_DEFAULT };
	/* views taken from the decoder (not the reference evaluation); fresh: view->map and
	 * view->cap are the message's but for from_comp */
	bool reuse = !(ctx->flags & SW_POLICY_F_FULL_VIEWS), fresh = true;
	unsigned nc, selected;

	nc = msu->tcap.ncomp < SW_COMP_MAX ? msu->tcap.ncomp : SW_COMP_MAX;
	selected = (msu->has & SW_HAS_CAP) ? msu->cap.from_comp : msu->map.from_comp;
	/* Each component alone, with the MAP fields of its own parameter (TS 29.002): a decoy
	 * component cannot lend its IMSI to another one. The message-level fields (routing label,
	 * SCCP, TCAP, dialogue) and the malformation stay the message's. */
	memcpy(view, msu, sizeof(*view));
	view->plan = NULL; /* a component decoded again below stores no view records */
	for (unsigned i = 0; i < nc; i++) {
		struct sw_verdict v;
		/* SW_POLICY_F_WRONG_VIEWS (self-check): the next component's view */
		unsigned from = (ctx->flags & SW_POLICY_F_WRONG_VIEWS) ? (i + 1) % nc : i;

		view->tcap.ncomp = 1;
		view->tcap.comp[0] = msu->tcap.comp[i];
		if (!ctx->view_fields) {
			/* no rule reads a component's own fields (bind): the message's stay,
			 * unread; the decoder checked every component's parameter already */
		} else if (reuse && from + 1u == selected) {
			/* the component the decoder took the message's fields from: they are what
			 * decoding it alone gives (map.c, cap.c), no second walk */
			if (!fresh) {
				memcpy(&view->map, &msu->map, sizeof(view->map));
				memcpy(&view->cap, &msu->cap, sizeof(view->cap));
				fresh = true;
			}
			view->map.from_comp = (msu->has & SW_HAS_CAP) ? 0 : 1;
			view->cap.from_comp = (msu->has & SW_HAS_CAP) ? 1 : 0;
			view->has = msu->has;
		} else if (reuse && sw_map_view_component(msu, from, view)) {
			/* what the decoder stored of this component's argument as it walked it
			 * (decode/plan_want.h): no second walk (issue 20 D2) */
			fresh = false;
		} else {
			/* decoded without views (or overwritten since), or the reference */
			memset(&view->map, 0, sizeof(view->map));
			view->has = msu->has & ~SW_HAS_MAP;
			view->mal = msu->mal;
			sw_map_decode_component(buf, view, 0);
			view->mal = msu->mal;
			fresh = false;
		}
		v = sw_policy_eval(ctx, pkt, view, port, now_ns);
		if (i == 0 || action_rank(v.action) > action_rank(best.action))
			best = v;
	}
	return best;
}

struct sw_verdict
sw_policy_eval_msg(struct sw_policy_ctx *ctx, const uint8_t *buf, const struct sw_pkt *pkt,
		   const struct sw_msu *msu, unsigned port, uint64_t now_ns)
{
	if (!(msu->has & SW_HAS_TCAP) || msu->tcap.ncomp <= 1 || buf == NULL)
		return sw_policy_eval(ctx, pkt, msu, port, now_ns);
	return eval_components(ctx, buf, pkt, msu, port, now_ns);
}

bool
sw_policy_key_pair(struct sw_policy_ctx *ctx, const struct sw_pkt *pkt, const struct sw_msu *msu,
		   unsigned port, uint8_t *kb, size_t *nkb, uint8_t *kp, size_t *nkp)
{
	uint64_t hash, hdr[2];
	size_t n;

	ctx->pkt = pkt;
	if (ctx->need_link) {
		const struct sw_img_peer *p = peer_of(ctx->img, pkt);
		ctx->link = p != NULL ? (int32_t)p->link : -1;
	}
	*nkb = key_build(ctx, msu, port, msu->mal != SW_MAL_NONE, kb, &hash);
	n = plan_key(ctx, msu, port, hdr, &hash);
	*nkp = 0;
	if (n == 0)
		return false;
	/* the whole words the hit path compares: zero past n, or the test sees keys differ */
	n = (n + 7) & ~(size_t)7;
	memcpy(kp, hdr, SW_PKEY_HDR);
	memcpy(kp + SW_PKEY_HDR, msu->key.b, n);
	*nkp = SW_PKEY_HDR + n;
	return true;
}

/* ---- verdicts decided before the argument walk (issue 20 D2) ---- */

void
sw_policy_ctx_decide_arm(struct sw_policy_ctx *ctx, bool on)
{
	ctx->dec_armed = on;
}

bool
sw_policy_ctx_decides(const struct sw_policy_ctx *ctx)
{
	return ctx->img != NULL && ctx->decide_ok;
}

void
sw_policy_ctx_decide_stats(const struct sw_policy_ctx *ctx, uint64_t *evals, uint64_t *hits,
			   uint64_t *skips, uint64_t *paused)
{
	*paused = ctx->dec_paused;
	*evals = ctx->dec_evals;
	*hits = ctx->dec_hits;
	*skips = ctx->dec_skips;
}

/* The action sw_policy_eval resolves rule to (monitor included); -1 when it depends on more
 * than the rule (a rate limit's bucket). */
static int
decided_action(const struct sw_policy_ctx *ctx, int32_t rule)
{
	const struct sw_image_hdr *h = ctx->img;
	bool monitor = h->monitor;
	int a;

	if (rule >= 0) {
		const struct sw_img_rule *r = &ctx->rules[rule];
		if (r->action == SW_IMG_ACTION_RATE_LIMIT)
			return -1;
		a = r->action;
		monitor |= r->monitor != 0; /* monitor_until: dated rules decide nothing (bind) */
	} else {
		a = rule == SW_RULE_MALFORMED ? h->malformed_action : h->default_action;
	}
	return monitor && a == SW_ACTION_DROP ? SW_ACTION_ALERT : a;
}

/*
 * The first match of m, well-formed (pass 0) and malformed (pass 1), over the conditions that
 * do not read the component's argument (ctx->arg_sf, arg_if: its fields are unknown until it is
 * walked). A rule is out when one of its known conditions fails, matches when all its
 * conditions are known and hold, and is undecided otherwise: then the pass, and the verdict,
 * is undecided. Decided when both passes are and resolve to one action, and a proxy answers
 * both alike (the rule of the malformed pass is the one reported when the walk finds a
 * malformation: the skipped message reports the well-formed pass's rule instead). *rule: the
 * well-formed pass's rule; what was scanned is kept for the verdict (ctx->pscan, evaluate).
 */
static bool
decide_eval(struct sw_policy_ctx *ctx, struct sw_msu *m, unsigned port, int32_t *rule)
{
	struct sw_scan sc;
	int32_t res[2];
	int a0, a1;

	unsigned stop0, stop1;

	memset(sc.atoms, 0, sizeof(sc.atoms));
	sc.scanned = sc.scanned_pt = 0;
	res[0] = evaluate_core(ctx, m, port, false, true, &sc, 0, &stop0);
	if (res[0] != SW_RULE_UNDECIDED)
		res[1] = evaluate_core(ctx, m, port, true, true, &sc, 0, &stop1);
	/* what was found, for the verdict if the argument is walked (evaluate) */
	struct sw_pscan_rec *pr = &ctx->pscan[++ctx->pscan_next & (SW_PSCAN_RING - 1)];
	pr->seq = m->pscan_seq = ctx->pscan_next;
	pr->owner = ctx->plan.key.stamp ^ (uintptr_t)m;
	pr->from = stop0;
	memcpy(&pr->sc, &sc, sizeof(sc));
	if (res[0] == SW_RULE_UNDECIDED || res[1] == SW_RULE_UNDECIDED)
		return false;
	*rule = res[0];
	a0 = decided_action(ctx, res[0]);
	a1 = decided_action(ctx, res[1]);
	if (a0 < 0 || a0 != a1)
		return false;
	if (res[0] != res[1] &&
	    ((res[0] >= 0 && ctx->rules[res[0]].px_action != SW_PX_NONE) ||
	     (res[1] >= 0 && ctx->rules[res[1]].px_action != SW_PX_NONE)))
		return false;
	return true;
}

/*
 * Whether deferring pays (measured with callgrind, bench/results/issue20-d2b-*.txt): a skipped
 * argument saves its walk (about 800 instructions), a decision evaluated costs about 1500 more
 * than the verdict alone would have, and every settled message about 250 (its key hashed and
 * probed once more). Over each window of SW_DEC_WINDOW settled messages the context keeps
 * deferring while the skips pay for the rest; when they do not, it stops, and tries again
 * after SW_DEC_PAUSE messages (a flood whose keys never repeat is then walked as before).
 */
#define SW_DEC_WINDOW 1024
#define SW_DEC_PAUSE 65536
#define SW_DEC_WALK 800
#define SW_DEC_EVAL 1500
#define SW_DEC_PROBE 250

static void
decide_window(struct sw_policy_ctx *ctx)
{
	uint64_t gain = ctx->w_skips * SW_DEC_WALK;
	uint64_t cost = ctx->w_evals * SW_DEC_EVAL + ctx->w_settles * SW_DEC_PROBE;

	if (gain < cost && !(ctx->flags & SW_POLICY_F_DECIDE_ALWAYS)) {
		ctx->dec_pause = SW_DEC_PAUSE;
		ctx->dec_paused++;
	}
	ctx->w_settles = ctx->w_skips = ctx->w_evals = 0;
}

/* The decoder's question (decode/plan_want.h): may the argument wait for sw_policy_settle? */
bool
sw_policy_decide(void *arg, struct sw_msu *msu)
{
	struct sw_policy_ctx *ctx = arg;

	(void)msu;
	if (!ctx->dec_armed)
		return false;
	if (__builtin_expect(ctx->dec_pause != 0, 0)) {
		ctx->dec_pause--;
		return false;
	}
	return true;
}

bool
sw_policy_settle(struct sw_policy_ctx *ctx, const uint8_t *buf, const struct sw_pkt *pkt,
		 struct sw_msu *msu, unsigned dir, uint64_t now_ns, struct sw_verdict *v)
{
	struct sw_cache_ent *e = NULL;
	uint64_t hdr[2], hash;
	int32_t rule = SW_RULE_UNDECIDED;
	size_t n = 0;

	if (!msu->arg_deferred)
		return false;
	if (++ctx->w_settles == SW_DEC_WINDOW)
		decide_window(ctx);
	if (ctx->img != NULL && ctx->decide_ok) {
		ctx->pkt = pkt;
		if (ctx->need_link) {
			const struct sw_img_peer *p = peer_of(ctx->img, pkt);
			ctx->link = p != NULL ? (int32_t)p->link : -1;
		}
		/* the key as the verdict reads it without the argument: its fields absent */
		n = plan_key(ctx, msu, dir, hdr, &hash);
	}
	/* Keys found undecided: a tag each, no key (a colliding key is walked: always right). */
	uint64_t *ut = n > 0 ? &ctx->utags[hash & (SW_UNDEC_SLOTS - 1)] : NULL;
	if (ut != NULL && *ut == (hash | 1)) {
		ctx->dec_hits++;
		n = 0;
	}
	if (n > 0) {
		/* A decided key's verdict is a cache entry (SW_DEC_DECIDED): the verdict itself. */
		uint32_t set = (uint32_t)(hash >> 20) & (SW_CACHE_SLOTS / 2 - 1);

		for (unsigned w = 0; w < 2 && e == NULL; w++) {
			uint32_t slot = 2 * set + w;
			struct sw_cache_ent *c = &ctx->cache[slot];
			if (ctx->ctags[slot] == (hash | 1) &&
			    c->len == (SW_LEN_PLANNED | (SW_PKEY_HDR + n)) &&
			    memcmp(c->key, hdr, SW_PKEY_HDR) == 0 &&
			    words_equal(c->key + SW_PKEY_HDR, msu->key.b, n))
				e = c;
		}
		if (e != NULL && e->dec == SW_DEC_DECIDED) {
			ctx->dec_hits++;
			ctx->hits++;
			rule = e->rule;
		} else {
			int32_t r;

			ctx->dec_evals++;
			ctx->w_evals++;
			if (decide_eval(ctx, msu, dir, &r)) {
				rule = r;
				if (e != NULL) {
					/* a walked message's verdict without the argument's
					 * fields: the same rule */
					e->dec = SW_DEC_DECIDED;
					e->rule = r;
				} else {
					ctx->misses++;
					cache_put(ctx, hash, hdr, msu, n, r, SW_DEC_DECIDED);
				}
			} else {
				*ut = hash | 1;
			}
		}
	}
	if (rule != SW_RULE_UNDECIDED) {
		msu->arg_deferred = 0;
		msu->arg_skipped = 1;
		ctx->dec_skips++;
		ctx->w_skips++;
		/* dated rules decide nothing (decide_bind): no wall time */
		*v = resolve(ctx, rule, msu, now_ns, 0);
		return true;
	}
	if (buf != NULL) {
		sw_tcap_complete(buf, msu);
	} else {
		/* not the buffer it was decoded from (a caller that armed no judge): the argument
		 * cannot be read, so it is judged as a malformed one */
		msu->arg_deferred = 0;
		if (msu->mal == SW_MAL_NONE)
			msu->mal = SW_MAL_MAP_PARAM;
	}
	return false;
}
