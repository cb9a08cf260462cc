/* query.c - reading a value of the object behind a handle (exit codes, ids). */
#include "internal.h"
#include "win32/create.h"

BOOL ws_query_object(HANDLE h, int type, uint32_t access, DWORD (*read)(const struct ws_object *),
                     DWORD *value)
{
    if (!value) {
        ws_set_error(ERROR_INVALID_PARAMETER);
        return FALSE;
    }
    struct ws_thread *self = ws_self();
    if (!self)
        return FALSE;
    ws_lock(self);
    ws_reap_locked(); /* a killed thread or process reports its end */
    struct ws_object *obj = ws_handle_lookup(self, h, type, access);
    if (obj)
        *value = read(obj);
    ws_unlock();
    return obj != NULL;
}
