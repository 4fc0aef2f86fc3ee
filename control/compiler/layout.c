/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policy compiler, pass 2: the image. Hyperscan databases (atoms.c) and gates (gates.c) are
 * built, every section is reserved with the image writer (dataplane/policy/image_write.h) in
 * the order of image.h, then filled: data-relative set offsets are relocated to image offsets
 * on the way.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "dataplane/policy/image_write.h"

/* Offsets of the sections of one image. */
struct layout {
	size_t rules, conds, data, opidx, gate, strtab, site, state, nets;
	size_t ntab[SW_NETK_COUNT], nnslots[SW_NETK_COUNT];
	size_t nbloom[SW_NETK_COUNT], nbloombits[SW_NETK_COUNT];
	struct ptent *nent[SW_NETK_COUNT]; /* the partner prefixes of each kind */
	size_t nnent[SW_NETK_COUNT];
	size_t ptab[SW_SF_COUNT], nslots[SW_SF_COUNT];
	size_t bloom[SW_SF_COUNT], bloombits[SW_SF_COUNT];
};

/* The site section: struct sw_img_site, peers, link names, home point codes. */
static size_t
site_size(const struct site *st)
{
	return sizeof(struct sw_img_site) + st->npeers * sizeof(struct sw_img_peer) +
	       (st->nlinks + st->npc) * sizeof(uint32_t);
}

