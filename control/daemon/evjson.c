/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Event records -> one JSON object per line, the schema of control/README.md ("Events").
 *
 * The worker's record (struct sw_shm_event) carries the judged fields and the first
 * SW_SHM_EVENT_SNAP bytes of the frame. Flow identity (IP addresses, SCTP ports, verification
 * tag, stream), SCCP SSNs, TCAP transaction ids and application context, MAP subscriber fields
 * and ISUP numbers are decoded here, off the fast path, from that snapshot with the same decoder
 * the workers run (dataplane/decode). Of a packet with several DATA chunks, the chunk whose
 * decoded M3UA/SCCP/MAP fields match the record is the one described. A frame longer than the
 * snapshot may lose its upper layers: the record's own fields (point codes, GTs, operation,
 * IMSI) are used then.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "control.h"
#include "dataplane/decode/decode.h"
#include "dataplane/policy/image.h"
#include "dataplane/policy/policy.h"

const char *const sw_ev_type_names[5] = {"drop", "alert", "malformed", "state", "system"};

/* SCTP chunk types carrying user data: DATA (RFC 9260 3.3.1), I-DATA (RFC 8260 2.1). */
#define EV_CHUNK_DATA 0
#define EV_CHUNK_IDATA 64

void
sw_evjson_head(struct sw_ctl *c, struct sw_buf *b, uint64_t real_ns, enum sw_ev_type t)
{
	char ts[48];

	sw_fmt_time(ts, sizeof(ts), real_ns);
	b->len = 0;
	b->oom = false;
	sw_buf_printf(b, "{\"timestamp\":\"%s\",\"event_type\":\"%s\",\"host\":", ts,
		      sw_ev_type_names[t]);
	sw_buf_json_str(b, c->host);
	sw_buf_printf(b, ",\"instance\":");
	sw_buf_json_str(b, c->instance);
}

/* IMSI with the subscriber part masked: MCC+MNC and two more digits stay (8), the rest is '*'.
 * Shorter strings keep at most their first half. */
static void
mask_imsi(const char *in, char *out, size_t len)
{
	size_t n = strnlen(in, SW_DIGITS_MAX), keep = n > 8 ? 8 : n / 2;

	if (len == 0)
		return;
	for (size_t i = 0; i < n && i + 1 < len; i++)
		out[i] = i < keep ? in[i] : '*';
	out[n < len ? n : len - 1] = '\0';
}

/* A digit string from another process or the decoder: bounded, NUL-terminated here. */
static void
digits_copy(char *out, const char *in)
{
	memcpy(out, in, SW_DIGITS_MAX + 1);
	out[SW_DIGITS_MAX] = '\0';
}

static void
json_digits(struct sw_buf *b, const char *key, const char *d, bool *first)
{
	if (d == NULL || d[0] == '\0')
		return;
	sw_buf_printf(b, "%s\"%s\":", *first ? "" : ",", key);
	sw_buf_json_str(b, d);
	*first = false;
}

static void
json_hex(struct sw_buf *b, const uint8_t *p, unsigned n)
{
	if (n == 0) {
		sw_buf_printf(b, "null");
		return;
	}
	sw_buf_printf(b, "\"");
	for (unsigned i = 0; i < n; i++)
		sw_buf_printf(b, "%02x", p[i]);
	sw_buf_printf(b, "\"");
}

/*
 * A snapshot shorter than its frame: the IP length field is lowered to what was kept, so the
 * decoder walks the SCTP chunks that are complete in the snapshot (the others are reported cut)
 * instead of refusing the whole packet as truncated. Ethernet with up to two VLAN tags (IEEE
 * 802.1Q), IPv4 total length (RFC 791), IPv6 payload length (RFC 8200).
 */
