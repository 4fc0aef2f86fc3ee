/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Creating, attaching and publishing into the shared-memory objects of shm.h.
 * Control-plane code: returns 0 or -errno, never runs on the packet path.
 */
#include "shm.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static uint64_t
round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

uint64_t
sw_shm_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

uint64_t
sw_shm_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int
sw_shm_instance_valid(const char *instance)
{
	size_t n;

	if (instance == NULL)
		return -EINVAL;
	n = strlen(instance);
	if (n == 0 || n > SW_SHM_INSTANCE_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = instance[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return -EINVAL;
	}
	return 0;
}

int
sw_shm_name(char *buf, size_t len, const char *instance, const char *kind)
{
	int n;

	if (sw_shm_instance_valid(instance) < 0)
		return -EINVAL;
	n = snprintf(buf, len, "/sigwall.%s.%s", instance, kind);
	if (n < 0 || (size_t)n >= len)
		return -EINVAL;
	return 0;
}

void
sw_shm_unlink(const char *instance)
{
	char name[SW_SHM_NAME_MAX];

	if (sw_shm_name(name, sizeof(name), instance, "image") == 0)
		shm_unlink(name);
	if (sw_shm_name(name, sizeof(name), instance, "stats") == 0)
		shm_unlink(name);
	if (sw_shm_name(name, sizeof(name), instance, "state") == 0)
		shm_unlink(name); /* the state tables (dataplane/state, issue 15) */
	if (sw_shm_name(name, sizeof(name), instance, "assoc") == 0) /* enforce: shm_assoc.h */
		shm_unlink(name);
}

/* Map the object open on fd (len bytes) and close fd, mapped or not. */
static int
map_fd(int fd, size_t len, bool writable, void **base)
{
	void *p = mmap(NULL, len, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED, fd, 0);
	int err = p == MAP_FAILED ? -errno : 0;

	close(fd);
	if (err == 0)
		*base = p;
	return err;
}

/* Map an existing object; validate its size against min_len. */
static int
map_existing(const char *name, bool writable, size_t min_len, void **base, size_t *len)
{
	struct stat st;
	int fd, err;

	fd = shm_open(name, writable ? O_RDWR : O_RDONLY, 0);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
	} else if ((size_t)st.st_size < min_len) {
		err = -EPROTO;
	} else {
		err = map_fd(fd, (size_t)st.st_size, writable, base);
		if (err == 0)
			*len = (size_t)st.st_size;
		return err;
	}
	close(fd);
	return err;
}

/* Create a fresh object of len bytes (O_EXCL), zero-filled, mapped read-write. */
static int
map_new(const char *name, size_t len, void **base)
{
	int fd, err;

	fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
	if (fd < 0)
		return -errno;
	/* The umask may have narrowed the mode; never widen it beyond 0600 either. */
	if (fchmod(fd, 0600) < 0 || ftruncate(fd, (off_t)len) < 0) {
		err = -errno;
		close(fd);
	} else {
		err = map_fd(fd, len, true, base);
	}
	if (err < 0)
		shm_unlink(name);
	return err;
}

/* The same two steps for other objects of an instance (dataplane/state's /sigwall.X.state). */
int
sw_shm_map_existing(const char *name, bool writable, size_t min_len, void **base, size_t *len)
{
	return map_existing(name, writable, min_len, base, len);
}

int
sw_shm_map_new(const char *name, size_t len, void **base)
{
	return map_new(name, len, base);
}

/* Map an instance's existing object of this kind (its name written to name) and check it with
 * valid(arg, base, len): -EPROTO, unmapped, when it is not what it should be. */
