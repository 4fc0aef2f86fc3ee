/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * M3UA endpoint, RFC 4666: message codec, ASP state machine (4.3.1), AS state machine on the
 * server side (4.3.2), ASPSM/ASPTM procedures (4.3.4), BEAT (3.5.5), NTFY (3.8.2), ERR (3.8.1)
 * and SSNM (3.4, 4.5). See m3ua_asp.h for the roles.
 */
#include <errno.h>
#include <string.h>

#include "bytes.h"
#include "m3ua_asp.h"
#include "m3ua_wire.h"

#define M3UA_DIAG_MAX 40          /* bytes of the offending message quoted in ERR */
#define M3UA_T_ACK_MS 2000        /* retransmission of ASPUP/ASPAC/ASPIA/ASPDN, RFC 4666 4.3.4.1 */
#define M3UA_T_R_MS 2000          /* T(r), RFC 4666 4.3.4.5 */

/* ---- codec -------------------------------------------------------------------------------- */

static int
parse_u32(const uint8_t *v, uint16_t vlen, uint32_t *out)
{
	if (vlen != 4)
		return M3UA_ERR_PARAM_FIELD;
	*out = sw_rd32(v);
	return 0;
}

/* A list of 32-bit values (routing contexts, affected point codes), RFC 4666 3.3.1, 3.4.1. */
static int
parse_u32s(const uint8_t *v, uint16_t vlen, uint32_t *out, uint8_t *n, unsigned max)
{
	if (vlen == 0 || vlen % 4 != 0 || vlen / 4 > max)
		return M3UA_ERR_PARAM_FIELD;
	*n = vlen / 4;
	for (unsigned i = 0; i < *n; i++)
		out[i] = sw_rd32(v + 4 * i);
	return 0;
}

static int
parse_param(struct sw_m3ua_msg *m, uint16_t tag, const uint8_t *v, uint16_t vlen)
{
	int rc = 0;

	switch (tag) {
	case M3UA_TAG_RCTX:
		rc = parse_u32s(v, vlen, m->rctx, &m->nrctx, SW_M3UA_RCTX_MAX);
		m->present |= 1u << SW_M3UA_P_RCTX;
		break;
	case M3UA_TAG_TMT:
		rc = parse_u32(v, vlen, &m->tmt);
		m->present |= 1u << SW_M3UA_P_TMT;
		break;
	case M3UA_TAG_ERR_CODE:
		rc = parse_u32(v, vlen, &m->err_code);
		m->present |= 1u << SW_M3UA_P_ERR_CODE;
		break;
	case M3UA_TAG_STATUS: /* RFC 4666 3.8.2: status type (16), status information (16) */
		if (vlen != 4)
			return M3UA_ERR_PARAM_FIELD;
		m->status_type = sw_rd16(v);
		m->status_info = sw_rd16(v + 2);
		m->present |= 1u << SW_M3UA_P_STATUS;
		break;
	case M3UA_TAG_NA:
		rc = parse_u32(v, vlen, &m->na);
		m->present |= 1u << SW_M3UA_P_NA;
		break;
	case M3UA_TAG_ASP_ID:
		rc = parse_u32(v, vlen, &m->asp_id);
		m->present |= 1u << SW_M3UA_P_ASP_ID;
		break;
	case M3UA_TAG_CORR_ID:
		rc = parse_u32(v, vlen, &m->corr_id);
		m->present |= 1u << SW_M3UA_P_CORR_ID;
		break;
	case M3UA_TAG_APC:
		rc = parse_u32s(v, vlen, m->apc, &m->napc, SW_M3UA_APC_MAX);
		m->present |= 1u << SW_M3UA_P_APC;
		break;
	case M3UA_TAG_CONCERNED_DEST:
		rc = parse_u32(v, vlen, &m->concerned_dest);
		m->present |= 1u << SW_M3UA_P_CONCERNED;
		break;
	case M3UA_TAG_CONG_IND:
		rc = parse_u32(v, vlen, &m->cong_level);
		m->present |= 1u << SW_M3UA_P_CONG;
		break;
	case M3UA_TAG_HB_DATA:
		m->hb = v;
		m->hb_len = vlen;
		m->present |= 1u << SW_M3UA_P_HB;
		break;
	case M3UA_TAG_PROTO_DATA:
		m->pd = v;
		m->pd_len = vlen;
		m->present |= 1u << SW_M3UA_P_PD;
		break;
	case M3UA_TAG_DIAG:
		m->diag = v;
		m->diag_len = vlen;
		m->present |= 1u << SW_M3UA_P_DIAG;
		break;
	default:
		/* INFO string, correlation-free extras, vendor tags: not acted on. */
		break;
	}
	return rc;
}

int
sw_m3ua_parse(const uint8_t *buf, size_t len, struct sw_m3ua_msg *m)
{
	size_t off;

	memset(m, 0, sizeof(*m));
	if (len < M3UA_HLEN)
		return M3UA_ERR_PROTOCOL;
	m->cls = buf[2];
	m->type = buf[3];
	m->len = sw_rd32(buf + 4);
	/* RFC 4666 3.1.1: version 1 only. */
	if (buf[0] != M3UA_VERSION)
		return M3UA_ERR_INVALID_VERSION;
	/* RFC 4666 3.1.4: the length includes the header; one SCTP user message is one M3UA
	 * message, so the two must agree. */
	if (m->len != len || m->len % 4 != 0)
		return M3UA_ERR_PROTOCOL;
	/* RFC 4666 3.2: tag, length (including the 4-byte header, excluding padding), value,
	 * padding to 4 bytes. */
	for (off = M3UA_HLEN; off < len;) {
		uint16_t tag, plen;
		int rc;

		if (len - off < M3UA_PARAM_HLEN)
			return M3UA_ERR_PARAM_FIELD;
		tag = sw_rd16(buf + off);
		plen = sw_rd16(buf + off + 2);
		if (plen < M3UA_PARAM_HLEN || plen > len - off)
			return M3UA_ERR_PARAM_FIELD;
		rc = parse_param(m, tag, buf + off + M3UA_PARAM_HLEN, plen - M3UA_PARAM_HLEN);
		if (rc != 0)
			return rc;
		off += (plen + 3u) & ~3u;
	}
	return 0;
}

