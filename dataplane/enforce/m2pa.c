/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * M2PA (RFC 4165) on top of the SCTP repair (issue 17 D5). An M2PA link numbers its User Data
 * messages: each one with a Data field takes the next 24-bit FSN of its direction, and every
 * message carries the BSN, the FSN of the last User Data received from the other side (RFC 4165
 * 2.2, 2.3.1). When the enforcer removes a blocked User Data message, the receiver would see a
 * gap in the FSNs and the sender would never have it acknowledged. So, per direction d:
 *   - the removed FSNs are kept (ascending) until the other side's BSN passes them; then they
 *     are folded into a count (base): new FSN = FSN - base - removed FSNs at or below it, for
 *     every later message of d (User Data, the acknowledgement-only User Data and Link Status
 *     carry the last FSN sent);
 *   - the BSN of every message of the other direction is translated back to d's numbering: the
 *     original FSN whose new number it is, extended over removed FSNs right after it (the
 *     receiver never acknowledges those: nobody else will).
 * A message that cannot be removed within these bounds (ENF_M2PA_REM full) is neutralized in
 * place by repair.c: it keeps its FSN and its MTP3 message becomes a signalling network test
 * message with a spare heading code (enf_neutralize), which the receiving MTP3 discards; its
 * routing label is kept in the variant of the packet's link (enf_m2pa_label_len).
 */
#include <string.h>

#include "enforce_int.h"

#include "dataplane/proto/ansi.h" /* enum sw_variant */
#include "dataplane/proto/m2pa.h"
#include "dataplane/proto/m3ua.h" /* MTP3_SI_SNTM */

static inline uint32_t
seq24(uint32_t v)
{
	return v & M2PA_SEQ_MASK;
}

/* a at or before b in 24-bit serial order */
static inline bool
seq24_le(uint32_t a, uint32_t b)
{
	return seq24(b - a) < 0x800000u;
}

