/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policy compiler: the conditions of a rule (patterns/README.md, "Rules"): integer fields and
 * their names, string fields (prefixes, regexes, lists), networks (`_in`, `_network`),
 * presence and the component predicate.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "builder.h"
#include "dataplane/decode/decode.h"

/* Names of integer field values: the rule language's own for `direction` and `si`, the protocol
 * name tables (dataplane/proto) for the message types. -1: not a name of field f. */
static int
direction_code(const char *name)
{
	if (strcasecmp(name, "outside") == 0 || strcmp(name, "A") == 0)
		return SW_SIDE_OUTSIDE;
	if (strcasecmp(name, "inside") == 0 || strcmp(name, "B") == 0)
		return SW_SIDE_INSIDE;
	return -1;
}

/* The appliance's ports (issue 18): A (interconnect), B (home). */
static int
port_code(const char *name)
{
	return strcasecmp(name, "A") == 0 ? 0 : strcasecmp(name, "B") == 0 ? 1 : -1;
}

static int
si_code(const char *name)
{
	return strcasecmp(name, "sccp") == 0 ? MTP3_SI_SCCP /* Q.704 14.2.1 */
	       : strcasecmp(name, "isup") == 0 ? MTP3_SI_ISUP
					       : -1;
}

/* SCMG format identifiers by name (Q.713 5.1 Table 23: "ssa", "ssp", "sst", ...). */
static int
scmg_code(const char *name)
{
	for (unsigned t = 1; t < 256; t++) {
		const char *n = sw_scmg_type_name((uint8_t)t);

		if (n != NULL && strcasecmp(n, name) == 0)
			return (int)t;
	}
	return -1;
}

enum vkind { VK_INT, VK_OPCODE, VK_COMP, VK_PC };

static int (*ifield_names_of(unsigned f))(const char *)
{
	switch (f) {
	case SW_IF_DIRECTION:
		return direction_code;
	case SW_IF_SCCP_TYPE:
		return sw_sccp_type_code;
	case SW_IF_TCAP_TYPE:
		return sw_tcap_type_code;
	case SW_IF_ISUP_TYPE:
		return sw_isup_type_code;
	case SW_IF_SI:
		return si_code;
	case SW_IF_SCMG_TYPE:
		return scmg_code;
	case SW_IF_PORT:
		return port_code;
	}
	return NULL;
}

/* One value of an integer condition into vals (a list reference adds all of its entries). */
static int
int_value(struct builder *b, const config_setting_t *e, const char *key, int (*names)(const char *),
	  enum vkind vk, uint32_t **vals, size_t *n, size_t *cap)
{
	int ty = config_setting_type(e);
	long long v = -1;

