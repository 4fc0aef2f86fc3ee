/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker side of the differential test (tests/judge/judge_diff.py): runs every frame of an
 * Ethernet capture through sw_worker_burst (lib_dpapp, as sigwall-dataplane links it) on an EAL
 * without hugepages or devices, inline and without repair, and prints per frame the judgement the
 * worker acted on, one JSON line:
 *
 *   {"frame":N,"cls":C,"fwd":0|1,"verdicts":[["allow","rule-name","mal-name"],...]}
 *
 * It also checks that the worker did what the judgement says (the packet left or not; exactly the
 * chunks in the drop mask were taken out) and exits 1 if not.
 *
 *   judge-worker RULES SITE PCAP [--port 0|1] [--non-ip drop] [--no-image]
 *                [--perturb K]    flip the action of the K-th verdict printed (self-check)
 *                [--burst N]      frames given to sw_worker_burst N at a time (default 1), at
 *                                 the time of the first (judge-batch; inspect compares with 1)
 *                [--batch off|B]  the worker's conf.batch (issue 20 D4; default: its default)
 *                [--no-check]     do not fail when the worker's disposition differs from the
 *                                 judgement (the enforcer drops corrupted packets on its own:
 *                                 judge-batch's mutated inputs); "out" shows what it did
 *
 * The last line is the worker's counters: {"counters":{...}}.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <pcap/pcap.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "control/compiler/compiler.h"
#include "dataplane/decode/decode.h"
#include "dataplane/judge/judge.h"
#include "dataplane/policy/image.h"
#include "worker.h"

static const char *const act_name[] = {"allow", "drop", "alert"};

static int
die(const char *what)
{
	fprintf(stderr, "judge-worker: %s\n", what);
	return 1;
}

/* What the worker did with one frame must be what the judgement says. */
static int
check_disposition(const struct sw_judgement *j, const uint8_t *in, uint32_t inlen, bool kept,
		  const struct rte_mbuf *m, unsigned frame)
{
	struct sw_pkt a, b;
	unsigned left;

	if (j->cls != SW_JUDGE_CHUNKS) {
		if (kept != j->forward) {
			fprintf(stderr, "judge-worker: frame %u: packet verdict %s but the worker %s it\n",
				frame, j->forward ? "forward" : "drop", kept ? "forwarded" : "dropped");
			return -1;
		}
		return 0;
	}
	sw_decode_packet(in, inlen, SW_LINK_ETH, &a);
	left = a.nchunks - (unsigned)__builtin_popcount(j->drop_mask);
	if (!kept) {
		if (left != 0) {
			fprintf(stderr, "judge-worker: frame %u dropped with %u chunks left\n", frame,
				left);
			return -1;
		}
		return 0;
	}
	sw_decode_packet(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m),
			 SW_LINK_ETH, &b);
	if (b.nchunks != left) {
		fprintf(stderr, "judge-worker: frame %u: %u chunks left, the judgement says %u\n",
			frame, b.nchunks, left);
		return -1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *rules, *site, *path;
	unsigned port = 0, frame = 0, printed = 0;
	long perturb = -1;
	bool non_ip_pass = true, no_image = false, check = true;
	struct sw_compiled comp = {0};
	struct sw_state state;
	bool have_state = false;
	struct sw_shm_worker *blk;
	struct sw_worker *w;
	struct sw_worker_conf wc;
	struct rte_mempool *pool;
	struct pcap_pkthdr *h;
	const u_char *data;
	char perr[PCAP_ERRBUF_SIZE], err[512], prefix[64], runtime_dir[PATH_MAX];
	char *eal[] = {argv[0], "-l", "0", "--no-huge", "-m", "64", "--no-pci", "--no-shconf", "--no-telemetry", "--log-level=lib.eal:error", prefix};
	pcap_t *pc;
	int i, r = 1, rc = 0;
	unsigned burst = 1, batch = 0, nb = 0;
	static struct sw_judgement jl[SW_BURST_MAX];
	struct rte_mbuf *b[SW_BURST_MAX], *orig[SW_BURST_MAX];
	uint8_t *in[SW_BURST_MAX];
	uint32_t inlen[SW_BURST_MAX];
	uint64_t ts0 = 0;

	if (argc < 4)
		return die("usage: judge-worker RULES SITE PCAP [--port 0|1] [--non-ip drop] "
			   "[--no-image] [--perturb K] [--burst N] [--batch off|B] [--no-check]");
	rules = argv[1];
	site = argv[2];
	path = argv[3];
	for (i = 4; i < argc; i++) {
		if (strcmp(argv[i], "--port") == 0 && i + 1 < argc)
			port = (unsigned)atoi(argv[++i]) & 1;
		else if (strcmp(argv[i], "--non-ip") == 0 && i + 1 < argc)
			non_ip_pass = strcmp(argv[++i], "drop") != 0;
		else if (strcmp(argv[i], "--no-image") == 0)
			no_image = true;
		else if (strcmp(argv[i], "--perturb") == 0 && i + 1 < argc)
			perturb = atol(argv[++i]);
		else if (strcmp(argv[i], "--burst") == 0 && i + 1 < argc)
			burst = (unsigned)atoi(argv[++i]);
		else if (strcmp(argv[i], "--batch") == 0 && i + 1 < argc) {
			i++;
			batch = strcmp(argv[i], "off") == 0 ? SW_BATCH_OFF : (unsigned)atoi(argv[i]);
		} else if (strcmp(argv[i], "--no-check") == 0) {
			check = false;
		} else {
			return die("unknown option");
		}
	}
	if (burst == 0 || burst > SW_BURST_MAX || (batch > SW_BURST_MAX && batch != SW_BATCH_OFF))
		return die("--burst 1-64, --batch off|1-64");
	pc = pcap_open_offline(path, perr);
	if (pc == NULL)
		return die(perr);
	if (pcap_datalink(pc) != DLT_EN10MB) {
		printf("{\"skip\":\"not an Ethernet capture: the workers see Ethernet only\"}\n");
		pcap_close(pc);
		return 0;
	}
	if (sw_compile_files(rules, site, 1, &comp, err, sizeof(err)) < 0)
		return die(err);

	snprintf(prefix, sizeof(prefix), "--file-prefix=swjudge%d", (int)getpid());
	if (rte_eal_init((int)(sizeof(eal) / sizeof(eal[0])), eal) < 0) {
		fprintf(stderr, "judge-worker: EAL init failed: %s\n", rte_strerror(rte_errno));
		return 77;
	}
	pool = rte_pktmbuf_pool_create("judge", 1023, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
	blk = rte_zmalloc("blk", sizeof(*blk), RTE_CACHE_LINE_SIZE);
	w = rte_zmalloc("w", sizeof(*w), RTE_CACHE_LINE_SIZE);
	if (pool == NULL || blk == NULL || w == NULL)
		return die("out of memory");
	memset(&wc, 0, sizeof(wc));
	wc.mode = SW_MODE_INLINE;
	wc.non_sctp_pass = non_ip_pass;
	wc.def_action = SW_ACT_ALLOW;
	wc.no_repair = true; /* chunks are cut, not neutralised: the output shows the mask */
	wc.batch = (uint8_t)batch;
	if (sw_worker_init(w, 0, &wc, blk, NULL) < 0)
		return die("worker init failed");
	if (!no_image && sw_worker_bind_image(w, comp.image, comp.size, 1, err, sizeof(err)) < 0)
		return die(err);
	/* The state tables (issue 15), private as inspect's, on the capture's clock. */
	if (!no_image && sw_img_state(comp.image) != NULL) {
		struct sw_state_config scfg;
		sw_judge_state_config(comp.image, &scfg);
		if (sw_state_create_private(&scfg, &state) < 0 ||
		    sw_judge_state_attach(&w->judge, &state, 0, 0) < 0)
			return die("cannot create the state tables");
		have_state = true;
	}
	/* The worker's clock is the capture's, as inspect's: now_ns == now_tsc == timestamp. */
	w->tsc0 = 0;
	w->mono0_ns = 0;
	w->ns_per_tsc = 1.0;
	w->nports = 2;

	/* Frames are gathered into bursts of `burst`; the last one may be shorter. */
	while (r == 1) {
		uint16_t kept;
		unsigned k, q;

		r = pcap_next_ex(pc, &h, &data);
		if (r == 1) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
			char *p;

			if (m == NULL || h->caplen > RTE_MBUF_DEFAULT_DATAROOM)
				return die("frame does not fit an mbuf");
			p = rte_pktmbuf_append(m, (uint16_t)h->caplen);
			memcpy(p, data, h->caplen);
			in[nb] = malloc(h->caplen);
			if (in[nb] == NULL)
				return die("out of memory");
			memcpy(in[nb], data, h->caplen);
			inlen[nb] = h->caplen;
			if (nb == 0)
				ts0 = (uint64_t)h->ts.tv_sec * 1000000000ull +
				      (uint64_t)h->ts.tv_usec * 1000;
			b[nb] = orig[nb] = m;
			nb++;
			if (nb < burst)
				continue;
		}
		if (nb == 0)
			break;
		memset(jl, 0, sizeof(jl));
		w->jlog = jl;
		kept = sw_worker_burst(w, b, (uint16_t)nb, port, ts0);
		w->jlog = NULL;
		for (q = 0; q < nb; q++) {
			bool fwd = false;

			frame++;
			for (k = 0; k < kept; k++)
				fwd |= b[k] == orig[q];
			if (check &&
			    check_disposition(&jl[q], in[q], inlen[q], fwd, orig[q], frame) < 0)
				rc = 1;
			free(in[q]);
			printf("{\"frame\":%u,\"cls\":%u,\"fwd\":%u,\"out\":%u,\"verdicts\":[",
			       frame, jl[q].cls, jl[q].forward, fwd);
			unsigned nv = jl[q].cls == SW_JUDGE_CHUNKS ? jl[q].nverdicts : 1u;

			for (k = 0; k < nv; k++) {
				const struct sw_judge_verdict *v =
					jl[q].cls == SW_JUDGE_CHUNKS ? &jl[q].v[k] : &jl[q].pkt;
				uint8_t a = v->action;

				if (perturb >= 0 && printed == (unsigned long)perturb)
					a = a == SW_ACTION_DROP ? SW_ACTION_ALLOW : SW_ACTION_DROP;
				printed++;
				printf("%s[\"%s\",\"%s\",\"%s\"]", k ? "," : "",
				       a < 3 ? act_name[a] : "?",
				       sw_judge_rule_name(no_image ? NULL : comp.image, v->rule),
				       sw_mal_name((enum sw_mal)v->mal));
			}
			printf("]}\n");
		}
		/* what left, and what was dropped (held packets are the worker's) */
		for (q = 0; q < nb - w->nheld; q++)
			rte_pktmbuf_free(b[q]);
		nb = 0;
	}
	{
		const struct sw_shm_counters *c = w->c;

		printf("{\"counters\":{\"rx\":%" PRIu64 ",\"msus\":%" PRIu64
		       ",\"allowed\":%" PRIu64 ",\"dropped\":%" PRIu64 ",\"alerted\":%" PRIu64
		       ",\"malformed\":%" PRIu64 ",\"pkts_dropped\":%" PRIu64
		       ",\"chunks_removed\":%" PRIu64 ",\"non_sctp\":%" PRIu64
		       ",\"default_hits\":%" PRIu64 ",\"held\":%" PRIu64 ",\"shrunk\":%" PRIu64
		       "}}\n",
		       c->rx_pkts, c->msus, c->allowed, c->dropped, c->alerted, c->malformed,
		       c->pkts_dropped, c->chunks_removed, c->non_sctp, c->default_hits,
		       w->sh_st.held, w->shrunk);
	}
	if (r == -1)
		rc = die(pcap_geterr(pc));
	pcap_close(pc);
	sw_worker_fini(w);
	if (have_state)
		sw_state_close(&state);
	sw_compiled_free(&comp);
	snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	/* --no-shconf: no shared files; only the empty runtime directory is left to remove. */
	(void)rmdir(runtime_dir);
	return rc;
}
