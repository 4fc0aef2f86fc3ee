/* SPDX-License-Identifier: BSD-3-Clause */
/* SCCP service messages and TCAP aborts built by the proxy (answer.h). */
#include <string.h>

#include "answer.h"
#include "m3ua_wire.h"
#include "sccp_wire.h"

/* One variable parameter at the pointer in sccp[ptr_at], Q.713 2.3 (pointer relative to its
 * own octet; first octet of the parameter is its length). */
static bool
sccp_var(const uint8_t *sccp, size_t len, size_t ptr_at, const uint8_t **v, uint8_t *vlen)
{
	size_t at;

	if (ptr_at >= len || sccp[ptr_at] == 0)
		return false;
	at = ptr_at + sccp[ptr_at];
	if (at >= len || sccp[at] > len - at - 1)
		return false;
	*vlen = sccp[at];
	*v = sccp + at + 1;
	return true;
}

bool
sw_sccp_parts(const uint8_t *sccp, size_t len, struct sw_sccp_parts *p)
{
	size_t ptrs;

	memset(p, 0, sizeof(*p));
	if (len < 2)
		return false;
	p->type = sccp[0];
	p->pclass = sccp[1];
	switch (p->type) {
	case SCCP_MSG_UDT:  /* Q.713 4.10: type, class, 3 pointers */
	case SCCP_MSG_UDTS: /* Q.713 4.11: type, return cause, 3 pointers */
		ptrs = 2;
		break;
	case SCCP_MSG_XUDT:  /* Q.713 4.18: type, class, hop counter, 4 pointers */
	case SCCP_MSG_XUDTS: /* Q.713 4.19: type, return cause, hop counter, 4 pointers */
		if (len < 3)
			return false;
		p->hop = sccp[2];
		ptrs = 3;
		break;
	default:
		return false;
	}
	return sccp_var(sccp, len, ptrs, &p->cdpa, &p->cdpa_len) &&
	       sccp_var(sccp, len, ptrs + 1, &p->cgpa, &p->cgpa_len) &&
	       sccp_var(sccp, len, ptrs + 2, &p->data, &p->data_len);
}

/* Write a connectionless message: fixed octets, then cdpa, cgpa, data (and an absent optional
 * part for the X variants). */
static size_t
sccp_write(uint8_t *out, size_t cap, const uint8_t *fixed, size_t nfixed, bool optional_ptr,
	   const uint8_t *cdpa, uint8_t lcd, const uint8_t *cgpa, uint8_t lcg, const uint8_t *data,
	   uint8_t ldata)
{
	size_t nptr = optional_ptr ? 4 : 3;
	size_t p0 = nfixed, at = nfixed + nptr;
	size_t total = at + 3u + lcd + lcg + ldata;

	if (total > cap)
		return 0;
	memcpy(out, fixed, nfixed);
	out[p0] = (uint8_t)(at - p0);
	out[at] = lcd;
	memcpy(out + at + 1, cdpa, lcd);
	at += 1u + lcd;
	out[p0 + 1] = (uint8_t)(at - (p0 + 1));
	out[at] = lcg;
	memcpy(out + at + 1, cgpa, lcg);
	at += 1u + lcg;
	out[p0 + 2] = (uint8_t)(at - (p0 + 2));
	out[at] = ldata;
	memcpy(out + at + 1, data, ldata);
	if (optional_ptr)
		out[p0 + 3] = 0; /* no optional part */
	return total;
}

size_t
sw_sccp_build_service(const uint8_t *sccp, size_t len, uint8_t cause, uint8_t *out, size_t cap)
{
	struct sw_sccp_parts p;
	uint8_t fixed[3];

	if (!sw_sccp_parts(sccp, len, &p))
		return 0;
	/* Q.714 4.2: only UDT/XUDT are returned, only with "return message on error". */
	if (p.type != SCCP_MSG_UDT && p.type != SCCP_MSG_XUDT)
		return 0;
	if (!((p.pclass >> SCCP_RET_OPT_SHIFT) & SCCP_RET_ON_ERROR))
		return 0;
	fixed[0] = p.type == SCCP_MSG_UDT ? SCCP_MSG_UDTS : SCCP_MSG_XUDTS;
	fixed[1] = cause;
	fixed[2] = SCCP_HOP_COUNTER_MAX;
	/* The answer goes to the caller: its calling address becomes the called one. */
	return sccp_write(out, cap, fixed, p.type == SCCP_MSG_UDT ? 2 : 3,
			  p.type == SCCP_MSG_XUDT, p.cgpa, p.cgpa_len, p.cdpa, p.cdpa_len, p.data,
			  p.data_len);
}

