// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The isolation matrix runner: every case that gen_matrix.py wrote goes
 * through its TC program by BPF_PROG_TEST_RUN and is held to what the oracle
 * (oracle.py, the README's rules) said: the verdict, the one reason counted
 * for it, and for a pass the bytes that come out.
 *
 *   iso_matrix CASES [--show N]
 *
 * Prints one TAP line per (block, program, set-up) group, up to N mismatches
 * in full (default 40), every kind of mismatch once with an example, and the
 * counts; exits 1 when any case disagrees, 2 when it cannot run. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fixtures.h"
#include "tc_skel.h"
#include "sixpn_maps.h"
#include "packets.h"
#include "test_harness.h"
#include "datapath/stats.h"

TEST_HARNESS_DEFINE();

#define TEST_IFINDEX FX_TEST_IFINDEX
#define MAX_ALTS 4
#define MAX_SETUPS 8
#define MAX_GROUPS 256
#define MAX_KINDS 512
#define OUT_MAX 4096

static const char *const prog_names[TC_PROG_MAX] = { "from_inst", "to_inst", "mesh_out",
							"mesh_in" };

struct setup {
	char name[32];
	struct sixpn_iface ifc;
};

struct iso_case {
	char *fields;           /* the name, split in place; the strings below point into it */
	const char *id, *setup, *outspec, *desc;
	enum tc_prog prog;
	int n_alts;
	__u32 alts[MAX_ALTS];
	const __u8 *data;
	size_t len;
};

/* What a program did with one case. */
struct outcome {
	__u32 retval;
	int n_counted;          /* reasons whose counter moved */
	__u32 counted;          /* the first of them */
	int output_ok;
};

struct group {
	char name[64];
	unsigned cases, bad;
};

/* One way of disagreeing: program, expected reasons, what was counted. */
struct kind {
	char key[320];
	unsigned count;
	char example[512];
};

static struct sixpn_tc *skel;
static struct setup setups[MAX_SETUPS];
static int n_setups;
static struct group groups[MAX_GROUPS];
static int n_groups;
static struct kind kinds[MAX_KINDS];
static int n_kinds;
/* The counters as the cases so far must have left them, summed over CPUs. */
static __u64 expected_count[SIXPN_HOOK_MAX][SIXPN_REASON_MAX];

static int reason_by_name(const char *name, __u32 *reason)
{
	__u32 r;

	for (r = 0; r < SIXPN_REASON_MAX; r++) {
		if (!strcmp(sixpn_reason_names[r], name)) {
			*reason = r;
			return 0;
		}
	}
	return -ENOENT;
}

static __u64 read_counter(__u32 hook, __u32 reason)
{
	return sixpn_stat_packets(bpf_map__fd(skel->maps.stats), hook, reason);
}

/* Splits `s` in place at '|' into at most `max` fields. */
static int split(char *s, char **f, int max)
{
	int n = 0;

	while (n < max) {
		f[n++] = s;
		s = strchr(s, '|');
		if (!s)
			break;
		*s++ = '\0';
	}
	return n;
}

static int parse_config(const struct test_packet *p)
{
	char *copy = strdup(p->name), *f[8];
	int n, err = -EINVAL;

	if (!copy)
		return -ENOMEM;
	n = split(copy, f, 8);

	if (!strcmp(f[0], "@iface") && n == 6 && p->len == 16 && n_setups < MAX_SETUPS) {
		struct setup *s = &setups[n_setups++];

		snprintf(s->name, sizeof(s->name), "%s", f[1]);
		s->ifc.role = (enum sixpn_role)atoi(f[2]);
		s->ifc.net_id = (__u32)strtoul(f[3], NULL, 0);
		s->ifc.prefix_len = (__u32)strtoul(f[4], NULL, 0);
		s->ifc.l2_len = (__u32)strtoul(f[5], NULL, 0);
		memcpy(&s->ifc.prefix, p->data, 16);
		err = 0;
	} else if (!strcmp(f[0], "@peer") && n == 3 && p->len == 16) {
		struct sixpn_lpm_key key = { .prefixlen = (__u32)strtoul(f[2], NULL, 0) };
		struct sixpn_peer peer = { .net_id = (__u32)strtoul(f[1], NULL, 0) };

		memcpy(&key.addr, p->data, 16);
		err = bpf_map_update_elem(bpf_map__fd(skel->maps.peers), &key, &peer, BPF_ANY);
		if (err)
			err = -errno;
	}
	free(copy);
	return err;
}

static int parse_case(const struct test_packet *p, struct iso_case *c)
{
	char *copy = strdup(p->name), *f[6], *alt, *save = NULL;
	int n, i;

	if (!copy)
		return -ENOMEM;
	c->fields = copy;
	n = split(copy, f, 6);
	if (n != 6)
		return -EINVAL;
	c->id = f[0];
	c->setup = f[2];
	c->outspec = f[4];
	c->desc = f[5];
	c->data = p->data;
	c->len = p->len;
	for (i = 0; i < TC_PROG_MAX && strcmp(prog_names[i], f[1]); i++)
		;
	if (i == TC_PROG_MAX)
		return -EINVAL;
	c->prog = (enum tc_prog)i;
	c->n_alts = 0;
	for (alt = strtok_r(f[3], "/", &save); alt; alt = strtok_r(NULL, "/", &save)) {
		if (c->n_alts == MAX_ALTS || reason_by_name(alt, &c->alts[c->n_alts]))
			return -EINVAL;
		c->n_alts++;
	}
	return c->n_alts ? 0 : -EINVAL;
}

/* Sets the `ifaces` entry of the test interface for the named set-up;
 * "missing" and "none" have no entry. */
static int apply_setup(const char *name)
{
	int fd = bpf_map__fd(skel->maps.ifaces), i;
	__u32 ifindex = TEST_IFINDEX;

	if (!strcmp(name, "missing") || !strcmp(name, "none")) {
		bpf_map_delete_elem(fd, &ifindex);
		return 0;
	}
	for (i = 0; i < n_setups; i++)
		if (!strcmp(setups[i].name, name))
			return bpf_map_update_elem(fd, &ifindex, &setups[i].ifc, BPF_ANY) ? -errno : 0;
	return -ENOENT;
}

/* Does `out` match what the oracle wrote: "=" the input, else hex. */
static int output_matches(const struct iso_case *c, const __u8 *out, __u32 out_len)
{
	size_t hexlen = strlen(c->outspec);
	__u8 want[OUT_MAX];

	if (!strcmp(c->outspec, "="))
		return out_len == c->len && !memcmp(out, c->data, c->len);
	if (hexlen % 2 || out_len != hexlen / 2 || out_len > sizeof(want))
		return 0;
	return !packets_hex_decode(c->outspec, out_len, want) && !memcmp(out, want, out_len);
}

/* Which counters of the hook moved since expected_count, and by how much
 * in all; brings expected_count up to date. */
static void find_counted(__u32 hook, struct outcome *o)
{
	__u32 r;

	o->n_counted = 0;
	for (r = 0; r < SIXPN_REASON_MAX; r++) {
		__u64 now = read_counter(hook, r);

		if (now != expected_count[hook][r]) {
			if (!o->n_counted)
				o->counted = r;
			o->n_counted += (int)(now - expected_count[hook][r]);
			expected_count[hook][r] = now;
		}
	}
}

static int run_one(const struct iso_case *c, struct outcome *o)
{
	__u8 out[OUT_MAX];
	__u32 hook = tc_prog_hook[c->prog], out_len = sizeof(out);
	int i;

	if (tc_prog_run(skel, c->prog, c->data, (__u32)c->len, out, &out_len, &o->retval))
		return -errno;
	o->output_ok = -1;
	/* The cheap path: one of the allowed reasons moved by exactly one. */
	o->n_counted = 0;
	for (i = 0; i < c->n_alts; i++) {
		__u64 now = read_counter(hook, c->alts[i]);

		if (now == expected_count[hook][c->alts[i]] + 1) {
			expected_count[hook][c->alts[i]] = now;
			o->n_counted = 1;
			o->counted = c->alts[i];
			break;
		}
	}
	if (!o->n_counted)
		find_counted(hook, o);
	if (o->n_counted == 1 && !sixpn_reason_is_drop(o->counted) && strcmp(c->outspec, "-"))
		o->output_ok = output_matches(c, out, out_len);
	return 0;
}

static int matches(const struct iso_case *c, const struct outcome *o)
{
	int i, allowed = 0;

	if (o->n_counted != 1)
		return 0;
	for (i = 0; i < c->n_alts; i++)
		allowed |= c->alts[i] == o->counted;
	if (!allowed)
		return 0;
	if (o->retval != (sixpn_reason_is_drop(o->counted) ? TC_ACT_SHOT : TC_ACT_OK))
		return 0;
	return sixpn_reason_is_drop(o->counted) || o->output_ok == 1;
}

static const char *block_of(const char *desc)
{
	static char blk[8];

	if (strncmp(desc, "blk=", 4))
		return "?";
	snprintf(blk, sizeof(blk), "%.*s", (int)strcspn(desc + 4, ","), desc + 4);
	return blk;
}

static struct group *group_of(const struct iso_case *c)
{
	char name[64];
	int i;

	snprintf(name, sizeof(name), "%s %s %s", block_of(c->desc), prog_names[c->prog], c->setup);
	for (i = 0; i < n_groups; i++)
		if (!strcmp(groups[i].name, name))
			return &groups[i];
	if (n_groups == MAX_GROUPS)
		return &groups[MAX_GROUPS - 1];
	snprintf(groups[n_groups].name, sizeof(groups[n_groups].name), "%s", name);
	return &groups[n_groups++];
}

static void expected_names(const struct iso_case *c, char *buf, size_t size)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < c->n_alts && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "/" : "",
					 sixpn_reason_names[c->alts[i]]);
}

