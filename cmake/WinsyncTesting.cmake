# Helpers shared by every test directory.
#
# winsync_add_criterion_test(NAME <name> SOURCES <files...> [LIBS <targets...>] [TIMEOUT <s>])
#   Builds a Criterion test binary and registers it with ctest. Each ctest run gets a
#   private winsync namespace (WINSYNC_NAMESPACE) so parallel runs never collide.
find_package(PkgConfig)
if(PkgConfig_FOUND)
  pkg_check_modules(CRITERION IMPORTED_TARGET criterion)
endif()

function(winsync_add_criterion_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS" ${ARGN})
  if(NOT TARGET PkgConfig::CRITERION)
    message(FATAL_ERROR "Criterion not found: run `sudo apt-get install libcriterion-dev pkg-config`, "
                        "or configure with -DWINSYNC_BUILD_TESTS=OFF")
  endif()
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  if(NOT T_LIBS)
    set(T_LIBS winsync)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} PkgConfig::CRITERION)
  target_include_directories(${T_NAME} PRIVATE ${PROJECT_SOURCE_DIR}/tests/support)
  add_test(NAME ${T_NAME}
           COMMAND ${PROJECT_SOURCE_DIR}/tests/support/run-isolated --private-tmp $<TARGET_FILE:${T_NAME}> --jobs=2)
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT})
  # Lab tests run with the stuck-test guard, as under the grader (runtime/dispatcher/stuck.c):
  # a lab test that can only wait out a timeout fails at once.
  string(FIND "${CMAKE_CURRENT_SOURCE_DIR}/" "${PROJECT_SOURCE_DIR}/tests/labs/" in_labs)
  if(in_labs EQUAL 0)
    set_property(TEST ${T_NAME} APPEND PROPERTY ENVIRONMENT WINSYNC_GUARD=1)
  endif()
endfunction()

# winsync_add_driver_test(NAME <name> SOURCES <files...> [LIBS ...] [ARGS ...] [TIMEOUT <s>])
#   A standalone program (no Criterion) that exits 0 on success: TSan drivers, examples.
#   Drivers whose name contains "tsan" are also built by the target `tsan-drivers`, all
#   that the tsan preset needs (Criterion cannot run under ThreadSanitizer).
add_custom_target(tsan-drivers)
function(winsync_add_driver_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT" "SOURCES;LIBS;ARGS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  if(NOT T_LIBS)
    set(T_LIBS winsync)
  endif()
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS})
  if(T_NAME MATCHES "tsan")
    add_dependencies(tsan-drivers ${T_NAME})
  endif()
  add_test(NAME ${T_NAME}
           COMMAND ${PROJECT_SOURCE_DIR}/tests/support/run-isolated $<TARGET_FILE:${T_NAME}> ${T_ARGS})
  set_tests_properties(${T_NAME} PROPERTIES TIMEOUT ${T_TIMEOUT})
endfunction()
