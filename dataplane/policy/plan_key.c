/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The decode plan's key part (decode/plan_key.h), built at bind (issue 20 D3): the fixed layout
 * of the key the decoder writes, from the fields the bound image keys (the context's key_if,
 * key_sf, key_kd, key_comp: what key_build reads). Slots in the order the layers write them
 * (routing label, SCCP, TCAP, ISUP), the components last. No key (size 0, key_build keys every
 * MSU) when the image keys something the decoder does not write in a fixed slot (the USSD text,
 * the association's addresses) or when the key would not fit.
 */
#include <string.h>

#include "ctx.h"

/* The decoder's integer field of an image field, -1 when the verdict adds it itself. */
static int
pk_int(unsigned f)
{
	switch (f) {
	case SW_IF_OPC: return SW_PK_OPC;
	case SW_IF_DPC: return SW_PK_DPC;
	case SW_IF_SI: return SW_PK_SI;
	case SW_IF_NI: return SW_PK_NI;
	case SW_IF_RCTX: return SW_PK_RCTX;
	case SW_IF_SCCP_TYPE: return SW_PK_SCCP_TYPE;
	case SW_IF_TCAP_TYPE: return SW_PK_TCAP_TYPE;
	case SW_IF_ISUP_TYPE: return SW_PK_ISUP_TYPE;
	case SW_IF_SS_CODE: return SW_PK_SS_CODE;
	case SW_IF_SCMG_TYPE: return SW_PK_SCMG_TYPE;
	case SW_IF_SCMG_SSN: return SW_PK_SCMG_SSN;
	case SW_IF_SCMG_PC: return SW_PK_SCMG_PC;
	}
	if (f >= SW_IF_CGPA_SSN && f <= SW_IF_CDPA_RI)
		return SW_PK_CGPA_SSN + (int)(f - SW_IF_CGPA_SSN);
	return -1;
}

/* Slot width: 4 bytes for the 32-bit fields (point codes, routing context), 2 for the rest. */
static unsigned
pk_width(unsigned pk)
{
	return pk == SW_PK_OPC || pk == SW_PK_DPC || pk == SW_PK_RCTX || pk == SW_PK_SCMG_PC ? 4
												 : 2;
}

static int
pk_dig(unsigned f)
{
	static const int8_t map[SW_SF_COUNT] = {
		[SW_SF_CGPA] = SW_PD_CGPA,	     [SW_SF_CDPA] = SW_PD_CDPA,
		[SW_SF_IMSI] = SW_PD_IMSI,	     [SW_SF_MSISDN] = SW_PD_MSISDN,
		[SW_SF_VLR] = SW_PD_VLR,	     [SW_SF_MSC] = SW_PD_MSC,
		[SW_SF_HLR] = SW_PD_HLR,	     [SW_SF_SGSN] = SW_PD_SGSN,
		[SW_SF_SMSC] = SW_PD_SMSC,	     [SW_SF_SM_RP_DA] = SW_PD_SM_RP_DA,
		[SW_SF_SM_RP_OA] = SW_PD_SM_RP_OA, [SW_SF_USSD] = -1,
		[SW_SF_CGPN] = SW_PD_CGPN,	     [SW_SF_CDPN] = SW_PD_CDPN,
		[SW_SF_ACN] = -1,
	};
	return f < SW_SF_COUNT ? map[f] : -1;
}

/* Layer order of the digit fields (SCCP ones first, then TCAP's, then ISUP's): enum order. */

void
sw_plan_key_build(const struct sw_policy_ctx *ctx, struct sw_plan_key *key)
{
	static uint64_t next_stamp;
	uint8_t kd[SW_PD_NDIG];
	bool bad = (ctx->flags & SW_POLICY_F_BAD_PLAN) != 0, acn = false;
	unsigned n = 0;

	memset(key, 0, sizeof(*key));
	if (ctx->img == NULL || (ctx->flags & SW_POLICY_F_NO_PLAN) || ctx->key_addr)
		return;
	memset(key->ioff, SW_PKEY_NONE, sizeof(key->ioff));
	memset(key->doff, SW_PKEY_NONE, sizeof(key->doff));
	key->acn_off = key->comp_off = SW_PKEY_NONE;
	for (unsigned i = 0; i < ctx->nkey_if; i++) {
		unsigned f = ctx->key_if[i];
		int pk = pk_int(f);

		if (pk >= 0)
			key->imask |= 1u << pk;
		else
			key->hdr |= f == SW_IF_PORT	   ? SW_PKEY_H_PORT
				    : f == SW_IF_LINK	   ? SW_PKEY_H_LINK
				    : f == SW_IF_REMOTE_PORT ? SW_PKEY_H_RPORT
				    : f == SW_IF_LOCAL_PORT  ? SW_PKEY_H_LPORT
							     : 0;
		if (pk < 0 && f != SW_IF_PORT && f != SW_IF_LINK && f != SW_IF_REMOTE_PORT &&
		    f != SW_IF_LOCAL_PORT)
			return; /* a field neither writes: key_build */
	}
	for (unsigned i = 0; i < ctx->nkey_sf; i++) {
		unsigned f = ctx->key_sf[i];
		int pd = pk_dig(f);

		if (f == SW_SF_USSD)
			return; /* up to 256 bytes of text: key_build */
		if (f == SW_SF_ACN) {
			acn = true;
			continue;
		}
		if (pd < 0)
			return;
		key->dmask |= 1u << pd;
		kd[pd] = ctx->key_kd[i];
	}
	/* the layers' order: label, SCCP (integers, digits), SCMG, TCAP, ACN, arguments, ISUP */
	for (unsigned pk = 0; pk <= SW_PK_CDPA_SSN + 5; pk++)
		if (key->imask & (1u << pk)) {
			key->ioff[pk] = (uint8_t)n;
			n += pk_width(pk);
		}
	for (unsigned pd = SW_PD_CGPA; pd <= SW_PD_CDPA; pd++)
		if (key->dmask & (1u << pd)) {
			key->doff[pd] = (uint8_t)n;
			key->dkd[pd] = kd[pd];
			n += 1u + kd[pd];
		}
	for (unsigned pk = SW_PK_TCAP_TYPE; pk < SW_PK_NINT; pk++)
		if (key->imask & (1u << pk)) {
			key->ioff[pk] = (uint8_t)n;
			n += pk_width(pk);
		}
	if (acn) {
		key->acn_off = (uint8_t)n;
		n += 1 + SW_ACN_MAX;
	}
	for (unsigned pd = SW_PD_IMSI; pd < SW_PD_NDIG; pd++)
		if (key->dmask & (1u << pd)) {
			key->doff[pd] = (uint8_t)n;
			key->dkd[pd] = kd[pd];
			n += 1u + kd[pd];
		}
	if (ctx->key_comp) {
		key->comp_off = (uint8_t)n;
		if (n + 1 + 6 * SW_PKEY_COMPS > SW_PKEY_BYTES)
			return;
	} else if (n > SW_PKEY_BYTES) {
		return;
	}
	if (bad) {
		/* the self-check's deliberately wrong writer (tests/policy/keyplan.sh): one digit
		 * less of every digit field, and the first integer field never written */
		for (unsigned pd = 0; pd < SW_PD_NDIG; pd++)
			if (key->dkd[pd] > 0)
				key->dkd[pd]--;
		for (unsigned pk = 0; pk < SW_PK_NINT; pk++)
			if (key->ioff[pk] != SW_PKEY_NONE) {
				key->ioff[pk] = SW_PKEY_NONE;
				break;
			}
	}
	key->stamp = __atomic_add_fetch(&next_stamp, 1, __ATOMIC_RELAXED);
	key->size = n > 0 ? n : 1; /* no decoder field at all: an empty fixed part still keys */
}
