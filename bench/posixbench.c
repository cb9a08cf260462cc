/*
 * posixbench - the POSIX baselines that winsync's rows are compared with, run in the same
 * bench/run session: a robust process-shared pthread mutex, sem_t, and a raw futex
 * ping-pong between two processes; for the intra-process rows, a private pthread mutex,
 * rwlock and condition variable, and a private futex between two threads. (POSIX message
 * queues and pipes: bench/queue.)
 */
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

double bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Everything a row shares between its processes, in one MAP_SHARED page. */
struct shared {
    pthread_mutex_t mutex;
    sem_t sem_to_child;
    sem_t sem_to_parent;
    _Atomic uint32_t turn; /* futex word: TURN_PARENT or TURN_CHILD */
    _Atomic int quit;
    pid_t child;
};

enum { TURN_PARENT = 0, TURN_CHILD = 1 };

static struct shared *map_shared(void)
{
    void *p = mmap(NULL, sizeof(struct shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                   -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        return NULL;
    }
    return memset(p, 0, sizeof(struct shared));
}

static void unmap_shared(struct shared *s)
{
    munmap(s, sizeof *s);
}

/* ---- Robust process-shared pthread mutex: lock + unlock, uncontended ---- */

static void *mutex_setup(void)
{
    struct shared *s = map_shared();
    if (!s)
        return NULL;
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    int err = pthread_mutex_init(&s->mutex, &attr);
    pthread_mutexattr_destroy(&attr);
    if (err != 0) {
        fprintf(stderr, "pthread_mutex_init: %s\n", strerror(err));
        unmap_shared(s);
        return NULL;
    }
    return s;
}

static int mutex_batch(void *ctx, long n)
{
    struct shared *s = ctx;
    for (long i = 0; i < n; i++) {
        int err = pthread_mutex_lock(&s->mutex);
        if (err != 0) {
            fprintf(stderr, "pthread_mutex_lock: %s\n", strerror(err));
            return -1;
        }
        pthread_mutex_unlock(&s->mutex);
    }
    return 0;
}

static void mutex_teardown(void *ctx)
{
    struct shared *s = ctx;
    pthread_mutex_destroy(&s->mutex);
    unmap_shared(s);
}

/* ---- Process-shared sem_t: post + wait, uncontended ---- */

static void *sem_setup(void)
{
    struct shared *s = map_shared();
    if (s && (sem_init(&s->sem_to_child, 1, 0) != 0 || sem_init(&s->sem_to_parent, 1, 0) != 0)) {
        perror("sem_init");
        unmap_shared(s);
        return NULL;
    }
    return s;
}

static int sem_batch(void *ctx, long n)
{
    struct shared *s = ctx;
    for (long i = 0; i < n; i++) {
        sem_post(&s->sem_to_child);
        if (sem_wait(&s->sem_to_child) != 0) {
            perror("sem_wait");
            return -1;
        }
    }
    return 0;
}

static void sem_teardown(void *ctx)
{
    struct shared *s = ctx;
    sem_destroy(&s->sem_to_child);
    sem_destroy(&s->sem_to_parent);
    unmap_shared(s);
}

/* ---- A timerfd already due: timerfd_settime (a past absolute time) + read ---- */

static int timerfd_value; /* the fd + 1, so that 0 means none */

static void *timerfd_setup(void)
{
    int fd = timerfd_create(CLOCK_MONOTONIC, 0);
    if (fd < 0) {
        perror("timerfd_create");
        return NULL;
    }
    timerfd_value = fd + 1;
    return &timerfd_value;
}

static int timerfd_batch(void *ctx, long n)
{
    int fd = *(int *)ctx - 1;
    struct itimerspec due = {.it_value = {0, 1}}; /* 1 ns after boot: already past */
    for (long i = 0; i < n; i++) {
        uint64_t expiries;
        if (timerfd_settime(fd, TFD_TIMER_ABSTIME, &due, NULL) != 0 ||
            read(fd, &expiries, sizeof expiries) != (ssize_t)sizeof expiries) {
            perror("timerfd");
            return -1;
        }
    }
    return 0;
}

static void timerfd_teardown(void *ctx)
{
    close(*(int *)ctx - 1);
}

/* ---- Two processes: a child that echoes until told to quit ---- */

static int start_child(struct shared *s, void (*echo)(struct shared *))
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return -1;
    }
    if (pid == 0) {
        echo(s);
        _exit(0);
    }
    s->child = pid;
    return 0;
}

