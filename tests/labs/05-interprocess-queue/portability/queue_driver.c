/*
 * queue_driver.c - the portability proof of lab 05: plain Win32, no Criterion.
 *
 * The same source builds with x86_64-w64-mingw32-gcc (run under Wine, or on Windows) and on
 * Linux against winsync. The parent checks the single-process contract, then starts producer
 * and consumer processes of itself with CreateProcess and checks every message they move
 * (sequence, checksum, none lost or duplicated), then kills random producers and consumers
 * with TerminateProcess while they work and checks that the queue survived.
 *
 *   queue_driver [producers consumers messages kills]     the parent (defaults 4 4 20000 20)
 *   queue_driver producer QUEUE INCARNATION COUNT          internal: started by the parent
 *   queue_driver consumer QUEUE                            internal: started by the parent
 *
 * Exits 0 and prints "PASS ..." when every check held; prints "FAIL: ..." and exits 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <windows.h>

#include "queue.h"

#ifdef __linux__ /* against winsync: say where a child that does not end is stuck */
#include <dirent.h>
#endif

#define CAPACITY 16
#define MESSAGE_SIZE 64
#define HEADER_BYTES 12           /* producer, sequence, checksum */
#define STOP_PRODUCER 0xFFFFFFFFu /* a message from this producer tells a consumer to stop */
#define MAX_INCARNATIONS 128      /* producers started over a whole run */
#define MAX_SEQUENCE 50000        /* messages per producer */
#define MAX_CHILDREN 32

/* Shared with the children through the mapping "<queue>:results". */
struct results {
    volatile LONG stop;   /* churn phase: children finish their operation and exit */
    volatile LONG errors; /* messages that failed their checksum or order */
    volatile LONG pushed[MAX_INCARNATIONS];             /* pushes each producer saw succeed */
    volatile LONG seen[MAX_INCARNATIONS][MAX_SEQUENCE]; /* pops of each message */
};

static const char *self_path;
static struct results *results;
static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL: %s:%d: ", __FILE__, __LINE__);                                           \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            fflush(stdout);                                                                        \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* ---- Messages: 16..64 bytes, self-checking ------------------------------------------------ */

static DWORD fnv1a(const BYTE *bytes, size_t length, DWORD hash)
{
    for (size_t i = 0; i < length; i++)
        hash = (hash ^ bytes[i]) * 16777619u;
    return hash;
}

static uint32_t make_message(BYTE *msg, DWORD producer, DWORD sequence)
{
    uint32_t size = 16 + (producer * 7 + sequence) % (MESSAGE_SIZE - 15);
    memcpy(msg, &producer, 4);
    memcpy(msg + 4, &sequence, 4);
    for (uint32_t i = HEADER_BYTES; i < size; i++)
        msg[i] = (BYTE)(sequence * 31 + producer * 17 + i);
    DWORD sum = fnv1a(msg, 8, 2166136261u);
    sum = fnv1a(msg + HEADER_BYTES, size - HEADER_BYTES, sum);
    memcpy(msg + 8, &sum, 4);
    return size;
}

/* Is this a message make_message() built, of the right size? */
static BOOL message_valid(const BYTE *msg, uint32_t size, DWORD *producer, DWORD *sequence)
{
    BYTE expected[MESSAGE_SIZE];
    if (size < 16)
        return FALSE;
    memcpy(producer, msg, 4);
    memcpy(sequence, msg + 4, 4);
    if (*producer >= MAX_INCARNATIONS || *sequence >= MAX_SEQUENCE)
        return FALSE;
    return make_message(expected, *producer, *sequence) == size && !memcmp(expected, msg, size);
}

/* ---- Children ---------------------------------------------------------------------------- */

