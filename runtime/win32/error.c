/*
 * error.c - the per-thread last error, object names, and unfinished lab code.
 */
#include <stdio.h>
#include <string.h>

#include "internal.h"

static _Thread_local DWORD last_error;

DWORD WINAPI GetLastError(void)
{
    return last_error;
}

VOID WINAPI SetLastError(DWORD code)
{
    last_error = code;
}

void ws_set_error(DWORD code)
{
    last_error = code;
}

/* Names: "Local\" is the default namespace and is dropped; "Global\" names a
 * namespace of its own and is kept. Any other backslash names a directory the model
 * does not have. Returns ERROR_SUCCESS with out = "" for no name. */
static DWORD normalize(char *name)
{
    static const char local[] = "Local\\";
    if (strcmp(name, local) == 0 || strcmp(name, "Global\\") == 0)
        return ERROR_INVALID_NAME; /* a namespace with no name in it */
    if (strncmp(name, local, sizeof local - 1) == 0)
        memmove(name, name + sizeof local - 1, strlen(name) - (sizeof local - 1) + 1);
    const char *rest = strncmp(name, "Global\\", 7) == 0 ? name + 7 : name;
    if (strchr(rest, '\\'))
        return ERROR_PATH_NOT_FOUND;
    return ERROR_SUCCESS;
}

DWORD ws_name_from_a(const char *in, char *out)
{
    out[0] = '\0';
    if (!in)
        return ERROR_SUCCESS;
    size_t n = strlen(in);
    if (n >= MAX_PATH) /* kernel32 converts A names in a MAX_PATH buffer, NUL included */
        return ERROR_FILENAME_EXCED_RANGE;
    memcpy(out, in, n + 1);
    return normalize(out);
}

DWORD ws_name_from_w(const wchar_t *in, char *out)
{
    out[0] = '\0';
    if (!in)
        return ERROR_SUCCESS;
    /* Windows takes W names up to 32,767 characters (a UNICODE_STRING). winsync keeps names in
     * fixed slots of WS_NAME_BYTES: a W name is accepted while its UTF-8 form fits, which is at
     * least MAX_PATH - 1 characters of any kind and up to WS_NAME_BYTES - 1 ASCII ones. */
    size_t len = wcslen(in);
    if (len >= WS_NAME_BYTES)
        return ERROR_FILENAME_EXCED_RANGE;
    size_t n = ws_utf8_encode(in, len, NULL);
    if (n == (size_t)-1)
        return ERROR_INVALID_NAME;
    if (n >= WS_NAME_BYTES)
        return ERROR_FILENAME_EXCED_RANGE;
    ws_utf8_encode(in, len, out);
    out[n] = '\0';
    return normalize(out);
}

/* ---- Unfinished lab code ---------------------------------------------------------- */

_Thread_local int ws_slot_unimplemented_flag;

void ws_not_implemented(const char *function)
{
    static char reported[16][64];
    static unsigned count;
    ws_slot_unimplemented_flag = 1;
    ws_unimplemented_seen = 1;
    for (unsigned i = 0; i < count; i++)
        if (strcmp(reported[i], function) == 0)
            return;
    if (count < 16)
        snprintf(reported[count++], sizeof reported[0], "%s", function);
    fprintf(stderr,
            "winsync: %s() is not implemented yet: it is one of your lab's TODOs (see the "
            "lab's README.md). Calls that need it fail with ERROR_CALL_NOT_IMPLEMENTED.\n",
            function);
}
