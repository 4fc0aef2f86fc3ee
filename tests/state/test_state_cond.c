/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The stateful conditions of issue 15 (dataplane/state/cond.c): dialogues (Deliver 3),
 * SMS correlation (Deliver 4), subscriber location, not serving, velocity and unknown location
 * (Deliver 5), the ISO 3166 codes and the travel-time table; and the legitimate roaming flows of
 * Deliver 7, which no condition may flag.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "dataplane/state/state.h"

#define S SW_STATE_NS_PER_S
#define MIN (60 * S)
#define T0 (1700000000ull * S)

/* Nodes: inside (home network, Kenya) and outside (partners). */
#define HLR "254700000001"
#define MSC "254700000002"
#define SMSC "254700000003"
#define VLR_GB "447700900500" /* partner 1, GB */
#define VLR_GB2 "447700900501"
#define SMSC_GB "447700900777"
#define VLR_FR "33600000500"  /* partner 2, FR */
#define VLR_TZ "255700000500" /* partner 3, TZ */
#define ROGUE "99912345"      /* no partner */
#define IMSI "639020000000001"

enum { P_GB = 1, P_FR = 2, P_TZ = 3 };

struct fx {
	struct sw_state st;
	struct sw_state_ctx ctx;
	struct sw_state_travel travel;
};

static uint64_t
gt(const char *d)
{
	return sw_state_digits_key(d, strlen(d));
}

