/* namespaces.c - the namespaces this user has now: the segments in /dev/shm with winsync's magic.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "ps.h"

#define PS_LIST_MAX 20

void ps_list_namespaces(FILE *out)
{
    char prefix[32];
    int plen = snprintf(prefix, sizeof prefix, "winsync-%u-", (unsigned)getuid());
    DIR *dir = opendir("/dev/shm");
    unsigned found = 0;
    if (dir) {
        struct dirent *e;
        while ((e = readdir(dir)) != NULL) {
            if (strncmp(e->d_name, prefix, (size_t)plen) != 0)
                continue;
            char magic[sizeof WS_MAGIC] = "";
            int fd = openat(dirfd(dir), e->d_name, O_RDONLY | O_NOFOLLOW);
            if (fd < 0)
                continue;
            ssize_t n = read(fd, magic, sizeof magic);
            close(fd);
            if (n != (ssize_t)sizeof magic || memcmp(magic, WS_MAGIC, sizeof WS_MAGIC) != 0)
                continue; /* a file mapping's memory, or not winsync's */
            if (found < PS_LIST_MAX)
                fprintf(out, "%s %s",
                        found ? "," : "winsync-ps: namespaces now:", e->d_name + plen);
            found++;
        }
        closedir(dir);
    }
    if (found > PS_LIST_MAX)
        fprintf(out, " and %u more", found - PS_LIST_MAX);
    fputs(found ? "\n" : "winsync-ps: this user has no winsync namespace now.\n", out);
}
