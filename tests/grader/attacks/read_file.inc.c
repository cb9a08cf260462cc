/* Shared by the attacks that read files: the first size - 1 bytes of path into buf, NUL-ended;
 * returns how many were read (0 when none could be). Included (see test_attacks.attack) after
 * the file's LIBC() defines of open, read and close. */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, size - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    return n;
}