static void
snap_fit(uint8_t *p, uint32_t cap, uint32_t frame_len)
{
	uint32_t off = 12;
	uint16_t type;

	if (frame_len <= cap || cap < 14)
		return;
	for (int v = 0; v < 3; v++) {
		type = (uint16_t)(p[off] << 8 | p[off + 1]);
		if ((type != 0x8100 && type != 0x88a8) || off + 6 > cap)
			break;
		off += 4;
	}
	type = (uint16_t)(p[off] << 8 | p[off + 1]);
	off += 2;
	if (type == 0x0800 && off + 20 <= cap) {
		uint32_t tl = cap - off;

		p[off + 2] = (uint8_t)(tl >> 8);
		p[off + 3] = (uint8_t)tl;
	} else if (type == 0x86dd && off + 40 <= cap) {
		uint32_t pl = cap - off - 40;

		p[off + 4] = (uint8_t)(pl >> 8);
		p[off + 5] = (uint8_t)pl;
	}
}

/* Decode the snapshot; returns true when *msu describes the record's MSU. */
static bool
snap_decode(const struct sw_shm_event *e, uint8_t *buf, struct sw_pkt *pkt,
	    struct sw_msu *msu)
{
	uint32_t cap = e->cap_len <= SW_SHM_EVENT_SNAP ? e->cap_len : SW_SHM_EVENT_SNAP;
	char cg[SW_DIGITS_MAX + 1];
	bool have = false;

	memset(pkt, 0, sizeof(*pkt));
	if (cap == 0)
		return false;
	memcpy(buf, e->pkt, cap);
	snap_fit(buf, cap, e->pkt_len);
	(void)sw_decode_packet(buf, cap, SW_LINK_ETH, pkt);
	if (!pkt->sctp)
		return false;
	digits_copy(cg, e->cgpa);
	for (unsigned i = 0; i < pkt->nchunks && i < SW_CHUNKS_MAX; i++) {
		struct sw_msu m;
		int32_t op = -1;

		if (pkt->chunks[i].type != EV_CHUNK_DATA && pkt->chunks[i].type != EV_CHUNK_IDATA)
			continue;
		(void)sw_decode_msu(buf, pkt, i, &m);
		for (unsigned k = 0; k < m.tcap.ncomp && k < SW_COMP_MAX; k++)
			if (m.tcap.comp[k].type == SW_COMP_INVOKE && m.tcap.comp[k].has_opcode &&
			    !m.tcap.comp[k].opcode_global) {
				op = m.tcap.comp[k].opcode;
				break;
			}
		if (!have) {
			*msu = m;
			have = true;
		}
		if ((m.has & SW_HAS_PROTO_DATA) && m.m3ua.opc == e->opc && m.m3ua.dpc == e->dpc &&
		    op == e->opcode && strcmp(m.sccp.cgpa.digits.d, cg) == 0) {
			*msu = m;
			break;
		}
	}
	return have;
}

static void
json_flow(struct sw_buf *b, const struct sw_pkt *pkt, const struct sw_msu *msu, bool have_msu)
{
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN];
	int af = pkt->ip_ver == 6 ? AF_INET6 : AF_INET;

	if (pkt->ip_ver != 4 && pkt->ip_ver != 6)
		return;
	if (inet_ntop(af, pkt->src, src, sizeof(src)) == NULL ||
	    inet_ntop(af, pkt->dst, dst, sizeof(dst)) == NULL)
		return;
	sw_buf_printf(b, ",\"flow\":{\"src_ip\":\"%s\",\"dst_ip\":\"%s\"", src, dst);
	if (pkt->sctp) {
		sw_buf_printf(b, ",\"src_port\":%u,\"dst_port\":%u,\"vtag\":%" PRIu32, pkt->sport,
			      pkt->dport, pkt->vtag);
		if (have_msu)
			sw_buf_printf(b, ",\"stream\":%u,\"tsn\":%" PRIu32 ",\"ppid\":%" PRIu32,
				      msu->sid, msu->tsn, msu->ppid);
	}
	if (pkt->vlan_count > 0)
		sw_buf_printf(b, ",\"vlan\":%u", pkt->vlan[0]);
	sw_buf_printf(b, "}");
}

