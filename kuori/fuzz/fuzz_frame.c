/* SPDX-License-Identifier: MIT */
/* Fuzz what kuori reads from the network: framing, JSON and message classification.
 *
 * The input is a byte stream as an agent could send it, fed to the receiver
 * in chunks whose sizes come from the first byte (so message boundaries fall
 * everywhere). Every complete message is parsed, classified and, when it is a
 * sample, turned into rows and annotated, as ps/stats/top do.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "frame.h"
#include "sample.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kuori_rx rx = {0};
    struct kuori_err e;
    size_t chunk, off = 1;
    if (size < 1)
        return 0;
    chunk = (size_t)data[0] % 64 + 1;
    while (off < size) {
        size_t n = size - off < chunk ? size - off : chunk, used = 0;
        int r = kuori_rx_feed(&rx, data + off, n, &used, &e);
        off += used;
        if (r < 0 || r > 1)
            break;
        if (r == 1) {
            cJSON *msg;
            struct kuori_msg m;
            if (kuori_rx_take(&rx, &msg, &e) != 0)
                break;
            if (kuori_msg_classify(msg, &m, &e) == 0 && m.body) {
                struct kuori_row *rows;
                int k = kuori_sample_rows(m.body, m.body, &rows);
                (void)k;
                free(rows);
                kuori_sample_annotate((cJSON *)m.body, m.body);
            }
            cJSON_Delete(msg);
        }
        if (used == 0)
            break;
    }
    kuori_rx_free(&rx);
    return 0;
}