static void reap_child(struct shared *s)
{
    int status;
    if (waitpid(s->child, &status, 0) != s->child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fprintf(stderr, "child %ld did not exit cleanly\n", (long)s->child);
}

/* ---- Raw futex ping-pong: one shared word, FUTEX_WAIT / FUTEX_WAKE (not private) ---- */

static void futex_wait(_Atomic uint32_t *word, uint32_t expected)
{
    syscall(SYS_futex, word, FUTEX_WAIT, expected, NULL, NULL, 0);
}

static void futex_wake(_Atomic uint32_t *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* Hands the turn to the other side and sleeps until it comes back. */
static void futex_pass(_Atomic uint32_t *turn, uint32_t mine, uint32_t theirs)
{
    atomic_store(turn, theirs);
    futex_wake(turn);
    while (atomic_load(turn) != mine)
        futex_wait(turn, theirs);
}

static void futex_echo(struct shared *s)
{
    for (;;) {
        while (atomic_load(&s->turn) != TURN_CHILD)
            futex_wait(&s->turn, TURN_PARENT);
        if (atomic_load(&s->quit))
            return;
        atomic_store(&s->turn, TURN_PARENT);
        futex_wake(&s->turn);
    }
}

static int futex_batch(void *ctx, long n)
{
    struct shared *s = ctx;
    for (long i = 0; i < n; i++)
        futex_pass(&s->turn, TURN_PARENT, TURN_CHILD);
    return 0;
}

static void futex_teardown(void *ctx)
{
    struct shared *s = ctx;
    atomic_store(&s->quit, 1);
    atomic_store(&s->turn, TURN_CHILD);
    futex_wake(&s->turn);
    reap_child(s);
    unmap_shared(s);
}

static void *futex_setup(void)
{
    struct shared *s = map_shared();
    if (!s)
        return NULL;
    if (start_child(s, futex_echo) != 0) {
        unmap_shared(s);
        return NULL;
    }
    futex_batch(s, 1); /* the child is up before anything is timed */
    return s;
}

/* ---- sem_t hand-off between two processes ---- */

static void sem_echo(struct shared *s)
{
    for (;;) {
        while (sem_wait(&s->sem_to_child) != 0)
            if (errno != EINTR)
                _exit(1);
        if (atomic_load(&s->quit))
            return;
        sem_post(&s->sem_to_parent);
    }
}

static int handoff_batch(void *ctx, long n)
{
    struct shared *s = ctx;
    for (long i = 0; i < n; i++) {
        sem_post(&s->sem_to_child);
        while (sem_wait(&s->sem_to_parent) != 0) {
            if (errno != EINTR) {
                perror("sem_wait");
                return -1;
            }
        }
    }
    return 0;
}

static void handoff_teardown(void *ctx)
{
    struct shared *s = ctx;
    atomic_store(&s->quit, 1);
    sem_post(&s->sem_to_child);
    reap_child(s);
    sem_teardown(s);
}

static void *handoff_setup(void)
{
    struct shared *s = sem_setup();
    if (!s)
        return NULL;
    if (start_child(s, sem_echo) != 0) {
        sem_teardown(s);
        return NULL;
    }
    if (handoff_batch(s, 1) != 0) { /* the child is up before anything is timed */
        handoff_teardown(s);
        return NULL;
    }
    return s;
}

/* ---- Private (one-process) pthread primitives, uncontended: one thread ---- */

struct private_locks {
    pthread_mutex_t mutex;
    pthread_rwlock_t rwlock;
};

static void *private_setup(void)
{
    struct private_locks *p = malloc(sizeof *p);
    if (!p)
        return NULL;
    pthread_mutex_init(&p->mutex, NULL);
    pthread_rwlock_init(&p->rwlock, NULL);
    return p;
}

static void private_teardown(void *ctx)
{
    struct private_locks *p = ctx;
    pthread_mutex_destroy(&p->mutex);
    pthread_rwlock_destroy(&p->rwlock);
    free(p);
}

static int private_mutex_batch(void *ctx, long n)
{
    struct private_locks *p = ctx;
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&p->mutex);
        pthread_mutex_unlock(&p->mutex);
    }
    return 0;
}

static int rwlock_write_batch(void *ctx, long n)
{
    struct private_locks *p = ctx;
    for (long i = 0; i < n; i++) {
        pthread_rwlock_wrlock(&p->rwlock);
        pthread_rwlock_unlock(&p->rwlock);
    }
    return 0;
}

static int rwlock_read_batch(void *ctx, long n)
{
    struct private_locks *p = ctx;
    for (long i = 0; i < n; i++) {
        pthread_rwlock_rdlock(&p->rwlock);
        pthread_rwlock_unlock(&p->rwlock);
    }
    return 0;
}

/* ---- Two threads of one process passing a turn: pthread_cond, or a raw private futex ---- */

