# Sourced by ./trot and ./bench: how to start a JVM for trot on this machine.
#
# Sets TROT_JAVA (the java binary: $JAVA_HOME/bin/java, else java on PATH), TROT_CLI_JAR (the command-line
# jar, target/trot-<version>-cli.jar) and the array TROT_JVM_ARGS, and exports what the chosen BLAS backend
# needs. The backend is fixed when the JVM starts (see trot.blas.BlasBackend):
#   TROT_BLAS=native (default when native/build/libjblas.so exists): trot's zero-copy library over the
#       system OpenBLAS; native/build goes on java.library.path, so the JVM loads this checkout's native/build
#       (the jar carries copies too, which a JVM without the flag unpacks and loads: trot.util.NativeLoader).
#   TROT_BLAS=stock (default otherwise): jblas's bundled library (-Dtrot.blas=stock). It needs
#       OPENBLAS_CORETYPE on CPUs newer than it knows (else an SSE-only kernel) and GLIBC_TUNABLES (else every
#       call re-faults its copies); both are exported here unless already set.
# Extra JVM options can be passed in TROT_JAVA_OPTS (split on spaces).

trot_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    TROT_JAVA="$JAVA_HOME/bin/java"
else
    TROT_JAVA="$(command -v java || true)"
fi
if [ -z "$TROT_JAVA" ]; then
    echo "trot: no java found: install a JDK 17 or newer (Debian: apt-get install openjdk-17-jdk-headless) or set JAVA_HOME" >&2
    exit 1
fi

# The project's version: the first <version> of pom.xml (the project's own; the pom has no parent).
trot_version="$(sed -n 's:^[[:space:]]*<version>\([^<]*\)</version>.*:\1:p' "$trot_root/pom.xml" | head -n 1)"
TROT_CLI_JAR="$trot_root/target/trot-$trot_version-cli.jar"

TROT_JVM_ARGS=(--enable-native-access=ALL-UNNAMED "-Dtrot.home=$trot_root"
    "-Djava.util.logging.SimpleFormatter.format=%4\$s %3\$s: %5\$s%6\$s%n")

# On a fresh clone native/ is not built yet: build it now (it says what is missing and never fails), so that the
# backend below is chosen from what this machine can have, not from an empty native/build.
if [ ! -f "$trot_root/native/build/libjblas.so" ] || [ ! -f "$trot_root/native/build/libtrotmujoco.so" ]; then
    bash "$trot_root/native/build.sh" "${JAVA_HOME:-}" >&2 || true
fi
if [ -z "${TROT_BLAS:-}" ]; then
    if [ -f "$trot_root/native/build/libjblas.so" ]; then TROT_BLAS=native; else TROT_BLAS=stock; fi
fi
case "$TROT_BLAS" in
    native)
        if [ ! -f "$trot_root/native/build/libjblas.so" ]; then
            echo "trot: TROT_BLAS=native but native/build/libjblas.so is not built: install gcc and libopenblas-dev, then run 'make -C native'" >&2
            exit 1
        fi
        TROT_JVM_ARGS+=("-Djava.library.path=$trot_root/native/build")
        ;;
    stock)
        # A directory with trot's other native libraries (MuJoCo bridge, kernels) but not libjblas.so, so that
        # System.loadLibrary("jblas") falls back to jblas's bundled library.
        mkdir -p "$trot_root/target/no-native"
        rm -f "$trot_root"/target/no-native/*.so
        for lib in "$trot_root"/native/build/*.so; do
            [ -e "$lib" ] && [ "$(basename "$lib")" != libjblas.so ] && ln -s "$lib" "$trot_root/target/no-native/"
        done
        TROT_JVM_ARGS+=("-Djava.library.path=$trot_root/target/no-native" -Dtrot.blas=stock)
        if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
            flags="$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)"
            if [[ " $flags " == *" avx512f "* && " $flags " == *" avx512dq "* && " $flags " == *" avx512bw "* && " $flags " == *" avx512vl "* ]]; then
                export OPENBLAS_CORETYPE=SkylakeX
            elif [[ " $flags " == *" avx2 "* && " $flags " == *" fma "* ]]; then
                export OPENBLAS_CORETYPE=Haswell
            fi
        fi
        export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.trim_threshold=268435456:glibc.malloc.mmap_threshold=268435456}"
        ;;
    *)
        echo "trot: TROT_BLAS must be 'native' or 'stock', got '$TROT_BLAS'" >&2
        exit 1
        ;;
esac

if [ -n "${TROT_JAVA_OPTS:-}" ]; then
    # shellcheck disable=SC2206
    TROT_JVM_ARGS+=($TROT_JAVA_OPTS)
fi

# Rebuilds $1 (a jar under target/) with Maven when it is missing or older than the sources; $2... are
# extra Maven arguments.
trot_build_if_stale() {
    local jar="$1"
    shift
    if [ ! -f "$jar" ] || [ -n "$(find "$trot_root/pom.xml" "$trot_root/src/main" "$trot_root/native" "$trot_root/hardware/firmware/core" "$trot_root/hardware/firmware/sitl" \
            -newer "$jar" -type f -print -quit 2>/dev/null)" ]; then
        if ! command -v mvn >/dev/null 2>&1; then
            echo "trot: Maven (mvn) is needed to build trot: apt-get install maven" >&2
            exit 1
        fi
        echo "trot: building $(basename "$jar") with Maven..." >&2
        (cd "$trot_root" && mvn -q -B -Dstyle.color=never -DskipTests "$@" package) >&2
    fi
}
