#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Monitor mode, shipped policy: nothing is transmitted; the counters and the events match the
labels of a sigwall-gen capture (one drop/alert event per labelled drop/alert MSU, with the
right action and the packet it came in; malformed packets raise malformed events)."""
import collections

from dptest import *

require_dataplane()
require_policy_tools()
env = Env("monitor")
try:
    probe_dpdk(env)
    frames, labels, _ = gen_capture(env, 2000, seed=23, attack_share="0.15")
    idx = split_sides(env, frames)
    itest("publish", env.instance, RULES, SITE, 1)
    p = run_dataplane(env, two_port_vdevs(env, "mon"), ["--mode", "monitor", "--ports", "0:1",
                                                        "--exit-on-idle", "700"])
    c = counters(p.stdout)
    for outname in ("outA-mon.pcap", "outB-mon.pcap"):
        if pcap_read(env.path(outname))[0]:
            fail("monitor mode transmitted frames on %s" % outname)
    if c["tx_pkts"] != 0:
        fail("monitor mode: tx_pkts %d" % c["tx_pkts"])
    if c["rx_pkts"] != len(frames):
        fail("rx_pkts %d, capture has %d frames" % (c["rx_pkts"], len(frames)))

    # labelled MSUs are judged one by one; those in IP fragments on the datagram the fragments
    # form (reasm, issue 14 D1: the frame of an event is the datagram rebuilt)
    rebuilt, member = ip_defrag(frames)
    want = collections.Counter()
    for (i, k), l in labels.items():
        want[l["expect"]] += 1
    ndata = sum(len(data_chunks(f) or []) for f in frames if not is_fragment(f))
    ndata += sum(len(data_chunks(f) or []) for f in rebuilt.values())
    print("labels: %s; DATA chunks %d; counters: msus %d allowed %d dropped %d alerted %d malformed %d events %d lost %d"
          % (dict(want), ndata, c["msus"], c["allowed"], c["dropped"], c["alerted"], c["malformed"],
             c["events"], c["events_lost"]))
    if c["msus"] != ndata:
        fail("msus %d, capture has %d DATA chunks" % (c["msus"], ndata))
    if c["allowed"] + c["dropped"] + c["alerted"] != c["msus"]:
        fail("allowed + dropped + alerted != msus")
    if c["dropped"] != want["drop"] or c["alerted"] != want["alert"]:
        fail("dropped %d alerted %d, labels say %d and %d" % (c["dropped"], c["alerted"], want["drop"], want["alert"]))

    # events: every drop/alert MSU, by its frame bytes
    evs = events(env)
    if c["events_lost"] != 0:
        fail("%d events lost with a ring far from full" % c["events_lost"])
    if len(evs) != c["events"]:
        fail("%d events drained, counter says %d" % (len(evs), c["events"]))
    by_frame = collections.Counter()
    for e in evs:
        pkt = bytes.fromhex(e["pkt"])
        if e["action"] in (1, 2) and not is_fragment(pkt):
            by_frame[(pkt, e["action"])] += 1
    missing = 0
    for (i, k), l in labels.items():
        if l["expect"] == "allow":
            continue
        f = rebuilt[member[i]] if i in member else frames[i]
        key = (f[:256], 1 if l["expect"] == "drop" else 2)
        if by_frame[key] == 0:
            missing += 1
            if missing <= 3:
                print("no %s event for frame %d chunk %d (%s)" % (l["expect"], i + 1, k, l["label"]))
        else:
            by_frame[key] -= 1
    if missing:
        fail("%d labelled drop/alert MSUs without their event" % missing)
    extra = sum(by_frame.values())
    if extra:
        fail("%d verdict events for MSUs the labels allow" % extra)
    nfrag = sum(1 for f in frames if is_fragment(f))
    nmal = sum(1 for e in evs if e["kind"] == 2)
    nfragev = sum(1 for e in evs if is_fragment(bytes.fromhex(e["pkt"])))
    # every fragment joins (sigwall-gen cuts a datagram in two): none is judged on its own
    if nfragev != 0 or len(member) != nfrag:
        fail("%d IP fragments, %d joined, but %d events for fragments" % (nfrag, len(member), nfragev))
    for e in evs:
        if e["generation"] != 1:
            fail("event judged by generation %d, only 1 was published" % e["generation"])
    print("PASS: %d events match the labels (%d malformed, %d IP datagrams rebuilt from %d fragments), "
          "nothing transmitted" % (len(evs), nmal, len(rebuilt), nfrag))
finally:
    env.cleanup()
