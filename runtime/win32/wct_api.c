/* wct_api.c - OpenThreadWaitChainSession, GetThreadWaitChain, CloseThreadWaitChainSession. */
#include "wct/wct.h"

#include <stdlib.h>
#include <string.h>

#define WCT_SESSION_MAGIC 0x57435453u /* "WCTS" */

struct wct_session {
    uint32_t magic;
};

HWCT WINAPI OpenThreadWaitChainSession(DWORD Flags, PWAITCHAINCALLBACK callback)
{
    if (Flags & ~(DWORD)WCT_ASYNC_OPEN_FLAG) {
        ws_set_error(ERROR_INVALID_PARAMETER);
        return NULL;
    }
    if (Flags & WCT_ASYNC_OPEN_FLAG) { /* winsync has synchronous sessions only */
        ws_set_error(ERROR_NOT_SUPPORTED);
        return NULL;
    }
    (void)callback; /* used by asynchronous sessions only, as on Windows */
    struct wct_session *s = malloc(sizeof *s);
    if (!s) {
        ws_set_error(ERROR_NOT_ENOUGH_MEMORY);
        return NULL;
    }
    s->magic = WCT_SESSION_MAGIC;
    return s;
}

VOID WINAPI CloseThreadWaitChainSession(HWCT WctHandle)
{
    struct wct_session *s = WctHandle;
    if (!s || s->magic != WCT_SESSION_MAGIC)
        return;
    s->magic = 0;
    free(s);
}

/* A UTF-8 string into a NUL-terminated WCHAR array of WCT_OBJNAME_LENGTH (bad bytes as '?'). */
static void widen(const char *in, WCHAR *out)
{
    const unsigned char *p = (const unsigned char *)in;
    size_t n = 0;
    while (*p && n + 1 < WCT_OBJNAME_LENGTH) {
        unsigned c = *p++, extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        if (c >= 0x80 && extra == 0)
            c = '?';
        else if (extra)
            c &= 0x3Fu >> extra;
        for (; extra && (*p & 0xC0) == 0x80; extra--)
            c = (c << 6) | (*p++ & 0x3Fu);
        out[n++] = extra ? L'?' : (WCHAR)c;
    }
    out[n] = 0;
}

static void to_node_info(const struct ws_wct_node *n, WAITCHAIN_NODE_INFO *out)
{
    memset(out, 0, sizeof *out);
    out->ObjectType = n->type;
    out->ObjectStatus = n->status;
    if (n->type == WctThreadType) {
        out->ThreadObject.ProcessId = n->pid;
        out->ThreadObject.ThreadId = n->tid;
    } else {
        widen(n->name, out->LockObject.ObjectName);
        out->LockObject.Alertable = n->alertable;
    }
}

BOOL WINAPI GetThreadWaitChain(HWCT WctHandle, DWORD_PTR Context, DWORD Flags, DWORD ThreadId,
                               LPDWORD NodeCount, PWAITCHAIN_NODE_INFO NodeInfoArray,
                               LPBOOL IsCycle)
{
    (void)Context; /* passed to the callback of asynchronous sessions only */
    const struct wct_session *s = WctHandle;
    if (!s || s->magic != WCT_SESSION_MAGIC) {
        ws_set_error(ERROR_INVALID_HANDLE);
        return FALSE;
    }
    if (!NodeCount || !NodeInfoArray || !IsCycle ||
        (Flags & ~(DWORD)(WCTP_GETINFO_ALL_FLAGS | WCT_NETWORK_IO_FLAG))) {
        ws_set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    struct ws_thread *self = ws_self();
    if (!self)
        return FALSE;
    struct ws_wct_node nodes[WCT_MAX_NODE_COUNT];
    unsigned max = *NodeCount < WCT_MAX_NODE_COUNT ? *NodeCount : WCT_MAX_NODE_COUNT;
    bool cycle = false;
    unsigned count = 0;
    ws_lock(self);
    ws_reap_locked(); /* a killed owner's mutexes are abandoned */
    uint32_t t = ws_wct_find_thread(ThreadId);
    if (t != WS_NONE)
        count = ws_wct_chain(t, Flags & WCT_OUT_OF_PROC_FLAG, self->pid, nodes, max, &cycle);
    ws_unlock();
    if (t == WS_NONE) {
        ws_set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    for (unsigned i = 0; i < count && i < max; i++)
        to_node_info(&nodes[i], &NodeInfoArray[i]);
    *IsCycle = cycle;
    if (count > *NodeCount) {
        *NodeCount = count;
        ws_set_error(ERROR_MORE_DATA);
        return FALSE;
    }
    *NodeCount = count;
    return TRUE;
}
