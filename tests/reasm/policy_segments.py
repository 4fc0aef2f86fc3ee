#!/usr/bin/python3
"""The shipped policy on segmented SCCP messages and fragmented SCTP user messages (issue 14
Deliver 2-5), and tshark as oracle.

usage: policy_segments.py SIGWALLCTL MKSEG SRCDIR

mkseg writes a capture and says what each frame must get ("frame N: what"): `pending` (allow,
rule pending), `complete allow|drop` (the whole message judged on the segment that completes
it), `known drop` (a later copy of a judged message's segment), `malformed drop REASON` (a
reassembly failure judged by the policy's malformed action). `sigwallctl inspect --json --port 0
--rules patterns/default.conf` must give exactly that. Where tshark (which rebuilds XUDT
segments received in order) shows a rebuilt MAP message, inspect must show the same operation
and IMSI on the same frame (tshark rebuilds SCTP fragments in any order).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile


def main():
    ctl, mkseg, src = sys.argv[1:4]
    rules = os.path.join(src, "patterns/default.conf")
    site = os.path.join(src, "patterns/site.example.conf")
    fails = 0
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "seg.pcap")
        r = subprocess.run([mkseg, pcap], capture_output=True, text=True, check=True)
        want = {}
        for line in r.stdout.splitlines():
            num, what = line.split(":", 1)
            want[int(num.split()[1])] = what.split()
        r = subprocess.run([ctl, "inspect", "--json", "--port", "0", "--rules", rules,
                            "--site", site, pcap], capture_output=True, text=True)
        if r.returncode != 0:
            print("FAIL: inspect", r.returncode, r.stderr)
            return 1
        got = {}
        for line in r.stdout.splitlines():
            rec = json.loads(line)
            got[rec["frame"]] = rec
        for num, what in sorted(want.items()):
            rec = got.get(num)
            if rec is None:
                print(f"FAIL frame {num}: no record")
                fails += 1
                continue
            v, st = rec["verdict"], (rec.get("reasm") or {}).get("state")
            err = (rec.get("error") or {}).get("reason")
            tag = what[1]
            if tag == "pending":
                ok = v["action"] == "allow" and v["rule"] == "pending" and st == "pending"
            elif tag == "complete":
                ok = v["action"] == what[2] and st == "complete" and rec.get("tcap") and \
                    v["rule"] not in ("pending", "malformed")
            elif tag == "known":
                ok = v["action"] == what[2] and st == "known"
                if len(what) > 3:
                    ok = ok and err == what[3]
            else:  # malformed: a reassembly failure, or a piece not reassembled (no state)
                ok = v["action"] == what[2] and v["rule"] == "malformed" and err == what[3] \
                    and st == ("failed" if what[0] != "fragment" else None)
            print(f"frame {num:2d} {' '.join(what):45s} -> {v['action']} {v['rule']} "
                  f"{st} {err or ''} {'ok' if ok else 'WRONG'}")
            fails += 0 if ok else 1

        if shutil.which("tshark") is None:
            print("note: no tshark, the oracle part is skipped")
        else:
            t = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "frame.number",
                                "-e", "gsm_old.localValue", "-e", "e212.imsi"],
                               capture_output=True, text=True)
            rebuilt = 0
            for line in t.stdout.splitlines():
                f = line.split("\t")
                if len(f) < 3 or not f[1]:
                    continue
                if want.get(int(f[0]), ["", ""])[1] != "complete":
                    continue  # held pieces and copies: the message is judged on its last piece
                rebuilt += 1
                rec = got.get(int(f[0]), {})
                ops = [str(c.get("opcode")) for c in (rec.get("tcap") or {}).get("components", [])]
                imsi = (rec.get("map") or {}).get("imsi")
                ok = (rec.get("reasm") or {}).get("state") == "complete" and \
                    ops == f[1].split(",") and imsi == f[2]
                print(f"oracle frame {f[0]}: tshark op {f[1]} imsi {f[2]}, inspect op "
                      f"{','.join(ops)} imsi {imsi} {'ok' if ok else 'WRONG'}")
                fails += 0 if ok else 1
            if rebuilt < 2:
                print(f"FAIL: tshark rebuilt {rebuilt} MAP messages, expected at least 2")
                fails += 1
            # The segmentation local reference (Q.713 3.17, least significant octet first):
            # mkseg's messages use 0x000101..0x000107 (XUDT from sigwall-gen's encoder, LUDT
            # from seg_build.h); tshark and inspect must both read those.
            t = subprocess.run(["tshark", "-r", pcap, "-T", "fields", "-e", "frame.number",
                                "-e", "sccp.segmentation.slr"], capture_output=True, text=True)
            refs = 0
            for line in t.stdout.splitlines():
                f = line.split("\t")
                if len(f) < 2 or not f[1]:
                    continue
                refs += 1
                slr = int(f[1], 0)
                seg = ((got.get(int(f[0]), {}).get("sccp") or {}).get("segment") or {})
                ok = 0x101 <= slr <= 0x107 and seg.get("ref") == slr
                if not ok:
                    print(f"FAIL frame {f[0]}: tshark local reference {slr:#08x}, inspect "
                          f"{seg.get('ref')}, mkseg wrote 0x000101..0x000107")
                    fails += 1
            if refs < 10:
                print(f"FAIL: tshark shows {refs} segmentation local references, expected >= 10")
                fails += 1
            else:
                print(f"oracle: {refs} segmentation local references compared with tshark")
    print("FAIL" if fails else "PASS", fails)
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