	if (ty == CONFIG_TYPE_INT || ty == CONFIG_TYPE_INT64) {
		v = config_setting_get_int64(e);
	} else if (ty == CONFIG_TYPE_STRING) {
		const char *s = config_setting_get_string(e);
		if (s[0] == '@') {
			struct list *l = cpl_find_list(b, s);
			if (l == NULL)
				return cpl_errs(b, e, "unknown list '%s'", s + 1);
			if (l->type == LT_PREFIX || l->type == LT_REGEX ||
			    (vk == VK_OPCODE && l->type != LT_OPCODE))
				return cpl_errs(b, e, "list '%s' is a %s list, not usable for '%s'",
					    l->name, cpl_list_type_names[l->type], key);
			for (size_t i = 0; i < l->n; i++) {
				uint32_t *q = cpl_grow(*vals, cap, *n + 1, sizeof(**vals));
				if (q == NULL)
					return -ENOMEM;
				*vals = q;
				(*vals)[(*n)++] = l->ints[i];
			}
			return 0;
		}
		if (vk == VK_OPCODE && strcasecmp(s, CAP_OP_NS_PREFIX "*") == 0) {
			/* "cap:*": every CAP operation code (issue 17, patterns/README.md) */
			uint32_t *q = cpl_grow(*vals, cap, *n + 256, sizeof(**vals));
			if (q == NULL)
				return -ENOMEM;
			*vals = q;
			for (uint32_t op = 0; op < 256; op++)
				(*vals)[(*n)++] = CAP_OP_NS + op;
			return 0;
		}
		if (vk == VK_OPCODE)
			v = sw_policy_op_code(s); /* MAP name, or "cap:<name>" (issue 17) */
		if (vk == VK_PC) {
			/* "n-c-m" in an ANSI site or link (issue 17 D6) */
			uint32_t pc;
			int r = cpl_ansi_pc(b, s, true, &pc);

			if (r == -2)
				return cpl_errs(b, e, "point code \"%s\" for '%s': n-c-m needs an ANSI "
						"site or link (variant = \"ansi\")", s, key);
			if (r == 0)
				v = pc;
		}
		if (v < 0 && names != NULL)
			v = names(s);
		if (v < 0)
			return cpl_errs(b, e, "unknown value \"%s\" for '%s'", s, key);
	} else {
		return cpl_errs(b, e, "'%s' takes an integer, a name or \"@list\"", key);
	}
	if (v < 0 || v > 0xffffffffll || (vk == VK_OPCODE && v > CAP_OP_NS_MAX) ||
	    (vk == VK_OPCODE && ty != CONFIG_TYPE_STRING && v > 255))
		return cpl_errs(b, e, "value %lld out of range for '%s'", v, key);
	uint32_t *q = cpl_grow(*vals, cap, *n + 1, sizeof(**vals));
	if (q == NULL)
		return -ENOMEM;
	*vals = q;
	(*vals)[(*n)++] = (uint32_t)v;
	return 0;
}

static int
int_set(struct builder *b, const config_setting_t *s, int (*names)(const char *), enum vkind vk,
	uint32_t *off)
{
	uint32_t *vals = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;
	const char *key = config_setting_name(s);

	if (config_setting_is_aggregate(s)) {
		if (config_setting_is_group(s))
			return cpl_errs(b, s, "'%s' takes a value or a list of values", key);
		if (config_setting_length(s) == 0)
			return cpl_errs(b, s, "'%s' has an empty list", key);
		for (int i = 0; rc == 0 && i < config_setting_length(s); i++)
			rc = int_value(b, config_setting_get_elem(s, (unsigned)i), key, names, vk,
				       &vals, &n, &cap);
	} else if (config_setting_type(s) == CONFIG_TYPE_BOOL) {
		rc = cpl_errs(b, s, "'%s' takes an integer, a name or \"@list\", not a boolean", key);
	} else {
		rc = int_value(b, s, key, names, vk, &vals, &n, &cap);
	}
	if (rc == 0)
		rc = cpl_set_add(b, vals, n, off);
	free(vals);
	return rc;
}

