/* SPDX-License-Identifier: MIT */
/* fuzz_agent: libFuzzer over kuori-agent's whole request path.
 *
 * The input is a script for one hostile connection: a byte selects what
 * happens next (feed the next n bytes as they are, feed a framed message
 * of the next n bytes, let time pass, read or not read the output), so
 * random and mutated frames and JSON reach framing, decoding, dispatch and
 * streams in any order and at any pace. Checks: no crash or sanitizer
 * report, the output queue stays within its bound and is whole frames of
 * at most KAGENT_REPLY_MAX, and afterwards a second, well-behaved
 * connection still gets its answers (one client cannot break another).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fake_backend.h"

static struct fake fk;
static struct kagent_backend be;
static struct kagent ag;
static struct kagent_conn hostile, good;
static struct fake_inst fi;
static struct kagent_installer inst;
static struct kagent_crypto crypto;

/* Check every queued frame, then drop them (a client that reads). */
static void drain(struct kagent_conn *c)
{
    uint32_t n;
    const uint8_t *p = kagent_conn_output(c, &n);
    if (n > KAGENT_OUT_MAX)
        abort();
    uint32_t off = 0;
    while (off + 4 <= n) {
        uint32_t len = (uint32_t)p[off] << 24 | (uint32_t)p[off + 1] << 16 |
                       (uint32_t)p[off + 2] << 8 | p[off + 3];
        if (len == 0 || len > KAGENT_REPLY_MAX || off + 4 + len > n)
            abort();
        off += 4 + len;
    }
    if (off != n)
        abort();
    kagent_conn_sent(c, n);
}

static void feed(struct kagent_conn *c, const uint8_t *p, uint32_t n)
{
    /* Whatever is not taken is what a transport would keep; here it is dropped. */
    (void)kagent_conn_input(&ag, c, p, n);
}

static void frame(struct kagent_conn *c, const char *json)
{
    uint32_t n = (uint32_t)strlen(json);
    uint8_t h[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
    feed(c, h, 4);
    feed(c, (const uint8_t *)json, n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memset(&fk, 0, sizeof fk);
    fk.generation = 3;
    fk.now = 1000000000ull;
    fake_event(&fk, KIDE_EV_STARTED, "demo", 0);
    fake_backend(&fk, &be);
    kagent_init(&ag, &be, (size & 1) ? KROLE_OPERATOR : KROLE_TENANT, "tenant-a");
    fake_installer(&fi, &inst); /* install reaches its whole path, refused when size & 8 */
    fi.bin_status = (size & 8) ? KINST_REFUSED : 0;
    fi.nrequires = 2;
    fi.requires[0] = "Greeting";
    fi.requires[1] = "Block";
    ag.inst = &inst;
    if (size & 4) { /* with crypto: enrolment and the token authority are reachable */
        fake_crypto(&crypto);
        kagent_set_crypto(&ag, &crypto);
    }
    kagent_conn_open(&ag, &hostile, (size & 2) ? 0 : "mallory");
    kagent_conn_open(&ag, &good, "alice");
    size_t i = 0;
    while (i < size) {
        uint8_t cmd = data[i++];
        uint32_t n = (uint32_t)(cmd >> 3) * 8 + 1;
        if (n > size - i)
            n = (uint32_t)(size - i);
        switch (cmd & 7) {
        case 0: /* raw bytes */
        case 1:
        case 2:
            feed(&hostile, data + i, n);
            i += n;
            break;
        case 3: { /* a framed message of the next n bytes */
            uint8_t h[4] = {0, 0, (uint8_t)(n >> 8), (uint8_t)n};
            feed(&hostile, h, 4);
            feed(&hostile, data + i, n);
            i += n;
            break;
        }
        case 4: /* time passes */
            fk.now += (uint64_t)(cmd >> 3) * 100000000ull;
            kagent_conn_tick(&ag, &hostile, fk.now);
            break;
        case 5: /* the client reads */
            drain(&hostile);
            break;
        case 6: /* a valid hello, so later requests reach the ops */
            frame(&hostile, "{\"op\": \"hello\", \"id\": 1, \"versions\": [1]}");
            break;
        case 7: /* an event arrives */
            fake_event(&fk, cmd >> 3, "demo", cmd);
            kagent_conn_tick(&ag, &hostile, fk.now);
            break;
        }
        uint32_t q;
        kagent_conn_output(&hostile, &q);
        if (q > KAGENT_OUT_MAX)
            abort();
    }
    drain(&hostile);
    /* The other connection is served as if nothing happened. */
    frame(&good, "{\"op\": \"hello\", \"id\": 1, \"versions\": [1]}");
    frame(&good, "{\"op\": \"state\", \"id\": 2}");
    uint32_t n;
    const uint8_t *p = kagent_conn_output(&good, &n);
    if (n < 8 || good.closing || !memmem(p, n, "\"id\":2,\"ok\":true", 16))
        abort();
    drain(&good);
    return 0;
}
