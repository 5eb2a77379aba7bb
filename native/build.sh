#!/usr/bin/env bash
# Builds trot's native libraries with the Makefile beside this script, each one whose prerequisites are here:
#   build/libtrotnn.so       LayerNorm kernels in C (trot.nn.NativeKernels)      needs a C compiler and JNI headers
#   build/libjblas.so        zero-copy BLAS entry points for jblas              also needs OpenBLAS (libopenblas-dev)
#   build/libtrotmujoco.so   the MuJoCo bridge (trot.env.sim.Mujoco)            also needs MuJoCo (libmujoco-dev)
#   build/libtrotrender.so   offscreen rendering (trot.env.sim.Renderer, --video) also needs MuJoCo and EGL (libegl-dev)
#   ../hardware/firmware/build/trot-emulator   the emulated robot (trot emulate)  also needs MuJoCo and openpty
# Usage: bash native/build.sh [JAVA_HOME]   (Maven runs it in generate-resources with ${java.home})
#
# Never fails the build: for each library it cannot build it prints one WARNING line saying what is missing
# and what trot does instead (Java LayerNorm loops; jblas's bundled BLAS; no MuJoCo tasks), and exits 0.
# When nothing changed it only asks make, which answers in milliseconds.

cd "$(dirname "$0")" || exit 0

java_home="${1:-${JAVA_HOME:-}}"

warn() {
    echo "WARNING: native/: $1" >&2
}

command -v make >/dev/null 2>&1 || { warn "make not found (Debian: apt-get install make); trot will use jblas's bundled BLAS, Java LayerNorm loops and no MuJoCo tasks."; exit 0; }

# Fast path: everything is up to date (make -q answers 0), the emulator included where it can be built.
emulator_current() {
    [ ! -f ../hardware/firmware/sitl/sitl.mk ] || make -q -C ../hardware/firmware emulator >/dev/null 2>&1
}
if [ -n "$java_home" ] && make -q JAVA_HOME="$java_home" >/dev/null 2>&1 && emulator_current; then exit 0; fi
if [ -z "$java_home" ] && make -q >/dev/null 2>&1 && emulator_current; then exit 0; fi

cc="${CC:-gcc}"
command -v "$cc" >/dev/null 2>&1 || { warn "C compiler '$cc' not found (Debian: apt-get install gcc); trot will use jblas's bundled BLAS, Java LayerNorm loops and no MuJoCo tasks."; exit 0; }

# JNI headers: the given JDK, else the JDK that provides javac on PATH.
if [ -z "$java_home" ] || [ ! -f "$java_home/include/jni.h" ]; then
    javac_path="$(command -v javac 2>/dev/null)"
    if [ -n "$javac_path" ]; then
        java_home="$(dirname "$(dirname "$(readlink -f "$javac_path")")")"
    fi
fi
if [ -z "$java_home" ] || [ ! -f "$java_home/include/jni.h" ]; then
    warn "JNI headers (include/jni.h) not found in '${java_home:-JAVA_HOME unset}' (install a full JDK, e.g. Debian: apt-get install openjdk-17-jdk-headless); trot will use jblas's bundled BLAS, Java LayerNorm loops and no MuJoCo tasks."
    exit 0
fi

probe_dir="$(mktemp -d 2>/dev/null || echo /tmp/trot-native-probe.$$)"
mkdir -p "$probe_dir"
trap 'rm -rf "$probe_dir"' EXIT

# Does a two-line program compile and link with these flags? ($1: source, rest: flags)
links() {
    local source="$1"
    shift
    printf '%s\n' "$source" > "$probe_dir/probe.c"
    # shellcheck disable=SC2068
    "$cc" -o "$probe_dir/probe" "$probe_dir/probe.c" $@ >/dev/null 2>&1
}

# Builds one library; on failure shows make's output and one warning.
build() {
    local lib="$1" fallback="$2"
    if make JAVA_HOME="$java_home" CC="$cc" "build/$lib" >"$probe_dir/make-$lib.log" 2>&1; then
        built+=("build/$lib")
    else
        cat "$probe_dir/make-$lib.log" >&2
        warn "building $lib failed (output above); $fallback"
    fi
}

built=()
build libtrotnn.so "trot.nn will use its Java LayerNorm loops (slower)."

ob_cflags="$(pkg-config --cflags openblas 2>/dev/null)"
ob_libs="$(pkg-config --libs openblas 2>/dev/null || echo -lopenblas)"
if links '#include <cblas.h>
int main(void) { return openblas_get_corename() == 0; }' $ob_cflags $ob_libs; then
    build libjblas.so "trot will fall back to jblas's bundled BLAS (slower)."
else
    warn "OpenBLAS development files (cblas.h with openblas_* functions, libopenblas) not found (Debian: apt-get install libopenblas-dev); trot will fall back to jblas's bundled BLAS (slower)."
fi

if links '#include <oneapi/dnnl/dnnl.h>
#include <omp.h>
int main(void) { omp_set_num_threads(1); return dnnl_version() == 0; }' -ldnnl -lgomp; then
    build libtrotdnnl.so "the oneDNN products (--set precision=fp32-onednn or bf16) will be unavailable."
else
    warn "oneDNN (oneapi/dnnl/dnnl.h, libdnnl) not found (Debian: apt-get install libdnnl-dev); the oneDNN products (--set precision=fp32-onednn or bf16) will be unavailable; the default OpenBLAS products are not affected."
fi

if links '#include <mujoco/mujoco.h>
int main(void) { return mj_version() == 0; }' -lmujoco; then
    build libtrotmujoco.so "the MuJoCo tasks (the A1 walking task) will be unavailable."
else
    warn "MuJoCo (mujoco/mujoco.h, libmujoco) not found (Debian 12: apt-get install libmujoco-dev); the MuJoCo tasks (the A1 walking task) will be unavailable."
fi

if links '#include <mujoco/mujoco.h>
#include <EGL/egl.h>
int main(void) { return mj_version() == 0 || eglGetCurrentContext() != EGL_NO_CONTEXT; }' -lmujoco -lEGL; then
    build libtrotrender.so "videos of the MuJoCo tasks (trot eval --video, trot train --video-every) will be unavailable."
else
    warn "MuJoCo or EGL (mujoco/mujoco.h, EGL/egl.h, libEGL) not found (Debian 12: apt-get install libmujoco-dev libegl-dev); videos of the MuJoCo tasks (trot eval --video, trot train --video-every) will be unavailable."
fi

# The emulated robot (hardware/firmware: the firmware core over MuJoCo, behind a pseudo-terminal): trot emulate.
firmware="../hardware/firmware"
if [ -f "$firmware/Makefile" ] && [ -f "$firmware/sitl/sitl.mk" ]; then
    if links '#include <mujoco/mujoco.h>
#include <pty.h>
int main(void) { int m, s; return mj_version() == 0 || openpty(&m, &s, 0, 0, 0); }' -lmujoco -lutil; then
        if make -C "$firmware" CC="$cc" emulator >"$probe_dir/make-emulator.log" 2>&1; then
            built+=("hardware/firmware/build/trot-emulator")
        else
            cat "$probe_dir/make-emulator.log" >&2
            warn "building the robot emulator failed (output above); 'trot emulate' will be unavailable."
        fi
    else
        warn "MuJoCo or openpty (libmujoco-dev, libc6-dev) not found; 'trot emulate' (the emulated robot) will be unavailable."
    fi
fi

[ ${#built[@]} -gt 0 ] && echo "native/: built ${built[*]} in $(pwd)"
exit 0
