// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* xdp_fuzz: the XDP DNS fast path (xdp/sixpn_xdp.bpf.c) through
 * BPF_PROG_TEST_RUN with millions of generated and mutated queries
 * (fz_gen.c), each verdict and reply judged (fz_judge.c) against what the
 * names map says (fz_oracle.c, written from the RFCs and the README, not
 * from dns-ebpf/).
 *
 *   xdp_fuzz [--seed S] [--count N] [--workers W] [--show K] [--show-missed K]
 *            [--allow TC|SPORT_0|QTYPE_RESERVED]...
 *   xdp_fuzz --seed S --index I       replay packet I of seed S, verbosely
 *
 * --show K prints the first K wrong answers of each kind (per worker),
 * --show-missed K the first K queries that could have been answered but
 * were passed up (never wrong), --allow relaxes a policy rule of the oracle
 * (fz_oracle.h).
 *
 * Each worker is a process with its own copy of the program and its maps,
 * fed every W-th packet. A wrong answer prints the kind, why, the query and
 * the reply in hex and the replay command, and counting goes on; the exit
 * status is 1 when anything was wrong, 2 when the harness could not run. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <ldns/ldns.h>

#include "datapath/dns_names.h"
#include "fixtures.h"
#include "sixpn_maps.h"
#include "xdp_skel.h"
#include "fz_gen.h"
#include "fz_judge.h"
#include "fz_oracle.h"
#include "fz_rng.h"
#include "fz_selfcheck.h"

/* BPF_PROG_TEST_RUN takes the ingress interface from an existing device:
 * loopback plays the instance interface. */
#define FZ_IFINDEX FX_TEST_IFINDEX
#define FZ_WORKERS_MAX 16

struct tally {
	uint64_t packets, run_errors, ns;
	uint64_t verdict[3];                 /* enum fz_verdict */
	uint64_t reply[5];                   /* enum fz_reply, for XDP_TX */
	uint64_t expect[FZ_EXPECT_MAX];
	uint64_t missed[FZ_EXPECT_MAX];      /* answerable, passed up; [PASS]: all of them */
	uint64_t why[FZ_WHY_MAX];
	uint64_t wrong[FZ_W_MAX];
	uint64_t wrong_why[FZ_WHY_MAX];
	uint64_t first_wrong[FZ_W_MAX];      /* index + 1 of the first one */
	uint64_t first_wrong_why[FZ_WHY_MAX];
	uint64_t recipe[FZ_G_MAX];
	uint64_t reason[SIXPN_REASON_MAX];   /* the program's own counters */
	uint64_t corrupted[FZ_C_MAX], caught[FZ_C_MAX]; /* the judge's self-check */
	uint8_t qtype_seen[65536 / 8];       /* reached the QTYPE decision */
	uint8_t flags_seen[65536 / 8];       /* flag words of well-formed headers */
	uint8_t size_seen[65536 / 8];        /* EDNS sizes of valid OPTs */
	uint8_t class_seen[65536 / 8];
	uint8_t trunc_seen[2048 / 8];        /* DNS lengths of truncation sweeps */
};

struct opts {
	uint64_t seed, count, index;
	int have_index, workers, show, show_missed;
};

static struct sixpn_dns_config config;

static void bit_set(uint8_t *bits, uint32_t i)
{
	bits[i / 8] |= (uint8_t)(1u << (i % 8));
}

static uint32_t bits_count(const uint8_t *bits, size_t bytes)
{
	uint32_t n = 0;
	size_t i;

	for (i = 0; i < bytes; i++)
		n += (uint32_t)__builtin_popcount(bits[i]);
	return n;
}

static void set_iface(int fd, enum fz_iface_id id)
{
	struct sixpn_iface ifc = { .role = SIXPN_ROLE_INSTANCE, .prefix_len = 112, .l2_len = 14 };
	__u32 key = FZ_IFINDEX;

	if (id == FZ_IF_NONE) {
		bpf_map_delete_elem(fd, &key);
		return;
	}
	ifc.net_id = fz_iface_net(id);
	fz_iface_prefix(id, &ifc.prefix);
	if (bpf_map_update_elem(fd, &key, &ifc, BPF_ANY))
		fprintf(stderr, "xdp_fuzz: cannot set the ifaces map: %s\n", strerror(errno));
}

