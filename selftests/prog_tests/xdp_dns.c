// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Packet replay through BPF_PROG_TEST_RUN for the XDP DNS fast path. Each
 * query (selftests/packets/gen_dns_packets.py) is run through sixpn_xdp_dns
 * and checked for its verdict and counted reason; every reply is parsed by
 * ldns and compared field by field with the query it answers and with the
 * names map the test filled through loader/datapath/dns_names.c: header bits, the
 * question exactly as asked, addresses, SOA, OPT, the addresses and ports
 * turned around, the UDP checksum computed from scratch.
 *
 *   test_xdp_dns [PACKETS]            the checks (PACKETS: any file in the
 *                                     directory of dns_packets.txt)
 *   test_xdp_dns --bench [REPEAT]     BPF_PROG_TEST_RUN time per query of the
 *                                     fast path next to xdp_reflect */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ldns/ldns.h>

#include "selftests/progs/xdp_reflect.skel.h"
#include "selftests/progs/xdp_dns_bench.skel.h"
#include "datapath/dns_names.h"
#include "sixpn_maps.h"
#include "fixtures.h"
#include "packets.h"
#include "xdp_skel.h"
#include "test_harness.h"
#include "datapath/stats.h"

TEST_HARNESS_DEFINE();

/* BPF_PROG_TEST_RUN takes the ingress interface from an existing device:
 * loopback plays the instance interface. */
#define TEST_IFINDEX FX_TEST_IFINDEX
#define NET_A FX_NET_A
#define NET_B FX_NET_B
#define ETH_LEN 14
#define IP6_LEN 40
#define UDP_LEN 8
#define DNS_OFF (ETH_LEN + IP6_LEN + UDP_LEN)

#define INST_A FX_INST_ADDR
#define INST_B FX_INST_B_ADDR
#define NAME_63 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk.abc.internal"
#define NAME_64 "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk.abc.internal"

enum iface { IF_A, IF_B, IF_UNKNOWN };

struct name_entry {
	__u32 net;
	const char *name;
	int n;
	const char *addrs[9];
	__u16 flags;
};

/* What sixpnd would have put in the map, for networks A and B. */
static const struct name_entry names[] = {
	{ NET_A, "web.internal", 1, { "fdaa:0:18:a7b:d6b:0:c:2" } },
	{ NET_B, "web.internal", 1, { "fdaa:0:19:a7b:174:0:d:2" } },
	{ NET_B, "bonly.internal", 1, { "fdaa:0:19:a7b:174:0:e:2" } },
	{ NET_A, "eight.internal", 8, { "fdaa:0:18:a7b:d6b:0:1:2", "fdaa:0:18:a7b:d6b:0:2:2",
					"fdaa:0:18:a7b:d6b:0:3:2", "fdaa:0:18:a7b:d6b:0:4:2",
					"fdaa:0:18:a7b:174:0:5:2", "fdaa:0:18:a7b:174:0:6:2",
					"fdaa:0:18:a7b:174:0:7:2", "fdaa:0:18:a7b:d6b:0:f:102" } },
	{ NET_A, "three.internal", 3, { "fdaa:0:18:1:1:0:1:2", "fdaa:0:18:2:2:0:2:2",
					"fdaa:0:18:3:3:0:3:2" } },
	{ NET_A, "nine.internal", 9, { "fdaa:0:18::1:2", "fdaa:0:18::2:2", "fdaa:0:18::3:2",
				       "fdaa:0:18::4:2", "fdaa:0:18::5:2", "fdaa:0:18::6:2",
				       "fdaa:0:18::7:2", "fdaa:0:18::8:2", "fdaa:0:18::9:2" } },
	{ NET_A, "vm.web.internal", 0 },
	{ NET_A, "regions.web.internal", 0, { NULL }, SIXPN_DNS_F_USERSPACE },
	{ NET_A, "nearest.of.web.internal", 0, { NULL }, SIXPN_DNS_F_CHILDREN_USERSPACE },
	{ NET_A, NAME_63, 1, { "fdaa:0:18:a7b:d6b:0:63:2" } },
};

struct dns_case {
	const char *what;
	const char *packet;
	enum iface iface;
	enum sixpn_reason reason;
	const char *name; /* for answers: the names map entry they come from */
};