void
sw_m3ua_put_hdr(struct sw_m3ua_buf *b, uint8_t cls, uint8_t type)
{
	b->len = 0;
	b->overflow = b->cap < M3UA_HLEN;
	if (b->overflow)
		return;
	b->p[0] = M3UA_VERSION;
	b->p[1] = 0;
	b->p[2] = cls;
	b->p[3] = type;
	b->len = M3UA_HLEN;
}

void
sw_m3ua_put_param(struct sw_m3ua_buf *b, uint16_t tag, const void *val, size_t len)
{
	size_t padded = (M3UA_PARAM_HLEN + len + 3u) & ~(size_t)3u;

	if (b->overflow || len > UINT16_MAX - M3UA_PARAM_HLEN || b->cap - b->len < padded) {
		b->overflow = true;
		return;
	}
	b->p[b->len] = tag >> 8;
	b->p[b->len + 1] = tag;
	b->p[b->len + 2] = (M3UA_PARAM_HLEN + len) >> 8;
	b->p[b->len + 3] = M3UA_PARAM_HLEN + len;
	if (val != NULL && len != 0) /* NULL: the caller writes the value in place */
		memcpy(b->p + b->len + M3UA_PARAM_HLEN, val, len);
	memset(b->p + b->len + M3UA_PARAM_HLEN + len, 0, padded - M3UA_PARAM_HLEN - len);
	b->len += padded;
}

void
sw_m3ua_put_u32s(struct sw_m3ua_buf *b, uint16_t tag, const uint32_t *val, unsigned n)
{
	uint8_t v[4 * SW_M3UA_APC_MAX];

	if (n > SW_M3UA_APC_MAX) {
		b->overflow = true;
		return;
	}
	for (unsigned i = 0; i < n; i++)
		sw_wr32(v + 4 * i, val[i]);
	sw_m3ua_put_param(b, tag, v, 4 * n);
}

void
sw_m3ua_put_u32(struct sw_m3ua_buf *b, uint16_t tag, uint32_t val)
{
	sw_m3ua_put_u32s(b, tag, &val, 1);
}

size_t
sw_m3ua_put_end(struct sw_m3ua_buf *b)
{
	if (b->overflow || b->len < M3UA_HLEN)
		return 0;
	sw_wr32(b->p + 4, (uint32_t)b->len);
	return b->len;
}

size_t
sw_m3ua_build_data(uint8_t *out, size_t cap, uint32_t rctx, bool na_set, uint32_t na,
		   const struct sw_m3ua_label *l, const uint8_t *ud, size_t ud_len)
{
	struct sw_m3ua_buf b = {.p = out, .cap = cap};
	size_t pd_off;

	/* RFC 4666 3.3.1: NA, RCTX, Protocol Data, Correlation Id. */
	sw_m3ua_put_hdr(&b, M3UA_CLASS_TRANSFER, M3UA_XFER_DATA);
	if (na_set)
		sw_m3ua_put_u32(&b, M3UA_TAG_NA, na);
	if (rctx != 0)
		sw_m3ua_put_u32(&b, M3UA_TAG_RCTX, rctx);
	pd_off = b.len;
	sw_m3ua_put_param(&b, M3UA_TAG_PROTO_DATA, NULL, M3UA_PD_LABEL + ud_len);
	if (b.overflow)
		return 0;
	/* Protocol Data: OPC, DPC, SI, NI, MP, SLS, user data. */
	uint8_t *pd = out + pd_off + M3UA_PARAM_HLEN;
	sw_wr32(pd, l->opc);
	sw_wr32(pd + 4, l->dpc);
	pd[8] = l->si;
	pd[9] = l->ni;
	pd[10] = l->mp;
	pd[11] = l->sls;
	memcpy(pd + M3UA_PD_LABEL, ud, ud_len);
	return sw_m3ua_put_end(&b);
}

bool
sw_m3ua_data_label(const struct sw_m3ua_msg *m, struct sw_m3ua_label *l, const uint8_t **ud,
		   uint32_t *ud_len)
{
	if (m->pd == NULL || m->pd_len < M3UA_PD_LABEL)
		return false;
	l->opc = sw_rd32(m->pd);
	l->dpc = sw_rd32(m->pd + 4);
	l->si = m->pd[8];
	l->ni = m->pd[9];
	l->mp = m->pd[10];
	l->sls = m->pd[11];
	*ud = m->pd + M3UA_PD_LABEL;
	*ud_len = m->pd_len - M3UA_PD_LABEL;
	return true;
}

/* ---- endpoint plumbing -------------------------------------------------------------------- */

static const char *const asp_state_names[] = {"down", "inactive", "active"};
static const char *const as_state_names[] = {"down", "inactive", "active", "pending"};

const char *
sw_m3ua_asp_state_name(enum sw_m3ua_asp_state s)
{
	return (unsigned)s < 3 ? asp_state_names[s] : "?";
}

const char *
sw_m3ua_as_state_name(enum sw_m3ua_as_state s)
{
	return (unsigned)s < 4 ? as_state_names[s] : "?";
}

static void
ep_event(struct sw_m3ua_ep *ep, enum sw_m3ua_event ev, uint32_t arg)
{
	if (ep->cb.event != NULL)
		ep->cb.event(ep->user, ev, arg);
}

static void
ep_send(struct sw_m3ua_ep *ep, uint16_t stream, struct sw_m3ua_buf *b)
{
	size_t n = sw_m3ua_put_end(b);

	if (n == 0 || ep->cb.send == NULL)
		return;
	if (ep->cb.send(ep->user, stream, b->p, n) == 0)
		ep->ctr.tx++;
}

static void
ep_set_state(struct sw_m3ua_ep *ep, enum sw_m3ua_asp_state s)
{
	if (ep->state == s)
		return;
	ep->state = s;
	ep_event(ep, SW_M3UA_EV_ASP_STATE, s);
}