static struct sixpn_xdp *open_program(void)
{
	struct sixpn_xdp *skel = xdp_skel_open_load();
	int err;

	if (!skel)
		return NULL;
	err = sixpn_dns_config_set(bpf_map__fd(skel->maps.dns_config), &config);
	if (!err)
		err = fz_names_fill(bpf_map__fd(skel->maps.dns_names));
	if (err) {
		fprintf(stderr, "Bail out! cannot fill the XDP object's maps: %s\n",
			strerror(-err));
		sixpn_xdp__destroy(skel);
		return NULL;
	}
	return skel;
}

static int run_one(int prog_fd, const struct fz_case *c, uint8_t *out, uint32_t *out_len,
		   uint32_t *retval, uint32_t *ns)
{
	return xdp_prog_run(prog_fd, c->pkt, c->len, FZ_IFINDEX, out, out_len, retval, 1, ns);
}

static void hex(char **p, char *end, const uint8_t *b, uint32_t n)
{
	static const char digits[] = "0123456789abcdef";
	uint32_t i;

	for (i = 0; i < n && *p + 3 < end; i++) {
		*(*p)++ = digits[b[i] >> 4];
		*(*p)++ = digits[b[i] & 15];
	}
	**p = 0;
}

static void print_hex(const char *what, const uint8_t *b, uint32_t n)
{
	char buf[2 * FZ_FRAME_MAX + 8], *p = buf;

	hex(&p, buf + sizeof(buf), b, n);
	printf("%s %u bytes: %s\n", what, n, buf);
}

static const char *const iface_names[] = { "A", "B", "C", "D", "none" };

/* One wrong answer, in one write() so that workers do not interleave. */
static void report(const struct opts *o, const struct fz_case *c, const struct fz_expect *x,
		   const struct fz_result *res, const uint8_t *out, uint32_t out_len)
{
	char buf[16384], *p = buf, *end = buf + sizeof(buf);

	p += snprintf(p, end - p, "WRONG %s%s%s packet %llu (iface %s, expected %s): %s\n",
		      fz_wrong_names[res->wrong], res->wrong == FZ_W_ANSWERED_MUST_PASS ? "/" : "",
		      res->wrong == FZ_W_ANSWERED_MUST_PASS ? fz_why_names[x->why] : "",
		      (unsigned long long)c->index, iface_names[c->iface],
		      fz_expect_names[x->kind], res->detail);
	p += snprintf(p, end - p, "  query %u bytes: ", c->len);
	hex(&p, end - 200, c->pkt, c->len);
	p += snprintf(p, end - p, "\n  reply %u bytes: ", res->verdict == FZ_V_TX ? out_len : 0);
	if (res->verdict == FZ_V_TX)
		hex(&p, end - 100, out, out_len);
	p += snprintf(p, end - p, "\n  replay: xdp_fuzz --seed %llu --index %llu\n",
		      (unsigned long long)o->seed, (unsigned long long)c->index);
	if (write(STDOUT_FILENO, buf, (size_t)(p - buf)) < 0)
		perror("write");
}

static void note_coverage(struct tally *t, const struct fz_case *c, const struct fz_expect *x)
{
	const uint8_t *m = c->pkt + x->dns_off;
	int i;

	for (i = 0; i < FZ_G_MAX; i++)
		if (c->recipe & (1u << i))
			t->recipe[i]++;
	if (x->dns_off && x->dns_len >= FZ_DNS_HDR)
		bit_set(t->flags_seen, fz_get16(m + 2));
	if (x->q_len && (x->kind != FZ_EXPECT_PASS || x->why >= FZ_WHY_NAME_LABEL_CHAR)) {
		bit_set(t->qtype_seen, x->qtype);
		bit_set(t->class_seen, fz_get16(m + FZ_DNS_HDR + x->q_len - 2));
	}
	if (x->has_opt && x->q_len && x->dns_len >= FZ_DNS_HDR + x->q_len + 5)
		bit_set(t->size_seen, fz_get16(m + FZ_DNS_HDR + x->q_len + 3));
	if ((c->recipe & (1u << FZ_G_SWEEP_TRUNCATE)) && x->dns_len < 2048)
		bit_set(t->trunc_seen, x->dns_len);
}

