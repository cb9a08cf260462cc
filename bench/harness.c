#include "harness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bench_options {
    double time_ms; /* target duration of one timed batch */
    int reps;       /* timed batches per row */
    int verbose;    /* report the calibrated batch size on stderr (for profiling) */
    long ops;       /* > 0: one batch of exactly this many operations, no calibration */
};

static void usage(const char *prog, const struct bench_row *rows, size_t count)
{
    printf("usage: %s [--time-ms MS] [--reps N] [--ops N] [--verbose] [--list] [ROW...]\n"
           "Prints one line per timed batch: <row> <ns per operation>.\n"
           "--ops N runs one batch of exactly N operations without calibrating (for counting\n"
           "instructions or context switches per operation under valgrind or perf stat).\n"
           "--verbose also prints the operations per batch on stderr.\n"
           "Rows (default: all):\n",
           prog);
    for (size_t i = 0; i < count; i++)
        printf("  %-22s %s\n", rows[i].name, rows[i].what);
}

static double median3(const double v[3])
{
    double lo = v[0] < v[1] ? v[0] : v[1], hi = v[0] < v[1] ? v[1] : v[0];
    return v[2] < lo ? lo : v[2] > hi ? hi : v[2];
}

/* Finds how many operations fill one batch of opt->time_ms, from the median rate of the
 * last three doubling batches: on a loaded machine one batch can lose a whole time slice,
 * and that alone must not set the size of every timed batch. The calibration batches
 * double as warm-up. Returns 0 on failure. */
static long calibrate(const struct bench_row *row, void *ctx, const struct bench_options *opt)
{
    double target_ns = opt->time_ms * 1e6;
    double spent = 0, per_op[3] = {0, 0, 0};
    for (long n = 1, k = 0;; n *= 2, k++) {
        double start = bench_now_ns();
        if (row->batch(ctx, n) != 0)
            return 0;
        double elapsed = bench_now_ns() - start;
        per_op[k % 3] = elapsed / (double)n;
        spent += elapsed;
        if ((spent >= target_ns / 4 && n >= 16) || n >= (1L << 30))
            break;
    }
    double rate = median3(per_op);
    double n = target_ns / (rate > 0.01 ? rate : 0.01);
    return n < 1 ? 1 : n > (double)(1L << 30) ? (1L << 30) : (long)n;
}

static int run_row(const struct bench_row *row, const struct bench_options *opt)
{
    void *ctx = row->setup ? row->setup() : NULL;
    if (row->setup && !ctx) {
        fprintf(stderr, "%s: setup failed\n", row->name);
        return -1;
    }
    int status = 0;
    long n = opt->ops > 0 ? opt->ops : calibrate(row, ctx, opt);
    if (n == 0)
        status = -1;
    else if (opt->verbose)
        fprintf(stderr, "%s: %ld operations per batch\n", row->name, n);
    for (int rep = 0; status == 0 && rep < opt->reps; rep++) {
        double start = bench_now_ns();
        if (row->batch(ctx, n) != 0) {
            status = -1;
            break;
        }
        double elapsed = bench_now_ns() - start;
        printf("%s %.2f\n", row->name, elapsed / (double)n);
        fflush(stdout);
    }
    if (row->teardown)
        row->teardown(ctx);
    if (status != 0)
        fprintf(stderr, "%s: failed\n", row->name);
    return status;
}

static int is_selected(const char *name, int argc, char **argv, int first_name)
{
    if (first_name >= argc)
        return 1;
    for (int i = first_name; i < argc; i++)
        if (strcmp(argv[i], name) == 0)
            return 1;
    return 0;
}

int bench_main(int argc, char **argv, const struct bench_row *rows, size_t count)
{
    struct bench_options opt = {.time_ms = 200, .reps = 1};
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--time-ms") == 0 && i + 1 < argc) {
            opt.time_ms = atof(argv[++i]);
        } else if (strcmp(argv[i], "--reps") == 0 && i + 1 < argc) {
            opt.reps = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--ops") == 0 && i + 1 < argc) {
            opt.ops = atol(argv[++i]);
            if (opt.ops <= 0) {
                usage(argv[0], rows, count);
                return 2;
            }
        } else if (strcmp(argv[i], "--verbose") == 0) {
            opt.verbose = 1;
        } else if (strcmp(argv[i], "--list") == 0) {
            for (size_t r = 0; r < count; r++)
                printf("%s\n", rows[r].name);
            return 0;
        } else if (strcmp(argv[i], "--help") == 0) {
            usage(argv[0], rows, count);
            return 0;
        } else {
            usage(argv[0], rows, count);
            return 2;
        }
    }
    if (opt.time_ms <= 0 || opt.reps <= 0) {
        usage(argv[0], rows, count);
        return 2;
    }
    for (int k = i; k < argc; k++) {
        size_t r = 0;
        while (r < count && strcmp(rows[r].name, argv[k]) != 0)
            r++;
        if (r == count) {
            fprintf(stderr, "unknown row: %s\n", argv[k]);
            return 2;
        }
    }
    int status = 0;
    for (size_t r = 0; r < count; r++)
        if (is_selected(rows[r].name, argc, argv, i) && run_row(&rows[r], &opt) != 0)
            status = 1;
    return status;
}
