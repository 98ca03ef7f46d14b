/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* sixpn-attach commands of the XDP DNS fast path: xdp, xdp-detach, dns-set,
 * dns-del, dns-list, dns-config (struct cmd functions, see cmd.h). */
#ifndef SIXPN_XDP_CMDS_H
#define SIXPN_XDP_CMDS_H

#include "attach/cmd.h"

#define SIXPN_XDP_CMDS_USAGE                                                                   \
	"  xdp IFACE... [--mode auto|skb|native] [--names-max N]\n"                           \
	"                              attach the XDP DNS fast path (auto: skb on veth)\n"      \
	"                              through libxdp's dispatcher, beside other programs;\n"   \
	"                              one loaded program for every IFACE\n"                    \
	"  xdp-detach IFACE            detach sixpn's XDP program (the others stay)\n"         \
	"  dns-set NET_ID NAME [ADDR...] [--userspace] [--children-userspace]\n"              \
	"                              put a name of network NET_ID in the names map\n"        \
	"  dns-del NET_ID NAME         remove it\n"                                            \
	"  dns-list [NET_ID] [--hashes]  list the names table, names and addresses in full\n"  \
	"  dns-get NET_ID NAME         one name's entry, found as the fast path finds it\n"   \
	"  dns-config [--ttl N] [--negative-ttl N] [--serial N] [--disable]\n"                \
	"                              set the fast path's TTLs and SOA; enables it\n"      \
	"      [--passup-rate N] [--passup-burst N] [--passup-net-rate N] [--passup-net-burst N]\n" \
	"                              pass-up budgets, queries/s per source, per network\n"

int cmd_xdp(const struct attach_ctx *ctx, int argc, char **argv);
int cmd_xdp_detach(const struct attach_ctx *ctx, int argc, char **argv);
int cmd_dns_set(const struct attach_ctx *ctx, int argc, char **argv);
int cmd_dns_del(const struct attach_ctx *ctx, int argc, char **argv);
int cmd_dns_list(const struct attach_ctx *ctx, int argc, char **argv);
int cmd_dns_get(const struct attach_ctx *ctx, int argc, char **argv);
int cmd_dns_config(const struct attach_ctx *ctx, int argc, char **argv);

#endif
