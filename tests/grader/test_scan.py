"""The allow-list scan of a student's object (grader/scan.py).

Each way a student object was once made to forge results is a small C file compiled with
`cc -c -fPIC -O2 -g` and must be rejected with a message naming the cause; every real solution,
compiled with the project's real flags and checked against the `owned`/`api` sets build.py computes
from the real tree, must pass, and so must honest code (printf debugging, assert, memcpy, a static
helper, a local array).
"""

import shutil
import subprocess
import tempfile
import textwrap
import unittest
from pathlib import Path

from grader import build, config, scan

REPO = Path(__file__).resolve().parents[2]
HAVE_CC = shutil.which("cc") is not None and shutil.which("objdump") is not None

# Lab 01's slot and a little of the runtime: enough for the objects below, which do not include kernel.h.
OWNED = {"event_initialize", "event_is_signaled", "event_satisfy", "event_set", "event_reset", "event_pulse"}
API = {"ws_dispatch_signal", "ws_dispatcher_lock", "ws_dispatcher_unlock", "SetEvent", "WaitForSingleObject",
       "CreateProcessA"}

HONEST = """
    #include <assert.h>
    #include <ctype.h>
    #include <stdarg.h>
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>

    struct item { int key; char name[16]; };

    static int calls;

    static int by_key(const void *a, const void *b)
    {
        return ((const struct item *)a)->key - ((const struct item *)b)->key;
    }

    static void debug(const char *format, ...)
    {
        va_list args;
        va_start(args, format);
        vfprintf(stderr, format, args);
        va_end(args);
    }

    int event_set(void *event)
    {
        struct item items[4];
        char line[64];
        memset(items, 0, sizeof items);
        for (int i = 0; i < 4; i++) {
            items[i].key = 3 - i;
            snprintf(items[i].name, sizeof items[i].name, "item%d", i);
        }
        memcpy(line, items[0].name, strlen(items[0].name) + 1);
        qsort(items, 4, sizeof items[0], by_key);
        assert(items[0].key <= items[3].key);
        char *copy = malloc(32);
        if (copy == NULL)
            abort();
        strcpy(copy, line);
        for (char *p = copy; *p; p++)
            *p = (char)toupper((unsigned char)*p);
        printf("event %p: %s %s\\n", event, copy, line);
        puts("done");
        fflush(stdout);
        debug("calls: %d\\n", ++calls);
        free(copy);
        return items[0].key + (int)strlen(line);
    }
"""

