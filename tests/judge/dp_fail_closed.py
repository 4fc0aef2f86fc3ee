#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Fail closed (issue 13 Deliver 4), sigwall-dataplane inline on net_pcap:
  1. shipped image: a DATA chunk with PPID 0, ESP and UDP-encapsulated SCTP get the policy's
     malformed verdict (drop) instead of passing unjudged; ARP and a SACK-only packet pass;
     counted live as non_m3ua and non_sctp_ip;
  2. no image bound, default options: the same traffic is dropped (ARP and SCTP control chunks
     still pass), counted as no_image, with exactly one no-image event (not one per packet);
  3. no image, --no-image pass: everything passes.
Each of 1 and 2 failed on main before the judge (everything was forwarded).

  dp_fail_closed.py [image|no-image]...   the stages to run (default: all)"""
import os
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from dptest import *  # noqa: E402,F403

STAGES = sys.argv[1:] or ["image", "no-image"]
require_dataplane()
require_policy_tools()
env = Env("failclosed")
try:
    probe_dpdk(env)
    payload = map_msu(2, "4179000001", "3367000001", "208010000000001", 0x1000)
    ppid0 = sctp_frame(bytes([10, 0, 0, 1]), bytes([10, 1, 0, 1]), 2905, 2905, 0x11110000,
                       [data_chunk(1000, 1, 0, payload, ppid=0)])
    sack = sctp_frame(bytes([10, 0, 0, 1]), bytes([10, 1, 0, 1]), 2905, 2905, 0x11110000,
                      [struct.pack(">BBHIIHH", 3, 0, 16, 999, 65535, 0, 0)])
    arp = (b"\xff" * 6 + b"\x02\0\0\0\0\x01" + b"\x08\x06" +
           bytes.fromhex("0001080006040001020000000001") + bytes([10, 0, 0, 1]) + b"\0" * 6 +
           bytes([10, 0, 0, 2]) + b"\0" * 18)

    def ipv4_frame(proto, l4):
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0, 64, proto, 0,
                         bytes([10, 0, 0, 1]), bytes([10, 1, 0, 1]))
        return b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01" + b"\x08\x00" + ip + l4

    esp = ipv4_frame(50, b"\x00\x00\x10\x01\x00\x00\x00\x01" + b"\xaa" * 40)
    inner = sctp_frame(bytes([10, 0, 0, 1]), bytes([10, 1, 0, 1]), 2905, 2905, 0x11110000,
                       [data_chunk(1001, 1, 1, payload)])[34:]
    udp = ipv4_frame(17, struct.pack(">HHHH", 9899, 9899, 8 + len(inner), 0) + inner)
    frames = [arp, ppid0, esp, udp, sack]
    pcap_write(env.path("inA.pcap"), frames)
    pcap_write(env.path("inB.pcap"), [])

    def run(tag, extra):
        p = run_dataplane(env, two_port_vdevs(env, tag), ["--mode", "inline", "--ports", "0:1",
                                                          "--no-repair", "--exit-on-idle", "500"]
                          + extra)
        out = [f for _, _, f in pcap_read(env.path("outB-%s.pcap" % tag))[0]]
        return counters(p.stdout), out

    def stage_image():
        itest("publish", env.instance, RULES, SITE, 1)
        c, out = run("img", [])
        if out != [arp, sack]:
            fail("image: forwarded %d frames %s, expected ARP and the SACK only" %
                 (len(out), [frames.index(f) if f in frames else "?" for f in out]))
        if c["non_m3ua"] != 1 or c["non_sctp_ip"] != 2 or c["dropped"] != 1:
            fail("image: non_m3ua %d non_sctp_ip %d dropped %d, expected 1, 2, 1" %
                 (c["non_m3ua"], c["non_sctp_ip"], c["dropped"]))
        print("image: PPID 0 chunk, ESP and UDP-encapsulated SCTP dropped as malformed; ARP, SACK pass")
        itest("unlink", env.instance)

    def stage_no_image():
        # 2. no image, defaults: fail closed
        c, out = run("noimg", [])
        if out != [arp, sack]:
            fail("no image: forwarded %d frames, expected ARP and the SACK only" % len(out))
        if c["no_image"] != 3:
            fail("no image: no_image counter %d, expected 3" % c["no_image"])
        ev = [e for e in events(env) if e["kind"] == 3]
        if len(ev) != 1 or ev[0]["action"] != 1 or ev[0]["generation"] != 0:
            fail("no image: expected one no-image drop event, got %s" % ev)
        print("no image: everything judged dropped, one no-image event")

        # 3. no image, --no-image pass
        c, out = run("noimgpass", ["--no-image", "pass"])
        if out != frames:
            fail("--no-image pass: %d of %d frames forwarded" % (len(out), len(frames)))
        print("--no-image pass: all %d frames forwarded" % len(frames))

    # 1. shipped image
    if "image" in STAGES:
        stage_image()
    if "no-image" in STAGES:
        stage_no_image()
finally:
    env.cleanup()

