/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stateful conditions of issue 15 (Deliver 3, 4, 5) as functions of the tables, and the
 * travel-time table of the velocity condition. Semantics: dataplane/state/README.md.
 */
#include "state.h"

#include <errno.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Dialogues (Deliver 3)                                                                      */

const char *
sw_state_dlg_verdict_name(enum sw_state_dlg_verdict v)
{
	switch (v) {
	case SW_STATE_DLG_NONE:
		return "none";
	case SW_STATE_DLG_LEARNED:
		return "learned";
	case SW_STATE_DLG_MATCHED:
		return "matched";
	case SW_STATE_DLG_CLOSED:
		return "closed";
	case SW_STATE_DLG_UNSOLICITED:
		return "unsolicited";
	}
	return "?";
}

/*
 * Begin: its OTID is remembered with the calling GT (inside or outside). Continue from inside:
 * its OTID likewise (refreshing a known dialogue). Continue from outside: matched when its DTID
 * was sent from inside by the node it is addressed to (DTID + called GT), then its own OTID is
 * remembered; otherwise unsolicited. End/Abort from outside: closes the dialogue it matches,
 * otherwise unsolicited. End/Abort from inside: closes the outside dialogue it answers. An
 * unsolicited message learns and closes nothing. A lookup that could not complete (busy) judges
 * nothing: SW_STATE_DLG_NONE with *why = SW_STATE_WHY_BUSY.
 */
enum sw_state_dlg_verdict
sw_state_dialogue(struct sw_state_ctx *ctx, const struct sw_state_tcap *m, uint64_t now,
		  enum sw_state_why *why)
{
	struct sw_state_key k;
	struct sw_state_dialogue d;
	enum sw_state_why y = SW_STATE_WHY_NONE;
	enum sw_state_dlg_verdict v = SW_STATE_DLG_NONE;
	int rc;

	switch (m->type) {
	case SW_STATE_TC_BEGIN:
		if (m->otid_len == 0)
			break;
		sw_state_key_dialogue(ctx->st, &k, m->otid, m->otid_len, m->cgpa);
		if (sw_state_dialogue_open(ctx, &k, m->from_inside, false, now, m->pending) == 0)
			v = SW_STATE_DLG_LEARNED;
		break;
	case SW_STATE_TC_CONTINUE:
		if (!m->from_inside) {
			if (m->dtid_len == 0) {
				y = SW_STATE_WHY_UNKNOWN;
				v = SW_STATE_DLG_UNSOLICITED;
				break;
			}
			sw_state_key_dialogue(ctx->st, &k, m->dtid, m->dtid_len, m->cdpa);
			y = sw_state_dialogue_get(ctx, &k, now, &d);
			if (y == SW_STATE_WHY_NONE && !(d.flags & SW_STATE_DF_INSIDE))
				y = SW_STATE_WHY_NOT_INSIDE;
			if (y == SW_STATE_WHY_BUSY)
				break;
			if (y != SW_STATE_WHY_NONE) {
				v = SW_STATE_DLG_UNSOLICITED;
				break;
			}
			v = SW_STATE_DLG_MATCHED;
		}
		if (m->otid_len != 0) {
			sw_state_key_dialogue(ctx->st, &k, m->otid, m->otid_len, m->cgpa);
			rc = sw_state_dialogue_open(ctx, &k, m->from_inside, true, now, NULL);
			if (rc == 0 && v == SW_STATE_DLG_NONE)
				v = SW_STATE_DLG_LEARNED;
		}
		break;
	case SW_STATE_TC_END:
	case SW_STATE_TC_ABORT:
		if (m->dtid_len == 0) {
			if (!m->from_inside) {
				y = SW_STATE_WHY_UNKNOWN;
				v = SW_STATE_DLG_UNSOLICITED;
			}
			break;
		}
		sw_state_key_dialogue(ctx->st, &k, m->dtid, m->dtid_len, m->cdpa);
		rc = sw_state_dialogue_close(ctx, &k, !m->from_inside, now, &y);
		if (rc == 0)
			v = SW_STATE_DLG_CLOSED;
		else if (!m->from_inside && rc == -ENOENT)
			v = SW_STATE_DLG_UNSOLICITED;
		if (m->from_inside)
			y = SW_STATE_WHY_NONE; /* an answer from inside is never judged here */
		break;
	default:
		break;
	}
	if (why != NULL)
		*why = v == SW_STATE_DLG_UNSOLICITED || y == SW_STATE_WHY_BUSY ? y : SW_STATE_WHY_NONE;
	return v;
}