/* The reply was right: corrupt it in one field and make sure the judge
 * says so (fz_selfcheck.h). */
static void self_check(const struct opts *o, struct tally *t, const struct fz_case *c,
		       const struct fz_expect *x, const uint8_t *out, uint32_t out_len)
{
	enum fz_corruption k = (enum fz_corruption)(fz_mix64(c->index) % FZ_C_MAX);
	int caught = fz_selfcheck(k, fz_mix64(c->index ^ 0x5e1fc4ec), c->pkt, c->len, x, out,
				  out_len, &config);

	if (caught < 0)
		return;
	t->corrupted[k]++;
	t->caught[k] += (uint64_t)caught;
	if (!caught && k != FZ_C_RANDOM_BIT)
		printf("SELF-CHECK: the judge let a reply with %s through (packet %llu; replay: "
		       "xdp_fuzz --seed %llu --index %llu)\n", fz_corruption_names[k],
		       (unsigned long long)c->index, (unsigned long long)o->seed,
		       (unsigned long long)c->index);
}

static void judge_one(const struct opts *o, struct tally *t, const struct fz_case *c,
		      const uint8_t *out, uint32_t out_len, uint32_t retval, int verbose)
{
	struct fz_expect x;
	struct fz_result res;

	fz_oracle(c->pkt, c->len, c->iface, &x);
	fz_judge(c->pkt, c->len, &x, retval, out, out_len, &config, &res);
	t->packets++;
	t->verdict[res.verdict]++;
	if (res.verdict == FZ_V_TX)
		t->reply[res.reply]++;
	t->expect[x.kind]++;
	if (x.kind == FZ_EXPECT_PASS)
		t->why[x.why]++;
	else if (res.verdict == FZ_V_PASS && ++t->missed[x.kind] &&
		 ++t->missed[FZ_EXPECT_PASS] <= (uint64_t)o->show_missed)
		printf("MISSED packet %llu (iface %s): %s passed up; replay: xdp_fuzz --seed %llu --index %llu\n",
		       (unsigned long long)c->index, iface_names[c->iface], fz_expect_names[x.kind],
		       (unsigned long long)o->seed, (unsigned long long)c->index);
	note_coverage(t, c, &x);
	if (verbose) {
		printf("packet %llu, iface %s: oracle says %s%s%s; verdict %s; %s%s\n",
		       (unsigned long long)c->index, iface_names[c->iface], fz_expect_names[x.kind],
		       x.kind == FZ_EXPECT_PASS ? " because " : "",
		       x.kind == FZ_EXPECT_PASS ? fz_why_docs[x.why] : "",
		       retval == XDP_TX ? "XDP_TX" : retval == XDP_PASS ? "XDP_PASS" : "other",
		       res.wrong == FZ_W_NONE ? "right" : "WRONG: ",
		       res.wrong == FZ_W_NONE ? "" : res.detail);
		print_hex("query", c->pkt, c->len);
		if (retval == XDP_TX)
			print_hex("reply", out, out_len);
	}
	if (res.wrong == FZ_W_NONE) {
		if (res.verdict == FZ_V_TX)
			self_check(o, t, c, &x, out, out_len);
		return;
	}
	t->wrong[res.wrong]++;
	if (!t->first_wrong[res.wrong])
		t->first_wrong[res.wrong] = c->index + 1;
	if (res.wrong == FZ_W_ANSWERED_MUST_PASS) {
		if (!t->wrong_why[x.why]++)
			t->first_wrong_why[x.why] = c->index + 1;
		if (t->wrong_why[x.why] <= (uint64_t)o->show || verbose)
			report(o, c, &x, &res, out, out_len);
	} else if (t->wrong[res.wrong] <= (uint64_t)o->show || verbose) {
		report(o, c, &x, &res, out, out_len);
	}
}

