#!/usr/bin/python3
"""Oracle: `sigwallctl inspect --json` against `tshark -T fields` on the same captures.

Compared per frame (all MSUs of a frame in order, as tshark lists every occurrence): OPC, DPC,
SCCP message type, called and calling GT digits and SSNs, TCAP message type, OTID, DTID, every
component's local operation code, and the IMSI where tshark shows one and we decoded the
operation; issue 15's dialogue fields: returnError codes (as tshark, in gsm_old.localValue),
linked IDs, the P-Abort cause, ABRT abort-source, AARE result and diagnostic, the MAP-OPEN
destination/origination references (digits and numbering plan), the MAP refuse / abort reasons,
and the sendRoutingInfoForSM networkNode-Number / gprsNodeIndicator and the updateLocation /
updateGprsLocation hlr-Number of a returnResult; issue 17's CAP: operation codes (camel.local),
serviceKey, eventTypeBCSM, IMSI, calling/called numbers, VLR number, cell id, MSC address. Segmented XUDTs are compared up to SCCP: tshark reassembles them, the decoder reports
them as sccp_segmented and the policy fails closed on them (documented in the README).

usage: oracle.py SIGWALLCTL CAPTURE... ; a directory argument means every *.pcap in it; a
leading '?' marks an optional path (skipped with a message when absent). Exit 77 when nothing
could be compared (no tshark or no captures), 1 on any mismatch.
"""
import glob
import json
import os
import shutil
import subprocess
import sys

SCCP_TYPES = {"cr": 0x01, "cc": 0x02, "cref": 0x03, "rlsd": 0x04, "rlc": 0x05, "dt1": 0x06,
              "dt2": 0x07, "ak": 0x08, "ed": 0x0B, "ea": 0x0C, "rsr": 0x0D, "rsc": 0x0E,
              "err": 0x0F, "it": 0x10, "udt": 0x09, "udts": 0x0A, "xudt": 0x11, "xudts": 0x12, "ludt": 0x13, "ludts": 0x14}
SCMG_TYPES = {"ssa": 1, "ssp": 2, "sst": 3, "sor": 4, "sog": 5, "ssc": 6}
TS_FIELDS = ["frame.number", "m3ua.protocol_data_opc", "m3ua.protocol_data_dpc",
             "sccp.message_type", "sccp.called.digits", "sccp.calling.digits", "sccp.called.ssn",
             "sccp.calling.ssn", "tcap.otid", "tcap.dtid", "gsm_old.localValue", "e212.imsi",
             "tcap.begin_element", "tcap.continue_element", "tcap.end_element",
             "tcap.abort_element", "tcap.unidirectional_element",
             "sccpmg.message_type", "sccpmg.ssn", "sccpmg.pc", "sccpmg.smi", "sccpmg.congestion",
             "sccp.dlr", "sccp.slr",
             # issue 15 Deliver 1
             "gsm_old.linkedID", "tcap.p_abortCause", "tcap.abort_source", "tcap.result",
             "tcap.dialogue_service_user", "tcap.dialogue_service_provider",
             "gsm_map.dialogue.destinationReference", "gsm_map.dialogue.originationReference",
             "gsm_map.dialogue.reason", "gsm_map.dialogue.map_UserAbortChoice",
             "gsm_map.dialogue.map_ProviderAbortReason", "gsm_map.sm.networkNode_Number",
             "gsm_map.sm.gprsNodeIndicator_element", "gsm_map.ms.hlr_Number",
             # issue 17 D5: M2PA (RFC 4165) and the bare MTP3 label it carries (Q.704 2.2)
             "m2pa.type", "m2pa.bsn", "m2pa.fsn", "m2pa.status", "mtp3.opc", "mtp3.dpc",
             "mtp3.sls", "mtp3.service_indicator",
             # issue 17 D6: an ANSI affected point code, network-cluster-member (T1.112.3 5.3)
             "sccpmg.network", "sccpmg.cluster", "sccpmg.member",
             # issue 17 D3: CAP (tshark's camel dissector)
             "camel.local", "camel.serviceKey", "camel.eventTypeBCSM", "gsm_map.ms.vlr_number",
             "gsm_map.cellGlobalIdOrServiceAreaIdFixedLength", "camel.mscAddress",
             "isup.calling", "isup.called"]
M2PA_TYPES = {"user_data": 1, "link_status": 2}
M2PA_STATES = {"alignment": 1, "proving_normal": 2, "proving_emergency": 3, "ready": 4,
               "processor_outage": 5, "processor_recovered": 6, "busy": 7, "busy_ended": 8,
               "out_of_service": 9}
