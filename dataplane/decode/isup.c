/* SPDX-License-Identifier: BSD-3-Clause */
/* placeholder: replaced by the isup decoder */
#include "decode.h"
enum sw_mal
sw_isup_decode(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu)
{
	(void)buf; (void)off; (void)end;
	return msu->mal = SW_MAL_ISUP_SHORT;
}
const char *
sw_isup_type_name(uint8_t type)
{
	(void)type;
	return NULL;
}
