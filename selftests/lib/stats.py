#!/usr/bin/python3
"""Prints one sixpn counter (packets, summed over CPUs) from a pinned stats
map, read with bpftool: stats.py PIN_DIR HOOK REASON, e.g.
stats.py /sys/fs/bpf/sixpn FROM_INSTANCE DROP_CROSS_NETWORK.
The enum order and the pin name are read from maps/, the single source of
truth."""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def xmacro_rows(macro, header="sixpn_maps.h"):
    """The first two columns of the rows of an X-macro list of maps/, in order."""
    text = open(os.path.join(ROOT, "maps", header)).read()
    body = re.search(r"#define %s\(X\)(.*?)\n\n" % macro, text, re.S).group(1)
    return re.findall(r"X\((\w+),\s*(\w+)?", body)


def xmacro_names(macro):
    """Names of an X-macro list of maps/sixpn_maps.h, in enum order."""
    return [row[0] for row in xmacro_rows(macro)]


def pin_name(map_id):
    """The pin name of a map of SIXPN_CORE_MAPS (maps/sixpn_pin.h): STATS -> stats."""
    return dict(xmacro_rows("SIXPN_CORE_MAPS", "sixpn_pin.h"))[map_id]


def main():
    pin_dir, hook, reason = sys.argv[1:4]
    hooks, reasons = xmacro_names("SIXPN_HOOKS"), xmacro_names("SIXPN_REASONS")
    index = hooks.index(hook) * len(reasons) + reasons.index(reason)
    out = subprocess.run(["bpftool", "-j", "map", "lookup", "pinned",
                          os.path.join(pin_dir, pin_name("STATS")), "key"] +
                         [str(b) for b in index.to_bytes(4, "little")],
                         check=True, capture_output=True, text=True).stdout
    entry = json.loads(out)
    print(sum(v["value"]["packets"] for v in entry["formatted"]["values"]))


if __name__ == "__main__":
    main()
