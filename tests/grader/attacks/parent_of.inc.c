/* Shared by the attacks that climb the process tree: the parent pid of pid, from /proc/<pid>/stat
 * (0 when it cannot be read). Included (see test_attacks.attack) after read_file.inc.c. */
static int parent_of(int pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    if (read_file(path, buf, sizeof buf) == 0)
        return 0;
    char *end = strrchr(buf, ')');
    return end ? atoi(end + 4) : 0; /* ") S <ppid>" */
}
