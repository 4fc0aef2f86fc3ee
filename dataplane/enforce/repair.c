/* SPDX-License-Identifier: BSD-3-Clause */
/* Association repair (temporary: chunk removal only). */
#include "enforce_int.h"

struct enf_ch {
	uint32_t off;
	uint32_t span;
	uint16_t len;
	uint8_t type;
	bool drop;
};

uint32_t enf_repair(struct sw_enforce *e, uint8_t *buf, const struct sw_pkt *pkt,
		    struct enf_ch *ch, unsigned n, unsigned dir, uint64_t now_ns, uint8_t *reply,
		    uint32_t reply_cap, uint32_t *reply_len, bool *changed);

uint32_t
enf_repair(struct sw_enforce *e, uint8_t *buf, const struct sw_pkt *pkt, struct enf_ch *ch,
	   unsigned n, unsigned dir, uint64_t now_ns, uint8_t *reply, uint32_t reply_cap,
	   uint32_t *reply_len, bool *changed)
{
	unsigned i;

	(void)buf; (void)dir; (void)now_ns; (void)reply; (void)reply_cap; (void)reply_len;
	for (i = 0; i < n; i++) {
		if (ch[i].drop) {
			*changed = true;
			e->ctr[SW_ENF_CHUNKS_REMOVED]++;
		}
	}
	return pkt->l4_end;
}
