/*
 * windows.h for winsync: lets Win32 synchronization code build unchanged on Linux.
 * Only the subset declared in winsync.h exists; anything else fails to compile,
 * which is the honest answer.
 */
#ifndef WINSYNC_WINDOWS_H
#define WINSYNC_WINDOWS_H
#include "winsync.h"
#endif