static int
cmp_pc(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Peers longest prefix first (the first match is the most specific), link names, home point
 * codes sorted and distinct. */
static void
put_site(struct builder *b, struct sw_image_writer *w, const struct layout *l,
	 const uint32_t *lname)
{
	const struct site *st = &b->site;
	struct sw_img_site hs = { 0 };
	struct sw_img_peer *peers = sw_imgw_at(w, l->site + sizeof(hs));
	uint32_t *names = (void *)(peers + st->npeers), *pcs = names + st->nlinks;
	size_t npc = 0;

	hs.npeers = (uint32_t)st->npeers;
	hs.peers_off = (uint32_t)(l->site + sizeof(hs));
	hs.nlinks = (uint32_t)st->nlinks;
	hs.links_off = (uint32_t)((uint8_t *)names - (uint8_t *)sw_imgw_at(w, 0));
	hs.home_pc_off = hs.links_off + (uint32_t)(st->nlinks * sizeof(uint32_t));
	/* Longest prefix first, file order among equal lengths (deterministic, stable). */
	for (size_t n = 0, len = 129; len-- > 0;)
		for (size_t i = 0; i < st->npeers; i++)
			if (st->peers[i].plen == len)
				peers[n++] = st->peers[i];
	for (size_t i = 0; i < st->nlinks; i++)
		names[i] = lname[i];
	for (size_t i = 0; i < st->npc; i++)
		pcs[i] = st->pc[i];
	if (st->npc > 0)
		qsort(pcs, st->npc, sizeof(*pcs), cmp_pc);
	for (size_t i = 0; i < st->npc; i++)
		if (npc == 0 || pcs[npc - 1] != pcs[i])
			pcs[npc++] = pcs[i];
	for (size_t i = npc; i < st->npc; i++)
		pcs[i] = 0;
	hs.nhome_pc = (uint32_t)npc;
	hs.state_off = (uint32_t)l->state;
	hs.variant = st->variant;
	for (size_t i = 0; i < st->npeers; i++)
		if (st->peers[i].variant != 0)
			hs.link_variants = 1;
	hs.nets_off = (uint32_t)l->nets;
	sw_imgw_put(w, l->site, &hs, sizeof(hs));
	b->hdr.site_off = (uint32_t)l->site;
}

/* ---- the state section (issue 15) ---- */

/* Does the image need one? Only then: images of sites and rules without state keep their
 * bytes. */
static bool
state_wanted(const struct builder *b)
{
	return b->site.has_state || b->state_used != 0;
}

static size_t
state_nprefix(const struct builder *b, unsigned kind)
{
	size_t n = kind == SW_STATE_PFX_GT ? b->site.ngt : b->site.nplmn;

	for (size_t k = 0; k < b->site.np; k++)
		n += kind == SW_STATE_PFX_GT ? b->site.p[k].ngt : b->site.p[k].nplmn;
	return n;
}

static size_t
state_size(const struct builder *b)
{
	return sizeof(struct sw_img_state) + b->site.np * sizeof(struct sw_img_partner) +
	       (state_nprefix(b, SW_STATE_PFX_GT) + state_nprefix(b, SW_STATE_PFX_IMSI)) *
		       sizeof(struct sw_img_sprefix) +
	       16 + b->site.travel.npairs * sizeof(struct sw_state_travel_pair);
}

static int
cmp_sprefix(const void *x, const void *y)
{
	const struct sw_img_sprefix *a = x, *c = y;

	if (a->len != c->len)
		return a->len > c->len ? -1 : 1;
	if (a->key != c->key)
		return a->key < c->key ? -1 : 1;
	return a->net < c->net ? -1 : a->net > c->net;
}

/* Prefixes of one kind into px: home first, then partners; sorted longest first, then by key;
 * a prefix listed twice keeps its first network (home before partners). Returns how many. */
static uint32_t
state_prefixes(const struct builder *b, unsigned kind, struct sw_img_sprefix *px)
{
	size_t n = 0, m = 0;

	for (size_t k = 0; k <= b->site.np; k++) {
		char **v = k == 0 ? (kind == SW_STATE_PFX_GT ? b->site.gt : b->site.plmn)
				  : (kind == SW_STATE_PFX_GT ? b->site.p[k - 1].gt
							     : b->site.p[k - 1].plmn);
		size_t nv = k == 0 ? (kind == SW_STATE_PFX_GT ? b->site.ngt : b->site.nplmn)
				   : (kind == SW_STATE_PFX_GT ? b->site.p[k - 1].ngt
							      : b->site.p[k - 1].nplmn);
		for (size_t i = 0; i < nv; i++) {
			struct sw_img_sprefix e = { 0 };
			size_t len = strlen(v[i]);
			for (size_t d = 0; d < len && d < SW_PTAB_DIGITS; d++)
				e.key |= (uint64_t)sw_ptab_nibble(v[i][d]) << (4 * d);
			e.len = (uint8_t)len;
			e.net = (uint16_t)(k == 0 ? SW_NET_HOME : SW_NET_PARTNER + (k - 1));
			px[n++] = e;
		}
	}
	qsort(px, n, sizeof(*px), cmp_sprefix);
	for (size_t i = 0; i < n; i++)
		if (m == 0 || px[m - 1].len != px[i].len || px[m - 1].key != px[i].key)
			px[m++] = px[i];
	for (size_t i = m; i < n; i++)
		memset(&px[i], 0, sizeof(px[i]));
	return (uint32_t)m;
}

static void
put_state(struct builder *b, struct sw_image_writer *w, const struct layout *l)
{
	const struct site *st = &b->site;
	struct sw_img_state ss = { 0 };
	size_t off = l->state + sizeof(ss);
	struct sw_img_partner *pa = sw_imgw_at(w, off);

	if (l->state == 0)
		return;
	ss.used = b->state_used;
	ss.home_country = st->home_country;
	ss.npartners = (uint32_t)st->np;
	ss.partners_off = (uint32_t)off;
	for (size_t k = 0; k < st->np; k++) {
		pa[k].id = st->p[k].id;
		pa[k].country = st->p[k].country;
	}
	off += st->np * sizeof(*pa);
	for (unsigned kind = 0; kind < 2; kind++) {
		ss.prefix_off[kind] = (uint32_t)off;
		const struct sw_img_sprefix *px = sw_imgw_at(w, off);
		ss.nprefix[kind] = state_prefixes(b, kind, sw_imgw_at(w, off));
		for (uint32_t i = 0; i < ss.nprefix[kind]; i++)
			ss.lens[kind] |= (uint16_t)(1u << (px[i].len - 1));
		off += state_nprefix(b, kind) * sizeof(struct sw_img_sprefix);
	}
	ss.dialogues = st->entries[SW_STATE_T_DIALOGUE];
	ss.sms = st->entries[SW_STATE_T_SMS];
	ss.subscribers = st->entries[SW_STATE_T_LOCATION];
	ss.dialogue_timeout_s = st->ttl_s[SW_STATE_T_DIALOGUE];
	ss.sms_window_s = st->ttl_s[SW_STATE_T_SMS];
	ss.location_max_age_s = st->ttl_s[SW_STATE_T_LOCATION];
	ss.travel_off = (uint32_t)off;
	sw_imgw_put(w, off, &st->travel,
		    16 + st->travel.npairs * sizeof(struct sw_state_travel_pair));
	sw_imgw_put(w, l->state, &ss, sizeof(ss));
}

/* Slots (a power of two, at least twice the entries) and Bloom bits (8 per slot, k = 2: about
 * 1% false positives per probe) of a prefix table of n entries, reserved. */
static void
reserve_table(struct sw_image_writer *w, size_t n, size_t *slots, size_t *nslots, size_t *bloom,
	      size_t *bloombits)
{
	*nslots = 16;
	while (*nslots < 2 * n)
		*nslots *= 2;
	*slots = sw_imgw_reserve(w, *nslots * sizeof(struct sw_img_pslot));
	*bloombits = *nslots * 8 > (1u << 24) ? (1u << 24) : *nslots * 8;
	*bloom = sw_imgw_reserve(w, *bloombits / 8);
}

/* Entries into a reserved table, in order: linear probing keeps an earlier entry of the same
 * (length, digits) before a later one, and an exact repeat (same atom too) is left out. Returns
 * the prefix lengths present (bit l - 1). */
static uint32_t
put_table(struct sw_img_pslot *slots, size_t nslots, uint64_t *bloom, uint32_t bloombits,
	  const struct ptent *ent, size_t n)
{
	uint32_t lens = 0;

	for (size_t i = 0; i < n; i++) {
		const struct ptent *e = &ent[i];
		uint64_t hv = sw_ptab_hash(e->key, e->len);
		size_t m = nslots - 1, j = hv & m;
		uint32_t bit = SW_BLOOM_BIT(hv, bloombits), bit2 = SW_BLOOM_BIT2(hv, bloombits);
		bool dup = false;

		bloom[bit >> 6] |= 1ull << (bit & 63);
		bloom[bit2 >> 6] |= 1ull << (bit2 & 63);
		for (; slots[j].key != 0; j = (j + 1) & m)
			if (slots[j].key == e->key && slots[j].len == e->len &&
			    slots[j].atom == e->atom)
				dup = true;
		if (dup)
			continue;
		slots[j].key = e->key;
		slots[j].len = e->len;
		slots[j].atom = e->atom;
		lens |= 1u << (e->len - 1);
	}
	return lens;
}

/* ---- partner networks (issue 18 Deliver 1) ---- */

/* The partner prefixes of each kind some field resolves, as table entries (atom: partner). */
static int
nets_entries(struct builder *b, struct layout *l)
{
	for (unsigned kind = 0; kind < SW_NETK_COUNT; kind++) {
		size_t n = 0, m = 0;
		if (!(b->netk_used & (1u << kind)))
			continue;
		for (size_t k = 0; k < b->site.np; k++) {
			cpl_partner_prefixes(&b->site.p[k], kind, &m);
			n += m;
		}
		l->nent[kind] = calloc(n + 1, sizeof(struct ptent));
		if (l->nent[kind] == NULL)
			return -ENOMEM;
		for (size_t k = 0; k < b->site.np; k++) {
			char **v = cpl_partner_prefixes(&b->site.p[k], kind, &m);
			for (size_t i = 0; i < m; i++) {
				struct ptent *e = &l->nent[kind][l->nnent[kind]++];
				for (size_t d = 0; v[i][d] != '\0' && d < SW_PTAB_DIGITS; d++)
					e->key |= (uint64_t)sw_ptab_nibble(v[i][d]) << (4 * d);
				e->len = (uint8_t)strlen(v[i]);
				e->atom = (uint16_t)k;
			}
		}
	}
	return 0;
}

static void
reserve_nets(struct builder *b, struct sw_image_writer *w, struct layout *l)
{
	if (b->site.np == 0)
		return;
	l->nets = sw_imgw_reserve(w, sizeof(struct sw_img_nets) +
					     b->site.np * sizeof(struct sw_img_pinfo));
	for (unsigned kind = 0; kind < SW_NETK_COUNT; kind++)
		if (l->nent[kind] != NULL)
			reserve_table(w, l->nnent[kind], &l->ntab[kind], &l->nnslots[kind],
				      &l->nbloom[kind], &l->nbloombits[kind]);
}

static void
put_nets(struct builder *b, struct sw_image_writer *w, const struct layout *l)
{
	struct sw_img_nets ns = { 0 };
	struct sw_img_pinfo *pi;

	if (l->nets == 0)
		return;
	ns.npartners = (uint32_t)b->site.np;
	ns.pinfo_off = (uint32_t)(l->nets + sizeof(ns));
	pi = sw_imgw_at(w, ns.pinfo_off);
	for (size_t k = 0; k < b->site.np; k++) {
		const struct partner *p = &b->site.p[k];
		pi[k].allow_ops = p->ops_set == UINT32_MAX ? 0 : p->ops_set + (uint32_t)l->data;
		pi[k].links = p->links_set == UINT32_MAX ? 0 : p->links_set + (uint32_t)l->data;
	}
	for (unsigned kind = 0; kind < SW_NETK_COUNT; kind++) {
		struct sw_img_ntab *t = &ns.tab[kind];
		if (l->nent[kind] == NULL)
			continue;
		t->slots_off = (uint32_t)l->ntab[kind];
		t->nslots = (uint32_t)l->nnslots[kind];
		t->bloom_off = (uint32_t)l->nbloom[kind];
		t->bloom_bits = (uint32_t)l->nbloombits[kind];
		t->nentries = (uint32_t)l->nnent[kind];
		t->lens = put_table(sw_imgw_at(w, t->slots_off), t->nslots,
				    sw_imgw_at(w, t->bloom_off), t->bloom_bits, l->nent[kind],
				    l->nnent[kind]);
	}
	sw_imgw_put(w, l->nets, &ns, sizeof(ns));
}

static void
reserve(struct builder *b, struct sw_image_writer *w, struct layout *l, const struct hsdbs *dbs,
	size_t rw, size_t nivals)
{
	struct sw_image_hdr *h = &b->hdr;

	l->rules = sw_imgw_reserve(w, b->nrules * sizeof(struct sw_img_rule));
	l->conds = sw_imgw_reserve(w, b->nconds * sizeof(struct sw_img_cond));
	l->data = sw_imgw_reserve(w, b->data.n);
	l->opidx = sw_imgw_reserve(w, SW_OPIDX_ROWS * rw * 8);
	l->gate = sw_imgw_reserve(w, SW_GATE_WORDS(rw, b->natoms, nivals) * 8);
	l->strtab = sw_imgw_reserve(w, b->strtab.n);
	l->site = sw_imgw_reserve(w, site_size(&b->site));
	for (unsigned f = 0; f < SW_SF_COUNT; f++)
		if (b->npt[f] != 0)
			reserve_table(w, b->npt[f], &l->ptab[f], &l->nslots[f], &l->bloom[f],
				      &l->bloombits[f]);
	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		if (dbs->ser[f] == NULL)
			continue;
		h->fields[f].db_off = (uint32_t)sw_imgw_reserve(w, dbs->dbsize[f]);
		h->fields[f].db_size = (uint32_t)dbs->dbsize[f];
	}
	/* Last, so that the sections before it keep their offsets. */
	l->state = state_wanted(b) ? sw_imgw_reserve(w, state_size(b)) : 0;
	reserve_nets(b, w, l);
}