static const struct dns_case cases[] = {
	/* answered from the map */
	{ "AAAA with one address", "aaaa_web", IF_A, SIXPN_DNS_ANSWERED, "web.internal" },
	{ "AAAA asked in mixed case (0x20)", "aaaa_web_mixed_case", IF_A, SIXPN_DNS_ANSWERED, "web.internal" },
	{ "AAAA with EDNS", "aaaa_web_edns", IF_A, SIXPN_DNS_ANSWERED, "web.internal" },
	{ "AAAA with EDNS and DO", "aaaa_web_edns_do", IF_A, SIXPN_DNS_ANSWERED, "web.internal" },
	{ "AAAA with EDNS options (cookie, NSID)", "aaaa_web_edns_options", IF_A, SIXPN_DNS_ANSWERED, "web.internal" },
	{ "AAAA with an EDNS size below 512", "aaaa_web_edns_small", IF_A, SIXPN_DNS_ANSWERED, "web.internal" },
	{ "AAAA with RD clear and CD set", "aaaa_web_norecurse_cd", IF_A, SIXPN_DNS_ANSWERED, "web.internal" },
	{ "AAAA whose UDP checksum is garbage", "aaaa_web_garbage_csum", IF_A, SIXPN_DNS_ANSWERED, "web.internal" },
	{ "AAAA with a partial (offload) checksum", "aaaa_web_partial_csum", IF_A, SIXPN_DNS_ANSWERED, "web.internal" },
	{ "AAAA with a zero UDP checksum", "aaaa_web_zero_csum", IF_A, SIXPN_DNS_ANSWERED, "web.internal" },
	{ "AAAA with eight addresses", "aaaa_eight", IF_A, SIXPN_DNS_ANSWERED, "eight.internal" },
	{ "AAAA with eight addresses, EDNS, mixed case", "aaaa_eight_edns", IF_A, SIXPN_DNS_ANSWERED, "eight.internal" },
	{ "AAAA of a name at the key-size limit (63)", "aaaa_name_63", IF_A, SIXPN_DNS_ANSWERED, NAME_63 },
	{ "AAAA asked from network B gets B's address", "aaaa_web_from_b", IF_B, SIXPN_DNS_ANSWERED, "web.internal" },
	{ "AAAA of a name only B has, asked from B", "aaaa_b_only_from_b", IF_B, SIXPN_DNS_ANSWERED, "bonly.internal" },
	/* NODATA */
	{ "A of an existing name is NODATA", "a_web", IF_A, SIXPN_DNS_NODATA },
	{ "A with EDNS and DO is NODATA", "a_web_edns", IF_A, SIXPN_DNS_NODATA },
	{ "TXT of an AAAA name is NODATA", "txt_web", IF_A, SIXPN_DNS_NODATA },
	{ "QTYPE 65534 (private use) of an AAAA name is NODATA", "qtype_65534", IF_A, SIXPN_DNS_NODATA },
	{ "AAAA of an empty non-terminal is NODATA", "aaaa_vm_web", IF_A, SIXPN_DNS_NODATA },
	/* NXDOMAIN */
	{ "AAAA of a missing name is NXDOMAIN", "aaaa_missing", IF_A, SIXPN_DNS_NXDOMAIN },
	{ "A of a missing name with EDNS is NXDOMAIN", "a_missing_edns", IF_A, SIXPN_DNS_NXDOMAIN },
	{ "a missing machine under vm. is NXDOMAIN", "aaaa_missing_under_vm", IF_A, SIXPN_DNS_NXDOMAIN },
	{ "a name of network B asked from A is NXDOMAIN", "aaaa_b_only_from_a", IF_A, SIXPN_DNS_NXDOMAIN },
	/* passed up: userspace answers */
	{ "more addresses than the entry holds pass up", "aaaa_nine", IF_A, SIXPN_DNS_PASS_TOO_BIG },
	{ "TXT of a userspace name passes up", "txt_regions", IF_A, SIXPN_DNS_PASS_USERSPACE },
	{ "AAAA of a userspace name passes up", "aaaa_regions", IF_A, SIXPN_DNS_PASS_USERSPACE },
	{ "top2.nearest.of.web (computed child) passes up", "aaaa_top2_nearest", IF_A, SIXPN_DNS_PASS_USERSPACE },
	{ "SOA of the apex passes up", "soa_apex", IF_A, SIXPN_DNS_PASS_USERSPACE },
	{ "a name outside internal. passes up to be forwarded", "aaaa_external", IF_A, SIXPN_DNS_PASS_FORWARD },
	{ "web.xinternal is not under internal.", "aaaa_internal_lookalike", IF_A, SIXPN_DNS_PASS_FORWARD },
	{ "a name one past the key-size limit (64) passes up", "aaaa_name_64", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "ANY passes up", "any_web", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "class CH passes up", "aaaa_web_class_ch", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "EDNS version 1 passes up (BADVERS)", "aaaa_web_edns_v1", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "opcode STATUS passes up", "opcode_status", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "a response (QR set) passes up", "response_qr", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "QDCOUNT 2 passes up", "qdcount_2", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "ANCOUNT 1 passes up", "ancount_1", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "ARCOUNT 2 passes up", "arcount_2", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "an additional record that is not OPT passes up", "additional_not_opt", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "a compression pointer in the question passes up", "compression_in_question", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "a label holding a dot passes up", "label_with_dot", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "a truncated header passes up", "truncated_header", IF_A, SIXPN_DNS_PASS_MALFORMED },
	{ "a truncated name passes up", "truncated_name", IF_A, SIXPN_DNS_PASS_MALFORMED },
	{ "a truncated QTYPE/QCLASS passes up", "truncated_qtype", IF_A, SIXPN_DNS_PASS_MALFORMED },
	{ "a truncated OPT passes up", "truncated_opt", IF_A, SIXPN_DNS_PASS_MALFORMED },
	{ "an OPT rdlength past the end passes up", "opt_rdlen_past_end", IF_A, SIXPN_DNS_PASS_MALFORMED },
	{ "bytes after the question pass up", "trailing_bytes", IF_A, SIXPN_DNS_PASS_MALFORMED },
	{ "an IPv6 payload longer than the packet passes up", "ip6_payload_past_packet", IF_A, SIXPN_DNS_PASS_MALFORMED },
	/* issue 11: odd queries go up; the legal ones next to them are answered */
	{ "IPv6 version 7 in an IPv6 frame is not the fast path's", "ip6_version_7", IF_A, SIXPN_DNS_PASS_NOT_DNS },
	{ "IPv6 version 4 in an IPv6 frame is not the fast path's", "ip6_version_4", IF_A, SIXPN_DNS_PASS_NOT_DNS },
	{ "a TSIG-signed query passes up (NOTAUTH/BADKEY)", "tsig_signed", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "a TSIG-signed query with EDNS passes up", "tsig_signed_edns", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "a TSIG owned by the root passes up", "tsig_root_owner", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "an EDNS option past the OPT rdlength passes up", "edns_option_past_rdlen", IF_A, SIXPN_DNS_PASS_MALFORMED },
	{ "a second EDNS option past the rdlength passes up", "edns_option_past_rdlen_2nd", IF_A, SIXPN_DNS_PASS_MALFORMED },
	{ "half an EDNS option header passes up", "edns_half_option_header", IF_A, SIXPN_DNS_PASS_MALFORMED },
	{ "an option, then half a header, passes up", "edns_option_then_half_header", IF_A, SIXPN_DNS_PASS_MALFORMED },
	{ "a 5-byte COOKIE passes up (RFC 7873: FORMERR)", "edns_cookie_5", IF_A, SIXPN_DNS_PASS_MALFORMED },
	{ "a 12-byte COOKIE passes up", "edns_cookie_12", IF_A, SIXPN_DNS_PASS_MALFORMED },
	{ "a 41-byte COOKIE passes up", "edns_cookie_41", IF_A, SIXPN_DNS_PASS_MALFORMED },
	{ "an empty COOKIE passes up", "edns_cookie_0", IF_A, SIXPN_DNS_PASS_MALFORMED },
	{ "AAAA with a client and 8-byte server COOKIE (16)", "aaaa_web_edns_cookie_16", IF_A, SIXPN_DNS_ANSWERED, "web.internal" },
	{ "AAAA with the longest COOKIE (40)", "aaaa_web_edns_cookie_40", IF_A, SIXPN_DNS_ANSWERED, "web.internal" },
	{ "AAAA with a COOKIE and padding", "aaaa_web_edns_padding", IF_A, SIXPN_DNS_ANSWERED, "web.internal" },
	{ "AAAA with eight EDNS options", "aaaa_web_edns_eight_options", IF_A, SIXPN_DNS_ANSWERED, "web.internal" },
	{ "nine EDNS options are more than the fast path walks", "edns_nine_options", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "an OPT not owned by the root passes up", "edns_owner_not_root", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "an OPT in the answer section passes up", "edns_in_answer", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "an OPT in the authority section passes up", "edns_in_authority", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "bytes after the OPT pass up", "edns_trailing_bytes", IF_A, SIXPN_DNS_PASS_MALFORMED },
	{ "an extended RCODE in a query's OPT passes up", "edns_ext_rcode", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "AAAA with OPT Z bits set (ignored, not copied)", "aaaa_web_edns_z", IF_A, SIXPN_DNS_ANSWERED, "web.internal" },
	{ "QTYPE OPT passes up", "qtype_opt", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "QTYPE OPT of a missing name passes up", "qtype_opt_missing", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "QTYPE 0 (reserved, RFC 6895) passes up", "qtype_0", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "QTYPE 65535 (reserved, RFC 6895) passes up", "qtype_65535", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "QTYPE 65535 of a missing name passes up", "qtype_65535_missing", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "QTYPE TKEY passes up", "qtype_tkey", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "QTYPE TSIG passes up", "qtype_tsig", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "QTYPE IXFR passes up", "qtype_ixfr", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "QTYPE AXFR passes up", "qtype_axfr", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "QTYPE MAILB passes up", "qtype_mailb", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "QTYPE MAILA passes up", "qtype_maila", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "ANY of a missing name passes up", "qtype_any_missing", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "TC set in a query passes up", "tc_in_query", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "the Z bit set in a query passes up", "z_in_query", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "an RCODE in a query passes up (FORMERR)", "rcode_in_query", IF_A, SIXPN_DNS_PASS_MALFORMED },
	{ "AAAA with AD set (RFC 6840) is answered, AD clear", "aaaa_web_ad", IF_A, SIXPN_DNS_ANSWERED, "web.internal" },
	{ "NSCOUNT 1 passes up", "nscount_1", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "QDCOUNT 0 passes up", "qdcount_0", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "class ANY passes up", "class_any", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "class NONE passes up", "class_none", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "a 64-byte label passes up", "label_64", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "an extended label type (01) passes up", "label_type_01", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "a name past 255 bytes passes up", "name_over_255", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "UDP source port 0 (no reply wanted) passes up", "sport_0", IF_A, SIXPN_DNS_PASS_UNSUPPORTED },
	{ "AAAA from source port 53 is answered", "aaaa_web_sport_53", IF_A, SIXPN_DNS_ANSWERED, "web.internal" },
	/* not trusted, or not for the fast path */
	{ "a neighbour's (spoofed) source passes to TC", "spoofed_neighbour", IF_A, SIXPN_DNS_PASS_SPOOFED },
	{ "a source outside 6PN passes to TC", "source_outside_6pn", IF_A, SIXPN_DNS_PASS_SPOOFED },
	{ "a source of network B on A's interface passes to TC", "aaaa_web_from_b", IF_A, SIXPN_DNS_PASS_SPOOFED },
	{ "an interface missing from ifaces passes to TC", "aaaa_web", IF_UNKNOWN, SIXPN_DNS_PASS_SPOOFED },
	{ "UDP 53 to the network's ::3 is not the fast path's", "to_net_dns", IF_A, SIXPN_DNS_PASS_NOT_DNS },
	{ "UDP to fdaa::3 port 5353 is untouched", "to_port_5353", IF_A, SIXPN_DNS_PASS_NOT_DNS },
	{ "TCP to fdaa::3 port 53 is untouched", "tcp_53", IF_A, SIXPN_DNS_PASS_NOT_DNS },
};

