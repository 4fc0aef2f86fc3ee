/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Inline enforcement that keeps SCTP associations alive (ARCHITECTURE.md section 6).
 *
 * Pure C, no DPDK: the workers, the unit tests, the e2e forwarder and the benchmark all call
 * exactly this. One struct sw_enforce per worker (both directions of an association must land
 * on the same worker); it is not thread-safe and never allocates after sw_enforce_new().
 *
 * Per SCTP packet the caller passes the decoded packet and a mask of DATA/I-DATA chunks whose
 * MSU is blocked. sw_enforce_packet() removes those chunks in place and, with repair on:
 *  - tracks the association (learned from INIT / INIT-ACK, keyed by the verification tag and
 *    ports, never by addresses, so multi-homed paths share one entry);
 *  - renumbers later DATA chunks (TSN; SSN of ordered streams; I-DATA MID of ordered
 *    messages, RFC 8260) so that the receiver sees gap-free sequences;
 *  - translates the reverse direction's SACK (cumulative TSN ack, gap ack blocks, duplicate
 *    TSNs) and the forward direction's FORWARD-TSN / I-FORWARD-TSN;
 *  - answers the sender with a SACK for removed chunks that the receiver will never
 *    acknowledge (written to the reply buffer, sent back out the port the packet came in on);
 *  - gives a retransmitted chunk the same verdict and the same new numbers as the first time.
 * The CRC32c is recomputed only for packets that changed.
 *
 * Documented rules for what cannot be repaired (each one counted, see enum sw_enf_ctr):
 *  - a packet whose chunks do not tile the SCTP payload (impossible lengths) is dropped;
 *  - an IP fragment is forwarded unchanged unless a chunk must be removed: then dropped;
 *  - a blocked chunk that cannot be removed without breaking numbers already given out (its
 *    TSN was forwarded before and is now blocked, it first arrives after later TSNs were
 *    forwarded, the per-direction repair window of unacknowledged removals is full, or the
 *    association is not tracked: not seen from its INIT, table full, expired) is NEUTRALIZED:
 *    it keeps its TSN and stream number and its M3UA message is overwritten in place by an
 *    M3UA BEAT with zeroed heartbeat data, so the blocked content never passes and the
 *    association carries on; a blocked fragment that cannot be neutralized drops the packet;
 *  - a packet of an untracked association with nothing blocked is forwarded unchanged;
 *  - a SACK acknowledging TSNs that were never sent is forwarded unchanged (counted);
 *  - the association table is bounded: when full, an INIT may only evict an association that
 *    is idle past the timeout or still half-open past the handshake timeout; otherwise the new
 *    association is not tracked (counted) and established associations are never evicted;
 *    its hash is keyed with random bits per instance and probes at most 16 slots;
 *  - the CRC32c is verified before a packet may change repair state (learn, acknowledge, end,
 *    remove); one with a wrong checksum changes nothing (see README.md for the one exception,
 *    DATA with nothing blocked).
 */
#ifndef SW_ENFORCE_ENFORCE_H
#define SW_ENFORCE_ENFORCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "msu.h"

/* RFC 4960 Appendix B CRC32c of p[0..n), final value (already inverted). The SCTP checksum
 * field holds it in little-endian byte order (the reflected CRC's natural order). Uses the
 * SSE4.2 crc32 instruction when the CPU has it (checked once at run time). */
uint32_t sw_crc32c(const uint8_t *p, size_t n);
/* Continue a CRC32c: crc is a previous return value (0 to start). */
uint32_t sw_crc32c_update(uint32_t crc, const uint8_t *p, size_t n);