static uint16_t
cc(const char *code)
{
	int c = sw_state_country(code);

	assert_true(c > 0);
	return (uint16_t)c;
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(sw_state_create_anon(&(struct sw_state_config){.dialogues = 1024,
									  .sms = 1024,
									  .subscribers = 1024},
					      &f->st),
			 0);
	assert_int_equal(sw_state_ctx_init(&f->ctx, &f->st, 0, NULL), 0);
	/* site.home.country = "KE"; site.velocity = { default_minutes = 120;
	 * neighbours = ( ["GB", "FR"] ); pairs = ( { countries = ["GB", "TZ"]; minutes = 300; } ); } */
	sw_state_travel_init(&f->travel);
	f->travel.home = cc("KE");
	assert_int_equal(sw_state_travel_set(&f->travel, cc("GB"), cc("FR"), 0), 0);
	assert_int_equal(sw_state_travel_set(&f->travel, cc("GB"), cc("TZ"), 300), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	sw_state_close(&f->st);
	free(f);
	return 0;
}

static enum sw_state_dlg_verdict
tc(struct fx *f, uint8_t type, bool inside, uint32_t otid, uint32_t dtid, const char *cgpa,
   const char *cdpa, uint64_t now, enum sw_state_why *why)
{
	struct sw_state_tcap m = {
		.type = type,
		.from_inside = inside,
		.otid_len = otid != 0 ? 4 : 0,
		.dtid_len = dtid != 0 ? 4 : 0,
		.otid = otid,
		.dtid = dtid,
		.cgpa = gt(cgpa),
		.cdpa = gt(cdpa),
	};

	return sw_state_dialogue(&f->ctx, &m, now, why);
}

/* ------------------------------------------------------------------------------------------ */
/* Deliver 3                                                                                  */

static void
test_dialogue_inside_begin(void **state)
{
	struct fx *f = *state;
	enum sw_state_why why;

	/* HLR -> VLR Begin (e.g. insertSubscriberData), answered from outside. */
	assert_int_equal(tc(f, SW_STATE_TC_BEGIN, true, 0x1001, 0, HLR, VLR_GB, T0, &why),
			 SW_STATE_DLG_LEARNED);
	assert_int_equal(tc(f, SW_STATE_TC_CONTINUE, false, 0x9001, 0x1001, VLR_GB, HLR, T0 + S,
			    &why),
			 SW_STATE_DLG_MATCHED);
	assert_int_equal(why, SW_STATE_WHY_NONE);
	assert_int_equal(tc(f, SW_STATE_TC_CONTINUE, true, 0x1001, 0x9001, HLR, VLR_GB, T0 + 2 * S,
			    &why),
			 SW_STATE_DLG_LEARNED);
	assert_int_equal(tc(f, SW_STATE_TC_END, false, 0, 0x1001, VLR_GB, HLR, T0 + 3 * S, &why),
			 SW_STATE_DLG_CLOSED);
	/* Closed: a second End, or a Continue after it, is unsolicited and says why. */
	assert_int_equal(tc(f, SW_STATE_TC_END, false, 0, 0x1001, VLR_GB, HLR, T0 + 4 * S, &why),
			 SW_STATE_DLG_UNSOLICITED);
	assert_int_equal(why, SW_STATE_WHY_CLOSED);
	assert_int_equal(tc(f, SW_STATE_TC_CONTINUE, false, 0x9001, 0x1001, VLR_GB, HLR, T0 + 4 * S,
			    &why),
			 SW_STATE_DLG_UNSOLICITED);
	assert_int_equal(why, SW_STATE_WHY_CLOSED);
	/* An Abort closes too. */
	assert_int_equal(tc(f, SW_STATE_TC_BEGIN, true, 0x1002, 0, MSC, VLR_GB, T0, &why),
			 SW_STATE_DLG_LEARNED);
	assert_int_equal(tc(f, SW_STATE_TC_ABORT, false, 0, 0x1002, VLR_GB, MSC, T0 + S, &why),
			 SW_STATE_DLG_CLOSED);
	assert_int_equal(tc(f, SW_STATE_TC_ABORT, false, 0, 0x1002, VLR_GB, MSC, T0 + S, &why),
			 SW_STATE_DLG_UNSOLICITED);
}

/* The node it is addressed to matters: DTID + called GT. An unsolicited message closes
 * nothing. */
static void
test_dialogue_unsolicited_closes_nothing(void **state)
{
	struct fx *f = *state;
	enum sw_state_why why;

	assert_int_equal(tc(f, SW_STATE_TC_BEGIN, true, 0x2001, 0, HLR, VLR_GB, T0, &why),
			 SW_STATE_DLG_LEARNED);
	/* Right DTID, addressed to another inside node. */
	assert_int_equal(tc(f, SW_STATE_TC_END, false, 0, 0x2001, ROGUE, MSC, T0 + S, &why),
			 SW_STATE_DLG_UNSOLICITED);
	assert_int_equal(why, SW_STATE_WHY_UNKNOWN);
	assert_int_equal(tc(f, SW_STATE_TC_CONTINUE, false, 0x7777, 0x2001, ROGUE, MSC, T0 + S,
			    &why),
			 SW_STATE_DLG_UNSOLICITED);
	/* Wrong DTID to the right node. */
	assert_int_equal(tc(f, SW_STATE_TC_ABORT, false, 0, 0x2002, ROGUE, HLR, T0 + S, &why),
			 SW_STATE_DLG_UNSOLICITED);
	/* No DTID at all. */
	assert_int_equal(tc(f, SW_STATE_TC_END, false, 0, 0, ROGUE, HLR, T0 + S, &why),
			 SW_STATE_DLG_UNSOLICITED);
	assert_int_equal(why, SW_STATE_WHY_UNKNOWN);
	/* The unsolicited Continue's OTID was not learned: an End from inside to it finds
	 * nothing to close. */
	assert_int_equal(tc(f, SW_STATE_TC_END, true, 0, 0x7777, MSC, ROGUE, T0 + S, &why),
			 SW_STATE_DLG_NONE);
	/* The real dialogue is intact. */
	assert_int_equal(tc(f, SW_STATE_TC_END, false, 0, 0x2001, VLR_GB, HLR, T0 + 2 * S, &why),
			 SW_STATE_DLG_CLOSED);
	/* Only TC messages with dialogue portions take part. */
	assert_int_equal(tc(f, 0, false, 1, 1, ROGUE, HLR, T0, &why), SW_STATE_DLG_NONE);
	assert_int_equal(why, SW_STATE_WHY_NONE);
}

/* A dialogue begun from outside: the inside answers it (never judged), an End from outside
 * addressed to the outside node's TID is not a dialogue sent from inside. */
static void
test_dialogue_outside_begin(void **state)
{
	struct fx *f = *state;
	enum sw_state_why why;

	assert_int_equal(tc(f, SW_STATE_TC_BEGIN, false, 0x3001, 0, VLR_GB, HLR, T0, &why),
			 SW_STATE_DLG_LEARNED);
	assert_int_equal(tc(f, SW_STATE_TC_END, false, 0, 0x3001, ROGUE, VLR_GB, T0 + S, &why),
			 SW_STATE_DLG_UNSOLICITED);
	assert_int_equal(why, SW_STATE_WHY_NOT_INSIDE);
	/* Inside Continue answers (learns its OTID), outside Continue matches it, inside End. */
	assert_int_equal(tc(f, SW_STATE_TC_CONTINUE, true, 0x1003, 0x3001, HLR, VLR_GB, T0 + S,
			    &why),
			 SW_STATE_DLG_LEARNED);
	assert_int_equal(tc(f, SW_STATE_TC_CONTINUE, false, 0x3001, 0x1003, VLR_GB, HLR, T0 + 2 * S,
			    &why),
			 SW_STATE_DLG_MATCHED);
	assert_int_equal(tc(f, SW_STATE_TC_END, true, 0, 0x3001, HLR, VLR_GB, T0 + 3 * S, &why),
			 SW_STATE_DLG_CLOSED);
}

static void
test_dialogue_timeout(void **state)
{
	struct fx *f = *state;
	enum sw_state_why why;

	assert_int_equal(tc(f, SW_STATE_TC_BEGIN, true, 0x4001, 0, HLR, VLR_GB, T0, &why),
			 SW_STATE_DLG_LEARNED);
	assert_int_equal(tc(f, SW_STATE_TC_END, false, 0, 0x4001, VLR_GB, HLR, T0 + 61 * S, &why),
			 SW_STATE_DLG_UNSOLICITED);
	assert_int_equal(why, SW_STATE_WHY_EXPIRED);
	/* Continues from inside keep a long dialogue alive past the first timeout. */
	assert_int_equal(tc(f, SW_STATE_TC_BEGIN, true, 0x4002, 0, HLR, VLR_GB, T0, &why),
			 SW_STATE_DLG_LEARNED);
	for (unsigned i = 1; i <= 4; i++)
		assert_int_equal(tc(f, SW_STATE_TC_CONTINUE, true, 0x4002, 0x9002, HLR, VLR_GB,
				    T0 + i * 40 * S, &why),
				 SW_STATE_DLG_LEARNED);
	assert_int_equal(tc(f, SW_STATE_TC_END, false, 0, 0x4002, VLR_GB, HLR, T0 + 200 * S, &why),
			 SW_STATE_DLG_CLOSED);
}

/* A lookup that cannot complete (a writer holds the bucket) judges nothing: fail open. */
static void
test_dialogue_busy(void **state)
{
	struct fx *f = *state;
	struct sw_state_key k;
	struct sw_state_bucket *b[2];
	enum sw_state_why why;
	unsigned nb;

	assert_int_equal(tc(f, SW_STATE_TC_BEGIN, true, 0x5001, 0, HLR, VLR_GB, T0, &why),
			 SW_STATE_DLG_LEARNED);
	sw_state_key_dialogue(&f->st, &k, 0x5001, 4, gt(HLR));
	nb = sw_state_buckets(&f->st, &k, b);
	assert_int_equal(nb, 2);
	for (unsigned i = 0; i < nb; i++)
		atomic_fetch_add(&b[i]->seq, 1); /* both held by a writer */
	assert_int_equal(tc(f, SW_STATE_TC_CONTINUE, false, 0x9005, 0x5001, VLR_GB, HLR, T0 + S,
			    &why),
			 SW_STATE_DLG_NONE);
	assert_int_equal(why, SW_STATE_WHY_BUSY);
	assert_int_equal(tc(f, SW_STATE_TC_END, false, 0, 0x5001, VLR_GB, HLR, T0 + S, &why),
			 SW_STATE_DLG_NONE);
	assert_int_equal(why, SW_STATE_WHY_BUSY);
	for (unsigned i = 0; i < nb; i++)
		atomic_fetch_add(&b[i]->seq, 1);
	assert_int_equal(tc(f, SW_STATE_TC_END, false, 0, 0x5001, VLR_GB, HLR, T0 + S, &why),
			 SW_STATE_DLG_CLOSED);
}

/* ------------------------------------------------------------------------------------------ */
/* Deliver 5: learning a location                                                             */

static void
ul(struct fx *f, uint32_t otid, const char *vlr, uint32_t partner, const char *country,
   bool answered_ok, uint64_t now)
{
	struct sw_state_pending p = {
		.imsi = gt(IMSI),
		.vlr = gt(vlr),
		.partner = partner,
		.country = country != NULL ? cc(country) : 0,
		.kind = 1,
	};
	struct sw_state_tcap m = {
		.type = SW_STATE_TC_BEGIN,
		.from_inside = false,
		.otid_len = 4,
		.otid = otid,
		.cgpa = gt(vlr),
		.cdpa = gt(HLR),
		.pending = &p,
	};
	enum sw_state_why why;

	assert_int_equal(sw_state_dialogue(&f->ctx, &m, now, &why), SW_STATE_DLG_LEARNED);
	/* HLR: insertSubscriberData in a Continue, then End with the UL result (or error). */
	assert_int_equal(tc(f, SW_STATE_TC_CONTINUE, true, otid + 1, otid, HLR, vlr, now, &why),
			 SW_STATE_DLG_LEARNED);
	assert_int_equal(tc(f, SW_STATE_TC_CONTINUE, false, otid, otid + 1, vlr, HLR, now, &why),
			 SW_STATE_DLG_MATCHED);
	assert_int_equal(tc(f, SW_STATE_TC_END, true, 0, otid, HLR, vlr, now, &why),
			 SW_STATE_DLG_CLOSED);
	/* Judged after the End closed the dialogue: still the UL it answers. */
	assert_int_equal(sw_state_location_answer(&f->ctx, otid, 4, gt(vlr), answered_ok, now),
			 answered_ok ? 1 : 0);
}

static enum sw_state_why
where(struct fx *f, uint64_t now, struct sw_state_location *loc)
{
	struct sw_state_key k;

	sw_state_key_imsi(&f->st, &k, SW_STATE_T_LOCATION, gt(IMSI));
	return sw_state_location_get(&f->ctx, &k, now, loc);
}

static void
test_location_learning(void **state)
{
	struct fx *f = *state;
	struct sw_state_location loc;

	/* Unknown location until an UL is answered with a result. */
	assert_int_equal(where(f, T0, &loc), SW_STATE_WHY_UNKNOWN);
	ul(f, 0x100, VLR_GB, P_GB, "GB", false, T0); /* returnError: nothing recorded */
	assert_int_equal(where(f, T0, &loc), SW_STATE_WHY_UNKNOWN);
	ul(f, 0x200, VLR_GB, P_GB, "GB", true, T0 + S);
	assert_int_equal(where(f, T0 + S, &loc), SW_STATE_WHY_NONE);
	assert_int_equal(loc.partner, P_GB);
	assert_int_equal(loc.country, cc("GB"));
	assert_int_equal(loc.vlr, gt(VLR_GB));
	assert_int_equal(loc.cg, gt(VLR_GB));
	assert_int_equal(loc.time, T0 + S);
	/* An answer to a dialogue without a pending UL, or from an unknown dialogue: nothing. */
	assert_int_equal(sw_state_location_answer(&f->ctx, 0x4444, 4, gt(VLR_GB), true, T0), 0);
	assert_int_equal(tc(f, SW_STATE_TC_BEGIN, false, 0x300, 0, VLR_FR, HLR, T0, NULL),
			 SW_STATE_DLG_LEARNED);
	assert_int_equal(sw_state_location_answer(&f->ctx, 0x300, 4, gt(VLR_FR), true, T0), 0);
	/* An aborted UL (no result): nothing; the location stays GB. */
	struct sw_state_pending p = {.imsi = gt(IMSI), .vlr = gt(VLR_FR), .partner = P_FR};
	struct sw_state_tcap m = {.type = SW_STATE_TC_BEGIN, .otid_len = 4, .otid = 0x301,
				  .cgpa = gt(VLR_FR), .cdpa = gt(HLR), .pending = &p};
	assert_int_equal(sw_state_dialogue(&f->ctx, &m, T0 + 2 * S, NULL), SW_STATE_DLG_LEARNED);
	assert_int_equal(tc(f, SW_STATE_TC_ABORT, true, 0, 0x301, HLR, VLR_FR, T0 + 2 * S, NULL),
			 SW_STATE_DLG_CLOSED);
	assert_int_equal(where(f, T0 + 3 * S, &loc), SW_STATE_WHY_NONE);
	assert_int_equal(loc.partner, P_GB);
	/* A later UL answered elsewhere replaces it. */
	ul(f, 0x400, VLR_FR, P_FR, "FR", true, T0 + 3 * MIN);
	assert_int_equal(where(f, T0 + 3 * MIN, &loc), SW_STATE_WHY_NONE);
	assert_int_equal(loc.partner, P_FR);
	/* Maximum age (7 days by default). */
	assert_int_equal(where(f, T0 + 3 * MIN + 7 * 86400 * S, &loc), SW_STATE_WHY_EXPIRED);
}

/* Not serving: partner of the calling GT against the recorded serving network. */
static void
test_not_serving(void **state)
{
	struct fx *f = *state;
	struct sw_state_location loc;

	assert_int_equal(where(f, T0, &loc), SW_STATE_WHY_UNKNOWN);
	assert_int_equal(sw_state_loc_serving(NULL, gt(VLR_GB), P_GB), SW_STATE_LOC_UNKNOWN);
	ul(f, 0x500, VLR_GB, P_GB, "GB", true, T0);
	assert_int_equal(where(f, T0 + S, &loc), SW_STATE_WHY_NONE);
	/* USSD from the VLR that serves, or another GT of the same partner: serving. */
	assert_int_equal(sw_state_loc_serving(&loc, gt(VLR_GB), P_GB), SW_STATE_LOC_SERVING);
	assert_int_equal(sw_state_loc_serving(&loc, gt(VLR_GB2), P_GB), SW_STATE_LOC_SERVING);
	/* Another partner, or no partner: not serving. */
	assert_int_equal(sw_state_loc_serving(&loc, gt(VLR_FR), P_FR), SW_STATE_LOC_NOT_SERVING);
	assert_int_equal(sw_state_loc_serving(&loc, gt(ROGUE), 0), SW_STATE_LOC_NOT_SERVING);
	/* A serving network that is no partner: only the nodes learned. */
	struct sw_state_location np = loc;
	np.partner = 0;
	np.vlr = gt(ROGUE);
	np.cg = gt("99912346");
	assert_int_equal(sw_state_loc_serving(&np, gt(ROGUE), 0), SW_STATE_LOC_SERVING);
	assert_int_equal(sw_state_loc_serving(&np, gt("99912346"), 0), SW_STATE_LOC_SERVING);
	assert_int_equal(sw_state_loc_serving(&np, gt("99912347"), 0), SW_STATE_LOC_NOT_SERVING);
	assert_int_equal(sw_state_loc_serving(&np, gt(VLR_GB), P_GB), SW_STATE_LOC_NOT_SERVING);
}

/* Velocity: KE home, GB-FR neighbours (0), GB-TZ 300 min, others 120 min. */
static void
test_velocity(void **state)
{
	struct fx *f = *state;
	struct sw_state_location loc;
	const struct sw_state_travel *t = &f->travel;

	ul(f, 0x600, VLR_GB, P_GB, "GB", true, T0);
	assert_int_equal(where(f, T0, &loc), SW_STATE_WHY_NONE);
	assert_false(sw_state_loc_velocity(&loc, cc("GB"), T0 + S, t)); /* same country */
	assert_false(sw_state_loc_velocity(&loc, cc("FR"), T0 + S, t)); /* neighbours */
	assert_true(sw_state_loc_velocity(&loc, cc("TZ"), T0 + 299 * MIN, t));
	assert_false(sw_state_loc_velocity(&loc, cc("TZ"), T0 + 300 * MIN, t));
	assert_true(sw_state_loc_velocity(&loc, cc("US"), T0 + 119 * MIN, t)); /* default */
	assert_false(sw_state_loc_velocity(&loc, cc("US"), T0 + 120 * MIN, t));
	assert_true(sw_state_loc_velocity(&loc, cc("KE"), T0 + 60 * MIN, t)); /* home too */
	assert_false(sw_state_loc_velocity(&loc, 0, T0 + S, t));    /* unknown country */
	assert_false(sw_state_loc_velocity(NULL, cc("TZ"), T0, t)); /* unknown location */
	assert_true(sw_state_loc_velocity(&loc, cc("TZ"), T0 - S, t)); /* clock skew: 0 s */
	/* A realistic traveller: GB, then TZ after 6 hours: recorded, no violation. */
	assert_false(sw_state_loc_velocity(&loc, cc("TZ"), T0 + 360 * MIN, t));
	ul(f, 0x601, VLR_TZ, P_TZ, "TZ", true, T0 + 360 * MIN);
	assert_int_equal(where(f, T0 + 361 * MIN, &loc), SW_STATE_WHY_NONE);
	assert_int_equal(loc.country, cc("TZ"));
	assert_true(sw_state_loc_velocity(&loc, cc("GB"), T0 + 400 * MIN, t));
}

/* ------------------------------------------------------------------------------------------ */
/* Deliver 4                                                                                  */

static void
sri_sm(struct fx *f, const char *to, uint32_t partner, uint64_t now)
{
	struct sw_state_key k;

	sw_state_key_imsi(&f->st, &k, SW_STATE_T_SMS, gt(IMSI));
	assert_int_equal(sw_state_sms_record(&f->ctx, &k, gt(to), partner, now), 0);
}

static void
test_unsolicited_sms(void **state)
{
	struct fx *f = *state;
	enum sw_state_why why;

	/* No SRI-SM result ever: unsolicited. */
	assert_true(sw_state_unsolicited_sms(&f->ctx, gt(IMSI), gt(SMSC_GB), P_GB, T0, &why));
	assert_int_equal(why, SW_STATE_WHY_UNKNOWN);
	/* A result went to the partner's SMSC GT: an MT-FSM from it, or from another GT of the
	 * same partner, is solicited. */
	sri_sm(f, SMSC_GB, P_GB, T0);
	assert_false(sw_state_unsolicited_sms(&f->ctx, gt(IMSI), gt(SMSC_GB), P_GB, T0 + S, &why));
	assert_int_equal(why, SW_STATE_WHY_NONE);
	assert_false(sw_state_unsolicited_sms(&f->ctx, gt(IMSI), gt(VLR_GB2), P_GB, T0 + S, &why));
	/* Another partner, or a non-partner GT: unsolicited (went elsewhere). */
	assert_true(sw_state_unsolicited_sms(&f->ctx, gt(IMSI), gt(VLR_FR), P_FR, T0 + S, &why));
	assert_int_equal(why, SW_STATE_WHY_OTHER_PEER);
	assert_true(sw_state_unsolicited_sms(&f->ctx, gt(IMSI), gt(ROGUE), 0, T0 + S, &why));
	/* Another subscriber: unsolicited. */
	assert_true(sw_state_unsolicited_sms(&f->ctx, gt("639020000000002"), gt(SMSC_GB), P_GB,
					     T0 + S, &why));
	/* The window: 60 s (valid while now < result + 60 s, as every expiry). */
	assert_false(sw_state_unsolicited_sms(&f->ctx, gt(IMSI), gt(SMSC_GB), P_GB,
					      T0 + 60 * S - 1, &why));
	assert_true(sw_state_unsolicited_sms(&f->ctx, gt(IMSI), gt(SMSC_GB), P_GB, T0 + 60 * S,
					     &why));
	assert_int_equal(why, SW_STATE_WHY_EXPIRED);
	/* A caller that is no partner: only the very GT the result went to. */
	sri_sm(f, ROGUE, 0, T0 + 100 * S);
	assert_false(sw_state_unsolicited_sms(&f->ctx, gt(IMSI), gt(ROGUE), 0, T0 + 101 * S, &why));
	assert_true(sw_state_unsolicited_sms(&f->ctx, gt(IMSI), gt("99912399"), 0, T0 + 101 * S,
					     &why));
}

/* ------------------------------------------------------------------------------------------ */
/* Countries and the travel table                                                             */

static void
test_countries(void **state)
{
	unsigned n = 0;
	char code[3] = {0}, buf[3];

	(void)state;
	for (char a = 'A'; a <= 'Z'; a++)
		for (char b = 'A'; b <= 'Z'; b++) {
			code[0] = a;
			code[1] = b;
			if (sw_state_country(code) > 0) {
				n++;
				assert_string_equal(sw_state_country_str(
							    (uint16_t)sw_state_country(code), buf),
						    code);
			}
		}
	assert_int_equal(n, 249);
	assert_int_equal(sw_state_country("KE"), 'K' << 8 | 'E');
	assert_int_equal(sw_state_country("GB"), 'G' << 8 | 'B');
	assert_int_equal(sw_state_country("AX"), 'A' << 8 | 'X');
	assert_int_equal(sw_state_country("ZW"), 'Z' << 8 | 'W');
	assert_int_equal(sw_state_country("UK"), -EINVAL); /* reserved, not assigned */
	assert_int_equal(sw_state_country("XK"), -EINVAL); /* user-assigned */
	assert_int_equal(sw_state_country("ke"), -EINVAL);
	assert_int_equal(sw_state_country("K"), -EINVAL);
	assert_int_equal(sw_state_country("KEN"), -EINVAL);
	assert_int_equal(sw_state_country(""), -EINVAL);
	assert_int_equal(sw_state_country(NULL), -EINVAL);
	assert_string_equal(sw_state_country_str(0, buf), "");
}

static void
test_travel_table(void **state)
{
	struct sw_state_travel *t = malloc(sizeof(*t));
	uint16_t codes[300];
	unsigned n = 0, pairs = 0;
	char code[3] = {0};
	int rc = 0;

	(void)state;
	assert_non_null(t);
	sw_state_travel_init(t);
	assert_int_equal(t->default_minutes, 120);
	assert_int_equal(sw_state_travel_minutes(t, cc("GB"), cc("TZ")), 120);
	assert_int_equal(sw_state_travel_minutes(t, cc("GB"), cc("GB")), 0);
	assert_int_equal(sw_state_travel_set(t, cc("TZ"), cc("GB"), 300), 0);
	assert_int_equal(sw_state_travel_minutes(t, cc("GB"), cc("TZ")), 300); /* symmetric */
	assert_int_equal(sw_state_travel_set(t, cc("GB"), cc("TZ"), 240), 0);  /* replaced */
	assert_int_equal(sw_state_travel_minutes(t, cc("TZ"), cc("GB")), 240);
	assert_int_equal(t->npairs, 1);
	/* Unknown codes and a country with itself are refused. */
	assert_int_equal(sw_state_travel_set(t, 'X' << 8 | 'K', cc("GB"), 10), -EINVAL);
	assert_int_equal(sw_state_travel_set(t, cc("GB"), 'Q' << 8 | 'Q', 10), -EINVAL);
	assert_int_equal(sw_state_travel_set(t, 0, cc("GB"), 10), -EINVAL);
	assert_int_equal(sw_state_travel_set(t, cc("GB"), cc("GB"), 10), -EINVAL);
	/* Many pairs, inserted in any order, all found; past the capacity: -ENOSPC. */
	for (char a = 'A'; a <= 'Z'; a++)
		for (char b = 'A'; b <= 'Z'; b++) {
			code[0] = a;
			code[1] = b;
			if (sw_state_country(code) > 0)
				codes[n++] = (uint16_t)sw_state_country(code);
		}
	for (unsigned i = n; i-- > 0 && rc == 0;)
		for (unsigned j = 0; j < i && rc == 0; j++) {
			rc = sw_state_travel_set(t, codes[i], codes[j], i * 1000 + j);
			pairs += rc == 0;
		}
	assert_int_equal(rc, -ENOSPC);
	assert_int_equal(pairs, SW_STATE_TRAVEL_MAX - 1); /* + GB-TZ set before */
	assert_int_equal(t->npairs, SW_STATE_TRAVEL_MAX);
	for (uint32_t i = 1; i < t->npairs; i++)
		assert_true(t->pair[i - 1].pair < t->pair[i].pair);
	assert_int_equal(sw_state_travel_minutes(t, codes[n - 1], codes[0]), (n - 1) * 1000);
	assert_int_equal(sw_state_travel_minutes(t, codes[0], codes[n - 1]), (n - 1) * 1000);
	assert_int_equal(sw_state_travel_minutes(t, codes[0], codes[1]), 120);
	free(t);
}

/* ------------------------------------------------------------------------------------------ */
/* Deliver 7: legitimate roaming flows are never acted on                                     */

static void
test_legitimate_flows(void **state)
{
	struct fx *f = *state;
	struct sw_state_location loc;
	enum sw_state_why why;

	/* The subscriber roams into GB: UL answered with a result. */
	ul(f, 0x700, VLR_GB, P_GB, "GB", true, T0);
	/* USSD from the same VLR: serving. */
	assert_int_equal(where(f, T0 + MIN, &loc), SW_STATE_WHY_NONE);
	assert_int_equal(sw_state_loc_serving(&loc, gt(VLR_GB), P_GB), SW_STATE_LOC_SERVING);
	/* SMS to the roamer: the SMSC asks SRI-SM (the HLR answers toward the SMSC's GT), then
	 * the MT-FSM arrives from that partner. */
	sri_sm(f, SMSC_GB, P_GB, T0 + 2 * MIN);
	assert_false(sw_state_unsolicited_sms(&f->ctx, gt(IMSI), gt(SMSC_GB), P_GB,
					      T0 + 2 * MIN + 2 * S, &why));
	/* A Begin from inside (MSC -> VLR, e.g. provideSubscriberInfo) answered from outside. */
	assert_int_equal(tc(f, SW_STATE_TC_BEGIN, true, 0x800, 0, MSC, VLR_GB, T0 + 3 * MIN, &why),
			 SW_STATE_DLG_LEARNED);
	assert_int_equal(tc(f, SW_STATE_TC_END, false, 0, 0x800, VLR_GB, MSC, T0 + 3 * MIN + S,
			    &why),
			 SW_STATE_DLG_CLOSED);
	/* The subscriber flies to TZ, slower than the 300-minute table entry: no velocity. */
	assert_false(sw_state_loc_velocity(&loc, cc("TZ"), T0 + 301 * MIN, &f->travel));
	ul(f, 0x900, VLR_TZ, P_TZ, "TZ", true, T0 + 301 * MIN);
	assert_int_equal(where(f, T0 + 302 * MIN, &loc), SW_STATE_WHY_NONE);
	assert_int_equal(sw_state_loc_serving(&loc, gt(VLR_TZ), P_TZ), SW_STATE_LOC_SERVING);
	/* ... and now USSD from the old GB VLR is not serving (the attack this catches). */
	assert_int_equal(sw_state_loc_serving(&loc, gt(VLR_GB), P_GB), SW_STATE_LOC_NOT_SERVING);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dialogue_inside_begin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dialogue_unsolicited_closes_nothing, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_dialogue_outside_begin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dialogue_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dialogue_busy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_location_learning, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_serving, setup, teardown),
		cmocka_unit_test_setup_teardown(test_velocity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsolicited_sms, setup, teardown),
		cmocka_unit_test(test_countries),
		cmocka_unit_test(test_travel_table),
		cmocka_unit_test_setup_teardown(test_legitimate_flows, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
