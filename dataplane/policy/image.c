/* SPDX-License-Identifier: BSD-3-Clause */
/* Policy image: validation and accessors (image.h). No allocation. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <hs/hs.h>

#include "image.h"
#include "policy.h"

const char *const sw_sfield_names[SW_SF_COUNT] = {
	[SW_SF_CGPA] = "cgpa",
	[SW_SF_CDPA] = "cdpa",
	[SW_SF_IMSI] = "imsi",
	[SW_SF_MSISDN] = "msisdn",
	[SW_SF_VLR] = "vlr",
	[SW_SF_MSC] = "msc",
	[SW_SF_HLR] = "hlr",
	[SW_SF_SGSN] = "sgsn",
	[SW_SF_SMSC] = "smsc",
	[SW_SF_SM_RP_DA] = "sm_rp_da",
	[SW_SF_SM_RP_OA] = "sm_rp_oa",
	[SW_SF_USSD] = "ussd",
	[SW_SF_CGPN] = "cgpn",
	[SW_SF_CDPN] = "cdpn",
	[SW_SF_ACN] = "acn",
};

const char *const sw_ifield_names[SW_IF_COUNT] = {
	[SW_IF_DIRECTION] = "direction",
	[SW_IF_OPC] = "opc",
	[SW_IF_DPC] = "dpc",
	[SW_IF_SI] = "si",
	[SW_IF_NI] = "ni",
	[SW_IF_SCCP_TYPE] = "sccp",
	[SW_IF_CGPA_SSN] = "cgpa_ssn",
	[SW_IF_CGPA_TT] = "cgpa_tt",
	[SW_IF_CGPA_NP] = "cgpa_np",
	[SW_IF_CGPA_NAI] = "cgpa_nai",
	[SW_IF_CGPA_GTI] = "cgpa_gti",
	[SW_IF_CGPA_RI] = "cgpa_ri",
	[SW_IF_CDPA_SSN] = "cdpa_ssn",
	[SW_IF_CDPA_TT] = "cdpa_tt",
	[SW_IF_CDPA_NP] = "cdpa_np",
	[SW_IF_CDPA_NAI] = "cdpa_nai",
	[SW_IF_CDPA_GTI] = "cdpa_gti",
	[SW_IF_CDPA_RI] = "cdpa_ri",
	[SW_IF_TCAP_TYPE] = "tcap",
	[SW_IF_ISUP_TYPE] = "isup",
	[SW_IF_SS_CODE] = "ss_code",
	[SW_IF_SCMG_TYPE] = "scmg",
	[SW_IF_SCMG_SSN] = "scmg_ssn",
	[SW_IF_SCMG_PC] = "scmg_pc",
	[SW_IF_PORT] = "port",
	[SW_IF_LINK] = "link",
	[SW_IF_RCTX] = "rctx",
	[SW_IF_REMOTE_PORT] = "remote_port",
	[SW_IF_LOCAL_PORT] = "local_port",
};

const char *const sw_state_cond_names[SW_ST_COUNT] = {
	[SW_ST_UNSOLICITED_DIALOGUE] = "unsolicited-dialogue",
	[SW_ST_UNSOLICITED_SMS] = "unsolicited-sms",
	[SW_ST_NOT_SERVING] = "not-serving",
	[SW_ST_VELOCITY] = "velocity",
	[SW_ST_UNKNOWN_LOCATION] = "unknown-location",
	[SW_ST_VLR_NETWORK_MISMATCH] = "vlr-network-mismatch",
	[SW_ST_CLUSTER_DEGRADED] = "cluster-degraded",
};

const char *const sw_severity_names[SW_SEV_COUNT] = {
	[SW_SEV_INFO] = "info",
	[SW_SEV_LOW] = "low",
	[SW_SEV_MEDIUM] = "medium",
	[SW_SEV_HIGH] = "high",
	[SW_SEV_CRITICAL] = "critical",
};

uint64_t
sw_fnv1a64(const void *p, size_t n, uint64_t h)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

uint64_t
sw_image_compute_checksum(const void *image, size_t size)
{
	struct sw_image_hdr h;

	/* The header is covered too (policy name, default/malformed actions, monitor, table
	 * offsets), except the two fields that must not change it: the generation, which differs
	 * between reloads of the same files, and the checksum itself. */
	memcpy(&h, image, sizeof(h));
	h.generation = 0;
	h.checksum = 0;
	return sw_fnv1a64((const uint8_t *)image + sizeof(h), size - sizeof(h),
			  sw_fnv1a64(&h, sizeof(h), SW_FNV_OFFSET));
}

