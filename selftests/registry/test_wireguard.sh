#!/usr/bin/env bash
# WireGuard peers: `wireguard create` allocates the /120 of the design's
# example, writes a wg-quick config mode 0600 (never overwriting), records
# only the public key (libsodium X25519, checked against `wg pubkey`), and
# the config is accepted by `wg-quick strip | wg setconf` on a real
# wireguard-go interface and by `wg-quick up`, each in its own netns.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

for t in wg wg-quick wireguard-go ip; do
	command -v "$t" >/dev/null || { not_ok "$t is installed (scripts/install-deps.sh)"; finish; }
done

GWPRIV=$(wg genkey)
GWPUB=$(printf '%s' "$GWPRIV" | wg pubkey)
ctl orgs create acme >/dev/null
ctl apps create web --org acme --network front >/dev/null
ctl hosts add a7b:d6b --region ams --peers-endpoint 192.0.2.1:51821 --peers-public-key "$GWPUB" >/dev/null
# make the example of the design come out: network 0x18, gateway instance 0xa
for i in $(seq 2 23); do ctl networks create --org acme "n$i" >/dev/null; done
for i in $(seq 1 9); do ctl machines create --app web --host a7b:d6b >/dev/null; done

CONF="$TMP/laptop.conf"
run wireguard create acme ams laptop "$CONF" --json
WERR=$err
expect_eq "wireguard create exits 0" "$rc" "0"
expect_eq "the peer gets the design's example /120" "$(jget 'd["prefix"]' "$out")" "fdaa:0:18:a7b:d6b:0:a:0/120"
expect_eq "its address" "$(jget 'd["address"]' "$out")" "fdaa:0:18:a7b:d6b:0:a:2"
expect_eq "on the org's default network, bound now: ID 0x18" "$(jget '[d["network"], d["network_id"]]' "$out")" '["default", 24]'
expect_match "stderr warns the private key cannot be recovered" "$WERR" "warning: .*cannot be recovered"
expect_eq "the config file is mode 0600" "$(stat -c %a "$CONF")" "600"

cfg() { sed -n "s/^$1 = //p" "$2"; }
expect_eq "Address = <addr>/120" "$(cfg Address "$CONF")" "fdaa:0:18:a7b:d6b:0:a:2/120"
expect_eq "DNS = <net prefix>::3" "$(cfg DNS "$CONF")" "fdaa:0:18::3"
expect_eq "[Peer] PublicKey = the gateway's peers key" "$(cfg PublicKey "$CONF")" "$GWPUB"
expect_eq "Endpoint = the gateway's peers endpoint" "$(cfg Endpoint "$CONF")" "192.0.2.1:51821"
expect_eq "AllowedIPs = <net prefix>::/48" "$(cfg AllowedIPs "$CONF")" "fdaa:0:18::/48"
expect_eq "PersistentKeepalive = 15" "$(cfg PersistentKeepalive "$CONF")" "15"
expect_eq "sections in order" "$(grep '^\[' "$CONF" | tr '\n' ' ')" "[Interface] [Peer] "
PRIV=$(cfg PrivateKey "$CONF")
REC=$(ctl wireguard list acme --json | jget 'd["peers"][0]["public_key"]')
expect_eq "wg pubkey of the private key = the public key sixpnctl recorded" "$(printf '%s' "$PRIV" | wg pubkey)" "$REC"
expect_eq "the registry holds no private key" "$(sql "SELECT count(*) FROM peers WHERE public_key = '$PRIV'")|$(grep -c -F "$PRIV" "$REG" "$REG-wal" 2>/dev/null | awk -F: '{s += $NF} END {print s + 0}')" "0|0"

# never overwrite, never record a peer whose config could not be written
SUM=$(sha256sum <"$CONF")
expect_fail "an existing file is not overwritten (exit 4)" 4 "cannot create config file '$CONF': File exists" wireguard create acme ams laptop2 "$CONF"
expect_eq "the existing file is unchanged" "$(sha256sum <"$CONF")" "$SUM"
expect_eq "and no peer was recorded for it" "$(ctl wireguard list acme --json | jget '[p["name"] for p in d["peers"]]')" '["laptop"]'
ln -s "$TMP/target" "$TMP/link.conf"
expect_fail "a symlink is not followed (exit 4)" 4 "cannot create config file" wireguard create acme ams laptop3 "$TMP/link.conf"
if [ -e "$TMP/target" ]; then not_ok "the symlink target was not created"; else ok "the symlink target was not created"; fi
expect_fail "a failed create leaves no file" 3 "region 'syd' has no gateway" wireguard create acme syd laptop4 "$TMP/laptop4.conf"
if [ -e "$TMP/laptop4.conf" ]; then not_ok "no laptop4.conf left behind"; else ok "no laptop4.conf left behind"; fi
(umask 000; "$BIN" --registry "$REG" wireguard create acme ams umask0 "$TMP/umask0.conf" >/dev/null 2>&1)
expect_eq "mode 0600 even with umask 000" "$(stat -c %a "$TMP/umask0.conf")" "600"

