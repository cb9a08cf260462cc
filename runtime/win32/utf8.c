/* utf8.c - wchar_t (UTF-32 on Linux) to UTF-8, independent of the locale. */
#include <stdlib.h>

#include "internal.h"

size_t ws_utf8_encode(const wchar_t *in, size_t count, char *out)
{
    size_t n = 0;
    for (size_t k = 0; k < count; k++) {
        uint32_t c = (uint32_t)in[k];
        unsigned char b[4];
        size_t len;
        if (c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
            return (size_t)-1;
        if (c < 0x80) {
            b[0] = (unsigned char)c;
            len = 1;
        } else if (c < 0x800) {
            b[0] = (unsigned char)(0xC0 | (c >> 6));
            b[1] = (unsigned char)(0x80 | (c & 0x3F));
            len = 2;
        } else if (c < 0x10000) {
            b[0] = (unsigned char)(0xE0 | (c >> 12));
            b[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            b[2] = (unsigned char)(0x80 | (c & 0x3F));
            len = 3;
        } else {
            b[0] = (unsigned char)(0xF0 | (c >> 18));
            b[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3F));
            b[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            b[3] = (unsigned char)(0x80 | (c & 0x3F));
            len = 4;
        }
        for (size_t i = 0; i < len; i++) {
            if (out)
                out[n] = (char)b[i];
            n++;
        }
    }
    return n;
}

char *ws_utf8_dup(const wchar_t *in, size_t count)
{
    size_t n = ws_utf8_encode(in, count, NULL);
    if (n == (size_t)-1)
        return NULL;
    char *out = malloc(n + 1);
    if (out) {
        ws_utf8_encode(in, count, out);
        out[n] = '\0';
    }
    return out;
}
