/* spawn.h - CreateProcess's helpers (threads/cmdline.c, threads/spawn.c). */
#ifndef WINSYNC_SPAWN_H
#define WINSYNC_SPAWN_H

#include <stdbool.h>

#include "internal.h"

/* Split a Windows command line into a NULL-terminated argv (ws_free_argv frees it). */
char **ws_split_command_line(const char *line);
void ws_free_argv(char **argv);

/* CreateProcess with UTF-8 strings. `environment` is a Windows environment block or NULL. */
BOOL ws_create_process(const char *application, const char *command_line, bool inherit,
                       const char *environment, const char *directory, LPPROCESS_INFORMATION info);

#endif
