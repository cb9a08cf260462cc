"""Checks on a student's object file before it is linked into a test binary.

Code linked into a Criterion binary runs inside the runner: a constructor, a report hook, a
replaced libc or runtime function, a loader trick or a raw system call could rewrite the
results. So the check is an ALLOW-list: the object may only

1. have code and data sections (.text*, .data*, .rodata*, .bss*) and the metadata sections a C
   compiler emits (.comment, notes, .eh_frame, relocations of allowed sections, symbol and string
   tables, .group, .debug_*), with ordinary types and flags (no code outside .text*, no writable
   code, no executable stack, no thread-local storage: no solution needs it);
2. define, as global or weak symbols, only the functions of its own slot (`owned`); static
   helpers are fine, indirect functions (ifuncs, whose resolver runs at load time) are not;
3. reference only `api` (what the runtime and lab libraries on the lab's link line define: the
   kernel.h / windows.h API) and LIBC_ALLOWED below;
4. have no versioned symbol (`.symver`: a name with '@');
5. contain no system-call or software-interrupt instruction (`objdump -d` of every code
   section), and no jump, `lea` or data pointer into the middle of an instruction (how one is
   hidden from the disassembler inside another's bytes), nor a call into the middle of a function.

Limits: this is a static check of what the object names. Code that computes an address at run
time (say, an offset from an allowed libc function to a forbidden one) or corrupts memory is not
caught here; the sandbox (sandbox.py) is what contains a run. The `api` is everything the runtime
exports, CreateProcessA and ExitProcess included.
"""

import bisect
import re
import struct
import subprocess

# What graded code may reference in the C library and the compiler's runtime, besides the api: pure
# memory/string/formatting functions, printing to stdout/stderr for debugging, assertions and
# abort, the heap, and what the compiler itself emits. Nothing that exits, opens, maps, signals,
# spawns, loads code or makes a system call. Every solution passes with it (tests/grader/test_scan.py).
_LIBC = """
# memory and strings (the compiler emits memcpy/memset/memmove for struct copies and zeroing)
memcpy memmove memset memcmp memchr memrchr bcmp
strlen strnlen strcmp strncmp strcpy strncpy strcat strncat stpcpy strchr strrchr strstr
strspn strcspn strpbrk strdup strndup strerror
strtol strtoul strtoll strtoull atoi
# formatting into memory, and printing for debugging (gcc turns printf into puts/putchar/fwrite)
snprintf vsnprintf sprintf vsprintf
printf vprintf fprintf vfprintf puts fputs fputc putc putchar fwrite fflush perror stdout stderr
# the same under -D_FORTIFY_SOURCE (Ubuntu's default)
__printf_chk __vprintf_chk __fprintf_chk __vfprintf_chk __snprintf_chk __vsnprintf_chk
__sprintf_chk __vsprintf_chk __memcpy_chk __memmove_chk __memset_chk __strcpy_chk
__strncpy_chk __strcat_chk __strncat_chk __stpcpy_chk
# assert() and abort(): end the test as a crash, which scores nothing
abort __assert_fail __assert_perror_fail __assert
# the heap, sorting and searching, small arithmetic
malloc calloc realloc free aligned_alloc qsort bsearch abs labs llabs
# <ctype.h> (the macros read glibc's tables through the __ctype_*_loc functions)
isalnum isalpha isblank iscntrl isdigit isgraph islower isprint ispunct isspace isupper
isxdigit tolower toupper __ctype_b_loc __ctype_tolower_loc __ctype_toupper_loc
# errno, -fstack-protector, the GOT of position-independent code
__errno_location __stack_chk_fail _GLOBAL_OFFSET_TABLE_
# libgcc helpers: 128-bit arithmetic, popcount & co., complex arithmetic, powi, 128-bit conversions
__udivti3 __divti3 __umodti3 __modti3 __udivmodti4 __divmodti4
__popcountdi2 __popcountti2 __parityti2 __clzti2 __ctzti2 __ffsti2
__mulsc3 __muldc3 __mulxc3 __divsc3 __divdc3 __divxc3 __powisf2 __powidf2 __powixf2
__fixsfti __fixdfti __fixxfti __fixunssfti __fixunsdfti __fixunsxfti
__floattisf __floattidf __floattixf __floatuntisf __floatuntidf __floatuntixf
"""
HARNESS_PREFIX = "WinsyncHarness"  # include/winsync_test.h
LIBC_ALLOWED = frozenset(word for line in _LIBC.splitlines() if not line.lstrip().startswith("#")
                         for word in line.split())