static struct sixpn_xdp *skel;
static struct sixpn_dns_config config;

static void set_iface(int ifaces_fd, enum iface which)
{
	struct sixpn_iface ifc = { .role = SIXPN_ROLE_INSTANCE, .prefix_len = 112, .l2_len = 14 };
	__u32 key = TEST_IFINDEX;

	if (which == IF_UNKNOWN) {
		bpf_map_delete_elem(ifaces_fd, &key);
		return;
	}
	ifc.net_id = which == IF_A ? NET_A : NET_B;
	sixpn_compose(&ifc.prefix, ifc.net_id, FX_HOST1, which == IF_A ? FX_INST : FX_INST_B, 0);
	if (bpf_map_update_elem(ifaces_fd, &key, &ifc, BPF_ANY))
		fprintf(stderr, "Bail out! cannot set the ifaces map: %s\n", strerror(errno));
}

static int parse_addrs(const struct name_entry *e, struct sixpn_ip6 *out)
{
	int i;

	for (i = 0; i < e->n; i++)
		if (inet_pton(AF_INET6, e->addrs[i], out[i].w) != 1)
			return -EINVAL;
	return 0;
}

static int fill_names(int names_fd)
{
	struct sixpn_ip6 addrs[9];
	size_t i;
	int err;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		err = parse_addrs(&names[i], addrs);
		if (!err)
			err = sixpn_dns_name_put(names_fd, names[i].net, names[i].name, addrs,
						 names[i].n, names[i].flags);
		if (err)
			return err;
	}
	return 0;
}