static void
json_sccp_addr(struct sw_buf *b, const char *key, const struct sw_sccp_addr *a,
	       const char *fallback)
{
	sw_buf_printf(b, ",\"%s\":{\"gt\":", key);
	sw_buf_json_str(b, a->present && a->digits.len > 0 ? a->digits.d
			   : (fallback[0] != '\0' ? fallback : NULL));
	if (a->present && a->has_ssn)
		sw_buf_printf(b, ",\"ssn\":%u", a->ssn);
	else
		sw_buf_printf(b, ",\"ssn\":null");
	if (a->present && a->has_pc)
		sw_buf_printf(b, ",\"pc\":%u", a->pc);
	if (a->present && a->gti != 0)
		sw_buf_printf(b, ",\"gti\":%u,\"tt\":%u,\"np\":%u,\"nai\":%u", a->gti, a->tt, a->np,
			      a->nai);
	sw_buf_printf(b, "}");
}

/* The judged layers: M3UA, SCCP, TCAP, MAP, ISUP. */
static void
json_layers(struct sw_buf *b, const struct sw_shm_event *e, const struct sw_msu *msu,
	    bool have_msu)
{
	static const struct sw_sccp_addr none;
	char cg[SW_DIGITS_MAX + 1], cd[SW_DIGITS_MAX + 1], imsi[SW_DIGITS_MAX + 1];
	const char *op = e->opcode >= 0 ? sw_map_op_name(e->opcode) : NULL;
	bool sccp = (have_msu && (msu->has & SW_HAS_SCCP)) || e->cgpa[0] != '\0' ||
		    e->cdpa[0] != '\0' || e->sccp_type != 0;

	digits_copy(cg, e->cgpa);
	digits_copy(cd, e->cdpa);
	if (e->si != 0 || e->opc != 0 || e->dpc != 0)
		sw_buf_printf(b, ",\"m3ua\":{\"opc\":%" PRIu32 ",\"dpc\":%" PRIu32 ",\"si\":%u}",
			      e->opc, e->dpc, e->si);
	if (sccp) {
		const char *t = sw_sccp_type_name(have_msu ? msu->sccp.type : e->sccp_type);

		sw_buf_printf(b, ",\"sccp\":{\"type\":");
		sw_buf_json_str(b, t);
		json_sccp_addr(b, "calling", have_msu ? &msu->sccp.cgpa : &none, cg);
		json_sccp_addr(b, "called", have_msu ? &msu->sccp.cdpa : &none, cd);
		sw_buf_printf(b, "}");
	}
	if ((have_msu && (msu->has & SW_HAS_TCAP)) || e->tcap_type != 0) {
		sw_buf_printf(b, ",\"tcap\":{\"type\":");
		sw_buf_json_str(b, sw_tcap_type_name(have_msu ? msu->tcap.type : e->tcap_type));
		sw_buf_printf(b, ",\"otid\":");
		json_hex(b, msu->tcap.otid, have_msu ? (msu->tcap.otid_len <= 4 ? msu->tcap.otid_len
								   : 4) : 0);
		sw_buf_printf(b, ",\"dtid\":");
		json_hex(b, msu->tcap.dtid, have_msu ? (msu->tcap.dtid_len <= 4 ? msu->tcap.dtid_len
								   : 4) : 0);
		sw_buf_printf(b, ",\"acn\":");
		if (have_msu && (msu->has & SW_HAS_ACN) && msu->tcap.acn_len > 0) {
			char oid[96];

			if (sw_oid_to_text(msu->tcap.acn, msu->tcap.acn_len <= SW_ACN_MAX
							       ? msu->tcap.acn_len : SW_ACN_MAX,
					   oid, sizeof(oid)) >= 0)
				sw_buf_json_str(b, oid);
			else
				sw_buf_printf(b, "null");
		} else {
			sw_buf_printf(b, "null");
		}
		sw_buf_printf(b, "}");
	}
	digits_copy(imsi, e->imsi);
	if (op != NULL || e->opcode >= 0 || imsi[0] != '\0' ||
	    (have_msu && (msu->has & SW_HAS_MAP))) {
		bool first = false;

		mask_imsi(imsi, imsi, sizeof(imsi));
		sw_buf_printf(b, ",\"map\":{\"operation\":");
		sw_buf_json_str(b, op);
		if (e->opcode >= 0)
			sw_buf_printf(b, ",\"opcode\":%" PRId32, e->opcode);
		else
			sw_buf_printf(b, ",\"opcode\":null");
		sw_buf_printf(b, ",\"imsi\":");
		sw_buf_json_str(b, imsi[0] != '\0' ? imsi : NULL);
		if (have_msu && (msu->has & SW_HAS_MAP)) {
			json_digits(b, "msisdn", msu->map.msisdn.d, &first);
			json_digits(b, "vlr", msu->map.vlr.d, &first);
			json_digits(b, "msc", msu->map.msc.d, &first);
			json_digits(b, "hlr", msu->map.hlr.d, &first);
			json_digits(b, "sgsn", msu->map.sgsn.d, &first);
			json_digits(b, "smsc", msu->map.smsc.d, &first);
			json_digits(b, "forwarded_to", msu->map.fwd_to.d, &first);
		}
		sw_buf_printf(b, "}");
	}
	if (have_msu && (msu->has & SW_HAS_ISUP)) {
		sw_buf_printf(b, ",\"isup\":{\"type\":");
		sw_buf_json_str(b, sw_isup_type_name(msu->isup.type));
		sw_buf_printf(b, ",\"cic\":%u,\"cgpn\":", msu->isup.cic);
		sw_buf_json_str(b, msu->isup.cgpn.present ? msu->isup.cgpn.digits.d : NULL);
		sw_buf_printf(b, ",\"cdpn\":");
		sw_buf_json_str(b, msu->isup.cdpn.present ? msu->isup.cdpn.digits.d : NULL);
		sw_buf_printf(b, "}");
	}
}