static int
attach_object(const char *instance, const char *kind, bool writable, size_t min_len,
	      bool (*valid)(void *arg, void *p, size_t len), void *arg, char *name,
	      size_t name_len, void **base, size_t *len)
{
	int rc = sw_shm_name(name, name_len, instance, kind);

	if (rc < 0)
		return rc;
	rc = map_existing(name, writable, min_len, base, len);
	if (rc < 0)
		return rc;
	if (!valid(arg, *base, *len)) {
		munmap(*base, *len);
		return -EPROTO;
	}
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Image region                                                                               */

static bool
image_hdr_valid(const struct sw_shm_image_hdr *h, size_t len)
{
	if (atomic_load_explicit(&h->magic, memory_order_acquire) != SW_SHM_IMAGE_MAGIC)
		return false;
	if (h->version != SW_SHM_LAYOUT_VERSION || h->hdr_size != sizeof(*h))
		return false;
	if (h->nslots < 2 || h->nslots > SW_SHM_MAX_SLOTS || h->slot_size % SW_SHM_PAGE != 0)
		return false;
	if (h->region_size != len ||
	    h->region_size != SW_SHM_PAGE + (uint64_t)h->nslots * h->slot_size)
		return false;
	for (unsigned i = 0; i < h->nslots; i++)
		if (h->slot[i].offset != SW_SHM_PAGE + (uint64_t)i * h->slot_size ||
		    h->slot[i].size > h->slot_size)
			return false;
	return true;
}

static bool
image_valid(void *unused, void *p, size_t len)
{
	(void)unused;
	return image_hdr_valid(p, len);
}

int
sw_shm_image_create(const char *instance, uint64_t slot_size, unsigned nslots,
		    struct sw_shm_image *out, bool *reused)
{
	struct sw_shm_image_hdr *h;
	void *p;
	size_t len, old_len;
	int rc;

	memset(out, 0, sizeof(*out));
	*reused = false;
	if (nslots == 0)
		nslots = SW_SHM_DEFAULT_SLOTS;
	if (nslots < 2 || nslots > SW_SHM_MAX_SLOTS || slot_size == 0)
		return -EINVAL;
	slot_size = round_up(slot_size, SW_SHM_PAGE);
	rc = sw_shm_name(out->name, sizeof(out->name), instance, "image");
	if (rc < 0)
		return rc;

	rc = map_existing(out->name, true, sizeof(*h), &p, &old_len);
	if (rc == 0) {
		h = p;
		if (image_hdr_valid(h, old_len) && h->nslots == nslots &&
		    h->slot_size >= slot_size && !atomic_load(&h->retired)) {
			out->hdr = h;
			out->base = p;
			out->len = old_len;
			out->writable = true;
			*reused = true;
			return 0;
		}
		/* Another layout, too small or garbage: retire it so an attached dataplane
		 * re-attaches, then start over. Its mapping stays valid for whoever holds it. */
		if (old_len >= sizeof(*h))
			atomic_store_explicit(&h->retired, 1, memory_order_release);
		munmap(p, old_len);
		shm_unlink(out->name);
	} else if (rc != -ENOENT) {
		if (rc != -EPROTO)
			return rc;
		shm_unlink(out->name); /* shorter than a header: garbage */
	}

	len = SW_SHM_PAGE + (size_t)nslots * slot_size;
	rc = map_new(out->name, len, &p);
	if (rc < 0)
		return rc;
	h = p;
	h->version = SW_SHM_LAYOUT_VERSION;
	h->hdr_size = sizeof(*h);
	h->nslots = nslots;
	h->slot_size = slot_size;
	h->region_size = len;
	for (unsigned i = 0; i < nslots; i++)
		h->slot[i].offset = SW_SHM_PAGE + (uint64_t)i * slot_size;
	atomic_store_explicit(&h->magic, SW_SHM_IMAGE_MAGIC, memory_order_release);
	out->hdr = h;
	out->base = p;
	out->len = len;
	out->writable = true;
	return 0;
}

int
sw_shm_image_attach_ro(const char *instance, struct sw_shm_image *out)
{
	void *p;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = attach_object(instance, "image", false, sizeof(struct sw_shm_image_hdr), image_valid,
			   NULL, out->name, sizeof(out->name), &p, &len);
	if (rc < 0)
		return rc;
	out->hdr = p;
	out->base = p;
	out->len = len;
	return 0;
}

void
sw_shm_image_detach(struct sw_shm_image *m)
{
	if (m->base != NULL)
		munmap(m->base, m->len);
	m->base = NULL;
	m->hdr = NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Stats region                                                                               */

static void
stats_geometry(unsigned max_workers, unsigned ring_size, struct sw_shm_stats_hdr *g)
{
	memset(g, 0, sizeof(*g));
	g->version = SW_SHM_LAYOUT_VERSION;
	g->hdr_size = sizeof(*g);
	g->max_workers = max_workers;
	g->ring_size = ring_size;
	g->worker_off = SW_SHM_PAGE;
	g->worker_stride = sizeof(struct sw_shm_worker);
	g->ring_off = round_up(g->worker_off + (uint64_t)max_workers * g->worker_stride,
			       SW_SHM_PAGE);
	g->ring_stride = round_up(sizeof(struct sw_shm_ring) +
				  (uint64_t)ring_size * sizeof(struct sw_shm_event), SW_SHM_PAGE);
	g->nic_off = round_up(g->ring_off + (uint64_t)max_workers * g->ring_stride, SW_SHM_PAGE);
	g->nic_stride = sizeof(struct sw_shm_nic);
	g->max_ports = SW_SHM_MAX_PORTS;
	g->max_xstats = SW_SHM_MAX_XSTATS;
	g->region_size = round_up(g->nic_off + (uint64_t)SW_SHM_MAX_PORTS * g->nic_stride,
				  SW_SHM_PAGE);
	g->mal_count = SW_MAL_COUNT;
	g->max_rules = SW_SHM_MAX_RULES;
}

static bool
stats_hdr_valid(const struct sw_shm_stats_hdr *h, size_t len)
{
	struct sw_shm_stats_hdr g;

	if (atomic_load_explicit(&h->magic, memory_order_acquire) != SW_SHM_STATS_MAGIC)
		return false;
	if (h->version != SW_SHM_LAYOUT_VERSION || h->hdr_size != sizeof(*h))
		return false;
	if (h->max_workers == 0 || h->max_workers > SW_SHM_MAX_WORKERS || h->ring_size == 0 ||
	    (h->ring_size & (h->ring_size - 1)) != 0 || h->ring_size > (1u << 20))
		return false;
	stats_geometry(h->max_workers, h->ring_size, &g);
	return h->worker_off == g.worker_off && h->worker_stride == g.worker_stride &&
	       h->ring_off == g.ring_off && h->ring_stride == g.ring_stride &&
	       h->nic_off == g.nic_off && h->nic_stride == g.nic_stride &&
	       h->max_ports == g.max_ports && h->max_xstats == g.max_xstats &&
	       h->region_size == g.region_size && h->region_size == len &&
	       h->max_rules == SW_SHM_MAX_RULES && h->mal_count <= SW_SHM_MAL_MAX;
}

/* The geometry is taken from g, computed by this process (never re-read from the region). */
static void
stats_fill(struct sw_shm_stats *m, void *p, size_t len, const struct sw_shm_stats_hdr *g)
{
	m->hdr = p;
	m->base = p;
	m->len = len;
	m->geo.max_workers = g->max_workers;
	m->geo.ring_size = g->ring_size;
	m->geo.max_ports = g->max_ports;
	m->geo.worker_off = g->worker_off;
	m->geo.worker_stride = g->worker_stride;
	m->geo.ring_off = g->ring_off;
	m->geo.ring_stride = g->ring_stride;
	m->geo.nic_off = g->nic_off;
	m->geo.nic_stride = g->nic_stride;
	atomic_store_explicit(&m->corrupt, 0, memory_order_relaxed);
}

/* Validate h (len bytes mapped) and fill m from a geometry recomputed here from the two numbers
 * read once: what the region says is only compared, never used. */
static bool
stats_attach_valid(struct sw_shm_stats *m, void *p, size_t len)
{
	const struct sw_shm_stats_hdr *h = p;
	struct sw_shm_stats_hdr g;
	uint32_t mw = h->max_workers, rs = h->ring_size;

	if (!stats_hdr_valid(h, len))
		return false;
	if (mw == 0 || mw > SW_SHM_MAX_WORKERS || rs == 0 || (rs & (rs - 1)) != 0 ||
	    rs > (1u << 20))
		return false;
	stats_geometry(mw, rs, &g);
	if (g.region_size != len)
		return false;
	stats_fill(m, p, len, &g);
	return true;
}

static bool
stats_valid(void *m, void *p, size_t len)
{
	return stats_attach_valid(m, p, len);
}

int
sw_shm_stats_create(const char *instance, unsigned max_workers, unsigned ring_size,
		    struct sw_shm_stats *out, bool *reused)
{
	struct sw_shm_stats_hdr g, *h;
	void *p;
	size_t len;
	int rc, tries;

	memset(out, 0, sizeof(*out));
	*reused = false;
	if (max_workers == 0)
		max_workers = SW_SHM_DEFAULT_WORKERS;
	if (ring_size == 0)
		ring_size = SW_SHM_RING_DEFAULT;
	if (max_workers > SW_SHM_MAX_WORKERS || (ring_size & (ring_size - 1)) != 0 ||
	    ring_size > (1u << 20))
		return -EINVAL;
	rc = sw_shm_name(out->name, sizeof(out->name), instance, "stats");
	if (rc < 0)
		return rc;
	stats_geometry(max_workers, ring_size, &g);

	for (tries = 0; tries < 3; tries++) {
		rc = map_existing(out->name, true, sizeof(*h), &p, &len);
		if (rc == 0) {
			h = p;
			/* A creator in another process may still be initialising: give it a
			 * moment before calling the object stale. */
			for (int i = 0; i < 50 && atomic_load_explicit(&h->magic,
					memory_order_acquire) == 0; i++)
				usleep(2000);
			if (!atomic_load(&h->retired) && stats_attach_valid(out, p, len)) {
				*reused = true;
				return 0;
			}
			if (len >= sizeof(*h))
				atomic_store_explicit(&h->retired, 1, memory_order_release);
			munmap(p, len);
			shm_unlink(out->name);
		} else if (rc == -EPROTO) {
			shm_unlink(out->name);
		} else if (rc != -ENOENT) {
			return rc;
		}
		rc = map_new(out->name, g.region_size, &p);
		if (rc == -EEXIST)
			continue; /* lost a creation race: open the winner's */
		if (rc < 0)
			return rc;
		h = p;
		memcpy((uint8_t *)h + sizeof(h->magic), (uint8_t *)&g + sizeof(g.magic),
		       offsetof(struct sw_shm_stats_hdr, control_heartbeat_ns) - sizeof(g.magic));
		for (unsigned w = 0; w < max_workers; w++) {
			struct sw_shm_ring *r = (struct sw_shm_ring *)((uint8_t *)p + g.ring_off +
								       (uint64_t)w * g.ring_stride);

			r->size = ring_size;
			r->mask = ring_size - 1;
		}
		atomic_store_explicit(&h->magic, SW_SHM_STATS_MAGIC, memory_order_release);
		stats_fill(out, p, g.region_size, &g);
		return 0;
	}
	return -EEXIST;
}

int
sw_shm_stats_attach(const char *instance, bool writable, struct sw_shm_stats *out)
{
	void *p;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = attach_object(instance, "stats", writable, sizeof(struct sw_shm_stats_hdr), stats_valid,
			   out, out->name, sizeof(out->name), &p, &len);
	if (rc < 0)
		memset(out, 0, sizeof(*out));
	return rc;
}

void
sw_shm_stats_detach(struct sw_shm_stats *m)
{
	if (m->base != NULL)
		munmap(m->base, m->len);
	m->base = NULL;
	m->hdr = NULL;
}

bool
sw_shm_worker_live(const struct sw_shm_stats *s, unsigned w)
{
	int32_t pid;

	if (s == NULL || s->hdr == NULL || w >= s->geo.max_workers)
		return false;
	if (atomic_load_explicit(&sw_shm_worker(s, w)->alive, memory_order_acquire) == 0)
		return false;
	pid = atomic_load_explicit(&s->hdr->dataplane_pid, memory_order_relaxed);
	/* No pid recorded: trust the flag (a test worker, or a dataplane that does not say). */
	if (pid <= 0)
		return true;
	return kill(pid, 0) == 0 || errno != ESRCH;
}

/* ------------------------------------------------------------------------------------------ */
/* Publication                                                                                */

/* Oldest epoch over the live workers; UINT64_MAX when none is live. Sets *who to the holder. */
static uint64_t
min_live_epoch(const struct sw_shm_stats *s, unsigned *who)
{
	uint64_t min = UINT64_MAX;

	*who = UINT32_MAX;
	if (s == NULL || s->hdr == NULL)
		return min;
	for (unsigned w = 0; w < s->geo.max_workers; w++) {
		uint64_t e;

		if (!sw_shm_worker_live(s, w))
			continue;
		e = atomic_load_explicit(&sw_shm_worker(s, w)->epoch, memory_order_acquire);
		if (e < min) {
			min = e;
			*who = w;
		}
	}
	return min;
}

/* Smallest shadow_seen of the live workers (UINT64_MAX: none live). */
static uint64_t
min_live_shadow_seen(const struct sw_shm_stats *s)
{
	uint64_t min = UINT64_MAX;

	if (s == NULL || s->hdr == NULL)
		return min;
	for (unsigned w = 0; w < s->geo.max_workers; w++) {
		uint64_t e;

		if (!sw_shm_worker_live(s, w))
			continue;
		e = atomic_load_explicit(&sw_shm_worker(s, w)->shadow_seen, memory_order_acquire);
		if (e < min)
			min = e;
	}
	return min;
}

/*
 * A slot of generation g that a shadow holds, or held while a worker may still read it (every
 * live worker's shadow_seen must have reached shadow_seq: shm.h). Control only; forgets the
 * previous shadow once every worker has left it.
 */
static bool
shadow_holds(struct sw_shm_image_hdr *h, const struct sw_shm_stats *stats, uint64_t g)
{
	uint64_t prev = atomic_load_explicit(&h->shadow_prev_generation, memory_order_relaxed);

	if (g == 0)
		return false;
	if (g == atomic_load_explicit(&h->shadow_generation, memory_order_relaxed))
		return true;
	if (prev == 0 || g != prev)
		return false;
	atomic_thread_fence(memory_order_seq_cst);
	if (min_live_shadow_seen(stats) >=
	    atomic_load_explicit(&h->shadow_seq, memory_order_relaxed)) {
		atomic_store_explicit(&h->shadow_prev_generation, 0, memory_order_relaxed);
		return false;
	}
	return true;
}

/*
 * The slot a publication may overwrite, or UINT32_MAX: never the one holding the active
 * generation `cur` or a shadow a worker may read. Free: an empty slot, one left by a publication
 * that never completed (generation above the active one: no worker looks for it), or one every
 * live worker has left behind (below min_epoch). Oldest first.
 */
static uint32_t
free_slot(struct sw_shm_image_hdr *h, const struct sw_shm_stats *stats, uint64_t cur,
	  uint64_t min_epoch)
{
	uint64_t best = UINT64_MAX;
	uint32_t slot = UINT32_MAX;

	for (unsigned i = 0; i < h->nslots; i++) {
		uint64_t g = atomic_load_explicit(&h->slot[i].generation, memory_order_relaxed);

		if ((cur != 0 && g == cur) || (g != 0 && g <= cur && g >= min_epoch) ||
		    shadow_holds(h, stats, g))
			continue;
		if (g > cur)
			g = 0;
		if (slot == UINT32_MAX || g < best) {
			best = g;
			slot = i;
		}
	}
	return slot;
}

int
sw_shm_image_publish(struct sw_shm_image *m, const struct sw_shm_stats *stats,
		     const void *image, uint64_t size, uint64_t generation, uint64_t checksum,
		     uint64_t compile_ns, unsigned timeout_ms, char *err, size_t errlen)
{
	struct sw_shm_image_hdr *h = m->hdr;
	uint64_t cur, deadline, min_epoch = 0;
	unsigned slot = UINT32_MAX, who = UINT32_MAX;

	if (!m->writable || h == NULL) {
		snprintf(err, errlen, "%s is not mapped for writing", m->name);
		return -EINVAL;
	}
	if (size > h->slot_size) {
		snprintf(err, errlen,
			 "image of %llu bytes does not fit the %llu-byte slots of %s; restart "
			 "sigwall-control with --slot-size",
			 (unsigned long long)size, (unsigned long long)h->slot_size, m->name);
		return -E2BIG;
	}
	cur = atomic_load_explicit(&h->generation, memory_order_relaxed);
	if (generation <= cur) {
		snprintf(err, errlen, "generation %llu is not newer than the active %llu",
			 (unsigned long long)generation, (unsigned long long)cur);
		return -EINVAL;
	}

	/*
	 * Order publication before reading liveness and epochs (Dekker with the worker's seq_cst
	 * store of `alive` before its first generation load): a worker we see as not alive will
	 * load at least the currently active generation, never the slot we pick.
	 */
	atomic_thread_fence(memory_order_seq_cst);
	deadline = sw_shm_mono_ns() + (uint64_t)timeout_ms * 1000000ull;
	for (;;) {
		min_epoch = min_live_epoch(stats, &who);
		slot = free_slot(h, stats, cur, min_epoch);
		if (slot != UINT32_MAX)
			break;
		if (sw_shm_mono_ns() >= deadline) {
			struct sw_shm_worker *w;

			if (stats == NULL || who == UINT32_MAX) {
				snprintf(err, errlen, "no free slot in %s", m->name);
				return -EBUSY;
			}
			w = sw_shm_worker(stats, who);
			snprintf(err, errlen,
				 "worker %u (lcore %u) has not left generation %llu within %u ms; "
				 "no free slot, the running image is unchanged",
				 who, atomic_load_explicit(&w->lcore, memory_order_relaxed),
				 (unsigned long long)min_epoch, timeout_ms);
			return -ETIMEDOUT;
		}
		usleep(200);
	}

	/* Invalidate first: a worker that raced to this slot now sees a mismatch and retries. */
	atomic_store_explicit(&h->slot[slot].generation, 0, memory_order_release);
	atomic_thread_fence(memory_order_seq_cst);
	memcpy(m->base + h->slot[slot].offset, image, size);
	h->slot[slot].size = size;
	h->slot[slot].checksum = checksum;
	h->slot[slot].compile_ns = compile_ns;
	h->slot[slot].publish_ns = sw_shm_real_ns();
	atomic_store_explicit(&h->slot[slot].generation, generation, memory_order_release);
	atomic_store_explicit(&h->active_slot, slot, memory_order_release);
	atomic_store_explicit(&h->generation, generation, memory_order_release);
	atomic_store_explicit(&h->control_pid, (int32_t)getpid(), memory_order_relaxed);
	atomic_fetch_add_explicit(&h->reloads, 1, memory_order_relaxed);
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Shadow policy (issue 18 D7)                                                                 */

int
sw_shm_shadow_publish(struct sw_shm_image *m, const struct sw_shm_stats *stats,
		      const void *image, uint64_t size, uint64_t generation, uint64_t checksum,
		      uint32_t sample, unsigned timeout_ms, char *err, size_t errlen)
{
	struct sw_shm_image_hdr *h = m->hdr;
	uint64_t cur, old, deadline;
	unsigned slot = UINT32_MAX, who;

	if (!m->writable || h == NULL) {
		snprintf(err, errlen, "%s is not mapped for writing", m->name);
		return -EINVAL;
	}
	if (size > h->slot_size) {
		snprintf(err, errlen, "image of %llu bytes does not fit the %llu-byte slots of %s",
			 (unsigned long long)size, (unsigned long long)h->slot_size, m->name);
		return -E2BIG;
	}
	cur = atomic_load_explicit(&h->generation, memory_order_relaxed);
	old = atomic_load_explicit(&h->shadow_generation, memory_order_relaxed);
	if (generation <= cur || generation <= old) {
		snprintf(err, errlen, "shadow generation %llu is not newer than the active %llu",
			 (unsigned long long)generation, (unsigned long long)cur);
		return -EINVAL;
	}
	atomic_thread_fence(memory_order_seq_cst);
	deadline = sw_shm_mono_ns() + (uint64_t)timeout_ms * 1000000ull;
	for (;;) {
		uint64_t min_epoch = min_live_epoch(stats, &who);
		/* The shadow we replace becomes the previous one: the one before must be left. */
		bool prev_busy = old != 0 &&
				 atomic_load_explicit(&h->shadow_prev_generation,
						      memory_order_relaxed) != 0 &&
				 shadow_holds(h, stats,
					      atomic_load_explicit(&h->shadow_prev_generation,
								   memory_order_relaxed));

		slot = prev_busy ? UINT32_MAX : free_slot(h, stats, cur, min_epoch);
		if (slot != UINT32_MAX)
			break;
		if (sw_shm_mono_ns() >= deadline) {
			snprintf(err, errlen, "no free slot in %s for a shadow (%u slots; a worker "
				 "still reads an older image)", m->name, h->nslots);
			return -ETIMEDOUT;
		}
		usleep(200);
	}
	atomic_store_explicit(&h->slot[slot].generation, 0, memory_order_release);
	atomic_thread_fence(memory_order_seq_cst);
	memcpy(m->base + h->slot[slot].offset, image, size);
	h->slot[slot].size = size;
	h->slot[slot].checksum = checksum;
	h->slot[slot].compile_ns = 0;
	h->slot[slot].publish_ns = sw_shm_real_ns();
	atomic_store_explicit(&h->slot[slot].generation, generation, memory_order_release);
	if (old != 0)
		atomic_store_explicit(&h->shadow_prev_generation, old, memory_order_relaxed);
	atomic_store_explicit(&h->shadow_sample, sample, memory_order_relaxed);
	atomic_store_explicit(&h->shadow_generation, generation, memory_order_release);
	atomic_fetch_add_explicit(&h->shadow_seq, 1, memory_order_release);
	return 0;
}

int
sw_shm_shadow_promote(struct sw_shm_image *m, char *err, size_t errlen)
{
	struct sw_shm_image_hdr *h = m->hdr;
	uint64_t g = atomic_load_explicit(&h->shadow_generation, memory_order_relaxed);
	uint64_t cur = atomic_load_explicit(&h->generation, memory_order_relaxed);
	unsigned s;

	if (g == 0) {
		snprintf(err, errlen, "no shadow policy to promote");
		return -ENOENT;
	}
	if (g <= cur) {
		snprintf(err, errlen, "the active generation %llu is newer than the shadow %llu: "
			 "reload --shadow again", (unsigned long long)cur, (unsigned long long)g);
		return -ESTALE;
	}
	for (s = 0; s < h->nslots; s++)
		if (atomic_load_explicit(&h->slot[s].generation, memory_order_relaxed) == g)
			break;
	if (s == h->nslots) {
		snprintf(err, errlen, "the shadow generation %llu is in no slot",
			 (unsigned long long)g);
		return -ENOENT;
	}
	/* One publication (shm.h): the slot already holds the complete image. From now on the
	 * active-image rules protect it. */
	atomic_store_explicit(&h->active_slot, s, memory_order_release);
	atomic_store_explicit(&h->generation, g, memory_order_release);
	atomic_store_explicit(&h->control_pid, (int32_t)getpid(), memory_order_relaxed);
	atomic_fetch_add_explicit(&h->reloads, 1, memory_order_relaxed);
	atomic_store_explicit(&h->shadow_generation, 0, memory_order_release);
	atomic_fetch_add_explicit(&h->shadow_seq, 1, memory_order_release);
	return 0;
}

int
sw_shm_shadow_drop(struct sw_shm_image *m, char *err, size_t errlen)
{
	struct sw_shm_image_hdr *h = m->hdr;
	uint64_t g = atomic_load_explicit(&h->shadow_generation, memory_order_relaxed);

	if (g == 0) {
		snprintf(err, errlen, "no shadow policy to drop");
		return -ENOENT;
	}
	/* Its slot stays reserved until every worker has left it (shadow_holds). An older
	 * previous shadow nobody may still read is forgotten the same way. */
	atomic_store_explicit(&h->shadow_prev_generation, g, memory_order_relaxed);
	atomic_store_explicit(&h->shadow_generation, 0, memory_order_release);
	atomic_fetch_add_explicit(&h->shadow_seq, 1, memory_order_release);
	return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Consumer side: everything read from the region is checked (shm.h, "Trust")                 */

static void
corrupt(struct sw_shm_stats *s, uint64_t n)
{
	atomic_fetch_add_explicit(&s->corrupt, n, memory_order_relaxed);
}

unsigned
sw_shm_nworkers(struct sw_shm_stats *s)
{
	uint32_t n = atomic_load_explicit(&s->hdr->nworkers, memory_order_relaxed);

	if (n > s->geo.max_workers) {
		corrupt(s, 1);
		n = s->geo.max_workers;
	}
	return n;
}

/* Terminates a string field copied out of the region; true when it already was. */
static bool
terminate(char *str, size_t size)
{
	if (memchr(str, '\0', size) != NULL)
		return true;
	str[size - 1] = '\0';
	return false;
}

bool
sw_shm_event_sanitize(struct sw_shm_event *ev, unsigned w)
{
	bool ok = true;

	ok &= terminate(ev->cgpa, sizeof(ev->cgpa));
	ok &= terminate(ev->cdpa, sizeof(ev->cdpa));
	ok &= terminate(ev->imsi, sizeof(ev->imsi));
	if (ev->cap_len > SW_SHM_EVENT_SNAP) {
		ev->cap_len = SW_SHM_EVENT_SNAP;
		ok = false;
	}
	if (ev->worker != w) {
		ev->worker = (uint16_t)w;
		ok = false;
	}
	if (ev->kind != SW_EV_VERDICT && ev->kind != SW_EV_MALFORMED &&
	    ev->kind != SW_EV_NO_IMAGE && ev->kind != SW_EV_REPAIR_FALLBACK &&
	    ev->kind != SW_EV_SHADOW) {
		ev->kind = SW_EV_MALFORMED;
		ok = false;
	}
	if (ev->action > SW_EV_ACT_RATE_LIMIT) {
		ev->action = SW_EV_ACT_DROP;
		ok = false;
	}
	if (ev->mal >= SW_MAL_COUNT) {
		ev->mal = 0;
		ok = false;
	}
	return ok;
}

unsigned
sw_shm_events_pop(struct sw_shm_stats *s, unsigned w, struct sw_shm_event *out, unsigned max)
{
	struct sw_shm_ring *r;
	uint64_t tail, head, size = s->geo.ring_size, mask = size - 1;
	unsigned n = 0;

	if (s->hdr == NULL || w >= s->geo.max_workers || size == 0)
		return 0;
	r = sw_shm_ring(s, w);
	tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	head = atomic_load_explicit(&r->head, memory_order_acquire);
	/* head - tail in 0..size for an honest producer (unsigned: a head behind tail is huge).
	 * Otherwise nothing between them can be trusted: skip to head. */
	if (head - tail > size) {
		corrupt(s, 1);
		tail = head;
	}
	while (tail != head && n < max) {
		memcpy(&out[n], &r->ev[tail & mask], sizeof(*out));
		/* The producer may have overwritten the record while we copied it only if it ran
		 * past tail, which an honest one never does; the copy is made safe either way. */
		if (!sw_shm_event_sanitize(&out[n], w))
			corrupt(s, 1);
		n++;
		tail++;
	}
	atomic_store_explicit(&r->tail, tail, memory_order_release);
	return n;
}

int
sw_shm_nic_read(struct sw_shm_stats *s, unsigned p, struct sw_shm_nic *out)
{
	const struct sw_shm_nic *n;
	uint32_t ports;

	if (s->hdr == NULL || p >= s->geo.max_ports)
		return -ENOENT;
	ports = atomic_load_explicit(&s->hdr->nic_ports, memory_order_relaxed);
	if (ports > s->geo.max_ports) {
		corrupt(s, 1);
		ports = s->geo.max_ports;
	}
	if (p >= ports)
		return -ENOENT;
	n = sw_shm_nic(s, p);
	for (int tries = 0; tries < 100; tries++) {
		uint64_t q1 = atomic_load_explicit(&n->seq, memory_order_acquire), q2;
		bool ok = true;

		if (q1 & 1) {
			usleep(100);
			continue;
		}
		memcpy(out, n, sizeof(*out));
		atomic_thread_fence(memory_order_acquire);
		q2 = atomic_load_explicit(&n->seq, memory_order_relaxed);
		if (q1 != q2)
			continue;
		if (atomic_load_explicit(&out->update_ns, memory_order_relaxed) == 0)
			return -ENOENT;
		if (out->nxstats > SW_SHM_MAX_XSTATS) {
			out->nxstats = SW_SHM_MAX_XSTATS;
			ok = false;
		}
		ok &= terminate(out->name, sizeof(out->name));
		for (uint32_t i = 0; i < out->nxstats; i++)
			ok &= terminate(out->xname[i], sizeof(out->xname[i]));
		if (!ok)
			corrupt(s, 1);
		return 0;
	}
	return -EAGAIN;
}