/* Integer sets into the data section; conditions, whose set offsets become image offsets. */
static void
put_sets_conds(struct builder *b, struct sw_image_writer *w, const struct layout *l)
{
	for (size_t i = 0; i < b->nsets; i++) {
		struct sw_img_set *s = (void *)(b->data.p + b->setoffs[i]);
		s->big_off += (uint32_t)l->data;
	}
	sw_imgw_put(w, l->data, b->data.p, b->data.n);
	for (size_t i = 0; i < b->nconds; i++) {
		struct sw_img_cond *c = &b->conds[i];
		if (c->kind == SW_COND_INT) {
			c->arg += (uint32_t)l->data;
		} else if (c->kind == SW_COND_NET_IN && c->arg2 != 0) {
			c->arg2 += (uint32_t)l->data - 1; /* conds.c: set offset + 1 */
		} else if (c->kind == SW_COND_ADDR) {
			c->arg += (uint32_t)l->data;
		} else if (c->kind == SW_COND_COMP) {
			c->arg = c->arg == UINT32_MAX ? 0 : c->arg + (uint32_t)l->data;
			c->arg2 = c->arg2 == UINT32_MAX ? 0 : c->arg2 + (uint32_t)l->data;
		}
	}
	sw_imgw_put(w, l->conds, b->conds, b->nconds * sizeof(struct sw_img_cond));
}

