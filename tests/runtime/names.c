/* Object names: one namespace for every type, A and W variants, errors, lifetime. */
#include "rt.h"

TestSuite(names, .timeout = RT_TIMEOUT);

enum kind { EVENT, MUTEX, SEMAPHORE, MAPPING, KIND_COUNT };
static const char *kind_name[] = {"event", "mutex", "semaphore", "mapping"};

static HANDLE create_a(enum kind k, const char *name)
{
    switch (k) {
    case EVENT:
        return CreateEventA(NULL, TRUE, FALSE, name);
    case MUTEX:
        return CreateMutexA(NULL, FALSE, name);
    case SEMAPHORE:
        return CreateSemaphoreA(NULL, 0, 10, name);
    default:
        return CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name);
    }
}

static HANDLE create_w(enum kind k, const WCHAR *name)
{
    switch (k) {
    case EVENT:
        return CreateEventW(NULL, TRUE, FALSE, name);
    case MUTEX:
        return CreateMutexW(NULL, FALSE, name);
    case SEMAPHORE:
        return CreateSemaphoreW(NULL, 0, 10, name);
    default:
        return CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name);
    }
}

static HANDLE open_a(enum kind k, const char *name)
{
    switch (k) {
    case EVENT:
        return OpenEventA(EVENT_ALL_ACCESS, FALSE, name);
    case MUTEX:
        return OpenMutexA(MUTEX_ALL_ACCESS, FALSE, name);
    case SEMAPHORE:
        return OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, name);
    default:
        return OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name);
    }
}

static HANDLE open_w(enum kind k, const WCHAR *name)
{
    switch (k) {
    case EVENT:
        return OpenEventW(EVENT_ALL_ACCESS, FALSE, name);
    case MUTEX:
        return OpenMutexW(MUTEX_ALL_ACCESS, FALSE, name);
    case SEMAPHORE:
        return OpenSemaphoreW(SEMAPHORE_ALL_ACCESS, FALSE, name);
    default:
        return OpenFileMappingW(FILE_MAP_ALL_ACCESS, FALSE, name);
    }
}

static void widen(WCHAR *out, const char *in)
{
    do
        *out++ = (WCHAR)*in;
    while (*in++);
}

Test(names, create_of_a_new_name_clears_the_last_error)
{
    for (int k = 0; k < KIND_COUNT; k++) {
        char name[96];
        WCHAR wide[96];
        wst_name(name, sizeof name, kind_name[k]);
        SetLastError(1234);
        HANDLE h = create_a(k, name);
        cr_assert_not_null(h, "%s", kind_name[k]);
        assert_last_error(0);
        cr_assert_eq((uintptr_t)h % 4, 0, "handle values are multiples of 4");
        widen(wide, wst_name(name, sizeof name, kind_name[k]));
        SetLastError(1234);
        cr_assert_not_null(create_w(k, wide));
        assert_last_error(0);
    }
}

static int open_in_child_and_check(void *arg)
{
    const char *name = arg;
    HANDLE h = OpenEventA(EVENT_MODIFY_STATE | SYNCHRONIZE, FALSE, name);
    CHILD_CHECK(h != NULL);
    CHILD_CHECK(WaitForSingleObject(h, 0) == WAIT_OBJECT_0); /* the parent set it */
    CHILD_CHECK(ResetEvent(h));
    return 0;
}

Test(names, create_of_an_existing_name_opens_the_same_object_and_ignores_arguments)
{
    char name[96];
    wst_name(name, sizeof name, "ev-exists");
    HANDLE first = CreateEventA(NULL, TRUE, FALSE, name);
    HANDLE second = CreateEventA(NULL, FALSE, TRUE, name); /* auto, set: both ignored */
    cr_assert_not_null(second);
    assert_last_error(ERROR_ALREADY_EXISTS);
    cr_assert_neq(first, second, "a new handle is expected");
    cr_assert_eq(WaitForSingleObject(first, 0), WAIT_TIMEOUT, "initial state was not ignored");
    cr_assert(SetEvent(second));
    cr_assert_eq(WaitForSingleObject(first, 0), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(first, 0), WAIT_OBJECT_0, "manual reset was changed");
    assert_child_ok(wst_spawn(open_in_child_and_check, name));
    cr_assert_eq(WaitForSingleObject(second, 0), WAIT_TIMEOUT, "the child reset another object");

    for (int k = MUTEX; k < KIND_COUNT; k++) {
        wst_name(name, sizeof name, kind_name[k]);
        HANDLE a = create_a(k, name);
        SetLastError(0);
        HANDLE b = create_a(k, name);
        cr_assert_not_null(b);
        assert_last_error(ERROR_ALREADY_EXISTS);
        CloseHandle(a);
        CloseHandle(b);
    }
}

