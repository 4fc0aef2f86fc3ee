/* SPDX-License-Identifier: BSD-3-Clause */
/* Policy compiler: the site file (home network and roaming partners, patterns/README.md). */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builder.h"
#include "dataplane/proto/ansi.h"
#include "dataplane/decode/decode.h"

static int
get_strings(struct builder *b, const config_setting_t *s, char ***out, size_t *n, bool prefix)
{
	int len;

	if (config_setting_is_array(s) == CONFIG_FALSE && config_setting_is_list(s) == CONFIG_FALSE)
		return cpl_errs(b, s, "'%s' must be a list of strings", config_setting_name(s));
	len = config_setting_length(s);
	*n = 0;
	*out = calloc((size_t)len + 1, sizeof(char *));
	if (*out == NULL)
		return -ENOMEM;
	for (int i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);

		if (v == NULL)
			return cpl_errs(b, e, "'%s' must be a list of strings", config_setting_name(s));
		if (prefix && !cpl_valid_prefix(v))
			return cpl_errs(b, e, "invalid prefix \"%s\" in '%s' (1-%d digits)", v,
				    config_setting_name(s), SW_PTAB_DIGITS);
		(*out)[i] = strdup(v);
		if ((*out)[i] == NULL)
			return -ENOMEM;
		*n = (size_t)i + 1; /* what builder_free releases on a later error */
	}
	return 0;
}

static int
get_ints(struct builder *b, const config_setting_t *s, uint32_t **out, size_t *n, int64_t max)
{
	int len;

	if (config_setting_is_array(s) == CONFIG_FALSE && config_setting_is_list(s) == CONFIG_FALSE)
		return cpl_errs(b, s, "'%s' must be a list of integers", config_setting_name(s));
	len = config_setting_length(s);
	*out = calloc((size_t)len + 1, sizeof(uint32_t));
	if (*out == NULL)
		return -ENOMEM;
	for (int i = 0; i < len; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		long long v;

		uint32_t pc;

		/* point codes (max 0xffffff) of an ANSI site may be written "n-c-m" (issue 17 D6) */
		if (max == 0xffffff && config_setting_type(e) == CONFIG_TYPE_STRING) {
			int r = cpl_ansi_pc(b, config_setting_get_string(e), false, &pc);

			if (r < 0)
				return cpl_errs(b, e, r == -2 ? "point code \"%s\": n-c-m needs "
								"site.variant = \"ansi\""
							      : "'%s' must be a list of integers or "
								"\"n-c-m\" point codes",
						r == -2 ? config_setting_get_string(e)
							: config_setting_name(s));
			(*out)[i] = pc;
			continue;
		}
		if (config_setting_type(e) != CONFIG_TYPE_INT &&
		    config_setting_type(e) != CONFIG_TYPE_INT64)
			return cpl_errs(b, e, "'%s' must be a list of integers", config_setting_name(s));
		v = config_setting_get_int64(e);
		if (v < 0 || v > max)
			return cpl_errs(b, e, "%lld out of range 0-%lld in '%s'", v, (long long)max,
				    config_setting_name(s));
		(*out)[i] = (uint32_t)v;
	}
	*n = (size_t)len;
	return 0;
}

/* An ISO 3166-1 alpha-2 code (site.home.country, a partner's country, site.velocity). */
static int
get_country(struct builder *b, const config_setting_t *s, uint16_t *out)
{
	const char *v = config_setting_get_string(s);
	int c = v != NULL ? sw_state_country(v) : -EINVAL;

	if (v == NULL)
		return cpl_errs(b, s, "'%s' must be a country code string (ISO 3166-1 alpha-2, \"KE\")",
				config_setting_name(s) != NULL ? config_setting_name(s) : "country");
	if (c < 0)
		return cpl_errs(b, s, "unknown country code \"%s\" (ISO 3166-1 alpha-2, e.g. \"KE\")",
				v);
	*out = (uint16_t)c;
	b->site.has_state = true;
	return 0;
}

/* A pair of two different countries: [ "GB", "FR" ]. */
static int
get_country_pair(struct builder *b, const config_setting_t *s, uint16_t *x, uint16_t *y)
{
	int rc;

	if (!config_setting_is_array(s) && !config_setting_is_list(s))
		return cpl_errs(b, s, "a country pair must be a list of two codes: [ \"GB\", \"FR\" ]");
	if (config_setting_length(s) != 2)
		return cpl_errs(b, s, "a country pair must have exactly two codes, not %d",
				config_setting_length(s));
	if ((rc = get_country(b, config_setting_get_elem(s, 0), x)) != 0 ||
	    (rc = get_country(b, config_setting_get_elem(s, 1), y)) != 0)
		return rc;
	if (*x == *y)
		return cpl_errs(b, s, "a country pair needs two different countries");
	return 0;
}

