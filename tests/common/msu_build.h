/* SPDX-License-Identifier: BSD-3-Clause */
/* Hand-built decoded MSUs for the policy tests and benchmark (no decoder involved). */
#ifndef SW_TESTS_COMMON_MSU_BUILD_H
#define SW_TESTS_COMMON_MSU_BUILD_H

#include <stdio.h>
#include <string.h>

#include "dataplane/decode/msu.h"

/* Home and partner values of patterns/site.example.conf. */
#define T_HOME_HLR "27820000010"
#define T_HOME_VLR "27820000020"
#define T_HOME_IMSI "655011234567890"
#define T_HOME_MSISDN "27831234567"
#define T_DE_GT "491720123456"   /* PartnerDE */
#define T_DE_IMSI "262021234567890"
#define T_FR_GT "336090123456"   /* PartnerFR */
#define T_GB_SMSC_GT "447785000030" /* PartnerGB */
#define T_FR_IMSI "208011234567890"
#define T_FOREIGN_GT "8613912345678" /* no partner */
#define T_FOREIGN_IMSI "460001234567890"

static inline void
t_digits(struct sw_digits *d, const char *s)
{
	size_t n = s != NULL ? strlen(s) : 0;

	memset(d, 0, sizeof(*d));
	if (n > SW_DIGITS_MAX)
		n = SW_DIGITS_MAX;
	d->len = (uint8_t)n;
	if (n > 0)
		memcpy(d->d, s, n);
}

static inline void
t_addr(struct sw_sccp_addr *a, const char *digits, uint8_t gti, uint8_t ssn)
{
	memset(a, 0, sizeof(*a));
	a->present = true;
	a->ri = 0;
	a->gti = gti;
	a->has_ssn = true;
	a->ssn = ssn;
	a->tt = 0;
	a->np = gti == 4 || gti == 3 ? 1 : 0;
	a->es = (strlen(digits) & 1) ? 1 : 2;
	a->nai = gti == 4 ? 4 : 0;
	t_digits(&a->digits, digits);
}

/* A TCAP Begin from cgpa to cdpa with one invoke of opcode and an optional IMSI. A message
 * from a home GT (site.example.conf: 27820, 27821) comes from a home point code (1001), as
 * our own nodes' traffic does; any other from 4000 (an interconnect STP). */
static inline void
t_map(struct sw_msu *m, const char *cgpa, const char *cdpa, int32_t opcode, const char *imsi)
{
	memset(m, 0, sizeof(*m));
	m->has = SW_HAS_M3UA | SW_HAS_PROTO_DATA | SW_HAS_SCCP | SW_HAS_TCAP | SW_HAS_MAP;
	m->m3ua.cls = 1;
	m->m3ua.type = 1;
	m->m3ua.opc = strncmp(cgpa, "27820", 5) == 0 || strncmp(cgpa, "27821", 5) == 0 ? 1001 : 4000;
	m->m3ua.dpc = m->m3ua.opc == 1001 ? 4000 : 1001;
	m->m3ua.si = 3;
	m->sccp.type = 0x09; /* UDT, Q.713 4.10 */
	m->sccp.pclass = 1;
	t_addr(&m->sccp.cgpa, cgpa, 4, 7);
	t_addr(&m->sccp.cdpa, cdpa, 4, 6);
	m->tcap.type = SW_TCAP_BEGIN;
	m->tcap.otid_len = 4;
	m->tcap.ncomp = 1;
	m->tcap.comp[0].type = SW_COMP_INVOKE;
	m->tcap.comp[0].has_invoke_id = true;
	m->tcap.comp[0].invoke_id = 1;
	m->tcap.comp[0].has_opcode = true;
	m->tcap.comp[0].opcode = opcode;
	if (imsi != NULL)
		t_digits(&m->map.imsi, imsi);
}

/* Append a component. */
static inline void
t_comp(struct sw_msu *m, uint8_t type, int32_t opcode)
{
	struct sw_tcap_comp *c = &m->tcap.comp[m->tcap.ncomp++];

	memset(c, 0, sizeof(*c));
	c->type = type;
	c->has_invoke_id = true;
	c->invoke_id = (int32_t)m->tcap.ncomp;
	c->has_opcode = true;
	c->opcode = opcode;
}

/* An ISUP IAM (Q.763 1.1 code 0x01) from opc with calling number cgpn. */
static inline void
t_iam(struct sw_msu *m, uint32_t opc, const char *cgpn, const char *cdpn)
{
	memset(m, 0, sizeof(*m));
	m->has = SW_HAS_M3UA | SW_HAS_PROTO_DATA | SW_HAS_ISUP;
	m->m3ua.opc = opc;
	m->m3ua.dpc = 1001;
	m->m3ua.si = 5;
	m->isup.type = 0x01;
	m->isup.cic = 17;
	m->isup.cgpn.present = true;
	m->isup.cgpn.nai = 4;
	m->isup.cgpn.npi = 1;
	t_digits(&m->isup.cgpn.digits, cgpn);
	m->isup.cdpn.present = true;
	m->isup.cdpn.nai = 4;
	t_digits(&m->isup.cdpn.digits, cdpn);
}

/* An SCCP management message (UDT to SSN 1, Q.713 5.3) from opc: format type about subsystem
 * assn at point code apc. cgpa NULL: the calling address is the SSN alone (route on SSN). */
static inline void
t_scmg(struct sw_msu *m, const char *cgpa, uint32_t opc, uint8_t type, uint8_t assn,
       uint16_t apc)
{
	memset(m, 0, sizeof(*m));
	m->has = SW_HAS_M3UA | SW_HAS_PROTO_DATA | SW_HAS_SCCP | SW_HAS_SCMG;
	m->m3ua.cls = 1;
	m->m3ua.type = 1;
	m->m3ua.opc = opc;
	m->m3ua.dpc = opc >= 1001 && opc <= 1003 ? 4000 : 1001;
	m->m3ua.si = 3;
	m->sccp.type = 0x09; /* UDT, Q.713 4.10 */
	if (cgpa != NULL) {
		t_addr(&m->sccp.cgpa, cgpa, 4, 1);
	} else {
		m->sccp.cgpa.present = true;
		m->sccp.cgpa.ri = 1;
		m->sccp.cgpa.has_ssn = true;
		m->sccp.cgpa.ssn = 1;
	}
	m->sccp.cdpa.present = true;
	m->sccp.cdpa.ri = 1;
	m->sccp.cdpa.has_ssn = true;
	m->sccp.cdpa.ssn = 1;
	m->sccp.scmg.type = type;
	m->sccp.scmg.assn = assn;
	m->sccp.scmg.apc = apc;
}

#endif /* SW_TESTS_COMMON_MSU_BUILD_H */