static const struct name_entry *find_name(__u32 net, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].net == net && !strcasecmp(names[i].name, name))
			return &names[i];
	return NULL;
}

static __u64 counter(int stats_fd, __u32 reason)
{
	return sixpn_stat_packets(stats_fd, SIXPN_HOOK_XDP_DNS, reason);
}

static int run_xdp(int prog_fd, const struct test_packet *in, __u8 *out, __u32 *out_len,
		   __u32 *retval, __u32 repeat, __u32 *duration)
{
	return xdp_prog_run(prog_fd, in->data, in->len, TEST_IFINDEX, out, out_len, retval, repeat,
			    duration);
}

static char *rdf_str(const ldns_rdf *rdf)
{
	return rdf ? ldns_rdf2str(rdf) : strdup("(none)");
}

/* The question as it was sent, in presentation form: 0x20 case kept. */
static char *query_qname(const struct test_packet *in)
{
	ldns_pkt *q = NULL;
	char *s = NULL;

	if (ldns_wire2pkt(&q, in->data + DNS_OFF, in->len - DNS_OFF) == LDNS_STATUS_OK &&
	    ldns_pkt_qdcount(q) == 1)
		s = rdf_str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(q), 0)));
	ldns_pkt_free(q);
	return s;
}

/* Addresses of the answer section, in order, as text. */
static int answer_addrs(const ldns_pkt *p, char out[][INET6_ADDRSTRLEN], int max,
			const char *what, __u32 ttl)
{
	ldns_rr_list *an = ldns_pkt_answer(p);
	size_t i;
	int n = 0, ok = 1;

	for (i = 0; i < ldns_rr_list_rr_count(an) && n < max; i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		ldns_rdf *rd = ldns_rr_rdf(rr, 0);

		ok &= ldns_rr_get_type(rr) == LDNS_RR_TYPE_AAAA &&
		      ldns_rr_get_class(rr) == LDNS_RR_CLASS_IN && ldns_rr_ttl(rr) == ttl &&
		      rd && ldns_rdf_size(rd) == 16;
		if (rd && ldns_rdf_size(rd) == 16)
			inet_ntop(AF_INET6, ldns_rdf_data(rd), out[n++], INET6_ADDRSTRLEN);
	}
	CHECK(ok, "%s: every answer is AAAA IN with TTL %u", what, ttl);
	return n;
}

static int addr_eq(const char *a, const char *b)
{
	struct in6_addr x, y;

	return inet_pton(AF_INET6, a, &x) == 1 && inet_pton(AF_INET6, b, &y) == 1 &&
	       !memcmp(&x, &y, sizeof(x));
}

static void check_soa(const ldns_pkt *p, const char *what)
{
	ldns_rr_list *ns = ldns_pkt_authority(p);
	ldns_rr *soa = ldns_rr_list_rr_count(ns) == 1 ? ldns_rr_list_rr(ns, 0) : NULL;
	char *owner, *mname, *rname;

	CHECK(soa && ldns_rr_get_type(soa) == LDNS_RR_TYPE_SOA && ldns_rr_rd_count(soa) == 7,
	      "%s: the authority section is one SOA record", what);
	if (!soa || ldns_rr_rd_count(soa) != 7)
		return;
	owner = rdf_str(ldns_rr_owner(soa));
	mname = rdf_str(ldns_rr_rdf(soa, 0));
	rname = rdf_str(ldns_rr_rdf(soa, 1));
	CHECK(!strcmp(owner, "internal."), "%s: SOA owner is internal. (got %s)", what, owner);
	CHECK(!strcmp(mname, "ns.internal."), "%s: SOA MNAME is ns.internal. (got %s)", what, mname);
	CHECK(!strcmp(rname, "hostmaster.internal."), "%s: SOA RNAME is hostmaster.internal. (got %s)",
	      what, rname);
	CHECK_EQ(ldns_rr_ttl(soa), config.soa_minimum, "%s: SOA TTL is the negative TTL", what);
	CHECK_EQ(ldns_rdf2native_int32(ldns_rr_rdf(soa, 2)), config.soa_serial, "%s: SOA serial", what);
	CHECK_EQ(ldns_rdf2native_int32(ldns_rr_rdf(soa, 3)), config.soa_refresh, "%s: SOA refresh", what);
	CHECK_EQ(ldns_rdf2native_int32(ldns_rr_rdf(soa, 4)), config.soa_retry, "%s: SOA retry", what);
	CHECK_EQ(ldns_rdf2native_int32(ldns_rr_rdf(soa, 5)), config.soa_expire, "%s: SOA expire", what);
	CHECK_EQ(ldns_rdf2native_int32(ldns_rr_rdf(soa, 6)), config.soa_minimum, "%s: SOA minimum",
		 what);
	free(owner);
	free(mname);
	free(rname);
}

