#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Operability of sigwall-dataplane (issue 19), one run of net_pcap replaying a capture forever:

1. mbuf sizing: net_pcap with infinite_rx=1 keeps every frame of its capture in mbufs of our
   pool; with 14,500 frames the old fixed pool of 8,191 died with "RX queue 0 setup failed"
   (the demo's stage 5). The pool is now sized from queues, descriptors and the capture.
2. DPDK telemetry: /sigwall/status and /sigwall/stats (total and per worker) answer on the
   telemetry socket as dpdk-telemetry.py asks them, and the counters move while it runs.
3. NIC counters in the stats region: the main lcore writes rte_eth_stats and every xstat of
   each port into its NIC section (shm.h struct sw_shm_nic); sw-itest reads them back as control
   does (sw_shm_nic_read) and they agree with the port's own figures.
4. --log-level: sigwall's messages go through rte_log with the logtype sigwall.dataplane:
   info shows the mbuf pool line, warning hides it, and a warning still shows at warning.
"""
import json
import os
import signal
import socket
import subprocess
import time

from dptest import *

FRAMES = 14500


def telemetry(path, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(10)
    s.connect(path)
    json.loads(s.recv(65536).decode())  # the greeting: version, pid, max_output_len
    s.send(cmd.encode())
    reply = json.loads(s.recv(1 << 20).decode())
    s.close()
    return reply


def frames_of(n):
    """n small SCTP frames (a DATA chunk each, M3UA/SCCP/TCAP/MAP inside)."""
    out = []
    for i in range(n):
        msu = map_msu(45, "4179%07d" % i, "3367%07d" % (i * 7 % 10 ** 7), "20801%010d" % i, i)
        out.append(sctp_frame(b"\x0a\0\0\x01", b"\x0a\0\0\x02", 2905, 2905, 0x1234,
                              [data_chunk(1000 + i, 1, i & 0xffff, msu)]))
    return out


require_dataplane()
if not have(ITEST):
    skip("sw-itest is not built")
env = Env("ops")
try:
    probe_dpdk(env)
    cap = env.path("loop.pcap")
    pcap_write(cap, frames_of(FRAMES))
    vdev = ["net_pcap0,rx_pcap=%s,infinite_rx=1" % cap]
    sock = "/var/run/dpdk/%s/dpdk_telemetry.v2" % env.prefix
    cmd = [DATAPLANE] + eal_args(env, vdev) + ["--log-level", "sigwall.dataplane:info", "--",
                                              "--mode", "monitor", "--ports", "0",
                                              "--instance", env.instance,
                                              "--nic-interval", "100"]
    if os.path.exists(sock):
        os.unlink(sock)  # left by probe_dpdk's run
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    # 1. it starts: the telemetry socket answers and lists our commands (registered once the
    # ports and workers are set up)
    deadline = time.monotonic() + 60
    ready = False
    while not ready and p.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
        try:
            ready = "/sigwall/status" in telemetry(sock, "/").get("/", [])
        except OSError:
            pass
    time.sleep(0.3)
    if p.poll() is not None or not ready:
        if p.poll() is None:
            p.kill()
        out, err = p.communicate()
        fail("sigwall-dataplane did not start with a %d-frame infinite_rx capture (exit %d):\n%s%s"
             % (FRAMES, p.returncode, out, err))
    print("1. started with net_pcap infinite_rx over %d frames" % FRAMES)

    # 2. telemetry
    st = telemetry(sock, "/sigwall/status").get("/sigwall/status")
    print("2. /sigwall/status: %s" % json.dumps(st, sort_keys=True))
    if not st or st.get("instance") != env.instance or st.get("mode") != "monitor" or \
            st.get("workers") != 1 or st.get("ports") != ["net_pcap0"] or \
            st.get("program") != "sigwall-dataplane" or st.get("mbufs", 0) < FRAMES:
        fail("/sigwall/status: %r" % st)
    a = telemetry(sock, "/sigwall/stats").get("/sigwall/stats")
    time.sleep(0.3)
    b = telemetry(sock, "/sigwall/stats").get("/sigwall/stats")
    w0 = telemetry(sock, "/sigwall/stats,0").get("/sigwall/stats")
    bad = telemetry(sock, "/sigwall/stats,7").get("/sigwall/stats")
    print("   /sigwall/stats: rx_pkts %s -> %s, msus %s, worker 0 rx_pkts %s; worker 7: %r"
          % (a.get("rx_pkts"), b.get("rx_pkts"), b.get("msus"), w0.get("rx_pkts"), bad))
    if not (0 < a["rx_pkts"] < b["rx_pkts"] <= w0["rx_pkts"]) or b["msus"] <= 0 or \
            "malformed_reasons" not in b or "rule_hits" not in b or w0.get("worker") != 0:
        fail("/sigwall/stats does not count: %r %r %r" % (a, b, w0))
    if bad not in (None, {}):
        fail("/sigwall/stats,7 (no such worker) answered %r" % bad)
    listing = telemetry(sock, "/").get("/")
    if "/sigwall/stats" not in listing or "/sigwall/status" not in listing:
        fail("/ does not list the sigwall commands: %r" % listing)

    # 3. NIC section while running, then the final figures after the stop
    time.sleep(0.3)
    live = [json.loads(l) for l in itest("nic", env.instance).stdout.splitlines()]
    p.send_signal(signal.SIGINT)
    out, err = p.communicate(timeout=60)
    if p.returncode != 0:
        fail("SIGINT: exit %d\n%s" % (p.returncode, err))
    final = [json.loads(l) for l in itest("nic", env.instance).stdout.splitlines()]
    nic = [x for x in final if "slot" in x]
    corrupt = [x for x in final if "corrupt" in x][0]["corrupt"]
    if len(nic) != 1 or not [x for x in live if "slot" in x]:
        fail("NIC sections: live %r, final %r" % (live, final))
    n = nic[0]
    xs = n["xstats"]
    report = [l for l in out.splitlines() if l.startswith("port A (")]
    print("3. NIC section: %s ipackets %d imissed %d rx_nombuf %d, %d xstats (rx_good_packets %s, "
          "rx_mbuf_allocation_errors %s); corrupt %d; report: %s"
          % (n["name"], n["ipackets"], n["imissed"], n["rx_nombuf"], n["nxstats"],
             xs.get("rx_good_packets"), xs.get("rx_mbuf_allocation_errors"), corrupt, report))
    c = counters(out)
    if n["name"] != "net_pcap0" or n["role"] != 0 or n["ipackets"] != c["rx_pkts"] or \
            n["nxstats"] != len(xs) or xs.get("rx_good_packets") != n["ipackets"] or \
            "rx_missed_errors" not in xs or "rx_mbuf_allocation_errors" not in xs or corrupt != 0:
        fail("NIC section does not match the port (rx_pkts %d): %r" % (c["rx_pkts"], n))
    if not report or ("ipackets %d " % c["rx_pkts"]) not in report[0]:
        fail("final report lacks the port line: %r" % report)

    # 4. --log-level
    def run_level(level, extra):
        r = run_dataplane(env, ["net_null0"], ["--mode", "monitor", "--ports", "0",
                                               "--max-packets", "1000"] + extra, check=False,
                          lcores="0-1") if level is None else subprocess.run(
            [DATAPLANE] + eal_args(env, ["net_null0"]) + ["--log-level", level, "--", "--mode",
                                                          "monitor", "--ports", "0", "--max-packets",
                                                          "1000", "--instance", env.instance] + extra,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
        if r.returncode != 0:
            fail("--log-level %s: exit %d: %s" % (level, r.returncode, r.stderr))
        return [l for l in r.stderr.splitlines() if l.startswith("sigwall-dataplane:")]
    info = run_level(None, [])
    warn = run_level("sigwall.dataplane:warning", [])
    warn2 = run_level("sigwall.*:warning", ["--mbufs", "2000"])
    err = run_level("sigwall.dataplane:error", ["--mbufs", "2000"])
    print("4. default: %r\n   warning: %r\n   warning + low --mbufs: %r\n   error + low --mbufs: %r"
          % (info, warn, warn2, err))
    if not any("mbuf pool:" in l for l in info) or warn or \
            not any("--mbufs 2000 is below" in l for l in warn2) or err:
        fail("--log-level does not select sigwall's messages")
    print("PASS: mbufs sized for a %d-frame infinite_rx capture; telemetry /sigwall/status and "
          "/sigwall/stats; NIC xstats in the stats region; --log-level" % FRAMES)
finally:
    if "p" in globals() and p.poll() is None:  # a failed check must not leave it polling
        p.kill()
        p.wait()
    env.cleanup()
