/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * TCAP wire constants, ITU-T Q.773 (BER identifiers of X.690) and the message / component
 * kinds the decoder reports.
 */
#ifndef SW_PROTO_TCAP_H
#define SW_PROTO_TCAP_H

#include <stdint.h>

/* TCMessage, Q.773 4.1 */
#define TCAP_MSG_UNI		0x61   /* unidirectional [APPLICATION 1] */
#define TCAP_MSG_BEGIN		0x62   /* begin [APPLICATION 2] */
#define TCAP_MSG_END		0x64   /* end [APPLICATION 4] */
#define TCAP_MSG_CONTINUE	0x65   /* continue [APPLICATION 5] */
#define TCAP_MSG_ABORT		0x67   /* abort [APPLICATION 7] */

/* Transaction portion, Q.773 4.1 */
#define TCAP_OTID		0x48   /* OrigTransactionID [APPLICATION 8] */
#define TCAP_DTID		0x49   /* DestTransactionID [APPLICATION 9] */
#define TCAP_PABORT		0x4a   /* P-AbortCause [APPLICATION 10] */
#define TCAP_DIALOGUE		0x6b   /* DialoguePortion [APPLICATION 11] */
#define TCAP_COMPONENTS		0x6c   /* ComponentPortion [APPLICATION 12] */
#define TCAP_TID_MAX		4      /* OCTET STRING (SIZE (1..4)) */

/* Dialogue PDUs, Q.773 Annex A (DialoguePDUs, UnidialoguePDUs) */
#define TCAP_DLG_AARQ		0x60   /* dialogueRequest / AUDT [APPLICATION 0] */
#define TCAP_DLG_AARE		0x61   /* dialogueResponse [APPLICATION 1] */
#define TCAP_DLG_ABRT		0x64   /* dialogueAbort [APPLICATION 4] */
#define TCAP_DLG_SINGLE		0xa0   /* EXTERNAL encoding single-ASN1-type [0] (X.690 8.18) */
#define TCAP_DLG_VERSION	0x80   /* protocol-version [0] IMPLICIT BIT STRING */
#define TCAP_DLG_ACN		0xa1   /* application-context-name [1] */
#define TCAP_DLG_RESULT		0xa2   /* result [2] (AARE) */
#define TCAP_DLG_DIAG		0xa3   /* result-source-diagnostic [3] (AARE) */
#define TCAP_DLG_DIAG_USER	0xa1   /* its dialogue-service-user [1] EXPLICIT INTEGER */
#define TCAP_DLG_DIAG_PROVIDER	0xa2   /* its dialogue-service-provider [2] EXPLICIT INTEGER */
#define TCAP_DLG_ABRT_SRC	0x80   /* abort-source [0] IMPLICIT (ABRT) */
#define TCAP_DLG_USERINFO	0xbe   /* user-information [30] IMPLICIT SEQUENCE */
#define X690_INDIRECT_REF	0x02   /* EXTERNAL indirect-reference INTEGER */
#define X690_DESCRIPTOR		0x07   /* EXTERNAL data-value-descriptor ObjectDescriptor */
/* Dialogue-as-id, Q.773 Annex A: 0.0.17.773.1.1.1 (the structured dialogue abstract syntax) */
#define TCAP_DIALOGUE_AS_ID	{ 0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01 }

/* Components, Q.773 4.2.2 */
#define TCAP_COMP_INVOKE	0xa1   /* [1] */
#define TCAP_COMP_RESULT_LAST	0xa2   /* [2] */
#define TCAP_COMP_ERROR		0xa3   /* [3] */
#define TCAP_COMP_REJECT	0xa4   /* [4] */
#define TCAP_COMP_RESULT	0xa7   /* [7] returnResultNotLast */
#define TCAP_LINKED_ID		0x80   /* linkedID [0] IMPLICIT InvokeIdType */
#define TCAP_NOT_DERIVABLE	0x05   /* Reject invokeID not-derivable NULL */
#define TCAP_PROBLEM_FIRST	0x80   /* Reject problem [0]..[3] IMPLICIT INTEGER */
#define TCAP_PROBLEM_LAST	0x83

/* TCAP message types as the decoder reports them (struct sw_msu tcap.type), Q.773 4.1 */
enum sw_tcap_type {
	SW_TCAP_NONE,
	SW_TCAP_UNIDIRECTIONAL,
	SW_TCAP_BEGIN,
	SW_TCAP_END,
	SW_TCAP_CONTINUE,
	SW_TCAP_ABORT,
};

/* TCAP component types (struct sw_tcap_comp type), Q.773 4.2.2 */
enum sw_comp_type {
	SW_COMP_INVOKE,
	SW_COMP_RESULT_LAST,
	SW_COMP_RESULT,   /* returnResultNotLast */
	SW_COMP_ERROR,
	SW_COMP_REJECT,
};

/* Names ("begin", "returnResultLast", ...) and back, case-insensitive; NULL / -1 if unknown.
 * sw_comp_type_code also takes "returnResultNotLast" for SW_COMP_RESULT. */
const char *sw_tcap_type_name(uint8_t type);
int sw_tcap_type_code(const char *name);
const char *sw_comp_type_name(uint8_t type);
int sw_comp_type_code(const char *name);

#endif /* SW_PROTO_TCAP_H */