/* A non-negative integer setting up to max. */
static int
get_uint(struct builder *b, const config_setting_t *s, uint32_t min, uint32_t max, uint32_t *out)
{
	long long v;

	if (config_setting_type(s) != CONFIG_TYPE_INT && config_setting_type(s) != CONFIG_TYPE_INT64)
		return cpl_errs(b, s, "'%s' must be an integer", config_setting_name(s));
	v = config_setting_get_int64(s);
	if (v < min || v > max)
		return cpl_errs(b, s, "'%s' = %lld out of range %u-%u", config_setting_name(s), v,
				min, max);
	*out = (uint32_t)v;
	return 0;
}

/*
 * site.velocity = { default_minutes = 120; neighbours = ( ["GB", "FR"] );
 *                   pairs = ( { countries = ["GB", "TZ"]; minutes = 300; } ); };
 * Minimum travel times between countries (issue 15, Deliver 5); every key optional; neighbours
 * are pairs of 0 minutes; a later entry for the same pair replaces an earlier one.
 */
static int
parse_velocity(struct builder *b, const config_setting_t *v)
{
	static const char *const keys[] = { "default_minutes", "neighbours", "pairs", NULL };
	static const char *const pair_keys[] = { "countries", "minutes", NULL };
	struct sw_state_travel *t = &b->site.travel;
	const config_setting_t *s;
	uint16_t x, y;
	uint32_t m = 0; /* set by get_uint; gcc -O3 cannot see it (release build warning) */
	int rc;

	if (!config_setting_is_group(v))
		return cpl_errs(b, v, "'velocity' must be a group");
	if ((rc = cpl_check_keys(b, v, keys, "'site.velocity'")) != 0)
		return rc;
	b->site.has_state = true;
	if ((s = config_setting_get_member(v, "default_minutes")) != NULL) {
		if ((rc = get_uint(b, s, 0, 7 * 24 * 60, &m)) != 0)
			return rc;
		t->default_minutes = m;
	}
	if ((s = config_setting_get_member(v, "neighbours")) != NULL) {
		if (!config_setting_is_list(s) && !config_setting_is_array(s))
			return cpl_errs(b, s, "'neighbours' must be a list of country pairs: "
					      "( [\"GB\", \"FR\"] )");
		for (int i = 0; i < config_setting_length(s); i++) {
			const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
			if ((rc = get_country_pair(b, e, &x, &y)) != 0)
				return rc;
			if (sw_state_travel_set(t, x, y, 0) != 0)
				return cpl_errs(b, e, "more than %d velocity pairs", SW_STATE_TRAVEL_MAX);
		}
	}
	if ((s = config_setting_get_member(v, "pairs")) != NULL) {
		if (!config_setting_is_list(s))
			return cpl_errs(b, s, "'pairs' must be a list of groups: "
					      "( { countries = [\"GB\", \"TZ\"]; minutes = 300; } )");
		for (int i = 0; i < config_setting_length(s); i++) {
			const config_setting_t *g = config_setting_get_elem(s, (unsigned)i), *c, *mm;
			if (!config_setting_is_group(g))
				return cpl_errs(b, g, "a velocity pair must be a group "
						      "{ countries = [\"GB\", \"TZ\"]; minutes = 300; }");
			if ((rc = cpl_check_keys(b, g, pair_keys, "a velocity pair")) != 0)
				return rc;
			c = config_setting_get_member(g, "countries");
			mm = config_setting_get_member(g, "minutes");
			if (c == NULL || mm == NULL)
				return cpl_errs(b, g, "a velocity pair needs 'countries' and 'minutes'");
			if ((rc = get_country_pair(b, c, &x, &y)) != 0 ||
			    (rc = get_uint(b, mm, 0, 7 * 24 * 60, &m)) != 0)
				return rc;
			if (sw_state_travel_set(t, x, y, m) != 0)
				return cpl_errs(b, g, "more than %d velocity pairs", SW_STATE_TRAVEL_MAX);
		}
	}
	return 0;
}

/*
 * site.state = { dialogues = 1048576; sms = 262144; subscribers = 1048576;
 *                dialogue_timeout = 60; sms_window = 60; location_max_age = 604800; };
 * Sizes of the state tables (entries) and their timeouts (seconds); every key optional
 * (dataplane/state/README.md has the defaults). Read by the dataplane when it starts.
 */
