#!/usr/bin/env bash
# trot as a dependency, tried as a new user would: installs trot into the local Maven repository, builds a fresh
# Maven project depending on dev.trot:trot:<version> (the template in scripts/consumer/: README.md's embedding
# snippet), runs it with plain `java -cp` and no JVM flags, and checks that
#   - the installed main artifact is the thin library jar: trot's classes and its packaged JNI libraries only
#     (no shaded copies of jblas, picocli, jline, JMH, ...);
#   - the consumer's class path has exactly one jar with jblas's and one with picocli's classes, and no class
#     twice;
#   - the learner ran on the NATIVE backend, trot's libjblas.so unpacked from the jar into the per-user cache
#     ($XDG_CACHE_HOME/trot/native/<hash>/), and no other libjblas.so (jblas's bundled one) was loaded.
# Usage: scripts/consumer-check.sh [--online]   (offline by default: every plugin must already be in ~/.m2;
#        CI passes --online on its first run). Exits 1 with the reason on the first failed check.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
offline=(-o)
if [ "${1:-}" = "--online" ]; then
    offline=()
elif [ -n "${1:-}" ]; then
    echo "consumer-check: unknown argument '$1' (usage: scripts/consumer-check.sh [--online])" >&2
    exit 2
fi
if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ] && [ "$(uname -s)-$(uname -m)" != "Linux-aarch64" ]; then
    echo "consumer-check: trot packages native libraries for linux-x86_64 and linux-aarch64 only; this is $(uname -sm)" >&2
    exit 1
fi

fail() {
    echo "consumer-check: FAILED: $*" >&2
    exit 1
}

version="$(sed -n 's:^[[:space:]]*<version>\([^<]*\)</version>.*:\1:p' "$root/pom.xml" | head -n 1)"
repo="${TROT_M2_REPO:-$HOME/.m2/repository}"   # Maven's default local repository
installed="$repo/dev/trot/trot/$version/trot-$version.jar"

echo "== mvn install (trot $version)"
(cd "$root" && mvn -B -q "${offline[@]}" -Dstyle.color=never install -DskipTests)
[ -f "$installed" ] || fail "mvn install did not put $installed in the local repository"
[ -f "$repo/dev/trot/trot/$version/trot-$version-cli.jar" ] || fail "the command-line jar (classifier cli) was not installed"

echo "== the installed main artifact is the thin library jar"
entries="$(jar tf "$installed")"
foreign="$(grep -v -E '^(trot/|native/$|native/linux-(x86_64|aarch64)/|META-INF/)' <<<"$entries" || true)"
[ -z "$foreign" ] || fail "$installed holds more than trot's classes and native libraries: $(head -n 5 <<<"$foreign" | tr '\n' ' ')..."
grep -q '^native/linux-[a-z0-9_]*/libjblas\.so$' <<<"$entries" || fail "$installed has no packaged libjblas.so (was native/ built? gcc and libopenblas-dev are needed)"
echo "   $(wc -l <<<"$entries") entries, $(grep -c '\.class$' <<<"$entries") trot classes, native: $(grep '^native/.*\.so$' <<<"$entries" | sed 's:.*/::' | tr '\n' ' ')"

work="$(mktemp -d "${TMPDIR:-/tmp}/trot-consumer.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cp -r "$root/scripts/consumer/." "$work/"
sed -i "s/@TROT_VERSION@/$version/" "$work/pom.xml"

echo "== a fresh project depending on dev.trot:trot:$version ($work)"
(cd "$work" && mvn -B -q "${offline[@]}" -Dstyle.color=never package)
(cd "$work" && mvn -B -q "${offline[@]}" -Dstyle.color=never dependency:tree -DoutputFile="$work/tree.txt")
(cd "$work" && mvn -B -q "${offline[@]}" -Dstyle.color=never dependency:build-classpath -Dmdep.outputFile="$work/classpath.txt")
sed 's/^/   /' "$work/tree.txt"
[ "$(grep -c 'org.jblas:jblas:jar' "$work/tree.txt")" = 1 ] || fail "the dependency tree should have jblas once"
[ "$(grep -c 'info.picocli:picocli:jar' "$work/tree.txt")" = 1 ] || fail "the dependency tree should have picocli once"

classpath="$work/target/classes:$(cat "$work/classpath.txt")"
IFS=: read -r -a jars <<<"$(cat "$work/classpath.txt")"
for jar in "${jars[@]}"; do
    jar tf "$jar" > "$work/$(basename "$jar").list"
done
for probe in org/jblas/NativeBlas.class picocli/CommandLine.class; do
    holders="$(grep -l -x "$probe" "$work"/*.jar.list | sed 's:.*/::; s:\.list$::' | tr '\n' ' ')"
    [ "$(wc -w <<<"$holders")" = 1 ] || fail "$probe should be in exactly one jar of the class path, found in: ${holders:-none}"
done
duplicates="$(cat "$work"/*.jar.list | grep '\.class$' | grep -v -E '(^|/)module-info\.class$|^META-INF/' | sort | uniq -d)"
[ -z "$duplicates" ] || fail "classes on the class path twice: $(head -n 5 <<<"$duplicates" | tr '\n' ' ')"

echo "== running it: java -cp ... demo.Embed (no -D flags, no java.library.path)"
cache="$work/xdg-cache"
output="$(cd "$work" && env -u OPENBLAS_CORETYPE -u GLIBC_TUNABLES XDG_CACHE_HOME="$cache" \
    java -cp "$classpath" demo.Embed 2>&1)" || fail "the consumer program failed:
$output"
sed 's/^/   /' <<<"$output"
grep -q '^consumer: BLAS: NATIVE zero-copy JNI .*unpacked from trot.s jar.* over system OpenBLAS' <<<"$output" \
    || fail "the learner should report the native OpenBLAS backend unpacked from the jar"
grep -q "^consumer: BLAS: NATIVE zero-copy JNI ($cache/trot/native/[0-9a-f]\{32\}/libjblas.so" <<<"$output" \
    || fail "libjblas.so should come from the per-user cache $cache/trot/native/<hash>/"
grep -q "^consumer: libjblas.so mapped: \[$cache/trot/native/[0-9a-f]*/libjblas.so\]$" <<<"$output" \
    || fail "exactly one libjblas.so (trot's) should be loaded in the process"
# trot's warnings (not the JDK 22+ notes about native access, which --enable-native-access=ALL-UNNAMED silences)
if grep WARNING <<<"$output" | grep -q -v -E 'restricted method|enable-native-access|Restricted methods'; then
    fail "the run logged a WARNING"
fi
echo "consumer-check: OK (trot $version as a dependency: thin jar, one jblas and picocli, native BLAS without flags)"