/* Counters, by reason. X(NAME, name, description) */
#define SW_ENF_CTRS(X)                                                                             \
	X(PKTS, pkts, "SCTP packets seen")                                                         \
	X(PKTS_CHANGED, pkts_changed, "packets rewritten (CRC32c updated)")                        \
	X(PKTS_DROPPED, pkts_dropped, "packets dropped (no chunk left or a rule below)")           \
	X(CHUNKS_REMOVED, chunks_removed, "DATA/I-DATA chunks removed")                            \
	X(RETRANS_REMOVED, retrans_removed, "retransmitted chunks removed again (same verdict)")   \
	X(NEUTRALIZED, neutralized,                                                                \
	  "blocked chunks kept in place with the M3UA message replaced by a BEAT")                 \
	X(RETRANS_BLOCKED, retrans_blocked,                                                        \
	  "neutralized: forwarded before, blocked on retransmission")                              \
	X(DATA_RENUMBERED, data_renumbered, "DATA chunks whose TSN/SSN/MID was rewritten")         \
	X(SACK_TRANSLATED, sack_translated, "SACKs rewritten into the sender's numbering")         \
	X(SACK_UNSENT, sack_unsent, "SACKs acknowledging TSNs never sent (forwarded unchanged)")   \
	X(FWDTSN_TRANSLATED, fwdtsn_translated, "FORWARD-TSN / I-FORWARD-TSN rewritten")           \
	X(SACK_GENERATED, sack_generated, "SACKs generated toward a sender for removed chunks")    \
	X(SACK_REPEATED, sack_repeated,                                                            \
	  "generated SACKs repeated: a removed chunk acknowledged before was retransmitted")       \
	X(ASSOC_NEW, assoc_new, "associations learned from INIT")                                  \
	X(ASSOC_UP, assoc_up, "associations completed by INIT-ACK")                                \
	X(ASSOC_END, assoc_end, "associations ended by SHUTDOWN-COMPLETE or ABORT")                \
	X(ASSOC_EXPIRED, assoc_expired, "associations expired (idle) or evicted (half-open)")      \
	X(INIT_IGNORED, init_ignored,                                                              \
	  "INIT/INIT-ACK with the tag of an established association: ignored")                     \
	X(TABLE_FULL, table_full, "INITs not tracked: association table full")                     \
	X(ASSOC_EVICTED, assoc_evicted,                                                            \
	  "half-open or expired associations evicted: their probe window was full")                \
	X(PROBE_FULL, probe_full,                                                                  \
	  "INITs not tracked: probe window full of established associations")                      \
	X(UNKNOWN_ASSOC, unknown_assoc, "packets of no tracked association")                       \
	X(UNKNOWN_BLOCKED, unknown_blocked, "neutralized: association not tracked")                \
	X(BAD_CHUNK_LEN, bad_chunk_len,                                                            \
	  "packets dropped: chunk lengths do not tile the SCTP payload")                           \
	X(BAD_CRC, bad_crc, "packets dropped: CRC32c wrong on a packet that had to be rewritten")  \
	X(CRC_IGNORED, crc_ignored,                                                                \
	  "packets with a wrong CRC32c forwarded unchanged: repair state left untouched")          \
	X(FRAG_BLOCKED, frag_blocked, "IP fragments dropped: chunk blocked")                       \
	X(WINDOW_FULL, window_full,                                                                \
	  "neutralized: repair window full (too many unacknowledged removals)")                    \
	X(LATE_BLOCKED, late_blocked, "neutralized: first seen after later TSNs were forwarded")   \
	X(STREAMS_FULL, streams_full, "neutralized: too many streams with removed messages")       \
	X(NEUTRALIZE_FAIL, neutralize_fail,                                                        \
	  "packets dropped: blocked fragment could be neither removed nor neutralized")            \
	X(REPLY_NOROOM, reply_noroom, "SACKs not generated: reply buffer too small")                \
	X(FAILOPEN_PASSED, failopen_passed,                                                        \
	  "fail-open: blocked chunks passed unchanged where repair could not remove them")          \
	X(INIT_REPEATED, init_repeated,                                                            \
	  "INITs repeated during the handshake (duplicated or retransmitted): entry kept")         \
	X(INIT_ACK_CAND, init_ack_cand,                                                            \
	  "further INIT-ACKs with another tag kept until the initiator names the one it used")     \
	X(CAND_CONFIRMED, cand_confirmed,                                                          \
	  "handshakes completed with a later INIT-ACK's tag (the first one lost on its way)")       \
	X(EXPIRED_BLOCKED, expired_blocked,                                                        \
	  "fallback: blocked chunk of an association whose state expired or was evicted")          \
	X(UNTRACKED_BLOCKED, untracked_blocked,                                                    \
	  "fallback: blocked chunk of an association not tracked for want of room (table/probe)")  \
	X(FALLBACK_EVENTS, fallback_events,                                                        \
	  "repair_fallback events raised (at most one per association per second, with a count)")  \
	X(FALLBACK_EV_LOST, fallback_ev_lost,                                                      \
	  "repair_fallback events not queued: the queue of the burst was full")                    \
	X(M2PA_REMOVED, m2pa_removed,                                                              \
	  "M2PA User Data messages removed: their FSNs renumbered away (RFC 4165, m2pa.c)")        \
	X(M2PA_RENUMBERED, m2pa_renumbered,                                                        \
	  "M2PA messages whose FSN and/or BSN was rewritten (RFC 4165 2.2)")                       \
	X(FRAG_NEUTRALIZED, frag_neutralized,                                                      \
	  "fragments of blocked user messages neutralized in place, never removed (RFC 9260 6.9)")

