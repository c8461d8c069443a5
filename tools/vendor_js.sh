#!/usr/bin/env bash
# Put MathJax and the widget renderer into _vendor/vendor/ (copied to the site's _static/vendor/)
# so the built book needs no CDN.
# Installed from the npm registry into _build/npm (kept between builds). Where npm or the
# registry is missing, the book still builds and loads both from a CDN instead
# (tools/book_vendor.py says so in the build log).
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
vendor="$root/_vendor/vendor"
if [ -f "$vendor/mathjax/tex-mml-chtml.js" ] && [ -f "$vendor/html-manager/embed.js" ]; then
  exit 0
fi
npm_dir="$root/_build/npm"
mkdir -p "$npm_dir"
if ! command -v npm >/dev/null 2>&1; then
  echo "vendor_js: npm not found; the book will load MathJax and widgets from a CDN"
  exit 0
fi
if ! npm install --prefix "$npm_dir" --no-audit --no-fund --silent \
     mathjax@3.2.2 @jupyter-widgets/html-manager@1.0.15 >/dev/null 2>&1; then
  echo "vendor_js: npm install failed; the book will load MathJax and widgets from a CDN"
  exit 0
fi
rm -rf "$vendor"
mkdir -p "$vendor/mathjax" "$vendor/html-manager"
cp -r "$npm_dir/node_modules/mathjax/es5/." "$vendor/mathjax/"
find "$npm_dir/node_modules/@jupyter-widgets/html-manager/dist" -maxdepth 1 -type f ! -name '*.map' \
  -exec cp {} "$vendor/html-manager/" \;
echo "vendor_js: MathJax and @jupyter-widgets/html-manager are served from the site (_vendor/ -> _static/vendor/)"
