#!/usr/bin/python3
"""Prints one sixpn counter (packets, summed over CPUs) from a pinned stats
map, read with bpftool: stats.py PIN_DIR HOOK REASON, e.g.
stats.py /sys/fs/bpf/sixpn FROM_INSTANCE DROP_CROSS_NETWORK.
The enum values are read from maps/sixpn_maps.h, the single source of truth."""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def enum_values(name):
    text = open(os.path.join(ROOT, "maps", "sixpn_maps.h")).read()
    body = re.search(r"enum %s \{(.*?)\};" % name, text, re.S).group(1)
    values, nxt = {}, 0
    for line in body.splitlines():
        m = re.match(r"\s*(SIXPN_\w+)\s*(?:=\s*(\w+))?,", line)
        if not m:
            continue
        if m.group(2):
            nxt = values[m.group(2)] if m.group(2) in values else int(m.group(2), 0)
        values[m.group(1)] = nxt
        nxt += 1
    return values


def main():
    pin_dir, hook, reason = sys.argv[1:4]
    hooks, reasons = enum_values("sixpn_hook"), enum_values("sixpn_reason")
    index = hooks["SIXPN_HOOK_" + hook] * reasons["SIXPN_REASON_MAX"] + \
        reasons["SIXPN_" + reason]
    out = subprocess.run(["bpftool", "-j", "map", "lookup", "pinned",
                          os.path.join(pin_dir, "stats"), "key"] +
                         [str(b) for b in index.to_bytes(4, "little")],
                         check=True, capture_output=True, text=True).stdout
    entry = json.loads(out)
    print(sum(v["value"]["packets"] for v in entry["formatted"]["values"]))


if __name__ == "__main__":
    main()
