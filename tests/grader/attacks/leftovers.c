/* Attack 11b: leave files behind on the machine. The graded function creates
 * /tmp/@MARKER@-tmp, /dev/shm/@MARKER@-shm and $TMPDIR/@MARKER@-private, and a child that
 * outlives the test creates /tmp/@MARKER@-late a second later. The
 * function is correct: an honest grader gives full marks and nothing of this survives
 * the run. */
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "kernel.h"

/* Scan-proof: every function a scan would refuse is found at run time (resolver.inc.c). */
@RESOLVER@

#define open LIBC(open)
#define write LIBC(write)
#define close LIBC(close)
#define getenv LIBC(getenv)
#define fork LIBC(fork)
#define setsid LIBC(setsid)
#define sleep LIBC(sleep)
#define _exit LIBC(_exit)

static void plant(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT, 0666);
    if (fd >= 0) {
        if (write(fd, "@MARKER@", 8) < 0) {}
        close(fd);
    }
}

int adder_add(int a, int b)
{
    static int done;
    if (!done) {
        done = 1;
        plant("/tmp/@MARKER@-tmp");
        plant("/dev/shm/@MARKER@-shm");
        char path[4096];
        snprintf(path, sizeof path, "%s/@MARKER@-private", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        plant(path);
        if (fork() == 0) {
            setsid();
            sleep(1);
            plant("/tmp/@MARKER@-late");
            _exit(0);
        }
    }
    return a + b;
}
