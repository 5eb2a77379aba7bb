#!/usr/bin/env bash
# Builds native/build/libjblas.so (zero-copy BLAS under jblas) with the Makefile beside this script.
# Usage: bash native/build.sh [JAVA_HOME]   (Maven runs it in generate-resources with ${java.home})
#
# Never fails the build: when a prerequisite is missing it prints one WARNING line and exits 0,
# and trot runs on jblas's bundled BLAS instead (slower; see trot.blas.BlasBackend).
# When nothing changed it only asks make, which answers in milliseconds.

cd "$(dirname "$0")" || exit 0

java_home="${1:-${JAVA_HOME:-}}"

warn() {
    echo "WARNING: native/: $1; trot will fall back to jblas's bundled BLAS (slower)." >&2
    exit 0
}

command -v make >/dev/null 2>&1 || warn "make not found (Debian: apt-get install make)"

# Fast path: everything is up to date (make -q answers 0). Prerequisites are only checked when
# something has to be built.
if [ -n "$java_home" ] && make -q JAVA_HOME="$java_home" >/dev/null 2>&1; then exit 0; fi
if [ -z "$java_home" ] && make -q >/dev/null 2>&1; then exit 0; fi

cc="${CC:-gcc}"
command -v "$cc" >/dev/null 2>&1 || warn "C compiler '$cc' not found (Debian: apt-get install gcc)"

# JNI headers: the given JDK, else the JDK that provides javac on PATH.
if [ -z "$java_home" ] || [ ! -f "$java_home/include/jni.h" ]; then
    javac_path="$(command -v javac 2>/dev/null)"
    if [ -n "$javac_path" ]; then
        java_home="$(dirname "$(dirname "$(readlink -f "$javac_path")")")"
    fi
fi
[ -n "$java_home" ] && [ -f "$java_home/include/jni.h" ] \
    || warn "JNI headers (include/jni.h) not found in '${java_home:-JAVA_HOME unset}' (install a full JDK, e.g. Debian: apt-get install openjdk-17-jdk-headless)"

# OpenBLAS: compile and link a two-line program the way the Makefile will.
probe_dir="$(mktemp -d 2>/dev/null || echo /tmp/trot-native-probe.$$)"
mkdir -p "$probe_dir"
trap 'rm -rf "$probe_dir"' EXIT
printf '#include <cblas.h>\nint main(void) { return openblas_get_corename() == 0; }\n' > "$probe_dir/probe.c"
ob_cflags="$(pkg-config --cflags openblas 2>/dev/null)"
ob_libs="$(pkg-config --libs openblas 2>/dev/null || echo -lopenblas)"
# shellcheck disable=SC2086
if ! "$cc" $ob_cflags -o "$probe_dir/probe" "$probe_dir/probe.c" $ob_libs >/dev/null 2>&1; then
    warn "OpenBLAS development files (cblas.h with openblas_* functions, libopenblas) not found (Debian: apt-get install libopenblas-dev)"
fi

if ! make JAVA_HOME="$java_home" CC="$cc" >"$probe_dir/make.log" 2>&1; then
    cat "$probe_dir/make.log" >&2
    warn "building libjblas.so failed (output above)"
fi
echo "native/: built $(pwd)/build/libjblas.so"
exit 0