Test(names, a_name_held_by_another_type_fails_with_invalid_handle)
{
    for (int held = 0; held < KIND_COUNT; held++) {
        char name[96];
        WCHAR wide[96];
        wst_name(name, sizeof name, kind_name[held]);
        widen(wide, name);
        HANDLE holder = create_a(held, name);
        cr_assert_not_null(holder);
        for (int k = 0; k < KIND_COUNT; k++) {
            if (k == held)
                continue;
            SetLastError(0);
            cr_assert_null(create_a(k, name), "Create %s on a %s name", kind_name[k],
                           kind_name[held]);
            assert_last_error(ERROR_INVALID_HANDLE);
            SetLastError(0);
            cr_assert_null(create_w(k, wide));
            assert_last_error(ERROR_INVALID_HANDLE);
            SetLastError(0);
            cr_assert_null(open_a(k, name), "Open %s on a %s name", kind_name[k], kind_name[held]);
            assert_last_error(ERROR_INVALID_HANDLE);
            SetLastError(0);
            cr_assert_null(open_w(k, wide));
            assert_last_error(ERROR_INVALID_HANDLE);
        }
        CloseHandle(holder);
    }
}

Test(names, open_with_a_null_name_is_invalid_parameter_and_a_missing_name_not_found)
{
    for (int k = 0; k < KIND_COUNT; k++) {
        SetLastError(0);
        cr_assert_null(open_a(k, NULL), "%s", kind_name[k]);
        assert_last_error(ERROR_INVALID_PARAMETER);
        SetLastError(0);
        cr_assert_null(open_w(k, NULL));
        assert_last_error(ERROR_INVALID_PARAMETER);

        char name[96];
        WCHAR wide[96];
        wst_name(name, sizeof name, "missing");
        widen(wide, name);
        SetLastError(0);
        cr_assert_null(open_a(k, name));
        assert_last_error(ERROR_FILE_NOT_FOUND);
        SetLastError(0);
        cr_assert_null(open_w(k, wide));
        assert_last_error(ERROR_FILE_NOT_FOUND);
    }
}

Test(names, names_are_case_sensitive_and_a_and_w_agree)
{
    char name[96], upper[96];
    WCHAR wide[96];
    wst_name(name, sizeof name, "casename");
    strcpy(upper, name);
    upper[0] = 'C';
    HANDLE h = CreateEventA(NULL, TRUE, FALSE, name);
    SetLastError(0);
    cr_assert_null(OpenEventA(SYNCHRONIZE, FALSE, upper));
    assert_last_error(ERROR_FILE_NOT_FOUND);
    HANDLE other = CreateEventA(NULL, TRUE, FALSE, upper);
    assert_last_error(0);
    widen(wide, name);
    HANDLE w = OpenEventW(EVENT_ALL_ACCESS, FALSE, wide);
    cr_assert_not_null(w);
    cr_assert(SetEvent(w));
    cr_assert_eq(WaitForSingleObject(h, 0), WAIT_OBJECT_0);
    cr_assert_eq(WaitForSingleObject(other, 0), WAIT_TIMEOUT);
}

