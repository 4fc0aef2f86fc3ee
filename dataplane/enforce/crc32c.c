/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * CRC32c (Castagnoli, polynomial 0x1EDC6F41, reflected 0x82F63B78), RFC 4960 Appendix B and
 * RFC 3309. Table-driven (slicing by 8) everywhere; the SSE4.2 crc32 instruction when the CPU
 * has it, checked once at run time.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "enforce_int.h"

static void crc_choose(void);

#define CRC32C_POLY_REFLECTED 0x82f63b78u /* RFC 4960 Appendix B */

static uint32_t crc_tab[8][256];
static int crc_mode; /* 0: not yet chosen, 1: table, 2: SSE4.2 (+ PCLMUL for shifts: crc_clmul) */
static bool crc_clmul;

/*
 * Shifting a CRC register over n zero bytes (the effect of bytes that follow a change) is a
 * multiplication by x^(8n) modulo the polynomial. shift_k[n] holds the factor for each n up to
 * SHIFT_MAX: x^(8n) mod P for the portable multiply, x^(8n-33) mod P for the PCLMUL + CRC32
 * instruction pair (a carry-less product reduced by the crc32 instruction gains x^33).
 */
#define SHIFT_MAX 4096
static uint32_t shift_k[SHIFT_MAX + 1];
static uint32_t x2n[32]; /* x^(2^k) mod P */

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
			crc_tab[j][i] =
				(crc_tab[j - 1][i] >> 8) ^ crc_tab[0][crc_tab[j - 1][i] & 0xff];
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
		    crc_tab[2][(hi >> 8) & 0xff] ^ crc_tab[1][(hi >> 16) & 0xff] ^
		    crc_tab[0][hi >> 24];
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

/*
 * Long buffers (every packet of a tracked association is verified before it may change repair
 * state): three lanes in parallel hide the crc32 instruction's 3-cycle latency, and the lanes
 * are joined by shifting with PCLMUL (shift_clmul): raw(c, A B) = shift(raw(c, A), |B|) ^
 * raw(0, B).
 */
#define CRC_3WAY_MIN 256

__attribute__((target("sse4.2,pclmul"))) static uint32_t crc_3way(uint32_t c, const uint8_t *p,
								    size_t n);

/* a * b mod P, both reflected (bit 31 is x^0), as in zlib's multmodp. */
static uint32_t
multmodp(uint32_t a, uint32_t b)
{
	uint32_t m = 1u << 31, p = 0;

	for (;;) {
		if (a & m) {
			p ^= b;
			if ((a & (m - 1)) == 0)
				break;
		}
		m >>= 1;
		b = b & 1 ? (b >> 1) ^ CRC32C_POLY_REFLECTED : b >> 1;
	}
	return p;
}

/* x^n mod P */
static uint32_t
xpow(uint64_t n)
{
	uint32_t p = 1u << 31;
	unsigned k = 0;

	while (n != 0) {
		if (n & 1)
			p = multmodp(x2n[k & 31], p);
		n >>= 1;
		k++;
	}
	return p;
}

static void
shift_init(void)
{
	unsigned k, n;
	uint32_t p = 1u << 30; /* x^1 */

	for (k = 0; k < 32; k++) {
		x2n[k] = p;
		p = multmodp(p, p);
	}
	for (n = 0; n <= SHIFT_MAX; n++)
		shift_k[n] = crc_clmul && n >= 5 ? xpow(8ull * n - 33) : xpow(8ull * n);
}

#if defined(__x86_64__)
__attribute__((target("sse4.2,pclmul"))) static uint32_t
shift_clmul(uint32_t c, uint32_t k)
{
	__m128i a = _mm_cvtsi32_si128((int)c), b = _mm_cvtsi32_si128((int)k);
	uint64_t prod = (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(a, b, 0));

	return (uint32_t)_mm_crc32_u64(0, prod);
}
#endif

#if defined(__x86_64__)
__attribute__((target("sse4.2,pclmul"))) static uint32_t
crc_3way(uint32_t c, const uint8_t *p, size_t n)
{
	size_t l = n / 24 * 8, i;
	uint64_t c0 = c, c1 = 0, c2 = 0;

	for (i = 0; i < l; i += 8) {
		uint64_t v0, v1, v2;

		memcpy(&v0, p + i, 8);
		memcpy(&v1, p + l + i, 8);
		memcpy(&v2, p + 2 * l + i, 8);
		c0 = _mm_crc32_u64(c0, v0);
		c1 = _mm_crc32_u64(c1, v1);
		c2 = _mm_crc32_u64(c2, v2);
	}
	c = shift_clmul((uint32_t)c0, shift_k[l]) ^ (uint32_t)c1;
	c = shift_clmul(c, shift_k[l]) ^ (uint32_t)c2;
	return crc_sse42(c, p + 3 * l, n - 3 * l);
}

static inline uint32_t
crc_fast(uint32_t c, const uint8_t *p, size_t n)
{
	if (crc_clmul && n >= CRC_3WAY_MIN && n / 24 * 8 <= SHIFT_MAX)
		return crc_3way(c, p, n);
	return crc_sse42(c, p, n);
}
#endif

