/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inside the policy compiler: the builder every pass fills (compiler.c drives them).
 *
 *   site.c    the site file: home network and partners
 *   lists.c   named lists (inline entries and list files)
 *   conds.c   conditions of a rule: integer sets, string atoms, networks, components
 *   rules.c   the rule file: policy settings, rules, their actions and rate limits
 *   atoms.c   string atoms: Hyperscan patterns, bulk prefix tables, networks; the Hyperscan
 *             databases and the cache-key digits of each field
 *   gates.c   the atom and integer gates (image.h) and the opcode index
 *   layout.c  the image: every table placed with the image writer (image_write.h)
 *
 * Same input, same bytes: nothing depends on addresses, time or hash seeds.
 */
#ifndef SW_COMPILER_BUILDER_H
#define SW_COMPILER_BUILDER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <hs/hs.h>
#include <libconfig.h>

#include "compiler.h"
#include "dataplane/policy/image.h"
#include "dataplane/state/state.h"

enum list_type { LT_PREFIX, LT_REGEX, LT_OPCODE, LT_PC, LT_INT };
extern const char *const cpl_list_type_names[];

struct list {
	char *name;
	enum list_type type;
	const char *file; /* where the list is defined */
	int line;
	size_t n;
	char **entries;   /* prefix, regex */
	int *elines;      /* line of each entry */
	const char **efile;
	uint32_t *ints;   /* opcode, pc, int */
	uint16_t atom[SW_SF_COUNT]; /* per field, 0xffff: not compiled for that field */
};

struct pat {
	char *expr;       /* Hyperscan expression */
	char *digits;     /* the prefix when expr is "^digits", else NULL */
	uint16_t atom;
};

struct ptent {
	uint64_t key;
	uint8_t len;
	uint16_t atom;
};

struct partner {
	char *name;
	int line;
	uint32_t id;      /* state id: hash of the name (stable across reloads) */
	uint16_t country; /* sw_state_country(), 0: not given */
	char **plmn, **gt, **msisdn;
	size_t nplmn, ngt, nmsisdn;
	uint32_t *pc;
	size_t npc;
	uint32_t *ops;    /* allow_opcodes (issue 18): local operation codes beyond the defaults */
	size_t nops;
	uint32_t *links;  /* links: indices into site.links the partner may arrive over */
	size_t nlinks;
	uint32_t ops_set, links_set; /* their integer sets (data offsets), UINT32_MAX: none */
};

/* site.groups: a named set of partners (`"group:NAME"` in a rule). */
struct group {
	char *name;
	int line;
	uint32_t *members; /* partner indices */
	size_t n;
};

struct link {
	char *name;
	uint8_t side;     /* SW_SIDE_* */
	int line;
	bool proxy;       /* a proxy-mode association (`sctp` set: dataplane/proxy/README.md) */
	bool honeypot;    /* proxy mode: `redirect` may send here */
};

struct site {
	char *name;
	char **plmn, **gt, **msisdn;
	size_t nplmn, ngt, nmsisdn;
	uint32_t *pc;
	size_t npc;
	struct partner *p;
	size_t np;
	size_t *pidx, npidx;        /* partner indices sorted by name (cpl_find_partner) */
	struct group *groups;
	size_t ngroups;
	struct link *links;
	size_t nlinks;
	struct sw_img_peer *peers;  /* of every link, in file order */
	size_t npeers;
	/* State (issue 15): site.home.country, partners' country, site.velocity, site.state */
	bool has_state;             /* one of those keys is given: the image has a state section */
	uint16_t home_country;
	struct sw_state_travel travel;
	uint32_t entries[SW_STATE_NTABLES]; /* site.state table sizes, 0: default */
	uint32_t ttl_s[SW_STATE_NTABLES];   /* site.state timeouts (s), 0: default */
	uint8_t variant;            /* site.variant, enum sw_variant (issue 17 D6) */
};

struct rule {
	char *name;
	struct sw_img_rule r;
	bool indexed;
	uint32_t opset;   /* data offset of the opcode set when indexed */
};

struct buf {
	uint8_t *p;
	size_t n, cap;
};

struct builder {
	char *err;
	size_t errlen;
	const char *rules_path;
	char rules_dir[PATH_MAX];
	struct site site;
	struct list *lists;
	size_t nlists;
	struct rule *rules;
	size_t nrules;
	struct sw_img_cond *conds;
	size_t nconds, cconds;
	struct buf data;     /* integer sets */
	size_t *setoffs;     /* data offsets of every set, to relocate big_off */
	size_t nsets, csets;
	struct buf strtab;
	struct pat *pats[SW_SF_COUNT];
	size_t npats[SW_SF_COUNT];
	struct ptent *pt[SW_SF_COUNT];
	size_t npt[SW_SF_COUNT];
	uint32_t natoms;
	struct sw_image_hdr hdr;
	uint8_t default_action, malformed_action, monitor;
	char *policy_name;
	struct sw_compile_opts opts;
	uint32_t state_used; /* bit per enum sw_state_cond some rule tests */
	uint32_t netk_used;  /* bit per SW_NETK_* some field resolves partners with */
	unsigned nerrs;     /* errors reported so far (opts.all_errors: all of them in err) */
	unsigned nwarn;
};

