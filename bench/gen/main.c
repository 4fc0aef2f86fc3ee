/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwall-gen: realistic, labelled SIGTRAN traffic (issue 3). See bench/gen/README.md.
 *
 * Model: the firewall sits between the home network (inside, "home" side of every association)
 * and the interconnect (outside, "remote" side). Legitimate TCAP dialogues run both ways with
 * matching responses; attacks arrive from outside. Every M3UA DATA message (MSU) gets one label
 * line saying what the shipped policy (issue 4 section 5) must do with it.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <libconfig.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "dataplane/enforce/enforce.h"
#include "dataplane/proto/cap.h"
#include "dataplane/proto/ip.h"
#include "dataplane/proto/m2pa.h"
#include "dataplane/proto/map.h"
#include "dataplane/proto/sctp.h"
#include "gen.h"

#define GEN_STREAMS   16
#define GEN_MAX_ASSOC 64
#define GEN_POOL      512
#define GEN_QMAX      32
#define GEN_CHUNK_BUF 1536

enum { SIDE_HOME = 0, SIDE_REMOTE = 1 };
enum { EXP_ALLOW = 0, EXP_DROP, EXP_ALERT };
static const char *const expect_name[] = {"allow", "drop", "alert"};

/* ---- scenarios: label name and the shipped policy's expected action ---- */

#define SCENARIOS(X)                                                                               \
	X(LEGIT, "legit", EXP_ALLOW)                                                               \
	X(CAT1_ATI, "cat1-any-time-interrogation", EXP_DROP)                                       \
	X(CAT1_SEND_IMSI, "cat1-send-imsi", EXP_DROP)                                              \
	X(CAT1_SEND_ID, "cat1-send-identification", EXP_DROP)                                      \
	X(CAT1_SRI, "cat1-send-routing-info", EXP_DROP)                                            \
	X(CAT1_PSL, "cat1-provide-subscriber-location", EXP_DROP)                                  \
	X(CAT1_ATM, "cat1-any-time-modification", EXP_DROP)                                        \
	X(CF_REGISTER_SS, "cf-hijack-register-ss", EXP_DROP)                                       \
	X(CF_ACTIVATE_SS, "cf-hijack-activate-ss", EXP_DROP)                                       \
	X(CAT2_ISD_HOME, "cat2-insert-subscriber-data-home", EXP_DROP)                             \
	X(CAT2_CL_HOME, "cat2-cancel-location-home", EXP_DROP)                                     \
	X(CAT2_PSI_HOME, "cat2-provide-subscriber-info-home", EXP_DROP)                            \
	X(CAT2_ISD_ROAMER, "cat2-insert-subscriber-data-wrong-partner", EXP_DROP)                  \
	X(CAT2_CL_ROAMER, "cat2-cancel-location-wrong-partner", EXP_DROP)                          \
	X(CAT2_PSI_ROAMER, "cat2-provide-subscriber-info-wrong-partner", EXP_DROP)                 \
	X(CAT3_UL, "cat3-update-location-non-partner", EXP_DROP)                                   \
	X(CAT3_SAI, "cat3-send-auth-info-non-partner", EXP_DROP)                                   \
	X(CAT3_PURGE, "cat3-purge-ms-non-partner", EXP_DROP)                                       \
	X(DFS_OTP_UL, "dfs-otp-fake-update-location", EXP_DROP)                                    \
	X(DFS_OTP_MT, "dfs-otp-mt-forward-sm-redirect", EXP_DROP)                                  \
	X(DFS_SRISM, "dfs-sri-sm-harvest", EXP_DROP)                                               \
	X(DFS_USSR, "dfs-ussd-network-request", EXP_DROP)                                          \
	X(DFS_USSN, "dfs-ussd-network-notify", EXP_DROP)                                           \
	X(DFS_PUSSR, "dfs-pussr-fake-vlr", EXP_DROP)                                               \
	X(ISUP_CLI, "isup-cli-spoof", EXP_ALERT)                                                   \
	X(GLOBAL_OP, "global-opcode", EXP_DROP)                                                    \
	X(EV_COMP2, "evasion-component-2", EXP_DROP)                                               \
	X(EV_COMP3, "evasion-component-3", EXP_DROP)                                               \
	X(EV_BER_LONG, "evasion-ber-long-length", EXP_DROP)                                        \
	X(EV_BER_INDEF, "evasion-ber-indefinite-length", EXP_DROP)                                 \
	X(EV_XUDT, "evasion-xudt-segmented", EXP_DROP)                                             \
	X(EV_GTI2, "evasion-gti2", EXP_DROP)                                                       \
	X(EV_BCD, "evasion-bcd-parity", EXP_DROP)                                                  \
	X(EV_BUNDLE, "evasion-bundled", EXP_DROP)                                                  \
	X(EV_IPFRAG, "evasion-ip-fragment", EXP_DROP)                                              \
	X(MAL_TRUNC, "malformed-truncated", EXP_DROP)                                              \
	X(MAL_BER_LEN, "malformed-ber-length-overflow", EXP_DROP)                                  \
	X(MAL_NEG_OP, "malformed-negative-opcode", EXP_DROP)                                       \
	X(MAL_LONG_ACN, "malformed-overlong-acn", EXP_DROP)                                        \
	X(ST_FAKE_UL, "stateful-fake-ul-leased-gt", EXP_DROP)                                      \
	X(ST_USSD_WRONG_VLR, "stateful-ussd-wrong-vlr", EXP_DROP)                                  \
	X(ST_MT_NO_SRI, "stateful-mt-fsm-without-sri-sm", EXP_DROP)                                \
	X(ST_MT_OTHER, "stateful-mt-fsm-other-partner", EXP_DROP)                                  \
	X(ST_UNSOL_END, "stateful-unsolicited-end", EXP_DROP)                                      \
	X(ST_UNSOL_CONT, "stateful-unsolicited-continue", EXP_DROP)                                \
	X(ST_VELOCITY, "stateful-velocity", EXP_DROP)                                              \
	X(SCCP_MGMT, "sccp-management", EXP_ALLOW)                                                 \
	X(SCCP_MGMT_NP, "sccp-management-non-partner", EXP_DROP)                                   \
	X(SCCP_CO, "sccp-connection-oriented", EXP_DROP)                                          \
	X(CAP, "cap-roaming", EXP_ALLOW)                                                           \
	X(CAP_NP, "cap-non-partner", EXP_DROP)

#define X_ENUM(id, name, exp) SC_##id,
enum { SCENARIOS(X_ENUM) SC_COUNT };
#define X_NAME(id, name, exp) name,
static const char *const sc_name[] = {SCENARIOS(X_NAME)};
#define X_EXP(id, name, exp) exp,
static const uint8_t sc_expect[] = {SCENARIOS(X_EXP)};

/* ,"label":"NAME","expect":"ACTION"}\n per scenario, filled at start-up. */
static struct {
	char s[112];
	size_t n;
} label_tail[SC_COUNT], label_held; /* label_held: an attack's segment held, "allow" */

/* The scenarios of the attacks profile (the stateful ones come from --profile stateful). */
#define SC_STATELESS_COUNT (SC_MAL_LONG_ACN + 1)

/* Base attacks the evasion and malformed variants are built on. */
#define FIRST_BASE SC_CAT1_ATI
#define LAST_BASE  SC_DFS_PUSSR

/* ---- state ---- */

#define CH_LABEL 0x01
#define CH_FLUSH 0x02 /* last chunk of its packet */
#define CH_FRAG	 0x04 /* alone in its packet, sent as two IP fragments */
#define CH_HELD	 0x08 /* an XUDT segment before the last: held by the reassembly (issue 14), it
			 passes; the last segment carries the message's verdict */

struct chunk {
	uint16_t off, len; /* M3UA message inside buf, length a multiple of 4 */
	uint8_t sls, flags, scen;
	uint8_t buf[GEN_CHUNK_BUF];
};

struct assoc {
	uint8_t mac[2][6];
	uint8_t ip4[2][4];
	uint8_t ip6[2][16];
	uint16_t port[2];
	uint32_t tag[2]; /* initiate tag chosen by each side: the peer puts it in its packets */
	uint32_t tsn[2]; /* next TSN each side sends */
	uint32_t cum[2]; /* highest in-order TSN each side received */
	uint32_t unsacked[2];
	uint16_t ssn[2][GEN_STREAMS];
	uint16_t ipid[2];
	uint32_t pc[2];
	uint32_t rc;
	uint32_t hb_left;
	uint32_t fsn[2]; /* --m2pa: last FSN side s gave a User Data (RFC 4165 2.2) */
};

struct dlg {
	uint8_t assoc, op, step, nsteps, init, sls;
	uint8_t acn, ver;
	uint32_t tid[2];
	struct sw_gen_sccp_addr addr[2]; /* per side */
	struct sw_gen_sccp_addr hlr;	 /* inbound mt-forwardSM: the HLR its SRI-SM asks */
	struct sw_gen_sub sub;
};

struct gen {
	struct sw_gen_rng rng;
	const struct sw_gen_site *site;
	double attack_share;
	int bundle_max, ipv6, vlan, nassoc;
	int ludt; /* --ludt: unsegmented TCAP in LUDT (Q.713 4.20) instead of UDT */
	int m2pa; /* --m2pa: MSUs in M2PA User Data (RFC 4165, PPID 5) instead of M3UA DATA */
	int stateful; /* --profile stateful: stories over simulated time, one MSU per packet */
	double sccp_extra; /* --sccp-extra P: share of SCCP management and connection-oriented */
	double cap;	   /* --cap P: share of CAMEL call dialogues (issue 17 D3) */
	int ssa_owed, ssa_assoc; /* an SST from outside waits for its SSA from inside */
	uint8_t ssa_ssn;
	int co_step, co_assoc; /* connection-oriented exchange in progress: 0 none */
	uint32_t co_ref[2];    /* local references of the outside (CR) and home (CC) sides */
	uint32_t home_subs, partner_subs; /* population sizes */
	uint64_t salt;			  /* seed-derived key of the populations */
	uint64_t target, msus;
	uint64_t ts_us, frame;
	struct sw_gen_out pcap, labels;
	int want_labels;
	struct assoc as[GEN_MAX_ASSOC];
	struct chunk q[GEN_QMAX];
	int qhead, qn, q_assoc, q_side;
	struct dlg pool[GEN_POOL];
	uint16_t active[GEN_POOL], freel[GEN_POOL];
	int nactive, nfree;
	int peak;
	uint32_t phase_left;
	uint32_t xudt_ref;
	int nforeign;
	char foreign[16][8];
	uint32_t attackers; /* foreign nodes the GTs of attackers and fake MSCs come from */
	uint64_t count[SC_COUNT];
	uint8_t pkt[16384];
};

/* ---- digits and addresses from the site ---- */

static void
digits_fill(struct gen *g, char *dst, const char *prefix, size_t total)
{
	size_t n = strlen(prefix);

	if (n > total)
		n = total;
	memcpy(dst, prefix, n);
	while (n < total) {
		/* one 64-bit draw gives up to 19 decimal digits */
		uint64_t r = sw_gen_rng_next(&g->rng);
		int k;

		for (k = 0; k < 19 && n < total; k++, r /= 10)
			dst[n++] = (char)('0' + r % 10);
	}
	dst[n] = '\0';
}

static const char *
pick(struct gen *g, const struct sw_gen_list *l)
{
	return l->v[sw_gen_rng_below(&g->rng, (uint32_t)l->n)];
}

static int
has_prefix(const struct sw_gen_list *l, const char *d)
{
	int i;

	for (i = 0; i < l->n; i++)
		if (strncmp(d, l->v[i], strlen(l->v[i])) == 0)
			return 1;
	return 0;
}

/*
 * Populations. Subscribers and nodes come from fixed, seed-derived sets, as on a real link: the
 * same IMSI/MSISDN pairs and the same few partner node GTs recur (verdict caches see realistic
 * repetition). Each member is a pure function of (seed, kind, owner, index): no tables.
 */
enum { POP_HOME_SUB = 1, POP_PARTNER_SUB, POP_PARTNER_GT, POP_FOREIGN_GT, POP_HOME_NODE };

#define PARTNER_NODES 16
#define FOREIGN_NODES 256
#define HOME_NODES    8

static uint64_t
mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static void
hash_digits(struct gen *g, uint64_t key, char *dst, const char *prefix, size_t total)
{
	size_t n = strlen(prefix);

	if (n > total)
		n = total;
	memcpy(dst, prefix, n);
	while (n < total) {
		uint64_t r = mix64(g->salt ^ key++);
		int k;

		for (k = 0; k < 19 && n < total; k++, r /= 10)
			dst[n++] = (char)('0' + r % 10);
	}
	dst[n] = '\0';
}

static inline uint64_t
pop_key(int kind, uint64_t owner, uint64_t index, int field)
{
	return (uint64_t)kind << 58 | owner << 44 | index << 4 | (uint64_t)field << 1;
}

/* A home subscriber: IMSI (home PLMN + MSIN) and MSISDN (home range); either may be NULL. */
static void
home_sub(struct gen *g, char *imsi, char *msisdn)
{
	const struct sw_gen_site *st = g->site;
	uint64_t i = sw_gen_rng_below(&g->rng, g->home_subs);

	if (imsi != NULL)
		hash_digits(g, pop_key(POP_HOME_SUB, 0, i, 0), imsi,
			    st->plmn.v[i % (uint64_t)st->plmn.n], 15);
	if (msisdn != NULL)
		hash_digits(g, pop_key(POP_HOME_SUB, 0, i, 1), msisdn,
			    st->msisdn.v[i % (uint64_t)st->msisdn.n], 11);
}

/* A subscriber of partner p; MSISDNs use the partner's GT prefix less two digits, never home. */
static void
partner_sub(struct gen *g, int p, char *imsi, char *msisdn)
{
	const struct sw_gen_partner *pt = &g->site->partners[p];
	uint64_t i = sw_gen_rng_below(&g->rng, g->partner_subs);
	int tries;

	if (imsi != NULL)
		hash_digits(g, pop_key(POP_PARTNER_SUB, (uint64_t)p, i, 0), imsi,
			    pt->plmn.v[i % (uint64_t)pt->plmn.n], 15);
	if (msisdn == NULL)
		return;
	for (tries = 0; tries < 4; tries++) {
		const char *gt = pt->gt.v[i % (uint64_t)pt->gt.n];
		char pre[24];
		size_t n = strlen(gt);

		n = n > 4 ? n - 2 : n;
		memcpy(pre, gt, n);
		pre[n] = '\0';
		hash_digits(g, pop_key(POP_PARTNER_SUB, (uint64_t)p, i, 1 + tries), msisdn, pre,
			    11);
		if (!has_prefix(&g->site->msisdn, msisdn))
			return;
	}
}

static void
home_msisdn(struct gen *g, char *dst)
{
	home_sub(g, NULL, dst);
}

static void
partner_msisdn(struct gen *g, int p, char *dst)
{
	partner_sub(g, p, NULL, dst);
}

/* A home node GT: from the node list when the site names nodes, else home gt + suffix. */
static void
home_node(struct gen *g, const struct sw_gen_list *l, char *dst)
{
	uint64_t k;

	if (l->n > 0) {
		strcpy(dst, pick(g, l));
		return;
	}
	k = sw_gen_rng_below(&g->rng, HOME_NODES);
	hash_digits(g,
		    pop_key(POP_HOME_NODE,
			    l == &g->site->hlr	 ? 1
			    : l == &g->site->vlr ? 2
						 : 3,
			    k, 0),
		    dst, g->site->gt.v[k % (uint64_t)g->site->gt.n], 11);
}

/* One of partner p's node GTs: its prefix + a suffix to 11 or 12 digits. */
static void
partner_gt(struct gen *g, int p, char *dst)
{
	const struct sw_gen_partner *pt = &g->site->partners[p];
	uint64_t k = sw_gen_rng_below(&g->rng, PARTNER_NODES);
	uint64_t key = pop_key(POP_PARTNER_GT, (uint64_t)p, k, 0);

	hash_digits(g, key, dst, pt->gt.v[k % (uint64_t)pt->gt.n],
		    11 + (mix64(g->salt ^ key ^ 1) & 1));
}

/* One of the GTs of networks that are neither home nor partner (attackers, fake MSCs). */
static void
foreign_gt(struct gen *g, char *dst)
{
	uint64_t k = sw_gen_rng_below(&g->rng, g->attackers);
	uint64_t key = pop_key(POP_FOREIGN_GT, 0, k, 0);

	hash_digits(g, key, dst, g->foreign[k % (uint64_t)g->nforeign],
		    11 + (mix64(g->salt ^ key ^ 1) & 1));
}

static int
rand_partner(struct gen *g)
{
	return (int)sw_gen_rng_below(&g->rng, (uint32_t)g->site->npartners);
}

static void
set_addr(struct sw_gen_sccp_addr *a, const char *gt, uint8_t ssn)
{
	strcpy(a->gt, gt);
	a->ssn = ssn;
	a->gti = 4;
}

/* ---- framing: Ethernet / IP / SCTP ---- */

