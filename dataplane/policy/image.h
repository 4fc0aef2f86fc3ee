/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The policy image (ARCHITECTURE.md section 4): one flat, versioned, position-independent
 * blob written by the compiler (control/compiler) and read in place by the verdict engine.
 *
 * Layout (every offset is from the start of the image, never a pointer):
 *   struct sw_image_hdr                      at 0
 *   struct sw_img_rule[nrules]               at rules_off
 *   struct sw_img_cond[nconds]               at conds_off
 *   struct sw_img_set (int sets)             at offsets named by conditions
 *   uint64_t opidx[257][rule_words]          at opidx_off: opcode -> candidate rule bitset
 *   atom gate, at gate_off, rule bitsets of rule_words words each:
 *     uint64_t gated[rule_words]             rules gated by an atom
 *     uint64_t malformed[rule_words]         rules with malformed = true
 *     uint64_t gfield[SW_SF_COUNT][rule_words] rules gated by an atom of field f
 *     uint64_t arow[natoms][rule_words]      rules gated by atom a
 *     uint64_t gifield[SW_IF_COUNT][rule_words] rules gated by a value of ifield f
 *     uint64_t vrow[nivals][rule_words]      rules gated by value ivals[v]
 *     struct sw_img_ival ivals[nivals]       (ifield, value), sorted, distinct
 *     A gated rule has a non-negated SW_COND_ATOM condition on its gate atom (or, when it
 *     has none, a non-negated SW_COND_INT condition whose set holds its gate values), so it
 *     cannot match unless that atom is set (or the field has one of those values): the
 *     engine drops the other gated rules from the candidates before trying any condition.
 *   struct sw_img_pslot[]                    at fields[f].ptab_off: bulk prefix tables
 *   string table (NUL-terminated names)      at strtab_off
 *   struct sw_img_site                       at site_off: the site's links (peer prefixes
 *                                            and their side) and home point codes, for
 *                                            sw_policy_direction
 *   struct sw_img_state                      at site.state_off (0: none): what the judge needs
 *                                            for the state conditions (issue 15): partners'
 *                                            ids and countries, network prefixes, table sizes
 *                                            and timeouts, travel times. Present only when
 *                                            the site or the rules use state, so that images
 *                                            without it keep their bytes.
 *   Hyperscan block-mode databases           at fields[f].db_off, 64-byte aligned, one per
 *                                            string field, deserialized in place
 *                                            (hs_deserialize_database_at) so the dataplane
 *                                            scans them where they are; the image base must
 *                                            be 64-byte aligned.
 *
 * The checksum (FNV-1a 64) covers the header, but its generation and checksum, and the body
 * [hdr_size, size): the same rule and site files give the
 * same checksum whatever the generation (ARCHITECTURE.md section 9).
 */
#ifndef SW_POLICY_IMAGE_H
#define SW_POLICY_IMAGE_H

#include <stddef.h>
#include <stdint.h>

#define SW_IMAGE_MAGIC 0x3147414d494c5753ull /* "SWLIMAG1" little-endian */
#define SW_IMAGE_ABI 7 /* 2: sw_img_field.key_digits, 3: atom gate (gate_off), 4: site section
			  (site_off: links, home point codes), 5: SCMG integer fields (issue 17),
			  6: rule identity (sw_img_rule.id, severity, enabled, monitor_until,
			  expires; issue 18) and proxy-mode actions (px_*, issue 21, in what was
			  padding), 7: partner networks in prefix tables (sw_img_nets) instead
			  of one atom per partner, interconnect integer fields (issue 18
			  Deliver 1-2) */
#define SW_IMAGE_ALIGN 64

#define SW_RULES_MAX 1024
#define SW_ATOMS_MAX 512     /* distinct string conditions (lists, inline values, networks) */
/* Partners are rows of prefix tables (sw_img_nets), not atoms: their number does not change the
 * cost of a verdict. The limit is the partner index of a table slot and of a state prefix
 * (uint16_t net = SW_NET_PARTNER + k). */
#define SW_PARTNERS_MAX 65000
#define SW_OPIDX_BASE 256    /* opidx row of rules not indexed by opcode (always candidates) */
#define SW_OPIDX_ROWS 257

/* String fields: one Hyperscan database each. */
enum sw_sfield {
	SW_SF_CGPA,
	SW_SF_CDPA,
	SW_SF_IMSI,
	SW_SF_MSISDN,
	SW_SF_VLR,
	SW_SF_MSC,
	SW_SF_HLR,
	SW_SF_SGSN,
	SW_SF_SMSC,
	SW_SF_SM_RP_DA,
	SW_SF_SM_RP_OA,
	SW_SF_USSD,
	SW_SF_CGPN,     /* ISUP calling party number */
	SW_SF_CDPN,     /* ISUP called party number */
	SW_SF_ACN,      /* application context name, dotted OID text "0.4.0.0.1.0.19.3" */
	SW_SF_COUNT
};