static uint64_t counter(int stats_fd, __u32 reason)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	struct sixpn_counter vals[ncpu > 0 ? ncpu : 1];
	__u32 key = sixpn_stat_index(SIXPN_HOOK_XDP_DNS, reason);
	uint64_t sum = 0;

	if (ncpu <= 0 || bpf_map_lookup_elem(stats_fd, &key, vals))
		return 0;
	for (i = 0; i < ncpu; i++)
		sum += vals[i].packets;
	return sum;
}

/* Every packet got exactly one reason, and the answering reasons match
 * the replies seen (README "Verdicts"). */
static void check_counters(struct sixpn_xdp *skel, struct tally *t)
{
	int fd = bpf_map__fd(skel->maps.stats);
	uint64_t all = 0, answered;
	__u32 r;

	for (r = 0; r < SIXPN_REASON_MAX; r++)
		all += t->reason[r] = counter(fd, r);
	answered = t->reason[SIXPN_DNS_ANSWERED] + t->reason[SIXPN_DNS_NODATA] +
		   t->reason[SIXPN_DNS_NXDOMAIN];
	if (all != t->packets || answered != t->verdict[FZ_V_TX] ||
	    (!t->reply[FZ_R_OTHER] && (t->reason[SIXPN_DNS_ANSWERED] != t->reply[FZ_R_ANSWER] ||
				       t->reason[SIXPN_DNS_NODATA] != t->reply[FZ_R_NODATA] ||
				       t->reason[SIXPN_DNS_NXDOMAIN] != t->reply[FZ_R_NXDOMAIN]))) {
		t->wrong[FZ_W_COUNTERS]++;
		printf("WRONG COUNTERS: %llu reasons counted for %llu packets; ANSWERED %llu NODATA %llu "
		       "NXDOMAIN %llu for %llu XDP_TX (%llu answers, %llu NODATA, %llu NXDOMAIN seen)\n",
		       (unsigned long long)all, (unsigned long long)t->packets,
		       (unsigned long long)t->reason[SIXPN_DNS_ANSWERED],
		       (unsigned long long)t->reason[SIXPN_DNS_NODATA],
		       (unsigned long long)t->reason[SIXPN_DNS_NXDOMAIN],
		       (unsigned long long)t->verdict[FZ_V_TX], (unsigned long long)t->reply[FZ_R_ANSWER],
		       (unsigned long long)t->reply[FZ_R_NODATA], (unsigned long long)t->reply[FZ_R_NXDOMAIN]);
	}
}

/* --index: the reason the program counted for the one packet run. */
static void print_reason(struct sixpn_xdp *skel)
{
	__u32 r;

	for (r = 0; r < SIXPN_REASON_MAX; r++)
		if (counter(bpf_map__fd(skel->maps.stats), r))
			printf("program counted %s (%s)\n", sixpn_reason_names[r], sixpn_reason_docs[r]);
}

