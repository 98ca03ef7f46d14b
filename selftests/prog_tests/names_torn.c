// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* The names table under a writer that never stops, and one killed with
 * SIGKILL in mid-write: the XDP fast path (BPF_PROG_TEST_RUN, the real
 * program) never answers from a torn slot.
 *
 * A child process rewrites web.internal of network A through the real
 * writer (loader/datapath/dns_names.c) as fast as it can, cycling it through
 * one address, another address, and both (a record of its own). Meanwhile
 * this process asks AAAA web.internal over and over: every XDP_TX reply must
 * be byte for byte one of the replies the three stable states give; every
 * pass must be counted DNS_PASS_BUSY. Then the writer is killed with
 * SIGKILL at random moments, again and again, until several kills caught it
 * with the slot's sequence word odd (in mid-write; each kill is sent the
 * moment this process sees the word odd), or 20 s have passed: the fast
 * path must then pass the query up (DNS_PASS_BUSY) rather than answer, and
 * the next writer's put must make it answer again; after a kill that let
 * the write finish, the name answers a stable reply. Where kills never land
 * in mid-write (a qemu guest under TCG), the odd word a kill would leave is
 * set by hand for the rest, and the same is asked of it. */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "fixtures.h"
#include "xdp_skel.h"
#include "sixpn_maps.h"
#include "packets.h"
#include "test_harness.h"
#include "datapath/dns_names.h"
#include "datapath/stats.h"

TEST_HARNESS_DEFINE();

#define NAME "web.internal"
#define MAX_REPLIES 8
#define KILLS_MAX 5000
#define KILL_SECONDS 20
#define ODD_WANTED 5

static struct sixpn_xdp *skel;
static int names_fd, stats_fd;
static struct sixpn_ip6 x, y;
static __u8 want[MAX_REPLIES][512];
static __u32 want_len[MAX_REPLIES];
static int n_want;

static int put_state(struct sixpn_dns_table *t, int state)
{
	struct sixpn_ip6 both[2] = { x, y };

	switch (state % 3) {
	case 0: return sixpn_dns_table_put(t, FX_NET_A, NAME, &x, 1, 0);
	case 1: return sixpn_dns_table_put(t, FX_NET_A, NAME, &y, 1, 0);
	default: return sixpn_dns_table_put(t, FX_NET_A, NAME, both, 2, 0);
	}
}

static int ask(__u8 *out, __u32 *len, __u32 *retval)
{
	const struct test_packet *in = packet("aaaa_web");

	return xdp_prog_run(bpf_program__fd(skel->progs.sixpn_xdp_dns), in->data, in->len,
			    FX_TEST_IFINDEX, out, len, retval, 1, NULL);
}

static __u64 busy(void)
{
	return sixpn_stat_packets(stats_fd, SIXPN_HOOK_XDP_DNS, SIXPN_DNS_PASS_BUSY);
}

static int known_reply(const __u8 *out, __u32 len)
{
	int i;

	for (i = 0; i < n_want; i++)
		if (want_len[i] == len && !memcmp(want[i], out, len))
			return 1;
	return 0;
}

/* The replies of the three stable states (both rotations of the pair). */
static int learn_replies(void)
{
	struct sixpn_dns_table t;
	int state, r;

	if (sixpn_dns_table_open(&t, names_fd))
		return -1;
	for (state = 0; state < 3; state++) {
		put_state(&t, state);
		for (r = 0; r < 2; r++) {
			__u8 out[512];
			__u32 len = sizeof(out), ret;

			if (ask(out, &len, &ret) || ret != 3 /* XDP_TX */)
				return -1;
			if (known_reply(out, len) || n_want == MAX_REPLIES)
				continue;
			memcpy(want[n_want], out, len);
			want_len[n_want++] = len;
		}
	}
	sixpn_dns_table_close(&t);
	return n_want == 4 ? 0 : -1;
}

/* Puts the writer child has completed, in memory shared with it: a kill is
 * timed from the writer's first put, not from fork(), which under qemu's
 * TCG (make vmtest) can take longer than the whole random delay. */
static unsigned long *writer_puts;

static pid_t start_writer(void)
{
	pid_t pid;

	__atomic_store_n(writer_puts, 0, __ATOMIC_RELEASE);
	pid = fork();
	if (pid == 0) {
		struct sixpn_dns_table t;
		unsigned state = 0;

		if (sixpn_dns_table_open(&t, names_fd))
			_exit(1);
		for (;;) {
			put_state(&t, state++);
			__atomic_add_fetch(writer_puts, 1, __ATOMIC_RELEASE);
		}
	}
	return pid;
}