/* `link = "ipx-a"` or `link = [ "ipx-a", "ipx-b" ]`: names of site.links (issue 18). */
static int
link_set(struct builder *b, const config_setting_t *s, uint32_t *off)
{
	int n = config_setting_is_aggregate(s) ? config_setting_length(s) : 1, rc;
	uint32_t *v;

	if (config_setting_is_group(s) || n == 0)
		return cpl_errs(b, s, "'link' takes a link name or a list of them");
	v = calloc((size_t)n, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	for (int i = 0; i < n; i++) {
		const config_setting_t *e =
			config_setting_is_aggregate(s) ? config_setting_get_elem(s, (unsigned)i) : s;
		const char *name = config_setting_get_string(e);
		size_t k = 0;
		while (name != NULL && k < b->site.nlinks && strcmp(b->site.links[k].name, name) != 0)
			k++;
		if (name == NULL || k == b->site.nlinks) {
			free(v);
			return cpl_errs(b, e, "unknown link '%s' (site.links)", name != NULL ? name : "?");
		}
		v[i] = (uint32_t)k;
	}
	rc = cpl_set_add(b, v, (size_t)n, off);
	free(v);
	return rc;
}

static int
cond_push(struct builder *b, struct sw_img_cond c)
{
	struct sw_img_cond *q = cpl_grow(b->conds, &b->cconds, b->nconds + 1, sizeof(*q));

	if (q == NULL)
		return -ENOMEM;
	b->conds = q;
	b->conds[b->nconds++] = c;
	return 0;
}

static int
cmp_prefix(const void *x, const void *y)
{
	const struct sw_img_peer *a = x, *c = y;

	if (a->family != c->family)
		return a->family < c->family ? -1 : 1;
	if (a->plen != c->plen)
		return a->plen < c->plen ? -1 : 1;
	return memcmp(a->addr, c->addr, sizeof(a->addr));
}

/* `remote_ip = "192.0.2.0/24"` or a list of IPv4/IPv6 prefixes and addresses (issue 18 D2):
 * the association's outside (remote) or inside (local) address is in one of them. The
 * prefixes go to the data section, sorted (the same list gives the same bytes: warn.c compares
 * them), duplicates warned about and dropped. */
static int
addr_cond(struct builder *b, const config_setting_t *s, const char *k, bool neg)
{
	int n = config_setting_is_aggregate(s) ? config_setting_length(s) : 1, rc = 0;
	struct sw_img_addrs hd = { 0 };
	struct sw_img_peer *v;
	size_t off, m = 0;

	if (config_setting_is_group(s) || n <= 0)
		return cpl_errs(b, s, "'%s' takes an address prefix (\"192.0.2.0/24\", "
				"\"2001:db8::/32\") or a list of them", k);
	if (n > SW_ADDRS_MAX)
		return cpl_errs(b, s, "'%s' has %d prefixes (at most %d: name a link of the site "
				"file instead)", k, n, SW_ADDRS_MAX);
	v = calloc((size_t)n, sizeof(*v));
	if (v == NULL)
		return -ENOMEM;
	for (int i = 0; i < n && rc == 0; i++)
		rc = cpl_parse_prefix(b, config_setting_is_aggregate(s)
					      ? config_setting_get_elem(s, (unsigned)i) : s,
				      &v[i], false, k);
	if (rc != 0) {
		free(v);
		return rc;
	}
	qsort(v, (size_t)n, sizeof(*v), cmp_prefix);
	for (int i = 0; i < n; i++) {
		if (m > 0 && cmp_prefix(&v[m - 1], &v[i]) == 0) {
			cpl_warn(b, config_setting_source_file(s), (int)config_setting_source_line(s),
				 "'%s' has a prefix twice", k);
			continue;
		}
		v[m++] = v[i];
	}
	hd.n = (uint32_t)m;
	/* 8 + 24 m bytes: the data section stays 8-byte aligned */
	if (cpl_buf_put(&b->data, &hd, sizeof(hd), &off) != 0 ||
	    cpl_buf_put(&b->data, v, m * sizeof(*v), NULL) != 0) {
		free(v);
		return -ENOMEM;
	}
	free(v);
	struct sw_img_cond c = { .kind = SW_COND_ADDR,
				 .field = k[0] == 'r' ? SW_ADDR_REMOTE : SW_ADDR_LOCAL,
				 .neg = neg, .arg = (uint32_t)off };
	return cond_push(b, c);
}

/* String condition: prefixes, /regex/ values, or one "@list". */
static int
string_cond(struct builder *b, const config_setting_t *s, unsigned f, bool neg)
{
	struct sw_img_cond c = { .kind = SW_COND_ATOM, .field = (uint8_t)f, .neg = neg };
	uint16_t atom;
	int n, rc;

	if (config_setting_type(s) == CONFIG_TYPE_STRING &&
	    config_setting_get_string(s)[0] == '@') {
		struct list *l = cpl_find_list(b, config_setting_get_string(s));
		if (l == NULL)
			return cpl_errs(b, s, "unknown list '%s'", config_setting_get_string(s) + 1);
		if ((rc = cpl_list_atom(b, s, l, f, &atom)) != 0)
			return rc;
		c.arg = atom;
		return cond_push(b, c);
	}
	if ((rc = cpl_atom_new(b, s, &atom)) != 0)
		return rc;
	n = config_setting_is_aggregate(s) ? config_setting_length(s) : 1;
	if (config_setting_is_group(s) || n == 0)
		return cpl_errs(b, s, "'%s' takes a prefix, \"/regex/\", a list of them or \"@list\"",
			    sw_sfield_names[f]);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e =
			config_setting_is_aggregate(s) ? config_setting_get_elem(s, (unsigned)i) : s;
		const char *v = config_setting_get_string(e);
		size_t len;

		if (v == NULL)
			return cpl_errs(b, e, "'%s' takes strings: a prefix, \"/regex/\" or \"@list\"",
				    sw_sfield_names[f]);
		len = strlen(v);
		if (v[0] == '@')
			return cpl_errs(b, e, "'%s': a list reference must stand alone", sw_sfield_names[f]);
		if (len >= 2 && v[0] == '/' && v[len - 1] == '/') {
			char *re = strndup(v + 1, len - 2);
			hs_expr_info_t *info = NULL;
			hs_compile_error_t *ce = NULL;
			if (re == NULL)
				return -ENOMEM;
			if (hs_expression_info(re, HS_FLAG_SINGLEMATCH, &info, &ce) != HS_SUCCESS) {
				rc = cpl_errs(b, e, "invalid regex \"%s\" in '%s': %s", re,
					  sw_sfield_names[f], ce != NULL ? ce->message : "?");
				hs_free_compile_error(ce);
				free(re);
				return rc;
			}
			free(info);
			rc = cpl_pat_add(b, f, re, false, atom);
			free(re);
		} else if (f != SW_SF_USSD && f != SW_SF_ACN) {
			if (!cpl_valid_prefix(v))
				return cpl_errs(b, e, "invalid prefix \"%s\" for '%s' (1-%d digits, or "
						  "\"/regex/\")", v, sw_sfield_names[f], SW_PTAB_DIGITS);
			rc = cpl_pat_add(b, f, v, true, atom);
		} else {
			/* text fields: a plain string is a literal prefix */
			char *re = malloc(2 * len + 1), *q = re;
			if (re == NULL)
				return -ENOMEM;
			for (size_t k = 0; k < len; k++) {
				if (strchr("\\^$.|?*+()[]{}", v[k]) != NULL)
					*q++ = '\\';
				*q++ = v[k];
			}
			*q = '\0';
			rc = cpl_pat_add(b, f, re, true, atom);
			free(re);
		}
		if (rc != 0)
			return rc;
	}
	c.arg = atom;
	return cond_push(b, c);
}