# name -> (source, words the message must hold)
BYPASSES = {
    "gmon_start": ("""
        int forged;
        void __gmon_start__(void) { forged = 1; }
        int event_set(void *e) { (void)e; return forged; }
    """, ["__gmon_start__", "may not define"]),
    "init_section": ("""
        volatile int forged;
        void event_pulse(void) { forged = 1; }
        __asm__(".section .init,\\"ax\\",@progbits\\n\\tcall event_pulse\\n\\t.previous");
        int event_set(void *e) { (void)e; return forged; }
    """, ["section .init"]),
    "tm_clone_table": ("""
        volatile int forged;
        static void forge(void) { forged = 1; }
        __attribute__((used, section(".tm_clone_table"))) static void *table[2] = {(void *)forge, (void *)forge};
        int event_set(void *e) { (void)e; return forged; }
    """, ["section .tm_clone_table"]),
    "static_ifunc": ("""
        static int impl(void) { return 0; }
        static void *resolve(void) { return (void *)impl; }
        static int chosen(void) __attribute__((ifunc("resolve")));
        int event_set(void *e) { (void)e; return chosen(); }
    """, ["ifunc", "chosen"]),
    "symver": ("""
        __asm__(".symver my_system,system@GLIBC_2.2.5");
        int my_system(const char *command);
        int event_set(void *e) { (void)e; return my_system("true"); }
    """, ["system@GLIBC_2.2.5", "versioned"]),
    "dl_iterate_phdr": ("""
        #define _GNU_SOURCE
        #include <link.h>
        static int visit(struct dl_phdr_info *info, size_t size, void *data)
        {
            (void)size, (void)data;
            return info->dlpi_name[0];
        }
        int event_set(void *e) { (void)e; return dl_iterate_phdr(visit, 0); }
    """, ["dl_iterate_phdr", "may not use"]),
    "inline_syscall_execve": ("""
        int event_set(void *e)
        {
            static const char sh[] = "/bin/sh";
            long ret;
            (void)e;
            __asm__ volatile("syscall" : "=a"(ret) : "a"(59L), "D"(sh), "S"(0L), "d"(0L) : "rcx", "r11", "memory");
            return (int)ret;
        }
    """, ["`syscall`", "system calls"]),
    "int_0x80": ("""
        int event_set(void *e) { (void)e; __asm__ volatile("int $0x80" ::: "memory"); return 0; }
    """, ["`int $0x80`"]),
    "sysenter": ("""
        int event_set(void *e) { (void)e; __asm__ volatile("sysenter" ::: "memory"); return 0; }
    """, ["`sysenter`"]),
    "syscall_in_another_code_section": ("""
        __attribute__((section(".text.hidden"), used)) static void hidden(void) { __asm__ volatile("syscall"); }
        int event_set(void *e) { (void)e; return 0; }
    """, ["`syscall` in .text.hidden"]),
    "syscall_hidden_by_a_jump": ("""
        int event_set(void *e)
        {
            (void)e;
            __asm__ volatile("jmp 1f+1\\n1: .byte 0xb8\\n syscall\\n nop\\n nop\\n nop\\n" ::: "rax", "rcx", "r11");
            return 0;
        }
    """, ["middle of an instruction"]),
    "syscall_hidden_behind_a_data_pointer": ("""
        __asm__(".globl event_reset\\n.text\\nevent_reset: movl $0x90c3050f, %eax\\n ret\\n");
        extern char event_reset[];
        void *const entry[] = { event_reset + 1 };
        int event_set(void *e) { (void)e; return 0; }
    """, ["middle of an instruction", ".data.rel.ro"]),
    "call_into_the_middle_of_a_function": ("""
        int event_set(void *e) { (void)e; __asm__ volatile("call SetEvent+6" ::: "memory"); return 0; }
    """, ["middle of SetEvent"]),
    "constructor": ("""
        volatile int forged;
        __attribute__((constructor)) static void early(void) { forged = 1; }
        int event_set(void *e) { (void)e; return forged; }
    """, [".init_array"]),
    "destructor": ("""
        volatile int forged;
        __attribute__((destructor)) static void late(void) { forged = 1; }
        int event_set(void *e) { (void)e; return forged; }
    """, [".fini_array"]),
    "init_array_type_under_a_data_name": ("""
        volatile int forged;
        static void forge(void) { forged = 1; }
        __asm__(".section .data.ctor,\\"aw\\",@init_array\\n\\t.quad forge\\n\\t.previous");
        int event_set(void *e) { (void)e; forge(); return forged; }
    """, ["section .data.ctor (of type init_array)"]),
    "executable_data": ("""
        __asm__(".section .data.code,\\"awx\\",@progbits\\n\\t.byte 0xc3\\n\\t.previous");
        int event_set(void *e) { (void)e; return 0; }
    """, ["section .data.code (executable)"]),
    "executable_stack": ("""
        __asm__(".section .note.GNU-stack,\\"x\\",@progbits\\n\\t.previous");
        int event_set(void *e) { (void)e; return 0; }
    """, [".note.GNU-stack", "executable stack"]),
    "custom_section": ("""
        __attribute__((used, section("my_hooks"))) static const int marker = 1;
        int event_set(void *e) { (void)e; return 0; }
    """, ["section my_hooks"]),
    "thread_local_storage": ("""
        static _Thread_local int counter;
        int event_set(void *e) { (void)e; return ++counter; }
    """, ["thread-local"]),
    "exit": ("""
        #include <stdlib.h>
        int event_set(void *e) { (void)e; exit(0); }
    """, ["references exit", "may not use"]),
    "underscore_exit_and_kill": ("""
        #include <signal.h>
        #include <unistd.h>
        int event_set(void *e) { (void)e; kill(getppid(), SIGKILL); _exit(0); }
    """, ["_exit", "kill", "getppid"]),
    "system": ("""
        #include <stdlib.h>
        int event_set(void *e) { (void)e; return system("true"); }
    """, ["system"]),
    "dlopen_dlsym": ("""
        #include <dlfcn.h>
        int event_set(void *e) { (void)e; void *h = dlopen("libc.so.6", RTLD_NOW); return dlsym(h, "system") != 0; }
    """, ["dlopen", "dlsym"]),
    "mprotect_mmap": ("""
        #include <sys/mman.h>
        int event_set(void *e)
        {
            void *p = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            return mprotect(p, 4096, PROT_EXEC) + (e != 0);
        }
    """, ["mmap", "mprotect"]),
    "fopen": ("""
        #include <stdio.h>
        int event_set(void *e) { (void)e; return fopen("/tmp/x", "w") != 0; }
    """, ["fopen"]),
    "global_helper": ("""
        int helper(int x) { return x + 1; }
        int event_set(void *e) { (void)e; return helper(1); }
    """, ["helper", "static"]),
    "replacing_a_libc_function": ("""
        #include <stddef.h>
        size_t strlen(const char *s) { (void)s; return 0; }
        int event_set(void *e) { (void)e; return 0; }
    """, ["defines strlen"]),
    "main": ("""
        int main(void) { return 0; }
        int event_set(void *e) { (void)e; return 0; }
    """, ["defines main"]),
}


