/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* DNS message layout (RFC 1035 section 4.1) as the XDP fast path reads and
 * writes it. Record sizes are those of the records the fast path builds. */
#ifndef SIXPN_DNS_WIRE_H
#define SIXPN_DNS_WIRE_H

#include "sixpn_dns.h"

struct sixpn_dnshdr {
	__be16 id;
	__be16 flags;
	__be16 qdcount;
	__be16 ancount;
	__be16 nscount;
	__be16 arcount;
};

/* Header flags, host order. */
#define DNS_F_QR 0x8000
#define DNS_F_OPCODE 0x7800  /* 0: QUERY */
#define DNS_F_AA 0x0400
#define DNS_F_TC 0x0200
#define DNS_F_RD 0x0100
#define DNS_F_RA 0x0080
#define DNS_F_Z 0x0040       /* reserved: zero in every message (RFC 1035) */
#define DNS_F_AD 0x0020
#define DNS_F_CD 0x0010
#define DNS_F_RCODE 0x000f

#define DNS_LABEL_PTR 0xc0   /* 11xxxxxx: a compression pointer */
#define DNS_PTR(off) (0xc000 | (off))

#define DNS_QTYPE_QCLASS_LEN 4
/* An AAAA record whose owner points at the question: ptr type class ttl
 * rdlength address. */
#define DNS_AAAA_RR_LEN 28
/* internal. SOA ns.internal. hostmaster.internal. (five numbers), owner
 * written out, the two names pointing back at it. */
#define DNS_SOA_OWNER_LEN 10
#define DNS_SOA_RDATA_LEN 38
#define DNS_SOA_RR_LEN (DNS_SOA_OWNER_LEN + 10 + DNS_SOA_RDATA_LEN)
/* OPT (RFC 6891): root owner, type, UDP size, ext-rcode, version, flags,
 * empty rdata. */
#define DNS_OPT_RR_LEN 11
#define DNS_OPT_FIXED_LEN 11 /* an OPT without options, as in a query */
#define DNS_EDNS_DO 0x8000   /* DNSSEC OK: copied to the reply (RFC 3225) */
#define DNS_EDNS_OPT_HDR_LEN 4 /* OPTION-CODE, OPTION-LENGTH */
/* What the fast path walks of an OPT's RDATA; more passes up. */
#define DNS_EDNS_OPTS_MAX 8
#define DNS_EDNS_RDATA_MAX 4096
/* The RDATA starts at most this far into the frame: Ethernet, IPv6, UDP,
 * the header, a name of DNS_QNAME_WIRE_MAX, QTYPE, QCLASS, the OPT (154). */
#define DNS_EDNS_RDATA_OFF_MAX 256

/* A wire name is at most the key's 63 characters plus the leading length
 * byte and the root label. */
#define DNS_QNAME_WIRE_MAX (SIXPN_DNS_NAME_MAX + 1)
/* Length bytes in such a name: 32 labels of one letter, and the root. */
#define DNS_QNAME_LABELS_MAX 33

#endif
