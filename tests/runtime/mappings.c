/* File mappings: page-file-backed shared memory visible across processes. */
#include "rt.h"

TestSuite(mappings, .timeout = RT_TIMEOUT);

#define MAPPING_SIZE (3 * 4096 + 100)

static HANDLE create_mapping(const char *name, DWORD size)
{
    return CreateFileMappingA(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, size, name);
}

Test(mappings, a_new_mapping_is_zero_filled_and_writable)
{
    HANDLE m = create_mapping(NULL, MAPPING_SIZE);
    cr_assert_not_null(m);
    unsigned char *view = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    cr_assert_not_null(view);
    for (size_t i = 0; i < MAPPING_SIZE; i++)
        cr_assert_eq(view[i], 0, "byte %zu not zero", i);
    view[MAPPING_SIZE - 1] = 0xAB;
    unsigned char *second = MapViewOfFile(m, FILE_MAP_READ, 0, 0, MAPPING_SIZE);
    cr_assert_not_null(second);
    cr_assert_eq(second[MAPPING_SIZE - 1], 0xAB, "two views of one mapping differ");
    cr_assert(UnmapViewOfFile(second));
    cr_assert(UnmapViewOfFile(view));
    cr_assert(CloseHandle(m));
}

Test(mappings, data_written_in_one_program_is_seen_in_another)
{
    char name[96];
    wst_name(name, sizeof name, "map");
    HANDLE m = create_mapping(name, 4096);
    assert_last_error(0);
    char *view = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    strcpy(view, "from-parent");
    pid_t pid = rt_exec_child((const char *[]){RT_CHILD_PATH, "map-rw", name, NULL});
    assert_child_ok(pid);
    cr_assert_str_eq(view + 64, "from-child");
    UnmapViewOfFile(view);
}

struct live_args {
    const char *name;
    struct wst_pipe *to_parent, *to_child;
};

/* Opens the mapping by name, then flips a value the parent is watching, twice. */
static int flip_values(void *arg)
{
    struct live_args *a = arg;
    HANDLE m = OpenFileMappingA(FILE_MAP_WRITE, FALSE, a->name);
    CHILD_CHECK(m != NULL);
    volatile LONG *v = MapViewOfFile(m, FILE_MAP_WRITE, 0, 0, sizeof(LONG));
    CHILD_CHECK(v != NULL);
    *v = 1;
    wst_send(a->to_parent, 'a');
    CHILD_CHECK(wst_recv(a->to_child, WST_LONG_MS) == 'b');
    CHILD_CHECK(*v == 2); /* the parent's write, seen live */
    *v = 3;
    wst_send(a->to_parent, 'c');
    return 0;
}

Test(mappings, views_in_two_processes_share_memory_live)
{
    char name[96];
    wst_name(name, sizeof name, "map-live");
    HANDLE m = create_mapping(name, 4096);
    volatile LONG *v = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    struct wst_pipe to_parent, to_child;
    rt_pipe(&to_parent);
    rt_pipe(&to_child);
    struct live_args a = {name, &to_parent, &to_child};
    pid_t pid = wst_spawn(flip_values, &a);
    cr_assert_eq(wst_recv(&to_parent, WST_LONG_MS), 'a');
    cr_assert_eq(*v, 1);
    *v = 2;
    wst_send(&to_child, 'b');
    cr_assert_eq(wst_recv(&to_parent, WST_LONG_MS), 'c');
    cr_assert_eq(*v, 3);
    assert_child_ok(pid);
}

Test(mappings, second_create_opens_the_existing_mapping)
{
    char name[96];
    wst_name(name, sizeof name, "map-twice");
    HANDLE first = create_mapping(name, 4096);
    char *a = MapViewOfFile(first, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    strcpy(a, "shared");
    SetLastError(0);
    HANDLE second = create_mapping(name, 8192); /* the size is ignored */
    cr_assert_not_null(second);
    assert_last_error(ERROR_ALREADY_EXISTS);
    char *b = MapViewOfFile(second, FILE_MAP_READ, 0, 0, 0);
    cr_assert_str_eq(b, "shared");
    HANDLE opened = OpenFileMappingA(FILE_MAP_READ, FALSE, name);
    cr_assert_not_null(opened);
    WCHAR wide[96];
    for (size_t i = 0; i <= strlen(name); i++)
        wide[i] = (WCHAR)name[i];
    HANDLE opened_w = OpenFileMappingW(FILE_MAP_READ, FALSE, wide);
    cr_assert_not_null(opened_w);
    char *c = MapViewOfFile(opened_w, FILE_MAP_READ, 0, 0, 0);
    cr_assert_str_eq(c, "shared");
}

Test(mappings, a_view_outlives_the_handle_but_the_name_does_not)
{
    char name[96];
    wst_name(name, sizeof name, "map-view");
    HANDLE m = create_mapping(name, 4096);
    char *view = MapViewOfFile(m, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    strcpy(view, "still here");
    cr_assert(CloseHandle(m));
    cr_assert_str_eq(view, "still here");
    strcpy(view, "written after close");
    cr_assert_str_eq(view, "written after close");
    /* The name went with the last handle: a new Create makes a new, zeroed mapping. */
    HANDLE fresh = create_mapping(name, 4096);
    assert_last_error(0);
    char *other = MapViewOfFile(fresh, FILE_MAP_ALL_ACCESS, 0, 0, 0);
    cr_assert_eq(other[0], 0);
    cr_assert(UnmapViewOfFile(view));
}