static void
send_err_rctx(struct sw_m3ua_ep *ep, uint32_t code, const uint32_t *rctx, unsigned nrctx,
	      const uint8_t *diag, size_t diag_len)
{
	uint8_t out[SW_M3UA_MSG_MAX];
	struct sw_m3ua_buf b = {.p = out, .cap = sizeof(out)};

	/* RFC 4666 3.8.1: Error Code; Routing Context for "Invalid Routing Context"; Network
	 * Appearance for "Invalid Network Appearance"; Diagnostic Information. */
	sw_m3ua_put_hdr(&b, M3UA_CLASS_MGMT, M3UA_MGMT_ERR);
	sw_m3ua_put_u32(&b, M3UA_TAG_ERR_CODE, code);
	if (nrctx != 0)
		sw_m3ua_put_u32s(&b, M3UA_TAG_RCTX, rctx, nrctx);
	if (code == M3UA_ERR_INVALID_NA && ep->cfg.na_set)
		sw_m3ua_put_u32(&b, M3UA_TAG_NA, ep->cfg.na);
	if (diag != NULL && diag_len != 0)
		sw_m3ua_put_param(&b, M3UA_TAG_DIAG, diag,
				  diag_len < M3UA_DIAG_MAX ? diag_len : M3UA_DIAG_MAX);
	ep_send(ep, M3UA_MGMT_STREAM, &b);
	ep->ctr.err_tx++;
	ep_event(ep, SW_M3UA_EV_ERR_TX, code);
}

void
sw_m3ua_send_err(struct sw_m3ua_ep *ep, uint32_t code, const uint8_t *diag, size_t diag_len)
{
	send_err_rctx(ep, code, NULL, 0, diag, diag_len);
}

static void
send_ntfy(struct sw_m3ua_ep *ep, uint16_t type, uint16_t info, uint32_t rctx)
{
	uint8_t out[64];
	struct sw_m3ua_buf b = {.p = out, .cap = sizeof(out)};
	uint8_t status[4] = {type >> 8, type, info >> 8, info};

	/* RFC 4666 3.8.2: Status, ASP Identifier (optional), Routing Context, INFO. */
	sw_m3ua_put_hdr(&b, M3UA_CLASS_MGMT, M3UA_MGMT_NTFY);
	sw_m3ua_put_param(&b, M3UA_TAG_STATUS, status, sizeof(status));
	if (rctx != 0)
		sw_m3ua_put_u32(&b, M3UA_TAG_RCTX, rctx);
	ep_send(ep, M3UA_MGMT_STREAM, &b);
	ep->ctr.ntfy_tx++;
}

/* Client requests carry the configured ASP Identifier, traffic mode and routing contexts. */
static void
send_request(struct sw_m3ua_ep *ep, uint8_t cls, uint8_t type)
{
	uint8_t out[SW_M3UA_MSG_MAX];
	struct sw_m3ua_buf b = {.p = out, .cap = sizeof(out)};

	sw_m3ua_put_hdr(&b, cls, type);
	if (cls == M3UA_CLASS_ASPSM && type == M3UA_ASPSM_UP && ep->cfg.asp_id_set)
		sw_m3ua_put_u32(&b, M3UA_TAG_ASP_ID, ep->cfg.asp_id); /* RFC 4666 3.5.1 */
	if (cls == M3UA_CLASS_ASPTM) {
		/* RFC 4666 3.7.1 (ASPAC): Traffic Mode Type, Routing Context; 3.7.3 (ASPIA):
		 * Routing Context. */
		if (type == M3UA_ASPTM_ACTIVE && ep->cfg.tmt != 0)
			sw_m3ua_put_u32(&b, M3UA_TAG_TMT, ep->cfg.tmt);
		if (ep->cfg.nrctx != 0)
			sw_m3ua_put_u32s(&b, M3UA_TAG_RCTX, ep->cfg.rctx, ep->cfg.nrctx);
	}
	ep->pending_cls = cls;
	ep->pending_type = type;
	ep->pending_deadline_ms = ep->now_ms + ep->cfg.ack_timeout_ms;
	ep_send(ep, M3UA_MGMT_STREAM, &b);
}

static void
send_reply(struct sw_m3ua_ep *ep, uint8_t cls, uint8_t type, const struct sw_m3ua_msg *req)
{
	uint8_t out[SW_M3UA_MSG_MAX];
	struct sw_m3ua_buf b = {.p = out, .cap = sizeof(out)};

	sw_m3ua_put_hdr(&b, cls, type);
	if (cls == M3UA_CLASS_ASPSM && type == M3UA_ASPSM_BEAT_ACK && req->hb != NULL)
		sw_m3ua_put_param(&b, M3UA_TAG_HB_DATA, req->hb, req->hb_len); /* 3.5.6: echo */
	if (cls == M3UA_CLASS_ASPTM) {
		/* RFC 4666 3.7.2/3.7.4: the acks echo the traffic mode and routing contexts. */
		if (type == M3UA_ASPTM_ACTIVE_ACK && (req->present & 1u << SW_M3UA_P_TMT))
			sw_m3ua_put_u32(&b, M3UA_TAG_TMT, req->tmt);
		if (req->nrctx != 0)
			sw_m3ua_put_u32s(&b, M3UA_TAG_RCTX, req->rctx, req->nrctx);
	}
	ep_send(ep, M3UA_MGMT_STREAM, &b);
}

/* ---- application server state (server side), RFC 4666 4.3.2 ------------------------------ */

static int
as_index(const struct sw_m3ua_ep *ep, const struct sw_m3ua_as *as)
{
	for (unsigned i = 0; i < ep->nas; i++)
		if (ep->as[i] == as)
			return (int)i;
	return -1;
}

static bool
ep_active_in(const struct sw_m3ua_ep *ep, const struct sw_m3ua_as *as)
{
	int i = as_index(ep, as);

	return i >= 0 && (ep->active_as & 1u << i);
}

