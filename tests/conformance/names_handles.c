/* Names and handles: A/W, ERROR_ALREADY_EXISTS, types, lifetimes, DuplicateHandle, flags. */
#include "conformance.h"

static void create_new_and_existing(void)
{
    char name[64];
    cf_name(name, sizeof name, "ev");
    SetLastError(CF_SENTINEL);
    HANDLE a = CreateEventA(NULL, TRUE, TRUE, name);
    CHECK_TRUE("created", a != NULL);
    CHECK_ERR("new_err", 0);
    SetLastError(CF_SENTINEL);
    HANDLE b = CreateEventA(NULL, FALSE, FALSE, name);
    CHECK_TRUE("opened", b != NULL && b != a);
    CHECK_ERR("existing_err", ERROR_ALREADY_EXISTS);
    /* The creation arguments of the second call are ignored: still manual and set. */
    CHECK_EQ("still_set1", WAIT_OBJECT_0, WaitForSingleObject(b, 0));
    CHECK_EQ("still_set2", WAIT_OBJECT_0, WaitForSingleObject(b, 0));
    CHECK_EQ("reset_via_b", TRUE, ResetEvent(b));
    CHECK_EQ("same_object", WAIT_TIMEOUT, WaitForSingleObject(a, 0));
    CloseHandle(a);
    CloseHandle(b);
}

static void existing_semaphore_keeps_its_count(void)
{
    char name[64];
    cf_name(name, sizeof name, "sem");
    HANDLE a = CreateSemaphoreA(NULL, 1, 1, name);
    SetLastError(CF_SENTINEL);
    HANDLE b = CreateSemaphoreA(NULL, 0, 5, name);
    CHECK_ERR("existing_err", ERROR_ALREADY_EXISTS);
    LONG prev = -1;
    CHECK_EQ("max_still_1", FALSE, ReleaseSemaphore(b, 1, &prev));
    CHECK_EQ("wait", WAIT_OBJECT_0, WaitForSingleObject(b, 0));
    CHECK_EQ("release", TRUE, ReleaseSemaphore(a, 1, &prev));
    CHECK_EQ("prev", 0, prev);
    CloseHandle(a);
    CloseHandle(b);
}

static void open_by_name(void)
{
    char name[64];
    cf_name(name, sizeof name, "open");
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("missing_event", OpenEventA(EVENT_ALL_ACCESS, FALSE, name) == NULL);
    CHECK_ERR("missing_event_err", ERROR_FILE_NOT_FOUND);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("missing_mutex", OpenMutexA(MUTEX_ALL_ACCESS, FALSE, name) == NULL);
    CHECK_ERR("missing_mutex_err", ERROR_FILE_NOT_FOUND);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("missing_semaphore", OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, name) == NULL);
    CHECK_ERR("missing_semaphore_err", ERROR_FILE_NOT_FOUND);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("null_name", OpenEventA(EVENT_ALL_ACCESS, FALSE, NULL) == NULL);
    CHECK_ERR("null_name_err", ERROR_INVALID_PARAMETER);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("null_name_w", OpenMutexW(MUTEX_ALL_ACCESS, FALSE, NULL) == NULL);
    CHECK_ERR("null_name_w_err", ERROR_INVALID_PARAMETER);

    HANDLE m = CreateMutexA(NULL, FALSE, name);
    SetLastError(CF_SENTINEL);
    HANDLE o = OpenMutexA(MUTEX_ALL_ACCESS, FALSE, name);
    CHECK_TRUE("open_existing", o != NULL);
    CHECK_ERR("open_existing_err", CF_SENTINEL);
    CHECK_EQ("take_via_open", WAIT_OBJECT_0, WaitForSingleObject(o, 0));
    CHECK_EQ("release_via_create", TRUE, ReleaseMutex(m));
    CloseHandle(o);
    CloseHandle(m);
}