static const char *
ev_action_name(uint8_t a)
{
	static const char *const names[] = {"allow", "drop", "alert", "rate-limit"};

	return a < 4 ? names[a] : "unknown";
}

/*
 * Severity, as Suricata's eve.json: 1 high, 2 medium, 3 low: a named rule that drops is 1, an
 * alert or a rate limit 2, the policy's default and malformed verdicts 3. The rule's own
 * `severity` (issue 18) is "level", beside it.
 */
static unsigned
severity_of(uint8_t action, int32_t rule)
{
	if (rule < 0)
		return 3;
	return action == SW_EV_ACT_DROP ? 1 : 2;
}

static void
json_rule(struct sw_ctl *c, struct sw_buf *b, uint64_t generation, int32_t rule, uint8_t action)
{
	const char *name = sw_names_find(c, generation, rule);
	const struct sw_names *n = sw_names_get(c, generation);

	/* "id": the rule's own `id` (issue 18 D4: stable across reloads and edits; null for a
	 * rule without one), -1/-2 for the policy's default/malformed; "index": its position. */
	if (rule < 0)
		sw_buf_printf(b, ",\"rule\":{\"id\":%" PRId32, rule);
	else if (n != NULL && n->id != NULL && (uint32_t)rule < n->nrules && n->id[rule] != 0)
		sw_buf_printf(b, ",\"rule\":{\"id\":%" PRIu32, n->id[rule]);
	else
		sw_buf_printf(b, ",\"rule\":{\"id\":null");
	sw_buf_printf(b, ",\"index\":%" PRId32 ",\"name\":", rule);
	if (name != NULL)
		sw_buf_json_str(b, name);
	else
		sw_buf_printf(b, "\"#%" PRId32 "\"", rule);
	sw_buf_printf(b, ",\"action\":\"%s\",\"severity\":%u", ev_action_name(action),
		      severity_of(action, rule));
	/* the rule's own severity (issue 18 D4), by name */
	if (rule >= 0 && n != NULL && n->severity != NULL && (uint32_t)rule < n->nrules &&
	    n->severity[rule] < SW_SEV_COUNT)
		sw_buf_printf(b, ",\"level\":\"%s\"", sw_severity_names[n->severity[rule]]);
	sw_buf_printf(b, "}");
	sw_buf_printf(b, ",\"policy\":{\"name\":");
	sw_buf_json_str(b, n != NULL ? n->policy : NULL);
	if (n != NULL)
		sw_buf_printf(b, ",\"checksum\":\"%016" PRIx64 "\"}", n->checksum);
	else
		sw_buf_printf(b, ",\"checksum\":null}");
}

