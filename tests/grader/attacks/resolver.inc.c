/* Shared by the scan-proof attacks (the test splices it in for their RESOLVER placeholder):
 * finds a function of any loaded library by its name without referencing any symbol, so that
 * a scan of the object's undefined symbols sees nothing. From the address of a function of
 * this very file (the ANCHOR placeholder: adder_add) it walks back, page by page, to the
 * executable's ELF header; the executable's PT_DYNAMIC segment has DT_DEBUG, which the
 * dynamic loader points at its struct r_debug; r_map is the list of loaded objects, and each
 * one's DT_SYMTAB/DT_STRTAB is searched for the name (a string, not a symbol reference).
 * LIBC(f) is the C library's f, found that way once per call site (`#define open LIBC(open)`
 * after the headers: the object then references no open). Needs <elf.h>, <link.h>,
 * <stdint.h>, <string.h>. */
static const ElfW(Ehdr) *resolver_own_header(void)
{
    uintptr_t page = (uintptr_t)&@ANCHOR@ & ~(uintptr_t)0xfff;
    for (;; page -= 0x1000) {
        const unsigned char *p = (const unsigned char *)page;
        if (p[0] == 0x7f && p[1] == 'E' && p[2] == 'L' && p[3] == 'F')
            return (const ElfW(Ehdr) *)p;
    }
}

static uintptr_t resolver_ptr(uintptr_t value, uintptr_t base)
{
    return value < base ? value + base : value; /* glibc relocates most entries in place */
}

static struct link_map *resolver_maps(void)
{
    const ElfW(Ehdr) *eh = resolver_own_header();
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
    uintptr_t base = (uintptr_t)eh;
    const ElfW(Dyn) *dyn = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_PHDR)
            base = (uintptr_t)ph - ph[i].p_vaddr;
    }
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_DYNAMIC)
            dyn = (const ElfW(Dyn) *)(base + ph[i].p_vaddr);
    }
    for (const ElfW(Dyn) *d = dyn; d && d->d_tag != DT_NULL; d++) {
        if (d->d_tag == DT_DEBUG && d->d_un.d_ptr)
            return ((struct r_debug *)d->d_un.d_ptr)->r_map;
    }
    return 0;
}

/* The address of `name` in the first loaded object whose path contains `library`. */
static void *resolve(const char *library, const char *name)
{
    for (struct link_map *map = resolver_maps(); map; map = map->l_next) {
        if (!map->l_name || !strstr(map->l_name, library))
            continue;
        const ElfW(Sym) *symtab = 0;
        const char *strtab = 0;
        for (const ElfW(Dyn) *d = map->l_ld; d->d_tag != DT_NULL; d++) {
            if (d->d_tag == DT_SYMTAB)
                symtab = (const ElfW(Sym) *)resolver_ptr(d->d_un.d_ptr, map->l_addr);
            if (d->d_tag == DT_STRTAB)
                strtab = (const char *)resolver_ptr(d->d_un.d_ptr, map->l_addr);
        }
        if (!symtab || !strtab || (const char *)symtab >= strtab)
            continue;
        size_t count = (size_t)(strtab - (const char *)symtab) / sizeof *symtab; /* .dynsym precedes .dynstr */
        for (size_t i = 0; i < count; i++) {
            if (symtab[i].st_value && symtab[i].st_shndx != SHN_UNDEF
                && strcmp(strtab + symtab[i].st_name, name) == 0)
                return (void *)(map->l_addr + symtab[i].st_value);
        }
    }
    return 0;
}

#define LIBC(name) (__extension__({ \
    static __typeof__(&name) libc_##name; \
    if (!libc_##name) \
        libc_##name = (__typeof__(&name))resolve("libc.so", #name); \
    libc_##name; }))
