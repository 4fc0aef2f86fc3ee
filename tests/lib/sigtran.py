"""A small, independent SIGTRAN encoder for test vectors and oracle captures.

It is deliberately written apart from sigwall-gen so that the decoder is checked against a
second encoder (and both against tshark). Layers: Ethernet/VLAN, IPv4/IPv6, SCTP (RFC 4960,
CRC32c), M3UA (RFC 4666), SCCP (Q.713), TCAP (Q.773, BER) and MAP parameters (TS 29.002).
"""
import struct


# --- BER (X.690) --------------------------------------------------------------------------
def ber_len(n, form="short"):
    """Length octets: 'short' picks the minimal form, 'long' forces long form (0x81/0x82)."""
    if form == "short" and n < 0x80:
        return bytes([n])
    if n < 0x100:
        return bytes([0x81, n])
    return bytes([0x82, n >> 8, n & 0xFF])


def tlv(tag, value, form="short"):
    """form 'indef' encodes an indefinite length with end-of-contents (constructed tags only)."""
    if form == "indef":
        return bytes([tag, 0x80]) + value + b"\x00\x00"
    return bytes([tag]) + ber_len(len(value), form) + value


def ber_int(v):
    n = 1
    while not (-(1 << (8 * n - 1)) <= v < (1 << (8 * n - 1))):
        n += 1
    return v.to_bytes(n, "big", signed=True)


def tbcd(digits):
    """TS 29.002 TBCD-STRING: low nibble first, 0xF filler."""
    d = [int(c, 16) if c not in "*#" else (10 if c == "*" else 11) for c in digits]
    if len(d) % 2:
        d.append(0xF)
    return bytes(d[i] | (d[i + 1] << 4) for i in range(0, len(d), 2))


def address_string(digits, nai=1, npi=1):
    """TS 29.002 AddressString: ext bit, nature of address, numbering plan, TBCD digits."""
    return bytes([0x80 | (nai << 4) | npi]) + tbcd(digits)


def oid(text):
    arcs = [int(a) for a in text.split(".")]
    out = [arcs[0] * 40 + arcs[1]]
    for a in arcs[2:]:
        enc = [a & 0x7F]
        a >>= 7
        while a:
            enc.insert(0, 0x80 | (a & 0x7F))
            a >>= 7
        out += enc
    return bytes(out)


# --- TCAP (Q.773) -------------------------------------------------------------------------
DIALOGUE_AS_ID = "0.0.17.773.1.1.1"


def dialogue_aarq(acn, form="short"):
    aarq = tlv(0x80, b"\x07\x80") + tlv(0xA1, tlv(0x06, oid(acn)), form)
    ext = tlv(0x06, oid(DIALOGUE_AS_ID)) + tlv(0xA0, tlv(0x60, aarq, form), form)
    return tlv(0x6B, tlv(0x28, ext, form), form)


def invoke(invoke_id, opcode, param=b"", form="short", global_op=None):
    op = tlv(0x06, oid(global_op)) if global_op else tlv(0x02, ber_int(opcode))
    return tlv(0xA1, tlv(0x02, ber_int(invoke_id)) + op + param, form)


def result_last(invoke_id, opcode=None, param=b"", form="short"):
    body = tlv(0x02, ber_int(invoke_id))
    if opcode is not None:
        body += tlv(0x30, tlv(0x02, ber_int(opcode)) + param, form)
    return tlv(0xA2, body, form)


def tcap(msg, otid=None, dtid=None, dialogue=b"", components=(), form="short"):
    tags = {"begin": 0x62, "end": 0x64, "continue": 0x65, "abort": 0x67, "unidirectional": 0x61}
    body = b""
    if otid is not None:
        body += tlv(0x48, otid)
    if dtid is not None:
        body += tlv(0x49, dtid)
    body += dialogue
    if components:
        body += tlv(0x6C, b"".join(components), form)
    return tlv(tags[msg], body, form)