static int worker(const struct opts *o, int w, struct tally *t)
{
	struct sixpn_xdp *skel = open_program();
	static struct fz_case c;
	enum fz_iface_id cur = FZ_IF_MAX;
	uint64_t i, first = o->have_index ? o->index : (uint64_t)w;
	uint64_t last = o->have_index ? o->index + 1 : o->count;
	uint64_t step = o->have_index ? 1 : (uint64_t)o->workers;
	uint8_t out[4096];
	int prog, ifaces;

	if (!skel)
		return 2;
	prog = bpf_program__fd(skel->progs.sixpn_xdp_dns);
	ifaces = bpf_map__fd(skel->maps.ifaces);
	for (i = first; i < last; i += step) {
		uint32_t out_len = sizeof(out), retval = 0, ns = 0;
		int err;

		fz_generate(o->seed, i, &c);
		if (c.iface != cur)
			set_iface(ifaces, cur = c.iface);
		err = run_one(prog, &c, out, &out_len, &retval, &ns);
		if (err) {
			if (!t->run_errors++)
				fprintf(stderr, "xdp_fuzz: BPF_PROG_TEST_RUN of packet %llu (%u bytes): %s\n",
					(unsigned long long)i, c.len, strerror(-err));
			continue;
		}
		t->ns += ns;
		judge_one(o, t, &c, out, out_len, retval, o->have_index);
		if (o->have_index)
			print_reason(skel);
		if (o->have_index && retval == XDP_TX) {
			ldns_pkt *p = NULL;
			uint32_t off = FZ_ETH_LEN + FZ_IP6_LEN + FZ_UDP_LEN;

			if (out_len > off && ldns_wire2pkt(&p, out + off, out_len - off) == LDNS_STATUS_OK)
				ldns_pkt_print(stdout, p);
			ldns_pkt_free(p);
		}
	}
	check_counters(skel, t);
	sixpn_xdp__destroy(skel);
	return 0;
}

static void merge(struct tally *into, const struct tally *t)
{
	const uint64_t *s = (const uint64_t *)t;
	uint64_t *d = (uint64_t *)into;
	size_t i, words = offsetof(struct tally, first_wrong) / sizeof(uint64_t);

	for (i = 0; i < words; i++)
		d[i] += s[i];
	for (i = 0; i < FZ_W_MAX; i++)
		if (t->first_wrong[i] && (!into->first_wrong[i] || t->first_wrong[i] < into->first_wrong[i]))
			into->first_wrong[i] = t->first_wrong[i];
	for (i = 0; i < FZ_WHY_MAX; i++)
		if (t->first_wrong_why[i] &&
		    (!into->first_wrong_why[i] || t->first_wrong_why[i] < into->first_wrong_why[i]))
			into->first_wrong_why[i] = t->first_wrong_why[i];
	for (i = 0; i < FZ_G_MAX; i++)
		into->recipe[i] += t->recipe[i];
	for (i = 0; i < SIXPN_REASON_MAX; i++)
		into->reason[i] += t->reason[i];
	for (i = 0; i < FZ_C_MAX; i++) {
		into->corrupted[i] += t->corrupted[i];
		into->caught[i] += t->caught[i];
	}
	for (i = 0; i < sizeof(t->qtype_seen); i++) {
		into->qtype_seen[i] |= t->qtype_seen[i];
		into->flags_seen[i] |= t->flags_seen[i];
		into->size_seen[i] |= t->size_seen[i];
		into->class_seen[i] |= t->class_seen[i];
	}
	for (i = 0; i < sizeof(t->trunc_seen); i++)
		into->trunc_seen[i] |= t->trunc_seen[i];
}

static unsigned long long u(uint64_t v)
{
	return (unsigned long long)v;
}

