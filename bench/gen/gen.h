/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sigwall-gen: internal interfaces shared by the generator's files.
 *
 * wire.c    random numbers, CRC32c, pcap writer, Ethernet/IP/SCTP/M3UA framing
 * msg.c     BER builder, SCCP, TCAP, MAP parameters, ISUP IAM
 * main.c    command line, site file, traffic model, labels
 */
#ifndef SW_GEN_H
#define SW_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- random numbers (xoshiro256**, seeded with splitmix64) ---- */

struct sw_gen_rng {
	uint64_t s[4];
};

void sw_gen_rng_seed(struct sw_gen_rng *r, uint64_t seed);

static inline uint64_t
sw_gen_rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
sw_gen_rng_next(struct sw_gen_rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = sw_gen_rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = sw_gen_rng_rotl(s[3], 45);
	return res;
}

/* Uniform integer in [0, n). n > 0. */
static inline uint32_t
sw_gen_rng_below(struct sw_gen_rng *r, uint32_t n)
{
	return (uint32_t)(((sw_gen_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* True with probability p (0..1). */
static inline int
sw_gen_rng_chance(struct sw_gen_rng *r, double p)
{
	return (double)(sw_gen_rng_next(r) >> 11) * (1.0 / 9007199254740992.0) < p;
}

/* ---- CRC32c (RFC 4960 Appendix B) ---- */


/* ---- buffered output (pcap and labels) ---- */

struct sw_gen_out {
	FILE *f;
	uint8_t *buf;
	size_t len;
	size_t cap;
	int err;
};

int sw_gen_out_open(struct sw_gen_out *o, FILE *f, size_t cap);
void sw_gen_out_write(struct sw_gen_out *o, const void *p, size_t n);
int sw_gen_out_flush(struct sw_gen_out *o);
void sw_gen_out_free(struct sw_gen_out *o);

void sw_gen_pcap_header(struct sw_gen_out *o);
void sw_gen_pcap_record(struct sw_gen_out *o, uint64_t ts_us, const uint8_t *frame, size_t len);

/* ---- backward BER/message builder ----
 * Messages are built from the end toward the start: content first, then its tag and length
 * in front. That makes every length known when it is written, with no second pass.
 */

enum sw_gen_blen {
	SW_GEN_BLEN_MIN = 0, /* X.690 8.1.3.3 short form / minimal long form */
	SW_GEN_BLEN_LONG,    /* X.690 8.1.3.5 long form even where short would do */
	SW_GEN_BLEN_INDEF,   /* X.690 8.1.3.6 indefinite form on constructed encodings */
};

struct sw_gen_bb {
	uint8_t *start; /* lowest usable byte */
	uint8_t *p;	/* first byte written so far */
	uint8_t *end;	/* one past the last byte */
	enum sw_gen_blen mode;
};

void sw_gen_bb_init(struct sw_gen_bb *b, uint8_t *buf, size_t cap);

static inline size_t
sw_gen_bb_len(const struct sw_gen_bb *b)
{
	return (size_t)(b->end - b->p);
}

/* ---- site (the policy issue's libconfig schema, patterns/README.md) ---- */

#define SW_GEN_MAX_LIST	    16
#define SW_GEN_MAX_PARTNERS 64

struct sw_gen_list {
	int n;
	char v[SW_GEN_MAX_LIST][24];
};

struct sw_gen_partner {
	char name[32];
	char country[3]; /* ISO 3166 alpha-2 (`country = "GB";`); absent: a code of its own */
	struct sw_gen_list plmn;
	struct sw_gen_list gt;
};

struct sw_gen_site {
	char name[64];
	struct sw_gen_list plmn, gt, msisdn, hlr, vlr, msc, smsc;
	int npc;
	uint32_t pc[SW_GEN_MAX_LIST];
	int npartners;
	struct sw_gen_partner partners[SW_GEN_MAX_PARTNERS];
	char country[3]; /* site.home.country */
	/* site.velocity (issue 15 D5): minimum travel minutes between countries */
	uint32_t vel_default_minutes; /* default_minutes, 120 when absent */
	int nvel;
	struct {
		char a[3], b[3];
		uint32_t minutes; /* neighbours: 0 */
	} vel[64];
};

/* ---- message descriptions (msg.c) ---- */

enum sw_gen_tcap_type {
	SW_GEN_BEGIN = 0x62,	/* Q.773 4.2.1 [APPLICATION 2] */
	SW_GEN_END = 0x64,	/* [APPLICATION 4] */
	SW_GEN_CONTINUE = 0x65, /* [APPLICATION 5] */
};

enum sw_gen_dlg {
	SW_GEN_DLG_NONE = 0,
	SW_GEN_DLG_AARQ, /* dialogueRequest in the first Begin */
	SW_GEN_DLG_AARE, /* dialogueResponse in the first backward message */
};

enum sw_gen_comp_type {
	SW_GEN_INVOKE = 0xa1, /* Q.773 4.2.2 [1] */
	SW_GEN_RRL = 0xa2,    /* returnResultLast [2] */
};

/* Malformations applied on purpose. */
enum sw_gen_mal {
	SW_GEN_MAL_NONE = 0,
	SW_GEN_MAL_NEG_OPCODE,	 /* local opcode -666 */
	SW_GEN_MAL_GLOBAL_OP,	 /* opcode as a globalValue OID (well formed, but policy: drop) */
	SW_GEN_MAL_LONG_ACN,	 /* application-context-name OID of ~100 bytes */
	SW_GEN_MAL_TRUNC,	 /* TCAP message cut short inside the component portion */
	SW_GEN_MAL_LEN_OVERFLOW, /* last component's length exceeds the component portion */
};

struct sw_gen_comp {
	uint8_t type; /* enum sw_gen_comp_type */
	uint8_t iid;
	uint8_t op;
	uint8_t noparam; /* invoke without argument / result without result part */
};

/* Everything a MAP argument or result needs. Digit strings, NUL-terminated. */
struct sw_gen_sub {
	char imsi[16];
	char msisdn[16];
	char node_a[16]; /* msc/vlr number, service centre, gsmSCF, MLC, ... */
	char node_b[16]; /* hlr number, vlr number, roaming number ... */
	/* CAP (issue 17 D3): the serving cell's MCC+MNC (locationInformation of initialDP) and the
	 * event eventReportBCSM reports (TS 29.078 EventTypeBCSM: 7 oAnswer, 9 oDisconnect) */
	char cell_plmn[8];
	uint8_t cap_event;
};

struct sw_gen_sccp_addr {
	char gt[16];
	uint8_t ssn;
	uint8_t gti; /* 4 (TT, NP, ES, NAI) or 2 (TT only) */
};

/* MAP-OPEN of a Begin's AARQ (TS 29.002 7.3.1): destinationReference an IMSI (E.212),
 * originationReference an E.164 number (empty: absent). */
struct sw_gen_map_open {
	char dest_imsi[16];
	char orig[16];
};

struct sw_gen_tcap {
	uint8_t type; /* enum sw_gen_tcap_type */
	uint8_t dlg;  /* enum sw_gen_dlg */
	uint8_t acn;  /* MAP application context (3GPP TS 29.002 17.3.2), 0.4.0.0.1.0.acn.ver */
	uint8_t acn_ver;
	uint32_t otid, dtid;
	uint8_t ncomp;
	struct sw_gen_comp comp[3];
	uint8_t mal;	 /* enum sw_gen_mal */
	uint8_t lenmode; /* enum sw_gen_blen */
	const struct sw_gen_map_open *map_open; /* AARQ user-information; NULL: none */
	/* CAP (sigwall-gen --cap, issue 17 D3): the components are CAP operations (TS 29.078):
	 * their arguments are CAP's (msg.c enc_cap_arg); acn/acn_ver give the CAP v1/v2
	 * application context 0.4.0.0.1.0.<50-52>.<v-1>, encoded as MAP's are */
	uint8_t cap;
};

/* Encode a TCAP message carrying MAP into b (backward). */
void sw_gen_tcap(struct sw_gen_bb *b, const struct sw_gen_tcap *t, const struct sw_gen_sub *s);

/* SCCP UDT around the TCAP bytes already in b (Q.713 4.10). */
void sw_gen_sccp_udt(struct sw_gen_bb *b, const struct sw_gen_sccp_addr *cdpa,
		     const struct sw_gen_sccp_addr *cgpa);

/* SCCP XUDT segment (Q.713 4.18) around data[0..n); remaining: segments after this one. */
/* LUDT (Q.713 4.20) around the TCAP message in b (sigwall-gen --ludt). */
void sw_gen_sccp_ludt(struct sw_gen_bb *b, const struct sw_gen_sccp_addr *cdpa,
		      const struct sw_gen_sccp_addr *cgpa);
void sw_gen_sccp_xudt(struct sw_gen_bb *b, const struct sw_gen_sccp_addr *cdpa,
		      const struct sw_gen_sccp_addr *cgpa, const uint8_t *data, size_t n, int first,
		      int remaining, uint32_t local_ref);

/* SCCP management message (Q.713 5.3: 1 SSA, 2 SSP, 3 SST, 4 SOR, 5 SOG, 6 SSC) in a UDT
 * between SSN 1 of point codes cgpc -> cdpc (the calling party by global title cg_gt instead
 * when not NULL), about SSN assn at point code apc. */
void sw_gen_sccp_scmg(struct sw_gen_bb *b, uint8_t type, uint8_t assn, uint32_t apc,
		      uint32_t cdpc, uint32_t cgpc, uint8_t cong, const char *cg_gt);

/* Connection-oriented SCCP message (Q.713 4.2-4.7: 0x01 CR, 0x02 CC, 0x04 RLSD, 0x05 RLC,
 * 0x06 DT1 with data[0..n)). */
void sw_gen_sccp_co(struct sw_gen_bb *b, uint8_t type, uint32_t dlr, uint32_t slr,
		    uint32_t cdpc, uint8_t cdssn, const uint8_t *data, size_t n);

/* sigwall-gen --ansi (issue 17 D6): every later SCCP address and management message in the
 * ANSI T1.112.3 format (the point codes are the site's, 24 bits). */
void sw_gen_set_ansi(int on);

/* ISUP IAM (Q.763 1.24). */
void sw_gen_isup_iam(struct sw_gen_bb *b, uint16_t cic, const char *cdpn, const char *cgpn);

/* M3UA DATA (RFC 4666 3.3.1) around the MTP3 user part in b; pads the user part to 4 bytes. */
/* M2PA User Data (RFC 4165 2.3.1) around the MTP3 user part in b: headers, PRI, SIO, ITU label
 * (Q.704 2.2.2); BSN and FSN zero, set by the sender (sigwall-gen --m2pa). */
void sw_gen_m2pa_data(struct sw_gen_bb *b, uint32_t opc, uint32_t dpc, uint8_t si, uint8_t sls);
void sw_gen_m2pa_label(const uint8_t *msg, uint32_t *opc, uint32_t *dpc);
void sw_gen_m3ua_data(struct sw_gen_bb *b, uint32_t rc, uint32_t opc, uint32_t dpc, uint8_t si,
		      uint8_t sls);

/* Write a TBCD/BCD digit string, low nibble first, filler nibble for odd counts. */
size_t sw_gen_bcd(uint8_t *dst, const char *digits, uint8_t filler);

#endif
