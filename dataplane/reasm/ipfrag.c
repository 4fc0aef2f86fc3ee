/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * IP fragments without the EAL (ipfrag.h): the fragment reader both sides share, and the
 * table `sigwallctl inspect` and the fuzzer use, which follows rte_ip_frag's rules.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ipfrag.h"

#include "dataplane/proto/ip.h"

#define HDR_MAX 128 /* link header (up to two VLAN tags) + IPv4 header with options */

struct ipfrag_piece {
	uint32_t ofs, len;
};

struct ipfrag_entry {
	bool used;
	uint8_t ver;
	uint8_t npieces;
	bool have_first, have_last;
	uint32_t id;
	uint8_t src[16], dst[16];
	uint64_t start_ns;
	uint32_t size;	/* octets received (rte_ip_frag's frag_size) */
	uint32_t total; /* end of the last fragment; UINT32_MAX until it came */
	uint32_t hlen;	/* hdr: link header + IP header of the first fragment */
	uint32_t l3_off;
	uint8_t nh; /* IPv6: next header of the fragment header */
	uint8_t hdr[HDR_MAX];
	struct ipfrag_piece piece[SW_IPFRAG_MAX_FRAG];
	uint8_t *data; /* max_len octets, allocated on first use */
};

struct sw_ipfrag {
	uint32_t n;
	uint64_t timeout_ns;
	uint32_t max_len;
	struct sw_ipfrag_stats st;
	uint8_t *out; /* HDR_MAX + max_len: the rebuilt frame */
	struct ipfrag_entry e[];
};

int
sw_ipfrag_parse(const uint8_t *buf, const struct sw_pkt *pkt, struct sw_ipfrag_info *fi)
{
	const uint8_t *ip = buf + pkt->l3_off;
	uint32_t f;

	if (!pkt->ip_frag)
		return -1;
	fi->ver = pkt->ip_ver;
	fi->l3_off = pkt->l3_off;
	if (pkt->ip_ver == 4) {
		/* RFC 791 3.1: the decoder checked IHL and total length before flagging it. */
		f = (uint32_t)(ip[IPV4_OFF_FRAG] << 8 | ip[IPV4_OFF_FRAG + 1]);
		fi->l3_len = pkt->l4_off - pkt->l3_off;
		fi->ofs = (f & 0x1fff) * 8;
		fi->more = (f & IPV4_FLAG_MF) != 0;
		fi->len = pkt->l4_end - pkt->l4_off;
		fi->id = (uint32_t)(ip[4] << 8 | ip[5]);
	} else if (pkt->ip_ver == 6) {
		const uint8_t *fh = ip + IPV6_HDR_LEN;
		uint32_t plen = (uint32_t)(ip[IPV6_OFF_PLEN] << 8 | ip[IPV6_OFF_PLEN + 1]);

		/* RFC 8200 4.5; rte_ip_frag reads the fragment header right after the fixed one. */
		if (ip[IPV6_OFF_NH] != IPV6_NH_FRAGMENT || plen < IPV6_FRAG_HDR_LEN ||
		    pkt->l3_off + IPV6_HDR_LEN + plen > pkt->len)
			return -1;
		f = (uint32_t)(fh[2] << 8 | fh[3]);
		fi->l3_len = IPV6_HDR_LEN + IPV6_FRAG_HDR_LEN;
		fi->ofs = f & 0xfff8;
		fi->more = (f & 1) != 0;
		fi->len = plen - IPV6_FRAG_HDR_LEN;
		fi->id = (uint32_t)fh[4] << 24 | (uint32_t)fh[5] << 16 | (uint32_t)fh[6] << 8 |
			 fh[7];
	} else {
		return -1;
	}
	if (fi->len == 0 || (fi->ofs == 0 && !fi->more))
		return -1;
	return 0;
}

