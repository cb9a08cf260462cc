/*
 * segment.c - the namespace's shared memory segment: create it, or open and check it.
 *
 * The creator sizes and fills the header, then sets `ready` last; others wait for it.
 * A segment that is too small, has another magic, version or layout, or belongs to
 * another user is refused with one clear message, never trusted.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"
#include "objects/layout.h"
#include "segment.h"

#define WS_OPEN_WAIT_MS 3000

struct ws_local ws_g = {.process = WS_NONE};

static uint32_t env_limit(const char *var, uint32_t dflt, uint32_t lo, uint32_t hi)
{
    const char *s = getenv(var);
    if (!s || !*s)
        return dflt;
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || v < lo || v > hi) {
        fprintf(stderr, "winsync: %s=%s is not a number from %u to %u; using %u\n", var, s, lo, hi,
                dflt);
        return dflt;
    }
    return (uint32_t)v;
}

static int namespace_shm_name(char *out, size_t size)
{
    const char *ns = getenv("WINSYNC_NAMESPACE");
    if (!ns || !*ns)
        ns = "default";
    size_t n = strlen(ns);
    if (n > WS_NAMESPACE_MAX)
        goto bad;
    for (size_t i = 0; i < n; i++) {
        char c = ns[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            goto bad;
    }
    snprintf(out, size, "/winsync-%u-%s", (unsigned)getuid(), ns);
    return 0;
bad:
    fprintf(stderr,
            "winsync: WINSYNC_NAMESPACE='%s' is invalid: use 1 to %d letters, digits, '-', '_' "
            "or '.'\n",
            ns, WS_NAMESPACE_MAX);
    return -1;
}

static void report_unusable(const char *why)
{
    fprintf(stderr,
            "winsync: the shared segment /dev/shm%s %s. Stop the programs using it and remove "
            "it (rm /dev/shm%s), or set WINSYNC_NAMESPACE to use another namespace.\n",
            ws_g.shm_name, why, ws_g.shm_name);
}

static int create_segment(int fd)
{
    struct ws_config c = {
        .max_objects = env_limit("WINSYNC_MAX_OBJECTS", 4096, 16, 1u << 20),
        .max_handles = env_limit("WINSYNC_MAX_HANDLES", 1024, 16, 1u << 20),
        .max_processes = env_limit("WINSYNC_MAX_PROCESSES", 128, 2, 65536),
        .max_threads = env_limit("WINSYNC_MAX_THREADS", 512, 4, 65536),
    };
    struct ws_segment_header h;
    memset(&h, 0, sizeof h);
    ws_layout_compute(&h, &c);
    if (fchmod(fd, 0600) != 0 || ftruncate(fd, (off_t)h.total_size) != 0)
        return -1;
    void *base = mmap(NULL, h.total_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED)
        return -1;
    struct ws_segment_header *seg = base;
    *seg = h; /* everything else starts zeroed: free records, unnamed free objects */
    memcpy(seg->magic, WS_MAGIC, sizeof WS_MAGIC);
    seg->creator_pid = getpid();
    __atomic_store_n(&seg->ready, 1, __ATOMIC_RELEASE);
    ws_g.seg = seg;
    ws_g.seg_size = h.total_size;
    return 0;
}

#define WS_FOREIGN ((size_t)-1)

/* Wait for a concurrent creator to finish. Returns the size, 0 if it never did, or
 * WS_FOREIGN for a file no creator makes (a creator sizes the file in one step). */
static size_t wait_until_ready(int fd)
{
    struct stat st;
    for (int waited = 0; waited < WS_OPEN_WAIT_MS; waited++) {
        if (fstat(fd, &st) != 0)
            return 0;
        if (st.st_size > 0 && (size_t)st.st_size < sizeof(struct ws_segment_header))
            return WS_FOREIGN;
        if ((size_t)st.st_size >= sizeof(struct ws_segment_header)) {
            struct ws_segment_header *h = mmap(NULL, sizeof *h, PROT_READ, MAP_SHARED, fd, 0);
            if (h == MAP_FAILED)
                return 0;
            uint32_t ready = __atomic_load_n(&h->ready, __ATOMIC_ACQUIRE);
            int creator = h->creator_pid;
            munmap(h, sizeof *h);
            if (ready)
                return (size_t)st.st_size;
            if (creator > 0 && kill(creator, 0) != 0 && errno == ESRCH)
                return 0;
        }
        struct timespec ms = {0, 1000000};
        nanosleep(&ms, NULL);
    }
    return 0;
}

static int check_segment(struct ws_segment_header *h, size_t size)
{
    char why[128];
    switch (ws_layout_check(h, size)) {
    case WS_SEGMENT_OK:
        return 0;
    case WS_SEGMENT_FOREIGN:
        report_unusable("is not a winsync segment (foreign or corrupt)");
        return -1;
    case WS_SEGMENT_OTHER_VERSION:
        snprintf(why, sizeof why, "was made by another winsync version (layout %u, this is %u)",
                 h->version, WS_LAYOUT_VERSION);
        report_unusable(why);
        return -1;
    case WS_SEGMENT_CORRUPT:
        break;
    }
    report_unusable("is corrupt (its layout does not add up)");
    return -1;
}

int ws_segment_open(void)
{
    if (namespace_shm_name(ws_g.shm_name, sizeof ws_g.shm_name) != 0)
        return -1;
    for (int attempt = 0; attempt < 3; attempt++) {
        int fd = shm_open(ws_g.shm_name, O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd >= 0) {
            int r = create_segment(fd);
            close(fd);
            if (r != 0) {
                shm_unlink(ws_g.shm_name);
                fprintf(stderr, "winsync: cannot create /dev/shm%s: %s\n", ws_g.shm_name,
                        strerror(errno));
            }
            return r;
        }
        if (errno != EEXIST) {
            fprintf(stderr, "winsync: cannot create /dev/shm%s: %s\n", ws_g.shm_name,
                    strerror(errno));
            return -1;
        }
        fd = shm_open(ws_g.shm_name, O_RDWR, 0);
        if (fd < 0)
            continue; /* removed meanwhile: try creating again */
        struct stat st;
        if (fstat(fd, &st) != 0 || st.st_uid != getuid() || (st.st_mode & 077)) {
            close(fd);
            report_unusable("belongs to another user or is open to others");
            return -1;
        }
        size_t size = wait_until_ready(fd);
        if (size == WS_FOREIGN) {
            close(fd);
            report_unusable("is not a winsync segment (foreign or corrupt)");
            return -1;
        }
        if (size == 0) {
            /* Its creator died half way: nobody can be using it. */
            close(fd);
            shm_unlink(ws_g.shm_name);
            continue;
        }
        void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        close(fd);
        if (base == MAP_FAILED)
            return -1;
        if (check_segment(base, size) != 0) {
            munmap(base, size);
            return -1;
        }
        ws_g.seg = base;
        ws_g.seg_size = size;
        return 0;
    }
    report_unusable("could not be opened");
    return -1;
}
