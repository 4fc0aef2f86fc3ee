/* SPDX-License-Identifier: BSD-3-Clause */
/* Internals of the enforce library shared by enforce.c, assoc.c and repair.c. */
#ifndef SW_ENFORCE_INT_H
#define SW_ENFORCE_INT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "dataplane/proto/sctp.h"
#include "enforce.h"

/* SCTP wire constants: dataplane/proto/sctp.h (RFC 9260, with the clauses). */

#define ENF_MAX_CHUNKS	  64   /* chunks a packet may have to be rewritten */
#define ENF_WIN		  1024 /* TSN window of seen/removed bits per direction */
#define ENF_REM_MAX	  64   /* removed TSNs not yet acknowledged, per direction */
#define ENF_STREAMS	  32   /* ordered streams with removed messages, per direction */
#define ENF_SACK_GAPS_MAX 256  /* gap blocks translated per SACK */
#define ENF_SACK_OUT_MAX  2048 /* bytes of a translated SACK chunk */

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void
wr32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void
wr16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Serial number arithmetic, RFC 1982 as used by RFC 4960 1.6. */
static inline bool
tsn_lt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool
tsn_le(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) <= 0;
}

/* One removed TSN and the ordered message number it carried. */
struct enf_rem {
	uint32_t tsn;
	uint32_t seq; /* SSN (DATA) or MID (I-DATA) when kind != 0 */
	uint16_t sid;
	uint8_t kind; /* 0: no ordered number removed, 1: SSN, 2: I-DATA MID */
};

/* An ordered stream that had messages removed: how many were pruned from rem[] (acked). */
struct enf_stream {
	uint16_t sid;
	uint8_t kind; /* 1: SSN, 2: MID; 0: slot unused */
	uint32_t pruned;
};

/* Data sent in one direction of an association, in the sender's (original) numbering. */
struct enf_flow {
	bool known;	    /* initial TSN learned */
	uint32_t max_tsn;   /* highest TSN seen (initial TSN - 1 before any) */
	uint32_t cum_rcv;   /* receiver's last cumulative ack, translated to original */
	uint32_t cum_told;  /* highest cumulative ack the sender has been given */
	uint32_t a_rwnd;    /* receiver's last advertised window */
	uint32_t rem_base;  /* removed TSNs pruned from rem[] (all below any live TSN) */
	uint32_t rem_total; /* removed TSNs ever: 0 means the identity mapping */
	uint16_t rem_head, rem_cnt;
	uint64_t st_filter;	     /* bit sid % 64 set: maybe an entry in st[] */
	uint64_t seen[ENF_WIN / 64]; /* bit (tsn % ENF_WIN): seen, for (max-WIN, max] */
	uint64_t removed[ENF_WIN / 64];
	struct enf_rem rem[ENF_REM_MAX]; /* removed TSNs not yet acknowledged, ascending */
	struct enf_stream st[ENF_STREAMS];
};

enum enf_state {
	ENF_FREE,
	ENF_INIT, /* INIT seen */
	ENF_HALF, /* INIT-ACK seen */
	ENF_UP,	  /* COOKIE-ACK or traffic seen after INIT-ACK */
};

/* A further INIT-ACK's tag kept during the handshake (RFC 9260 5.2.1: a responder answers
 * every INIT, even a duplicated or retransmitted one, with a new tag and initial TSN; 5.2.3: the
 * initiator uses the first INIT-ACK it receives, which need not be the first one we saw). */
#define ENF_CAND 3
struct enf_cand {
	uint32_t tag, itsn, a_rwnd;
};

/* M2PA (RFC 4165) numbering of one direction (m2pa.c): User Data FSNs removed and not yet
 * acknowledged by the other side's BSN (ascending), and how many were folded away before. */
#define ENF_M2PA_REM 32
struct enf_m2pa {
	uint32_t base;
	uint16_t cnt;
	uint32_t rem[ENF_M2PA_REM];
};

