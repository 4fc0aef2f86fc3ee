/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policy compiler: the opcode index and the gates of the image (image.h), which let the engine
 * drop candidate rules that cannot match before trying any condition.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"

/* Gate fields in order of preference: the one whose prefix lists are the most selective
 * (calling and called GT, IMSI), other digit fields, then the free text ones. */
static const uint8_t gate_rank[SW_SF_COUNT] = {
	[SW_SF_CGPA] = 0, [SW_SF_CDPA] = 1, [SW_SF_IMSI] = 2, [SW_SF_MSISDN] = 3,
	[SW_SF_VLR] = 4, [SW_SF_MSC] = 4, [SW_SF_HLR] = 4, [SW_SF_SGSN] = 4, [SW_SF_SMSC] = 4,
	[SW_SF_SM_RP_DA] = 5, [SW_SF_SM_RP_OA] = 5, [SW_SF_CGPN] = 5, [SW_SF_CDPN] = 5,
	[SW_SF_ACN] = 6, [SW_SF_USSD] = 7,
};

/* Integer gate fields in order of preference (point codes, then SSNs, then the rest). */
static unsigned
igate_rank(unsigned f)
{
	return f == SW_IF_OPC ? 0 : f == SW_IF_DPC ? 1
	       : (f == SW_IF_CGPA_SSN || f == SW_IF_CDPA_SSN) ? 2 : 3;
}

static bool
atom_gated(const struct builder *b, const struct sw_img_rule *r)
{
	for (uint32_t j = 0; j < r->ncond; j++) {
		const struct sw_img_cond *c = &b->conds[r->cond_first + j];
		if (c->kind == SW_COND_ATOM && !c->neg && c->field < SW_SF_COUNT &&
		    c->arg < b->natoms)
			return true;
	}
	return false;
}

