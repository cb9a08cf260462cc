/* Attack 4a: end the test right away with _exit(0), before any assertion ran (the
 * runner sees a worker that exited cleanly). Zero assertions: an honest grader gives 0. */
#include <unistd.h>
#include "kernel.h"
int adder_add(int a, int b)
{
    (void)a;
    (void)b;
    _exit(0);
}