struct thread_turns {
    pthread_mutex_t mutex;
    pthread_cond_t changed;
    _Atomic uint32_t turn; /* TURN_PARENT: the timed thread's, TURN_CHILD: the echo thread's */
    _Atomic int quit;
    int use_futex;
    pthread_t echo;
};

static void private_futex_wait(_Atomic uint32_t *word, uint32_t expected)
{
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

static void private_futex_wake(_Atomic uint32_t *word)
{
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void thread_await_turn(struct thread_turns *t, uint32_t mine)
{
    if (t->use_futex) {
        uint32_t seen;
        while ((seen = atomic_load(&t->turn)) != mine)
            private_futex_wait(&t->turn, seen);
        return;
    }
    pthread_mutex_lock(&t->mutex);
    while (atomic_load(&t->turn) != mine)
        pthread_cond_wait(&t->changed, &t->mutex);
    pthread_mutex_unlock(&t->mutex);
}

static void thread_give_turn(struct thread_turns *t, uint32_t theirs)
{
    if (t->use_futex) {
        atomic_store(&t->turn, theirs);
        private_futex_wake(&t->turn);
        return;
    }
    pthread_mutex_lock(&t->mutex);
    atomic_store(&t->turn, theirs);
    pthread_mutex_unlock(&t->mutex);
    pthread_cond_signal(&t->changed);
}

static void *thread_echo(void *arg)
{
    struct thread_turns *t = arg;
    for (;;) {
        thread_await_turn(t, TURN_CHILD);
        if (atomic_load(&t->quit))
            return NULL;
        thread_give_turn(t, TURN_PARENT);
    }
}

static int thread_turns_batch(void *ctx, long n)
{
    struct thread_turns *t = ctx;
    for (long i = 0; i < n; i++) {
        thread_give_turn(t, TURN_CHILD);
        thread_await_turn(t, TURN_PARENT);
    }
    return 0;
}

static void thread_turns_teardown(void *ctx)
{
    struct thread_turns *t = ctx;
    atomic_store(&t->quit, 1);
    thread_give_turn(t, TURN_CHILD);
    pthread_join(t->echo, NULL);
    pthread_cond_destroy(&t->changed);
    pthread_mutex_destroy(&t->mutex);
    free(t);
}

static void *thread_turns_setup(int use_futex)
{
    struct thread_turns *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    pthread_mutex_init(&t->mutex, NULL);
    pthread_cond_init(&t->changed, NULL);
    t->use_futex = use_futex;
    int err = pthread_create(&t->echo, NULL, thread_echo, t);
    if (err != 0) {
        fprintf(stderr, "pthread_create: %s\n", strerror(err));
        free(t);
        return NULL;
    }
    thread_turns_batch(t, 1); /* the echo thread is up before anything is timed */
    return t;
}

static void *cond_turns_setup(void)
{
    return thread_turns_setup(0);
}

static void *futex_turns_setup(void)
{
    return thread_turns_setup(1);
}

static const struct bench_row rows[] = {
    {"pthread-robust-mutex", "robust process-shared pthread mutex lock+unlock, uncontended",
     mutex_setup, mutex_batch, mutex_teardown},
    {"sem-post-wait", "process-shared sem_t sem_post+sem_wait, uncontended", sem_setup, sem_batch,
     sem_teardown},
    {"timerfd-due", "timerfd_settime (an absolute time already past) + read, one thread",
     timerfd_setup, timerfd_batch, timerfd_teardown},
    {"futex-pingpong", "round trip between two processes on one shared futex word", futex_setup,
     futex_batch, futex_teardown},
    {"sem-handoff", "round trip between two processes through two process-shared sem_t",
     handoff_setup, handoff_batch, handoff_teardown},
    {"pthread-mutex", "default (private) pthread mutex lock+unlock, uncontended", private_setup,
     private_mutex_batch, private_teardown},
    {"pthread-rwlock-write", "pthread_rwlock_wrlock+unlock, uncontended", private_setup,
     rwlock_write_batch, private_teardown},
    {"pthread-rwlock-read", "pthread_rwlock_rdlock+unlock, uncontended", private_setup,
     rwlock_read_batch, private_teardown},
    {"cond-pingpong", "round trip between two threads: pthread mutex + pthread_cond",
     cond_turns_setup, thread_turns_batch, thread_turns_teardown},
    {"futex-thread-pingpong", "round trip between two threads on one private futex word",
     futex_turns_setup, thread_turns_batch, thread_turns_teardown},
};

int main(int argc, char **argv)
{
    return bench_main(argc, argv, rows, sizeof rows / sizeof rows[0]);
}
