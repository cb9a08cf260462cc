# Lab slots: which file each lab's slot is built from.
#
# Each lab is one file (a slot) in the model kernel or, for lab 05, in the queue library.
# WINSYNC_STUDENT_LABS lists the labs whose slot is your own file in labs/NN-topic/; every other
# slot is the reference:
#   - solutions/NN-topic/<file>    in the instructor repository (it has solutions/);
#   - reference/NN-topic/<file>.o  in the student handout (prebuilt reference objects);
#   - labs/NN-topic/<file>         when neither exists (a warning says so).
# Values: "all", "none", or lab numbers and/or slugs separated by commas, semicolons or spaces
# ("01", "1,3", "events;semaphores"). Default: "none" with solutions/, "all" without (the
# handout; the grader's shared build relies on that default: every slot compiled from labs/).
#
#   cmake --preset default -DWINSYNC_STUDENT_LABS=01     # lab 01 yours, the others the reference
#
# WINSYNC_<SLOT>_SOURCE (EVENT, MUTEX, SEMAPHORE, APC, QUEUE, WAITTEST) ends up holding each
# slot's file (a .c, or a reference .o); the grader's shared build reads them (grader/build.py).
# Setting one to a file elsewhere (-DWINSYNC_EVENT_SOURCE=/path/x.c) pins that slot to that file
# whatever WINSYNC_STUDENT_LABS says, until it is set back to empty; set to the slot's own file in
# labs/, solutions/ or reference/, it follows WINSYNC_STUDENT_LABS (list the lab there instead).
#
# Result: WINSYNC_SLOT_SOURCES (the kernel slots compiled here), WINSYNC_SLOT_OBJECTS (the kernel
# slots linked as prebuilt objects) and WINSYNC_QUEUE_SOURCE (lab 05, a .c or a .o).

if(EXISTS "${PROJECT_SOURCE_DIR}/solutions")
  set(_winsync_default_labs none)
else()
  set(_winsync_default_labs all)
endif()
set(WINSYNC_STUDENT_LABS "${_winsync_default_labs}" CACHE STRING
    "Labs built from your files in labs/ (all, none, or numbers like 01,03); the others use the reference")

# number|slug|SLOT|folder|file (the order of the kernel slots is their order in libwinsync.a)
set(_winsync_slot_table
    "01|events|EVENT|01-events|event.c"
    "02|mutexes|MUTEX|02-mutexes|mutex.c"
    "03|semaphores|SEMAPHORE|03-semaphores|semaphore.c"
    "04|apcs|APC|04-apcs|apc.c"
    "06|wait-multiple|WAITTEST|06-wait-multiple|wait_test.c"
    "05|interprocess-queue|QUEUE|05-interprocess-queue|queue.c")

# The list, normalized to two-digit numbers.
string(STRIP "${WINSYNC_STUDENT_LABS}" _winsync_wanted)
string(REGEX REPLACE "[,; \t]+" ";" _winsync_wanted "${_winsync_wanted}")
set(_winsync_student "")
foreach(_item IN LISTS _winsync_wanted)
  string(TOLOWER "${_item}" _item)
  if(_item STREQUAL "all")
    foreach(_entry IN LISTS _winsync_slot_table)
      string(REPLACE "|" ";" _row "${_entry}")
      list(GET _row 0 _number)
      list(APPEND _winsync_student ${_number})
    endforeach()
    continue()
  elseif(_item STREQUAL "none" OR _item STREQUAL "")
    continue()
  endif()
  set(_found "")
  foreach(_entry IN LISTS _winsync_slot_table)
    string(REPLACE "|" ";" _row "${_entry}")
    list(GET _row 0 _number)
    list(GET _row 1 _slug)
    list(GET _row 3 _folder)
    if(_item MATCHES "^[0-9]+$")
      math(EXPR _a "${_item}")
      math(EXPR _b "${_number}")
      if(_a EQUAL _b)
        set(_found ${_number})
      endif()
    elseif(_item STREQUAL _slug OR _item STREQUAL _folder)
      set(_found ${_number})
    endif()
  endforeach()
  if(NOT _found)
    message(FATAL_ERROR "WINSYNC_STUDENT_LABS: no lab called '${_item}'. Use all, none, or lab numbers "
                        "01 02 03 04 05 06 (or slugs: events, mutexes, semaphores, apcs, "
                        "interprocess-queue, wait-multiple), separated by commas.")
  endif()
  list(APPEND _winsync_student ${_found})
