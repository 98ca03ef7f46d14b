// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "datapath/dns_names.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <bpf/bpf.h>

#include "sixpn_seq.h"

int sixpn_dns_key_from_name(__u32 net_id, const char *name, struct sixpn_dns_key *key)
{
	const size_t zone_len = strlen(SIXPN_DNS_ZONE_SUFFIX);
	const size_t fc_len = strlen(SIXPN_DNS_FLYCAST_SUFFIX);
	size_t len = strlen(name), i, label = 0;

	if (len && name[len - 1] == '.')
		len--;
	if (!len)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			if (!label)
				return -EINVAL; /* empty label */
			label = 0;
			continue;
		}
		if (c <= ' ' || c >= 0x7f || ++label > SIXPN_DNS_LABEL_MAX)
			return -EINVAL;
	}
	if (!label)
		return -EINVAL;
	/* the fast path only looks up names under internal. and flycast. */
	if ((len <= zone_len || strncasecmp(name + len - zone_len, SIXPN_DNS_ZONE_SUFFIX, zone_len)) &&
	    (len <= fc_len || strncasecmp(name + len - fc_len, SIXPN_DNS_FLYCAST_SUFFIX, fc_len)))
		return -EINVAL;
	if (len > SIXPN_DNS_NAME_MAX - 1)
		return -ENAMETOOLONG;
	memset(key, 0, sizeof(*key));
	key->net_id = net_id;
	for (i = 0; i < len; i++) {
		char c = name[i];

		key->name[i] = (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
	}
	return 0;
}

void sixpn_dns_key_name(const struct sixpn_dns_key *key, char *buf, size_t size)
{
	snprintf(buf, size, "%.*s", (int)sizeof(key->name), key->name);
}

int sixpn_dns_entry(__u32 net_id, const char *name, const struct sixpn_ip6 *addrs, size_t n,
		    __u16 flags, struct sixpn_dns_key *key, struct sixpn_dns_value *val)
{
	int err = sixpn_dns_key_from_name(net_id, name, key);

	return err ? err : sixpn_dns_value_of(net_id, addrs, n, flags, val);
}

int sixpn_dns_value_of(__u32 net_id, const struct sixpn_ip6 *addrs, size_t n, __u16 flags,
		       struct sixpn_dns_value *val)
{
	size_t i;

	if (flags & ~(SIXPN_DNS_F_USERSPACE | SIXPN_DNS_F_CHILDREN_USERSPACE))
		return -EINVAL;
	memset(val, 0, sizeof(*val));
	val->flags = flags;
	val->count = n > 0xffff ? 0xffff : n;
	for (i = 0; i < n; i++) {
		if (!sixpn_is_6pn(&addrs[i]) || sixpn_net_id(&addrs[i]) != net_id)
			return -EINVAL;
		if (i < SIXPN_DNS_MAX_ADDRS)
			memcpy(val->addrs[i].w, &addrs[i].w[3], sizeof(val->addrs[i].w));
	}
	return 0;
}

int sixpn_dns_name_put(int names_fd, __u32 net_id, const char *name,
		       const struct sixpn_ip6 *addrs, size_t n, __u16 flags)
{
	struct sixpn_dns_value val;
	struct sixpn_dns_key key;
	struct sixpn_dns_table t;
	int err = sixpn_dns_entry(net_id, name, addrs, n, flags, &key, &val);

	if (err)
		return err;
	err = sixpn_dns_table_open(&t, names_fd);
	if (err)
		return err;
	err = sixpn_dns_table_put_entry(&t, net_id, sixpn_dns_key_hash(&t, &key), &val);
	sixpn_dns_table_close(&t);
	return err;
}

int sixpn_dns_name_del(int names_fd, __u32 net_id, const char *name)
{
	struct sixpn_dns_table t;
	struct sixpn_dns_key key;
	int err = sixpn_dns_key_from_name(net_id, name, &key);

	if (err)
		return err;
	err = sixpn_dns_table_open(&t, names_fd);
	if (err)
		return err;
	err = sixpn_dns_table_del(&t, net_id, name);
	sixpn_dns_table_close(&t);
	return err;
}

