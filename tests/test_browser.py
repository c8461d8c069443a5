"""The book and the notebooks as readers and students use them: in a real browser.

Playwright drives Debian's Chromium (/usr/bin/chromium; never a downloaded browser).
Skips with the reason where Chromium or Playwright is missing; under RNNLIB_REQUIRE_ALL=1
(CI, which installs Chromium) such a skip fails.

1. The published book, served by a plain static file server on 127.0.0.1: every page
   loads without a console error, a failed request or any request off the machine;
   every equation is typeset; every figure has loaded and has alt text; the search
   finds "carousel"; previous/next walk the whole book; a screenshot of each chapter's
   first screen goes to _build/screenshots/. A crawl from index.html follows every link:
   internal links, #fragments, resources and the exercises' downloads all resolve on
   the local server, and links off the site go only to hosts the configuration names.
   Each explorer moves without a kernel: every control, moved, changes its picture.
2. The notebooks, live, in JupyterLab and Notebook 7: widgets respond to their
   controls, and an exercise's check passes once its function is filled in.
"""

import contextlib
import http.client
import json
import os
import pathlib
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time

import pytest
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
pytestmark = pytest.mark.requires_tool


def _toc_pages():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [c["file"] for c in part["chapters"]]
    return pages


PAGES = _toc_pages()


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests: Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("browser tests: the playwright package is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_http(url, timeout=60):
    host, port = url.split("//")[1].split("/")[0].split(":")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(host, int(port), timeout=2)
            conn.request("GET", "/" + url.split("//")[1].split("/", 1)[1] if "/" in url.split("//")[1] else "/")
            if conn.getresponse().status < 500:
                return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer")


@pytest.fixture(scope="module")
def site(built_book):
    html, proc = built_book
    if proc.returncode != 0:
        pytest.fail("the book did not build; see test_book.py")
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                               "--directory", str(html)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(base + "/index.html")
        yield base, html
    finally:
        server.terminate()
        server.wait()


class Watcher:
    """Console errors, failed local requests and any request that leaves the machine."""

    def __init__(self, page, base):
        self.errors, self.failed, self.external = [], [], []
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.url} {r.status}"))

        def route(r):
            if r.request.url.startswith(base) or r.request.url.startswith("data:"):
                r.continue_()
            else:
                self.external.append(r.request.url)
                r.abort()

        page.route("**/*", route)


def _typeset(page):
    page.wait_for_function("() => !window.MathJax || (MathJax.startup && MathJax.startup.promise)",
                           timeout=30000)
    page.evaluate("() => window.MathJax && MathJax.startup.promise")


def test_every_page_loads_typeset_with_figures(browser, site):
    base, html = site
    shots = ROOT / "_build" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    problems = []
    for name in PAGES:
        page = context.new_page()
        watch = Watcher(page, base)
        page.goto(f"{base}/{name}.html", wait_until="load")
        _typeset(page)
        page.wait_for_load_state("networkidle")
        math = page.evaluate("""() => {
            const nodes = [...document.querySelectorAll('article .math')];
            return {total: nodes.length,
                    raw: nodes.filter(n => !n.querySelector('mjx-container')).map(n => n.textContent.slice(0, 60))};
        }""")
        # figures: every image of the text and of cell outputs; a live widget's own image is
        # not one (its default state is drawn as a captioned figure just before it)
        figures = page.evaluate("""() => [...document.querySelectorAll('article img')]
            .filter(i => !i.closest('.jupyter-widgets, .widget-output, .jp-OutputArea')).map(i => ({
            src: i.getAttribute('src'), w: i.naturalWidth, h: i.naturalHeight, alt: i.getAttribute('alt') || ''}))""")
        page.screenshot(path=str(shots / f"{pathlib.Path(name).name}.png"))
        for label, items in (("console error", watch.errors), ("failed request", watch.failed),
                             ("request off the machine", watch.external)):
            problems += [f"{name}: {label}: {x}" for x in items]
        problems += [f"{name}: equation not typeset: {m}" for m in math["raw"]]
        for fig in figures:
            if fig["w"] == 0 or fig["h"] == 0:
                problems.append(f"{name}: figure did not load: {fig['src'][:80]}")
            if len(fig["alt"].strip()) < 10:
                problems.append(f"{name}: figure without alt text: {fig['src'][:80]}")
        if name != PAGES[0] and not figures:
            problems.append(f"{name}: no figure at all")
        page.close()
    context.close()
    assert not problems, "\n".join(problems[:40])
    assert len(list(shots.glob("*.png"))) >= len(PAGES)


