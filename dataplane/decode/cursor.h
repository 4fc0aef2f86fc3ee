/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Zero-copy bounded cursor over a packet buffer.
 *
 * Every decoder reads through a cursor {base, off, end}: offsets are absolute
 * from the start of the packet buffer, so offsets stored in struct sw_msu can
 * be used with the original buffer at any layer. Every pull checks the
 * remaining length first; a failed pull leaves the cursor unchanged and
 * returns -1, and the decoder turns that into a named malformation.
 */
#ifndef SW_DECODE_CURSOR_H
#define SW_DECODE_CURSOR_H

#include <stdint.h>
#include <string.h>

struct sw_cur {
	const uint8_t *base; /* start of the packet buffer */
	uint32_t off;        /* next byte to read, absolute */
	uint32_t end;        /* one past the last readable byte, absolute */
};

static inline void
sw_cur_init(struct sw_cur *c, const uint8_t *base, uint32_t off, uint32_t end)
{
	c->base = base;
	c->off = off;
	c->end = end;
}

static inline uint32_t
sw_cur_left(const struct sw_cur *c)
{
	return c->end - c->off;
}

static inline const uint8_t *
sw_cur_ptr(const struct sw_cur *c)
{
	return c->base + c->off;
}

static inline int
sw_cur_skip(struct sw_cur *c, uint32_t n)
{
	if (sw_cur_left(c) < n)
		return -1;
	c->off += n;
	return 0;
}

static inline int
sw_cur_u8(struct sw_cur *c, uint8_t *v)
{
	if (sw_cur_left(c) < 1)
		return -1;
	*v = c->base[c->off++];
	return 0;
}

static inline int
sw_cur_be16(struct sw_cur *c, uint16_t *v)
{
	if (sw_cur_left(c) < 2)
		return -1;
	*v = (uint16_t)((c->base[c->off] << 8) | c->base[c->off + 1]);
	c->off += 2;
	return 0;
}

static inline int
sw_cur_be24(struct sw_cur *c, uint32_t *v)
{
	if (sw_cur_left(c) < 3)
		return -1;
	*v = ((uint32_t)c->base[c->off] << 16) | ((uint32_t)c->base[c->off + 1] << 8) |
	     c->base[c->off + 2];
	c->off += 3;
	return 0;
}

static inline int
sw_cur_be32(struct sw_cur *c, uint32_t *v)
{
	if (sw_cur_left(c) < 4)
		return -1;
	*v = ((uint32_t)c->base[c->off] << 24) | ((uint32_t)c->base[c->off + 1] << 16) |
	     ((uint32_t)c->base[c->off + 2] << 8) | c->base[c->off + 3];
	c->off += 4;
	return 0;
}

/* Copy n bytes out (for unaligned multi-byte structures). */
static inline int
sw_cur_copy(struct sw_cur *c, void *dst, uint32_t n)
{
	if (sw_cur_left(c) < n)
		return -1;
	memcpy(dst, c->base + c->off, n);
	c->off += n;
	return 0;
}

/*
 * Split off the next n bytes as a sub-cursor (a container) and advance past
 * them. The sub-cursor can never read beyond its container.
 */
static inline int
sw_cur_sub(struct sw_cur *c, uint32_t n, struct sw_cur *sub)
{
	if (sw_cur_left(c) < n)
		return -1;
	sw_cur_init(sub, c->base, c->off, c->off + n);
	c->off += n;
	return 0;
}

/* Peek at byte i ahead without consuming. */
static inline int
sw_cur_peek(const struct sw_cur *c, uint32_t i, uint8_t *v)
{
	if (sw_cur_left(c) <= i)
		return -1;
	*v = c->base[c->off + i];
	return 0;
}

#endif /* SW_DECODE_CURSOR_H */