/* Integer fields of the MSU (message level). */
enum sw_ifield {
	SW_IF_DIRECTION, /* 0 port A (outside), 1 port B (inside) */
	SW_IF_OPC,
	SW_IF_DPC,
	SW_IF_SI,
	SW_IF_NI,
	SW_IF_SCCP_TYPE,
	SW_IF_CGPA_SSN,
	SW_IF_CGPA_TT,
	SW_IF_CGPA_NP,
	SW_IF_CGPA_NAI,
	SW_IF_CGPA_GTI,
	SW_IF_CGPA_RI,
	SW_IF_CDPA_SSN,
	SW_IF_CDPA_TT,
	SW_IF_CDPA_NP,
	SW_IF_CDPA_NAI,
	SW_IF_CDPA_GTI,
	SW_IF_CDPA_RI,
	SW_IF_TCAP_TYPE,
	SW_IF_ISUP_TYPE,
	SW_IF_SS_CODE,
	SW_IF_SCMG_TYPE, /* SCCP management (Q.713 5.3): format identifier, SW_HAS_SCMG */
	SW_IF_SCMG_SSN,  /* affected subsystem number, Q.713 5.3.2.1 */
	SW_IF_SCMG_PC,   /* affected signalling point code, Q.713 5.3.2.2 */
	/* Interconnect scope (issue 18 Deliver 2): where the message came in */
	SW_IF_PORT,        /* the appliance's ingress port: 0 A, 1 B (absent in a capture) */
	SW_IF_LINK,        /* site.links index of the source address (absent: no link) */
	SW_IF_RCTX,        /* M3UA routing context (RFC 4666 3.3.1), SW_HAS_RCTX */
	SW_IF_REMOTE_PORT, /* SCTP port of the outside endpoint (the source from outside) */
	SW_IF_LOCAL_PORT,  /* SCTP port of the inside endpoint */
	SW_IF_COUNT
};

enum sw_cond_kind {
	SW_COND_INT,       /* ifield `field` has a value in the set at `arg` */
	SW_COND_ATOM,      /* atom `arg` matched in the scan of sfield `field` */
	SW_COND_PRESENT,   /* sfield `field` (field2 == 0) or ifield `field` (field2 == 1) present */
	SW_COND_NET_IN,    /* sfield `field` belongs to a network class of mask `arg`
			      (SW_NET_IN_HOME | SW_NET_IN_PARTNER) or, when arg2 != 0, to a network
			      of the integer set at arg2 (SW_NET_PARTNER + k: "partner:NAME",
			      "group:NAME") */
	SW_COND_NET_EQ,    /* sfields `field` and `field2` resolve to the same partner (or home) */
	SW_COND_COMP,      /* some TCAP component has type in set `arg` (0: any), opcode in set
			      `arg2` (0: any) and the SW_COMP_F_* properties of `field2` */
	SW_COND_STATE,     /* state condition `field` (enum sw_state_cond) held for the message,
			      as the judge computed it (sw_policy_ctx_set_state) */
	SW_COND_PARTNER,   /* the partner of sfield `field` (its network) has the property
			      `field2` (SW_PCHK_*) in its row of sw_img_nets (issue 18) */
	SW_COND_ADDR,      /* the association's address `field` (SW_ADDR_REMOTE, SW_ADDR_LOCAL) is
			      in the prefixes of the struct sw_img_addrs at `arg` (issue 18 D2:
			      `remote_ip`, `local_ip`); absent (no IP packet): false */
};

/* SW_COND_ADDR.field: the outside endpoint of the association (the source of what comes from
 * outside, the destination of what goes out) or the inside one, as `remote_port`. */
#define SW_ADDR_REMOTE 0
#define SW_ADDR_LOCAL 1
#define SW_ADDRS_MAX 4096 /* prefixes of one `remote_ip` / `local_ip` condition */

/* Partner properties (SW_COND_PARTNER.field2), from the site file's partner keys. */
#define SW_PCHK_ALLOWS 0     /* `allow_opcodes`: every local operation code of the message's
				components is in the partner's allow-list (none: false) */
#define SW_PCHK_WRONG_LINK 1 /* `links`: the partner is bound to links and the packet came over
				none of them (the source address of no link counts as none) */

/* Conditions over the state tables (issue 15, patterns/README.md "State conditions"); the
 * rule language's names are sw_state_cond_names. */
enum sw_state_cond {
	SW_ST_UNSOLICITED_DIALOGUE, /* TC-CONTINUE/END/ABORT from outside to no dialogue of ours */
	SW_ST_UNSOLICITED_SMS,      /* mt-forwardSM from outside, home IMSI, no SRI-SM answered */
	SW_ST_NOT_SERVING,          /* location-bound invoke from outside of the serving network */
	SW_ST_VELOCITY,             /* updateLocation from another country sooner than travel */
	SW_ST_UNKNOWN_LOCATION,     /* location-bound invoke or UL for a home IMSI: none recorded */
	SW_ST_VLR_NETWORK_MISMATCH, /* UL/UGL with a VLR/MSC/SGSN number of another network */
	SW_ST_CLUSTER_DEGRADED,	    /* issue 16: this member's replicator cannot reach Redis or is
				       resynchronising (peers' state may be missing) */
	SW_ST_COUNT
};

