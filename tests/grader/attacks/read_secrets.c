/* Attack 7: at run time, read files of the grader's tree (the reference solutions and
 * the hidden tests, by absolute path: @PATHS@ is replaced by the test with a list of
 * C strings) and print them to stderr (the run's log). When one of them can be opened
 * the function returns a wrong value so the test fails; when none can, it returns the
 * right sum: an honest grader, whose runs see only their own binary and system files,
 * gives this file full marks. */
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <stdio.h>
#include "kernel.h"

/* Scan-proof: every function a scan would refuse is found at run time (resolver.inc.c). */
@RESOLVER@

#define fopen LIBC(fopen)
#define fread LIBC(fread)
#define fclose LIBC(fclose)
static const char *const secrets[] = { @PATHS@ };
int adder_add(int a, int b)
{
    int opened = 0;
    for (unsigned i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        FILE *f = fopen(secrets[i], "r");
        if (!f)
            continue;
        opened++;
        char text[4096];
        size_t n = fread(text, 1, sizeof text - 1, f);
        text[n] = 0;
        fclose(f);
        fprintf(stderr, "OPENED %s\n%s\n", secrets[i], text);
        printf("OPENED %s\n%s\n", secrets[i], text);
    }
    return opened ? 0 : a + b;
}
