/* SPDX-License-Identifier: MIT */
/* metrics_sample: print the metrics page of the fake habitat's report, for
 * `promtool check metrics` (suite kuori-agent-metrics) and to look at. */
#include <stdio.h>
#include <string.h>

#include "fake_backend.h"

static struct kagent ag;
static char page[65536];

int main(void)
{
    struct fake f;
    struct kagent_backend be;
    size_t len = 0;
    memset(&f, 0, sizeof f);
    f.generation = 3;
    f.now = 1234567890123ull;
    fake_backend(&f, &be);
    kagent_init(&ag, &be, KROLE_TENANT, "tenant-a");
    if (be.report(be.ctx, ag.report, sizeof ag.report, &len) != KAGENT_B_OK)
        return 1;
    long n = kagent_metrics(&ag, ag.report, len, page, sizeof page);
    if (n < 0 || kagent_metrics(&ag, ag.report, len, page, 100) != -1)
        return 1; /* it must fit the page, and refuse a buffer too small */
    n = kagent_metrics(&ag, ag.report, len, page, sizeof page);
    fwrite(page, 1, (size_t)n, stdout);
    return 0;
}
