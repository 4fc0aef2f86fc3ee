/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * When repair cannot keep an association consistent (issue 12 Deliver 4): the fallback of the
 * association's class, the named reason, and a repair_fallback notice for the caller's event
 * path, rate-limited per association.
 *
 * The class is asked of the caller's classifier only here, when a fallback is taken (never on
 * the common path), once per packet. A notice is queued at most once a second per association
 * (tracked: in its entry; untracked: in a small table by tag, ports and direction); the
 * fallbacks in between are counted and added to its next notice.
 */
#include <stdio.h>

#include "enforce_int.h"

#define FB_INTERVAL_NS 1000000000ull

static const char *const fb_action_names[] = {"neutralized", "passed", "dropped", "unchanged"};

const char *
sw_enf_fb_action_name(unsigned a)
{
	return a < sizeof(fb_action_names) / sizeof(fb_action_names[0]) ? fb_action_names[a]
									 : "unknown";
}

void
sw_enforce_set_classifier(struct sw_enforce *e, sw_enforce_classify_fn fn, void *arg)
{
	e->classify = fn;
	e->classify_arg = arg;
}

void
sw_enforce_set_class_fail(struct sw_enforce *e, unsigned cls, enum sw_enf_fail mode)
{
	if (cls >= SW_ENF_CLASSES || (cls == 0 && mode == SW_ENF_FAIL_DEFAULT))
		return;
	e->cls_fail[cls] = (int8_t)mode;
}

void
sw_enforce_set_class_name(struct sw_enforce *e, unsigned cls, const char *name)
{
	if (cls >= SW_ENF_CLASSES)
		return;
	snprintf(e->cls_name[cls], sizeof(e->cls_name[cls]), "%s", name != NULL ? name : "");
}

const char *
sw_enforce_class_name(const struct sw_enforce *e, unsigned cls)
{
	return cls < SW_ENF_CLASSES ? e->cls_name[cls] : "";
}

unsigned
sw_enforce_class_find(const struct sw_enforce *e, const char *name)
{
	unsigned c;

	for (c = 1; name != NULL && name[0] != '\0' && c < SW_ENF_CLASSES; c++)
		if (strncmp(e->cls_name[c], name, sizeof(e->cls_name[c])) == 0)
			return c;
	return 0;
}

void
sw_enforce_set_fail_open(struct sw_enforce *e, bool fail_open)
{
	e->cls_fail[0] = fail_open ? SW_ENF_FAIL_OPEN : SW_ENF_FAIL_CLOSED;
}

static unsigned
pkt_class(struct sw_enforce *e)
{
	if (e->pk_cls < 0) {
		unsigned c = e->classify != NULL && e->pk_pkt != NULL
				     ? e->classify(e->classify_arg, e->pk_pkt, e->pk_dir)
				     : 0;

		e->pk_cls = c < SW_ENF_CLASSES ? (int)c : 0;
	}
	return (unsigned)e->pk_cls;
}

bool
enf_fail_open(struct sw_enforce *e)
{
	int8_t m = e->cls_fail[pkt_class(e)];

	if (m == SW_ENF_FAIL_DEFAULT)
		m = e->cls_fail[0];
	return m == SW_ENF_FAIL_OPEN;
}

/* The rate-limit state of the packet's association: its entry, or the untracked table. */
static bool
rate_ok(struct sw_enforce *e, struct enf_assoc *a, uint64_t now, uint32_t n, uint32_t *count)
{
	uint32_t *supp;
	uint64_t *next;

	if (a != NULL) {
		supp = &a->ev_supp;
		next = &a->ev_next_ns;
	} else {
		/* 4-way sets of the untracked table: two keys of one set do not reset each other;
		 * a fifth takes the way whose interval ended first */
		const uint8_t *sc = e->pk_buf + e->pk_l4;
		uint32_t vtag = rd32(sc + 4);
		uint16_t sport = rd16(sc), dport = rd16(sc + 2);
		struct enf_rl *set = &e->rl[enf_key_hash(e, vtag, sport, dport, e->pk_dir) %
					    (ENF_RL / 4) * 4];
		struct enf_rl *r = NULL;
		unsigned k;

		for (k = 0; k < 4 && r == NULL; k++)
			if (set[k].used && set[k].vtag == vtag && set[k].sport == sport &&
			    set[k].dport == dport && set[k].dir == e->pk_dir)
				r = &set[k];
		if (r == NULL) {
			r = &set[0];
			for (k = 0; k < 4; k++) {
				if (!set[k].used) {
					r = &set[k];
					break;
				}
				if (set[k].next_ns < r->next_ns)
					r = &set[k];
			}
			memset(r, 0, sizeof(*r));
			r->used = 1;
			r->vtag = vtag;
			r->sport = sport;
			r->dport = dport;
			r->dir = (uint8_t)e->pk_dir;
		}
		supp = &r->supp;
		next = &r->next_ns;
	}
	if (*next != 0 && now < *next) {
		*supp += n;
		return false;
	}
	*next = now + FB_INTERVAL_NS;
	*count = *supp + n;
	*supp = 0;
	return true;
}

void
enf_fallback(struct sw_enforce *e, struct enf_assoc *a, enum sw_enf_ctr why,
	     enum sw_enf_fb_action act, uint32_t n)
{
	const struct sw_pkt *pkt = e->pk_pkt;
	struct sw_enforce_fallback *f;
	uint64_t now = e->pk_now;
	uint32_t count = 0;
	unsigned d, dir = e->pk_dir;

	e->ctr[why] += n;
	if (a != NULL)
		a->st_last_err = (uint16_t)why;
	if (!rate_ok(e, a, now == 0 ? 1 : now, n, &count))
		return;
	if (e->fbq_n >= SW_ENF_FB_QUEUE) {
		e->ctr[SW_ENF_FALLBACK_EV_LOST]++;
		return;
	}
	f = &e->fbq[e->fbq_n++];
	memset(f, 0, sizeof(*f));
	f->now_ns = now;
	f->dir = (uint8_t)dir;
	f->action = (uint8_t)act;
	f->cls = (uint8_t)pkt_class(e);
	f->reason = (uint16_t)why;
	f->count = count;
	f->tracked = a != NULL;
	if (a != NULL && a->ip_ver != 0) {
		for (d = 0; d < 2; d++) {
			f->vtag[d] = a->vtag_set[d] ? a->vtag[d] : 0;
			f->port[d] = a->port[d];
			memcpy(f->addr[d], a->addr[d], 16);
		}
		f->ip_ver = a->ip_ver;
	} else {
		const uint8_t *sc = e->pk_buf + e->pk_l4;

		f->vtag[dir] = rd32(sc + 4);
		f->port[dir] = rd16(sc);
		f->port[1 - dir] = rd16(sc + 2);
		if (pkt != NULL) {
			f->ip_ver = pkt->ip_ver;
			memcpy(f->addr[dir], pkt->src, 16);
			memcpy(f->addr[1 - dir], pkt->dst, 16);
		}
		if (a != NULL)
			f->vtag[1 - dir] = a->vtag_set[1 - dir] ? a->vtag[1 - dir] : 0;
	}
	e->ctr[SW_ENF_FALLBACK_EVENTS]++;
}

unsigned
sw_enforce_fallback_pop(struct sw_enforce *e, struct sw_enforce_fallback *out, unsigned max)
{
	unsigned n = e->fbq_n < max ? e->fbq_n : max;

	memcpy(out, e->fbq, n * sizeof(*out));
	if (n < e->fbq_n)
		memmove(e->fbq, e->fbq + n, (e->fbq_n - n) * sizeof(*out));
	e->fbq_n -= n;
	return n;
}
