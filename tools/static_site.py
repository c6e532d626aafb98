"""Sphinx extension: a site that works offline and opens without errors in the browser.

1. **MathJax from the site itself.** Jupyter Book (Sphinx) loads MathJax 3 from a CDN by
   default, so a reader offline sees raw TeX. This extension points
``mathjax_path`` at ``_static/mathjax/tex-chtml.js`` and, when the build finishes, copies the
part of MathJax 3.2.2 that this component loads (the TeX input with its extensions, the CHTML
output with its fonts, the menu and the accessibility helpers it enables) from the PyPI package
``sphinx-mathjax-offline`` (pinned in requirements.txt; MathJax is Apache-2.0). The speech-rule
engine and the other combined components are left out (about 5 MB instead of 24 MB).
2. **No duplicate inline scripts.** sphinx-thebe registers its configuration script each time
   the environment reads documents; with more than one read the page declares ``const
   THEBE_JS_URL`` twice and the browser reports a SyntaxError on every page. Identical inline
   scripts are dropped from each page's script list.
3. **Phones.** A stylesheet (``_static/rnnlab-phone.css``, :data:`PHONE_CSS`): a display
   equation or a table wider than the screen scrolls sideways inside its own box, with a shadow
   on each side where more is hidden (the cue that it scrolls); long inline code breaks instead
   of widening the page to more than 390 px.

Enabled in ``_config.yml`` under ``sphinx: local_extensions``; ``tests/browser`` checks the
result in Chromium.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from sphinx.util.fileutil import copy_asset

PACKAGE = "sphinx-mathjax-offline"
COMPONENT = "tex-chtml.js"
PARTS = [COMPONENT, "input/tex", "input/tex.js", "output/chtml", "output/chtml.js", "ui",
         "a11y/assistive-mml.js", "a11y/semantic-enrich.js", "a11y/complexity.js",
         "a11y/explorer.js", "adaptors", "LICENSE"]


def mathjax_source() -> Path:
    """The folder of MathJax files inside the installed ``sphinx-mathjax-offline`` package."""
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"{PACKAGE} is not installed: run `python3 tools/course.py setup`")
    folder = Path(spec.origin).parent / "static" / "mathjax"
    if not (folder / COMPONENT).is_file():
        raise RuntimeError(f"{folder / COMPONENT} is missing from the {PACKAGE} package")
    return folder


def _use_local_mathjax(app, config) -> None:  # noqa: ANN001 (Sphinx callback)
    config.mathjax_path = f"mathjax/{COMPONENT}"


def _copy_mathjax(app, exception) -> None:  # noqa: ANN001 (Sphinx callback)
    if exception is not None or app.builder.format != "html":
        return
    source, target = mathjax_source(), Path(app.outdir) / "_static" / "mathjax"
    for part in PARTS:
        path = source / part
        if path.is_dir():
            copy_asset(str(path), str(target / part))
        elif path.is_file():
            (target / part).parent.mkdir(parents=True, exist_ok=True)
            (target / part).write_bytes(path.read_bytes())


PHONE_CSS = """\
/* rnnlab (tools/static_site.py): wide equations and tables scroll inside their box, with a
   shadow on the side where more is hidden; long inline code breaks instead of widening the page */
html { --rnnlab-scroll-shadow: rgba(0, 0, 0, 0.28); }
html[data-theme="dark"] { --rnnlab-scroll-shadow: rgba(255, 255, 255, 0.28); }
mjx-container[display="true"], .pst-scrollable-table-container {
  overflow-x: auto;
  overflow-y: hidden;
  background:
    linear-gradient(to right, var(--pst-color-background), transparent) left / 1.5em 100% no-repeat local,
    linear-gradient(to left, var(--pst-color-background), transparent) right / 1.5em 100% no-repeat local,
    radial-gradient(farthest-side at 0 50%, var(--rnnlab-scroll-shadow), transparent) left / 0.6em 100% no-repeat scroll,
    radial-gradient(farthest-side at 100% 50%, var(--rnnlab-scroll-shadow), transparent) right / 0.6em 100% no-repeat scroll;
}
.bd-article code, .bd-article dt.sig, .bd-article dl.field-list > * { overflow-wrap: anywhere; min-width: 0; }
.bd-article code .pre, .bd-article dt.sig .pre { white-space: normal; }
"""
"""The phones' stylesheet (item 3 of the module doc); ``tests/browser`` checks at 390 px that no
chapter is wider than the screen and that every box wider than the screen scrolls with a cue."""
PHONE_CSS_FILE = "rnnlab-phone.css"


def _write_phone_css(app, exception) -> None:  # noqa: ANN001 (Sphinx callback)
    if exception is None and app.builder.format == "html":
        (Path(app.outdir) / "_static" / PHONE_CSS_FILE).write_text(PHONE_CSS, encoding="utf-8")


def _drop_duplicate_scripts(app, pagename, templatename, context, doctree) -> None:  # noqa: ANN001
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        # the second registration has filename '' where the first has None
        key = script if isinstance(script, str) else (
            script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # in place: later handlers (MathJax's) append to this same list


def setup(app):  # noqa: ANN001, ANN201 (Sphinx entry point)
    mathjax_source()  # fail early, with a clear message, if the package is missing
    app.connect("config-inited", _use_local_mathjax)
    app.connect("build-finished", _copy_mathjax)
    app.add_css_file(PHONE_CSS_FILE)
    app.connect("build-finished", _write_phone_css)
    # early (priority 100): html-page-context stops at the first handler that returns a template
    app.connect("html-page-context", _drop_duplicate_scripts, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
