/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "decode.h"
#include "print.h"

void
sw_sb_init(struct sw_sb *sb, char *p, size_t cap)
{
	sb->p = p;
	sb->len = 0;
	sb->cap = cap;
	sb->truncated = 0;
	if (cap > 0)
		p[0] = '\0';
}

void
sw_sb_printf(struct sw_sb *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (sb->len + 1 >= sb->cap) {
		sb->truncated = 1;
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(sb->p + sb->len, sb->cap - sb->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sb->cap - sb->len) {
		sb->truncated = 1;
		sb->len = sb->cap - 1;
	} else {
		sb->len += (size_t)n;
	}
}

void
sw_sb_json_str(struct sw_sb *sb, const char *s, size_t n)
{
	size_t i;

	sw_sb_printf(sb, "\"");
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			sw_sb_printf(sb, "\\%c", ch);
		else if (ch < 0x20 || ch == 0x7f)
			sw_sb_printf(sb, "\\u%04x", ch);
		else
			sw_sb_printf(sb, "%c", ch);
	}
	sw_sb_printf(sb, "\"");
}

static void
json_ip(struct sw_sb *sb, const struct sw_pkt *pkt)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	int af = pkt->ip_ver == 6 ? AF_INET6 : AF_INET;

	if (pkt->ip_ver == 0)
		return;
	inet_ntop(af, pkt->src, s, sizeof(s));
	inet_ntop(af, pkt->dst, d, sizeof(d));
	sw_sb_printf(sb, ",\"ip\":{\"src\":\"%s\",\"dst\":\"%s\"}", s, d);
}

static void
json_opt_uint(struct sw_sb *sb, const char *key, bool has, unsigned long v)
{
	if (has)
		sw_sb_printf(sb, "\"%s\":%lu", key, v);
	else
		sw_sb_printf(sb, "\"%s\":null", key);
}

static void
json_digits(struct sw_sb *sb, const char *key, const struct sw_digits *d)
{
	sw_sb_printf(sb, "\"%s\":", key);
	if (d->len == 0)
		sw_sb_printf(sb, "null");
	else
		sw_sb_json_str(sb, d->d, d->len);
}

static void
json_hex(struct sw_sb *sb, const char *key, const uint8_t *p, unsigned n)
{
	unsigned i;

	sw_sb_printf(sb, "\"%s\":", key);
	if (n == 0) {
		sw_sb_printf(sb, "null");
		return;
	}
	sw_sb_printf(sb, "\"");
	for (i = 0; i < n; i++)
		sw_sb_printf(sb, "%02x", p[i]);
	sw_sb_printf(sb, "\"");
}

/* A 24-bit ANSI point code as "key":"n-c-m" (T1.111.4 2.2.3), after a comma. */
static void
json_ansi_pc(struct sw_sb *sb, const char *key, uint32_t pc)
{
	char t[ANSI_PC_TEXT_MAX];

	sw_sb_printf(sb, ",\"%s\":\"%s\"", key, sw_ansi_pc_text(pc, t));
}

static void
json_sccp_addr(struct sw_sb *sb, const char *key, const struct sw_sccp_addr *a)
{
	bool ansi = a->fmt == SW_VARIANT_ANSI;
	/* which GTIs carry which header octets: Q.713 3.4.2.3, T1.112.3 3.4.2.3 (GTI 1 TT, NP/ES;
	 * GTI 2 TT) */
	bool tt = ansi ? a->gti == ANSI_GTI_TT_NP_ES || a->gti == ANSI_GTI_TT
		       : a->gti >= 2 && a->gti <= 4;
	bool npes = ansi ? a->gti == ANSI_GTI_TT_NP_ES : a->gti == 3 || a->gti == 4;
	bool nai = !ansi && (a->gti == 1 || a->gti == 4);

	sw_sb_printf(sb, "\"%s\":", key);
	if (!a->present) {
		sw_sb_printf(sb, "null");
		return;
	}
	sw_sb_printf(sb, "{\"ri\":\"%s\",\"gti\":%u,", a->ri ? "ssn" : "gt", a->gti);
	json_opt_uint(sb, "pc", a->has_pc, a->pc);
	sw_sb_printf(sb, ",");
	json_opt_uint(sb, "ssn", a->has_ssn, a->ssn);
	sw_sb_printf(sb, ",");
	json_opt_uint(sb, "tt", tt, a->tt);
	sw_sb_printf(sb, ",");
	json_opt_uint(sb, "np", npes, a->np);
	sw_sb_printf(sb, ",");
	json_opt_uint(sb, "es", npes, a->es);
	sw_sb_printf(sb, ",");
	json_opt_uint(sb, "nai", nai, a->nai);
	sw_sb_printf(sb, ",");
	json_digits(sb, "digits", &a->digits);
	/* only for an ANSI address, so that ITU records stay as they were */
	if (ansi) {
		sw_sb_printf(sb, ",\"fmt\":\"ansi\"");
		if (a->has_pc)
			json_ansi_pc(sb, "pc_ncm", a->pc);
	}
	sw_sb_printf(sb, "}");
}