static uint64_t summary(const struct opts *o, const struct tally *t, double secs)
{
	uint64_t wrong = 0, may = 0, missed = 0;
	int i;

	for (i = 0; i < FZ_W_MAX; i++)
		wrong += t->wrong[i];
	for (i = FZ_EXPECT_ANSWER; i < FZ_EXPECT_MAX; i++) {
		may += t->expect[i];
		missed += t->missed[i];
	}
	printf("# xdp_fuzz: seed %llu, %llu packets in %.1f s (%.0f packets/s, %d workers; "
	       "BPF_PROG_TEST_RUN %.0f ns/packet inside the kernel)\n",
	       u(o->seed), u(t->packets), secs, secs > 0 ? t->packets / secs : 0, o->workers,
	       t->packets ? (double)t->ns / t->packets : 0);
	printf("# packets %llu: answered (XDP_TX) %llu [answers %llu, NODATA %llu, NXDOMAIN %llu, other %llu], "
	       "passed up %llu, dropped or other verdict %llu, test-run errors %llu\n",
	       u(t->packets), u(t->verdict[FZ_V_TX]), u(t->reply[FZ_R_ANSWER]), u(t->reply[FZ_R_NODATA]),
	       u(t->reply[FZ_R_NXDOMAIN]), u(t->reply[FZ_R_OTHER]), u(t->verdict[FZ_V_PASS]),
	       u(t->verdict[FZ_V_OTHER]), u(t->run_errors));
	printf("# oracle: %llu must pass, %llu may be answered [answer %llu, NODATA %llu, NXDOMAIN %llu]; "
	       "of those passed up anyway: %llu [%llu, %llu, %llu]\n",
	       u(t->expect[FZ_EXPECT_PASS]), u(may), u(t->expect[FZ_EXPECT_ANSWER]),
	       u(t->expect[FZ_EXPECT_NODATA]), u(t->expect[FZ_EXPECT_NXDOMAIN]), u(missed),
	       u(t->missed[FZ_EXPECT_ANSWER]), u(t->missed[FZ_EXPECT_NODATA]),
	       u(t->missed[FZ_EXPECT_NXDOMAIN]));
	printf("# must pass, by why (first reason the oracle found):\n");
	for (i = 0; i < FZ_WHY_MAX; i++)
		printf("#   %-16s %10llu  %s\n", fz_why_names[i], u(t->why[i]), fz_why_docs[i]);
	printf("# program's counters (hook XDP_DNS):");
	for (i = SIXPN_DNS_ANSWERED; i < SIXPN_REASON_MAX; i++)
		if (t->reason[i])
			printf(" %s %llu", sixpn_reason_names[i], u(t->reason[i]));
	printf("\n# coverage: QTYPEs %u/65536, flag words %u/65536, "
	       "QCLASSes %u, EDNS sizes %u, truncation sweep lengths %u\n",
	       bits_count(t->qtype_seen, sizeof(t->qtype_seen)),
	       bits_count(t->flags_seen, sizeof(t->flags_seen)),
	       bits_count(t->class_seen, sizeof(t->class_seen)),
	       bits_count(t->size_seen, sizeof(t->size_seen)),
	       bits_count(t->trunc_seen, sizeof(t->trunc_seen)));
	printf("# generated:");
	for (i = 0; i < FZ_G_MAX; i++)
		printf("%s %s %llu", i ? "," : "", fz_recipe_docs[i], u(t->recipe[i]));
	printf("\n# judge self-check (right replies corrupted once more, caught/corrupted):");
	for (i = 0; i < FZ_C_MAX; i++)
		printf(" %s %llu/%llu", fz_corruption_names[i], u(t->caught[i]), u(t->corrupted[i]));
	printf("\n# wrong answers: %llu\n", u(wrong));
	for (i = 0; i < FZ_W_MAX; i++) {
		if (!t->wrong[i])
			continue;
		printf("#   %-18s %10llu  %s (first: --index %llu)\n", fz_wrong_names[i], u(t->wrong[i]),
		       fz_wrong_docs[i], u(t->first_wrong[i] - 1));
		if (i == FZ_W_ANSWERED_MUST_PASS) {
			int j;

			for (j = 0; j < FZ_WHY_MAX; j++)
				if (t->wrong_why[j])
					printf("#     %-16s %10llu  %s (first: --index %llu)\n",
					       fz_why_names[j], u(t->wrong_why[j]), fz_why_docs[j],
					       u(t->first_wrong_why[j] - 1));
		}
	}
	printf("# summary packets=%llu answered=%llu passed=%llu other=%llu errors=%llu wrong=%llu "
	       "answers=%llu nodata=%llu nxdomain=%llu\n",
	       u(t->packets), u(t->verdict[FZ_V_TX]), u(t->verdict[FZ_V_PASS]),
	       u(t->verdict[FZ_V_OTHER]), u(t->run_errors), u(wrong), u(t->reply[FZ_R_ANSWER]),
	       u(t->reply[FZ_R_NODATA]), u(t->reply[FZ_R_NXDOMAIN]));
	return wrong;
}