/* The reply turned the query around: Ethernet, IPv6 and UDP. */
static void check_turned_around(const struct test_packet *in, const __u8 *out, __u32 len,
				const char *what)
{
	struct in6_addr dns;

	inet_pton(AF_INET6, "fdaa::3", &dns);
	CHECK(!memcmp(out, in->data + 6, 6), "%s: Ethernet destination is the query's source", what);
	CHECK(!memcmp(out + 6, in->data, 6), "%s: Ethernet source is the query's destination", what);
	CHECK(!memcmp(out + ETH_LEN + 8, &dns, 16), "%s: from fdaa::3", what);
	CHECK(!memcmp(out + ETH_LEN + 24, in->data + ETH_LEN + 8, 16), "%s: to the asker", what);
	CHECK_EQ(out[ETH_LEN + 6], 17, "%s: next header UDP", what);
	CHECK_EQ(out[ETH_LEN + 7], 64, "%s: hop limit 64", what);
	CHECK(!memcmp(out + ETH_LEN + IP6_LEN, in->data + ETH_LEN + IP6_LEN + 2, 2),
	      "%s: UDP source port is the query's destination port", what);
	CHECK(!memcmp(out + ETH_LEN + IP6_LEN + 2, in->data + ETH_LEN + IP6_LEN, 2),
	      "%s: UDP destination port is the query's source port", what);
	CHECK_EQ(out[ETH_LEN + 4] << 8 | out[ETH_LEN + 5], len - ETH_LEN - IP6_LEN,
		 "%s: IPv6 payload length is the reply's", what);
	CHECK_EQ(out[ETH_LEN + IP6_LEN + 4] << 8 | out[ETH_LEN + IP6_LEN + 5], len - ETH_LEN - IP6_LEN,
		 "%s: UDP length is the reply's", what);
	CHECK_EQ(ipv6_l4_checksum_residue(out + ETH_LEN, len - ETH_LEN), 0,
		 "%s: UDP checksum is valid", what);
	CHECK(out[ETH_LEN + IP6_LEN + 6] | out[ETH_LEN + IP6_LEN + 7],
	      "%s: UDP checksum is not 0", what);
}

/* Checks an answer, NODATA or NXDOMAIN reply against its query. `net` is
 * the asking network. Returns the parsed reply for more checks, or NULL. */
static ldns_pkt *check_reply(const struct dns_case *c, const struct test_packet *in,
			     const __u8 *out, __u32 len, __u32 net)
{
	ldns_pkt *q = NULL, *r = NULL;
	char *asked = NULL, *echoed = NULL;
	const struct name_entry *e = NULL;
	__u16 arcount;

	check_turned_around(in, out, len, c->what);
	CHECK(ldns_wire2pkt(&q, in->data + DNS_OFF, in->len - DNS_OFF) == LDNS_STATUS_OK,
	      "%s: ldns parses the query", c->what);
	CHECK(ldns_wire2pkt(&r, out + DNS_OFF, len - DNS_OFF) == LDNS_STATUS_OK,
	      "%s: ldns parses the reply", c->what);
	if (!q || !r) {
		ldns_pkt_free(q);
		ldns_pkt_free(r);
		return NULL;
	}
	CHECK_EQ(ldns_pkt_id(r), ldns_pkt_id(q), "%s: same ID", c->what);
	CHECK(ldns_pkt_qr(r), "%s: QR set", c->what);
	CHECK_EQ(ldns_pkt_get_opcode(r), LDNS_PACKET_QUERY, "%s: opcode QUERY", c->what);
	CHECK(ldns_pkt_aa(r), "%s: AA set", c->what);
	CHECK(!ldns_pkt_tc(r), "%s: TC clear", c->what);
	CHECK(ldns_pkt_ra(r), "%s: RA set", c->what);
	CHECK(!ldns_pkt_ad(r), "%s: AD clear", c->what);
	CHECK_EQ(ldns_pkt_rd(r), ldns_pkt_rd(q), "%s: RD copied from the query", c->what);
	CHECK_EQ(ldns_pkt_cd(r), ldns_pkt_cd(q), "%s: CD copied from the query", c->what);
	CHECK_EQ(ldns_pkt_get_rcode(r),
		 c->reason == SIXPN_DNS_NXDOMAIN ? LDNS_RCODE_NXDOMAIN : LDNS_RCODE_NOERROR,
		 "%s: rcode", c->what);

	asked = query_qname(in);
	echoed = ldns_pkt_qdcount(r) == 1
			 ? rdf_str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_question(r), 0)))
			 : NULL;
	CHECK(asked && echoed && !strcmp(asked, echoed),
	      "%s: the question is echoed exactly (%s)", c->what, echoed ? echoed : "none");
	CHECK_EQ(ldns_pkt_qdcount(r), 1, "%s: one question", c->what);
	if (ldns_pkt_qdcount(r) == 1) {
		CHECK_EQ(ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_question(r), 0)),
			 ldns_rr_get_type(ldns_rr_list_rr(ldns_pkt_question(q), 0)),
			 "%s: question type echoed", c->what);
		CHECK_EQ(ldns_rr_get_class(ldns_rr_list_rr(ldns_pkt_question(r), 0)), LDNS_RR_CLASS_IN,
			 "%s: question class echoed", c->what);
	}
	CHECK(!memcmp(out + DNS_OFF + 12, in->data + DNS_OFF + 12, strlen(asked ? asked : "") + 1),
	      "%s: question bytes identical to the query's", c->what);

	/* OPT exactly when the query had one; ldns takes it out of the
	 * additional section, so ARCOUNT is read from the header. */
	arcount = out[DNS_OFF + 10] << 8 | out[DNS_OFF + 11];
	if (ldns_pkt_edns(q)) {
		CHECK_EQ(arcount, 1, "%s: reply has one additional record", c->what);
		CHECK(ldns_pkt_edns(r), "%s: reply has an OPT", c->what);
		CHECK_EQ(ldns_pkt_edns_udp_size(r), 1232, "%s: OPT size 1232", c->what);
		CHECK_EQ(ldns_pkt_edns_version(r), 0, "%s: OPT version 0", c->what);
		CHECK(!ldns_pkt_edns_data(r), "%s: OPT without options", c->what);
		CHECK_EQ(ldns_pkt_edns_extended_rcode(r), 0, "%s: OPT extended rcode 0", c->what);
		CHECK(ldns_pkt_edns_do(r) == ldns_pkt_edns_do(q), "%s: DO copied", c->what);
		CHECK((ldns_pkt_edns_z(r) & 0x7fff) == 0,
		      "%s: the reply's OPT Z bits are zero (DO aside)", c->what);
		CHECK(len - DNS_OFF <= 1232, "%s: reply within 1232 bytes", c->what);
	} else {
		CHECK_EQ(arcount, 0, "%s: no additional record without OPT in the query", c->what);
		CHECK(!ldns_pkt_edns(r), "%s: no OPT without one in the query", c->what);
		CHECK(len - DNS_OFF <= 512, "%s: reply within 512 bytes", c->what);
	}

	if (c->reason == SIXPN_DNS_ANSWERED) {
		char got[9][INET6_ADDRSTRLEN];
		int n, i, j, all = 1;

		e = find_name(net, c->name);
		n = answer_addrs(r, got, 9, c->what, config.ttl);
		CHECK(e, "%s: the name is in the test's names map", c->what);
		CHECK_EQ(n, e ? e->n : -1, "%s: %d AAAA addresses", c->what, e ? e->n : -1);
		CHECK_EQ(ldns_pkt_ancount(r), e ? e->n : -1, "%s: ANCOUNT is %d", c->what, e ? e->n : -1);
		CHECK_EQ(ldns_pkt_nscount(r), 0, "%s: no authority", c->what);
		for (i = 0; e && i < e->n; i++) {
			int found = 0;

			for (j = 0; j < n; j++)
				found |= addr_eq(e->addrs[i], got[j]);
			all &= found;
		}
		CHECK(e && all, "%s: the answers are exactly the entry's addresses", c->what);
		for (j = 0; j < n; j++) {
			char *owner = rdf_str(ldns_rr_owner(ldns_rr_list_rr(ldns_pkt_answer(r), j)));

			all &= !strcasecmp(owner, asked);
			free(owner);
		}
		CHECK(all, "%s: every answer is owned by the question's name", c->what);
	} else {
		CHECK(ldns_pkt_ancount(r) == 0, "%s: no answers", c->what);
		check_soa(r, c->what);
	}
	free(asked);
	free(echoed);
	ldns_pkt_free(q);
	return r;
}