struct enf_assoc {
	uint8_t state;
	bool vtag_set[2];
	uint32_t vtag[2]; /* verification tag carried by packets of direction d */
	uint16_t port[2]; /* SCTP port of the endpoint on side d (it sends direction d) */
	uint8_t ncand;	  /* candidates for vtag[cand_dir], each indexed (slot k = 1 + i) */
	uint8_t cand_dir; /* the initiator's direction */
	uint32_t init_tsn; /* the INIT's initial TSN: a repeated INIT keeps the entry */
	struct enf_cand cand[ENF_CAND];
	uint64_t created_ns, last_ns;
	uint32_t next_free;
	struct enf_flow fl[2]; /* fl[d]: data sent in direction d */
	struct enf_m2pa m2pa[2]; /* m2pa[d]: M2PA FSNs removed from direction d (m2pa.c) */
	/* per-association statistics (sw_enforce_assoc_snapshot) */
	uint8_t ip_ver;
	uint8_t addr[2][16];
	uint32_t st_removed[2], st_sack_gen, st_retrans;
	uint16_t st_last_err;
	/* repair_fallback notices (fallback.c): next one not before ev_next_ns; fallbacks since */
	uint32_t ev_supp;
	uint64_t ev_next_ns;
};

struct enf_top {
	uint64_t score, last_ns;
	uint32_t idx;
};

/* Why an association is not tracked (assoc.c), remembered per key for a while, so that a blocked
 * chunk of it gets a named reason: expired_blocked, untracked_blocked. */
#define ENF_GHOSTS 256
struct enf_ghost {
	uint32_t vtag;
	uint16_t sport, dport;
	uint8_t dir;
	uint8_t used;
	uint16_t why; /* enum sw_enf_ctr */
};

/* Rate limit of repair_fallback notices for untracked associations (fallback.c). */
#define ENF_RL 64
struct enf_rl {
	uint32_t vtag;
	uint16_t sport, dport;
	uint8_t dir;
	uint8_t used;
	uint32_t supp;
	uint64_t next_ns;
};

struct sw_enforce {
	bool repair;
	int8_t cls_fail[SW_ENF_CLASSES]; /* enum sw_enf_fail per class; [0] never DEFAULT */
	sw_enforce_classify_fn classify;
	void *classify_arg;
	sw_enforce_variant_fn variant; /* the link's network variant (m2pa.c), or NULL: ITU */
	void *variant_arg;
	char cls_name[SW_ENF_CLASSES][SW_ENF_CLASS_NAME];
	unsigned max_assocs;
	uint64_t idle_ns, handshake_ns;
	uint64_t ctr[SW_ENF_CTR_COUNT];
	struct enf_assoc *assoc;
	uint32_t free_head; /* index + 1; 0: none free */
	unsigned nassoc;
	unsigned hand;	 /* clock hand for eviction */
	uint32_t *slots; /* hash: 0 empty, else (index << 3 | k << 1 | dir) + 1; k 0: vtag[dir],
			    1..ENF_CAND: cand[k - 1].tag */
	uint64_t hkey[2]; /* random key of the slot hash (assoc.c) */
	struct enf_top *top; /* scratch of sw_enforce_assoc_top, max_assocs entries */
	uint32_t slot_mask;
	/* the packet being repaired (repair.c): CRC accounting */
	uint8_t *pk_buf;
	uint32_t pk_l4, pk_end;
	uint32_t crc_acc; /* XOR of the in-place changes' CRC contributions */
	bool crc_full;	  /* recompute fully (length changes); checked before */
	bool crc_bad;	  /* the packet's own checksum was wrong */
	bool crc_verified; /* crc_bad is known (checked before any change) */
	bool pk_again;	  /* a removed TSN was retransmitted in this packet */
	struct enf_assoc *pk_assoc; /* the association of the packet being repaired */
	unsigned lk_cand;	    /* enf_lookup: k of the key found (0: the confirmed tag) */
	uint32_t pk_again_tsn; /* the lowest such TSN */
	const struct sw_pkt *pk_pkt; /* the packet being repaired, its direction and class */
	unsigned pk_dir;
	uint64_t pk_now;
	int pk_cls; /* -1: not classified yet */
	int pk_var; /* the packet's network variant; -1: not asked yet (m2pa.c) */
	/* repair_fallback notices (fallback.c) */
	unsigned fbq_n;
	struct sw_enforce_fallback fbq[SW_ENF_FB_QUEUE];
	struct enf_rl rl[ENF_RL];
	struct enf_ghost ghost[ENF_GHOSTS];
};

