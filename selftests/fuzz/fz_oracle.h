/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The fuzzer's oracle: what the XDP DNS fast path may do with a frame.
 *
 * Written from the RFCs (IPv6 8200, UDP 768, DNS 1035, EDNS 6891, COOKIE
 * 7873, TSIG 8945, TYPE ranges 6895) and from the contract in README
 * "Internal DNS", docs/resolver.md, design.md section 5 and
 * maps/sixpn_dns.h, never from dns-ebpf/: a second, independent reading of
 * the same rules.
 *
 * The verdict is either "must pass" (and why: the why is the kind of wrong
 * answer when the program answers anyway) or "may answer", with the exact
 * answer a reply must carry. Passing a query that may be answered is never
 * wrong (the resolver answers it), only counted. */
#ifndef FZ_ORACLE_H
#define FZ_ORACLE_H

#include <stdint.h>
#include "fz_names.h"

/* Why a frame must pass up untouched, in the order the oracle checks. */
#define FZ_PASS_WHYS(X)                                                              \
	X(ETH_SHORT, "frame shorter than an Ethernet header")                         \
	X(ETHERTYPE, "ethertype is not IPv6 (IPv4, VLAN tag, ...)")                   \
	X(IP_SHORT, "frame shorter than an IPv6 header")                              \
	X(IP_VERSION, "IPv6 version nibble is not 6")                                 \
	X(IP_PLEN, "IPv6 payload length 0 (jumbo) or past the frame")                 \
	X(EXT_HDR, "extension header that is not harmless (options other than padding, routing with segments left, a real fragment, AH, HBH not first, truncated)") \
	X(NOT_UDP, "transport is not UDP")                                            \
	X(UDP_LEN, "UDP header truncated, or UDP length not the rest of the IPv6 payload") \
	X(DST, "destination is not fdaa::3")                                          \
	X(DPORT, "destination port is not 53")                                        \
	X(SPORT_0, "source port 0: nowhere to answer to")                             \
	X(IFACE, "interface missing from ifaces")                                     \
	X(SPOOFED, "source outside the interface's /112")                             \
	X(DNS_SHORT, "DNS message shorter than its header")                           \
	X(QR, "QR set: a response")                                                   \
	X(OPCODE, "opcode other than QUERY")                                          \
	X(TC, "TC set in a query")                                                    \
	X(COUNTS, "QDCOUNT != 1, ANCOUNT or NSCOUNT != 0, or ARCOUNT > 1")            \
	X(NAME_POINTER, "compression pointer in the question")                        \
	X(NAME_LABEL_TYPE, "label type 0x40/0x80 (extended or reserved)")            \
	X(NAME_TRUNC, "question name runs past the message")                          \
	X(NAME_WIRE_LONG, "question name longer than 255 bytes")                      \
	X(QUESTION_TRUNC, "QTYPE/QCLASS past the message")                            \
	X(AR_TRUNC, "additional record runs past the message")                        \
	X(AR_TSIG, "additional record is a TSIG")                                     \
	X(AR_NOT_OPT, "additional record is neither OPT nor TSIG")                    \
	X(OPT_OWNER, "OPT owner is not the root")                                     \
	X(OPT_OPTION, "EDNS option header or length runs past the OPT RDATA")         \
	X(OPT_COOKIE, "COOKIE option length not 8 or 16..40")                         \
	X(EDNS_VERSION, "EDNS version other than 0 (BADVERS)")                        \
	X(TRAILING, "bytes after the last record")                                    \
	X(NAME_LABEL_CHAR, "a label holds a '.' or a NUL byte")                       \
	X(CLASS, "QCLASS other than IN")                                              \
	X(QTYPE_OPT, "QTYPE OPT (41)")                                                \
	X(QTYPE_META, "QTYPE 128-255 (ANY, AXFR, IXFR, TSIG, TKEY, MAILA/B ...)")      \
	X(QTYPE_RESERVED, "QTYPE 0 or 65535 (reserved, RFC 6895)")                    \
	X(NOT_INTERNAL, "name under neither internal. nor flycast.")                                   \
	X(APEX, "the zone apex internal.")                                            \
	X(NAME_LONG, "name longer than 63 characters: never in the map")              \
	X(USERSPACE, "names map entry has F_USERSPACE")                               \
	X(TOO_MANY, "AAAA of an entry with more than 8 addresses")                    \
	X(CHILDREN, "absent child of an entry with F_CHILDREN_USERSPACE")            \
	X(FLYCAST, "under flycast.: not an AAAA the map holds (the resolver's)")

enum fz_why {
#define FZ_WHY_ENUM(name, doc) FZ_WHY_##name,
	FZ_PASS_WHYS(FZ_WHY_ENUM)
#undef FZ_WHY_ENUM
	FZ_WHY_MAX,
};

extern const char *const fz_why_names[];
extern const char *const fz_why_docs[];

enum fz_expect_kind {
	FZ_EXPECT_PASS,      /* must pass, untouched */
	FZ_EXPECT_ANSWER,    /* NOERROR with exactly the entry's addresses */
	FZ_EXPECT_NODATA,    /* NOERROR, no answer, the SOA */
	FZ_EXPECT_NXDOMAIN,  /* NXDOMAIN, the SOA */
	FZ_EXPECT_MAX,
};

extern const char *const fz_expect_names[];

struct fz_expect {
	enum fz_expect_kind kind;
	enum fz_why why;            /* FZ_EXPECT_PASS only */
	/* Where things are in the query frame (when the oracle got that far). */
	uint32_t ip_off;            /* the IPv6 header */
	uint32_t udp_off;
	uint32_t dns_off, dns_len;
	uint32_t q_len;             /* question bytes after the header: name, type, class */
	uint16_t qtype;
	uint32_t ext_hdrs;          /* harmless extension headers before UDP */
	/* Answerable queries. */
	uint32_t net;               /* the asking network */
	const struct fz_name *entry;
	int has_opt, do_bit;
	uint32_t size_limit;        /* largest DNS reply allowed */
};

/* Three rules are policy rather than RFC MUSTs: answering a query with TC
 * set (unbound answers those FORMERR), from source port 0 (RFC 768: no port
 * to reply to) and for the reserved QTYPEs 0 and 65535. `--allow NAME`
 * relaxes one of them (TC, SPORT_0, QTYPE_RESERVED): such a query is then
 * judged like any other. -1 for any other name. */
int fz_oracle_allow(const char *name);
extern uint64_t fz_oracle_allowed;

/* Judges the frame `p` of `len` bytes received on interface `ifc`. */
void fz_oracle(const uint8_t *p, uint32_t len, enum fz_iface_id ifc, struct fz_expect *x);

#endif
