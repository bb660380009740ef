#!/bin/sh
# mk/layers.sh BUILD: fails (exit 1, one line per finding) on a circle between modules or a
# use that runs up or sideways between layers, by the tables of doc/layers.md. "Use" is an
# #include "..." or a symbol one object file of BUILD takes from another (nm), so a circle
# through a shared internal header counts. Known cases print as "known:"; gone ones as "gone:".
# SW_LAYERS_ROOT: the source tree to read (default: the one holding this script).
set -eu
root=${SW_LAYERS_ROOT:-$(cd "$(dirname "$0")/.." && pwd)}
build=${1:?usage: mk/layers.sh BUILD_DIR}
case "$build" in /*) ;; *) build=$(pwd)/$build ;; esac
cd "$root"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sw-layers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# Every source outside the tests and build directories.
find . \( -path ./tests -o -path './build*' -o -name node_modules -o -path ./.git \) -prune -o \
	-name '*.[ch]' -print | sed 's|^\./||' | sort > "$tmp/files"

# Symbols: "D sym file" for what a file defines, "U file sym" for what it takes from elsewhere.
missing=0
while read -r f; do
	case "$f" in *.c) ;; *) continue ;; esac
	if [ -s "$build/${f%.c}.o" ]; then
		echo "${f%.c}.o"
	else
		echo "missing object: $build/${f%.c}.o (build first)" >&2
		missing=1
	fi
done < "$tmp/files" > "$tmp/objs"
[ "$missing" -eq 0 ] || exit 1
# nm -A prefixes each line with "object:"; the object names the source file.
(cd "$build" && xargs nm -A -g < "$tmp/objs") | awk '{
	f = $1; sub(/:.*/, "", f); sub(/\.o$/, ".c", f)
	if ($2 == "U") print "U", f, $3; else if (NF >= 3) print "D", $3, f }' > "$tmp/syms"

# Includes: "I file included".
xargs awk 'match($0, /^[ \t]*#[ \t]*include[ \t]*"[^"]+"/) {
	s = substr($0, RSTART, RLENGTH); sub(/^[^"]*"/, "", s); sub(/"$/, "", s); print "I", FILENAME, s }' \
	< "$tmp/files" > "$tmp/incs"

# The tables: "L folder allowed..." and "K kind paths...".
awk '/^```layers/ { t = "L"; next } /^```known/ { t = "K"; next } /^```/ { t = ""; next }
	t != "" && NF { print t, $0 }' doc/layers.md > "$tmp/tables"

awk -v files="$tmp/files" '
function modof(p,   m) {
	m = p; sub(/\.[ch]$/, "", m)
	if (m ~ /_int$/ && !((m ".c") in isfile)) sub(/_int$/, "", m)
	return m
}
function layerof(p,   best, l) {
	best = ""
	for (l in allow)
		if ((p == l || index(p, l "/") == 1 || p == l ".c") && length(l) > length(best)) best = l
	return best
}
function edge(a, b, why) {
	if (a == b) return
	if (!((a, b) in adj)) { adj[a, b] = why; out[a] = out[a] " " b; node[a] = 1; node[b] = 1; return }
	adj[a, b] = adj[a, b] "\n    " why
}
function strong(v,   n, i, w, list, comp) {
	idx[v] = low[v] = ++counter; stack[++sp] = v; onst[v] = 1
	n = split(out[v], list, " ")
	for (i = 1; i <= n; i++) {
		w = list[i]
		if (!(w in idx)) { strong(w); if (low[w] < low[v]) low[v] = low[w] }
		else if (onst[w] && idx[w] < low[v]) low[v] = idx[w]
	}
	if (low[v] == idx[v]) {
		comp = ""; ncomp = 0
		do { w = stack[sp--]; delete onst[w]; comp = comp " " w; ncomp++ } while (w != v)
		if (ncomp > 1) circles[++ncircles] = substr(comp, 2)
	}
}
function under(m, prefix) { return m == prefix || index(m, prefix) == 1 }
BEGIN { while ((getline f < files) > 0) isfile[f] = 1 }
$1 == "L" { allow[$2] = " " $2 " "; for (i = 3; i <= NF; i++) if ($i != "-") allow[$2] = allow[$2] $i " "; next }
$1 == "K" && $2 == "circle" { kc[++nkc] = $0; next }
$1 == "K" && $2 == "arrow" { ka[$3 " " $4] = 1; next }
$1 == "I" {
	if (!($3 in isfile)) next   # a system or generated header
	# A part x_y.c may include the x.h and x_int.h of its module; its calls into x.c still count.
	a = modof($2); b = modof($3)
	if (index(a, b "_") == 1) next
	edge(a, b, $2 " includes " $3); next
}
$1 == "D" { def[$2] = $3; next }
$1 == "U" { use[$2, $3] = 1; next }
END {
	for (k in use) {
		split(k, p, SUBSEP)
		if (p[2] in def) edge(modof(p[1]), modof(def[p[2]]), p[1] " calls " p[2] " of " def[p[2]])
	}
	bad = 0
	for (f in isfile) if (layerof(f) == "") { print "no layer: " f " (add its folder to doc/layers.md)"; bad = 1 }
	for (k in adj) {
		split(k, p, SUBSEP)
		la = layerof(p[1]); lb = layerof(p[2])
		if (la == "" || lb == "" || la == lb || index(allow[la], " " lb " ")) continue
		why = adj[k]; sub(/\n.*/, "", why)
		if ((la " " lb) in ka) { print "known: arrow " la " -> " lb ": " why; seenarrow[la " " lb] = 1; continue }
		print "upward: " la " may not use " lb ": " why; bad = 1
	}
	for (v in node) if (!(v in idx)) strong(v)
	for (c = 1; c <= ncircles; c++) {
		n = split(circles[c], mem, " ")
		known = 0
		for (j = 1; j <= nkc && !known; j++) {
			np = split(kc[j], pre, " ")
			all = 1
			for (i = 1; i <= n && all; i++) {
				hit = 0
				for (q = 3; q <= np; q++) if (under(mem[i], pre[q])) hit = 1
				all = hit
			}
			if (all) { known = j; seencircle[j] = 1 }
		}
		line = ""
		for (i = 1; i <= n; i++) for (i2 = 1; i2 <= n; i2++) if ((mem[i], mem[i2]) in adj)
			line = line "\n    " adj[mem[i], mem[i2]]
		if (known) print "known: circle " circles[c]
		else { print "circle: " circles[c] line; bad = 1 }
	}
	for (j = 1; j <= nkc; j++) if (!(j in seencircle)) { split(kc[j], pre, " "); sub(/^K /, "", kc[j]); print "gone: " kc[j] }
	for (k in ka) if (!(k in seenarrow)) print "gone: arrow " k
	exit bad
}' "$tmp/tables" "$tmp/incs" "$tmp/syms"