/* Bulk prefix tables and their Bloom filters (image.h, struct sw_img_pslot). */
static void
put_ptabs(struct builder *b, struct sw_image_writer *w, const struct layout *l)
{
	struct sw_image_hdr *h = &b->hdr;

	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		if (b->npt[f] == 0)
			continue;
		h->fields[f].ptab_off = (uint32_t)l->ptab[f];
		h->fields[f].ptab_nslots = (uint32_t)l->nslots[f];
		h->fields[f].bloom_off = (uint32_t)l->bloom[f];
		h->fields[f].bloom_bits = (uint32_t)l->bloombits[f];
		h->fields[f].ptab_lens = put_table(sw_imgw_at(w, l->ptab[f]), l->nslots[f],
						   sw_imgw_at(w, l->bloom[f]),
						   (uint32_t)l->bloombits[f], b->pt[f], b->npt[f]);
	}
}

/* What the engine must scan, resolve and key its cache on. */
static void
engine_masks(struct builder *b)
{
	struct sw_image_hdr *h = &b->hdr;

	for (size_t i = 0; i < b->nconds; i++) {
		const struct sw_img_cond *c = &b->conds[i];
		switch (c->kind) {
		case SW_COND_INT:
			h->key_mask |= SW_KEY_IFIELD(c->field);
			break;
		case SW_COND_ATOM:
			h->scan_mask |= 1u << c->field;
			h->key_mask |= SW_KEY_SFIELD(c->field);
			break;
		case SW_COND_PRESENT:
			h->key_mask |= c->field2 ? SW_KEY_IFIELD(c->field) : SW_KEY_SFIELD(c->field);
			break;
		case SW_COND_NET_EQ:
			h->scan_mask |= 1u << c->field2;
			h->net_mask |= 1u << c->field2;
			h->key_mask |= SW_KEY_SFIELD(c->field2);
			/* fall through */
		case SW_COND_NET_IN:
			h->scan_mask |= 1u << c->field;
			h->net_mask |= 1u << c->field;
			h->key_mask |= SW_KEY_SFIELD(c->field);
			break;
		case SW_COND_COMP:
			h->key_mask |= SW_KEY_COMP;
			break;
		case SW_COND_PARTNER:
			h->scan_mask |= 1u << c->field;
			h->net_mask |= 1u << c->field;
			h->key_mask |= SW_KEY_SFIELD(c->field) |
				       (c->field2 == SW_PCHK_WRONG_LINK ? SW_KEY_IFIELD(SW_IF_LINK)
									: SW_KEY_COMP);
			break;
		case SW_COND_STATE:
			h->key_mask |= SW_KEY_STATE;
			break;
		case SW_COND_ADDR:
			h->key_mask |= SW_KEY_ADDR;
			break;
		}
	}
	for (size_t i = 0; i < b->nrules; i++)
		if (b->rules[i].indexed)
			h->key_mask |= SW_KEY_COMP;
}