/* dialogue-as-id {itu-t(0) recommendation(0) q(17) 773 as(1) dialogue-as(1) version1(1)},
 * Q.773 Annex A, BER contents. */
static const uint8_t dialogue_as_id[] = {0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01};

size_t
sw_tcap_build_abort(const uint8_t *sccp, size_t len, const struct sw_msu *msu,
		    enum sw_abort_kind kind, uint8_t pabort_cause, uint8_t *out, size_t cap)
{
	struct sw_sccp_parts p;
	uint8_t tc[64];
	size_t n = 0;
	uint8_t fixed[2] = {SCCP_MSG_UDT, 0x00}; /* class 0, no return: an abort is not returned */

	if (!sw_sccp_parts(sccp, len, &p) || (p.type != SCCP_MSG_UDT && p.type != SCCP_MSG_XUDT))
		return 0;
	if (!(msu->has & SW_HAS_TCAP) || msu->tcap.otid_len == 0 ||
	    msu->tcap.otid_len > sizeof(msu->tcap.otid) ||
	    (msu->tcap.type != SW_TCAP_BEGIN && msu->tcap.type != SW_TCAP_CONTINUE))
		return 0;
	/* Q.773 4.1: Abort ::= [APPLICATION 7] SEQUENCE { dtid, reason CHOICE { p-abortCause,
	 * u-abortCause DialoguePortion } OPTIONAL }. Short-form lengths: everything < 128. */
	tc[n++] = TCAP_MSG_ABORT;
	tc[n++] = 0; /* length, below */
	tc[n++] = TCAP_DTID;
	tc[n++] = msu->tcap.otid_len;
	memcpy(tc + n, msu->tcap.otid, msu->tcap.otid_len);
	n += msu->tcap.otid_len;
	if (kind == SW_ABORT_P) {
		tc[n++] = TCAP_PABORT;
		tc[n++] = 1;
		tc[n++] = pabort_cause;
	} else {
		/* DialoguePortion [APPLICATION 11] { EXTERNAL { direct-reference dialogue-as-id,
		 * single-ASN1-type [0] { ABRT [APPLICATION 4] { abort-source [0] user } } } } */
		static const uint8_t abrt[] = {TCAP_DLG_ABRT, 3, TCAP_DLG_ABRT_SRC, 1,
					       TCAP_ABRT_SRC_USER};
		tc[n++] = TCAP_DIALOGUE;
		tc[n++] = 2 + 2 + sizeof(dialogue_as_id) + 2 + sizeof(abrt);
		tc[n++] = SW_BER_EXTERNAL;
		tc[n++] = 2 + sizeof(dialogue_as_id) + 2 + sizeof(abrt);
		tc[n++] = SW_BER_OID;
		tc[n++] = sizeof(dialogue_as_id);
		memcpy(tc + n, dialogue_as_id, sizeof(dialogue_as_id));
		n += sizeof(dialogue_as_id);
		tc[n++] = TCAP_DLG_SINGLE;
		tc[n++] = sizeof(abrt);
		memcpy(tc + n, abrt, sizeof(abrt));
		n += sizeof(abrt);
	}
	tc[1] = (uint8_t)(n - 2);
	return sccp_write(out, cap, fixed, 2, false, p.cgpa, p.cgpa_len, p.cdpa, p.cdpa_len, tc,
			  (uint8_t)n);
}

void
sw_answer_label(const struct sw_m3ua_label *in, uint32_t self, struct sw_m3ua_label *out)
{
	out->opc = self != 0 ? self : in->dpc;
	out->dpc = in->opc;
	out->si = MTP3_SI_SCCP;
	out->ni = in->ni;
	out->mp = in->mp;
	out->sls = in->sls;
}
