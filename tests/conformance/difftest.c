/*
 * difftest - differential random testing of the Win32 synchronization surface.
 *
 *   difftest SEED COUNT [LENGTH]   run COUNT sequences (seeds SEED..SEED+COUNT-1) of LENGTH calls
 *   difftest --replay FILE|-       run a script (trace lines; "# seq N" starts a sequence)
 *
 * Prints one line per call: "<call with symbolic args> => <return> [extra] e=<last error>".
 * The same program is built for winsync and, with mingw, for Wine; difftest.py diffs the two
 * traces and shrinks a mismatch. Sequences are single-threaded and deterministic: the calls
 * depend only on the seed, never on results.
 */
#include "difftest_exec.h"

static uint64_t rng;

static uint32_t rnd(uint32_t n)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 0x2545F4914F6CDD1Dull) >> 33) % n;
}

static void seed_rng(unsigned long seed)
{
    rng = 0x9E3779B97F4A7C15ull * ((uint64_t)seed + 1);
    for (int i = 0; i < 4; i++)
        rnd(2);
}

/* Slots the script has put a handle in (from the calls alone, never from results), so most
 * calls use a handle that is probably live and some use empty or closed slots. */
static int assigned[DT_SLOTS];

static unsigned pick_slot(void)
{
    unsigned live[DT_SLOTS], n = 0;
    for (unsigned i = 0; i < DT_SLOTS; i++)
        if (assigned[i])
            live[n++] = i;
    return n && rnd(5) != 0 ? live[rnd(n)] : rnd(DT_SLOTS);
}

static void slot(char *buf, size_t size)
{
    snprintf(buf, size, "s%u", pick_slot());
}

static void name(char *buf, size_t size)
{
    uint32_t r = rnd(12);
    if (r < 2)
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%c%u", r < 3 ? 'l' : 'n', rnd(DT_NAMES));
}

static char suffix(void)
{
    return rnd(4) == 0 ? 'W' : 'A';
}

static long pick(const long *values, size_t n)
{
    return values[rnd((uint32_t)n)];
}

/* Writes one random call. */
static void generate(char *out, size_t size)
{
    static const long inits[] = {-1, 0, 0, 1, 1, 2, 3};
    static const long maxes[] = {-1, 0, 1, 1, 2, 3, 0x7fffffff};
    static const long counts[] = {-1, 0, 1, 1, 1, 2, 3, 0x7fffffff};
    static const char *const types[] = {"Event", "Mutex", "Semaphore"};
    char s[8], s2[8], n[8];
    unsigned dest = rnd(DT_SLOTS);
    slot(s, sizeof s);
    slot(s2, sizeof s2);
    name(n, sizeof n);
    uint32_t r = rnd(100);
    if (r < 36 || (r >= 85 && r < 90)) {
        /* Calls that fill a slot write to dest. */
        snprintf(s, sizeof s, "s%u", dest);
        assigned[dest] = 1;
    }
    if (r < 9)
        snprintf(out, size, "CreateEvent%c %s %u %u %s", suffix(), s, rnd(2), rnd(2), n);
    else if (r < 16)
        snprintf(out, size, "CreateMutex%c %s %u %s", suffix(), s, rnd(2), n);
    else if (r < 24)
        snprintf(out, size, "CreateSemaphore%c %s %ld %ld %s", suffix(), s, pick(inits, 7),
                 pick(maxes, 7), n);
    else if (r < 26)
        snprintf(out, size, "CreateFileMappingA %s %s", s, n);
    else if (r < 35)
        snprintf(out, size, "Open%s%c %s %s%s", types[rnd(3)], suffix(), s, n,
                 rnd(5)   ? ""
                 : rnd(2) ? " sync"
                          : " modify");
    else if (r < 36)
        snprintf(out, size, "OpenFileMappingA %s %s", s, n);
    else if (r < 41)
        snprintf(out, size, "SetEvent %s", s);
    else if (r < 44)
        snprintf(out, size, "ResetEvent %s", s);
    else if (r < 47)
        snprintf(out, size, "PulseEvent %s", s);
    else if (r < 53)
        snprintf(out, size, "ReleaseMutex %s", s);
    else if (r < 60)
        snprintf(out, size, "ReleaseSemaphore %s %ld", s, pick(counts, 8));
    else if (r < 71)
        snprintf(out, size, "WaitForSingleObject %s", s);
    else if (r < 81) {
        int len = snprintf(out, size, "WaitForMultipleObjects %s", rnd(2) ? "all" : "any");
        uint32_t count = rnd(30) == 0 ? 0 : 1 + rnd(4);
        for (uint32_t i = 0; i < count; i++)
            len += snprintf(out + len, size - (size_t)len, " s%u", pick_slot());
    } else if (r < 85)
        snprintf(out, size, "SignalObjectAndWait %s %s", s, s2);
    else if (r < 90)
        snprintf(out, size, "DuplicateHandle %s %s %u", s, s2, rnd(4) == 0);
    else if (r < 97) {
        snprintf(out, size, "CloseHandle %s", s);
        assigned[atoi(s + 1)] = 0;
    } else if (r < 98)
        snprintf(out, size, "GetHandleInformation %s", s);
    else
        snprintf(out, size, "SetHandleInformation %s 1 %u", s, rnd(2));
}

static void run_line(struct dt_state *st, const char *line)
{
    char result[128];
    if (dt_exec(st, line, result, sizeof result) == 0)
        printf("%s => %s\n", line, result);
    else
        printf("%s => BAD-LINE\n", line);
}

static int run_random(unsigned long seed, unsigned long count, unsigned long length)
{
    struct dt_state st;
    char line[160];
    for (unsigned long i = 0; i < count; i++) {
        unsigned long seq = seed + i;
        seed_rng(seq);
        memset(assigned, 0, sizeof assigned);
        printf("# seq %lu\n", seq);
        dt_begin(&st, seq);
        for (unsigned long k = 0; k < length; k++) {
            generate(line, sizeof line);
            run_line(&st, line);
        }
        dt_end(&st);
    }
    return 0;
}

static int replay(FILE *in)
{
    struct dt_state st;
    char line[256];
    dt_begin(&st, 0);
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\r\n")] = 0;
        char *cut = strstr(line, " =>");
        if (cut)
            *cut = 0;
        unsigned long seq;
        if (sscanf(line, "# seq %lu", &seq) == 1) {
            dt_end(&st);
            dt_begin(&st, seq);
            printf("%s\n", line);
        } else if (line[0] && line[0] != '#') {
            run_line(&st, line);
        }
    }
    dt_end(&st);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--replay") == 0) {
        if (strcmp(argv[2], "-") == 0)
            return replay(stdin);
        FILE *f = fopen(argv[2], "r");
        if (!f) {
            fprintf(stderr, "difftest: cannot open %s\n", argv[2]);
            return 2;
        }
        int r = replay(f);
        fclose(f);
        return r;
    }
    if (argc == 3 || argc == 4) {
        unsigned long length = argc == 4 ? strtoul(argv[3], NULL, 10) : 30;
        return run_random(strtoul(argv[1], NULL, 10), strtoul(argv[2], NULL, 10), length);
    }
    fprintf(stderr, "usage: difftest SEED COUNT [LENGTH] | difftest --replay FILE|-\n");
    return 2;
}
