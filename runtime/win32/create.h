/* create.h - creating, opening and operating on objects (win32/create.c). */
#ifndef WINSYNC_CREATE_H
#define WINSYNC_CREATE_H

#include "internal.h"

/* Initialize a new object from the Create call's arguments. ERROR_SUCCESS or an error. */
typedef DWORD (*ws_init_fn)(struct ws_object *obj, struct ws_thread *self, const void *args);
/* An operation on an object under the lock. ERROR_SUCCESS or an error. */
typedef DWORD (*ws_operation_fn)(struct ws_object *obj, struct ws_thread *self, void *args);

/* `name` is in stored form ("" for none; see ws_name_from_a/_w). When `validate` is
 * set, it runs on a scratch object before the name is looked up: Windows rejects bad
 * arguments even when the name exists. */
HANDLE ws_create_object(int type, const char *name, const SECURITY_ATTRIBUTES *sa, uint32_t access,
                        ws_init_fn init, ws_init_fn validate, const void *args);
HANDLE ws_open_object(int type, const char *name, uint32_t access, BOOL inherit);
HANDLE ws_open_object_a(int type, const char *name, uint32_t access, BOOL inherit);
HANDLE ws_open_object_w(int type, const wchar_t *name, uint32_t access, BOOL inherit);

/* Run a lab operation on the object behind h, under the lock. Inline, so that each
 * API's operation is inlined too: this is the hot path of SetEvent, ReleaseMutex... The
 * lock is taken in the API's name (`caller`), which the lock guard reports. */
#define ws_object_operation(h, type, access, op, args)                                             \
    ws_object_operation_from((h), (type), (access), (op), (args), __func__)
static inline BOOL ws_object_operation_from(HANDLE h, int type, uint32_t access, ws_operation_fn op,
                                            void *args, const char *caller)
{
    struct ws_thread *self = ws_self();
    if (!self)
        return FALSE;
    ws_lock_from(self, caller);
    struct ws_object *obj = ws_lookup(self, h, type, access);
    if (!obj) {
        ws_unlock();
        return FALSE; /* the lookup set the error */
    }
    ws_slot_begin();
    DWORD err = op(obj, self, args);
    if (ws_slot_unimplemented())
        err = ERROR_CALL_NOT_IMPLEMENTED;
    ws_unlock();
    if (err != ERROR_SUCCESS) {
        ws_set_error(err);
        return FALSE;
    }
    return TRUE;
}

/* Read a value of the object behind h under the lock. FALSE with the error set (NULL
 * value: ERROR_INVALID_PARAMETER). */
BOOL ws_query_object(HANDLE h, int type, uint32_t access, DWORD (*read)(const struct ws_object *),
                     DWORD *value);

/* Convert a Create call's name, failing the call (NULL) on a bad one. */
#define WS_CONVERT_NAME(conv, in, out)                                                             \
    do {                                                                                           \
        DWORD name_err_ = conv(in, out);                                                           \
        if (name_err_ != ERROR_SUCCESS) {                                                          \
            ws_set_error(name_err_);                                                               \
            return NULL;                                                                           \
        }                                                                                          \
    } while (0)

#endif
