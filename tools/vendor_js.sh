#!/usr/bin/env bash
# Put MathJax into _vendor/vendor/ (copied to the site's _static/vendor/) so the built book
# needs no CDN. (The explorers need no widget renderer in the published book: they are
# plain HTML there, see rnnlib/widgets/static.py.)
# Installed from the npm registry into _build/npm (kept between builds). Where npm or the
# registry is missing, the book still builds and loads MathJax from a CDN instead
# (tools/book_vendor.py says so in the build log).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
vendor="$root/_vendor/vendor"
if [ -f "$vendor/mathjax/tex-mml-chtml.js" ] && [ ! -e "$vendor/html-manager" ]; then
  exit 0
fi
npm_dir="$root/_build/npm"
mkdir -p "$npm_dir"
if ! command -v npm >/dev/null 2>&1; then
  echo "vendor_js: npm not found; the book will load MathJax from a CDN"
  exit 0
fi
if ! npm install --prefix "$npm_dir" --no-audit --no-fund --silent mathjax@3.2.2 >/dev/null 2>&1; then
  echo "vendor_js: npm install failed; the book will load MathJax from a CDN"
  exit 0
fi
rm -rf "$vendor"
mkdir -p "$vendor/mathjax"
cp -r "$npm_dir/node_modules/mathjax/es5/." "$vendor/mathjax/"
echo "vendor_js: MathJax is served from the site (_vendor/ -> _static/vendor/)"
