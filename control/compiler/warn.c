/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policy compiler: warnings (issue 18 Deliver 5). What compiles but is probably not what the
 * operator meant: a rule an earlier rule shadows, partner ranges that overlap each other or the
 * home ranges, PLMNs that are not 5-6 digits (MCC + MNC, ITU-T E.212), duplicate list entries.
 * `sigwallctl check` prints them ("file:line: warning: message"); `--strict` fails on them.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"

#define WARN_PER_LIST 10 /* duplicate entries reported per list; then a count */

/* ---- site ---- */

struct range {
	const char *digits;
	int owner; /* -1: home, k: partner k */
};

static int
cmp_range(const void *a, const void *b)
{
	const struct range *x = a, *y = b;
	int c = strcmp(x->digits, y->digits);

	return c != 0 ? c : (x->owner > y->owner) - (x->owner < y->owner);
}

static const char *
owner_name(const struct builder *b, int owner)
{
	return owner < 0 ? "home" : b->site.p[owner].name;
}

/* Ranges of one kind (home and partners): a partner range inside (or over) a home range, two
 * partners with overlapping ranges. Sorted, a range is followed by the ranges it prefixes. */
static void
warn_overlaps(struct builder *b, const char *file, int home_line, const char *what,
	      char **home, size_t nhome, size_t off_list, size_t off_n)
{
	struct range *r;
	size_t n = nhome, k = 0;

	for (size_t p = 0; p < b->site.np; p++)
		n += *(size_t *)((char *)&b->site.p[p] + off_n);
	if (n < 2 || (r = calloc(n, sizeof(*r))) == NULL)
		return;
	for (size_t i = 0; i < nhome; i++)
		r[k++] = (struct range){ home[i], -1 };
	for (size_t p = 0; p < b->site.np; p++) {
		char **v = *(char ***)((char *)&b->site.p[p] + off_list);
		size_t nv = *(size_t *)((char *)&b->site.p[p] + off_n);
		for (size_t i = 0; i < nv; i++)
			r[k++] = (struct range){ v[i], (int)p };
	}
	qsort(r, n, sizeof(*r), cmp_range);
	for (size_t i = 0; i < n; i++) {
		size_t li = strlen(r[i].digits);
		for (size_t j = i + 1; j < n && strncmp(r[j].digits, r[i].digits, li) == 0; j++) {
			const struct range *a = &r[i], *c = &r[j];
			int line;
			if (a->owner == c->owner)
				continue;
			line = a->owner >= 0 && c->owner >= 0 ? b->site.p[c->owner].line
			       : a->owner >= 0			   ? b->site.p[a->owner].line
			       : c->owner >= 0			   ? b->site.p[c->owner].line
								   : home_line;
			if (a->owner < 0 || c->owner < 0)
				cpl_warn(b, file, line,
					 "partner '%s' %s \"%s\" overlaps the home range \"%s\"",
					 owner_name(b, a->owner < 0 ? c->owner : a->owner), what,
					 a->owner < 0 ? c->digits : a->digits,
					 a->owner < 0 ? a->digits : c->digits);
			else
				cpl_warn(b, file, line,
					 "partner '%s' %s \"%s\" overlaps partner '%s' \"%s\"",
					 owner_name(b, c->owner), what, c->digits,
					 owner_name(b, a->owner), a->digits);
		}
	}
	free(r);
}

static void
warn_plmn(struct builder *b, const char *file, int line, const char *who, char **v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]);
		if (l < 5 || l > 6)
			cpl_warn(b, file, line,
				 "%s plmn \"%s\" is not 5-6 digits (MCC + MNC): it matches %s", who,
				 v[i], l < 5 ? "whole countries or more" : "part of the MSIN");
	}
}

void
cpl_warn_site(struct builder *b, const config_setting_t *site)
{
	if (b->opts.warn == NULL)
		return;
	const config_setting_t *home = config_setting_get_member(site, "home");
	const char *file = config_setting_source_file(site);
	int hl = home != NULL ? (int)config_setting_source_line(home) : 0;

	warn_plmn(b, file, hl, "home", b->site.plmn, b->site.nplmn);
	for (size_t p = 0; p < b->site.np; p++) {
		char who[300];
		snprintf(who, sizeof(who), "partner '%s'", b->site.p[p].name);
		warn_plmn(b, file, b->site.p[p].line, who, b->site.p[p].plmn, b->site.p[p].nplmn);
	}
	warn_overlaps(b, file, hl, "gt", b->site.gt, b->site.ngt, offsetof(struct partner, gt),
		      offsetof(struct partner, ngt));
	warn_overlaps(b, file, hl, "plmn", b->site.plmn, b->site.nplmn,
		      offsetof(struct partner, plmn), offsetof(struct partner, nplmn));
	warn_overlaps(b, file, hl, "msisdn", b->site.msisdn, b->site.nmsisdn,
		      offsetof(struct partner, msisdn), offsetof(struct partner, nmsisdn));
}

/* ---- lists ---- */

static const struct list *sort_list; /* qsort has no context argument in C11 */

static int
cmp_entry(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	const struct list *l = sort_list;
	int c;

	if (l->type == LT_PREFIX || l->type == LT_REGEX)
		c = strcmp(l->entries[x], l->entries[y]);
	else
		c = (l->ints[x] > l->ints[y]) - (l->ints[x] < l->ints[y]);
	return c != 0 ? c : (x > y) - (x < y);
}