static void run_case(const struct dns_case *c)
{
	const struct test_packet *in = packet(c->packet);
	int prog = bpf_program__fd(skel->progs.sixpn_xdp_dns);
	int stats = bpf_map__fd(skel->maps.stats);
	__u32 out_len = 4096, retval = ~0U;
	__u64 before = counter(stats, c->reason);
	int answered = c->reason == SIXPN_DNS_ANSWERED || c->reason == SIXPN_DNS_NODATA ||
		       c->reason == SIXPN_DNS_NXDOMAIN;
	__u8 out[4096];
	int err;

	set_iface(bpf_map__fd(skel->maps.ifaces), c->iface);
	err = run_xdp(prog, in, out, &out_len, &retval, 1, NULL);
	CHECK_EQ(err, 0, "%s: BPF_PROG_TEST_RUN runs", c->what);
	CHECK_EQ(retval, answered ? XDP_TX : XDP_PASS, "%s: verdict is %s", c->what,
		 answered ? "XDP_TX" : "XDP_PASS");
	CHECK_EQ(counter(stats, c->reason) - before, 1, "%s: counts %s once", c->what,
		 sixpn_reason_names[c->reason]);
	if (!answered) {
		CHECK(out_len == in->len && !memcmp(out, in->data, in->len),
		      "%s: the packet passes untouched", c->what);
		return;
	}
	ldns_pkt_free(check_reply(c, in, out, out_len, c->iface == IF_B ? NET_B : NET_A));
}

/* The same name from two networks: two different answers, each its own. */
static void test_two_networks(void)
{
	int prog = bpf_program__fd(skel->progs.sixpn_xdp_dns);
	__u8 a[4096], b[4096];
	__u32 la = sizeof(a), lb = sizeof(b), ret;

	set_iface(bpf_map__fd(skel->maps.ifaces), IF_A);
	run_xdp(prog, packet("aaaa_web"), a, &la, &ret, 1, NULL);
	set_iface(bpf_map__fd(skel->maps.ifaces), IF_B);
	run_xdp(prog, packet("aaaa_web_from_b"), b, &lb, &ret, 1, NULL);
	CHECK(la == lb && la > DNS_OFF + 16, "web.internal from A and from B: replies of one size");
	CHECK(la > DNS_OFF + 16 && lb == la && memcmp(a + la - 16, b + lb - 16, 16),
	      "web.internal from network A and from network B: different addresses");
	CHECK(la > DNS_OFF + 16 && a[la - 16 + 4] == 0 && a[la - 16 + 5] == NET_A,
	      "network A's answer lies in A's /48");
	CHECK(lb > DNS_OFF + 16 && b[lb - 16 + 4] == 0 && b[lb - 16 + 5] == NET_B,
	      "network B's answer lies in B's /48");
}

