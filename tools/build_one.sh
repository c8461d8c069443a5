#!/usr/bin/env bash
# Build only the chapters given (and the preface), into a scratch folder:
#   tools/build_one.sh book/03-bptt.md [more chapters...]
# Warnings are errors, as in `make book`, except that links to chapters left out
# of this build are reported as missing documents.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mktemp -d /tmp/jb-one.XXXXXX)"
cp -r "$root/book" "$root/_config.yml" "$out/"
ln -s "$root/rnnlib" "$out/rnnlib"
ln -s "$root/tools" "$out/tools"
[ -d "$root/_vendor" ] && ln -s "$root/_vendor" "$out/_vendor"
[ -d "$root/exercises" ] && ln -s "$root/exercises" "$out/exercises"
{
  echo "format: jb-book"
  echo "root: book/00-preface"
  echo "chapters:"
  for ch in "$@"; do b="$(basename "$ch")"; [ "$b" = 00-preface.md ] || echo "  - file: book/${b%.md}"; done
} > "$out/_toc.yml"
[[ " $* " == *"00-preface.md"* ]] || printf "# Preface\n\n\`\`\`{bibliography}\n\`\`\`\n" > "$out/book/00-preface.md"
cd "$out"
RNNLIB_BOOK_BUILD=1 OPENBLAS_NUM_THREADS=1 PATH="$root/.venv/bin:$PATH" "$root/.venv/bin/jupyter-book" build . -W -n --keep-going
echo "built in $out/_build/html"
