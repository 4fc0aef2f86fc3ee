/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz the CAP decoder (3GPP TS 29.078, dataplane/decode/cap.c) through the TCAP walk that calls
 * it, in an exact-size copy (ASan sees any read past it). The first byte picks how the message
 * arrives: 0, a TCAP message to SSN 146 (CAP recognised by subsystem when it has no application
 * context, TS 23.003 8.1); 1, a TCAP message without SCCP (recognised by application context
 * only); 2, an SCCP message (the addresses decide). Then it checks what the decoder reports:
 * a CAP message leaves msu->map empty, its version agrees with how it was recognised, its
 * fields are in the ranges TS 29.078 gives, a CAP malformation only comes with CAP, and
 * re-decoding each component alone (as the policy does, sw_policy_eval_msg) gives the same
 * answer for the first component as the whole message and stays in range for every one, and
 * sw_map_select_component gives each invoke's own fields and leaves msu->mal as it was.
 * Issue 20 D2: decoded again with a plan asking for per-component views (decode/plan_want.h),
 * the message is byte for byte the same (malformation included), and every component's stored
 * view is what decoding it alone gives (MAP and CAP: selectors 1 and 2 reach MAP messages).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/decode/decode.h"
#include "dataplane/decode/plan.h"
#include "dataplane/decode/print.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_digits(const struct sw_digits *d)
{
	if (d->len > SW_DIGITS_MAX)
		abort();
}

static void
check_cap(const struct sw_msu *m)
{
	const struct sw_cap *c = &m->cap;

	if (!(m->has & SW_HAS_CAP)) {
		if (sw_mal_layer(m->mal) == SW_LAYER_CAP)
			abort(); /* a CAP malformation of a message that is not CAP */
		return;
	}
	/* TS 29.078: a CAP application context gives v1-v4; recognised by SSN it is 0 */
	if ((m->has & SW_HAS_ACN) ? (c->version < 1 || c->version > 4) : c->version != 0)
		abort();
	if (m->map.from_comp != 0 || m->map.imsi.len != 0 || (m->has & SW_HAS_MAP))
		abort(); /* a CAP message is no MAP one */
	if (c->from_comp > m->tcap.ncomp ||
	    (c->from_comp != 0 && m->tcap.comp[c->from_comp - 1].type != SW_COMP_INVOKE))
		abort();
	if (c->cell_len != 0 && c->cell_len != CAP_CGI_LEN && c->cell_len != CAP_LAI_LEN)
		abort();
	if ((c->has_service_key && c->service_key > CAP_SERVICE_KEY_MAX) ||
	    (c->has_event && c->event > CAP_EVENT_BCSM_MAX))
		abort();
	check_digits(&c->imsi);
	check_digits(&c->vlr);
	check_digits(&c->msc);
	check_digits(&c->calling.digits);
	check_digits(&c->called.digits);
	if (c->imsi.len > 2 * MAP_IMSI_MAX)
		abort();
}

static struct sw_view_ring ring = { .next = 1 };
static const struct sw_decode_plan plan = { .want = { .flags = SW_WANT_VIEWS, .ring = &ring } };

/* The message decoded with views (pl) against without (msu): the same. Each component alone
 * (b) against its stored view (a; kept when the decoder did not select every component:
 * pl->view_on) and, for the selected one, against the message's own fields (what
 * sw_policy_eval_msg reuses for it with or without views). */
