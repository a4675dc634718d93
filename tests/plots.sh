#!/usr/bin/env bash
# The figures from real data, and what plots/draw and scripts/lab-data do
# with bad data and bad use. Lab data comes from every lab in --quick mode
# (once with the CPython twin, once without it), bench data from one short
# run of the allocator, sequence and collector benchmarks.
#
#   tests/plots.sh [BUILD_DIR]     (default build); last line "N passed, M failed"
set -u
cd "$(dirname "$0")/.."
B=${1:-build}
. tests/tally.sh
check() { # check DESCRIPTION COMMAND...: passes when the command succeeds
    local what=$1
    shift
    if "$@"; then ok; else bad "$what"; fi
}

labs=$(ls -d labs/[0-9][0-9]-*/ | xargs -n 1 basename)
figures=$(ls plots/*.gp | xargs -n 1 basename | sed 's/\.gp$//' | grep -v -e '^style$' -e '^compare')

# image_ok PNG SVG: a PNG of more than one colour, an SVG that is XML.
image_ok() {
    python3 - "$1" "$2" <<'EOF'
import struct, sys, zlib
import xml.etree.ElementTree as ET

def png_colours(path):
    """Distinct pixels of an 8-bit RGB or RGBA PNG (pngcairo's kinds)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), f"PNG kind {depth}/{ctype}"
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * bpp
    prev, colours, i = bytearray(stride), set(), 0
    for _ in range(height):
        ftype, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if ftype == 1: line[x] = (line[x] + a) & 255
            elif ftype == 2: line[x] = (line[x] + b) & 255
            elif ftype == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        colours.update(bytes(line[x:x + bpp]) for x in range(0, stride, bpp))
        prev = line
    return len(colours)

png, svg = sys.argv[1:]
n = png_colours(png)
if n < 2:
    sys.exit(f"{png}: {n} colour")
root = ET.parse(svg).getroot()
if not root.tag.endswith("svg") or len(list(root.iter())) < 20:
    sys.exit(f"{svg}: not a drawn SVG")
EOF
}

# ---- lab data ------------------------------------------------------------------
r=$tmp/results
LABS_BIN=$B/labs scripts/lab-data --quick "$r" $labs >"$tmp/lab-data.out" 2>&1
status=$?
check "scripts/lab-data --quick: exit $status ($(tail -n 3 "$tmp/lab-data.out"))" [ "$status" -eq 0 ]
for lab in $labs; do
    t=$r/labs/$lab/transcript.txt
    if [ -f "$t" ] && tail -n 1 "$t" | grep -Eq '^lab [0-9]+: [0-9]+ checks passed, [0-9]+ failed$'; then ok; else
        bad "lab-data: $t missing or without the summary line"
    fi
    if ls "$r/labs/$lab"/*.csv >/dev/null 2>&1; then ok; else bad "lab-data: no CSV in $r/labs/$lab"; fi
done
check "lab-data: no progress line 'lab 3/N: 03-...'" grep -q "^lab 3/[0-9]*: 03-" "$tmp/lab-data.out"
check "lab-data: temporary directories left" [ -z "$(ls -A "$r/labs" | grep '^\.')" ]
LABS_BIN=$B/labs scripts/lab-data "$r" 99-nothing >/dev/null 2>&1
check "lab-data with an unknown lab: exit 2" [ $? -eq 2 ]
scripts/lab-data "$r" >/dev/null 2>&1
check "lab-data without a lab: exit 2" [ $? -eq 2 ]

# ---- bench data: one short run ---------------------------------------------------
mkdir -p "$r/bench"
if "$B/bench/micro" --benchmark_filter='^(04-obmalloc/(batch|random)/|06-sequences/|02-gc/collect_)' \
    --benchmark_min_time=0 --benchmark_out="$r/bench/gbench.json" --benchmark_out_format=json >"$tmp/bench.out" 2>&1 &&
    python3 bench/gc-twin.py --repetitions 1 >"$r/bench/cpython-gc.json" 2>>"$tmp/bench.out" &&
    python3 bench/gc-csv.py "$r/bench/gbench.json" "$r/bench/cpython-gc.json" "$r/bench/gc.csv" >>"$tmp/bench.out" 2>&1; then
    ok
else
    bad "bench data for the figures: $(tail -n 3 "$tmp/bench.out")"
fi

# ---- every figure, from the real data ---------------------------------------------
plots/draw "$r" >"$tmp/draw.out" 2>&1
status=$?
check "plots/draw on real data: exit $status ($(grep -v '^figure' "$tmp/draw.out" | head -n 3))" [ "$status" -eq 0 ]
for f in $figures; do
    if [ -f "$r/plots/$f.png" ] && [ -f "$r/plots/$f.svg" ] && image_ok "$r/plots/$f.png" "$r/plots/$f.svg"; then ok; else
        bad "figure $f: no PNG of more than one colour and SVG that parses"
    fi
done
check "plots/draw: temporary files left in $r/plots" [ -z "$(ls -A "$r/plots" | grep '^\.')" ]

# Without CPython (the twins cannot run): every lab figure, no CPython lines.
n=$tmp/no-twin
MEMLAB_PYTHON=/nonexistent/python3 LABS_BIN=$B/labs scripts/lab-data --quick "$n" $labs >/dev/null 2>&1
plots/draw "$n" >"$tmp/draw.out" 2>&1
status=$?
check "plots/draw on data without CPython's: exit $status ($(grep -v '^figure' "$tmp/draw.out" | head -n 3))" [ "$status" -eq 0 ]
check "plots/draw without bench/: a note naming make bench" grep -q 'make bench' "$tmp/draw.out"
for f in $figures; do
    case $f in bench-*) continue ;; esac
    if image_ok "$n/plots/$f.png" "$n/plots/$f.svg" 2>/dev/null; then ok; else bad "figure $f without CPython's data"; fi
done

# ---- bad data: exit 2, one line naming the file, no image --------------------------
# broken HOW FIGURE FILE: draws FIGURE from a copy of the results whose FILE
# was spoiled by the shell code in HOW ($f is the file).
broken() {
    local how=$1 figure=$2 file=$3 d=$tmp/broken status lines
    rm -rf "$d"
    mkdir -p "$d"
    cp -r "$r/labs" "$r/bench" "$d/"
    f=$d/$file
    eval "$how"
    plots/draw "$d" "$figure" >"$tmp/out" 2>"$tmp/err"
    status=$?
    lines=$(wc -l <"$tmp/err")
    if [ "$status" -eq 2 ] && [ "$lines" -eq 1 ] && grep -qF "$file" "$tmp/err" &&
        grep -Eq 'make (lab-data|bench)' "$tmp/err"; then ok; else
        bad "$how on $file: exit $status, $lines line(s): $(head -c 300 "$tmp/err")"
    fi
    if [ -z "$(ls -A "$d/plots" 2>/dev/null)" ]; then ok; else bad "$how on $file: wrote $(ls -A "$d/plots")"; fi
}
csv=labs/03-generations/pause_vs_heap.csv
broken 'rm "$f"' 03-pause-vs-heap $csv
broken ': >"$f"' 03-pause-vs-heap $csv
broken 'sed -i "2s/^[0-9]*,/abc,/" "$f"' 03-pause-vs-heap $csv
broken 'sed -i "1s/ours_ms/ours/" "$f"' 03-pause-vs-heap $csv
broken 'sed -i "3,\$d" "$f"' 03-pause-vs-heap $csv
broken 'printf "n,ours_ms\n1,2,3,4\n" >"$f"' 03-pause-vs-heap $csv
broken 'sed -i "2s/,[^,]*,/,-1,/" "$f"' 03-pause-vs-heap $csv
broken 'rm "$f"' 10-top-sites labs/10-tracemalloc/top_lines.csv
broken 'rm "$f"' bench-alloc-speed bench/gbench.json
broken 'echo "{" >"$f"' bench-container-ops bench/gbench.json
broken 'echo "{\"benchmarks\": []}" >"$f"' bench-alloc-speed bench/gbench.json
broken ': >"$f"' bench-gc-cost bench/gc.csv

# ---- bad use -----------------------------------------------------------------------
# usage STATUS ARGS...: plots/draw's exit status, one line on stderr on error.
usage() {
    local want=$1 status
    shift
    plots/draw "$@" >"$tmp/out" 2>"$tmp/err"
    status=$?
    if [ "$status" -eq "$want" ] && { [ "$want" -eq 0 ] || [ "$(wc -l <"$tmp/err")" -eq 1 ]; }; then ok; else
        bad "plots/draw $*: exit $status (wanted $want): $(head -c 300 "$tmp/err")"
    fi
}
mkdir -p "$tmp/not-results/stuff"
usage 2 "$tmp/not-results"
usage 2 "$tmp/does-not-exist"
usage 2
usage 2 --bogus "$r"
usage 2 "$r" no-such-figure
usage 0 --help
chmod a-w "$r/plots"
if [ "$(id -u)" -ne 0 ]; then usage 2 "$r" 03-pause-vs-heap; fi
chmod u+w "$r/plots"

tally
