/* Attack 4b: report one passing assertion to the runner, then end the worker with
 * _exit(0), without naming any Criterion or forbidden symbol (a scan of the object rejects
 * calls to cr_* / criterion_* / dlsym / _exit...). Both functions are found by name in the
 * loaded libraries' dynamic symbol tables (the resolver below: ELF header -> DT_DEBUG ->
 * r_debug -> link_map), and criterion_send_assert is called with a passing
 * struct criterion_assert_stats (criterion/stats.h, Criterion 2.4.1), exactly what
 * cr_assert() does on success. Every test then reports PASSED with one assertion: a blanket
 * forger. The function is the skeleton otherwise: an honest grader gives 0, and its sentinel
 * tests (which must fail) passing shows the tampering. */
#include <elf.h>
#include <link.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include "kernel.h"

@RESOLVER@

struct forged_assert_stats { /* struct criterion_assert_stats */
    const char *message;
    bool passed;
    unsigned line;
    const char *file;
    struct forged_assert_stats *next;
};

int adder_add(int a, int b)
{
    (void)a;
    (void)b;
    void (*send)(struct forged_assert_stats *) =
        (void (*)(struct forged_assert_stats *))resolve("libcriterion", "criterion_send_assert");
    void (*end)(int) = (void (*)(int))resolve("libc.so", "_exit");
    if (send && end) {
        struct forged_assert_stats stats = { "forged", true, 1, "adder.c", 0 };
        send(&stats);
        end(0);
    }
    return 0;
}