static void
check_views(const uint8_t *buf, const struct sw_msu *msu, const struct sw_msu *pl)
{
	static struct sw_msu a, b;
	unsigned sel;

	if (memcmp(msu, pl, offsetof(struct sw_msu, plan)) != 0)
		abort();
	if (!(pl->has & SW_HAS_TCAP) || pl->tcap.ncomp == 0)
		return;
	sel = (msu->has & SW_HAS_CAP) ? msu->cap.from_comp : msu->map.from_comp;
	for (unsigned i = 0; i < pl->tcap.ncomp; i++) {
		memcpy(&b, msu, sizeof(b));
		b.tcap.ncomp = 1;
		b.tcap.comp[0] = msu->tcap.comp[i];
		memset(&b.map, 0, sizeof(b.map));
		b.has = msu->has & ~SW_HAS_MAP;
		sw_map_decode_component(buf, &b, 0);
		memcpy(&a, pl, sizeof(a));
		if (sw_map_view_component(pl, i, &a)) {
			if (a.has != b.has || memcmp(&a.map, &b.map, sizeof(a.map)) != 0 ||
			    memcmp(&a.cap, &b.cap, sizeof(a.cap)) != 0)
				abort();
		} else if (pl->view_on) {
			abort(); /* one message cannot overwrite its own records */
		}
		if (i + 1 == sel) {
			memcpy(&a, msu, sizeof(a));
			a.map.from_comp = (msu->has & SW_HAS_CAP) ? 0 : 1;
			a.cap.from_comp = (msu->has & SW_HAS_CAP) ? 1 : 0;
			if (memcmp(&a.map, &b.map, sizeof(a.map)) != 0 ||
			    memcmp(&a.cap, &b.cap, sizeof(a.cap)) != 0 ||
			    a.has != b.has)
				abort();
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_msu pl;
	static struct sw_msu msu, view;
	char line[16384];
	struct sw_sb sb;
	uint8_t *copy;
	uint8_t sel;

	if (size < 1 || size > 65535)
		return 0;
	sel = data[0] % 3;
	copy = malloc(size - 1 ? size - 1 : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data + 1, size - 1);
	memset(&msu, 0, sizeof(msu));
	if (sel == 0) {
		msu.has = SW_HAS_SCCP;
		msu.sccp.cdpa.present = true;
		msu.sccp.cdpa.has_ssn = true;
		msu.sccp.cdpa.ssn = CAP_SSN;
	}
	memcpy(&pl, &msu, sizeof(pl));
	pl.plan = &plan;
	if (sel == 2) {
		sw_sccp_decode(copy, 0, (uint32_t)(size - 1), &msu);
		sw_sccp_decode(copy, 0, (uint32_t)(size - 1), &pl);
	} else {
		sw_tcap_decode(copy, 0, (uint32_t)(size - 1), &msu);
		sw_tcap_decode(copy, 0, (uint32_t)(size - 1), &pl);
	}
	check_cap(&msu);
	check_views(copy, &msu, &pl);

	/* each component alone, as the policy judges a message of several */
	if ((msu.has & SW_HAS_CAP) && msu.tcap.ncomp > 0) {
		unsigned nc = msu.tcap.ncomp < SW_COMP_MAX ? msu.tcap.ncomp : SW_COMP_MAX;

		for (unsigned i = 0; i < nc; i++) {
			memcpy(&view, &msu, sizeof(view));
			view.tcap.ncomp = 1;
			view.tcap.comp[0] = msu.tcap.comp[i];
			view.mal = SW_MAL_NONE;
			sw_map_decode_component(copy, &view, 0);
			check_cap(&view);
			if (view.cap.from_comp > 1)
				abort();
			/* the whole message's fields are its first invoke's: that one alone agrees */
			if (msu.cap.from_comp == i + 1 &&
			    (view.cap.has_service_key != msu.cap.has_service_key ||
			     view.cap.service_key != msu.cap.service_key ||
			     view.cap.imsi.len != msu.cap.imsi.len ||
			     memcmp(view.cap.imsi.d, msu.cap.imsi.d, msu.cap.imsi.len) != 0))
				abort();
			/* sw_map_select_component: that invoke's fields, msu->mal untouched */
			memcpy(&view, &msu, sizeof(view));
			sw_map_select_component(copy, &view, i);
			check_cap(&view);
			if (view.mal != msu.mal ||
			    (view.cap.from_comp != 0 && view.cap.from_comp != i + 1) ||
			    (view.cap.from_comp == 0 && msu.tcap.comp[i].type == SW_COMP_INVOKE &&
			     msu.tcap.comp[i].has_opcode && !msu.tcap.comp[i].opcode_global))
				abort();
		}
	}
	sw_sb_init(&sb, line, sizeof(line));
	sw_json_msu(&sb, NULL, &msu, 0, 0);
	free(copy);
	return 0;
}