static int
parse_state(struct builder *b, const config_setting_t *g)
{
	static const char *const keys[] = { "dialogues", "sms", "subscribers", "dialogue_timeout",
					    "sms_window", "location_max_age", NULL };
	struct site *st = &b->site;
	int rc;

	if (!config_setting_is_group(g))
		return cpl_errs(b, g, "'state' must be a group");
	if ((rc = cpl_check_keys(b, g, keys, "'site.state'")) != 0)
		return rc;
	st->has_state = true;
	for (unsigned i = 0; keys[i] != NULL; i++) {
		const config_setting_t *s = config_setting_get_member(g, keys[i]);
		uint32_t *out = i < 3 ? &st->entries[i] : &st->ttl_s[i - 3];
		if (s == NULL)
			continue;
		/* entries: SW_STATE_T_DIALOGUE, _SMS, _LOCATION in that order; timeouts up to a
		 * year */
		if ((rc = get_uint(b, s, i < 3 ? 8 : 1, i < 3 ? SW_STATE_MAX_ENTRIES : 366u * 86400u,
				   out)) != 0)
			return rc;
	}
	return 0;
}

/* The partner's state id: FNV-1a of its name folded to 32 bits, never 0 (no partner). */
static uint32_t
partner_id(const char *name)
{
	uint64_t h = sw_fnv1a64(name, strlen(name), SW_FNV_OFFSET);
	uint32_t id = (uint32_t)(h ^ (h >> 32));

	return id != 0 ? id : 1;
}

static int get_opcodes(struct builder *b, const config_setting_t *s, struct partner *p);

/* One partner of site.partners (the i-th). */
static int
parse_partner(struct builder *b, const config_setting_t *g, int i)
{
	static const char *const partner_keys[] = { "name", "plmn", "gt", "msisdn", "point_codes",
						    "country", "allow_opcodes", "links", NULL };
	struct partner *p = &b->site.p[i];
	const config_setting_t *s;
	const char *str;
	int rc;

	if (!config_setting_is_group(g))
		return cpl_errs(b, g, "a partner must be a group");
	if ((rc = cpl_check_keys(b, g, partner_keys, "a partner")) != 0)
		return rc;
	s = config_setting_get_member(g, "name");
	str = s ? config_setting_get_string(s) : NULL;
	p->ops_set = p->links_set = UINT32_MAX;
	if (str == NULL || str[0] == '\0')
		return cpl_errs(b, s ? s : g, "a partner needs a non-empty string 'name'");
	if (strchr(str, ':') != NULL)
		return cpl_errs(b, s, "a partner name cannot hold ':' (\"partner:%s\" in a rule)", str);
	/* duplicate names: after all partners (partner_index), in n log n */
	p->name = strdup(str);
	if (p->name == NULL)
		return -ENOMEM;
	p->line = (int)config_setting_source_line(g);
	p->id = partner_id(str);
	if ((s = config_setting_get_member(g, "country")) != NULL &&
	    (rc = get_country(b, s, &p->country)) != 0)
		return rc;
	if ((s = config_setting_get_member(g, "plmn")) != NULL &&
	    (rc = get_strings(b, s, &p->plmn, &p->nplmn, true)) != 0)
		return rc;
	if ((s = config_setting_get_member(g, "gt")) != NULL &&
	    (rc = get_strings(b, s, &p->gt, &p->ngt, true)) != 0)
		return rc;
	if ((s = config_setting_get_member(g, "msisdn")) != NULL &&
	    (rc = get_strings(b, s, &p->msisdn, &p->nmsisdn, true)) != 0)
		return rc;
	if ((s = config_setting_get_member(g, "point_codes")) != NULL &&
	    (rc = get_ints(b, s, &p->pc, &p->npc, 0xffffff)) != 0)
		return rc;
	if ((s = config_setting_get_member(g, "allow_opcodes")) != NULL &&
	    (rc = get_opcodes(b, s, p)) != 0)
		return rc;
	/* `links`: names resolved once the links are read (partner_links) */
	return 0;
}

/* allow_opcodes = [ "anyTimeInterrogation", 71 ]: MAP operation names (TS 29.002) or local
 * codes 0-255, the operations the partner may send beyond what the rules allow everyone. */
static int
get_opcodes(struct builder *b, const config_setting_t *s, struct partner *p)
{
	int n = config_setting_length(s);

	if ((!config_setting_is_array(s) && !config_setting_is_list(s)) || n == 0)
		return cpl_errs(b, s, "'allow_opcodes' must be a non-empty list of operation names or "
				      "codes");
	p->ops = calloc((size_t)n, sizeof(*p->ops));
	if (p->ops == NULL)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);
		long long op = v != NULL ? sw_map_op_code(v)
			       : config_setting_type(e) == CONFIG_TYPE_INT ? config_setting_get_int(e)
									    : -1;
		if (op < 0 || op > 255)
			return cpl_errs(b, e, "unknown operation %s%s%s in 'allow_opcodes' (a MAP "
					      "operation name or a code 0-255)", v != NULL ? "\"" : "",
					v != NULL ? v : "", v != NULL ? "\"" : "");
		p->ops[p->nops++] = (uint32_t)op;
	}
	return cpl_set_add(b, p->ops, p->nops, &p->ops_set);
}

