/* SPDX-License-Identifier: BSD-3-Clause */
/* ISUP wire constants, ITU-T Q.763 (message types Table 4, parameters Table 5). */
#ifndef SW_PROTO_ISUP_H
#define SW_PROTO_ISUP_H

#include <stdint.h>

#define ISUP_CIC_LEN		2      /* Q.763 1.2: least significant octet first */
#define ISUP_CIC_MASK		0x0fff /* ITU CIC: 12 bits */

/* Message type codes, Q.763 Table 4 (names in sw_isup_type_name) */
#define ISUP_MSG_IAM		0x01
#define ISUP_MSG_SAM		0x02
#define ISUP_MSG_ACM		0x06
#define ISUP_MSG_CON		0x07
#define ISUP_MSG_ANM		0x09
#define ISUP_MSG_REL		0x0c
#define ISUP_MSG_RLC		0x10
#define ISUP_MSG_CPG		0x2c

/* Parameter names, Q.763 Table 5 */
#define ISUP_PARAM_EOP		0x00   /* end of optional parameters, Q.763 3.20 */
#define ISUP_PARAM_CALLED_NUM	0x04   /* called party number, Q.763 3.9 */
#define ISUP_PARAM_CALLING_NUM	0x0a   /* calling party number, Q.763 3.10 */

/* IAM mandatory fixed part, Q.763 Table 32 */
#define ISUP_IAM_NOC_LEN	1      /* nature of connection indicators, Q.763 3.35 */
#define ISUP_IAM_FCI_LEN	2      /* forward call indicators, Q.763 3.23 */
#define ISUP_IAM_CPC_LEN	1      /* calling party's category, Q.763 3.11 */
#define ISUP_IAM_TMR_LEN	1      /* transmission medium requirement, Q.763 3.54 */
#define ISUP_IAM_FIXED_LEN	(ISUP_IAM_NOC_LEN + ISUP_IAM_FCI_LEN + ISUP_IAM_CPC_LEN + \
				 ISUP_IAM_TMR_LEN)

/* Called and calling party number, Q.763 3.9 and 3.10 */
#define ISUP_NUM_ODD		0x80   /* odd/even indicator, octet 1 */
#define ISUP_NUM_NAI_MASK	0x7f   /* nature of address indicator, octet 1 */
#define ISUP_NUM_NPI_SHIFT	4      /* numbering plan indicator, octet 2 bits 5-7 */
#define ISUP_NUM_NPI_MASK	0x07
#define ISUP_NUM_APRI_SHIFT	2      /* address presentation restricted, octet 2 bits 3-4 (3.10) */
#define ISUP_NUM_APRI_MASK	0x03
#define ISUP_NUM_SCREEN_MASK	0x03   /* screening indicator, octet 2 bits 1-2 (3.10) */
#define ISUP_NUM_HDR_LEN	2

/* Acronym of a message type ("IAM") and back (case-insensitive); NULL / -1 if unknown. */
const char *sw_isup_type_name(uint8_t type);
int sw_isup_type_code(const char *name);

#endif /* SW_PROTO_ISUP_H */