#define SW_NET_IN_HOME 1u
#define SW_NET_IN_PARTNER 2u
#define SW_COMP_F_GLOBAL 1u  /* the opcode is a globalValue (OID) */
#define SW_COMP_F_UNKNOWN 2u /* a local opcode TS 29.002 does not define (negative included) */

enum sw_net {
	SW_NET_NONE = 0,
	SW_NET_HOME = 1,
	SW_NET_PARTNER = 2, /* any partner; network ids 2 + k name partner k */
};

/* Integer set: values 0..255 as a bitmap, larger values in a sorted array. */
struct sw_img_set {
	uint64_t bits[4];
	uint32_t nbig;
	uint32_t big_off; /* uint32_t[nbig], sorted */
};

struct sw_img_cond {
	uint8_t kind;   /* enum sw_cond_kind */
	uint8_t field;
	uint8_t field2;
	uint8_t neg;    /* condition is negated */
	uint32_t arg;
	uint32_t arg2;
};

/* Actions stored in rules: enum sw_action, plus this one. */
#define SW_IMG_ACTION_RATE_LIMIT 3

/* Rate-limit key: an sfield, or one of these. */
#define SW_RL_KEY_OPC 0x80
#define SW_RL_KEY_DPC 0x81
#define SW_RL_KEY_NONE 0xff

struct sw_img_rule {
	uint32_t name_off;    /* strtab offset */
	uint32_t cond_first;  /* index into the condition array */
	uint32_t ncond;
	uint32_t line;        /* source line, for messages */
	uint8_t action;       /* enum sw_action or SW_IMG_ACTION_RATE_LIMIT */
	uint8_t monitor;      /* alert instead of acting */
	uint8_t malformed;    /* 1: the rule only applies to malformed MSUs, 0: only to good ones */
	uint8_t rl_key;       /* sfield, SW_RL_KEY_* */
	uint32_t rl_rate;     /* tokens per second */
	uint32_t rl_burst;    /* bucket depth */
	/* Identity (issue 18, Deliver 4) */
	uint32_t id;          /* the rule's `id`: stable across reloads and edits, unique in the
				 image; 0: none given */
	uint8_t severity;     /* enum sw_severity */
	uint8_t enabled;      /* 0: `enabled = false`, never a candidate (keeps its index and id) */
	/* Proxy mode's actions (issue 21): the rule's `action` is then SW_ACTION_DROP, which is
	 * what any other mode enforces (the message does not reach its destination); a proxy
	 * instance answers or redirects instead (dataplane/proxy/proxy_judge.c). */
	uint8_t px_action;    /* enum sw_img_px_action */
	uint8_t px_arg;       /* reject: Q.713 3.12 return cause; abort: enum sw_img_px_abort */
	uint16_t px_link;     /* redirect: index into the site section's links */
	uint8_t pad[2];
	int64_t monitor_until; /* Unix seconds, 0: none: before it the rule only alerts (as with
				  monitor), from it on it acts */
	int64_t expires;       /* Unix seconds, 0: none: from it on the rule no longer matches */
};

/* Rule severities, as the rule language spells them (sw_severity_names). */
enum sw_severity {
	SW_SEV_INFO,
	SW_SEV_LOW,
	SW_SEV_MEDIUM, /* the default */
	SW_SEV_HIGH,
	SW_SEV_CRITICAL,
	SW_SEV_COUNT
};

enum sw_img_px_action {
	SW_PX_NONE = 0,
	SW_PX_REJECT = 1,   /* UDTS/XUDTS back to the caller when it asked for return */
	SW_PX_ABORT = 2,    /* TCAP abort back to the caller */
	SW_PX_REDIRECT = 3, /* forwarded to link px_link (a honeypot) instead */
};

enum sw_img_px_abort {
	SW_PX_ABORT_P = 0, /* P-Abort, cause resourceLimitation (Q.773 4.2.1) */
	SW_PX_ABORT_U = 1, /* U-Abort: ABRT APDU, abort-source dialogue-service-user (Q.773 A) */
};

/*
 * Bulk prefix table of a string field: lists longer than SW_HS_PREFIX_MAX entries (100k-entry
 * GT threat lists), and all prefixes of a field that has more than SW_HS_PREFIX_MAX of them in
 * total, do not go into Hyperscan, whose compile time grows too fast with the number
 * of anchored patterns (1,000 took 0.85 s, 100,000 did not finish in 120 s on the reference
 * machine); they go into an open-addressing hash of (length, packed digits) probed once per
 * prefix length present.
 */