static void
as_set_state(struct sw_m3ua_as *as, enum sw_m3ua_as_state s)
{
	if (as->state == s)
		return;
	as->state = s;
	/* RFC 4666 4.3.4.5: NTFY to every ASP of the AS that is up (inactive or active). */
	for (unsigned i = 0; i < as->nasp; i++) {
		struct sw_m3ua_ep *ep = as->asp[i];

		if (ep->state == SW_M3UA_ASP_DOWN)
			continue;
		if (s != SW_M3UA_AS_DOWN)
			send_ntfy(ep, M3UA_NTFY_T_AS_STATE_CHG,
				  s == SW_M3UA_AS_ACTIVE	    ? M3UA_NTFY_I_AS_ACTIVE
				  : s == SW_M3UA_AS_PENDING ? M3UA_NTFY_I_AS_PENDING
							    : M3UA_NTFY_I_AS_INACTIVE,
				  as->rctx);
		ep_event(ep, SW_M3UA_EV_AS_STATE, s);
	}
}

/* Recompute after an ASP of the AS changed state. */
static void
as_update(struct sw_m3ua_as *as, uint64_t now_ms, uint32_t recovery_ms)
{
	unsigned active = 0, up = 0;

	for (unsigned i = 0; i < as->nasp; i++) {
		up += as->asp[i]->state != SW_M3UA_ASP_DOWN;
		active += ep_active_in(as->asp[i], as);
	}
	if (active != 0) {
		as->pending_until_ms = 0;
		as_set_state(as, SW_M3UA_AS_ACTIVE);
	} else if (as->state == SW_M3UA_AS_ACTIVE) {
		/* The last active ASP left: AS-PENDING while T(r) runs, so that a standby ASP can
		 * take over without the AS going down (RFC 4666 4.3.4.5). */
		as->pending_until_ms = now_ms + recovery_ms;
		as_set_state(as, SW_M3UA_AS_PENDING);
	} else if (as->state != SW_M3UA_AS_PENDING) {
		as_set_state(as, up != 0 ? SW_M3UA_AS_INACTIVE : SW_M3UA_AS_DOWN);
	}
}

static void
as_tick(struct sw_m3ua_as *as, uint64_t now_ms)
{
	unsigned up = 0;

	if (as->state != SW_M3UA_AS_PENDING || now_ms < as->pending_until_ms)
		return;
	for (unsigned i = 0; i < as->nasp; i++)
		up += as->asp[i]->state != SW_M3UA_ASP_DOWN;
	as->pending_until_ms = 0;
	as_set_state(as, up != 0 ? SW_M3UA_AS_INACTIVE : SW_M3UA_AS_DOWN);
}

/* Clear the active bits given by mask; recompute those ASes. */
static void
ep_deactivate_mask(struct sw_m3ua_ep *ep, uint32_t mask)
{
	ep->active_as &= ~mask;
	if (ep->state == SW_M3UA_ASP_ACTIVE && ep->active_as == 0)
		ep_set_state(ep, SW_M3UA_ASP_INACTIVE);
	for (unsigned i = 0; i < ep->nas; i++)
		if (mask & 1u << i)
			as_update(ep->as[i], ep->now_ms, ep->cfg.recovery_ms);
}

static void
ep_activate(struct sw_m3ua_ep *ep, unsigned idx)
{
	struct sw_m3ua_as *as = ep->as[idx];
	unsigned active = 0;

	if (as->tmt == M3UA_TMT_OVERRIDE) {
		/* RFC 4666 4.3.4.3: in override mode the newly active ASP takes over; the previous
		 * one is told (NTFY "Alternate ASP Active") and is now inactive in this AS. */
		for (unsigned i = 0; i < as->nasp; i++) {
			struct sw_m3ua_ep *o = as->asp[i];
			int j = as_index(o, as);

			if (o == ep || j < 0 || !(o->active_as & 1u << j))
				continue;
			send_ntfy(o, M3UA_NTFY_T_OTHER, M3UA_NTFY_I_ALT_ASP_ACTIVE, as->rctx);
			o->active_as &= ~(1u << j);
			if (o->active_as == 0)
				ep_set_state(o, SW_M3UA_ASP_INACTIVE);
		}
	}
	ep->active_as |= 1u << idx;
	ep_set_state(ep, SW_M3UA_ASP_ACTIVE);
	as_update(as, ep->now_ms, ep->cfg.recovery_ms);
	for (unsigned i = 0; i < as->nasp; i++)
		active += ep_active_in(as->asp[i], as);
	if (as->tmt == M3UA_TMT_LOADSHARE && active < as->min_active)
		send_ntfy(ep, M3UA_NTFY_T_OTHER, M3UA_NTFY_I_INSUFF_ASP, as->rctx);
}

/* Map the routing contexts of a request to this endpoint's AS indexes. Without a routing
 * context the request is for every AS of the association (RFC 4666 3.7.1). Returns 0 or an
 * error code; *bad is the first unknown context. */
static int
ep_rctx_mask(const struct sw_m3ua_ep *ep, const struct sw_m3ua_msg *m, uint32_t *mask,
	     uint32_t *bad)
{
	*mask = 0;
	if (ep->nas == 0)
		return M3UA_ERR_NO_AS_FOR_ASP;
	if (m->nrctx == 0) {
		*mask = (1u << ep->nas) - 1;
		return 0;
	}
	for (unsigned k = 0; k < m->nrctx; k++) {
		unsigned i;

		for (i = 0; i < ep->nas; i++)
			if (ep->as[i]->rctx == m->rctx[k])
				break;
		if (i == ep->nas) {
			*bad = m->rctx[k];
			return M3UA_ERR_INVALID_RCTX;
		}
		*mask |= 1u << i;
	}
	return 0;
}

/* ---- public endpoint API ------------------------------------------------------------------ */

void
sw_m3ua_as_init(struct sw_m3ua_as *as, uint32_t rctx, uint32_t tmt)
{
	memset(as, 0, sizeof(*as));
	as->rctx = rctx;
	as->tmt = tmt;
	as->min_active = 1;
}