static struct results *open_results(const char *queue_name, HANDLE *mapping)
{
    char name[MAX_PATH];
    snprintf(name, sizeof name, "%s:results", queue_name);
    *mapping = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                  sizeof(struct results), name);
    if (*mapping == NULL)
        return NULL;
    return MapViewOfFile(*mapping, FILE_MAP_ALL_ACCESS, 0, 0, 0);
}

static int run_producer(const char *queue_name, DWORD incarnation, DWORD count)
{
    queue_t *q = queue_initialize(queue_name, CAPACITY, MESSAGE_SIZE);
    if (q == NULL || incarnation >= MAX_INCARNATIONS || count > MAX_SEQUENCE)
        return 2;
    BYTE msg[MESSAGE_SIZE];
    for (DWORD seq = 0; seq < count && !results->stop; seq++) {
        uint32_t size = make_message(msg, incarnation, seq);
        /* Finite waits, so that a stop request is noticed while the queue is full. */
        DWORD r;
        while ((r = queue_push_back(q, msg, size, 50)) == WAIT_TIMEOUT && !results->stop)
            ;
        if (r == WAIT_TIMEOUT)
            break;
        if (r != WAIT_OBJECT_0)
            return 3;
        InterlockedExchange(&results->pushed[incarnation], (LONG)seq + 1);
    }
    queue_destroy(q);
    return 0;
}

static int run_consumer(const char *queue_name)
{
    queue_t *q = queue_initialize(queue_name, CAPACITY, MESSAGE_SIZE);
    if (q == NULL)
        return 2;
    LONG last[MAX_INCARNATIONS];
    for (int i = 0; i < MAX_INCARNATIONS; i++)
        last[i] = -1;
    BYTE msg[MESSAGE_SIZE];
    for (;;) {
        uint32_t size = 0;
        DWORD r = queue_pop_front(q, msg, sizeof msg, &size, 50);
        if (r == WAIT_TIMEOUT) {
            if (results->stop)
                break;
            continue;
        }
        if (r != WAIT_OBJECT_0)
            return 3;
        DWORD producer, seq;
        memcpy(&producer, msg, 4);
        if (producer == STOP_PRODUCER)
            break;
        if (!message_valid(msg, size, &producer, &seq) || (LONG)seq <= last[producer]) {
            InterlockedIncrement(&results->errors);
            continue;
        }
        last[producer] = (LONG)seq; /* FIFO: one consumer sees a producer's messages in order */
        InterlockedIncrement(&results->seen[producer][seq]);
    }
    queue_destroy(q);
    return 0;
}

/* ---- Parent ------------------------------------------------------------------------------- */

static HANDLE start_child(const char *arguments)
{
    char command[2 * MAX_PATH];
    snprintf(command, sizeof command, "\"%s\" %s", self_path, arguments);
    STARTUPINFOA startup;
    PROCESS_INFORMATION info;
    memset(&startup, 0, sizeof startup);
    startup.cb = sizeof startup;
    if (!CreateProcessA(self_path, command, NULL, NULL, FALSE, 0, NULL, NULL, &startup, &info)) {
        printf("FAIL: CreateProcess(%s): error %lu\n", command, (unsigned long)GetLastError());
        exit(1);
    }
    CloseHandle(info.hThread);
    return info.hProcess;
}

#ifdef __linux__
/* Print each thread's state, kernel wait channel and system call (a rare hang's only trace). */
static void describe_stuck_child(DWORD pid)
{
    char path[320], line[256];
    snprintf(path, sizeof path, "/proc/%lu/task", (unsigned long)pid);
    DIR *tasks = opendir(path);
    struct dirent *task;
    while (tasks && (task = readdir(tasks)) != NULL) {
        if (task->d_name[0] == '.')
            continue;
        const char *files[] = {"stat", "wchan", "syscall"};
        printf("  child %lu thread %s:", (unsigned long)pid, task->d_name);
        for (int i = 0; i < 3; i++) {
            snprintf(path, sizeof path, "/proc/%lu/task/%s/%s", (unsigned long)pid, task->d_name,
                     files[i]);
            FILE *f = fopen(path, "r");
            if (f && fgets(line, sizeof line, f))
                printf(" %s=%.*s", files[i], (int)strcspn(line, "\n"), line);
            if (f)
                fclose(f);
        }
        printf("\n");
    }
    if (tasks)
        closedir(tasks);
}
#endif

