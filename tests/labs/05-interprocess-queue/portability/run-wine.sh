#!/bin/sh
# Lab 05 portability proof: build the queue (plain Win32) and the driver with mingw-w64 and run
# them under Wine. Prints one SKIPPED line and exits 77 (ctest's skip code) when mingw-w64 or
# Wine is missing.
#
# Usage: run-wine.sh [QUEUE_SOURCE] [driver arguments...]
#   QUEUE_SOURCE  the queue.c to build (default: the reference solution)
#   arguments     producers consumers messages kills (default: 4 4 20000 20)
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../../.." && pwd)
source_file=${1:-$root/solutions/05-interprocess-queue/queue.c}
[ $# -gt 0 ] && shift

cc=x86_64-w64-mingw32-gcc
wine=""
for candidate in wine64 wine; do
    if command -v "$candidate" >/dev/null 2>&1; then
        wine=$candidate
        break
    fi
done
if ! command -v "$cc" >/dev/null 2>&1 || [ -z "$wine" ]; then
    echo "SKIPPED: lab 05 Wine portability run needs $cc and wine (apt-get install gcc-mingw-w64-x86-64 wine)"
    exit 77
fi

# A Wine prefix of this test's own (made once, 20-40 s), held under a lock for the whole run: on
# exit, `wineserver -k` ends every process this run started in it (the driver's children, the
# wineserver, winedevice.exe), and nothing of another test's Wine prefix.
WINEPREFIX=${WINSYNC_LAB05_WINEPREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/winsync/wineprefix-lab05}
WINEDEBUG=-all
WINEDLLOVERRIDES="mscoree,mshtml="
export WINEPREFIX WINEDEBUG WINEDLLOVERRIDES
mkdir -p "$(dirname "$WINEPREFIX")"
exec 9>"$WINEPREFIX.lock"
flock 9
work=$(mktemp -d "${TMPDIR:-/tmp}/lab05-wine.XXXXXX")
trap 'wineserver -k >/dev/null 2>&1; wineserver -w >/dev/null 2>&1; rm -rf "$work"' EXIT
[ -f "$WINEPREFIX/system.reg" ] || "$wine" wineboot.exe --init >/dev/null 2>&1
"$cc" -std=c17 -O2 -Wall -Wextra -Werror -I"$root/labs/05-interprocess-queue" \
    "$source_file" "$here/queue_driver.c" -o "$work/queue_driver.exe" || {
    echo "FAIL: mingw-w64 could not build $source_file"
    exit 1
}
cd "$work" || exit 1
"$wine" ./queue_driver.exe "$@"
