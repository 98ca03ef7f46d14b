// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "packets.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct test_packet *packets;
static size_t n_packets;

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

int packets_hex_decode(const char *hex, size_t len, uint8_t *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int parse_line(char *line, struct test_packet *p)
{
	char *sp = strchr(line, ' ');
	size_t hexlen;
	char *hex;

	if (!sp)
		return -EINVAL;
	*sp = '\0';
	hex = sp + 1;
	hexlen = strcspn(hex, "\n");
	if (hexlen % 2)
		return -EINVAL;
	p->name = strdup(line);
	p->len = hexlen / 2;
	p->data = malloc(p->len ? p->len : 1);
	if (!p->name || !p->data)
		return -ENOMEM;
	return packets_hex_decode(hex, p->len, p->data);
}

int packets_load(const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int err = 0;

	if (!f)
		return -errno;
	while (getline(&line, &cap, f) > 0) {
		struct test_packet *grown = realloc(packets, (n_packets + 1) * sizeof(*packets));

		if (!grown) {
			err = -ENOMEM;
			break;
		}
		packets = grown;
		err = parse_line(line, &packets[n_packets]);
		if (err)
			break;
		n_packets++;
	}
	free(line);
	fclose(f);
	return err;
}

const struct test_packet *packet(const char *name)
{
	size_t i;

	for (i = 0; i < n_packets; i++)
		if (!strcmp(packets[i].name, name))
			return &packets[i];
	fprintf(stderr, "Bail out! no test packet named '%s'\n", name);
	exit(2);
}

size_t packets_count(void)
{
	return n_packets;
}

const struct test_packet *packet_at(size_t i)
{
	return i < n_packets ? &packets[i] : NULL;
}

static uint32_t sum16(const uint8_t *p, size_t len, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

int ipv6_l4_checksum_residue(const uint8_t *ip6, size_t len)
{
	uint32_t sum, plen;
	uint8_t proto_hdr[4] = { 0, 0, 0, 0 };
	uint8_t proto;

	if (len < 40 || (ip6[0] >> 4) != 6)
		return -1;
	proto = ip6[6];
	if (proto != 6 && proto != 17 && proto != 58)
		return -1;
	plen = (uint32_t)ip6[4] << 8 | ip6[5];
	if (40 + plen > len)
		return -1;
	proto_hdr[3] = proto;
	sum = sum16(ip6 + 8, 32, 0);                 /* addresses */
	sum += plen;                                 /* upper-layer length */
	sum = sum16(proto_hdr, 4, sum);
	sum = sum16(ip6 + 40, plen, sum);            /* segment, checksum included */
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}