# Section names: code and data, and the metadata a compiler emits (checked with their types below).
CODE_DATA = re.compile(r"^\.(text|data|rodata|bss)(\..+)?$")
METADATA = re.compile(r"^(|\.comment|\.note\.GNU-stack|\.note\.gnu\.property|\.eh_frame|\.symtab|\.strtab"
                      r"|\.shstrtab|\.symtab_shndx|\.group|\.debug_\w+(\..+)?|\.llvm_addrsig)$")
BAD_INSTRUCTIONS = {"syscall", "sysenter", "sysexit", "sysexitl", "sysexitq", "sysret", "sysretl",
                    "sysretq", "int", "int1", "into", "icebp"}  # not int3 (a trap; clang pads with it)

SHT_NULL, SHT_PROGBITS, SHT_SYMTAB, SHT_STRTAB, SHT_RELA, SHT_NOTE, SHT_NOBITS, SHT_REL = 0, 1, 2, 3, 4, 7, 8, 9
SHT_GROUP, SHT_SYMTAB_SHNDX, SHT_X86_64_UNWIND, SHT_LLVM_ADDRSIG = 17, 18, 0x70000001, 0x6FFF4C03
SHF_WRITE, SHF_ALLOC, SHF_EXECINSTR, SHF_TLS = 0x1, 0x2, 0x4, 0x400
STB_LOCAL, STT_TLS, STT_GNU_IFUNC = 0, 6, 10
R_X86_64_64, R_X86_64_PC32, R_X86_64_PLT32 = 1, 2, 4
SHN_UNDEF = 0
TYPES = {SHT_NULL: "null", SHT_PROGBITS: "progbits", SHT_SYMTAB: "symtab", SHT_STRTAB: "strtab",
         SHT_RELA: "rela", SHT_NOTE: "note", SHT_NOBITS: "nobits", SHT_REL: "rel", SHT_GROUP: "group",
         SHT_SYMTAB_SHNDX: "symtab_shndx", SHT_X86_64_UNWIND: "unwind", SHT_LLVM_ADDRSIG: "llvm_addrsig",
         14: "init_array", 15: "fini_array", 16: "preinit_array"}


class ScanError(Exception):
    """The object must not be linked; the message says why."""