#define SW_HS_PREFIX_MAX 256
#define SW_PTAB_DIGITS 16    /* digits packed 4 bits each into a uint64_t */

struct sw_img_pslot {
	uint64_t key;         /* packed digits, 0: empty slot */
	uint16_t atom;
	uint8_t len;
	uint8_t pad[5];
};

struct sw_img_field {
	uint32_t db_off;      /* 0: no Hyperscan database for this field */
	uint32_t db_size;
	uint32_t npatterns;   /* patterns in the database plus entries of the prefix table */
	uint16_t net_home;    /* atom of the home network's prefixes, 0xffff: none */
	uint16_t net_partner; /* partner networks: the table sw_img_nets.tab[net_partner]
				 (SW_NETK_*) resolves them; 0xffff: none */
	uint32_t ptab_off;    /* 0: no prefix table; struct sw_img_pslot[ptab_nslots] */
	uint32_t ptab_nslots; /* power of two */
	uint32_t ptab_lens;   /* bit l - 1 set: some prefix has l digits */
	uint32_t bloom_off;   /* uint64_t[bloom_bits / 64]: bits SW_BLOOM_BIT/2(hash) of every entry,
				 probed before the table so that most misses stay in L2 */
	uint32_t bloom_bits;  /* power of two, <= 2^24 */
	uint8_t key_digits;   /* digit fields: every pattern of the field is a prefix of at most
				 this many digits (<= SW_PTAB_DIGITS), so the verdict depends only
				 on the first key_digits digits and on min(len, key_digits + 1);
				 SW_KEY_DIGITS_ALL: the whole string (some pattern is a regex) */
	uint8_t pad[3];
};

#define SW_KEY_DIGITS_ALL 0xff

/* Value of an integer gate: rules whose integer condition on `field` admits `value`. */
struct sw_img_ival {
	uint32_t value;
	uint8_t field; /* enum sw_ifield */
	uint8_t pad[3];
};

/* Sides of a link (site.links[].side), the values of the `direction` field. */
#define SW_SIDE_OUTSIDE 0
#define SW_SIDE_INSIDE 1

/* One address prefix of a link's peers. */
struct sw_img_peer {
	uint8_t addr[16];     /* IPv4 in the first 4 bytes; bits past plen are zero */
	uint8_t family;       /* 4 or 6 */
	uint8_t plen;         /* prefix length in bits */
	uint8_t side;         /* SW_SIDE_* of its link */
	uint8_t variant;      /* its link's `variant` (issue 17 D6): 0 not given (the site's),
			       * else 1 + enum sw_variant (dataplane/proto/ansi.h) */
	uint32_t link;        /* index of its link */
};

/* The prefixes of a SW_COND_ADDR condition: n struct sw_img_peer (side, variant and link 0)
 * after this header, 8-byte aligned in the data section. */
struct sw_img_addrs {
	uint32_t n;
	uint32_t pad;
};

#define SW_LINKS_MAX 1024
#define SW_PEERS_MAX 16384
#define SW_HOME_PCS_MAX 4096

#define SW_IMG_VARIANT_MAX 1 /* SW_VARIANT_ANSI, dataplane/proto/ansi.h */

/* The site as the direction of a packet needs it (sw_policy_direction). */
struct sw_img_site {
	uint32_t npeers, peers_off;     /* struct sw_img_peer[npeers], longest prefix first */
	uint32_t nlinks, links_off;     /* uint32_t[nlinks]: strtab offsets of the link names */
	uint32_t nhome_pc, home_pc_off; /* uint32_t[nhome_pc]: home point codes, sorted */
	uint32_t state_off;             /* struct sw_img_state, 0: none (no state in site/rules) */
	uint8_t variant;                /* site.variant, enum sw_variant (issue 17 D6): 0 ITU, so
					 * that images of earlier sites keep their bytes */
	uint8_t link_variants;          /* 1: some link gives its own variant (peer.variant) */
	uint8_t pad[2];
	uint32_t nets_off;              /* struct sw_img_nets, 0: no partners (issue 18) */
	uint32_t pad2;
};

/*
 * Partner networks (issue 18 Deliver 1). Per kind of number, the partners' prefixes in one
 * open-addressing table of struct sw_img_pslot (atom = partner index k, network SW_NET_PARTNER
 * + k) with a Bloom filter in front, as the bulk prefix tables; a field's network is its longest
 * partner prefix (a prefix given twice belongs to the first partner), probed at most once per
 * prefix length present, so 2,000 partners cost what 4 do. Then one row per partner.
 */
#define SW_NETK_GT 0     /* E.164 node addresses: the partners' `gt` */
#define SW_NETK_IMSI 1   /* E.212: the partners' `plmn` */
#define SW_NETK_MSISDN 2 /* E.164 subscriber numbers: the partners' `msisdn` */
#define SW_NETK_COUNT 3

