/* SPDX-License-Identifier: BSD-3-Clause */
/* The instance's delta rings in shared memory (rings.h, issue 16). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "dataplane/shm/shm.h"
#include "dataplane/state/rings.h"

int
sw_state_rings_name(char *buf, size_t len, const char *instance)
{
	return sw_shm_name(buf, len, instance, "deltas");
}

static uint64_t
ring_stride(uint32_t size)
{
	return (sw_state_ring_bytes(size) + SW_STATE_PAGE - 1) / SW_STATE_PAGE * SW_STATE_PAGE;
}

static bool
rings_valid(const struct sw_state_rings_hdr *h, size_t len)
{
	if (len < sizeof(*h) ||
	    atomic_load_explicit(&h->magic, memory_order_acquire) != SW_STATE_RINGS_MAGIC)
		return false;
	if (h->version != SW_STATE_RINGS_VERSION || h->hdr_size != sizeof(*h) ||
	    h->region_size != len || h->nrings == 0 || h->nrings > SW_STATE_MAX_WORKERS ||
	    h->ring_size < 2 || (h->ring_size & (h->ring_size - 1)) != 0 ||
	    h->ring_stride != ring_stride(h->ring_size))
		return false;
	return h->region_size == SW_STATE_PAGE + (uint64_t)h->nrings * h->ring_stride;
}

static int
map_valid(const char *name, struct sw_state_rings *out)
{
	void *p;
	size_t len;
	int rc = sw_shm_map_existing(name, true, sizeof(struct sw_state_rings_hdr), &p, &len);

	if (rc < 0)
		return rc;
	if (!rings_valid(p, len)) {
		munmap(p, len);
		return -EPROTO;
	}
	out->hdr = p;
	out->base = p;
	out->len = len;
	return 0;
}

int
sw_state_rings_attach(const char *instance, struct sw_state_rings *out)
{
	char name[SW_STATE_NAME_MAX + 8];
	int rc;

	memset(out, 0, sizeof(*out));
	rc = sw_state_rings_name(name, sizeof(name), instance);
	return rc < 0 ? rc : map_valid(name, out);
}

int
sw_state_rings_create(const char *instance, uint32_t nrings, uint32_t size,
		      struct sw_state_rings *out)
{
	char name[SW_STATE_NAME_MAX + 8];
	struct sw_state_rings_hdr *h;
	uint64_t stride, total;
	void *p;
	int rc;

	memset(out, 0, sizeof(*out));
	if (nrings == 0)
		nrings = SW_STATE_MAX_WORKERS;
	if (size == 0)
		size = SW_STATE_RINGS_DEFAULT_SIZE;
	if (nrings > SW_STATE_MAX_WORKERS || size < 2 || (size & (size - 1)) != 0 ||
	    size > (1u << 24))
		return -EINVAL;
	rc = sw_state_rings_name(name, sizeof(name), instance);
	if (rc < 0)
		return rc;
	stride = ring_stride(size);
	total = SW_STATE_PAGE + nrings * stride;
	rc = map_valid(name, out);
	if (rc == 0 && out->hdr->nrings == nrings && out->hdr->ring_size == size)
		return 1;
	if (rc == 0)
		sw_state_rings_close(out);
	if (rc != -ENOENT)
		shm_unlink(name); /* another geometry or garbage: replaced */
	rc = sw_shm_map_new(name, total, &p);
	if (rc < 0)
		return rc;
	h = p;
	h->version = SW_STATE_RINGS_VERSION;
	h->hdr_size = sizeof(*h);
	h->region_size = total;
	h->nrings = nrings;
	h->ring_size = size;
	h->ring_stride = stride;
	for (uint32_t i = 0; i < nrings; i++)
		sw_state_ring_init((uint8_t *)p + SW_STATE_PAGE + i * stride, size);
	atomic_store_explicit(&h->magic, SW_STATE_RINGS_MAGIC, memory_order_release);
	out->hdr = h;
	out->base = p;
	out->len = total;
	return 0;
}

struct sw_state_ring *
sw_state_rings_get(const struct sw_state_rings *r, unsigned i)
{
	if (r == NULL || r->hdr == NULL || i >= r->hdr->nrings)
		return NULL;
	return (struct sw_state_ring *)(r->base + SW_STATE_PAGE + i * r->hdr->ring_stride);
}

void
sw_state_rings_close(struct sw_state_rings *r)
{
	if (r->base != NULL)
		munmap(r->base, r->len);
	memset(r, 0, sizeof(*r));
}

void
sw_state_rings_unlink(const char *instance)
{
	char name[SW_STATE_NAME_MAX + 8];

	if (sw_state_rings_name(name, sizeof(name), instance) == 0)
		shm_unlink(name);
}