def compile_c(folder, name, source, flags=("-fPIC", "-O2", "-g")):
    path = Path(folder) / (name + ".c")
    path.write_text(textwrap.dedent(source))
    obj = Path(folder) / (name + ".o")
    result = subprocess.run(["cc", "-c", *flags, str(path), "-o", str(obj)], capture_output=True, text=True)
    if result.returncode != 0:
        raise AssertionError(f"{name}.c does not compile:\n{result.stderr}")
    return obj


@unittest.skipUnless(HAVE_CC, "needs cc and objdump")
class Bypasses(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.folder = tempfile.mkdtemp(prefix="scan-test-")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.folder, ignore_errors=True)

    def rejected(self, name, source, owned=OWNED, api=API):
        obj = compile_c(self.folder, name, source)
        with self.assertRaises(scan.ScanError) as caught:
            scan.check(obj, name + ".c", owned, api)
        return str(caught.exception)

    def test_each_bypass_is_rejected_naming_its_cause(self):
        for name, (source, words) in BYPASSES.items():
            with self.subTest(name):
                message = self.rejected(name, source)
                self.assertTrue(message.startswith(f"{name}.c was rejected: "), message)
                for word in words:
                    self.assertIn(word, message)

    def test_every_problem_is_listed_in_one_message(self):
        message = self.rejected("several", """
            #include <stdlib.h>
            __asm__(".section .init,\\"ax\\",@progbits\\n\\tnop\\n\\t.previous");
            int helper(void) { return 1; }
            int event_set(void *e) { (void)e; __asm__ volatile("syscall" ::: "rcx", "r11"); exit(helper()); }
        """)
        for word in ["section .init", "defines helper", "references exit", "`syscall`"]:
            self.assertIn(word, message)
        self.assertEqual(message.count("was rejected"), 1)

    def test_the_message_names_what_is_allowed(self):
        message = self.rejected("phdr", BYPASSES["dl_iterate_phdr"][0])
        self.assertIn("kernel.h/windows.h API", message)
        self.assertIn("memcpy", message)
        message = self.rejected("helper", BYPASSES["global_helper"][0])
        self.assertIn("event_set", message)

    def test_criterion_report_hook(self):
        if not Path("/usr/include/criterion/hooks.h").exists():
            self.skipTest("needs Criterion's headers")
        message = self.rejected("hook", """
            #include <criterion/criterion.h>
            #include <criterion/hooks.h>
            ReportHook(POST_TEST)(struct criterion_test_stats *stats) { stats->test_status = CR_STATUS_PASSED; }
            int event_set(void *e) { (void)e; return 0; }
        """)
        self.assertIn("section cr_", message)

    def test_the_harness_calls_are_refused_although_the_runtime_defines_them(self):
        message = self.rejected("harness", """
            int WinsyncHarnessWait(unsigned ms, unsigned pid);
            int event_set(void *e) { (void)e; return WinsyncHarnessWait(0, 0); }
        """, api=API | {"WinsyncHarnessWait"})
        self.assertIn("references WinsyncHarnessWait", message)

    def test_not_an_object_file(self):
        path = Path(self.folder) / "text.o"
        path.write_text("int event_set;\n")
        with self.assertRaises(scan.ScanError):
            scan.check(path, "text.c", OWNED, API)


