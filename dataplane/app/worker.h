/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The poll-mode worker: per-lcore state and the per-burst function that the
 * worker loop, and the benchmark in bench/dataplane/, both call.
 */
#ifndef SW_APP_WORKER_H
#define SW_APP_WORKER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_common.h>
#include <rte_mbuf.h>

#include "dataplane/decode/msu.h"
#include "dataplane/judge/judge.h"
#include "dataplane/reasm/reasm.h"
#include "dataplane/shm/shm.h"

#define SW_BURST_MAX 64
#define SW_PORTS 2 /* inline: A and B; monitor may use only A */
#define SW_APP_ASSOCS_MAX 4096 /* associations tracked per worker by the enforcer */
#define SW_REPLY_MAX 2048      /* bytes of a generated SACK frame */

enum sw_mode {
	SW_MODE_INLINE,
	SW_MODE_MONITOR,
};

/* Verdict actions as the worker sees them (same values as the policy's SW_ACTION_*). */
enum sw_act {
	SW_ACT_ALLOW = 0,
	SW_ACT_DROP = 1,
	SW_ACT_ALERT = 2,
};

struct sw_worker_conf {
	enum sw_mode mode;
	bool non_sctp_pass;     /* --non-sctp pass|drop: frames that are not IP (judge.h) */
	enum sw_act def_action; /* --no-image (--default): verdict while no image is bound */
	bool forward_only;      /* benchmark baseline: no decode, no verdict */
	bool no_repair;         /* chunk removal without TSN/SSN repair even if enforce is built */
	bool events;            /* push drop/alert/malformed events (needs a stats region) */
	bool main_validates;    /* images are validated by the main lcore (struct sw_image_watch) */
	/* IP fragments (issue 14 D1, dataplane/reasm/README.md): datagrams in reassembly at once
	 * in this worker's rte_ip_frag table (0: fragments are not joined: ip_fragment), and the
	 * time a datagram may take from its first fragment. */
	uint32_t ip_frag_entries;
	uint32_t ip_frag_timeout_ms;
	/* SCTP user-message fragments (issue 14 D2): enum sw_sctp_reasm (0: the default). */
	uint8_t sctp_reasm;
	/* Batching (issue 20 D4, bench/README.md): the burst decoded in sub-batches of this many
	 * packets (link/IP/SCTP and the MSUs of their DATA chunks; with batch_pkt_only
	 * link/IP/SCTP only) before any of them is judged; 1..SW_BURST_MAX, 0: SW_BATCH_DEFAULT,
	 * SW_BATCH_OFF: decode and judge packet by packet. The same verdicts, counters, events
	 * and order either way (tests/judge: judge-batch). */
	uint8_t batch;
	bool batch_pkt_only;
	/* Cache lines of each frame prefetched 4 packets ahead; 0: SW_PREFETCH_LINES. */
	uint8_t prefetch_lines;
	/* Issue 20 D2: walk every MAP/CAP argument, even where the verdict is decided without
	 * it (judge_ctx.decide off; the benchmark's A/B, bench/README.md). */
	bool no_decide;
};
#define SW_BATCH_DEFAULT 32
#define SW_BATCH_OFF 0xff
#define SW_PREFETCH_LINES 4

/*
 * SCTP user-message fragments (issue 14 D2, dataplane/reasm/README.md): reassembled and judged
 * as one message, and inline a packet carrying a fragment of a message not judged yet is held
 * (delayed, not dropped) with every later packet of its association and direction until the
 * message is judged; then they leave in order through the enforcer with the message's verdict.
 */