static const struct builder *sort_b; /* qsort has no context argument */

static int
cmp_partner_name(const void *x, const void *y)
{
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	int c = strcmp(sort_b->site.p[i].name, sort_b->site.p[j].name);

	return c != 0 ? c : (i < j ? -1 : i > j);
}

static int
cmp_partner_id(const void *x, const void *y)
{
	size_t i = *(const size_t *)x, j = *(const size_t *)y;
	uint32_t a = sort_b->site.p[i].id, c = sort_b->site.p[j].id;

	return a != c ? (a < c ? -1 : 1) : (i < j ? -1 : i > j);
}

/* The partners sorted by name for cpl_find_partner, and the duplicate names and state ids,
 * each reported at the later partner (n log n: a site of 10,000 partners). */
static int
partner_index(struct builder *b, const config_setting_t *parts)
{
	struct site *st = &b->site;
	size_t n = 0, *ix = calloc(st->np + 1, sizeof(*ix));
	int rc = 0;

	if (ix == NULL)
		return -ENOMEM;
	for (size_t k = 0; k < st->np; k++)
		if (st->p[k].name != NULL)
			ix[n++] = k;
	sort_b = b;
	qsort(ix, n, sizeof(*ix), cmp_partner_id);
	for (size_t i = 1; i < n; i++) {
		const struct partner *p = &st->p[ix[i]], *q = &st->p[ix[i - 1]];
		if (p->id == q->id && strcmp(p->name, q->name) != 0) {
			rc = cpl_errs(b, config_setting_get_elem(parts, (unsigned)ix[i]),
				      "partner names '%s' and '%s' have the same state id; rename one",
				      q->name, p->name);
			if (!cpl_recover(b, rc))
				goto out;
		}
	}
	qsort(ix, n, sizeof(*ix), cmp_partner_name);
	for (size_t i = 1; i < n; i++) {
		const struct partner *p = &st->p[ix[i]], *q = &st->p[ix[i - 1]];
		if (strcmp(p->name, q->name) == 0) {
			rc = cpl_errs(b, config_setting_get_elem(parts, (unsigned)ix[i]),
				      "duplicate partner name '%s' (first at line %d)", p->name,
				      q->line);
			if (!cpl_recover(b, rc))
				goto out;
		}
	}
	st->pidx = ix;
	st->npidx = n;
	ix = NULL;
out:
	free(ix);
	return rc;
}