/* One chunk of the packet as walked by enforce.c (independently of the decoder's walk). */
struct enf_ch {
	uint32_t off;  /* absolute */
	uint32_t span; /* length with padding, clipped to the packet */
	uint16_t len;
	uint8_t type;
	bool drop;
	bool neut; /* blocked but kept: M3UA message neutralized (repair.c) */
};

/*
 * Modules, each calling only those below it (no cycle):
 *   enforce.c  per packet: chunk walk, removal, IP length, checksum; calls repair.c
 *   repair.c   renumbering, SACK / FORWARD-TSN translation, generated SACKs; calls assoc.c
 *   assoc.c    the association table and the per-direction flow state it holds
 *   crc32c.c   CRC32c (RFC 9260 Appendix B) and the IPv4 header checksum
 */

/* repair.c: the repair of one packet; returns 0 to drop it, sets *changed when the chunks in
 * ch[] were rewritten (ch[].drop, ch[].len/span) so that enforce.c must rebuild the packet. */
uint32_t enf_repair(struct sw_enforce *e, uint8_t *buf, const struct sw_pkt *pkt, struct enf_ch *ch,
		    unsigned n, unsigned dir, uint64_t now_ns, uint8_t *reply, uint32_t reply_cap,
		    uint32_t *reply_len, bool *changed);
/* crc32c.c: checksums of a packet */
bool enf_crc_ok(const uint8_t *sctp, uint32_t n);
uint32_t enf_crc_calc(const uint8_t *sctp, uint32_t n); /* with the checksum field as zero */
void enf_crc_set(uint8_t *sctp, uint32_t n);
void enf_ipv4_fix(uint8_t *ip, uint32_t totlen, uint32_t hmax);

bool enf_neutralizable(struct sw_enforce *e, const uint8_t *c, uint16_t clen);
void enf_neutralize(struct sw_enforce *e, uint8_t *c, uint16_t clen);

/* m2pa.c: M2PA (RFC 4165) sequence numbers on top of the SCTP repair */
/* The M2PA message of a whole DATA/I-DATA chunk with PPID 5 (headers checked), or NULL. */
const uint8_t *enf_m2pa_msg(const uint8_t *c, uint16_t clen, uint32_t *mlen);
bool enf_m2pa_takes_fsn(const uint8_t *m, uint32_t mlen); /* User Data with a Data field */
uint32_t enf_m2pa_fsn_fwd(const struct enf_m2pa *m, uint32_t fsn); /* original -> new */
uint32_t enf_m2pa_bsn_inv(const struct enf_m2pa *m, uint32_t bsn); /* new -> original, extended */
bool enf_m2pa_room(const struct enf_m2pa *m, unsigned more);
void enf_m2pa_removed(struct enf_m2pa *m, uint32_t fsn);
/* New BSN/FSN words (the 8 octets from M2PA_OFF_BSN) of a kept message of the direction whose
 * state is mine; false when they do not change. Prunes other by the BSN. */
bool enf_m2pa_rewrite(struct enf_m2pa *mine, struct enf_m2pa *other, const uint8_t *m,
		      uint8_t nv[8]);
/* Octets of the MTP3 routing label on the packet's link (its variant, asked once per packet of
 * the caller's sw_enforce_variant_fn): 4 (ITU), 7 (ANSI), 0 (not known: not neutralizable). */