int sixpn_dns_quota_mark(int names_fd, __u32 net_id, bool over)
{
	struct sixpn_dns_table t;
	int err = sixpn_dns_table_open(&t, names_fd);

	if (err)
		return err;
	err = sixpn_dns_table_quota_mark(&t, net_id, over);
	sixpn_dns_table_close(&t);
	return err;
}

int sixpn_dns_overflow_set(int overflow_fd, __u32 slot, __u32 count)
{
	if (slot >= SIXPN_DNS_OVERFLOW_SLOTS)
		return -EINVAL;
	return bpf_map_update_elem(overflow_fd, &slot, &count, BPF_ANY) ? -errno : 0;
}

void sixpn_dns_config_default(struct sixpn_dns_config *cfg)
{
	*cfg = (struct sixpn_dns_config){
		.enabled = 1,
		.ttl = SIXPN_DNS_DEFAULT_TTL,
		.soa_serial = SIXPN_DNS_SOA_SERIAL,
		.soa_refresh = SIXPN_DNS_SOA_REFRESH,
		.soa_retry = SIXPN_DNS_SOA_RETRY,
		.soa_expire = SIXPN_DNS_SOA_EXPIRE,
		.soa_minimum = SIXPN_DNS_SOA_MINIMUM,
		.passup_rate = SIXPN_DNS_PASSUP_RATE,
		.passup_burst = SIXPN_DNS_PASSUP_BURST,
		.passup_net_rate = SIXPN_DNS_PASSUP_NET_RATE,
		.passup_net_burst = SIXPN_DNS_PASSUP_NET_BURST,
	};
}

int sixpn_dns_config_set(int config_fd, const struct sixpn_dns_config *cfg)
{
	__u32 key = 0;

	return bpf_map_update_elem(config_fd, &key, cfg, BPF_ANY) ? -errno : 0;
}

/* ---- the names table ------------------------------------------------------ */

#define HDR_INIT 1 /* magic while a writer sets the header up */

static union sixpn_dns_cell *cell(const struct sixpn_dns_table *t, __u32 i)
{
	return &t->cells[i];
}

static __u32 slots_of(size_t n_cells)
{
	size_t s = 1;

	while (s * 2 <= n_cells)
		s *= 2;
	if (s == n_cells)
		s /= 2; /* room for a few address records */
	return (__u32)s;
}

__u32 sixpn_dns_table_cells_for(__u32 names)
{
	return sixpn_dns_table_cells(names);
}

static __u32 max_entries(int fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	if (info.value_size != sizeof(union sixpn_dns_cell))
		return 0;
	return info.max_entries;
}

__u32 sixpn_dns_table_capacity(int names_fd)
{
	__u32 n = max_entries(names_fd);

	__u32 slots, recs, cap;

	if (n < 4)
		return 0;
	/* The inverse of sixpn_dns_table_cells(): records for an eighth of
	 * the names, plus 16; never more than 4/5 of the slots. */
	slots = slots_of(n);
	recs = (n - slots) / SIXPN_DNS_REC_CELLS;
	cap = recs > 16 ? (recs - 16) * 8 : 0;
	if (cap > (__u64)slots * 4 / 5)
		cap = (__u32)((__u64)slots * 4 / 5);
	return cap;
}