int
cpl_find_partner(const struct builder *b, const char *name)
{
	size_t lo = 0, hi = b->site.npidx;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(b->site.p[b->site.pidx[mid]].name, name);
		if (c == 0)
			return (int)b->site.pidx[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int
cpl_find_group(const struct builder *b, const char *name)
{
	for (size_t i = 0; i < b->site.ngroups; i++)
		if (strcmp(b->site.groups[i].name, name) == 0)
			return (int)i;
	return -1;
}

char **
cpl_partner_prefixes(const struct partner *p, unsigned kind, size_t *n)
{
	*n = kind == SW_NETK_IMSI ? p->nplmn : kind == SW_NETK_MSISDN ? p->nmsisdn : p->ngt;
	return kind == SW_NETK_IMSI ? p->plmn : kind == SW_NETK_MSISDN ? p->msisdn : p->gt;
}

int
cpl_field_kind(unsigned f)
{
	switch (f) {
	case SW_SF_IMSI:
		return SW_NETK_IMSI;
	case SW_SF_MSISDN:
	case SW_SF_CGPN:
	case SW_SF_CDPN:
		return SW_NETK_MSISDN;
	case SW_SF_USSD:
	case SW_SF_ACN:
		return -1;
	}
	return SW_NETK_GT;
}

/* A partner's `links = [ "ipx-a" ]`: the links it may arrive over (issue 18 Deliver 2). */
static int
partner_links(struct builder *b, const config_setting_t *g, struct partner *p)
{
	const config_setting_t *s = config_setting_get_member(g, "links");
	int n;

	if (s == NULL)
		return 0;
	n = config_setting_length(s);
	if ((!config_setting_is_array(s) && !config_setting_is_list(s)) || n == 0)
		return cpl_errs(b, s, "'links' must be a non-empty list of link names");
	p->links = calloc((size_t)n, sizeof(*p->links));
	if (p->links == NULL)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
		const char *v = config_setting_get_string(e);
		size_t k = 0;

		while (v != NULL && k < b->site.nlinks && strcmp(b->site.links[k].name, v) != 0)
			k++;
		if (v == NULL || k == b->site.nlinks)
			return cpl_errs(b, e, "unknown link '%s' in partner '%s' (site.links)",
					v != NULL ? v : "?", p->name);
		p->links[p->nlinks++] = (uint32_t)k;
	}
	return cpl_set_add(b, p->links, p->nlinks, &p->links_set);
}

/* site.groups = ( { name = "ipx-hub-a"; partners = [ "fr-sfr", "de-tmo" ]; } ) */
static int
parse_groups(struct builder *b, const config_setting_t *gs)
{
	static const char *const keys[] = { "name", "partners", "description", NULL };
	int n = config_setting_length(gs), rc;
	bool bad = false;

	if (!config_setting_is_list(gs))
		return cpl_errs(b, gs, "'groups' must be a list of groups: ( { name = \"ipx-hub-a\"; "
				       "partners = [ ... ]; } )");
	b->site.groups = calloc((size_t)n + 1, sizeof(*b->site.groups));
	if (b->site.groups == NULL)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(gs, (unsigned)i), *s, *m = NULL;
		struct group *gr = &b->site.groups[b->site.ngroups];
		const char *v = NULL;

		rc = 0;
		if (!config_setting_is_group(g))
			rc = cpl_errs(b, g, "a partner group must be a group { name; partners; }");
		else if ((rc = cpl_check_keys(b, g, keys, "a partner group")) == 0) {
			s = config_setting_get_member(g, "name");
			v = s != NULL ? config_setting_get_string(s) : NULL;
			m = config_setting_get_member(g, "partners");
			if (v == NULL || v[0] == '\0')
				rc = cpl_errs(b, s != NULL ? s : g,
					      "a partner group needs a non-empty string 'name'");
			else if (cpl_find_group(b, v) >= 0)
				rc = cpl_errs(b, s, "duplicate group name '%s'", v);
			else if (m == NULL || (!config_setting_is_array(m) &&
					       !config_setting_is_list(m)) ||
				 config_setting_length(m) == 0)
				rc = cpl_errs(b, m != NULL ? m : g,
					      "group '%s' needs a non-empty list 'partners'", v);
		}
		if (rc == 0) {
			int nm = config_setting_length(m);
			if ((gr->name = strdup(v)) == NULL ||
			    (gr->members = calloc((size_t)nm, sizeof(*gr->members))) == NULL)
				return -ENOMEM;
			gr->line = (int)config_setting_source_line(g);
			b->site.ngroups++;
			for (int k = 0; rc == 0 && k < nm; k++) {
				const config_setting_t *e = config_setting_get_elem(m, (unsigned)k);
				const char *pn = config_setting_get_string(e);
				int pk = pn != NULL ? cpl_find_partner(b, pn) : -1;
				if (pk < 0)
					rc = cpl_errs(b, e, "unknown partner '%s' in group '%s'",
						      pn != NULL ? pn : "?", v);
				else
					gr->members[gr->n++] = (uint32_t)pk;
			}
		}
		if (rc != 0 && !cpl_recover(b, rc))
			return rc;
		bad |= rc != 0;
	}
	return bad ? -EINVAL : 0;
}

/* "192.0.2.0/24", "2001:db8::/32", or an address alone (all its bits): an element of a link's
 * `peers` (key "peers"; with_port: "IPv4:port", a proxy link's remote) or of a rule's
 * `remote_ip` / `local_ip` (key the condition's name). */
int
cpl_parse_prefix(struct builder *b, const config_setting_t *e, struct sw_img_peer *p,
		 bool with_port, const char *key)
{
	const char *v = config_setting_get_string(e);
	bool peer = strcmp(key, "peers") == 0;
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash;
	unsigned max, nbytes;
	long plen;

	if (v == NULL)
		return cpl_errs(b, e, "'%s' must be a list of address prefixes (\"192.0.2.0/24\")",
				key);
	/* "IPv4:port" (a proxy link's remote): the address alone */
	slash = with_port ? strrchr(v, ':') : strchr(v, '/');
	if ((size_t)(slash != NULL ? slash - v : (ptrdiff_t)strlen(v)) >= sizeof(addr))
		return peer ? cpl_errs(b, e, "invalid peer \"%s\"", v)
			    : cpl_errs(b, e, "'%s': invalid address \"%s\"", key, v);
	snprintf(addr, sizeof(addr), "%.*s", (int)(slash != NULL ? slash - v : (ptrdiff_t)strlen(v)),
		 v);
	memset(p, 0, sizeof(*p));
	if (inet_pton(AF_INET, addr, p->addr) == 1) {
		p->family = 4;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, p->addr) == 1) {
		p->family = 6;
		max = 128;
	} else {
		return peer ? cpl_errs(b, e, "invalid peer address \"%s\"", v)
			    : cpl_errs(b, e, "'%s': invalid address \"%s\"", key, v);
	}
	plen = max;
	if (slash != NULL && !with_port) {
		char *end;
		plen = strtol(slash + 1, &end, 10);
		if (slash[1] == '\0' || *end != '\0' || plen < 0 || plen > (long)max)
			return peer ? cpl_errs(b, e, "invalid prefix length in peer \"%s\" (0-%u)",
					       v, max)
				    : cpl_errs(b, e, "'%s': invalid prefix length in \"%s\" (0-%u)",
					       key, v, max);
	}
	p->plen = (uint8_t)plen;
	nbytes = max / 8;
	for (unsigned i = 0; i < nbytes; i++) {
		unsigned keep = plen >= 8 * (long)(i + 1) ? 8 : plen > 8 * (long)i ? plen - 8 * i : 0;
		uint8_t mask = (uint8_t)(0xff00u >> keep);
		if (p->addr[i] & ~mask)
			return peer ? cpl_errs(b, e, "peer \"%s\" has address bits set past /%ld",
					       v, plen)
				    : cpl_errs(b, e, "'%s': \"%s\" has address bits set past /%ld",
					       key, v, plen);
	}
	return 0;
}