endforeach()
list(REMOVE_DUPLICATES _winsync_student)

set(WINSYNC_SLOT_SOURCES "")
set(WINSYNC_SLOT_OBJECTS "")
set(_winsync_summary "")
foreach(_entry IN LISTS _winsync_slot_table)
  string(REPLACE "|" ";" _row "${_entry}")
  list(GET _row 0 _number)
  list(GET _row 2 _slot)
  list(GET _row 3 _folder)
  list(GET _row 4 _file)
  set(_var WINSYNC_${_slot}_SOURCE)
  if(_number IN_LIST _winsync_student)
    set(_path "${PROJECT_SOURCE_DIR}/labs/${_folder}/${_file}")
    set(_what "your file")
  elseif(EXISTS "${PROJECT_SOURCE_DIR}/solutions/${_folder}/${_file}")
    set(_path "${PROJECT_SOURCE_DIR}/solutions/${_folder}/${_file}")
    set(_what "the reference solution")
  elseif(EXISTS "${PROJECT_SOURCE_DIR}/reference/${_folder}/${_file}.o")
    set(_path "${PROJECT_SOURCE_DIR}/reference/${_folder}/${_file}.o")
    set(_what "the prebuilt reference")
  else()
    set(_path "${PROJECT_SOURCE_DIR}/labs/${_folder}/${_file}")
    set(_what "your file: there is no reference for this lab here")
    message(WARNING "lab ${_number}: neither solutions/${_folder}/${_file} nor reference/${_folder}/${_file}.o "
                    "exists, so its slot is labs/${_folder}/${_file} although WINSYNC_STUDENT_LABS "
                    "does not list it.")
  endif()
  # The slot follows WINSYNC_STUDENT_LABS unless WINSYNC_<SLOT>_SOURCE names a file other than
  # the slot's own in labs/, solutions/ or reference/ (one of those is always the list's choice).
  set(_automatic "${PROJECT_SOURCE_DIR}/labs/${_folder}/${_file}" "${PROJECT_SOURCE_DIR}/solutions/${_folder}/${_file}"
                 "${PROJECT_SOURCE_DIR}/reference/${_folder}/${_file}.o")
  if(NOT DEFINED CACHE{${_var}} OR "$CACHE{${_var}}" STREQUAL "" OR "$CACHE{${_var}}" IN_LIST _automatic)
    set(${_var} "${_path}" CACHE FILEPATH
        "Lab ${_number} slot: set by WINSYNC_STUDENT_LABS, unless you name another file here" FORCE)
  else()
    set(_what "set by ${_var}")
  endif()
  set(_value "$CACHE{${_var}}")
  file(RELATIVE_PATH _shown "${PROJECT_SOURCE_DIR}" "${_value}")
  if(_shown MATCHES "^\\.\\.")
    set(_shown "${_value}")
  endif()
  string(APPEND _winsync_summary "\n   lab ${_number}: ${_shown} (${_what})")
  if(NOT _slot STREQUAL "QUEUE")
    if(_value MATCHES "\\.o$")
      list(APPEND WINSYNC_SLOT_OBJECTS "${_value}")
    else()
      list(APPEND WINSYNC_SLOT_SOURCES "${_value}")
    endif()
  endif()
  # A plain variable of the same name would hide the cache entry from the test directories.
  unset(${_var})
endforeach()
message(STATUS "winsync lab slots (WINSYNC_STUDENT_LABS=${WINSYNC_STUDENT_LABS}):${_winsync_summary}")
