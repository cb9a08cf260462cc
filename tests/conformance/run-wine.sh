#!/bin/sh
# Builds the conformance programs with mingw and runs them under Wine.
#
#   run-wine.sh [--out DIR]               build every test program, run each, keep the output in
#                                         DIR/results/<program>.txt (default: build-conformance-wine)
#   run-wine.sh [--out DIR] --build-only  only build DIR/*.exe
#   run-wine.sh --exec PROGRAM [ARGS...]  run one Windows program in the prepared Wine prefix
#
# Exit status: 0 when every program ran to its end (checks that fail are judged by report.py
# against known-differences.toml), 1 when a build failed or a program crashed or hung,
# 77 when Wine or mingw is missing (ctest reports the test as skipped).
# The Wine prefix is kept in ${WINSYNC_WINEPREFIX:-~/.cache/winsync/wineprefix}: creating it
# takes 20-40 s once.
set -u
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
out="$repo/build-conformance-wine"
mode=all

if ! command -v wine >/dev/null 2>&1 || ! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
    echo "SKIPPED: wine not installed (apt-get install wine gcc-mingw-w64-x86-64)"
    exit 77
fi

WINEPREFIX=${WINSYNC_WINEPREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/winsync/wineprefix}
WINEDEBUG=-all
# No Mono/Gecko install dialogs in a fresh prefix.
WINEDLLOVERRIDES="mscoree,mshtml="
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES

# Creates the prefix once; concurrent callers wait for the first one.
prepare_prefix() {
    mkdir -p "$(dirname "$WINEPREFIX")"
    if [ ! -f "$WINEPREFIX/system.reg" ]; then
        echo "conformance: creating the Wine prefix $WINEPREFIX (once, 20-40 s)" >&2
        flock "$WINEPREFIX.lock" sh -c \
            '[ -f "$WINEPREFIX/system.reg" ] || wine wineboot.exe --init >/dev/null 2>&1; true'
    fi
}

while [ $# -gt 0 ]; do
    case "$1" in
    --out) out=$2; shift 2 ;;
    --build-only) mode=build; shift ;;
    --exec)
        shift
        prepare_prefix
        exec wine "$@"
        ;;
    *) echo "usage: $0 [--out DIR] [--build-only] | --exec PROGRAM [ARGS...]" >&2; exit 2 ;;
    esac
done

mkdir -p "$out/results"
status=0
rm -f "$out/build-failed"
# Builds one program (WIN32_LEAN_AND_MEAN: the tests need only kernel32, and it halves the
# time spent parsing windows.h; WaitOnAddress is in mingw's libsynchronization).
build_one() {
    x86_64-w64-mingw32-gcc -std=c17 -O2 -DWIN32_LEAN_AND_MEAN -Wall -Wextra -Werror \
        -o "$out/$1.exe" "$here/$1.c" -lsynchronization || { echo "FAILED to build $1 with mingw"; touch "$out/build-failed"; }
}
running=0
for src in "$here"/*.c; do
    name=$(basename "$src" .c)
    # Rebuild only what changed (the headers are shared by every program).
    if [ -f "$out/$name.exe" ] && [ -z "$(find "$src" "$here"/*.h -newer "$out/$name.exe")" ]; then
        continue
    fi
    build_one "$name" &
    running=$((running + 1))
    if [ $running -ge 2 ]; then
        wait
        running=0
    fi
done
wait
[ -f "$out/build-failed" ] && status=1
[ "$mode" = build ] && exit $status

prepare_prefix
# Runs one program; Wine writes CRLF; a 120 s bound catches a hung program.
run_one() {
    timeout 120 wine "$out/$1.exe" 2>"$out/results/$1.err" | tr -d '\r' >"$out/results/$1.txt"
}
# Two programs at a time (most of the cost is Wine starting up).
running=0
for src in "$here"/*.c; do
    name=$(basename "$src" .c)
    [ "$name" = difftest ] && continue
    [ -f "$out/$name.exe" ] || continue
    run_one "$name" &
    running=$((running + 1))
    if [ $running -ge 2 ]; then
        wait
        running=0
    fi
done
wait
for src in "$here"/*.c; do
    name=$(basename "$src" .c)
    [ "$name" = difftest ] && continue
    if grep -q '^DONE ' "$out/results/$name.txt" 2>/dev/null; then
        printf '%-28s %s checks, %s failed\n' "$name" "$(grep -c '^CHECK ' "$out/results/$name.txt")" \
            "$(grep -c '^CHECK .*: FAIL' "$out/results/$name.txt")"
    else
        echo "$name: did not finish under Wine (crash or timeout), see $out/results/$name.err"
        status=1
    fi
done
exit $status