uint32_t
enf_crc_shift(uint32_t c, uint32_t n)
{
	if (__builtin_expect(crc_mode == 0, 0))
		crc_choose();
	if (n > SHIFT_MAX)
		return multmodp(xpow(8ull * n), c);
#if defined(__x86_64__)
	if (crc_clmul && n >= 5)
		return shift_clmul(c, shift_k[n]);
	if (crc_clmul)
		return multmodp(xpow(8ull * n), c);
#endif
	return multmodp(shift_k[n], c);
}

#if defined(__x86_64__)
__attribute__((target("sse4.2,pclmul"))) static uint32_t
delta_clmul(const uint8_t *d, uint32_t k, uint32_t factor)
{
	return shift_clmul(crc_sse42(0, d, k), factor);
}
#endif

uint32_t
enf_crc_delta(const uint8_t *d, uint32_t k, uint32_t tail)
{
	if (__builtin_expect(crc_mode == 0, 0))
		crc_choose();
#if defined(__x86_64__)
	if (crc_clmul && tail >= 5 && tail <= SHIFT_MAX)
		return delta_clmul(d, k, shift_k[tail]);
#endif
	return enf_crc_shift(enf_crc_raw(0, d, k), tail);
}

uint32_t
enf_crc_raw(uint32_t c, const uint8_t *p, size_t n)
{
	if (__builtin_expect(crc_mode == 0, 0))
		crc_choose();
#if defined(__x86_64__)
	if (crc_mode == 2)
		return crc_fast(c, p, n);
#endif
	return crc_table(c, p, n);
}

static void
crc_choose(void)
{
	crc_tab_init();
#if defined(__x86_64__)
	__builtin_cpu_init();
	crc_clmul = __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("pclmul");
	shift_init();
	if (__builtin_cpu_supports("sse4.2")) {
		__atomic_store_n(&crc_mode, 2, __ATOMIC_RELEASE);
		return;
	}
#else
	shift_init();
#endif
	__atomic_store_n(&crc_mode, 1, __ATOMIC_RELEASE);
}

uint32_t
sw_crc32c_update(uint32_t crc, const uint8_t *p, size_t n)
{
	uint32_t c = ~crc;

	/* Racing first callers compute the same tables and the same choice. */
	if (__builtin_expect(__atomic_load_n(&crc_mode, __ATOMIC_ACQUIRE) == 0, 0))
		crc_choose();
#if defined(__x86_64__)
	if (crc_mode == 2)
		return ~crc_fast(c, p, n);
#endif
	return ~crc_table(c, p, n);
}

uint32_t
sw_crc32c(const uint8_t *p, size_t n)
{
	return sw_crc32c_update(0, p, n);
}

/* ---- checksums of a packet (used by repair.c and enforce.c) ---- */

/* RFC 791 3.1 total length, then the header checksum (RFC 1071) over the header. */
void
enf_ipv4_fix(uint8_t *ip, uint32_t totlen, uint32_t hmax)
{
	uint32_t sum = 0;
	unsigned hlen = (unsigned)(ip[0] & 0x0f) * 4;
	unsigned i;

	if (hlen < 20)
		hlen = 20;
	if (hlen > hmax)
		hlen = hmax; /* never beyond the header the decoder delimited */

	wr16(ip + 2, (uint16_t)totlen);
	ip[10] = ip[11] = 0;
	for (i = 0; i + 1 < hlen; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	wr16(ip + 10, (uint16_t)~sum);
}

void
enf_crc_set(uint8_t *sctp, uint32_t n)
{
	uint32_t crc;

	memset(sctp + SCTP_CSUM_OFF, 0, 4);
	crc = sw_crc32c(sctp, n);
	/* RFC 4960 Appendix B: the reflected CRC is stored least significant byte first. */
	sctp[SCTP_CSUM_OFF] = (uint8_t)crc;
	sctp[SCTP_CSUM_OFF + 1] = (uint8_t)(crc >> 8);
	sctp[SCTP_CSUM_OFF + 2] = (uint8_t)(crc >> 16);
	sctp[SCTP_CSUM_OFF + 3] = (uint8_t)(crc >> 24);
}

uint32_t
enf_crc_calc(const uint8_t *sctp, uint32_t n)
{
	uint32_t crc = sw_crc32c_update(0, sctp, SCTP_CSUM_OFF);
	static const uint8_t zero[4];

	crc = sw_crc32c_update(crc, zero, 4);
	return sw_crc32c_update(crc, sctp + SCTP_COMMON_HLEN, n - SCTP_COMMON_HLEN);
}

bool
enf_crc_ok(const uint8_t *sctp, uint32_t n)
{
	uint32_t crc = enf_crc_calc(sctp, n);

	return sctp[SCTP_CSUM_OFF] == (uint8_t)crc &&
	       sctp[SCTP_CSUM_OFF + 1] == (uint8_t)(crc >> 8) &&
	       sctp[SCTP_CSUM_OFF + 2] == (uint8_t)(crc >> 16) &&
	       sctp[SCTP_CSUM_OFF + 3] == (uint8_t)(crc >> 24);
}
