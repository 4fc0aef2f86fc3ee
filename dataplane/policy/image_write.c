/* SPDX-License-Identifier: BSD-3-Clause */
/* Policy image writer (image_write.h). */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "image_write.h"

#define ALIGN_UP(x) (((x) + (SW_IMAGE_ALIGN - 1)) & ~(size_t)(SW_IMAGE_ALIGN - 1))

void
sw_imgw_init(struct sw_image_writer *w)
{
	w->img = NULL;
	w->size = ALIGN_UP(sizeof(struct sw_image_hdr));
}

size_t
sw_imgw_reserve(struct sw_image_writer *w, size_t n)
{
	size_t off = w->size;

	assert(w->img == NULL);
	w->size = ALIGN_UP(off + n);
	return off;
}

int
sw_imgw_alloc(struct sw_image_writer *w)
{
	if (w->size > UINT32_MAX)
		return -E2BIG;
	w->img = aligned_alloc(SW_IMAGE_ALIGN, w->size);
	if (w->img == NULL)
		return -ENOMEM;
	/* Zero everything first: padding is part of the checksum and must not be garbage. */
	memset(w->img, 0, w->size);
	return 0;
}

void *
sw_imgw_at(struct sw_image_writer *w, size_t off)
{
	assert(w->img != NULL && off <= w->size);
	return w->img + off;
}

void
sw_imgw_put(struct sw_image_writer *w, size_t off, const void *p, size_t n)
{
	assert(w->img != NULL && off <= w->size && n <= w->size - off);
	if (n > 0)
		memcpy(w->img + off, p, n);
}

void
sw_imgw_finish(struct sw_image_writer *w, const struct sw_image_hdr *hdr, void **image,
	       size_t *size)
{
	struct sw_image_hdr *h = (struct sw_image_hdr *)w->img;

	memcpy(h, hdr, sizeof(*h));
	h->magic = SW_IMAGE_MAGIC;
	h->abi = SW_IMAGE_ABI;
	h->hdr_size = sizeof(*h);
	h->size = w->size;
	h->checksum = sw_image_compute_checksum(w->img, w->size);
	*image = w->img;
	*size = w->size;
	w->img = NULL;
}

void
sw_imgw_free(struct sw_image_writer *w)
{
	free(w->img);
	w->img = NULL;
}
