/* File mappings: page-file backed, named, zero-filled, shared between views and processes. */
#include "conformance.h"

#define MAP_SIZE 65536

/* Child mode "write NAME TEXT": open the mapping by name and write TEXT at offset 100. */
static int child_main(int argc, char **argv)
{
    if (argc != 3 || strcmp(argv[0], "write") != 0)
        return 99;
    HANDLE m = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, argv[1]);
    if (!m)
        return 1;
    char *view = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    if (!view)
        return 2;
    strcpy(view + 100, argv[2]);
    UnmapViewOfFile(view);
    CloseHandle(m);
    return 0;
}

static int all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return 0;
    return 1;
}

static void create_map_and_share_between_views(void)
{
    char name[64];
    cf_name(name, sizeof name, "map");
    SetLastError(CF_SENTINEL);
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, MAP_SIZE, name);
    CHECK_TRUE("created", m != NULL);
    CHECK_ERR("created_err", 0);
    unsigned char *a = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    CHECK_TRUE("mapped", a != NULL);
    CHECK_TRUE("zero_filled", a && all_zero(a, MAP_SIZE));
    SetLastError(CF_SENTINEL);
    HANDLE again =
        CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, MAP_SIZE, name);
    CHECK_TRUE("opened_by_create", again != NULL);
    CHECK_ERR("already_exists", ERROR_ALREADY_EXISTS);
    HANDLE o = OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name);
    CHECK_TRUE("opened", o != NULL);
    unsigned char *b = MapViewOfFile(o, FILE_MAP_ALL_ACCESS, 0, 0, MAP_SIZE);
    CHECK_TRUE("second_view", b != NULL && b != a);
    if (a && b) {
        a[10] = 42;
        b[MAP_SIZE - 1] = 7;
        CHECK_EQ("a_to_b", 42, b[10]);
        CHECK_EQ("b_to_a", 7, a[MAP_SIZE - 1]);
    }
    CHECK_EQ("unmap_a", TRUE, UnmapViewOfFile(a));
    CHECK_EQ("unmap_b", TRUE, UnmapViewOfFile(b));
    CloseHandle(m);
    CloseHandle(again);
    CloseHandle(o);
}

static void data_outlives_views_while_a_handle_is_open(void)
{
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL);
    char *a = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    strcpy(a, "kept");
    UnmapViewOfFile(a);
    char *b = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    CHECK_TRUE("kept", b && strcmp(b, "kept") == 0);
    UnmapViewOfFile(b);
    CloseHandle(m);
}

static void view_outlives_handle(void)
{
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, NULL);
    char *a = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    CHECK_EQ("close", TRUE, CloseHandle(m));
    strcpy(a, "still mapped");
    CHECK_TRUE("usable", strcmp(a, "still mapped") == 0);
    CHECK_EQ("unmap", TRUE, UnmapViewOfFile(a));
}

static void shared_with_a_child_process(void)
{
    char name[64], args[128];
    cf_name(name, sizeof name, "xmap");
    HANDLE m = CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 4096, name);
    char *view = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    snprintf(args, sizeof args, "write %s hello-from-child", name);
    PROCESS_INFORMATION pi;
    CHECK_EQ("spawned", TRUE, cf_spawn_child(args, FALSE, &pi));
    CHECK_EQ("child_done", WAIT_OBJECT_0, WaitForSingleObject(pi.hProcess, CF_LONG_MS));
    DWORD code = CF_SENTINEL;
    GetExitCodeProcess(pi.hProcess, &code);
    CHECK_EQ("child_ok", 0, code);
    CHECK_TRUE("data_visible", view && strcmp(view + 100, "hello-from-child") == 0);
    UnmapViewOfFile(view);
    CloseHandle(pi.hProcess);
    CloseHandle(pi.hThread);
    CloseHandle(m);
}

static void errors(void)
{
    char name[64];
    cf_name(name, sizeof name, "nomap");
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("open_missing", OpenFileMappingA(FILE_MAP_ALL_ACCESS, FALSE, name) == NULL);
    CHECK_ERR("open_missing_err", ERROR_FILE_NOT_FOUND);
    HANDLE e = CreateEventA(NULL, FALSE, FALSE, name);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("name_of_event", CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0,
                                                   4096, name) == NULL);
    CHECK_ERR("name_of_event_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("map_event", MapViewOfFile(e, FILE_MAP_ALL_ACCESS, 0, 0, 0) == NULL);
    CHECK_ERR("map_event_err", ERROR_INVALID_HANDLE);
    SetLastError(CF_SENTINEL);
    CHECK_TRUE("zero_size",
               CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, 0, NULL) == NULL);
    CHECK_ERR("zero_size_err", ERROR_INVALID_PARAMETER);
    CloseHandle(e);
}

CF_MAIN("file_mappings", child_main, CF_TEST(create_map_and_share_between_views),
        CF_TEST(data_outlives_views_while_a_handle_is_open), CF_TEST(view_outlives_handle),
        CF_TEST(shared_with_a_child_process), CF_TEST(errors))
