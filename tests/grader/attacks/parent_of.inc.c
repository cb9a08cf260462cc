/* Shared by the attacks that climb the process tree: the parent pid of pid, from /proc/<pid>/stat
 * (0 when it cannot be read). Included (see test_attacks.attack) after the file's LIBC() defines of open,
 * read and close. */
static int parent_of(int pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%d/stat", pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    char *end = strrchr(buf, ')');
    return end ? atoi(end + 4) : 0; /* ") S <ppid>" */
}