static void
json_sctp_data(struct sw_sb *sb, const struct sw_pkt *pkt, const struct sw_msu *msu)
{
	sw_sb_printf(sb, ",\"sctp\":{\"sport\":%u,\"dport\":%u,\"vtag\":%u,\"tsn\":%u,\"sid\":%u,",
		     pkt->sport, pkt->dport, pkt->vtag, msu->tsn, msu->sid);
	if (msu->chunk_type == 0)
		sw_sb_printf(sb, "\"ssn\":%u,", msu->ssn);
	else
		sw_sb_printf(sb, "\"ssn\":null,");
	sw_sb_printf(sb, "\"ppid\":%u}", msu->ppid);
}

/* The MTP3 routing label and SIO fields, as M3UA's Protocol Data or M2PA's User Data gave them. */
static void
json_mtp3_label(struct sw_sb *sb, const struct sw_msu *msu, bool pd)
{
	json_opt_uint(sb, "opc", pd, msu->m3ua.opc);
	sw_sb_printf(sb, ",");
	json_opt_uint(sb, "dpc", pd, msu->m3ua.dpc);
	sw_sb_printf(sb, ",");
	json_opt_uint(sb, "si", pd, msu->m3ua.si);
	sw_sb_printf(sb, ",");
	json_opt_uint(sb, "ni", pd, msu->m3ua.ni);
	sw_sb_printf(sb, ",");
	json_opt_uint(sb, "mp", pd, msu->m3ua.mp);
	sw_sb_printf(sb, ",");
	json_opt_uint(sb, "sls", pd, msu->m3ua.sls);
}

static void
json_m3ua(struct sw_sb *sb, const struct sw_msu *msu)
{
	const char *cls = sw_m3ua_class_name(msu->m3ua.cls);
	const char *type = sw_m3ua_type_name(msu->m3ua.cls, msu->m3ua.type);
	bool pd = msu->has & SW_HAS_PROTO_DATA;

	sw_sb_printf(sb, ",\"m3ua\":{\"class\":");
	if (cls != NULL)
		sw_sb_printf(sb, "\"%s\"", cls);
	else
		sw_sb_printf(sb, "%u", msu->m3ua.cls);
	sw_sb_printf(sb, ",\"type\":");
	if (type != NULL)
		sw_sb_printf(sb, "\"%s\"", type);
	else
		sw_sb_printf(sb, "%u", msu->m3ua.type);
	sw_sb_printf(sb, ",");
	json_mtp3_label(sb, msu, pd);
	sw_sb_printf(sb, ",");
	json_opt_uint(sb, "rctx", msu->has & SW_HAS_RCTX, msu->m3ua.rctx);
	if (pd && msu->ansi.variant == SW_VARIANT_ANSI) {
		json_ansi_pc(sb, "opc_ncm", msu->m3ua.opc);
		json_ansi_pc(sb, "dpc_ncm", msu->m3ua.dpc);
	}
	sw_sb_printf(sb, "}");
}