/* Wait for a child; returns its exit code, or 999 if it did not end within 60 s. */
static DWORD finish_child(HANDLE process)
{
    DWORD code = 999;
    if (WaitForSingleObject(process, 60000) == WAIT_OBJECT_0) {
        GetExitCodeProcess(process, &code);
    } else {
        printf("child %lu did not end within 60 s\n", (unsigned long)GetProcessId(process));
#ifdef __linux__
        describe_stuck_child(GetProcessId(process));
#endif
        TerminateProcess(process, 999);
    }
    CloseHandle(process);
    return code;
}

static void check_contract(const char *base)
{
    char name[MAX_PATH];
    snprintf(name, sizeof name, "%s-contract", base);
    queue_t *q = queue_initialize(name, CAPACITY, MESSAGE_SIZE);
    CHECK(q != NULL, "queue_initialize: error %lu", (unsigned long)GetLastError());
    if (q == NULL)
        return;
    BYTE msg[MESSAGE_SIZE], buf[MESSAGE_SIZE];
    uint32_t size;
    for (DWORD i = 0; i < CAPACITY; i++) {
        uint32_t length = make_message(msg, 0, i);
        CHECK(queue_push_back(q, msg, length, 0) == WAIT_OBJECT_0, "push %lu of %d",
              (unsigned long)i + 1, CAPACITY);
    }
    CHECK(queue_push_back(q, msg, 16, 0) == WAIT_TIMEOUT, "push into a full queue must time out");
    CHECK(queue_push_back(q, msg, 16, 100) == WAIT_TIMEOUT, "a finite wait on a full queue");
    CHECK(queue_pop_front(q, buf, 15, &size, 0) == WAIT_FAILED &&
              GetLastError() == ERROR_INSUFFICIENT_BUFFER,
          "a small buffer fails with ERROR_INSUFFICIENT_BUFFER");
    for (DWORD i = 0; i < CAPACITY; i++) {
        DWORD producer, seq;
        CHECK(queue_pop_front(q, buf, sizeof buf, &size, 0) == WAIT_OBJECT_0 &&
                  message_valid(buf, size, &producer, &seq) && seq == i,
              "pop %lu in FIFO order", (unsigned long)i);
    }
    CHECK(queue_pop_front(q, buf, sizeof buf, &size, 0) == WAIT_TIMEOUT, "empty queue poll");
    CHECK(queue_push_back(q, msg, 0, 0) == WAIT_FAILED && GetLastError() == ERROR_INVALID_PARAMETER,
          "size 0 is rejected");
    CHECK(queue_push_back(q, msg, MESSAGE_SIZE + 1, 0) == WAIT_FAILED &&
              GetLastError() == ERROR_INVALID_PARAMETER,
          "a message above message_size is rejected");
    CHECK(queue_initialize(name, CAPACITY + 1, MESSAGE_SIZE) == NULL &&
              GetLastError() == ERROR_INVALID_PARAMETER,
          "opening with another capacity fails");
    CHECK(queue_initialize("", CAPACITY, MESSAGE_SIZE) == NULL &&
              GetLastError() == ERROR_INVALID_PARAMETER,
          "an empty name is rejected");
    queue_destroy(q);
}

