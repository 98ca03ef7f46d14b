/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* Sequence words of the slots userspace writes through mmap while the
 * programs read them (`iface_slots`, the names table): a seqlock with one
 * writer per slot. The writer makes the word odd, writes the slot, makes it
 * even again; a reader takes a slot only if the word was even before it
 * read and unchanged after, and otherwise goes the slow way (the hash map,
 * or userspace). A writer killed in mid-write leaves the word odd: readers
 * keep going the slow way until the next writer rewrites the slot.
 *
 * Ordering: on x86 (TSO) loads are not reordered with loads nor stores with
 * stores, so the compiler barriers below are all the reader needs; the
 * writer's fences are real. Linux 6.1's BPF has no load-acquire; on a
 * weakly ordered CPU the reader would need one (BPF_LOAD_ACQ, 6.15+). */
#ifndef SIXPN_SEQ_H
#define SIXPN_SEQ_H

#include "sixpn_types.h"

#if defined(__bpf__)
#define sixpn_barrier() asm volatile("" ::: "memory")

static __always_inline __u32 sixpn_seq_read(const __u32 *seq)
{
	__u32 v = *(const volatile __u32 *)seq;

	sixpn_barrier();
	return v;
}

/* After the slot was copied: did it stay as it was? */
static __always_inline int sixpn_seq_retry(const __u32 *seq, __u32 start)
{
	sixpn_barrier();
	return *(const volatile __u32 *)seq != start;
}
#else
/* Opens a write: the word becomes odd (from whatever it was: an odd word
 * is a writer that died). */
static inline void sixpn_seq_write_begin(__u32 *seq)
{
	__u32 v = __atomic_load_n(seq, __ATOMIC_RELAXED);

	__atomic_store_n(seq, v | 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

static inline void sixpn_seq_write_end(__u32 *seq)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(seq, (__atomic_load_n(seq, __ATOMIC_RELAXED) | 1) + 1, __ATOMIC_RELEASE);
}
#endif

#endif
