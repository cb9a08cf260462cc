/* winsync-ps - list a winsync namespace's processes, threads, objects, handles and wait chains,
 * without taking part in it (see ps.h). */
#include <string.h>

#include "ps.h"

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: winsync-ps [--namespace NAME] [--json]\n"
            "\n"
            "Shows what a winsync namespace holds right now: its processes, threads (and what\n"
            "each blocked thread waits for), objects with their state (event signaled or not,\n"
            "manual or auto reset; semaphore count and maximum; mutex owner, recursion and\n"
            "abandonment; timer due time; names), the waiters of each object (one line per wait\n"
            "block), every process's handles, then the wait chain of each blocked thread: the\n"
            "object it waits for, that object's owner, what the owner waits for, and so on.\n"
            "A chain that comes back to a thread is a deadlock, listed as \"deadlock: ...\".\n"
            "\n"
            "It reads a copy of the namespace's shared segment, mapped read-only: it never takes\n"
            "the dispatcher lock, never joins the namespace and never blocks it, so it is safe\n"
            "on a namespace that hangs. A namespace that changes while it is copied may show\n"
            "a state that never quite existed: run it twice when in doubt.\n"
            "\n"
            "  -n, --namespace NAME  the namespace to read (default: $WINSYNC_NAMESPACE, else\n"
            "                        \"default\", as winsync programs choose theirs)\n"
            "      --json            the same as one JSON object, for tools\n"
            "  -h, --help            this help\n"
            "\n"
            "Exit status: 0 shown, 1 bad usage (or the report could not be written), 2 the\n"
            "namespace has no segment (no program uses it), 3 its segment is foreign, corrupt\n"
            "or of another winsync version.\n");
}

int main(int argc, char **argv)
{
    const char *ns = NULL;
    bool json = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return PS_EXIT_OK;
        } else if (strcmp(a, "--json") == 0) {
            json = true;
        } else if ((strcmp(a, "-n") == 0 || strcmp(a, "--namespace") == 0) && i + 1 < argc) {
            ns = argv[++i];
        } else if (strncmp(a, "--namespace=", 12) == 0) {
            ns = a + 12;
        } else {
            fprintf(stderr, "winsync-ps: unknown argument '%s'\n", a);
            usage(stderr);
            return PS_EXIT_USAGE;
        }
    }
    struct ps_snapshot s = {0};
    int r = ps_namespace_pick(ns, &s);
    if (r == PS_EXIT_OK)
        r = ps_snapshot_take(&s);
    if (r != PS_EXIT_OK)
        return r;
    if (json)
        ps_print_json(stdout, &s);
    else
        ps_print_text(stdout, &s);
    ps_snapshot_free(&s);
    return fflush(stdout) == 0 ? PS_EXIT_OK : PS_EXIT_USAGE;
}