/* Every message pushed was popped exactly once (or, with lost_allowed, at most once). */
static void check_results(const char *phase, int producers, LONG lost_allowed)
{
    LONG lost = 0;
    CHECK(results->errors == 0, "%s: %ld messages failed their checksum or order", phase,
          (long)results->errors);
    for (int p = 0; p < producers; p++) {
        LONG pushed = results->pushed[p];
        for (LONG s = 0; s < MAX_SEQUENCE; s++) {
            LONG seen = results->seen[p][s];
            /* A producer killed inside a push may have committed one message it never counted. */
            LONG most = s <= pushed ? 1 : 0;
            CHECK(seen <= most, "%s: producer %d message %ld popped %ld times (pushed %ld)", phase,
                  p, (long)s, (long)seen, (long)pushed);
            if (s < pushed && seen == 0)
                lost++;
        }
    }
    CHECK(lost <= lost_allowed, "%s: %ld messages lost (at most %ld allowed)", phase, (long)lost,
          (long)lost_allowed);
}

static void run_transfer(const char *base, int producers, int consumers, int messages)
{
    char name[96], arguments[MAX_PATH];
    snprintf(name, sizeof name, "%s-transfer", base);
    queue_t *q = queue_initialize(name, CAPACITY, MESSAGE_SIZE);
    HANDLE results_mapping;
    results = open_results(name, &results_mapping);
    CHECK(q != NULL && results != NULL, "transfer setup: error %lu", (unsigned long)GetLastError());
    if (q == NULL || results == NULL)
        return;
    HANDLE children[MAX_CHILDREN];
    int per_producer = messages / producers;
    for (int c = 0; c < consumers; c++) {
        snprintf(arguments, sizeof arguments, "consumer %s", name);
        children[c] = start_child(arguments);
    }
    for (int p = 0; p < producers; p++) {
        snprintf(arguments, sizeof arguments, "producer %s %d %d", name, p, per_producer);
        children[consumers + p] = start_child(arguments);
    }
    for (int p = 0; p < producers; p++)
        CHECK(finish_child(children[consumers + p]) == 0, "producer %d failed", p);
    BYTE stop[16];
    memset(stop, 0xFF, sizeof stop);
    for (int c = 0; c < consumers; c++)
        CHECK(queue_push_back(q, stop, sizeof stop, 10000) == WAIT_OBJECT_0, "stop message");
    for (int c = 0; c < consumers; c++)
        CHECK(finish_child(children[c]) == 0, "consumer %d failed", c);
    for (int p = 0; p < producers; p++)
        CHECK(results->pushed[p] == per_producer, "producer %d pushed %ld of %d", p,
              (long)results->pushed[p], per_producer);
    check_results("transfer", producers, 0);
    printf("transfer: %d producers x %d messages to %d consumers, every message checked\n",
           producers, per_producer, consumers);
    UnmapViewOfFile(results);
    CloseHandle(results_mapping);
    queue_destroy(q);
}

