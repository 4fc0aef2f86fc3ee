#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""sigwall-gen checks (issue 3): determinism, tshark validation of every labelled MSU, the
shipped-policy semantics (issue 4 section 5) re-evaluated on tshark's decode against the labels,
and bad input (exit 2, one-line error, nothing left under the output name).

usage: test_gen.py SIGWALL_GEN SOURCE_ROOT
"""
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

GEN, ROOT = sys.argv[1], sys.argv[2]
SITE = os.environ.get('SW_GEN_SITE', os.path.join(ROOT, 'patterns', 'site.example.conf'))
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)
        print('FAIL:', msg)
    return cond


def run_gen(*args):
    return subprocess.run([GEN] + list(args), capture_output=True, text=True)


def digest(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


# ---- the site, read the simple way (same file the generator parses with libconfig) ----

def load_site():
    import re
    txt = open(SITE).read()
    txt = re.sub(r'#[^\n]*', '', txt)

    def strlist(block, key):
        m = re.search(key + r'\s*=\s*\[([^\]]*)\]', block)
        return re.findall(r'"(\d+)"', m.group(1)) if m else []

    home = txt[txt.index('home'):txt.index('partners')]
    site = {k: strlist(home, k) for k in ('plmn', 'gt', 'msisdn', 'hlr', 'vlr', 'msc', 'smsc')}
    m = re.search(r'point_codes\s*=\s*\[([^\]]*)\]', home)
    site['pc'] = [int(x) for x in re.findall(r'\d+', m.group(1))]
    site['partners'] = []
    for p in re.finditer(r'\{\s*name\s*=\s*"([^"]+)";\s*plmn\s*=\s*\[([^\]]*)\];\s*gt\s*=\s*\[([^\]]*)\]',
                         txt[txt.index('partners'):]):
        site['partners'].append({'name': p.group(1), 'plmn': re.findall(r'"(\d+)"', p.group(2)),
                                 'gt': re.findall(r'"(\d+)"', p.group(3))})
    return site


SITEV = load_site()


def starts(d, prefixes):
    return d is not None and any(d.startswith(p) for p in prefixes)


def partner_of_gt(d):
    for i, p in enumerate(SITEV['partners']):
        if starts(d, p['gt']):
            return i
    return None


def partner_of_imsi(d):
    for i, p in enumerate(SITEV['partners']):
        if starts(d, p['plmn']):
            return i
    return None


# ---- tshark PDML -> one record per M3UA DATA chunk ----

def decode(pcap):
    out = subprocess.run(['tshark', '-r', pcap, '-o', 'sctp.checksum:CRC 32c', '-T', 'pdml'],
                         capture_output=True, check=True).stdout
    frames = {}
    root = ET.fromstring(out)
    for pkt in root.iter('packet'):
        fr = None
        info = {'chunks': [], 'crc_bad': False, 'frag': False, 'sctp': False, 'vlan': None,
                'ipv6': False}
        cur = None
        for proto in pkt.findall('proto'):
            name = proto.get('name')
            if name == 'frame':
                for f in proto.iter('field'):
                    if f.get('name') == 'frame.number':
                        fr = int(f.get('show'))
                continue
            if name == 'vlan':
                for f in proto.iter('field'):
                    if f.get('name') == 'vlan.id':
                        info['vlan'] = int(f.get('show'))
            if name == 'ipv6':
                info['ipv6'] = True
            if name == 'ip':
                for f in proto.iter('field'):
                    if f.get('name') == 'ip.flags.mf' and f.get('show') == '1':
                        info['frag'] = True
                    if f.get('name') == 'ip.frag_offset' and f.get('show') not in ('0', None):
                        info['frag'] = True
            if name == 'ipv6':
                for f in proto.iter('field'):
                    if f.get('name') == 'ipv6.fraghdr.more' and f.get('show') == '1':
                        info['frag'] = True
            if name == 'sctp':
                info['sctp'] = True
                for f in proto.iter('field'):
                    if f.get('name') == 'sctp.checksum.status' and f.get('show') != '1':
                        info['crc_bad'] = True
            if name == 'm3ua':
                cur = {'mal': False, 'comps': [], 'imsi': [], 'si': None, 'opc': None,
                       'cgpa': None, 'cdpa': None, 'sccp_type': None, 'tcap': False,
                       'isup_type': None, 'cgpn': None, 'global': False, 'data': False,
                       'acn': None, 'otid': None, 'dtid': None}
                for f in proto.iter('field'):
                    n = f.get('name')
                    if n == 'm3ua.protocol_data_opc':
                        cur['opc'] = int(f.get('show'))
                        cur['data'] = True
                    elif n == 'm3ua.protocol_data_si':
                        cur['si'] = int(f.get('show'))
                info['chunks'].append(cur)
                continue
            if cur is None:
                continue
            for f in proto.iter('field'):
                n = f.get('name')
                if n == '_ws.expert.group' and f.get('show') == '117440512':  # Malformed
                    cur['mal'] = True
                elif n == '_ws.expert.severity' and int(f.get('show')) >= 0x00800000:
                    cur['mal'] = True
                elif n == 'sccp.message_type' and cur['sccp_type'] is None:
                    cur['sccp_type'] = int(f.get('show'), 16)
                elif n == 'sccp.calling.digits' and cur['cgpa'] is None:
                    cur['cgpa'] = f.get('show')
                elif n == 'sccp.called.digits' and cur['cdpa'] is None:
                    cur['cdpa'] = f.get('show')
                elif n == 'gsm_map.old.Component':
                    cur['comps'].append([int(f.get('show')), None])
                elif n == 'gsm_old.localValue' and cur['comps'] and cur['comps'][-1][1] is None:
                    cur['comps'][-1][1] = int(f.get('show'))
                elif n == 'gsm_old.globalValue':
                    cur['global'] = True
                elif n == 'e212.imsi' and name == 'gsm_map':
                    cur['imsi'].append(f.get('show'))
                elif n == 'isup.message_type':
                    cur['isup_type'] = int(f.get('show'))
                elif n == 'isup.calling':
                    cur['cgpn'] = f.get('show')
                elif n == 'tcap.application_context_name':
                    cur['acn'] = f.get('show')
                elif n == 'tcap.otid':
                    cur['otid'] = f.get('show')
                elif n == 'tcap.dtid':
                    cur['dtid'] = f.get('show')
            if name in ('tcap',):
                cur['tcap'] = True
            if name == '_ws.malformed':
                cur['mal'] = True
        frames[fr] = info
    return frames


# ---- the shipped policy's semantics (issue 4 section 5), evaluated on tshark's decode ----
CAT1 = {22, 24, 55, 58, 71, 62, 65, 83, 85, 43, 5}
CAT2 = {3, 4, 7, 8, 70, 37, 60, 61}
CAT3 = {2, 23, 56, 67, 57, 59, 10, 11, 12, 13, 66}


def policy(c):
    if c['si'] == 5:
        if c['isup_type'] == 1 and c['opc'] not in SITEV['pc'] and starts(c['cgpn'], SITEV['msisdn']):
            return 'alert'
        return 'allow'
    outside = not starts(c['cgpa'], SITEV['gt'])
    if not outside:
        return 'allow'
    if c['mal'] or c['global']:
        return 'drop'
    cp = partner_of_gt(c['cgpa'])
    for ctype, op in c['comps']:
        if ctype != 1:
            continue
        if op in CAT1:
            return 'drop'
        if op in CAT2:
            if c['imsi']:
                if not all(partner_of_imsi(i) is not None and partner_of_imsi(i) == cp
                           for i in c['imsi']):
                    return 'drop'
            elif cp is None:
                return 'drop'
        if op in CAT3:
            if cp is None or not all(starts(i, SITEV['plmn']) for i in c['imsi']):
                return 'drop'
        if op == 45 and cp is None:
            return 'drop'
        if op == 44 and not starts(c['cdpa'], SITEV['gt']) and partner_of_gt(c['cdpa']) is None:
            return 'drop'
    return 'allow'


# Opcode the scenario must carry in an invoke (scenarios whose base is random are not listed).
SCEN_OP = {
    'cat1-any-time-interrogation': 71, 'cat1-send-imsi': 58, 'cat1-send-identification': 55,
    'cat1-send-routing-info': 22, 'cat1-provide-subscriber-location': 83,
    'cat1-any-time-modification': 65, 'cf-hijack-register-ss': 10, 'cf-hijack-activate-ss': 12,
    'cat2-insert-subscriber-data-home': 7, 'cat2-cancel-location-home': 3,
    'cat2-provide-subscriber-info-home': 70, 'cat2-insert-subscriber-data-wrong-partner': 7,
    'cat2-cancel-location-wrong-partner': 3, 'cat2-provide-subscriber-info-wrong-partner': 70,
    'cat3-update-location-non-partner': 2, 'cat3-send-auth-info-non-partner': 56,
    'cat3-purge-ms-non-partner': 67, 'dfs-otp-fake-update-location': 2,
    'dfs-otp-mt-forward-sm-redirect': 44, 'dfs-sri-sm-harvest': 45,
    'dfs-ussd-network-request': 60, 'dfs-ussd-network-notify': 61, 'dfs-pussr-fake-vlr': 59,
}
# Scenarios tshark must flag (malformed expert info). An overlong ACN is valid BER; tshark only
# complains when the unknown context makes it pick another MAP version for the argument.
MUST_FLAG = {'malformed-truncated', 'malformed-ber-length-overflow', 'malformed-negative-opcode',
             'global-opcode'}
NO_FLAG_OK = MUST_FLAG | {'malformed-overlong-acn'}  # tshark may or may not complain


def validate(pcap, labels, name, nmsus):
    frames = decode(pcap)
    labs = [json.loads(line) for line in open(labels)]
    check(len(labs) == nmsus, '%s: %d labels for --msus %d' % (name, len(labs), nmsus))
    check(all(set(x) == {'frame', 'chunk', 'label', 'expect'} for x in labs),
          '%s: label keys' % name)
    bad_crc = [f for f, i in frames.items() if i['crc_bad']]
    check(not bad_crc, '%s: bad SCTP CRC32c in frames %s' % (name, bad_crc[:5]))
    labelled = {(x['frame'], x['chunk']) for x in labs}
    # every M3UA DATA chunk carrying protocol data is labelled, and nothing else
    data_chunks = {(f, k) for f, i in frames.items() for k, c in enumerate(i['chunks'])
                   if c['data']}
    # an MSU sent in IP fragments is labelled on its completing fragment, where tshark shows the
    # reassembled packet
    expected = labelled
    check(data_chunks == expected,
          '%s: labelled chunks and M3UA DATA chunks differ: %s / %s' %
          (name, sorted(expected - data_chunks)[:5], sorted(data_chunks - expected)[:5]))
    labs_by_frame = {}
    for x in labs:
        labs_by_frame.setdefault(x['frame'], []).append(x)
    stats = {}
    mismatches = 0
    for x in labs:
        lab, exp = x['label'], x['expect']
        st = stats.setdefault(lab, {'n': 0, 'flagged': 0, 'policy_ok': 0, 'policy_n': 0})
        st['n'] += 1
        fr = frames.get(x['frame'])
        if not check(fr is not None, '%s: label frame %d not in capture' % (name, x['frame'])):
            continue
        if lab == 'evasion-ip-fragment':
            # the label is on the completing fragment (where the dataplane judges the datagram,
            # issue 14 D1), where tshark also shows the reassembled packet
            first = frames.get(x['frame'] - 1)
            check(first is not None and first['frag'] and not first['sctp'],
                  '%s: frame %d does not follow a first IP fragment' % (name, x['frame']))
            if not check(fr['chunks'], '%s: fragment %d not reassembled' % (name, x['frame'])):
                continue
        if not check(x['chunk'] < len(fr['chunks']), '%s: frame %d has no chunk %d' %
                     (name, x['frame'], x['chunk'])):
            continue
        c = fr['chunks'][x['chunk']]
        if c['mal']:
            st['flagged'] += 1
        if lab not in NO_FLAG_OK:
            check(not c['mal'], '%s: frame %d chunk %d (%s) flagged malformed by tshark' %
                  (name, x['frame'], x['chunk'], lab))
        if lab in SCEN_OP:
            ops = [op for t, op in c['comps'] if t == 1]
            check(ops == [SCEN_OP[lab]], '%s: frame %d %s carries invokes %s' %
                  (name, x['frame'], lab, ops))
        if lab in ('evasion-component-2', 'evasion-component-3'):
            n = 2 if lab == 'evasion-component-2' else 3
            check(len(c['comps']) == n and c['comps'][n - 1][1] != 38,
                  '%s: frame %d %s components %s' % (name, x['frame'], lab, c['comps']))
        if lab == 'evasion-xudt-segmented':
            check(c['sccp_type'] == 0x11, '%s: frame %d not XUDT' % (name, x['frame']))
        if lab == 'evasion-bundled':
            before = [y['label'] for y in labs_by_frame.get(x['frame'], [])
                      if y['chunk'] < x['chunk']]
            check(before and all(b == 'legit' for b in before),
                  '%s: frame %d bundled attack behind %s' % (name, x['frame'], before))
        # the shipped semantics on tshark's decode must give the label's expect
        if lab == 'evasion-xudt-segmented' and not c['tcap']:
            continue  # a non-final segment: tshark decodes the whole TCAP in the last one
        if c['si'] == 3 and not c['tcap'] and not c['mal']:
            check(False, '%s: frame %d chunk %d has no TCAP' % (name, x['frame'], x['chunk']))
            continue
        st['policy_n'] += 1
        got = policy(c)
        if got == exp:
            st['policy_ok'] += 1
        elif mismatches < 10:
            mismatches += 1
            check(False, '%s: frame %d chunk %d %s: label expects %s, semantics give %s (%s)' %
                  (name, x['frame'], x['chunk'], lab, exp, got,
                   {k: c[k] for k in ('cgpa', 'cdpa', 'comps', 'imsi', 'opc', 'cgpn')}))
        else:
            failures.append('mismatch')
    for lab in MUST_FLAG:
        if lab in stats:
            check(stats[lab]['flagged'] == stats[lab]['n'], '%s: %s flagged by tshark %d/%d' %
                  (name, lab, stats[lab]['flagged'], stats[lab]['n']))
    return frames, labs, stats


def legit_directions(frames, labs, name):
    """Legitimate TCAP: from home PCs the calling GT is home, from outside it is a partner;
    responses carry the peer's OTID as DTID."""
    otids = set()
    n = 0
    for x in labs:
        if x['label'] != 'legit':
            continue
        c = frames[x['frame']]['chunks'][x['chunk']]
        if c['si'] != 3:
            continue
        n += 1
        if c['opc'] in SITEV['pc']:
            check(starts(c['cgpa'], SITEV['gt']), '%s: frame %d legit from home PC with GT %s' %
                  (name, x['frame'], c['cgpa']))
            check(partner_of_gt(c['cdpa']) is not None, '%s: frame %d legit outbound to %s' %
                  (name, x['frame'], c['cdpa']))
        else:
            check(partner_of_gt(c['cgpa']) is not None, '%s: frame %d legit inbound from %s' %
                  (name, x['frame'], c['cgpa']))
        if c['otid']:
            otids.add(c['otid'])
        if c['dtid']:
            check(c['dtid'] in otids, '%s: frame %d DTID %s matches no earlier OTID' %
                  (name, x['frame'], c['dtid']))
    check(n > 0, '%s: no legit TCAP' % name)