# stdout
run wireguard create acme ams phone stdout --network front
expect_match "stdout: the config is printed" "$out" $'\\[Interface\\]\nPrivateKey = [A-Za-z0-9+/]{43}=\nAddress = fdaa:0:1:a7b:d6b:[0-9a-f]+:[0-9a-f]+:2/120\nDNS = fdaa:0:1::3\n'
expect_match "stdout: the warning goes to stderr" "$err" "cannot be recovered"
if [ -e stdout ] || [ -e "$TMP/stdout" ]; then not_ok "stdout: no file named stdout"; else ok "stdout: no file named stdout"; fi
run wireguard create acme ams tablet --json
expect_match "no FILE + --json: the config is in the JSON" "$(jget 'd["config"]' "$out")" "^# .*"$'\n'"\\[Interface\\]"
expect_eq "wireguard list: 4 peers" "$(ctl wireguard list acme --json | jget 'd["total_peers"]')" "4"
expect_ok "wireguard remove" wireguard remove acme tablet
expect_eq "removed peer is gone" "$(ctl wireguard list acme --json | jget '"tablet" in [p["name"] for p in d["peers"]]')" "false"

# ---- wg setconf on a real wireguard-go interface
NS="sixpnreg$$"
IF="sxr$$"
ip netns add "$NS"
add_cleanup "ip netns del $NS"
ip netns exec "$NS" wireguard-go -f "$IF" >"$TMP/wggo.log" 2>&1 &
WGPID=$!
add_cleanup "kill $WGPID; rm -f /var/run/wireguard/$IF.sock"
for i in $(seq 50); do [ -S "/var/run/wireguard/$IF.sock" ] && break; sleep 0.1; done
strip_rc=0
wg-quick strip "$CONF" >"$TMP/stripped" 2>"$TMP/strip.err" || strip_rc=$?
expect_eq "wg-quick strip accepts the config, without a permissions warning" "$strip_rc|$(cat "$TMP/strip.err")" "0|"
set_rc=0
ip netns exec "$NS" wg setconf "$IF" /dev/stdin <"$TMP/stripped" 2>"$TMP/setconf.err" || set_rc=$?
expect_eq "wg setconf accepts it" "$set_rc|$(cat "$TMP/setconf.err")" "0|"
expect_eq "wg show: the interface's public key is the recorded one" "$(ip netns exec "$NS" wg show "$IF" public-key)" "$REC"
expect_eq "wg show: the peer is the gateway" "$(ip netns exec "$NS" wg show "$IF" peers)" "$GWPUB"
expect_eq "wg show: endpoint" "$(ip netns exec "$NS" wg show "$IF" endpoints)" "$GWPUB	192.0.2.1:51821"
expect_eq "wg show: allowed IPs" "$(ip netns exec "$NS" wg show "$IF" allowed-ips)" "$GWPUB	fdaa:0:18::/48"
expect_eq "wg show: keepalive" "$(ip netns exec "$NS" wg show "$IF" persistent-keepalive)" "$GWPUB	15"
kill "$WGPID" 2>/dev/null || true
wait "$WGPID" 2>/dev/null || true
rm -f "/var/run/wireguard/$IF.sock"

# ---- wg-quick up: addresses, routes and DNS as wg-quick applies them.
# resolvconf is stubbed to record what wg-quick hands it; wireguard-go is
# wrapped to run in the foreground so that we know its PID.
IF2="sxq$$"
CONF2="$TMP/$IF2.conf"
ctl wireguard create acme ams desk "$CONF2" 2>/dev/null >/dev/null
mkdir -p "$TMP/bin"
cat >"$TMP/bin/resolvconf" <<STUB
#!/bin/sh
echo "resolvconf \$*" >>"$TMP/resolvconf.log"
[ "\$1" = -a ] && cat >>"$TMP/resolvconf.log"
exit 0
STUB
cat >"$TMP/bin/wg-go" <<WRAP
#!/bin/sh
wireguard-go -f "\$1" >>"$TMP/wggo2.log" 2>&1 &
echo \$! >"$TMP/wggo2.pid"
i=0; while [ ! -S "/var/run/wireguard/\$1.sock" ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i+1)); done
WRAP
chmod +x "$TMP/bin/resolvconf" "$TMP/bin/wg-go"
add_cleanup "kill \$(cat $TMP/wggo2.pid); rm -f /var/run/wireguard/$IF2.sock"
up_rc=0
ip netns exec "$NS" env PATH="$TMP/bin:$PATH" WG_QUICK_USERSPACE_IMPLEMENTATION="$TMP/bin/wg-go" \
	wg-quick up "$CONF2" >"$TMP/up.log" 2>&1 || up_rc=$?
expect_eq "wg-quick up accepts the config" "$up_rc" "0"
[ "$up_rc" -eq 0 ] || sed 's/^/#   /' "$TMP/up.log"
DADDR=$(ctl wireguard list acme --json | jget "[p['address'] for p in d['peers'] if p['name'] == 'desk'][0]")
expect_match "wg-quick set the /120 address" "$(ip -n "$NS" -6 -o addr show dev "$IF2")" "inet6 $DADDR/120 "
expect_match "wg-quick routed the network's /48 through the tunnel" "$(ip -n "$NS" -6 route show dev "$IF2")" "fdaa:0:18::/48"
expect_match "wg-quick handed the network's DNS address to resolvconf" "$(cat "$TMP/resolvconf.log" 2>/dev/null)" "nameserver fdaa:0:18::3"
down_rc=0
ip netns exec "$NS" env PATH="$TMP/bin:$PATH" wg-quick down "$CONF2" >>"$TMP/up.log" 2>&1 || down_rc=$?
expect_eq "wg-quick down" "$down_rc" "0"
if [ -f "$TMP/wggo2.pid" ]; then
	p=$(cat "$TMP/wggo2.pid")
	for i in $(seq 30); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill "$p" 2>/dev/null || true
fi
rm -f "/var/run/wireguard/$IF2.sock"

finish
