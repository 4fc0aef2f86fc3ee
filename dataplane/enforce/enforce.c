/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-packet enforcement: chunk walk, chunk removal, IP length and CRC32c fix-up, and (with
 * repair on) the association repair of repair.c driven per chunk.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "enforce_int.h"

static const char *const ctr_names[] = {
#define X(n, l, d) #l,
	SW_ENF_CTRS(X)
#undef X
};

static const char *const ctr_descs[] = {
#define X(n, l, d) d,
	SW_ENF_CTRS(X)
#undef X
};

const char *
sw_enf_ctr_name(enum sw_enf_ctr c)
{
	return (unsigned)c < SW_ENF_CTR_COUNT ? ctr_names[c] : NULL;
}

const char *
sw_enf_ctr_desc(enum sw_enf_ctr c)
{
	return (unsigned)c < SW_ENF_CTR_COUNT ? ctr_descs[c] : NULL;
}

const uint64_t *
sw_enforce_counters(const struct sw_enforce *e)
{
	return e->ctr;
}

unsigned
sw_enforce_assoc_count(const struct sw_enforce *e)
{
	return e->nassoc;
}

struct sw_enforce *
sw_enforce_new_conf(const struct sw_enforce_conf *conf)
{
	struct sw_enforce *e;

	if (conf == NULL || conf->max_assocs == 0 || conf->max_assocs > (1u << 24)) {
		errno = EINVAL;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		return NULL;
	e->repair = conf->repair;
	memset(e->cls_fail, SW_ENF_FAIL_DEFAULT, sizeof(e->cls_fail));
	e->cls_fail[0] = conf->fail_open ? SW_ENF_FAIL_OPEN : SW_ENF_FAIL_CLOSED;
	e->max_assocs = conf->max_assocs;
	e->idle_ns = conf->idle_ns != 0 ? conf->idle_ns : 300ull * 1000000000ull;
	e->handshake_ns = conf->handshake_ns != 0 ? conf->handshake_ns : 5ull * 1000000000ull;
	if (enf_table_init(e) < 0) {
		free(e);
		errno = ENOMEM;
		return NULL;
	}
	return e;
}

struct sw_enforce *
sw_enforce_new(unsigned max_assocs, bool repair)
{
	struct sw_enforce_conf c = {.max_assocs = max_assocs, .repair = repair};

	return sw_enforce_new_conf(&c);
}

void
sw_enforce_free(struct sw_enforce *e)
{
	if (e == NULL)
		return;
	enf_table_fini(e);
	free(e);
}

void
sw_enforce_set_repair(struct sw_enforce *e, bool repair)
{
	if (e->repair && !repair)
		enf_table_clear(e);
	e->repair = repair;
}

static void
ip_len_fix(uint8_t *buf, const struct sw_pkt *pkt, uint32_t l4_end)
{
	if (pkt->ip_ver == 4)
		enf_ipv4_fix(buf + pkt->l3_off, l4_end - pkt->l3_off, pkt->l4_off - pkt->l3_off);
	else if (pkt->ip_ver == 6) /* RFC 8200 3: payload length after the 40-byte header */
		wr16(buf + pkt->l3_off + 4, (uint16_t)(l4_end - pkt->l3_off - 40));
}

/* Walk the chunks of [l4_off + 12, l4_end) with the one chunk walker (dataplane/proto/sctp.h):
 * they must tile it (RFC 9260 3.2). */
static int
walk(const uint8_t *buf, const struct sw_pkt *pkt, uint64_t drop_mask, struct enf_ch *ch,
     unsigned *n)
{
	uint32_t off = pkt->l4_off + SCTP_COMMON_HLEN;
	struct sw_sctp_chunk c;
	enum sw_sctp_next r;
	unsigned i = 0;

	while ((r = sw_sctp_chunk_next(buf, &off, pkt->l4_end, &c)) == SW_SCTP_NEXT_CHUNK) {
		if (i >= ENF_MAX_CHUNKS)
			return -1;
		ch[i].off = c.off;
		ch[i].span = c.span;
		ch[i].len = c.len;
		ch[i].type = c.type;
		ch[i].drop = (drop_mask >> i & 1) && sw_sctp_is_data(c.type);
		i++;
	}
	if (r == SW_SCTP_NEXT_BAD)
		return -1;
	*n = i;
	return 0;
}

/* Compact the kept chunks (new lengths in ch[].len/span) and fix lengths and CRC. */
static uint32_t
rebuild(uint8_t *buf, const struct sw_pkt *pkt, struct enf_ch *ch, unsigned n)
{
	uint32_t wr = pkt->l4_off + SCTP_COMMON_HLEN;
	unsigned i, kept = 0;

	for (i = 0; i < n; i++) {
		if (ch[i].drop)
			continue;
		if (wr != ch[i].off)
			memmove(buf + wr, buf + ch[i].off, ch[i].span);
		wr += ch[i].span;
		kept++;
	}
	if (kept == 0)
		return 0;
	if (wr != pkt->l4_end)
		ip_len_fix(buf, pkt, wr);
	enf_crc_set(buf + pkt->l4_off, wr - pkt->l4_off);
	return wr;
}

uint32_t
sw_enforce_packet(struct sw_enforce *e, uint8_t *buf, uint32_t len, uint32_t cap,
		  const struct sw_pkt *pkt, uint64_t drop_mask, unsigned dir, uint64_t now_ns,
		  uint8_t *reply, uint32_t reply_cap, uint32_t *reply_len)
{
	struct enf_ch ch[ENF_MAX_CHUNKS];
	unsigned n = 0, i;
	bool any_drop = false;
	uint32_t out;

	(void)cap;
	if (reply_len != NULL)
		*reply_len = 0;
	e->ctr[SW_ENF_PKTS]++;
	if (!pkt->sctp || pkt->l4_end > len || pkt->l4_off + SCTP_COMMON_HLEN > pkt->l4_end ||
	    pkt->l3_off + (pkt->ip_ver == 6 ? 40u : 20u) > pkt->l4_off ||
	    walk(buf, pkt, drop_mask, ch, &n) < 0) {
		e->ctr[SW_ENF_BAD_CHUNK_LEN]++;
		e->ctr[SW_ENF_PKTS_DROPPED]++;
		return 0;
	}
	for (i = 0; i < n; i++)
		any_drop |= ch[i].drop;
	if (pkt->ip_frag) {
		if (!any_drop)
			return len;
		e->ctr[SW_ENF_FRAG_BLOCKED]++;
		e->ctr[SW_ENF_PKTS_DROPPED]++;
		return 0;
	}
	if (e->repair) {
		bool changed = false;

		out = enf_repair(e, buf, pkt, ch, n, dir & 1, now_ns, reply, reply_cap, reply_len,
				 &changed);
		if (out == 0) {
			e->ctr[SW_ENF_PKTS_DROPPED]++;
			return 0;
		}
		if (!changed)
			return len;
		for (i = 0; i < n; i++)
			any_drop |= ch[i].drop;
		if (!e->crc_full && !any_drop) {
			/* Same length, changed in place: the checksum was updated incrementally. */
			uint8_t *cs = buf + pkt->l4_off + SCTP_CSUM_OFF;
			uint32_t crc = ((uint32_t)cs[0] | (uint32_t)cs[1] << 8 |
					(uint32_t)cs[2] << 16 | (uint32_t)cs[3] << 24) ^
				       e->crc_acc;

			cs[0] = (uint8_t)crc;
			cs[1] = (uint8_t)(crc >> 8);
			cs[2] = (uint8_t)(crc >> 16);
			cs[3] = (uint8_t)(crc >> 24);
			e->ctr[SW_ENF_PKTS_CHANGED]++;
			return len;
		}
	} else {
		if (!any_drop)
			return len;
		if (!enf_crc_ok(buf + pkt->l4_off, pkt->l4_end - pkt->l4_off)) {
			e->ctr[SW_ENF_BAD_CRC]++;
			e->ctr[SW_ENF_PKTS_DROPPED]++;
			return 0;
		}
		for (i = 0; i < n; i++)
			e->ctr[SW_ENF_CHUNKS_REMOVED] += ch[i].drop;
	}
	out = rebuild(buf, pkt, ch, n);
	if (out == 0) {
		e->ctr[SW_ENF_PKTS_DROPPED]++;
		return 0;
	}
	e->ctr[SW_ENF_PKTS_CHANGED]++;
	return out;
}