const char *
sw_action_name(uint8_t action)
{
	switch (action) {
	case SW_ACTION_ALLOW:
		return "allow";
	case SW_ACTION_DROP:
		return "drop";
	case SW_ACTION_ALERT:
		return "alert";
	case SW_IMG_ACTION_RATE_LIMIT:
		return "rate-limit";
	}
	return "?";
}

static int
fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

static bool
range_ok(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

/* An integer set and its sorted array of large values inside the image, aligned for their
 * loads (the compiler keeps sets 8-byte aligned). */
static bool
set_ok(const void *image, uint32_t off, size_t size)
{
	const struct sw_img_set *s;

	if ((off & 7) != 0 || !range_ok(off, sizeof(*s), size))
		return false;
	s = (const void *)((const char *)image + off);
	return s->nbig == 0 || ((s->big_off & 3) == 0 &&
				range_ok(s->big_off, (uint64_t)s->nbig * sizeof(uint32_t), size));
}

/* The prefixes of a SW_COND_ADDR condition inside the image, each of a known family and a
 * length the engine's byte compare stays inside the address with. */
static bool
addrs_ok(const void *image, uint32_t off, size_t size)
{
	const struct sw_img_addrs *a;
	const struct sw_img_peer *p;

	if ((off & 7) != 0 || !range_ok(off, sizeof(*a), size))
		return false;
	a = (const void *)((const char *)image + off);
	if (a->n == 0 || a->n > SW_ADDRS_MAX ||
	    !range_ok((uint64_t)off + sizeof(*a), (uint64_t)a->n * sizeof(*p), size))
		return false;
	p = (const void *)(a + 1);
	for (uint32_t i = 0; i < a->n; i++)
		if ((p[i].family != 4 && p[i].family != 6) ||
		    p[i].plen > (p[i].family == 4 ? 32 : 128))
			return false;
	return true;
}

/* No bit at or above nrules in any of nrows rule bitsets of rw words: the engine turns every
 * set bit into an index of the rule table. */
static bool
rows_ok(const uint64_t *rows, uint64_t nrows, uint32_t rw, uint32_t nrules)
{
	uint64_t spare = nrules % 64 == 0 ? 0 : ~0ull << (nrules % 64);

	if (rw == 0 || spare == 0)
		return true;
	for (uint64_t r = 0; r < nrows; r++)
		if (rows[r * rw + rw - 1] & spare)
			return false;
	return true;
}

/* Sections start where the image writer puts them (image_write.h): 64-byte aligned. */
static bool
section_aligned(uint64_t off)
{
	return (off & (SW_IMAGE_ALIGN - 1)) == 0;
}

/* Value row of (field, value) in the sorted integer gate values holds rule i. */
static bool
igate_has(const struct sw_img_ival *iv, const uint64_t *vrow, uint32_t nivals, uint32_t rw,
	  uint32_t field, uint32_t value, uint32_t i)
{
	uint32_t lo = 0, hi = nivals;
	uint64_t key = (uint64_t)field << 32 | value;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint64_t k = (uint64_t)iv[mid].field << 32 | iv[mid].value;
		if (k == key)
			return (vrow[(uint64_t)mid * rw + i / 64] >> (i % 64)) & 1;
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Every value of the (validated, set_ok) integer set at off gates rule i on field. */
static bool
igate_complete(const void *image, uint32_t off, uint32_t field, const struct sw_img_ival *iv,
	       const uint64_t *vrow, uint32_t nivals, uint32_t rw, uint32_t i)
{
	const struct sw_img_set *s = (const void *)((const char *)image + off);
	const uint32_t *big = (const void *)((const char *)image + s->big_off);

	for (uint32_t v = 0; v < 256; v++)
		if (((s->bits[v >> 6] >> (v & 63)) & 1) &&
		    !igate_has(iv, vrow, nivals, rw, field, v, i))
			return false;
	for (uint32_t k = 0; k < s->nbig; k++)
		if (!igate_has(iv, vrow, nivals, rw, field, big[k], i))
			return false;
	return true;
}

int
sw_image_validate(const void *image, size_t size, char *err, size_t errlen)
{
	const struct sw_image_hdr *h = image;
	hs_platform_info_t plat;

	if (image == NULL || size < sizeof(*h))
		return fail(err, errlen, -EINVAL, "image shorter than its header (%zu bytes)", size);
	if (((uintptr_t)image & (SW_IMAGE_ALIGN - 1)) != 0)
		return fail(err, errlen, -EINVAL, "image not 64-byte aligned");
	if (h->magic != SW_IMAGE_MAGIC)
		return fail(err, errlen, -EINVAL, "bad image magic");
	if (h->abi != SW_IMAGE_ABI)
		return fail(err, errlen, -ENOTSUP, "image ABI %u, this build reads ABI %u", h->abi,
			    SW_IMAGE_ABI);
	if (h->hdr_size != sizeof(*h) || h->size != size)
		return fail(err, errlen, -EINVAL, "image size %llu / header %u, expected %zu / %zu",
			    (unsigned long long)h->size, h->hdr_size, size, sizeof(*h));
	if (memchr(h->hs_version, 0, sizeof(h->hs_version)) == NULL ||
	    strcmp(h->hs_version, hs_version()) != 0)
		return fail(err, errlen, -ENOTSUP, "image built with Hyperscan %.40s, running %s",
			    h->hs_version, hs_version());
	if (hs_populate_platform(&plat) != HS_SUCCESS)
		return fail(err, errlen, -ENOTSUP, "hs_populate_platform failed");
	if ((h->hs_cpu_features & ~plat.cpu_features) != 0)
		return fail(err, errlen, -ENOTSUP,
			    "image needs CPU features 0x%llx, this CPU has 0x%llx",
			    (unsigned long long)h->hs_cpu_features,
			    (unsigned long long)plat.cpu_features);
	/* After the compatibility checks, so that an image from another build is reported as
	 * such rather than as corrupt. */
	if (sw_image_compute_checksum(image, size) != h->checksum)
		return fail(err, errlen, -EINVAL, "image checksum mismatch");
	if (h->nrules > SW_RULES_MAX || h->natoms > SW_ATOMS_MAX ||
	    h->rule_words != (h->nrules + 63) / 64 ||
	    !range_ok(h->rules_off, (uint64_t)h->nrules * sizeof(struct sw_img_rule), size) ||
	    !range_ok(h->conds_off, (uint64_t)h->nconds * sizeof(struct sw_img_cond), size) ||
	    !range_ok(h->opidx_off, (uint64_t)SW_OPIDX_ROWS * h->rule_words * 8, size) ||
	    !section_aligned(h->rules_off) || !section_aligned(h->conds_off) ||
	    !section_aligned(h->opidx_off) || !section_aligned(h->gate_off) ||
	    !section_aligned(h->strtab_off) ||
	    h->nivals > SW_IGATE_VALS_MAX ||
	    !range_ok(h->gate_off, SW_GATE_WORDS(h->rule_words, h->natoms, h->nivals) * 8, size) ||
	    !range_ok(h->strtab_off, h->strtab_size, size) || h->strtab_size == 0 ||
	    ((const char *)image)[h->strtab_off + h->strtab_size - 1] != '\0' ||
	    h->name_off >= h->strtab_size)
		return fail(err, errlen, -EINVAL, "image tables out of range or misaligned");
	if (h->default_action > SW_ACTION_ALERT || h->malformed_action > SW_ACTION_ALERT ||
	    h->monitor > 1)
		return fail(err, errlen, -EINVAL, "policy actions out of range");
	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		const struct sw_img_field *fd = &h->fields[f];
		size_t dbsz;

		if (fd->db_off != 0) {
			if ((fd->db_off & (SW_IMAGE_ALIGN - 1)) != 0 ||
			    !range_ok(fd->db_off, fd->db_size, size))
				return fail(err, errlen, -EINVAL, "%s database out of range",
					    sw_sfield_names[f]);
			if (hs_database_size((const hs_database_t *)((const char *)image +
								     fd->db_off),
					     &dbsz) != HS_SUCCESS ||
			    dbsz > fd->db_size)
				return fail(err, errlen, -ENOTSUP,
					    "%s database refused by Hyperscan", sw_sfield_names[f]);
		}
		if (fd->ptab_off != 0 &&
		    (!section_aligned(fd->ptab_off) || !section_aligned(fd->bloom_off) ||
		     (fd->ptab_nslots & (fd->ptab_nslots - 1)) != 0 || fd->ptab_nslots == 0 ||
		     fd->bloom_bits < 64 || (fd->bloom_bits & (fd->bloom_bits - 1)) != 0 ||
		     fd->bloom_bits > (1u << 24) || !range_ok(fd->bloom_off, fd->bloom_bits / 8, size) ||
		     !range_ok(fd->ptab_off,
			       (uint64_t)fd->ptab_nslots * sizeof(struct sw_img_pslot), size)))
			return fail(err, errlen, -EINVAL, "%s prefix table out of range",
				    sw_sfield_names[f]);
		if (fd->ptab_off != 0) {
			/* Probing stops at an empty slot: a full table would never stop. */
			const struct sw_img_pslot *sl =
				(const void *)((const char *)image + fd->ptab_off);
			uint32_t k = 0;
			while (k < fd->ptab_nslots && sl[k].key != 0)
				k++;
			if (k == fd->ptab_nslots)
				return fail(err, errlen, -EINVAL, "%s prefix table has no empty slot",
					    sw_sfield_names[f]);
		}
		if (fd->key_digits != SW_KEY_DIGITS_ALL &&
		    (fd->key_digits > SW_PTAB_DIGITS || f == SW_SF_USSD || f == SW_SF_ACN))
			return fail(err, errlen, -EINVAL, "%s key digits %u out of range",
				    sw_sfield_names[f], fd->key_digits);
	}
	if (h->npartners > SW_PARTNERS_MAX)
		return fail(err, errlen, -EINVAL, "%u partners (max %d)", h->npartners,
			    SW_PARTNERS_MAX);
	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		const struct sw_img_field *fd = &h->fields[f];
		if ((fd->net_home != 0xffff && fd->net_home >= SW_ATOMS_MAX) ||
		    (fd->net_partner != 0xffff && fd->net_partner >= SW_NETK_COUNT))
			return fail(err, errlen, -EINVAL, "%s network atoms out of range",
				    sw_sfield_names[f]);
	}
	/* The site section: links and home point codes (sw_policy_direction). */
	if (h->site_off != 0) {
		const struct sw_img_site *st = (const void *)((const char *)image + h->site_off);
		if (!section_aligned(h->site_off) || !range_ok(h->site_off, sizeof(*st), size) ||
		    st->npeers > SW_PEERS_MAX || st->nlinks > SW_LINKS_MAX ||
		    st->nhome_pc > SW_HOME_PCS_MAX || (st->peers_off & 3) != 0 ||
		    (st->links_off & 3) != 0 || (st->home_pc_off & 3) != 0 ||
		    !range_ok(st->peers_off, (uint64_t)st->npeers * sizeof(struct sw_img_peer), size) ||
		    !range_ok(st->links_off, (uint64_t)st->nlinks * 4, size) ||
		    !range_ok(st->home_pc_off, (uint64_t)st->nhome_pc * 4, size))
			return fail(err, errlen, -EINVAL, "site section out of range");
		if (st->variant > SW_IMG_VARIANT_MAX || st->link_variants > 1)
			return fail(err, errlen, -EINVAL, "site variant %u unknown", st->variant);
		const struct sw_img_peer *pe = (const void *)((const char *)image + st->peers_off);
		const uint32_t *ln = (const void *)((const char *)image + st->links_off);
		for (uint32_t i = 0; i < st->npeers; i++)
			if ((pe[i].family != 4 && pe[i].family != 6) ||
			    pe[i].plen > (pe[i].family == 4 ? 32 : 128) || pe[i].side > SW_SIDE_INSIDE ||
			    pe[i].link >= st->nlinks || pe[i].variant > 1 + SW_IMG_VARIANT_MAX)
				return fail(err, errlen, -EINVAL, "link peer %u out of range", i);
		for (uint32_t i = 0; i < st->nlinks; i++)
			if (ln[i] >= h->strtab_size)
				return fail(err, errlen, -EINVAL, "link %u out of range", i);
		if (st->nets_off != 0) {
			/* Partner networks (issue 18): tables and rows the engine indexes with. */
			const struct sw_img_nets *ns = (const void *)((const char *)image +
								      st->nets_off);
			bool ok = section_aligned(st->nets_off) &&
				  range_ok(st->nets_off, sizeof(*ns), size) &&
				  ns->npartners == h->npartners && (ns->pinfo_off & 3) == 0 &&
				  range_ok(ns->pinfo_off,
					   (uint64_t)ns->npartners * sizeof(struct sw_img_pinfo), size);
			/* ns is read only once its range is known good (a fuzzed nets_off past the
			 * image faulted here, found by fuzz-run-image in CI) */
			const struct sw_img_pinfo *pi = ok ? (const void *)((const char *)image +
									    ns->pinfo_off)
							   : NULL;
			for (uint32_t k = 0; ok && k < ns->npartners; k++)
				ok = (pi[k].allow_ops == 0 || set_ok(image, pi[k].allow_ops, size)) &&
				     (pi[k].links == 0 || set_ok(image, pi[k].links, size));
			for (unsigned k = 0; ok && k < SW_NETK_COUNT; k++) {
				const struct sw_img_ntab *t = &ns->tab[k];
				if (t->slots_off == 0)
					continue;
				ok = section_aligned(t->slots_off) && section_aligned(t->bloom_off) &&
				     t->nslots != 0 && (t->nslots & (t->nslots - 1)) == 0 &&
				     t->bloom_bits >= 64 && (t->bloom_bits & (t->bloom_bits - 1)) == 0 &&
				     t->bloom_bits <= (1u << 24) && t->nentries < t->nslots &&
				     range_ok(t->bloom_off, t->bloom_bits / 8, size) &&
				     range_ok(t->slots_off,
					      (uint64_t)t->nslots * sizeof(struct sw_img_pslot), size);
				const struct sw_img_pslot *sl = (const void *)((const char *)image +
									       t->slots_off);
				uint32_t empty = 0;
				/* probing stops at an empty slot; a partner index names a partner */
				for (uint32_t i = 0; ok && i < t->nslots; i++) {
					empty += sl[i].key == 0;
					ok = sl[i].key == 0 ||
					     (sl[i].atom < h->npartners && sl[i].len >= 1 &&
					      sl[i].len <= SW_PTAB_DIGITS);
				}
				ok = ok && empty > 0;
			}
			if (!ok)
				return fail(err, errlen, -EINVAL, "partner networks out of range");
		}
		if (st->state_off != 0) {
			/* The state section (issue 15): the judge indexes with all of it. */
			const struct sw_img_state *ss = (const void *)((const char *)image +
								       st->state_off);
			bool ok = section_aligned(st->state_off) &&
				  range_ok(st->state_off, sizeof(*ss), size) &&
				  ss->npartners == h->npartners && (ss->partners_off & 3) == 0 &&
				  range_ok(ss->partners_off,
					   (uint64_t)ss->npartners * sizeof(struct sw_img_partner),
					   size) &&
				  (ss->used >> SW_ST_COUNT) == 0 && (ss->travel_off & 3) == 0 &&
				  range_ok(ss->travel_off, 16, size);
			for (unsigned k = 0; ok && k < 2; k++) {
				const struct sw_img_sprefix *px =
					(const void *)((const char *)image + ss->prefix_off[k]);
				ok = (ss->prefix_off[k] & 7) == 0 &&
				     range_ok(ss->prefix_off[k],
					      (uint64_t)ss->nprefix[k] * sizeof(*px), size);
				for (uint32_t i = 0; ok && i < ss->nprefix[k]; i++)
					ok = px[i].len >= 1 && px[i].len <= SW_PTAB_DIGITS &&
					     ((ss->lens[k] >> (px[i].len - 1)) & 1) &&
					     px[i].net >= SW_NET_HOME &&
					     px[i].net < SW_NET_PARTNER + h->npartners &&
					     (i == 0 || px[i].len <= px[i - 1].len);
			}
			if (ok) {
				/* struct sw_state_travel: home, pad, default_minutes, npairs, pad,
				 * then npairs pairs of 8 bytes */
				uint32_t npairs;
				memcpy(&npairs, (const char *)image + ss->travel_off + 8, 4);
				ok = npairs <= 1024 &&
				     range_ok(ss->travel_off, (uint64_t)npairs * 8 + 16, size);
			}
			if (!ok)
				return fail(err, errlen, -EINVAL, "state section out of range");
		}
	}
	/* Conditions name existing fields, atoms and sets: the engine indexes with them. */
	const struct sw_img_cond *cd = (const void *)((const char *)image + h->conds_off);
	for (uint32_t i = 0; i < h->nconds; i++) {
		const struct sw_img_cond *c = &cd[i];
		bool ok;
		switch (c->kind) {
		case SW_COND_INT:
			ok = c->field < SW_IF_COUNT && set_ok(image, c->arg, size);
			break;
		case SW_COND_ATOM:
			ok = c->field < SW_SF_COUNT && c->arg < SW_ATOMS_MAX;
			break;
		case SW_COND_PRESENT:
			ok = c->field < (c->field2 ? SW_IF_COUNT : SW_SF_COUNT);
			break;
		case SW_COND_NET_IN:
			ok = c->field < SW_SF_COUNT && (c->arg2 == 0 || set_ok(image, c->arg2, size));
			break;
		case SW_COND_PARTNER:
			ok = c->field < SW_SF_COUNT && c->field2 <= SW_PCHK_WRONG_LINK;
			break;
		case SW_COND_NET_EQ:
			ok = c->field < SW_SF_COUNT && c->field2 < SW_SF_COUNT;
			break;
		case SW_COND_COMP:
			ok = (c->arg == 0 || set_ok(image, c->arg, size)) &&
			     (c->arg2 == 0 || set_ok(image, c->arg2, size));
			break;
		case SW_COND_STATE:
			ok = c->field < SW_ST_COUNT;
			break;
		case SW_COND_ADDR:
			ok = c->field <= SW_ADDR_LOCAL && addrs_ok(image, c->arg, size);
			break;
		default:
			ok = false;
			break;
		}
		if (!ok)
			return fail(err, errlen, -EINVAL, "condition %u out of range", i);
	}
	/* Every rule's conditions and names must stay inside their tables. */
	const struct sw_img_rule *r = (const void *)((const char *)image + h->rules_off);
	for (uint32_t i = 0; i < h->nrules; i++) {
		if ((uint64_t)r[i].cond_first + r[i].ncond > h->nconds ||
		    r[i].name_off >= h->strtab_size || r[i].action > SW_IMG_ACTION_RATE_LIMIT ||
		    r[i].monitor > 1 || r[i].malformed > 1 || r[i].enabled > 1 ||
		    r[i].severity >= SW_SEV_COUNT || r[i].monitor_until < 0 || r[i].expires < 0 ||
		    (r[i].rl_key >= SW_SF_COUNT && r[i].rl_key != SW_RL_KEY_OPC &&
		     r[i].rl_key != SW_RL_KEY_DPC && r[i].rl_key != SW_RL_KEY_NONE))
			return fail(err, errlen, -EINVAL, "rule %u out of range", i);
		/* proxy-mode actions (issue 21): a drop, and a redirect names a site link */
		if (r[i].px_action > SW_PX_REDIRECT ||
		    (r[i].px_action != SW_PX_NONE && r[i].action != SW_ACTION_DROP) ||
		    (r[i].px_action == SW_PX_REDIRECT && sw_image_link_name(image, r[i].px_link) == NULL))
			return fail(err, errlen, -EINVAL, "rule %u: proxy action out of range", i);
	}
	/* The atom gate removes rules from the candidates without trying them: each gated rule
	 * must be gated by exactly one atom, of one field, that a non-negated atom condition of
	 * the rule requires, and the malformed bitset must be the rules' flags. */
	const uint64_t *g = (const void *)((const char *)image + h->gate_off);
	uint32_t rw = h->rule_words, ngated = 0;
	/* Every rule bitset (opcode index rows, gate rows) names existing rules only. */
	if (!rows_ok((const void *)((const char *)image + h->opidx_off), SW_OPIDX_ROWS, rw,
		     h->nrules) ||
	    !rows_ok(g, (uint64_t)2 + SW_SF_COUNT + h->natoms + SW_IF_COUNT + h->nivals, rw,
		     h->nrules))
		return fail(err, errlen, -EINVAL, "rule bitset names a rule past the rule table");
	const uint64_t *gifield = g + (uint64_t)(2 + SW_SF_COUNT + h->natoms) * rw;
	const uint64_t *vrow = gifield + (uint64_t)SW_IF_COUNT * rw;
	const struct sw_img_ival *iv = (const void *)(vrow + (uint64_t)h->nivals * rw);
	for (uint32_t v = 0; v < h->nivals; v++)
		if (iv[v].field >= SW_IF_COUNT ||
		    (v > 0 && (iv[v].field < iv[v - 1].field ||
			       (iv[v].field == iv[v - 1].field && iv[v].value <= iv[v - 1].value))))
			return fail(err, errlen, -EINVAL, "integer gate value %u out of order", v);
	for (uint32_t i = 0; i < h->nrules; i++) {
		uint32_t w = i / 64, na = 0, nf = 0, ni = 0, atom = 0, field = 0, ifield = 0;
		uint64_t bit = 1ull << (i % 64);
		bool ok = true;
		if (((g[rw + w] & bit) != 0) != (r[i].malformed != 0))
			return fail(err, errlen, -EINVAL, "rule %u: malformed gate bit wrong", i);
		for (uint32_t f = 0; f < SW_SF_COUNT; f++)
			if (g[(2 + f) * rw + w] & bit) {
				nf++;
				field = f;
			}
		for (uint32_t a = 0; a < h->natoms; a++)
			if (g[(uint64_t)(2 + SW_SF_COUNT + a) * rw + w] & bit) {
				na++;
				atom = a;
			}
		for (uint32_t f = 0; f < SW_IF_COUNT; f++)
			if (gifield[f * rw + w] & bit) {
				ni++;
				ifield = f;
			}
		if (!(g[w] & bit)) {
			bool rows = false;
			for (uint32_t v = 0; v < h->nivals; v++)
				rows |= (vrow[(uint64_t)v * rw + w] & bit) != 0;
			if (na != 0 || nf != 0 || ni != 0 || rows)
				return fail(err, errlen, -EINVAL, "rule %u: gate rows of an ungated rule",
					    i);
			continue;
		}
		ngated++;
		if (na == 0 && nf == 0 && ni == 1) {
			/* Integer gate: some non-negated integer condition of the rule on field
			 * ifield has every value of its set in a value row that holds the rule (a
			 * row too many only keeps a candidate; one missing would drop a match). */
			ok = false;
			for (uint32_t j = 0; !ok && j < r[i].ncond; j++) {
				const struct sw_img_cond *c = &cd[r[i].cond_first + j];
				if (c->kind == SW_COND_INT && !c->neg && c->field == ifield)
					ok = igate_complete(image, c->arg, ifield, iv, vrow, h->nivals,
							    rw, i);
			}
			if (!ok)
				return fail(err, errlen, -EINVAL,
					    "rule %u: integer gate without its condition", i);
			continue;
		}
		ok = na == 1 && nf == 1 && ni == 0;
		if (ok) {
			ok = false;
			for (uint32_t j = 0; j < r[i].ncond; j++) {
				const struct sw_img_cond *c = &cd[r[i].cond_first + j];
				if (c->kind == SW_COND_ATOM && !c->neg && c->arg == atom &&
				    c->field == field)
					ok = true;
			}
		}
		if (!ok)
			return fail(err, errlen, -EINVAL,
				    "rule %u: gated without a condition on its gate atom", i);
	}
	if (ngated != h->ngated)
		return fail(err, errlen, -EINVAL, "%u gated rules, header says %u", ngated,
			    h->ngated);
	return 0;
}