void
sw_m3ua_ep_init(struct sw_m3ua_ep *ep, const struct sw_m3ua_cfg *cfg, const struct sw_m3ua_cb *cb,
		void *user)
{
	memset(ep, 0, sizeof(*ep));
	ep->cfg = *cfg;
	if (ep->cfg.ack_timeout_ms == 0)
		ep->cfg.ack_timeout_ms = M3UA_T_ACK_MS;
	if (ep->cfg.beat_max_missed == 0)
		ep->cfg.beat_max_missed = 3;
	if (ep->cfg.recovery_ms == 0)
		ep->cfg.recovery_ms = M3UA_T_R_MS;
	ep->cb = *cb;
	ep->user = user;
	ep->client = cfg->role == SW_M3UA_ROLE_ASP ||
		     (cfg->role == SW_M3UA_ROLE_IPSP && cfg->initiator);
	ep->state = SW_M3UA_ASP_DOWN;
	ep->peer_as_state = SW_M3UA_AS_DOWN;
}

int
sw_m3ua_ep_add_as(struct sw_m3ua_ep *ep, struct sw_m3ua_as *as)
{
	if (ep->nas >= SW_M3UA_RCTX_MAX || as->nasp >= SW_M3UA_AS_ASPS)
		return -ENOSPC;
	ep->as[ep->nas++] = as;
	as->asp[as->nasp++] = ep;
	return 0;
}

void
sw_m3ua_conn_up(struct sw_m3ua_ep *ep, uint64_t now_ms)
{
	ep->now_ms = now_ms;
	ep->beat_missed = 0;
	ep->beat_outstanding = false;
	ep->next_beat_ms = now_ms + ep->cfg.beat_ms;
	if (ep->client) {
		ep->want_active = true;
		send_request(ep, M3UA_CLASS_ASPSM, M3UA_ASPSM_UP);
	}
}

void
sw_m3ua_conn_down(struct sw_m3ua_ep *ep, uint64_t now_ms)
{
	uint32_t all = ep->active_as | ((1u << ep->nas) - 1);

	ep->now_ms = now_ms;
	ep->pending_cls = ep->pending_type = 0;
	ep->beat_outstanding = false;
	/* RFC 4666 4.3.4.1 (SCTP loss): the ASP is ASP-DOWN in every AS it served. */
	ep->active_as = 0;
	ep_set_state(ep, SW_M3UA_ASP_DOWN);
	if (!ep->client)
		ep_deactivate_mask(ep, all);
	ep->peer_as_state = SW_M3UA_AS_DOWN;
}

int
sw_m3ua_deactivate(struct sw_m3ua_ep *ep)
{
	if (!ep->client || ep->state != SW_M3UA_ASP_ACTIVE)
		return -EINVAL;
	ep->want_active = false;
	send_request(ep, M3UA_CLASS_ASPTM, M3UA_ASPTM_INACTIVE);
	return 0;
}

int
sw_m3ua_down(struct sw_m3ua_ep *ep)
{
	if (!ep->client || ep->state == SW_M3UA_ASP_DOWN)
		return -EINVAL;
	ep->want_active = false;
	send_request(ep, M3UA_CLASS_ASPSM, M3UA_ASPSM_DOWN);
	return 0;
}

int
sw_m3ua_send_data(struct sw_m3ua_ep *ep, uint16_t stream, const struct sw_m3ua_label *l,
		  const uint8_t *ud, size_t ud_len)
{
	uint8_t out[M3UA_HLEN + 3 * 8 + M3UA_PARAM_HLEN + M3UA_PD_LABEL + 4096];
	uint32_t rctx = 0;
	size_t n;

	if (ep->state != SW_M3UA_ASP_ACTIVE)
		return -EAGAIN;
	if (ep->client) {
		if (ep->cfg.nrctx != 0)
			rctx = ep->cfg.rctx[0];
	} else {
		for (unsigned i = 0; i < ep->nas; i++)
			if (ep->active_as & 1u << i) {
				rctx = ep->as[i]->rctx;
				break;
			}
	}
	n = sw_m3ua_build_data(out, sizeof(out), rctx, ep->cfg.na_set, ep->cfg.na, l, ud, ud_len);
	if (n == 0)
		return -EMSGSIZE;
	if (ep->cb.send == NULL || ep->cb.send(ep->user, stream, out, n) != 0)
		return -EIO;
	ep->ctr.tx++;
	ep->ctr.tx_data++;
	return 0;
}

int
sw_m3ua_send_ssnm(struct sw_m3ua_ep *ep, uint8_t type, const uint32_t *pcs, unsigned n,
		  uint32_t cong_level)
{
	uint8_t out[SW_M3UA_MSG_MAX];
	struct sw_m3ua_buf b = {.p = out, .cap = sizeof(out)};
	uint32_t rctx[SW_M3UA_RCTX_MAX];
	unsigned nrctx = 0;

	if (n == 0 || n > SW_M3UA_APC_MAX)
		return -EINVAL;
	/* RFC 4666 1.4.2.3 / 4.5: the SGP tells its ASPs; an ASP audits (DAUD). */
	if (ep->client ? type != M3UA_SSNM_DAUD
		       : (type != M3UA_SSNM_DUNA && type != M3UA_SSNM_DAVA &&
			  type != M3UA_SSNM_SCON))
		return -EINVAL;
	if (ep->state == SW_M3UA_ASP_DOWN)
		return -EAGAIN;
	if (!ep->client) {
		for (unsigned i = 0; i < ep->nas; i++)
			if (ep->active_as == 0 || (ep->active_as & 1u << i))
				rctx[nrctx++] = ep->as[i]->rctx;
	} else {
		for (unsigned i = 0; i < ep->cfg.nrctx; i++)
			rctx[nrctx++] = ep->cfg.rctx[i];
	}
	/* RFC 4666 3.4.1-3.4.4: NA, RCTX, Affected Point Code (mask 0: one pc), then for SCON
	 * the Congestion Indications. */
	sw_m3ua_put_hdr(&b, M3UA_CLASS_SSNM, type);
	if (ep->cfg.na_set)
		sw_m3ua_put_u32(&b, M3UA_TAG_NA, ep->cfg.na);
	if (nrctx != 0)
		sw_m3ua_put_u32s(&b, M3UA_TAG_RCTX, rctx, nrctx);
	sw_m3ua_put_u32s(&b, M3UA_TAG_APC, pcs, n);
	if (type == M3UA_SSNM_SCON)
		sw_m3ua_put_u32(&b, M3UA_TAG_CONG_IND, cong_level);
	if (b.overflow)
		return -EMSGSIZE;
	ep_send(ep, M3UA_MGMT_STREAM, &b);
	ep->ctr.ssnm_tx++;
	return 0;
}

