/*
 * wct.h for winsync: Wait Chain Traversal (GetThreadWaitChain), with Windows' names and layouts.
 *
 * Only synchronous sessions exist: OpenThreadWaitChainSession(WCT_ASYNC_OPEN_FLAG, ...) fails with
 * ERROR_NOT_SUPPORTED. Beyond Windows, a chain also has a node (WctUnknownType) for an event,
 * semaphore or timer a thread waits on, whose ObjectName says the object's kind, name and state.
 */
#ifndef WINSYNC_WCT_H
#define WINSYNC_WCT_H

#include "winsync.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WCT_MAX_NODE_COUNT 16
#define WCT_OBJNAME_LENGTH 128

/* OpenThreadWaitChainSession */
#define WCT_ASYNC_OPEN_FLAG 0x1
/* GetThreadWaitChain */
#define WCT_OUT_OF_PROC_FLAG 0x1
#define WCT_OUT_OF_PROC_COM_FLAG 0x2
#define WCT_OUT_OF_PROC_CS_FLAG 0x4
#define WCT_NETWORK_IO_FLAG 0x8
#define WCTP_GETINFO_ALL_FLAGS                                                                     \
    (WCT_OUT_OF_PROC_FLAG | WCT_OUT_OF_PROC_COM_FLAG | WCT_OUT_OF_PROC_CS_FLAG)

typedef enum _WCT_OBJECT_TYPE {
    WctCriticalSectionType = 1,
    WctSendMessageType,
    WctMutexType,
    WctAlpcType,
    WctComType,
    WctThreadWaitType,
    WctProcessWaitType,
    WctThreadType,
    WctComActivationType,
    WctUnknownType,
    WctSocketIoType,
    WctSmbIoType,
    WctMaxType
} WCT_OBJECT_TYPE;

typedef enum _WCT_OBJECT_STATUS {
    WctStatusNoAccess = 1,
    WctStatusRunning,
    WctStatusBlocked,
    WctStatusPidOnly,
    WctStatusPidOnlyRpcss,
    WctStatusOwned,
    WctStatusNotOwned,
    WctStatusAbandoned,
    WctStatusUnknown,
    WctStatusError,
    WctStatusMax
} WCT_OBJECT_STATUS;

typedef struct _WAITCHAIN_NODE_INFO {
    WCT_OBJECT_TYPE ObjectType;
    WCT_OBJECT_STATUS ObjectStatus;
    union {
        struct {
            WCHAR ObjectName[WCT_OBJNAME_LENGTH];
            LARGE_INTEGER Timeout; /* winsync: always 0 (the wait's timeout is not recorded) */
            BOOL Alertable;
        } LockObject;
        struct {
            DWORD ProcessId;
            DWORD ThreadId;
            DWORD WaitTime;        /* winsync: always 0 */
            DWORD ContextSwitches; /* winsync: always 0 */
        } ThreadObject;
    };
} WAITCHAIN_NODE_INFO, *PWAITCHAIN_NODE_INFO;

typedef LPVOID HWCT;

typedef VOID(CALLBACK *PWAITCHAINCALLBACK)(HWCT WctHandle, DWORD_PTR Context, DWORD CallbackStatus,
                                           LPDWORD NodeCount, PWAITCHAIN_NODE_INFO NodeInfoArray,
                                           LPBOOL IsCycle);

HWCT WINAPI OpenThreadWaitChainSession(DWORD Flags, PWAITCHAINCALLBACK callback);
BOOL WINAPI GetThreadWaitChain(HWCT WctHandle, DWORD_PTR Context, DWORD Flags, DWORD ThreadId,
                               LPDWORD NodeCount, PWAITCHAIN_NODE_INFO NodeInfoArray,
                               LPBOOL IsCycle);
VOID WINAPI CloseThreadWaitChainSession(HWCT WctHandle);

#ifdef __cplusplus
}
#endif

#endif