/* M2PA (RFC 4165): header, Link Status state, and for User Data the MTP3 label it carried. */
static void
json_m2pa(struct sw_sb *sb, const struct sw_msu *msu)
{
	const char *type = sw_m2pa_type_name(msu->m2pa.type);
	const char *state = sw_m2pa_state_name(msu->m2pa.state);
	bool ls = msu->m2pa.type == M2PA_TYPE_LINK_STATUS, pd = msu->has & SW_HAS_PROTO_DATA;

	sw_sb_printf(sb, ",\"m2pa\":{\"type\":");
	if (type != NULL)
		sw_sb_printf(sb, "\"%s\"", type);
	else
		sw_sb_printf(sb, "%u", msu->m2pa.type);
	sw_sb_printf(sb, ",\"bsn\":%u,\"fsn\":%u,", msu->m2pa.bsn, msu->m2pa.fsn);
	json_opt_uint(sb, "pri", msu->m2pa.has_data, msu->m2pa.pri);
	sw_sb_printf(sb, ",\"state\":");
	if (ls && state != NULL)
		sw_sb_printf(sb, "\"%s\"", state);
	else if (ls && msu->m2pa.state != 0)
		sw_sb_printf(sb, "%u", msu->m2pa.state);
	else
		sw_sb_printf(sb, "null");
	sw_sb_printf(sb, ",");
	json_mtp3_label(sb, msu, pd);
	if (pd && msu->ansi.variant == SW_VARIANT_ANSI) {
		json_ansi_pc(sb, "opc_ncm", msu->m3ua.opc);
		json_ansi_pc(sb, "dpc_ncm", msu->m3ua.dpc);
	}
	sw_sb_printf(sb, "}");
}

static void
json_sccp(struct sw_sb *sb, const struct sw_msu *msu)
{
	const char *type = sw_sccp_type_name(msu->sccp.type);

	sw_sb_printf(sb, ",\"sccp\":{\"type\":");
	if (type != NULL)
		sw_sb_printf(sb, "\"%s\"", type);
	else
		sw_sb_printf(sb, "null");
	sw_sb_printf(sb, ",\"class\":%u,", msu->sccp.pclass);
	json_sccp_addr(sb, "cdpa", &msu->sccp.cdpa);
	sw_sb_printf(sb, ",");
	json_sccp_addr(sb, "cgpa", &msu->sccp.cgpa);
	if (msu->has & SW_HAS_SEGMENT)
		sw_sb_printf(sb, ",\"segment\":{\"first\":%s,\"remaining\":%u,\"ref\":%u}",
			     msu->sccp.seg_first ? "true" : "false", msu->sccp.seg_remaining,
			     msu->sccp.seg_ref);
	else
		sw_sb_printf(sb, ",\"segment\":null");
	/* only when present, so that records without them stay as they were */
	if (msu->has & SW_HAS_DLR)
		sw_sb_printf(sb, ",\"dlr\":%u", msu->sccp.dlr);
	if (msu->has & SW_HAS_SLR)
		sw_sb_printf(sb, ",\"slr\":%u", msu->sccp.slr);
	if (msu->has & SW_HAS_SCMG) {
		sw_sb_printf(sb, ",\"scmg\":{\"type\":\"%s\",\"assn\":%u,\"apc\":%u,\"smi\":%u",
			     sw_scmg_type_name(msu->sccp.scmg.type), msu->sccp.scmg.assn,
			     msu->sccp.scmg.apc, msu->sccp.scmg.smi);
		if (msu->sccp.scmg.type == SCMG_SSC)
			sw_sb_printf(sb, ",\"cong\":%u", msu->sccp.scmg.cong);
		if (msu->ansi.variant == SW_VARIANT_ANSI)
			json_ansi_pc(sb, "apc_ncm", msu->sccp.scmg.apc);
		sw_sb_printf(sb, "}");
	}
	sw_sb_printf(sb, "}");
}

/* Name of a component's local operation or error code: CAP's in a CAP message (TS 29.078),
 * MAP's otherwise (TS 29.002) */
static const char *
comp_name(const struct sw_msu *msu, const struct sw_tcap_comp *cp)
{
	if (msu->has & SW_HAS_CAP)
		return cp->type == SW_COMP_ERROR ? sw_cap_error_name(cp->opcode)
						 : sw_cap_op_name(cp->opcode);
	return cp->type == SW_COMP_ERROR ? sw_map_error_name(cp->opcode)
					 : sw_map_op_name(cp->opcode);
}