# Compared only in frames with a CAP record (isup.calling / isup.called also name ISUP's numbers,
# which the oracle does not compare).
CAP_FIELDS = {"camel.local", "camel.serviceKey", "camel.eventTypeBCSM", "gsm_map.ms.vlr_number",
              "gsm_map.cellGlobalIdOrServiceAreaIdFixedLength", "camel.mscAddress",
              "isup.calling", "isup.called"}
# tshark lists every BCSMEvent's type of a requestReportBCSMEvent; we keep the first
FIRST_OF_FIELDS = {"camel.eventTypeBCSM"}
# CAP arguments: our record holds the first invoke's (as for MAP), tshark lists every component's
# and every bundled MSU's (an ISUP IAM's numbers too). Compared exactly where the frame carries
# one TCAP/ISUP message with at most one invoke; otherwise ours must appear in tshark's list in
# their order (sigwall-gen --cap bundles requestReportBCSMEvent with connect, issue 17 D3).
CAP_ARG_FIELDS = CAP_FIELDS - {"camel.local"}
# AddressString fields tshark shows as bytes (ext/NAI/NPI octet + TBCD): compared as digits, and
# for the dialogue references also as "npi/digits".
ADDR_FIELDS = {"gsm_map.sm.networkNode_Number", "gsm_map.ms.hlr_Number",
               "gsm_map.ms.vlr_number", "camel.mscAddress"}
REF_FIELDS = {"gsm_map.dialogue.destinationReference", "gsm_map.dialogue.originationReference"}
TCAP_ELEMENTS = {"begin": "tcap.begin_element", "continue": "tcap.continue_element",
                 "end": "tcap.end_element", "abort": "tcap.abort_element",
                 "unidirectional": "tcap.unidirectional_element"}


# ORACLE_VARIANT=ansi: both sides read the captures as an ANSI network (issue 17 D6)
VARIANT = os.environ.get("ORACLE_VARIANT", "itu")


def tshark_frames(path):
    # TSN analysis off: captures may repeat TSNs across associations, and tshark would then skip
    # the payload of what it takes for a retransmission.
    cmd = ["tshark", "-o", "sctp.tsn_analysis:FALSE", "-r", path, "-T", "fields", "-E", "occurrence=a", "-E", "separator=|",
           "-E", "aggregator=,"]
    if VARIANT == "ansi":
        cmd += ["-o", "mtp3.standard:ANSI"]  # 24-bit point codes, T1.112.3 SCCP (issue 17 D6)
    for f in TS_FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    frames = {}
    for line in out.splitlines():
        vals = line.split("|")
        row = {f: (v.split(",") if v else []) for f, v in zip(TS_FIELDS, vals)}
        frames[int(vals[0])] = row
    return frames


def tbcd_hex(h):
    """Digits of a TBCD octet string in hex (low nibble first, 0xf filler)."""
    out = ""
    for i in range(0, len(h), 2):
        lo, hi = h[i + 1], h[i]
        for n in (lo, hi):
            if n != "f":
                out += n
    return out


def addr_hex(h, with_npi=False):
    d = tbcd_hex(h[2:])
    return "%d/%s" % (int(h[:2], 16) & 0x0f, d) if with_npi else d


def digits(d):
    # Wireshark prints the ST (end of signal) code of a GT; the decoder stops there.
    return d[:-2] if d.endswith("ST") else d


def ours_frames(sigwallctl, path):
    # ORACLE_INSPECT_VARIANT (selfcheck): decode our side in another variant than tshark's
    variant = os.environ.get("ORACLE_INSPECT_VARIANT", VARIANT)
    out = subprocess.run([sigwallctl, "inspect", "--json", "--variant", variant, path],
                         capture_output=True, text=True).stdout
    frames = {}
    for line in out.splitlines():
        r = json.loads(line)
        frames.setdefault(r["frame"], []).append(r)
    return frames


LAYER_RANK = {"link": 0, "ip": 0, "sctp": 0, "m3ua": 1, "m2pa": 1, "sccp": 2, "tcap": 3,
              "map": 4, "isup": 2}


def field_rank(f):
    if f.startswith("m3ua") or f.startswith("m2pa") or f.startswith("mtp3"):
        return 1
    if f.startswith("sccp"):
        return 2
    if f == "e212.imsi" or f.startswith("gsm_map.sm.") or f.startswith("gsm_map.ms."):
        return 4
    if f in CAP_FIELDS and f != "camel.local":
        return 4  # CAP arguments: the layer after TCAP, as MAP's
    return 3