static void got_text(const struct outcome *o, char *buf, size_t size)
{
	const char *verdict = o->retval == TC_ACT_OK ? "pass" :
			      o->retval == TC_ACT_SHOT ? "drop" : "retval?";

	if (o->n_counted == 1)
		snprintf(buf, size, "%s (%s)%s", sixpn_reason_names[o->counted], verdict,
			 o->output_ok == 0 ? ", output bytes differ" : "");
	else
		snprintf(buf, size, "%d counters moved (%s)", o->n_counted, verdict);
}

static void record_mismatch(const struct iso_case *c, const struct outcome *o,
			    unsigned shown, unsigned show)
{
	char want[128], got[128], key[320];
	int i;

	expected_names(c, want, sizeof(want));
	got_text(o, got, sizeof(got));
	if (shown < show)
		printf("# MISMATCH %s %s/%s %s: oracle %s, program %s\n", c->id,
		       prog_names[c->prog], c->setup, c->desc, want, got);
	snprintf(key, sizeof(key), "%s: %s -> %s", prog_names[c->prog], want, got);
	for (i = 0; i < n_kinds && strcmp(kinds[i].key, key); i++)
		;
	if (i == n_kinds) {
		if (n_kinds == MAX_KINDS)
			return;
		n_kinds++;
		snprintf(kinds[i].key, sizeof(kinds[i].key), "%s", key);
		snprintf(kinds[i].example, sizeof(kinds[i].example), "%s %s %s", c->id,
			 c->setup, c->desc);
	}
	kinds[i].count++;
}