# --- SCCP (Q.713) -------------------------------------------------------------------------
def sccp_addr(digits=None, ssn=None, pc=None, gti=4, tt=0, np=1, nai=4, ri_ssn=False):
    ind = (0x40 if ri_ssn else 0) | ((gti if digits is not None else 0) << 2)
    body = b""
    if pc is not None:
        ind |= 0x01
        body += struct.pack("<H", pc)
    if ssn is not None:
        ind |= 0x02
        body += bytes([ssn])
    if digits is not None:
        odd = len(digits) % 2
        bcd = tbcd(digits)
        if gti == 1:
            body += bytes([(odd << 7) | nai]) + bcd
        elif gti == 2:
            body += bytes([tt]) + bcd
        elif gti == 3:
            body += bytes([tt, (np << 4) | (1 if odd else 2)]) + bcd
        else:
            body += bytes([tt, (np << 4) | (1 if odd else 2), nai]) + bcd
    return bytes([ind]) + body


def sccp_udt(cdpa, cgpa, data, pclass=0x80 | 1):
    # Q.713 4.10: type, class, three pointers, then the variable parts
    p1 = 3
    p2 = p1 + len(cdpa)
    p3 = p2 + len(cgpa)
    return (bytes([0x09, pclass, p1, p2, p3]) + bytes([len(cdpa)]) + cdpa + bytes([len(cgpa)]) +
            cgpa + bytes([len(data)]) + data)


def sccp_xudt(cdpa, cgpa, data, segment=None, hop=15, pclass=0x80 | 1):
    # Q.713 4.18: type, class, hop counter, four pointers (the fourth to the optional part)
    p1 = 4
    p2 = p1 + len(cdpa)
    p3 = p2 + len(cgpa)
    var = bytes([len(cdpa)]) + cdpa + bytes([len(cgpa)]) + cgpa + bytes([len(data)]) + data
    if segment is not None:
        first, remaining, ref = segment
        opt = bytes([0x10, 4, (0x80 if first else 0) | (0x40 if pclass & 1 else 0) | remaining])
        opt += ref.to_bytes(3, "big") + b"\x00"
        p4 = p3 + len(data)
    else:
        opt = b""
        p4 = 0
    return bytes([0x11, pclass, hop, p1, p2, p3, p4]) + var + opt


def sccp_ludt(cdpa, cgpa, data, hop=15, pclass=0x80 | 1, from_first_octet=False):
    # Q.713 4.20: type, class, hop counter, four two-octet pointers (least significant octet
    # first; the fourth, 0 here, to the optional part), cdpa, cgpa, long data (2-octet length).
    # Pointers count from their second octet as Wireshark reads them (issue 17);
    # from_first_octet=True writes the other reading, for the vector that shows it is refused.
    k = 0 if from_first_octet else 1
    p1 = 8 - k
    p2 = 6 + 1 + len(cdpa) - k
    p3 = 4 + 2 + len(cdpa) + len(cgpa) - k
    var = (bytes([len(cdpa)]) + cdpa + bytes([len(cgpa)]) + cgpa +
           struct.pack("<H", len(data)) + data)
    return bytes([0x13, pclass, hop]) + struct.pack("<HHHH", p1, p2, p3, 0) + var

# --- M3UA (RFC 4666), SCTP (RFC 4960), IP, Ethernet -----------------------------------------
def m3ua_param(tag, value):
    pad = (4 - len(value) % 4) % 4
    return struct.pack(">HH", tag, 4 + len(value)) + value + b"\x00" * pad


def m3ua_data(opc, dpc, si, payload, ni=2, mp=0, sls=0, rctx=None):
    params = b""
    if rctx is not None:
        params += m3ua_param(0x0006, struct.pack(">I", rctx))
    params += m3ua_param(0x0210, struct.pack(">IIBBBB", opc, dpc, si, ni, mp, sls) + payload)
    return struct.pack(">BBBBI", 1, 0, 1, 1, 8 + len(params)) + params