/* `<field>_in = "home" | "partner" | "list" | [ ... ]`: any of the values (OR). */
static int
in_cond(struct builder *b, const config_setting_t *s, const char *k, size_t kl, bool neg)
{
	char fn[32];
	bool pc;
	int f = -1, rc, n;
	uint32_t netmask = 0, *vals = NULL, off, *nets = NULL;
	size_t nv = 0, cap = 0, nn = 0, ncap = 0;
	struct list *l = NULL;

	snprintf(fn, sizeof(fn), "%.*s", (int)(kl - 3), k);
	pc = strcmp(fn, "opc") == 0 || strcmp(fn, "dpc") == 0 || strcmp(fn, "scmg_pc") == 0;
	if (!pc && (f = cpl_name_index(sw_sfield_names, SW_SF_COUNT, fn)) < 0)
		return cpl_errs(b, s, "unknown field '%s' in '%s'", fn, k);
	n = config_setting_is_aggregate(s) ? config_setting_length(s) : 1;
	if (config_setting_is_group(s) || n == 0)
		return cpl_errs(b, s, "'%s' takes \"home\", \"partner\", a list name or a list of them", k);
	for (int i = 0; i < n; i++) {
		const config_setting_t *e =
			config_setting_is_aggregate(s) ? config_setting_get_elem(s, (unsigned)i) : s;
		const char *v = config_setting_get_string(e);

		if (v == NULL) {
			free(vals);
			return cpl_errs(b, e, "'%s' takes \"home\", \"partner\" or a list name", k);
		}
		if (strcmp(v, "home") == 0) {
			netmask |= SW_NET_IN_HOME;
			continue;
		}
		if (strcmp(v, "partner") == 0) {
			netmask |= SW_NET_IN_PARTNER;
			continue;
		}
		if (strncmp(v, "partner:", 8) == 0 || strncmp(v, "group:", 6) == 0) {
			/* issue 18: one partner, or the partners of a site group, by name */
			bool grp = v[0] == 'g';
			int gk = grp ? cpl_find_group(b, v + 6) : cpl_find_partner(b, v + 8);
			size_t nm = grp && gk >= 0 ? b->site.groups[gk].n : 1;
			if (gk < 0) {
				free(vals);
				free(nets);
				return cpl_errs(b, e, "unknown %s '%s' (site file: %s)",
						grp ? "group" : "partner", grp ? v + 6 : v + 8,
						grp ? "site.groups" : "site.partners");
			}
			for (size_t j = 0; j < nm; j++) {
				uint32_t pk = grp ? b->site.groups[gk].members[j] : (uint32_t)gk;
				const struct partner *pp = &b->site.p[pk];
				uint32_t *g2 = cpl_grow(nets, &ncap, nn + 1, 4);
				if (g2 == NULL) {
					free(vals);
					free(nets);
					return -ENOMEM;
				}
				nets = g2;
				nets[nn++] = SW_NET_PARTNER + pk;
				for (size_t q = 0; pc && q < pp->npc; q++) {
					uint32_t *g3 = cpl_grow(vals, &cap, nv + 1, 4);
					if (g3 == NULL) {
						free(vals);
						free(nets);
						return -ENOMEM;
					}
					vals = g3;
					vals[nv++] = pp->pc[q];
				}
			}
			continue;
		}
		if ((l = cpl_find_list(b, v)) == NULL) {
			free(vals);
			free(nets);
			return cpl_errs(b, e, "unknown list '%s'", v[0] == '@' ? v + 1 : v);
		}
		if (!pc && n > 1) {
			free(vals);
			free(nets);
			return cpl_errs(b, e, "'%s': a list goes alone, not with home/partner", k);
		}
		if (pc) {
			if (l->type != LT_PC && l->type != LT_INT) {
				free(vals);
				free(nets);
				return cpl_errs(b, e, "list '%s' is a %s list, '%s' needs a pc list",
					    l->name, cpl_list_type_names[l->type], k);
			}
			for (size_t j = 0; j < l->n; j++) {
				uint32_t *g2 = cpl_grow(vals, &cap, nv + 1, 4);
				if (g2 == NULL) {
					free(vals);
					free(nets);
					return -ENOMEM;
				}
				vals = g2;
				vals[nv++] = l->ints[j];
			}
		}
	}
	if (pc) {
		free(nets); /* their point codes are in vals */
		struct sw_img_cond c = { .kind = SW_COND_INT, .neg = neg,
					 .field = strcmp(fn, "opc") == 0   ? SW_IF_OPC
						  : strcmp(fn, "dpc") == 0 ? SW_IF_DPC
									   : SW_IF_SCMG_PC };
		for (size_t p = 0; p <= b->site.np; p++) {
			const uint32_t *pcs = p == 0 ? b->site.pc : b->site.p[p - 1].pc;
			size_t npcs = p == 0 ? b->site.npc : b->site.p[p - 1].npc;
			if (!(netmask & (p == 0 ? SW_NET_IN_HOME : SW_NET_IN_PARTNER)))
				continue;
			for (size_t j = 0; j < npcs; j++) {
				uint32_t *g2 = cpl_grow(vals, &cap, nv + 1, 4);
				if (g2 == NULL) {
					free(vals);
					return -ENOMEM;
				}
				vals = g2;
				vals[nv++] = pcs[j];
			}
		}
		rc = cpl_set_add(b, vals, nv, &off);
		free(vals);
		if (rc != 0)
			return rc;
		c.arg = off;
		return cond_push(b, c);
	}
	if (nn > 0) {
		/* "partner:NAME" / "group:NAME": the field's network is one of theirs */
		struct sw_img_cond c = { .kind = SW_COND_NET_IN, .field = (uint8_t)f, .neg = neg,
					 .arg = netmask };
		if (l != NULL)
			rc = cpl_errs(b, s, "'%s': a list goes alone, not with partners or groups", k);
		else if ((rc = cpl_field_nets(b, s, (unsigned)f)) == 0 &&
			 (rc = cpl_set_add(b, nets, nn, &off)) == 0) {
			c.arg2 = off + 1; /* + 1: 0 is "no set" (layout.c relocates) */
			rc = cond_push(b, c);
		}
		free(nets);
		return rc;
	}
	if (netmask == 0) {
		uint16_t atom;
		struct sw_img_cond c = { .kind = SW_COND_ATOM, .field = (uint8_t)f, .neg = neg };
		if ((rc = cpl_list_atom(b, s, l, (unsigned)f, &atom)) != 0)
			return rc;
		c.arg = atom;
		return cond_push(b, c);
	}
	if ((rc = cpl_field_nets(b, s, (unsigned)f)) != 0)
		return rc;
	if (netmask == SW_NET_IN_HOME && !neg) {
		/* "in the home network" is the home atom of the field (the engine resolves the
		 * network to home exactly when that atom is set): as an atom condition it gates
		 * its rule, which is then no candidate for an MSU from any other network (the
		 * spoofed-home rules of the shipped policy). */
		struct sw_img_cond c = { .kind = SW_COND_ATOM, .field = (uint8_t)f,
					 .arg = b->hdr.fields[f].net_home };
		return cond_push(b, c);
	}
	struct sw_img_cond c = { .kind = SW_COND_NET_IN, .field = (uint8_t)f, .neg = neg,
				 .arg = netmask };
	return cond_push(b, c);
}