int
sw_state_location_answer(struct sw_state_ctx *ctx, uint32_t dtid, uint8_t dtid_len,
			 uint64_t cdpa, bool result_ok, uint64_t now)
{
	struct sw_state_key k;
	struct sw_state_dialogue d;
	enum sw_state_why y;
	int rc;

	if (!result_ok || dtid_len == 0)
		return 0;
	sw_state_key_dialogue(ctx->st, &k, dtid, dtid_len, cdpa);
	/* The answer may be judged after the End closed the dialogue: the pending payload of a
	 * closed dialogue is still the updateLocation this result answers. */
	y = sw_state_dialogue_peek(ctx, &k, now, &d);
	if (y != SW_STATE_WHY_NONE || d.pending.imsi == 0 || (d.flags & SW_STATE_DF_INSIDE))
		return 0;
	sw_state_key_imsi(ctx->st, &k, SW_STATE_T_LOCATION, d.pending.imsi);
	rc = sw_state_location_record(ctx, &k, d.pending.partner, d.pending.country,
				      d.pending.vlr, d.gt, d.pending.kind, now);
	return rc < 0 ? rc : 1;
}

/* ------------------------------------------------------------------------------------------ */
/* SMS correlation (Deliver 4)                                                                */

bool
sw_state_unsolicited_sms(struct sw_state_ctx *ctx, uint64_t imsi, uint64_t cgpa,
			 uint32_t partner, uint64_t now, enum sw_state_why *why)
{
	struct sw_state_sms_result r[SW_STATE_SMS_RESULTS];
	struct sw_state_key k;
	enum sw_state_why y;
	unsigned n;

	sw_state_key_imsi(ctx->st, &k, SW_STATE_T_SMS, imsi);
	n = sw_state_sms_get(ctx, &k, now, r, &y);
	if (n == 0) {
		if (why != NULL)
			*why = y;
		return y != SW_STATE_WHY_BUSY;
	}
	for (unsigned i = 0; i < n; i++)
		if ((partner != 0 && r[i].partner == partner) || r[i].gt == cgpa) {
			if (why != NULL)
				*why = SW_STATE_WHY_NONE;
			return false;
		}
	if (why != NULL)
		*why = SW_STATE_WHY_OTHER_PEER;
	return true;
}

/* ------------------------------------------------------------------------------------------ */
/* Subscriber location (Deliver 5)                                                            */

enum sw_state_loc_verdict
sw_state_loc_serving(const struct sw_state_location *loc, uint64_t cgpa, uint32_t partner)
{
	if (loc == NULL)
		return SW_STATE_LOC_UNKNOWN;
	if (loc->partner != 0)
		return partner == loc->partner ? SW_STATE_LOC_SERVING : SW_STATE_LOC_NOT_SERVING;
	/* The serving network is no partner: only the nodes it was learned from serve. */
	if (cgpa != 0 && (cgpa == loc->vlr || cgpa == loc->cg))
		return SW_STATE_LOC_SERVING;
	return SW_STATE_LOC_NOT_SERVING;
}

bool
sw_state_loc_velocity(const struct sw_state_location *loc, uint16_t country, uint64_t now,
		      const struct sw_state_travel *t)
{
	uint64_t need;

	if (loc == NULL || t == NULL || country == 0 || loc->country == 0 ||
	    country == loc->country)
		return false;
	need = (uint64_t)sw_state_travel_minutes(t, loc->country, country) * 60 *
	       SW_STATE_NS_PER_S;
	/* A location recorded "after" now (a worker's clock slightly ahead) is 0 s old. */
	return now <= loc->time || now - loc->time < need;
}

/* ------------------------------------------------------------------------------------------ */
/* Countries and travel times                                                                 */

