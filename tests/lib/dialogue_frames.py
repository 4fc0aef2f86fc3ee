# SPDX-License-Identifier: BSD-3-Clause
"""A dialogue split across the home network and a partner, as frames for sigwall-dataplane's
ports (tests/state/dp_state.py: two workers; tests/cluster/dp_cluster.py: two members of a
pair): a TC-BEGIN from inside and the partner's TC-END answering it."""
import sigtran as st

HOME_HLR, FR_VLR = "27820000010", "336090000020"


def frame(outside, tcap, cgpa, cdpa, n):
    """One M3UA DATA in SCTP/IPv4/Ethernet; outside: from the interconnect (port A)."""
    sccp = st.sccp_udt(st.sccp_addr(cdpa, ssn=7 if outside else 6),
                       st.sccp_addr(cgpa, ssn=6 if not outside else 7), tcap)
    opc, dpc = (4000, 1001) if outside else (1001, 4000)
    m3 = st.m3ua_data(opc, dpc, 3, sccp)
    src, dst = ("192.0.2.10", "10.20.0.10") if outside else ("10.20.0.10", "192.0.2.10")
    sp, dp = (2905, 2906) if outside else (2906, 2905)
    chunk = st.sctp_data(1000 + n, 0, n & 0xffff, m3)
    return st.ether(st.ipv4(src, dst, st.sctp(sp, dp, 0x11223344, [chunk])))


def begin_inside(otid, n):
    # sendRoutingInfoForSM from a home node: RoutingInfoForSM-Arg (TS 29.002 12.1)
    arg = st.tlv(0x30, st.tlv(0x80, st.address_string("27831234567")) +
                 st.tlv(0x81, b"\xff") + st.tlv(0x82, st.address_string("27820000030")))
    t = st.tcap("begin", otid=otid.to_bytes(4, "big"),
                dialogue=st.dialogue_aarq("0.4.0.0.1.0.20.3"),
                components=[st.invoke(1, 45, arg)])
    return frame(False, t, HOME_HLR, FR_VLR, n)


def end_outside(dtid, n):
    t = st.tcap("end", dtid=dtid.to_bytes(4, "big"), components=[st.result_last(1)])
    return frame(True, t, FR_VLR, HOME_HLR, n)