def expected_from_ours(recs):
    """What tshark should list for a frame, built from our records, and the first layer not to
    compare: a malformed message is compared only below the layer that was reported malformed
    (tshark may decode past what the firewall refuses; IP fragments it even reassembles)."""
    e = {f: [] for f in TS_FIELDS}
    e["cap"] = False
    msgs = [r for r in recs if r.get("tcap") is not None or r.get("isup") is not None]
    e["cap_exact"] = len(msgs) == 1 and sum(
        c["type"] == "invoke" for c in (msgs[0].get("tcap") or {}).get("components", [])) <= 1
    segmented = False
    limit = 5
    for r in recs:
        err = r.get("error")
        if err and err["reason"] == "sccp_connection_oriented":
            limit = min(limit, 3)  # classified: SCCP compared, no TCAP in it
        elif err and err["reason"] != "sccp_segmented":
            limit = min(limit, LAYER_RANK.get(err["layer"], 0))
        m = r.get("m3ua") or {}
        m2 = r.get("m2pa")
        if m2 is not None:
            # M2PA: its header, the link state, then the MTP3 label where tshark's mtp3 has it
            e["m2pa.type"].append(str(M2PA_TYPES.get(m2["type"], m2["type"])))
            e["m2pa.bsn"].append(str(m2["bsn"]))
            e["m2pa.fsn"].append(str(m2["fsn"]))
            if m2["state"] is not None:
                e["m2pa.status"].append(str(M2PA_STATES.get(m2["state"], m2["state"])))
            m = m2
        if m.get("opc") is None:
            continue
        # ORACLE_PERTURB=1 corrupts our side on purpose: the self-check that this suite can fail.
        opc = str(m["opc"] + int(os.environ.get("ORACLE_PERTURB", "0")))
        # tshark's mtp3 holds the label whichever layer carried it; the SIO only over M2PA
        e["mtp3.opc"].append(opc)
        e["mtp3.dpc"].append(str(m["dpc"]))
        e["mtp3.sls"].append(str(m["sls"]))
        if m2 is not None:
            e["mtp3.service_indicator"].append("0x%02x" % m["si"])
        else:
            e["m3ua.protocol_data_opc"].append(opc)
            e["m3ua.protocol_data_dpc"].append(str(m["dpc"]))
        s = r.get("sccp")
        if s is None:
            continue
        if s["type"] in SCCP_TYPES:
            e["sccp.message_type"].append("0x%02x" % SCCP_TYPES[s["type"]])
        for key, side in (("called", "cdpa"), ("calling", "cgpa")):
            a = s.get(side)
            if a and a.get("digits"):
                e["sccp.%s.digits" % key].append(a["digits"])
            if a and a.get("ssn") is not None:
                e["sccp.%s.ssn" % key].append(str(a["ssn"]))
        for lr in ("dlr", "slr"):
            if s.get(lr) is not None:
                e["sccp.%s" % lr].append("0x%06x" % s[lr])
        g = s.get("scmg")
        if g is not None:  # SCCP management, Q.713 5.3 (issue 17)
            e["sccpmg.message_type"].append("0x%02x" % SCMG_TYPES[g["type"]])
            e["sccpmg.ssn"].append(str(g["assn"]))
            if VARIANT == "ansi":
                n, c, m = g["apc_ncm"].split("-")
                e["sccpmg.network"].append(n)
                e["sccpmg.cluster"].append(c)
                e["sccpmg.member"].append(m)
            else:
                e["sccpmg.pc"].append(str(g["apc"]))
            e["sccpmg.smi"].append(str(g["smi"]))
            if "cong" in g:
                e["sccpmg.congestion"].append(str(g["cong"]))
        err = r.get("error")
        if err and err["reason"] == "sccp_segmented":
            segmented = True
            continue
        t = r.get("tcap")
        if t is None:
            continue
        e[TCAP_ELEMENTS[t["type"]]].append("x")
        if t.get("otid"):
            e["tcap.otid"].append(t["otid"])
        if t.get("dtid"):
            e["tcap.dtid"].append(t["dtid"])
        named = False
        result_ops = set()
        cp = r.get("cap")
        e["cap"] |= cp is not None
        for c in t["components"]:
            if c["opcode"] is not None:
                # a CAP message's operation codes are CAP's (tshark: camel.local)
                e["camel.local" if cp is not None else "gsm_old.localValue"].append(
                    str(c["opcode"]))
            if c.get("linked_id") is not None:
                e["gsm_old.linkedID"].append(str(c["linked_id"]))
            if c["type"] in ("returnResultLast", "returnResultNotLast") and c["opcode"] is not None:
                result_ops.add(c["opcode"])
            named |= c["name"] is not None and c["type"] != "returnError"
        ab = t.get("abort")
        if ab and ab["reason"] == "p-abort":
            e["tcap.p_abortCause"].append(str(ab["cause"]))
        elif ab and ab.get("source") is not None:
            e["tcap.abort_source"].append(str(ab["source"]))
        aare = t.get("aare")
        if aare:
            e["tcap.result"].append(str(aare["result"]))
            e["tcap.dialogue_service_%s" % aare["diag_source"]].append(str(aare["diag"]))
        md = r.get("mapdlg")
        if md:
            for key, f in (("dest_ref", "destinationReference"), ("orig_ref", "originationReference")):
                if md.get(key) is not None:
                    e["gsm_map.dialogue." + f].append("%d/%s" % (md[key + "_npi"], md[key]))
            if md.get("reason") is not None:
                f = {"refuse": "reason", "userAbort": "map_UserAbortChoice",
                     "providerAbort": "map_ProviderAbortReason"}[md["pdu"]]
                e["gsm_map.dialogue." + f].append(str(md["reason"]))
        if cp is not None:
            if cp["service_key"] is not None:
                e["camel.serviceKey"].append(str(cp["service_key"]))
            if cp["event"] is not None:
                e["camel.eventTypeBCSM"].append(str(cp["event"]))
            if cp["imsi"]:
                e["e212.imsi"].append(cp["imsi"])
            for key, f in (("vlr", "gsm_map.ms.vlr_number"), ("msc", "camel.mscAddress")):
                if cp[key]:
                    e[f].append(cp[key])
            if cp["cell"]:
                e["gsm_map.cellGlobalIdOrServiceAreaIdFixedLength"].append(cp["cell"])
            for key, f in (("calling", "isup.calling"), ("called", "isup.called")):
                if cp[key] and cp[key]["digits"]:
                    e[f].append(cp[key]["digits"])
        mp = r.get("map") or {}
        if mp.get("imsi") and named:
            e["e212.imsi"].append(mp["imsi"])
        if mp.get("node") is not None and 45 in result_ops:
            e["gsm_map.sm.networkNode_Number"].append(mp["node"])
            if mp.get("gprs_node"):
                e["gsm_map.sm.gprsNodeIndicator_element"].append("x")
        if mp.get("hlr") and result_ops & {2, 23}:
            e["gsm_map.ms.hlr_Number"].append(mp["hlr"])
    return e, segmented, limit