enum sw_sctp_reasm {
	SW_SCTP_REASM_DEFAULT = 0, /* SW_REASM_SCTP_DEFAULT (reasm.h) */
	SW_SCTP_REASM_OFF,         /* fragments are sctp_data_fragment (the malformed verdict) */
	SW_SCTP_REASM_ON,          /* reassembled; inline: held until judged */
	SW_SCTP_REASM_NOHOLD,      /* tests only: reassembled, but earlier fragments pass unjudged
				      (what holding prevents: tests/e2e/frag_e2e.sh proves it) */
};
#define SW_SCTP_HOLD_MAX 256     /* packets held per worker */
#define SW_SCTP_HOLD_FRAGS 16    /* messages with fragments held in one packet */
/* A held message not complete after this is failed as SW_MAL_SCTP_REASM_STALLED: its sender
 * sends nothing more before an acknowledgement (RFC 9260 6.1: cwnd or rwnd smaller than what is
 * outstanding, 7.2.3: 1 MTU after a T3 timeout; or the last fragment lost before us). The
 * fragments of one message are sent back to back when the window allows (RFC 9260 6.9); when
 * the window is full of earlier data the receiver acknowledges within 500 ms (RFC 9260 6.2)
 * and the rest follows one round trip later. 1 s is RTO.Min (RFC 9260 16): a sender still
 * waiting then times out and resends only its first outstanding TSN (6.3.3 E3). 250 ms failed
 * legitimate messages in the e2e test on a loaded machine (peers descheduled). */
#define SW_SCTP_HOLD_NS 1000000000ull

struct sw_sctp_held {
	struct rte_mbuf *m;
	uint64_t since_ns;
	uint32_t vtag;
	uint16_t sport, dport;
	uint8_t in_idx;
	uint8_t nfrag;                      /* messages with fragments held in it */
	uint32_t chunks[SW_SCTP_HOLD_FRAGS]; /* the chunks (bit = index) of each message */
	uint8_t res[SW_SCTP_HOLD_FRAGS];    /* each message's verdict when seen: 0 not yet,
					       1 pass, 2 drop */
	uint32_t mask;                      /* drop mask of the packet's other chunks */
	struct sw_reasm_ticket t[SW_SCTP_HOLD_FRAGS];
};

/* Private counters of the SCTP hold (sw_worker_sctp_stats). */
struct sw_sctp_hold_stats {
	uint64_t held;     /* packets held */
	uint64_t released; /* held packets sent on to the enforcer */
	uint64_t control;  /* copies of held packets' control chunks (SACK ...) sent at once */
	uint64_t stalled;  /* messages failed: not complete within SW_SCTP_HOLD_NS */
	uint64_t lost;     /* packets that should have been held and were dropped instead (hold
			      queue full, a reassembled IP datagram, fragments of more than
			      SW_SCTP_HOLD_FRAGS pending messages in one packet) */
};

/*
 * The image region as the workers see it. The main lcore attaches (and re-attaches
 * after control re-created the object) and publishes the mapping with a release
 * store of `cur`; workers load it with acquire once per burst. Old mappings are
 * never unmapped while the process runs: a worker may still evaluate on an image
 * inside one until it picks up a newer generation.
 */
struct sw_policy_ctx;
struct sw_enforce;
struct sw_shm_assoc_block;
struct sw_worker_ipr;
struct sw_worker_batch;

#define SW_IPOUT_MAX 256 /* fragments sent after one burst, per output port */

struct sw_image_watch {
	_Atomic(struct sw_shm_image *) cur;
	/*
	 * Only read by workers whose conf.main_validates is set (sigwall-dataplane): the main
	 * lcore validates each new generation once (checksum, ABI, Hyperscan, CPU) so that no
	 * worker stalls a burst on it. Main: ok_image then ok_gen (release); workers: ok_gen
	 * (acquire) then ok_image, and bind only when both match what they got from the slot.
	 * Same for bad_* (refused; bad_msg written before bad_gen).
	 */
	_Atomic(const void *) ok_image;
	_Atomic uint64_t ok_gen;
	_Atomic(const void *) bad_image;
	_Atomic uint64_t bad_gen;
	char bad_msg[192];
};

/* Why the last image was refused; written by the worker, printed by the main lcore. */
struct sw_refusal {
	_Atomic uint64_t gen;   /* generation refused; the message is complete when gen != logged */
	uint64_t logged;        /* main lcore: last generation logged */
	char msg[192];
};