static int
field_by_name(const char *k, bool *is_if)
{
	int i = cpl_name_index(sw_sfield_names, SW_SF_COUNT, k);

	if (i >= 0) {
		*is_if = false;
		return i;
	}
	*is_if = true;
	return cpl_name_index(sw_ifield_names, SW_IF_COUNT, k);
}

/* `state = "velocity"` or `state = [ "unsolicited-dialogue", ... ]`: every named state
 * condition holds (issue 15; patterns/README.md "State conditions"). */
static int
state_cond(struct builder *b, const config_setting_t *s, bool neg)
{
	int n = config_setting_is_aggregate(s) ? config_setting_length(s) : 1, rc;

	if (config_setting_is_group(s) || n == 0)
		return cpl_errs(b, s, "'state' takes a state name or a list of them");
	for (int i = 0; i < n; i++) {
		const config_setting_t *e =
			config_setting_is_aggregate(s) ? config_setting_get_elem(s, (unsigned)i) : s;
		const char *v = config_setting_get_string(e);
		int st = v != NULL ? cpl_name_index(sw_state_cond_names, SW_ST_COUNT, v) : -1;

		if (st < 0) {
			char names[256];
			size_t o = 0;
			for (unsigned k = 0; k < SW_ST_COUNT; k++)
				o += (size_t)snprintf(names + o, sizeof(names) - o, "%s%s",
						      k > 0 ? ", " : "", sw_state_cond_names[k]);
			return cpl_errs(b, e, "unknown state \"%s\" (%s)", v != NULL ? v : "?", names);
		}
		struct sw_img_cond c = { .kind = SW_COND_STATE, .field = (uint8_t)st, .neg = neg };
		if ((rc = cond_push(b, c)) != 0)
			return rc;
		b->state_used |= 1u << st;
	}
	return 0;
}