@unittest.skipUnless(HAVE_CC, "needs cc and objdump")
class HonestCode(unittest.TestCase):
    def setUp(self):
        self.folder = tempfile.mkdtemp(prefix="scan-test-")
        self.addCleanup(shutil.rmtree, self.folder, True)

    def test_printf_assert_memcpy_static_helpers_and_a_local_array_pass(self):
        for flags in (("-fPIC", "-O2", "-g"), ("-fPIC", "-O0", "-g"), ("-fPIC", "-O2", "-g", "-DNDEBUG"),
                      ("-fPIC", "-O2", "-g", "-D_FORTIFY_SOURCE=2", "-fstack-protector-strong", "-fcf-protection"),
                      ("-fPIC", "-O3", "-g", "-ffunction-sections", "-fdata-sections")):
            with self.subTest(flags=" ".join(flags)):
                scan.check(compile_c(self.folder, "honest", HONEST, flags), "honest.c", OWNED, API)

    def test_calling_the_api_and_other_slot_functions_passes(self):
        obj = compile_c(self.folder, "caller", """
            int ws_dispatch_signal(void *object);
            int event_reset(void *e);
            int event_set(void *e) { ws_dispatch_signal(e); return event_reset(e); }
        """)
        scan.check(obj, "caller.c", OWNED, API)

    def test_defined_symbols(self):
        obj = compile_c(self.folder, "two", "static int helper(void) { return 1; }\n"
                                            "int event_set(void *e) { (void)e; return helper(); }\n"
                                            "int event_reset(void *e) { (void)e; return 0; }\n")
        self.assertEqual(scan.defined_symbols([obj]), {"event_set", "event_reset"})


