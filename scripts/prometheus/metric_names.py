#!/usr/bin/env python3
"""Prints the sixpn metric names that alert rules (YAML) or a Grafana
dashboard (JSON) query, one a line: every sixpn_* name in their PromQL."""
import json
import re
import sys

import yaml

NAME = re.compile(r"\bsixpn_[a-z0-9_]+")


def exprs_of_rules(doc):
    for group in doc["groups"]:
        for rule in group["rules"]:
            yield rule["expr"]


def exprs_of_dashboard(doc):
    for panel in doc["panels"]:
        for target in panel.get("targets", []):
            yield target["expr"]
    for var in doc.get("templating", {}).get("list", []):
        q = var.get("query")
        if isinstance(q, dict):
            yield q.get("query", "")


def main():
    names = set()
    for path in sys.argv[1:]:
        with open(path) as f:
            if path.endswith(".json"):
                exprs = exprs_of_dashboard(json.load(f))
            else:
                exprs = exprs_of_rules(yaml.safe_load(f))
            for e in exprs:
                names.update(NAME.findall(e))
    print("\n".join(sorted(names)))


if __name__ == "__main__":
    main()