# --- M2PA (RFC 4165) and the bare MTP3 message it carries (ITU-T Q.704) ----------------------
def mtp3_itu(opc, dpc, si, payload, ni=2, pri=0, sls=0):
    """SIO (Q.704 14.2) and the ITU routing label (Q.704 2.2.2: DPC, OPC, SLS, LSB first)."""
    label = (dpc & 0x3FFF) | (opc & 0x3FFF) << 14 | (sls & 0xF) << 28
    return bytes([ni << 6 | pri << 4 | si]) + struct.pack("<I", label) + payload


def m2pa_msg(typ, bsn, fsn, data=b"", version=1, cls=11):
    """RFC 4165 2.1.1 common header and 2.2 M2PA header (24-bit BSN and FSN)."""
    return struct.pack(">BBBBIII", version, 0, cls, typ, 16 + len(data), bsn & 0xFFFFFF,
                       fsn & 0xFFFFFF) + data


def m2pa_user_data(bsn, fsn, mtp3=b"", pri=0):
    """RFC 4165 2.3.1: the priority octet, then the MTP3 message; no data: an ack only."""
    return m2pa_msg(1, bsn, fsn, bytes([pri << 6]) + mtp3 if mtp3 else b"")


def m2pa_link_status(state, bsn=0xFFFFFF, fsn=0xFFFFFF, filler=b""):
    """RFC 4165 2.3.2: the 32-bit state (1 alignment ... 9 out of service), filler."""
    return m2pa_msg(2, bsn, fsn, struct.pack(">I", state) + filler)


def m3ua_msg(cls, typ, params=b""):
    return struct.pack(">BBBBI", 1, 0, cls, typ, 8 + len(params)) + params


_CRC32C = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC32C.append(_c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC32C[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def sctp_chunk(ctype, flags, value):
    pad = (4 - len(value) % 4) % 4
    return struct.pack(">BBH", ctype, flags, 4 + len(value)) + value + b"\x00" * pad


def sctp_data(tsn, sid, ssn, payload, ppid=3, flags=0x03):
    return sctp_chunk(0, flags, struct.pack(">IHHI", tsn, sid, ssn, ppid) + payload)


def sctp_idata(tsn, sid, mid, payload, ppid=3, flags=0x03):
    return sctp_chunk(64, flags, struct.pack(">IHHII", tsn, sid, 0, mid, ppid) + payload)


def sctp(sport, dport, vtag, chunks):
    hdr = struct.pack(">HHII", sport, dport, vtag, 0)
    pkt = hdr + b"".join(chunks)
    c = crc32c(pkt)
    # RFC 4960 Appendix B: the CRC is stored in network byte order of its little-endian value
    return pkt[:8] + struct.pack("<I", c) + pkt[12:]


def ipv4(src, dst, payload, proto=132, frag=0):
    def a(s):
        return bytes(int(x) for x in s.split("."))
    hdr = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, frag, 64, proto, 0,
                      a(src), a(dst))
    s = sum(struct.unpack(">10H", hdr))
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return hdr[:10] + struct.pack(">H", ~s & 0xFFFF) + hdr[12:] + payload


def ipv6(src16, dst16, payload, nh=132, ext=b""):
    return struct.pack(">IHBB", 0x60000000, len(ext) + len(payload), nh if not ext else 0, 64) + \
        src16 + dst16 + ext + payload


def ether(payload, ethertype=0x0800, vlans=()):
    hdr = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01"
    for i, v in enumerate(vlans):
        hdr += struct.pack(">H", 0x88A8 if (i == 0 and len(vlans) == 2) else 0x8100)
        hdr += struct.pack(">H", v)
    return hdr + struct.pack(">H", ethertype) + payload


def write_pcap(path, frames, linktype=1):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)))
            f.write(fr)


# --- CAP (3GPP TS 29.078, IMPLICIT TAGS) -----------------------------------------------------
CAP_ACN_V2 = "0.4.0.0.1.0.50.1"    # CAP-v2-gsmSSF-to-gsmSCF-AC
CAP_ACN_V3 = "0.4.0.0.1.21.3.4"    # capssf-scfGenericAC (cap3OE)
CAP_ACN_V4 = "0.4.0.0.1.23.3.4"    # capssf-scfGenericAC (cap4OE)
CAP_ACN_V3_SMS = "0.4.0.0.1.21.3.61"  # cap3-sms-AC