Test(names, local_and_global_prefixes_are_accepted)
{
    char base[96], local[128], global[128];
    wst_name(base, sizeof base, "prefixed");
    snprintf(local, sizeof local, "Local\\%s", base);
    snprintf(global, sizeof global, "Global\\%s", base);

    HANDLE l = CreateEventA(NULL, TRUE, FALSE, local);
    cr_assert_not_null(l);
    assert_last_error(0);
    /* Local\ is the session namespace that unprefixed names live in. */
    HANDLE plain = OpenEventA(EVENT_ALL_ACCESS, FALSE, base);
    cr_assert_not_null(plain, "Local\\name and name are one object on Windows");
    cr_assert(SetEvent(plain));
    cr_assert_eq(WaitForSingleObject(l, 0), WAIT_OBJECT_0);

    HANDLE g = CreateSemaphoreA(NULL, 0, 1, global);
    cr_assert_not_null(g);
    HANDLE g2 = OpenSemaphoreA(SEMAPHORE_ALL_ACCESS, FALSE, global);
    cr_assert_not_null(g2);
    cr_assert(ReleaseSemaphore(g2, 1, NULL));
    cr_assert_eq(WaitForSingleObject(g, 0), WAIT_OBJECT_0);

    /* The prefixed name reaches the same object from another program. */
    char gev[128];
    snprintf(gev, sizeof gev, "Global\\%s-ev", base);
    HANDLE ge = CreateEventA(NULL, FALSE, FALSE, gev);
    pid_t pid = rt_exec_child((const char *[]){RT_CHILD_PATH, "set-event", gev, NULL});
    cr_assert_eq(WaitForSingleObject(ge, WST_LONG_MS), WAIT_OBJECT_0);
    assert_child_ok(pid);
}

static void long_name(char *buf, size_t len)
{
    memset(buf, 'n', len);
    buf[len] = '\0';
    /* unique per test process */
    char tag[32];
    int n = snprintf(tag, sizeof tag, "%ld-", (long)getpid());
    memcpy(buf, tag, (size_t)n);
}

Test(names, ansi_names_of_max_path_or_more_fail_with_filename_exced_range)
{
    char name[MAX_PATH + 64];
    for (int k = 0; k < KIND_COUNT; k++) {
        size_t lengths[] = {MAX_PATH, MAX_PATH + 1, MAX_PATH + 40};
        for (int i = 0; i < 3; i++) {
            long_name(name, lengths[i]);
            SetLastError(0);
            cr_assert_null(create_a(k, name), "%s, %zu chars", kind_name[k], lengths[i]);
            assert_last_error(ERROR_FILENAME_EXCED_RANGE);
            SetLastError(0);
            cr_assert_null(open_a(k, name));
            assert_last_error(ERROR_FILENAME_EXCED_RANGE);
        }
        long_name(name, MAX_PATH - 1); /* the longest that fits with its terminator */
        name[0] = (char)('a' + k);
        SetLastError(0);
        HANDLE h = create_a(k, name);
        cr_assert_not_null(h, "%s: a %d-char name must work", kind_name[k], MAX_PATH - 1);
        assert_last_error(0);
        cr_assert_not_null(open_a(k, name));
    }
}

Test(names, the_last_handle_closed_frees_the_name)
{
    char name[96];
    wst_name(name, sizeof name, "lifetime");
    HANDLE a = CreateEventA(NULL, TRUE, TRUE, name);
    HANDLE b;
    cr_assert(DuplicateHandle(GetCurrentProcess(), a, GetCurrentProcess(), &b, 0, FALSE,
                              DUPLICATE_SAME_ACCESS));
    cr_assert(CloseHandle(a));
    HANDLE c = CreateEventA(NULL, TRUE, FALSE, name);
    assert_last_error(ERROR_ALREADY_EXISTS); /* the duplicate keeps it alive */
    cr_assert_eq(WaitForSingleObject(c, 0), WAIT_OBJECT_0);
    cr_assert(CloseHandle(b));
    cr_assert(CloseHandle(c));

    SetLastError(0);
    cr_assert_null(OpenEventA(SYNCHRONIZE, FALSE, name));
    assert_last_error(ERROR_FILE_NOT_FOUND);
    HANDLE fresh = CreateEventA(NULL, TRUE, FALSE, name);
    assert_last_error(0);
    cr_assert_eq(WaitForSingleObject(fresh, 0), WAIT_TIMEOUT, "the old object survived");
}

