"""The built site as a reader gets it, in a real browser (Debian's Chromium via Playwright).

For every page in the table of contents: it loads with no console error, no failed request and
no request to any host but the one serving it; every image has loaded; math is rendered (no raw
TeX left); a screenshot of its first screen is saved; on a chapter, a folded exercise solution opens when clicked
(checked on the same visit, so each page loads once); then, at a phone's width (390 px), the
page is no wider than the screen and every equation or table wider than its box scrolls inside
it with a shadow as the cue (tools/static_site.py). The site's search finds the LSTM chapter
for "forget gate".
"""
from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
from toc import chapters, pages  # noqa: E402  (the book's structure, from _toc.yml)

PAGES = pages()

RAW_TEX = r"""() => {
  const main = document.querySelector('main') || document.body;
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const raw = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (node.parentElement.closest('pre, code, script, style, mjx-container, .highlight')) continue;
    const text = node.textContent;
    if (/\\\(|\\\)|\\\[|\\\]|\$\$/.test(text)) raw.push(text.trim().slice(0, 80));
  }
  return raw;
}"""

BROKEN_IMAGES = """() => Array.from(document.images)
  .filter(img => !img.complete || img.naturalWidth === 0).map(img => img.src)"""


PHONE = 390
"""A phone's width in CSS pixels (an iPhone 12-15)."""

PHONE_PROBLEMS = """() => {
  const problems = [];
  const width = document.documentElement.scrollWidth;
  if (width > window.innerWidth + 1) problems.push(`the page is ${width} px wide on a ${window.innerWidth} px screen`);
  const boxes = document.querySelectorAll('main mjx-container[display="true"], main .pst-scrollable-table-container');
  for (const box of boxes) {
    if (box.scrollWidth <= box.clientWidth + 1) continue;
    const style = getComputedStyle(box);
    const scrolls = style.overflowX === 'auto' || style.overflowX === 'scroll';
    if (!scrolls || !style.backgroundImage.includes('gradient'))
      problems.push(`a ${box.tagName.toLowerCase()} ${box.scrollWidth} px wide in ${box.clientWidth} px ` +
                    `(overflow-x ${style.overflowX}, no scroll shadow: ${!style.backgroundImage.includes('gradient')}): ` +
                    box.textContent.slice(0, 60));
  }
  return problems;
}"""


def open_page(browser, site_url, path, shots=None):
    """Open one page, record every problem, wait for MathJax; return (page, problems)."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    host = urlparse(site_url).netloc

    def route(route, request):
        if urlparse(request.url).netloc not in (host, ""):
            problems.append(f"request to another host: {request.url}")
            return route.abort()
        return route.continue_()

    page.route("**/*", route)
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url} ({r.failure})")
            if urlparse(r.url).netloc == host else None)
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}")
            if r.status >= 400 else None)
    page.goto(f"{site_url}/{path}", wait_until="load")
    page.wait_for_load_state("networkidle")
    if page.evaluate("() => document.querySelector('.math') !== null"):
        # a boolean: Playwright would await a returned promise and read its (undefined) value
        try:
            page.wait_for_function(
                "() => Boolean(window.MathJax && MathJax.startup && MathJax.startup.promise)",
                timeout=30_000)
            page.evaluate("() => MathJax.startup.promise.then(() => true)")
        except PlaywrightTimeout:
            problems.append("MathJax did not start within 30 s")
    return page, problems


@pytest.mark.parametrize("page_path", PAGES)
def test_page_loads_cleanly_with_images_and_rendered_math(browser, site_url, shots, page_path):
    page, problems = open_page(browser, site_url, f"{page_path}.html")
    broken = page.evaluate(BROKEN_IMAGES)
    raw = page.evaluate(RAW_TEX)
    has_math = page.evaluate("() => document.querySelector('.math') !== null")
    rendered = page.evaluate("() => document.querySelectorAll('mjx-container').length")
    # a Markdown table a cell printed but the site did not parse shows its |---| separator
    raw_tables = page.evaluate(
        "() => [...document.querySelectorAll('main p')].some(p => p.innerText.includes('|---|'))")
    # the first screen of the page, as a reader lands on it (a whole long page took CI ~25 s)
    page.screenshot(path=str(shots / f"{page_path.replace('/', '_')}.png"), timeout=90_000)
    if page_path in CHAPTERS:
        solution_opens(page)
    page.set_viewport_size({"width": PHONE, "height": 844})
    page.wait_for_timeout(100)           # one layout at the new width
    phone = page.evaluate(PHONE_PROBLEMS)
    page.close()
    assert not phone, f"at {PHONE} px: " + "; ".join(phone[:5])
    assert not problems, "\n".join(problems)
    assert not broken, f"images that did not load: {broken}"
    assert not raw, f"raw TeX left on the page: {raw[:5]}"
    assert not raw_tables, "a Markdown table is shown as raw text, not as a table"
    if has_math:
        assert rendered > 0, "the page has math but MathJax rendered none"


CHAPTERS = chapters()


def solution_opens(page) -> None:
    """A chapter's first folded exercise solution starts folded and opens when clicked (other
    folded cells, such as a case study's code, may come before it)."""
    folded = page.locator("div.cell.tag_hide-cell details")
    first = page.evaluate("""() => [...document.querySelectorAll('div.cell.tag_hide-cell details')]
        .findIndex(d => d.textContent.includes('BEGIN SOLUTION'))""")
    assert first >= 0, "no folded solution on this chapter"
    solution = folded.nth(first)
    code = solution.locator("pre").first
    assert not code.is_visible(), "the solution should start folded"
    solution.locator("summary").click()
    code.wait_for(state="visible", timeout=5_000)
    assert "BEGIN SOLUTION" in code.inner_text()


def test_every_chapter_is_a_page_whose_solutions_are_checked():
    assert CHAPTERS and set(CHAPTERS) <= set(PAGES)


def test_search_finds_the_lstm_chapter_for_forget_gate(browser, site_url):
    page, problems = open_page(browser, site_url, "search.html?q=forget+gate")
    page.wait_for_selector("#search-results li a", timeout=15_000)
    links = page.eval_on_selector_all("#search-results li a", "els => els.map(e => e.href)")
    page.close()
    assert any("03_lstm" in link for link in links), links
    assert not problems, "\n".join(problems)