static void wide_and_ansi_names_meet(void)
{
    char name[64];
    WCHAR wname[64];
    cf_name(name, sizeof name, "wide");
    cf_wide(wname, 64, name);
    HANDLE w = CreateEventW(NULL, FALSE, FALSE, wname);
    SetLastError(CF_SENTINEL);
    HANDLE a = OpenEventA(EVENT_ALL_ACCESS, FALSE, name);
    CHECK_TRUE("open_a", a != NULL);
    CHECK_EQ("set_a", TRUE, SetEvent(a));
    CHECK_EQ("wait_w", WAIT_OBJECT_0, WaitForSingleObject(w, 0));
    SetLastError(CF_SENTINEL);
    HANDLE s = CreateSemaphoreW(NULL, 0, 1, wname);
    CHECK_TRUE("w_other_type", s == NULL);
    CHECK_ERR("w_other_type_err", ERROR_INVALID_HANDLE);
    HANDLE m = CreateMutexW(NULL, FALSE, cf_wide(wname, 64, cf_name(name, sizeof name, "wm")));
    SetLastError(CF_SENTINEL);
    HANDLE m2 = OpenMutexW(MUTEX_ALL_ACCESS, FALSE, wname);
    CHECK_TRUE("open_mutex_w", m2 != NULL);
    SetLastError(CF_SENTINEL);
    HANDLE s2 = CreateSemaphoreExW(NULL, 1, 2, cf_wide(wname, 64, name), 0, SEMAPHORE_ALL_ACCESS);
    CHECK_TRUE("semaphore_ex_w_other_type", s2 == NULL);
    CHECK_ERR("semaphore_ex_w_other_type_err", ERROR_INVALID_HANDLE);
    CloseHandle(a);
    CloseHandle(w);
    CloseHandle(m);
    CloseHandle(m2);
}

static void names_are_case_sensitive(void)
{
    char name[64], upper[64];
    cf_name(name, sizeof name, "case");
    snprintf(upper, sizeof upper, "%s", name);
    upper[0] = 'C';
    upper[1] = 'F';
    HANDLE a = CreateEventA(NULL, FALSE, FALSE, name);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("open_upper", OpenEventA(EVENT_ALL_ACCESS, FALSE, upper) == NULL);
    CHECK_ERR("open_upper_err", ERROR_FILE_NOT_FOUND);
    SetLastError(CF_SENTINEL);
    HANDLE b = CreateEventA(NULL, FALSE, FALSE, upper);
    CHECK_ERR("create_upper_is_new", 0);
    CloseHandle(a);
    CloseHandle(b);
}