struct sw_img_ntab {
	uint32_t slots_off;   /* struct sw_img_pslot[nslots], 0: this kind has no table */
	uint32_t nslots;      /* power of two */
	uint32_t lens;        /* bit l - 1: some prefix has l digits */
	uint32_t bloom_off;   /* uint64_t[bloom_bits / 64], SW_BLOOM_BIT/2 of every entry */
	uint32_t bloom_bits;  /* power of two, <= 2^24 */
	uint32_t nentries;
};

/* What a rule may ask about a partner (SW_COND_PARTNER). Set offsets: struct sw_img_set. */
struct sw_img_pinfo {
	uint32_t allow_ops;   /* `allow_opcodes`, 0: none */
	uint32_t links;       /* `links`: set of link indices, 0: not bound to links */
};

struct sw_img_nets {
	uint32_t npartners;   /* == hdr.npartners */
	uint32_t pinfo_off;   /* struct sw_img_pinfo[npartners], in site order */
	struct sw_img_ntab tab[SW_NETK_COUNT];
};

/* A partner as the state tables know it: a stable id (hash of its name, so that entries learned
 * before a reload still name it) and its country (ISO 3166-1 alpha-2 as 'K' << 8 | 'E'). */
struct sw_img_partner {
	uint32_t id;
	uint16_t country; /* 0: not given */
	uint16_t pad;
};

/* A network prefix of the state section: packed digits (sw_ptab_nibble, first digit lowest). */
struct sw_img_sprefix {
	uint64_t key;
	uint8_t len;      /* digits, 1..SW_PTAB_DIGITS */
	uint8_t pad;
	uint16_t net;     /* SW_NET_HOME, or SW_NET_PARTNER + k for partner k */
	uint32_t pad2;
};

#define SW_STATE_PFX_GT 0   /* E.164: site.home.gt and the partners' gt */
#define SW_STATE_PFX_IMSI 1 /* E.212: site.home.plmn (a home subscriber) */

/* The judge's view of the site and of the state rules (issue 15). */
struct sw_img_state {
	uint32_t used;            /* bit per enum sw_state_cond that some rule tests */
	uint16_t home_country;    /* site.home.country, 0: not given */
	uint16_t pad0;
	uint32_t npartners;       /* == hdr.npartners */
	uint32_t partners_off;    /* struct sw_img_partner[npartners], in site order */
	uint32_t nprefix[2];      /* SW_STATE_PFX_*: */
	uint32_t prefix_off[2];   /* struct sw_img_sprefix[], sorted by (len desc, key) */
	uint32_t dialogues, sms, subscribers; /* site.state table entries, 0: default */
	uint32_t dialogue_timeout_s, sms_window_s, location_max_age_s; /* 0: default */
	uint32_t travel_off;      /* struct sw_state_travel (dataplane/state/state.h) cut after
				     its npairs pairs: 16 + 8 * npairs bytes */
	uint16_t lens[2];         /* SW_STATE_PFX_*: bit l - 1 set when some prefix has l digits */
};

/* An integer condition gates its rule only when its set has at most this many values. */
#define SW_IGATE_SET_MAX 64
#define SW_IGATE_VALS_MAX 8192

/* uint64_t words of the gate of an image (rw: rule_words). */
#define SW_GATE_WORDS(rw, natoms, nivals)                                                 \
	((uint64_t)(2 + SW_SF_COUNT + (natoms) + SW_IF_COUNT + (nivals)) * (rw) + (nivals))

/* Two bits per entry (k = 2), from hash bits disjoint from the table index bits. */
#define SW_BLOOM_BIT(hash, bits) ((uint32_t)((hash) >> 40) & ((bits) - 1))
#define SW_BLOOM_BIT2(hash, bits) ((uint32_t)((hash) >> 20) & ((bits) - 1))

/* Cache-key components (hdr.key_mask), besides the malformed flag that is always in. */
#define SW_KEY_IFIELD(i) (1ull << (i))                 /* 0 .. SW_IF_COUNT - 1 */
#define SW_KEY_SFIELD(s) (1ull << (32 + (s)))          /* 32 .. 32 + SW_SF_COUNT - 1 */
#define SW_KEY_COMP (1ull << 63)                       /* components (type, opcode, global) */
#define SW_KEY_STATE (1ull << 62)                      /* the state conditions that held */
#define SW_KEY_ADDR (1ull << 61)  /* the association's remote and local addresses (SW_COND_ADDR) */

