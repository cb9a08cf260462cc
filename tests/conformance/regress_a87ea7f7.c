/* Found by difftest.py (sequence 1) and shrunk to 2 calls: winsync and Wine
 * disagreed on the last call. The expected results are Wine's; if Wine is the one that differs
 * from Windows, record it in known-differences.toml instead of keeping this file. */
#include "conformance.h"
#include "difftest_exec.h"

static const char *const script[][2] = {
    {"CreateMutexA s2 0 n2", "H e=0"},
    {"CreateSemaphoreA s2 2 -1 n2", "NULL e=87"},
};

static void replay(void)
{
    struct dt_state st;
    char got[128], check[32];
    dt_begin(&st, 1);
    for (size_t i = 0; i < sizeof script / sizeof script[0]; i++) {
        dt_exec(&st, script[i][0], got, sizeof got);
        snprintf(check, sizeof check, "call%02u", (unsigned)i);
        CHECK_STR(check, script[i][1], got);
    }
    dt_end(&st);
}

CF_MAIN("regress_a87ea7f7", NULL, CF_TEST(replay))
