"""A tiny fake winsync tree, laid out like the real one, for testing the grader alone.

Lab 01 "adder" is linked into the `winsync` library like labs 01-04; lab 02 "counter" is its
own static library next to a header the lab folder gives, like lab 05's queue. The tests use
3-second timeouts so the slow cases (hangs) stay quick.
"""

import shutil
import tempfile
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

FILES = {
    "CMakeLists.txt": """
        cmake_minimum_required(VERSION 3.25)
        project(fake LANGUAGES C)
        set(CMAKE_C_STANDARD 17)
        set(CMAKE_POSITION_INDEPENDENT_CODE ON)
        add_compile_options(-Wall -Wextra -Werror)
        if(EXISTS "${PROJECT_SOURCE_DIR}/solutions")
          set(SLOT_ROOT "${PROJECT_SOURCE_DIR}/solutions")
        else()
          set(SLOT_ROOT "${PROJECT_SOURCE_DIR}/labs")
        endif()
        set(WINSYNC_ADDER_SOURCE "${SLOT_ROOT}/01-adder/adder.c" CACHE FILEPATH "")
        set(WINSYNC_COUNTER_SOURCE "${SLOT_ROOT}/02-counter/counter.c" CACHE FILEPATH "")
        add_library(winsync_core OBJECT runtime/core.c)
        target_include_directories(winsync_core PUBLIC include runtime)
        add_library(winsync_slots OBJECT ${WINSYNC_ADDER_SOURCE})
        target_link_libraries(winsync_slots PUBLIC winsync_core)
        add_library(winsync STATIC $<TARGET_OBJECTS:winsync_core> $<TARGET_OBJECTS:winsync_slots>)
        target_include_directories(winsync PUBLIC include runtime)
        include(cmake/WinsyncTesting.cmake)
        if(EXISTS "${PROJECT_SOURCE_DIR}/tests/labs/CMakeLists.txt")
          add_subdirectory(tests/labs)
        endif()
    """,
    "cmake/WinsyncTesting.cmake": """
        find_package(PkgConfig REQUIRED)
        pkg_check_modules(CRITERION REQUIRED IMPORTED_TARGET criterion)
        function(winsync_add_criterion_test)
          cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS" ${ARGN})
          if(NOT T_LIBS)
            set(T_LIBS winsync)
          endif()
          add_executable(${T_NAME} ${T_SOURCES})
          target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} PkgConfig::CRITERION)
        endfunction()
    """,
    "include/winsync.h": """
        #ifndef WINSYNC_H
        #define WINSYNC_H
        int ws_version(void);
        #endif
    """,
    "runtime/kernel.h": """
        #ifndef KERNEL_H
        #define KERNEL_H
        #include "winsync.h"
        int adder_add(int a, int b);
        int ws_sum3(int a, int b, int c);
        #endif
    """,
    "runtime/core.c": """
        #include "kernel.h"
        int ws_version(void) { return 1; }
        int ws_sum3(int a, int b, int c) { return adder_add(adder_add(a, b), c); }
    """,
    "solutions/01-adder/adder.c": """
        #include "kernel.h"
        int adder_add(int a, int b)
        {
            return a + b;
        }
    """,
    "labs/01-adder/adder.c": """
        #include "kernel.h"
        int adder_add(int a, int b)
        {
            (void)a;
            (void)b;
            return 0;
        }
    """,
    "labs/01-adder/README.md": "# Lab 01: adder\n",
    "labs/01-adder/lab.toml": """
        [lab]
        number = 1
        slug = "adder"
        title = "Adding"
        student_files = ["adder.c"]
        slot = "adder"
        timeout = 3

        [[tests]]
        id = "adder/small"
        points = 2
        hidden = false
        section = "Step 1: Small numbers"

        [[tests]]
        id = "adder/negative"
        points = 1
        hidden = false
        section = "Step 2: Negative numbers"

        [[tests]]
        id = "adder_hidden/sum3"
        points = 2
        hidden = true
        section = "Step 3: Through the runtime"
    """,
    "solutions/02-counter/counter.c": """
        #include "counter.h"
        static int value;
        int counter_next(void)
        {
            return ++value;
        }
    """,
    "labs/02-counter/counter.c": """
        #include "counter.h"
        int counter_next(void)
        {
            return 0;
        }
    """,
    "labs/02-counter/counter.h": """
        #ifndef COUNTER_H
        #define COUNTER_H
        int counter_next(void);
        #endif
    """,
    "labs/02-counter/README.md": "# Lab 02: counter\n",
    "labs/02-counter/lab.toml": """
        [lab]
        number = 2
        slug = "counter"
        title = "Counting"
        student_files = ["counter.c"]
        slot = "counter"
        timeout = 3

        [[tests]]
        id = "counter/first"
        points = 1
        section = "Step 1"

        [[tests]]
        id = "counter/sequence"
        points = 3
        section = "Step 2"
    """,
    "tests/labs/CMakeLists.txt": """
        file(GLOB dirs LIST_DIRECTORIES true RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/[0-9][0-9]-*)
        foreach(dir IN LISTS dirs)
          add_subdirectory(${dir})
        endforeach()
    """,
    "tests/labs/01-adder/CMakeLists.txt": """
        file(GLOB hidden CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/hidden/*.c)
        winsync_add_criterion_test(NAME lab01-adder SOURCES adder_tests.c sentinel.c ${hidden})
    """,
    "tests/labs/01-adder/adder_tests.c": """
        #include <criterion/criterion.h>
        #include "kernel.h"
        Test(adder, small, .timeout = 3) { cr_assert_eq(adder_add(2, 3), 5); }
        Test(adder, negative, .timeout = 3) { cr_assert_eq(adder_add(-2, -3), -5); }
    """,
    "tests/labs/01-adder/sentinel.c": """
        #include "kernel.h"
        void sentinel_exercise(void);
        void sentinel_exercise(void) { (void)adder_add(1, 2); }
    """,
    "tests/labs/02-counter/sentinel.c": """
        #include "counter.h"
        void sentinel_exercise(void);
        void sentinel_exercise(void) { (void)counter_next(); }
    """,
    "tests/labs/01-adder/hidden/adder_hidden.c": """
        #include <criterion/criterion.h>
        #include "kernel.h"
        Test(adder_hidden, sum3, .timeout = 3) { cr_assert_eq(ws_sum3(1, 2, 3), 6); }
    """,
    "tests/labs/02-counter/CMakeLists.txt": """
        add_library(counter_lib STATIC ${WINSYNC_COUNTER_SOURCE})
        target_include_directories(counter_lib PUBLIC ${PROJECT_SOURCE_DIR}/labs/02-counter)
        target_link_libraries(counter_lib PUBLIC winsync)
        winsync_add_criterion_test(NAME lab02-counter SOURCES counter_tests.c sentinel.c LIBS counter_lib)
    """,
    "tests/labs/02-counter/counter_tests.c": """
        #include <criterion/criterion.h>
        #include "counter.h"
        Test(counter, first, .timeout = 3) { cr_assert_eq(counter_next(), 1); }
        Test(counter, sequence, .timeout = 3)
        {
            for (int i = 1; i <= 5; i++)
                cr_assert_eq(counter_next(), i);
        }
    """,
    "tests/mutants/01-adder/negative_wrong.diff": """
        # Mutant: negative numbers come out positive.
        # Caught by: adder/negative
        --- a/solutions/01-adder/adder.c
        +++ b/solutions/01-adder/adder.c
        @@ -1,5 +1,5 @@
         #include "kernel.h"
         int adder_add(int a, int b)
         {
        -    return a + b;
        +    return a < 0 ? -(a + b) : a + b;
         }
    """,
    "tests/mutants/02-counter/starts_at_zero.diff": """
        # Mutant: counts from zero.
        # Caught by: counter/first
        --- a/solutions/02-counter/counter.c
        +++ b/solutions/02-counter/counter.c
        @@ -2,5 +2,5 @@
         static int value;
         int counter_next(void)
         {
        -    return ++value;
        +    return value++;
         }
    """,
    "docs/instructor-guide.md": "Secret: the answers are in solutions/.\n",
    "docs/workbook.md": "# Workbook\n",
}


def make_tree(where=None):
    """Write the fake tree (with this repository's grader) and return its root."""
    root = Path(where or tempfile.mkdtemp(prefix="grader-fixture-"))
    for rel, text in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    shutil.copytree(REPO / "grader", root / "grader", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(REPO / "grade", root / "grade")
    return root


ADDER_SOLUTION = "#include \"kernel.h\"\nint adder_add(int a, int b)\n{\n    return a + b;\n}\n"
COUNTER_SOLUTION = "#include \"counter.h\"\nstatic int value;\nint counter_next(void)\n{\n    return ++value;\n}\n"


def adder(body, prelude=""):
    """A student adder.c whose function body is `body`."""
    return f"#include \"kernel.h\"\n{prelude}\nint adder_add(int a, int b)\n{{\n{body}\n}}\n"


def submission(files):
    """A submission folder holding {relative path: text}."""
    root = Path(tempfile.mkdtemp(prefix="grader-submission-"))
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root