/* Conditions of one group (the rule itself, or its `not` group when neg). */
int
cpl_parse_conds(struct builder *b, struct rule *r, const config_setting_t *g, bool neg)
{
	/* cause, abort_kind, to: proxy mode's actions (pxaction.c) */
	static const char *const rule_keys[] = { "name", "action", "monitor", "malformed", "rate",
						 "not", "description", "id", "severity", "enabled",
						 "monitor_until", "expires", "cause", "abort_kind",
						 "to", NULL };
	const config_setting_t *ctype = NULL, *cop = NULL, *cglob = NULL, *cunk = NULL;
	int n = config_setting_length(g), rc;

	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
		const char *k = config_setting_name(s);
		size_t kl = strlen(k);
		bool is_if;
		int f;
		uint32_t off;

		if (!neg && cpl_name_index(rule_keys, 15, k) >= 0)
			continue;
		if (strcmp(k, "component") == 0) {
			ctype = s;
			continue;
		}
		if (strcmp(k, "opcode") == 0) {
			cop = s;
			continue;
		}
		if (strcmp(k, "state") == 0) {
			if ((rc = state_cond(b, s, neg)) != 0)
				return rc;
			continue;
		}
		if (strcmp(k, "partner_allows") == 0 || strcmp(k, "partner_wrong_link") == 0) {
			/* issue 18: a property of the partner of a field's number (its network) */
			const char *v = config_setting_get_string(s);
			f = v != NULL ? cpl_name_index(sw_sfield_names, SW_SF_COUNT, v) : -1;
			if (f < 0 || cpl_field_kind((unsigned)f) < 0)
				return cpl_errs(b, s, "'%s' takes the name of a number field (\"cgpa\")",
						k);
			if ((rc = cpl_field_nets(b, s, (unsigned)f)) != 0)
				return rc;
			struct sw_img_cond c = { .kind = SW_COND_PARTNER, .field = (uint8_t)f,
						 .field2 = k[8] == 'a' ? SW_PCHK_ALLOWS
								       : SW_PCHK_WRONG_LINK,
						 .neg = neg };
			if ((rc = cond_push(b, c)) != 0)
				return rc;
			continue;
		}
		if (strcmp(k, "remote_ip") == 0 || strcmp(k, "local_ip") == 0) {
			if ((rc = addr_cond(b, s, k, neg)) != 0)
				return rc;
			continue;
		}
		if (strcmp(k, "link") == 0) {
			/* issue 18: a link of site.links by name */
			if ((rc = link_set(b, s, &off)) != 0)
				return rc;
			struct sw_img_cond c = { .kind = SW_COND_INT, .field = SW_IF_LINK, .neg = neg,
						 .arg = off };
			if ((rc = cond_push(b, c)) != 0)
				return rc;
			continue;
		}
		if (strcmp(k, "opcode_global") == 0) {
			if (config_setting_type(s) != CONFIG_TYPE_BOOL || !config_setting_get_bool(s))
				return cpl_errs(b, s, "'opcode_global' takes true");
			cglob = s;
			continue;
		}
		if (strcmp(k, "opcode_unknown") == 0) {
			if (config_setting_type(s) != CONFIG_TYPE_BOOL || !config_setting_get_bool(s))
				return cpl_errs(b, s, "'opcode_unknown' takes true");
			cunk = s;
			continue;
		}
		if (strcmp(k, "present") == 0 || strcmp(k, "absent") == 0) {
			int m = config_setting_is_aggregate(s) ? config_setting_length(s) : -1;
			if (m <= 0 || config_setting_is_group(s))
				return cpl_errs(b, s, "'%s' takes a list of field names", k);
			for (int j = 0; j < m; j++) {
				const config_setting_t *e = config_setting_get_elem(s, (unsigned)j);
				const char *fn = config_setting_get_string(e);
				if (fn == NULL || (f = field_by_name(fn, &is_if)) < 0)
					return cpl_errs(b, e, "unknown field \"%s\" in '%s'",
						    fn ? fn : "(not a string)", k);
				struct sw_img_cond c = { .kind = SW_COND_PRESENT, .field = (uint8_t)f,
							 .field2 = is_if,
							 .neg = (k[0] == 'a') != neg };
				if ((rc = cond_push(b, c)) != 0)
					return rc;
			}
			continue;
		}
		if (kl > 3 && strcmp(k + kl - 3, "_in") == 0) {
			if ((rc = in_cond(b, s, k, kl, neg)) != 0)
				return rc;
			continue;
		}
		if (kl > 8 && strcmp(k + kl - 8, "_network") == 0) {
			char fn[32];
			const char *v = config_setting_get_string(s);
			int f2;
			snprintf(fn, sizeof(fn), "%.*s", (int)(kl - 8), k);
			f = cpl_name_index(sw_sfield_names, SW_SF_COUNT, fn);
			if (f < 0)
				return cpl_errs(b, s, "unknown field '%s' in '%s'", fn, k);
			if (v == NULL || (f2 = cpl_name_index(sw_sfield_names, SW_SF_COUNT, v)) < 0)
				return cpl_errs(b, s, "'%s' takes the name of another string field", k);
			if ((rc = cpl_field_nets(b, s, (unsigned)f)) != 0 ||
			    (rc = cpl_field_nets(b, s, (unsigned)f2)) != 0)
				return rc;
			struct sw_img_cond c = { .kind = SW_COND_NET_EQ, .field = (uint8_t)f,
						 .field2 = (uint8_t)f2, .neg = neg };
			if ((rc = cond_push(b, c)) != 0)
				return rc;
			continue;
		}
		f = field_by_name(k, &is_if);
		if (f < 0)
			return cpl_errs(b, s, "unknown field or key '%s'", k);
		if (!is_if) {
			if ((rc = string_cond(b, s, (unsigned)f, neg)) != 0)
				return rc;
			continue;
		}
		if ((rc = int_set(b, s, ifield_names_of((unsigned)f),
				  f == SW_IF_OPC || f == SW_IF_DPC || f == SW_IF_SCMG_PC ? VK_PC : VK_INT,
				  &off)) != 0)
			return rc;
		struct sw_img_cond c = { .kind = SW_COND_INT, .field = (uint8_t)f, .neg = neg,
					 .arg = off };
		if ((rc = cond_push(b, c)) != 0)
			return rc;
	}
	if (ctype != NULL || cop != NULL || cglob != NULL || cunk != NULL) {
		struct sw_img_cond c = { .kind = SW_COND_COMP, .neg = neg, .arg = UINT32_MAX,
					 .arg2 = UINT32_MAX,
					 .field2 = (cglob != NULL ? SW_COMP_F_GLOBAL : 0) |
						   (cunk != NULL ? SW_COMP_F_UNKNOWN : 0) };
		uint32_t off;
		if (ctype != NULL) {
			if ((rc = int_set(b, ctype, sw_comp_type_code, VK_COMP, &off)) != 0)
				return rc;
			c.arg = off;
		}
		if (cop != NULL) {
			if ((rc = int_set(b, cop, NULL, VK_OPCODE, &off)) != 0)
				return rc;
			c.arg2 = off;
			if (!neg) {
				r->indexed = true;
				r->opset = off;
			}
		}
		if ((rc = cond_push(b, c)) != 0)
			return rc;
	}
	return 0;
}

int
cpl_cond_cost(const struct sw_img_cond *c)
{
	switch (c->kind) {
	case SW_COND_COMP:
	case SW_COND_INT:
	case SW_COND_STATE:
		return 0;
	case SW_COND_PRESENT:
	case SW_COND_ADDR:
		return 1;
	}
	return 2; /* a string field: a scan (and the network of SW_COND_NET_IN, _PARTNER) */
}