static inline void
be16(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void
be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static size_t
l2_header(struct gen *g, const struct assoc *a, int s, uint8_t *p)
{
	size_t n = 12;

	memcpy(p, a->mac[!s], 6);
	memcpy(p + 6, a->mac[s], 6);
	if (g->vlan >= 0) {
		be16(p + n, ETH_TYPE_VLAN);
		be16(p + n + 2, (uint32_t)g->vlan);
		n += 4;
	}
	be16(p + n, g->ipv6 ? ETH_TYPE_IPV6 : ETH_TYPE_IPV4);
	return n + 2;
}

/* One IP packet (or fragment) around payload[0..n). frag: 0 none, else fragment offset/flags. */
static void
put_frame(struct gen *g, struct assoc *a, int s, const uint8_t *payload, size_t n, int fragged,
	  size_t frag_off, int more, uint32_t ident)
{
	uint8_t *p = g->pkt;
	size_t l2 = l2_header(g, a, s, p), hl;
	uint8_t *ip = p + l2;

	if (!g->ipv6) {
		ip[0] = 0x45;
		ip[1] = 0x00;
		be16(ip + IPV4_OFF_TOTLEN, (uint32_t)(IPV4_HDR_MIN + n));
		be16(ip + 4, ident);
		be16(ip + IPV4_OFF_FRAG, fragged ? (uint32_t)((more ? IPV4_FLAG_MF : 0) | (frag_off >> 3)) : IPV4_FLAG_DF);
		ip[8] = 64;
		ip[IPV4_OFF_PROTO] = IP_PROTO_SCTP;
		ip[10] = ip[11] = 0;
		memcpy(ip + 12, a->ip4[s], 4);
		memcpy(ip + 16, a->ip4[!s], 4);
		be16(ip + IPV4_OFF_CSUM, sw_ipv4_csum(ip, IPV4_HDR_MIN));
		hl = 20;
	} else {
		be32(ip, 0x60000000);
		be16(ip + 4, (uint32_t)(n + (fragged ? 8 : 0)));
		ip[IPV6_OFF_NH] = fragged ? IPV6_NH_FRAGMENT : IP_PROTO_SCTP;
		ip[7] = 64;
		memcpy(ip + 8, a->ip6[s], 16);
		memcpy(ip + 24, a->ip6[!s], 16);
		hl = 40;
		if (fragged) {
			/* RFC 8200 4.5 fragment header */
			ip[40] = IP_PROTO_SCTP;
			ip[41] = 0;
			be16(ip + 42, (uint32_t)(frag_off | (more ? 1 : 0)));
			be32(ip + 44, ident);
			hl = 48;
		}
	}
	if (ip + hl != payload)
		memmove(ip + hl, payload, n);
	g->frame++;
	sw_gen_pcap_record(&g->pcap, g->ts_us, p, l2 + hl + n);
}

static uint8_t fragbuf[16384];

/* SCTP packet from side s: common header + chunks already in sctp[12..n). */
static void
send_sctp(struct gen *g, struct assoc *a, int s, uint8_t *sctp, size_t n, uint32_t vtag, int frag)
{
	uint32_t crc;
	uint16_t ident = a->ipid[s]++;

	be16(sctp, a->port[s]);
	be16(sctp + 2, a->port[!s]);
	be32(sctp + 4, vtag);
	memset(sctp + SCTP_CSUM_OFF, 0, 4);
	crc = sw_crc32c(sctp, n);
	/* RFC 4960 B: the CRC goes on the wire least significant byte first */
	sctp[SCTP_CSUM_OFF] = (uint8_t)crc;
	sctp[SCTP_CSUM_OFF + 1] = (uint8_t)(crc >> 8);
	sctp[SCTP_CSUM_OFF + 2] = (uint8_t)(crc >> 16);
	sctp[SCTP_CSUM_OFF + 3] = (uint8_t)(crc >> 24);
	if (!frag) {
		put_frame(g, a, s, sctp, n, 0, 0, 0, ident);
	} else {
		size_t cut = (n / 2) & ~(size_t)7;

		memcpy(fragbuf, sctp, n); /* the frame buffer is rewritten per fragment */
		put_frame(g, a, s, fragbuf, cut, 1, 0, 1, ident);
		g->ts_us += 3;
		put_frame(g, a, s, fragbuf + cut, n - cut, 1, cut, 0, ident);
	}
}

/* Where the SCTP packet goes in the frame buffer when it is not fragmented: built in place. */
static uint8_t *
sctp_at(struct gen *g)
{
	return g->pkt + 14 + (g->vlan >= 0 ? 4 : 0) + (g->ipv6 ? 40 : 20);
}

static void
send_control(struct gen *g, struct assoc *a, int s, const uint8_t *chunk, size_t n)
{
	uint8_t *sbuf = sctp_at(g);

	memcpy(sbuf + 12, chunk, n);
	send_sctp(g, a, s, sbuf, 12 + n, a->tag[!s], 0);
	g->ts_us += 1 + sw_gen_rng_below(&g->rng, 50);
}

static void
send_sack(struct gen *g, struct assoc *a, int s)
{
	uint8_t c[16];

	c[0] = SCTP_CT_SACK;
	c[1] = 0;
	be16(c + 2, 16);
	be32(c + 4, a->cum[s]);
	be32(c + 8, 131072);
	be32(c + 12, 0); /* no gap blocks, no duplicates */
	send_control(g, a, s, c, 16);
	a->unsacked[s] = 0;
}

static void
send_heartbeat(struct gen *g, struct assoc *a)
{
	uint8_t c[16];

	c[0] = SCTP_CT_HEARTBEAT;
	c[1] = 0;
	be16(c + 2, 16);
	be16(c + 4, 1); /* Heartbeat Info */
	be16(c + 6, 12);
	be32(c + 8, (uint32_t)(g->ts_us / 1000000));
	be32(c + 12, (uint32_t)(g->ts_us % 1000000));
	send_control(g, a, SIDE_HOME, c, 16);
	c[0] = SCTP_CT_HEARTBEAT_ACK; /* echoes the info */
	send_control(g, a, SIDE_REMOTE, c, 16);
}

/* DATA chunks from side s carrying M3UA messages msg[i] (padded lengths). */
static void
send_data(struct gen *g, struct assoc *a, int s, struct chunk **c, int n, int frag)
{
	size_t off = 12;
	uint64_t first = g->frame + 1;
	uint8_t *sbuf = sctp_at(g);
	int i;

	for (i = 0; i < n; i++) {
		uint8_t *d = sbuf + off;
		uint16_t sid = (uint16_t)(1 + c[i]->sls % (GEN_STREAMS - 1)); /* stream 0: mgmt */
		uint32_t pad = (4u - (c[i]->len & 3u)) & 3u;

		if (g->m2pa)
			sid = 1; /* RFC 4165: User Data on stream 1, in order (the FSNs follow it) */
		d[0] = SCTP_CT_DATA;
		d[1] = SCTP_DATA_BE; /* unfragmented, ordered */
		be16(d + 2, 16u + c[i]->len);
		be32(d + 4, a->tsn[s]);
		be16(d + 8, sid);
		be16(d + 10, a->ssn[s][sid]++);
		be32(d + 12, g->m2pa ? SCTP_PPID_M2PA : SCTP_PPID_M3UA);
		memcpy(d + 16, c[i]->buf + c[i]->off, c[i]->len);
		memset(d + 16 + c[i]->len, 0, pad); /* RFC 9260 3.2 chunk padding */
		if (g->m2pa) {
			/* RFC 4165 2.2: the next FSN of this side, the BSN the last FSN received
			 * (nothing is lost here: the other side's last FSN sent) */
			a->fsn[s] = (a->fsn[s] + 1) & M2PA_SEQ_MASK;
			be32(d + 16 + M2PA_OFF_BSN, a->fsn[!s]);
			be32(d + 16 + M2PA_OFF_FSN, a->fsn[s]);
		}
		off += 16u + c[i]->len + pad;
		a->cum[!s] = a->tsn[s]++;
	}
	send_sctp(g, a, s, sbuf, off, a->tag[!s], frag);
	if (g->want_labels) {
		char num[24];
		size_t nl = 0;
		/* An MSU sent in IP fragments is judged on the fragment that completes its datagram
		 * (reasm, issue 14 D1), the last one written. */
		uint64_t f = frag ? g->frame : first;

		do {
			num[sizeof(num) - 1 - nl++] = (char)('0' + f % 10);
			f /= 10;
		} while (f > 0);
		for (i = 0; i < n; i++) {
			char line[160];
			size_t l = 9;

			if (!(c[i]->flags & CH_LABEL))
				continue;
			/* {"frame":N,"chunk":K,"label":"NAME","expect":"ACTION"} without printf */
			memcpy(line, "{\"frame\":", 9);
			memcpy(line + l, num + sizeof(num) - nl, nl);
			l += nl;
			memcpy(line + l, ",\"chunk\":", 9);
			l += 9;
			if (i >= 10)
				line[l++] = (char)('0' + i / 10);
			line[l++] = (char)('0' + i % 10);
			if (c[i]->flags & CH_HELD) {
				memcpy(line + l, label_held.s, label_held.n);
				l += label_held.n;
			} else {
				memcpy(line + l, label_tail[c[i]->scen].s, label_tail[c[i]->scen].n);
				l += label_tail[c[i]->scen].n;
			}
			sw_gen_out_write(&g->labels, line, l);
		}
	}
	for (i = 0; i < n; i++)
		if (c[i]->flags & CH_LABEL)
			g->count[c[i]->scen]++;
	g->ts_us += 1 + sw_gen_rng_below(&g->rng, g->peak ? 40 : 400);
	/* Delayed SACK: every second DATA packet (RFC 4960 6.2). */
	if (++a->unsacked[!s] >= 2)
		send_sack(g, a, !s);
	if (--a->hb_left == 0) {
		send_heartbeat(g, a);
		a->hb_left = 2000 + sw_gen_rng_below(&g->rng, 4000);
	}
}

/* M3UA management message (RFC 4666 3.5/3.7/3.8) on stream 0. */
static void
send_mgmt(struct gen *g, struct assoc *a, int s, uint8_t cls, uint8_t type, int tmt, int rc,
	  int ntfy)
{
	struct chunk c;
	uint8_t *m = c.buf;
	size_t n = 8;

	m[0] = 1;
	m[1] = 0;
	m[2] = cls;
	m[3] = type;
	if (ntfy) {
		be16(m + n, 0x000d); /* Status: AS state change, AS-ACTIVE */
		be16(m + n + 2, 8);
		be16(m + n + 4, 1);
		be16(m + n + 6, 3);
		n += 8;
	}
	if (tmt) {
		be16(m + n, 0x000b); /* Traffic Mode Type: loadshare */
		be16(m + n + 2, 8);
		be32(m + n + 4, 2);
		n += 8;
	}
	if (rc) {
		be16(m + n, 0x0006);
		be16(m + n + 2, 8);
		be32(m + n + 4, a->rc);
		n += 8;
	}
	be32(m + 4, (uint32_t)n);
	c.off = 0;
	c.len = (uint16_t)n;
	c.sls = 0;
	c.flags = 0;
	{
		uint8_t *sbuf = sctp_at(g);
		uint8_t *d = sbuf + 12;

		d[0] = SCTP_CT_DATA;
		d[1] = SCTP_DATA_BE;
		be16(d + 2, (uint32_t)(16 + n));
		be32(d + 4, a->tsn[s]);
		be16(d + 8, 0);
		be16(d + 10, a->ssn[s][0]++);
		be32(d + 12, SCTP_PPID_M3UA);
		memcpy(d + 16, m, n);
		a->cum[!s] = a->tsn[s]++;
		send_sctp(g, a, s, sbuf, 12 + 16 + n, a->tag[!s], 0);
		g->ts_us += 100 + sw_gen_rng_below(&g->rng, 500);
	}
}

/* M2PA Link Status (RFC 4165 2.3.2) from side s on stream 0, BSN/FSN as the link has them. */
static void
send_m2pa_status(struct gen *g, struct assoc *a, int s, uint32_t state)
{
	uint8_t *sbuf = sctp_at(g);
	uint8_t *d = sbuf + 12;

	d[0] = SCTP_CT_DATA;
	d[1] = SCTP_DATA_BE;
	be16(d + 2, 16 + M2PA_HLEN + M2PA_LS_STATE_LEN);
	be32(d + 4, a->tsn[s]);
	be16(d + 8, 0);
	be16(d + 10, a->ssn[s][0]++);
	be32(d + 12, SCTP_PPID_M2PA);
	d[16] = M2PA_VERSION;
	d[17] = 0;
	d[18] = M2PA_CLASS;
	d[19] = M2PA_TYPE_LINK_STATUS;
	be32(d + 16 + M2PA_OFF_LEN, M2PA_HLEN + M2PA_LS_STATE_LEN);
	be32(d + 16 + M2PA_OFF_BSN, a->fsn[!s]);
	be32(d + 16 + M2PA_OFF_FSN, a->fsn[s]);
	be32(d + 16 + M2PA_HLEN, state);
	a->cum[!s] = a->tsn[s]++;
	send_sctp(g, a, s, sbuf, 12 + 16 + M2PA_HLEN + M2PA_LS_STATE_LEN, a->tag[!s], 0);
	g->ts_us += 100 + sw_gen_rng_below(&g->rng, 500);
}

/* RFC 4165 alignment, both sides: Alignment, Proving Normal, Ready; FSN/BSN 2^24 - 1. */
static void
m2pa_align(struct gen *g, struct assoc *a)
{
	static const uint32_t states[] = {M2PA_LS_ALIGNMENT, M2PA_LS_PROVING_NORMAL, M2PA_LS_READY};

	a->fsn[SIDE_HOME] = a->fsn[SIDE_REMOTE] = M2PA_SEQ_INITIAL;
	for (unsigned k = 0; k < 3; k++) {
		send_m2pa_status(g, a, SIDE_HOME, states[k]);
		send_m2pa_status(g, a, SIDE_REMOTE, states[k]);
	}
	send_sack(g, a, SIDE_HOME);
	send_sack(g, a, SIDE_REMOTE);
}

/* INIT / INIT-ACK / COOKIE-ECHO / COOKIE-ACK, then ASPUP/ASPAC (home side is the ASP). */
static void
assoc_start(struct gen *g, struct assoc *a)
{
	uint8_t c[64];
	uint8_t cookie[32];
	int i;

	for (i = 0; i < 32; i++)
		cookie[i] = (uint8_t)sw_gen_rng_next(&g->rng);
	/* RFC 4960 3.3.2 INIT, sent with verification tag 0 */
	memset(c, 0, sizeof(c));
	c[0] = SCTP_CT_INIT;
	be16(c + 2, 20);
	be32(c + 4, a->tag[SIDE_HOME]);
	be32(c + 8, 131072);
	be16(c + 12, GEN_STREAMS);
	be16(c + 14, GEN_STREAMS);
	be32(c + 16, a->tsn[SIDE_HOME]);
	memcpy(sctp_at(g) + 12, c, 20);
	send_sctp(g, a, SIDE_HOME, sctp_at(g), 32, 0, 0);
	g->ts_us += 300;
	/* 3.3.3 INIT ACK with a State Cookie */
	c[0] = SCTP_CT_INIT_ACK;
	be16(c + 2, 20 + 36);
	be32(c + 4, a->tag[SIDE_REMOTE]);
	be32(c + 16, a->tsn[SIDE_REMOTE]);
	be16(c + 20, 7);
	be16(c + 22, 36);
	memcpy(c + 24, cookie, 32);
	send_control(g, a, SIDE_REMOTE, c, 56);
	/* 3.3.11 COOKIE ECHO, 3.3.12 COOKIE ACK */
	c[0] = SCTP_CT_COOKIE_ECHO;
	c[1] = 0;
	be16(c + 2, 36);
	memcpy(c + 4, cookie, 32);
	send_control(g, a, SIDE_HOME, c, 36);
	c[0] = SCTP_CT_COOKIE_ACK;
	be16(c + 2, 4);
	send_control(g, a, SIDE_REMOTE, c, 4);
	if (g->m2pa) {
		m2pa_align(g, a);
		return;
	}
	send_mgmt(g, a, SIDE_HOME, 3, 1, 0, 0, 0);   /* ASPUP */
	send_mgmt(g, a, SIDE_REMOTE, 3, 4, 0, 0, 0); /* ASPUP ACK */
	send_sack(g, a, SIDE_HOME);
	send_mgmt(g, a, SIDE_HOME, 4, 1, 1, 1, 0);   /* ASPAC */
	send_mgmt(g, a, SIDE_REMOTE, 4, 3, 1, 1, 0); /* ASPAC ACK */
	send_mgmt(g, a, SIDE_REMOTE, 0, 1, 0, 1, 1); /* NTFY AS-ACTIVE */
	send_sack(g, a, SIDE_HOME);
	send_sack(g, a, SIDE_REMOTE);
}

static void
assoc_init(struct gen *g, int i)
{
	struct assoc *a = &g->as[i];
	int s, k;

	memset(a, 0, sizeof(*a));
	for (s = 0; s < 2; s++) {
		uint8_t mac[6] = {0x02, 0x53, 0x57, (uint8_t)s, 0x00, (uint8_t)i};

		memcpy(a->mac[s], mac, 6);
		a->tag[s] = (uint32_t)sw_gen_rng_next(&g->rng) | 1;
		a->tsn[s] = (uint32_t)sw_gen_rng_next(&g->rng);
		a->cum[s] = 0;
		a->ipid[s] = (uint16_t)sw_gen_rng_next(&g->rng);
		for (k = 0; k < GEN_STREAMS; k++)
			a->ssn[s][k] = 0;
	}
	/* documentation ranges: 10.0.0.0/8 inside, 192.0.2.0/24 outside, 2001:db8::/32 */
	a->ip4[SIDE_HOME][0] = 10;
	a->ip4[SIDE_HOME][1] = 20;
	a->ip4[SIDE_HOME][2] = 0;
	a->ip4[SIDE_HOME][3] = (uint8_t)(10 + i);
	a->ip4[SIDE_REMOTE][0] = 192;
	a->ip4[SIDE_REMOTE][1] = 0;
	a->ip4[SIDE_REMOTE][2] = 2;
	a->ip4[SIDE_REMOTE][3] = (uint8_t)(10 + i);
	for (s = 0; s < 2; s++) {
		a->ip6[s][0] = 0x20;
		a->ip6[s][1] = 0x01;
		a->ip6[s][2] = 0x0d;
		a->ip6[s][3] = 0xb8;
		a->ip6[s][5] = (uint8_t)(s == SIDE_HOME ? 0x20 : 0xbe);
		a->ip6[s][15] = (uint8_t)(10 + i);
	}
	a->port[SIDE_HOME] = (uint16_t)(2905 + i);
	a->port[SIDE_REMOTE] = 2905;
	a->pc[SIDE_HOME] = g->site->pc[i % g->site->npc];
	a->pc[SIDE_REMOTE] = 0;
	{
		/* outside point code: 4000 + i, skipping any home point code */
		uint32_t pc = 4000 + (uint32_t)i;
		int again = 1;

		while (again) {
			again = 0;
			for (k = 0; k < g->site->npc; k++)
				if (g->site->pc[k] == pc) {
					pc += 64;
					again = 1;
				}
		}
		a->pc[SIDE_REMOTE] = pc;
	}
	a->rc = 100 + (uint32_t)i;
	a->hb_left = 1000 + sw_gen_rng_below(&g->rng, 4000);
}

/* ---- chunk queue ---- */

static struct chunk *
q_new(struct gen *g, uint8_t sls, uint8_t scen, uint8_t flags)
{
	struct chunk *c = &g->q[(g->qhead + g->qn) % GEN_QMAX];

	if (g->qn >= GEN_QMAX)
		abort();
	g->qn++;
	g->msus++;
	c->sls = sls;
	c->scen = scen;
	c->flags = flags | CH_LABEL;
	return c;
}

static void
chunk_done(struct chunk *c, struct sw_gen_bb *b)
{
	c->off = (uint16_t)(b->p - c->buf);
	c->len = (uint16_t)sw_gen_bb_len(b);
}

/* The MTP3 transfer around the user part in b: M3UA DATA, or M2PA User Data with --m2pa. */
static void
mtp3_wrap(struct gen *g, struct sw_gen_bb *b, const struct assoc *a, int s, uint8_t si,
	  uint8_t sls)
{
	if (g->m2pa)
		sw_gen_m2pa_data(b, a->pc[s], a->pc[!s], si, sls);
	else
		sw_gen_m3ua_data(b, a->rc, a->pc[s], a->pc[!s], si, sls);
}

/* Variant knobs for a TCAP message. */
struct msgopt {
	int xudt_segs; /* 0: UDT, else number of XUDT segments */
	uint8_t flags;
};

static void
push_tcap(struct gen *g, int ai, int s, const struct sw_gen_sccp_addr *cdpa,
	  const struct sw_gen_sccp_addr *cgpa, const struct sw_gen_tcap *t,
	  const struct sw_gen_sub *sub, uint8_t sls, uint8_t scen, const struct msgopt *o)
{
	struct assoc *a = &g->as[ai];
	struct sw_gen_bb b;
	struct chunk *c;

	if (o == NULL || o->xudt_segs == 0) {
		c = q_new(g, sls, scen, o ? o->flags : 0);
		sw_gen_bb_init(&b, c->buf, sizeof(c->buf));
		sw_gen_tcap(&b, t, sub);
		if (g->ludt)
			sw_gen_sccp_ludt(&b, cdpa, cgpa);
		else
			sw_gen_sccp_udt(&b, cdpa, cgpa);
		mtp3_wrap(g, &b, a, s, 3, sls);
		chunk_done(c, &b);
	} else {
		uint8_t tmp[GEN_CHUNK_BUF];
		struct sw_gen_bb tb;
		size_t n, per, off = 0;
		int i, segs = o->xudt_segs;
		uint32_t ref = g->xudt_ref++ & 0xffffff;

		sw_gen_bb_init(&tb, tmp, sizeof(tmp));
		sw_gen_tcap(&tb, t, sub);
		n = sw_gen_bb_len(&tb);
		per = (n + (size_t)segs - 1) / (size_t)segs;
		for (i = 0; i < segs; i++) {
			size_t len = (off + per > n) ? n - off : per;

			c = q_new(g, sls, scen,
				  (uint8_t)(o->flags | (i < segs - 1 ? CH_HELD : 0)));
			sw_gen_bb_init(&b, c->buf, sizeof(c->buf));
			sw_gen_sccp_xudt(&b, cdpa, cgpa, tb.p + off, len, i == 0, segs - 1 - i,
					 ref);
			mtp3_wrap(g, &b, a, s, 3, sls);
			chunk_done(c, &b);
			off += len;
		}
	}
}

static void
push_iam(struct gen *g, int ai, int s, const char *cdpn, const char *cgpn, uint8_t scen)
{
	struct assoc *a = &g->as[ai];
	uint16_t cic = (uint16_t)sw_gen_rng_below(&g->rng, 4096);
	struct chunk *c = q_new(g, (uint8_t)(cic & 0x0f), scen, 0);
	struct sw_gen_bb b;

	sw_gen_bb_init(&b, c->buf, sizeof(c->buf));
	sw_gen_isup_iam(&b, cic, cdpn, cgpn);
	mtp3_wrap(g, &b, a, s, 5, (uint8_t)(cic & 0x0f)); /* SI ISUP */
	chunk_done(c, &b);
}

/* ---- legitimate dialogues ---- */

struct legit_op {
	uint8_t op, acn, ver, weight;
	uint8_t init_ssn, resp_ssn;
	uint8_t dirs; /* bit0: home may initiate, bit1: remote may initiate */
	uint8_t res;  /* returnResultLast carries a result */
};

#define OP_IAM 255
#define OP_CAP 254 /* a CAMEL call dialogue (--cap): cap_step() */
static int cap_step(struct gen *g, struct dlg *d);
static const struct legit_op legit_ops[] = {
	{MAP_OP_UPDATE_LOCATION, MAP_AC_NETWORK_LOC_UP, 3, 7, 7, 6, 3, 1},
	{MAP_OP_SEND_AUTHENTICATION_INFO, MAP_AC_INFO_RETRIEVAL, 3, 12, 7, 6, 3, 1},
	{MAP_OP_INSERT_SUBSCRIBER_DATA, MAP_AC_SUBSCRIBER_DATA_MNGT, 3, 3, 6, 7, 3, 0},
	{MAP_OP_CANCEL_LOCATION, MAP_AC_LOCATION_CANCELLATION, 3, 3, 6, 7, 3, 0},
	{MAP_OP_PURGE_MS, MAP_AC_MS_PURGING, 3, 2, 7, 6, 3, 0},
	{MAP_OP_PROVIDE_ROAMING_NUMBER, MAP_AC_ROAMING_NUMBER_ENQUIRY, 3, 5, 6, 7, 3, 1},
	{MAP_OP_SEND_ROUTING_INFO, MAP_AC_LOCATION_INFO_RETRIEVAL, 3, 6, 8, 6, 1, 1},
	{MAP_OP_SEND_ROUTING_INFO_FOR_SM, MAP_AC_SHORT_MSG_GATEWAY, 3, 9, 8, 6, 3, 1},
	{MAP_OP_MT_FORWARD_SM, MAP_AC_SHORT_MSG_MT_RELAY, 3, 14, 8, 8, 3, 0},
	{MAP_OP_MO_FORWARD_SM, MAP_AC_SHORT_MSG_MO_RELAY, 3, 9, 8, 8, 3, 0},
	{MAP_OP_REPORT_SM_DELIVERY_STATUS, MAP_AC_SHORT_MSG_GATEWAY, 3, 4, 8, 6, 3, 0},
	{MAP_OP_ALERT_SERVICE_CENTRE, MAP_AC_SHORT_MSG_ALERT, 2, 2, 6, 8, 3, 0},
	{MAP_OP_PROCESS_USS_REQUEST, MAP_AC_NETWORK_UNSTRUCTURED_SS, 2, 3, 7, 6, 1, 1},
	{MAP_OP_PROVIDE_SUBSCRIBER_INFO, MAP_AC_SUBSCRIBER_INFO_ENQUIRY, 3, 3, 6, 7, 3, 1},
	{OP_IAM, 0, 0, 10, 0, 0, 3, 0},
};
#define N_LEGIT_OPS (sizeof(legit_ops) / sizeof(legit_ops[0]))
static uint32_t legit_total_weight;

static const struct legit_op *
find_legit(uint8_t op)
{
	size_t i;

	for (i = 0; i < N_LEGIT_OPS; i++)
		if (legit_ops[i].op == op)
			return &legit_ops[i];
	return NULL;
}

/*
 * Fill the subscriber and node addresses of a new dialogue. init is the side sending the Begin.
 * home initiates = outbound (home node -> partner node); remote initiates = inbound.
 */
static void
legit_fill(struct gen *g, struct dlg *d, const struct legit_op *lo, int p)
{
	const struct sw_gen_site *st = g->site;
	struct sw_gen_sub *s = &d->sub;
	char home[16], part[16];
	int in = d->init == SIDE_REMOTE;
	int about_home = 1; /* whose subscriber the dialogue is about */
	const struct sw_gen_list *home_role = &st->hlr;

	/* Which home node takes part, by its SSN role (HLR 6, VLR 7, MSC/SMSC 8). */
	switch (lo->op) {
	case MAP_OP_UPDATE_LOCATION:
	case MAP_OP_SEND_AUTHENTICATION_INFO:
	case MAP_OP_PURGE_MS:
		/* VLR -> HLR: inbound for home subscribers abroad, outbound for inbound roamers */
		about_home = in;
		home_role = in ? &st->hlr : &st->vlr;
		break;
	case MAP_OP_INSERT_SUBSCRIBER_DATA:
	case MAP_OP_CANCEL_LOCATION:
	case MAP_OP_PROVIDE_ROAMING_NUMBER:
	case MAP_OP_PROVIDE_SUBSCRIBER_INFO:
		/* HLR -> VLR: outbound for home subscribers abroad, inbound for inbound roamers */
		about_home = !in;
		home_role = in ? &st->vlr : &st->hlr;
		break;
	case MAP_OP_SEND_ROUTING_INFO:
		about_home = 0;
		home_role = &st->msc;
		break;
	case MAP_OP_PROCESS_USS_REQUEST:
		about_home = 0;
		home_role = &st->vlr;
		break;
	case MAP_OP_SEND_ROUTING_INFO_FOR_SM:
	case MAP_OP_REPORT_SM_DELIVERY_STATUS:
		about_home = in;
		home_role = in ? &st->hlr : &st->smsc;
		break;
	case MAP_OP_MT_FORWARD_SM:
		about_home = 1;
		home_role = in ? &st->msc : &st->smsc;
		break;
	case MAP_OP_MO_FORWARD_SM:
		about_home = in;
		home_role = in ? &st->smsc : &st->msc;
		break;
	case MAP_OP_ALERT_SERVICE_CENTRE:
		about_home = !in;
		home_role = in ? &st->smsc : &st->hlr;
		break;
	default:
		abort();
	}
	home_node(g, home_role, home);
	if (about_home) {
		home_sub(g, s->imsi, s->msisdn);
		/* A home subscriber abroad stays in one partner network for the whole capture (the
		 * partner follows from the IMSI): it does not travel faster than a plane nor get
		 * served by two networks at once (issue 15: velocity, not-serving). */
		if (in) {
			uint64_t h = 0;
			for (const char *c = s->imsi; *c != '\0'; c++)
				h = mix64(h ^ (uint64_t)*c);
			p = (int)(h % (uint64_t)g->site->npartners);
		}
		partner_gt(g, p, part);
	} else {
		partner_gt(g, p, part);
		partner_sub(g, p, s->imsi, s->msisdn);
	}
	/* node_a: the number the argument names (VLR/MSC, service centre, GMSC) */
	switch (lo->op) {
	case MAP_OP_UPDATE_LOCATION:
	case MAP_OP_PURGE_MS:
		strcpy(s->node_a, in ? part : home); /* the VLR */
		strcpy(s->node_b, in ? home : part); /* the HLR */
		break;
	case MAP_OP_MT_FORWARD_SM:
	case MAP_OP_SEND_ROUTING_INFO_FOR_SM:
	case MAP_OP_REPORT_SM_DELIVERY_STATUS:
	case MAP_OP_SEND_ROUTING_INFO:
		strcpy(s->node_a, in ? part : home); /* the initiating SMSC / GMSC */
		if (in)
			home_node(g, &st->msc, s->node_b);
		else
			partner_gt(g, p, s->node_b);
		break;
	case MAP_OP_MO_FORWARD_SM:
	case MAP_OP_ALERT_SERVICE_CENTRE:
		strcpy(s->node_a, in ? home : part); /* the service centre, on the responder side */
		strcpy(s->node_b, in ? part : home);
		break;
	default:
		strcpy(s->node_a, in ? part : home);
		if (in)
			digits_fill(g, s->node_b, pick(g, &st->gt),
				    11); /* MSRN / VLR in home range */
		else
			partner_gt(g, p, s->node_b);
		break;
	}
	set_addr(&d->addr[SIDE_HOME], home, in ? lo->resp_ssn : lo->init_ssn);
	set_addr(&d->addr[SIDE_REMOTE], part, in ? lo->init_ssn : lo->resp_ssn);
	if (lo->op == MAP_OP_MT_FORWARD_SM && in) {
		home_node(g, &st->hlr, home);
		set_addr(&d->hlr, home, 6);
		strcpy(s->node_b, d->addr[SIDE_HOME].gt); /* the MSC the SRI-SM result names */
	}
}

static uint8_t
pick_sls(struct gen *g)
{
	return (uint8_t)sw_gen_rng_below(&g->rng, 16);
}

/* Emit the dialogue's next message; returns 1 when the dialogue is finished. */
static int
dlg_step(struct gen *g, struct dlg *d)
{
	struct sw_gen_tcap t;
	int sender = (d->step & 1) ? !d->init : d->init;
	int resp = !d->init;
	int step = d->step;
	const struct legit_op *lo = find_legit(d->op);

	if (d->op == OP_CAP)
		return cap_step(g, d);
	memset(&t, 0, sizeof(t));
	t.acn = d->acn;
	t.acn_ver = d->ver;
	t.ncomp = 1;
	t.comp[0].iid = 1;
	t.comp[0].op = d->op;
	if (d->op == MAP_OP_MT_FORWARD_SM && d->nsteps == 4 && d->step < 2) {
		/* an inbound short message: first the SMSC's sendRoutingInfoForSM to the home HLR
		 * and its result (IMSI, MSC), as a stateful firewall expects (issue 15 D4) */
		uint32_t tid = d->tid[d->init] ^ 0x5a5a5a5au;

		t.acn = MAP_AC_SHORT_MSG_GATEWAY;
		t.comp[0].op = MAP_OP_SEND_ROUTING_INFO_FOR_SM;
		if (d->step == 0) {
			t.type = SW_GEN_BEGIN;
			t.otid = tid;
			t.dlg = SW_GEN_DLG_AARQ;
			t.comp[0].type = SW_GEN_INVOKE;
		} else {
			t.type = SW_GEN_END;
			t.dtid = tid;
			t.dlg = SW_GEN_DLG_AARE;
			t.comp[0].type = SW_GEN_RRL;
		}
		push_tcap(g, d->assoc, sender, sender == SIDE_HOME ? &d->addr[!sender] : &d->hlr,
			  sender == SIDE_HOME ? &d->hlr : &d->addr[sender], &t, &d->sub, d->sls,
			  SC_LEGIT, NULL);
		d->step++;
		return 0;
	}
	if (d->op == MAP_OP_MT_FORWARD_SM && d->nsteps == 4)
		step -= 2; /* then the mt-forwardSM dialogue itself */
	switch (step) {
	case 0:
		t.type = SW_GEN_BEGIN;
		t.otid = d->tid[d->init];
		t.dlg = SW_GEN_DLG_AARQ;
		t.comp[0].type = SW_GEN_INVOKE;
		break;
	case 1:
		t.dlg = SW_GEN_DLG_AARE;
		t.dtid = d->tid[d->init];
		if (d->op == MAP_OP_UPDATE_LOCATION) {
			/* updateLocation: the HLR sends insertSubscriberData inside the dialogue */
			t.type = SW_GEN_CONTINUE;
			t.otid = d->tid[resp];
			t.comp[0].type = SW_GEN_INVOKE;
			t.comp[0].op = MAP_OP_INSERT_SUBSCRIBER_DATA;
		} else {
			t.type = SW_GEN_END;
			t.comp[0].type = SW_GEN_RRL;
			t.comp[0].noparam = !lo->res;
		}
		break;
	case 2:
		t.type = SW_GEN_CONTINUE;
		t.otid = d->tid[d->init];
		t.dtid = d->tid[resp];
		t.comp[0].type = SW_GEN_RRL;
		t.comp[0].op = MAP_OP_INSERT_SUBSCRIBER_DATA;
		t.comp[0].noparam = 1;
		break;
	default:
		t.type = SW_GEN_END;
		t.dtid = d->tid[d->init];
		t.comp[0].type = SW_GEN_RRL;
		break;
	}
	push_tcap(g, d->assoc, sender, &d->addr[!sender], &d->addr[sender], &t, &d->sub, d->sls,
		  SC_LEGIT, NULL);
	d->step++;
	return d->step >= d->nsteps;
}

static const struct legit_op *
pick_legit_op(struct gen *g, int init_side)
{
	for (;;) {
		uint32_t r = sw_gen_rng_below(&g->rng, legit_total_weight);
		size_t i;

		for (i = 0; i < N_LEGIT_OPS; i++) {
			if (r < legit_ops[i].weight)
				break;
			r -= legit_ops[i].weight;
		}
		if (init_side < 0 || (legit_ops[i].dirs & (1u << init_side)))
			return &legit_ops[i];
	}
}

/* Start a new legitimate exchange whose first message is sent by init_side (-1: any). */
static void
legit_new(struct gen *g, int ai, int init_side)
{
	const struct legit_op *lo = pick_legit_op(g, init_side);
	int p = rand_partner(g);
	struct dlg *d;
	int idx;

	if (init_side < 0) {
		init_side = (lo->dirs == 3) ? (int)sw_gen_rng_below(&g->rng, 2)
					    : (lo->dirs == 1 ? SIDE_HOME : SIDE_REMOTE);
	}
	/* A call set-up; also what a full dialogue pool falls back to, keeping the association and
	 * side constraint. */
	if (lo->op == OP_IAM || g->nfree == 0) {
		char cdpn[16], cgpn[16];

		if (init_side == SIDE_HOME) {
			home_msisdn(g, cgpn);
			partner_msisdn(g, p, cdpn);
		} else {
			partner_msisdn(g, p, cgpn);
			home_msisdn(g, cdpn);
		}
		push_iam(g, ai, init_side, cdpn, cgpn, SC_LEGIT);
		return;
	}
	idx = g->freel[--g->nfree];
	d = &g->pool[idx];
	d->assoc = (uint8_t)ai;
	d->op = lo->op;
	d->acn = lo->acn;
	d->ver = lo->ver;
	d->step = 0;
	d->init = (uint8_t)init_side;
	d->nsteps = lo->op == MAP_OP_UPDATE_LOCATION ||
				    (lo->op == MAP_OP_MT_FORWARD_SM && init_side == SIDE_REMOTE)
			    ? 4
			    : 2;
	d->sls = pick_sls(g);
	d->tid[0] = (uint32_t)sw_gen_rng_next(&g->rng);
	d->tid[1] = (uint32_t)sw_gen_rng_next(&g->rng);
	legit_fill(g, d, lo, p);
	dlg_step(g, d);
	g->active[g->nactive++] = (uint16_t)idx;
}

/* Continue a pending dialogue; constrained to an association and sender side when ai >= 0. */
static int
legit_continue(struct gen *g, int ai, int side)
{
	int tries, i;

	if (g->nactive == 0)
		return 0;
	for (tries = 0; tries < 8; tries++) {
		struct dlg *d;
		int sender;

		i = (int)sw_gen_rng_below(&g->rng, (uint32_t)g->nactive);
		d = &g->pool[g->active[i]];
		sender = (d->step & 1) ? !d->init : d->init;
		if (ai >= 0 && (d->assoc != ai || sender != side))
			continue;
		if (dlg_step(g, d)) {
			g->freel[g->nfree++] = g->active[i];
			g->active[i] = g->active[--g->nactive];
		}
		return 1;
	}
	return 0;
}

static void
legit_any(struct gen *g, int ai, int side)
{
	int cont = g->nactive > 0 && (g->nfree == 0 || sw_gen_rng_chance(&g->rng, 0.5));

	if (cont && legit_continue(g, ai, side))
		return;
	legit_new(g, ai < 0 ? (int)sw_gen_rng_below(&g->rng, (uint32_t)g->nassoc) : ai, side);
}

/* ---- attacks ---- */

struct attack {
	struct sw_gen_tcap t;
	struct sw_gen_sub sub;
	struct sw_gen_sccp_addr cdpa, cgpa;
};

static void
attack_invoke(struct attack *x, uint8_t op, uint8_t acn, uint8_t ver)
{
	x->t.type = SW_GEN_BEGIN;
	x->t.dlg = SW_GEN_DLG_AARQ;
	x->t.acn = acn;
	x->t.acn_ver = ver;
	x->t.ncomp = 1;
	x->t.comp[0].type = SW_GEN_INVOKE;
	x->t.comp[0].iid = 1;
	x->t.comp[0].op = op;
}

/* Calling GT of an attacker: a network that is no partner, or (when allowed) a partner. */
static void
attacker_gt(struct gen *g, char *dst, int partner_ok)
{
	if (partner_ok && sw_gen_rng_chance(&g->rng, 0.3))
		partner_gt(g, rand_partner(g), dst);
	else
		foreign_gt(g, dst);
}

/* Who sends a base attack, who receives it, about whose subscriber. */
enum { FROM_ANY_OUTSIDE, FROM_NON_PARTNER, FROM_WRONG_PARTNER };
enum { TO_HLR, TO_VLR, TO_MSC, TO_UNKNOWN_NETWORK };

struct base_attack {
	uint8_t op, acn, ver;
	uint8_t from, from_ssn; /* calling GT kind and SSN */
	uint8_t to, to_ssn;	/* called node and SSN */
	uint8_t roamer;		/* about an inbound roamer (partner IMSI), else a home subscriber */
};

/* Indexed by scenario - FIRST_BASE; the order follows SCENARIOS(). */
static const struct base_attack base_attacks[LAST_BASE - FIRST_BASE + 1] = {
	[SC_CAT1_ATI - FIRST_BASE] = {MAP_OP_ANY_TIME_INTERROGATION, MAP_AC_ANY_TIME_INFO_ENQUIRY,
				      3, FROM_ANY_OUTSIDE, 147, TO_HLR, 6, 0},
	[SC_CAT1_SEND_IMSI - FIRST_BASE] = {MAP_OP_SEND_IMSI, MAP_AC_IMSI_RETRIEVAL, 2,
					    FROM_ANY_OUTSIDE, 7, TO_HLR, 6, 0},
	[SC_CAT1_SEND_ID - FIRST_BASE] = {MAP_OP_SEND_IDENTIFICATION,
					  MAP_AC_INTER_VLR_INFO_RETRIEVAL, 3, FROM_ANY_OUTSIDE, 7,
					  TO_VLR, 7, 0},
	[SC_CAT1_SRI - FIRST_BASE] = {MAP_OP_SEND_ROUTING_INFO, MAP_AC_LOCATION_INFO_RETRIEVAL, 3,
				      FROM_ANY_OUTSIDE, 8, TO_HLR, 6, 0},
	[SC_CAT1_PSL - FIRST_BASE] = {MAP_OP_PROVIDE_SUBSCRIBER_LOCATION,
				      MAP_AC_LOCATION_SVC_ENQUIRY, 3, FROM_ANY_OUTSIDE, 145, TO_MSC,
				      8, 0},
	[SC_CAT1_ATM - FIRST_BASE] = {MAP_OP_ANY_TIME_MODIFICATION, MAP_AC_ANY_TIME_INFO_HANDLING,
				      3, FROM_ANY_OUTSIDE, 147, TO_HLR, 6, 0},
	/* call-forwarding hijack: a fake VLR registers/activates CFU toward its own number */
	[SC_CF_REGISTER_SS - FIRST_BASE] = {MAP_OP_REGISTER_SS, MAP_AC_NETWORK_FUNCTIONAL_SS, 2,
					    FROM_NON_PARTNER, 7, TO_HLR, 6, 0},
	[SC_CF_ACTIVATE_SS - FIRST_BASE] = {MAP_OP_ACTIVATE_SS, MAP_AC_NETWORK_FUNCTIONAL_SS, 2,
					    FROM_NON_PARTNER, 7, TO_HLR, 6, 0},
	[SC_CAT2_ISD_HOME - FIRST_BASE] = {MAP_OP_INSERT_SUBSCRIBER_DATA,
					   MAP_AC_SUBSCRIBER_DATA_MNGT, 3, FROM_ANY_OUTSIDE, 6,
					   TO_VLR, 7, 0},
	[SC_CAT2_CL_HOME - FIRST_BASE] = {MAP_OP_CANCEL_LOCATION, MAP_AC_LOCATION_CANCELLATION, 3,
					  FROM_ANY_OUTSIDE, 6, TO_VLR, 7, 0},
	[SC_CAT2_PSI_HOME - FIRST_BASE] = {MAP_OP_PROVIDE_SUBSCRIBER_INFO,
					   MAP_AC_SUBSCRIBER_INFO_ENQUIRY, 3, FROM_ANY_OUTSIDE, 6,
					   TO_VLR, 7, 0},
	[SC_CAT2_ISD_ROAMER - FIRST_BASE] = {MAP_OP_INSERT_SUBSCRIBER_DATA,
					     MAP_AC_SUBSCRIBER_DATA_MNGT, 3, FROM_WRONG_PARTNER, 6,
					     TO_VLR, 7, 1},
	[SC_CAT2_CL_ROAMER - FIRST_BASE] = {MAP_OP_CANCEL_LOCATION, MAP_AC_LOCATION_CANCELLATION,
					    3, FROM_WRONG_PARTNER, 6, TO_VLR, 7, 1},
	[SC_CAT2_PSI_ROAMER - FIRST_BASE] = {MAP_OP_PROVIDE_SUBSCRIBER_INFO,
					     MAP_AC_SUBSCRIBER_INFO_ENQUIRY, 3, FROM_WRONG_PARTNER,
					     6, TO_VLR, 7, 1},
	[SC_CAT3_UL - FIRST_BASE] = {MAP_OP_UPDATE_LOCATION, MAP_AC_NETWORK_LOC_UP, 3,
				     FROM_NON_PARTNER, 7, TO_HLR, 6, 0},
	[SC_CAT3_SAI - FIRST_BASE] = {MAP_OP_SEND_AUTHENTICATION_INFO, MAP_AC_INFO_RETRIEVAL, 3,
				      FROM_NON_PARTNER, 7, TO_HLR, 6, 0},
	[SC_CAT3_PURGE - FIRST_BASE] = {MAP_OP_PURGE_MS, MAP_AC_MS_PURGING, 3, FROM_NON_PARTNER, 7,
					TO_HLR, 6, 0},
	/* SMS OTP interception: a fake UL puts the victim behind the attacker's "MSC", ... */
	[SC_DFS_OTP_UL - FIRST_BASE] = {MAP_OP_UPDATE_LOCATION, MAP_AC_NETWORK_LOC_UP, 3,
					FROM_NON_PARTNER, 7, TO_HLR, 6, 0},
	/* ... then the OTP is delivered toward a network that is neither home nor partner. */
	[SC_DFS_OTP_MT - FIRST_BASE] = {MAP_OP_MT_FORWARD_SM, MAP_AC_SHORT_MSG_MT_RELAY, 3,
					FROM_ANY_OUTSIDE, 8, TO_UNKNOWN_NETWORK, 8, 0},
	[SC_DFS_SRISM - FIRST_BASE] = {MAP_OP_SEND_ROUTING_INFO_FOR_SM, MAP_AC_SHORT_MSG_GATEWAY,
				       3, FROM_NON_PARTNER, 8, TO_HLR, 6, 0},
	[SC_DFS_USSR - FIRST_BASE] = {MAP_OP_USS_REQUEST, MAP_AC_NETWORK_UNSTRUCTURED_SS, 2,
				      FROM_NON_PARTNER, 6, TO_VLR, 7, 0},
	[SC_DFS_USSN - FIRST_BASE] = {MAP_OP_USS_NOTIFY, MAP_AC_NETWORK_UNSTRUCTURED_SS, 2,
				      FROM_NON_PARTNER, 6, TO_VLR, 7, 0},
	/* a non-partner GT posing as a VLR (SSN 7) sends a subscriber's USSD to the home HLR */
	[SC_DFS_PUSSR - FIRST_BASE] = {MAP_OP_PROCESS_USS_REQUEST, MAP_AC_NETWORK_UNSTRUCTURED_SS,
				       2, FROM_NON_PARTNER, 7, TO_HLR, 6, 0},
};

/* Build one of the base attacks (FIRST_BASE..LAST_BASE). */
static void
attack_base(struct gen *g, int sc, struct attack *x)
{
	const struct base_attack *ba = &base_attacks[sc - FIRST_BASE];
	const struct sw_gen_site *st = g->site;
	struct sw_gen_sub *s = &x->sub;
	char gt[16], to[16];
	int p;

	memset(x, 0, sizeof(*x));
	x->t.otid = (uint32_t)sw_gen_rng_next(&g->rng);
	if (ba->roamer) {
		p = rand_partner(g);
		partner_sub(g, p, s->imsi, s->msisdn);
	} else {
		p = -1;
		home_sub(g, s->imsi, s->msisdn);
	}
	switch (ba->from) {
	case FROM_ANY_OUTSIDE:
		attacker_gt(g, gt, 1);
		break;
	case FROM_WRONG_PARTNER:
		/* the roamer's IMSI belongs to partner p; the GT to another partner (or none) */
		if (st->npartners > 1 && sw_gen_rng_chance(&g->rng, 0.7))
			partner_gt(g,
				   (p + 1 +
				    (int)sw_gen_rng_below(&g->rng, (uint32_t)st->npartners - 1)) %
					   st->npartners,
				   gt);
		else
			foreign_gt(g, gt);
		break;
	default:
		foreign_gt(g, gt);
		break;
	}
	switch (ba->to) {
	case TO_HLR:
		home_node(g, &st->hlr, to);
		break;
	case TO_VLR:
		home_node(g, &st->vlr, to);
		break;
	case TO_MSC:
		home_node(g, &st->msc, to);
		break;
	default:
		foreign_gt(g, to);
		break;
	}
	attack_invoke(x, ba->op, ba->acn, ba->ver);
	set_addr(&x->cgpa, gt, ba->from_ssn);
	set_addr(&x->cdpa, to, ba->to_ssn);
	/* The numbers the argument names (fake VLR/MSC, service centre, gsmSCF, forward-to) are
	 * the attacker's: that is where the victim's traffic would go. */
	strcpy(s->node_a, gt);
	strcpy(s->node_b, gt);
}

static void
flip_parity(struct gen *g, char *d)
{
	size_t n = strlen(d);

	if (n >= 12)
		d[n - 1] = '\0';
	else {
		d[n] = (char)('0' + sw_gen_rng_below(&g->rng, 10));
		d[n + 1] = '\0';
	}
}

static void
make_even(struct gen *g, char *d)
{
	size_t n = strlen(d);

	if (n & 1) {
		d[n] = (char)('0' + sw_gen_rng_below(&g->rng, 10));
		d[n + 1] = '\0';
	}
}

/* Produce one attack scenario on association ai (inbound). remaining: MSUs still allowed. */
static void
attack_emit(struct gen *g, int ai, int sc, uint64_t remaining)
{
	struct attack x;
	struct msgopt o;
	int base = sc;
	uint8_t sls = pick_sls(g);
	int i;

	memset(&o, 0, sizeof(o));
	if ((sc == SC_EV_XUDT && remaining < 3) || (sc == SC_EV_BUNDLE && remaining < 2))
		sc = SC_EV_COMP2;
	if (sc == SC_ISUP_CLI) {
		char cdpn[16], cgpn[16];

		home_msisdn(g, cgpn); /* a home CLI from an outside point code */
		if (sw_gen_rng_chance(&g->rng, 0.5))
			home_msisdn(g, cdpn);
		else
			partner_msisdn(g, rand_partner(g), cdpn);
		push_iam(g, ai, SIDE_REMOTE, cdpn, cgpn, (uint8_t)sc);
		return;
	}
	if (sc < FIRST_BASE || sc > LAST_BASE)
		base = FIRST_BASE + (int)sw_gen_rng_below(&g->rng, LAST_BASE - FIRST_BASE + 1);
	attack_base(g, base, &x);
	switch (sc) {
	case SC_GLOBAL_OP:
		x.t.mal = SW_GEN_MAL_GLOBAL_OP;
		break;
	case SC_EV_COMP2:
	case SC_EV_COMP3: {
		int k = sc == SC_EV_COMP2 ? 1 : 2;

		/* decoys first: forwardCheckSS-Indication invokes without argument */
		x.t.comp[k] = x.t.comp[0];
		for (i = 0; i < k; i++) {
			x.t.comp[i].type = SW_GEN_INVOKE;
			x.t.comp[i].iid = (uint8_t)(2 + i);
			x.t.comp[i].op = MAP_OP_FORWARD_CHECK_SS;
			x.t.comp[i].noparam = 1;
		}
		x.t.ncomp = (uint8_t)(k + 1);
		break;
	}
	case SC_EV_BER_LONG:
		x.t.lenmode = SW_GEN_BLEN_LONG;
		break;
	case SC_EV_BER_INDEF:
		x.t.lenmode = SW_GEN_BLEN_INDEF;
		break;
	case SC_EV_XUDT:
		o.xudt_segs = 2 + (remaining >= 3 && sw_gen_rng_chance(&g->rng, 0.5));
		break;
	case SC_EV_GTI2:
		x.cgpa.gti = 2;
		x.cdpa.gti = 2;
		make_even(g, x.cgpa.gt);
		make_even(g, x.cdpa.gt);
		break;
	case SC_EV_BCD:
		flip_parity(g, x.cgpa.gt);
		if (strlen(x.sub.imsi) == 15)
			x.sub.imsi[14] = '\0'; /* 14-digit IMSI: no filler nibble */
		break;
	case SC_EV_BUNDLE: {
		int n = 1 + (int)sw_gen_rng_below(&g->rng, 3);

		if ((uint64_t)n > remaining - 1)
			n = (int)(remaining - 1);
		for (i = 0; i < n; i++)
			legit_any(g, ai, SIDE_REMOTE);
		o.flags = CH_FLUSH;
		break;
	}
	case SC_EV_IPFRAG:
		o.flags = CH_FRAG;
		break;
	case SC_MAL_TRUNC:
		x.t.mal = SW_GEN_MAL_TRUNC;
		break;
	case SC_MAL_BER_LEN:
		x.t.mal = SW_GEN_MAL_LEN_OVERFLOW;
		break;
	case SC_MAL_NEG_OP:
		x.t.mal = SW_GEN_MAL_NEG_OPCODE;
		break;
	case SC_MAL_LONG_ACN:
		x.t.mal = SW_GEN_MAL_LONG_ACN;
		break;
	default:
		break;
	}
	push_tcap(g, ai, SIDE_REMOTE, &x.cdpa, &x.cgpa, &x.t, &x.sub, sls, (uint8_t)sc, &o);
}

/* ---- the stateful profile (issue 15 D8) ----
 *
 * Stories over simulated time: each is a short script of messages between home nodes and the
 * partners' nodes, its steps scheduled at their own times (milliseconds inside a dialogue,
 * seconds between an SRI-SM result and its MT-FSM, minutes to hours between a subscriber's
 * location updates); the next message written is always the earliest step of the active
 * stories, so the capture's time stamps are those a firewall would see. Legitimate stories
 * keep the state a stateful firewall learns consistent (every MT-FSM after its SRI-SM result
 * to the same partner, every USSD from the VLR that the subscriber's answered updateLocation
 * named, travel between countries slower than the site's velocity table); attack steps are
 * labelled with the stateful scenario whose rule must drop them and change no state (nothing
 * answers them).
 */
#define ST_TRAVELLERS 256 /* home subscribers who roam: their index in [0, ST_TRAVELLERS) */
#define ST_ACTIVE     24  /* stories in progress at a time */
#define ST_MSG_GAP_US 20000u /* typical gap between the messages of one dialogue: 20-300 ms */

struct traveller {
	int partner;	/* serving partner of the last answered updateLocation, -1: none */
	char vlr[16];	/* its VLR GT (= the VLR number it named) */
	uint64_t ul_us; /* when it was answered */
	uint8_t busy;	/* in a story now */
};

enum st_kind {
	ST_ATTACH,	  /* a traveller's UL (answered), then cancelLocation to the old VLR, USSD */
	ST_SMS,		  /* SRI-SM from a partner SMSC, its result, then the MT-FSM and its result */
	ST_OUT_ISD,	  /* home HLR -> serving VLR insertSubscriberData, answered from outside */
	ST_BACKGROUND,	  /* one message of a home-initiated roaming dialogue (the pool) */
	ST_A_FAKE_UL,	  /* UL from a partner's (leased) GT naming a VLR/MSC of no partner */
	ST_A_MT_NO_SRI,	  /* MT-FSM for a home subscriber nobody asked routing for */
	ST_A_MT_OTHER,	  /* SRI-SM answered to partner X, then MT-FSM from partner Y */
	ST_A_UNSOL_END,	  /* TC-END from outside for a transaction never begun, with an invoke */
	ST_A_UNSOL_CONT,  /* TC-CONTINUE likewise */
	ST_KINDS
};

/* weights per 100 stories */
static const uint8_t st_weight[ST_KINDS] = {
	[ST_ATTACH] = 22, [ST_SMS] = 20, [ST_OUT_ISD] = 8, [ST_BACKGROUND] = 30,
	[ST_A_FAKE_UL] = 4, [ST_A_MT_NO_SRI] = 4, [ST_A_MT_OTHER] = 4, [ST_A_UNSOL_END] = 4,
	[ST_A_UNSOL_CONT] = 4,
};

struct story {
	uint8_t kind, step, live;
	uint8_t extra;	     /* ST_ATTACH: 0 none, 1 velocity attack, 2 wrong-VLR USSD */
	uint8_t nussd;	     /* ST_ATTACH: legitimate USSD dialogues still to come */
	int trav;	     /* traveller index, or -1; ST_BACKGROUND: the dialogue's pool index */
	int p, q;	     /* partners: p the new/serving one, q the previous / other */
	uint64_t at_us;	     /* when the next step is due */
	uint32_t tid[2], tid2[2];
	struct sw_gen_sub sub;
	struct sw_gen_sccp_addr home, remote, home2, remote2;
	struct sw_gen_map_open open;
};

struct stateful {
	struct traveller trav[ST_TRAVELLERS];
	struct story st[ST_ACTIVE];
	uint32_t kind_total;
	const struct sw_gen_site *site;
};

static struct stateful stf;

/* Minimum travel time in minutes between the countries of partners a and b (issue 15 D5:
 * same country or neighbours 0, a listed pair its minutes, else the default). */
static uint32_t
st_min_minutes(int pa, int pb)
{
	const struct sw_gen_site *st = stf.site;
	const char *a = st->partners[pa].country, *b = st->partners[pb].country;
	int i;

	if (strcmp(a, b) == 0)
		return 0;
	for (i = 0; i < st->nvel; i++)
		if ((strcmp(st->vel[i].a, a) == 0 && strcmp(st->vel[i].b, b) == 0) ||
		    (strcmp(st->vel[i].a, b) == 0 && strcmp(st->vel[i].b, a) == 0))
			return st->vel[i].minutes;
	return st->vel_default_minutes;
}

/* A home subscriber by index (travellers below ST_TRAVELLERS, residents above). */
static void
home_sub_at(struct gen *g, uint64_t i, char *imsi, char *msisdn)
{
	const struct sw_gen_site *st = g->site;

	i %= g->home_subs;
	hash_digits(g, pop_key(POP_HOME_SUB, 0, i, 0), imsi, st->plmn.v[i % (uint64_t)st->plmn.n],
		    15);
	hash_digits(g, pop_key(POP_HOME_SUB, 0, i, 1), msisdn,
		    st->msisdn.v[i % (uint64_t)st->msisdn.n], 11);
}

/* A resident (never roams): legitimate SMS use the lower half of the residents, attacks the
 * upper half, so that no attack finds an SRI-SM a legitimate story left in the state. */
static void
resident(struct gen *g, int for_attack, struct sw_gen_sub *s)
{
	uint32_t n = g->home_subs > 2 * ST_TRAVELLERS + 2 ? g->home_subs - ST_TRAVELLERS : 2;
	uint32_t half = n / 2;
	uint64_t i = ST_TRAVELLERS + (for_attack ? half : 0) + sw_gen_rng_below(&g->rng, half);

	home_sub_at(g, i, s->imsi, s->msisdn);
}

static uint64_t
st_gap(struct gen *g, uint64_t base_us, uint64_t spread_us)
{
	return base_us + (spread_us > 0 ? sw_gen_rng_next(&g->rng) % spread_us : 0);
}

/* One TCAP message of a story; a random association (a dialogue's messages may take any). */
static void
st_send(struct gen *g, int side, const struct sw_gen_sccp_addr *cdpa,
	const struct sw_gen_sccp_addr *cgpa, const struct sw_gen_tcap *t,
	const struct sw_gen_sub *sub, uint8_t scen)
{
	int ai = (int)sw_gen_rng_below(&g->rng, (uint32_t)g->nassoc);

	push_tcap(g, ai, side, cdpa, cgpa, t, sub, pick_sls(g), scen, NULL);
}

static void
st_tcap(struct sw_gen_tcap *t, uint8_t type, uint8_t dlg, uint8_t acn, uint8_t ver,
	uint32_t otid, uint32_t dtid, uint8_t ctype, uint8_t op, uint8_t noparam)
{
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->dlg = dlg;
	t->acn = acn;
	t->acn_ver = ver;
	t->otid = otid;
	t->dtid = dtid;
	t->ncomp = 1;
	t->comp[0].type = ctype;
	t->comp[0].iid = 1;
	t->comp[0].op = op;
	t->comp[0].noparam = noparam;
}

/* A partner in another country than partner p whose minimum travel time from it is at least
 * min_minutes (velocity attacks); -1 if none. */
static int
st_far_partner(struct gen *g, int p, uint32_t min_minutes)
{
	int n = g->site->npartners, off = (int)sw_gen_rng_below(&g->rng, (uint32_t)n);

	for (int k = 0; k < n; k++) {
		int r = (off + k) % n;

		if (r != p && st_min_minutes(p, r) >= min_minutes)
			return r;
	}
	return -1;
}

static void
st_start(struct gen *g, struct story *s, uint64_t now)
{
	const struct sw_gen_site *site = g->site;
	uint32_t r = sw_gen_rng_below(&g->rng, stf.kind_total);
	int k;

	for (k = 0; k < ST_KINDS - 1 && r >= st_weight[k]; k++)
		r -= st_weight[k];
	memset(s, 0, sizeof(*s));
	s->live = 1;
	s->kind = (uint8_t)k;
	s->trav = -1;
	s->at_us = now + st_gap(g, 0, 2000000);
	for (int i = 0; i < 2; i++) {
		s->tid[i] = (uint32_t)sw_gen_rng_next(&g->rng);
		s->tid2[i] = (uint32_t)sw_gen_rng_next(&g->rng);
	}
	s->p = rand_partner(g);
	s->q = rand_partner(g);
	if ((s->kind == ST_A_MT_OTHER) && site->npartners > 1)
		while (s->q == s->p)
			s->q = rand_partner(g);
	if (s->kind == ST_ATTACH || s->kind == ST_OUT_ISD) {
		/* a traveller not in a story now; OUT_ISD needs one with a location */
		int t0 = (int)sw_gen_rng_below(&g->rng, ST_TRAVELLERS), t = -1;

		for (int i = 0; i < ST_TRAVELLERS; i++) {
			struct traveller *tr = &stf.trav[(t0 + i) % ST_TRAVELLERS];

			if (!tr->busy && (s->kind == ST_ATTACH || tr->partner >= 0)) {
				t = (t0 + i) % ST_TRAVELLERS;
				break;
			}
		}
		if (t < 0) {
			s->kind = ST_BACKGROUND;
			return;
		}
		s->trav = t;
		stf.trav[t].busy = 1;
		home_sub_at(g, (uint64_t)t, s->sub.imsi, s->sub.msisdn);
	}
	switch (s->kind) {
	case ST_ATTACH: {
		struct traveller *tr = &stf.trav[s->trav];

		s->q = tr->partner; /* where it was */
		if (tr->partner >= 0 && site->npartners > 1)
			while (s->p == tr->partner)
				s->p = rand_partner(g);
		if (tr->partner >= 0) {
			/* travel slower than the table: the minimum, plus 10 minutes to 10 hours */
			uint64_t min = (uint64_t)st_min_minutes(tr->partner, s->p);
			uint64_t earliest = tr->ul_us + (min * 60 + 600) * 1000000ull;

			s->at_us = earliest > s->at_us ? earliest : s->at_us;
			s->at_us += st_gap(g, 0, 36000ull * 1000000ull);
			set_addr(&s->remote2, tr->vlr, 7); /* the old VLR, for cancelLocation */
		}
		partner_gt(g, s->p, s->sub.node_a); /* the new VLR/MSC */
		home_node(g, &site->hlr, s->sub.node_b);
		set_addr(&s->remote, s->sub.node_a, 7);
		set_addr(&s->home, s->sub.node_b, 6);
		s->nussd = (uint8_t)sw_gen_rng_below(&g->rng, 3);
		s->extra = (uint8_t)(sw_gen_rng_chance(&g->rng, 0.25) ? 1 + sw_gen_rng_below(&g->rng, 2)
								    : 0);
		break;
	}
	case ST_OUT_ISD: {
		struct traveller *tr = &stf.trav[s->trav];

		strcpy(s->sub.node_a, tr->vlr);
		home_node(g, &site->hlr, s->sub.node_b);
		set_addr(&s->home, s->sub.node_b, 6);
		set_addr(&s->remote, tr->vlr, 7);
		break;
	}
	case ST_SMS:
	case ST_A_MT_NO_SRI:
	case ST_A_MT_OTHER:
		resident(g, s->kind != ST_SMS, &s->sub);
		partner_gt(g, s->p, s->sub.node_a); /* the SMSC asking (SRI-SM) */
		home_node(g, &site->msc, s->sub.node_b); /* the MSC the result names */
		set_addr(&s->remote, s->sub.node_a, 8);
		{
			char hlr[16];

			home_node(g, &site->hlr, hlr);
			set_addr(&s->home, hlr, 6);
		}
		set_addr(&s->home2, s->sub.node_b, 8);
		if (s->kind == ST_A_MT_OTHER) {
			char other[16];

			/* the other partner's SMSC (a non-partner's when there is one partner) */
			if (site->npartners > 1)
				partner_gt(g, s->q, other);
			else
				foreign_gt(g, other);
			set_addr(&s->remote2, other, 8);
		}
		if (s->kind == ST_A_MT_NO_SRI) {
			set_addr(&s->remote2, s->sub.node_a, 8);
			s->step = 2; /* straight to the MT-FSM */
		}
		break;
	case ST_A_FAKE_UL: {
		/* a partner's GT (leased), a home subscriber, VLR/MSC numbers of the attacker */
		char gt[16], hlr[16];

		resident(g, 1, &s->sub);
		partner_gt(g, s->p, gt);
		foreign_gt(g, s->sub.node_a);
		home_node(g, &site->hlr, hlr);
		set_addr(&s->remote, gt, 7);
		set_addr(&s->home, hlr, 6);
		break;
	}
	case ST_A_UNSOL_END:
	case ST_A_UNSOL_CONT: {
		/* from a partner HLR to a home VLR, about that partner's roamer (a category 2
		 * operation the stateless rules allow): only the unknown DTID gives it away */
		char gt[16], vlr[16];

		partner_sub(g, s->p, s->sub.imsi, s->sub.msisdn);
		partner_gt(g, s->p, gt);
		home_node(g, &site->vlr, vlr);
		set_addr(&s->remote, gt, 6);
		set_addr(&s->home, vlr, 7);
		strcpy(s->sub.node_a, gt);
		break;
	}
	default:
		break;
	}
}

/*
 * After step `after` of an attach story (3 the answered update, 5 the cancelLocation answer,
 * 6 the attack): the next step (4-5 cancel the previous VLR, 6 the attack, 7-8 a USSD
 * dialogue per nussd) and its time, minutes after the update for 6 and 7; 1 when the story is
 * over (the traveller is free again).
 */
static int
st_attach_next(struct gen *g, struct story *s, int after, uint64_t next)
{
	uint64_t later = g->ts_us + st_gap(g, 30000000ull, 1200000000ull);

	if (after < 5 && s->remote2.gt[0] != '\0') {
		s->step = 4;
		s->at_us = next;
		return 0;
	}
	if (after < 6 && s->extra != 0) {
		s->step = 6;
		s->at_us = later;
		return 0;
	}
	if (s->nussd > 0) {
		s->step = 7;
		s->at_us = later;
		return 0;
	}
	stf.trav[s->trav].busy = 0;
	return 1;
}

/* Emit the story's next message; returns 1 when the story is over. */
static int
st_step(struct gen *g, struct story *s)
{
	struct sw_gen_tcap t;
	uint64_t now = g->ts_us;
	uint64_t next = now + st_gap(g, ST_MSG_GAP_US, 280000);

	switch (s->kind) {
	case ST_BACKGROUND:
		/* a home-initiated dialogue of the roaming profile, answered within the story's
		 * milliseconds (a stateful firewall forgets a Begin after its timeout) */
		if (s->step == 0) {
			int n0 = g->nactive;

			legit_new(g, (int)sw_gen_rng_below(&g->rng, (uint32_t)g->nassoc), SIDE_HOME);
			if (g->nactive == n0)
				return 1; /* an ISUP IAM */
			s->trav = g->active[g->nactive - 1]; /* the dialogue's pool index */
			s->step = 1;
			s->at_us = next;
			return 0;
		}
		if (!dlg_step(g, &g->pool[s->trav])) {
			s->at_us = next;
			return 0;
		}
		for (int i = 0; i < g->nactive; i++)
			if (g->active[i] == s->trav) {
				g->active[i] = g->active[--g->nactive];
				break;
			}
		g->freel[g->nfree++] = (uint16_t)s->trav;
		return 1;

	case ST_ATTACH: {
		struct traveller *tr = &stf.trav[s->trav];

		switch (s->step) {
		case 0: /* VLR -> HLR: Begin updateLocation */
			st_tcap(&t, SW_GEN_BEGIN, SW_GEN_DLG_AARQ, MAP_AC_NETWORK_LOC_UP, 3, s->tid[1], 0,
				SW_GEN_INVOKE, MAP_OP_UPDATE_LOCATION, 0);
			st_send(g, SIDE_REMOTE, &s->home, &s->remote, &t, &s->sub, SC_LEGIT);
			break;
		case 1: /* HLR: Continue with insertSubscriberData */
			st_tcap(&t, SW_GEN_CONTINUE, SW_GEN_DLG_AARE, MAP_AC_NETWORK_LOC_UP, 3,
				s->tid[0], s->tid[1], SW_GEN_INVOKE, MAP_OP_INSERT_SUBSCRIBER_DATA, 0);
			st_send(g, SIDE_HOME, &s->remote, &s->home, &t, &s->sub, SC_LEGIT);
			break;
		case 2: /* VLR: Continue with its result */
			st_tcap(&t, SW_GEN_CONTINUE, SW_GEN_DLG_NONE, 0, 0, s->tid[1], s->tid[0],
				SW_GEN_RRL, MAP_OP_INSERT_SUBSCRIBER_DATA, 1);
			st_send(g, SIDE_REMOTE, &s->home, &s->remote, &t, &s->sub, SC_LEGIT);
			break;
		case 3: /* HLR: End with updateLocation's result (hlr-Number): the location */
			st_tcap(&t, SW_GEN_END, SW_GEN_DLG_NONE, 0, 0, 0, s->tid[1], SW_GEN_RRL,
				MAP_OP_UPDATE_LOCATION, 0);
			st_send(g, SIDE_HOME, &s->remote, &s->home, &t, &s->sub, SC_LEGIT);
			tr->partner = s->p;
			strcpy(tr->vlr, s->sub.node_a);
			tr->ul_us = now;
			if (s->remote2.gt[0] != '\0')
				break; /* cancelLocation to the previous VLR next */
			return st_attach_next(g, s, 5, next);
		case 4: /* HLR -> old VLR: Begin cancelLocation */
			st_tcap(&t, SW_GEN_BEGIN, SW_GEN_DLG_AARQ, MAP_AC_LOCATION_CANCELLATION, 3,
				s->tid2[0], 0, SW_GEN_INVOKE, MAP_OP_CANCEL_LOCATION, 0);
			st_send(g, SIDE_HOME, &s->remote2, &s->home, &t, &s->sub, SC_LEGIT);
			break;
		case 5: /* old VLR: End (answered from outside) */
			st_tcap(&t, SW_GEN_END, SW_GEN_DLG_AARE, MAP_AC_LOCATION_CANCELLATION, 3, 0,
				s->tid2[0], SW_GEN_RRL, MAP_OP_CANCEL_LOCATION, 1);
			st_send(g, SIDE_REMOTE, &s->home, &s->remote2, &t, &s->sub, SC_LEGIT);
			return st_attach_next(g, s, 5, next);
		case 6: {
			/* the attack step, minutes later: a velocity violation (a partner whose
			 * minimum travel time from the serving one has not passed since the update)
			 * or USSD from a VLR of another partner */
			struct sw_gen_sub sub = s->sub;
			struct sw_gen_sccp_addr from;
			int r = st_far_partner(g, s->p, 60);

			if (s->extra == 1 && r >= 0 &&
			    now - tr->ul_us + 600000000ull < (uint64_t)st_min_minutes(s->p, r) * 60000000ull) {
				partner_gt(g, r, sub.node_a);
				set_addr(&from, sub.node_a, 7);
				st_tcap(&t, SW_GEN_BEGIN, SW_GEN_DLG_AARQ, MAP_AC_NETWORK_LOC_UP, 3,
					(uint32_t)sw_gen_rng_next(&g->rng), 0, SW_GEN_INVOKE,
					MAP_OP_UPDATE_LOCATION, 0);
				st_send(g, SIDE_REMOTE, &s->home, &from, &t, &sub, SC_ST_VELOCITY);
			} else {
				r = rand_partner(g);
				if (g->site->npartners > 1)
					while (r == s->p)
						r = rand_partner(g);
				partner_gt(g, r, sub.node_a);
				set_addr(&from, sub.node_a, 7);
				strcpy(s->open.dest_imsi, sub.imsi);
				strcpy(s->open.orig, sub.node_a);
				st_tcap(&t, SW_GEN_BEGIN, SW_GEN_DLG_AARQ, MAP_AC_NETWORK_UNSTRUCTURED_SS,
					2, (uint32_t)sw_gen_rng_next(&g->rng), 0, SW_GEN_INVOKE,
					MAP_OP_PROCESS_USS_REQUEST, 0);
				t.map_open = &s->open;
				st_send(g, SIDE_REMOTE, &s->home, &from, &t, &sub,
					SC_ST_USSD_WRONG_VLR);
			}
			return st_attach_next(g, s, 6, next);
		}
		case 7: /* the subscriber's USSD from its VLR: MAP-OPEN names its IMSI */
			s->tid2[1] = (uint32_t)sw_gen_rng_next(&g->rng);
			strcpy(s->open.dest_imsi, s->sub.imsi);
			strcpy(s->open.orig, s->sub.node_a);
			st_tcap(&t, SW_GEN_BEGIN, SW_GEN_DLG_AARQ, MAP_AC_NETWORK_UNSTRUCTURED_SS, 2,
				s->tid2[1], 0, SW_GEN_INVOKE, MAP_OP_PROCESS_USS_REQUEST, 0);
			t.map_open = &s->open;
			st_send(g, SIDE_REMOTE, &s->home, &s->remote, &t, &s->sub, SC_LEGIT);
			break;
		case 8: /* HLR: End with the USSD result */
			st_tcap(&t, SW_GEN_END, SW_GEN_DLG_AARE, MAP_AC_NETWORK_UNSTRUCTURED_SS, 2, 0,
				s->tid2[1], SW_GEN_RRL, MAP_OP_PROCESS_USS_REQUEST, 0);
			st_send(g, SIDE_HOME, &s->remote, &s->home, &t, &s->sub, SC_LEGIT);
			s->nussd--;
			return st_attach_next(g, s, 6, next);
		}
		s->step++;
		s->at_us = next;
		return 0;
	}

	case ST_OUT_ISD:
		if (s->step == 0) {
			st_tcap(&t, SW_GEN_BEGIN, SW_GEN_DLG_AARQ, MAP_AC_SUBSCRIBER_DATA_MNGT, 3,
				s->tid[0], 0, SW_GEN_INVOKE, MAP_OP_INSERT_SUBSCRIBER_DATA, 0);
			st_send(g, SIDE_HOME, &s->remote, &s->home, &t, &s->sub, SC_LEGIT);
			s->step++;
			s->at_us = next;
			return 0;
		}
		st_tcap(&t, SW_GEN_END, SW_GEN_DLG_AARE, MAP_AC_SUBSCRIBER_DATA_MNGT, 3, 0, s->tid[0],
			SW_GEN_RRL, MAP_OP_INSERT_SUBSCRIBER_DATA, 1);
		st_send(g, SIDE_REMOTE, &s->home, &s->remote, &t, &s->sub, SC_LEGIT);
		stf.trav[s->trav].busy = 0;
		return 1;

	case ST_SMS:
	case ST_A_MT_NO_SRI:
	case ST_A_MT_OTHER:
		switch (s->step) {
		case 0: /* partner SMSC -> home HLR: Begin SRI-SM */
			st_tcap(&t, SW_GEN_BEGIN, SW_GEN_DLG_AARQ, MAP_AC_SHORT_MSG_GATEWAY, 3, s->tid[1],
				0, SW_GEN_INVOKE, MAP_OP_SEND_ROUTING_INFO_FOR_SM, 0);
			st_send(g, SIDE_REMOTE, &s->home, &s->remote, &t, &s->sub, SC_LEGIT);
			break;
		case 1: /* HLR: End with IMSI and the MSC (networkNode-Number) */
			st_tcap(&t, SW_GEN_END, SW_GEN_DLG_AARE, MAP_AC_SHORT_MSG_GATEWAY, 3, 0,
				s->tid[1], SW_GEN_RRL, MAP_OP_SEND_ROUTING_INFO_FOR_SM, 0);
			st_send(g, SIDE_HOME, &s->remote, &s->home, &t, &s->sub, SC_LEGIT);
			s->step++;
			s->at_us = now + st_gap(g, 100000, 3000000); /* the SMSC's turn-around */
			return 0;
		case 2: { /* the SMSC (or a spoofer) -> home MSC: Begin MT-FSM */
			const struct sw_gen_sccp_addr *from =
				s->kind == ST_SMS ? &s->remote : &s->remote2;
			uint8_t sc = s->kind == ST_SMS	     ? SC_LEGIT
				     : s->kind == ST_A_MT_OTHER ? SC_ST_MT_OTHER
								: SC_ST_MT_NO_SRI;
			struct sw_gen_sub sub = s->sub;

			strcpy(sub.node_a, from->gt); /* its service centre address */
			st_tcap(&t, SW_GEN_BEGIN, SW_GEN_DLG_AARQ, MAP_AC_SHORT_MSG_MT_RELAY, 3,
				s->tid2[1], 0, SW_GEN_INVOKE, MAP_OP_MT_FORWARD_SM, 0);
			st_send(g, SIDE_REMOTE, &s->home2, from, &t, &sub, sc);
			if (s->kind != ST_SMS)
				return 1; /* dropped: nothing answers */
			break;
		}
		default: /* MSC: End */
			st_tcap(&t, SW_GEN_END, SW_GEN_DLG_AARE, MAP_AC_SHORT_MSG_MT_RELAY, 3, 0,
				s->tid2[1], SW_GEN_RRL, MAP_OP_MT_FORWARD_SM, 1);
			st_send(g, SIDE_HOME, &s->remote, &s->home2, &t, &s->sub, SC_LEGIT);
			return 1;
		}
		s->step++;
		s->at_us = next;
		return 0;

	case ST_A_FAKE_UL:
		st_tcap(&t, SW_GEN_BEGIN, SW_GEN_DLG_AARQ, MAP_AC_NETWORK_LOC_UP, 3, s->tid[1], 0,
			SW_GEN_INVOKE, MAP_OP_UPDATE_LOCATION, 0);
		st_send(g, SIDE_REMOTE, &s->home, &s->remote, &t, &s->sub, SC_ST_FAKE_UL);
		return 1;

	case ST_A_UNSOL_END:
		st_tcap(&t, SW_GEN_END, SW_GEN_DLG_NONE, 0, 0, 0, s->tid[0], SW_GEN_INVOKE,
			MAP_OP_INSERT_SUBSCRIBER_DATA, 0);
		st_send(g, SIDE_REMOTE, &s->home, &s->remote, &t, &s->sub, SC_ST_UNSOL_END);
		return 1;

	case ST_A_UNSOL_CONT:
		st_tcap(&t, SW_GEN_CONTINUE, SW_GEN_DLG_NONE, 0, 0, s->tid[1], s->tid[0],
			SW_GEN_INVOKE, MAP_OP_CANCEL_LOCATION, 0);
		st_send(g, SIDE_REMOTE, &s->home, &s->remote, &t, &s->sub, SC_ST_UNSOL_CONT);
		return 1;
	}
	return 1;
}

/* One message of the stateful profile: the earliest due step of the active stories. */
static void
produce_stateful(struct gen *g)
{
	struct story *best = NULL;

	for (int i = 0; i < ST_ACTIVE; i++) {
		struct story *s = &stf.st[i];

		if (!s->live)
			st_start(g, s, g->ts_us);
		if (best == NULL || s->at_us < best->at_us)
			best = s;
	}
	if (best->at_us > g->ts_us)
		g->ts_us = best->at_us;
	if (st_step(g, best))
		best->live = 0;
}

/* ---- SCCP management and connection-oriented SCCP (issue 17, --sccp-extra P) ----
 *
 * SCCP management (Q.713 5.3): a subsystem-status-test about a home subsystem from a partner's
 * GT, answered with subsystem-allowed from the home point code, both between SSN 1 (labelled
 * sccp-management, allowed by the shipped policy: partners' SSTs pass), or from a GT of no
 * partner, unanswered (sccp-management-non-partner, dropped by scmg-non-partner).
 * Connection-oriented SCCP (Q.713 4.2-4.7): the outside opens a class 2 connection (CR), home
 * confirms (CC), the outside sends data (DT1) and releases (RLSD), home completes (RLC); every
 * message labelled sccp-connection-oriented, which the shipped policy drops as malformed
 * (classified, its data is not TCAP; patterns/README.md).
 */
static void
push_sccp_extra(struct gen *g, int ai, int s, uint8_t scen, int mgmt, uint8_t type,
		const char *cg_gt)
{
	struct assoc *a = &g->as[ai];
	uint8_t sls = pick_sls(g);
	struct chunk *c = q_new(g, sls, scen, 0);
	struct sw_gen_bb b;

	sw_gen_bb_init(&b, c->buf, sizeof(c->buf));
	if (mgmt) {
		sw_gen_sccp_scmg(&b, type, g->ssa_ssn, a->pc[SIDE_HOME], a->pc[!s], a->pc[s], 0,
				 cg_gt);
	} else {
		static const uint8_t data[8] = {0x05, 0x00, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04};
		uint32_t dlr = g->co_ref[!s], slr = g->co_ref[s];

		sw_gen_sccp_co(&b, type, dlr, slr, a->pc[!s], 254, data, sizeof(data));
	}
	mtp3_wrap(g, &b, a, s, 3, sls);
	chunk_done(c, &b);
}

/* One SCCP management or connection-oriented message if one is due and fits the sender
 * constraint (ai, side; -1 any); 0 when nothing was produced. */
static int
sccp_extra(struct gen *g, int ai, int side)
{
	/* connection-oriented: CR (outside), CC (home), DT1 (outside), RLSD (outside), RLC (home) */
	static const uint8_t co_type[5] = {0x01, 0x02, 0x06, 0x04, 0x05};
	static const uint8_t co_side[5] = {SIDE_REMOTE, SIDE_HOME, SIDE_REMOTE, SIDE_REMOTE,
					   SIDE_HOME};

	if (g->ssa_owed && (side < 0 || side == SIDE_HOME) && (ai < 0 || ai == g->ssa_assoc) &&
	    sw_gen_rng_chance(&g->rng, 0.5)) {
		push_sccp_extra(g, g->ssa_assoc, SIDE_HOME, SC_SCCP_MGMT, 1, 1, NULL); /* SSA */
		g->ssa_owed = 0;
		return 1;
	}
	if (g->co_step > 0 && (side < 0 || side == co_side[g->co_step]) &&
	    (ai < 0 || ai == g->co_assoc) && sw_gen_rng_chance(&g->rng, 0.5)) {
		push_sccp_extra(g, g->co_assoc, co_side[g->co_step], SC_SCCP_CO, 0,
				co_type[g->co_step], NULL);
		g->co_step = (g->co_step + 1) % 5;
		return 1;
	}
	if ((side >= 0 && side != SIDE_REMOTE) || !sw_gen_rng_chance(&g->rng, g->sccp_extra))
		return 0;
	if (ai < 0)
		ai = (int)sw_gen_rng_below(&g->rng, (uint32_t)g->nassoc);
	if (!g->ssa_owed && sw_gen_rng_chance(&g->rng, 0.6)) {
		static const uint8_t ssns[4] = {6, 7, 8, 146};

		char gt[16];

		g->ssa_ssn = ssns[sw_gen_rng_below(&g->rng, 4)];
		if (sw_gen_rng_chance(&g->rng, 0.7)) {
			/* a partner's SST (its calling GT a partner's): answered with SSA */
			partner_gt(g, rand_partner(g), gt);
			g->ssa_assoc = ai;
			g->ssa_owed = 1;
			push_sccp_extra(g, ai, SIDE_REMOTE, SC_SCCP_MGMT, 1, 3, gt);
		} else {
			/* from a network that is no partner: dropped, unanswered */
			foreign_gt(g, gt);
			push_sccp_extra(g, ai, SIDE_REMOTE, SC_SCCP_MGMT_NP, 1, 3, gt);
		}
		return 1;
	}
	if (g->co_step == 0) {
		g->co_assoc = ai;
		g->co_ref[SIDE_REMOTE] = (uint32_t)sw_gen_rng_next(&g->rng) & 0xffffff;
		g->co_ref[SIDE_HOME] = (uint32_t)sw_gen_rng_next(&g->rng) & 0xffffff;
		push_sccp_extra(g, ai, SIDE_REMOTE, SC_SCCP_CO, 0, 0x01, NULL); /* CR */
		g->co_step = 1;
		return 1;
	}
	return 0;
}

/* ---- CAMEL call dialogues (issue 17 D3, --cap P) ----
 *
 * CAP v2 (3GPP TS 29.078, application context CAP-v2-gsmSSF-to-gsmSCF-AC 0.4.0.0.1.0.50.1)
 * between a gsmSSF (the MSC/VLR serving the caller) and the caller's gsmSCF, SSN 146 both sides
 * (TS 23.003 8.1), label cap-roaming (allow: the shipped cap.conf passes CAP between the home
 * gsmSCF and partners). A home subscriber abroad: the partner's gsmSSF asks the home gsmSCF; a
 * partner's subscriber in our network: our MSC's gsmSSF asks the partner's gsmSCF.
 *   0 gsmSSF: TC-BEGIN (AARQ) initialDP: serviceKey, called and calling numbers, collectedInfo,
 *     iMSI, locationInformation (VLR number, cell global id), mscAddress
 *   1 gsmSCF: TC-CONTINUE (AARE) requestReportBCSMEvent (oAnswer, oDisconnect), then connect
 *     (to the dialled number) or continue
 *   2 gsmSSF: TC-CONTINUE eventReportBCSM oDisconnect
 *   3 gsmSCF: TC-END releaseCall (cause 16, normal call clearing)
 * One in five starts from a GT of no partner instead: a lone initialDP toward the home gsmSCF,
 * for a home subscriber (dropped by cap-home-subscriber-non-partner) or a foreign one
 * (cap-non-partner), label cap-non-partner (drop).
 */
static int
cap_step(struct gen *g, struct dlg *d)
{
	struct sw_gen_tcap t;
	int ssf = d->init, scf = !d->init;
	int sender = (d->step & 1) ? scf : ssf;

	memset(&t, 0, sizeof(t));
	t.cap = 1;
	t.acn = d->acn;
	t.acn_ver = d->ver;
	t.ncomp = 1;
	t.comp[0].type = SW_GEN_INVOKE;
	t.comp[0].iid = (uint8_t)(1 + d->step);
	switch (d->step) {
	case 0:
		t.type = SW_GEN_BEGIN;
		t.otid = d->tid[ssf];
		t.dlg = SW_GEN_DLG_AARQ;
		t.comp[0].op = CAP_OP_INITIAL_DP;
		break;
	case 1:
		t.type = SW_GEN_CONTINUE;
		t.otid = d->tid[scf];
		t.dtid = d->tid[ssf];
		t.dlg = SW_GEN_DLG_AARE;
		t.comp[0].op = CAP_OP_REQUEST_REPORT_BCSM_EVENT;
		t.ncomp = 2;
		t.comp[1].type = SW_GEN_INVOKE;
		t.comp[1].iid = 6;
		if (sw_gen_rng_chance(&g->rng, 0.5)) {
			t.comp[1].op = CAP_OP_CONNECT;
		} else {
			t.comp[1].op = CAP_OP_CONTINUE;
			t.comp[1].noparam = 1; /* continue has no ARGUMENT */
		}
		break;
	case 2:
		t.type = SW_GEN_CONTINUE;
		t.otid = d->tid[ssf];
		t.dtid = d->tid[scf];
		t.comp[0].op = CAP_OP_EVENT_REPORT_BCSM;
		d->sub.cap_event = 9; /* oDisconnect */
		break;
	default:
		t.type = SW_GEN_END;
		t.dtid = d->tid[ssf];
		t.comp[0].op = CAP_OP_RELEASE_CALL;
		break;
	}
	push_tcap(g, d->assoc, sender, &d->addr[!sender], &d->addr[sender], &t, &d->sub, d->sls,
		  SC_CAP, NULL);
	d->step++;
	return d->step >= d->nsteps;
}

/* A new CAMEL dialogue (or a non-partner's initialDP) if one is due and fits the sender
 * constraint (ai, side; -1 any); 0 when nothing was produced. */
static int
cap_new(struct gen *g, int ai, int side)
{
	static const struct sw_gen_list no_nodes; /* the home gsmSCFs: HOME_NODES GTs under home.gt */
	const struct sw_gen_site *st = g->site;
	struct sw_gen_sub *s;
	char ssf_gt[16], scf_gt[16];
	struct dlg *d;
	int p, idx, init;

	if (!sw_gen_rng_chance(&g->rng, g->cap))
		return 0;
	if (ai < 0)
		ai = (int)sw_gen_rng_below(&g->rng, (uint32_t)g->nassoc);
	if (side != SIDE_HOME && sw_gen_rng_chance(&g->rng, 0.2)) {
		struct attack x;

		memset(&x, 0, sizeof(x));
		foreign_gt(g, x.sub.node_a);
		if (sw_gen_rng_chance(&g->rng, 0.5)) {
			home_sub(g, x.sub.imsi, x.sub.msisdn);
		} else {
			digits_fill(g, x.sub.imsi, "46000", 15);
			digits_fill(g, x.sub.msisdn, g->foreign[0], 12);
		}
		snprintf(x.sub.cell_plmn, sizeof(x.sub.cell_plmn), "%.5s", x.sub.imsi);
		home_msisdn(g, x.sub.node_b);
		home_node(g, &no_nodes, scf_gt);
		set_addr(&x.cdpa, scf_gt, CAP_SSN);
		set_addr(&x.cgpa, x.sub.node_a, CAP_SSN);
		x.t.type = SW_GEN_BEGIN;
		x.t.otid = (uint32_t)sw_gen_rng_next(&g->rng);
		x.t.dlg = SW_GEN_DLG_AARQ;
		x.t.acn = CAP_AC_V12_FIRST;
		x.t.acn_ver = 1;
		x.t.cap = 1;
		x.t.ncomp = 1;
		x.t.comp[0].type = SW_GEN_INVOKE;
		x.t.comp[0].iid = 1;
		x.t.comp[0].op = CAP_OP_INITIAL_DP;
		push_tcap(g, ai, SIDE_REMOTE, &x.cdpa, &x.cgpa, &x.t, &x.sub, pick_sls(g), SC_CAP_NP,
			  NULL);
		return 1;
	}
	if (g->nfree == 0)
		return 0;
	init = side >= 0 ? side : (int)sw_gen_rng_below(&g->rng, 2);
	p = rand_partner(g);
	idx = g->freel[--g->nfree];
	d = &g->pool[idx];
	memset(d, 0, sizeof(*d));
	d->assoc = (uint8_t)ai;
	d->op = OP_CAP;
	d->acn = CAP_AC_V12_FIRST; /* 0.4.0.0.1.0.50.1: CAP-v2-gsmSSF-to-gsmSCF-AC */
	d->ver = 1;
	d->init = (uint8_t)init;
	d->nsteps = 4;
	d->sls = pick_sls(g);
	d->tid[0] = (uint32_t)sw_gen_rng_next(&g->rng);
	d->tid[1] = (uint32_t)sw_gen_rng_next(&g->rng);
	s = &d->sub;
	if (init == SIDE_REMOTE) {
		/* a home subscriber calls from partner p's network */
		home_sub(g, s->imsi, s->msisdn);
		partner_gt(g, p, ssf_gt);
		home_node(g, &no_nodes, scf_gt);
		partner_msisdn(g, p, s->node_b);
		snprintf(s->cell_plmn, sizeof(s->cell_plmn), "%.6s", st->partners[p].plmn.v[0]);
	} else {
		/* partner p's subscriber calls from our network */
		partner_sub(g, p, s->imsi, s->msisdn);
		home_node(g, &st->msc, ssf_gt);
		partner_gt(g, p, scf_gt);
		home_msisdn(g, s->node_b);
		snprintf(s->cell_plmn, sizeof(s->cell_plmn), "%.6s", st->plmn.v[0]);
	}
	strcpy(s->node_a, ssf_gt); /* the gsmSSF's MSC/VLR number */
	set_addr(&d->addr[init], ssf_gt, CAP_SSN);
	set_addr(&d->addr[!init], scf_gt, CAP_SSN);
	cap_step(g, d);
	g->active[g->nactive++] = (uint16_t)idx;
	return 1;
}

/* ---- the traffic loop ---- */

static void
produce(struct gen *g, int ai, int side)
{
	uint64_t remaining = g->target - g->msus;

	if (g->stateful) {
		produce_stateful(g);
		return;
	}
	if (g->sccp_extra > 0 && sccp_extra(g, ai, side))
		return;
	if (g->cap > 0 && cap_new(g, ai, side))
		return;
	if ((side < 0 || side == SIDE_REMOTE) && sw_gen_rng_chance(&g->rng, g->attack_share)) {
		int sc = 1 + (int)sw_gen_rng_below(&g->rng, SC_STATELESS_COUNT - 1);

		if (ai < 0)
			ai = (int)sw_gen_rng_below(&g->rng, (uint32_t)g->nassoc);
		if (sc == SC_EV_BUNDLE || sc == SC_EV_IPFRAG) {
			/* these shape their own packet: only at the start of one */
			if (g->qn > 0)
				sc = SC_EV_COMP3;
		}
		attack_emit(g, ai, sc, remaining);
		return;
	}
	legit_any(g, ai, side);
}

/* Bundle size: 1 at normal load, up to bundle_max at peak; phases of a few thousand packets. */
static int
pick_bundle(struct gen *g)
{
	if (g->phase_left-- == 0) {
		g->peak = sw_gen_rng_chance(&g->rng, 0.3);
		g->phase_left = 500 + sw_gen_rng_below(&g->rng, 5000);
	}
	if (g->bundle_max <= 1)
		return 1;
	if (g->peak)
		return 1 + (int)sw_gen_rng_below(&g->rng, (uint32_t)g->bundle_max);
	return sw_gen_rng_chance(&g->rng, 0.1) ? 2 : 1;
}

static int
queue_origin(struct gen *g, int *ai, int *side)
{
	struct chunk *c = &g->q[g->qhead];
	const uint8_t *m = c->buf + c->off;
	uint32_t opc = (uint32_t)m[20] << 24 | (uint32_t)m[21] << 16 | (uint32_t)m[22] << 8 | m[23];
	uint32_t rc = (uint32_t)m[12] << 24 | (uint32_t)m[13] << 16 | (uint32_t)m[14] << 8 | m[15];

	if (g->m2pa) {
		/* M2PA User Data has no routing context: the association is the one whose point
		 * codes the routing label carries (ITU Q.704 2.2.2 or ANSI T1.111.4 2.2, after PRI
		 * and SIO, RFC 4165 2.3.1) */
		uint32_t dpc, lopc;

		sw_gen_m2pa_label(m, &lopc, &dpc);

		for (int i = 0; i < g->nassoc; i++)
			for (int s = 0; s < 2; s++)
				if (g->as[i].pc[s] == lopc && g->as[i].pc[!s] == dpc) {
					*ai = i;
					*side = s;
					return 0;
				}
		*ai = *side = -1; /* any association, either side */
		return 0;
	}
	*ai = (int)(rc - 100);
	*side = opc == g->as[*ai].pc[SIDE_HOME] ? SIDE_HOME : SIDE_REMOTE;
	return 0;
}

static void
run(struct gen *g)
{
	struct chunk *pk[GEN_QMAX];
	size_t mtu_room = (size_t)(g->ipv6 ? 1500 - 40 : 1500 - 20) - 12;

	while (g->msus < g->target || g->qn > 0) {
		int ai, side, k, n, i, stop = 0;
		size_t room = 0;

		if (g->qn == 0)
			produce(g, -1, -1);
		queue_origin(g, &ai, &side);
		k = pick_bundle(g);
		for (i = 0; i < g->qn; i++)
			if (g->q[(g->qhead + i) % GEN_QMAX].flags & (CH_FLUSH | CH_FRAG))
				stop = 1;
		while (!stop && g->qn < k && g->msus < g->target) {
			produce(g, ai, side);
			for (i = 0; i < g->qn; i++)
				if (g->q[(g->qhead + i) % GEN_QMAX].flags & (CH_FLUSH | CH_FRAG))
					stop = 1;
		}
		for (i = 0; i < g->qn; i++)
			if (g->q[(g->qhead + i) % GEN_QMAX].flags & CH_FLUSH && i + 1 > k)
				k = i + 1;
		n = 0;
		if (g->q[g->qhead].flags & CH_FRAG) {
			pk[n++] = &g->q[g->qhead];
		} else {
			while (n < g->qn && n < k) {
				struct chunk *c = &g->q[(g->qhead + n) % GEN_QMAX];

				if (c->flags & CH_FRAG)
					break;
				if (n > 0 && room + 16 + c->len > mtu_room)
					break;
				room += 16u + c->len;
				pk[n++] = c;
				if (c->flags & CH_FLUSH)
					break;
			}
		}
		send_data(g, &g->as[ai], side, pk, n, (pk[0]->flags & CH_FRAG) != 0);
		g->qhead = (g->qhead + n) % GEN_QMAX;
		g->qn -= n;
	}
}

/* ---- site file ---- */

static int
is_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
read_list(const config_setting_t *parent, const char *key, struct sw_gen_list *l, int required,
	  size_t maxdig, const char *path, char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(parent, key);
	int i, n;

	l->n = 0;
	if (s == NULL) {
		if (required) {
			snprintf(err, errlen, "%s: missing %s", path, key);
			return -EINVAL;
		}
		return 0;
	}
	if (!config_setting_is_aggregate(s)) {
		snprintf(err, errlen, "%s:%d: %s must be a list of strings", path,
			 config_setting_source_line(s), key);
		return -EINVAL;
	}
	n = config_setting_length(s);
	if (n == 0 && required) {
		snprintf(err, errlen, "%s:%d: %s is empty", path, config_setting_source_line(s),
			 key);
		return -EINVAL;
	}
	for (i = 0; i < n && i < SW_GEN_MAX_LIST; i++) {
		const char *v = config_setting_get_string_elem(s, i);

		if (v == NULL || !is_digits(v, 1, maxdig)) {
			snprintf(err, errlen, "%s:%d: %s[%d] must be a string of 1-%zu digits",
				 path, config_setting_source_line(s), key, i, maxdig);
			return -EINVAL;
		}
		strcpy(l->v[l->n++], v);
	}
	return 0;
}

/* `country = "GB";` (ISO 3166 alpha-2, issue 15 D5): optional; two capital letters. */
static int
read_country(const config_setting_t *parent, const char *key, char *cc, const char *path,
	     char *err, size_t errlen)
{
	const config_setting_t *s = config_setting_get_member(parent, key);
	const char *v;

	cc[0] = '\0';
	if (s == NULL)
		return 0;
	v = config_setting_get_string(s);
	if (v == NULL || strlen(v) != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z') {
		snprintf(err, errlen, "%s:%d: %s must be an ISO 3166 alpha-2 code such as \"GB\"",
			 path, config_setting_source_line(s), key);
		return -EINVAL;
	}
	memcpy(cc, v, 3);
	return 0;
}

/* A country of a velocity entry: two capital letters. */
static int
velocity_cc(const config_setting_t *list, int i, char *cc, const char *path, char *err,
	    size_t errlen)
{
	const char *v = config_setting_get_string_elem(list, i);

	if (v == NULL || strlen(v) != 2 || v[0] < 'A' || v[0] > 'Z' || v[1] < 'A' || v[1] > 'Z') {
		snprintf(err, errlen, "%s:%d: velocity countries must be ISO 3166 alpha-2 codes",
			 path, config_setting_source_line(list));
		return -EINVAL;
	}
	memcpy(cc, v, 3);
	return 0;
}

/*
 * site.velocity = { default_minutes = 120; neighbours = ( ["GB", "FR"] ); pairs = ( { countries
 * = ["GB", "TZ"]; minutes = 300; } ); } (issue 15 D5; every key optional, neighbours 0 minutes).
 */
static int
read_velocity(const config_t *cfg, struct sw_gen_site *st, const char *path, char *err,
	      size_t errlen)
{
	const config_setting_t *v = config_lookup(cfg, "site.velocity"), *l;
	int dm;

	st->vel_default_minutes = 120;
	st->nvel = 0;
	if (v == NULL)
		return 0;
	if (config_setting_lookup_int(v, "default_minutes", &dm)) {
		if (dm < 0) {
			snprintf(err, errlen, "%s:%d: default_minutes must be >= 0", path,
				 config_setting_source_line(v));
			return -EINVAL;
		}
		st->vel_default_minutes = (uint32_t)dm;
	}
	for (int kind = 0; kind < 2; kind++) {
		l = config_setting_get_member(v, kind == 0 ? "neighbours" : "pairs");
		for (int i = 0; l != NULL && i < config_setting_length(l); i++) {
			const config_setting_t *e = config_setting_get_elem(l, (unsigned)i), *c = e;
			int minutes = 0;

			if (kind == 1) {
				c = config_setting_get_member(e, "countries");
				if (c == NULL || !config_setting_lookup_int(e, "minutes", &minutes) ||
				    minutes < 0) {
					snprintf(err, errlen,
						 "%s:%d: a velocity pair needs countries and minutes >= 0",
						 path, config_setting_source_line(e));
					return -EINVAL;
				}
			}
			if (st->nvel >= (int)(sizeof(st->vel) / sizeof(st->vel[0])))
				break;
			if (c == NULL || config_setting_length(c) != 2) {
				snprintf(err, errlen, "%s:%d: velocity entries name two countries", path,
					 config_setting_source_line(e));
				return -EINVAL;
			}
			if (velocity_cc(c, 0, st->vel[st->nvel].a, path, err, errlen) < 0 ||
			    velocity_cc(c, 1, st->vel[st->nvel].b, path, err, errlen) < 0)
				return -EINVAL;
			st->vel[st->nvel++].minutes = (uint32_t)minutes;
		}
	}
	return 0;
}

static int
site_load(const char *path, struct sw_gen_site *st, char *err, size_t errlen)
{
	config_t cfg;
	const config_setting_t *home, *parts, *pcs;
	const char *name;
	int i, rc = -EINVAL;

	memset(st, 0, sizeof(*st));
	config_init(&cfg);
	errno = 0;
	if (!config_read_file(&cfg, path)) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO) {
			rc = errno != 0 ? -errno : -EIO;
			snprintf(err, errlen, "cannot read site file %s: %s", path, strerror(-rc));
		} else {
			snprintf(err, errlen, "%s:%d: %s", path, config_error_line(&cfg),
				 config_error_text(&cfg));
		}
		goto out;
	}
	if (config_lookup_string(&cfg, "site.name", &name))
		snprintf(st->name, sizeof(st->name), "%s", name);
	home = config_lookup(&cfg, "site.home");
	if (home == NULL || !config_setting_is_group(home)) {
		snprintf(err, errlen, "%s: missing group site.home", path);
		goto out;
	}
	if (read_list(home, "plmn", &st->plmn, 1, 6, path, err, errlen) < 0 ||
	    read_list(home, "gt", &st->gt, 1, 15, path, err, errlen) < 0 ||
	    read_list(home, "msisdn", &st->msisdn, 1, 15, path, err, errlen) < 0 ||
	    read_list(home, "hlr", &st->hlr, 0, 15, path, err, errlen) < 0 ||
	    read_list(home, "vlr", &st->vlr, 0, 15, path, err, errlen) < 0 ||
	    read_list(home, "msc", &st->msc, 0, 15, path, err, errlen) < 0 ||
	    read_list(home, "smsc", &st->smsc, 0, 15, path, err, errlen) < 0)
		goto out;
	for (i = 0; i < st->plmn.n; i++)
		if (strlen(st->plmn.v[i]) < 5) {
			snprintf(err, errlen, "%s: site.home.plmn \"%s\" is not MCC+MNC", path,
				 st->plmn.v[i]);
			goto out;
		}
	pcs = config_setting_get_member(home, "point_codes");
	if (pcs == NULL || !config_setting_is_aggregate(pcs) || config_setting_length(pcs) == 0) {
		snprintf(err, errlen, "%s: site.home.point_codes must be a non-empty list", path);
		goto out;
	}
	for (i = 0; i < config_setting_length(pcs) && i < SW_GEN_MAX_LIST; i++) {
		const config_setting_t *e = config_setting_get_elem(pcs, (unsigned)i);

		if (config_setting_type(e) != CONFIG_TYPE_INT || config_setting_get_int(e) < 0 ||
		    config_setting_get_int(e) > 16383) {
			snprintf(err, errlen, "%s:%d: point_codes[%d] must be an integer 0-16383",
				 path, config_setting_source_line(pcs), i);
			goto out;
		}
		st->pc[st->npc++] = (uint32_t)config_setting_get_int(e);
	}
	parts = config_lookup(&cfg, "site.partners");
	if (parts == NULL || !config_setting_is_aggregate(parts) ||
	    config_setting_length(parts) == 0) {
		snprintf(err, errlen, "%s: site.partners must be a non-empty list", path);
		goto out;
	}
	/* The first 64 only: sigwall-gen does not send a partner's traffic over the links the site
	 * binds it to (site.links), so a larger site's later partners (tests/policy mksite.py binds
	 * them to links) would be dropped by partner-wrong-link. Said on stderr, not silently. */
	if (config_setting_length(parts) > SW_GEN_MAX_PARTNERS)
		fprintf(stderr,
			"sigwall-gen: %s has %d partners; traffic is drawn from the first %d "
			"(the policy still knows them all)\n",
			path, config_setting_length(parts), SW_GEN_MAX_PARTNERS);
	for (i = 0; i < config_setting_length(parts) && i < SW_GEN_MAX_PARTNERS; i++) {
		const config_setting_t *p = config_setting_get_elem(parts, (unsigned)i);
		struct sw_gen_partner *sp = &st->partners[st->npartners];
		const char *pn = NULL;
		int j;

		if (!config_setting_is_group(p) || !config_setting_lookup_string(p, "name", &pn)) {
			snprintf(err, errlen, "%s:%d: partner %d needs a name", path,
				 config_setting_source_line(p), i);
			goto out;
		}
		snprintf(sp->name, sizeof(sp->name), "%s", pn);
		if (read_country(p, "country", sp->country, path, err, errlen) < 0)
			goto out;
		if (sp->country[0] == '\0') {
			/* no country: one of its own, never a real ISO code ("Q0".."Q9", "QA"..) */
			sp->country[0] = (char)("QRSTUVWXYZ"[(i / 36) % 10]);
			sp->country[1] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[i % 36];
			sp->country[2] = '\0';
		}
		if (read_list(p, "plmn", &sp->plmn, 1, 6, path, err, errlen) < 0 ||
		    read_list(p, "gt", &sp->gt, 1, 15, path, err, errlen) < 0)
			goto out;
		for (j = 0; j < sp->plmn.n; j++)
			if (strlen(sp->plmn.v[j]) < 5) {
				snprintf(err, errlen, "%s: partner %s plmn \"%s\" is not MCC+MNC",
					 path, sp->name, sp->plmn.v[j]);
				goto out;
			}
		st->npartners++;
	}
	if (read_country(home, "country", st->country, path, err, errlen) < 0 ||
	    read_velocity(&cfg, st, path, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	config_destroy(&cfg);
	return rc;
}

/* Foreign networks that are neither home nor partner: attackers and unknown destinations. */
static void
foreign_init(struct gen *g)
{
	static const char *const cand[] = {"8613",  "23767", "7916", "96650", "2348",
					   "38050", "92300", "6281", "5511",  "99412"};
	const struct sw_gen_site *st = g->site;
	size_t i;
	int p, j;

	g->nforeign = 0;
	for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		int clash = 0;
		const struct sw_gen_list *ls[2] = {&st->gt, &st->msisdn};

		for (j = 0; j < 2; j++) {
			int k;

			for (k = 0; k < ls[j]->n; k++)
				if (strncmp(cand[i], ls[j]->v[k], strlen(cand[i])) == 0 ||
				    strncmp(cand[i], ls[j]->v[k], strlen(ls[j]->v[k])) == 0)
					clash = 1;
		}
		for (p = 0; p < st->npartners; p++) {
			const struct sw_gen_list *l = &st->partners[p].gt;
			int k;

			for (k = 0; k < l->n; k++)
				if (strncmp(cand[i], l->v[k], strlen(cand[i])) == 0 ||
				    strncmp(cand[i], l->v[k], strlen(l->v[k])) == 0)
					clash = 1;
		}
		if (!clash)
			strcpy(g->foreign[g->nforeign++], cand[i]);
	}
	if (g->nforeign == 0)
		strcpy(g->foreign[g->nforeign++], "999"); /* E.164 spare code, never assigned */
}

