/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* The fuzzer's judge: the program's verdict and reply against the oracle's
 * expectation. A reply is parsed twice, by ldns (NLnet Labs, an independent
 * parser) and by a strict walk of the fuzzer's own that also rejects what
 * ldns lets through (a record count that does not match the records,
 * trailing bytes, forward compression pointers). */
#ifndef FZ_JUDGE_H
#define FZ_JUDGE_H

#include <stdint.h>
#include "fz_oracle.h"

#define FZ_WRONG_KINDS(X)                                                              \
	X(VERDICT, "verdict neither XDP_PASS nor XDP_TX (drop, abort, redirect)")        \
	X(PASS_MODIFIED, "XDP_PASS, but the packet was changed")                         \
	X(ANSWERED_MUST_PASS, "answered a query that must pass (by why, below)")         \
	X(REPLY_SHORT, "reply shorter than Ethernet + IPv6 + UDP + DNS header")          \
	X(ETH, "Ethernet addresses not swapped, or ethertype not IPv6")                  \
	X(IP_HDR, "reply IPv6 header: version, next header UDP, hop limit")              \
	X(IP_ADDR, "reply not from fdaa::3 to the asker")                                \
	X(IP_LEN, "IPv6 payload length is not the reply's")                              \
	X(UDP_PORTS, "UDP ports not swapped")                                            \
	X(UDP_LEN, "UDP length is not the reply's")                                      \
	X(UDP_CSUM, "UDP checksum wrong or zero")                                        \
	X(DNS_FORMAT, "reply fails the strict walk (counts, names, pointers, trailing bytes)") \
	X(DNS_LDNS, "ldns cannot parse the reply")                                       \
	X(ID, "ID not copied")                                                           \
	X(FLAGS, "header flags (QR AA RA set; TC AD Z clear; RD CD copied; opcode 0)")   \
	X(RCODE, "wrong rcode, or an answer where NODATA is due or back")                \
	X(QUESTION, "question not copied byte for byte")                                 \
	X(ANSWER_RR, "an answer record that is not AAAA IN, TTL, owner the question")    \
	X(ADDR_OTHER_NET, "an address outside the asker's /48")                          \
	X(ADDRS, "addresses not exactly the names map's")                                \
	X(ADDR_ORDER, "addresses not the map's order rotated")                           \
	X(AUTHORITY, "authority section: not exactly the configured SOA (or not empty)") \
	X(OPT, "OPT missing, unasked, or not size 1232 / version 0 / DO copied / no options") \
	X(SIZE, "reply larger than 512 or the EDNS size (capped at 1232)")               \
	X(COUNTERS, "the stats counters disagree with the verdicts seen")

enum fz_wrong {
#define FZ_WRONG_ENUM(name, doc) FZ_W_##name,
	FZ_WRONG_KINDS(FZ_WRONG_ENUM)
#undef FZ_WRONG_ENUM
	FZ_W_MAX,
	FZ_W_NONE = -1,
};

extern const char *const fz_wrong_names[];
extern const char *const fz_wrong_docs[];

enum fz_verdict { FZ_V_TX, FZ_V_PASS, FZ_V_OTHER };
/* What a reply said, for the counters check. */
enum fz_reply { FZ_R_NONE, FZ_R_ANSWER, FZ_R_NODATA, FZ_R_NXDOMAIN, FZ_R_OTHER };

struct fz_result {
	enum fz_verdict verdict;
	enum fz_reply reply;
	int wrong;                /* enum fz_wrong, or FZ_W_NONE */
	char detail[256];
};

struct sixpn_dns_config;

void fz_judge(const uint8_t *q, uint32_t qlen, const struct fz_expect *x, uint32_t retval,
	      const uint8_t *r, uint32_t rlen, const struct sixpn_dns_config *cfg,
	      struct fz_result *res);

#endif