/* `variant = "itu" | "ansi"` of the site or of a link (issue 17 D6): how point codes and SCCP
 * addresses read (dataplane/proto/ansi.h). *out is 1 + enum sw_variant. */
static int
get_variant(struct builder *b, const config_setting_t *s, uint8_t *out)
{
	const char *v = config_setting_get_string(s);
	int c = v != NULL ? sw_variant_code(v) : -1;

	if (c < 0)
		return cpl_errs(b, s, "'variant' must be \"itu\" or \"ansi\"");
	*out = (uint8_t)(1 + c);
	return 0;
}

int
cpl_ansi_pc(const struct builder *b, const char *s, bool any_link, uint32_t *pc)
{
	bool ansi = b->site.variant == SW_VARIANT_ANSI;

	if (sw_ansi_pc_parse(s, pc) < 0)
		return -1;
	for (size_t i = 0; any_link && i < b->site.npeers; i++)
		ansi |= b->site.peers[i].variant == 1 + SW_VARIANT_ANSI;
	return ansi ? 0 : -2;
}

/* site.links = ( { name = "ipx-a"; side = "outside"; peers = [ "192.0.2.0/24" ]; }, ... ) */
static int
parse_links(struct builder *b, const config_setting_t *links)
{
	/* name, side, peers: the policy's (patterns/README.md); the rest: proxy mode's
	 * (dataplane/proxy/README.md), validated by proxy_conf.c; its `remote` is a peer */
	static const char *const link_keys[] = { "name", "side", "peers", "description", "local",
						 "remote", "sctp", "m3ua", "ipsp_initiator",
						 "rctx", "na", "traffic_mode", "pc", "honeypot",
						 "beat_ms", "variant", "port", NULL };
	struct site *st = &b->site;
	int n = config_setting_length(links), rc;
	size_t cap = 0;

	if (!config_setting_is_list(links))
		return cpl_errs(b, links, "'links' must be a list of groups");
	if (n > SW_LINKS_MAX)
		return cpl_errs(b, links, "more than %d links", SW_LINKS_MAX);
	st->links = calloc((size_t)n + 1, sizeof(*st->links));
	if (st->links == NULL)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const config_setting_t *g = config_setting_get_elem(links, (unsigned)i);
		const config_setting_t *s, *peers;
		struct link *l = &st->links[i];
		uint8_t variant = 0; /* not given: the site's */
		const char *v;

		if (!config_setting_is_group(g))
			return cpl_errs(b, g, "a link must be a group");
		if ((rc = cpl_check_keys(b, g, link_keys, "a link")) != 0)
			return rc;
		s = config_setting_get_member(g, "name");
		v = s != NULL ? config_setting_get_string(s) : NULL;
		if (v == NULL || v[0] == '\0')
			return cpl_errs(b, s != NULL ? s : g, "a link needs a non-empty string 'name'");
		for (size_t k = 0; k < st->nlinks; k++)
			if (strcmp(st->links[k].name, v) == 0)
				return cpl_errs(b, s, "duplicate link name '%s' (first at line %d)", v,
						st->links[k].line);
		l->name = strdup(v);
		if (l->name == NULL)
			return -ENOMEM;
		l->line = (int)config_setting_source_line(g);
		l->proxy = config_setting_get_member(g, "sctp") != NULL;
		s = config_setting_get_member(g, "honeypot");
		l->honeypot = s != NULL && config_setting_type(s) == CONFIG_TYPE_BOOL &&
			      config_setting_get_bool(s);
		st->nlinks++;
		s = config_setting_get_member(g, "side");
		v = s != NULL ? config_setting_get_string(s) : NULL;
		if (v != NULL && strcmp(v, "outside") == 0)
			l->side = SW_SIDE_OUTSIDE;
		else if (v != NULL && strcmp(v, "inside") == 0)
			l->side = SW_SIDE_INSIDE;
		else
			return cpl_errs(b, s != NULL ? s : g,
					"link '%s' needs 'side' = \"outside\" or \"inside\"", l->name);
		s = config_setting_get_member(g, "variant");
		if (s != NULL && (rc = get_variant(b, s, &variant)) != 0)
			return rc;
		peers = config_setting_get_member(g, "peers");
		s = config_setting_get_member(g, "remote");
		if (peers == NULL && s != NULL && config_setting_get_string(s) != NULL)
			peers = s; /* a proxy link: its peer's "address:port" */
		else if (peers == NULL || !config_setting_is_aggregate(peers) ||
			 config_setting_is_group(peers) || config_setting_length(peers) == 0)
			return cpl_errs(b, peers != NULL ? peers : g,
					"link '%s' needs a non-empty list 'peers'", l->name);
		for (int k = 0; k < (peers == s ? 1 : config_setting_length(peers)); k++) {
			const config_setting_t *e =
				peers == s ? s : config_setting_get_elem(peers, (unsigned)k);
			struct sw_img_peer p;
			if ((rc = cpl_parse_prefix(b, e, &p, peers == s, "peers")) != 0)
				return rc;
			p.side = l->side;
			p.variant = variant;
			p.link = (uint32_t)i;
			/* an explicit prefix belongs to one link (two proxy links may share a
			 * remote host: the first is taken) */
			for (size_t j = 0; peers != s && j < st->npeers; j++)
				if (st->peers[j].family == p.family && st->peers[j].plen == p.plen &&
				    memcmp(st->peers[j].addr, p.addr, 16) == 0)
					return cpl_errs(b, e, "peer \"%s\" is already a peer of link '%s'",
							config_setting_get_string(e),
							st->links[st->peers[j].link].name);
			if (st->npeers >= SW_PEERS_MAX)
				return cpl_errs(b, e, "more than %d link peers", SW_PEERS_MAX);
			struct sw_img_peer *q = cpl_grow(st->peers, &cap, st->npeers + 1, sizeof(*q));
			if (q == NULL)
				return -ENOMEM;
			st->peers = q;
			st->peers[st->npeers++] = p;
		}
	}
	return 0;
}