/* ---- command line ---- */

static void
usage(FILE *f)
{
	fprintf(f, "usage: sigwall-gen --profile roaming|attacks|stateful --site SITE --msus N --seed S\n"
		   "                   -o OUT.pcap [--labels OUT.jsonl] [--attack-share P]\n"
		   "                   [--bundle-max K] [--assocs A] [--subscribers N] [--attackers G]\n"
		   "                   [--ipv6] [--vlan ID] [--ludt] [--sccp-extra P] [--cap P] [--ansi]\n"
		   "                   [--m2pa] [--bench]\n");
}

static const char *tmp_pcap, *tmp_labels;
static char tmp_pcap_buf[PATH_MAX], tmp_labels_buf[PATH_MAX];

static void
cleanup_tmp(void)
{
	if (tmp_pcap != NULL)
		unlink(tmp_pcap);
	if (tmp_labels != NULL)
		unlink(tmp_labels);
}

static void __attribute__((noreturn, format(printf, 1, 2))) fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sigwall-gen: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cleanup_tmp();
	exit(2);
}

/* Open an output: a temporary name in the same folder, renamed at the end (or the path itself
 * when it is not a regular file, e.g. /dev/null). */
static FILE *
open_out(const char *path, char *tmpbuf, const char **tmpname)
{
	struct stat st;
	FILE *f;
	int fd;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (S_ISDIR(st.st_mode))
			fail("cannot write %s: %s", path, "is a directory");
		f = fopen(path, "wb");
		if (f == NULL)
			fail("cannot write %s: %s", path, strerror(errno));
		*tmpname = NULL;
		return f;
	}
	if (snprintf(tmpbuf, PATH_MAX, "%s.tmp.XXXXXX", path) >= PATH_MAX)
		fail("cannot write %s: %s", path, "name too long");
	fd = mkstemp(tmpbuf);
	if (fd < 0)
		fail("cannot write %s: %s", path, strerror(errno));
	*tmpname = tmpbuf;
	fchmod(fd, 0644);
	f = fdopen(fd, "wb");
	if (f == NULL)
		fail("cannot write %s: %s", path, strerror(errno));
	return f;
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char *end;
	unsigned long long x;

	if (s == NULL || *s == '\0' || *s == '-')
		return -1;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0')
		return -1;
	*v = x;
	return 0;
}

