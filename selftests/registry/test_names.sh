#!/usr/bin/env bash
# Naming rules: orgs, networks, apps, peers, regions, host IDs, endpoints,
# keys, interface names; uniqueness; one-line errors naming the value and
# distinct exit codes (2 invalid, 3 not found, 4 already exists).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

L63=$(printf 'a%.0s' $(seq 63))
L64=$(printf 'a%.0s' $(seq 64))

# ---- orgs
expect_ok   "orgs: 'acme' is accepted" orgs create acme
expect_fail "orgs: duplicate is refused with exit 4" 4 "org 'acme' already exists" orgs create acme
expect_fail "orgs: uppercase is refused" 2 "org name 'Acme' is invalid" orgs create Acme
expect_fail "orgs: must start with a letter" 2 "org name '1acme' is invalid: must start with a letter" orgs create 1acme
expect_ok   "orgs: a second org" orgs create other

# ---- networks
expect_fail "networks: name must start with a letter" 2 "network name '9abc' is invalid: must start with a letter" networks create --org acme 9abc
expect_fail "networks: no underscores" 2 "network name 'a_b' is invalid: only letters, digits and dashes" networks create --org acme a_b
expect_fail "networks: no dots" 2 "network name 'a.b' is invalid" networks create --org acme a.b
expect_fail "networks: not empty" 2 "network name '' is invalid" networks create --org acme ""
expect_fail "networks: 64 characters is too long" 2 "is invalid: must be at most 63" networks create --org acme "$L64"
expect_ok   "networks: 63 characters is fine" networks create --org acme "$L63"
expect_ok   "networks: letters (either case), digits, dashes" networks create --org acme Cust-42-net
expect_fail "networks: unique within an org (exit 4)" 4 "network 'Cust-42-net' already exists in org 'acme'" networks create --org acme Cust-42-net
expect_ok   "networks: same name in another org is fine" networks create --org other Cust-42-net
expect_fail "networks: unknown org is exit 3" 3 "org 'nope' does not exist" networks create --org nope x1
expect_fail "networks: --org is required" 2 "--org ORG is required" networks create x1
expect_fail "apps: --network name is checked too" 2 "network name '-x' is invalid" apps create a1 --org acme --network=-x

# ---- apps
expect_ok   "apps: 'web-1' is accepted" apps create web-1 --org acme
expect_fail "apps: unique across the fleet, even in another org" 4 "app 'web-1' already exists" apps create web-1 --org other
expect_fail "apps: uppercase is refused" 2 "app name 'Web' is invalid: only lowercase letters, digits and dashes" apps create Web --org acme
expect_fail "apps: no leading dash" 2 "app name '-web' is invalid: must not start or end with a dash" apps create --org acme -- -web
expect_fail "apps: no trailing dash" 2 "app name 'web-' is invalid: must not start or end with a dash" apps create web- --org acme
expect_fail "apps: no underscore" 2 "app name 'a_b' is invalid" apps create a_b --org acme
expect_fail "apps: 64 characters is too long" 2 "app name '$L64' is invalid: must be at most 63" apps create "$L64" --org acme
expect_ok   "apps: 63 characters is fine" apps create "$L63" --org acme
expect_ok   "apps: may start with a digit (DNS label)" apps create 1web --org acme
expect_fail "apps: unknown org is exit 3" 3 "org 'nope' does not exist" apps create zz --org nope
expect_fail "apps destroy: unknown app is exit 3" 3 "app 'nope' does not exist" apps destroy nope

