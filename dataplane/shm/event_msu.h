/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The message fields of an event record (struct sw_shm_event) from a decoded MSU, one fill for
 * the inline workers (dataplane/app/worker.c) and proxy mode (dataplane/proxy/proxy_dpdk.c):
 * the routing label (M3UA Protocol Data, or the MTP3 label an M2PA User Data carries: both set
 * SW_HAS_PROTO_DATA, msu.h), SCCP type and addresses, TCAP type and the first local invoke
 * opcode, the MAP IMSI. Without an MSU (a packet judged whole) the fields say "none".
 */
#ifndef SW_SHM_EVENT_MSU_H
#define SW_SHM_EVENT_MSU_H

#include <string.h>

#include "dataplane/decode/msu.h"
#include "dataplane/shm/shm.h"

static inline void
sw_shm_event_msu(struct sw_shm_event *ev, const struct sw_msu *msu)
{
	ev->si = 0;
	ev->sccp_type = 0;
	ev->tcap_type = 0;
	ev->opc = ev->dpc = 0;
	ev->opcode = -1;
	ev->cgpa[0] = ev->cdpa[0] = ev->imsi[0] = '\0';
	if (msu == NULL)
		return;
	if (msu->has & SW_HAS_PROTO_DATA) {
		ev->si = msu->m3ua.si;
		ev->opc = msu->m3ua.opc;
		ev->dpc = msu->m3ua.dpc;
	}
	if (msu->has & SW_HAS_SCCP) {
		ev->sccp_type = msu->sccp.type;
		memcpy(ev->cgpa, msu->sccp.cgpa.digits.d, sizeof(ev->cgpa));
		memcpy(ev->cdpa, msu->sccp.cdpa.digits.d, sizeof(ev->cdpa));
	}
	if (msu->has & SW_HAS_TCAP) {
		ev->tcap_type = msu->tcap.type;
		for (unsigned i = 0; i < msu->tcap.ncomp && i < SW_COMP_MAX; i++) {
			if (msu->tcap.comp[i].type == SW_COMP_INVOKE &&
			    msu->tcap.comp[i].has_opcode && !msu->tcap.comp[i].opcode_global) {
				ev->opcode = msu->tcap.comp[i].opcode;
				break;
			}
		}
	}
	if (msu->has & SW_HAS_MAP)
		memcpy(ev->imsi, msu->map.imsi.d, sizeof(ev->imsi));
}

#endif /* SW_SHM_EVENT_MSU_H */
