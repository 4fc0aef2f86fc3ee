/* SPDX-License-Identifier: BSD-3-Clause */
/* Fuzz each layer decoder on its own range: the first byte picks M3UA, SCCP, TCAP or ISUP, so
 * inputs reach deep states without having to build the layers below them. */
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
	uint8_t sel;

	if (size < 1 || size > 65535)
		return 0;
	sel = data[0] % 4;
	data++;
	size--;
	memset(&msu, 0, sizeof(msu));
	switch (sel) {
	case 0: sw_m3ua_decode(data, 0, (uint32_t)size, &msu); break;
	case 1: sw_sccp_decode(data, 0, (uint32_t)size, &msu); break;
	case 2: sw_tcap_decode(data, 0, (uint32_t)size, &msu); break;
	default: sw_isup_decode(data, 0, (uint32_t)size, &msu); break;
	}
	sw_sb_init(&sb, line, sizeof(line));
	sw_json_msu(&sb, NULL, &msu, 0, 0);
	return 0;
}