int
cpl_parse_site(struct builder *b, const char *path)
{
	static const char *const top_keys[] = { "site", NULL };
	/* routes: proxy mode's (dataplane/proxy/proxy_conf.c validates them); links: the policy's
	 * (direction) and proxy mode's (its own keys, validated there) */
	/* cluster: sigwall-cluster's (control/cluster/conf.c validates it, issue 16) */
	static const char *const site_keys[] = { "name", "home", "partners", "links", "routes",
						 "cluster", "velocity", "state", "variant", "groups",
						 NULL };
	static const char *const home_keys[] = { "plmn", "gt", "msisdn", "point_codes", "hlr",
						 "vlr", "msc", "smsc", "sgsn", "country", NULL };
	config_t cf;
	const config_setting_t *root, *site, *home, *parts, *s;
	const char *str;
	char dir[PATH_MAX];
	bool bad = false;
	int rc = 0;

	sw_state_travel_init(&b->site.travel);
	config_init(&cf);
	/* `@include "partners.conf"` (sigwallctl site import-ir21) is read beside the site file */
	snprintf(dir, sizeof(dir), "%s", path);
	config_set_include_dir(&cf, dirname(dir));
	if (config_read_file(&cf, path) == CONFIG_FALSE) {
		if (config_error_type(&cf) == CONFIG_ERR_FILE_IO)
			rc = cpl_errat(b, path, 0, "cannot read site file: %s", strerror(errno));
		else
			rc = cpl_errat(b, config_error_file(&cf) ? config_error_file(&cf) : path,
				   config_error_line(&cf), "%s", config_error_text(&cf));
		goto out;
	}
	root = config_root_setting(&cf);
	if ((rc = cpl_check_keys(b, root, top_keys, "site file")) != 0)
		goto out;
	site = config_setting_get_member(root, "site");
	if (site == NULL || !config_setting_is_group(site)) {
		rc = cpl_errat(b, path, site ? (int)config_setting_source_line(site) : 1,
			   "missing group 'site'");
		goto out;
	}
	if ((rc = cpl_check_keys(b, site, site_keys, "'site'")) != 0)
		goto out;
	s = config_setting_get_member(site, "name");
	str = s ? config_setting_get_string(s) : NULL;
	if (str == NULL) {
		rc = s ? cpl_errs(b, s, "'name' must be a string")
		       : cpl_errs(b, site, "missing 'site.name'");
		goto out;
	}
	b->site.name = strdup(str);
	s = config_setting_get_member(site, "variant");
	if (s != NULL) {
		uint8_t v = 1;

		if ((rc = get_variant(b, s, &v)) != 0)
			goto out;
		b->site.variant = (uint8_t)(v - 1);
	}
	home = config_setting_get_member(site, "home");
	if (home == NULL || !config_setting_is_group(home)) {
		rc = cpl_errs(b, home ? home : site, "missing group 'site.home'");
		goto out;
	}
	if ((rc = cpl_check_keys(b, home, home_keys, "'site.home'")) != 0)
		goto out;
	for (const char *const *k = home_keys; *k != NULL; k++) {
		s = config_setting_get_member(home, *k);
		if (s == NULL)
			continue;
		if (strcmp(*k, "point_codes") == 0)
			rc = get_ints(b, s, &b->site.pc, &b->site.npc, 0xffffff);
		else if (strcmp(*k, "plmn") == 0)
			rc = get_strings(b, s, &b->site.plmn, &b->site.nplmn, true);
		else if (strcmp(*k, "gt") == 0)
			rc = get_strings(b, s, &b->site.gt, &b->site.ngt, true);
		else if (strcmp(*k, "msisdn") == 0)
			rc = get_strings(b, s, &b->site.msisdn, &b->site.nmsisdn, true);
		else if (strcmp(*k, "country") == 0)
			rc = get_country(b, s, &b->site.home_country);
		else {
			/* node GTs: validated, informational (sigwall-gen uses them) */
			char **tmp = NULL;
			size_t nt = 0;
			rc = get_strings(b, s, &tmp, &nt, true);
			for (size_t i = 0; tmp != NULL && i < nt; i++)
				free(tmp[i]);
			free(tmp);
		}
		if (rc != 0)
			goto out;
	}
	if (b->site.nplmn == 0 || b->site.ngt == 0) {
		rc = cpl_errs(b, home, "'site.home' needs non-empty 'plmn' and 'gt'");
		goto out;
	}
	parts = config_setting_get_member(site, "partners");
	if (parts != NULL) {
		int np = config_setting_length(parts);
		if (!config_setting_is_list(parts)) {
			rc = cpl_errs(b, parts, "'partners' must be a list of groups");
			goto out;
		}
		if (np > SW_PARTNERS_MAX) {
			rc = cpl_errs(b, parts, "%d partners: more than %d (the partner index of the "
					  "image's network tables)", np, SW_PARTNERS_MAX);
			goto out;
		}
		b->site.p = calloc((size_t)np + 1, sizeof(*b->site.p));
		if (b->site.p == NULL) {
			rc = -ENOMEM;
			goto out;
		}
		for (int i = 0; i < np; i++) {
			b->site.np = (size_t)i + 1;
			rc = parse_partner(b, config_setting_get_elem(parts, (unsigned)i), i);
			if (rc != 0 && !cpl_recover(b, rc))
				goto out;
			bad |= rc != 0;
		}
		if ((rc = partner_index(b, parts)) != 0) {
			if (!cpl_recover(b, rc))
				goto out;
			bad = true;
		}
	}
	s = config_setting_get_member(site, "links");
	if (s != NULL && (rc = parse_links(b, s)) != 0)
		goto out;
	if (s != NULL && (rc = cpl_proxy_site(b, path)) != 0) { /* proxy: issue 21 */
		if (!cpl_recover(b, rc))
			goto out;
		bad = true;
	}
	for (size_t k = 0; parts != NULL && k < b->site.np; k++) {
		if (b->site.p[k].name == NULL)
			continue;
		rc = partner_links(b, config_setting_get_elem(parts, (unsigned)k), &b->site.p[k]);
		if (rc != 0 && !cpl_recover(b, rc))
			goto out;
		bad |= rc != 0;
	}
	s = config_setting_get_member(site, "groups");
	if (s != NULL && (rc = parse_groups(b, s)) != 0) {
		if (!cpl_recover(b, rc))
			goto out;
		bad = true;
	}
	s = config_setting_get_member(site, "velocity");
	if (s != NULL && (rc = parse_velocity(b, s)) != 0)
		goto out;
	b->site.travel.home = b->site.home_country;
	s = config_setting_get_member(site, "state");
	if (s != NULL && (rc = parse_state(b, s)) != 0)
		goto out;
	if (b->site.npc > SW_HOME_PCS_MAX) {
		rc = cpl_errs(b, home, "more than %d home point codes", SW_HOME_PCS_MAX);
		goto out;
	}
	if (bad)
		rc = -EINVAL;
	else
		cpl_warn_site(b, site);
out:
	config_destroy(&cf);
	return rc;
}
