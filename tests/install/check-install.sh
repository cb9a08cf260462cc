#!/bin/sh
# check-install.sh BUILD_DIR SOURCE_DIR CC CXX
set -eu
build="$1" here="$2" cc="$3" cxx="$4"
prefix="$(mktemp -d)"
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" >/dev/null
PKG_CONFIG_PATH="$prefix/lib/pkgconfig:$prefix/lib/$(gcc -print-multiarch 2>/dev/null || true)/pkgconfig"
export PKG_CONFIG_PATH
pkg-config --exists winsync || { echo "pkg-config does not find winsync"; exit 1; }
# Shared library, as a user would link by default.
"$cc" -std=c17 -Wall -Wextra -Werror "$here/hello.c" -o "$prefix/hello" \
    $(pkg-config --cflags --libs winsync)
libdir="$(pkg-config --variable=libdir winsync)"
WINSYNC_NAMESPACE="install-$$" LD_LIBRARY_PATH="$libdir" "$prefix/hello"
# Static library.
"$cc" -std=c17 -Wall -Wextra -Werror "$here/hello.c" -o "$prefix/hello-static" \
    $(pkg-config --cflags winsync) "$libdir/libwinsync.a" $(pkg-config --libs-only-l --static winsync | sed 's/-lwinsync//')
WINSYNC_NAMESPACE="install-$$" "$prefix/hello-static"
# The inspector is installed beside the library and runs: --help, and a namespace nobody uses.
"$prefix/bin/winsync-ps" --help >/dev/null
status=0
"$prefix/bin/winsync-ps" --namespace "install-none-$$" 2>/dev/null || status=$?
[ "$status" = 2 ] || { echo "winsync-ps on a namespace without a segment: exit $status, not 2"; exit 1; }
# The headers are usable from C++.
"$cxx" -std=c++17 -Wall -Wextra -Werror -fsyntax-only $(pkg-config --cflags winsync) "$here/hello.cpp"
rm -f /dev/shm/winsync-"$(id -u)"-install-$$*
echo "install-pkgconfig: ok"
