#!/usr/bin/python3
"""Prints one sixpn counter (packets, summed over CPUs) from a pinned stats
map, read with bpftool: stats.py PIN_DIR HOOK REASON, e.g.
stats.py /sys/fs/bpf/sixpn FROM_INSTANCE DROP_CROSS_NETWORK.
The enum order is read from maps/sixpn_maps.h, the single source of truth."""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def xmacro_names(macro):
    """Names of an X-macro list of maps/sixpn_maps.h, in enum order."""
    text = open(os.path.join(ROOT, "maps", "sixpn_maps.h")).read()
    body = re.search(r"#define %s\(X\)(.*?)\n\n" % macro, text, re.S).group(1)
    return re.findall(r"X\((\w+),", body)


def main():
    pin_dir, hook, reason = sys.argv[1:4]
    hooks, reasons = xmacro_names("SIXPN_HOOKS"), xmacro_names("SIXPN_REASONS")
    index = hooks.index(hook) * len(reasons) + reasons.index(reason)
    out = subprocess.run(["bpftool", "-j", "map", "lookup", "pinned",
                          os.path.join(pin_dir, "stats"), "key"] +
                         [str(b) for b in index.to_bytes(4, "little")],
                         check=True, capture_output=True, text=True).stdout
    entry = json.loads(out)
    print(sum(v["value"]["packets"] for v in entry["formatted"]["values"]))


if __name__ == "__main__":
    main()
