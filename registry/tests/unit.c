/* SPDX-License-Identifier: MIT */
/* Runs every unit test group of kide-registry.
 *
 * mk/cmocka-result.sh adds up the PASSED/FAILED lines of all groups.
 */
#include "unit.h"

int main(void)
{
    int failed = 0;
    failed += reg_test_path();
    failed += reg_test_valid();
    failed += reg_test_config();
    failed += reg_test_sig();
    failed += reg_test_token();
    failed += reg_test_range();
    failed += reg_test_ratelimit();
    failed += reg_test_store();
    failed += reg_test_integrity();
    return failed ? 1 : 0;
}