static void
json_tcap(struct sw_sb *sb, const struct sw_msu *msu)
{
	const char *type = sw_tcap_type_name(msu->tcap.type);
	char oid[128];
	unsigned i;

	sw_sb_printf(sb, ",\"tcap\":{\"type\":");
	if (type != NULL)
		sw_sb_printf(sb, "\"%s\"", type);
	else
		sw_sb_printf(sb, "null");
	sw_sb_printf(sb, ",");
	json_hex(sb, "otid", msu->tcap.otid, msu->tcap.otid_len);
	sw_sb_printf(sb, ",");
	json_hex(sb, "dtid", msu->tcap.dtid, msu->tcap.dtid_len);
	if ((msu->has & SW_HAS_ACN) &&
	    sw_oid_to_text(msu->tcap.acn, msu->tcap.acn_len, oid, sizeof(oid)) >= 0)
		sw_sb_printf(sb, ",\"acn\":\"%s\"", oid);
	else
		sw_sb_printf(sb, ",\"acn\":null");
	sw_sb_printf(sb, ",\"components\":[");
	for (i = 0; i < msu->tcap.ncomp && i < SW_COMP_MAX; i++) {
		const struct sw_tcap_comp *cp = &msu->tcap.comp[i];
		const char *ct = sw_comp_type_name(cp->type);
		const char *name = NULL;

		if (cp->has_opcode && !cp->opcode_global)
			name = comp_name(msu, cp);
		sw_sb_printf(sb, "%s{\"type\":", i ? "," : "");
		if (ct != NULL)
			sw_sb_printf(sb, "\"%s\"", ct);
		else
			sw_sb_printf(sb, "null");
		sw_sb_printf(sb, ",\"invoke_id\":");
		if (cp->has_invoke_id)
			sw_sb_printf(sb, "%d", cp->invoke_id);
		else
			sw_sb_printf(sb, "null");
		/* only when present, so that records without it stay as they were */
		if (cp->has_linked_id)
			sw_sb_printf(sb, ",\"linked_id\":%d", cp->linked_id);
		sw_sb_printf(sb, ",\"opcode\":");
		if (cp->has_opcode && !cp->opcode_global)
			sw_sb_printf(sb, "%d", cp->opcode);
		else
			sw_sb_printf(sb, "null");
		sw_sb_printf(sb, ",\"opcode_global\":%s,\"name\":",
			     cp->has_opcode && cp->opcode_global ? "true" : "false");
		if (name != NULL)
			sw_sb_printf(sb, "\"%s\"}", name);
		else
			sw_sb_printf(sb, "null}");
	}
	sw_sb_printf(sb, "]");
	/* Abort reason and AARE / ABRT fields only when there, Q.773 4.1 and Annex A */
	if (msu->tcap.abort_kind == SW_TCAP_ABORT_P)
		sw_sb_printf(sb, ",\"abort\":{\"reason\":\"p-abort\",\"cause\":%u}",
			     msu->tcap.abort_cause);
	else if (msu->tcap.abort_kind == SW_TCAP_ABORT_U && msu->tcap.dlg_pdu == SW_DLG_ABRT)
		sw_sb_printf(sb, ",\"abort\":{\"reason\":\"u-abort\",\"source\":%u}",
			     msu->tcap.dlg_abort_source);
	else if (msu->tcap.abort_kind == SW_TCAP_ABORT_U)
		sw_sb_printf(sb, ",\"abort\":{\"reason\":\"u-abort\",\"source\":null}");
	if (msu->tcap.dlg_pdu == SW_DLG_AARE)
		sw_sb_printf(sb, ",\"aare\":{\"result\":%u,\"diag_source\":\"%s\",\"diag\":%u}",
			     msu->tcap.dlg_result,
			     msu->tcap.dlg_diag_source == 2 ? "provider" : "user", msu->tcap.dlg_diag);
	sw_sb_printf(sb, "}");
}