/* Waits (up to 10 s) for the writer's first completed put. */
static int writer_running(void)
{
	time_t end = time(NULL) + 10;

	while (!__atomic_load_n(writer_puts, __ATOMIC_ACQUIRE))
		if (time(NULL) > end)
			return 0;
		else
			sched_yield();
	return 1;
}

static void stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* The slot of NAME and its sequence word. */
static __u32 *slot_seq(struct sixpn_dns_table *t)
{
	struct sixpn_dns_slot_view v;
	struct sixpn_dns_key key;
	__u32 pos = 0;
	__u64 h;

	sixpn_dns_key_from_name(FX_NET_A, NAME, &key);
	h = sixpn_dns_key_hash(t, &key);
	while (sixpn_dns_table_next(t, &pos, &v))
		if (v.net_id == FX_NET_A && v.hash == h)
			return &t->cells[pos - 1].slot.seq;
	return NULL;
}

static void test_concurrent(void)
{
	__u64 before = busy(), asked = 0, answered = 0, passed = 0, wrong = 0, other = 0;
	time_t end = time(NULL) + 3;
	pid_t pid = start_writer();

	CHECK(pid > 0, "the writer process started");
	if (pid <= 0)
		return;
	while (time(NULL) < end) {
		__u8 out[512];
		__u32 len = sizeof(out), ret;

		if (ask(out, &len, &ret)) {
			other++;
			continue;
		}
		asked++;
		if (ret == 3) {
			answered++;
			wrong += !known_reply(out, len);
		} else if (ret == 2) {
			passed++;
		} else {
			other++;
		}
	}
	stop(pid);
	printf("# concurrent: %llu queries, %llu answered, %llu passed up (busy), writer never paused\n",
	       (unsigned long long)asked, (unsigned long long)answered, (unsigned long long)passed);
	CHECK(asked > 1000, "thousands of queries ran against the live writer (%llu)",
	      (unsigned long long)asked);
	CHECK(answered > 0, "most were answered (%llu)", (unsigned long long)answered);
	CHECK_EQ(wrong, 0, "every answer is byte for byte one of the stable states' replies");
	CHECK_EQ(other, 0, "no other verdict, no failed test run");
	CHECK_EQ(busy() - before, passed, "every pass-up was counted DNS_PASS_BUSY (%llu)",
		 (unsigned long long)passed);
}

/* Spins (up to 5 ms) until the slot's sequence word is odd, so that the
 * kill is sent while the writer is in mid-write: where a kill at a random
 * moment rarely lands there (a qemu guest under TCG: 0 in 5000), one sent
 * from here still may miss, as the write goes on while the signal travels,
 * and the caller counts only the kills that left the word odd. */
static int wait_mid_write(const __u32 *seq)
{
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	do {
		if (__atomic_load_n(seq, __ATOMIC_ACQUIRE) & 1)
			return 1;
		clock_gettime(CLOCK_MONOTONIC, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) < 5000000L);
	return 0;
}

/* The slot as a killed writer leaves it (odd), asked: 1 when the query is
 * passed up and counted DNS_PASS_BUSY; then the next writer's put, after
 * which the name must answer one of the stable replies again. */
static void ask_odd_then_recover(struct sixpn_dns_table *t, int *answered_odd, int *recovered)
{
	__u8 out[512];
	__u32 len = sizeof(out), ret;
	__u64 before = busy();

	if (ask(out, &len, &ret) || ret == 3 || busy() - before != 1)
		(*answered_odd)++;
	put_state(t, 0);
	len = sizeof(out);
	if (!ask(out, &len, &ret) && ret == 3 && known_reply(out, len))
		(*recovered)++;
}