int sixpn_dns_table_open(struct sixpn_dns_table *t, int names_fd)
{
	struct sixpn_dns_hdr *h;
	__u32 n = max_entries(names_fd), expect = 0;
	void *p;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	if (n < 4)
		return -EINVAL; /* not a names table */
	p = mmap(NULL, (size_t)n * sizeof(union sixpn_dns_cell), PROT_READ | PROT_WRITE, MAP_SHARED,
		 names_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	t->cells = p;
	t->n_cells = n;
	t->fd = names_fd;
	h = &t->cells[0].hdr;
	/* The first writer sets the header up; any other waits for it. */
	if (__atomic_compare_exchange_n(&h->magic, &expect, HDR_INIT, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		__u64 seed = 0;

		if (getrandom(&seed, sizeof(seed), 0) != sizeof(seed))
			seed = (__u64)time(NULL) * 0x9e3779b97f4a7c15ULL ^ (__u64)getpid();
		h->seed = seed;
		h->mask = slots_of(n) - 1;
		h->recs = (__u32)((n - slots_of(n)) / SIXPN_DNS_REC_CELLS);
		__atomic_store_n(&h->magic, SIXPN_DNS_TABLE_MAGIC, __ATOMIC_RELEASE);
	} else {
		int tries;

		for (tries = 0; tries < 1000 &&
				__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) == HDR_INIT; tries++)
			usleep(1000);
		if (__atomic_load_n(&h->magic, __ATOMIC_ACQUIRE) != SIXPN_DNS_TABLE_MAGIC) {
			sixpn_dns_table_close(t);
			return -EBADMSG;
		}
	}
	t->seed = h->seed;
	t->mask = h->mask;
	t->rec_first = t->mask + 1;
	t->recs = h->recs;
	if ((__u64)t->rec_first + (__u64)t->recs * SIXPN_DNS_REC_CELLS > n) {
		sixpn_dns_table_close(t);
		return -EBADMSG;
	}
	return 0;
}

void sixpn_dns_table_close(struct sixpn_dns_table *t)
{
	if (t->cells)
		munmap(t->cells, t->n_cells * sizeof(union sixpn_dns_cell));
	t->cells = NULL;
}

bool sixpn_dns_table_empty(const struct sixpn_dns_table *t)
{
	return !__atomic_load_n(&t->cells[0].hdr.written, __ATOMIC_ACQUIRE);
}

/* "web.internal" as "\3web\10internal\0"; the key's text is lowercase. */
static __u32 key_wire(const struct sixpn_dns_key *key, __u8 *wire)
{
	size_t len = strnlen(key->name, sizeof(key->name)), i, start = 0;
	__u32 n = 0;

	for (i = 0; i <= len; i++) {
		if (i == len || key->name[i] == '.') {
			wire[n++] = (__u8)(i - start);
			memcpy(wire + n, key->name + start, i - start);
			n += (__u32)(i - start);
			start = i + 1;
		}
	}
	wire[n++] = 0;
	return n;
}

__u64 sixpn_dns_key_hash(const struct sixpn_dns_table *t, const struct sixpn_dns_key *key)
{
	__u8 wire[SIXPN_DNS_NAME_MAX + 2];

	return sixpn_dns_hash(t->seed, wire, key_wire(key, wire));
}

__u64 sixpn_dns_table_zone_hash(const struct sixpn_dns_table *t)
{
	static const __u8 wire[] = "\x08" SIXPN_DNS_ZONE;

	return sixpn_dns_hash(t->seed, wire, sizeof(wire)); /* the NUL is the root label */
}

/* The slot of (net, hash), or 0; *free the first reusable slot of its
 * probes (0: none). */
static __u32 probe(const struct sixpn_dns_table *t, __u32 net, __u64 hash, __u32 *free)
{
	__u32 home = sixpn_dns_home(net, hash, t->mask), i, idx;

	if (free)
		*free = 0;
	for (i = 0; i < SIXPN_DNS_PROBES; i++) {
		const struct sixpn_dns_slot *s;

		idx = (home + i) & t->mask;
		if (!idx)
			continue;
		s = &cell(t, idx)->slot;
		if (s->net_id == net && s->hash == hash)
			return idx;
		if (free && !*free && (s->net_id == 0 || s->net_id == SIXPN_DNS_NET_TOMB))
			*free = idx;
		if (!s->net_id)
			break;
	}
	return 0;
}

void sixpn_dns_table_prefetch(const struct sixpn_dns_table *t, __u32 net_id, __u64 hash)
{
	__builtin_prefetch(cell(t, sixpn_dns_home(net_id, hash, t->mask)), 1);
}

/* A record index as a slot holds it: one a dead writer half-wrote may be
 * anything. */
static bool rec_valid(const struct sixpn_dns_table *t, __u32 rec)
{
	return rec >= t->rec_first && (rec - t->rec_first) % SIXPN_DNS_REC_CELLS == 0 &&
	       (rec - t->rec_first) / SIXPN_DNS_REC_CELLS < t->recs;
}

static bool rec_used(const struct sixpn_dns_table *t, __u32 rec)
{
	__u32 owner = cell(t, rec)->head.owner;
	const struct sixpn_dns_slot *s;

	if (!owner || owner > t->mask)
		return false;
	s = &cell(t, owner)->slot;
	return (s->flags & SIXPN_DNS_F_EXT) && s->u.rec == rec;
}

static __u32 rec_alloc(struct sixpn_dns_table *t)
{
	__u32 i, r;

	for (i = 0; i < t->recs; i++) {
		r = (t->rec_hint + i) % t->recs;
		if (!rec_used(t, t->rec_first + r * SIXPN_DNS_REC_CELLS)) {
			t->rec_hint = r + 1;
			return t->rec_first + r * SIXPN_DNS_REC_CELLS;
		}
	}
	return 0;
}

static void rec_write(struct sixpn_dns_table *t, __u32 rec, __u32 owner,
		      const struct sixpn_dns_value *v)
{
	struct sixpn_dns_rec_head *h = &cell(t, rec)->head;
	struct sixpn_dns_rec_tail *t1 = &cell(t, rec + 1)->tail, *t2 = &cell(t, rec + 2)->tail;

	sixpn_seq_write_begin(&h->seq);
	h->owner = owner;
	if (v) {
		memcpy(h->addrs, &v->addrs[0], sizeof(h->addrs));
		memcpy(t1->addrs, &v->addrs[2], sizeof(t1->addrs));
		memcpy(t2->addrs, &v->addrs[5], sizeof(t2->addrs));
	}
	sixpn_seq_write_end(&h->seq);
}

/* Writes slot `idx` whole under its word; its F_SPILL stays. */
static void slot_write(struct sixpn_dns_table *t, __u32 idx, __u32 net, __u64 hash,
		       __u16 flags, __u16 count, const void *u)
{
	struct sixpn_dns_slot *s = &cell(t, idx)->slot;

	__atomic_store_n(&t->cells[0].hdr.written, 1, __ATOMIC_RELEASE);
	sixpn_seq_write_begin(&s->seq);
	s->net_id = net;
	s->hash = hash;
	s->flags = (__u16)((s->flags & SIXPN_DNS_F_SPILL) | flags);
	s->count = count;
	memset(&s->u, 0, sizeof(s->u));
	if (u)
		memcpy(&s->u, u, sizeof(s->u));
	sixpn_seq_write_end(&s->seq);
}

static void spill(struct sixpn_dns_table *t, __u32 net, __u64 hash)
{
	struct sixpn_dns_slot *s = &cell(t, sixpn_dns_home(net, hash, t->mask))->slot;

	sixpn_seq_write_begin(&s->seq);
	s->flags |= SIXPN_DNS_F_SPILL;
	sixpn_seq_write_end(&s->seq);
	t->spilled++;
}

/* The entry of (net, hash) with `slot_flags` (F_SHARED) on its slot. */
static int put_slot(struct sixpn_dns_table *t, __u32 net_id, __u64 hash,
		    const struct sixpn_dns_value *val, __u16 slot_flags)
{
	__u32 free, idx = probe(t, net_id, hash, &free), old_rec = 0, rec = 0;
	__u16 flags = (val->flags & SIXPN_DNS_F_ENTRY_MASK) | slot_flags;
	union { struct sixpn_dns_host addr; __u32 rec; } u;

	if (!net_id || net_id == SIXPN_DNS_NET_TOMB)
		return -EINVAL;
	if (idx && (cell(t, idx)->slot.flags & SIXPN_DNS_F_EXT) &&
	    rec_valid(t, cell(t, idx)->slot.u.rec))
		old_rec = cell(t, idx)->slot.u.rec;
	if (!idx)
		idx = free;
	if (!idx) {
		/* No room within the probes: misses homed here go to the
		 * resolver, which knows the name. */
		spill(t, net_id, hash);
		return 0;
	}
	memset(&u, 0, sizeof(u));
	if (val->count == 1) {
		u.addr = val->addrs[0];
	} else if (val->count > 1 && val->count <= SIXPN_DNS_MAX_ADDRS) {
		/* A record of its own, written whole before the slot points
		 * at it; the old one is freed after. */
		rec = rec_alloc(t);
		if (!rec) {
			/* No record free: the name is the resolver's. */
			flags |= SIXPN_DNS_F_USERSPACE;
		} else {
			rec_write(t, rec, idx, val);
			flags |= SIXPN_DNS_F_EXT;
			u.rec = rec;
		}
	}
	slot_write(t, idx, net_id, hash, flags, val->count, &u);
	if (old_rec && old_rec != rec)
		rec_write(t, old_rec, 0, NULL);
	return 0;
}

int sixpn_dns_table_put_entry(struct sixpn_dns_table *t, __u32 net_id, __u64 hash,
			      const struct sixpn_dns_value *val)
{
	return put_slot(t, net_id, hash, val, 0);
}

int sixpn_dns_table_put_shared(struct sixpn_dns_table *t, __u32 net_id, __u64 hash)
{
	/* Whichever name is asked, whatever it is a parent of, and the
	 * quota marker if it is one of them: the resolver decides. */
	const struct sixpn_dns_value val = {
		.flags = SIXPN_DNS_F_USERSPACE | SIXPN_DNS_F_CHILDREN_USERSPACE |
			 SIXPN_DNS_F_OVER_QUOTA,
	};

	return put_slot(t, net_id, hash, &val, SIXPN_DNS_F_SHARED);
}

int sixpn_dns_table_flags(const struct sixpn_dns_table *t, __u32 net_id, __u64 hash)
{
	__u32 idx = probe(t, net_id, hash, NULL);

	return idx ? cell(t, idx)->slot.flags : -ENOENT;
}

int sixpn_dns_table_put(struct sixpn_dns_table *t, __u32 net_id, const char *name,
			const struct sixpn_ip6 *addrs, size_t n, __u16 flags)
{
	struct sixpn_dns_value val;
	struct sixpn_dns_key key;
	int err = sixpn_dns_entry(net_id, name, addrs, n, flags, &key, &val);

	if (err)
		return err;
	return sixpn_dns_table_put_entry(t, net_id, sixpn_dns_key_hash(t, &key), &val);
}

int sixpn_dns_table_del_hash(struct sixpn_dns_table *t, __u32 net_id, __u64 hash)
{
	__u32 idx = probe(t, net_id, hash, NULL), rec = 0;

	if (!idx)
		return -ENOENT;
	if ((cell(t, idx)->slot.flags & SIXPN_DNS_F_EXT) && rec_valid(t, cell(t, idx)->slot.u.rec))
		rec = cell(t, idx)->slot.u.rec;
	/* A tombstone: the names probed past it are still found. */
	slot_write(t, idx, SIXPN_DNS_NET_TOMB, 0, 0, 0, NULL);
	if (rec)
		rec_write(t, rec, 0, NULL);
	return 0;
}

int sixpn_dns_table_del(struct sixpn_dns_table *t, __u32 net_id, const char *name)
{
	struct sixpn_dns_key key;
	int err = sixpn_dns_key_from_name(net_id, name, &key);

	if (err)
		return err;
	err = sixpn_dns_table_del_hash(t, net_id, sixpn_dns_key_hash(t, &key));
	return err == -ENOENT ? 0 : err;
}

static void slot_value(const struct sixpn_dns_table *t, const struct sixpn_dns_slot *s,
		       struct sixpn_dns_value *v)
{
	memset(v, 0, sizeof(*v));
	v->flags = s->flags & SIXPN_DNS_F_ENTRY_MASK;
	v->count = s->count;
	if ((s->flags & SIXPN_DNS_F_EXT) && rec_valid(t, s->u.rec)) {
		const union sixpn_dns_cell *c = cell(t, s->u.rec);

		memcpy(&v->addrs[0], c[0].head.addrs, sizeof(c[0].head.addrs));
		memcpy(&v->addrs[2], c[1].tail.addrs, sizeof(c[1].tail.addrs));
		memcpy(&v->addrs[5], c[2].tail.addrs, sizeof(c[2].tail.addrs));
	} else if (s->count == 1) {
		v->addrs[0] = s->u.addr;
	}
}

int sixpn_dns_table_get(const struct sixpn_dns_table *t, __u32 net_id, const char *name,
			struct sixpn_dns_value *val)
{
	struct sixpn_dns_key key;
	__u32 idx;
	int err;

	if (!strcasecmp(name, SIXPN_DNS_ZONE)) {
		idx = probe(t, net_id, sixpn_dns_table_zone_hash(t), NULL);
	} else {
		err = sixpn_dns_key_from_name(net_id, name, &key);
		if (err)
			return err;
		idx = probe(t, net_id, sixpn_dns_key_hash(t, &key), NULL);
	}
	if (!idx)
		return -ENOENT;
	slot_value(t, &cell(t, idx)->slot, val);
	return 0;
}

int sixpn_dns_table_next(const struct sixpn_dns_table *t, __u32 *pos,
			 struct sixpn_dns_slot_view *v)
{
	__u32 i;

	for (i = *pos ? *pos : 1; i <= t->mask; i++) {
		const struct sixpn_dns_slot *s = &cell(t, i)->slot;

		if (!s->net_id || s->net_id == SIXPN_DNS_NET_TOMB)
			continue;
		v->net_id = s->net_id;
		v->hash = s->hash;
		v->slot_flags = s->flags & (SIXPN_DNS_F_SPILL | SIXPN_DNS_F_EXT | SIXPN_DNS_F_SHARED);
		slot_value(t, s, &v->val);
		*pos = i + 1;
		return 1;
	}
	*pos = t->mask + 1;
	return 0;
}

int sixpn_dns_table_fill(int names_fd, __u64 *names, __u64 *capacity)
{
	struct sixpn_dns_table t;
	struct sixpn_dns_slot_view v;
	__u32 pos = 0;
	int err = sixpn_dns_table_open(&t, names_fd);

	if (err)
		return err;
	*names = 0;
	while (sixpn_dns_table_next(&t, &pos, &v))
		(*names)++;
	*capacity = sixpn_dns_table_capacity(names_fd);
	sixpn_dns_table_close(&t);
	return 0;
}

int sixpn_dns_table_quota_mark(struct sixpn_dns_table *t, __u32 net_id, bool over)
{
	struct sixpn_dns_value val = { .flags = SIXPN_DNS_F_OVER_QUOTA };
	int err;

	/* The apex is never a name of the table (the fast path passes its
	 * questions up before any lookup): free to mean the whole zone. */
	if (over)
		return sixpn_dns_table_put_entry(t, net_id, sixpn_dns_table_zone_hash(t), &val);
	err = sixpn_dns_table_del_hash(t, net_id, sixpn_dns_table_zone_hash(t));
	return err == -ENOENT ? 0 : err;
}

/* ---- the text log ---------------------------------------------------------- */

#define TEXT_REC_HDR 5 /* net ID (4 bytes, host order), length (1) */

static struct sixpn_dns_text_hdr *text_hdr(const struct sixpn_dns_text *x)
{
	return (struct sixpn_dns_text_hdr *)x->base;
}

int sixpn_dns_text_open(struct sixpn_dns_text *x, int text_fd)
{
	struct bpf_map_info info = { 0 };
	__u32 len = sizeof(info), expect = 0;
	void *p;

	memset(x, 0, sizeof(*x));
	x->fd = -1;
	if (bpf_obj_get_info_by_fd(text_fd, &info, &len))
		return -errno;
	if (info.value_size != sizeof(struct sixpn_dns_text_cell) || info.max_entries < 2)
		return -EINVAL;
	x->bytes = (size_t)info.max_entries * sizeof(struct sixpn_dns_text_cell);
	p = mmap(NULL, x->bytes, PROT_READ | PROT_WRITE, MAP_SHARED, text_fd, 0);
	if (p == MAP_FAILED)
		return -errno;
	x->base = p;
	x->fd = text_fd;
	__atomic_compare_exchange_n(&text_hdr(x)->magic, &expect, SIXPN_DNS_TEXT_MAGIC, false,
				    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
	return 0;
}

void sixpn_dns_text_close(struct sixpn_dns_text *x)
{
	if (x->base)
		munmap(x->base, x->bytes);
	x->base = NULL;
}

void sixpn_dns_text_reset(struct sixpn_dns_text *x)
{
	__atomic_store_n(&text_hdr(x)->used, 0, __ATOMIC_RELEASE);
}

int sixpn_dns_text_add(struct sixpn_dns_text *x, __u32 net_id, const char *name)
{
	size_t n = strlen(name), room = x->bytes - sizeof(struct sixpn_dns_text_cell);
	__u32 at;
	__u8 *r;

	if (n > 255)
		return -EINVAL;
	at = __atomic_fetch_add(&text_hdr(x)->used, (__u32)(TEXT_REC_HDR + n), __ATOMIC_ACQ_REL);
	if ((size_t)at + TEXT_REC_HDR + n > room) {
		__atomic_fetch_sub(&text_hdr(x)->used, (__u32)(TEXT_REC_HDR + n), __ATOMIC_ACQ_REL);
		return -ENOSPC;
	}
	r = x->base + sizeof(struct sixpn_dns_text_cell) + at;
	memcpy(r, &net_id, 4);
	r[4] = (__u8)n;
	memcpy(r + TEXT_REC_HDR, name, n);
	return 0;
}

int sixpn_dns_text_next(const struct sixpn_dns_text *x, size_t *pos, __u32 *net_id,
			char *name, size_t size)
{
	size_t used = __atomic_load_n(&text_hdr(x)->used, __ATOMIC_ACQUIRE), n;
	const __u8 *r;

	if (used > x->bytes - sizeof(struct sixpn_dns_text_cell))
		used = x->bytes - sizeof(struct sixpn_dns_text_cell);
	if (*pos + TEXT_REC_HDR > used)
		return 0;
	r = x->base + sizeof(struct sixpn_dns_text_cell) + *pos;
	memcpy(net_id, r, 4);
	n = r[4];
	if (*pos + TEXT_REC_HDR + n > used)
		return 0;
	snprintf(name, size, "%.*s", (int)n, (const char *)r + TEXT_REC_HDR);
	*pos += TEXT_REC_HDR + n;
	return 1;
}

int sixpn_dns_text_append(int text_fd, __u32 net_id, const char *name)
{
	struct sixpn_dns_text x;
	int err = sixpn_dns_text_open(&x, text_fd);

	if (err)
		return err;
	err = sixpn_dns_text_add(&x, net_id, name);
	sixpn_dns_text_close(&x);
	return err;
}
