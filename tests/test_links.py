"""Every chapter page opens its reader and its learner notebook in Colab, and both are published.

The unit tests (no built site) check the link builder of ``tools/colab_links.py``, the
extension in a tiny Sphinx build, the settings it reads from ``_config.yml``, the deploy
workflow's agreement with them, and how ``tools/course.py`` assembles the published tree. With
``RNNLAB_BUILD`` (the folder a ``tools/course.py`` build writes, as for test_published.py) the
published tests read every chapter page of the built site, check that it holds both links, and
that each link's target exists in the published tree, as the reader or learner notebook that
``tools/course.py`` made of that chapter.
"""
from __future__ import annotations

import html
import importlib.util
import os
import re
import sys
from pathlib import Path

import pytest
import yaml

from toc import ROOT, chapters, pages


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return module


links = load("colab_links")
course = load("course")
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
SPHINX = CONFIG["sphinx"]["config"]
BRANCH, FOLDER = SPHINX["rnnlab_notebooks_branch"], SPHINX["rnnlab_notebooks_folder"]
REPO = links.github_repository(CONFIG["repository"]["url"])
BUILD = os.environ.get("RNNLAB_BUILD")
published = pytest.mark.skipif(not BUILD, reason="set RNNLAB_BUILD to a built site's folder")
LINK = re.compile(r'<a class="rnnlab-colab rnnlab-colab-(?P<kind>\w+)[^"]*" href="(?P<href>[^"]+)"')


# --- unit tests: no built site -----------------------------------------------------------------

def test_a_chapter_gets_one_colab_link_per_published_version():
    assert links.colab_links("book/03_lstm", "https://github.com/owner/course", "gh-pages",
                             "notebooks") == {
        "reader": "https://colab.research.google.com/github/owner/course/blob/gh-pages/"
                  "notebooks/reader/03_lstm.ipynb",
        "learner": "https://colab.research.google.com/github/owner/course/blob/gh-pages/"
                   "notebooks/learner/03_lstm.ipynb"}
    assert links.notebook_path("book/10_modern_recurrence", "learner", "nb/") == \
        "nb/learner/10_modern_recurrence.ipynb"


@pytest.mark.parametrize("page", [p for p in pages() if p not in chapters()])
def test_pages_that_are_not_chapters_get_no_link(page):
    assert links.colab_links(page, CONFIG["repository"]["url"]) == {}


def test_the_repository_is_read_from_a_github_url_and_anything_else_is_refused():
    assert links.github_repository("https://github.com/a-b/c.d.git") == "a-b/c.d"
    assert links.github_repository("https://github.com/a/b/") == "a/b"
    for bad in ("", "https://gitlab.com/a/b", "https://github.com/a"):
        with pytest.raises(ValueError, match="not a GitHub repository URL"):
            links.github_repository(bad)
    with pytest.raises(ValueError, match="unknown kind"):
        links.notebook_path("book/01_history", "solutions")


def test_the_links_are_escaped_html_with_one_class_per_version():
    snippet = links.links_html({"reader": "https://x/?a=1&b=2", "learner": "https://y"})
    assert [m.group("kind") for m in LINK.finditer(snippet)] == ["reader", "learner"]
    assert 'href="https://x/?a=1&amp;b=2"' in snippet
    assert "http" not in re.sub(r'href="[^"]*"', "", snippet)    # nothing loaded from elsewhere


def test_config_registers_the_extension_and_colab_no_longer_opens_the_source():
    assert CONFIG["sphinx"]["local_extensions"]["colab_links"] == "tools"
    assert "colab_url" not in CONFIG["launch_buttons"]            # the rocket: source, Binder
    assert CONFIG["launch_buttons"]["binderhub_url"]
    assert FOLDER == course.PUBLISHED


def test_the_deploy_workflow_publishes_the_tree_that_course_py_assembles():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text())
    steps = workflow["jobs"]["deploy"]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert uses[:2] == ["actions/checkout", "actions/setup-python"]
    assert any("python3 tools/course.py site" in step.get("run", "") for step in steps)
    publish = next(step["with"] for step in steps if step.get("uses", "").startswith(
        "peaceiris/actions-gh-pages"))
    html_dir = (course.BUILD / "full" / "_build" / "html").relative_to(ROOT).as_posix()
    assert publish["publish_dir"] == html_dir
    assert publish["publish_branch"] == BRANCH


