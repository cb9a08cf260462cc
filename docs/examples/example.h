/*
 * example.h - the two helpers every example in docs/examples/ shares.
 *
 * Plain Win32: the examples build unchanged against winsync's <windows.h> on Linux
 * and against the real one (mingw-w64, Wine, Windows).
 */
#ifndef DOCS_EXAMPLE_H
#define DOCS_EXAMPLE_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <windows.h>

static int example_failures;

/* Print one observed fact; remember it when it does not hold. main() returns
 * example_result(), so the program exits 0 only when every fact held. */
static inline void expect(bool holds, const char *fact)
{
    printf("%s %s\n", holds ? "ok     " : "FAILED ", fact);
    if (!holds)
        example_failures++;
}

static inline int example_result(void)
{
    printf("%s\n", example_failures == 0 ? "all facts held" : "some facts did NOT hold");
    fflush(stdout);
    return example_failures == 0 ? 0 : 1;
}

/* Start this same program again as a second process, with `arguments` after its name:
 * the usual Win32 way to give an example a partner process. */
static inline bool spawn_self(const char *self, const char *arguments, PROCESS_INFORMATION *pi)
{
    char command_line[1024];
    STARTUPINFOA startup;
    memset(&startup, 0, sizeof startup);
    startup.cb = sizeof startup;
    snprintf(command_line, sizeof command_line, "\"%s\" %s", self, arguments);
    fflush(stdout);
    return CreateProcessA(NULL, command_line, NULL, NULL, FALSE, 0, NULL, NULL, &startup, pi);
}

#endif /* DOCS_EXAMPLE_H */