/* MAP-DialoguePDU, TS 29.002 17.4 */
static void
json_mapdlg(struct sw_sb *sb, const struct sw_msu *msu)
{
	static const char *const pdus[] = { "none", "open", "accept", "close", "refuse",
					     "userAbort", "providerAbort" };
	uint8_t pdu = msu->mapdlg.pdu;

	sw_sb_printf(sb, ",\"mapdlg\":{\"pdu\":\"%s\"",
		     pdu < sizeof(pdus) / sizeof(pdus[0]) ? pdus[pdu] : "?");
	if (pdu == SW_MAPDLG_OPEN) {
		sw_sb_printf(sb, ",");
		json_digits(sb, "dest_ref", &msu->mapdlg.dest_ref);
		sw_sb_printf(sb, ",\"dest_ref_npi\":%u,", msu->mapdlg.dest_ref_npi);
		json_digits(sb, "orig_ref", &msu->mapdlg.orig_ref);
		sw_sb_printf(sb, ",\"orig_ref_npi\":%u", msu->mapdlg.orig_ref_npi);
	}
	if (msu->mapdlg.has_reason) {
		sw_sb_printf(sb, ",\"reason\":%u", msu->mapdlg.reason);
		if (pdu == SW_MAPDLG_USER_ABORT && msu->mapdlg.reason >= 2)
			sw_sb_printf(sb, ",\"reason_value\":%u", msu->mapdlg.reason_value);
	}
	sw_sb_printf(sb, "}");
}

static void
json_map(struct sw_sb *sb, const struct sw_msu *msu)
{
	/* The digit fields of the MAP record, in the order of `inspect --json`. */
	static const struct {
		const char *key;
		size_t off;
	} fields[] = {
		{"imsi", offsetof(struct sw_msu, map.imsi)},
		{"msisdn", offsetof(struct sw_msu, map.msisdn)},
		{"vlr", offsetof(struct sw_msu, map.vlr)},
		{"msc", offsetof(struct sw_msu, map.msc)},
		{"hlr", offsetof(struct sw_msu, map.hlr)},
		{"sgsn", offsetof(struct sw_msu, map.sgsn)},
		{"smsc", offsetof(struct sw_msu, map.smsc)},
		{"sm_rp_da", offsetof(struct sw_msu, map.sm_rp_da)},
		{"sm_rp_oa", offsetof(struct sw_msu, map.sm_rp_oa)},
	};
	size_t i;

	sw_sb_printf(sb, ",\"map\":{");
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		sw_sb_printf(sb, "%s", i ? "," : "");
		json_digits(sb, fields[i].key,
			    (const struct sw_digits *)((const char *)msu + fields[i].off));
	}
	sw_sb_printf(sb, ",\"ussd\":");
	if (msu->map.ussd_len > 0)
		sw_sb_json_str(sb, msu->map.ussd, msu->map.ussd_len);
	else
		sw_sb_printf(sb, "null");
	sw_sb_printf(sb, ",");
	json_opt_uint(sb, "ss_code", msu->map.has_ss_code, msu->map.ss_code);
	/* sendRoutingInfoForSM result's networkNode-Number, only when there */
	if (msu->map.node.len > 0) {
		sw_sb_printf(sb, ",");
		json_digits(sb, "node", &msu->map.node);
		sw_sb_printf(sb, ",\"gprs_node\":%s", msu->map.gprs_node ? "true" : "false");
	}
	sw_sb_printf(sb, "}");
}

static void
json_isup_number(struct sw_sb *sb, const char *key, const struct sw_isup_number *n, bool calling)
{
	sw_sb_printf(sb, "\"%s\":", key);
	if (!n->present) {
		sw_sb_printf(sb, "null");
		return;
	}
	sw_sb_printf(sb, "{\"nai\":%u,\"npi\":%u,", n->nai, n->npi);
	if (calling)
		sw_sb_printf(sb, "\"presentation\":%u,\"screening\":%u,", n->presentation,
			     n->screening);
	json_digits(sb, "digits", &n->digits);
	sw_sb_printf(sb, "}");
}

static void
json_isup(struct sw_sb *sb, const struct sw_msu *msu)
{
	const char *type = sw_isup_type_name(msu->isup.type);

	sw_sb_printf(sb, ",\"isup\":{\"type\":");
	if (type != NULL)
		sw_sb_printf(sb, "\"%s\"", type);
	else
		sw_sb_printf(sb, "%u", msu->isup.type);
	sw_sb_printf(sb, ",\"cic\":%u,", msu->isup.cic);
	json_isup_number(sb, "cgpn", &msu->isup.cgpn, true);
	sw_sb_printf(sb, ",");
	json_isup_number(sb, "cdpn", &msu->isup.cdpn, false);
	sw_sb_printf(sb, "}");
}

