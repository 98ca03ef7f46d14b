"""The isolation oracle: what the README's "Verdicts" section and design.md
say each TC program must do with a packet.

Written from those two texts only, without the BPF sources, so that a
misreading in tc/ and one here are unlikely to agree. It parses the packet
bytes itself and returns the set of reasons the README allows (one, except
where the README leaves the order of two drops open: see ALTERNATIVES) and,
for a pass, the bytes that must come out.

The rules, numbered as in the README:

from an instance or peer (tc ingress, sixpn_from_inst)
  0. no `ifaces` entry: DROP_UNKNOWN_IFACE (fail closed)
  1. not IPv6 (on an L3 device: a version nibble other than 6):
     DROP_NOT_IPV6
  2. a truncated header (the IPv6 header, an extension header, or the
     transport header: TCP 20, UDP 8, ICMPv6 8 bytes), or an IPv6 ethertype
     whose version is not 6: DROP_MALFORMED; a routing header with segments
     left, or a seventh extension header: DROP_EXT_HDR. A non-first
     fragment ends the walk (its transport header is not there), and so do
     ESP and every other next header.
  3. neighbour discovery (133-137, hop limit 255) from the instance side
     (fe80::/10, ::, a delegated prefix) to a link-scope address
     (fe80::/10, ff02::/16), and MLD (130-132, 143, hop limit 1) from
     fe80::/10 or :: to ff02::/16: PASS_NDP. A multicast source never is.
  4. source outside every delegated prefix: DROP_SPOOFED_SRC
  5. to fdaa::3 or the source network's <prefix>::3: UDP/TCP port 53
     PASS_DNS, TCP port 4280 (the Machines API) PASS_API, anything else
     (ICMP, UDP 4280, other ports, non-first fragments) DROP_DNS_PORT
  6. destination outside fdaa::/16: DROP_NOT_6PN
  7. destination network != source network: DROP_CROSS_NETWORK, else PASS

toward an instance or peer (tc egress, sixpn_to_inst), in order
  0-2 as above; neighbour discovery from fe80::/10 to the instance
  (fe80::/10, a delegated prefix, ff02::/16; never ::), and MLD as above:
  PASS_NDP; a destination the interface does not own: DROP_UNKNOWN_DST;
  an ICMPv6 error (1-4) whose quote is a whole IPv6 header (version 6) from
  exactly the error's destination to the same network inside fdaa::/16 or
  to fdaa::3: PASS_ICMP_ERROR, whatever the outer source (so before the
  DNS-address rule: the host's Packet Too Big may come from fdaa::3); from
  fdaa::3 or the network's <prefix>::3: source port 53 (UDP or
  TCP) PASS_DNS, TCP source port 4280 PASS_API, else DROP_DNS_PORT; a source outside fdaa::/16:
  DROP_NOT_6PN; another network: DROP_CROSS_NETWORK; else PASS.

mesh device (always L3)
  egress: every 6PN source/destination goes to mesh form (network and host
  words swapped); PASS when something was swapped, else PASS_NOT_6PN, bytes
  untouched. A packet that is not IPv6: PASS_NOT_6PN; a truncated fixed
  header: DROP_MALFORMED (as on ingress).
  ingress: a packet that is not IPv6: PASS_NOT_6PN; a truncated fixed
  header: DROP_MALFORMED; neither address 6PN: PASS_NOT_6PN; otherwise swap
  back every 6PN address, then 6PN to non-6PN: DROP_NOT_6PN; two 6PN
  addresses of different networks, or of network 0: DROP_CROSS_NETWORK;
  else PASS (the README: "to or from a non-6PN address when the other end
  is 6PN").
"""
import struct

ETH_LEN = 14
ETH_P_IPV6 = 0x86DD

# Next-header values the README's walk knows. Routing (43) is walked too: the
# README drops it only with segments left.
HOPOPTS, ROUTING, FRAGMENT, AH, DSTOPTS = 0, 43, 44, 51, 60
EXT_HEADERS = {HOPOPTS, ROUTING, FRAGMENT, AH, DSTOPTS}
MAX_EXT_HEADERS = 6     # RFC 8200's full chain
TCP, UDP, ICMPV6 = 6, 17, 58
# The fixed header of each transport the rules read; shorter is truncated.
L4_MIN = {TCP: 20, UDP: 8, ICMPV6: 8}

NDP_TYPES = range(133, 138)
MLD_TYPES = (130, 131, 132, 143)
ICMP_ERROR_TYPES = range(1, 5)

DNS_ADDR = 0xFDAA << 112 | 3

# Where the README fixes the verdict but not which of two drops is counted.
ALTERNATIVES = {
    # a routing header with segments left that also runs past the packet:
    # both are in rule 2
    "truncated_routing": {"DROP_MALFORMED", "DROP_EXT_HDR"},
    # the extension header past the limit, itself cut short
    "extra_truncated": {"DROP_EXT_HDR", "DROP_MALFORMED"},
    # the last one allowed, cut short, whose first byte already names one more
    "last_truncated_extra_named": {"DROP_EXT_HDR", "DROP_MALFORMED"},
}


