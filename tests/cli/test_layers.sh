# mk/layers.sh: no circle between modules and no use that runs up or sideways between layers
# (doc/layers.md). First the check itself must catch each kind of fault, planted in a copy of
# the tree: otherwise "nothing found" would prove nothing.
. "$SW_TOP/tests/lib.sh"

layers() { SW_LAYERS_ROOT="$1" sh "$SW_TOP/mk/layers.sh" "$2" > "$TEST_TMP/out" 2>&1; }

# The tree as it is.
layers "$SW_TOP" "$SW_BUILD"; rc=$?
check "the sources have no circle and no upward use (exit $rc)" [ $rc -eq 0 ]
grep -v '^known: \|^gone: ' "$TEST_TMP/out" | head -40 | sed 's/^/#   /'
grep '^gone: ' "$TEST_TMP/out" | sed 's/^/# doc\/layers.md can drop: /'

# A copy to plant faults in; its build directory links to the real objects.
copy="$TEST_TMP/tree" cbuild="$TEST_TMP/build"
mkdir -p "$copy" "$cbuild"
(cd "$SW_TOP" && for e in *; do case "$e" in tests | build*) ;; *) cp -r "$e" "$copy/" ;; esac; done)
(cd "$SW_BUILD" && find . -path ./tests -prune -o -name "*.o" -print) | sed 's|^\./||' | while read -r o; do
	mkdir -p "$cbuild/$(dirname "$o")" && ln -s "$SW_BUILD/$o" "$cbuild/$o"
done

layers "$copy" "$cbuild"; rc=$?
check "the unchanged copy passes too (exit $rc)" [ $rc -eq 0 ]

# 1. A lower layer includes a higher one.
printf '#include "cli/cli.h"\n' >> "$copy/secrets/secmem.h"
layers "$copy" "$cbuild"; rc=$?
check "an include from secrets/ up to cli/ fails the check (exit $rc)" [ $rc -eq 1 ]
check "  ...naming the file and the arrow" grep -q '^upward: secrets may not use cli: secrets/secmem.h includes cli/cli.h' "$TEST_TMP/out"
cp "$SW_TOP/secrets/secmem.h" "$copy/secrets/secmem.h"

# 2. Siblings: the terminal includes core's Azure parts.
printf '#include "core/azure/arm.h"\n' >> "$copy/tui/widgets.h"
layers "$copy" "$cbuild"; rc=$?
check "an include from tui/ into core/azure fails (exit $rc)" grep -q '^upward: tui may not use core/azure: tui/widgets.h includes core/azure/arm.h' "$TEST_TMP/out"
cp "$SW_TOP/tui/widgets.h" "$copy/tui/widgets.h"

# 3. An include circle: a.c includes b.h and b.c includes a.h.
mkdir -p "$copy/core/sys"
printf '#include "core/sys/zz_b.h"\nint zz_a(void);\n' > "$copy/core/sys/zz_a.h"
printf 'int zz_b(void);\n' > "$copy/core/sys/zz_b.h"
printf '#include "core/sys/zz_a.h"\nint zz_a(void) { return 1; }\n' > "$copy/core/sys/zz_a.c"
printf '#include "core/sys/zz_a.h"\nint zz_b(void) { return 2; }\n' > "$copy/core/sys/zz_b.c"
mkdir -p "$cbuild/core/sys"
for f in zz_a zz_b; do cc -I"$copy" -c -o "$cbuild/core/sys/$f.o" "$copy/core/sys/$f.c"; done
layers "$copy" "$cbuild"; rc=$?
check "an include circle between two modules fails (exit $rc)" [ $rc -eq 1 ]
check "  ...naming both includes" bash -c 'grep -q "^circle: .*core/sys/zz_" "$1" && grep -q "core/sys/zz_b.c includes core/sys/zz_a.h" "$1" && grep -q "core/sys/zz_a.h includes core/sys/zz_b.h" "$1"' _ "$TEST_TMP/out"

# 4. A circle through a shared internal header: the includes alone show none, the calls do.
printf 'int zz_a(void);\nint zz_b(void);\n' > "$copy/core/sys/zz_a_int.h"
printf '#include "core/sys/zz_a_int.h"\nint zz_a(void) { return zz_b(); }\n' > "$copy/core/sys/zz_a.c"
printf '#include "core/sys/zz_a_int.h"\nint zz_b(void) { return zz_a(); }\n' > "$copy/core/sys/zz_b.c"
rm -f "$copy/core/sys/zz_a.h" "$copy/core/sys/zz_b.h"
for f in zz_a zz_b; do cc -I"$copy" -c -o "$cbuild/core/sys/$f.o" "$copy/core/sys/$f.c"; done
layers "$copy" "$cbuild"; rc=$?
check "a circle of calls through a shared internal header fails (exit $rc)" [ $rc -eq 1 ]
check "  ...naming the calls" bash -c 'grep -q "core/sys/zz_a.c calls zz_b of core/sys/zz_b.c" "$1" && grep -q "core/sys/zz_b.c calls zz_a of core/sys/zz_a.c" "$1"' _ "$TEST_TMP/out"
rm -f "$copy"/core/sys/zz_* "$cbuild"/core/sys/zz_*

# 5. A folder the table does not place.
mkdir -p "$copy/core/newthing" && printf 'int zz_c;\n' > "$copy/core/newthing/x.h"
layers "$copy" "$cbuild"; rc=$?
check "a folder doc/layers.md does not name fails (exit $rc)" grep -q '^no layer: core/newthing/x.h' "$TEST_TMP/out"
rm -rf "$copy/core/newthing"

# 6. Without the build there is nothing to read the calls from: that is a failure, not a pass.
layers "$copy" "$TEST_TMP/empty"; rc=$?
check "a missing build fails the check (exit $rc)" bash -c '[ "$1" -eq 1 ] && grep -q "^missing object" "$2"' _ $rc "$TEST_TMP/out"
finish
