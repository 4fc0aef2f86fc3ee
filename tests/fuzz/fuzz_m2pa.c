/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Fuzz the M2PA decoder (RFC 4165) on one message, in an exact-size copy (ASan sees any read past
 * it), and check what it reports: a message it accepts is exactly the input, its MTP3 user part
 * lies inside it, and Link Status states and message types are the ones RFC 4165 defines.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dataplane/decode/decode.h"
#include "dataplane/decode/print.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sw_msu msu;
	char line[16384];
	struct sw_sb sb;
	uint8_t *copy;

	if (size > 65535)
		return 0;
	copy = malloc(size ? size : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	memset(&msu, 0, sizeof(msu));
	sw_m2pa_decode(copy, 0, (uint32_t)size, &msu);
	if ((msu.has & SW_HAS_PROTO_DATA) &&
	    (msu.m3ua.ud_off > size || msu.m3ua.ud_len > size - msu.m3ua.ud_off))
		abort();
	if (msu.mal == SW_MAL_NONE) {
		if (!(msu.has & SW_HAS_M2PA) || msu.m2pa.len != size)
			abort();
		if (msu.m2pa.type != M2PA_TYPE_USER_DATA && msu.m2pa.type != M2PA_TYPE_LINK_STATUS)
			abort();
		if (msu.m2pa.type == M2PA_TYPE_LINK_STATUS &&
		    sw_m2pa_state_name(msu.m2pa.state) == NULL)
			abort();
		if (msu.m2pa.bsn > M2PA_SEQ_MASK || msu.m2pa.fsn > M2PA_SEQ_MASK)
			abort();
	}
	sw_sb_init(&sb, line, sizeof(line));
	sw_json_msu(&sb, NULL, &msu, 0, 0);
	free(copy);
	return 0;
}
