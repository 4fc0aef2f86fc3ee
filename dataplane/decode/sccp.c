/* SPDX-License-Identifier: BSD-3-Clause */
/* placeholder: replaced by the sccp decoder */
#include "decode.h"
enum sw_mal
sw_sccp_decode(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu)
{
	(void)buf; (void)off; (void)end;
	return msu->mal = SW_MAL_SCCP_TYPE;
}
const char *
sw_sccp_type_name(uint8_t type)
{
	(void)type;
	return NULL;
}
