/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CRC32c (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78), RFC 4960 Appendix B and
 * RFC 3309. Table-driven (slicing by 8) everywhere; the SSE4.2 crc32 instruction when the CPU
 * has it, checked once at run time.
 */
#include <stdint.h>
#include <string.h>

#include "enforce.h"

#define CRC32C_POLY_REFLECTED 0x82f63b78u /* RFC 4960 Appendix B */

static uint32_t crc_tab[8][256];
static int crc_mode; /* 0: not yet chosen, 1: table, 2: SSE4.2 */

static void
crc_tab_init(void)
{
	unsigned i, j;

	for (i = 0; i < 256; i++) {
		uint32_t c = i;

		for (j = 0; j < 8; j++)
			c = (c & 1) ? (c >> 1) ^ CRC32C_POLY_REFLECTED : c >> 1;
		crc_tab[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (j = 1; j < 8; j++)
			crc_tab[j][i] = (crc_tab[j - 1][i] >> 8) ^ crc_tab[0][crc_tab[j - 1][i] & 0xff];
}

static uint32_t
crc_table(uint32_t c, const uint8_t *p, size_t n)
{
	while (n >= 8) {
		uint32_t lo, hi;

		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		lo = __builtin_bswap32(lo);
		hi = __builtin_bswap32(hi);
#endif
		lo ^= c;
		c = crc_tab[7][lo & 0xff] ^ crc_tab[6][(lo >> 8) & 0xff] ^
		    crc_tab[5][(lo >> 16) & 0xff] ^ crc_tab[4][lo >> 24] ^ crc_tab[3][hi & 0xff] ^
		    crc_tab[2][(hi >> 8) & 0xff] ^ crc_tab[1][(hi >> 16) & 0xff] ^ crc_tab[0][hi >> 24];
		p += 8;
		n -= 8;
	}
	while (n-- > 0)
		c = (c >> 8) ^ crc_tab[0][(c ^ *p++) & 0xff];
	return c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t
crc_sse42(uint32_t c, const uint8_t *p, size_t n)
{
	uint64_t c64 = c;

	while (n >= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		c64 = __builtin_ia32_crc32di(c64, v);
		p += 8;
		n -= 8;
	}
	c = (uint32_t)c64;
	while (n-- > 0)
		c = __builtin_ia32_crc32qi(c, *p++);
	return c;
}
#endif

static void
crc_choose(void)
{
	crc_tab_init();
#if defined(__x86_64__)
	__builtin_cpu_init();
	if (__builtin_cpu_supports("sse4.2")) {
		crc_mode = 2;
		return;
	}
#endif
	crc_mode = 1;
}

uint32_t
sw_crc32c_update(uint32_t crc, const uint8_t *p, size_t n)
{
	uint32_t c = ~crc;

	/* Racing first callers compute the same tables and the same choice. */
	if (__builtin_expect(crc_mode == 0, 0))
		crc_choose();
#if defined(__x86_64__)
	if (crc_mode == 2)
		return ~crc_sse42(c, p, n);
#endif
	return ~crc_table(c, p, n);
}

uint32_t
sw_crc32c(const uint8_t *p, size_t n)
{
	return sw_crc32c_update(0, p, n);
}
