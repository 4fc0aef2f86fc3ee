"""ANSI SS7 encoders for tests and vectors (issue 17 D6): T1.112.3 SCCP addresses and
management, T1.114.3 TCAP package headers, 24-bit point codes (T1.111.4 2.2.3)."""
import struct

from sigtran import tbcd


def pc(network, cluster, member):
    """A 24-bit ANSI point code as an integer: network << 16 | cluster << 8 | member."""
    return network << 16 | cluster << 8 | member


def sccp_addr_ansi(digits=None, ssn=None, pc24=None, gti=2, tt=0, np=1, ri_ssn=False,
                   national=True):
    """T1.112.3 3.4: indicator (bit 8 national, bit 7 RI, bits 6-3 GTI, bit 2 PC, bit 1 SSN),
    then SSN, then the point code (3 octets, member first), then the global title (GTI 1:
    TT, NP/ES; GTI 2: TT)."""
    ind = (0x80 if national else 0) | (0x40 if ri_ssn else 0)
    ind |= (gti if digits is not None else 0) << 2
    body = b""
    if ssn is not None:
        ind |= 0x01
        body += bytes([ssn])
    if pc24 is not None:
        ind |= 0x02
        body += struct.pack("<I", pc24)[:3]
    if digits is not None:
        odd = len(digits) % 2
        bcd = tbcd(digits)
        if gti == 1:
            body += bytes([tt, (np << 4) | (1 if odd else 2)]) + bcd
        elif gti == 2:
            body += bytes([tt]) + bcd
        else:
            body += bytes([tt]) + bcd  # a reserved GTI, for malformation vectors
    return bytes([ind]) + body


def scmg_ansi(fmt, assn, apc24, smi=0):
    """T1.112.3 5.3: format identifier, affected SSN, affected PC (3 octets), SMI."""
    return bytes([fmt, assn]) + struct.pack("<I", apc24)[:3] + bytes([smi])


def ansi_tcap_query(tid=b"\x00\x00\x00\x01", pkg=0xE2):
    """A minimal T1.114.3 package: type, Transaction ID (0xC7), component sequence (0xE8)
    holding one Invoke (Last) (0xE9) with an operation code (0xD1) national family 9 (0x09,
    provide value), specifier 1."""
    comp = bytes([0xCF, 0x01, 0x01]) + bytes([0xD1, 0x02, 0x09, 0x01]) + bytes([0xF2, 0x00])
    body = bytes([0xC7, len(tid)]) + tid + bytes([0xE8, len(comp) + 2, 0xE9, len(comp)]) + comp
    return bytes([pkg, len(body)]) + body


def mtp3_ansi(opc24, dpc24, si, payload, ni=2, pri=0, sls=0):
    """SIO (T1.111.4 14.2) and the ANSI routing label (T1.111.4 2.2: DPC, OPC, 3 octets each,
    member first, then the SLS octet)."""
    return (bytes([ni << 6 | pri << 4 | si]) + struct.pack("<I", dpc24)[:3] +
            struct.pack("<I", opc24)[:3] + bytes([sls]) + payload)