/* ---- input -------------------------------------------------------------------------------- */

static void
unexpected(struct sw_m3ua_ep *ep, const uint8_t *buf, size_t len)
{
	ep->ctr.dropped++;
	sw_m3ua_send_err(ep, M3UA_ERR_UNEXPECTED_MSG, buf, len);
}

static void
rx_mgmt(struct sw_m3ua_ep *ep, const struct sw_m3ua_msg *m, const uint8_t *buf, size_t len)
{
	switch (m->type) {
	case M3UA_MGMT_ERR:
		/* RFC 4666 4.3.4 note: an ERR is never answered with an ERR. A refusal of our
		 * pending request stops its retransmission; the owner sees the event. */
		ep->ctr.err_rx++;
		ep->last_err_rx = m->err_code;
		if (ep->pending_cls != 0 && m->err_code != M3UA_ERR_UNEXPECTED_MSG) {
			ep->pending_cls = ep->pending_type = 0;
			ep->want_active = false;
		}
		ep_event(ep, SW_M3UA_EV_ERR_RX, m->err_code);
		break;
	case M3UA_MGMT_NTFY:
		ep->ctr.ntfy_rx++;
		if (!(m->present & 1u << SW_M3UA_P_STATUS)) {
			ep->ctr.dropped++;
			send_err_rctx(ep, M3UA_ERR_MISSING_PARAM, NULL, 0, buf, len);
			break;
		}
		ep_event(ep, SW_M3UA_EV_NTFY_RX, (uint32_t)m->status_type << 16 | m->status_info);
		if (!ep->client)
			break;
		if (m->status_type == M3UA_NTFY_T_AS_STATE_CHG) {
			enum sw_m3ua_as_state s = m->status_info == M3UA_NTFY_I_AS_ACTIVE
							  ? SW_M3UA_AS_ACTIVE
						  : m->status_info == M3UA_NTFY_I_AS_PENDING
							  ? SW_M3UA_AS_PENDING
							  : SW_M3UA_AS_INACTIVE;
			if (ep->peer_as_state != s) {
				ep->peer_as_state = s;
				ep_event(ep, SW_M3UA_EV_AS_STATE, s);
			}
		} else if (m->status_type == M3UA_NTFY_T_OTHER &&
			   m->status_info == M3UA_NTFY_I_ALT_ASP_ACTIVE &&
			   ep->state == SW_M3UA_ASP_ACTIVE) {
			/* RFC 4666 4.3.4.3: another ASP took over (override): we are inactive. */
			ep->want_active = false;
			ep_set_state(ep, SW_M3UA_ASP_INACTIVE);
		}
		break;
	default:
		ep->ctr.dropped++;
		sw_m3ua_send_err(ep, M3UA_ERR_UNSUPP_TYPE, buf, len);
	}
}

static bool
pending_is(const struct sw_m3ua_ep *ep, uint8_t cls, uint8_t type)
{
	return ep->pending_cls == cls && ep->pending_type == type;
}

static void
rx_aspsm(struct sw_m3ua_ep *ep, const struct sw_m3ua_msg *m, const uint8_t *buf, size_t len)
{
	switch (m->type) {
	case M3UA_ASPSM_BEAT:
		/* RFC 4666 4.3.4.6: answered in any state, data echoed. */
		ep->ctr.beat_rx++;
		send_reply(ep, M3UA_CLASS_ASPSM, M3UA_ASPSM_BEAT_ACK, m);
		return;
	case M3UA_ASPSM_BEAT_ACK:
		ep->beat_outstanding = false;
		ep->beat_missed = 0;
		return;
	}
	if (!ep->client) {
		switch (m->type) {
		case M3UA_ASPSM_UP:
			/* RFC 4666 4.3.4.1 */
			if (ep->cfg.blocked) {
				ep->ctr.dropped++;
				sw_m3ua_send_err(ep, M3UA_ERR_REFUSED_MGMT_BLOCK, buf, len);
				return;
			}
			send_reply(ep, M3UA_CLASS_ASPSM, M3UA_ASPSM_UP_ACK, m);
			if (ep->state == SW_M3UA_ASP_ACTIVE) {
				/* ASPUP while active: ack, ERR "Unexpected Message", and the ASP
				 * is ASP-INACTIVE in every AS. */
				sw_m3ua_send_err(ep, M3UA_ERR_UNEXPECTED_MSG, buf, len);
				ep_deactivate_mask(ep, ep->active_as);
			} else if (ep->state == SW_M3UA_ASP_DOWN) {
				ep_set_state(ep, SW_M3UA_ASP_INACTIVE);
				for (unsigned i = 0; i < ep->nas; i++)
					as_update(ep->as[i], ep->now_ms, ep->cfg.recovery_ms);
			}
			return;
		case M3UA_ASPSM_DOWN:
			/* RFC 4666 4.3.4.2: always acknowledged; ASP-DOWN in every AS. */
			send_reply(ep, M3UA_CLASS_ASPSM, M3UA_ASPSM_DOWN_ACK, m);
			ep->active_as = 0;
			ep_set_state(ep, SW_M3UA_ASP_DOWN);
			ep_deactivate_mask(ep, (1u << ep->nas) - 1);
			return;
		}
		unexpected(ep, buf, len);
		return;
	}
	switch (m->type) {
	case M3UA_ASPSM_UP_ACK:
		if (!pending_is(ep, M3UA_CLASS_ASPSM, M3UA_ASPSM_UP)) {
			unexpected(ep, buf, len);
			return;
		}
		ep->pending_cls = ep->pending_type = 0;
		ep_set_state(ep, SW_M3UA_ASP_INACTIVE);
		if (ep->want_active)
			send_request(ep, M3UA_CLASS_ASPTM, M3UA_ASPTM_ACTIVE);
		return;
	case M3UA_ASPSM_DOWN_ACK:
		/* RFC 4666 4.3.4.2: also unsolicited (the SGP takes the ASP out of service); the
		 * ASP is then ASP-DOWN and tries ASPUP again after T(ack). */
		if (pending_is(ep, M3UA_CLASS_ASPSM, M3UA_ASPSM_DOWN)) {
			ep->pending_cls = ep->pending_type = 0;
		} else {
			ep->want_active = true;
			ep->pending_cls = M3UA_CLASS_ASPSM;
			ep->pending_type = M3UA_ASPSM_UP;
			ep->pending_deadline_ms = ep->now_ms + ep->cfg.ack_timeout_ms;
		}
		ep_set_state(ep, SW_M3UA_ASP_DOWN);
		return;
	}
	unexpected(ep, buf, len);
}