/* CAP layer, TS 29.078 (issue 17): the application version and the selected invoke's fields */
static void
json_cap(struct sw_sb *sb, const struct sw_msu *msu)
{
	const struct sw_cap *c = &msu->cap;

	sw_sb_printf(sb, ",\"cap\":{\"version\":");
	if (c->version != 0)
		sw_sb_printf(sb, "%u", c->version);
	else
		sw_sb_printf(sb, "null");
	sw_sb_printf(sb, ",");
	json_opt_uint(sb, "service_key", c->has_service_key, c->service_key);
	sw_sb_printf(sb, ",");
	json_opt_uint(sb, "event", c->has_event, c->event);
	sw_sb_printf(sb, ",");
	json_isup_number(sb, "calling", &c->calling, true);
	sw_sb_printf(sb, ",");
	json_isup_number(sb, "called", &c->called, false);
	sw_sb_printf(sb, ",");
	json_digits(sb, "imsi", &c->imsi);
	sw_sb_printf(sb, ",");
	json_digits(sb, "vlr", &c->vlr);
	sw_sb_printf(sb, ",");
	json_digits(sb, "msc", &c->msc);
	sw_sb_printf(sb, ",");
	json_hex(sb, "cell", c->cell, c->cell_len);
	sw_sb_printf(sb, "}");
}

static void
json_error(struct sw_sb *sb, enum sw_mal mal)
{
	if (mal == SW_MAL_NONE)
		sw_sb_printf(sb, ",\"error\":null");
	else
		sw_sb_printf(sb, ",\"error\":{\"layer\":\"%s\",\"reason\":\"%s\"}",
			     sw_layer_name(sw_mal_layer(mal)), sw_mal_name(mal));
}

void
sw_json_msu(struct sw_sb *sb, const struct sw_pkt *pkt, const struct sw_msu *msu, unsigned frame,
	    unsigned data_idx)
{
	if (frame != 0) {
		sw_sb_printf(sb, "\"frame\":%u,\"chunk\":%u", frame, data_idx);
		json_ip(sb, pkt);
		json_sctp_data(sb, pkt, msu);
	} else {
		/* Layer vectors: start the member list without a leading comma. */
		sw_sb_printf(sb, "\"vector\":true");
	}
	/* the network variant, only when not ITU (issue 17 D6) */
	if (msu->ansi.variant != SW_VARIANT_ITU)
		sw_sb_printf(sb, ",\"variant\":\"%s\"", sw_variant_name(msu->ansi.variant));
	if (msu->has & SW_HAS_M3UA)
		json_m3ua(sb, msu);
	if (msu->has & SW_HAS_M2PA)
		json_m2pa(sb, msu);
	if (msu->has & SW_HAS_SCCP)
		json_sccp(sb, msu);
	if (msu->has & SW_HAS_TCAP)
		json_tcap(sb, msu);
	if (msu->has & SW_HAS_MAPDLG)
		json_mapdlg(sb, msu);
	if (msu->has & SW_HAS_MAP)
		json_map(sb, msu);
	if (msu->has & SW_HAS_ISUP)
		json_isup(sb, msu);
	if (msu->ansi.tcap_pkg != 0)
		sw_sb_printf(sb, ",\"ansi_tcap\":{\"package\":\"%s\",\"code\":%u}",
			     sw_ansi_tcap_name(msu->ansi.tcap_pkg), msu->ansi.tcap_pkg);
	if (msu->has & SW_HAS_CAP)
		json_cap(sb, msu);
	json_error(sb, msu->mal);
}