struct sw_worker {
	/* hot, read-mostly */
	unsigned id;            /* worker index 0..n-1, also its block in the stats region */
	unsigned lcore;
	uint16_t queue;         /* RX and TX queue index on both ports */
	uint16_t nports;
	uint16_t port[SW_PORTS];
	uint16_t burst;
	struct sw_worker_conf conf;
	double ns_per_tsc;
	uint64_t tsc0, real0_ns, mono0_ns; /* clocks at start, to turn TSC into ns */
	uint64_t now_ns;                   /* CLOCK_MONOTONIC ns of the current burst */

	/* policy state: the image this worker evaluates against */
	struct sw_image_watch *watch;   /* NULL: no shared image (benchmark, tests) */
	const struct sw_shm_image *map; /* mapping the bound image lives in */
	struct sw_policy_ctx *pctx;
	const void *image;              /* bound image, NULL: default action */
	uint64_t gen;                   /* generation of the bound image (0: none) */
	uint64_t gen_refused;           /* last generation refused (not retried) */
	uint8_t malformed_action;       /* of the bound image (or the default action) */
	struct sw_enforce *enforce;     /* inline mode */
	struct sw_judge_ctx judge;      /* pctx, image (set per packet), no-image action */
	struct rte_mempool *pool;       /* for generated SACKs; NULL: they are counted, not sent */
	uint16_t nreply;
	uint8_t reply_port[SW_BURST_MAX];
	struct rte_mbuf *reply[SW_BURST_MAX];
	uint8_t reply_buf[SW_REPLY_MAX];
	/* private counters (not in the stats layout) */
	uint64_t replies;               /* SACKs generated by the enforcer */
	uint64_t shrunk;                /* packets that lost chunks and were forwarded */
	uint64_t non_m3ua;              /* DATA chunks whose PPID is not M3UA (also in c->non_m3ua) */
	uint64_t no_image_ev_next;      /* now_ns from which the next SW_EV_NO_IMAGE may be raised */
	/* enforce (issue 12 Deliver 5): per-association stats, published once a second */
	struct sw_shm_assoc_block *assoc_blk; /* NULL: not published */
	uint64_t assoc_next_ns;

	/* shared stats block (or a private one: benchmark) */
	struct sw_shm_worker *sw;
	struct sw_shm_counters *c;
	struct sw_shm_ring *ring;       /* NULL: events off */

	volatile bool *quit;
	uint64_t max_pkts;              /* stop after this many received packets (0: no limit) */
	struct sw_refusal refusal;
	/* Tests (tests/judge): when set, sw_worker_burst copies packet i's judgement to jlog[i]. */
	struct sw_judgement *jlog;
	struct sw_msu msu;              /* scratch: the MSU being judged */
	struct sw_shadow *shadow;       /* shadow policy (issue 18 D7, shadow.h), NULL: none */
	/* IP fragments (issue 14 D1): reassembly state, NULL when off. A fragment the table takes
	 * is neither transmitted nor freed by the caller (nheld per burst); what a datagram
	 * becomes (fragments again, or the failed fragments the malformed verdict passes) is
	 * queued in ipout[port index] and sent by the poll loop after the burst. */
	struct sw_worker_ipr *ipr;
	uint16_t nheld;
	uint16_t nipout[SW_PORTS];
	struct rte_mbuf *ipout[SW_PORTS][SW_IPOUT_MAX];
	/* SCTP fragments held inline (issue 14 D2), in arrival order; NULL when not holding. */
	struct sw_sctp_held *sh;
	uint16_t sh_n;
	struct sw_sctp_hold_stats sh_st;
	uint32_t jf_chunks[SW_SCTP_HOLD_FRAGS]; /* scratch: the packet being judged */
	uint8_t jf_res[SW_SCTP_HOLD_FRAGS];
	struct sw_reasm_ticket jf_t[SW_SCTP_HOLD_FRAGS];
	struct sw_worker_batch *bt; /* batching scratch (conf.batch, issue 20 D4), NULL: off */
	uint8_t prefetch_lines;     /* conf.prefetch_lines or its default */
	uint8_t batch;              /* packets per sub-batch, 0: packet by packet */
	uint8_t batch_msus;         /* MSUs decoded ahead per sub-batch (0: none) */
} __rte_cache_aligned;

