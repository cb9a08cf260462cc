/*
 * sentinel.c - what the grader's sentinel tests run (grader/integrity): a few ordinary calls into
 * this lab's code, after which the sentinel must fail. Code that forges a passing result instead
 * of doing its job makes the sentinel pass, and the grader marks the lab "tampered".
 */
#include <stdio.h>
#include <windows.h>

#include "queue.h"

void sentinel_exercise(void);

void sentinel_exercise(void)
{
    char name[64], message[16] = "sentinel", buffer[16];
    uint32_t size = 0;
    snprintf(name, sizeof name, "sentinel-%lu", (unsigned long)GetCurrentProcessId());
    queue_t *queue = queue_initialize(name, 2, sizeof message);
    if (queue == NULL)
        return;
    queue_push_back(queue, message, sizeof message, 0);
    queue_pop_front(queue, buffer, sizeof buffer, &size, 0);
    queue_destroy(queue);
}