void
sw_json_pkt(struct sw_sb *sb, const struct sw_pkt *pkt, unsigned frame)
{
	unsigned i;

	sw_sb_printf(sb, "\"frame\":%u", frame);
	json_ip(sb, pkt);
	if (pkt->sctp) {
		sw_sb_printf(sb, ",\"sctp\":{\"sport\":%u,\"dport\":%u,\"vtag\":%u,\"chunks\":[",
			     pkt->sport, pkt->dport, pkt->vtag);
		for (i = 0; i < pkt->nchunks; i++) {
			const char *n = sw_sctp_chunk_name(pkt->chunks[i].type);

			if (n != NULL)
				sw_sb_printf(sb, "%s\"%s\"", i ? "," : "", n);
			else
				sw_sb_printf(sb, "%s%u", i ? "," : "", pkt->chunks[i].type);
		}
		sw_sb_printf(sb, "]}");
	}
	json_error(sb, pkt->mal);
}

static void
text_addr(struct sw_sb *sb, const char *key, const struct sw_sccp_addr *a)
{
	if (!a->present)
		return;
	sw_sb_printf(sb, " %s", key);
	if (a->digits.len)
		sw_sb_printf(sb, "=%s", a->digits.d);
	if (a->has_ssn)
		sw_sb_printf(sb, " ssn %u", a->ssn);
	if (a->has_pc && a->fmt == SW_VARIANT_ANSI) {
		char t[ANSI_PC_TEXT_MAX];

		sw_sb_printf(sb, " pc %s", sw_ansi_pc_text(a->pc, t));
	} else if (a->has_pc) {
		sw_sb_printf(sb, " pc %u", a->pc);
	}
}