struct sw_image_hdr {
	uint64_t magic;
	uint32_t abi;
	uint32_t hdr_size;
	uint64_t generation;
	uint64_t size;
	uint64_t checksum;        /* sw_image_compute_checksum(): header (but generation and
				     checksum) and body */
	char hs_version[96];      /* hs_version() of the compiler */
	uint64_t hs_cpu_features; /* hs_platform_info_t of the compiler */
	uint32_t hs_tune;
	uint32_t nrules, nconds, natoms, nlists, npartners;
	uint8_t default_action;   /* enum sw_action */
	uint8_t malformed_action;
	uint8_t monitor;          /* whole policy in monitor state */
	uint8_t pad0;
	uint32_t name_off;        /* policy name, strtab */
	uint32_t rules_off, conds_off, opidx_off, rule_words;
	uint32_t strtab_off, strtab_size;
	uint32_t scan_mask;       /* sfields scanned for some rule (bit per enum sw_sfield) */
	uint32_t net_mask;        /* sfields whose network is resolved */
	uint64_t key_mask;        /* cache key components, SW_KEY_* */
	uint32_t gate_off;        /* atom gate (see the layout above), SW_GATE_WORDS words */
	uint32_t ngated;          /* rules gated by an atom or an integer value */
	uint32_t nivals;          /* values of the integer gate */
	uint32_t site_off;        /* struct sw_img_site */
	struct sw_img_field fields[SW_SF_COUNT];
};

/*
 * The layout every reader and writer of an image must agree on (a fleet of boxes, control and
 * dataplane of different builds): any change here is an ABI change and needs SW_IMAGE_ABI
 * bumped (and tests/policy/test_image_golden.c refreshed).
 */
