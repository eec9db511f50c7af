/* SPDX-License-Identifier: MIT */
/* A fake habitat for the host tests and the fuzzer: a fixed state report
 * whose counters grow with a settable clock, a configuration with two
 * children, applies that check the generation, and an event ring. */
#ifndef FAKE_BACKEND_H
#define FAKE_BACKEND_H

#include "install.h"
#include "kagent.h"

struct fake {
    kide_u64 now;         /* the clock the agent sees */
    kide_u64 generation;  /* in force */
    int no_config;        /* config answers UNAVAILABLE (hoitaja without CONFIG) */
    int no_control;       /* control and logs answer UNAVAILABLE */
    int applies;          /* applies that reached the fake */
    int reports;          /* state reports read */
    char last_cfg[65536]; /* the last configuration applied */
    __SIZE_TYPE__ last_len;
    int last_partial;
    unsigned nev; /* events recorded */
    struct kide_mgmt_event ev[64];
};

/** A crypto for tests: real SHA-256 (OpenSSL), a counter as randomness, and a
 *  "certificate" that is the text CERT(cn,org) for any 91-byte SPKI starting 0x30. */
void fake_crypto(struct kagent_crypto *c);

/** The backend over f. */
void fake_backend(struct fake *f, struct kagent_backend *be);
/** Record an event in f. */
void fake_event(struct fake *f, kide_u64 type, const char *child, kide_u64 a);

/** A fake installer (install.h): archives served from memory. A "registry"
 *  whose archive was tampered with is refused like depot_verify refuses it. */
struct fake_inst {
    int pkg_status, bin_status; /* KINST_* the calls return (0: they succeed) */
    const char *archives;       /* the pkg archive's `archives` */
    unsigned nrequires;
    const char *requires[4];
    int pkg_calls, bin_calls;
    char last_bin[KINST_PATH_MAX], last_binary[KINST_FIELD_MAX], last_store[KINST_PATH_MAX];
    struct kinst_registry last_reg;
    unsigned stored; /* programs in the "store" */
};

/** The installer over fi (tenant-a's `hello` package by default). */
void fake_installer(struct fake_inst *fi, struct kagent_installer *in);

#endif
