# SPDX-License-Identifier: BSD-3-Clause
"""IP fragments for the reasm tests (issue 14 D1): cut frames of a capture into IPv4 (RFC 791
3.2) or IPv6 (RFC 8200 4.5) fragments the way a router on a small-MTU path does, in order or
out of order, plus the bad sets of the issue (overlap, conflicting copy, a flood of random
identifications, a datagram left incomplete)."""
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from dptest import _ipv4_csum, _l3_off  # noqa: E402


def _v4_header(h, o, hl, tot, ident, fl):
    h = bytearray(h)
    h[o + 2:o + 4] = struct.pack(">H", tot)
    h[o + 4:o + 6] = struct.pack(">H", ident)
    h[o + 6:o + 8] = struct.pack(">H", fl)
    h[o + 10:o + 12] = b"\0\0"
    h[o + 10:o + 12] = struct.pack(">H", _ipv4_csum(bytes(h[o:o + hl])))
    return bytes(h)


def with_id(frame, ident, df=True):
    """The frame with IPv4 identification ident (and its checksum): fragments of different
    datagrams must not share one (RFC 791 3.2); df False: without DF (a datagram a router may
    fragment). IPv6 frames are returned as they are."""
    o, et = _l3_off(frame)
    if et != 0x0800:
        return frame
    hl = (frame[o] & 15) * 4
    tot = struct.unpack(">H", frame[o + 2:o + 4])[0]
    fl = struct.unpack(">H", frame[o + 6:o + 8])[0] & (0xffff if df else ~0x4000)
    return _v4_header(frame[:o + hl], o, hl, tot, ident, fl) + frame[o + hl:]


def ident_of(frame):
    o, _ = _l3_off(frame)
    return struct.unpack(">H", frame[o + 4:o + 6])[0]


def fragment(frame, mtu, ident, pieces=None):
    """Fragments of frame whose IP length is at most mtu (every payload but the last a multiple
    of 8). pieces: explicit [(offset, length)] instead (for overlaps). Returns [frame]."""
    o, et = _l3_off(frame)
    out = []
    if et == 0x0800:
        hl = (frame[o] & 15) * 4
        tot = struct.unpack(">H", frame[o + 2:o + 4])[0]
        pay = frame[o + hl:o + tot]
        step = (mtu - hl) // 8 * 8
        if pieces is None:
            pieces = [(p, min(step, len(pay) - p)) for p in range(0, len(pay), step)]
        end = max(p + n for p, n in pieces)
        for p, n in pieces:
            fl = (p // 8) | (0x2000 if p + n < end else 0)
            out.append(_v4_header(frame[:o + hl], o, hl, hl + n, ident, fl) + pay[p:p + n])
        return out
    plen = struct.unpack(">H", frame[o + 4:o + 6])[0]
    nh = frame[o + 6]
    pay = frame[o + 40:o + 40 + plen]
    step = (mtu - 48) // 8 * 8
    if pieces is None:
        pieces = [(p, min(step, len(pay) - p)) for p in range(0, len(pay), step)]
    end = max(p + n for p, n in pieces)
    for p, n in pieces:
        h = bytearray(frame[:o + 40])
        h[o + 4:o + 6] = struct.pack(">H", 8 + n)
        h[o + 6] = 44
        fh = struct.pack(">BBHI", nh, 0, p | (1 if p + n < end else 0), ident)
        out.append(bytes(h) + fh + pay[p:p + n])
    return out


def ip_len(frame):
    o, et = _l3_off(frame)
    if et == 0x0800:
        return struct.unpack(">H", frame[o + 2:o + 4])[0]
    if et == 0x86dd:
        return 40 + struct.unpack(">H", frame[o + 4:o + 6])[0]
    return 0


def cut_capture(frames, mtu, every, seed, skip=lambda i: False):
    """Cut about every `every`-th frame longer than mtu (into at most 8) into fragments,
    alternately in order and reversed. Returns (new frames, {original index: [new indexes of its fragments]},
    frames with fresh IPv4 identifications)."""
    rnd = random.Random(seed)
    out, cut, base, k = [], {}, [], 0
    for i, f in enumerate(frames):
        # IPv6: above the generator's own identifications (its fragmented attacks)
        ident = (i * 7 + 1) & 0xffff if _l3_off(f)[1] == 0x0800 else 0x5a000000 + i
        # at most 8 fragments (rte_ip_frag's RTE_LIBRTE_IP_FRAG_MAX_FRAG; more: ip_reasm_overlap)
        if (mtu < ip_len(f) <= 8 * ((mtu - 48) // 8 * 8) and not skip(i)
                and rnd.randrange(every) == 0):
            f = with_id(f, ident, df=False)
            base.append(f)
            fr = fragment(f, mtu, ident)
            if k % 2:
                fr.reverse()
            k += 1
            cut[i] = list(range(len(out), len(out) + len(fr)))
            out.extend(fr)
        else:
            f = with_id(f, ident)
            base.append(f)
            out.append(f)
    return out, cut, base