enum sw_enf_ctr {
#define X(n, l, d) SW_ENF_##n,
	SW_ENF_CTRS(X)
#undef X
		SW_ENF_CTR_COUNT
};

const char *sw_enf_ctr_name(enum sw_enf_ctr c); /* lowercase, e.g. "sack_translated" */
const char *sw_enf_ctr_desc(enum sw_enf_ctr c);

struct sw_enforce_conf {
	unsigned max_assocs;   /* association table size (>= 1) */
	bool repair;	       /* false: remove chunks only (no tracking, no renumbering) */
	uint64_t idle_ns;      /* inactivity expiry; 0: default 300 s */
	uint64_t handshake_ns; /* a half-open entry may be evicted after this; 0: 5 s */
	bool fail_open;	       /* when repair cannot remove a blocked chunk: pass it (see below) */
};

struct sw_enforce;

/* Off the fast path. NULL + errno on failure. */
struct sw_enforce *sw_enforce_new(unsigned max_assocs, bool repair);
struct sw_enforce *sw_enforce_new_conf(const struct sw_enforce_conf *conf);
void sw_enforce_free(struct sw_enforce *e);
/* Switch repair on or off (between bursts). Turning it off forgets every association. */
void sw_enforce_set_repair(struct sw_enforce *e, bool repair);
/*
 * What happens to a blocked chunk that repair cannot remove without breaking the association's
 * numbering (each case has its own counter: unknown_blocked (association not tracked: never
 * seen from its INIT, state lost, evicted), retrans_blocked, late_blocked, window_full,
 * streams_full, neutralize_fail):
 *  - fail-closed (default): the chunk keeps its TSN and SSN and its M3UA message is replaced in
 *    place by an M3UA BEAT of the same length: the content never passes, the association goes
 *    on; a fragment (no complete message to replace) drops the packet;
 *  - fail-open: the chunk passes unchanged (failopen_passed): the association goes on and is
 *    never touched where its numbering is not known, and the blocked content passes.
 * This sets class 0, the default; sw_enforce_set_class_fail sets other classes. Every fallback
 * also raises a repair_fallback notice (sw_enforce_fallback_pop). Between bursts.
 */
void sw_enforce_set_fail_open(struct sw_enforce *e, bool fail_open);

/*
 * Called for EVERY SCTP packet of an inline link, in both directions (dir 0: port A->B, 1:
 * B->A). buf holds the frame (len bytes), is writable, and the caller guarantees room up to cap
 * bytes (cap >= len; the rewrite never grows a packet today). pkt is the decoded packet (struct
 * sw_pkt from sw_decode_packet; chunk offsets absolute in buf); bit i of drop_mask set means
 * chunk pkt->chunks[i] (a DATA or I-DATA chunk) must be removed; bits of other chunk types are
 * ignored. Returns the new frame length (== len and buf untouched when nothing changed), or 0
 * when the packet must be dropped.
 *
 * If the sender must be acknowledged for removed chunks, a complete frame (same link header
 * with addresses and ports swapped) is written into reply (up to reply_cap bytes) and
 * *reply_len is set to its length, else to 0; the caller sends it out the port the packet came
 * in on. reply may be NULL (no reply is ever generated then). now_ns drives expiry (any
 * monotonic clock).
 */
