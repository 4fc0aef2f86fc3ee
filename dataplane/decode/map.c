/* SPDX-License-Identifier: BSD-3-Clause */
/* placeholder: replaced by the map decoder */
#include "decode.h"
enum sw_mal
sw_map_decode_component(const uint8_t *buf, struct sw_msu *msu, unsigned comp_idx)
{
	(void)buf; (void)msu; (void)comp_idx;
	return SW_MAL_NONE;
}
const char *
sw_map_op_name(int32_t opcode)
{
	(void)opcode;
	return NULL;
}
int32_t
sw_map_op_code(const char *name)
{
	(void)name;
	return -1;
}
