/* attach.h - thread and process life cycle hooks (threads/attach.c). */
#ifndef WINSYNC_ATTACH_H
#define WINSYNC_ATTACH_H

#include "internal.h"

/* The calling thread ends now: abandon, signal, free its record (ExitThread, thread
 * start routine returning). */
void ws_thread_exit_self(DWORD exit_code);

/* Make t the calling thread's record (a thread CreateThread started). */
void ws_attach_current(struct ws_thread *t);
/* Open the thread or process object with this Windows id. */
struct ws_object *ws_find_by_id(int type, DWORD id);
HANDLE ws_open_by_id(int type, DWORD access, BOOL inherit, DWORD id);

#endif