static void test_killed(void)
{
	struct sixpn_dns_table t;
	int kills = 0, odd = 0, by_hand = 0, answered_odd = 0, recovered = 0, sent_odd = 0;
	int bad_even = 0;
	time_t end = time(NULL) + KILL_SECONDS;
	__u32 *seq;

	if (sixpn_dns_table_open(&t, names_fd)) {
		CHECK(0, "the table maps");
		return;
	}
	seq = slot_seq(&t);
	CHECK(seq != NULL, "web.internal has a slot");
	if (!seq)
		return;
	srand(20261202);
	while (kills < KILLS_MAX && odd < ODD_WANTED && time(NULL) < end) {
		pid_t pid = start_writer();
		struct timespec d = { 0, 200000 + rand() % 800000 };
		__u8 out[512];
		__u32 len = sizeof(out), ret;

		if (pid <= 0)
			break;
		if (!writer_running()) {
			stop(pid);
			CHECK(0, "the writer child made its first put within 10 s");
			break;
		}
		nanosleep(&d, NULL);
		sent_odd += wait_mid_write(seq);
		stop(pid);
		kills++;
		if (__atomic_load_n(seq, __ATOMIC_ACQUIRE) & 1) {
			odd++;
			ask_odd_then_recover(&t, &answered_odd, &recovered);
			continue;
		}
		/* a kill that let the write finish: whatever the writer got to
		 * is a whole state */
		if (ask(out, &len, &ret) || ret != 3 || !known_reply(out, len))
			bad_even++;
	}
	printf("# %d kills, %d of them sent with the word odd, %d left it odd\n", kills, sent_odd,
	       odd);
	CHECK(kills > 0, "the writer was killed again and again (%d kills)", kills);
	CHECK_EQ(bad_even, 0, "after every kill that left the word even, the name answers a stable reply");
	/* Under qemu's TCG (make vmtest) the signal lands only once the write
	 * is done, every time: the slots a kill would leave are made by hand,
	 * the one step a killed writer leaves behind (sequence word odd). */
	while (odd + by_hand < ODD_WANTED) {
		__atomic_store_n(seq, __atomic_load_n(seq, __ATOMIC_ACQUIRE) | 1, __ATOMIC_RELEASE);
		by_hand++;
		ask_odd_then_recover(&t, &answered_odd, &recovered);
	}
	if (by_hand)
		printf("# SIGKILL left the word odd %d times: %d more left odd by hand, as a kill "
		       "in mid-write leaves it\n", odd, by_hand);
	CHECK_EQ(answered_odd, 0, "a slot left in mid-write (%d by SIGKILL, %d by hand) is never answered "
		 "from: passed up as DNS_PASS_BUSY", odd, by_hand);
	CHECK_EQ(recovered, odd + by_hand, "the next writer's put makes the name answer again, every time");
	sixpn_dns_table_close(&t);
}

int main(int argc, char **argv)
{
	char path[PATH_MAX], *dir = strdup(argc > 1 ? argv[1] : "build/selftests/packets.txt");
	struct sixpn_iface ifc = { .role = SIXPN_ROLE_INSTANCE, .net_id = FX_NET_A,
				   .prefix_len = 112, .l2_len = 14 };
	struct sixpn_dns_config cfg;
	int err;

	/* run.sh hands every test packets.txt: the DNS queries are beside it */
	snprintf(path, sizeof(path), "%s/dns_packets.txt", dirname(dir));
	free(dir);
	err = packets_load(path);
	if (err) {
		printf("Bail out! cannot load test packets from %s: %s\n", path, strerror(-err));
		return 2;
	}
	writer_puts = mmap(NULL, sizeof(*writer_puts), PROT_READ | PROT_WRITE,
			   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (writer_puts == MAP_FAILED) {
		printf("Bail out! cannot map the writer's counter: %s\n", strerror(errno));
		return 2;
	}
	skel = xdp_skel_open_load();
	if (!skel)
		return 2;
	names_fd = bpf_map__fd(skel->maps.dns_names);
	stats_fd = bpf_map__fd(skel->maps.stats);
	sixpn_compose(&ifc.prefix, FX_NET_A, FX_HOST1, FX_INST, 0);
	sixpn_dns_config_default(&cfg);
	/* No pass-up budget: every query the fast path passes up is seen. */
	cfg.passup_rate = cfg.passup_net_rate = 0;
	inet_pton(AF_INET6, "fdaa:0:18:a7b:d6b:0:1:2", x.w);
	inet_pton(AF_INET6, "fdaa:0:18:a7b:174:0:5:2", y.w);
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.ifaces), &(__u32){ FX_TEST_IFINDEX }, &ifc,
				BPF_ANY) ||
	    sixpn_dns_config_set(bpf_map__fd(skel->maps.dns_config), &cfg) || learn_replies()) {
		printf("Bail out! cannot set up the fast path and its replies\n");
		return 2;
	}
	CHECK_EQ(n_want, 4, "four stable replies: one address, the other, both in two orders");
	test_concurrent();
	test_killed();
	sixpn_xdp__destroy(skel);
	return test_summary("names_torn");
}
