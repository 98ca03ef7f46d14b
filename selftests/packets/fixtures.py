"""The packet-replay fixture of selftests/fixtures.h, and the file format
the C tests read, for the generators.

The C header is the one copy: its FX_* #defines become module globals here
without the prefix (FX_NET_A -> NET_A), and the address strings are checked
against the numbers they are made of."""

import os
import re
import sys

_HEADER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures.h")
_DEFINE = re.compile(r'^#define FX_([A-Z0-9_]+)\s+(0x[0-9a-fA-F]+|\d+|"[^"]*")')

with open(_HEADER) as f:
    for line in f:
        m = _DEFINE.match(line)
        if m:
            v = m.group(2)
            globals()[m.group(1)] = v.strip('"') if v.startswith('"') else int(v, 0)


def addr(net, host, inst, free, ula=0xFDAA):
    """A 6PN address from its fields (docs/design.md section 1)."""
    words = [ula, net >> 16, net & 0xFFFF, host >> 16, host & 0xFFFF,
             inst >> 16, inst & 0xFFFF, free]
    return ":".join("%x" % w for w in words)


def write_packets(packets):
    """The generators' output: one `name hex` line per packet, in order, as
    selftests/packets.c reads it."""
    for name, data in packets.items():
        sys.stdout.write("%s %s\n" % (name, data.hex()))


assert INST_ADDR == addr(NET_A, HOST1, INST, 2), INST_ADDR
assert INST_B_ADDR == addr(NET_B, HOST1, INST_B, 2), INST_B_ADDR
assert REMOTE_B_ADDR == addr(NET_B, HOST2, 0xC, 2), REMOTE_B_ADDR