# ---- hosts
K=$(wgkey)
expect_ok   "hosts: a7b:174 is accepted" hosts add a7b:174 --region ord
run hosts list --json
expect_eq   "hosts: listed as a7b:174" "$(jget 'd["hosts"][0]["id"]' "$out")" "a7b:174"
expect_fail "hosts: duplicate is exit 4" 4 "host 'a7b:174' already exists" hosts add a7b:174 --region ord
expect_fail "hosts: same host in the 0x form is a duplicate" 4 "host 'a7b:174' already exists" hosts add 0x0a7b0174 --region ord
expect_ok   "hosts: leading zeros are fine (0a7b:0175)" hosts add 0a7b:0175 --region ord
run hosts list --json
expect_eq   "hosts: 0a7b:0175 is printed as a7b:175" "$(jget 'd["hosts"][1]["id"]' "$out")" "a7b:175"
expect_fail "hosts: 0:0 is reserved" 2 "host ID '0:0' is invalid: 0:0 is reserved" hosts add 0:0 --region ord
expect_fail "hosts: five hex digits in a word" 2 "host ID '12345:1' is invalid: must be two hex words" hosts add 12345:1 --region ord
expect_fail "hosts: not hex" 2 "host ID 'g:1' is invalid" hosts add g:1 --region ord
expect_fail "hosts: one word" 2 "host ID '174' is invalid" hosts add 174 --region ord
expect_fail "hosts: --region is required" 2 "--region REGION is required" hosts add 1:1
expect_fail "hosts: region is a DNS label" 2 "region 'ORD' is invalid" hosts add 1:1 --region ORD
expect_fail "hosts: endpoint needs a port" 2 "endpoint '10.0.0.1' is invalid" hosts add 1:1 --region ord --endpoint 10.0.0.1
expect_fail "hosts: port range" 2 "endpoint '10.0.0.1:70000' is invalid: the port must be 1-65535" hosts add 1:1 --region ord --endpoint 10.0.0.1:70000
expect_fail "hosts: IPv6 endpoint needs brackets" 2 "endpoint '2001:db8::1:51820' is invalid" hosts add 1:1 --region ord --endpoint 2001:db8::1:51820
expect_ok   "hosts: [IPv6]:port endpoint" hosts add 1:1 --region ord --endpoint "[2001:db8::1]:51820" --public-key "$K"
expect_fail "hosts: public key must be 32 bytes of base64" 2 "public key 'abc' is invalid: must be a WireGuard key" hosts add 1:2 --region ord --public-key abc
expect_fail "hosts: peers endpoint without peers key" 2 "needs both --peers-endpoint and --peers-public-key" hosts add 1:2 --region ord --peers-endpoint 10.0.0.2:51821
expect_fail "hosts: peers key without peers endpoint" 2 "needs both" hosts add 1:2 --region ord --peers-public-key "$K"
expect_fail "hosts: unknown option" 2 "unknown option '--regoin'" hosts add 1:2 --regoin ord

# ---- machines
expect_fail "machines: unknown app is exit 3" 3 "app 'nope' does not exist" machines create --app nope --host a7b:174
expect_fail "machines: unknown host is exit 3" 3 "host 'a7b:999' does not exist" machines create --app web-1 --host a7b:999
expect_fail "machines: bad host ID is exit 2" 2 "host ID 'xyz' is invalid" machines create --app web-1 --host xyz
expect_fail "machines: interface names are at most 15 characters" 2 "interface name 'abcdefghijklmnop' is invalid" machines create --app web-1 --host a7b:174 --iface abcdefghijklmnop
expect_fail "machines: interface names have no slash" 2 "interface name 'a/b' is invalid" machines create --app web-1 --host a7b:174 --iface a/b
expect_ok   "machines: --iface veth-web" machines create --app web-1 --host a7b:174 --iface veth-web
expect_fail "machines: an interface is used once per host (exit 4)" 4 "interface 'veth-web' is already used" machines create --app web-1 --host a7b:174 --iface veth-web
expect_ok   "machines: the same interface name on another host is fine" machines create --app web-1 --host a7b:175 --iface veth-web
expect_fail "machines destroy: unknown ID is exit 3" 3 "machine '0123456789abcd' does not exist" machines destroy 0123456789abcd

# ---- peers
expect_ok   "peers: a gateway host" hosts add d6b:1 --region ams --peers-endpoint 192.0.2.1:51821 --peers-public-key "$K"
expect_fail "peers: name is a DNS label" 2 "peer name 'My_Laptop' is invalid" wireguard create acme ams My_Laptop
expect_fail "peers: region is checked" 2 "region 'A MS' is invalid" wireguard create acme "A MS" laptop
expect_fail "peers: unknown org is exit 3" 3 "org 'nope' does not exist" wireguard create nope ams laptop
expect_fail "peers: no gateway in region is exit 3" 3 "region 'syd' has no gateway host" wireguard create acme syd laptop
expect_ok   "peers: 'laptop' is accepted" wireguard create acme ams laptop
expect_fail "peers: unique within an org (exit 4)" 4 "peer 'laptop' already exists in org 'acme'" wireguard create acme ams laptop
expect_ok   "peers: same name in another org is fine" wireguard create other ams laptop
expect_fail "peers remove: unknown peer is exit 3" 3 "peer 'nope' does not exist in org 'acme'" wireguard remove acme nope

finish
