#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""sigwall-gen --profile stateful (issue 15 D8): the labels against issue 15's stateful semantics,
re-evaluated here over `sigwallctl inspect --json` and the capture's own time stamps:

- dialogues (D3): a TC-CONTINUE/END/ABORT from outside is unsolicited unless its DTID was sent
  (as an OTID) from inside by the node it is addressed to, within the 60 s dialogue timeout;
- SMS (D4): an mt-forwardSM from outside for a home IMSI is unsolicited unless a
  sendRoutingInfoForSM result for that IMSI went from inside, within 60 s, to a GT of the caller's
  partner (to the caller itself when it is no partner);
- location (D5): an updateLocation from outside for a home IMSI answered from inside with a
  returnResult records the partner of its VLR number; processUnstructuredSS-Request from outside
  whose MAP-OPEN destinationReference is such an IMSI and whose calling GT is not in that partner
  is "not serving"; an updateLocation from a partner in another country sooner than the site's
  minimum travel time is "velocity"; an updateLocation whose VLR/MSC number is not in the network
  of its calling GT is a cross-layer mismatch.
Every stateful label must be caught by its condition; no legitimate MSU may meet any of them.
Also: time stamps strictly increase and the capture spans hours (travel), same seed same bytes.

usage: test_stateful.py SIGWALL_GEN SIGWALLCTL SOURCE_ROOT
"""
import collections
import hashlib
import json
import os
import struct
import subprocess
import sys
import tempfile

GEN, CTL, ROOT = sys.argv[1:4]
SITE = """site = {
	name = "Stateful test";
	home = { plmn = [ "65501" ]; gt = [ "27820", "27821" ]; msisdn = [ "2782", "2783" ];
		 point_codes = [ 1001, 1002, 1003 ]; hlr = [ "27820000010" ];
		 vlr = [ "27820000020", "27820000021" ]; msc = [ "27820000020", "27820000021" ];
		 smsc = [ "27820000030" ]; country = "KE"; };
	partners = (
		{ name = "PartnerFR"; plmn = [ "20801" ]; gt = [ "336090" ]; country = "FR"; },
		{ name = "PartnerDE"; plmn = [ "26202" ]; gt = [ "491720" ]; country = "DE"; },
		{ name = "PartnerTZ"; plmn = [ "64004" ]; gt = [ "2557540" ]; country = "TZ"; },
		{ name = "PartnerGB"; plmn = [ "23415" ]; gt = [ "447785" ]; country = "GB"; }
	);
	velocity = { default_minutes = 120; neighbours = ( ["FR", "DE"] );
		     pairs = ( { countries = ["GB", "TZ"]; minutes = 300; } ); };
};
"""
HOME_PC = {1001, 1002, 1003}
HOME_PLMN = "65501"
PARTNERS = [("336090", "FR"), ("491720", "DE"), ("2557540", "TZ"), ("447785", "GB")]
NEIGH = {frozenset(("FR", "DE"))}
PAIRS = {frozenset(("GB", "TZ")): 300}
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)
    return cond


def partner_of(gt):
    for i, (pre, _) in enumerate(PARTNERS):
        if gt and gt.startswith(pre):
            return i
    return None


# STATEFUL_SLOWER=K multiplies the travel times the checker assumes: legitimate journeys then
# look too fast, so the test must fail (the meson test stateful-selfcheck-fails).
SLOWER = int(os.environ.get("STATEFUL_SLOWER", "1"))


def min_minutes(a, b):
    if a == b or frozenset((a, b)) in NEIGH:
        return 0
    return PAIRS.get(frozenset((a, b)), 120) * SLOWER


def pcap_times(path):
    with open(path, "rb") as f:
        data = f.read()
    times, off = [], 24
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack_from("<IIII", data, off)
        times.append(sec * 1000000 + usec)
        off += 16 + incl
    return times


def main():
    tmp = tempfile.mkdtemp(prefix="sw-stateful-")
    site = os.path.join(tmp, "site.conf")
    open(site, "w").write(SITE)
    pcap, lab = os.path.join(tmp, "s.pcap"), os.path.join(tmp, "s.jsonl")
    args = [GEN, "--profile", "stateful", "--site", site, "--msus", "12000", "--seed", "5",
            "-o", pcap, "--labels", lab]
    r = subprocess.run(args, capture_output=True, text=True)
    if not check(r.returncode == 0, "sigwall-gen failed: " + r.stderr):
        return 1
    digest = hashlib.sha256(open(pcap, "rb").read()).hexdigest()
    subprocess.run(args[:-4] + ["-o", pcap + "2"], check=True)
    check(hashlib.sha256(open(pcap + "2", "rb").read()).hexdigest() == digest,
          "same seed, different bytes")
    times = pcap_times(pcap)
    check(all(b > a for a, b in zip(times, times[1:])), "time stamps do not strictly increase")
    check(times[-1] - times[0] > 6 * 3600 * 1000000, "the capture spans less than 6 hours")
    labels = {}
    for line in open(lab):
        x = json.loads(line)
        labels[(x["frame"], x["chunk"])] = x
    out = subprocess.run([CTL, "inspect", "--json", pcap], capture_output=True, text=True,
                         check=True).stdout
    sent = {}             # (otid, GT that sent it) from inside -> when
    sri = collections.defaultdict(list)  # imsi -> [(t, GT the result went to)]
    pending_ul = {}       # (otid of the UL, VLR GT) -> (imsi, vlr number partner)
    loc = {}              # imsi -> (partner, t)
    hits = collections.Counter()
    legit_hits = []
    checked = collections.Counter()
    for line in out.splitlines():
        m = json.loads(line)
        key = (m["frame"], m.get("chunk"))
        if key not in labels or "tcap" not in m:
            continue
        label = labels[key]["label"]
        t = times[m["frame"] - 1]
        inside = m["m3ua"]["opc"] in HOME_PC
        tc, sccp, mp = m["tcap"], m["sccp"], m.get("map") or {}
        cg, cd = sccp["cgpa"]["digits"], sccp["cdpa"]["digits"]
        comps = tc["components"]
        ops = [(c["type"], c["opcode"]) for c in comps]
        conds = []
        if inside:
            if tc["otid"]:
                sent[(tc["otid"], cg)] = t
            for ctype, op in ops:
                if ctype == "returnResultLast" and op == 45 and mp.get("imsi"):
                    sri[mp["imsi"]].append((t, cd))
                if ctype == "returnResultLast" and op == 2 and (tc["dtid"], cd) in pending_ul:
                    imsi, p = pending_ul.pop((tc["dtid"], cd))
                    loc[imsi] = (p, t)
        else:
            if tc["type"] in ("continue", "end", "abort") and \
                    t - sent.get((tc["dtid"], cd), -10**15) > 60000000:
                conds.append("unsolicited")  # never sent, or longer ago than the 60 s timeout
            imsi = mp.get("imsi") or ""
            home = imsi.startswith(HOME_PLMN)
            if ("invoke", 44) in ops and home:
                pc = partner_of(cg)
                ok = any(t - ts <= 60000000 and
                         (gt == cg if pc is None else partner_of(gt) == pc)
                         for ts, gt in sri.get(imsi, []))
                if not ok:
                    conds.append("unsolicited-sms")
            if ("invoke", 2) in ops and home:
                vp, cp = partner_of(mp.get("vlr")), partner_of(cg)
                if vp != cp or partner_of(mp.get("msc")) != cp:
                    conds.append("cross-layer")
                if imsi in loc and cp is not None:
                    p, ts = loc[imsi]
                    a, b = PARTNERS[p][1], PARTNERS[cp][1]
                    if a != b and t - ts < min_minutes(a, b) * 60000000:
                        conds.append("velocity")
                pending_ul[(tc["otid"], cg)] = (imsi, vp)
            if ("invoke", 59) in ops:
                d = m.get("mapdlg") or {}
                sub = d.get("dest_ref") if d.get("dest_ref_npi") == 6 else None
                checked["ussd-with-dest-ref"] += sub is not None
                if sub and sub in loc and partner_of(cg) != loc[sub][0]:
                    conds.append("not-serving")
        want = {"stateful-unsolicited-end": "unsolicited",
                "stateful-unsolicited-continue": "unsolicited",
                "stateful-mt-fsm-without-sri-sm": "unsolicited-sms",
                "stateful-mt-fsm-other-partner": "unsolicited-sms",
                "stateful-ussd-wrong-vlr": "not-serving",
                "stateful-velocity": "velocity",
                "stateful-fake-ul-leased-gt": "cross-layer"}.get(label)
        if label == "legit":
            if conds:
                legit_hits.append((key, conds))
        else:
            checked[label] += 1
            if check(want in conds, "frame %d: %s not caught (conditions %s)" % (key[0], label, conds)):
                hits[label] += 1
    for k, c in legit_hits[:10]:
        check(False, "frame %d: legitimate MSU meets %s" % (k[0], c))
    check(not legit_hits, "%d legitimate MSUs meet a stateful condition" % len(legit_hits))
    for label in ("stateful-unsolicited-end", "stateful-unsolicited-continue",
                  "stateful-mt-fsm-without-sri-sm", "stateful-mt-fsm-other-partner",
                  "stateful-ussd-wrong-vlr", "stateful-velocity", "stateful-fake-ul-leased-gt"):
        check(checked[label] >= 5, "fewer than 5 MSUs labelled %s" % label)
        print("%-34s %4d labelled, %4d caught" % (label, checked[label], hits[label]))
    print("legitimate USSD with an E.212 destinationReference: %d; locations learned: %d"
          % (checked["ussd-with-dest-ref"], len(loc)))
    check(checked["ussd-with-dest-ref"] > 0, "no USSD carries its subscriber in MAP-OPEN")
    print("%d failures" % len(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
