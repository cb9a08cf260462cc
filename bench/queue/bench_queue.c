/*
 * bench_queue.c - messages per second through lab 05's queue, beside a POSIX message queue and
 * a pipe, in the same run: 1 producer x 1 consumer and 4 x 4 processes, 64-byte messages.
 * The queue is whichever queue.c the build links: yours in a handout whose build lists lab 05
 * in WINSYNC_STUDENT_LABS, otherwise the reference solution.
 *
 *   bench-queue [messages] [runs] [ROW...]   defaults: 200000 messages, median of 3 runs, all rows
 *
 * Exit status: 0 when every selected row ran, 1 when one failed (its line says FAILED), 2 on
 * bad arguments.
 *
 * Output, one line per row (lines starting with '#' are comments):
 *   queue-1x1 <msgs/s>
 *   mq-1x1 <msgs/s>
 *   ...
 */
#include <errno.h>
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "queue.h"

#define MESSAGE_SIZE 64
#define CAPACITY 64
#define MAX_WORKERS 8

enum transport { QUEUE, MQ, PIPE };

struct scenario {
    enum transport transport;
    int producers, consumers;
    long messages;
    char name[64]; /* of the queue or message queue */
    long mq_capacity;
    int pipe_fds[2];
};

/* Move `count` messages in (producer) or out (consumer). Returns 0 on success. */
static int run_worker(struct scenario *s, int producer, long count)
{
    char msg[MESSAGE_SIZE];
    memset(msg, 'x', sizeof msg);
    if (s->transport == QUEUE) {
        queue_t *q = queue_initialize(s->name, CAPACITY, MESSAGE_SIZE);
        if (q == NULL)
            return 2;
        uint32_t size;
        for (long i = 0; i < count; i++) {
            DWORD r = producer ? queue_push_back(q, msg, sizeof msg, INFINITE)
                               : queue_pop_front(q, msg, sizeof msg, &size, INFINITE);
            if (r != WAIT_OBJECT_0)
                return 3;
        }
        queue_destroy(q);
        return 0;
    }
    if (s->transport == MQ) {
        mqd_t mq = mq_open(s->name, producer ? O_WRONLY : O_RDONLY);
        if (mq == (mqd_t)-1)
            return 2;
        for (long i = 0; i < count; i++) {
            if (producer ? mq_send(mq, msg, sizeof msg, 0) != 0
                         : mq_receive(mq, msg, sizeof msg, NULL) != (ssize_t)sizeof msg)
                return 3;
        }
        mq_close(mq);
        return 0;
    }
    /* A pipe: 64-byte writes are atomic (<= PIPE_BUF), so reads of 64 get whole messages. */
    int fd = s->pipe_fds[producer ? 1 : 0];
    for (long i = 0; i < count; i++) {
        ssize_t n = producer ? write(fd, msg, sizeof msg) : read(fd, msg, sizeof msg);
        if (n != (ssize_t)sizeof msg)
            return 3;
    }
    return 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One timed run; returns messages per second, or a negative value on failure. */
static double run_once(struct scenario *s)
{
    queue_t *q = NULL;
    mqd_t mq = (mqd_t)-1;
    snprintf(s->name, sizeof s->name, "/bench-queue-%ld-%d%d%d", (long)getpid(), s->transport,
             s->producers, s->consumers);
    if (s->transport == QUEUE && (q = queue_initialize(s->name, CAPACITY, MESSAGE_SIZE)) == NULL)
        return -1;
    if (s->transport == MQ) {
        struct mq_attr attr = {.mq_maxmsg = CAPACITY, .mq_msgsize = MESSAGE_SIZE};
        mq = mq_open(s->name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
        if (mq == (mqd_t)-1 && errno == EINVAL) { /* above fs.mqueue.msg_max */
            attr.mq_maxmsg = 10;
            mq = mq_open(s->name, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
        }
        if (mq == (mqd_t)-1)
            return -1;
        s->mq_capacity = attr.mq_maxmsg;
    }
    if (s->transport == PIPE && pipe(s->pipe_fds) != 0)
        return -1;

    int start[2];
    if (pipe(start) != 0)
        return -1;
    pid_t pids[2 * MAX_WORKERS];
    int workers = s->producers + s->consumers;
    fflush(NULL);
    for (int i = 0; i < workers; i++) {
        int producer = i < s->producers;
        long count = s->messages / (producer ? s->producers : s->consumers);
        pids[i] = fork();
        if (pids[i] == 0) {
            char byte;
            close(start[1]);
            if (read(start[0], &byte, 1) < 0) /* EOF: everyone starts together */
                _exit(4);
            _exit(run_worker(s, producer, count));
        }
    }
    close(start[0]);
    double t0 = now_seconds();
    close(start[1]);
    int failed = 0;
    for (int i = 0; i < workers; i++) {
        int status;
        waitpid(pids[i], &status, 0);
        failed |= !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    double elapsed = now_seconds() - t0;
    if (q)
        queue_destroy(q);
    if (mq != (mqd_t)-1) {
        mq_close(mq);
        mq_unlink(s->name);
    }
    if (s->transport == PIPE) {
        close(s->pipe_fds[0]);
        close(s->pipe_fds[1]);
    }
    return failed ? -1 : s->messages / elapsed;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void usage(FILE *to, const char *prog)
{
    fprintf(to,
            "usage: %s [messages] [runs] [ROW...]\n"
            "Moves messages of %d bytes through lab 05's queue (the queue.c this build links:\n"
            "yours when WINSYNC_STUDENT_LABS lists 05, else the reference), a POSIX message\n"
            "queue and a pipe; prints '<row> <messages per second>' (median of the runs).\n"
            "Rows: queue-1x1 mq-1x1 pipe-1x1 queue-4x4 mq-4x4 pipe-4x4 (default: all).\n"
            "Defaults: 200000 messages, 3 runs. Exit status 1 when a row FAILED.\n",
            prog, MESSAGE_SIZE);
}

static const char *const ROWS[] = {"queue-1x1", "mq-1x1", "pipe-1x1",
                                   "queue-4x4", "mq-4x4", "pipe-4x4"};

static int is_known(const char *row)
{
    for (size_t i = 0; i < sizeof ROWS / sizeof *ROWS; i++)
        if (strcmp(ROWS[i], row) == 0)
            return 1;
    return 0;
}

static int is_selected(const char *row, int argc, char **argv)
{
    for (int i = 3; i < argc; i++)
        if (strcmp(argv[i], row) == 0)
            return 1;
    return argc <= 3;
}

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout, argv[0]);
        return 0;
    }
    long messages = argc > 1 ? atol(argv[1]) : 200000;
    int runs = argc > 2 ? atoi(argv[2]) : 3;
    if (messages < 16 || runs < 1 || runs > 99) {
        usage(stderr, argv[0]);
        return 2;
    }
    for (int i = 3; i < argc; i++) {
        if (!is_known(argv[i])) {
            fprintf(stderr, "%s: unknown row '%s' (see --help)\n", argv[0], argv[i]);
            return 2;
        }
    }
    messages -= messages % 4; /* 4x4 splits it evenly */
    static const char *names[] = {"queue", "mq", "pipe"};
    const int shapes[][2] = {{1, 1}, {4, 4}};
    printf("# %ld messages of %d bytes per run, median of %d runs; queue capacity %d\n", messages,
           MESSAGE_SIZE, runs, CAPACITY);
    int status = 0;
    for (size_t shape = 0; shape < 2; shape++) {
        for (int t = QUEUE; t <= PIPE; t++) {
            struct scenario s = {.transport = t,
                                 .producers = shapes[shape][0],
                                 .consumers = shapes[shape][1],
                                 .messages = messages};
            char row[32];
            snprintf(row, sizeof row, "%s-%dx%d", names[t], s.producers, s.consumers);
            if (!is_selected(row, argc, argv))
                continue;
            double rates[99];
            int ok = 1;
            for (int r = 0; r < runs; r++) {
                rates[r] = run_once(&s);
                ok &= rates[r] > 0;
            }
            qsort(rates, runs, sizeof *rates, compare);
            if (!ok) {
                printf("%s FAILED\n", row);
                status = 1;
                continue;
            }
            if (t == MQ && s.mq_capacity != CAPACITY)
                printf("# mq capacity %ld (fs.mqueue.msg_max)\n", s.mq_capacity);
            printf("%s %.0f\n", row, rates[runs / 2]);
            fflush(stdout);
        }
    }
    return status;
}