class Owned:
    """One delegated prefix: an instance's /112 or a peer's /120."""

    def __init__(self, net, prefix, plen):
        self.net, self.prefix, self.plen = net, prefix, plen

    def contains(self, a):
        shift = 128 - self.plen
        return a >> shift == self.prefix >> shift


class Iface:
    """What the `ifaces` (and, for the peers device, `peers`) map says about
    the interface under test. `owned` lists every prefix it delegates."""

    def __init__(self, l2_len, owned):
        self.l2_len, self.owned = l2_len, owned

    def owner(self, a):
        for o in self.owned:
            if o.contains(a):
                return o
        return None


# --- the address plan (design.md section 1) --------------------------------

def is_6pn(a):
    return a >> 112 == 0xFDAA


def net_of(a):
    return (a >> 80) & 0xFFFFFFFF


def dns_of(net):
    """<prefix>::3 of a network."""
    return 0xFDAA << 112 | net << 80 | 3


def to_mesh(a):
    """Words 1-2 (network) and 3-4 (host) swapped; its own inverse."""
    words = [(a >> (16 * (7 - i))) & 0xFFFF for i in range(8)]
    words[1], words[2], words[3], words[4] = words[3], words[4], words[1], words[2]
    out = 0
    for w in words:
        out = out << 16 | w
    return out


def is_link_local(a):
    return a >> 118 == 0xFE80 >> 6


def is_ff02(a):
    return a >> 112 == 0xFF02


def link_scope(a):
    return is_link_local(a) or is_ff02(a)


def addr_int(b):
    return int.from_bytes(b, "big")


# --- parsing -----------------------------------------------------------------

class Verdict(Exception):
    """Raised by the parser when a rule decides before the end."""

    def __init__(self, reasons):
        super().__init__(reasons)
        self.reasons = {reasons} if isinstance(reasons, str) else set(reasons)


class Parsed:
    """The IPv6 packet as the rules see it."""

    def __init__(self, ip):
        self.ip = ip
        self.hlim = ip[7]
        self.src = addr_int(ip[8:24])
        self.dst = addr_int(ip[24:40])
        self.proto = None      # final next header
        self.l4 = None         # transport bytes, None when not visible
        self.n_ext = 0


def ipv6_of(pkt, l2_len):
    """The IPv6 bytes of `pkt`, or Verdict for rule 1 / a cut fixed header."""
    if l2_len:
        if len(pkt) < ETH_LEN or struct.unpack("!H", pkt[12:14])[0] != ETH_P_IPV6:
            raise Verdict("DROP_NOT_IPV6")
        ip = pkt[ETH_LEN:]
        if len(ip) < 40:
            raise Verdict("DROP_MALFORMED")
        if ip[0] >> 4 != 6:
            raise Verdict("DROP_MALFORMED")
        return ip
    # An L3 device has nothing but the version nibble to say what it carries.
    if not pkt or pkt[0] >> 4 != 6:
        raise Verdict("DROP_NOT_IPV6")
    if len(pkt) < 40:
        raise Verdict("DROP_MALFORMED")
    return pkt


def walk(ip):
    """Rule 2: the extension-header walk and the transport header."""
    p = Parsed(ip)
    nh, off = ip[6], 40
    while nh in EXT_HEADERS:
        room = len(ip) - off
        if p.n_ext == MAX_EXT_HEADERS:
            fits = room >= 2 and room >= ext_len(nh, ip, off)
            raise Verdict("DROP_EXT_HDR" if fits else ALTERNATIVES["extra_truncated"])
        p.n_ext += 1
        if room < 2 or room < ext_len(nh, ip, off):
            if nh == ROUTING and room >= 4 and ip[off + 3]:
                raise Verdict(ALTERNATIVES["truncated_routing"])
            if p.n_ext == MAX_EXT_HEADERS and room >= 1 and ip[off] in EXT_HEADERS:
                raise Verdict(ALTERNATIVES["last_truncated_extra_named"])
            raise Verdict("DROP_MALFORMED")
        if nh == ROUTING and ip[off + 3]:
            raise Verdict("DROP_EXT_HDR")
        if nh == FRAGMENT and struct.unpack("!H", ip[off + 2:off + 4])[0] >> 3:
            # A non-first fragment: what follows is the middle of a payload.
            p.proto = ip[off]
            return p
        nh, off = ip[off], off + ext_len(nh, ip, off)
    p.proto = nh
    p.l4 = ip[off:]
    if nh in L4_MIN and len(p.l4) < L4_MIN[nh]:
        raise Verdict("DROP_MALFORMED")
    return p


def ext_len(nh, ip, off):
    if nh == FRAGMENT:
        return 8
    if nh == AH:
        return (ip[off + 1] + 2) * 4
    return (ip[off + 1] + 1) * 8


def ports(p):
    """(sport, dport) of a visible TCP/UDP header, else None."""
    if p.l4 is None or p.proto not in (TCP, UDP):
        return None
    return struct.unpack("!HH", p.l4[:4])