static int usage(void)
{
	fprintf(stderr, "usage: xdp_fuzz [--seed S] [--count N] [--workers W] [--show K] [--show-missed K]\n"
			"                [--allow TC|SPORT_0|QTYPE_RESERVED[,...]]\n"
			"       xdp_fuzz --seed S --index I\n");
	return 2;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || !*s || *end ? -1 : 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .count = 10000000, .workers = 2, .show = 3 };
	struct tally *tallies, total;
	struct timespec t0, t1;
	int i, have_seed = 0, failed = 0;
	uint64_t v, wrong;

	for (i = 1; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--allow")) {
			char *list = argv[++i], *tok, *save = NULL;

			for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				if (fz_oracle_allow(tok))
					return usage();
			continue;
		}
		if (i + 1 >= argc || parse_u64(argv[i + 1], &v))
			return usage();
		if (!strcmp(argv[i], "--seed"))
			o.seed = v, have_seed = 1;
		else if (!strcmp(argv[i], "--count"))
			o.count = v;
		else if (!strcmp(argv[i], "--index"))
			o.index = v, o.have_index = 1;
		else if (!strcmp(argv[i], "--workers") && v >= 1 && v <= FZ_WORKERS_MAX)
			o.workers = (int)v;
		else if (!strcmp(argv[i], "--show"))
			o.show = (int)v;
		else if (!strcmp(argv[i], "--show-missed"))
			o.show_missed = (int)v;
		else
			return usage();
		i++;
	}
	if (!have_seed && getrandom(&o.seed, sizeof(o.seed), 0) != sizeof(o.seed))
		o.seed = (uint64_t)time(NULL);
	o.seed &= (1ULL << 53) - 1; /* survives being pasted into anything */
	if (o.have_index)
		o.workers = 1;

	fz_names_init();
	sixpn_dns_config_default(&config);
	config.ttl = 7;
	config.soa_serial = 2026;
	config.soa_minimum = 11;
	/* Millions of pass-ups from a few askers: the budgets would drop
	 * them; they have tests of their own (test_xdp_quota). */
	config.passup_rate = config.passup_net_rate = 0;
	libbpf_set_print(NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("# xdp_fuzz: seed %llu, %llu packets, %d workers (replay one: --seed %llu --index I)\n",
	       u(o.seed), u(o.have_index ? 1 : o.count), o.workers, u(o.seed));
	for (i = 0; i < FZ_WHY_MAX; i++)
		if (fz_oracle_allowed & (1ULL << i))
			printf("# policy relaxed: %s (%s) may be answered\n", fz_why_names[i], fz_why_docs[i]);

	tallies = mmap(NULL, sizeof(*tallies) * o.workers, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (tallies == MAP_FAILED)
		return perror("mmap"), 2;
	memset(tallies, 0, sizeof(*tallies) * o.workers);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (o.workers == 1) {
		failed = worker(&o, 0, &tallies[0]) != 0;
	} else {
		pid_t pids[FZ_WORKERS_MAX];

		for (i = 0; i < o.workers; i++) {
			pids[i] = fork();
			if (pids[i] < 0)
				return perror("fork"), 2;
			if (!pids[i])
				_exit(worker(&o, i, &tallies[i]));
		}
		for (i = 0; i < o.workers; i++) {
			int st;

			if (waitpid(pids[i], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
				failed = 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	memset(&total, 0, sizeof(total));
	for (i = 0; i < o.workers; i++)
		merge(&total, &tallies[i]);
	wrong = summary(&o, &total, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	for (i = 0; i < FZ_C_RANDOM_BIT; i++)
		if (total.caught[i] != total.corrupted[i])
			failed = 1; /* the judge itself is broken */
	if (failed || total.run_errors || total.packets != (o.have_index ? 1 : o.count))
		return 2;
	return wrong ? 1 : 0;
}
