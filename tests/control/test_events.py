#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The event pipeline of sigwall-control with the real sigwall-dataplane (issue 19, Deliver 2):

 1. Malformed floods do not hide attacks (the finding: 20,000 IP fragments around 5
    anyTimeInterrogations gave `events 2048 events_lost 37957` and none of the 5 drops was
    logged): the 5 drop events are in the file, the fragments are one line per second with an
    exact count (sum == 20,000).
 2. The schema (control/README.md): timestamp, event_type, host, instance, generation, rule
    {id, name, action, severity}, policy {name, checksum == status}, flow {src/dst IP, SCTP
    ports, vtag, stream}, m3ua, sccp calling/called with SSN, tcap type/otid/acn, map operation
    and masked IMSI; the ISUP spoofing alert carries the calling number (cgpn).
 3. RFC 5424 syslog copy over UDP: header fields and the JSON line as MSG.
 4. `sigwallctl log-reopen` and SIGHUP after `mv` (logrotate), a file removed under the daemon,
    a storm of 300 SIGHUPs: new lines go to the new file, the daemon answers, nothing crashes.
 5. A short write (file size limit: write() fails with EFBIG as on a full disk) leaves the JSON
    file at its last whole line and the pcap at its last whole record; the records not written
    are counted in the metrics.

