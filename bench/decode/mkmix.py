#!/usr/bin/python3
"""Write a realistic roaming MSU mix to a pcap for the decode benchmark (fallback generator).

bench/decode/run.sh uses sigwall-gen when the build has it; this script is the fallback. It uses
the independent encoder tests/lib/sigtran.py and writes whole MAP dialogues as they appear on a
roaming interconnect: UDT (some XUDT) carrying TCAP Begin / Continue / End with dialogue portions
and MAP operations with their parameters (location update with insertSubscriberData, authentication,
SMS routing and forwarding, USSD, subscriber information, cancel/purge). Most packets carry one
DATA chunk; a share bundle two or three (as busy associations do).

usage: mkmix.py [--msus N] [--seed S] [--bundle-pct P] -o FILE
"""
import argparse
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests",
                                "lib"))
import sigtran as s  # noqa: E402

SSN_HLR, SSN_VLR, SSN_MSC = 6, 7, 8  # 3GPP TS 23.003 8.1
HOME_CC, HOME_NDC = "49", "172"      # our network (E.164 prefix of its GTs)
HOME_MCCMNC = "26202"
PARTNERS = [("33", "6", "20801"), ("44", "7700", "23415"), ("34", "6", "21407"),
            ("39", "3", "22210"), ("1", "202", "310260"), ("86", "139", "46000")]


def acn(ac, ver):
    return "0.4.0.0.1.0.%d.%d" % (ac, ver)  # TS 29.002 17.3.2


def dialogue_aare(ac):
    """AARE-apdu (Q.773 dialogue portion of the first backward message): accepted."""
    aare = (s.tlv(0x80, b"\x07\x80") + s.tlv(0xA1, s.tlv(0x06, s.oid(ac))) +
            s.tlv(0xA2, s.tlv(0x02, b"\x00")) + s.tlv(0xA3, s.tlv(0xA1, s.tlv(0x02, b"\x00"))))
    ext = s.tlv(0x06, s.oid(s.DIALOGUE_AS_ID)) + s.tlv(0xA0, s.tlv(0x61, aare))
    return s.tlv(0x6B, s.tlv(0x28, ext))


def gsm7_pack(text):
    out, acc, bits = bytearray(), 0, 0
    for ch in text.encode("ascii"):
        acc |= (ch & 0x7F) << bits
        bits += 7
        while bits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            bits -= 8
    if bits:
        out.append(acc & 0xFF)
    return bytes(out)