_Static_assert(sizeof(struct sw_img_set) == 40, "sw_img_set");
_Static_assert(offsetof(struct sw_img_set, bits) == 0, "sw_img_set.bits");
_Static_assert(offsetof(struct sw_img_set, nbig) == 32, "sw_img_set.nbig");
_Static_assert(offsetof(struct sw_img_set, big_off) == 36, "sw_img_set.big_off");
_Static_assert(sizeof(struct sw_img_cond) == 12, "sw_img_cond");
_Static_assert(offsetof(struct sw_img_cond, kind) == 0, "sw_img_cond.kind");
_Static_assert(offsetof(struct sw_img_cond, field) == 1, "sw_img_cond.field");
_Static_assert(offsetof(struct sw_img_cond, field2) == 2, "sw_img_cond.field2");
_Static_assert(offsetof(struct sw_img_cond, neg) == 3, "sw_img_cond.neg");
_Static_assert(offsetof(struct sw_img_cond, arg) == 4, "sw_img_cond.arg");
_Static_assert(offsetof(struct sw_img_cond, arg2) == 8, "sw_img_cond.arg2");
_Static_assert(sizeof(struct sw_img_rule) == 56, "sw_img_rule");
_Static_assert(offsetof(struct sw_img_rule, id) == 28, "sw_img_rule.id");
_Static_assert(offsetof(struct sw_img_rule, severity) == 32, "sw_img_rule.severity");
_Static_assert(offsetof(struct sw_img_rule, enabled) == 33, "sw_img_rule.enabled");
_Static_assert(offsetof(struct sw_img_rule, monitor_until) == 40, "sw_img_rule.monitor_until");
_Static_assert(offsetof(struct sw_img_rule, expires) == 48, "sw_img_rule.expires");
_Static_assert(offsetof(struct sw_img_rule, px_action) == 34, "sw_img_rule.px_action");
_Static_assert(offsetof(struct sw_img_rule, px_arg) == 35, "sw_img_rule.px_arg");
_Static_assert(offsetof(struct sw_img_rule, px_link) == 36, "sw_img_rule.px_link");
_Static_assert(offsetof(struct sw_img_rule, name_off) == 0, "sw_img_rule.name_off");
_Static_assert(offsetof(struct sw_img_rule, cond_first) == 4, "sw_img_rule.cond_first");
_Static_assert(offsetof(struct sw_img_rule, ncond) == 8, "sw_img_rule.ncond");
_Static_assert(offsetof(struct sw_img_rule, line) == 12, "sw_img_rule.line");
_Static_assert(offsetof(struct sw_img_rule, action) == 16, "sw_img_rule.action");
_Static_assert(offsetof(struct sw_img_rule, monitor) == 17, "sw_img_rule.monitor");
_Static_assert(offsetof(struct sw_img_rule, malformed) == 18, "sw_img_rule.malformed");
_Static_assert(offsetof(struct sw_img_rule, rl_key) == 19, "sw_img_rule.rl_key");
_Static_assert(offsetof(struct sw_img_rule, rl_rate) == 20, "sw_img_rule.rl_rate");
_Static_assert(offsetof(struct sw_img_rule, rl_burst) == 24, "sw_img_rule.rl_burst");
_Static_assert(sizeof(struct sw_img_pslot) == 16, "sw_img_pslot");
_Static_assert(offsetof(struct sw_img_pslot, key) == 0, "sw_img_pslot.key");
_Static_assert(offsetof(struct sw_img_pslot, atom) == 8, "sw_img_pslot.atom");
_Static_assert(offsetof(struct sw_img_pslot, len) == 10, "sw_img_pslot.len");
_Static_assert(sizeof(struct sw_img_field) == 40, "sw_img_field");
_Static_assert(offsetof(struct sw_img_field, db_off) == 0, "sw_img_field.db_off");
_Static_assert(offsetof(struct sw_img_field, db_size) == 4, "sw_img_field.db_size");
_Static_assert(offsetof(struct sw_img_field, npatterns) == 8, "sw_img_field.npatterns");
_Static_assert(offsetof(struct sw_img_field, net_home) == 12, "sw_img_field.net_home");
_Static_assert(offsetof(struct sw_img_field, net_partner) == 14, "sw_img_field.net_partner");
_Static_assert(offsetof(struct sw_img_field, ptab_off) == 16, "sw_img_field.ptab_off");
_Static_assert(offsetof(struct sw_img_field, ptab_nslots) == 20, "sw_img_field.ptab_nslots");
_Static_assert(offsetof(struct sw_img_field, ptab_lens) == 24, "sw_img_field.ptab_lens");
_Static_assert(offsetof(struct sw_img_field, bloom_off) == 28, "sw_img_field.bloom_off");
_Static_assert(offsetof(struct sw_img_field, bloom_bits) == 32, "sw_img_field.bloom_bits");
_Static_assert(offsetof(struct sw_img_field, key_digits) == 36, "sw_img_field.key_digits");
_Static_assert(sizeof(struct sw_img_ival) == 8, "sw_img_ival");
_Static_assert(offsetof(struct sw_img_ival, value) == 0, "sw_img_ival.value");
_Static_assert(offsetof(struct sw_img_ival, field) == 4, "sw_img_ival.field");
_Static_assert(sizeof(struct sw_img_peer) == 24, "sw_img_peer");
_Static_assert(offsetof(struct sw_img_peer, family) == 16, "sw_img_peer.family");
_Static_assert(offsetof(struct sw_img_peer, plen) == 17, "sw_img_peer.plen");
_Static_assert(offsetof(struct sw_img_peer, side) == 18, "sw_img_peer.side");
_Static_assert(offsetof(struct sw_img_peer, link) == 20, "sw_img_peer.link");
_Static_assert(sizeof(struct sw_img_site) == 40, "sw_img_site");
_Static_assert(offsetof(struct sw_img_site, nets_off) == 32, "sw_img_site.nets_off");
_Static_assert(sizeof(struct sw_img_ntab) == 24, "sw_img_ntab");
_Static_assert(offsetof(struct sw_img_ntab, bloom_off) == 12, "sw_img_ntab.bloom_off");
_Static_assert(sizeof(struct sw_img_pinfo) == 8, "sw_img_pinfo");
_Static_assert(sizeof(struct sw_img_nets) == 80, "sw_img_nets");
_Static_assert(offsetof(struct sw_img_nets, tab) == 8, "sw_img_nets.tab");
_Static_assert(offsetof(struct sw_img_site, state_off) == 24, "sw_img_site.state_off");
_Static_assert(sizeof(struct sw_img_partner) == 8, "sw_img_partner");
_Static_assert(sizeof(struct sw_img_sprefix) == 16, "sw_img_sprefix");
_Static_assert(offsetof(struct sw_img_sprefix, len) == 8, "sw_img_sprefix.len");
_Static_assert(offsetof(struct sw_img_sprefix, net) == 10, "sw_img_sprefix.net");
_Static_assert(sizeof(struct sw_img_state) == 64, "sw_img_state");
_Static_assert(offsetof(struct sw_img_state, nprefix) == 16, "sw_img_state.nprefix");
_Static_assert(offsetof(struct sw_img_state, dialogues) == 32, "sw_img_state.dialogues");
_Static_assert(offsetof(struct sw_img_state, travel_off) == 56, "sw_img_state.travel_off");
_Static_assert(offsetof(struct sw_img_site, peers_off) == 4, "sw_img_site.peers_off");
_Static_assert(offsetof(struct sw_img_site, links_off) == 12, "sw_img_site.links_off");
_Static_assert(offsetof(struct sw_img_site, home_pc_off) == 20, "sw_img_site.home_pc_off");
_Static_assert(sizeof(struct sw_image_hdr) == 832, "sw_image_hdr");
_Static_assert(offsetof(struct sw_image_hdr, magic) == 0, "sw_image_hdr.magic");
_Static_assert(offsetof(struct sw_image_hdr, abi) == 8, "sw_image_hdr.abi");
_Static_assert(offsetof(struct sw_image_hdr, hdr_size) == 12, "sw_image_hdr.hdr_size");
_Static_assert(offsetof(struct sw_image_hdr, generation) == 16, "sw_image_hdr.generation");
_Static_assert(offsetof(struct sw_image_hdr, size) == 24, "sw_image_hdr.size");
_Static_assert(offsetof(struct sw_image_hdr, checksum) == 32, "sw_image_hdr.checksum");
_Static_assert(offsetof(struct sw_image_hdr, hs_version) == 40, "sw_image_hdr.hs_version");
_Static_assert(offsetof(struct sw_image_hdr, hs_cpu_features) == 136, "hdr.hs_cpu_features");
_Static_assert(offsetof(struct sw_image_hdr, hs_tune) == 144, "sw_image_hdr.hs_tune");
_Static_assert(offsetof(struct sw_image_hdr, nrules) == 148, "sw_image_hdr.nrules");
_Static_assert(offsetof(struct sw_image_hdr, nconds) == 152, "sw_image_hdr.nconds");
_Static_assert(offsetof(struct sw_image_hdr, natoms) == 156, "sw_image_hdr.natoms");
_Static_assert(offsetof(struct sw_image_hdr, nlists) == 160, "sw_image_hdr.nlists");
_Static_assert(offsetof(struct sw_image_hdr, npartners) == 164, "sw_image_hdr.npartners");
_Static_assert(offsetof(struct sw_image_hdr, default_action) == 168, "sw_image_hdr.default_action");
_Static_assert(offsetof(struct sw_image_hdr, malformed_action) == 169, "hdr.malformed_action");
_Static_assert(offsetof(struct sw_image_hdr, monitor) == 170, "sw_image_hdr.monitor");
_Static_assert(offsetof(struct sw_image_hdr, name_off) == 172, "sw_image_hdr.name_off");
_Static_assert(offsetof(struct sw_image_hdr, rules_off) == 176, "sw_image_hdr.rules_off");
_Static_assert(offsetof(struct sw_image_hdr, conds_off) == 180, "sw_image_hdr.conds_off");
_Static_assert(offsetof(struct sw_image_hdr, opidx_off) == 184, "sw_image_hdr.opidx_off");
_Static_assert(offsetof(struct sw_image_hdr, rule_words) == 188, "sw_image_hdr.rule_words");
_Static_assert(offsetof(struct sw_image_hdr, strtab_off) == 192, "sw_image_hdr.strtab_off");
_Static_assert(offsetof(struct sw_image_hdr, strtab_size) == 196, "sw_image_hdr.strtab_size");
_Static_assert(offsetof(struct sw_image_hdr, scan_mask) == 200, "sw_image_hdr.scan_mask");
_Static_assert(offsetof(struct sw_image_hdr, net_mask) == 204, "sw_image_hdr.net_mask");
_Static_assert(offsetof(struct sw_image_hdr, key_mask) == 208, "sw_image_hdr.key_mask");
_Static_assert(offsetof(struct sw_image_hdr, gate_off) == 216, "sw_image_hdr.gate_off");
_Static_assert(offsetof(struct sw_image_hdr, ngated) == 220, "sw_image_hdr.ngated");
_Static_assert(offsetof(struct sw_image_hdr, nivals) == 224, "sw_image_hdr.nivals");
_Static_assert(offsetof(struct sw_image_hdr, site_off) == 228, "sw_image_hdr.site_off");
_Static_assert(offsetof(struct sw_image_hdr, fields) == 232, "sw_image_hdr.fields");