static void run_churn(const char *base, int kills)
{
    enum { PRODUCERS = 3, CONSUMERS = 3 };
    char name[96], arguments[MAX_PATH];
    snprintf(name, sizeof name, "%s-churn", base);
    queue_t *q = queue_initialize(name, CAPACITY, MESSAGE_SIZE);
    HANDLE results_mapping;
    results = open_results(name, &results_mapping);
    CHECK(q != NULL && results != NULL, "churn setup: error %lu", (unsigned long)GetLastError());
    if (q == NULL || results == NULL)
        return;
    HANDLE children[PRODUCERS + CONSUMERS];
    int incarnations = 0, consumer_kills = 0;
    for (int i = 0; i < PRODUCERS + CONSUMERS; i++) {
        if (i < PRODUCERS)
            snprintf(arguments, sizeof arguments, "producer %s %d %d", name, incarnations++,
                     MAX_SEQUENCE);
        else
            snprintf(arguments, sizeof arguments, "consumer %s", name);
        children[i] = start_child(arguments);
    }
    for (int k = 0; k < kills && incarnations < MAX_INCARNATIONS; k++) {
        Sleep(5 + rand() % 40);
        int victim = rand() % (PRODUCERS + CONSUMERS);
        TerminateProcess(children[victim], 9);
        WaitForSingleObject(children[victim], INFINITE);
        CloseHandle(children[victim]);
        if (victim < PRODUCERS)
            snprintf(arguments, sizeof arguments, "producer %s %d %d", name, incarnations++,
                     MAX_SEQUENCE);
        else {
            snprintf(arguments, sizeof arguments, "consumer %s", name);
            consumer_kills++;
        }
        children[victim] = start_child(arguments);
    }
    InterlockedExchange(&results->stop, 1);
    for (int i = 0; i < PRODUCERS + CONSUMERS; i++)
        CHECK(finish_child(children[i]) == 0, "churn child %d failed after the kills", i);
    /* Drain what is left, then the queue must still hold exactly CAPACITY messages. */
    BYTE buf[MESSAGE_SIZE];
    uint32_t size;
    DWORD producer, seq;
    while (queue_pop_front(q, buf, sizeof buf, &size, 0) == WAIT_OBJECT_0) {
        if (message_valid(buf, size, &producer, &seq))
            InterlockedIncrement(&results->seen[producer][seq]);
        else
            InterlockedIncrement(&results->errors);
    }
    check_results("churn", incarnations, consumer_kills);
    for (DWORD i = 0; i < CAPACITY; i++)
        CHECK(queue_push_back(q, buf, 16, 0) == WAIT_OBJECT_0, "after churn: push %lu of %d",
              (unsigned long)i + 1, CAPACITY);
    CHECK(queue_push_back(q, buf, 16, 0) == WAIT_TIMEOUT, "after churn: capacity + 1 fits");
    for (DWORD i = 0; i < CAPACITY; i++)
        CHECK(queue_pop_front(q, buf, sizeof buf, &size, 0) == WAIT_OBJECT_0,
              "after churn: pop %lu", (unsigned long)i + 1);
    CHECK(queue_pop_front(q, buf, sizeof buf, &size, 0) == WAIT_TIMEOUT, "after churn: empty");
    printf("churn: %d kills (%d consumers), %d producers started, invariant checked\n", kills,
           consumer_kills, incarnations);
    UnmapViewOfFile(results);
    CloseHandle(results_mapping);
    queue_destroy(q);
}

int main(int argc, char **argv)
{
    self_path = argv[0];
    if (argc == 5 && strcmp(argv[1], "producer") == 0) {
        HANDLE mapping;
        results = open_results(argv[2], &mapping);
        return results
                   ? run_producer(argv[2], strtoul(argv[3], NULL, 10), strtoul(argv[4], NULL, 10))
                   : 2;
    }
    if (argc == 3 && strcmp(argv[1], "consumer") == 0) {
        HANDLE mapping;
        results = open_results(argv[2], &mapping);
        return results ? run_consumer(argv[2]) : 2;
    }
    int producers = argc > 1 ? atoi(argv[1]) : 4;
    int consumers = argc > 2 ? atoi(argv[2]) : 4;
    int messages = argc > 3 ? atoi(argv[3]) : 20000;
    int kills = argc > 4 ? atoi(argv[4]) : 20;
    if (producers < 1 || consumers < 1 || producers + consumers > MAX_CHILDREN ||
        messages / producers > MAX_SEQUENCE || messages < producers || kills < 0) {
        printf("usage: %s [producers consumers messages kills]\n", argv[0]);
        return 2;
    }
    char base[64];
    snprintf(base, sizeof base, "queue-driver-%lu", (unsigned long)GetCurrentProcessId());
    srand((unsigned)GetTickCount() ^ GetCurrentProcessId());

    check_contract(base);
    run_transfer(base, producers, consumers, messages);
    if (kills > 0)
        run_churn(base, kills);
    if (failures == 0)
        printf("PASS: queue driver (%d producers, %d consumers, %d messages, %d kills)\n",
               producers, consumers, messages, kills);
    return failures == 0 ? 0 : 1;
}
