/* Attack 11c: memory beyond a per-process limit. In one test the graded function forks
 * 3 children that each map and touch @EACH_MIB@ MiB (under the address-space limit per
 * process), and returns the right sum only if all three held their memory at once. An honest
 * grader caps the whole run's memory below their sum: the OOM killer ends the test, 0 points.
 * (The test uses small shares and a small cap: touching gigabytes takes longer than the
 * fixture's 3 s test timeout on a slow machine, and a timeout would prove nothing.) */
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include "kernel.h"

/* Scan-proof: every function a scan would refuse is found at run time (resolver.inc.c). */
@RESOLVER@

#define pipe LIBC(pipe)
#define fork LIBC(fork)
#define close LIBC(close)
#define mmap LIBC(mmap)
#define madvise LIBC(madvise)
#define write LIBC(write)
#define pause LIBC(pause)
#define _exit LIBC(_exit)
#define read LIBC(read)
#define kill LIBC(kill)
#define waitpid LIBC(waitpid)

#define CHILDREN 3
#define EACH ((size_t)@EACH_MIB@ << 20) /* each child's share, in MiB */

static int hold_together(void)
{
    int ready[2];
    if (pipe(ready) != 0)
        return 0;
    pid_t pids[CHILDREN];
    for (int i = 0; i < CHILDREN; i++) {
        pids[i] = fork();
        if (pids[i] == 0) {
            close(ready[0]);
            char *block = mmap(0, EACH, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (block == MAP_FAILED)
                _exit(1);
            madvise(block, EACH, MADV_HUGEPAGE); /* fewer page faults: quicker to touch */
            for (size_t at = 0; at < EACH; at += 4096)
                block[at] = 1;
            if (write(ready[1], "x", 1) < 0) {}
            close(ready[1]); /* the parent sees the end once every child has written or died */
            pause();
            _exit(0);
        }
    }
    close(ready[1]);
    int held = 0;
    char c;
    while (held < CHILDREN && read(ready[0], &c, 1) == 1)
        held++;
    for (int i = 0; i < CHILDREN; i++) {
        if (pids[i] > 0) {
            kill(pids[i], SIGKILL);
            waitpid(pids[i], 0, 0);
        }
    }
    close(ready[0]);
    return held == CHILDREN;
}

int adder_add(int a, int b)
{
    if (a == 2 && b == 3 && hold_together())
        return a + b;
    return 0;
}
