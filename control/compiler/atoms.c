/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policy compiler: string atoms. An atom is one string condition (an inline value, a list on a
 * field, a network): its patterns go to the field's Hyperscan database or, for long prefix
 * lists, to the field's bulk prefix table (image.h); the engine sets the atom's bit when one
 * matches.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"

int
cpl_atom_new(struct builder *b, const config_setting_t *s, uint16_t *atom)
{
	if (b->natoms >= SW_ATOMS_MAX)
		return cpl_errs(b, s, "too many distinct string conditions (max %d)", SW_ATOMS_MAX);
	*atom = (uint16_t)b->natoms++;
	return 0;
}

int
cpl_pat_add(struct builder *b, unsigned f, const char *expr, bool prefix, uint16_t atom)
{
	size_t cap = b->npats[f];
	struct pat *p;
	char *e;

	/* cpl_grow by powers of two: cap tracks n */
	if ((b->npats[f] & (b->npats[f] - 1)) == 0 || b->npats[f] < 16) {
		size_t c = b->npats[f] < 16 ? 16 : b->npats[f] * 2;
		p = realloc(b->pats[f], c * sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		b->pats[f] = p;
	}
	(void)cap;
	if (prefix) {
		e = malloc(strlen(expr) + 2);
		if (e == NULL)
			return -ENOMEM;
		e[0] = '^';
		strcpy(e + 1, expr);
	} else {
		e = strdup(expr);
		if (e == NULL)
			return -ENOMEM;
	}
	b->pats[f][b->npats[f]].expr = e;
	b->pats[f][b->npats[f]].digits = NULL;
	b->pats[f][b->npats[f]].atom = atom;
	if (prefix && cpl_valid_prefix(expr)) {
		b->pats[f][b->npats[f]].digits = strdup(expr);
		if (b->pats[f][b->npats[f]].digits == NULL) {
			free(e);
			return -ENOMEM;
		}
	}
	b->npats[f]++;
	return 0;
}

static int
ptab_add(struct builder *b, unsigned f, const char *prefix, uint16_t atom)
{
	struct ptent *p;
	uint64_t key = 0;
	size_t len = strlen(prefix);

	if ((b->npt[f] & (b->npt[f] - 1)) == 0 || b->npt[f] < 16) {
		size_t c = b->npt[f] < 16 ? 16 : b->npt[f] * 2;
		p = realloc(b->pt[f], c * sizeof(*p));
		if (p == NULL)
			return -ENOMEM;
		b->pt[f] = p;
	}
	for (size_t i = 0; i < len; i++)
		key |= (uint64_t)sw_ptab_nibble(prefix[i]) << (4 * i);
	b->pt[f][b->npt[f]].key = key;
	b->pt[f][b->npt[f]].len = (uint8_t)len;
	b->pt[f][b->npt[f]].atom = atom;
	b->npt[f]++;
	return 0;
}

/* Atom of list l on field f: its entries become patterns of f (once per field). */
int
cpl_list_atom(struct builder *b, const config_setting_t *s, struct list *l, unsigned f, uint16_t *atom)
{
	int rc;

	if (l->type != LT_PREFIX && l->type != LT_REGEX)
		return cpl_errs(b, s, "list '%s' is a %s list, '%s' needs a prefix or regex list",
			    l->name, cpl_list_type_names[l->type], sw_sfield_names[f]);
	if (l->atom[f] != 0xffff) {
		*atom = l->atom[f];
		return 0;
	}
	if ((rc = cpl_atom_new(b, s, atom)) != 0)
		return rc;
	l->atom[f] = *atom;
	for (size_t i = 0; i < l->n; i++) {
		if (l->type == LT_PREFIX && l->n > SW_HS_PREFIX_MAX)
			rc = ptab_add(b, f, l->entries[i], *atom);
		else
			rc = cpl_pat_add(b, f, l->entries[i], l->type == LT_PREFIX, *atom);
		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Network prefixes of a field: home and per partner. */
int
cpl_field_nets(struct builder *b, const config_setting_t *s, unsigned f)
{
	struct sw_img_field *fd = &b->hdr.fields[f];
	char **home = NULL;
	size_t nhome = 0;
	int rc;
	uint16_t a = 0;

	if (fd->net_home != 0xffff || fd->net_partner != 0xffff)
		return 0;
	switch (f) {
	case SW_SF_IMSI:
		home = b->site.plmn;
		nhome = b->site.nplmn;
		break;
	case SW_SF_MSISDN:
	case SW_SF_CGPN:
	case SW_SF_CDPN:
		home = b->site.msisdn;
		nhome = b->site.nmsisdn;
		break;
	case SW_SF_USSD:
	case SW_SF_ACN:
		return cpl_errs(b, s, "'%s' has no network (home/partner)", sw_sfield_names[f]);
	default:
		home = b->site.gt;
		nhome = b->site.ngt;
		break;
	}
	if ((rc = cpl_atom_new(b, s, &a)) != 0)
		return rc;
	fd->net_home = a;
	for (size_t i = 0; i < nhome; i++)
		if ((rc = cpl_pat_add(b, f, home[i], true, a)) != 0)
			return rc;
	/* Partners: the kind's prefix table (image.h, sw_img_nets), not one atom each, so their
	 * number does not change the cost of a scan (issue 18 Deliver 1). */
	if (b->site.np > 0) {
		fd->net_partner = (uint16_t)cpl_field_kind(f);
		b->netk_used |= 1u << fd->net_partner;
	}
	return 0;
}

/* How many leading digits of each field the verdict can depend on (the cache key keeps only
 * those): the longest prefix when every pattern of the field is a digit prefix, the whole
 * string as soon as one is a regex; text fields are always keyed whole. */
void
cpl_atoms_key_digits(struct builder *b)
{
	struct sw_image_hdr *h = &b->hdr;

	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		size_t kd = 0;
		for (size_t i = 0; i < b->npats[f] && kd != SW_KEY_DIGITS_ALL; i++) {
			const char *d = b->pats[f][i].digits;
			if (d == NULL)
				kd = SW_KEY_DIGITS_ALL;
			else if (strlen(d) > kd)
				kd = strlen(d);
		}
		for (size_t i = 0; i < b->npt[f] && kd != SW_KEY_DIGITS_ALL; i++)
			if (b->pt[f][i].len > SW_PTAB_DIGITS)
				kd = SW_KEY_DIGITS_ALL;
			else if (b->pt[f][i].len > kd)
				kd = b->pt[f][i].len;
		/* a network is a prefix too: the partners' of the field's kind */
		for (size_t k = 0; h->fields[f].net_partner != 0xffff && k < b->site.np &&
				   kd != SW_KEY_DIGITS_ALL; k++) {
			size_t n;
			char **v = cpl_partner_prefixes(&b->site.p[k], h->fields[f].net_partner, &n);
			for (size_t i = 0; i < n; i++)
				if (strlen(v[i]) > kd)
					kd = strlen(v[i]);
		}
		if (f == SW_SF_USSD || f == SW_SF_ACN)
			kd = SW_KEY_DIGITS_ALL;
		h->fields[f].key_digits = (uint8_t)kd;
	}
}

static int
compile_field(struct builder *b, unsigned f, char **ser, size_t *serlen, size_t *dbsize,
	      const hs_platform_info_t *plat)
{
	size_t n = b->npats[f];
	const char **exprs = calloc(n, sizeof(*exprs));
	unsigned *flags = calloc(n, sizeof(*flags)), *ids = calloc(n, sizeof(*ids));
	hs_database_t *db = NULL;
	hs_compile_error_t *ce = NULL;
	int rc = 0;

	if (exprs == NULL || flags == NULL || ids == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		exprs[i] = b->pats[f][i].expr;
		flags[i] = HS_FLAG_SINGLEMATCH;
		ids[i] = b->pats[f][i].atom;
	}
	if (hs_compile_multi(exprs, flags, ids, (unsigned)n, HS_MODE_BLOCK, plat, &db, &ce) !=
	    HS_SUCCESS) {
		int e = ce != NULL ? ce->expression : -1;
		rc = cpl_errat(b, b->rules_path, 0, "cannot compile the '%s' patterns%s%s%s: %s",
			   sw_sfield_names[f], e >= 0 ? " (pattern \"" : "",
			   e >= 0 ? exprs[e] : "", e >= 0 ? "\")" : "",
			   ce != NULL ? ce->message : "?");
		hs_free_compile_error(ce);
		goto out;
	}
	if (hs_serialize_database(db, ser, serlen) != HS_SUCCESS ||
	    hs_serialized_database_size(*ser, *serlen, dbsize) != HS_SUCCESS) {
		rc = cpl_errat(b, b->rules_path, 0, "cannot serialize the '%s' database",
			   sw_sfield_names[f]);
		goto out;
	}
out:
	if (db != NULL)
		hs_free_database(db);
	free(exprs);
	free(flags);
	free(ids);
	return rc;
}

/* One Hyperscan database per string field that has patterns, serialized into dbs. */
int
cpl_atoms_compile(struct builder *b, const hs_platform_info_t *plat, struct hsdbs *dbs)
{
	int rc;

	/* A field with many prefixes (many small lists, or site ranges plus lists) moves all of
	 * them from Hyperscan to its prefix table, which compiles in linear time; Hyperscan keeps
	 * the regexes. Below the threshold, prefixes stay anchored Hyperscan literals. */
	for (unsigned f = 0; f < SW_SF_COUNT; f++) {
		size_t nd = 0, k = 0;
		for (size_t i = 0; i < b->npats[f]; i++)
			nd += b->pats[f][i].digits != NULL;
		if (nd <= SW_HS_PREFIX_MAX)
			continue;
		for (size_t i = 0; i < b->npats[f]; i++) {
			struct pat *pt = &b->pats[f][i];
			if (pt->digits == NULL) {
				b->pats[f][k++] = *pt;
				continue;
			}
			if ((rc = ptab_add(b, f, pt->digits, pt->atom)) != 0)
				return rc;
			free(pt->expr);
			free(pt->digits);
		}
		b->npats[f] = k;
	}
	for (unsigned f = 0; f < SW_SF_COUNT; f++)
		if (b->npats[f] > 0 && (rc = compile_field(b, f, &dbs->ser[f], &dbs->serlen[f],
							   &dbs->dbsize[f], plat)) != 0)
			return rc;
	return 0;
}

void
cpl_hsdbs_free(struct hsdbs *dbs)
{
	for (unsigned f = 0; f < SW_SF_COUNT; f++)
		free(dbs->ser[f]);
}