def icmp_type(p):
    if p.l4 is None or p.proto != ICMPV6:
        return None
    return p.l4[0]


# --- rules -------------------------------------------------------------------

def link_control(p, iface, toward):
    """Rule 3. `toward`: the packet goes to the instance (tc egress)."""
    t = icmp_type(p)
    if t is None:
        return False
    src, dst = p.src, p.dst
    if t in MLD_TYPES:
        return p.hlim == 1 and (is_link_local(src) or src == 0) and is_ff02(dst)
    if t not in NDP_TYPES or p.hlim != 255:
        return False
    if not toward:
        return (is_link_local(src) or src == 0 or iface.owner(src) is not None) \
            and link_scope(dst)
    return is_link_local(src) and \
        (is_link_local(dst) or iface.owner(dst) is not None or is_ff02(dst))


API_PORT = 4280   # the README's SIXPN_API_PORT, written out here on purpose


def dns_port_verdict(p, port_index):
    """Rule 5: the DNS address's end of the packet decides."""
    pp = ports(p)
    if pp is None:
        return "DROP_DNS_PORT"
    if pp[port_index] == 53:
        return "PASS_DNS"
    if p.proto == TCP and pp[port_index] == API_PORT:
        return "PASS_API"
    return "DROP_DNS_PORT"


def icmp_error_about_own_packet(p, owner):
    t = icmp_type(p)
    if t not in ICMP_ERROR_TYPES or len(p.l4) < 8 + 40:
        return False
    quoted = p.l4[8:8 + 40]
    if quoted[0] >> 4 != 6:
        return False
    qsrc, qdst = addr_int(quoted[8:24]), addr_int(quoted[24:40])
    if qsrc != p.dst:
        return False
    return (is_6pn(qdst) and net_of(qdst) == owner.net) or qdst == DNS_ADDR


def instance_verdict(iface, pkt, toward):
    """Rules 0-7 from an instance, or toward it (`toward`): the interface
    owns the instance's end of the packet, and the rules judge the other."""
    if iface is None:
        return {"DROP_UNKNOWN_IFACE"}, None
    try:
        p = walk(ipv6_of(pkt, iface.l2_len))
    except Verdict as v:
        return v.reasons, None
    if link_control(p, iface, toward):
        return {"PASS_NDP"}, pkt
    mine, other = (p.dst, p.src) if toward else (p.src, p.dst)
    owner = iface.owner(mine)
    if owner is None:
        return {"DROP_UNKNOWN_DST" if toward else "DROP_SPOOFED_SRC"}, None
    if toward and icmp_error_about_own_packet(p, owner):
        return {"PASS_ICMP_ERROR"}, pkt
    if other in (DNS_ADDR, dns_of(owner.net)):
        # the DNS end's port: the destination port going out, the source back
        r = dns_port_verdict(p, 0 if toward else 1)
        return {r}, pkt if r.startswith("PASS") else None
    if not is_6pn(other):
        return {"DROP_NOT_6PN"}, None
    if net_of(other) != owner.net:
        return {"DROP_CROSS_NETWORK"}, None
    return {"PASS"}, pkt


def from_inst(iface, pkt):
    return instance_verdict(iface, pkt, toward=False)


def to_inst(iface, pkt):
    return instance_verdict(iface, pkt, toward=True)


def swapped(pkt, src6, dst6):
    out = bytearray(pkt)
    if src6:
        out[8:24] = to_mesh(addr_int(pkt[8:24])).to_bytes(16, "big")
    if dst6:
        out[24:40] = to_mesh(addr_int(pkt[24:40])).to_bytes(16, "big")
    return bytes(out)


def mesh_verdict(pkt, inbound):
    """The mesh device: the swap both ways; coming in, the swapped-back
    addresses must also stay within one network."""
    if not pkt or pkt[0] >> 4 != 6:
        return {"PASS_NOT_6PN"}, pkt
    if len(pkt) < 40:
        return {"DROP_MALFORMED"}, None
    src6, dst6 = is_6pn(addr_int(pkt[8:24])), is_6pn(addr_int(pkt[24:40]))
    if not (src6 or dst6):
        return {"PASS_NOT_6PN"}, pkt
    out = swapped(pkt, src6, dst6)
    if not inbound:
        return {"PASS"}, out
    src, dst = addr_int(out[8:24]), addr_int(out[24:40])
    if src6 != dst6:
        return {"DROP_NOT_6PN"}, None
    if src6 and (net_of(src) != net_of(dst) or net_of(src) == 0):
        return {"DROP_CROSS_NETWORK"}, None
    return {"PASS"}, out


def mesh_out(_iface, pkt):
    return mesh_verdict(pkt, inbound=False)


def mesh_in(_iface, pkt):
    return mesh_verdict(pkt, inbound=True)


PROGRAMS = {
    "from_inst": from_inst,
    "to_inst": to_inst,
    "mesh_out": mesh_out,
    "mesh_in": mesh_in,
}


def judge(prog, iface, pkt):
    """(set of allowed reason names, expected output bytes or None)."""
    reasons, out = PROGRAMS[prog](iface, pkt)
    return reasons, out
