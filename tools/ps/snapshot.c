/*
 * snapshot.c - find the namespace's segment, check it, and copy it into private memory.
 *
 * The segment is opened O_RDONLY and mapped PROT_READ: this process cannot change it. It is copied
 * at once and unmapped, and everything else reads the copy, so values never change under the
 * reader. Nothing here waits for anybody.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "objects/layout.h"
#include "ps.h"

static bool namespace_valid(const char *ns)
{
    size_t n = strlen(ns);
    if (n == 0 || n > WS_NAMESPACE_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = ns[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

int ps_namespace_pick(const char *option, struct ps_snapshot *s)
{
    const char *ns = option;
    if (!ns)
        ns = getenv("WINSYNC_NAMESPACE");
    if (!ns || (!option && !*ns))
        ns = "default";
    if (!namespace_valid(ns)) {
        fprintf(stderr,
                "winsync-ps: '%s' is not a namespace name: use 1 to %d letters, digits, '-', '_' "
                "or '.'\n",
                ns, WS_NAMESPACE_MAX);
        return PS_EXIT_USAGE;
    }
    snprintf(s->ns, sizeof s->ns, "%s", ns);
    snprintf(s->path, sizeof s->path, "/dev/shm/winsync-%u-%s", (unsigned)getuid(), ns);
    return PS_EXIT_OK;
}

static int no_segment(const struct ps_snapshot *s)
{
    fprintf(stderr,
            "winsync-ps: namespace \"%s\" has no segment (no %s): no program uses it now.\n"
            "  Run winsync-ps while the program runs, naming its namespace with --namespace NAME "
            "or\n  WINSYNC_NAMESPACE=NAME (run-isolated and ctest give each test run its own; "
            "./grade's\n  sandbox has a /dev/shm of its own: run the test binary yourself).\n",
            s->ns, s->path);
    ps_list_namespaces(stderr);
    return PS_EXIT_NO_SEGMENT;
}

static int unusable(const struct ps_snapshot *s, const char *why)
{
    fprintf(stderr,
            "winsync-ps: %s %s. winsync refuses it too: stop the programs using it and remove it "
            "(rm %s), or use another namespace.\n",
            s->path, why, s->path);
    return PS_EXIT_UNUSABLE;
}

/* Check the mapped segment and copy it. */
static int copy_segment(struct ps_snapshot *s, const struct ws_segment_header *h, size_t size)
{
    char why[160];
    enum ws_segment_fault fault = ws_layout_check(h, size);
    if ((fault == WS_SEGMENT_OK || fault == WS_SEGMENT_CORRUPT) &&
        !__atomic_load_n(&h->ready, __ATOMIC_ACQUIRE)) {
        fprintf(stderr, "winsync-ps: %s is still being created by process %d: try again\n", s->path,
                (int)h->creator_pid);
        return PS_EXIT_UNUSABLE;
    }
    switch (fault) {
    case WS_SEGMENT_OK:
        break;
    case WS_SEGMENT_FOREIGN:
        return unusable(s, "is not a winsync segment (foreign or corrupt)");
    case WS_SEGMENT_OTHER_VERSION:
        snprintf(why, sizeof why,
                 "was made by another winsync version (layout %u; this winsync-ps reads layout "
                 "%u: use the winsync-ps installed with that program's winsync)",
                 h->version, WS_LAYOUT_VERSION);
        return unusable(s, why);
    case WS_SEGMENT_CORRUPT:
        return unusable(s, "is corrupt (its layout does not add up)");
    }
    void *copy = malloc(size);
    if (!copy) {
        fprintf(stderr, "winsync-ps: no memory for a copy of %s (%zu bytes)\n", s->path, size);
        return PS_EXIT_UNUSABLE;
    }
    memcpy(copy, h, size);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    s->now_ns = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
    s->seg = copy;
    s->size = size;
    return PS_EXIT_OK;
}

int ps_snapshot_take(struct ps_snapshot *s)
{
    const char *shm_name = s->path + strlen("/dev/shm");
    int fd = shm_open(shm_name, O_RDONLY, 0);
    if (fd < 0 && errno == ENOENT)
        return no_segment(s);
    if (fd < 0) {
        char why[128];
        snprintf(why, sizeof why, "cannot be opened (%s)", strerror(errno));
        return unusable(s, why);
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_uid != getuid()) {
        close(fd);
        return unusable(s, "belongs to another user");
    }
    size_t size = (size_t)st.st_size;
    if (size == 0) {
        close(fd);
        fprintf(stderr,
                "winsync-ps: %s is empty: its creator is making it now (try again), or died "
                "doing so (its next user replaces it)\n",
                s->path);
        return PS_EXIT_UNUSABLE;
    }
    if (size < sizeof(struct ws_segment_header)) {
        close(fd);
        return unusable(s, "is not a winsync segment (foreign or corrupt)");
    }
    void *base = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
    close(fd);
    if (base == MAP_FAILED) {
        char why[128];
        snprintf(why, sizeof why, "cannot be mapped (%s)", strerror(errno));
        return unusable(s, why);
    }
    int r = copy_segment(s, base, size);
    munmap(base, size);
    return r;
}

void ps_snapshot_free(struct ps_snapshot *s)
{
    free((void *)s->seg);
    s->seg = NULL;
}