static void names_of_another_type(void)
{
    char name[64];
    cf_name(name, sizeof name, "typed");
    HANDLE e = CreateEventA(NULL, FALSE, FALSE, name);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("create_mutex", CreateMutexA(NULL, FALSE, name) == NULL);
    CHECK_ERR("create_mutex_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("create_semaphore", CreateSemaphoreA(NULL, 0, 1, name) == NULL);
    CHECK_ERR("create_semaphore_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("create_mapping", CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                                    4096, name) == NULL);
    CHECK_ERR("create_mapping_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("open_mutex", OpenMutexA(MUTEX_ALL_ACCESS, FALSE, name) == NULL);
    CHECK_ERR("open_mutex_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("open_semaphore", OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, name) == NULL);
    CHECK_ERR("open_semaphore_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("open_mapping", OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name) == NULL);
    CHECK_ERR("open_mapping_err", ERROR_INVALID_HANDLE);
    CloseHandle(e);
}

static void name_freed_with_last_handle(void)
{
    char name[64];
    cf_name(name, sizeof name, "life");
    HANDLE e = CreateEventA(NULL, TRUE, TRUE, name), dup = NULL;
    DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(), &dup, 0, FALSE,
                    DUPLICATE_SAME_ACCESS);
    CloseHandle(e);
    /* The duplicate keeps the object and its name alive. */
    HANDLE o = OpenEventA(EVENT_ALL_ACCESS, FALSE, name);
    CHECK_TRUE("alive_through_dup", o != NULL);
    CHECK_EQ("state_kept", WAIT_OBJECT_0, WaitForSingleObject(o, 0));
    CloseHandle(o);
    CloseHandle(dup);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("gone", OpenEventA(EVENT_ALL_ACCESS, FALSE, name) == NULL);
    CHECK_ERR("gone_err", ERROR_FILE_NOT_FOUND);
    /* The name can now be used by another type. */
    SetLastError(CF_SENTINEL);
    HANDLE m = CreateMutexA(NULL, FALSE, name);
    CHECK_TRUE("reused_by_mutex", m != NULL);
    CHECK_ERR("reused_err", 0);
    CloseHandle(m);
}

static void local_and_global_prefixes(void)
{
    char name[64], local[80], global[80];
    cf_name(name, sizeof name, "prefix");
    snprintf(local, sizeof local, "Local\\%s", name);
    snprintf(global, sizeof global, "Global\\%s", name);
    SetLastError(CF_SENTINEL);
    HANDLE l = CreateEventA(NULL, FALSE, FALSE, local);
    CHECK_TRUE("local_created", l != NULL);
    CHECK_ERR("local_err", 0);
    HANDLE lo = OpenEventA(EVENT_ALL_ACCESS, FALSE, local);
    CHECK_TRUE("local_opened", lo != NULL);
    SetLastError(CF_SENTINEL);
    HANDLE g = CreateEventA(NULL, FALSE, FALSE, global);
    CHECK_TRUE("global_created", g != NULL);
    CloseHandle(l);
    CloseHandle(lo);
    CloseHandle(g);
}

static void closed_and_wrong_type_handles(void)
{
    HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
    HANDLE m = CreateMutexA(NULL, FALSE, NULL);
    HANDLE s = CreateSemaphoreA(NULL, 0, 1, NULL);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("set_on_mutex", FALSE, SetEvent(m));
    CHECK_ERR("set_on_mutex_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("reset_on_semaphore", FALSE, ResetEvent(s));
    CHECK_ERR("reset_on_semaphore_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("release_mutex_on_event", FALSE, ReleaseMutex(e));
    CHECK_ERR("release_mutex_on_event_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("release_semaphore_on_mutex", FALSE, ReleaseSemaphore(m, 1, NULL));
    CHECK_ERR("release_semaphore_on_mutex_err", ERROR_INVALID_HANDLE);
    CHECK_EQ("close", TRUE, CloseHandle(e));
    SetLastError(CF_SENTINEL);
    CHECK_EQ("set_closed", FALSE, SetEvent(e));
    CHECK_ERR("set_closed_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("close_twice", FALSE, CloseHandle(e));
    CHECK_ERR("close_twice_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("close_null", FALSE, CloseHandle(NULL));
    CHECK_ERR("close_null_err", ERROR_INVALID_HANDLE);
    CloseHandle(m);
    CloseHandle(s);
}

static void duplicate_handle(void)
{
    char name[64];
    cf_name(name, sizeof name, "dup");
    HANDLE e = CreateEventA(NULL, FALSE, FALSE, name), dup = NULL;
    SetLastError(CF_SENTINEL);
    CHECK_EQ("dup", TRUE,
             DuplicateHandle(GetCurrentProcess(), e, GetCurrentProcess(), &dup, 0, FALSE,
                             DUPLICATE_SAME_ACCESS));
    CHECK_ERR("dup_err", CF_SENTINEL);
    CHECK_TRUE("new_value", dup != NULL && dup != e);
    CHECK_EQ("set_via_dup", TRUE, SetEvent(dup));
    CHECK_EQ("wait_via_original", WAIT_OBJECT_0, WaitForSingleObject(e, 0));
    HANDLE moved = NULL;
    CHECK_EQ("dup_close_source", TRUE,
             DuplicateHandle(GetCurrentProcess(), dup, GetCurrentProcess(), &moved, 0, FALSE,
                             DUPLICATE_SAME_ACCESS | DUPLICATE_CLOSE_SOURCE));
    CHECK_EQ("moved_works", TRUE, SetEvent(moved));
    CHECK_EQ("close_original", TRUE, CloseHandle(e));
    CHECK_EQ("close_moved", TRUE, CloseHandle(moved));
    /* Had the source survived, it would keep the name alive. */
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("source_was_closed", OpenEventA(EVENT_ALL_ACCESS, FALSE, name) == NULL);
    CHECK_ERR("source_was_closed_err", ERROR_FILE_NOT_FOUND);
    HANDLE bad = (HANDLE)(uintptr_t)0x5a5a5a50u, out = NULL;
    SetLastError(CF_SENTINEL);
    CHECK_EQ("dup_invalid", FALSE,
             DuplicateHandle(GetCurrentProcess(), bad, GetCurrentProcess(), &out, 0, FALSE,
                             DUPLICATE_SAME_ACCESS));
    CHECK_ERR("dup_invalid_err", ERROR_INVALID_HANDLE);
}

static void handle_information(void)
{
    HANDLE e = CreateEventA(NULL, FALSE, FALSE, NULL);
    DWORD flags = CF_SENTINEL;
    CHECK_EQ("get", TRUE, GetHandleInformation(e, &flags));
    CHECK_EQ("not_inheritable", 0, flags);
    CHECK_EQ("set_inherit", TRUE,
             SetHandleInformation(e, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT));
    CHECK_EQ("get2", TRUE, GetHandleInformation(e, &flags));
    CHECK_EQ("inheritable", HANDLE_FLAG_INHERIT, flags);
    CHECK_EQ("clear_inherit", TRUE, SetHandleInformation(e, HANDLE_FLAG_INHERIT, 0));
    CHECK_EQ("get3", TRUE, GetHandleInformation(e, &flags));
    CHECK_EQ("cleared", 0, flags);
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    HANDLE i = CreateEventA(&sa, FALSE, FALSE, NULL);
    CHECK_EQ("get_created_inheritable", TRUE, GetHandleInformation(i, &flags));
    CHECK_EQ("created_inheritable", HANDLE_FLAG_INHERIT, flags);
    CHECK_EQ(
        "protect", TRUE,
        SetHandleInformation(i, HANDLE_FLAG_PROTECT_FROM_CLOSE, HANDLE_FLAG_PROTECT_FROM_CLOSE));
    CHECK_EQ("get_protected", TRUE, GetHandleInformation(i, &flags));
    CHECK_EQ("protected", HANDLE_FLAG_INHERIT | HANDLE_FLAG_PROTECT_FROM_CLOSE, flags);
    CHECK_EQ("unprotect", TRUE, SetHandleInformation(i, HANDLE_FLAG_PROTECT_FROM_CLOSE, 0));
    HANDLE bad = (HANDLE)(uintptr_t)0x5a5a5a50u;
    SetLastError(CF_SENTINEL);
    CHECK_EQ("get_invalid", FALSE, GetHandleInformation(bad, &flags));
    CHECK_ERR("get_invalid_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("set_invalid", FALSE, SetHandleInformation(bad, HANDLE_FLAG_INHERIT, 0));
    CHECK_ERR("set_invalid_err", ERROR_INVALID_HANDLE);
    CloseHandle(e);
    CloseHandle(i);
}

/* Generic rights stand for each type's own rights (its generic mapping), not for all of them. */
static void generic_rights_map_per_type(void)
{
    char name[64];
    HANDLE e = CreateEventA(NULL, TRUE, TRUE, cf_name(name, sizeof name, "gev"));
    HANDLE h = OpenEventA(GENERIC_READ, FALSE, name);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("event_read_wait", WAIT_FAILED, WaitForSingleObject(h, 0));
    CHECK_ERR("event_read_wait_err", ERROR_ACCESS_DENIED);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("event_read_set", FALSE, SetEvent(h));
    CHECK_ERR("event_read_set_err", ERROR_ACCESS_DENIED);
    CloseHandle(h);
    h = OpenEventA(GENERIC_WRITE, FALSE, name);
    CHECK_EQ("event_write_set", TRUE, SetEvent(h));
    SetLastError(CF_SENTINEL);
    CHECK_EQ("event_write_wait", WAIT_FAILED, WaitForSingleObject(h, 0));
    CHECK_ERR("event_write_wait_err", ERROR_ACCESS_DENIED);
    CloseHandle(h);
    h = OpenEventA(GENERIC_EXECUTE, FALSE, name);
    CHECK_EQ("event_execute_wait", WAIT_OBJECT_0, WaitForSingleObject(h, 0));
    SetLastError(CF_SENTINEL);
    CHECK_EQ("event_execute_reset", FALSE, ResetEvent(h));
    CHECK_ERR("event_execute_reset_err", ERROR_ACCESS_DENIED);
    CloseHandle(h);
    h = OpenEventA(GENERIC_ALL, FALSE, name);
    CHECK_EQ("event_all_reset", TRUE, ResetEvent(h));
    CHECK_EQ("event_all_wait", WAIT_TIMEOUT, WaitForSingleObject(h, 0));
    CloseHandle(h);
    CloseHandle(e);

    HANDLE m = CreateMutexA(NULL, FALSE, cf_name(name, sizeof name, "gmx"));
    h = OpenMutexA(GENERIC_READ, FALSE, name);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("mutex_read_wait", WAIT_FAILED, WaitForSingleObject(h, 0));
    CHECK_ERR("mutex_read_wait_err", ERROR_ACCESS_DENIED);
    CloseHandle(h);
    h = OpenMutexA(GENERIC_WRITE, FALSE, name);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("mutex_write_wait", WAIT_FAILED, WaitForSingleObject(h, 0));
    CHECK_ERR("mutex_write_wait_err", ERROR_ACCESS_DENIED);
    CloseHandle(h);
    h = OpenMutexA(GENERIC_EXECUTE, FALSE, name);
    CHECK_EQ("mutex_execute_wait", WAIT_OBJECT_0, WaitForSingleObject(h, 0));
    CHECK_EQ("mutex_execute_release", TRUE, ReleaseMutex(h));
    CloseHandle(h);
    CloseHandle(m);

    HANDLE s = CreateSemaphoreA(NULL, 1, 5, cf_name(name, sizeof name, "gsm"));
    h = OpenSemaphoreA(GENERIC_READ, FALSE, name);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("semaphore_read_wait", WAIT_FAILED, WaitForSingleObject(h, 0));
    CHECK_ERR("semaphore_read_wait_err", ERROR_ACCESS_DENIED);
    SetLastError(CF_SENTINEL);
    CHECK_EQ("semaphore_read_release", FALSE, ReleaseSemaphore(h, 1, NULL));
    CHECK_ERR("semaphore_read_release_err", ERROR_ACCESS_DENIED);
    CloseHandle(h);
    h = OpenSemaphoreA(GENERIC_WRITE, FALSE, name);
    CHECK_EQ("semaphore_write_release", TRUE, ReleaseSemaphore(h, 1, NULL));
    SetLastError(CF_SENTINEL);
    CHECK_EQ("semaphore_write_wait", WAIT_FAILED, WaitForSingleObject(h, 0));
    CHECK_ERR("semaphore_write_wait_err", ERROR_ACCESS_DENIED);
    CloseHandle(h);
    h = OpenSemaphoreA(GENERIC_EXECUTE, FALSE, name);
    CHECK_EQ("semaphore_execute_wait", WAIT_OBJECT_0, WaitForSingleObject(h, 0));
    SetLastError(CF_SENTINEL);
    CHECK_EQ("semaphore_execute_release", FALSE, ReleaseSemaphore(h, 1, NULL));
    CHECK_ERR("semaphore_execute_release_err", ERROR_ACCESS_DENIED);
    CloseHandle(h);
    CloseHandle(s);

    HANDLE f = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096,
                                  cf_name(name, sizeof name, "gfm"));
    h = OpenFileMappingA(GENERIC_READ, FALSE, name);
    void *view = MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0);
    CHECK_TRUE("mapping_read_view", view != NULL);
    if (view)
        UnmapViewOfFile(view);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("mapping_read_write_view", MapViewOfFile(h, FILE_MAP_WRITE, 0, 0, 0) == NULL);
    CHECK_ERR("mapping_read_write_view_err", ERROR_ACCESS_DENIED);
    CloseHandle(h);
    h = OpenFileMappingA(GENERIC_EXECUTE, FALSE, name);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("mapping_execute_read_view", MapViewOfFile(h, FILE_MAP_READ, 0, 0, 0) == NULL);
    CHECK_ERR("mapping_execute_read_view_err", ERROR_ACCESS_DENIED);
    CloseHandle(h);
    CloseHandle(f);

    DWORD code;
    h = OpenProcess(GENERIC_READ, FALSE, GetCurrentProcessId());
    SetLastError(CF_SENTINEL);
    CHECK_EQ("process_read_wait", WAIT_FAILED, WaitForSingleObject(h, 0));
    CHECK_ERR("process_read_wait_err", ERROR_ACCESS_DENIED);
    CHECK_EQ("process_read_query", TRUE, GetExitCodeProcess(h, &code));
    CloseHandle(h);
    h = OpenProcess(GENERIC_WRITE, FALSE, GetCurrentProcessId());
    SetLastError(CF_SENTINEL);
    CHECK_EQ("process_write_query", FALSE, GetExitCodeProcess(h, &code));
    CHECK_ERR("process_write_query_err", ERROR_ACCESS_DENIED);
    CloseHandle(h);
    h = OpenProcess(GENERIC_EXECUTE, FALSE, GetCurrentProcessId());
    CHECK_EQ("process_execute_wait", WAIT_TIMEOUT, WaitForSingleObject(h, 0));
    CHECK_EQ("process_execute_query", TRUE, GetExitCodeProcess(h, &code));
    CloseHandle(h);

    h = OpenThread(GENERIC_READ, FALSE, GetCurrentThreadId());
    SetLastError(CF_SENTINEL);
    CHECK_EQ("thread_read_wait", WAIT_FAILED, WaitForSingleObject(h, 0));
    CHECK_ERR("thread_read_wait_err", ERROR_ACCESS_DENIED);
    CHECK_EQ("thread_read_query", TRUE, GetExitCodeThread(h, &code));
    CloseHandle(h);
    h = OpenThread(GENERIC_WRITE, FALSE, GetCurrentThreadId());
    SetLastError(CF_SENTINEL);
    CHECK_EQ("thread_write_query", FALSE, GetExitCodeThread(h, &code));
    CHECK_ERR("thread_write_query_err", ERROR_ACCESS_DENIED);
    CloseHandle(h);
    h = OpenThread(GENERIC_EXECUTE, FALSE, GetCurrentThreadId());
    CHECK_EQ("thread_execute_wait", WAIT_TIMEOUT, WaitForSingleObject(h, 0));
    CHECK_EQ("thread_execute_query", TRUE, GetExitCodeThread(h, &code));
    CloseHandle(h);
}

/* Open* with no access at all: the access check grants nothing, so Windows refuses. */
static void open_with_no_access_is_denied(void)
{
    char name[64];
    HANDLE e = CreateEventA(NULL, TRUE, FALSE, cf_name(name, sizeof name, "z"));
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("event", OpenEventA(0, FALSE, name) == NULL);
    CHECK_ERR("event_err", ERROR_ACCESS_DENIED);
    CloseHandle(e);
    HANDLE m = CreateMutexA(NULL, FALSE, cf_name(name, sizeof name, "z"));
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("mutex", OpenMutexA(0, FALSE, name) == NULL);
    CHECK_ERR("mutex_err", ERROR_ACCESS_DENIED);
    CloseHandle(m);
    HANDLE s = CreateSemaphoreA(NULL, 0, 1, cf_name(name, sizeof name, "z"));
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("semaphore", OpenSemaphoreA(0, FALSE, name) == NULL);
    CHECK_ERR("semaphore_err", ERROR_ACCESS_DENIED);
    CloseHandle(s);
    HANDLE f = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096,
                                  cf_name(name, sizeof name, "z"));
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("mapping", OpenFileMappingA(0, FALSE, name) == NULL);
    CHECK_ERR("mapping_err", ERROR_ACCESS_DENIED);
    CloseHandle(f);
    /* A missing name is still ERROR_FILE_NOT_FOUND. */
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("missing", OpenEventA(0, FALSE, cf_name(name, sizeof name, "none")) == NULL);
    CHECK_ERR("missing_err", ERROR_FILE_NOT_FOUND);
}

/* An A name has at most MAX_PATH - 1 characters (kernel32 converts it in a MAX_PATH buffer);
 * a W name may be longer. */
static void name_lengths(void)
{
    static char a[1100];
    static WCHAR w[1100];
    char tag[64];
    cf_name(tag, sizeof tag, "len");
    size_t t = strlen(tag);
    memset(a, 'n', sizeof a);
    memcpy(a, tag, t);
    a[MAX_PATH - 1] = '\0';
    SetLastError(CF_SENTINEL);
    HANDLE h = CreateEventA(NULL, TRUE, FALSE, a);
    CHECK_TRUE("a_259", h != NULL);
    CHECK_ERR("a_259_err", 0);
    CloseHandle(h);
    a[MAX_PATH - 1] = 'n';
    a[MAX_PATH] = '\0';
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("a_260", CreateEventA(NULL, TRUE, FALSE, a) == NULL);
    CHECK_ERR("a_260_err", ERROR_FILENAME_EXCED_RANGE);
    a[MAX_PATH] = 'n';
    for (size_t i = 0; i < 964; i++)
        w[i] = (WCHAR)(unsigned char)a[i];
    w[964] = 0;
    SetLastError(CF_SENTINEL);
    h = CreateEventW(NULL, TRUE, FALSE, w);
    CHECK_TRUE("w_964", h != NULL);
    CHECK_ERR("w_964_err", 0);
    HANDLE o = OpenEventW(SYNCHRONIZE, FALSE, w);
    CHECK_TRUE("w_964_open", o != NULL);
    CloseHandle(o);
    CloseHandle(h);
}

CF_MAIN("names_handles", NULL, CF_TEST(create_new_and_existing),
        CF_TEST(existing_semaphore_keeps_its_count), CF_TEST(open_by_name),
        CF_TEST(wide_and_ansi_names_meet), CF_TEST(names_are_case_sensitive),
        CF_TEST(names_of_another_type), CF_TEST(name_freed_with_last_handle),
        CF_TEST(local_and_global_prefixes), CF_TEST(closed_and_wrong_type_handles),
        CF_TEST(duplicate_handle), CF_TEST(handle_information),
        CF_TEST(generic_rights_map_per_type), CF_TEST(open_with_no_access_is_denied),
        CF_TEST(name_lengths))