static void
rx_asptm(struct sw_m3ua_ep *ep, const struct sw_m3ua_msg *m, const uint8_t *buf, size_t len)
{
	uint32_t mask, bad = 0;
	int rc;

	if (ep->client) {
		if (m->type == M3UA_ASPTM_ACTIVE_ACK &&
		    pending_is(ep, M3UA_CLASS_ASPTM, M3UA_ASPTM_ACTIVE)) {
			ep->pending_cls = ep->pending_type = 0;
			ep_set_state(ep, SW_M3UA_ASP_ACTIVE);
		} else if (m->type == M3UA_ASPTM_INACTIVE_ACK &&
			   pending_is(ep, M3UA_CLASS_ASPTM, M3UA_ASPTM_INACTIVE)) {
			ep->pending_cls = ep->pending_type = 0;
			ep_set_state(ep, SW_M3UA_ASP_INACTIVE);
		} else {
			unexpected(ep, buf, len);
		}
		return;
	}
	if (m->type != M3UA_ASPTM_ACTIVE && m->type != M3UA_ASPTM_INACTIVE) {
		unexpected(ep, buf, len);
		return;
	}
	/* RFC 4666 4.3.4.3/4.3.4.4: an ASP must be up before it (de)activates. */
	if (ep->state == SW_M3UA_ASP_DOWN) {
		unexpected(ep, buf, len);
		return;
	}
	rc = ep_rctx_mask(ep, m, &mask, &bad);
	if (rc != 0) {
		ep->ctr.dropped++;
		send_err_rctx(ep, rc, &bad, rc == M3UA_ERR_INVALID_RCTX, buf, len);
		return;
	}
	if (m->type == M3UA_ASPTM_INACTIVE) {
		send_reply(ep, M3UA_CLASS_ASPTM, M3UA_ASPTM_INACTIVE_ACK, m);
		ep_deactivate_mask(ep, mask);
		return;
	}
	/* RFC 4666 4.3.4.3: the traffic mode asked for must be the AS's. */
	if (m->present & 1u << SW_M3UA_P_TMT) {
		for (unsigned i = 0; i < ep->nas; i++)
			if ((mask & 1u << i) && ep->as[i]->tmt != m->tmt) {
				ep->ctr.dropped++;
				send_err_rctx(ep, M3UA_ERR_UNSUPP_TMT, NULL, 0, buf, len);
				return;
			}
	}
	send_reply(ep, M3UA_CLASS_ASPTM, M3UA_ASPTM_ACTIVE_ACK, m);
	for (unsigned i = 0; i < ep->nas; i++)
		if (mask & 1u << i)
			ep_activate(ep, i);
}

static void
rx_data(struct sw_m3ua_ep *ep, const struct sw_m3ua_msg *m, const uint8_t *buf, size_t len)
{
	uint32_t rctx = m->nrctx != 0 ? m->rctx[0] : 0;
	bool known = m->nrctx == 0;

	/* RFC 4666 3.3.1: DATA only between active peers. */
	if (ep->state != SW_M3UA_ASP_ACTIVE) {
		unexpected(ep, buf, len);
		return;
	}
	if (m->pd == NULL || m->pd_len < M3UA_PD_LABEL) {
		ep->ctr.dropped++;
		sw_m3ua_send_err(ep, M3UA_ERR_MISSING_PARAM, buf, len);
		return;
	}
	if (ep->client) {
		for (unsigned i = 0; i < ep->cfg.nrctx && !known; i++)
			known = ep->cfg.rctx[i] == rctx;
	} else {
		for (unsigned i = 0; i < ep->nas && !known; i++)
			known = ep->as[i]->rctx == rctx && (ep->active_as & 1u << i);
	}
	if (!known) {
		ep->ctr.dropped++;
		send_err_rctx(ep, M3UA_ERR_INVALID_RCTX, &rctx, 1, buf, len);
		return;
	}
	if (ep->cfg.na_set && (m->present & 1u << SW_M3UA_P_NA) && m->na != ep->cfg.na) {
		ep->ctr.dropped++;
		sw_m3ua_send_err(ep, M3UA_ERR_INVALID_NA, buf, len);
		return;
	}
	ep->ctr.rx_data++;
	if (ep->cb.data != NULL)
		ep->cb.data(ep->user, m, rctx);
}