/* Successive answers rotate the address order. */
static void test_rotation(void)
{
	const struct name_entry *e = find_name(NET_A, "three.internal");
	int prog = bpf_program__fd(skel->progs.sixpn_xdp_dns);
	char orders[3][3][INET6_ADDRSTRLEN];
	int firsts = 0, rotations = 1, i, k, start;

	set_iface(bpf_map__fd(skel->maps.ifaces), IF_A);
	for (k = 0; k < 3; k++) {
		__u8 out[4096];
		__u32 len = sizeof(out), ret;
		ldns_pkt *r = NULL;

		run_xdp(prog, packet("aaaa_three"), out, &len, &ret, 1, NULL);
		if (ldns_wire2pkt(&r, out + DNS_OFF, len - DNS_OFF) != LDNS_STATUS_OK ||
		    answer_addrs(r, orders[k], 3, "rotation", config.ttl) != 3) {
			CHECK(0, "rotation: three answers to three.internal");
			ldns_pkt_free(r);
			return;
		}
		ldns_pkt_free(r);
		/* The order must be the entry's, rotated. */
		for (start = 0; start < 3; start++)
			if (addr_eq(orders[k][0], e->addrs[start]))
				break;
		for (i = 0; i < 3; i++)
			rotations &= start < 3 && addr_eq(orders[k][i], e->addrs[(start + i) % 3]);
		firsts |= 1 << start;
	}
	CHECK(rotations, "rotation: every answer is the entry's order, rotated");
	CHECK_EQ(firsts, 7, "rotation: three answers in a row start with three different addresses");
}

static void test_disabled(void)
{
	struct sixpn_dns_config off = config;
	int prog = bpf_program__fd(skel->progs.sixpn_xdp_dns);
	int cfg_fd = bpf_map__fd(skel->maps.dns_config);
	__u64 before = counter(bpf_map__fd(skel->maps.stats), SIXPN_DNS_PASS_UNSUPPORTED);
	__u8 out[4096];
	__u32 len = sizeof(out), ret;

	off.enabled = 0;
	sixpn_dns_config_set(cfg_fd, &off);
	set_iface(bpf_map__fd(skel->maps.ifaces), IF_A);
	run_xdp(prog, packet("aaaa_web"), out, &len, &ret, 1, NULL);
	CHECK_EQ(ret, XDP_PASS, "until sixpnd enables it, the fast path passes every query up");
	CHECK_EQ(counter(bpf_map__fd(skel->maps.stats), SIXPN_DNS_PASS_UNSUPPORTED), before + 1,
		 "a query passed up while disabled counts DNS_PASS_UNSUPPORTED");
	sixpn_dns_config_set(cfg_fd, &config);
}

/* The userspace side of the contract: what dns_names.c accepts. */
static void test_names_api(void)
{
	int fd = bpf_map__fd(skel->maps.dns_names);
	struct sixpn_ip6 other, mine;
	struct sixpn_dns_key key;
	char text[80];

	inet_pton(AF_INET6, "fdaa:0:19::1:2", other.w);
	inet_pton(AF_INET6, "fdaa:0:18::1:2", mine.w);
	CHECK_EQ(sixpn_dns_name_put(fd, NET_A, "x.internal", &other, 1, 0), -EINVAL,
		 "names API: an address of another network is refused");
	CHECK_EQ(sixpn_dns_name_put(fd, NET_A, NAME_64, &mine, 1, 0), -ENAMETOOLONG,
		 "names API: a name past the key size is refused");
	CHECK_EQ(sixpn_dns_name_put(fd, NET_A, "example.com", &mine, 1, 0), -EINVAL,
		 "names API: a name outside internal. is refused");
	CHECK_EQ(sixpn_dns_name_put(fd, NET_A, "internal", &mine, 1, 0), -EINVAL,
		 "names API: the apex is refused");
	CHECK_EQ(sixpn_dns_name_put(fd, NET_A, "a..internal", &mine, 1, 0), -EINVAL,
		 "names API: an empty label is refused");
	CHECK_EQ(sixpn_dns_key_from_name(NET_A, "Web.Internal.", &key), 0,
		 "names API: a mixed-case name with a final dot is accepted");
	sixpn_dns_key_name(&key, text, sizeof(text));
	CHECK(!strcmp(text, "web.internal"), "names API: its key's name is \"web.internal\"");
	CHECK_EQ(key.net_id, NET_A, "names API: its key's network is 0x18");
	CHECK_EQ(sixpn_dns_name_put(fd, NET_A, "gone.internal", &mine, 1, 0), 0,
		 "names API: put");
	CHECK_EQ(sixpn_dns_name_del(fd, NET_A, "gone.internal"), 0, "names API: delete");
	CHECK_EQ(sixpn_dns_name_del(fd, NET_A, "gone.internal"), 0,
		 "names API: deleting a missing name is not an error");
}

/* The fast path answered every repetition: `bench_dns` restores the query
 * first, so each run is a full answer, never a pass of its own reply. */
static int bench_one(struct xdp_dns_bench *b, int prog_fd, const char *pkt_name, __u32 repeat,
		     enum sixpn_reason reason, double *ns)
{
	const struct test_packet *in = packet(pkt_name);
	int stats = bpf_map__fd(b->maps.stats);
	__u64 before = reason < SIXPN_REASON_MAX ? counter(stats, reason) : 0;
	__u8 out[4096];
	__u32 len = sizeof(out), ret, dur;