# The one list of hosts that the book may link to beyond its own site: the documentation
# its text points at. The repository's own hosts (GitHub, the BinderHub) are added from
# _config.yml, and only while `repository.url` is set (tools/book_links.py). Nothing is
# fetched from any of them: the crawl checks where the links point, not that they answer.
LINKED_HOSTS = {"jupytext.readthedocs.io", "nbgrader.readthedocs.io", "data-apis.org"}


sys.path.insert(0, str(ROOT / "tools"))
import book_links  # noqa: E402  (the setting's reader, tools/book_links.py)


def _repository_links():
    """{host: [allowed prefixes]} of the links built from `repository.url`; {} while unset."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    repo = config.get("repository") or {}
    if not book_links.is_set(repo.get("url")):
        return {}
    return book_links.expected_links(repo["url"], repo.get("branch", "main"),
                                     config.get("launch_buttons") or {})


def _status(base, path):
    host, port = base.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", path)
    resp = conn.getresponse()
    return resp.status, resp.getheader("Content-Type", ""), resp.read()


LINKS_JS = """() => {
    const out = [];
    const add = (el, attr, url) => url && out.push({tag: el.tagName.toLowerCase(), attr, url,
                                                     raw: el.getAttribute(attr) || ''});
    document.querySelectorAll('a[href], area[href], link[href]').forEach(e => add(e, 'href', e.href));
    document.querySelectorAll('script[src], img[src], iframe[src], source[src], video[src], audio[src]')
        .forEach(e => add(e, 'src', e.src));
    const ids = [...document.querySelectorAll('[id]')].map(e => e.id)
        .concat([...document.querySelectorAll('a[name]')].map(e => e.getAttribute('name')));
    return {links: out, ids};
}"""


def test_every_link_of_the_site_resolves(browser, site):
    """Crawl the site from index.html: every internal link, resource and download answers
    200 from the local server, every #fragment names an element of its page, the chapters'
    exercise links serve the notebooks of exercises/, and a link off the site goes only to
    a host in LINKED_HOSTS or, while `repository.url` is set, to a link built from it."""
    base, html = site
    repo_links = _repository_links()
    allowed = LINKED_HOSTS | set(repo_links)
    context = browser.new_context()
    queue, seen, ids, problems = ["/index.html"], set(), {}, []
    fragments, external, downloads = [], {}, {}
    while queue:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        status, ctype, body = _status(base, path)
        if status != 200:
            problems.append(f"{path}: HTTP {status}")
            continue
        if not ctype.startswith("text/html"):
            continue
        refresh = re.search(rb'<meta http-equiv="refresh" content="\d+;\s*url=([^"]+)"', body, re.I)
        if refresh:  # index.html sends the reader on to the first page
            queue.append(str(pathlib.PurePosixPath(path).parent / refresh.group(1).decode()))
            continue
        page = context.new_page()
        watch = Watcher(page, base)  # aborts any request off the machine
        page.goto(base + path, wait_until="load")
        found = page.evaluate(LINKS_JS)
        page.close()
        problems += [f"{path}: request off the machine: {u}" for u in watch.external]
        ids[path] = set(found["ids"])
        for link in found["links"]:
            url = link["url"]
            scheme = url.split(":", 1)[0].lower()
            if scheme in ("javascript", "data", "blob", "about"):
                continue
            if url.startswith(base + "/"):
                target, _, frag = url[len(base):].partition("#")
                target = target.split("?", 1)[0]
                queue.append(target)
                if frag and link["tag"] in ("a", "area"):
                    fragments.append((path, target, frag))
                if link["tag"] == "a" and "_downloads/" in target:
                    downloads.setdefault(pathlib.PurePosixPath(target).name, set()).add(path)
                continue
            host = url.split("//", 1)[1].split("/", 1)[0].split(":")[0] if "//" in url else ""
            external.setdefault(host or url, set()).add(url)
            if host not in allowed:
                problems.append(f"{path}: link to a host the configuration does not name: {url}")
            elif host in repo_links and not book_links.built_from(url, repo_links[host]):
                problems.append(f"{path}: {url} is not built from repository.url {repo_links[host]}")
    context.close()
    for page, target, frag in fragments:
        if target in ids and frag not in ids[target]:
            problems.append(f"{page}: #{frag} names nothing in {target}")
    # the exercises: every assignment is linked by a chapter and served as it is in exercises/
    for notebook in sorted((ROOT / "exercises").glob("*/*.ipynb")):
        served = [p for p in seen if "_downloads/" in p and p.endswith("/" + notebook.name)]
        if notebook.name not in downloads or not served:
            problems.append(f"{notebook.relative_to(ROOT)}: no chapter links it as a download")
        elif _status(base, served[0])[2] != notebook.read_bytes():
            problems.append(f"{served[0]}: differs from {notebook.relative_to(ROOT)}")
    # the repository's links: there while repository.url is set, absent while it is not
    chapters = [f"/{p}.html" for p in PAGES[1:]]
    assert all(c in seen for c in chapters), sorted(set(chapters) - seen)
    for host, prefixes in repo_links.items():
        if not external.get(host):
            problems.append(f"repository.url is set but no page links to {host} ({prefixes})")
    pages = [p for p in seen if p.endswith(".html")]
    print(f"crawled {len(pages)} pages, {len(seen)} local URLs, {len(fragments)} fragments; "
          f"external hosts: {sorted(external)}")
    assert not problems, "\n".join(problems[:60])


def test_math_is_served_from_the_site(site):
    _, html = site
    page = (html / "book" / "04-vanishing-exploding.html").read_text()
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', page)
    assert any("vendor/mathjax" in s for s in scripts), scripts
    assert not any(s.startswith(("http://", "https://", "//")) for s in scripts), scripts


def test_search_finds_carousel(browser, site):
    base, _ = site
    page = browser.new_page()
    Watcher(page, base)
    page.goto(f"{base}/search.html?q=carousel", wait_until="load")
    page.wait_for_selector("#search-results li", timeout=30000)
    hits = page.locator("#search-results li").count()
    assert hits >= 1
    assert "05-carousel" in page.inner_html("#search-results")
    page.close()


def test_previous_and_next_walk_the_whole_book(browser, site):
    base, _ = site
    page = browser.new_page()
    Watcher(page, base)
    page.goto(f"{base}/{PAGES[0]}.html")
    visited = [PAGES[0]]
    while True:
        nxt = page.locator("a.right-next")
        if nxt.count() == 0:
            break
        nxt.first.click()
        page.wait_for_load_state("load")
        visited.append(page.url.split(base + "/")[1].removesuffix(".html"))
        assert len(visited) <= len(PAGES) + 1
    assert visited == PAGES
    while page.locator("a.left-prev").count():
        page.locator("a.left-prev").first.click()
        page.wait_for_load_state("load")
        visited.pop()
    assert page.url.endswith(f"{PAGES[0]}.html") and visited == [PAGES[0]]
    page.close()


EXPLORER_PAGES = {"book/02-unrolling": [3], "book/04-vanishing-exploding": [3], "book/05-carousel": [3],
                  "book/06-lstm": [4, 2]}  # page: the number of controls of each of its explorers


def _move(page, name, image, control, i):
    """Move one control of a static explorer and check that its picture and alt text follow."""
    before = image.get_attribute("src"), image.get_attribute("alt")
    kind = control.evaluate("c => c.tagName.toLowerCase() + ':' + (c.type || '')")
    if kind == "input:checkbox":
        control.click()
    elif kind == "select:select-one":
        options = control.locator("option")
        current = control.evaluate("c => c.selectedIndex")
        control.select_option(index=(current + 1) % options.count())
    else:  # a range: one step to the right, or to the left at the end
        current, top = control.evaluate("c => [Number(c.value), Number(c.max)]")
        control.focus()
        page.keyboard.press("ArrowRight" if current < top else "ArrowLeft")
        assert control.evaluate("c => Number(c.value)") != current
        readout = control.locator("xpath=following-sibling::output")
        assert readout.inner_text().strip(), "the slider shows its value"
    after = image.get_attribute("src"), image.get_attribute("alt")
    assert after[0].startswith("data:image/png;base64,")
    assert after[0] != before[0], f"{name}: moving control {i} ({kind}) left the picture as it was"
    assert after[1] and len(after[1]) > 20


@pytest.mark.parametrize("name", sorted(EXPLORER_PAGES))
def test_explorers_move_in_the_static_book(browser, site, name):
    """No kernel: each control of each explorer, moved on the static page, changes the picture
    (and its alt text, which follows it), with no console error and nothing off the machine."""
    base, _ = site
    page = browser.new_page()
    watch = Watcher(page, base)
    page.goto(f"{base}/{name}.html", wait_until="load")
    explorers = page.locator(".rnnlib-explorer")
    assert explorers.count() == len(EXPLORER_PAGES[name])
    assert page.locator(".jupyter-widgets").count() == 0, "no dead widget beside them"
    for n, expected in enumerate(EXPLORER_PAGES[name]):
        explorer = explorers.nth(n)
        image = explorer.locator("img.rnnlib-explorer-image")
        assert "On this page the controls move in steps" in explorer.inner_text()
        controls = explorer.locator("[data-rnnlib-control]")
        assert controls.count() == expected
        for i in range(controls.count()):
            _move(page, name, image, controls.nth(i), i)
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    assert not watch.external and not watch.errors and not watch.failed, \
        watch.external + watch.errors + watch.failed
    page.close()


# ---------------------------------------------------------------- live notebooks ---

@pytest.fixture(scope="module")
def jupyter(tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"browser tests: Chromium is not installed at {CHROMIUM}")
    work = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "book", work / "book")
    shutil.copytree(ROOT / "exercises", work / "exercises")
    for chapter in ("04-vanishing-exploding", "06-lstm"):
        subprocess.run([str(pathlib.Path(sys.executable).parent / "jupytext"), "--to", "ipynb",
                        str(work / "book" / f"{chapter}.md")], check=True, capture_output=True)
    port, token = _free_port(), secrets.token_hex(16)
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "JUPYTER_CONFIG_DIR": str(work / ".jupyter"),
           "PATH": f"{pathlib.Path(sys.executable).parent}:{os.environ['PATH']}"}
    lab = subprocess.Popen([str(pathlib.Path(sys.executable).parent / "jupyter"), "lab", "--no-browser",
                            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
                            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={work}",
                            "--LabApp.news_url=", "--ServerApp.disable_check_xsrf=True"]
                           + (["--allow-root"] if os.geteuid() == 0 else []),
                           cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_http(f"{base}/api/status?token={token}", timeout=90)
        yield base, token, work
    finally:
        lab.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            lab.wait(timeout=20)
        if lab.poll() is None:
            lab.kill()


def _run_all(page, ui):
    page.locator("div.lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator("li.lm-Menu-item", has_text=re.compile(r"^Run All Cells")).first.click()
    if ui == "notebook":
        page.wait_for_timeout(500)


def _widget_image(page, control):
    """The explorer around ``control`` and the src of its plot, once the plot has loaded."""
    box = control.locator("xpath=ancestor::div[contains(@class,'jupyter-widgets')][last()]")
    page.wait_for_function("el => el.querySelector('img') && el.querySelector('img').naturalWidth > 0",
                           arg=box.element_handle(), timeout=60000)
    return box, box.locator("img").first.get_attribute("src")


def _assert_redrawn(page, box, before):
    """The explorer's image is replaced (a new PNG has a new src)."""
    page.wait_for_function("([el, old]) => el.querySelector('img').src !== old",
                           arg=[box.element_handle(), before], timeout=60000)
    assert box.locator("img").first.get_attribute("src") != before