unsigned enf_m2pa_label_len(struct sw_enforce *e);
/* A User Data message whose Data field holds the priority octet, SIO, a label of label_len
 * octets and a heading code; and its neutralization in place (label_len as checked). */
bool enf_m2pa_neutralizable(const uint8_t *m, uint32_t mlen, unsigned label_len);
void enf_m2pa_neutralize(uint8_t *m, uint32_t mlen, unsigned label_len);

/* crc32c.c: the CRC register without the initial and final inversions (linear), and the
 * register shifted over n zero bytes. For an in-place change of bytes [o, o+k) of a message of
 * length L: crc(new) = crc(old) ^ enf_crc_shift(enf_crc_raw(0, old ^ new, k), L - o - k). */
uint32_t enf_crc_raw(uint32_t c, const uint8_t *p, size_t n);
uint32_t enf_crc_shift(uint32_t c, uint32_t n);
/* Both at once: the contribution of a change d[0, k) followed by tail bytes. */
uint32_t enf_crc_delta(const uint8_t *d, uint32_t k, uint32_t tail);

/* assoc.c */
void enf_flow_init(struct enf_flow *f, uint32_t itsn);
int enf_table_init(struct sw_enforce *e);
void enf_table_fini(struct sw_enforce *e);
void enf_table_clear(struct sw_enforce *e);
struct enf_assoc *enf_lookup(struct sw_enforce *e, uint32_t vtag, uint16_t sport, uint16_t dport,
			     unsigned dir, uint64_t now_ns);
void enf_learn_init(struct sw_enforce *e, const uint8_t *ch, uint16_t clen, uint16_t sport,
		    uint16_t dport, unsigned dir, uint64_t now_ns);
void enf_learn_init_ack(struct sw_enforce *e, const uint8_t *ch, uint16_t clen, uint32_t vtag,
			uint16_t sport, uint16_t dport, unsigned dir, uint64_t now_ns);
void enf_assoc_delete(struct sw_enforce *e, struct enf_assoc *a);
/* The initiator's first packet after the handshake (its checksum verified) names the INIT-ACK
 * it used: candidate k (e->lk_cand of its lookup) becomes the association's tag. */
void enf_confirm(struct sw_enforce *e, struct enf_assoc *a, unsigned k, uint64_t now_ns);

/* assoc.c: the reason remembered for an untracked key (SW_ENF_UNKNOWN_BLOCKED: none) */
enum sw_enf_ctr enf_ghost_why(const struct sw_enforce *e, uint32_t vtag, uint16_t sport,
			      uint16_t dport, unsigned dir);
uint32_t enf_key_hash(const struct sw_enforce *e, uint32_t vtag, uint16_t sport, uint16_t dport,
		      unsigned dir);

/* fallback.c: repair could not keep the association consistent (issue 12 Deliver 4) */
bool enf_fail_open(struct sw_enforce *e); /* the fallback of the packet's class */
void enf_fallback(struct sw_enforce *e, struct enf_assoc *a, enum sw_enf_ctr why,
		  enum sw_enf_fb_action act, uint32_t n);

/* repair.c */
uint32_t enf_tsn_fwd(const struct enf_flow *f, uint32_t tsn);	  /* original -> new */
uint32_t enf_tsn_cum_fwd(const struct enf_flow *f, uint32_t tsn); /* cum value orig -> new */
uint32_t enf_tsn_inv(const struct enf_flow *f, uint32_t ntsn);	  /* new -> original */
bool enf_tsn_removed(const struct enf_flow *f, uint32_t tsn);
uint32_t enf_extend(const struct enf_flow *f, uint32_t cum);
uint32_t enf_seq_fwd(const struct enf_flow *f, uint16_t sid, unsigned kind, uint32_t seq,
		     bool inclusive);
void enf_flow_prune(struct enf_flow *f, uint32_t cum);

#endif /* SW_ENFORCE_INT_H */
