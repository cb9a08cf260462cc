/*
 * winsync_intra.h - the intra-process primitives: critical sections, slim reader/writer locks,
 * condition variables, WaitOnAddress and one-time initialization (included by winsync.h).
 *
 * They live in the caller's own memory, work between the threads of one process only (as on
 * Windows) and never touch the namespace's shared segment: an uncontended call is a few atomic
 * instructions, a contended one sleeps on a private futex. Their waits are never alertable.
 * The structures have the sizes and field layouts of Windows x64.
 */
#ifndef WINSYNC_INTRA_H
#define WINSYNC_INTRA_H

#ifdef __cplusplus
extern "C" {
#endif

/* 64-bit integers of the names WaitOnAddress callers use. */
typedef int64_t LONG64, *PLONG64;
typedef uint64_t ULONG64, *PULONG64;

/* ---- Critical sections ---- */
/* winsync never allocates debug information: DebugInfo is (PVOID)-1, as on Windows 8+
 * by default. LockCount uses Windows' encoding (Vista+): bit 0 set = free, bit 1 clear = a
 * waiter was woken and has not run yet, the other bits = the ones' complement of the number of
 * waiters; -1 free, -2 held with nobody waiting. OwningThread holds the owner's thread id.
 * LockSemaphore is the wait object, created at the first contention. */
typedef struct _RTL_CRITICAL_SECTION_DEBUG *PRTL_CRITICAL_SECTION_DEBUG;
typedef struct _RTL_CRITICAL_SECTION {
    PRTL_CRITICAL_SECTION_DEBUG DebugInfo;
    LONG LockCount;
    LONG RecursionCount;
    HANDLE OwningThread;
    HANDLE LockSemaphore;
    ULONG_PTR SpinCount;
} RTL_CRITICAL_SECTION, *PRTL_CRITICAL_SECTION;
typedef RTL_CRITICAL_SECTION CRITICAL_SECTION, *PCRITICAL_SECTION, *LPCRITICAL_SECTION;

#define CRITICAL_SECTION_NO_DEBUG_INFO 0x01000000u
#define RTL_CRITICAL_SECTION_FLAG_NO_DEBUG_INFO 0x01000000u
#define RTL_CRITICAL_SECTION_FLAG_DYNAMIC_SPIN 0x02000000u
#define RTL_CRITICAL_SECTION_FLAG_STATIC_INIT 0x04000000u
#define RTL_CRITICAL_SECTION_FLAG_RESOURCE_TYPE 0x08000000u
#define RTL_CRITICAL_SECTION_FLAG_FORCE_DEBUG_INFO 0x10000000u
#define RTL_CRITICAL_SECTION_ALL_FLAG_BITS 0xFF000000u

VOID WINAPI InitializeCriticalSection(LPCRITICAL_SECTION lpCriticalSection);
BOOL WINAPI InitializeCriticalSectionAndSpinCount(LPCRITICAL_SECTION lpCriticalSection,
                                                  DWORD dwSpinCount);
BOOL WINAPI InitializeCriticalSectionEx(LPCRITICAL_SECTION lpCriticalSection, DWORD dwSpinCount,
                                        DWORD Flags);
DWORD WINAPI SetCriticalSectionSpinCount(LPCRITICAL_SECTION lpCriticalSection, DWORD dwSpinCount);
VOID WINAPI EnterCriticalSection(LPCRITICAL_SECTION lpCriticalSection);
BOOL WINAPI TryEnterCriticalSection(LPCRITICAL_SECTION lpCriticalSection);
VOID WINAPI LeaveCriticalSection(LPCRITICAL_SECTION lpCriticalSection);
VOID WINAPI DeleteCriticalSection(LPCRITICAL_SECTION lpCriticalSection);

/* ---- Slim reader/writer locks ---- */
typedef struct _RTL_SRWLOCK {
    PVOID Ptr;
} RTL_SRWLOCK, *PRTL_SRWLOCK;
typedef RTL_SRWLOCK SRWLOCK, *PSRWLOCK;
/* clang-format off */
#define RTL_SRWLOCK_INIT {0}
/* clang-format on */
#define SRWLOCK_INIT RTL_SRWLOCK_INIT

VOID WINAPI InitializeSRWLock(PSRWLOCK SRWLock);
VOID WINAPI AcquireSRWLockExclusive(PSRWLOCK SRWLock);
VOID WINAPI AcquireSRWLockShared(PSRWLOCK SRWLock);
BOOLEAN WINAPI TryAcquireSRWLockExclusive(PSRWLOCK SRWLock);
BOOLEAN WINAPI TryAcquireSRWLockShared(PSRWLOCK SRWLock);
VOID WINAPI ReleaseSRWLockExclusive(PSRWLOCK SRWLock);
VOID WINAPI ReleaseSRWLockShared(PSRWLOCK SRWLock);

/* ---- Condition variables ---- */
typedef struct _RTL_CONDITION_VARIABLE {
    PVOID Ptr;
} RTL_CONDITION_VARIABLE, *PRTL_CONDITION_VARIABLE;
typedef RTL_CONDITION_VARIABLE CONDITION_VARIABLE, *PCONDITION_VARIABLE;
/* clang-format off */
#define RTL_CONDITION_VARIABLE_INIT {0}
/* clang-format on */
#define CONDITION_VARIABLE_INIT RTL_CONDITION_VARIABLE_INIT
#define CONDITION_VARIABLE_LOCKMODE_SHARED 0x1u

VOID WINAPI InitializeConditionVariable(PCONDITION_VARIABLE ConditionVariable);
BOOL WINAPI SleepConditionVariableCS(PCONDITION_VARIABLE ConditionVariable,
                                     PCRITICAL_SECTION CriticalSection, DWORD dwMilliseconds);
BOOL WINAPI SleepConditionVariableSRW(PCONDITION_VARIABLE ConditionVariable, PSRWLOCK SRWLock,
                                      DWORD dwMilliseconds, ULONG Flags);
VOID WINAPI WakeConditionVariable(PCONDITION_VARIABLE ConditionVariable);
VOID WINAPI WakeAllConditionVariable(PCONDITION_VARIABLE ConditionVariable);

/* ---- WaitOnAddress ---- */
BOOL WINAPI WaitOnAddress(volatile VOID *Address, PVOID CompareAddress, SIZE_T AddressSize,
                          DWORD dwMilliseconds);
VOID WINAPI WakeByAddressSingle(PVOID Address);
VOID WINAPI WakeByAddressAll(PVOID Address);

/* ---- One-time initialization ---- */
typedef union _RTL_RUN_ONCE {
    PVOID Ptr;
} RTL_RUN_ONCE, *PRTL_RUN_ONCE;
typedef RTL_RUN_ONCE INIT_ONCE, *PINIT_ONCE, *LPINIT_ONCE;
/* clang-format off */
#define RTL_RUN_ONCE_INIT {0}
/* clang-format on */
#define INIT_ONCE_STATIC_INIT RTL_RUN_ONCE_INIT
#define INIT_ONCE_CHECK_ONLY 0x1u
#define INIT_ONCE_ASYNC 0x2u
#define INIT_ONCE_INIT_FAILED 0x4u
#define INIT_ONCE_CTX_RESERVED_BITS 2
typedef BOOL(WINAPI *PINIT_ONCE_FN)(PINIT_ONCE InitOnce, PVOID Parameter, PVOID *Context);

VOID WINAPI InitOnceInitialize(PINIT_ONCE InitOnce);
BOOL WINAPI InitOnceExecuteOnce(PINIT_ONCE InitOnce, PINIT_ONCE_FN InitFn, PVOID Parameter,
                                LPVOID *Context);
BOOL WINAPI InitOnceBeginInitialize(LPINIT_ONCE lpInitOnce, DWORD dwFlags, BOOL *fPending,
                                    LPVOID *lpContext);
BOOL WINAPI InitOnceComplete(LPINIT_ONCE lpInitOnce, DWORD dwFlags, LPVOID lpContext);

#ifdef __cplusplus
}
#endif
#endif /* WINSYNC_INTRA_H */