/* Serialized Hyperscan databases, one per string field (NULL: none). */
struct hsdbs {
	char *ser[SW_SF_COUNT];
	size_t serlen[SW_SF_COUNT], dbsize[SW_SF_COUNT];
};

/* Integer gate being built (gates.c). */
struct itrip {
	uint32_t value;
	uint32_t field;
	uint32_t rule;
};

struct igate {
	struct itrip *t;  /* sorted by (field, value, rule) */
	size_t n;
	size_t nvals;     /* distinct (field, value) */
};

/* compiler.c: errors ("file:line: message", always -EINVAL) and builder helpers */
int cpl_errat(struct builder *b, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int cpl_errs(struct builder *b, const config_setting_t *s, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "file:line: warning: message" to opts.warn, counted. */
void cpl_warn(struct builder *b, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Go on after an error (opts.all_errors)? rc: what the failed step returned. */
bool cpl_recover(struct builder *b, int rc);
void *cpl_grow(void *p, size_t *cap, size_t need, size_t elem);
int cpl_buf_put(struct buf *bf, const void *p, size_t n, size_t *off);
int cpl_str_add(struct builder *b, const char *s, uint32_t *off);
int cpl_name_index(const char *const *names, unsigned n, const char *s);
bool cpl_valid_prefix(const char *s);
int cpl_check_keys(struct builder *b, const config_setting_t *g, const char *const *keys,
	       const char *what);
int cpl_get_bool(struct builder *b, const config_setting_t *s, uint8_t *out);
int cpl_set_add(struct builder *b, const uint32_t *vals, size_t n, uint32_t *off);
size_t cpl_set_values(const struct builder *b, uint32_t off, uint32_t *vals);

/* site.c */
int cpl_parse_site(struct builder *b, const char *path);
/* A point code written "network-cluster-member" (ANSI T1.111.4 2.2.3, issue 17 D6): 0 and *pc
 * when s is one and the site (or, with links, one of its links: any_link) is ANSI; -1 when s is
 * not of that form; -2 when it is but nothing in the site is ANSI. */
int cpl_ansi_pc(const struct builder *b, const char *s, bool any_link, uint32_t *pc);
/* An address prefix ("192.0.2.0/24", "2001:db8::/32", an address) into p: of a link's peers
 * (key "peers", with_port: "a.b.c.d:port") or of a rule's `remote_ip` / `local_ip` (key). */
int cpl_parse_prefix(struct builder *b, const config_setting_t *e, struct sw_img_peer *p,
		     bool with_port, const char *key);
/* Index of the partner or group of that name, -1: none. */
int cpl_find_partner(const struct builder *b, const char *name);
int cpl_find_group(const struct builder *b, const char *name);
/* Prefixes of partner k for a kind of number (SW_NETK_*). */
char **cpl_partner_prefixes(const struct partner *p, unsigned kind, size_t *n);
/* The kind of number of a string field (SW_NETK_*), -1: a field without networks. */
int cpl_field_kind(unsigned f);

/* lists.c */
struct list *cpl_find_list(struct builder *b, const char *name);
int cpl_parse_lists(struct builder *b, const config_setting_t *lists);

/* conds.c */
int cpl_parse_conds(struct builder *b, struct rule *r, const config_setting_t *g, bool neg);
int cpl_cond_cost(const struct sw_img_cond *c);

/* rules.c */
int cpl_parse_rules_file(struct builder *b, const char *path);

/* pxaction.c: proxy mode's actions (reject, abort, redirect; issue 21) of rule r named name:
 * 1 when its `action` is one of them (r->r filled), 0 when it is not, or an error. */
int cpl_parse_px_action(struct builder *b, const config_setting_t *g, struct rule *r,
			const char *name);
/* pxaction.c: a site with proxy links (issue 21): site.links / site.routes as proxy mode loads
 * them (dataplane/proxy/proxy_conf.c); 0 or an error (file:line). */
int cpl_proxy_site(struct builder *b, const char *path);

/* warn.c: what compiles but is probably not what the operator meant */
void cpl_warn_site(struct builder *b, const config_setting_t *site);
void cpl_warn_list(struct builder *b, const struct list *l);
void cpl_warn_rules(struct builder *b, const config_setting_t *rules);

/* atoms.c */
int cpl_atom_new(struct builder *b, const config_setting_t *s, uint16_t *atom);
int cpl_pat_add(struct builder *b, unsigned f, const char *expr, bool prefix, uint16_t atom);
int cpl_list_atom(struct builder *b, const config_setting_t *s, struct list *l, unsigned f,
	      uint16_t *atom);
int cpl_field_nets(struct builder *b, const config_setting_t *s, unsigned f);
void cpl_atoms_key_digits(struct builder *b);
int cpl_atoms_compile(struct builder *b, const hs_platform_info_t *plat, struct hsdbs *dbs);
void cpl_hsdbs_free(struct hsdbs *dbs);

/* gates.c */
int cpl_igate_pick(struct builder *b, struct igate *ig);
uint32_t cpl_gate_build(struct builder *b, uint64_t *g, size_t rw, const struct igate *ig);
void cpl_opidx_build(struct builder *b, uint64_t *opidx, size_t rw);

/* layout.c */
int cpl_build_image(struct builder *b, uint64_t generation, struct sw_compiled *out);

#endif /* SW_COMPILER_BUILDER_H */