struct holder_args {
    const char *name;
    struct wst_pipe *opened, *go;
};

static int open_and_hold_until_told(void *arg)
{
    struct holder_args *a = arg;
    HANDLE h = OpenMutexA(SYNCHRONIZE, FALSE, a->name);
    CHILD_CHECK(h != NULL);
    wst_send(a->opened, 'o');
    CHILD_CHECK(wst_recv(a->go, WST_LONG_MS) == 'g');
    return 0; /* exits without closing: process exit closes it */
}

Test(names, a_handle_in_another_process_keeps_the_name_until_that_process_exits)
{
    char name[96];
    wst_name(name, sizeof name, "held");
    struct wst_pipe opened, go;
    rt_pipe(&opened);
    rt_pipe(&go);
    HANDLE m = CreateMutexA(NULL, FALSE, name);
    /* The forked child also inherits a copy of m: both of its handles go when it exits. */
    struct holder_args a = {name, &opened, &go};
    pid_t pid = wst_spawn(open_and_hold_until_told, &a);
    cr_assert_eq(wst_recv(&opened, WST_LONG_MS), 'o');
    cr_assert(CloseHandle(m));
    HANDLE again = CreateMutexA(NULL, FALSE, name);
    assert_last_error(ERROR_ALREADY_EXISTS);
    cr_assert(CloseHandle(again));
    wst_send(&go, 'g');
    assert_child_ok(pid);
    HANDLE fresh = CreateMutexA(NULL, FALSE, name);
    cr_assert_not_null(fresh);
    assert_last_error(0);
}

Test(names, unnamed_objects_are_distinct)
{
    HANDLE a = CreateEventA(NULL, TRUE, FALSE, NULL);
    HANDLE b = CreateEventA(NULL, TRUE, FALSE, NULL);
    cr_assert_neq(a, b);
    cr_assert(SetEvent(a));
    cr_assert_eq(WaitForSingleObject(b, 0), WAIT_TIMEOUT);
}

/* Issue 12, bug 4: W names are not limited to MAX_PATH (Windows takes up to 32,767 characters);
 * winsync takes one while its UTF-8 form fits the name slot (WS_NAME_BYTES - 1 = 1043 bytes). */
Test(names, wide_names_longer_than_max_path_fit_up_to_the_name_slot)
{
    static WCHAR w[1100];
    char tag[32];
    int t = snprintf(tag, sizeof tag, "%ld-w-", (long)getpid());
    for (size_t i = 0; i < 1100; i++)
        w[i] = i < (size_t)t ? (WCHAR)tag[i] : L'w';
    w[1043] = 0;
    SetLastError(0);
    HANDLE h = CreateEventW(NULL, TRUE, FALSE, w);
    cr_assert_not_null(h, "a 1043-character ASCII W name must fit: %u", (unsigned)GetLastError());
    cr_assert_not_null(OpenEventW(SYNCHRONIZE, FALSE, w));
    w[1043] = L'w';
    w[1044] = 0;
    SetLastError(0);
    cr_assert_null(CreateEventW(NULL, TRUE, FALSE, w));
    assert_last_error(ERROR_FILENAME_EXCED_RANGE);
    /* Characters of 4 UTF-8 bytes after the tag: k of them make t + 4k bytes. */
    size_t k = (1044 - (size_t)t + 3) / 4; /* the fewest that pass 1043 bytes */
    for (size_t i = (size_t)t; i < (size_t)t + k; i++)
        w[i] = (WCHAR)0x1F600;
    w[t + k] = 0;
    SetLastError(0);
    cr_assert_null(CreateEventW(NULL, TRUE, FALSE, w));
    assert_last_error(ERROR_FILENAME_EXCED_RANGE);
    w[t + k - 1] = 0;
    cr_assert_not_null(CreateEventW(NULL, TRUE, FALSE, w), "%zu bytes fit",
                       (size_t)t + 4 * (k - 1));
    cr_assert_geq(k - 1 + (size_t)t, MAX_PATH - 1, "any W name of MAX_PATH - 1 characters fits");
}
