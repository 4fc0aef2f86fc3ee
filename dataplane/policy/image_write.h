/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Policy image writer: the counterpart of the reader (eval.c) and the validator (image.c), so
 * that the layout rules of image.h (64-byte aligned sections, offsets from the image start, a
 * zeroed buffer so that padding is part of the checksum, the checksum last) live in one module.
 *
 * Two phases: reserve every section (each starts 64-byte aligned and gets its offset), then
 * allocate the zeroed image once, put the tables at their offsets and finish (header,
 * checksum). Used by control/compiler; never on the fast path.
 *
 *	struct sw_image_writer w;
 *	sw_imgw_init(&w);
 *	rules_off = sw_imgw_reserve(&w, nrules * sizeof(struct sw_img_rule));
 *	...
 *	if (sw_imgw_alloc(&w) == 0) {
 *		sw_imgw_put(&w, rules_off, rules, nrules * sizeof(struct sw_img_rule));
 *		sw_imgw_finish(&w, &hdr, &image, &size);
 *	}
 *	sw_imgw_free(&w);
 */
#ifndef SW_POLICY_IMAGE_WRITE_H
#define SW_POLICY_IMAGE_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "image.h"

struct sw_image_writer {
	uint8_t *img;  /* NULL until sw_imgw_alloc */
	size_t size;   /* bytes reserved so far (header included), a multiple of SW_IMAGE_ALIGN */
};

/* Start a layout: the header at 0, the first section after it. */
void sw_imgw_init(struct sw_image_writer *w);
/* Reserve n bytes for a section at the next SW_IMAGE_ALIGN boundary; its offset. Only before
 * sw_imgw_alloc. */
size_t sw_imgw_reserve(struct sw_image_writer *w, size_t n);
/* Allocate the zeroed, SW_IMAGE_ALIGN-aligned image of every reserved byte: 0, -E2BIG when
 * offsets would not fit the image's 32-bit fields, -ENOMEM. */
int sw_imgw_alloc(struct sw_image_writer *w);
/* Address of a reserved section (after sw_imgw_alloc), to fill it in place. */
void *sw_imgw_at(struct sw_image_writer *w, size_t off);
/* Copy n bytes to off (inside the reserved bytes). */
void sw_imgw_put(struct sw_image_writer *w, size_t off, const void *p, size_t n);
/* Write the header (its magic, ABI, header and image size are set here, the rest is the
 * caller's) and the checksum over the whole image; hand the image over (free() it). */
void sw_imgw_finish(struct sw_image_writer *w, const struct sw_image_hdr *hdr, void **image,
		    size_t *size);
/* Release an image that was not finished. */
void sw_imgw_free(struct sw_image_writer *w);

#endif /* SW_POLICY_IMAGE_WRITE_H */