def main():
    if shutil.which('tshark') is None:
        print('SKIP: tshark not installed')
        return 77
    tmp = tempfile.mkdtemp(prefix='sigwall-gen-test.')
    try:
        # ---- bad input ----
        out = os.path.join(tmp, 'bad.pcap')
        badsite = os.path.join(tmp, 'bad.conf')
        with open(badsite, 'w') as f:
            f.write('site = { name = "x"; home = { plmn = [ "65501" ]; ')  # syntax error
        nokeys = os.path.join(tmp, 'nokeys.conf')
        with open(nokeys, 'w') as f:
            f.write('site = { name = "x"; };\n')
        afile = os.path.join(tmp, 'afile')
        open(afile, 'w').close()
        cases = [
            (['--profile', 'nosuch'], 'unknown profile'),
            (['--site', os.path.join(tmp, 'missing.conf')], 'site'),
            (['--site', badsite], 'bad.conf'),
            (['--site', nokeys], 'home'),
            (['--msus', '0'], 'msus'),
            (['--msus', '-3'], 'msus'),
            (['--msus', 'ten'], 'msus'),
            (['-o', os.path.join(tmp, 'nodir', 'x.pcap')], 'cannot write'),
            (['-o', os.path.join(afile, 'x.pcap')], 'cannot write'),
            (['--labels', os.path.join(tmp, 'nodir', 'x.jsonl')], 'cannot write'),
        ]
        for override, word in cases:
            args = {'--profile': 'roaming', '--site': SITE, '--msus': '100', '--seed': '1',
                    '-o': out}
            extra = []
            for i in range(0, len(override), 2):
                if override[i] in args:
                    args[override[i]] = override[i + 1]
                else:
                    extra += override[i:i + 2]
            argv = [a for kv in args.items() for a in kv] + extra
            r = run_gen(*argv)
            lines = r.stderr.strip().splitlines()
            check(r.returncode == 2, 'bad input %s: exit %d' % (override, r.returncode))
            check(len(lines) == 1 and word in lines[0],
                  'bad input %s: stderr %r' % (override, r.stderr))
            check(not os.path.exists(out), 'bad input %s: left %s' % (override, out))
            left = [f for f in os.listdir(tmp) if '.tmp.' in f]
            check(not left, 'bad input %s: left temporaries %s' % (override, left))

        # ---- determinism ----
        def gen(tag, profile, n, seed, *extra):
            p = os.path.join(tmp, tag + '.pcap')
            l = os.path.join(tmp, tag + '.jsonl')
            r = run_gen('--profile', profile, '--site', SITE, '--msus', str(n), '--seed',
                        str(seed), '-o', p, '--labels', l, *extra)
            check(r.returncode == 0, '%s: exit %d %s' % (tag, r.returncode, r.stderr))
            return p, l

        r1 = gen('r1', 'roaming', 1200, 42)
        r2 = gen('r2', 'roaming', 1200, 42)
        r3 = gen('r3', 'roaming', 1200, 43)
        check(digest(r1[0]) == digest(r2[0]) and digest(r1[1]) == digest(r2[1]),
              'same seed gives different output')
        check(digest(r1[0]) != digest(r3[0]), 'different seeds give the same pcap')
        a1 = gen('a1', 'attacks', 2000, 42)
        a2 = gen('a2', 'attacks', 2000, 42)
        check(digest(a1[0]) == digest(a2[0]), 'attacks: same seed gives different output')
        m6 = gen('m6', 'roaming', 800, 5, '--ipv6', '--vlan', '100', '--attack-share', '0.3')

        # ---- tshark validation ----
        for tag, (p, l), n in (('roaming', r1, 1200), ('attacks', a1, 2000),
                               ('ipv6-vlan-mixed', m6, 800)):
            frames, labs, stats = validate(p, l, tag, n)
            legit_directions(frames, labs, tag)
            print('%s: %d frames, %d MSUs' % (tag, len(frames), len(labs)))
            for lab in sorted(stats):
                s = stats[lab]
                print('  %-45s n=%4d tshark-flagged=%4d semantics=%d/%d' %
                      (lab, s['n'], s['flagged'], s['policy_ok'], s['policy_n']))
            if tag == 'ipv6-vlan-mixed':
                check(all(i['vlan'] == 100 and i['ipv6'] for i in frames.values()),
                      'ipv6-vlan-mixed: a frame without VLAN 100 / IPv6')
            else:
                check(not any(i['ipv6'] or i['vlan'] for i in frames.values()),
                      '%s: IPv6 or VLAN without the options' % tag)
            if tag == 'roaming':
                check(set(stats) == {'legit'}, 'roaming profile has attacks: %s' % list(stats))
            if tag == 'attacks':
                check(len(stats) >= 35, 'attacks profile covers only %d scenarios' % len(stats))
                bundled = [x for x in labs if x['chunk'] > 0]
                check(bundled, 'attacks: no bundled chunks')
    finally:
        shutil.rmtree(tmp)
    if failures:
        print('%d check(s) failed' % len(failures))
        return 1
    print('all checks passed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