/* What every judged record carries: generation, worker, direction, rule and policy (with_rule:
 * a record judged without an image has neither), flow, layers. */
static void
json_judged(struct sw_ctl *c, struct sw_buf *b, const struct sw_shm_event *e, bool with_rule)
{
	uint8_t buf[SW_SHM_EVENT_SNAP];
	struct sw_pkt pkt;
	struct sw_msu msu;
	bool have_msu;

	memset(&msu, 0, sizeof(msu));
	have_msu = snap_decode(e, buf, &pkt, &msu);
	sw_buf_printf(b, ",\"generation\":%" PRIu64 ",\"worker\":%u,\"direction\":\"%s\","
		      "\"port\":%u", e->generation, e->worker,
		      e->direction == 0 ? "outside" : "inside", e->port);
	if (with_rule)
		json_rule(c, b, e->generation, e->rule, e->action);
	json_flow(b, &pkt, &msu, have_msu);
	json_layers(b, e, &msu, have_msu);
}

/* ,"malformed":{"reason":..,"layer":..   (the caller closes the object) */
static void
json_mal(struct sw_buf *b, uint16_t mal)
{
	sw_buf_printf(b, ",\"malformed\":{\"reason\":");
	sw_buf_json_str(b, sw_mal_name((enum sw_mal)mal));
	sw_buf_printf(b, ",\"layer\":");
	sw_buf_json_str(b, sw_layer_name(sw_mal_layer((enum sw_mal)mal)));
}

/* The event type of a worker's record (SW_EV_MALFORMED records are aggregated, not here): a
 * verdict is a drop or an alert; traffic judged while no image is bound (issue 13: fail closed)
 * is a system event, not a policy drop: no rule or policy judged it (issue 19). */
static enum sw_ev_type
record_type(const struct sw_shm_event *e)
{
	if (e->kind == SW_EV_NO_IMAGE)
		return SW_ET_SYSTEM;
	return e->action == SW_EV_ACT_ALERT || e->action == SW_EV_ACT_ALLOW ? SW_ET_ALERT
									     : SW_ET_DROP;
}

enum sw_ev_type
sw_evjson_verdict(struct sw_ctl *c, const struct sw_shm_event *e, struct sw_buf *b)
{
	enum sw_ev_type t = record_type(e);

	sw_evjson_head(c, b, e->time_ns, t);
	if (t == SW_ET_SYSTEM)
		sw_buf_printf(b, ",\"system\":{\"event\":\"no_image\",\"action\":\"%s\"}",
			      ev_action_name(e->action));
	json_judged(c, b, e, t != SW_ET_SYSTEM);
	if (e->mal != 0 && e->mal < SW_MAL_COUNT) {
		json_mal(b, e->mal);
		sw_buf_printf(b, "}");
	}
	sw_buf_printf(b, ",\"len\":%" PRIu32 "}", e->pkt_len);
	return t;
}

void
sw_evjson_malformed(struct sw_ctl *c, unsigned reason, uint64_t count, uint64_t sampled,
		    const struct sw_shm_event *sample, uint64_t real_ns, struct sw_buf *b)
{
	sw_evjson_head(c, b, real_ns, SW_ET_MALFORMED);
	json_mal(b, (uint16_t)reason);
	sw_buf_printf(b, ",\"count\":%" PRIu64 ",\"sampled\":%" PRIu64 ",\"interval_s\":1}", count,
		      sampled);
	if (sample != NULL)
		json_judged(c, b, sample, true);
	sw_buf_printf(b, "}");
}

/*
 * Inline repair could not keep an association consistent and took a fallback (enforce, issue
 * 12 Deliver 4; dataplane/enforce/README.md): the association (side 0 sends direction 0, port
 * A -> B: the outside endpoint), the enforcer's reason, the fallback taken, the association's
 * class (site link, or default), and how many fallbacks of it the record stands for (at most
 * one record per association per second).
 */