static void
rx_ssnm(struct sw_m3ua_ep *ep, const struct sw_m3ua_msg *m, const uint8_t *buf, size_t len)
{
	ep->ctr.ssnm_rx++;
	/* RFC 4666 4.5: SSNM flow between peers that are up (ASP-INACTIVE or ASP-ACTIVE). */
	if (ep->state == SW_M3UA_ASP_DOWN) {
		unexpected(ep, buf, len);
		return;
	}
	if (!(m->present & 1u << SW_M3UA_P_APC)) {
		ep->ctr.dropped++;
		sw_m3ua_send_err(ep, M3UA_ERR_MISSING_PARAM, buf, len);
		return;
	}
	if (!ep->client) {
		uint32_t up[SW_M3UA_APC_MAX], down[SW_M3UA_APC_MAX];
		unsigned nup = 0, ndown = 0;

		if (m->type != M3UA_SSNM_DAUD) {
			unexpected(ep, buf, len);
			return;
		}
		/* RFC 4666 4.5.3: the SGP answers an audit with DAVA/DUNA per point code. */
		for (unsigned i = 0; i < m->napc; i++) {
			uint32_t pc = m->apc[i] & 0xffffff;

			if (ep->cb.pc_available == NULL || ep->cb.pc_available(ep->user, pc))
				up[nup++] = pc;
			else
				down[ndown++] = pc;
		}
		if (nup != 0)
			sw_m3ua_send_ssnm(ep, M3UA_SSNM_DAVA, up, nup, 0);
		if (ndown != 0)
			sw_m3ua_send_ssnm(ep, M3UA_SSNM_DUNA, down, ndown, 0);
		return;
	}
	enum sw_m3ua_event ev;
	switch (m->type) {
	case M3UA_SSNM_DUNA:
		ev = SW_M3UA_EV_DUNA;
		break;
	case M3UA_SSNM_DAVA:
		ev = SW_M3UA_EV_DAVA;
		break;
	case M3UA_SSNM_SCON:
		ev = SW_M3UA_EV_SCON;
		break;
	case M3UA_SSNM_DUPU:
	case M3UA_SSNM_DRST:
		return; /* counted; user part / restricted status does not change routes here */
	default:
		unexpected(ep, buf, len);
		return;
	}
	for (unsigned i = 0; i < m->napc; i++)
		ep_event(ep, ev, m->apc[i] & 0xffffff);
}

void
sw_m3ua_input(struct sw_m3ua_ep *ep, uint16_t stream, const uint8_t *buf, size_t len,
	      uint64_t now_ms)
{
	struct sw_m3ua_msg m;
	int rc;

	ep->now_ms = now_ms;
	ep->ctr.rx++;
	rc = sw_m3ua_parse(buf, len, &m);
	if (rc != 0) {
		ep->ctr.dropped++;
		/* An ERR is never answered with an ERR (no loops between two confused peers). */
		if (!(len >= M3UA_HLEN && m.cls == M3UA_CLASS_MGMT && m.type == M3UA_MGMT_ERR))
			sw_m3ua_send_err(ep, (uint32_t)rc, buf, len);
		return;
	}
	/* RFC 4666 1.4.7: management on stream 0, DATA never on stream 0. */
	if (m.cls == M3UA_CLASS_TRANSFER && stream == M3UA_MGMT_STREAM) {
		ep->ctr.dropped++;
		sw_m3ua_send_err(ep, M3UA_ERR_INVALID_STREAM, buf, len);
		return;
	}
	switch (m.cls) {
	case M3UA_CLASS_MGMT:
		rx_mgmt(ep, &m, buf, len);
		break;
	case M3UA_CLASS_TRANSFER:
		if (m.type != M3UA_XFER_DATA) {
			ep->ctr.dropped++;
			sw_m3ua_send_err(ep, M3UA_ERR_UNSUPP_TYPE, buf, len);
			break;
		}
		rx_data(ep, &m, buf, len);
		break;
	case M3UA_CLASS_SSNM:
		if (m.type < M3UA_SSNM_DUNA || m.type > M3UA_SSNM_DRST) {
			ep->ctr.dropped++;
			sw_m3ua_send_err(ep, M3UA_ERR_UNSUPP_TYPE, buf, len);
			break;
		}
		rx_ssnm(ep, &m, buf, len);
		break;
	case M3UA_CLASS_ASPSM:
		if (m.type < M3UA_ASPSM_UP || m.type > M3UA_ASPSM_BEAT_ACK) {
			ep->ctr.dropped++;
			sw_m3ua_send_err(ep, M3UA_ERR_UNSUPP_TYPE, buf, len);
			break;
		}
		rx_aspsm(ep, &m, buf, len);
		break;
	case M3UA_CLASS_ASPTM:
		if (m.type < M3UA_ASPTM_ACTIVE || m.type > M3UA_ASPTM_INACTIVE_ACK) {
			ep->ctr.dropped++;
			sw_m3ua_send_err(ep, M3UA_ERR_UNSUPP_TYPE, buf, len);
			break;
		}
		rx_asptm(ep, &m, buf, len);
		break;
	default:
		/* RKM (dynamic registration) and the other adaptation layers' classes. */
		ep->ctr.dropped++;
		sw_m3ua_send_err(ep, M3UA_ERR_UNSUPP_CLASS, buf, len);
	}
}

void
sw_m3ua_tick(struct sw_m3ua_ep *ep, uint64_t now_ms)
{
	ep->now_ms = now_ms;
	for (unsigned i = 0; i < ep->nas; i++)
		as_tick(ep->as[i], now_ms);
	if (ep->client && ep->pending_cls != 0 && now_ms >= ep->pending_deadline_ms)
		send_request(ep, ep->pending_cls, ep->pending_type); /* T(ack) expired: again */
	if (ep->cfg.beat_ms == 0 || ep->state == SW_M3UA_ASP_DOWN || now_ms < ep->next_beat_ms)
		return;
	/* RFC 4666 3.5.5: BEAT with data the peer echoes; beat_max_missed unanswered in a row
	 * means the peer is gone although SCTP may still be up. */
	if (ep->beat_outstanding && ++ep->beat_missed >= ep->cfg.beat_max_missed) {
		ep_event(ep, SW_M3UA_EV_BEAT_LOST, ep->beat_missed);
		ep->beat_missed = 0;
	}
	uint8_t out[32], hb[4];
	struct sw_m3ua_buf b = {.p = out, .cap = sizeof(out)};

	sw_wr32(hb, ++ep->beat_seq);
	sw_m3ua_put_hdr(&b, M3UA_CLASS_ASPSM, M3UA_ASPSM_BEAT);
	sw_m3ua_put_param(&b, M3UA_TAG_HB_DATA, hb, sizeof(hb));
	ep_send(ep, M3UA_MGMT_STREAM, &b);
	ep->ctr.beat_tx++;
	ep->beat_outstanding = true;
	ep->next_beat_ms = now_ms + ep->cfg.beat_ms;
}