def compare(sigwallctl, path):
    ts = tshark_frames(path)
    ours = ours_frames(sigwallctl, path)
    problems = []
    compared = 0
    for fn, recs in sorted(ours.items()):
        exp, segmented, limit = expected_from_ours(recs)
        if limit == 0:
            continue
        got = ts.get(fn)
        if got is None:
            problems.append("frame %d: tshark has no such frame" % fn)
            continue
        for f in TS_FIELDS[1:]:
            if field_rank(f) >= limit:
                continue
            want = exp[f]
            have = got[f]
            if f.endswith(".digits"):
                have = [digits(d) for d in have]
            if f.endswith("_element"):
                have = ["x"] * len(have)
            if f in ADDR_FIELDS:
                have = [addr_hex(h) for h in have]
            if f in REF_FIELDS:
                have = [addr_hex(h, True) for h in have]
            if segmented and (f.startswith("tcap") or f.startswith("gsm_") or f == "e212.imsi"
                              or f in CAP_FIELDS):
                continue  # tshark shows the reassembled message on the last segment
            if f in CAP_FIELDS and not exp["cap"]:
                continue
            if f in CAP_ARG_FIELDS and not exp["cap_exact"]:
                it = iter(have)
                if all(w in it for w in want):
                    continue  # ours, in order, among tshark's (the first invoke of each MSU)
            elif f in FIRST_OF_FIELDS and want:
                have = have[:1]
            if f == "e212.imsi" and not want:
                continue  # only where we decoded the operation's IMSI
            if f == "e212.imsi":
                # we keep the first IMSI of a message; tshark lists one per component
                if want[0] in have:
                    continue
            if want != have:
                problems.append("frame %d %s: sigwall %s, tshark %s" % (fn, f, want, have))
        compared += 1
    return compared, problems


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        return 2
    sigwallctl = sys.argv[1]
    if shutil.which("tshark") is None:
        print("SKIP: tshark is not installed")
        return 77
    files = []
    for a in sys.argv[2:]:
        optional = a.startswith("?")
        a = a.lstrip("?")
        if os.path.isdir(a):
            files += sorted(glob.glob(os.path.join(a, "**", "*.pcap"), recursive=True))
        elif os.path.exists(a):
            files.append(a)
        elif optional:
            print("SKIP: %s is absent" % a)
        else:
            print("missing capture %s" % a)
            return 1
    if not files:
        print("SKIP: no captures to compare")
        return 77
    bad = 0
    total = 0
    for f in files:
        n, problems = compare(sigwallctl, f)
        total += n
        status = "ok  " if not problems else "FAIL"
        print("%s %s (%d frames with MSUs)" % (status, f, n))
        for p in problems[:20]:
            print("     " + p)
        bad += bool(problems)
    print("%d captures, %d frames compared, %d captures differ" % (len(files), total, bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