	memcpy(b->bss->query, in->data, in->len);
	b->bss->query_len = in->len;
	if (run_xdp(prog_fd, in, out, &len, &ret, repeat, &dur))
		return -1;
	*ns = dur;
	if (reason < SIXPN_REASON_MAX && counter(stats, reason) - before != repeat)
		return -1;
	return 0;
}

static int open_bench(struct xdp_dns_bench **b)
{
	*b = xdp_dns_bench__open();
	if (!*b)
		return -1;
	private_maps((*b)->obj);
	if (xdp_dns_bench__load(*b))
		return -1;
	set_iface(bpf_map__fd((*b)->maps.ifaces), IF_A);
	sixpn_dns_config_set(bpf_map__fd((*b)->maps.dns_config), &config);
	return fill_names(bpf_map__fd((*b)->maps.dns_names));
}

/* In the checks: the bench wrapper really answers on every repetition. */
static void test_bench_wrapper(void)
{
	struct xdp_dns_bench *b;
	double ns;

	if (open_bench(&b)) {
		CHECK(0, "bench wrapper loads");
		return;
	}
	CHECK_EQ(bench_one(b, bpf_program__fd(b->progs.bench_dns), "aaaa_eight", 1000,
			   SIXPN_DNS_ANSWERED, &ns), 0,
		 "bench wrapper: 1000 repetitions are 1000 answers");
	CHECK_EQ(bench_one(b, bpf_program__fd(b->progs.bench_dns), "aaaa_missing", 1000,
			   SIXPN_DNS_NXDOMAIN, &ns), 0,
		 "bench wrapper: 1000 repetitions are 1000 NXDOMAIN");
	xdp_dns_bench__destroy(b);
}

static int bench(__u32 repeat)
{
	struct xdp_reflect *reflect = xdp_reflect__open_and_load();
	struct xdp_dns_bench *b;
	struct {
		const char *what, *pkt;
		int prog;
		enum sixpn_reason reason;
	} runs[4];
	double ns, restore = 0;
	__u8 out[4096];
	__u32 len = sizeof(out), ret, dur;
	int i;

	if (!reflect || open_bench(&b)) {
		fprintf(stderr, "Bail out! cannot load the benchmark programs\n");
		return 2;
	}
	printf("# BPF_PROG_TEST_RUN, repeat %u, ns per run\n", repeat);
	if (run_xdp(bpf_program__fd(reflect->progs.xdp_reflect), packet("aaaa_web"), out, &len,
		    &ret, repeat, &dur) || ret != XDP_TX) {
		fprintf(stderr, "Bail out! xdp_reflect did not reflect\n");
		return 1;
	}
	printf("%-40s %8u\n", "xdp_reflect (AAAA web.internal)", dur);
	if (bench_one(b, bpf_program__fd(b->progs.bench_restore), "aaaa_web", repeat,
		      SIXPN_REASON_MAX, &restore))
		return 1;
	printf("%-40s %8.0f\n", "restore only (bench_restore)", restore);
	runs[0] = (typeof(runs[0])){ "fast path: AAAA, 1 address", "aaaa_web", 0, SIXPN_DNS_ANSWERED };
	runs[1] = (typeof(runs[0])){ "fast path: AAAA, 8 addresses", "aaaa_eight", 0, SIXPN_DNS_ANSWERED };
	runs[2] = (typeof(runs[0])){ "fast path: NXDOMAIN", "aaaa_missing", 0, SIXPN_DNS_NXDOMAIN };
	runs[3] = (typeof(runs[0])){ "fast path: A -> NODATA", "a_web", 0, SIXPN_DNS_NODATA };
	for (i = 0; i < 4; i++) {
		if (bench_one(b, bpf_program__fd(b->progs.bench_dns), runs[i].pkt, repeat,
			      runs[i].reason, &ns)) {
			fprintf(stderr, "Bail out! %s: not every repetition was answered\n", runs[i].what);
			return 1;
		}
		printf("%-40s %8.0f   (restore + fast path; fast path alone ~%.0f)\n", runs[i].what,
		       ns, ns - restore);
	}
	xdp_dns_bench__destroy(b);
	xdp_reflect__destroy(reflect);
	return 0;
}

int main(int argc, char **argv)
{
	char path[PATH_MAX];
	__u32 repeat = 0;
	int err;

	if (argc > 1 && !strcmp(argv[1], "--bench")) {
		repeat = argc > 2 ? (__u32)strtoul(argv[2], NULL, 0) : 1000000;
		snprintf(path, sizeof(path), "build/selftests/dns_packets.txt");
	} else if (argc > 1) {
		char *dir = strdup(argv[1]);

		snprintf(path, sizeof(path), "%s/dns_packets.txt", dirname(dir));
		free(dir);
	} else {
		snprintf(path, sizeof(path), "build/selftests/dns_packets.txt");
	}
	err = packets_load(path);
	if (err) {
		fprintf(stderr, "Bail out! cannot load test packets from %s: %s\n", path,
			strerror(-err));
		return 2;
	}
	sixpn_dns_config_default(&config);
	config.ttl = 7;
	config.soa_serial = 2026;
	config.soa_minimum = 11;
	if (repeat)
		return bench(repeat);

	skel = xdp_skel_open_load();
	if (!skel)
		return 2;
	CHECK_EQ(sixpn_dns_config_set(bpf_map__fd(skel->maps.dns_config), &config), 0,
		 "config map takes the configuration");
	CHECK_EQ(fill_names(bpf_map__fd(skel->maps.dns_names)), 0,
		 "names map takes every test name through dns_names.c");

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	test_two_networks();
	test_rotation();
	test_disabled();
	test_names_api();
	test_bench_wrapper();

	sixpn_xdp__destroy(skel);
	return test_summary("xdp_dns");
}