uint32_t sw_enforce_packet(struct sw_enforce *e, uint8_t *buf, uint32_t len, uint32_t cap,
			   const struct sw_pkt *pkt, uint64_t drop_mask, unsigned dir,
			   uint64_t now_ns, uint8_t *reply, uint32_t reply_cap,
			   uint32_t *reply_len);

/*
 * Fallback per association class (issue 12 Deliver 4). A class is a small number chosen by the
 * caller's classifier for the packet that needs a fallback (sigwall-dataplane: the site link of
 * the association's outside endpoint, --repair-fail-link); class 0 is the default. Each class
 * is fail-open, fail-closed, or follows the default (sw_enforce_set_fail_open sets class 0).
 * The classifier runs only when a fallback is taken, never on the common path; without one,
 * every association is class 0.
 */
#define SW_ENF_CLASSES 16
enum sw_enf_fail {
	SW_ENF_FAIL_DEFAULT = -1, /* as class 0 */
	SW_ENF_FAIL_CLOSED = 0,	  /* neutralize in place; a fragment drops the packet */
	SW_ENF_FAIL_OPEN = 1,	  /* pass the chunk unchanged */
};
typedef unsigned (*sw_enforce_classify_fn)(void *arg, const struct sw_pkt *pkt, unsigned dir);
void sw_enforce_set_classifier(struct sw_enforce *e, sw_enforce_classify_fn fn, void *arg);
/* cls < SW_ENF_CLASSES (else ignored); class 0 cannot be SW_ENF_FAIL_DEFAULT. Between bursts. */
void sw_enforce_set_class_fail(struct sw_enforce *e, unsigned cls, enum sw_enf_fail mode);
/* A name for a class (sigwall-dataplane: the site link), up to 23 bytes; "" for none. */
#define SW_ENF_CLASS_NAME 24
void sw_enforce_set_class_name(struct sw_enforce *e, unsigned cls, const char *name);
const char *sw_enforce_class_name(const struct sw_enforce *e, unsigned cls);
/* The class named name (1..), or 0 (the default) when none is. */
unsigned sw_enforce_class_find(const struct sw_enforce *e, const char *name);

/*
 * The network variant of a packet's link (enum sw_variant, dataplane/proto/ansi.h: 0 ITU, 1
 * ANSI). It sets the length of the MTP3 routing label (ITU-T Q.704 2.2.2: 4 octets; ANSI
 * T1.111.4 2.2: 7) that a blocked M2PA User Data message keeps when it is neutralized in place
 * (README.md, M2PA): the label is kept, the heading code and everything after it are zeroed.
 * sigwall-dataplane's workers ask the policy the judge asks (sw_policy_variant: the link's
 * variant, else the site's), so a message is rewritten in the variant it was judged in. Asked
 * only when an M2PA message is to be neutralized, at most once per packet; without one, every
 * link is ITU. A variant whose label is not known here makes the message not neutralizable
 * (its packet is dropped, neutralize_fail). Between bursts.
 */
typedef unsigned (*sw_enforce_variant_fn)(void *arg, const struct sw_pkt *pkt);
void sw_enforce_set_variant(struct sw_enforce *e, sw_enforce_variant_fn fn, void *arg);

/* What was done instead of a clean removal. */
enum sw_enf_fb_action {
	SW_ENF_FB_NEUTRALIZED = 0, /* fail-closed: the M3UA message became a BEAT in place */
	SW_ENF_FB_PASSED = 1,	   /* fail-open: the blocked chunk passed unchanged */
	SW_ENF_FB_DROPPED = 2,	   /* fail-closed, fragment: the packet was dropped */
	SW_ENF_FB_UNCHANGED = 3,   /* a repair error on a control chunk: forwarded unchanged */
};
const char *sw_enf_fb_action_name(unsigned a); /* "neutralized", "passed", ... */

