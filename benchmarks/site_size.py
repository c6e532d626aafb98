"""The weight of the built site and of its heaviest page, and the build time with a warm cache.

    python benchmarks/site_size.py                  # measure _build/fast (what CI builds)
    python benchmarks/site_size.py --mode full      # measure _build/full (the published site)
    python benchmarks/site_size.py --rebuild        # also time a rebuild with a warm cache

A page's weight is what a reader downloads to open it: its HTML, every local stylesheet, script,
image and font it references (followed one level into stylesheets for fonts), counted once. The
MathJax files are fetched on demand by MathJax itself; the script counts the component and the
fonts it always loads.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = re.compile(r"""(?:src|href)=["']([^"'#?]+)""")
CSS_URL = re.compile(r"""url\(["']?([^"')#?]+)""")


def local(base: Path, ref: str, site: Path) -> Path | None:
    if urlparse(ref).scheme or ref.startswith("//") or ref.startswith("data:"):
        return None
    path = (base.parent / unquote(ref)).resolve()
    return path if path.is_file() and site in path.parents else None


def page_weight(html: Path, site: Path) -> tuple[int, int]:
    """(bytes of the page and everything it loads, number of files)."""
    files = {html}
    for ref in REFERENCE.findall(html.read_text(encoding="utf-8", errors="replace")):
        path = local(html, ref, site)
        if path and path.suffix in {".css", ".js", ".png", ".svg", ".jpg", ".woff", ".woff2",
                                    ".ico", ".json"}:
            files.add(path)
            if path.suffix == ".css":
                for inner in CSS_URL.findall(path.read_text(encoding="utf-8", errors="replace")):
                    found = local(path, inner, site)
                    if found:
                        files.add(found)
    mathjax = site / "_static" / "mathjax"
    if any("mathjax" in str(f) for f in files):
        files |= set((mathjax / "output" / "chtml" / "fonts" / "woff-v2").glob("MathJax_Main*"))
    return sum(f.stat().st_size for f in files), len(files)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", choices=["fast", "full"], default="fast")
    parser.add_argument("--rebuild", action="store_true", help="time a rebuild with a warm cache")
    args = parser.parse_args()
    out = ROOT / "_build" / args.mode
    site = out / "_build" / "html"
    if not (site / "index.html").is_file():
        sys.exit(f"no site in {site}: build it first (python3 tools/course.py "
                 f"{'test' if args.mode == 'fast' else 'site'})")
    files = [p for p in site.rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    mathjax = sum(p.stat().st_size for p in (site / "_static" / "mathjax").rglob("*") if p.is_file())
    images = sum(p.stat().st_size for p in files if p.suffix in {".png", ".svg", ".jpg"})
    print(f"site ({args.mode} mode): {total / 1e6:.1f} MB in {len(files)} files "
          f"(MathJax {mathjax / 1e6:.1f} MB, images {images / 1e6:.1f} MB)")
    pages = sorted(site.glob("book/*.html"))
    weights = sorted(((page_weight(p, site), p) for p in pages), reverse=True)
    for (weight, count), page in weights:
        print(f"  {page.relative_to(site)}: {weight / 1e6:.2f} MB to open ({count} files)")
    (weight, count), page = weights[0]
    print(f"heaviest page: {page.relative_to(site)}, {weight / 1e6:.2f} MB")
    if args.rebuild:
        env = {**os.environ, "RNNLAB_FAST": "1" if args.mode == "fast" else "0",
               "TF_CPP_MIN_LOG_LEVEL": "2"}
        jb = Path(sys.executable).parent / "jupyter-book"
        start = time.perf_counter()
        subprocess.run([str(jb), "build", str(ROOT), "--path-output", str(out), "--all"],
                       env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        print(f"rebuild with a warm execution cache (all pages re-rendered, no notebook "
              f"re-executed): {time.perf_counter() - start:.1f} s")


if __name__ == "__main__":
    main()