static inline uint32_t
rd24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline void
wr24(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

const uint8_t *
enf_m2pa_msg(const uint8_t *c, uint16_t clen, uint32_t *mlen)
{
	bool idata = c[0] == SCTP_CT_IDATA;
	unsigned hl = idata ? SCTP_IDATA_HLEN : SCTP_DATA_HLEN;
	const uint8_t *m;

	/* A whole user message only (B and E), PPID 5 (RFC 9260 3.3.1, RFC 8260 2.1). */
	if ((c[1] & (SCTP_DATA_B | SCTP_DATA_E)) != (SCTP_DATA_B | SCTP_DATA_E) || clen < hl)
		return NULL;
	if (rd32(c + hl - 4) != SCTP_PPID_M2PA)
		return NULL;
	m = c + hl;
	*mlen = clen - hl;
	if (*mlen < M2PA_HLEN || m[0] != M2PA_VERSION || m[2] != M2PA_CLASS ||
	    rd32(m + M2PA_OFF_LEN) != *mlen)
		return NULL;
	return m;
}

bool
enf_m2pa_takes_fsn(const uint8_t *m, uint32_t mlen)
{
	return m[3] == M2PA_TYPE_USER_DATA && mlen > M2PA_HLEN;
}

uint32_t
enf_m2pa_fsn_fwd(const struct enf_m2pa *m, uint32_t fsn)
{
	uint32_t n = 0;

	for (unsigned i = 0; i < m->cnt; i++)
		n += seq24_le(m->rem[i], fsn);
	return seq24(fsn - m->base - n);
}

uint32_t
enf_m2pa_bsn_inv(const struct enf_m2pa *m, uint32_t bsn)
{
	uint32_t o = seq24(bsn + m->base);

	/* Ascending: a removed FSN at or below the original skips one new number; the one right
	 * after it extends the acknowledgement. */
	for (unsigned i = 0; i < m->cnt; i++)
		if (seq24_le(m->rem[i], seq24(o + 1)))
			o = seq24(o + 1);
	return o;
}

bool
enf_m2pa_room(const struct enf_m2pa *m, unsigned more)
{
	return m->cnt + more <= ENF_M2PA_REM;
}

void
enf_m2pa_removed(struct enf_m2pa *m, uint32_t fsn)
{
	if (m->cnt > 0 && seq24_le(fsn, m->rem[m->cnt - 1]))
		return; /* already recorded (or older than what was removed): never twice */
	if (m->cnt < ENF_M2PA_REM)
		m->rem[m->cnt++] = fsn;
}

/* The other side acknowledged (original numbering) up to ack: fold what it passed into base. */
static void
m2pa_prune(struct enf_m2pa *m, uint32_t ack)
{
	unsigned k = 0;

	while (k < m->cnt && seq24_le(m->rem[k], ack))
		k++;
	if (k == 0)
		return;
	m->base = seq24(m->base + k);
	memmove(m->rem, m->rem + k, (m->cnt - k) * sizeof(m->rem[0]));
	m->cnt -= k;
}

bool
enf_m2pa_rewrite(struct enf_m2pa *mine, struct enf_m2pa *other, const uint8_t *m, uint8_t nv[8])
{
	uint32_t bsn = rd24(m + M2PA_OFF_BSN + 1), fsn = rd24(m + M2PA_OFF_FSN + 1);
	uint32_t nbsn, nfsn;

	memcpy(nv, m + M2PA_OFF_BSN, 8);
	if (mine->base == 0 && mine->cnt == 0 && other->base == 0 && other->cnt == 0)
		return false; /* nothing removed either way: the identity */
	nfsn = enf_m2pa_fsn_fwd(mine, fsn);
	nbsn = enf_m2pa_bsn_inv(other, bsn);
	m2pa_prune(other, nbsn);
	if (nfsn == fsn && nbsn == bsn)
		return false;
	wr24(nv + 1, nbsn);
	wr24(nv + 5, nfsn);
	return true;
}

void
sw_enforce_set_variant(struct sw_enforce *e, sw_enforce_variant_fn fn, void *arg)
{
	e->variant = fn;
	e->variant_arg = arg;
}

unsigned
enf_m2pa_label_len(struct sw_enforce *e)
{
	if (e->pk_var < 0) {
		unsigned v = e->variant != NULL && e->pk_pkt != NULL
				     ? e->variant(e->variant_arg, e->pk_pkt)
				     : SW_VARIANT_ITU;

		e->pk_var = v < 0x7f ? (int)v : 0x7f;
	}
	switch (e->pk_var) {
	case SW_VARIANT_ITU:
		return MTP3_ITU_LABEL_LEN; /* Q.704 2.2.2: DPC 14, OPC 14, SLS 4 bits */
	case SW_VARIANT_ANSI:
		return MTP3_ANSI_LABEL_LEN; /* T1.111.4 2.2: DPC 24, OPC 24, SLS 8 bits */
	default:
		return 0;
	}
}

bool
enf_m2pa_neutralizable(const uint8_t *m, uint32_t mlen, unsigned label_len)
{
	/* priority, SIO, the variant's label, heading code: Q.704 2.2, Q.707; T1.111.4 2.2 */
	return label_len != 0 && enf_m2pa_takes_fsn(m, mlen) &&
	       mlen >= M2PA_HLEN + M2PA_PRI_LEN + 1 + label_len + 1;
}

void
enf_m2pa_neutralize(uint8_t *m, uint32_t mlen, unsigned label_len)
{
	uint8_t *sio = m + M2PA_HLEN + M2PA_PRI_LEN;
	uint32_t after = M2PA_HLEN + M2PA_PRI_LEN + 1 + label_len;

	/* Same length, FSN and BSN (the link's numbering is untouched); the SIO keeps its network
	 * indicator (and ANSI's priority bits) and says signalling network testing (Q.704 14.2.1;
	 * ANSI has the same service indicators), the routing label of the link's variant is kept
	 * whole (ITU: DPC, OPC, SLS in 4 octets; ANSI: 24-bit DPC and OPC and the SLS octet in 7:
	 * the receiving MTP3 counts the message against its real originating point and link), and
	 * the heading code 0 and everything after it are zero: no Q.707 / T1.111.7 message has
	 * heading code 0, so the receiving MTP3 discards it. */
	*sio = (uint8_t)((*sio & ~MTP3_SIO_SI_MASK) | MTP3_SI_SNTM);
	if (mlen > after)
		memset(m + after, 0, mlen - after);
}
