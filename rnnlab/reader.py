"""Reader notebooks: the chapters as plain Jupyter notebooks that read well anywhere.

The chapters are written in MyST Markdown, which only Jupyter Book renders: numbers are glued
(``{glue:text}`name:.2f```), citations are roles (``{cite}`key```), figures and notes are
directives. Opened in JupyterLab or Colab, such prose shows the roles, not the numbers. A
**reader notebook** is the same chapter with every MyST construct turned into plain Markdown:

* ``{glue:text}`name:fmt``` and ``{glue:}`name``` → the value glued by the *executed* chapter
  (formatted as myst-nb formats it), so the prose shows the numbers of the build it came from;
* ``{cite}`a,b``` → ``[(Author, year; Author, year)](#references)``, and a *References* section
  at the end lists every cited work from ``book/references.bib``;
* ``{doc}`page``` → the page's name in words (``bibliography`` → *the references below*);
* ``{ref}`text <label>``` → the text; a bare ``{ref}`label``` → *the section below* (the
  chapter's own sections are in the notebook, without the site's numbering);
* a ``{figure}`` directive → the image, embedded in the cell as an attachment, with its caption
  in italics (a ``{glue:figure}`` directive: the figure the executed chapter glued, the same way); an admonition (``{note}``, ``{tip}``, ...) → a block quote with a bold title.

The code cells are kept with the outputs of the executed chapter, so a reader sees the numbers
and figures without running anything; exercise cells carry nbgrader's metadata
(``rnnlab.exercises.student.nbgrader_metadata``), so an instructor can hand a reader notebook
to ``nbgrader generate_assignment`` as it is. ``python -m rnnlab reader EXECUTED SOURCE OUT`` writes
them; ``python -m rnnlab student`` turns them into learner versions.
"""
from __future__ import annotations

import base64
import copy
import json
import re
from ast import literal_eval
from collections.abc import Mapping
from pathlib import Path
from typing import Any

GLUE = re.compile(r"\{glue(?::(text|any)?)?\}`([^`]+)`")
CITE = re.compile(r"\{cite(?::[pt])?\}`([^`]+)`")
DOC = re.compile(r"\{doc\}`([^`]+)`")
REF = re.compile(r"\{ref\}`([^`]+)`")
TARGET = re.compile(r"^\(\w[\w-]*\)=[ \t]*\n", re.M)
FENCE = re.compile(r"^(```+|:::+)\{(\w[\w:-]*)\}[ \t]*(.*?)\n(.*?)^\1[ \t]*$", re.M | re.S)
# What a reader notebook must not contain: a MyST role, a directive fence, a target label.
# (A comment, not a docstring: the API page would show the pattern, whose dollar signs the
# browser test takes for raw TeX.)
MYST_LEFTOVER = re.compile(r"\{[a-z][\w:-]*\}`|^(```+|:::+)\{|^\(\w[\w-]*\)=\s*$", re.M)

ADMONITIONS = {"note": "Note", "tip": "Tip", "warning": "Warning", "important": "Important",
               "caution": "Caution", "seealso": "See also", "admonition": ""}