@unittest.skipUnless(HAVE_CC and shutil.which("cmake"), "needs cc, objdump and cmake")
class RealSolutions(unittest.TestCase):
    """The real tree configured (with compile_commands.json) and its libraries built in a temporary
    folder; the manifest's owned/api computed by build.py exactly as for the grader's cache."""

    @classmethod
    def setUpClass(cls):
        cls.dir = Path(tempfile.mkdtemp(prefix="scan-tree-"))
        out = cls.dir / "build"
        log = cls.dir / "build.log"
        with open(log, "w") as f:
            for argv in (["cmake", "-S", str(REPO), "-B", str(out), "-G", "Unix Makefiles",
                          "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON", "-DWINSYNC_BUILD_TESTS=ON"],
                         ["cmake", "--build", str(out), "-j2", "--target", "winsync", "winsync_queue"]):
                if subprocess.run(argv, stdout=f, stderr=subprocess.STDOUT).returncode != 0:
                    raise unittest.SkipTest(f"the real tree does not build here; see {log}")
        cls.labs = config.load_labs(REPO)
        shared = build.SharedBuild.__new__(build.SharedBuild)
        shared.dir, shared.key, shared.labs = cls.dir, "scan-test", cls.labs
        cls.manifest = shared._collect()

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def compile_with_real_flags(self, command, source, output):
        argv, skip = [], False
        for i, token in enumerate(command["argv"]):
            if skip:
                skip = False
            elif token in ("-o", "-MF", "-MT", "-MQ", "-c"):
                skip = True
            elif token not in ("-MD", "-MMD", "-Werror"):  # the grader drops -Werror too
                argv.append(token)
        argv += ["-o", str(output), "-c", str(source)]
        result = subprocess.run(argv, cwd=command["directory"], capture_output=True, text=True)
        self.assertEqual(result.returncode, 0, result.stderr)
        return output

    def test_the_manifest_has_owned_and_api(self):
        for lab in self.labs:
            info = self.manifest["labs"][lab.key]
            with self.subTest(lab.key):
                self.assertNotIn("forbidden", info)
                self.assertEqual(info["owned"], sorted(info["owned"]))
                self.assertEqual(info["api"], sorted(info["api"]))
                self.assertTrue(info["owned"])
                self.assertIn("WaitForSingleObject", info["api"])
                self.assertIn("ws_dispatch_signal", info["api"])
                for outsider in ("main", "printf", "cr_assert_fail", "criterion_run_all_tests", "exit"):
                    self.assertNotIn(outsider, info["api"])
        self.assertIn("event_set", self.manifest["labs"]["01"]["owned"])
        self.assertIn("queue_push_back", self.manifest["labs"]["05"]["owned"])
        self.assertIn("CreateMutexA", self.manifest["labs"]["05"]["api"])

    def test_every_solution_passes(self):
        for lab in self.labs:
            info = self.manifest["labs"][lab.key]
            for name, file_info in info["files"].items():
                if file_info["compile"] is None:
                    continue
                with self.subTest(f"{lab.folder}/{name}"):
                    source = REPO / "solutions" / lab.folder / name
                    obj = self.compile_with_real_flags(file_info["compile"], source, self.dir / f"{lab.key}-{name}.o")
                    scan.check(obj, name, set(info["owned"]), set(info["api"]))

    def test_lab05_kill_points_reach_the_graded_object(self):
        """Lab 05's kill points (tests/labs/05-interprocess-queue/killpoint.h) need real memcpy calls
        in the student's object and a test binary linked with --wrap: the grader's own compile and
        link commands keep both."""
        info = self.manifest["labs"]["05"]
        command = info["files"]["queue.c"]["compile"]
        argv = build._student_compile_argv(command["argv"], self.dir / "src", self.dir / "tree",
                                           self.dir / "queue.c", self.dir / "queue.o")
        self.assertIn("-fno-builtin-memcpy", argv)
        self.assertIn("-fno-builtin-memmove", argv)
        for wrapped in ("memcpy", "memmove", "WaitForMultipleObjects", "ReleaseMutex", "MapViewOfFile"):
            self.assertIn(f"-Wl,--wrap={wrapped}", info["link_argv"])
        obj = self.compile_with_real_flags(command, REPO / "solutions/05-interprocess-queue/queue.c",
                                           self.dir / "queue-calls.o")
        _defined, undefined, _ifuncs = scan.symbols(obj)
        self.assertIn("memcpy", undefined, "the solution's copies were inlined: no kill point in them")

    def test_honest_code_with_the_real_flags_passes(self):
        info = self.manifest["labs"]["01"]
        source = self.dir / "event.c"
        solution = (REPO / "solutions/01-events/event.c").read_text()
        source.write_text("#include <assert.h>\n#include <stdio.h>\n#include <string.h>\n" + solution + """
static int traced;

static void trace(const struct ws_object *event, const char *what)
{
    char copy[32];
    memcpy(copy, what, strlen(what) + 1);
    assert(event != NULL);
    fprintf(stderr, "%p %s %d\\n", (const void *)event, copy, ++traced);
}

__attribute__((used)) static void debug_all(const struct ws_object *event)
{
    trace(event, "debug");
    printf("ok\\n");
}
""")
        obj = self.compile_with_real_flags(info["files"]["event.c"]["compile"], source, self.dir / "honest-event.o")
        scan.check(obj, "event.c", set(info["owned"]), set(info["api"]))

    def test_a_bypass_is_rejected_with_the_real_sets(self):
        info = self.manifest["labs"]["01"]
        obj = compile_c(self.dir, "phdr", BYPASSES["dl_iterate_phdr"][0])
        with self.assertRaises(scan.ScanError) as caught:
            scan.check(obj, "event.c", set(info["owned"]), set(info["api"]))
        self.assertIn("dl_iterate_phdr", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