void
sw_text_msu(struct sw_sb *sb, const struct sw_pkt *pkt, const struct sw_msu *msu, unsigned frame,
	    unsigned data_idx)
{
	char s[INET6_ADDRSTRLEN] = "?", d[INET6_ADDRSTRLEN] = "?";
	unsigned i;

	if (pkt->ip_ver != 0) {
		inet_ntop(pkt->ip_ver == 6 ? AF_INET6 : AF_INET, pkt->src, s, sizeof(s));
		inet_ntop(pkt->ip_ver == 6 ? AF_INET6 : AF_INET, pkt->dst, d, sizeof(d));
	}
	sw_sb_printf(sb, "%6u.%u %s -> %s", frame, data_idx, s, d);
	if (msu->has & SW_HAS_M3UA) {
		const char *t = sw_m3ua_type_name(msu->m3ua.cls, msu->m3ua.type);

		sw_sb_printf(sb, "  M3UA %s", t != NULL ? t : "?");
		if ((msu->has & SW_HAS_PROTO_DATA) && msu->ansi.variant == SW_VARIANT_ANSI) {
			char o[ANSI_PC_TEXT_MAX], d2[ANSI_PC_TEXT_MAX];

			sw_sb_printf(sb, " %s->%s si %u", sw_ansi_pc_text(msu->m3ua.opc, o),
				     sw_ansi_pc_text(msu->m3ua.dpc, d2), msu->m3ua.si);
		} else if (msu->has & SW_HAS_PROTO_DATA) {
			sw_sb_printf(sb, " %u->%u si %u", msu->m3ua.opc, msu->m3ua.dpc, msu->m3ua.si);
		}
	}
	if (msu->has & SW_HAS_M2PA) {
		const char *t = sw_m2pa_type_name(msu->m2pa.type);
		const char *st = sw_m2pa_state_name(msu->m2pa.state);

		sw_sb_printf(sb, "  M2PA %s bsn %u fsn %u", t != NULL ? t : "?", msu->m2pa.bsn,
			     msu->m2pa.fsn);
		if (msu->m2pa.type == M2PA_TYPE_LINK_STATUS)
			sw_sb_printf(sb, " %s", st != NULL ? st : "?");
		if (msu->has & SW_HAS_PROTO_DATA)
			sw_sb_printf(sb, " %u->%u si %u", msu->m3ua.opc, msu->m3ua.dpc, msu->m3ua.si);
	}
	if (msu->has & SW_HAS_SCCP) {
		const char *t = sw_sccp_type_name(msu->sccp.type);

		sw_sb_printf(sb, "  SCCP %s", t != NULL ? t : "?");
		text_addr(sb, "cdpa", &msu->sccp.cdpa);
		text_addr(sb, "cgpa", &msu->sccp.cgpa);
		if (msu->has & SW_HAS_SCMG)
			sw_sb_printf(sb, "  SCMG %s assn %u apc %u", sw_scmg_type_name(msu->sccp.scmg.type),
				     msu->sccp.scmg.assn, msu->sccp.scmg.apc);
	}
	if (msu->has & SW_HAS_TCAP) {
		const char *t = sw_tcap_type_name(msu->tcap.type);

		sw_sb_printf(sb, "  TCAP %s", t != NULL ? t : "?");
		for (i = 0; i < msu->tcap.ncomp && i < SW_COMP_MAX; i++) {
			const struct sw_tcap_comp *cp = &msu->tcap.comp[i];
			const char *ct = sw_comp_type_name(cp->type);
			const char *n = !cp->has_opcode || cp->opcode_global ? NULL
									    : comp_name(msu, cp);

			sw_sb_printf(sb, " [%s", ct != NULL ? ct : "?");
			if (cp->has_opcode && cp->opcode_global)
				sw_sb_printf(sb, " global-op");
			else if (cp->has_opcode)
				sw_sb_printf(sb, " %s(%d)", n != NULL ? n : "op", cp->opcode);
			sw_sb_printf(sb, "]");
		}
	}
	if (msu->has & SW_HAS_MAP) {
		if (msu->map.imsi.len)
			sw_sb_printf(sb, " imsi %s", msu->map.imsi.d);
		if (msu->map.msisdn.len)
			sw_sb_printf(sb, " msisdn %s", msu->map.msisdn.d);
		if (msu->map.ussd_len)
			sw_sb_printf(sb, " ussd \"%.*s\"", (int)msu->map.ussd_len, msu->map.ussd);
	}
	if (msu->has & SW_HAS_CAP) {
		sw_sb_printf(sb, "  CAP");
		if (msu->cap.version != 0)
			sw_sb_printf(sb, " v%u", msu->cap.version);
		if (msu->cap.has_service_key)
			sw_sb_printf(sb, " service-key %u", msu->cap.service_key);
		if (msu->cap.has_event)
			sw_sb_printf(sb, " event %u", msu->cap.event);
		if (msu->cap.imsi.len)
			sw_sb_printf(sb, " imsi %s", msu->cap.imsi.d);
		if (msu->cap.calling.digits.len)
			sw_sb_printf(sb, " calling %s", msu->cap.calling.digits.d);
		if (msu->cap.called.digits.len)
			sw_sb_printf(sb, " called %s", msu->cap.called.digits.d);
		if (msu->cap.vlr.len)
			sw_sb_printf(sb, " vlr %s", msu->cap.vlr.d);
	}
	if (msu->has & SW_HAS_ISUP) {
		const char *t = sw_isup_type_name(msu->isup.type);

		sw_sb_printf(sb, "  ISUP %s cic %u", t != NULL ? t : "?", msu->isup.cic);
		if (msu->isup.cgpn.digits.len)
			sw_sb_printf(sb, " cgpn %s", msu->isup.cgpn.digits.d);
		if (msu->isup.cdpn.digits.len)
			sw_sb_printf(sb, " cdpn %s", msu->isup.cdpn.digits.d);
	}
	if (msu->ansi.tcap_pkg != 0)
		sw_sb_printf(sb, "  ANSI-TCAP %s", sw_ansi_tcap_name(msu->ansi.tcap_pkg));
	if (msu->mal != SW_MAL_NONE)
		sw_sb_printf(sb, "  MALFORMED %s/%s", sw_layer_name(sw_mal_layer(msu->mal)),
			     sw_mal_name(msu->mal));
}

void
sw_text_pkt(struct sw_sb *sb, const struct sw_pkt *pkt, unsigned frame)
{
	unsigned i;

	sw_sb_printf(sb, "%6u   ", frame);
	if (pkt->sctp) {
		sw_sb_printf(sb, "SCTP %u -> %u", pkt->sport, pkt->dport);
		for (i = 0; i < pkt->nchunks; i++) {
			const char *n = sw_sctp_chunk_name(pkt->chunks[i].type);

			sw_sb_printf(sb, " %s", n != NULL ? n : "?");
		}
	}
	if (pkt->mal != SW_MAL_NONE)
		sw_sb_printf(sb, "  %s/%s", sw_layer_name(sw_mal_layer(pkt->mal)),
			     sw_mal_name(pkt->mal));
}