def glued_values(executed: Mapping[str, Any],
                 glue_file: Mapping[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """The glued values of an executed notebook: name → its MIME bundle (``text/plain``, ...).

    Args:
        executed: the executed notebook (glue outputs still in its cells, as nbclient leaves them).
        glue_file: the ``<chapter>.glue.json`` myst-nb writes beside the executed notebook of a
            site build (it takes the glue outputs out of the notebook and keeps them there).
    """
    outputs = [o for c in executed.get("cells", []) for o in c.get("outputs", [])]
    outputs += list((glue_file or {}).values())
    values: dict[str, dict[str, Any]] = {}
    for output in outputs:
        meta = output.get("metadata", {}).get("scrapbook")
        if not meta:
            continue
        prefix = meta.get("mime_prefix", "")
        values[meta["name"]] = {k[len(prefix):] if prefix and k.startswith(prefix) else k: v
                                for k, v in output.get("data", {}).items()}
    return values


def format_plain_text(text: str, fmt_spec: str) -> str:
    """``text/plain`` formatted as myst-nb's ``{glue:text}`` does (literal, then ``format``)."""
    try:
        value: Any = literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    if fmt_spec == "":
        return str(value)
    kind = fmt_spec[-1]
    if kind == "s":
        value = str(value)
    elif kind in "bcdoxX":
        value = int(value)
    elif kind in "eEfFgGn%":
        value = float(value)
    return format(value, fmt_spec)


def read_bibtex(text: str) -> dict[str, dict[str, str]]:
    """The entries of a BibTeX file: key → its fields (lower-case names, braces removed)."""
    entries: dict[str, dict[str, str]] = {}
    for match in re.finditer(r"@(\w+)\s*\{\s*([^,\s]+)\s*,", text):
        start, depth, i = match.end(), 1, match.end()
        while i < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0)
            i += 1
        body = text[start:i - 1]
        fields = {"type": match.group(1).lower()}
        for field in re.finditer(r"(\w+)\s*=\s*(\{(?:[^{}]|\{[^{}]*\})*\}|\"[^\"]*\"|\d+)", body):
            value = field.group(2).strip()
            if value[0] in "{\"":
                value = value[1:-1]
            fields[field.group(1).lower()] = _latex_accents(
                re.sub(r"\s+", " ", value.replace("{", "").replace("}", "")))
        entries[match.group(2)] = fields
    return entries


_ACCENTS = {"'": "\u0301", "`": "\u0300", '"': "\u0308", "^": "\u0302", "~": "\u0303",
            "c": "\u0327", "v": "\u030c", "=": "\u0304", ".": "\u0307", "u": "\u0306"}


def _latex_accents(text: str) -> str:
    """BibTeX accents as Unicode: ``L\\'eon`` → ``Léon``, ``Schmidhuber`` unchanged."""
    import unicodedata

    def accent(match: re.Match[str]) -> str:
        return unicodedata.normalize("NFC", match.group(2) + _ACCENTS[match.group(1)])

    for latex, letter in (("\\ss", "ß"), ("\\aa", "å"), ("\\AA", "Å"), ("\\L", "Ł"),
                          ("\\l", "ł"), ("\\O", "Ø"), ("\\o", "ø")):
        text = re.sub(re.escape(latex) + r"\s?", letter, text)  # braces already removed: {\L}ukasz
    text = re.sub(r"\\([&%$#_])", r"\1", text)        # escaped specials: Speech \& Language
    return re.sub(r"\\([\'`\"^~=.]|[cvu](?= ))\s?([A-Za-z])", accent, text)


def _surnames(authors: str) -> list[str]:
    names = [a.strip() for a in authors.split(" and ") if a.strip()]
    return [n.split(",")[0].strip() if "," in n else n.split()[-1] for n in names]


def author_year(entry: Mapping[str, str]) -> str:
    """``Author, year``, ``A and B, year`` or ``A et al., year``; a work with no author is
    named by its title, as the site's author-year style does."""
    if not entry.get("author") and not entry.get("editor"):
        return f"{_latex_accents(entry.get('title', 'Untitled'))}, {entry.get('year', 'n.d.')}"
    surnames = _surnames(entry.get("author") or entry.get("editor", ""))
    who = (surnames[0] if len(surnames) == 1 else f"{surnames[0]} and {surnames[1]}"
           if len(surnames) == 2 else f"{surnames[0]} et al.")
    return f"{who}, {entry.get('year', 'n.d.')}"


def reference(entry: Mapping[str, str]) -> str:
    """One line of the References section: authors (year). Title. Venue."""
    venue = (entry.get("journal") or entry.get("booktitle") or entry.get("publisher")
             or entry.get("institution") or entry.get("school") or "")
    link = entry.get("url") or (f"https://doi.org/{entry['doi']}" if entry.get("doi") else "")
    who = entry.get("author") or entry.get("editor") or ""
    text = (f"{who} ({entry.get('year', 'n.d.')}). {entry.get('title', '')}." if who
            else f"{entry.get('title', '')} ({entry.get('year', 'n.d.')}).")
    if venue:
        text += f" *{venue}*."
    if link:
        text += f" <{link}>"
    return text


SUFFIXES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg"}
"""The image types a reader notebook embeds, by file suffix."""


def _embed(name: str, mime: str, data: str, options: str, attachments: dict[str, Any],
           default_alt: str) -> str:
    """Attach an image (``data``: SVG text, or base64 for the others) to the cell as ``name``,
    and return its Markdown: the image with the directive's ``:alt:``, its caption in italics."""
    attachments[name] = {mime: base64.b64encode(data.encode()).decode()
                         if mime == "image/svg+xml" else data}
    alt = re.search(r"^:alt:\s*(.*)$", options, re.M)
    caption = "\n".join(line for line in options.splitlines() if not line.startswith(":")).strip()
    image = f"![{alt.group(1).strip() if alt else default_alt}](attachment:{name})"
    return f"{image}\n\n*{caption}*" if caption else image


def _figure(path: str, options: str, folder: Path, attachments: dict[str, Any]) -> str:
    """A ``{figure}`` directive: the image file, relative to the chapter's folder."""
    image = folder / path
    mime = SUFFIXES.get(image.suffix)
    if not image.is_file() or mime is None:
        raise ValueError(f"figure {path} not found in {folder} (or not svg/png/jpg)")
    data = image.read_text(encoding="utf-8") if mime == "image/svg+xml" else \
        base64.b64encode(image.read_bytes()).decode()
    return _embed(image.name, mime, data, options, attachments, image.name)


def _glued_figure(key: str, options: str, values: Mapping[str, Mapping[str, Any]],
                  attachments: dict[str, Any]) -> str:
    """A ``{glue:figure}`` directive: the figure the executed chapter glued as ``key``."""
    bundle = values.get(key)
    if bundle is None:
        raise KeyError(f"the executed chapter glued no figure named {key!r}")
    suffix, mime = next(((sx, m) for sx, m in SUFFIXES.items() if m in bundle), (None, None))
    if mime is None:
        raise ValueError(f"the value glued as {key!r} is not a figure (no image in it)")
    data = bundle[mime]
    data = "".join(data) if isinstance(data, list) else data
    return _embed(f"{key}{suffix}", mime, data, options, attachments, key)


def render_markdown(text: str, values: Mapping[str, Mapping[str, Any]],
                    bibliography: Mapping[str, Mapping[str, str]], folder: Path,
                    cited: list[str], attachments: dict[str, Any]) -> str:
    """One Markdown cell with its MyST constructs rendered as plain Markdown (see the module doc).

    Raises:
        KeyError: for a glue name the executed chapter did not glue, or an unknown citation.
    """
    def directive(match: re.Match[str]) -> str:
        name, argument, body = match.group(2), match.group(3).strip(), match.group(4)
        if name == "figure":
            return _figure(argument, body, folder, attachments)
        if name == "glue:figure":
            return _glued_figure(argument, body, values, attachments)
        if name in ADMONITIONS:
            title = argument or ADMONITIONS[name]
            inner = render_markdown(body.strip(), values, bibliography, folder, cited, attachments)
            lines = ([f"**{title}.**", ""] if title else []) + inner.splitlines()
            return "\n".join(f"> {line}".rstrip() for line in lines)
        raise ValueError(f"no plain-Markdown rendering for the directive {{{name}}}")

    def glue(match: re.Match[str]) -> str:
        kind, content = match.group(1) or "any", match.group(2)
        key, spec = (content.rsplit(":", 1) + [""])[:2] if kind == "text" and ":" in content \
            else (content, "")
        if key not in values:
            raise KeyError(f"the executed chapter glued no value named {key!r}")
        plain = values[key].get("text/plain")
        if plain is None:
            raise KeyError(f"the value glued as {key!r} has no text/plain form")
        return format_plain_text(plain, spec) if kind == "text" else plain

    def cite(match: re.Match[str]) -> str:
        keys = [k.strip() for k in match.group(1).split(",")]
        for key in keys:
            if key not in bibliography:
                raise KeyError(f"citation {key!r} is not in references.bib")
            if key not in cited:
                cited.append(key)
        return f"[({'; '.join(author_year(bibliography[k]) for k in keys)})](#references)"

    def doc(match: re.Match[str]) -> str:
        target = match.group(1).split("<")[-1].rstrip(">").strip()
        if Path(target).name == "bibliography":
            return "[the references below](#references)"
        label = match.group(1).split("<")[0].strip()
        return label if "<" in match.group(1) else f"the page *{Path(target).name}*"

    def ref(match: re.Match[str]) -> str:
        content = match.group(1)
        return content.split("<")[0].strip() if "<" in content else "the section below"

    text = TARGET.sub("", text)          # a section's label for cross-references: nothing to show
    text = FENCE.sub(directive, text)
    text = GLUE.sub(glue, text)
    text = CITE.sub(cite, text)
    text = REF.sub(ref, text)
    return DOC.sub(doc, text)


def reader_notebook(source: Mapping[str, Any], executed: Mapping[str, Any],
                    bibliography: Mapping[str, Mapping[str, str]], folder: Path,
                    glue_file: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The reader version of a chapter.

    Args:
        source: the chapter as committed (MyST Markdown, no outputs).
        executed: the same chapter executed by the site build (its outputs and glued values).
        bibliography: :func:`read_bibtex` of ``book/references.bib``.
        folder: the chapter's folder (figures are read relative to it).
        glue_file: the build's ``<chapter>.glue.json``, if it kept the glued values apart.

    Returns:
        A notebook: rendered Markdown, the executed code cells with their outputs, and a
        *References* section when the chapter cites anything.

    Raises:
        ValueError: if the executed notebook's code cells are not the source's.
    """
    values = glued_values(executed, glue_file)
    code_out = [c for c in executed["cells"] if c["cell_type"] == "code"]
    code_in = [c for c in source["cells"] if c["cell_type"] == "code"]
    if ["".join(c["source"]) for c in code_in] != ["".join(c["source"]) for c in code_out]:
        raise ValueError("the executed notebook is not an execution of this source "
                         "(its code cells differ): build the site again")
    reader = copy.deepcopy(dict(source))
    cited: list[str] = []
    outputs = iter(code_out)
    for cell in reader["cells"]:
        if cell["cell_type"] == "code":
            done = next(outputs)
            # as on the site (_config.yml: stderr_output: remove), stderr is not shown: it holds
            # the backend's start-up logging, not course content
            cell["outputs"] = [o for o in done.get("outputs", [])
                               if not o.get("metadata", {}).get("scrapbook")
                               and not (o.get("output_type") == "stream"
                                        and o.get("name") == "stderr")]
            cell["execution_count"] = done.get("execution_count")
        elif cell["cell_type"] == "markdown":
            attachments: dict[str, Any] = {}
            cell["source"] = render_markdown("".join(cell["source"]), values, bibliography,
                                             folder, cited, attachments).splitlines(keepends=True)
            if attachments:
                cell["attachments"] = attachments
    if cited:
        lines = ["## References", "", *[f"- {reference(bibliography[k])}" for k in cited]]
        reader["cells"].append({"cell_type": "markdown", "id": "references", "metadata": {},
                                "source": "\n".join(lines).splitlines(keepends=True)})
    from rnnlab.exercises.student import nbgrader_metadata

    return nbgrader_metadata(reader)


def myst_leftovers(notebook: Mapping[str, Any]) -> list[str]:
    """Every MyST-only construct left in a notebook's Markdown cells (empty for a reader)."""
    found = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "markdown":
            text = "".join(cell.get("source", []))
            found += [f"{cell.get('id')}: {m.group(0)!r}" for m in MYST_LEFTOVER.finditer(text)]
    return found


def write_readers(executed_dir: str | Path, source_dir: str | Path, out_dir: str | Path,
                  bibtex: str | Path | None = None) -> list[Path]:
    """Write the reader version of every chapter of ``source_dir`` executed in ``executed_dir``.

    Returns:
        The paths written, one per chapter.

    Raises:
        FileNotFoundError: when a chapter has no executed version (build the site first).
    """
    from rnnlab.data import atomic_write

    source_dir, executed_dir, out_dir = Path(source_dir), Path(executed_dir), Path(out_dir)
    bib = read_bibtex(Path(bibtex or source_dir / "references.bib").read_text(encoding="utf-8"))
    written = []
    for path in sorted(source_dir.glob("[0-9][0-9]_*.ipynb")):
        executed_path = executed_dir / path.name
        if not executed_path.exists():
            raise FileNotFoundError(f"{executed_path} is missing: build the site first "
                                    "(python3 tools/course.py site)")
        source = json.loads(path.read_text(encoding="utf-8"))
        executed = json.loads(executed_path.read_text(encoding="utf-8"))
        glue_path = executed_path.with_suffix(".glue.json")
        glue_file = json.loads(glue_path.read_text(encoding="utf-8")) if glue_path.exists() else None
        reader = reader_notebook(source, executed, bib, path.parent, glue_file)
        target = out_dir / path.name
        atomic_write(target, (json.dumps(reader, indent=1, ensure_ascii=False) + "\n").encode())
        written.append(target)
    return written