/*
 * ISO 3166-1 alpha-2: the 249 officially assigned codes (ISO 3166 Maintenance Agency), sorted.
 * User-assigned codes (XK and the like) are not in it: a site file using one is refused.
 */
static const char iso3166[] =
	"ADAEAFAGAIALAMAOAQARASATAUAWAXAZ"
	"BABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZ"
	"CACCCDCFCGCHCICKCLCMCNCOCRCUCVCWCXCYCZ"
	"DEDJDKDMDODZ"
	"ECEEEGEHERESET"
	"FIFJFKFMFOFR"
	"GAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGY"
	"HKHMHNHRHTHU"
	"IDIEILIMINIOIQIRISIT"
	"JEJMJOJP"
	"KEKGKHKIKMKNKPKRKWKYKZ"
	"LALBLCLILKLRLSLTLULVLY"
	"MAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMWMXMYMZ"
	"NANCNENFNGNINLNONPNRNUNZ"
	"OM"
	"PAPEPFPGPHPKPLPMPNPRPSPTPWPY"
	"QA"
	"RERORSRURW"
	"SASBSCSDSESGSHSISJSKSLSMSNSOSRSSSTSVSXSYSZ"
	"TCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZ"
	"UAUGUMUSUYUZ"
	"VAVCVEVGVIVNVU"
	"WFWS"
	"YEYT"
	"ZAZMZW";

_Static_assert(sizeof(iso3166) - 1 == 2 * 249, "ISO 3166-1 assigns 249 alpha-2 codes");

int
sw_state_country(const char *code)
{
	size_t lo = 0, hi = (sizeof(iso3166) - 1) / 2;

	if (code == NULL || strlen(code) != 2)
		return -EINVAL;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = memcmp(code, &iso3166[2 * mid], 2);

		if (c == 0)
			return (uint8_t)code[0] << 8 | (uint8_t)code[1];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -EINVAL;
}

const char *
sw_state_country_str(uint16_t code, char buf[3])
{
	buf[0] = code != 0 ? (char)(code >> 8) : '\0';
	buf[1] = code != 0 ? (char)(code & 0xff) : '\0';
	buf[2] = '\0';
	return buf;
}

static bool
country_valid(uint16_t code)
{
	char buf[3];

	return code != 0 && sw_state_country(sw_state_country_str(code, buf)) == code;
}

void
sw_state_travel_init(struct sw_state_travel *t)
{
	memset(t, 0, sizeof(*t));
	t->default_minutes = SW_STATE_TRAVEL_DEFAULT_MINUTES;
}

static uint32_t
pair_of(uint16_t a, uint16_t b)
{
	return a < b ? (uint32_t)a << 16 | b : (uint32_t)b << 16 | a;
}

int
sw_state_travel_set(struct sw_state_travel *t, uint16_t a, uint16_t b, uint32_t minutes)
{
	uint32_t p;
	uint32_t i;

	if (!country_valid(a) || !country_valid(b) || a == b)
		return -EINVAL;
	p = pair_of(a, b);
	for (i = 0; i < t->npairs && t->pair[i].pair < p; i++)
		;
	if (i < t->npairs && t->pair[i].pair == p) {
		t->pair[i].minutes = minutes;
		return 0;
	}
	if (t->npairs >= SW_STATE_TRAVEL_MAX)
		return -ENOSPC;
	memmove(&t->pair[i + 1], &t->pair[i], (t->npairs - i) * sizeof(t->pair[0]));
	t->pair[i].pair = p;
	t->pair[i].minutes = minutes;
	t->npairs++;
	return 0;
}

uint32_t
sw_state_travel_minutes(const struct sw_state_travel *t, uint16_t a, uint16_t b)
{
	uint32_t p = pair_of(a, b);
	uint32_t lo = 0, hi = t->npairs < SW_STATE_TRAVEL_MAX ? t->npairs : SW_STATE_TRAVEL_MAX;

	if (a == b)
		return 0;
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (t->pair[mid].pair == p)
			return t->pair[mid].minutes;
		if (t->pair[mid].pair < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return t->default_minutes;
}
