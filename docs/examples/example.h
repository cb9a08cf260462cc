/*
 * example.h - the helpers every example in docs/examples/ shares: example_begin() (the
 * options, --help and --predict), expect(), example_result() and spawn_self().
 *
 * Plain Win32: the examples build unchanged against winsync's <windows.h> on Linux
 * and against the real one (mingw-w64, Wine, Windows).
 */
#ifndef DOCS_EXAMPLE_H
#define DOCS_EXAMPLE_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <windows.h>
#ifndef _WIN32
#include <unistd.h>
#endif

static int example_failures;

/* Predict, then run. With --predict, example_begin() prints the example's question and, when
 * standard input is a terminal, waits for the reader's prediction (a line, or just Enter)
 * before the program runs; example_result() then prints the explanation beside it. Without a
 * terminal (ctest, CI, a pipe), or with EXAMPLE_NO_WAIT set in the environment, it prints the
 * question and runs at once: it never blocks. */
static bool example_predicting;
static const char *example_explanation;
static char example_prediction[256];

/* Is standard input a terminal someone can type into? On Windows, _isatty() is also true for
 * the NUL device, so a console is recognized by GetConsoleMode instead. */
static inline bool example_stdin_is_terminal(void)
{
#ifdef _WIN32
    DWORD mode;
    return GetConsoleMode(GetStdHandle(STD_INPUT_HANDLE), &mode) != 0;
#else
    return isatty(0) != 0;
#endif
}

/* Prints `label` and `text`, wrapped at 78 columns, then a blank line. */
static inline void example_print_wrapped(const char *label, const char *text)
{
    int column = printf("%s", label);
    bool first = true; /* the first word of a line needs no space before it */
    while (*text) {
        int word = (int)strcspn(text, " ");
        if (!first && column + 1 + word > 78) {
            printf("\n");
            column = 0;
            first = true;
        }
        column += printf("%s%.*s", first ? "" : " ", word, text);
        first = false;
        text += word;
        while (*text == ' ')
            text++;
    }
    printf("\n\n");
}

static inline void example_usage(FILE *to, const char *program, const char *shows)
{
    fprintf(to,
            "usage: %s [--predict | --help]\n"
            "Shows: %s\n"
            "Prints each fact it observes, marked ok or FAILED; exits 0 when all of them held.\n"
            "  --predict  predict, then run: print the question first and wait for your\n"
            "             prediction (a line, or just Enter) when standard input is a terminal;\n"
            "             without one, or with EXAMPLE_NO_WAIT set, do not wait. After the run,\n"
            "             print the explanation beside your prediction.\n"
            "  --help     this text\n",
            program, shows);
}

/* The first call of every example's main() (after any child role): reads the options, and
 * with --predict asks `question` before anything runs. `explanation` is printed after the run
 * in that mode. Exits 0 after --help, 2 on an unknown option. */
static inline void example_begin(int argc, char **argv, const char *shows, const char *question,
                                 const char *explanation)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            example_usage(stdout, argv[0], shows);
            exit(0);
        } else if (strcmp(argv[i], "--predict") == 0) {
            example_predicting = true;
        } else {
            fprintf(stderr, "%s: unknown option %s\n", argv[0], argv[i]);
            example_usage(stderr, argv[0], shows);
            exit(2);
        }
    }
    if (example_predicting) {
        example_explanation = explanation;
        printf("Predict, then run.\n\n");
        example_print_wrapped("Question: ", question);
        const char *no_wait = getenv("EXAMPLE_NO_WAIT");
        if (example_stdin_is_terminal() && !(no_wait && *no_wait)) {
            printf("Your prediction (type it, then Enter; or just Enter): ");
            fflush(stdout);
            if (fgets(example_prediction, sizeof example_prediction, stdin) == NULL) {
                example_prediction[0] = '\0'; /* end of input: nothing more to wait for */
                printf("\n");
            }
            example_prediction[strcspn(example_prediction, "\r\n")] = '\0';
        } else {
            printf("(standard input is not a terminal, or EXAMPLE_NO_WAIT is set: not waiting)\n");
        }
        printf("\nNow the run:\n");
    }
    printf("Shows: %s\n", shows);
    fflush(stdout);
}

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
    if (example_predicting) {
        if (example_prediction[0])
            printf("\nYou predicted: %s\n", example_prediction);
        printf("\n");
        example_print_wrapped("What happened, and why: ", example_explanation);
    }
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
