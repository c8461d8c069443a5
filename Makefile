# Two commands do all the set-up: `make book` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book pdf test venv clean

venv: $(STAMP)

# (Re)install whenever the requirements or the package metadata change.
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

book: $(STAMP)
	tools/vendor_js.sh
	RNNLIB_BOOK_BUILD=1 OPENBLAS_NUM_THREADS=1 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter-book build . -W -n --keep-going

# The book as one PDF, _build/latex/book.pdf (XeLaTeX via latexmk; TeX from Debian, see
# README.md). Executes the chapters as `make book` does, sharing its cache in _build/;
# vendor_js.sh because _config.yml's html_static_path (_vendor/) is checked by every builder.
pdf: $(STAMP)
	tools/vendor_js.sh
	rm -rf _build/latex
	RNNLIB_BOOK_BUILD=1 OPENBLAS_NUM_THREADS=1 PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/jupyter-book build . --builder pdflatex -W -n --keep-going
	@echo "PDF: _build/latex/book.pdf"

test: $(STAMP)
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf _build
