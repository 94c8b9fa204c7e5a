#!/usr/bin/env python3
"""Binary cell configurations (guest-abi/include/tandem/cell_config.h) and
Jailhouse cell descriptions (tandem/jailhouse.h) from text, for
`tandemctl cell create CONFIG IMAGE...`.

    mkcellcfg.py --out DIR FILE.txt...

Each FILE.txt gives one configuration, one directive a line (# comments):

    name NAME                 the cell's name (<= 31 printable characters)
    cpus N[,N...]             logical CPU ids (Linux's CPU numbers)
    entry ADDR                reset_entry, cell-physical
    timeout_ms MS             msg_reply_timeout_ms (0: Tandem's 100 ms)
    passive                   flag TANDEM_CELL_PASSIVE_COMMREG
    mem PHYS VIRT SIZE FLAGS  a memory region; FLAGS: letters r w x, and/or
                              words io, loadable, rootshared, joined by ','
    comm VIRT                 the communication region (one page, rw)
    pio BASE LENGTH           an I/O port range
    variants N[,N...]         write DIR/<file>-cpu<N>.cell for each N, with
                              @CPU@ in the lines above replaced by N
                              (without it: DIR/<file>.cell)
    signature TEXT            (tests) another signature than TNDMCELL
    raw_flags BITS            (tests) the last region's flags as a number
    truncate BYTES            (tests) write only the first BYTES bytes

    jailhouse                 write a Jailhouse description (revision 14,
                              guest-abi/ABI.md 12.1) instead: `entry` is
                              cpu_reset_address, the CPU bitmap 8 bytes,
                              memory flags also `dma`, `comm` a region with
                              COMM_REGION (phys_start 0), and
    timeout_polls N           msg_reply_timeout (polls; 0: for ever)
    console permitted|active  flag VIRTUAL_CONSOLE_PERMITTED or _ACTIVE

Numbers are Python integer literals (0x...). The flag values and the
signatures are read from cell_config.h and jailhouse.h, so they are
written once."""
import argparse
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
HEADER = os.path.join(HERE, '..', '..', 'guest-abi', 'include', 'tandem',
                      'cell_config.h')
JH_HEADER = os.path.join(os.path.dirname(HEADER), 'jailhouse.h')


def header_values():
    text = open(HEADER).read()
    vals = {}
    for m in re.finditer(r'#define\s+(TANDEM_\w+)\s+\(1u << (\d+)\)', text):
        vals[m.group(1)] = 1 << int(m.group(2))
    for m in re.finditer(r'#define\s+(TANDEM_\w+)\s+(\d+)\b', text):
        vals[m.group(1)] = int(m.group(2))
    m = re.search(r'#define\s+TANDEM_CELL_CONFIG_SIGNATURE\s+"(\w+)"', text)
    vals['SIGNATURE'] = m.group(1)
    sizes = dict((s, int(n)) for s, n in re.findall(
        r'_Static_assert\(sizeof\(struct (\w+)\) == (\d+)', text))
    return vals, sizes


def jh_header_values():
    text = open(JH_HEADER).read()
    vals = {}
    for m in re.finditer(r'#define\s+(JH_\w+)\s+(0x[0-9a-fA-F]+|\d+)u?\b',
                         text):
        vals[m.group(1)] = int(m.group(2), 0)
    m = re.search(r'#define\s+JH_CELL_SIGNATURE\s+"(\w+)"', text)
    vals['SIGNATURE'] = m.group(1)
    sizes = dict((s, int(n)) for s, n in re.findall(
        r'_Static_assert\(sizeof\(struct (\w+)\) == (\d+)', text))
    return vals, sizes


V, SIZES = header_values()
JV, JSIZES = jh_header_values()
# Field order of the three structs of cell_config.h, little endian.
DESC = struct.Struct('<8sHHI32sQIIQII')
MEM = struct.Struct('<QQQQ')
PIO = struct.Struct('<HHI')
for st, name in ((DESC, 'tandem_cell_desc'), (MEM, 'tandem_memory_region'),
                 (PIO, 'tandem_pio_region')):
    assert st.size == SIZES[name], name
# Jailhouse's: signature, architecture, revision, name, id, flags,
# cpu_set_size, the 7 counts, vpci_irq_base, cpu_reset_address,
# msg_reply_timeout, then the console (address, size, type, flags,
# divider, gate_nr, clock_reg); memory regions as Tandem's; PIO base, length.
JH_DESC = struct.Struct('<5sBH32s11IQQ')
JH_CONSOLE = struct.Struct('<QIHHIIQ')
JH_PIO = struct.Struct('<HH')
assert JH_DESC.size + JH_CONSOLE.size == JSIZES['jh_cell_desc']
assert JH_CONSOLE.size == JSIZES['jh_console']
assert MEM.size == JSIZES['jh_memory'] and JH_PIO.size == JSIZES['jh_pio']

LETTERS = {'r': 'TANDEM_MEM_READ', 'w': 'TANDEM_MEM_WRITE',
           'x': 'TANDEM_MEM_EXECUTE'}
WORDS = {'io': 'TANDEM_MEM_IO', 'loadable': 'TANDEM_MEM_LOADABLE',
         'rootshared': 'TANDEM_MEM_ROOTSHARED'}


def num(s):
    return int(s, 0)