/* Every case counted one reason: the counters must be what the cases say. */
static int counters_consistent(void)
{
	__u32 hook, r;

	for (hook = 0; hook < SIXPN_HOOK_MAX; hook++)
		for (r = 0; r < SIXPN_REASON_MAX; r++)
			if (read_counter(hook, r) != expected_count[hook][r])
				return 0;
	return 1;
}

int main(int argc, char **argv)
{
	unsigned n_cases = 0, n_pass = 0, n_bad = 0, show = 40;
	const char *current = "";
	size_t i;
	int g, k;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CASES [--show N]\n", argv[0]);
		return 2;
	}
	if (argc == 4 && !strcmp(argv[2], "--show"))
		show = (unsigned)strtoul(argv[3], NULL, 0);
	if (libbpf_num_possible_cpus() <= 0) {
		printf("Bail out! cannot count CPUs\n");
		return 2;
	}
	skel = tc_skel_setup(argv[1]);
	if (!skel)
		return 2;

	for (i = 0; i < packets_count(); i++) {
		const struct test_packet *p = packet_at(i);
		struct iso_case c = { 0 };
		struct group *gr;
		struct outcome o;
		int err;

		if (p->name[0] == '@') {
			if (parse_config(p)) {
				printf("Bail out! bad set-up line '%s'\n", p->name);
				return 2;
			}
			continue;
		}
		if (parse_case(p, &c)) {
			printf("Bail out! bad case line '%s'\n", p->name);
			return 2;
		}
		if (strcmp(c.setup, current)) {
			err = apply_setup(c.setup);
			if (err) {
				printf("Bail out! cannot set up '%s': %s\n", c.setup, strerror(-err));
				return 2;
			}
			current = c.setup;
		}
		err = run_one(&c, &o);
		if (err) {
			printf("Bail out! BPF_PROG_TEST_RUN of %s failed: %s\n", c.id, strerror(-err));
			return 2;
		}
		n_cases++;
		gr = group_of(&c);
		gr->cases++;
		if (matches(&c, &o)) {
			n_pass++;
		} else {
			record_mismatch(&c, &o, n_bad, show);
			n_bad++;
			gr->bad++;
		}
		free(c.fields);
	}

	for (g = 0; g < n_groups; g++)
		CHECK(!groups[g].bad, "isolation matrix, block %s: %u cases, %u disagree with the oracle",
		      groups[g].name, groups[g].cases, groups[g].bad);
	CHECK(n_cases > 0, "isolation matrix: the case file has cases (%u)", n_cases);
	CHECK(counters_consistent(), "isolation matrix: every case counted exactly one reason");
	for (k = 0; k < n_kinds; k++)
		printf("# disagreement %s: %u cases, e.g. %s\n", kinds[k].key, kinds[k].count,
		       kinds[k].example);
	printf("# isolation matrix: cases %u, passes %u, mismatches %u\n", n_cases, n_pass, n_bad);
	sixpn_tc__destroy(skel);
	return test_summary("iso_matrix");
}
