#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The state tables through sigwall-dataplane (issue 15, Tests): the shipped policy, inline, two
workers on two CPUs, two queues per port (net_pcap, one capture per queue).

1. A TC-BEGIN from inside reaches worker 0 (port B, queue 0); its TC-END from outside reaches
   worker 1 (port A, queue 1) behind 3000 other MSUs: the End is forwarded (the dialogue learned
   by worker 0 is in the instance's shared object), an End answering nothing is dropped
   (state-unsolicited-dialogue).
2. The dataplane is restarted in the middle of the capture: the new process says the state
   object was reused and forwards the End of a Begin the first process learned; an
   unsolicited End is still dropped.
3. Self-check: with the state object removed before a restart, the End of a Begin learned
   before is dropped: the test can fail.
"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
from dptest import *  # noqa: E402,F401
import sigtran as st  # noqa: E402
from dialogue_frames import FR_VLR, HOME_HLR, begin_inside, end_outside, frame  # noqa: E402,F401

RULES_STATE = os.path.join(SRC, "patterns", "default.conf")
HOME_IMSI = "655011234567890"


def padding_outside(i):
    # sendAuthenticationInfo from a partner VLR for a home subscriber (allowed)
    arg = st.tlv(0x30, st.tlv(0x80, st.tbcd(HOME_IMSI)) + st.tlv(0x02, b"\x01"))
    t = st.tcap("begin", otid=(0x70000000 + i).to_bytes(4, "big"),
                dialogue=st.dialogue_aarq("0.4.0.0.1.0.14.3"),
                components=[st.invoke(1, 56, arg)])
    return frame(True, t, FR_VLR, HOME_HLR, i)


def run(env, tag, queues):
    """queues: {(port, queue): [frames]} for 2 ports x 2 queues; returns (stdout, outputs)."""
    q = {}
    for port in (0, 1):
        for k in (0, 1):
            q[(port, k)] = env.path("%s-in%d%d.pcap" % (tag, port, k))
            pcap_write(q[(port, k)], queues.get((port, k), []))
    o = {key: env.path("%s-out%d%d.pcap" % (tag, key[0], key[1])) for key in q}
    vd = ["net_pcap%d,rx_pcap=%s,rx_pcap=%s,tx_pcap=%s,tx_pcap=%s"
          % (p, q[(p, 0)], q[(p, 1)], o[(p, 0)], o[(p, 1)]) for p in (0, 1)]
    # main and worker 0 on CPU 0, worker 1 on CPU 1: the two workers run at the same time
    cmd = [DATAPLANE, "--lcores", "0@0,1@0,2@1", "--no-huge", "-m", "256", "--no-pci",
           "--file-prefix", env.prefix, "--log-level", "lib.eal:error"]
    for v in vd:
        cmd += ["--vdev", v]
    cmd += ["--", "--mode", "inline", "--ports", "0:1", "--exit-on-idle", "3000", "--no-repair",
            "--instance", env.instance]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=90)
    if p.returncode != 0:
        fail("dataplane %s exited %d: %s" % (tag, p.returncode, p.stderr[-800:]))
    out = {key: [f for _, _, f in pcap_read(o[key])[0]] for key in o}
    return p.stdout, out


def state_line(stdout):
    return next((l for l in stdout.splitlines() if "sigwall-dataplane: state" in l), "")


require_dataplane()
require_policy_tools()
if not os.cpu_count() or os.cpu_count() < 2:
    skip("two CPUs needed for two workers running at once")
env = Env("state")
try:
    probe_dpdk(env)
    itest("unlink", env.instance)  # a name of an earlier run (pids come back) starts empty
    itest("publish", env.instance, RULES_STATE, SITE, 1)
    b1, b2, b3 = begin_inside(0x01020304, 1), begin_inside(0x05060708, 2), begin_inside(0x090a0b0c, 3)
    e1, e_bad = end_outside(0x01020304, 10), end_outside(0x0a0b0c0d, 11)
    pad = [padding_outside(i) for i in range(3000)]

    # 1. Begin on worker 0, its End on worker 1
    so, out = run(env, "r1", {(1, 0): [b1, b2, b3], (0, 1): pad + [e1, e_bad]})
    w = [counters(so, "worker %d" % i) for i in range(2)]
    print(state_line(so))
    print("run 1: worker 0 msus %d, worker 1 msus %d" % (w[0]["msus"], w[1]["msus"]))
    if w[0]["msus"] != 3 or w[1]["msus"] != len(pad) + 2:
        fail("run 1: the Begins and the Ends were not judged by different workers")
    fwd = out[(1, 1)]  # from port A queue 1 out of port B queue 1
    if e1 not in fwd:
        fail("run 1: the End of a Begin that worker 0 learned was not forwarded by worker 1")
    if e_bad in fwd:
        fail("run 1: an End answering nothing was forwarded")
    if len(fwd) != len(pad) + 1:
        fail("run 1: %d frames forwarded from port A, %d expected" % (len(fwd), len(pad) + 1))
    print("PASS: a Begin learned by worker 0 matched its End on worker 1; the unsolicited End "
          "was dropped")

    # 2. restart: the second process keeps what the first learned
    so, out = run(env, "r2", {(0, 0): [end_outside(0x05060708, 20), end_outside(0x0a0b0c0e, 21)]})
    print(state_line(so))
    if "reused" not in state_line(so):
        fail("run 2: the restarted dataplane did not reuse the state object")
    fwd = out[(1, 0)]
    if fwd != [end_outside(0x05060708, 20)]:
        fail("run 2: forwarded %d frames; expected only the End of the Begin learned before the "
             "restart" % len(fwd))
    print("PASS: after a restart the End of a Begin learned before it was forwarded, an "
          "unsolicited End dropped")

    # 3. self-check: without the state object the same kind of End is dropped
    os.unlink("/dev/shm/sigwall.%s.state" % env.instance)
    so, out = run(env, "r3", {(0, 0): [end_outside(0x090a0b0c, 30)]})
    print(state_line(so))
    if "created" not in state_line(so) or out[(1, 0)]:
        fail("self-check: with the state object removed, the End was forwarded or the object "
             "not created")
    print("PASS: self-check: the state object removed, the End of a Begin learned before is "
          "dropped")
finally:
    env.cleanup()