/* A share 0..1 given to --opt; exits 2 on anything else. */
static double
parse_share(const char *s, const char *opt)
{
	char *end;
	double v = strtod(s, &end);

	if (*end != '\0' || !(v >= 0 && v <= 1))
		fail("invalid --%s %s (0..1)", opt, s);
	return v;
}

/* Command line of sigwall-gen (parse_options). */
struct gen_opts {
	const char *profile, *site_path, *out, *labels, *msus_s;
	uint64_t seed;
	double share;
	int bench;
};

static void
parse_options(int argc, char **argv, struct gen *g, struct gen_opts *o)
{
	static const struct option opts[] = {
		{"profile", required_argument, NULL, 'p'},
		{"site", required_argument, NULL, 's'},
		{"msus", required_argument, NULL, 'n'},
		{"seed", required_argument, NULL, 'S'},
		{"output", required_argument, NULL, 'o'},
		{"labels", required_argument, NULL, 'l'},
		{"attack-share", required_argument, NULL, 'a'},
		{"bundle-max", required_argument, NULL, 'b'},
		{"assocs", required_argument, NULL, 'A'},
		{"subscribers", required_argument, NULL, 'U'},
		{"attackers", required_argument, NULL, 'F'},
		{"ipv6", no_argument, NULL, '6'},
		{"ludt", no_argument, NULL, 'L'},
		{"ansi", no_argument, NULL, 'N'},
		{"m2pa", no_argument, NULL, 'M'},
		{"sccp-extra", required_argument, NULL, 'X'},
		{"cap", required_argument, NULL, 'C'},
		{"vlan", required_argument, NULL, 'v'},
		{"bench", no_argument, NULL, 'B'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	uint64_t v;
	int c;

	memset(o, 0, sizeof(*o));
	o->seed = 1;
	o->share = -1;
	g->bundle_max = 7;
	g->vlan = -1;
	g->nassoc = 4;
	g->home_subs = 100000;
	g->attackers = FOREIGN_NODES;
	opterr = 0; /* one-line errors of our own */
	while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->profile = optarg;
			break;
		case 's':
			o->site_path = optarg;
			break;
		case 'n':
			o->msus_s = optarg;
			break;
		case 'S':
			if (parse_u64(optarg, &o->seed) < 0)
				fail("invalid --seed %s", optarg);
			break;
		case 'o':
			o->out = optarg;
			break;
		case 'l':
			o->labels = optarg;
			break;
		case 'a':
			o->share = parse_share(optarg, "attack-share");
			break;
		case 'b':
			if (parse_u64(optarg, &v) < 0 || v < 1 || v > 16)
				fail("invalid --bundle-max %s (1..16)", optarg);
			g->bundle_max = (int)v;
			break;
		case 'A':
			if (parse_u64(optarg, &v) < 0 || v < 1 || v > GEN_MAX_ASSOC)
				fail("invalid --assocs %s (1..64)", optarg);
			g->nassoc = (int)v;
			break;
		case 'U':
			if (parse_u64(optarg, &v) < 0 || v < 1 || v > 100000000)
				fail("invalid --subscribers %s (1..100000000)", optarg);
			g->home_subs = (uint32_t)v;
			break;
		case 'F':
			if (parse_u64(optarg, &v) < 0 || v < 1 || v > FOREIGN_NODES)
				fail("invalid --attackers %s (1..%d)", optarg, FOREIGN_NODES);
			g->attackers = (uint32_t)v;
			break;
		case 'L':
			g->ludt = 1;
			break;
		case 'N':
			sw_gen_set_ansi(1); /* ANSI T1.112.3 SCCP (issue 17 D6) */
			break;
		case 'M':
			g->m2pa = 1; /* M2PA User Data, ITU label (issue 17 D5) or ANSI with --ansi */
			break;
		case 'X':
			g->sccp_extra = parse_share(optarg, "sccp-extra");
			break;
		case 'C':
			g->cap = parse_share(optarg, "cap"); /* CAMEL dialogues (issue 17 D3) */
			break;
		case '6':
			g->ipv6 = 1;
			break;
		case 'v':
			if (parse_u64(optarg, &v) < 0 || v < 1 || v > 4094)
				fail("invalid --vlan %s (1..4094)", optarg);
			g->vlan = (int)v;
			break;
		case 'B':
			o->bench = 1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			fail("unknown or incomplete option %s (see --help)", argv[optind - 1]);
		}
	}
	if (optind < argc)
		fail("unexpected argument %s", argv[optind]);
	if (o->profile == NULL)
		fail("missing --profile (roaming, attacks or stateful)");
	if (strcmp(o->profile, "roaming") == 0)
		g->attack_share = o->share >= 0 ? o->share : 0.0;
	else if (strcmp(o->profile, "attacks") == 0)
		g->attack_share = o->share >= 0 ? o->share : 0.5;
	else if (strcmp(o->profile, "stateful") == 0)
		g->stateful = 1;
	else
		fail("unknown profile %s (roaming, attacks or stateful)", o->profile);
	if (o->msus_s == NULL)
		fail("missing --msus N");
	if (parse_u64(o->msus_s, &g->target) < 0 || g->target == 0)
		fail("invalid --msus %s: must be a positive integer", o->msus_s);
	if (o->site_path == NULL)
		fail("missing --site SITE");
	if (o->out == NULL)
		o->out = o->bench ? "/dev/null" : NULL;
	if (o->out == NULL)
		fail("missing -o OUT.pcap");
}

