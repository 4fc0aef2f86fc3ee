/* SPDX-License-Identifier: BSD-3-Clause */
/* /sigwall.INSTANCE.assoc: per-association repair statistics (shm_assoc.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "shm.h"
#include "shm_assoc.h"

_Static_assert(sizeof(struct sw_shm_assoc_block) ==
		       64 + SW_SHM_ASSOC_MAX * sizeof(struct sw_shm_assoc_rec),
	       "sw_shm_assoc_block layout");

static uint64_t
assoc_size(unsigned nworkers)
{
	uint64_t n = SW_SHM_PAGE + (uint64_t)nworkers * sizeof(struct sw_shm_assoc_block);

	return (n + SW_SHM_PAGE - 1) / SW_SHM_PAGE * SW_SHM_PAGE;
}

int
sw_shm_assoc_create(const char *instance, unsigned nworkers, struct sw_shm_assoc *out)
{
	struct sw_shm_assoc_hdr *h;
	void *base;
	uint64_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	if (nworkers == 0 || nworkers > SW_SHM_ASSOC_WORKERS)
		return -EINVAL;
	rc = sw_shm_name(out->name, sizeof(out->name), instance, "assoc");
	if (rc < 0)
		return rc;
	len = assoc_size(nworkers);
	shm_unlink(out->name); /* a stale object of a dataplane that died */
	rc = sw_shm_map_new(out->name, (size_t)len, &base);
	if (rc < 0)
		return rc;
	h = base;
	h->version = SW_SHM_ASSOC_VERSION;
	h->hdr_size = sizeof(*h);
	h->rec_size = sizeof(struct sw_shm_assoc_rec);
	h->max_assocs = SW_SHM_ASSOC_MAX;
	h->nworkers = nworkers;
	h->block_off = SW_SHM_PAGE;
	h->block_stride = sizeof(struct sw_shm_assoc_block);
	h->region_size = len;
	atomic_store_explicit(&h->magic, SW_SHM_ASSOC_MAGIC, memory_order_release);
	out->hdr = h;
	out->len = (size_t)len;
	out->writable = true;
	return 0;
}

static bool
hdr_valid(const struct sw_shm_assoc_hdr *h, size_t len)
{
	if (atomic_load_explicit(&h->magic, memory_order_acquire) != SW_SHM_ASSOC_MAGIC)
		return false;
	if (h->version != SW_SHM_ASSOC_VERSION || h->hdr_size != sizeof(*h) ||
	    h->rec_size != sizeof(struct sw_shm_assoc_rec) || h->max_assocs != SW_SHM_ASSOC_MAX)
		return false;
	if (h->nworkers == 0 || h->nworkers > SW_SHM_ASSOC_WORKERS ||
	    h->block_stride != sizeof(struct sw_shm_assoc_block) || h->block_off < sizeof(*h) ||
	    h->block_off % alignof(struct sw_shm_assoc_block) != 0)
		return false;
	/* every block inside the object as it really is (overflow-free: all terms bounded) */
	return h->region_size == len && h->block_off <= len &&
	       (uint64_t)h->nworkers * h->block_stride <= len - h->block_off;
}

int
sw_shm_assoc_attach(const char *instance, struct sw_shm_assoc *out)
{
	void *base;
	size_t len;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sw_shm_name(out->name, sizeof(out->name), instance, "assoc");
	if (rc < 0)
		return rc;
	rc = sw_shm_map_existing(out->name, false, sizeof(struct sw_shm_assoc_hdr), &base, &len);
	if (rc < 0)
		return rc;
	if (!hdr_valid(base, len)) {
		munmap(base, len);
		return -EPROTO;
	}
	out->hdr = base;
	out->len = len;
	return 0;
}

void
sw_shm_assoc_detach(struct sw_shm_assoc *m)
{
	if (m->hdr != NULL)
		munmap(m->hdr, m->len);
	m->hdr = NULL;
}

void
sw_shm_assoc_unlink(const char *instance)
{
	char name[64];

	if (sw_shm_name(name, sizeof(name), instance, "assoc") == 0)
		shm_unlink(name);
}

struct sw_shm_assoc_block *
sw_shm_assoc_block(const struct sw_shm_assoc *m, unsigned w)
{
	if (m->hdr == NULL || w >= m->hdr->nworkers)
		return NULL;
	return (struct sw_shm_assoc_block *)((char *)m->hdr + m->hdr->block_off +
					     (uint64_t)w * m->hdr->block_stride);
}

void
sw_shm_assoc_write_begin(struct sw_shm_assoc_block *b)
{
	uint64_t s = atomic_load_explicit(&b->seq, memory_order_relaxed);

	atomic_store_explicit(&b->seq, s | 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release); /* odd before any record changes */
}

void
sw_shm_assoc_write_end(struct sw_shm_assoc_block *b, uint64_t real_ns)
{
	uint64_t s = atomic_load_explicit(&b->seq, memory_order_relaxed);

	atomic_store_explicit(&b->time_ns, real_ns, memory_order_relaxed);
	atomic_store_explicit(&b->seq, (s | 1) + 1, memory_order_release);
}

int
sw_shm_assoc_read(const struct sw_shm_assoc *m, unsigned w, struct sw_shm_assoc_rec *out,
		  unsigned max, uint64_t *time_ns, uint32_t *tracked)
{
	const struct sw_shm_assoc_block *b = sw_shm_assoc_block(m, w);
	unsigned tries, n = 0, i;

	if (b == NULL)
		return -EINVAL;
	for (tries = 0; tries < 1000; tries++) {
		uint64_t s1 = atomic_load_explicit(&b->seq, memory_order_acquire), s2;

		if (s1 & 1)
			continue;
		n = b->count;
		if (n > SW_SHM_ASSOC_MAX) /* never trusted: clamped to the block */
			n = SW_SHM_ASSOC_MAX;
		if (n > max)
			n = max;
		memcpy(out, b->rec, (size_t)n * sizeof(*out));
		*tracked = b->tracked;
		*time_ns = atomic_load_explicit(&b->time_ns, memory_order_relaxed);
		atomic_thread_fence(memory_order_acquire);
		s2 = atomic_load_explicit(&b->seq, memory_order_relaxed);
		if (s1 == s2)
			break;
	}
	if (tries == 1000)
		return -EAGAIN;
	for (i = 0; i < n; i++) {
		out[i].last_error[sizeof(out[i].last_error) - 1] = '\0';
		if (out[i].ip_ver != 4 && out[i].ip_ver != 6)
			out[i].ip_ver = 0;
		out[i].up = out[i].up != 0;
	}
	return (int)n;
}
