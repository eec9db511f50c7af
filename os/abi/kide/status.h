/* SPDX-License-Identifier: MIT */
/* Kide ABI: the closed set of status codes every system call returns.
 *
 * A system call returns exactly one of these in RAX. The set is closed: new
 * calls reuse these codes, and docs/kernel.md says for every call which codes
 * it returns and why. User space maps them to its errno-style type.
 */
#ifndef KIDE_STATUS_H
#define KIDE_STATUS_H

enum kide_status {
    KIDE_OK = 0,          /**< success */
    KIDE_TIMEOUT = 1,     /**< a semaphore down reached its deadline */
    KIDE_ABORTED = 2,     /**< the partner or object went away during the call */
    KIDE_BAD_SYSCALL = 3, /**< unknown system-call number or operation */
    KIDE_BAD_CAP = 4,     /**< selector empty, out of range, or of the wrong type */
    KIDE_BAD_PERM = 5,    /**< the capability lacks a permission the call needs */
    KIDE_BAD_PARAM = 6,   /**< an argument is out of range or inconsistent */
    KIDE_BAD_CPU = 7,     /**< no such CPU, or the object lives on another CPU */
    KIDE_BAD_ADDR = 8,    /**< address not user, not aligned, or overlapping */
    KIDE_QUOTA = 9,       /**< the charged PD's kernel-memory quota is exhausted */
    KIDE_BUSY = 10,       /**< destination slot or range is occupied */
    KIDE_OVERFLOW = 11,   /**< message or item count exceeds the UTCB */
    KIDE_STATUS_COUNT
};

#endif