/* Site, populations, label texts, dialogue pool, clock; the stateful profile's tables. */
static void
setup(struct gen *g, const struct gen_opts *o, struct sw_gen_site *site)
{
	char err[512];
	int i;

	if (site_load(o->site_path, site, err, sizeof(err)) < 0)
		fail("%s", err);
	g->site = site;
	g->want_labels = o->labels != NULL;
	if (g->stateful) {
		/* one MSU per packet: a story's messages go to any association, alone */
		g->bundle_max = 1;
		stf.site = site;
		for (i = 0; i < ST_KINDS; i++)
			stf.kind_total += st_weight[i];
		for (i = 0; i < ST_TRAVELLERS; i++)
			stf.trav[i].partner = -1;
	}
	sw_gen_rng_seed(&g->rng, o->seed);
	g->salt = mix64(o->seed ^ 0x5157414c4c47454eULL);
	g->partner_subs = g->home_subs / 4 > 0 ? g->home_subs / 4 : 1;
	foreign_init(g);
	for (i = 0; i < SC_COUNT; i++)
		label_tail[i].n = (size_t)snprintf(label_tail[i].s, sizeof(label_tail[i].s),
						   ",\"label\":\"%s\",\"expect\":\"%s\"}\n",
						   sc_name[i], expect_name[sc_expect[i]]);
	label_held.n = (size_t)snprintf(label_held.s, sizeof(label_held.s),
					",\"label\":\"%s\",\"expect\":\"allow\"}\n",
					sc_name[SC_EV_XUDT]);
	for (i = 0; i < (int)N_LEGIT_OPS; i++)
		legit_total_weight += legit_ops[i].weight;
	for (i = 0; i < GEN_POOL; i++)
		g->freel[i] = (uint16_t)(GEN_POOL - 1 - i);
	g->nfree = GEN_POOL;
	g->ts_us = 1767225600ull * 1000000ull; /* 2026-01-01T00:00:00Z */
	g->phase_left = 1000;
}