uint32_t
sw_image_nrules(const void *image)
{
	return ((const struct sw_image_hdr *)image)->nrules;
}

const char *
sw_image_rule_name(const void *image, int32_t rule)
{
	const struct sw_image_hdr *h = image;
	const struct sw_img_rule *r;

	if (rule == SW_RULE_DEFAULT)
		return "default";
	if (rule == SW_RULE_MALFORMED)
		return "malformed";
	if (rule < 0 || (uint32_t)rule >= h->nrules)
		return NULL;
	r = (const void *)((const char *)image + h->rules_off);
	return sw_img_str(image, r[rule].name_off);
}

uint32_t
sw_image_rule_id(const void *image, int32_t rule)
{
	const struct sw_image_hdr *h = image;
	const struct sw_img_rule *r;

	if (h == NULL || rule < 0 || (uint32_t)rule >= h->nrules)
		return 0;
	r = (const void *)((const char *)image + h->rules_off);
	return r[rule].id;
}

const char *
sw_image_rule_severity(const void *image, int32_t rule)
{
	const struct sw_image_hdr *h = image;
	const struct sw_img_rule *r;

	if (h == NULL || rule < 0 || (uint32_t)rule >= h->nrules)
		return NULL;
	r = (const void *)((const char *)image + h->rules_off);
	return r[rule].severity < SW_SEV_COUNT ? sw_severity_names[r[rule].severity] : NULL;
}

int
sw_image_rule_proxy(const void *image, int32_t rule, struct sw_rule_proxy *out)
{
	const struct sw_image_hdr *h = image;
	const struct sw_img_rule *r;

	memset(out, 0, sizeof(*out));
	if (rule < 0 || (uint32_t)rule >= h->nrules)
		return SW_PX_NONE;
	r = (const void *)((const char *)image + h->rules_off);
	out->action = r[rule].px_action;
	out->arg = r[rule].px_arg;
	out->link = r[rule].px_link;
	return out->action;
}

uint64_t
sw_image_generation(const void *image)
{
	return ((const struct sw_image_hdr *)image)->generation;
}

uint64_t
sw_image_checksum(const void *image)
{
	return ((const struct sw_image_hdr *)image)->checksum;
}

const char *
sw_image_link_name(const void *image, int link)
{
	const struct sw_image_hdr *h = image;
	const struct sw_img_site *st;

	if (h->site_off == 0 || link < 0)
		return NULL;
	st = (const void *)((const char *)image + h->site_off);
	if ((uint32_t)link >= st->nlinks)
		return NULL;
	return sw_img_str(image, ((const uint32_t *)((const char *)image + st->links_off))[link]);
}