static int
cmp_itrip(const void *a, const void *b)
{
	const struct itrip *x = a, *y = b;

	if (x->field != y->field)
		return x->field < y->field ? -1 : 1;
	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/*
 * Integer gate: a rule that no atom gates is gated by one non-negated integer condition with
 * at most SW_IGATE_SET_MAX values (best-ranked field, then fewest values, then first), while
 * the image stays under SW_IGATE_VALS_MAX values. Before layout: the sets are still
 * data-relative.
 */
int
cpl_igate_pick(struct builder *b, struct igate *ig)
{
	size_t cap = 0;
	uint32_t vals[SW_IGATE_SET_MAX];

	memset(ig, 0, sizeof(*ig));
	for (size_t i = 0; i < b->nrules; i++) {
		const struct sw_img_rule *r = &b->rules[i].r;
		const struct sw_img_cond *best = NULL;
		size_t bestn = 0;

		if (atom_gated(b, r))
			continue;
		for (uint32_t j = 0; j < r->ncond; j++) {
			const struct sw_img_cond *c = &b->conds[r->cond_first + j];
			size_t n;
			if (c->kind != SW_COND_INT || c->neg || c->field >= SW_IF_COUNT)
				continue;
			n = cpl_set_values(b, c->arg, NULL);
			if (n == 0 || n > SW_IGATE_SET_MAX)
				continue;
			if (best == NULL || igate_rank(c->field) < igate_rank(best->field) ||
			    (igate_rank(c->field) == igate_rank(best->field) && n < bestn)) {
				best = c;
				bestn = n;
			}
		}
		if (best == NULL || ig->n + bestn > SW_IGATE_VALS_MAX)
			continue;
		struct itrip *t = cpl_grow(ig->t, &cap, ig->n + bestn, sizeof(*t));
		if (t == NULL)
			return -ENOMEM;
		ig->t = t;
		cpl_set_values(b, best->arg, vals);
		for (size_t k = 0; k < bestn; k++)
			ig->t[ig->n++] = (struct itrip){ vals[k], best->field, (uint32_t)i };
	}
	if (ig->n > 0)
		qsort(ig->t, ig->n, sizeof(*ig->t), cmp_itrip);
	for (size_t k = 0; k < ig->n; k++)
		if (k == 0 || ig->t[k].field != ig->t[k - 1].field ||
		    ig->t[k].value != ig->t[k - 1].value)
			ig->nvals++;
	return 0;
}

/*
 * Gate (image.h): each rule with a non-negated atom condition is gated by one of them, the
 * one on the best-ranked field (the first such condition on a tie, so the image is
 * deterministic); the others by an integer condition when cpl_igate_pick chose one. A negated
 * condition never gates: its rule matches when the atom is NOT set. Returns the number of
 * gated rules.
 */
uint32_t
cpl_gate_build(struct builder *b, uint64_t *g, size_t rw, const struct igate *ig)
{
	uint64_t *gated = g, *mal = g + rw, *gfield = g + 2 * rw;
	uint64_t *arow = g + (2 + SW_SF_COUNT) * rw;
	uint64_t *gifield = arow + (size_t)b->natoms * rw;
	uint64_t *vrow = gifield + (size_t)SW_IF_COUNT * rw;
	struct sw_img_ival *ivals = (void *)(vrow + ig->nvals * rw);
	uint32_t n = 0;
	size_t v = 0;

	for (size_t k = 0; k < ig->n; k++) {
		const struct itrip *t = &ig->t[k];
		uint32_t i = t->rule;
		uint64_t bit = 1ull << (i % 64);

		if (k > 0 && (t->field != ig->t[k - 1].field || t->value != ig->t[k - 1].value))
			v++;
		ivals[v].value = t->value;
		ivals[v].field = (uint8_t)t->field;
		vrow[v * rw + i / 64] |= bit;
		gifield[(size_t)t->field * rw + i / 64] |= bit;
		if (!(gated[i / 64] & bit)) {
			gated[i / 64] |= bit;
			n++;
		}
	}

	for (size_t i = 0; i < b->nrules; i++) {
		const struct sw_img_rule *r = &b->rules[i].r;
		const struct sw_img_cond *best = NULL;
		uint64_t bit = 1ull << (i % 64);

		if (r->malformed)
			mal[i / 64] |= bit;
		for (uint32_t j = 0; j < r->ncond; j++) {
			const struct sw_img_cond *c = &b->conds[r->cond_first + j];
			if (c->kind != SW_COND_ATOM || c->neg || c->field >= SW_SF_COUNT ||
			    c->arg >= b->natoms)
				continue;
			if (best == NULL || gate_rank[c->field] < gate_rank[best->field])
				best = c;
		}
		if (best == NULL)
			continue;
		gated[i / 64] |= bit;
		gfield[(size_t)best->field * rw + i / 64] |= bit;
		arow[(size_t)best->arg * rw + i / 64] |= bit;
		n++;
	}
	return n;
}

/* Opcode index (image.h): a rule whose (non-negated) component predicate names opcodes, all
 * below 256, is a candidate only when a component carries one of them; every other rule is in
 * the SW_OPIDX_BASE row. Before layout: the opcode sets are still data-relative. */
void
cpl_opidx_build(struct builder *b, uint64_t *opidx, size_t rw)
{
	for (size_t i = 0; i < b->nrules; i++) {
		const struct rule *r = &b->rules[i];
		/* Only an indexed rule has an opcode set in the data area (which may be empty). */
		const struct sw_img_set *os =
			r->indexed ? (const void *)(b->data.p + r->opset) : NULL;

		if (os != NULL && os->nbig == 0) {
			for (unsigned v = 0; v < 256; v++)
				if ((os->bits[v >> 6] >> (v & 63)) & 1)
					opidx[v * rw + i / 64] |= 1ull << (i % 64);
		} else {
			opidx[SW_OPIDX_BASE * rw + i / 64] |= 1ull << (i % 64);
		}
	}
}
