/* SPDX-License-Identifier: BSD-3-Clause */
/* Proxy route table: DPC routes with SLS load sharing, GT prefix translation (route.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"

void
sw_route_table_init(struct sw_route_table *t)
{
	memset(t, 0, sizeof(*t));
}

static struct sw_route *
route_find_linear(struct sw_route_table *t, uint32_t dpc)
{
	for (unsigned i = 0; i < t->nroutes; i++)
		if (t->route[i].dpc == dpc)
			return &t->route[i];
	return NULL;
}

int
sw_route_add(struct sw_route_table *t, uint32_t dpc, const uint16_t *links, unsigned n)
{
	struct sw_route *r;

	if (n == 0 || n > SW_ROUTE_LINKS || t->sealed)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (links[i] >= SW_ROUTE_LINK_IDS)
			return -EINVAL;
	if (route_find_linear(t, dpc) != NULL)
		return -EEXIST;
	if (t->nroutes >= SW_ROUTE_MAX)
		return -ENOSPC;
	r = &t->route[t->nroutes++];
	memset(r, 0, sizeof(*r));
	r->dpc = dpc;
	r->nlinks = n;
	memcpy(r->link, links, n * sizeof(links[0]));
	for (unsigned s = 0; s < SW_ROUTE_SLS; s++)
		r->sls_map[s] = SW_LINK_NONE;
	return 0;
}

int
sw_route_add_gt(struct sw_route_table *t, const char *prefix, uint32_t dpc, uint8_t ssn)
{
	size_t len = strlen(prefix);
	struct sw_route_gt *g;

	if (len == 0 || len > SW_ROUTE_GT_DIGITS || t->sealed)
		return -EINVAL;
	if (strspn(prefix, "0123456789abcdef") != len)
		return -EINVAL;
	for (unsigned i = 0; i < t->ngt; i++)
		if (strcmp(t->gt[i].prefix, prefix) == 0)
			return -EEXIST;
	if (t->ngt >= SW_ROUTE_GT_MAX)
		return -ENOSPC;
	g = &t->gt[t->ngt++];
	memcpy(g->prefix, prefix, len + 1);
	g->len = (uint8_t)len;
	g->dpc = dpc;
	g->ssn = ssn;
	return 0;
}

static int
cmp_route(const void *a, const void *b)
{
	const struct sw_route *x = a, *y = b;

	return x->dpc < y->dpc ? -1 : x->dpc > y->dpc;
}

/* Longest prefix first; equal lengths in digit order (deterministic). */
static int
cmp_gt(const void *a, const void *b)
{
	const struct sw_route_gt *x = a, *y = b;

	if (x->len != y->len)
		return x->len > y->len ? -1 : 1;
	return strcmp(x->prefix, y->prefix);
}

void
sw_route_table_seal(struct sw_route_table *t)
{
	qsort(t->route, t->nroutes, sizeof(t->route[0]), cmp_route);
	qsort(t->gt, t->ngt, sizeof(t->gt[0]), cmp_gt);
	memset(t->link_up, 0, sizeof(t->link_up));
	t->sealed = true;
}

bool
sw_route_link_is_up(const struct sw_route_table *t, uint16_t link)
{
	return link < SW_ROUTE_LINK_IDS && (t->link_up[link / 64] >> (link % 64) & 1);
}

static bool
route_up(const struct sw_route *r)
{
	return r->sls_map[0] != SW_LINK_NONE;
}

/* Rebuild r's SLS table. On a failure only the failed link's SLS values move (minimal
 * disruption of dialogues); otherwise the table is balanced over the available links. */
static void
route_rebuild(const struct sw_route_table *t, struct sw_route *r, int failed)
{
	uint16_t avail[SW_ROUTE_LINKS];
	unsigned navail = 0, next = 0;

	for (unsigned i = 0; i < r->nlinks; i++)
		if (sw_route_link_is_up(t, r->link[i]))
			avail[navail++] = r->link[i];
	for (unsigned s = 0; s < SW_ROUTE_SLS; s++) {
		if (navail == 0)
			r->sls_map[s] = SW_LINK_NONE;
		else if (failed < 0 || r->sls_map[s] == (uint16_t)failed ||
			 r->sls_map[s] == SW_LINK_NONE)
			r->sls_map[s] = failed < 0 ? avail[s % navail] : avail[next++ % navail];
	}
}

unsigned
sw_route_link_set(struct sw_route_table *t, uint16_t link, bool up, uint32_t *changed,
		  unsigned max)
{
	unsigned nchanged = 0;

	if (link >= SW_ROUTE_LINK_IDS || sw_route_link_is_up(t, link) == up)
		return 0;
	if (up)
		t->link_up[link / 64] |= 1ull << (link % 64);
	else
		t->link_up[link / 64] &= ~(1ull << (link % 64));
	for (unsigned i = 0; i < t->nroutes; i++) {
		struct sw_route *r = &t->route[i];
		bool uses = false, was = route_up(r);

		for (unsigned k = 0; k < r->nlinks; k++)
			uses |= r->link[k] == link;
		if (!uses)
			continue;
		route_rebuild(t, r, up ? -1 : link);
		if (was != route_up(r)) {
			if (nchanged < max && changed != NULL)
				changed[nchanged] = r->dpc;
			nchanged++;
		}
	}
	return nchanged;
}

const struct sw_route *
sw_route_find(const struct sw_route_table *t, uint32_t dpc)
{
	unsigned lo = 0, hi = t->nroutes;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (t->route[mid].dpc == dpc)
			return &t->route[mid];
		if (t->route[mid].dpc < dpc)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

uint16_t
sw_route_pick(const struct sw_route_table *t, uint32_t dpc, uint8_t sls)
{
	const struct sw_route *r = sw_route_find(t, dpc);

	return r == NULL ? SW_LINK_NONE : r->sls_map[sls % SW_ROUTE_SLS];
}

bool
sw_route_available(const struct sw_route_table *t, uint32_t dpc)
{
	const struct sw_route *r = sw_route_find(t, dpc);

	return r != NULL && route_up(r);
}

const struct sw_route_gt *
sw_route_gt_lookup(const struct sw_route_table *t, const char *digits)
{
	size_t n = strlen(digits);

	/* Longest first: the first hit is the longest match. A few hundred entries at most in
	 * a proxy's translation table; a trie is not worth it yet. */
	for (unsigned i = 0; i < t->ngt; i++)
		if (t->gt[i].len <= n && memcmp(t->gt[i].prefix, digits, t->gt[i].len) == 0)
			return &t->gt[i];
	return NULL;
}