Skips (77) when the dataplane, sigwall-gen or control is not built or DPDK cannot start."""
import json
import os
import re
import resource
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from dptest import *  # noqa: E402,F401,F403

CONTROL = tool("SW_CONTROL", "control/daemon/sigwall-control")
NFRAG = 20000
NATI = 5


def fragment(i):
    """An IPv4 first fragment (MF set) of an SCTP packet: malformed ip_fragment."""
    msu = map_msu(45, "336090000001", "27820000010", "208011234567890", 0x7000 + i)
    f = bytearray(sctp_frame(bytes([192, 0, 2, 10]), bytes([10, 20, 0, 10]), 2905, 2905,
                             0x5eed0000, [data_chunk(900000 + i, 1, i & 0xffff, msu)]))
    f[14 + 6] = 0x20  # flags: MF, offset 0 (RFC 791 3.1)
    f[14 + 10:14 + 12] = b"\0\0"
    s = sum(struct.unpack(">10H", bytes(f[14:34])))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    f[14 + 10:14 + 12] = struct.pack(">H", ~s & 0xffff)
    return bytes(f)


def ati(i):
    """anyTimeInterrogation (TS 29.002 opcode 71) from a partner GT to a home subscriber:
    fs11-cat1 drops it from outside."""
    msu = map_msu(71, "491720000001", "27820000010", "655011234567890", 0xa7100 + i,
                  opc=4001, dpc=1001)
    return sctp_frame(bytes([192, 0, 2, 11]), bytes([10, 20, 0, 11]), 2905, 2906,
                      0xa7100000 + i, [data_chunk(100 + i, 3, i, msu)])


def metrics(port):
    return urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port, timeout=5).read().decode()


def metric(body, name, **labels):
    for line in body.splitlines():
        if not line.startswith(name + "{"):
            continue
        if all(('%s="%s"' % (k, v)) in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


class Syslog(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.msgs = []
        self.stop = False

    def run(self):
        while not self.stop:
            try:
                self.msgs.append(self.sock.recv(65536).decode())
            except socket.timeout:
                pass


RUNS = []  # every daemon started, so a failure anywhere still stops them (main's finally)


class Run:
    def __init__(self, env, tag):
        self.env = env
        self.events = env.path("events-%s.jsonl" % tag)
        self.pcap = env.path("dropped-%s.pcap" % tag)
        self.port = free_port()
        self.proc = None
        self.cenv = dict(os.environ, SIGWALL_RUNDIR=env.path("run"))

    def ctl(self, *args):
        return subprocess.run([CTL, "--instance", self.env.instance] + list(args), env=self.cenv,
                              capture_output=True, text=True, timeout=60)

    def start(self, extra=(), fsize=None):
        pre = None
        if fsize is not None:
            def pre():
                resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        self.log = open(self.env.path("control.log"), "a")
        self.proc = subprocess.Popen(
            [CONTROL, "--instance", self.env.instance, "--rules", RULES, "--site", SITE,
             "--foreground", "--log", "stderr", "--events", self.events, "--events-pcap",
             self.pcap, "--metrics", "127.0.0.1:%d" % self.port] + list(extra),
            env=self.cenv, stdout=self.log, stderr=subprocess.STDOUT, preexec_fn=pre)
        RUNS.append(self.proc)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                fail("sigwall-control exited %d:\n%s" % (self.proc.returncode,
                                                         open(self.env.path("control.log")).read()))
            if self.ctl("status").returncode == 0:
                return
            time.sleep(0.05)
        fail("sigwall-control did not come up")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        if self.proc.wait(30) != 0:
            fail("control exit code %d" % self.proc.returncode)

    def lines(self, path=None):
        out = []
        with open(path or self.events) as f:
            for n, line in enumerate(f):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    fail("%s line %d is not a whole JSON object: %r" % (path or self.events,
                                                                         n + 1, line[:120]))
        return out


def run_dp(env, frames, tag):
    pc = env.path("in-%s.pcap" % tag)
    pcap_write(pc, frames)
    return run_dataplane(env, ["net_pcap0,rx_pcap=%s" % pc],
                         # reasm (issue 14 D1): fragments not joined, so that each one of the
                         # flood is an ip_fragment malformation, the per-packet flood counted here
                         ["--mode", "monitor", "--ports", "0", "--exit-on-idle", "1000",
                          "--ip-frag-entries", "0"],
                         timeout=180)


def main():
    require_dataplane()
    if not have(GEN):
        skip("sigwall-gen is not built")
    if not have(CONTROL) or not have(CTL):
        skip("sigwall-control or sigwallctl is not built")
    env = Env("events")
    try:
        probe_dpdk(env)
        run(env)
    finally:
        for p in RUNS:
            if p.poll() is None:
                p.kill()
                p.wait()
        subprocess.run([CONTROL, "--instance", env.instance, "--cleanup"],
                       env=dict(os.environ, SIGWALL_RUNDIR=env.path("run")), capture_output=True)
        env.cleanup()
    print("PASS")


def run(env):
    os.makedirs(env.path("run"), exist_ok=True)
    frames, labels, _ = gen_capture(env, 3000, seed=19, attack_share="0.3")
    outside = [f for f in frames if side_of(f) == 0]
    flood = []
    for i in range(NFRAG):
        if i % (NFRAG // NATI) == NFRAG // NATI // 2:
            flood.append(ati(len([x for x in flood if not is_fragment(x)])))
        flood.append(fragment(i))
    if sum(1 for f in flood if not is_fragment(f)) != NATI:
        fail("capture has %d ATIs" % sum(1 for f in flood if not is_fragment(f)))

    sl = Syslog()
    sl.start()
    r = Run(env, "a")
    r.start(extra=["--events-syslog", "udp:127.0.0.1:%d" % sl.port])
    st = json.loads(r.ctl("status", "--json").stdout)

    # 1. the flood
    p = run_dp(env, flood, "flood")
    c = counters(p.stdout)
    time.sleep(2.5)  # two ticks of the per-second malformed lines
    evs = r.lines()
    atis = [e for e in evs if e["event_type"] == "drop" and
            e.get("map", {}).get("operation") == "anyTimeInterrogation"]
    frag = [e for e in evs if e["event_type"] == "malformed" and
            e["malformed"]["reason"] == "ip_fragment"]
    nfrag = sum(e["malformed"]["count"] for e in frag)
    print("flood: dataplane events %d events_lost %d; file: %d ATI drop lines (of %d), %d "
          "ip_fragment lines counting %d fragments (%d records sampled)"
          % (c["events"], c["events_lost"], len(atis), NATI, len(frag), nfrag,
             sum(e["malformed"]["sampled"] for e in frag)))
    if len(atis) != NATI:
        fail("%d of the %d ATI drops were logged among %d fragments" % (len(atis), NATI, NFRAG))
    if nfrag != NFRAG:
        fail("malformed lines count %d fragments, not %d" % (nfrag, NFRAG))
    if len(frag) > 10:
        fail("%d ip_fragment lines: not aggregated per second" % len(frag))

    # 2. the schema, on the ATI drops and on traffic with every attack of the generator
    p = run_dp(env, outside, "mix")
    time.sleep(1.5)
    evs = r.lines()
    host = socket.gethostname()
    e = atis[0]
    for k in ("timestamp", "event_type", "host", "instance", "generation", "worker", "direction",
              "rule", "policy", "flow", "m3ua", "sccp", "tcap", "map"):
        if k not in e:
            fail("drop event lacks %s: %s" % (k, e))
    want = {"src_ip": "192.0.2.11", "dst_ip": "10.20.0.11", "src_port": 2905, "dst_port": 2906,
            "stream": 3}
    for k, v in want.items():
        if e["flow"].get(k) != v:
            fail("flow.%s = %r, want %r: %s" % (k, e["flow"].get(k), v, e["flow"]))
    if not (e["flow"]["vtag"] & 0xffffff00) == 0xa7100000:
        fail("flow.vtag %r" % e["flow"]["vtag"])
    if e["host"] != host or e["instance"] != env.instance:
        fail("host/instance %r %r" % (e["host"], e["instance"]))
    if e["m3ua"] != {"opc": 4001, "dpc": 1001, "si": 3}:
        fail("m3ua %s" % e["m3ua"])
    if e["sccp"]["calling"]["gt"] != "491720000001" or e["sccp"]["calling"]["ssn"] != 7 or \
            e["sccp"]["called"]["ssn"] != 6:
        fail("sccp %s" % e["sccp"])
    if e["tcap"]["type"] != "begin" or not re.match(r"^000a71[0-9a-f]{2}$", e["tcap"]["otid"] or ""):
        fail("tcap %s" % e["tcap"])
    if e["map"]["opcode"] != 71:
        fail("map %s" % e["map"])
    if e["rule"]["name"] != "fs11-cat1" or e["rule"]["action"] != "drop" or \
            e["rule"]["severity"] != 1 or not isinstance(e["rule"]["id"], int):
        fail("rule %s" % e["rule"])
    # the policy name of the rule set published (dptest.RULES: the shipped one without state)
    pname = re.search(r'name\s*=\s*"([^"]+)"', open(RULES).read()).group(1)
    if e["policy"] != {"name": pname, "checksum": st["checksum"]}:
        fail("policy %s, status checksum %s" % (e["policy"], st["checksum"]))
    isup = [x for x in evs if x.get("rule", {}).get("name") == "isup-cli-spoof"]
    if not isup or not isup[0].get("isup", {}).get("cgpn"):
        fail("the ISUP spoofing alert lacks the calling number: %s" % (isup[:1],))
    acn = [x for x in evs if x.get("tcap", {}).get("acn")]
    if not acn or not re.match(r"^0\.4\.0\.0\.1\.0\.\d+\.\d+$", acn[0]["tcap"]["acn"]):
        fail("no event with a dotted ACN: %s" % (acn[:1],))
    imsis = [x["map"]["imsi"] for x in evs if x.get("map", {}).get("imsi")]
    if not imsis or not all(re.match(r"^\d{5,8}\*+$", i) for i in imsis):
        fail("IMSIs not present or not masked: %s" % imsis[:5])
    types = {}
    for x in evs:
        types[x["event_type"]] = types.get(x["event_type"], 0) + 1
    if not {"drop", "alert", "malformed", "system"} <= set(types):
        fail("event types seen: %s" % types)
    print("schema: ATI drop %s" % json.dumps(e)[:400])
    print("schema: ISUP alert cgpn %s; ACN %s; event types %s"
          % (isup[0]["isup"]["cgpn"], acn[0]["tcap"]["acn"], types))

    # 3. syslog
    time.sleep(0.3)
    sl.stop = True
    sl.join()
    rx = re.compile(r"^<(\d+)>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z (\S+) sigwall-control "
                    r"(\d+) (drop|alert|malformed|state|system) - (\{.*\})$")
    good = [m for m in (rx.match(x) for x in sl.msgs) if m is not None]
    if not sl.msgs or len(good) != len(sl.msgs):
        fail("syslog: %d messages, %d RFC 5424: %r" % (len(sl.msgs), len(good), sl.msgs[:2]))
    drops = [m for m in good if m.group(4) == "drop"]
    if not drops or int(drops[0].group(1)) != 16 * 8 + 4 or \
            json.loads(drops[0].group(5))["event_type"] != "drop":
        fail("syslog drop message: %r" % (drops[0].group(0) if drops else None))
    print("syslog: %d RFC 5424 messages, e.g. %s" % (len(good), good[0].group(0)[:160]))

    # 4. logrotate: mv + log-reopen, mv + SIGHUP, rm, a SIGHUP storm
    os.rename(r.events, r.events + ".1")
    q = r.ctl("log-reopen")
    if q.returncode != 0:
        fail("log-reopen: %d %s" % (q.returncode, q.stderr))
    new = r.lines()
    if not any(x.get("system", {}).get("event") == "log_reopen" for x in new):
        fail("after log-reopen the new file has %s" % new)
    os.rename(r.events, r.events + ".2")
    r.proc.send_signal(signal.SIGHUP)
    time.sleep(0.5)
    if not os.path.exists(r.events) or not r.lines():
        fail("SIGHUP did not reopen %s" % r.events)
    before = len(r.lines(r.events + ".2"))
    run_dp(env, [ati(9)], "after-hup")
    time.sleep(1.5)
    if len(r.lines(r.events + ".2")) != before:
        fail("lines still go to the renamed file after SIGHUP")
    if not any(x.get("map", {}).get("operation") == "anyTimeInterrogation" for x in r.lines()):
        fail("the drop after SIGHUP is not in the new file")
    os.unlink(r.events)
    time.sleep(2.5)
    if not os.path.exists(r.events):
        fail("a removed events file was not opened again")
    for _ in range(300):
        r.proc.send_signal(signal.SIGHUP)
    time.sleep(1)
    if r.proc.poll() is not None or r.ctl("status").returncode != 0:
        fail("SIGHUP storm: control gone")
    body = metrics(r.port)
    if metric(body, "sigwall_sighup_total") < 2 or \
            metric(body, "sigwall_event_file_reopens_total", file="events") < 3:
        fail("reopen metrics: %s" % [x for x in body.splitlines() if "reopen" in x or "sighup" in x])
    print("logrotate: mv + log-reopen, mv + SIGHUP, rm: new lines in the new file; 300 SIGHUPs: "
          "%d counted, %d reopens of the events file"
          % (metric(body, "sigwall_sighup_total"),
             metric(body, "sigwall_event_file_reopens_total", file="events")))
    r.stop()

    # 5. short writes: a 48 KiB file size limit, as a full disk
    r2 = Run(env, "full")
    limit = 48 * 1024
    r2.start(fsize=limit)
    run_dp(env, outside, "full")
    time.sleep(1.5)
    body = metrics(r2.port)
    r2.stop()
    lines = r2.lines()  # fails on a cut line
    size = os.path.getsize(r2.events)
    with open(r2.pcap, "rb") as f:
        data = f.read()
    off, nrec = 24, 0
    while off + 16 <= len(data):
        off += 16 + struct.unpack("<IIII", data[off:off + 16])[2]
        nrec += 1
    if off != len(data):
        fail("pcap ends mid-record (%d of %d)" % (off, len(data)))
    lost_ev = metric(body, "sigwall_event_file_records_lost_total", file="events")
    short_ev = metric(body, "sigwall_event_file_short_writes_total", file="events")
    lost_pc = metric(body, "sigwall_event_file_records_lost_total", file="pcap")
    if size > limit or not lines or not lost_ev or not short_ev or not lost_pc:
        fail("short writes: file %d bytes (limit %d), %d lines, lost %s short %s, pcap lost %s"
             % (size, limit, len(lines), lost_ev, short_ev, lost_pc))
    if "write failed" not in open(env.path("control.log")).read():
        fail("no message about the failed write")
    print("short writes: events file %d bytes, %d whole lines, %d records counted lost in %d "
          "short writes; pcap %d whole records, %d lost" % (size, len(lines), lost_ev, short_ev,
                                                           nrec, lost_pc))


if __name__ == "__main__":
    main()
