"""The cell diagrams: drawn by tools/diagrams.py, committed as drawn, placed with alt text."""
import importlib.util
import json
import re
import xml.etree.ElementTree as ElementTree
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("diagrams", ROOT / "tools" / "diagrams.py")
diagrams = importlib.util.module_from_spec(spec)
spec.loader.exec_module(diagrams)


def test_the_committed_svgs_are_what_the_script_draws():
    for name, text in diagrams.render().items():
        committed = (ROOT / "book" / "figures" / name).read_text(encoding="utf-8")
        assert committed == text, f"{name} drifted: run python3 tools/diagrams.py"
        root = ElementTree.fromstring(committed)              # well-formed XML
        assert root.find("{http://www.w3.org/2000/svg}title") is not None


def test_every_diagram_is_placed_in_a_chapter_with_a_caption_and_alt_text():
    prose = {p.name: "\n".join("".join(c["source"]) for c in json.loads(p.read_text())["cells"]
                               if c["cell_type"] == "markdown")
             for p in (ROOT / "book").glob("*.ipynb")}
    for name in diagrams.DIAGRAMS:
        blocks = [m for text in prose.values()
                  for m in re.finditer(r"```\{figure\} figures/" + re.escape(name) + r"\n(.*?)```",
                                       text, flags=re.S)]
        assert len(blocks) == 1, f"{name} should be placed once, found {len(blocks)}"
        body = blocks[0].group(1)
        assert re.search(r":alt: \S.{40,}", body), f"{name}: alt text"
        caption = body.split("\n\n", 1)[-1].strip()
        assert len(caption) > 40, f"{name}: caption"