class _Elf:
    """The sections and symbols of a relocatable ELF object (parsed directly: names may hold spaces)."""

    def __init__(self, path):
        with open(path, "rb") as f:
            data = f.read()
        if data[:4] != b"\x7fELF" or len(data) < 64 or data[4] not in (1, 2) or data[5] not in (1, 2):
            raise ScanError(f"{path} is not an ELF object file")
        self.data = data
        self.wide = data[4] == 2
        self.end = "<" if data[5] == 1 else ">"
        if self._unpack("H", 16)[0] != 1:
            raise ScanError(f"{path} is not a relocatable object file (ET_REL)")
        if self.wide:
            shoff, = self._unpack("Q", 0x28)
            shentsize, shnum, shstrndx = self._unpack("HHH", 0x3A)
            fmt = "IIQQQQIIQQ"
        else:
            shoff, = self._unpack("I", 0x20)
            shentsize, shnum, shstrndx = self._unpack("HHH", 0x2E)
            fmt = "IIIIIIIIII"
        self.sections = []  # dicts: name, type, flags, offset, size, link, info, entsize
        self._tables = {}
        if shoff == 0:
            return
        if shentsize != struct.calcsize(self.end + fmt):
            raise ScanError("the object file is malformed (section header size)")
        first = self._unpack(fmt, shoff)
        if shnum == 0:
            shnum = first[5]
        if shstrndx == 0xFFFF:
            shstrndx = first[6]
        for i in range(shnum):
            name, type_, flags, _addr, offset, size, link, info, _align, entsize = self._unpack(fmt, shoff + i * shentsize)
            self.sections.append({"index": i, "name_offset": name, "type": type_, "flags": flags, "offset": offset,
                                  "size": size, "link": link, "info": info, "entsize": entsize})
        names = self.sections[shstrndx] if shstrndx < len(self.sections) else None
        for section in self.sections:
            section["name"] = self._string(names, section["name_offset"]) if names else ""

    def _unpack(self, fmt, offset):
        fmt = self.end + fmt
        if offset < 0 or offset + struct.calcsize(fmt) > len(self.data):
            raise ScanError("the object file is truncated or malformed")
        return struct.unpack_from(fmt, self.data, offset)

    def _string(self, table, offset):
        start = table["offset"] + offset
        if table["type"] == SHT_NOBITS or offset >= table["size"] or start >= len(self.data):
            return ""
        stop = self.data.find(b"\0", start, table["offset"] + table["size"])
        return self.data[start:stop if stop >= 0 else table["offset"] + table["size"]].decode("utf-8", "replace")

    def symbol_table(self, table):
        """[(name, bind, type, shndx, value)] of one symbol table, by index (0 is the null symbol)."""
        if table["type"] != SHT_SYMTAB or table["link"] >= len(self.sections):
            return []
        if table["index"] in self._tables:
            return self._tables[table["index"]]
        strings = self.sections[table["link"]]
        size = 24 if self.wide else 16
        out = []
        for i in range(table["size"] // size):
            offset = table["offset"] + i * size
            if self.wide:
                name, info, _other, shndx, value, _size = self._unpack("IBBHQQ", offset)
            else:
                name, value, _size, info, _other, shndx = self._unpack("IIIBBH", offset)
            out.append((self._string(strings, name), info >> 4, info & 0xF, shndx, value))
        self._tables[table["index"]] = out
        return out

    def symbols(self):
        """(name, bind, type, shndx, value) of every symbol in every symbol table."""
        return [symbol for table in self.sections for symbol in self.symbol_table(table)[1:]]

    def relocations(self):
        """(section index relocated, offset, type, symbol) for every RELA entry; symbol as in symbol_table."""
        out = []
        if not self.wide:
            return out
        for section in self.sections:
            if section["type"] != SHT_RELA or section["link"] >= len(self.sections):
                continue
            table = self.symbol_table(self.sections[section["link"]])
            for i in range(section["size"] // 24):
                offset, info, addend = self._unpack("QQq", section["offset"] + i * 24)
                index = info >> 32
                if index < len(table):
                    out.append((section["info"], offset, info & 0xFFFFFFFF, table[index], addend))
        return out


def _run(argv):
    result = subprocess.run(argv, capture_output=True, text=True, errors="replace")
    if result.returncode != 0:
        raise ScanError(f"{argv[0]} failed on the object file: {result.stderr.strip()}")
    return result.stdout


def _show(names, limit=8):
    names = sorted(names)
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def _section_problem(section, names_by_index):
    """Why this section is refused, or None."""
    name, type_, flags = section["name"], section["type"], section["flags"]
    kind = TYPES.get(type_, hex(type_))
    if flags & SHF_TLS:
        return f"section {name} (thread-local storage)"
    if CODE_DATA.match(name):
        expected = SHT_NOBITS if name.startswith(".bss") else SHT_PROGBITS
        if type_ != expected:
            return f"section {name} (of type {kind})"
        if name.startswith(".text"):
            if flags & SHF_WRITE:
                return f"section {name} (writable code)"
        elif flags & SHF_EXECINSTR:
            return f"section {name} (executable)"
        return None
    if type_ in (SHT_RELA, SHT_REL):
        target = names_by_index.get(section["info"])
        if target is None or name != (".rela" if type_ == SHT_RELA else ".rel") + target \
                or flags & (SHF_WRITE | SHF_EXECINSTR | SHF_ALLOC):
            return f"section {name} (of type {kind}, for another section)"
        return None  # the section it relocates is checked on its own
    if not METADATA.match(name):
        return f"section {name or '(unnamed)'}"
    allowed_types = {"": {SHT_NULL}, ".symtab": {SHT_SYMTAB}, ".strtab": {SHT_STRTAB}, ".shstrtab": {SHT_STRTAB},
                     ".symtab_shndx": {SHT_SYMTAB_SHNDX}, ".group": {SHT_GROUP}, ".llvm_addrsig": {SHT_LLVM_ADDRSIG},
                     ".note.GNU-stack": {SHT_PROGBITS}, ".note.gnu.property": {SHT_NOTE},
                     ".eh_frame": {SHT_PROGBITS, SHT_X86_64_UNWIND}}
    if type_ not in allowed_types.get(name, {SHT_PROGBITS}):
        return f"section {name} (of type {kind})"
    if name == ".note.GNU-stack" and flags & SHF_EXECINSTR:
        return "section .note.GNU-stack (asking for an executable stack)"
    loaded = SHF_ALLOC if name in (".eh_frame", ".note.gnu.property") else 0
    if flags & (SHF_WRITE | SHF_EXECINSTR | SHF_ALLOC) & ~loaded:
        return f"section {name} (loaded, writable or executable: flags {flags:#x})"
    return None


def _instruction_problems(obj, elf):
    """System-call and interrupt instructions, and jumps or addresses into the middle of an
    instruction (how one is hidden from the disassembler inside another one's bytes)."""
    text = _run(["objdump", "-d", "-w", "--no-show-raw-insn", str(obj)])
    found, starts, pointers = set(), {}, []  # pointers: (section, target, where from)
    kinds = {}  # (section, address) -> "branch" or "lea": a PC-relative field that ends the instruction
    section = None
    line_re = re.compile(r"^\s*([0-9a-f]+):\s*(.*)$")
    for line in text.splitlines():
        if line.startswith("Disassembly of section "):
            section = line[len("Disassembly of section "):].rstrip(":")
            starts.setdefault(section, set())
            continue
        match = line_re.match(line)
        if section is None or not match:
            continue
        address, instruction = int(match.group(1), 16), match.group(2)
        starts[section].add(address)
        words = re.sub(r"<[^>]*>", "", instruction.split("#")[0]).replace(",", " ").split()
        if any(w in BAD_INSTRUCTIONS for w in words[:4]):
            found.add(f"the instruction `{' '.join(words)}` in {section} (graded code may not make system calls)")
        branch = re.match(r"^(?:(?:bnd|notrack|rex\.\w*|data16|addr32|[cdefgs]s)\s+)*"
                          r"(j\w+|call\w*|loop\w*|xbegin\w*)\s+([0-9a-f]+)\s+<", instruction)
        lea = re.match(r"^lea\w*\s+.*\(%rip\).*#\s*([0-9a-f]+)\s+<", instruction)
        if branch:
            pointers.append((section, int(branch.group(2), 16), f"{section}+{address:#x}"))
            kinds[(section, address)] = "branch"
        elif lea:
            pointers.append((section, int(lea.group(1), 16), f"{section}+{address:#x}"))
            kinds[(section, address)] = "lea"
    by_index = {s["index"]: s for s in elf.sections}
    sizes = {s["name"]: s["size"] for s in elf.sections}
    ordered = {name: sorted(addresses) + [sizes.get(name, 0)] for name, addresses in starts.items()}  # + the end
    for target_index, offset, type_, symbol, addend in elf.relocations():
        name, _bind, sym_type, shndx, value = symbol
        relocated, holder = by_index.get(target_index), by_index.get(shndx)
        if relocated is None:
            continue
        pc_field_ends = False  # a PC-relative field that ends a branch or a lea
        if relocated["name"] in starts:
            addresses = ordered[relocated["name"]]
            at = bisect.bisect_right(addresses, offset)  # addresses[at - 1] <= offset < addresses[at]
            start = addresses[at - 1] if at > 0 else None
            pc_field_ends = type_ in (R_X86_64_PC32, R_X86_64_PLT32) and (relocated["name"], start) in kinds \
                and at < len(addresses) and addresses[at] == offset + 4
            if pc_field_ends and shndx == SHN_UNDEF and kinds[(relocated["name"], start)] == "branch" \
                    and addend != -4:
                found.add(f"a call or jump into the middle of {name} ({name}{addend + 4:+#x}, from "
                          f"{relocated['name']}+{start:#x})")
        if holder is None or holder["name"] not in starts:
            continue  # not a reference to this object's code
        base = 0 if sym_type == 3 else value  # STT_SECTION symbols stand for the start of the section
        if relocated["name"] in starts:
            if pc_field_ends:
                pointers.append((holder["name"], base + addend + 4, f"{relocated['name']}+{start:#x}"))
        elif type_ == R_X86_64_64 and relocated["flags"] & SHF_ALLOC:  # loaded data: a pointer to code
            pointers.append((holder["name"], base + addend, f"{relocated['name']}+{offset:#x}"))
    for section, target, origin in pointers:
        if 0 <= target < sizes.get(section, 0) and target not in starts.get(section, ()):
            found.add(f"a jump or address into the middle of an instruction ({section}+{target:#x}, from "
                      f"{origin}: a hidden instruction)")
    return sorted(found)


def sections(obj):
    return [s["name"] for s in _Elf(obj).sections if s["index"] > 0]


def symbols(obj):
    """(defined, undefined, ifuncs): global and weak symbol names of an object file."""
    defined, undefined, ifuncs = set(), set(), set()
    for name, bind, type_, shndx, _value in _Elf(obj).symbols():
        if type_ == STT_GNU_IFUNC:
            ifuncs.add(name)
        if bind == STB_LOCAL:
            continue
        (undefined if shndx == SHN_UNDEF else defined).add(name)
    return defined, undefined, ifuncs


def defined_symbols(paths, dynamic=False):
    """Every global symbol defined by these objects, archives or shared libraries."""
    if not paths:
        return set()
    argv = ["nm", "-P", "-g", "--defined-only"] + (["-D"] if dynamic else []) + [str(p) for p in paths]
    result = subprocess.run(argv, capture_output=True, text=True)
    names = set()
    for line in result.stdout.splitlines():
        parts = line.split()
        if len(parts) >= 2 and not line.endswith(":"):
            names.add(parts[0].split("@")[0])
    return names


def check(obj, source_name, owned, api):
    """Raise ScanError unless `obj` is safe to link.

    owned: the symbols the slot's reference defines (the only ones the student may define);
    api: the symbols the runtime and lab libraries on the lab's link line define (the student may
    call them, and LIBC_ALLOWED).
    """
    elf = _Elf(obj)
    problems = []
    # The test harness's calls (winsync_test.h) steer the stuck-test guard: not for graded code.
    api = {name for name in api if not name.startswith(HARNESS_PREFIX)}
    names_by_index = {s["index"]: s["name"] for s in elf.sections}
    refused = [p for p in (_section_problem(s, names_by_index) for s in elf.sections) if p]
    if refused:
        problems.append("it contains " + ", ".join(sorted(set(refused))) + " (graded code may only have .text*, "
                        ".data*, .rodata*, .bss* and compiler metadata sections: no constructors or hooks)")
    if not any(s["name"] == ".note.GNU-stack" for s in elf.sections):
        problems.append("it has no .note.GNU-stack section (the stack would be executable)")

    defined, undefined, versioned, ifuncs, tls = set(), set(), set(), set(), set()
    for name, bind, type_, shndx, _value in elf.symbols():
        if "@" in name:
            versioned.add(name)
        if type_ == STT_GNU_IFUNC:
            ifuncs.add(name)
        if type_ == STT_TLS:
            tls.add(name)
        if bind == STB_LOCAL:
            continue
        (undefined if shndx == SHN_UNDEF else defined).add(name or "(unnamed)")
    if versioned:
        problems.append(f"it has versioned symbols {_show(versioned)} (.symver)")
    if ifuncs:
        problems.append(f"it defines indirect functions (ifuncs) {_show(ifuncs)}")
    if tls:
        problems.append(f"it has thread-local symbols {_show(tls)}")
    extra = defined - set(owned) - versioned
    if extra:
        problems.append(f"it defines {_show(extra)}, which graded code may not define (allowed: "
                        f"{_show(owned) if owned else 'the functions of this lab'}); make your helpers `static`")
    calls = undefined - set(api) - set(owned) - LIBC_ALLOWED - versioned
    if calls:
        problems.append(f"it references {_show(calls)}, which graded code may not use (allowed: the "
                        "kernel.h/windows.h API and memcpy, memset, strlen, printf, fprintf, snprintf, assert, "
                        "malloc, free...: LIBC_ALLOWED in grader/scan.py)")
    problems.extend("it contains " + p for p in _instruction_problems(obj, elf))
    if problems:
        raise ScanError(f"{source_name} was rejected: " + "; ".join(problems) + ".")
