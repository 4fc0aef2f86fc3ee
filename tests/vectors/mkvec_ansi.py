#!/usr/bin/python3
"""Writes the hex of the ANSI vectors (tests/vectors/ansi/*.vec, issue 17 D6), each with
`variant: ansi` (or itu, to show what the other reading makes of the same bytes).

As with mkvec.py, the expected lines are written once by `run_vectors --print`, reviewed against
T1.112.3 / T1.114.3 and tshark (-o mtp3.standard:ANSI) and kept byte-exact; this script only
produces the bytes. Usage: mkvec_ansi.py OUTDIR (then fill in each `expect:`)."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from sigtran import *  # noqa: E402,F403
from ansi import *  # noqa: E402,F403

ACN_LOCUP_V3 = "0.4.0.0.1.0.1.3"
HOME_HLR = "12125550100"       # a North American E.164 HLR GT (odd: 11 digits)
PARTNER_VLR = "14155550123"
IMSI_HOME = "310150123456789"  # MCC 310 (USA)
HOME_PC = pc(245, 16, 3)       # 245-16-3
PARTNER_PC = pc(7, 2, 1)       # 7-2-1

upd_loc = tlv(0x30, tlv(0x04, tbcd(IMSI_HOME)) + tlv(0x81, address_string(PARTNER_VLR)) +
              tlv(0x04, address_string(PARTNER_VLR)))
ul = tcap("begin", otid=b"\x00\x00\x10\x01", dialogue=dialogue_aarq(ACN_LOCUP_V3),
          components=[invoke(1, 2, upd_loc)])


def vec(outdir, layer, name, comment, data, variant="ansi", truncation=None):
    os.makedirs(outdir, exist_ok=True)
    with open(os.path.join(outdir, name + ".vec"), "w") as f:
        for line in comment.strip().splitlines():
            f.write("# " + line + "\n")
        f.write("layer: %s\n" % layer)
        f.write("variant: %s\n" % variant)
        if truncation:
            f.write("truncation: %s\n" % truncation)
        h = data.hex()
        f.write("hex:")
        for i in range(0, len(h), 64):
            f.write(" " + " ".join(h[j:j + 2] for j in range(i, min(i + 64, len(h)), 2)) + "\n")
        f.write("expect: \n")


def main(outdir):
    gt_udt = sccp_udt(sccp_addr_ansi(HOME_HLR, ssn=6, gti=2, tt=0),
                      sccp_addr_ansi(PARTNER_VLR, ssn=7, pc24=PARTNER_PC, gti=1, tt=0), ul)
    vec(outdir, "sccp", "udt-gti2-gti1-map-updatelocation",
        "ITU TCAP/MAP over ANSI SCCP (T1.112.3), as GSM networks in North America run it: the\n"
        "called address GTI 2 (TT only, SSN 6), the calling one GTI 1 (TT, NP/ES) with SSN 7\n"
        "before a 3-octet point code 7-2-1 (member first). GT digits, SSN and PC feed the\n"
        "same fields as an ITU address; MAP updateLocation decoded.", gt_udt)
    vec(outdir, "sccp", "udt-ansi-address-read-as-itu",
        "The same bytes in an ITU network: the indicator bits mean other things (bit 1 'PC',\n"
        "bit 2 'SSN', GTI 2 and 1 swapped), so the addresses are misread: why the variant is\n"
        "declared, not guessed.", gt_udt, variant="itu", truncation="any")
    intl = sccp_udt(sccp_addr(HOME_HLR, ssn=6, gti=4), sccp_addr(PARTNER_VLR, ssn=7, gti=4), ul)
    vec(outdir, "sccp", "udt-international-address",
        "In an ANSI network an address with the national indicator (bit 8) clear is an\n"
        "international one in the Q.713 format (T1.112.3 3.4.1; Wireshark reads it so too):\n"
        "GTI 4 decoded as in ITU.", intl)

    def scmg(data):
        return sccp_udt(sccp_addr_ansi(ssn=1, pc24=HOME_PC, ri_ssn=True),
                        sccp_addr_ansi(ssn=1, pc24=PARTNER_PC, ri_ssn=True), data, pclass=0x00)
    vec(outdir, "sccp", "scmg-sst",
        "ANSI subsystem-status-test (T1.112.3 5.3) for SSN 6 at point code 245-16-3: six\n"
        "octets, the affected point code in three (member first).",
        scmg(scmg_ansi(0x03, 6, HOME_PC)))
    vec(outdir, "sccp", "scmg-itu-length",
        "ANSI SCCP management with the five octets of the ITU format (a 2-octet affected\n"
        "point code): sccp_ansi_scmg_len.",
        scmg(bytes([0x03, 0x06, 0x03, 0x10, 0x00])))
    vec(outdir, "sccp", "scmg-ssc",
        "SSC (Q.713 5.1 format 6) does not exist in T1.112.3: sccp_scmg_type.",
        scmg(bytes([0x06, 0x06]) + bytes([0x03, 0x10, 0xf5, 0x00])))
    vec(outdir, "sccp", "udt-reserved-gti",
        "ANSI address with GTI 3 (reserved in T1.112.3 3.4.1): sccp_ansi_gti.",
        sccp_udt(sccp_addr_ansi(HOME_HLR, ssn=6, gti=3), sccp_addr_ansi(PARTNER_VLR, ssn=7), ul))
    short = sccp_addr_ansi(ssn=1, pc24=PARTNER_PC, ri_ssn=True)[:-1]
    vec(outdir, "sccp", "scmg-calling-pc-two-octets",
        "ANSI calling address whose indicator announces a point code with only two of its\n"
        "three octets there (T1.112.3 3.4.2.1): sccp_addr_short.",
        sccp_udt(sccp_addr_ansi(ssn=1, pc24=HOME_PC, ri_ssn=True), short,
                 scmg_ansi(0x03, 6, HOME_PC), pclass=0x00))
    vec(outdir, "sccp", "udt-ansi-tcap-query",
        "ANSI TCAP (T1.114.3) Query With Permission (package type 0xE2) in a UDT between\n"
        "ANSI addresses: recognised and named (ansi_tcap), reported tcap_ansi so that the\n"
        "policy's malformed action judges it; never read as ITU TCAP.",
        sccp_udt(sccp_addr_ansi(HOME_HLR, ssn=6), sccp_addr_ansi(PARTNER_VLR, ssn=7),
                 ansi_tcap_query()))
    vec(outdir, "m3ua", "data-ansi-point-codes",
        "M3UA DATA (RFC 4666 3.3.1) with 24-bit ANSI point codes 7-2-1 -> 245-16-3 and the\n"
        "ANSI UDT: printed network-cluster-member.",
        m3ua_data(PARTNER_PC, HOME_PC, 3, gt_udt, ni=2, sls=17, rctx=7))
    m2pa = m2pa_user_data(0x10, 0x11, mtp3_ansi(PARTNER_PC, HOME_PC, 3, gt_udt, sls=0x85))
    vec(outdir, "packet", "m2pa-ansi-label-udt",
        "M2PA User Data (RFC 4165, PPID 5) carrying an MTP3 message with the ANSI routing\n"
        "label (T1.111.4 2.2: DPC 245-16-3, OPC 7-2-1, 3 octets each member first, 8-bit SLS\n"
        "0x85), read by the one label parser (sw_mtp3_label) with the variant, then the ANSI UDT.",
        ether(ipv4("10.0.0.1", "10.0.0.2",
                   sctp(3565, 3565, 0x11223344, [sctp_data(100, 1, 0, m2pa, ppid=5)])), 0x0800))
    vec(outdir, "packet", "m2pa-ansi-label-short",
        "M2PA User Data whose ANSI routing label stops after 5 of its 7 octets:\n"
        "m2pa_mtp3_short.",
        ether(ipv4("10.0.0.1", "10.0.0.2",
                   sctp(3565, 3565, 0x11223344,
                        [sctp_data(100, 1, 0,
                                   m2pa_user_data(0x10, 0x11,
                                                  mtp3_ansi(PARTNER_PC, HOME_PC, 3, b"")[:6]),
                                   ppid=5)])), 0x0800))
    vec(outdir, "packet", "udt-ansi-begin-updatelocation",
        "Ethernet/IPv4/SCTP/M3UA with ANSI point codes and the ANSI UDT (oracle-ansi compares\n"
        "it with tshark -o mtp3.standard:ANSI).",
        ether(ipv4("10.0.0.1", "10.0.0.2",
                   sctp(2905, 2905, 0x11223344,
                        [sctp_data(100, 1, 0, m3ua_data(PARTNER_PC, HOME_PC, 3, gt_udt, sls=3,
                                                        rctx=7))])), 0x0800))


if __name__ == "__main__":
    main(sys.argv[1])
