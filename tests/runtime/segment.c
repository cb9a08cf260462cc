/*
 * The shared segment: private to the user, and a corrupt or foreign one makes every
 * call fail with ERROR_NO_SYSTEM_RESOURCES and one clear message, never a crash.
 * Each case runs in a forked child with its own fresh WINSYNC_NAMESPACE.
 */
#include "rt.h"

TestSuite(segment, .timeout = RT_TIMEOUT);

static int use_namespace_and_check_mode(void *arg)
{
    setenv("WINSYNC_NAMESPACE", arg, 1);
    CHILD_CHECK(CreateEventA(NULL, FALSE, FALSE, NULL) != NULL);
    char path[256];
    struct stat st;
    CHILD_CHECK(stat(rt_segment_path(path, sizeof path, arg), &st) == 0);
    CHILD_CHECK((st.st_mode & 0777) == 0600);
    CHILD_CHECK(st.st_uid == getuid());
    return 0;
}

Test(segment, the_segment_is_private_to_the_user)
{
    char ns[128];
    rt_fresh_namespace(ns, sizeof ns, "mode");
    int status = wst_reap(wst_spawn(use_namespace_and_check_mode, ns), WST_LONG_MS);
    rt_remove_namespace(ns);
    cr_assert_eq(status, 0);
}

static DWORD WINAPI never_started(LPVOID arg)
{
    (void)arg;
    return 0;
}

/* Every call in a broken namespace must fail with ERROR_NO_SYSTEM_RESOURCES. */
static int calls_fail_cleanly(void *arg)
{
    setenv("WINSYNC_NAMESPACE", arg, 1);
    char name[96];
    wst_name(name, sizeof name, "broken");
    SetLastError(0);
    CHILD_CHECK(CreateEventA(NULL, FALSE, FALSE, NULL) == NULL);
    CHILD_CHECK(GetLastError() == ERROR_NO_SYSTEM_RESOURCES);
    SetLastError(0);
    CHILD_CHECK(CreateMutexA(NULL, FALSE, name) == NULL);
    CHILD_CHECK(GetLastError() == ERROR_NO_SYSTEM_RESOURCES);
    SetLastError(0);
    CHILD_CHECK(OpenSemaphoreA(SYNCHRONIZE, FALSE, name) == NULL);
    CHILD_CHECK(GetLastError() == ERROR_NO_SYSTEM_RESOURCES);
    SetLastError(0);
    CHILD_CHECK(CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name) ==
                NULL);
    CHILD_CHECK(GetLastError() == ERROR_NO_SYSTEM_RESOURCES);
    SetLastError(0);
    CHILD_CHECK(WaitForSingleObject((HANDLE)(uintptr_t)4, 0) == WAIT_FAILED);
    CHILD_CHECK(GetLastError() == ERROR_NO_SYSTEM_RESOURCES ||
                GetLastError() == ERROR_INVALID_HANDLE);
    SetLastError(0);
    CHILD_CHECK(CreateThread(NULL, 0, never_started, NULL, 0, NULL) == NULL);
    for (int i = 0; i < 20; i++)
        CHILD_CHECK(CreateEventA(NULL, FALSE, FALSE, NULL) == NULL);
    return 0;
}

/* Runs calls_fail_cleanly in namespace `ns` and checks its stderr: a short message. */
static void assert_broken_namespace_fails_cleanly(const char *ns)
{
    int err[2];
    cr_assert_eq(pipe(err), 0);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(err[1], 2);
        close(err[0]);
        _exit(calls_fail_cleanly((void *)ns));
    }
    close(err[1]);
    int status = wst_reap(pid, WST_LONG_MS);
    char text[4096];
    ssize_t n = read(err[0], text, sizeof text - 1);
    close(err[0]);
    text[n > 0 ? n : 0] = '\0';
    cr_assert_eq(status, 0, "the child ended with status %d; stderr: %s", status, text);
    cr_assert_gt(n, 0, "no message on stderr");
    cr_assert_lt(n, 1024, "the message repeats: %s", text);
}

static void write_file(const char *path, const void *data, size_t size)
{
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0600);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, data, size), (ssize_t)size);
    close(fd);
}

Test(segment, a_segment_full_of_garbage_fails_every_call)
{
    char ns[128], path[256];
    rt_fresh_namespace(ns, sizeof ns, "garbage");
    size_t size = 1 << 20;
    unsigned char *junk = malloc(size);
    unsigned seed = (unsigned)getpid();
    for (size_t i = 0; i < size; i++)
        junk[i] = (unsigned char)rand_r(&seed);
    write_file(rt_segment_path(path, sizeof path, ns), junk, size);
    free(junk);
    assert_broken_namespace_fails_cleanly(ns);
    rt_remove_namespace(ns);
}

Test(segment, a_tiny_foreign_file_fails_every_call)
{
    char ns[128], path[256];
    rt_fresh_namespace(ns, sizeof ns, "tiny");
    write_file(rt_segment_path(path, sizeof path, ns), "not a winsync segment\n", 22);
    assert_broken_namespace_fails_cleanly(ns);
    rt_remove_namespace(ns);
}

static int create_then_exit(void *arg)
{
    setenv("WINSYNC_NAMESPACE", arg, 1);
    CHILD_CHECK(CreateEventA(NULL, FALSE, FALSE, "left-behind") != NULL);
    return 0;
}

Test(segment, a_segment_with_a_damaged_header_fails_every_call)
{
    /* A real segment from this build, then its header (magic, version) scrambled. */
    char ns[128], path[256];
    rt_fresh_namespace(ns, sizeof ns, "header");
    cr_assert_eq(wst_reap(wst_spawn(create_then_exit, ns), WST_LONG_MS), 0);
    int fd = open(rt_segment_path(path, sizeof path, ns), O_RDWR);
    cr_assert_geq(fd, 0, "the segment file is not where common.md says");
    unsigned char header[64];
    cr_assert_eq(pread(fd, header, sizeof header, 0), (ssize_t)sizeof header);
    for (size_t i = 0; i < sizeof header; i++)
        header[i] ^= 0x5A;
    cr_assert_eq(pwrite(fd, header, sizeof header, 0), (ssize_t)sizeof header);
    close(fd);
    assert_broken_namespace_fails_cleanly(ns);
    rt_remove_namespace(ns);
}
