/*
 * cmdline.c - split a Windows command line into argv, by the rules of the Microsoft C
 * runtime: blanks separate arguments; "..." groups; 2n backslashes before a quote
 * give n backslashes and a quote that toggles grouping; 2n+1 give n and a literal
 * quote; other backslashes are literal; "" inside a group is a literal quote.
 */
#include <stdlib.h>
#include <string.h>

#include "threads/spawn.h"

char **ws_split_command_line(const char *line)
{
    size_t len = strlen(line);
    char **argv = calloc(len / 2 + 2, sizeof *argv);
    char *buf = malloc(len + 1);
    if (!argv || !buf) {
        free(argv);
        free(buf);
        return NULL;
    }
    size_t argc = 0;
    const char *p = line;
    char *out = buf;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        argv[argc++] = out;
        bool quoted = false;
        while (*p && (quoted || (*p != ' ' && *p != '\t'))) {
            if (*p == '\\') {
                size_t n = 0;
                while (p[n] == '\\')
                    n++;
                if (p[n] == '"') {
                    for (size_t i = 0; i < n / 2; i++)
                        *out++ = '\\';
                    p += n;
                    if (n % 2) {
                        *out++ = '"';
                        p++;
                    }
                } else {
                    for (size_t i = 0; i < n; i++)
                        *out++ = '\\';
                    p += n;
                }
            } else if (*p == '"') {
                if (quoted && p[1] == '"') {
                    *out++ = '"';
                    p += 2;
                } else {
                    quoted = !quoted;
                    p++;
                }
            } else {
                *out++ = *p++;
            }
        }
        *out++ = '\0';
    }
    argv[argc] = NULL;
    if (argc == 0)
        free(buf);
    return argv;
}

void ws_free_argv(char **argv)
{
    if (argv && argv[0])
        free(argv[0]); /* every argument lives in one buffer that starts with argv[0] */
    free(argv);
}