int
cpl_build_image(struct builder *b, uint64_t generation, struct sw_compiled *out)
{
	struct sw_image_hdr *h = &b->hdr;
	struct sw_image_writer w = { 0 };
	hs_platform_info_t plat;
	struct hsdbs dbs = { 0 };
	struct layout l = { 0 };
	size_t rw = (b->nrules + 63) / 64;
	uint32_t name_off, *rname, *lname = NULL;
	struct igate ig = { 0 };
	int rc = 0;

	if (hs_populate_platform(&plat) != HS_SUCCESS)
		return cpl_errat(b, b->rules_path, 0, "hs_populate_platform failed");
	if (b->opts.hs_generic) {
		plat.cpu_features = 0;
		plat.tune = HS_TUNE_FAMILY_GENERIC;
	}
	rname = calloc(b->nrules + 1, sizeof(*rname));
	if (rname == NULL)
		return -ENOMEM;
	if ((rc = cpl_str_add(b, b->policy_name != NULL ? b->policy_name : "", &name_off)) != 0)
		goto out;
	for (size_t i = 0; i < b->nrules; i++)
		if ((rc = cpl_str_add(b, b->rules[i].name, &rname[i])) != 0)
			goto out;
	lname = calloc(b->site.nlinks + 1, sizeof(*lname));
	if (lname == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < b->site.nlinks; i++)
		if ((rc = cpl_str_add(b, b->site.links[i].name, &lname[i])) != 0)
			goto out;
	cpl_atoms_key_digits(b);
	if ((rc = cpl_atoms_compile(b, &plat, &dbs)) != 0)
		goto out;
	if ((rc = cpl_igate_pick(b, &ig)) != 0)
		goto out;
	if ((rc = nets_entries(b, &l)) != 0)
		goto out;

	sw_imgw_init(&w);
	reserve(b, &w, &l, &dbs, rw, ig.nvals);
	if ((rc = sw_imgw_alloc(&w)) != 0) {
		if (rc == -E2BIG)
			rc = cpl_errat(b, b->rules_path, 0, "image too large (%zu bytes)", w.size);
		goto out;
	}
	put_sets_conds(b, &w, &l);
	cpl_opidx_build(b, sw_imgw_at(&w, l.opidx), rw);
	for (size_t i = 0; i < b->nrules; i++) {
		b->rules[i].r.name_off = rname[i];
		sw_imgw_put(&w, l.rules + i * sizeof(struct sw_img_rule), &b->rules[i].r,
			    sizeof(struct sw_img_rule));
	}
	h->ngated = cpl_gate_build(b, sw_imgw_at(&w, l.gate), rw, &ig);
	h->nivals = (uint32_t)ig.nvals;
	sw_imgw_put(&w, l.strtab, b->strtab.p, b->strtab.n);
	put_site(b, &w, &l, lname);
	put_state(b, &w, &l);
	put_nets(b, &w, &l);
	put_ptabs(b, &w, &l);
	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		h->fields[f].npatterns = (uint32_t)(b->npats[f] + b->npt[f]);
		if (dbs.ser[f] == NULL)
			continue;
		if (hs_deserialize_database_at(dbs.ser[f], dbs.serlen[f],
					       sw_imgw_at(&w, h->fields[f].db_off)) != HS_SUCCESS) {
			rc = cpl_errat(b, b->rules_path, 0, "cannot place the '%s' database",
				   sw_sfield_names[f]);
			goto out;
		}
	}
	engine_masks(b);

	h->generation = generation;
	snprintf(h->hs_version, sizeof(h->hs_version), "%s", hs_version());
	h->hs_cpu_features = plat.cpu_features;
	h->hs_tune = plat.tune;
	h->nrules = (uint32_t)b->nrules;
	h->nconds = (uint32_t)b->nconds;
	h->natoms = b->natoms;
	h->nlists = (uint32_t)b->nlists;
	h->npartners = (uint32_t)b->site.np;
	h->default_action = b->default_action;
	h->malformed_action = b->malformed_action;
	h->monitor = b->monitor;
	h->name_off = name_off;
	h->rules_off = (uint32_t)l.rules;
	h->conds_off = (uint32_t)l.conds;
	h->opidx_off = (uint32_t)l.opidx;
	h->rule_words = (uint32_t)rw;
	h->gate_off = (uint32_t)l.gate;
	h->strtab_off = (uint32_t)l.strtab;
	h->strtab_size = (uint32_t)b->strtab.n;
	sw_imgw_finish(&w, h, &out->image, &out->size);

	out->nrules = (unsigned)b->nrules;
	out->nlists = (unsigned)b->nlists;
	for (unsigned f = 0; f < SW_SF_COUNT; f++)
		out->npatterns[f] = h->fields[f].npatterns;
out:
	sw_imgw_free(&w);
	free(rname);
	free(lname);
	free(ig.t);
	for (unsigned kind = 0; kind < SW_NETK_COUNT; kind++)
		free(l.nent[kind]);
	cpl_hsdbs_free(&dbs);
	return rc;
}