/*
 * A repair_fallback notice: repair could not keep an association consistent and took a
 * fallback. Queued by sw_enforce_packet() at most once per association (or, untracked, per
 * tag and ports) per second; the fallbacks in between are added to the association's next
 * notice (count), so a storm is one notice a second with the number it stands for. The
 * counters are exact in any case.
 */
struct sw_enforce_fallback {
	uint64_t now_ns;	 /* the now_ns of the packet that raised it */
	uint32_t vtag[2];	 /* tag of each direction (0: not known; untracked: the packet's) */
	uint16_t port[2];	 /* SCTP port of side d */
	uint8_t addr[2][16];	 /* address of side d (IPv4: first 4 bytes) */
	uint8_t ip_ver;		 /* 4 or 6 */
	uint8_t dir;		 /* direction of the packet */
	uint8_t action;		 /* enum sw_enf_fb_action */
	uint8_t cls;		 /* association class */
	uint16_t reason;	 /* enum sw_enf_ctr */
	bool tracked;		 /* the association is in the table */
	uint32_t count;		 /* fallbacks this notice stands for (>= 1) */
};
/* Move up to max queued notices to out (oldest first); returns how many. The queue holds
 * SW_ENF_FB_QUEUE; call at least once per burst. */
#define SW_ENF_FB_QUEUE 32
unsigned sw_enforce_fallback_pop(struct sw_enforce *e, struct sw_enforce_fallback *out,
				 unsigned max);

/* Counter values (by enum sw_enf_ctr), e.g. for the stats region. */
const uint64_t *sw_enforce_counters(const struct sw_enforce *e);
/* Associations currently tracked. */
unsigned sw_enforce_assoc_count(const struct sw_enforce *e);

/* One tracked association, for per-association statistics (issue 12 Deliver 5). Side d is the
 * endpoint that sends direction d (0: port A -> B). */
struct sw_enforce_assoc_info {
	uint32_t vtag[2];	    /* tag carried by packets of direction d (0: not learned) */
	uint16_t port[2];	    /* SCTP port of side d */
	uint8_t ip_ver;		    /* 4 or 6, 0: no packet seen since learning */
	uint8_t addr[2][16];	    /* address of side d as first seen (IPv4: first 4 bytes) */
	bool up;		    /* handshake complete */
	uint32_t chunks_removed[2]; /* DATA/I-DATA chunks removed, per direction */
	uint32_t tsn_offset[2];	    /* removed TSNs so far: new TSN = original - offset */
	uint32_t sacks_generated;   /* SACKs generated toward a sender */
	uint32_t retrans_removed;   /* retransmissions of removed chunks seen */
	uint16_t last_error;	    /* enum sw_enf_ctr of the last fallback, SW_ENF_CTR_COUNT: none */
	uint64_t last_ns;	    /* now_ns of its last packet */
};

/* Copy up to max tracked associations into out; returns how many. Off the fast path, on the
 * thread that owns e (the worker), or while it is stopped. */
unsigned sw_enforce_assoc_snapshot(const struct sw_enforce *e, struct sw_enforce_assoc_info *out,
				   unsigned max);
/* The same, the busiest first: chunks removed, SACKs generated and retransmissions seen
 * together, then the most recently active (sigwall-dataplane publishes these, issue 12 Deliver
 * 5). Off the fast path, on the owning thread; sorts the whole table (O(n log n)). */
unsigned sw_enforce_assoc_top(struct sw_enforce *e, struct sw_enforce_assoc_info *out,
			      unsigned max);
/* The table's home slot of a key (tests: aim keys at one slot; the hash key is random per
 * instance, so nobody outside the process can). */
uint32_t sw_enforce_home_slot(const struct sw_enforce *e, uint32_t vtag, uint16_t sport,
			      uint16_t dport, unsigned dir);

#endif /* SW_ENFORCE_ENFORCE_H */