/*
 * Initialise a worker: policy context, enforcement state. sw: its block in the stats
 * region (or a caller-owned one), ring: its event ring or NULL. Returns 0 or -errno.
 */
int sw_worker_init(struct sw_worker *w, unsigned id, const struct sw_worker_conf *conf,
		   struct sw_shm_worker *sw, struct sw_shm_ring *ring);
void sw_worker_fini(struct sw_worker *w);

/*
 * Bind an image directly (benchmark, tests: no shared memory). Validates it first.
 * Returns 0 or a negative errno with a message in err.
 */
int sw_worker_bind_image(struct sw_worker *w, const void *image, uint64_t size, uint64_t gen,
			 char *err, unsigned errlen);

/* Pick up a newly published image, if any, and publish the epoch: every burst boundary. */
void sw_worker_sync(struct sw_worker *w);

/*
 * Main lcore, with conf.main_validates: validate the generation active in watch->cur, if it is
 * new, and record the outcome for the workers. Returns the generation validated or refused
 * now, 0 if nothing new. Off the fast path (it checksums the whole image).
 */
uint64_t sw_image_watch_validate(struct sw_image_watch *watch, char *err, unsigned errlen);

/*
 * Process one burst received on port index in_idx (0: A, 1: B). Decodes every
 * packet and MSU, applies the verdicts, rewrites packets from which chunks are
 * removed. On return pkts[0..ret) are the packets to transmit to the peer port,
 * in their original order, and pkts[ret..n - w->nheld) the packets to free (dropped,
 * or everything in monitor mode). The function itself frees and transmits nothing,
 * so the benchmark can re-use its mbufs; the exception are IP fragments when
 * conf.ip_frag_entries is set: the w->nheld fragments the reassembly took are gone from
 * pkts, and what leaves for them waits in w->ipout (sw_worker_flush_ipout).
 */
uint16_t sw_worker_burst(struct sw_worker *w, struct rte_mbuf **pkts, uint16_t n, unsigned in_idx,
			 uint64_t now_tsc);

/* Send (inline) or free (monitor) what IP reassembly queued in w->ipout (poll loop, tests). */
void sw_worker_flush_ipout(struct sw_worker *w);
/* Fail the IP datagrams whose time ran out (now and then, from the poll loop). */
void sw_worker_ipfrag_expire(struct sw_worker *w, uint64_t now_tsc);

/* Counters of IP reassembly (issue 14 D1; private to the worker). */
struct sw_worker_ipr_stats {
	uint64_t held, done, refragmented, full, timeout, overlap, long_, tx_fail;
};
void sw_worker_ipr_stats(const struct sw_worker *w, struct sw_worker_ipr_stats *st);

/* SCTP fragments held inline (issue 14 D2): its counters, and the held packets whose message is
 * judged (or whose time ran out) sent on through the enforcer now (the poll loop calls it now
 * and then; sw_worker_burst after every burst). Queues them in ipout and reply. */
void sw_worker_sctp_stats(const struct sw_worker *w, struct sw_sctp_hold_stats *st);
void sw_worker_sctp_release(struct sw_worker *w, uint64_t now_tsc);

/* Verdict cache hits and misses of this worker's policy context (0 without policy). */
void sw_worker_cache_stats(const struct sw_worker *w, uint64_t *hits, uint64_t *misses);

/* The poll loop (rte_eal_remote_launch entry point; arg is a struct sw_worker *). */
int sw_worker_main(void *arg);

#endif /* SW_APP_WORKER_H */