struct sw_ipfrag *
sw_ipfrag_new(uint32_t entries, uint64_t timeout_ns, uint32_t max_len)
{
	struct sw_ipfrag *t;

	if (entries == 0 || max_len == 0) {
		errno = EINVAL;
		return NULL;
	}
	t = calloc(1, sizeof(*t) + (size_t)entries * sizeof(t->e[0]));
	if (t == NULL)
		return NULL;
	t->out = malloc(HDR_MAX + (size_t)max_len);
	if (t->out == NULL) {
		free(t);
		return NULL;
	}
	t->n = entries;
	t->timeout_ns = timeout_ns;
	t->max_len = max_len;
	return t;
}

void
sw_ipfrag_free(struct sw_ipfrag *t)
{
	if (t == NULL)
		return;
	for (uint32_t i = 0; i < t->n; i++)
		free(t->e[i].data);
	free(t->out);
	free(t);
}

const struct sw_ipfrag_stats *
sw_ipfrag_stats(const struct sw_ipfrag *t)
{
	return &t->st;
}

static void
entry_reset(struct ipfrag_entry *e, const struct sw_pkt *pkt, uint32_t id, uint64_t now_ns)
{
	e->used = true;
	e->ver = pkt->ip_ver;
	e->id = id;
	memcpy(e->src, pkt->src, sizeof(e->src));
	memcpy(e->dst, pkt->dst, sizeof(e->dst));
	e->start_ns = now_ns;
	e->npieces = 0;
	e->have_first = e->have_last = false;
	e->size = 0;
	e->total = UINT32_MAX;
}

/* The key's entry, a free one, or one whose time ran out (rte_ip_frag's ip_frag_find). */
static struct ipfrag_entry *
entry_find(struct sw_ipfrag *t, const struct sw_pkt *pkt, uint32_t id, uint64_t now_ns)
{
	struct ipfrag_entry *free_e = NULL, *stale = NULL;
	size_t alen = pkt->ip_ver == 4 ? 4 : 16;

	for (uint32_t i = 0; i < t->n; i++) {
		struct ipfrag_entry *e = &t->e[i];
		bool expired = e->used && now_ns > e->start_ns + t->timeout_ns;

		if (!e->used) {
			if (free_e == NULL)
				free_e = e;
			continue;
		}
		if (e->ver == pkt->ip_ver && e->id == id && memcmp(e->src, pkt->src, alen) == 0 &&
		    memcmp(e->dst, pkt->dst, alen) == 0) {
			if (expired) {
				t->st.timeout++;
				entry_reset(e, pkt, id, now_ns);
			}
			return e;
		}
		if (expired && stale == NULL)
			stale = e;
	}
	if (free_e == NULL && stale != NULL) {
		t->st.timeout++;
		free_e = stale;
	}
	if (free_e != NULL)
		entry_reset(free_e, pkt, id, now_ns);
	return free_e;
}

/* Every fragment in place, end to start, from 0 to the end (insertion sort: at most 8). */
static bool
entry_joins(struct ipfrag_entry *e)
{
	struct ipfrag_piece p[SW_IPFRAG_MAX_FRAG];
	uint32_t end = 0;
	unsigned i, j, n = e->npieces;

	memcpy(p, e->piece, n * sizeof(p[0]));
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && p[j - 1].ofs > p[j].ofs; j--) {
			struct ipfrag_piece x = p[j];

			p[j] = p[j - 1];
			p[j - 1] = x;
		}
	for (i = 0; i < n; i++) {
		if (p[i].ofs != end)
			return false;
		end += p[i].len;
	}
	return end == e->total;
}

