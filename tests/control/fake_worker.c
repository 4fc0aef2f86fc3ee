/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A stand-in for the dataplane's workers in the control tests: pure C, no DPDK. It attaches to
 * the shared memory exactly as a worker does (shm.h protocol) and, per "burst":
 *   - acquire-loads the generation, picks the image up on a change (sw_shm_image_get), publishes
 *     its epoch;
 *   - verifies that the image is complete and is the generation it claims: magic, size,
 *     generation in the image header equal to the published one, FNV-1a checksum over the body,
 *     at the start AND at the end of the burst (an image overwritten while in use fails);
 *   - bumps the counters and pushes events like a worker that drops one MSU per burst.
 *
 *   fake_worker --instance NAME [--workers N] [--burst-us US] [--events-every N]
 *               [--stall-ms MS --stall-gen G]   (worker 0 stalls once, mid-burst, on G)
 *               [--verify-on-pickup]   (check each image once, not twice per burst: benchmarks)
 *               [--state]   (tables as the dataplane's: a small /sigwall.NAME.state object that
 *                            each burst adds a dialogue to, so it fills and then evicts; and a
 *                            reassembly table's figures in the counter block)
 * Runs until SIGTERM/SIGINT, prints a summary line per worker, exits 1 if any burst saw a torn,
 * mismatched or overwritten image.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dataplane/policy/image.h"
#include "dataplane/shm/shm.h"
#include "dataplane/state/state.h"

static _Atomic int stop;
/* The image object in use; replaced (never unmapped: workers may still read the old one) when
 * control retires it, as the dataplane's main thread does. */
static struct sw_shm_image *_Atomic cur_image;
static struct sw_shm_stats stats;
static unsigned burst_us = 50, events_every = 10, stall_ms;
static uint64_t stall_gen = 2;
static bool verify_every_burst = true;
static struct sw_state state;
static bool with_state;

struct worker {
	pthread_t t;
	unsigned idx;
	uint64_t bursts, switches, bad, first_gen, last_gen, events, gens_distinct;
	char why[256];
};

static uint64_t
fnv1a64(const uint8_t *p, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* An independent re-implementation of the image checksum (image.h): the header with its
 * generation and checksum taken as zero, then the body. */
static uint64_t
image_checksum(const uint8_t *img, uint64_t size)
{
	struct sw_image_hdr h;

	memcpy(&h, img, sizeof(h));
	h.generation = 0;
	h.checksum = 0;
	return fnv1a64(img + sizeof(h), size - sizeof(h),
		       fnv1a64((const uint8_t *)&h, sizeof(h), SW_FNV_OFFSET));
}

/* 0 if the image is complete and is generation gen. */
static int
check_image(const uint8_t *img, uint64_t size, uint64_t gen, char *why, size_t len)
{
	const struct sw_image_hdr *h = (const void *)img;

	if (size < sizeof(*h) || h->magic != SW_IMAGE_MAGIC) {
		snprintf(why, len, "bad magic or size %" PRIu64, size);
		return -1;
	}
	if (h->size != size || h->hdr_size > size) {
		snprintf(why, len, "image header size %" PRIu64 " != slot size %" PRIu64, h->size,
			 size);
		return -1;
	}
	if (h->generation != gen) {
		snprintf(why, len, "image says generation %" PRIu64 ", published %" PRIu64,
			 h->generation, gen);
		return -1;
	}
	if (image_checksum(img, size) != h->checksum) {
		snprintf(why, len, "checksum mismatch in generation %" PRIu64, gen);
		return -1;
	}
	return 0;
}

static void
push_event(struct worker *wk, struct sw_shm_ring *r, uint64_t gen, uint32_t nrules)
{
	struct sw_shm_event *e = sw_shm_event_reserve(r);
	static const uint8_t frame[64] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0x08, 0x00, 0x45};

	if (e == NULL)
		return;
	memset(e, 0, sizeof(*e));
	e->time_ns = sw_shm_real_ns();
	e->generation = gen;
	e->rule = nrules > 0 ? (int32_t)(wk->events % nrules) : -1;
	e->worker = (uint16_t)wk->idx;
	e->kind = SW_EV_VERDICT;
	e->action = SW_EV_ACT_DROP;
	e->opc = 100 + wk->idx;
	e->dpc = 200;
	e->si = 3;
	e->opcode = 45; /* sendRoutingInfoForSM */
	snprintf(e->cgpa, sizeof(e->cgpa), "4477%08" PRIu64, wk->events % 100000000);
	snprintf(e->cdpa, sizeof(e->cdpa), "491720000001");
	snprintf(e->imsi, sizeof(e->imsi), "262011234567890");
	e->pkt_len = 120;
	e->cap_len = sizeof(frame);
	memcpy(e->pkt, frame, sizeof(frame));
	sw_shm_event_commit(r);
	wk->events++;
}

/* The tables of a burst: one new dialogue in the state object (its 256 entries fill, then
 * every insert evicts), and a reassembly table whose figures move as a worker's do. */
static void
burst_tables(struct worker *wk, struct sw_shm_worker *w)
{
	struct sw_state_ctx ctx;
	struct sw_state_key k;
	uint64_t b = wk->bursts, now = sw_shm_real_ns();

	if (sw_state_ctx_init(&ctx, &state, wk->idx, NULL) == 0) {
		sw_state_key_dialogue(&state, &k, (uint32_t)(b * 64 + wk->idx), 4,
				      sw_state_digits_key("491720000001", 12));
		sw_state_dialogue_open(&ctx, &k, false, false, now, NULL);
	}
	atomic_store_explicit(&w->c.reasm_capacity, 1024, memory_order_relaxed);
	atomic_store_explicit(&w->c.reasm_entries, b % 512, memory_order_relaxed);
	atomic_store_explicit(&w->c.reasm_pieces, 3 * b, memory_order_relaxed);
	atomic_store_explicit(&w->c.reasm_completed, b, memory_order_relaxed);
	atomic_store_explicit(&w->c.reasm_reclaimed, b / 2, memory_order_relaxed);
	atomic_store_explicit(&w->c.reasm_expired, b / 8, memory_order_relaxed);
}

static void *
worker_main(void *arg)
{
	struct worker *wk = arg;
	struct sw_shm_worker *w = sw_shm_worker(&stats, wk->idx);
	struct sw_shm_ring *r = sw_shm_ring(&stats, wk->idx);
	const uint8_t *img = NULL;
	uint64_t cur = 0, size = 0;
	uint32_t nrules = 0;
	bool stalled = false;

	atomic_store_explicit(&w->lcore, wk->idx + 1, memory_order_relaxed);
	/* alive before the first load of the generation (shm.h contract) */
	atomic_store_explicit(&w->alive, 1, memory_order_seq_cst);
	while (!atomic_load(&stop)) {
		uint64_t g = 0;

		const struct sw_shm_image *m = atomic_load_explicit(&cur_image,
								    memory_order_acquire);

		atomic_store_explicit(&w->heartbeat_ns, sw_shm_mono_ns(), memory_order_relaxed);
		if (m != NULL)
			g = atomic_load_explicit(&m->hdr->generation, memory_order_acquire);
		if (g != 0 && g != cur) {
			uint64_t ng, nsize;
			const uint8_t *ni = sw_shm_image_get(m, &ng, &nsize);

			if (ni == NULL)
				goto burst; /* nothing consistent: keep the image we have */
			img = ni;
			cur = ng;
			size = nsize;
			wk->switches++;
			if (wk->first_gen == 0)
				wk->first_gen = cur;
			SW_SHM_ADD(w->c.gen_switches, 1);
		}
burst:
		/* epochs only grow (a re-created object continues the generations anyway) */
		if (atomic_load_explicit(&w->epoch, memory_order_relaxed) < cur)
			sw_shm_worker_epoch(w, cur);
		if (img != NULL) {
			if ((verify_every_burst || wk->last_gen != cur) &&
			    check_image(img, size, cur, wk->why, sizeof(wk->why)) < 0) {
				wk->bad++;
			} else {
				nrules = ((const struct sw_image_hdr *)(const void *)img)->nrules;
				/* the burst: counters and an event now and then */
				SW_SHM_ADD(w->c.rx_pkts, 32);
				SW_SHM_ADD(w->c.rx_bytes, 32 * 120);
				SW_SHM_ADD(w->c.tx_pkts, 31);
				SW_SHM_ADD(w->c.msus, 32);
				SW_SHM_ADD(w->c.allowed, 31);
				SW_SHM_ADD(w->c.dropped, 1);
				SW_SHM_ADD(w->c.cache_hits, 30);
				SW_SHM_ADD(w->c.cache_misses, 2);
				SW_SHM_ADD(w->c.mal[1], 1);
				if (nrules > 0)
					SW_SHM_ADD(w->c.rule_hits[wk->bursts % nrules], 1);
				if (with_state)
					burst_tables(wk, w);
				if (events_every != 0 && wk->bursts % events_every == 0) {
					push_event(wk, r, cur, nrules);
					SW_SHM_ADD(w->c.events, 1);
				}
				if (stall_ms != 0 && wk->idx == 0 && !stalled && cur >= stall_gen) {
					stalled = true;
					usleep(stall_ms * 1000);
				}
				if (burst_us != 0)
					usleep(burst_us);
				/* still the same complete image at the end of the burst? */
				if (verify_every_burst && check_image(img, size, cur, wk->why, sizeof(wk->why)) < 0)
					wk->bad++;
			}
			SW_SHM_ADD(w->c.bursts, 1);
		} else if (burst_us != 0) {
			usleep(burst_us);
		}
		if (cur != wk->last_gen) {
			wk->gens_distinct++;
			wk->last_gen = cur;
		}
		wk->bursts++;
	}
	atomic_store_explicit(&w->alive, 0, memory_order_release);
	return NULL;
}

static void
on_signal(int sig)
{
	(void)sig;
	atomic_store(&stop, 1);
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"instance", required_argument, NULL, 'i'},
		{"workers", required_argument, NULL, 'w'},
		{"burst-us", required_argument, NULL, 'b'},
		{"events-every", required_argument, NULL, 'e'},
		{"stall-ms", required_argument, NULL, 's'},
		{"stall-gen", required_argument, NULL, 'g'},
		{"verify-on-pickup", no_argument, NULL, 'V'},
		{"state", no_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	const char *instance = "default";
	unsigned nworkers = 2, bad = 0;
	struct worker wk[SW_SHM_MAX_WORKERS];
	struct sw_shm_image *old[8];
	unsigned nold = 0;
	bool reused;
	int opt, rc;

	while ((opt = getopt_long(argc, argv, "i:w:b:e:s:g:V", opts, NULL)) != -1) {
		switch (opt) {
		case 'i': instance = optarg; break;
		case 'w': nworkers = (unsigned)atoi(optarg); break;
		case 'b': burst_us = (unsigned)atoi(optarg); break;
		case 'e': events_every = (unsigned)atoi(optarg); break;
		case 's': stall_ms = (unsigned)atoi(optarg); break;
		case 'g': stall_gen = strtoull(optarg, NULL, 10); break;
		case 'V': verify_every_burst = false; break;
		case 'S': with_state = true; break;
		default:
			fprintf(stderr, "usage: fake_worker --instance NAME [--workers N] "
				"[--burst-us US] [--events-every N] [--stall-ms MS --stall-gen G]\n");
			return 2;
		}
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	/* Like the dataplane: create-or-open the stats region, then wait for an image. */
	rc = sw_shm_stats_create(instance, 0, 0, &stats, &reused);
	if (rc < 0) {
		fprintf(stderr, "fake_worker: stats: %s\n", strerror(-rc));
		return 1;
	}
	if (nworkers == 0 || nworkers > stats.hdr->max_workers)
		nworkers = stats.hdr->max_workers;
	if (with_state) {
		struct sw_state_config cfg = {.dialogues = 256, .sms = 256, .subscribers = 256,
					      .max_workers = nworkers};

		rc = sw_state_open(instance, &cfg, SW_STATE_F_RECOVER, &state);
		if (rc < 0) {
			fprintf(stderr, "fake_worker: state: %s\n", strerror(-rc));
			return 1;
		}
	}
	for (unsigned i = 0; i < stats.hdr->max_workers; i++) {
		memset(&sw_shm_worker(&stats, i)->c, 0, sizeof(struct sw_shm_counters));
		atomic_store(&sw_shm_worker(&stats, i)->epoch, 0);
	}
	atomic_store(&stats.hdr->nworkers, nworkers);
	atomic_store(&stats.hdr->dataplane_pid, (int32_t)getpid());
	memset(wk, 0, sizeof(wk));
	for (unsigned i = 0; i < nworkers; i++) {
		wk[i].idx = i;
		pthread_create(&wk[i].t, NULL, worker_main, &wk[i]);
	}
	while (!atomic_load(&stop)) {
		struct sw_shm_image *m = atomic_load(&cur_image), *n;

		if (m == NULL || atomic_load_explicit(&m->hdr->retired, memory_order_acquire)) {
			n = calloc(1, sizeof(*n));
			if (n == NULL || sw_shm_image_attach_ro(instance, n) < 0) {
				free(n); /* not there yet, or garbage: control will re-create it */
			} else if (atomic_load(&n->hdr->retired) || nold >= 7) {
				sw_shm_image_detach(n); /* control is re-creating it right now */
				free(n);
			} else {
				if (m != NULL)
					old[nold++] = m; /* workers may still read it: unmap at exit */
				atomic_store_explicit(&cur_image, n, memory_order_release);
				printf("fake_worker: %u workers attached to %s (%s)\n", nworkers,
				       n->name, m == NULL ? "first" : "re-created object");
				fflush(stdout);
			}
		}
		usleep(10000);
	}
	for (unsigned i = 0; i < nworkers; i++) {
		pthread_join(wk[i].t, NULL);
		printf("worker %u: %" PRIu64 " bursts, %" PRIu64 " generation switches, generations "
		       "%" PRIu64 "..%" PRIu64 ", %" PRIu64 " events, %" PRIu64 " bad%s%s\n", i,
		       wk[i].bursts, wk[i].switches, wk[i].first_gen, wk[i].last_gen, wk[i].events,
		       wk[i].bad, wk[i].bad ? ": " : "", wk[i].bad ? wk[i].why : "");
		bad += wk[i].bad != 0;
	}
	atomic_store(&stats.hdr->dataplane_pid, 0);
	{
		struct sw_shm_image *m = atomic_load(&cur_image);

		if (m != NULL)
			old[nold++] = m;
		for (unsigned i = 0; i < nold; i++) {
			sw_shm_image_detach(old[i]);
			free(old[i]);
		}
	}
	sw_shm_stats_detach(&stats);
	if (with_state) {
		sw_state_close(&state);
		sw_state_unlink(instance);
	}
	return bad ? 1 : 0;
}