JH_LETTERS = {'r': 'JH_MEM_READ', 'w': 'JH_MEM_WRITE', 'x': 'JH_MEM_EXECUTE'}
JH_WORDS = {'io': 'JH_MEM_IO', 'loadable': 'JH_MEM_LOADABLE',
            'rootshared': 'JH_MEM_ROOTSHARED', 'dma': 'JH_MEM_DMA',
            'comm': 'JH_MEM_COMM_REGION'}


def mem_flags(text, jh=False):
    """Tandem's TANDEM_MEM_* flags, or with @jh Jailhouse's JH_MEM_*."""
    letters, words, vals = ((JH_LETTERS, JH_WORDS, JV) if jh else
                            (LETTERS, WORDS, V))
    flags = 0
    for part in text.split(','):
        if part in words:
            flags |= vals[words[part]]
        else:
            for ch in part:
                if ch not in letters:
                    raise ValueError('unknown memory flag %r' % part)
                flags |= vals[letters[ch]]
    return flags


def build_jh(name, cpus, entry, timeout, flags, mems, pios, sig):
    """A Jailhouse description (revision 14, x86): no cache regions,
    irqchips, PCI devices, capabilities or stream ids; no console."""
    out = JH_DESC.pack(sig.encode()[:5].ljust(5, b'\0'), JV['JH_ARCH_X86'],
                       JV['JH_CONFIG_REVISION'],
                       name.encode().ljust(32, b'\0')[:32], 0, flags, 8,
                       len(mems), 0, 0, len(pios), 0, 0, 0, 0, entry,
                       timeout)
    out += JH_CONSOLE.pack(0, 0, JV['JH_CON_TYPE_NONE'], 0, 0, 0, 0)
    out += struct.pack('<Q', cpus)
    out += b''.join(MEM.pack(*m) for m in mems)
    out += b''.join(JH_PIO.pack(b, ln) for b, ln in pios)
    return out


def build(lines, where):
    jh = any(line.split()[0] == 'jailhouse' for _, line in lines)
    sig = JV['SIGNATURE'] if jh else V['SIGNATURE']
    name, cpus, entry, timeout, flags = '', 0, 0, 0, 0
    mems, pios, truncate = [], [], None
    for n, line in lines:
        w = line.split()
        try:
            if w[0] == 'jailhouse':
                pass
            elif w[0] == 'timeout_polls' and jh:
                timeout = num(w[1])
            elif w[0] == 'console' and jh and w[1] in ('permitted', 'active'):
                flags |= JV['JH_CELL_VIRTUAL_CONSOLE_' + w[1].upper()]
            elif w[0] == 'name':
                name = line.split(None, 1)[1]
            elif w[0] == 'cpus':
                for c in w[1].split(','):
                    cpus |= 1 << num(c)
            elif w[0] == 'entry':
                entry = num(w[1])
            elif w[0] == 'timeout_ms' and not jh:
                timeout = num(w[1])
            elif w[0] == 'passive':
                flags |= (JV['JH_CELL_PASSIVE_COMMREG'] if jh else
                          V['TANDEM_CELL_PASSIVE_COMMREG'])
            elif w[0] == 'mem':
                mems.append([num(w[1]), num(w[2]), num(w[3]),
                             mem_flags(w[4], jh)])
            elif w[0] == 'comm':
                mems.append([0, num(w[1]), 0x1000,
                             mem_flags('rw,comm', jh) if jh else
                             V['TANDEM_MEM_COMM_REGION'] | V['TANDEM_MEM_READ'] |
                             V['TANDEM_MEM_WRITE']])
            elif w[0] == 'pio':
                pios.append((num(w[1]), num(w[2])))
            elif w[0] == 'signature':
                sig = w[1]
            elif w[0] == 'raw_flags':
                mems[-1][3] = num(w[1])
            elif w[0] == 'truncate':
                truncate = num(w[1])
            else:
                raise ValueError('unknown directive %r' % w[0])
        except (IndexError, ValueError) as e:
            sys.exit('%s:%d: %s' % (where, n, e))
    if jh:
        out = build_jh(name, cpus, entry, timeout, flags, mems, pios, sig)
        return out[:truncate] if truncate is not None else out
    out = DESC.pack(sig.encode()[:8].ljust(8, b'\0'),
                    V['TANDEM_CELL_CONFIG_REVISION'], 0, flags,
                    name.encode().ljust(32, b'\0')[:32], cpus, len(mems),
                    len(pios), entry, timeout, 0)
    out += b''.join(MEM.pack(*m) for m in mems)
    out += b''.join(PIO.pack(b, ln, 0) for b, ln in pios)
    return out[:truncate] if truncate is not None else out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--out', required=True)
    ap.add_argument('files', nargs='+')
    args = ap.parse_args()
    for path in args.files:
        base = os.path.splitext(os.path.basename(path))[0]
        lines, variants = [], None
        for n, line in enumerate(open(path), 1):
            line = line.split('#', 1)[0].strip()
            if not line:
                continue
            if line.split()[0] == 'variants':
                variants = [num(c) for c in line.split()[1].split(',')]
            else:
                lines.append((n, line))
        for cpu in variants or [None]:
            sub = [(n, l.replace('@CPU@', str(cpu))) for n, l in lines]
            name = base if cpu is None else '%s-cpu%d' % (base, cpu)
            with open(os.path.join(args.out, name + '.cell'), 'wb') as f:
                f.write(build(sub, path))


if __name__ == '__main__':
    main()