def _shutdown_kernels(base, token):
    """Stop every kernel of the server, so the next test has the CPU to itself."""
    host, port = base.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    conn.request("GET", f"/api/kernels?token={token}")
    for kernel in json.loads(conn.getresponse().read()):
        conn.request("DELETE", f"/api/kernels/{kernel['id']}?token={token}")
        conn.getresponse().read()


@pytest.fixture(autouse=True)
def _fresh_kernels(request):
    yield
    if "jupyter" in request.fixturenames:
        base, token, _ = request.getfixturevalue("jupyter")
        with contextlib.suppress(OSError, ValueError):
            _shutdown_kernels(base, token)


def _open(browser, base, token, path, ui):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    workspace = secrets.token_hex(4)  # a fresh workspace: no tabs restored from another test
    url = (f"{base}/lab/workspaces/{workspace}/tree/{path}?reset&token={token}" if ui == "lab"
           else f"{base}/notebooks/{path}?token={token}")
    page.goto(url)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60000)
    page.wait_for_timeout(3000)  # the kernel starts; Run All waits for it in any case
    return context, page


@pytest.mark.parametrize("ui", ["lab", "notebook"])
def test_gradient_widget_responds_to_the_spectral_radius(browser, jupyter, ui):
    base, token, _ = jupyter
    context, page = _open(browser, base, token, "book/04-vanishing-exploding.ipynb", ui)
    _run_all(page, ui)
    slider = page.locator(".widget-slider", has_text="spectral radius").first
    slider.wait_for(timeout=180000)
    box, before = _widget_image(page, slider)
    # move the slider to 2.5 through its own readout (type a value, Enter), which works
    # the same in JupyterLab and Notebook 7; the handle follows
    readout = slider.locator(".widget-readout").first
    readout.click()
    page.keyboard.press("Control+a")
    page.keyboard.type("2.50")
    page.keyboard.press("Enter")
    _assert_redrawn(page, box, before)
    assert slider.locator(".noUi-handle").first.get_attribute("aria-valuenow") == "2.5"
    context.close()