static inline const char *
sw_img_str(const void *image, uint32_t off)
{
	const struct sw_image_hdr *h = image;

	return (const char *)image + h->strtab_off + off;
}

/* Nibble of a digit in a prefix-table key: '0'-'9' -> 1-10, 'a'-'e' -> 11-15, others 0 (the
 * digit cannot be in a table, lookup stops there). Nonzero nibbles make every key nonzero. */
static inline unsigned
sw_ptab_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return (unsigned)(c - '0') + 1;
	if (c >= 'a' && c <= 'e')
		return (unsigned)(c - 'a') + 11;
	return 0;
}

static inline uint64_t
sw_ptab_hash(uint64_t key, unsigned len)
{
	uint64_t x = (key ^ ((uint64_t)len * 0x9e3779b97f4a7c15ull)) * 0xff51afd7ed558ccdull;

	return x ^ (x >> 29);
}

/* Names of fields as the rule language spells them. */
extern const char *const sw_sfield_names[SW_SF_COUNT];
extern const char *const sw_ifield_names[SW_IF_COUNT];
extern const char *const sw_state_cond_names[SW_ST_COUNT];
extern const char *const sw_severity_names[SW_SEV_COUNT];

/* The state section of an image, NULL when it has none. */
static inline const struct sw_img_state *
sw_img_state(const void *image)
{
	const struct sw_image_hdr *h = image;
	const struct sw_img_site *st;

	if (h == NULL || h->site_off == 0)
		return NULL;
	st = (const void *)((const char *)image + h->site_off);
	return st->state_off != 0 ? (const void *)((const char *)image + st->state_off) : NULL;
}

/* FNV-1a 64 */
uint64_t sw_fnv1a64(const void *p, size_t n, uint64_t h);
/* FNV-1a 64 over the whole image with the header's generation and checksum taken as zero. */
uint64_t sw_image_compute_checksum(const void *image, size_t size);
#define SW_FNV_OFFSET 0xcbf29ce484222325ull

#endif /* SW_POLICY_IMAGE_H */