int
main(int argc, char **argv)
{
	static struct sw_gen_site site;
	static struct gen g;
	struct gen_opts o;
	FILE *fp, *fl = NULL;
	struct timespec t0, t1, c0, c1;
	int i;

	memset(&g, 0, sizeof(g));
	parse_options(argc, argv, &g, &o);
	setup(&g, &o, &site);

	atexit(cleanup_tmp);
	fp = open_out(o.out, tmp_pcap_buf, &tmp_pcap);
	if (o.labels != NULL)
		fl = open_out(o.labels, tmp_labels_buf, &tmp_labels);
	if (sw_gen_out_open(&g.pcap, fp, 1 << 20) < 0 ||
	    (fl != NULL && sw_gen_out_open(&g.labels, fl, 1 << 20) < 0))
		fail("out of memory");

	/* the loop: associations up, then MSUs until the target */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	sw_gen_pcap_header(&g.pcap);
	for (i = 0; i < g.nassoc; i++) {
		assoc_init(&g, i);
		assoc_start(&g, &g.as[i]);
	}
	run(&g);
	if (sw_gen_out_flush(&g.pcap) < 0 || fflush(fp) != 0 || ferror(fp))
		fail("cannot write %s: %s", o.out, strerror(errno ? errno : EIO));
	if (fl != NULL && (sw_gen_out_flush(&g.labels) < 0 || fflush(fl) != 0 || ferror(fl)))
		fail("cannot write %s: %s", o.labels, strerror(errno ? errno : EIO));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	if (fclose(fp) != 0)
		fail("cannot write %s: %s", o.out, strerror(errno));
	if (fl != NULL && fclose(fl) != 0)
		fail("cannot write %s: %s", o.labels, strerror(errno));
	if (tmp_pcap != NULL && rename(tmp_pcap, o.out) != 0)
		fail("cannot write %s: %s", o.out, strerror(errno));
	tmp_pcap = NULL;
	if (tmp_labels != NULL && rename(tmp_labels, o.labels) != 0)
		fail("cannot write %s: %s", o.labels, strerror(errno));
	tmp_labels = NULL;
	sw_gen_out_free(&g.pcap);
	if (fl != NULL)
		sw_gen_out_free(&g.labels);
	if (o.bench) {
		double s =
			(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

		double cs =
			(double)(c1.tv_sec - c0.tv_sec) + (double)(c1.tv_nsec - c0.tv_nsec) / 1e9;

		/* wall-clock rate first; the CPU-time rate is what one uncontended core does */
		printf("sigwall-gen bench: %llu MSUs, %llu frames in %.3f s: %.2f M MSUs/s "
		       "(%.3f s CPU: %.2f M MSUs/s per CPU second)\n",
		       (unsigned long long)g.msus, (unsigned long long)g.frame, s,
		       (double)g.msus / s / 1e6, cs, (double)g.msus / cs / 1e6);
	}
	return 0;
}
