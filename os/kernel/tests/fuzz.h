/* SPDX-License-Identifier: MIT */
/* The system-call fuzzer: what kfuzz-root gives the attacker.
 *
 * The attacker is an unprivileged PD: it holds its own PD capability, one
 * semaphore, one portal to a root "sink" handler and its exception portals
 * (at KRT_CHILD_EVT(0)), nothing of the root's or the victim's. Its info
 * page carries the seed (arg0), the number of CPUs (arg1) and the selectors
 * below; it reports the
 * number of calls issued in res0, the last call word in res1 and how often
 * each status came back in res[2 + status] (res14: a status outside the set,
 * which is a kernel bug).
 */
#ifndef KTEST_FUZZ_H
#define KTEST_FUZZ_H

#define FZ_SEL_SM   1100 /**< a semaphore (UP|DOWN) */
#define FZ_SEL_PD   1101 /**< its own PD (all rights) */
#define FZ_SEL_SINK 1102 /**< portal to the root's sink handler (PT_CALL) */
#define FZ_SEL_VICTIM_PT 1100 /**< in the victim: the root's victim portal */
#define FZ_PRIO     30   /**< victim and attacker share a priority (round robin) */

#endif