static uint32_t
entry_build(struct sw_ipfrag *t, const struct ipfrag_entry *e)
{
	uint8_t *o = t->out;
	uint8_t *ip = o + e->l3_off;

	memcpy(o, e->hdr, e->hlen);
	if (e->ver == 4) {
		uint32_t hl = e->hlen - e->l3_off;
		uint16_t f = (uint16_t)(ip[IPV4_OFF_FRAG] << 8 | ip[IPV4_OFF_FRAG + 1]);

		/* rte_ip_frag ipv4_frag_reassemble: DF kept, MF and the offset cleared. */
		f &= IPV4_FLAG_DF;
		ip[IPV4_OFF_FRAG] = (uint8_t)(f >> 8);
		ip[IPV4_OFF_FRAG + 1] = (uint8_t)f;
		memcpy(o + e->hlen, e->data, e->total);
		sw_ipv4_fix(ip, hl + e->total, hl);
		return e->hlen + e->total;
	}
	/* ipv6_frag_reassemble: the fragment header goes, its next header takes its place. */
	ip[IPV6_OFF_NH] = e->nh;
	memcpy(o + e->l3_off + IPV6_HDR_LEN, e->data, e->total);
	sw_ipv6_fix(ip, IPV6_HDR_LEN + e->total);
	return e->l3_off + IPV6_HDR_LEN + e->total;
}

enum sw_ipfrag_res
sw_ipfrag_put(struct sw_ipfrag *t, const uint8_t *buf, uint32_t len, const struct sw_pkt *pkt,
	      uint64_t now_ns, const uint8_t **out, uint32_t *outlen, enum sw_mal *mal)
{
	struct sw_ipfrag_info fi;
	struct ipfrag_entry *e;
	bool bad = false;

	(void)len;
	if (sw_ipfrag_parse(buf, pkt, &fi) < 0)
		return SW_IPFRAG_NONE;
	if (fi.ofs + fi.len > t->max_len) {
		t->st.long_++;
		*mal = SW_MAL_IP_REASM_LONG;
		return SW_IPFRAG_FAIL;
	}
	e = entry_find(t, pkt, fi.id, now_ns);
	if (e == NULL) {
		t->st.full++;
		*mal = SW_MAL_IP_REASM_FULL;
		return SW_IPFRAG_FAIL;
	}
	if (e->data == NULL) {
		e->data = malloc(t->max_len);
		if (e->data == NULL) {
			e->used = false;
			t->st.full++;
			*mal = SW_MAL_IP_REASM_FULL;
			return SW_IPFRAG_FAIL;
		}
	}
	/* ip_frag_process: one first, one last, the others in the middle slots. */
	e->size += fi.len;
	if (fi.ofs == 0) {
		bad = e->have_first;
		e->have_first = true;
	} else if (!fi.more) {
		bad = e->have_last;
		e->have_last = true;
		e->total = fi.ofs + fi.len;
	}
	if (bad || e->npieces >= SW_IPFRAG_MAX_FRAG ||
	    (fi.ofs != 0 && fi.more &&
	     e->npieces - e->have_first - e->have_last >= SW_IPFRAG_MAX_FRAG - 2)) {
		e->used = false;
		t->st.overlap++;
		*mal = SW_MAL_IP_REASM_OVERLAP;
		return SW_IPFRAG_FAIL;
	}
	e->piece[e->npieces].ofs = fi.ofs;
	e->piece[e->npieces].len = fi.len;
	e->npieces++;
	memcpy(e->data + fi.ofs, buf + fi.l3_off + fi.l3_len, fi.len);
	if (fi.ofs == 0) {
		e->l3_off = fi.l3_off;
		e->hlen = fi.l3_off + (fi.ver == 4 ? fi.l3_len : IPV6_HDR_LEN);
		if (e->hlen > HDR_MAX)
			e->hlen = HDR_MAX; /* not reached: IPv4 <= 60, two VLAN tags */
		memcpy(e->hdr, buf, e->hlen);
		if (fi.ver == 6)
			e->nh = buf[fi.l3_off + IPV6_HDR_LEN];
	}
	if (e->size < e->total) {
		t->st.held++;
		return SW_IPFRAG_HELD;
	}
	e->used = false;
	if (e->size == e->total && e->have_first && entry_joins(e)) {
		t->st.done++;
		*outlen = entry_build(t, e);
		*out = t->out;
		return SW_IPFRAG_DONE;
	}
	t->st.overlap++;
	*mal = SW_MAL_IP_REASM_OVERLAP;
	return SW_IPFRAG_FAIL;
}