def test_the_extension_puts_both_links_under_a_chapters_title(tmp_path):
    from sphinx.application import Sphinx

    source = tmp_path / "src"
    (source / "book").mkdir(parents=True)
    (source / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'tools')!r})\n"
        "extensions = ['colab_links']\n"
        "rnnlab_repository_url = 'https://github.com/owner/course'\n"
        "rnnlab_notebooks_branch = 'pages'\n")
    (source / "index.rst").write_text("Home\n====\n\n.. toctree::\n\n   book/02_gradients\n")
    (source / "book" / "02_gradients.rst").write_text("Gradients\n=========\n\nText.\n")
    app = Sphinx(str(source), str(source), str(tmp_path / "html"), str(tmp_path / "doctrees"),
                 "html", status=None, warning=None, freshenv=True)
    app.build()
    chapter = (tmp_path / "html" / "book" / "02_gradients.html").read_text(encoding="utf-8")
    found = {m.group("kind"): html.unescape(m.group("href")) for m in LINK.finditer(chapter)}
    base = "https://colab.research.google.com/github/owner/course/blob/pages/notebooks"
    assert found == {"reader": f"{base}/reader/02_gradients.ipynb",
                     "learner": f"{base}/learner/02_gradients.ipynb"}
    assert chapter.index("Gradients<") < chapter.index("rnnlab-colab-links") < chapter.index("Text.")
    assert "rnnlab-colab" not in (tmp_path / "html" / "index.html").read_text(encoding="utf-8")


def test_course_py_puts_both_notebooks_of_every_chapter_in_the_published_tree(tmp_path,
                                                                               monkeypatch):
    monkeypatch.setattr(course, "BUILD", tmp_path)
    for kind in ("reader", "learner"):
        (tmp_path / kind).mkdir()
        (tmp_path / kind / "01_history.ipynb").write_text(kind)
    site = tmp_path / "full" / "_build" / "html"
    (site / course.PUBLISHED / "reader").mkdir(parents=True)
    (site / course.PUBLISHED / "reader" / "00_stale.ipynb").write_text("old")
    assert course.publish(site / "index.html") == site
    assert sorted(p.relative_to(site).as_posix() for p in (site / FOLDER).rglob("*.ipynb")) == [
        f"{FOLDER}/learner/01_history.ipynb", f"{FOLDER}/reader/01_history.ipynb"]
    assert (site / FOLDER / "learner" / "01_history.ipynb").read_text() == "learner"
    assert (site / ".nojekyll").exists()                           # GitHub Pages serves _static


def test_lab_opens_the_reader_notebooks_once_they_are_built(tmp_path, monkeypatch):
    monkeypatch.setattr(course, "BUILD", tmp_path)
    assert course.lab_folder() == ROOT / "book"
    (tmp_path / "reader").mkdir()
    (tmp_path / "reader" / "01_history.ipynb").write_text("{}")
    assert course.lab_folder() == tmp_path / "reader"


def test_binder_installs_the_course_requirements_and_rnnlab():
    binder = ROOT / "binder"
    requirements = (binder / "requirements.txt").read_text(encoding="utf-8").split()
    assert "../requirements.txt" in requirements and "../requirements-lab.txt" in requirements
    post_build = (binder / "postBuild").read_text(encoding="utf-8")
    assert re.search(r"^python -m pip install .*-e \.$", post_build, re.M)
    assert os.access(binder / "postBuild", os.X_OK)
    assert re.fullmatch(r"python-3\.1[0-2]\s*", (binder / "runtime.txt").read_text())


# --- the published tree, as tools/course.py assembled it -------------------------------------

@published
@pytest.mark.parametrize("chapter", chapters())
def test_every_chapter_page_links_both_notebooks_and_each_target_is_published(chapter):
    site = Path(BUILD) / "_build" / "html"
    page = (site / f"{chapter}.html").read_text(encoding="utf-8")
    found = {m.group("kind"): html.unescape(m.group("href")) for m in LINK.finditer(page)}
    assert sorted(found) == ["learner", "reader"], f"{chapter}: links {found}"
    prefix = f"https://colab.research.google.com/github/{REPO}/blob/{BRANCH}/"
    name = Path(chapter).name
    for kind, url in found.items():
        assert url.startswith(prefix), url
        path = url[len(prefix):]
        assert path == f"{FOLDER}/{kind}/{name}.ipynb"
        target = site / path
        assert target.is_file(), f"{chapter}: {url} points at {path}, absent from {site}"
        made = Path(BUILD).parent / kind / f"{name}.ipynb"     # what course.py wrote
        assert target.read_bytes() == made.read_bytes(), f"{path} is not the {kind} notebook"
    # the launch button keeps the source for Binder; Colab never opens the source any more
    assert f"colab.research.google.com/github/{REPO}/blob/{CONFIG['repository']['branch']}/" \
        not in page


@published
def test_the_published_tree_holds_exactly_the_chapters_notebooks():
    site = Path(BUILD) / "_build" / "html"
    names = sorted(f"{Path(chapter).name}.ipynb" for chapter in chapters())
    for kind in ("reader", "learner"):
        assert sorted(p.name for p in (site / FOLDER / kind).glob("*.ipynb")) == names
    assert (site / ".nojekyll").exists()