class Mix:
    def __init__(self, rng):
        self.rng = rng
        self.tid = 0x10000

    def new_tid(self):
        self.tid = (self.tid + self.rng.randrange(1, 97)) & 0xFFFFFFFF
        return struct.pack(">I", self.tid)

    def digits(self, n):
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def subscriber(self):
        cc, ndc, plmn = self.rng.choice(PARTNERS)
        return plmn + self.digits(15 - len(plmn)), cc + ndc + self.digits(12 - len(cc) - len(ndc))

    def partner_gt(self):
        cc, ndc, _ = self.rng.choice(PARTNERS)
        return cc + ndc + self.digits(12 - len(cc) - len(ndc))

    def home_gt(self):
        return HOME_CC + HOME_NDC + self.digits(7)

    def udt(self, cd_gt, cd_ssn, cg_gt, cg_ssn, tc):
        cdpa = s.sccp_addr(cd_gt, ssn=cd_ssn, gti=4, tt=0, np=1, nai=4)
        cgpa = s.sccp_addr(cg_gt, ssn=cg_ssn, gti=4, tt=0, np=1, nai=4)
        if self.rng.random() < 0.1:
            return s.sccp_xudt(cdpa, cgpa, tc)
        return s.sccp_udt(cdpa, cgpa, tc)

    def dialogue(self):
        """One MAP dialogue: a list of (direction, SCCP payload) in order."""
        r = self.rng.random()
        imsi, msisdn = self.subscriber()
        vlr, hlr = self.partner_gt(), self.home_gt()
        otid, dtid = self.new_tid(), self.new_tid()
        msgs = []

        def begin(ac, comps, cd=hlr, cd_ssn=SSN_HLR, cg=vlr, cg_ssn=SSN_VLR):
            tc = s.tcap("begin", otid=otid, dialogue=s.dialogue_aarq(ac), components=comps)
            msgs.append((0, self.udt(cd, cd_ssn, cg, cg_ssn, tc)))

        def cont(comps, back, ac=None, cd=hlr, cd_ssn=SSN_HLR, cg=vlr, cg_ssn=SSN_VLR):
            o, d = (dtid, otid) if back else (otid, dtid)
            tc = s.tcap("continue", otid=o, dtid=d,
                        dialogue=dialogue_aare(ac) if ac else b"", components=comps)
            if back:
                msgs.append((1, self.udt(cg, cg_ssn, cd, cd_ssn, tc)))
            else:
                msgs.append((0, self.udt(cd, cd_ssn, cg, cg_ssn, tc)))

        def end(comps, ac=None, cd=hlr, cd_ssn=SSN_HLR, cg=vlr, cg_ssn=SSN_VLR):
            tc = s.tcap("end", dtid=otid, dialogue=dialogue_aare(ac) if ac else b"",
                        components=comps)
            msgs.append((1, self.udt(cg, cg_ssn, cd, cd_ssn, tc)))

        if r < 0.25:
            # sendAuthenticationInfo v3 (infoRetrieval): Begin / End
            ac = acn(14, 3)
            arg = s.tlv(0x30, s.tlv(0x80, s.tbcd(imsi)) + s.tlv(0x02, b"\x05"))
            begin(ac, [s.invoke(1, 56, arg)])
            vec = s.tlv(0x30, s.tlv(0x04, os.urandom(16)) + s.tlv(0x04, os.urandom(16)) +
                        s.tlv(0x04, os.urandom(16)) + s.tlv(0x04, os.urandom(16)))
            end([s.result_last(1, 56, s.tlv(0xA3, s.tlv(0xA1, vec)))], ac)
        elif r < 0.40:
            # updateLocation v3 (networkLocUp) with insertSubscriberData in a Continue
            ac = acn(1, 3)
            arg = s.tlv(0x30, s.tlv(0x04, s.tbcd(imsi)) +
                        s.tlv(0x81, s.address_string(vlr)) +
                        s.tlv(0x04, s.address_string(vlr)))
            begin(ac, [s.invoke(1, 2, arg)])
            isd = s.tlv(0x30, s.tlv(0x81, s.address_string(msisdn)) + s.tlv(0x82, b"\x0a"))
            cont([s.invoke(2, 7, isd)], True, ac)
            cont([s.result_last(2)], False)
            res = s.tlv(0x30, s.tlv(0x04, s.address_string(hlr)))
            tc = s.tcap("end", dtid=otid, components=[s.result_last(1, 2, res)])
            msgs.append((1, self.udt(vlr, SSN_VLR, hlr, SSN_HLR, tc)))
        elif r < 0.55:
            # sendRoutingInfoForSM v3 (shortMsgGateway): SMSC asks the HLR
            ac = acn(20, 3)
            smsc = self.partner_gt()
            arg = s.tlv(0x30, s.tlv(0x80, s.address_string(msisdn)) + s.tlv(0x81, b"\xff") +
                        s.tlv(0x82, s.address_string(smsc)))
            begin(ac, [s.invoke(1, 45, arg)], cg=smsc, cg_ssn=SSN_MSC)
            res = s.tlv(0x30, s.tlv(0x04, s.tbcd(imsi)) +
                        s.tlv(0xA0, s.tlv(0x81, s.address_string(vlr))))
            end([s.result_last(1, 45, res)], ac, cg=smsc, cg_ssn=SSN_MSC)
        elif r < 0.72:
            # mt-forwardSM v3 (shortMsgMT-Relay): SMSC to the visited MSC
            ac = acn(25, 3)
            smsc = self.partner_gt()
            ui = bytes([0x04, 0x0B, 0x91]) + s.tbcd(msisdn) + b"\x00\x00" + os.urandom(7) + \
                bytes([40]) + gsm7_pack("Your code is %06d" % self.rng.randrange(10**6) + " " * 20)
            arg = s.tlv(0x30, s.tlv(0x80, s.tbcd(imsi)) + s.tlv(0x84, s.address_string(smsc)) +
                        s.tlv(0x04, ui))
            begin(ac, [s.invoke(1, 44, arg)], cd=vlr, cd_ssn=SSN_MSC, cg=smsc, cg_ssn=SSN_MSC)
            end([s.result_last(1)], ac, cd=vlr, cd_ssn=SSN_MSC, cg=smsc, cg_ssn=SSN_MSC)
        elif r < 0.82:
            # mo-forwardSM v3 (shortMsgMO-Relay): visited MSC to the home SMSC
            ac = acn(21, 3)
            smsc = self.home_gt()
            ui = bytes([0x01, 0x00, 0x0B, 0x91]) + s.tbcd(self.partner_gt()) + b"\x00\x00" + \
                bytes([12]) + gsm7_pack("see you soon")
            arg = s.tlv(0x30, s.tlv(0x84, s.address_string(smsc)) +
                        s.tlv(0x82, s.address_string(msisdn)) + s.tlv(0x04, ui))
            begin(ac, [s.invoke(1, 46, arg)], cd=smsc, cd_ssn=SSN_MSC, cg=vlr, cg_ssn=SSN_MSC)
            end([s.result_last(1)], ac, cd=smsc, cd_ssn=SSN_MSC, cg=vlr, cg_ssn=SSN_MSC)
        elif r < 0.88:
            # processUnstructuredSS-Request v2 (networkUnstructuredSs)
            ac = acn(19, 2)
            arg = s.tlv(0x30, s.tlv(0x04, b"\x0f") + s.tlv(0x04, gsm7_pack("*100#")) +
                        s.tlv(0x80, s.address_string(msisdn)))
            begin(ac, [s.invoke(1, 59, arg)], cd=hlr, cd_ssn=SSN_HLR, cg=vlr, cg_ssn=SSN_VLR)
            res = s.tlv(0x30, s.tlv(0x04, b"\x0f") +
                        s.tlv(0x04, gsm7_pack("Balance 12.34 EUR, valid until 2027-01-01")))
            end([s.result_last(1, 59, res)], ac)
        elif r < 0.93:
            # provideSubscriberInfo v3 (subscriberInfoEnquiry): HLR asks the VLR
            ac = acn(28, 3)
            arg = s.tlv(0x30, s.tlv(0x80, s.tbcd(imsi)) + s.tlv(0xA2, s.tlv(0x80, b"")))
            begin(ac, [s.invoke(1, 70, arg)], cd=vlr, cd_ssn=SSN_VLR, cg=hlr, cg_ssn=SSN_HLR)
            loc = s.tlv(0xA0, s.tlv(0x02, b"\x05") + s.tlv(0x81, s.address_string(vlr)) +
                        s.tlv(0x86, s.address_string(vlr)))
            res = s.tlv(0x30, s.tlv(0x30, loc))
            end([s.result_last(1, 70, res)], ac, cd=vlr, cd_ssn=SSN_VLR, cg=hlr, cg_ssn=SSN_HLR)
        elif r < 0.97:
            # cancelLocation v3 (locationCancel): HLR to the old VLR
            ac = acn(2, 3)
            arg = s.tlv(0xA3, s.tlv(0x04, s.tbcd(imsi)) + s.tlv(0x0A, b"\x00"))
            begin(ac, [s.invoke(1, 3, arg)], cd=vlr, cd_ssn=SSN_VLR, cg=hlr, cg_ssn=SSN_HLR)
            end([s.result_last(1)], ac, cd=vlr, cd_ssn=SSN_VLR, cg=hlr, cg_ssn=SSN_HLR)
        else:
            # purgeMS v3 (msPurging)
            ac = acn(27, 3)
            arg = s.tlv(0xA3, s.tlv(0x04, s.tbcd(imsi)) + s.tlv(0x80, s.address_string(vlr)))
            begin(ac, [s.invoke(1, 67, arg)])
            end([s.result_last(1)], ac)
        return msgs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--msus", type=int, default=200000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bundle-pct", type=float, default=10.0,
                    help="share of packets that bundle 2-3 DATA chunks")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    if a.msus <= 0:
        print("mkmix.py: --msus must be > 0", file=sys.stderr)
        return 2
    rng = random.Random(a.seed)
    s_rand = random.Random(a.seed + 1)
    os.urandom = lambda n: bytes(s_rand.getrandbits(8) for _ in range(n))  # reproducible
    mix = Mix(rng)
    # Several dialogues are open at once, as on a real link; each keeps its own order.
    pool = [mix.dialogue() for _ in range(16)]
    frames, n, tsn = [], 0, [1000, 50000]
    # Two associations (one per direction) between our STP and a hub.
    ends = [("10.0.0.1", "10.0.0.2", 2905, 2905, 0x1A2B3C4D),
            ("10.0.0.2", "10.0.0.1", 2905, 2905, 0x5E6F7081)]

    def take(direction=None):
        for i in (range(len(pool)) if direction is not None else [rng.randrange(len(pool))]):
            if direction is None or pool[i][0][0] == direction:
                msg = pool[i].pop(0)
                if not pool[i]:
                    pool[i] = mix.dialogue()
                return msg
        return None

    while n < a.msus:
        direction, sccp_pdu = take()
        chunks = []
        want = rng.choice((2, 3)) if rng.random() * 100 < a.bundle_pct else 1
        while True:
            m3 = s.m3ua_data(0x1234 if direction == 0 else 0x0567,
                             0x0567 if direction == 0 else 0x1234, 3, sccp_pdu,
                             sls=rng.randrange(16), rctx=100)
            chunks.append(s.sctp_data(tsn[direction], rng.randrange(1, 17), 0, m3))
            tsn[direction] += 1
            n += 1
            if len(chunks) >= want or n >= a.msus:
                break
            nxt = take(direction)
            if nxt is None:
                break
            sccp_pdu = nxt[1]
        src, dst, sp, dp, vtag = ends[direction]
        frames.append(s.ether(s.ipv4(src, dst, s.sctp(sp, dp, vtag, chunks))))
    s.write_pcap(a.output, frames)
    print("mkmix.py: %d MSUs in %d packets -> %s" % (n, len(frames), a.output))
    return 0


if __name__ == "__main__":
    sys.exit(main())