def test_gate_widget_responds_to_the_sequence(browser, jupyter):
    base, token, _ = jupyter
    context, page = _open(browser, base, token, "book/06-lstm.ipynb", "lab")
    _run_all(page, "lab")
    dropdown = page.locator(".widget-dropdown", has_text="sequence").first
    dropdown.wait_for(timeout=180000)
    box, before = _widget_image(page, dropdown)
    select = dropdown.locator("select")
    options = select.locator("option").all_text_contents()
    select.select_option(label=options[-1] if options[-1] != select.input_value() else options[0])
    _assert_redrawn(page, box, before)
    context.close()


def test_exercise_check_passes_once_filled_in(browser, jupyter):
    base, token, work = jupyter
    context, page = _open(browser, base, token, "exercises/02-unrolling/02-unrolling.ipynb", "lab")
    answer = page.locator(".jp-CodeCell", has_text="def rnn_step_forward").first
    editor = answer.locator(".cm-content").first
    editor.click()
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    code = ("def rnn_step_forward(x, h_prev, Wx, Wh, b):\n"
            "    h = np.tanh(x @ Wx + h_prev @ Wh + b)\n"
            "    return h, (x, h_prev, Wx, Wh, h)\n")
    page.keyboard.insert_text(code)
    page.wait_for_timeout(300)
    typed = editor.inner_text()
    assert "np.tanh(x @ Wx + h_prev @ Wh + b)" in typed, typed
    _run_all(page, "lab")
    out = page.locator(".jp-OutputArea-output", has_text="rnn_step_forward passes")
    out.first.wait_for(timeout=120000)
    assert out.count() >= 1
    context.close()
