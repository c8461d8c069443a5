#!/usr/bin/env bash
# Build the book with only the chapters given executed, into a scratch folder:
#   tools/build_one.sh book/03-bptt.md [more chapters...]
# Every existing chapter of book/ is in the table of contents (so links between
# chapters resolve); only the named ones run. Warnings are errors, as in `make book`.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mktemp -d /tmp/jb-one.XXXXXX)"
cp -r "$root/book" "$root/_config.yml" "$out/"
ln -s "$root/rnnlib" "$out/rnnlib"
keep=()
for ch in "$@"; do keep+=("$(basename "$ch")"); done
{
  echo "format: jb-book"
  echo "root: book/00-preface"
  echo "chapters:"
  for f in "$root"/book/0[1-9]*.md; do echo "  - file: book/$(basename "${f%.md}")"; done
} > "$out/_toc.yml"
[ -f "$root/book/00-preface.md" ] || { echo "# Preface" > "$out/book/00-preface.md"; }
# execute only the named chapters
excl=""
for f in "$out"/book/*.md; do
  b="$(basename "$f")"
  [[ " ${keep[*]} " == *" $b "* ]] || excl+="    - book/$b"$'\n'
done
python3 - "$out/_config.yml" "$excl" <<'PY'
import sys
path, excl = sys.argv[1], sys.argv[2]
text = open(path).read().replace("  allow_errors: false\n", "  allow_errors: false\n  exclude_patterns:\n" + excl, 1)
open(path, "w").write(text)
PY
cd "$out"
PATH="$root/.venv/bin:$PATH" "$root/.venv/bin/jupyter-book" build . -W -n --keep-going
echo "built in $out/_build/html"
