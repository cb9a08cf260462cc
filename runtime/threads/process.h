/* process.h - process records (threads/process.c). */
#ifndef WINSYNC_PROCESS_H
#define WINSYNC_PROCESS_H

#include "internal.h"

/* A new process record and its process object (one reference, held by the process). */
struct ws_process *ws_process_create_locked(int32_t pid, uint32_t state);
/* Give this process a record: a CreateProcess child claims its own, a fork child copies
 * its parent's handles, anyone else gets a new one. */
bool ws_process_attach_locked(uint32_t fork_parent);

#endif
