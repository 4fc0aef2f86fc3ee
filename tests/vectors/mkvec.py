#!/usr/bin/python3
"""Writes the hex of the named byte vectors (tests/vectors/<layer>/<name>.vec).

The expected output lines of each vector are written by `run_vectors --print` once, then
reviewed against the spec and tshark by hand and kept byte-exact; this script only produces the
input bytes so that the vectors can be regenerated or extended. Usage: mkvec.py OUTDIR
"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from sigtran import *  # noqa: E402,F403

ACN_LOCUP_V3 = "0.4.0.0.1.0.1.3"     # networkLocUpContext-v3, TS 29.002 17.3.2
ACN_ATI_V3 = "0.4.0.0.1.0.29.3"      # anyTimeEnquiryContext-v3
ACN_USSD_V2 = "0.4.0.0.1.0.19.2"     # networkUnstructuredSsContext-v2
HOME_HLR = "27820000010"
PARTNER_VLR = "336090000020"
IMSI_HOME = "655011234567890"

upd_loc = tlv(0x30, tlv(0x04, tbcd(IMSI_HOME)) + tlv(0x81, address_string(PARTNER_VLR)) +
              tlv(0x04, address_string(PARTNER_VLR)))
ati = tlv(0x30, tlv(0xA0, tlv(0x80, tbcd(IMSI_HOME))) + tlv(0xA1, tlv(0x80, b"")) +
          tlv(0x83, address_string("8613800000001")))


def ul_begin(form="short", gti=4, comps=None):
    cdpa = sccp_addr(HOME_HLR, ssn=6, gti=gti)
    cgpa = sccp_addr(PARTNER_VLR, ssn=7, gti=gti)
    comps = comps or [invoke(1, 2, upd_loc, form)]
    t = tcap("begin", otid=b"\x00\x00\x10\x01", dialogue=dialogue_aarq(ACN_LOCUP_V3, form),
             components=comps, form=form)
    return sccp_udt(cdpa, cgpa, t)


def frame(msus, vlans=(), v6=False, tsn=100):
    chunks = [sctp_data(tsn + i, 1, i, m3ua_data(2001, 1001, 3, m, sls=3, rctx=7))
              for i, m in enumerate(msus)]
    s = sctp(2905, 2905, 0x11223344, chunks)
    if v6:
        return ether(ipv6(b"\x20\x01\x0d\xb8" + b"\x00" * 11 + b"\x01",
                          b"\x20\x01\x0d\xb8" + b"\x00" * 11 + b"\x02", s), 0x86DD, vlans)
    return ether(ipv4("10.0.0.1", "10.0.0.2", s), 0x0800, vlans)


def vec(outdir, layer, name, comment, data, truncation=None):
    d = os.path.join(outdir, layer)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name + ".vec"), "w") as f:
        for line in comment.strip().splitlines():
            f.write("# " + line + "\n")
        f.write("layer: %s\n" % layer)
        if truncation:
            f.write("truncation: %s\n" % truncation)
        h = data.hex()
        f.write("hex:")
        for i in range(0, len(h), 64):
            f.write(" " + " ".join(h[j:j + 2] for j in range(i, min(i + 64, len(h)), 2)) + "\n")


def m2pa_vectors(outdir):
    """M2PA (RFC 4165, PPID 5): the same MAP and ISUP over M2PA's bare MTP3, link status, and one
    vector per named malformation (issue 17 D5, Bad input)."""
    def m2pa_frame(msg, tsn=300):
        s = sctp(3565, 3565, 0x55667788, [sctp_data(tsn, 1, 0, msg, ppid=5)])
        return ether(ipv4("10.0.5.1", "10.0.5.2", s))
    ul = mtp3_itu(2001, 1001, 3, ul_begin(), sls=9)
    vec(outdir, "packet", "m2pa-user-data-updatelocation",
        "SCTP PPID 5/M2PA User Data (RFC 4165 2.3.1) BSN 7 FSN 8/MTP3 SIO NI 2 SI 3, ITU label\n"
        "(Q.704 2.2.2) OPC 2001 DPC 1001 SLS 9/the SCCP UDT updateLocation of\n"
        "udt-begin-updatelocation: the same SCCP, TCAP and MAP fields as over M3UA.",
        m2pa_frame(m2pa_user_data(7, 8, ul)))
    vec(outdir, "packet", "m2pa-link-status-ready",
        "M2PA Link Status Ready (RFC 4165 2.3.2, state 4) with BSN/FSN 2^24-1 (alignment).",
        m2pa_frame(m2pa_link_status(4)))
    vec(outdir, "m2pa", "user-data-isup-iam",
        "M2PA User Data, priority 1, MTP3 SI 5 (ISUP) OPC 4000 DPC 1001 SLS 15: an IAM with\n"
        "the calling and called party numbers of isup/iam-calling-called (Q.763), as over M3UA.",
        m2pa_user_data(0x123456, 0xABCDEF, mtp3_itu(4000, 1001, 5, bytes.fromhex(
            "0100010060010a00020806031072282143" "0a07831172289988f700"), sls=15), pri=1))
    vec(outdir, "m2pa", "user-data-ack-only",
        "M2PA User Data without a Data field (RFC 4165 2.3.1): an acknowledgement, BSN 41.",
        m2pa_user_data(41, 40))
    vec(outdir, "m2pa", "user-data-sltm",
        "M2PA User Data carrying an MTP3 signalling link test message (SI 1, Q.707 SLTM H0/H1\n"
        "0x11, test pattern): the link's own traffic, recognised by its SI, not malformed.",
        m2pa_user_data(2, 3, mtp3_itu(1001, 4000, 1, bytes.fromhex("1140aabbccdd"))))
    vec(outdir, "m2pa", "link-status-proving-filler",
        "M2PA Link Status Proving Normal (state 2) with 8 octets of filler (RFC 4165 2.3.2).",
        m2pa_link_status(2, filler=b"\x00" * 8))
    vec(outdir, "m2pa", "mal-short",
        "15 octets: shorter than the 16-octet common and M2PA headers (m2pa_short).",
        m2pa_link_status(4)[:15], truncation="any")
    vec(outdir, "m2pa", "mal-version",
        "Version 2 (RFC 4165 2.1.1 defines 1): m2pa_version.",
        m2pa_msg(2, 0, 0, struct.pack(">I", 4), version=2))
    vec(outdir, "m2pa", "mal-class",
        "Message class 1 (M3UA transfer) inside PPID 5 (RFC 4165 2.1.1: 11): m2pa_class.",
        m2pa_msg(2, 0, 0, struct.pack(">I", 4), cls=1))
    vec(outdir, "m2pa", "mal-type",
        "Message type 3 (RFC 4165 2.1.1 defines 1 and 2): m2pa_type.",
        m2pa_msg(3, 0, 0, struct.pack(">I", 4)))
    vec(outdir, "m2pa", "mal-len-long",
        "Message length 24 in a 20-octet message: m2pa_len.",
        m2pa_link_status(4)[:4] + struct.pack(">I", 24) + m2pa_link_status(4)[8:])
    vec(outdir, "m2pa", "mal-len-trailing",
        "Message length 20 with 4 more octets after it (a second message no peer reads): m2pa_len.",
        m2pa_link_status(4) + b"\x00\x00\x00\x04", truncation="any")
    vec(outdir, "m2pa", "mal-link-status-state",
        "Link Status state 10 (RFC 4165 2.3.2 defines 1-9): m2pa_link_status.",
        m2pa_link_status(10))
    vec(outdir, "m2pa", "mal-link-status-short",
        "Link Status with a 2-octet state: m2pa_link_status.",
        m2pa_msg(2, 0, 0, b"\x00\x04"))
    vec(outdir, "m2pa", "mal-mtp3-short",
        "User Data with priority, SIO and 3 octets of an ITU routing label: m2pa_mtp3_short.",
        m2pa_msg(1, 0, 0, bytes.fromhex("00830102 03")[:5]))
    vec(outdir, "m2pa", "mal-si",
        "User Data whose SIO says SI 4 (TUP, Q.704 14.2.1): m2pa_si.",
        m2pa_user_data(0, 0, mtp3_itu(2001, 1001, 4, b"\x00\x01")))
    vec(outdir, "m2pa", "mal-sccp-inside",
        "User Data whose SCCP UDT stops after its first pointer: the SCCP malformation (sccp_short),\n"
        "as over M3UA.",
        m2pa_user_data(0, 0, mtp3_itu(2001, 1001, 3, bytes.fromhex("0901037f"))))


def main(outdir):
    vec(outdir, "packet", "udt-begin-updatelocation",
        "Ethernet/IPv4/SCTP DATA/M3UA DATA/SCCP UDT GTI 4 odd digits/TCAP Begin with AARQ\n"
        "networkLocUpContext-v3/invoke updateLocation (TS 29.002 17.6.1) with IMSI, MSC, VLR.",
        frame([ul_begin()]))
    vec(outdir, "packet", "udt-begin-updatelocation-long-form",
        "The same updateLocation with every BER length in long form: must decode identically.",
        frame([ul_begin(form="long")]))
    vec(outdir, "packet", "udt-begin-updatelocation-indefinite",
        "The same updateLocation with indefinite lengths on constructed TLVs (X.690 8.1.3.6).",
        frame([ul_begin(form="indef")]))
    vec(outdir, "packet", "udt-begin-gti2",
        "The same updateLocation with GTI 2 (translation type only) on both addresses.",
        frame([ul_begin(gti=2)]))
    vec(outdir, "packet", "ati-hidden-third-component",
        "A Begin whose third component is anyTimeInterrogation (opcode 71): every component\n"
        "must be listed.",
        frame([ul_begin(comps=[invoke(1, 2, upd_loc), invoke(2, 56, tlv(0x04, tbcd(IMSI_HOME))),
                               invoke(3, 71, ati)])]))
    vec(outdir, "packet", "bundle-three-chunks-vlan-qinq",
        "Two VLAN tags (802.1ad + 802.1Q) and three DATA chunks bundled in one SCTP packet.",
        frame([ul_begin(), ul_begin(gti=2), ul_begin(form="long")], vlans=(100, 200)))
    vec(outdir, "packet", "ipv6-udt-begin",
        "IPv6 (RFC 8200) carrying the updateLocation Begin.",
        frame([ul_begin()], v6=True))
    xudt = sccp_xudt(sccp_addr(HOME_HLR, ssn=6), sccp_addr(PARTNER_VLR, ssn=7),
                     tcap("begin", otid=b"\x01\x02\x03\x04", components=[invoke(1, 2, upd_loc)]),
                     segment=(True, 0, 0x0a0b0c))
    vec(outdir, "packet", "xudt-single-segment",
        "XUDT (Q.713 4.18) with a segmentation parameter saying first segment, 0 remaining:\n"
        "complete, so TCAP is decoded.",
        frame([xudt]))
    xudt2 = sccp_xudt(sccp_addr(HOME_HLR, ssn=6), sccp_addr(PARTNER_VLR, ssn=7),
                      tcap("begin", otid=b"\x01\x02\x03\x04",
                           components=[invoke(1, 2, upd_loc)])[:20],
                      segment=(True, 1, 0x0d0e0f))
    vec(outdir, "packet", "xudt-first-of-two-segments",
        "XUDT first segment of two: TCAP is not complete; reported as sccp_segmented.",
        frame([xudt2]))
    iam = bytes([0x01, 0x00, 0x01]) + bytes([0x00, 0x60, 0x01, 0x0a, 0x00, 0x02, 0x08]) + \
        bytes([0x06, 0x03, 0x10]) + tbcd("27821234") + \
        bytes([0x0a, 0x07, 0x83, 0x11]) + tbcd("278299887") + b"\x00"
    # CIC 1, IAM, nature of connection, forward call indicators, calling party's category,
    # transmission medium, pointers (called 2, optional 10), called party (len 6), optional
    # calling party number (0x0a, len 7), end of optional parameters.
    vec(outdir, "isup", "iam-calling-called",
        "ISUP IAM (Q.763 1.3): CIC 1, called party 27821234 (NAI 3, even), optional calling party\n"
        "number 278299887 (NAI 3, odd, screening 1), end of optional parameters.",
        iam)
    rel = bytes([0x05, 0x00, 0x0c, 0x02, 0x00, 0x02, 0x80, 0x90])
    # CIC 5, REL (Q.763 1.15), pointer to cause indicators, no optional part, cause length 2:
    # coding standard ITU / location user, cause value 16 (normal call clearing).
    vec(outdir, "isup", "rel-normal-clearing",
        "ISUP REL with cause indicators; type and CIC only are decoded (the parameters of\n"
        "messages other than IAM are not walked, so a truncated REL is not flagged).", rel,
        truncation="any")
    vec(outdir, "packet", "isup-iam",
        "M3UA DATA SI 5: ISUP IAM (Q.763 1.3) with called and calling party numbers.",
        ether(ipv4("10.0.0.1", "10.0.0.2",
                   sctp(2905, 2905, 0x55667788,
                        [sctp_data(7, 2, 0, m3ua_data(3001, 1001, 5, iam, sls=1))]))))
    vec(outdir, "packet", "m3ua-aspup-not-transfer",
        "M3UA ASPSM ASPUP (RFC 4666 3.5.1): management, no SCCP.",
        ether(ipv4("10.0.0.1", "10.0.0.2",
                   sctp(2905, 2905, 0x55667788, [sctp_data(1, 0, 0, m3ua_msg(3, 1))]))))
    vec(outdir, "packet", "idata-udt-begin",
        "I-DATA chunk (RFC 8260 2.1) carrying the updateLocation Begin.",
        ether(ipv4("10.0.0.1", "10.0.0.2",
                   sctp(2905, 2905, 0x55667788,
                        [sctp_idata(9, 1, 4, m3ua_data(2001, 1001, 3, ul_begin()))]))))
    vec(outdir, "packet", "ipv4-fragment",
        "An IPv4 first fragment (MF set): recognised and reported, not decoded further.",
        ether(ipv4("10.0.0.1", "10.0.0.2",
                   sctp(2905, 2905, 0x55667788,
                        [sctp_data(1, 0, 0, m3ua_data(2001, 1001, 3, ul_begin()))]),
                   frag=0x2000)), truncation="any")
    vec(outdir, "packet", "negative-global-opcodes",
        "A Begin with a negative local opcode and a global (OID) opcode.",
        frame([sccp_udt(sccp_addr(HOME_HLR, ssn=6), sccp_addr("8613800000001", ssn=7),
                        tcap("begin", otid=b"\x00\x00\x00\x01",
                             components=[invoke(1, -666), invoke(2, 0, global_op="1.2.3.4")]))]))
    vec(outdir, "m3ua", "data-rctx",
        "M3UA DATA with routing context and protocol data, SI 3, SCCP UDT inside.",
        m3ua_data(2001, 1001, 3, ul_begin(), rctx=7))
    vec(outdir, "m3ua", "proto-data-short",
        "Protocol Data shorter than its 12-byte routing label.",
        m3ua_msg(1, 1, m3ua_param(0x0210, b"\x00" * 8)), truncation="any")
    vec(outdir, "sccp", "udt-gti4-even",
        "UDT with GTI 4 even digit count (ES 2) on the called address.",
        sccp_udt(sccp_addr("278200000100", ssn=6), sccp_addr(PARTNER_VLR, ssn=7),
                 tcap("begin", otid=b"\x01", components=[invoke(1, 2, upd_loc)])))
    vec(outdir, "sccp", "udt-ri-ssn-pc",
        "UDT routed on SSN with point code and SSN, no global title.",
        sccp_udt(sccp_addr(ssn=6, pc=1001, ri_ssn=True), sccp_addr(ssn=7, pc=2001, ri_ssn=True),
                 tcap("begin", otid=b"\x01", components=[invoke(1, 2, upd_loc)])))
    vec(outdir, "tcap", "end-result-last",
        "TCAP End with DTID and returnResultLast carrying updateLocation's result.",
        tcap("end", dtid=b"\x00\x00\x10\x01",
             components=[result_last(1, 2, tlv(0x30, tlv(0x04, address_string(HOME_HLR))))]))
    ussd = tlv(0x30, tlv(0x04, b"\x0f") + tlv(0x04, bytes.fromhex("aa180c3602")) +
               tlv(0x80, address_string("27821234567")))
    vec(outdir, "tcap", "begin-process-ussd",
        "processUnstructuredSS-Request (opcode 59) with USSD string *100# (GSM 7-bit) and MSISDN.",
        tcap("begin", otid=b"\x11\x22\x33\x44", dialogue=dialogue_aarq(ACN_USSD_V2),
             components=[invoke(1, 59, ussd)]))
    vec(outdir, "tcap", "abort",
        "TCAP Abort with DTID only (no P-Abort cause, no dialogue portion).",
        tcap("abort", dtid=b"\x00\x00\x10\x01") + b"", truncation="any")

    # --- issue 13 Deliver 2: parameters that must be unique, repeated --------------------
    ati_out = ul_begin(comps=[invoke(1, 71, ati)])          # ATI from outside
    mo_fsm = tlv(0x30, tlv(0x84, address_string("27820000099")) +   # sm-RP-DA: SC [4]
                 tlv(0x82, address_string(PARTNER_VLR)) +             # sm-RP-OA: msisdn [2]
                 tlv(0x04, b"\x11\x00\x00\x91\x00\x00"))
    mo = sccp_udt(sccp_addr("27820000099", ssn=8), sccp_addr(PARTNER_VLR, ssn=8),
                  tcap("begin", otid=b"\x00\x00\x20\x02",
                       dialogue=dialogue_aarq("0.4.0.0.1.0.21.3"),
                       components=[invoke(1, 46, mo_fsm)]))
    pd = lambda payload: m3ua_param(0x0210, struct.pack(">IIBBBB", 2001, 1001, 3, 2, 0, 0) +
                                    payload)
    vec(outdir, "m3ua", "proto-data-twice-ati-then-mo-fsm",
        "Issue 13 finding 2: one M3UA DATA with two Protocol Data parameters, an ATI from\n"
        "outside then a partner's mo-forwardSM. RFC 4666 3.3.1 allows one; the decoder kept the\n"
        "last (allow/default) while tshark shows both: now m3ua_param_repeated.",
        m3ua_msg(1, 1, m3ua_param(0x0006, struct.pack(">I", 7)) + pd(ati_out) + pd(mo)))
    vec(outdir, "m3ua", "rctx-twice",
        "Two Routing Context parameters in one DATA (RFC 4666 3.3.1: once): m3ua_param_repeated.",
        m3ua_msg(1, 1, m3ua_param(0x0006, struct.pack(">I", 7)) +
                 m3ua_param(0x0006, struct.pack(">I", 8)) + pd(ul_begin())))
    seg = bytes([0x10, 4, 0x80, 0x0a, 0x0b, 0x0c])
    x = sccp_xudt(sccp_addr(HOME_HLR, ssn=6), sccp_addr(PARTNER_VLR, ssn=7),
                  tcap("begin", otid=b"\x01\x02\x03\x04", components=[invoke(1, 2, upd_loc)]))
    body = x[7:]  # the optional-part pointer (offset 6) counts 1 + len(body) to its part
    x2 = x[:6] + bytes([len(body) + 1]) + body + seg + bytes([0x12, 1, 0x00]) + seg + b"\x00"
    vec(outdir, "sccp", "xudt-segmentation-twice",
        "XUDT whose optional part carries the segmentation parameter twice (Q.713 4.18: once):\n"
        "sccp_param_repeated.",
        x2)
    x3 = x[:6] + bytes([len(body) + 1]) + body + bytes([0x03, 2, 0x42, 0x06]) + b"\x00"
    vec(outdir, "sccp", "xudt-called-address-in-optional-part",
        "XUDT with a second called party address (mandatory, Q.713 4.18) in its optional part:\n"
        "sccp_param_repeated.",
        x3)
    u = sccp_udt(sccp_addr(HOME_HLR, ssn=6), sccp_addr(PARTNER_VLR, ssn=7),
                 tcap("begin", otid=b"\x01", components=[invoke(1, 2, upd_loc)]))
    vec(outdir, "sccp", "udt-cgpa-pointer-into-cdpa",
        "UDT whose calling-address pointer points at the called address: one parameter read as\n"
        "two (Q.713 2.3): sccp_param_overlap.",
        u[:3] + bytes([2]) + u[4:])  # pointer at offset 3 + 2 = the called address
    ati2 = tlv(0x30, tlv(0xA0, tlv(0x80, tbcd(IMSI_HOME))) + tlv(0xA1, tlv(0x80, b"")) +
               tlv(0xA1, tlv(0x81, b"")) + tlv(0x83, address_string("8613800000001")))
    vec(outdir, "tcap", "ati-requested-info-twice",
        "anyTimeInterrogation whose argument carries requestedInfo [1] twice (TS 29.002 17.6.4:\n"
        "once): map_param_repeated.",
        tcap("begin", otid=b"\x11\x22\x33\x44", dialogue=dialogue_aarq(ACN_ATI_V3),
             components=[invoke(1, 71, ati2)]))
    ati3 = tlv(0x30, tlv(0xA0, tlv(0x80, tbcd(IMSI_HOME))) +
               tlv(0xA0, tlv(0x80, tbcd("262001234567890"))) + tlv(0xA1, tlv(0x80, b"")))
    vec(outdir, "tcap", "ati-subscriber-identity-twice",
        "anyTimeInterrogation with two subscriberIdentity [0] (two IMSIs): map_param_repeated.",
        tcap("begin", otid=b"\x11\x22\x33\x44", dialogue=dialogue_aarq(ACN_ATI_V3),
             components=[invoke(1, 71, ati3)]))

    # --- issue 17 Deliver 1: LUDT two-octet pointers, each reading --------------------------
    big = tcap("begin", otid=b"\x01\x02\x03\x04", dialogue=dialogue_aarq(ACN_LOCUP_V3),
               components=[invoke(1, 2, upd_loc)])
    vec(outdir, "sccp", "ludt-pointers-from-second-octet",
        "LUDT (Q.713 4.20) whose two-octet pointers count from their second octet, as\n"
        "Wireshark and other stacks encode them: decoded down to MAP.",
        sccp_ludt(sccp_addr(HOME_HLR, ssn=6), sccp_addr(PARTNER_VLR, ssn=7), big))
    vec(outdir, "sccp", "ludt-pointers-from-first-octet",
        "The same LUDT with its pointers counted from their first octet (sigwall's former\n"
        "reading): every parameter is one octet off; not guessed at, reported.",
        sccp_ludt(sccp_addr(HOME_HLR, ssn=6), sccp_addr(PARTNER_VLR, ssn=7), big,
                  from_first_octet=True), truncation="any")
    vec(outdir, "packet", "ludt-begin-updatelocation",
        "Ethernet/IPv4/SCTP/M3UA carrying the interoperable LUDT (oracle-vectors compares it\n"
        "with tshark).",
        frame([sccp_ludt(sccp_addr(HOME_HLR, ssn=6), sccp_addr(PARTNER_VLR, ssn=7), big)]))

    # --- issue 17 Deliver 2: SCCP management (SSN 1), Q.713 5.3 ------------------------------
    def scmg(data):
        return sccp_udt(sccp_addr(ssn=1, pc=1001, ri_ssn=True), sccp_addr(ssn=1, pc=2001,
                                                                        ri_ssn=True), data,
                        pclass=0x00)
    vec(outdir, "sccp", "scmg-sst",
        "Subsystem-status-test (Q.713 5.3) for SSN 6 (HLR) at point code 1001, SMI 0: decoded\n"
        "as SCCP management, not as TCAP.",
        scmg(bytes([0x03, 0x06, 0xe9, 0x03, 0x00])))
    vec(outdir, "sccp", "scmg-ssp",
        "Subsystem-prohibited for SSN 8 (MSC) at point code 2001.",
        scmg(bytes([0x02, 0x08, 0xd1, 0x07, 0x00])))
    vec(outdir, "sccp", "scmg-ssc",
        "SCCP/subsystem-congested (Q.713 5.3) with congestion level 5 (six octets).",
        scmg(bytes([0x06, 0x07, 0xe9, 0x03, 0x00, 0x05])))
    vec(outdir, "sccp", "scmg-unknown-format",
        "Data to SSN 1 with format identifier 9 (not SSA..SSC): sccp_scmg_type.",
        scmg(bytes([0x09, 0x06, 0xe9, 0x03, 0x00])))
    vec(outdir, "sccp", "scmg-sst-trailing-octet",
        "SST with a sixth octet (only SSC has one): sccp_scmg_len.",
        scmg(bytes([0x03, 0x06, 0xe9, 0x03, 0x00, 0x00])))
    vec(outdir, "packet", "scmg-sst",
        "Ethernet/IPv4/SCTP/M3UA/SCCP UDT carrying an SST to SSN 1 (oracle-vectors: tshark's\n"
        "sccpmg fields).",
        frame([scmg(bytes([0x03, 0x06, 0xe9, 0x03, 0x00]))]))

    # --- issue 17 Deliver 4: connection-oriented SCCP classified (Q.713 4.2-4.17) -----------
    cdpa = sccp_addr(ssn=254, pc=1337, ri_ssn=True)
    cgpa = sccp_addr(ssn=254, pc=666, ri_ssn=True)
    cr = (bytes([0x01, 0x01, 0x02, 0x03, 0x02, 0x02, 2 + len(cdpa)]) + bytes([len(cdpa)]) +
          cdpa + bytes([0x04, len(cgpa)]) + cgpa + b"\x00")
    vec(outdir, "sccp", "co-cr",
        "Connection request (Q.713 4.2): SLR, class 2, called address, the calling address in\n"
        "the optional part: classified, sccp_connection_oriented.",
        cr)
    vec(outdir, "sccp", "co-rlsd",
        "Released (Q.713 4.5): DLR, SLR, release cause 3, no optional part.",
        bytes([0x04, 0x0c, 0x0b, 0x0a, 0x03, 0x02, 0x01, 0x03, 0x00]), truncation="any")
    vec(outdir, "sccp", "co-dt1",
        "Data form 1 (Q.713 4.7): DLR, segmenting/reassembling, 3 octets of data.",
        bytes([0x06, 0x07, 0x00, 0x00, 0x00, 0x01, 0x03, 0x01, 0x02, 0x03]))
    vec(outdir, "packet", "co-cr",
        "Ethernet/IPv4/SCTP/M3UA carrying the connection request (oracle-vectors: tshark's\n"
        "sccp.slr).",
        frame([cr]))

    # --- issue 15 Deliver 1: dialogue references, results, errors, aborts ---------------------
    def user_info(map_pdu):
        # user-information [30] { EXTERNAL { map-DialogueAS, single-ASN1-type [0] } } (TS 29.002 17.4)
        return tlv(0xBE, tlv(0x28, tlv(0x06, oid("0.4.0.0.1.1.1.1")) + tlv(0xA0, map_pdu)))

    def aarq_ui(acn, map_pdu):
        aarq = tlv(0x80, b"\x07\x80") + tlv(0xA1, tlv(0x06, oid(acn))) + user_info(map_pdu)
        ext = tlv(0x06, oid(DIALOGUE_AS_ID)) + tlv(0xA0, tlv(0x60, aarq))
        return tlv(0x6B, tlv(0x28, ext))

    def aare(acn, result=0, diag_tag=0xA1, diag=0, map_pdu=None):
        body = (tlv(0x80, b"\x07\x80") + tlv(0xA1, tlv(0x06, oid(acn))) +
                tlv(0xA2, tlv(0x02, ber_int(result))) + tlv(0xA3, tlv(diag_tag, tlv(0x02, ber_int(diag)))))
        if map_pdu is not None:
            body += user_info(map_pdu)
        ext = tlv(0x06, oid(DIALOGUE_AS_ID)) + tlv(0xA0, tlv(0x61, body))
        return tlv(0x6B, tlv(0x28, ext))

    def abrt(source, map_pdu=None):
        body = tlv(0x80, ber_int(source)) + (user_info(map_pdu) if map_pdu is not None else b"")
        ext = tlv(0x06, oid(DIALOGUE_AS_ID)) + tlv(0xA0, tlv(0x64, body))
        return tlv(0x6B, tlv(0x28, ext))

    ACN_MT_RELAY_V3 = "0.4.0.0.1.0.25.3"
    ACN_SMS_GW_V3 = "0.4.0.0.1.0.20.3"
    ACN_GPRS_LOCUP_V3 = "0.4.0.0.1.0.32.3"
    SMSC = "27820000030"
    PARTNER_SMSC = "336090000030"
    map_open = tlv(0xA0, tlv(0x80, address_string(IMSI_HOME, nai=1, npi=6)) +
                   tlv(0x81, address_string(PARTNER_SMSC)))
    # MT-ForwardSM-Arg: sm-RP-DA lmsi [1], sm-RP-OA serviceCentreAddressOA [4], sm-RP-UI
    mt_fsm_lmsi = tlv(0x30, tlv(0x81, b"\x00\x01\x02\x03") + tlv(0x84, address_string(PARTNER_SMSC)) +
                      tlv(0x04, b"\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"))
    mt_open = sccp_udt(sccp_addr("27820000020", ssn=8), sccp_addr(PARTNER_SMSC, ssn=8),
                       tcap("begin", otid=b"\x00\x00\x30\x03",
                            dialogue=aarq_ui(ACN_MT_RELAY_V3, map_open),
                            components=[invoke(1, 44, mt_fsm_lmsi)]))
    vec(outdir, "packet", "udt-begin-mt-fsm-map-open-imsi",
        "mt-forwardSM whose SM-RP-DA is an LMSI: the subscriber is the MAP-OPEN\n"
        "destinationReference (TS 29.002 7.3.1, 17.4: AddressString, NPI 6 E.212 = the IMSI), the\n"
        "originationReference the SMSC (E.164). oracle: gsm_map.dialogue.destinationReference.",
        frame([mt_open]))
    sri_sm_res = tlv(0x30, tlv(0x04, tbcd(IMSI_HOME)) +
                     tlv(0xA0, tlv(0x81, address_string("27820000040")) + tlv(0x85, b"") +
                         tlv(0xA6, tlv(0x80, address_string("27820000020")))))
    sri_end = sccp_udt(sccp_addr(PARTNER_SMSC, ssn=8), sccp_addr(HOME_HLR, ssn=6),
                       tcap("end", dtid=b"\x00\x00\x40\x04", dialogue=aare(ACN_SMS_GW_V3),
                            components=[result_last(1, 45, sri_sm_res)]))
    vec(outdir, "packet", "udt-end-sri-sm-result-gprs-node",
        "End with AARE (accepted) and the returnResultLast of sendRoutingInfoForSM (TS 29.002\n"
        "12.1.3): IMSI, networkNode-Number with gprsNodeIndicator (so the SGSN) and\n"
        "additional-Number msc-Number [0] (the MSC). map.sgsn = the node, map.msc = the MSC.",
        frame([sri_end]))
    ugl_end = sccp_udt(sccp_addr("336090000050", ssn=149), sccp_addr(HOME_HLR, ssn=6),
                       tcap("end", dtid=b"\x00\x00\x50\x05", dialogue=aare(ACN_GPRS_LOCUP_V3),
                            components=[result_last(1, 23, tlv(0x30, tlv(0x04, address_string(HOME_HLR))))]))
    vec(outdir, "packet", "udt-end-update-gprs-location-result",
        "End answering updateGprsLocation with its result: hlr-Number (TS 29.002 17.6.1).",
        frame([ugl_end]))
    err = tlv(0xA3, tlv(0x02, ber_int(1)) + tlv(0x02, ber_int(6)) +
              tlv(0x30, tlv(0x02, b"\x01")))
    err_end = sccp_udt(sccp_addr(PARTNER_SMSC, ssn=8), sccp_addr("27820000020", ssn=8),
                       tcap("end", dtid=b"\x00\x00\x30\x03", components=[err]))
    vec(outdir, "packet", "udt-end-return-error-absent-subscriber-sm",
        "End with returnError 6 absentSubscriberSM (TS 29.002 17.6.6) answering invoke 1, its\n"
        "AbsentSubscriberSM-Param with absentSubscriberDiagnosticSM 1.",
        frame([err_end]))
    linked = tlv(0xA1, tlv(0x02, ber_int(2)) + tlv(0x80, ber_int(1)) + tlv(0x02, ber_int(60)) +
                 tlv(0x30, tlv(0x04, b"\x0f") + tlv(0x04, bytes.fromhex("aa180c3602"))))
    ussr = sccp_udt(sccp_addr("27820000020", ssn=7), sccp_addr(HOME_HLR, ssn=6),
                    tcap("continue", otid=b"\x00\x00\x60\x06", dtid=b"\x00\x00\x60\x07",
                         components=[linked]))
    vec(outdir, "packet", "udt-continue-linked-invoke",
        "Continue with an unstructuredSS-Request invoke 2 linked to invoke 1 (linkedID [0],\n"
        "Q.773 4.2.2.1).",
        frame([ussr]))
    pabort = tlv(0x67, tlv(0x49, b"\x00\x00\x10\x01") + tlv(0x4A, b"\x01"))
    vec(outdir, "packet", "udt-abort-p-unrecognized-tid",
        "TC-ABORT with P-AbortCause 1 unrecognizedTransactionID (Q.773 4.1).",
        frame([sccp_udt(sccp_addr(PARTNER_VLR, ssn=7), sccp_addr(HOME_HLR, ssn=6), pabort)]))
    uabort = tlv(0x67, tlv(0x49, b"\x00\x00\x10\x01") +
                 abrt(0, tlv(0xA4, tlv(0x82, b"\x01"))))
    vec(outdir, "packet", "udt-abort-u-map-user-abort",
        "TC-ABORT with a dialogue portion: ABRT abort-source 0 (dialogue-service-user) and the\n"
        "MAP-UserAbortInfo resourceUnavailable [2] longTermResourceLimitation (TS 29.002 17.4).",
        frame([sccp_udt(sccp_addr(PARTNER_VLR, ssn=7), sccp_addr(HOME_HLR, ssn=6), uabort)]))
    refuse = tlv(0x64, tlv(0x49, b"\x00\x00\x10\x01") +
                 aare(ACN_LOCUP_V3, result=1, diag=2, map_pdu=tlv(0xA3, tlv(0x0A, b"\x01"))))
    vec(outdir, "packet", "udt-end-aare-reject-map-refuse",
        "End with AARE result 1 reject-permanent, dialogue-service-user diagnostic 2\n"
        "(application-context-name-not-supported) and MAP-RefuseInfo reason 1\n"
        "invalidDestinationReference.",
        frame([sccp_udt(sccp_addr(PARTNER_VLR, ssn=7), sccp_addr(HOME_HLR, ssn=6), refuse)]))
    twice = tlv(0xA0, tlv(0x80, address_string(IMSI_HOME, nai=1, npi=6)) +
                tlv(0x80, address_string("234150000000001", nai=1, npi=6)))
    vec(outdir, "tcap", "map-open-destination-reference-twice",
        "MAP-OPEN with two destinationReferences (two subscribers, read two ways): tcap_dialogue.",
        tcap("begin", otid=b"\x00\x00\x30\x03", dialogue=aarq_ui(ACN_MT_RELAY_V3, twice),
             components=[invoke(1, 44, mt_fsm_lmsi)]))
    vec(outdir, "tcap", "map-user-abort-bad-choice",
        "MAP-UserAbortInfo whose choice tag is [7] (TS 29.002 17.4 has [0]..[3]): tcap_dialogue.",
        tlv(0x67, tlv(0x49, b"\x00\x00\x10\x01") + abrt(0, tlv(0xA4, tlv(0x87, b"")))))
    vec(outdir, "tcap", "map-open-imsi-dest-ref",
        "The MAP-OPEN of the mt-forwardSM above at the TCAP layer (truncation checks).",
        tcap("begin", otid=b"\x00\x00\x30\x03", dialogue=aarq_ui(ACN_MT_RELAY_V3, map_open),
             components=[invoke(1, 44, mt_fsm_lmsi)]), truncation="any")
    cap_vectors(outdir)


# --- CAP, 3GPP TS 29.078 (issue 17) ---------------------------------------------------------
HOME_SCF = "27820000146"        # home gsmSCF (SSN 146)
PARTNER_MSC = "336090000030"    # visited MSC/gsmSSF (SSN 146)
CAP_CGI = bytes.fromhex("62f2200001000a")  # MCC 262, MNC 02, LAC 1, CI 10 (TS 29.002 17.7.5)


def cap_udt(t, to_scf=True, ssn=146):
    scf, ssf = sccp_addr(HOME_SCF, ssn=ssn), sccp_addr(PARTNER_MSC, ssn=ssn)
    return sccp_udt(scf, ssf, t) if to_scf else sccp_udt(ssf, scf, t)


def cap_vectors(outdir):
    idp = cap_idp(100, calling="27821234567", called="4915112345678", event=2,
                  imsi=IMSI_HOME, vlr=PARTNER_VLR, cgi=CAP_CGI, msc=PARTNER_MSC)
    begin_idp = tcap("begin", otid=b"\x01\x46\x00\x01", dialogue=dialogue_aarq(CAP_ACN_V3),
                     components=[invoke(1, 0, idp)])
    vec(outdir, "tcap", "cap-v3-begin-initialdp",
        "CAP v3 (application context 0.4.0.0.1.21.3.4 capssf-scfGenericAC, TS 29.078) Begin with\n"
        "initialDP (0): serviceKey 100, called/calling party numbers (Q.763), eventTypeBCSM 2\n"
        "collectedInfo, iMSI, locationInformation (vlr-number, cell global id), mscAddress.\n"
        "MAP would have called opcode 0 unknown.", begin_idp)
    vec(outdir, "tcap", "cap-v2-begin-initialdp",
        "CAP v2 context 0.4.0.0.1.0.50.1 (CAP-v2-gsmSSF-to-gsmSCF-AC): version 2, serviceKey only.",
        tcap("begin", otid=b"\x01\x46\x00\x02", dialogue=dialogue_aarq(CAP_ACN_V2),
             components=[invoke(1, 0, cap_idp(7))]))
    vec(outdir, "tcap", "cap-v1-begin-initialdp",
        "CAP v1 context 0.4.0.0.1.0.50.0 (CAP-v1-gsmSSF-to-gsmSCF-AC): version 1.",
        tcap("begin", otid=b"\x01\x46\x00\x03", dialogue=dialogue_aarq("0.4.0.0.1.0.50.0"),
             components=[invoke(1, 0, cap_idp(7))]))
    vec(outdir, "tcap", "cap-v4-begin-initialdp",
        "CAP v4 context 0.4.0.0.1.23.3.4 (cap4OE capssf-scfGenericAC): version 4.",
        tcap("begin", otid=b"\x01\x46\x00\x04", dialogue=dialogue_aarq(CAP_ACN_V4),
             components=[invoke(1, 0, cap_idp(7, imsi=IMSI_HOME))]))
    vec(outdir, "tcap", "cap-v3-sms-initialdpsms",
        "CAP v3 SMS context 0.4.0.0.1.21.3.61 (cap3-sms-AC), initialDPSMS (60): serviceKey [0],\n"
        "destinationSubscriberNumber [1] (CalledPartyBCDNumber), callingPartyNumber [2]\n"
        "(SMS-AddressString), iMSI [4].",
        tcap("begin", otid=b"\x01\x46\x00\x05", dialogue=dialogue_aarq(CAP_ACN_V3_SMS),
             components=[invoke(1, 60, tlv(0x30, ctx(0, b"\x05") +
                                          ctx(1, b"\x91" + tbcd("4915112345678")) +
                                          ctx(2, address_string("27821234567")) +
                                          ctx(4, tbcd(IMSI_HOME))))]))
    # TC-CONTINUE in the middle of the dialogue: no dialogue portion, SSN 146 says CAP
    cont = tcap("continue", otid=b"\x00\x00\x90\x01", dtid=b"\x01\x46\x00\x01",
                components=[invoke(2, 23, cap_rrb()), invoke(3, 35, cap_apply_charging()),
                            invoke(4, 31)])
    vec(outdir, "sccp", "cap-continue-no-dialogue-ssn146",
        "gsmSCF -> gsmSSF Continue without dialogue portion (Q.771: only the first backward\n"
        "message carries the AARE) with requestReportBCSMEvent (23), applyCharging (35) and\n"
        "continue (31): CAP by SSN 146 (MAP read them as updateGprsLocation,\n"
        "noteInternalHandover, provideSIWFSNumber). Event of the first BCSMEvent: 7 oAnswer.",
        cap_udt(cont, to_scf=False))
    erb = tcap("continue", otid=b"\x01\x46\x00\x01", dtid=b"\x00\x00\x90\x01",
               components=[invoke(5, 24, cap_erb(7))])
    vec(outdir, "sccp", "cap-continue-eventreportbcsm-ssn146",
        "gsmSSF -> gsmSCF eventReportBCSM (24) oAnswer without dialogue portion: CAP by SSN 146\n"
        "(MAP: sendRoutingInfoForGprs, which fs11-cat1 drops).", cap_udt(erb))
    vec(outdir, "sccp", "cap-connect-ssn146",
        "connect (20) with destinationRoutingAddress: called 4915112345678.",
        cap_udt(tcap("end", dtid=b"\x01\x46\x00\x01",
                     components=[invoke(6, 20, cap_connect("4915112345678"))]), to_scf=False))
    vec(outdir, "sccp", "cap-releasecall-ssn146",
        "releaseCall (22) with Cause 80 90 (Q.850 normal call clearing) in an End.",
        cap_udt(tcap("end", dtid=b"\x01\x46\x00\x01",
                     components=[invoke(7, 22, cap_release_call())]), to_scf=False))
    vec(outdir, "sccp", "map-ssn147-not-cap",
        "MAP anyTimeInterrogation from the gsmSCF on SSN 147 (TS 23.003: gsmSCF MAP) without\n"
        "dialogue portion is MAP, not CAP: only SSN 146 is CAP.",
        sccp_udt(sccp_addr(HOME_HLR, ssn=6), sccp_addr(HOME_SCF, ssn=147),
                 tcap("begin", otid=b"\x00\x00\x10\x02", components=[invoke(1, 71, ati)])))
    # Named malformations
    vec(outdir, "tcap", "cap-initialdp-no-service-key",
        "initialDP without its mandatory serviceKey [0]: cap_param_missing.",
        tcap("begin", otid=b"\x01\x46\x00\x06", dialogue=dialogue_aarq(CAP_ACN_V3),
             components=[invoke(1, 0, tlv(0x30, ctx(28, b"\x02")))]), truncation="any")
    vec(outdir, "tcap", "cap-initialdp-service-key-twice",
        "initialDP with serviceKey [0] twice (100, then 200: read two ways): cap_param_repeated.",
        tcap("begin", otid=b"\x01\x46\x00\x07", dialogue=dialogue_aarq(CAP_ACN_V3),
             components=[invoke(1, 0, tlv(0x30, ctx(0, b"\x64") + ctx(0, b"\x00\xc8")))]),
        truncation="any")
    vec(outdir, "tcap", "cap-initialdp-imsi-long",
        "initialDP whose iMSI [50] has 9 octets (TS 29.002 17.7.4: 3..8): cap_digits_long.",
        tcap("begin", otid=b"\x01\x46\x00\x08", dialogue=dialogue_aarq(CAP_ACN_V3),
             components=[invoke(1, 0, tlv(0x30, ctx(0, b"\x64") +
                                          ctx(50, tbcd("65501123456789012"))))]),
        truncation="any")
    vec(outdir, "tcap", "cap-eventreportbcsm-constructed-event",
        "eventReportBCSM whose eventTypeBCSM [0] is constructed (an ENUMERATED): cap_param.",
        tcap("begin", otid=b"\x01\x46\x00\x09", dialogue=dialogue_aarq(CAP_ACN_V3),
             components=[invoke(1, 24, tlv(0x30, ctx(0, tlv(0x0A, b"\x07"), True)))]),
        truncation="any")
    vec(outdir, "tcap", "cap-releasecall-cause-short",
        "releaseCall whose Cause has 1 octet (TS 29.078: SIZE (2..32)): cap_param.",
        tcap("begin", otid=b"\x01\x46\x00\x0a", dialogue=dialogue_aarq(CAP_ACN_V3),
             components=[invoke(1, 22, tlv(0x04, b"\x80"))]), truncation="any")
    # Every check of cap.c has a vector (issue 17 D3 bad input), each truncated at every octet
    def cap_begin(tid, op, arg):
        return tcap("begin", otid=b"\x01\x46\x01" + bytes([tid]), dialogue=dialogue_aarq(
            CAP_ACN_V3), components=[invoke(1, op, arg if arg is not None else b"")])
    bad = (
        ("cap-initialdp-no-argument", "initialDP invoke without its ARGUMENT: cap_param_missing.",
         cap_begin(1, 0, None)),
        ("cap-initialdp-not-sequence", "initialDP whose argument is an OCTET STRING, not the\n"
         "InitialDPArg SEQUENCE: cap_param.", cap_begin(2, 0, tlv(0x04, b"\x01\x02"))),
        ("cap-initialdp-universal-element", "initialDP with a universal INTEGER among its\n"
         "context-tagged parameters (IMPLICIT TAGS: every one is [n]): cap_param.",
         cap_begin(3, 0, tlv(0x30, ctx(0, b"\x64") + tlv(0x02, b"\x01")))),
        ("cap-initialdp-service-key-negative", "initialDP with serviceKey -1 (ServiceKey ::=\n"
         "INTEGER (0..2147483647)): cap_param.", cap_begin(4, 0, tlv(0x30, ctx(0, b"\xff")))),
        ("cap-initialdp-calling-long", "initialDP whose callingPartyNumber [3] has 17 octets (30\n"
         "digits; the decoder accepts 16): cap_digits_long.",
         cap_begin(5, 0, tlv(0x30, ctx(0, b"\x64") + ctx(3, q763_number("27" * 15, True))))),
        ("cap-initialdp-called-short", "initialDP whose calledPartyNumber [2] has 1 octet (Q.763\n"
         "3.9 needs its two header octets): cap_param.",
         cap_begin(6, 0, tlv(0x30, ctx(0, b"\x64") + ctx(2, b"\x84")))),
        ("cap-initialdp-cell-wrong-length", "initialDP whose cellGlobalIdOrServiceAreaIdFixedLength\n"
         "has 6 octets (TS 29.002 17.7.5: SIZE (7)): cap_param.",
         cap_begin(7, 0, tlv(0x30, ctx(0, b"\x64") + ctx(52, ctx(3, ctx(0, CAP_CGI[:6]), True),
                                                        True)))),
        ("cap-initialdp-vlr-twice", "initialDP whose locationInformation has vlr-number [1] twice\n"
         "(two VLRs, read two ways): cap_param_repeated.",
         cap_begin(8, 0, tlv(0x30, ctx(0, b"\x64") + ctx(52, ctx(1, address_string(PARTNER_VLR)) +
                                                        ctx(1, address_string(PARTNER_MSC)),
                                                        True)))),
        ("cap-rrb-event-no-monitor-mode", "requestReportBCSMEvent whose BCSMEvent has no\n"
         "monitorMode [1] (mandatory): cap_param_missing.",
         cap_begin(9, 23, tlv(0x30, ctx(0, tlv(0x30, ctx(0, b"\x07")), True)))),
        ("cap-rrb-no-events", "requestReportBCSMEvent whose bcsmEvents [0] is empty (SIZE\n"
         "(1..30)): cap_param_missing.", cap_begin(10, 23, tlv(0x30, ctx(0, b"", True)))),
        ("cap-connect-two-numbers", "connect whose destinationRoutingAddress holds two numbers\n"
         "(SEQUENCE SIZE (1)): cap_param.",
         cap_begin(11, 20, tlv(0x30, ctx(0, tlv(0x04, q763_number("4915112345678")) +
                                         tlv(0x04, q763_number("4915112345679")), True)))),
        ("cap-erb-no-event-type", "eventReportBCSM without its mandatory eventTypeBCSM [0]:\n"
         "cap_param_missing.", cap_begin(12, 24, tlv(0x30, ctx(2, b"\x01")))),
    )
    for name, comment, t in bad:
        vec(outdir, "tcap", name, comment, t, truncation="any")
    # Whole frames: the oracle compares them with tshark's camel dissector
    vec(outdir, "packet", "cap-v3-begin-initialdp",
        "The CAP v3 initialDP Begin above, gsmSSF (partner MSC) to the home gsmSCF.",
        frame([cap_udt(begin_idp)]))
    vec(outdir, "packet", "cap-continue-rrb-ach-continue",
        "The gsmSCF's Continue without dialogue portion (CAP by SSN 146).",
        frame([cap_udt(cont, to_scf=False)]))
    vec(outdir, "packet", "cap-continue-eventreportbcsm",
        "eventReportBCSM (24) oAnswer from the gsmSSF, no dialogue portion.",
        frame([cap_udt(erb)]))


if __name__ == "__main__":
    m2pa_vectors(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__)))