void
cpl_warn_list(struct builder *b, const struct list *l)
{
	size_t *ix, more = 0, shown = 0;

	if (b->opts.warn == NULL || (ix = calloc(l->n + 1, sizeof(*ix))) == NULL)
		return;
	for (size_t i = 0; i < l->n; i++)
		ix[i] = i;
	sort_list = l;
	qsort(ix, l->n, sizeof(*ix), cmp_entry);
	for (size_t k = 1, run = 0; k < l->n; k++) {
		size_t first = ix[run], dup = ix[k];
		/* ix is sorted by (value, position): a run's first is the first occurrence */
		if (l->type == LT_PREFIX || l->type == LT_REGEX
			    ? strcmp(l->entries[first], l->entries[dup]) != 0
			    : l->ints[first] != l->ints[dup]) {
			run = k;
			continue;
		}
		if (shown++ >= WARN_PER_LIST) {
			more++;
			continue;
		}
		if (l->type == LT_PREFIX || l->type == LT_REGEX)
			cpl_warn(b, l->efile[dup], l->elines[dup],
				 "duplicate entry \"%s\" in list '%s' (first at line %d)",
				 l->entries[dup], l->name, l->elines[first]);
		else
			cpl_warn(b, l->efile[dup], l->elines[dup],
				 "duplicate entry %u in list '%s' (first at line %d)", l->ints[dup],
				 l->name, l->elines[first]);
	}
	if (more > 0)
		cpl_warn(b, l->file, l->line, "list '%s': %zu more duplicate entries", l->name, more);
	free(ix);
}

/* ---- rules ---- */

/* Same integer set (data-relative offsets, before layout). */
static bool
same_set(const struct builder *b, uint32_t x, uint32_t y)
{
	size_t nx, ny;
	uint32_t *vx, *vy;
	bool eq;

	if (x == y)
		return true;
	if (x == UINT32_MAX || y == UINT32_MAX)
		return false;
	nx = cpl_set_values(b, x, NULL);
	ny = cpl_set_values(b, y, NULL);
	if (nx != ny)
		return false;
	vx = malloc((nx + 1) * sizeof(*vx));
	vy = malloc((ny + 1) * sizeof(*vy));
	if (vx == NULL || vy == NULL) {
		free(vx);
		free(vy);
		return false;
	}
	cpl_set_values(b, x, vx);
	cpl_set_values(b, y, vy);
	eq = memcmp(vx, vy, nx * sizeof(*vx)) == 0;
	free(vx);
	free(vy);
	return eq;
}

static bool
same_cond(const struct builder *b, const struct sw_img_cond *x, const struct sw_img_cond *y)
{
	if (x->kind != y->kind || x->field != y->field || x->field2 != y->field2 || x->neg != y->neg)
		return false;
	switch (x->kind) {
	case SW_COND_INT:
		return same_set(b, x->arg, y->arg);
	case SW_COND_COMP:
		return same_set(b, x->arg, y->arg) && same_set(b, x->arg2, y->arg2);
	case SW_COND_NET_IN: /* arg2: partners and groups, set offset + 1 */
		return x->arg == y->arg &&
		       (x->arg2 == y->arg2 ||
			(x->arg2 != 0 && y->arg2 != 0 && same_set(b, x->arg2 - 1, y->arg2 - 1)));
	case SW_COND_ADDR: { /* sorted prefixes (conds.c): the same list, the same bytes */
		const struct sw_img_addrs *ax = (const void *)(b->data.p + x->arg);
		const struct sw_img_addrs *ay = (const void *)(b->data.p + y->arg);
		return ax->n == ay->n &&
		       memcmp(ax + 1, ay + 1, ax->n * sizeof(struct sw_img_peer)) == 0;
	}
	default:
		return x->arg == y->arg;
	}
}

/* Every condition of a is a condition of c: wherever c matches, a matched first. */
static bool
shadows(const struct builder *b, const struct rule *a, const struct rule *c)
{
	/* a rule that is off, or goes off at a date, shadows nothing for good (issue 18) */
	if (a->r.malformed != c->r.malformed || !a->r.enabled || a->r.expires != 0 ||
	    !c->r.enabled)
		return false;
	for (uint32_t i = 0; i < a->r.ncond; i++) {
		const struct sw_img_cond *x = &b->conds[a->r.cond_first + i];
		bool found = false;
		for (uint32_t j = 0; !found && j < c->r.ncond; j++)
			found = same_cond(b, x, &b->conds[c->r.cond_first + j]);
		if (!found)
			return false;
	}
	return true;
}

void
cpl_warn_rules(struct builder *b, const config_setting_t *rules)
{
	if (b->opts.warn == NULL)
		return;
	for (size_t j = 1; j < b->nrules; j++)
		for (size_t i = 0; i < j; i++) {
			const config_setting_t *g = config_setting_get_elem(rules, (unsigned)j);
			if (!shadows(b, &b->rules[i], &b->rules[j]))
				continue;
			cpl_warn(b, config_setting_source_file(g), (int)config_setting_source_line(g),
				 "rule '%s' can never match: rule '%s' (line %u) has the same or "
				 "broader conditions", b->rules[j].name, b->rules[i].name,
				 b->rules[i].r.line);
			break;
		}
}