def ctx(n, value, constructed=False):
    """A context-specific TLV of tag number n (X.690 8.1.2.4: high tag numbers from 31)."""
    first = 0x80 | (0x20 if constructed else 0)
    if n < 31:
        ident = bytes([first | n])
    else:
        sub = [n & 0x7F]
        n >>= 7
        while n:
            sub.insert(0, 0x80 | (n & 0x7F))
            n >>= 7
        ident = bytes([first | 0x1F] + sub)
    return ident + ber_len(len(value)) + value


def q763_number(digits, nai=4, npi=1, calling=False):
    """Q.763 3.9 called / 3.10 calling party number octets (CAP CalledPartyNumber)."""
    d = [int(c) for c in digits]
    odd = len(d) % 2
    if odd:
        d.append(0)
    o2 = (npi << 4) | (0x01 if calling else 0x10)  # calling: screening 1; called: INN 1
    return bytes([(0x80 if odd else 0) | nai, o2]) + bytes(
        d[i] | (d[i + 1] << 4) for i in range(0, len(d), 2))


def cap_location(vlr=None, cgi=None):
    """LocationInformation (TS 29.002 17.7.1): vlr-number [1], cellGlobalId... [3] { [0] }."""
    body = b""
    if vlr is not None:
        body += ctx(1, address_string(vlr))
    if cgi is not None:
        body += ctx(3, ctx(0 if len(cgi) == 7 else 1, cgi), constructed=True)
    return body


def cap_idp(service_key, calling=None, called=None, event=None, imsi=None, vlr=None, cgi=None,
            msc=None):
    """InitialDPArg (TS 29.078 CAP-gsmSSF-gsmSCF-ops-args)."""
    body = ctx(0, ber_int(service_key))
    if called is not None:
        body += ctx(2, q763_number(called))
    if calling is not None:
        body += ctx(3, q763_number(calling, calling=True))
    if event is not None:
        body += ctx(28, ber_int(event))
    if imsi is not None:
        body += ctx(50, tbcd(imsi))
    if vlr is not None or cgi is not None:
        body += ctx(52, cap_location(vlr, cgi), constructed=True)
    if msc is not None:
        body += ctx(55, address_string(msc))
    return tlv(0x30, body)


def cap_rrb(events=((7, 1), (9, 0))):
    """RequestReportBCSMEventArg: bcsmEvents [0] of (eventTypeBCSM [0], monitorMode [1])."""
    evs = b"".join(tlv(0x30, ctx(0, ber_int(e)) + ctx(1, ber_int(m))) for e, m in events)
    return tlv(0x30, ctx(0, evs, constructed=True))


def cap_erb(event):
    """EventReportBCSMArg: eventTypeBCSM [0]."""
    return tlv(0x30, ctx(0, ber_int(event)))


def cap_connect(called):
    """ConnectArg: destinationRoutingAddress [0] SEQUENCE SIZE (1) OF CalledPartyNumber."""
    return tlv(0x30, ctx(0, tlv(0x04, q763_number(called)), constructed=True))


def cap_apply_charging(max_duration=300):
    """ApplyChargingArg: aChBillingChargingCharacteristics [0] (CAMEL-AChBillingCharging-
    Characteristics { timeDurationCharging [0] { maxCallPeriodDuration [0] } }), partyToCharge
    [2] { sendingSideID [0] '01'H }."""
    chars = tlv(0xA0, ctx(0, ber_int(max_duration)))
    return tlv(0x30, ctx(0, chars) + ctx(2, ctx(0, b"\x01"), constructed=True))


def cap_release_call(cause=b"\x80\x90"):
    """ReleaseCallArg ::= Cause (Q.850 octets)."""
    return tlv(0x04, cause)
