/* SPDX-License-Identifier: BSD-3-Clause */
/* BCD digit strings shared by SCCP (Q.713 3.4.2.3), ISUP (Q.763 3.9) and MAP (TS 29.002 TBCD-STRING). */
#include "decode.h"

/* Q.713 3.4.2.3.1: 0-9, then 0xb code 11, 0xc code 12; printed as hex. */
static const char bcd_hex[16] = "0123456789abcdef";
/* TS 29.002 17.7.8 TBCD-STRING: 1010 '*', 1011 '#', 1100 'a', 1101 'b', 1110 'c'. */
static const char bcd_tbcd[16] = "0123456789*#abcf";

/* The same two alphabets as character pairs per byte (low nibble first), for the fast path. */
#define HEX_CH(n) ((n) < 10 ? '0' + (n) : 'a' + (n) - 10)
#define TBCD_CH(n)                                                                            \
	((n) < 10 ? '0' + (n) : (n) == 10 ? '*' : (n) == 11 ? '#' : (n) == 12 ? 'a' :         \
	 (n) == 13 ? 'b' : (n) == 14 ? 'c' : 'f')
#define PAIR(ch, b) {ch((b) & 15), ch((b) >> 4)}
#define ROW(ch, h)                                                                            \
	PAIR(ch, h + 0), PAIR(ch, h + 1), PAIR(ch, h + 2), PAIR(ch, h + 3), PAIR(ch, h + 4),   \
	PAIR(ch, h + 5), PAIR(ch, h + 6), PAIR(ch, h + 7), PAIR(ch, h + 8), PAIR(ch, h + 9),   \
	PAIR(ch, h + 10), PAIR(ch, h + 11), PAIR(ch, h + 12), PAIR(ch, h + 13),               \
	PAIR(ch, h + 14), PAIR(ch, h + 15)
#define TABLE(ch)                                                                             \
	ROW(ch, 0x00), ROW(ch, 0x10), ROW(ch, 0x20), ROW(ch, 0x30), ROW(ch, 0x40),             \
	ROW(ch, 0x50), ROW(ch, 0x60), ROW(ch, 0x70), ROW(ch, 0x80), ROW(ch, 0x90),             \
	ROW(ch, 0xa0), ROW(ch, 0xb0), ROW(ch, 0xc0), ROW(ch, 0xd0), ROW(ch, 0xe0), ROW(ch, 0xf0)

static const char bcd_hex_pairs[256][2] = { TABLE(HEX_CH) };
static const char bcd_tbcd_pairs[256][2] = { TABLE(TBCD_CH) };

/* What the fast path leaves: the filler byte, the last byte, too many digits. */
static __attribute__((noinline)) int
bcd_tail(const uint8_t *p, uint32_t n, uint32_t i, uint32_t nd, bool odd, const char *map,
	 bool tbcd, struct sw_digits *out)
{
	char *d = out->d;

	for (; i < n; i++) {
		uint8_t lo = p[i] & 0x0f, hi = p[i] >> 4;
		bool last = i + 1 == n;

		/* TBCD uses 0xf as a filler that ends the string. */
		if (tbcd && lo == 0x0f)
			break;
		if (nd >= SW_DIGITS_MAX)
			goto too_long;
		d[nd++] = map[lo];
		if (last && odd)
			break;
		if (hi == 0x0f && (tbcd || last))
			break;
		if (nd >= SW_DIGITS_MAX)
			goto too_long;
		d[nd++] = map[hi];
	}
	d[nd] = '\0';
	out->len = (uint8_t)nd;
	return 0;
too_long:
	d[0] = '\0';
	out->len = 0;
	return -1;
}

int
sw_bcd_decode(const uint8_t *p, uint32_t n, bool odd, bool tbcd, struct sw_digits *out)
{
	const char(*pairs)[2] = tbcd ? bcd_tbcd_pairs : bcd_hex_pairs;
	char *d = out->d;
	uint32_t i = 0, nd = 0, full;
	uint8_t b;

	/*
	 * Fast path (measured: this function was 12-16% of a whole-stack decode): every byte
	 * but the last gives two digits, unless a TBCD filler ends the string. At most
	 * SW_DIGITS_MAX / 2 such bytes fit.
	 */
	full = n > 0 ? n - 1 : 0;
	if (full > SW_DIGITS_MAX / 2)
		full = SW_DIGITS_MAX / 2;
	for (; i < full; i++) {
		b = p[i];
		if (tbcd && ((b & 0x0f) == 0x0f || b >= 0xf0))
			break;
		memcpy(d + nd, pairs[b], 2);
		nd += 2;
	}
	/* The common last byte: two digits, or one before a filler or with odd set. */
	if (i + 1 == n && i == full && nd + 2 <= SW_DIGITS_MAX) {
		b = p[i];
		if (!(tbcd && (b & 0x0f) == 0x0f)) {
			d[nd] = pairs[b][0];
			if (!odd && (b >> 4) != 0x0f) {
				d[nd + 1] = pairs[b][1];
				nd += 2;
			} else {
				nd += 1;
			}
			d[nd] = '\0';
			out->len = (uint8_t)nd;
			return 0;
		}
	}
	return bcd_tail(p, n, i, nd, odd, tbcd ? bcd_tbcd : bcd_hex, tbcd, out);
}
