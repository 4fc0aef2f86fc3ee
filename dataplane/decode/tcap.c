/* SPDX-License-Identifier: BSD-3-Clause */
/* placeholder: replaced by the tcap decoder */
#include "decode.h"
enum sw_mal
sw_tcap_decode(const uint8_t *buf, uint32_t off, uint32_t end, struct sw_msu *msu)
{
	(void)buf; (void)off; (void)end;
	return msu->mal = SW_MAL_TCAP_TAG;
}
const char *
sw_tcap_type_name(uint8_t type)
{
	(void)type;
	return NULL;
}
const char *
sw_comp_type_name(uint8_t type)
{
	(void)type;
	return NULL;
}
int
sw_oid_to_text(const uint8_t *oid, unsigned len, char *out, unsigned outsz)
{
	(void)oid; (void)len; (void)out; (void)outsz;
	return -1;
}
