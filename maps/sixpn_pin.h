/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Where sixpn pins its maps and links in bpffs. Maps are pinned by name
 * (LIBBPF_PIN_BY_NAME) directly under the pin directory, so every object
 * that declares a map of the same name shares it. */
#ifndef SIXPN_PIN_H
#define SIXPN_PIN_H

#define SIXPN_PIN_DIR_DEFAULT "/sys/fs/bpf/sixpn"
#define SIXPN_PIN_LINKS_SUBDIR "links"

#define SIXPN_MAP_IFACES "ifaces"
#define SIXPN_MAP_PEERS "peers"
#define SIXPN_MAP_STATS "stats"
#define SIXPN_MAP_EVENTS "events"
#define SIXPN_MAP_EVENT_LIMIT "event_limit"

#endif