void
sw_evjson_repair(struct sw_ctl *c, const struct sw_shm_event *e, struct sw_buf *b)
{
	static const char *const fb[] = {"neutralized", "passed", "dropped", "unchanged"};
	char ip[2][INET6_ADDRSTRLEN];
	struct sw_shm_ev_repair r;

	sw_shm_ev_repair_get(e, &r);
	for (unsigned d = 0; d < 2; d++)
		if (r.ip_ver == 0 ||
		    inet_ntop(r.ip_ver == 6 ? AF_INET6 : AF_INET, r.addr[d], ip[d], sizeof(ip[d])) == NULL)
			ip[d][0] = '\0';
	sw_evjson_head(c, b, e->time_ns, SW_ET_STATE);
	sw_buf_printf(b, ",\"state\":{\"event\":\"repair_fallback\",\"reason\":");
	sw_buf_json_str(b, r.reason);
	sw_buf_printf(b, ",\"fallback\":\"%s\",\"class\":", fb[r.action]);
	sw_buf_json_str(b, r.cls_name[0] != '\0' ? r.cls_name : "default");
	sw_buf_printf(b, ",\"count\":%" PRIu32 ",\"tracked\":%s,\"worker\":%u,"
		      "\"direction\":\"%s\",\"port\":%u,\"generation\":%" PRIu64, r.count,
		      r.tracked ? "true" : "false", e->worker,
		      e->direction == 0 ? "outside" : "inside", e->port, e->generation);
	sw_buf_printf(b, ",\"assoc\":{\"outside\":{\"ip\":");
	sw_buf_json_str(b, ip[0][0] != '\0' ? ip[0] : NULL);
	sw_buf_printf(b, ",\"port\":%u,\"vtag\":%" PRIu32 "},\"inside\":{\"ip\":", r.port[0],
		      r.vtag[0]);
	sw_buf_json_str(b, ip[1][0] != '\0' ? ip[1] : NULL);
	sw_buf_printf(b, ",\"port\":%u,\"vtag\":%" PRIu32 "}}}}", r.port[1], r.vtag[1]);
}

/*
 * An MSU whose action the shadow policy (issue 18 D7, `sigwallctl reload --shadow`) would change:
 * the candidate's action and rule (index into the candidate image: `sigwallctl shadow diff`
 * names them), what the active image (generation) did is in the counters; the MSU's fields as
 * for a verdict. Nothing was done to the MSU by the candidate: a state event, never a drop.
 */
void
sw_evjson_shadow(struct sw_ctl *c, const struct sw_shm_event *e, struct sw_buf *b)
{
	char d[SW_DIGITS_MAX + 1];

	sw_evjson_head(c, b, e->time_ns, SW_ET_STATE);
	sw_buf_printf(b, ",\"state\":{\"event\":\"shadow_change\",\"candidate_action\":\"%s\","
		      "\"candidate_rule\":%" PRId32 ",\"active_generation\":%" PRIu64
		      ",\"worker\":%u,\"direction\":\"%s\",\"opc\":%" PRIu32 ",\"dpc\":%" PRIu32
		      ",\"opcode\":%" PRId32 ",\"cgpa\":",
		      ev_action_name(e->action), e->rule, e->generation, e->worker,
		      e->direction == 0 ? "outside" : "inside", e->opc, e->dpc, e->opcode);
	memcpy(d, e->cgpa, sizeof(d));
	d[SW_DIGITS_MAX] = '\0';
	sw_buf_json_str(b, d);
	/* the candidate's rule by name, while it is the shadow control knows */
	sw_buf_printf(b, ",\"shadow_generation\":%" PRIu64 ",\"candidate_rule_name\":",
		      c->shadow.generation);
	if (e->rule == SW_RULE_DEFAULT || e->rule == SW_RULE_MALFORMED)
		sw_buf_json_str(b, e->rule == SW_RULE_DEFAULT ? "default" : "malformed");
	else if (e->rule >= 0 && (uint32_t)e->rule < c->shadow.names.nrules)
		sw_buf_json_str(b, c->shadow.names.name[e->rule]);
	else
		sw_buf_json_str(b, NULL);
	sw_buf_printf(b, "}}");
}
