"""Sphinx extension: "Open in Colab" links to the reader and the learner version of each chapter.

The course publishes two notebooks per chapter beside the site (``tools/course.py`` copies
``_build/reader`` and ``_build/learner`` into the site's HTML folder, and the deploy workflow
pushes that folder to the ``gh-pages`` branch):

- ``<site>/notebooks/reader/NN_name.ipynb``: the text with its numbers, outputs kept;
- ``<site>/notebooks/learner/NN_name.ipynb``: the exercises' solutions stubbed.

Colab opens a notebook of a GitHub branch by URL
(``https://colab.research.google.com/github/OWNER/REPO/blob/BRANCH/PATH``), so under the title of
every chapter page (a page named ``NN_name``, as ``rnnlab.reader`` names its chapters) this
extension adds one link to each of the two. The repository is the one ``_config.yml`` names once
(``repository: url``); the branch and folder the notebooks are published to are
``rnnlab_notebooks_branch`` (default ``gh-pages``) and ``rnnlab_notebooks_folder`` (default
``notebooks``) under ``sphinx: config``. The site's launch button keeps the source notebook for
Binder. Enabled in ``_config.yml`` under ``sphinx: local_extensions``; ``tests/test_links.py``
checks the links and that their targets exist in the published tree.
"""
from __future__ import annotations

import html
import re

from docutils import nodes

CHAPTER = re.compile(r"(?:^|/)(?P<name>\d\d_[^/]+)$")
"""A chapter's page name (``book/03_lstm``): the notebooks ``rnnlab.reader`` writes."""
KINDS = {
    "reader": ("Open the reader notebook in Colab",
               "This chapter with its numbers in the text and every output kept"),
    "learner": ("Open the learner notebook in Colab",
                "This chapter with the exercise solutions left for you to write"),
}
"""The published versions of a chapter: link text and tooltip of each."""
COLAB = "https://colab.research.google.com/github"
GITHUB = re.compile(r"^https?://github\.com/(?P<repo>[\w.-]+/[\w.-]+?)(?:\.git)?/?$")


def github_repository(url: str) -> str:
    """``owner/name`` of a GitHub repository URL (``https://github.com/owner/name``)."""
    match = GITHUB.match(url or "")
    if not match:
        raise ValueError(f"not a GitHub repository URL: {url!r} "
                         "(set repository: url in _config.yml)")
    return match.group("repo")


def notebook_path(docname: str, kind: str, folder: str = "notebooks") -> str | None:
    """Where the ``kind`` version of a page's notebook is published, relative to the site's
    root (``notebooks/reader/03_lstm.ipynb``); None for a page that is not a chapter."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
    match = CHAPTER.search(docname)
    if not match:
        return None
    return f"{folder.strip('/')}/{kind}/{match.group('name')}.ipynb"


def colab_links(docname: str, repository_url: str, branch: str = "gh-pages",
                folder: str = "notebooks") -> dict[str, str]:
    """The Colab URL of each published version of a chapter ({} for a page that is not one)."""
    repo = github_repository(repository_url)
    links = {}
    for kind in KINDS:
        path = notebook_path(docname, kind, folder)
        if path is not None:
            links[kind] = f"{COLAB}/{repo}/blob/{branch}/{path}"
    return links


def links_html(links: dict[str, str]) -> str:
    """The HTML of the links, one per version (class ``rnnlab-colab rnnlab-colab-<kind>``)."""
    items = []
    for kind, url in links.items():
        text, title = KINDS[kind]
        items.append(
            f'<a class="rnnlab-colab rnnlab-colab-{kind} sd-btn sd-btn-outline-primary" '
            f'href="{html.escape(url)}" title="{html.escape(title)}" target="_blank" '
            f'rel="noopener" data-notebook="{kind}" style="margin:0 0.5em 0.3em 0">'
            f'{html.escape(text)}</a>')
    return ('<p class="rnnlab-colab-links" style="margin:0 0 1em">' + "".join(items) + "</p>\n")


def _add_links(app, doctree, docname) -> None:  # noqa: ANN001 (Sphinx callback)
    if app.builder.format != "html":
        return
    repository = (app.config.rnnlab_repository_url
                  or app.config.html_theme_options.get("repository_url", ""))
    links = colab_links(docname, repository, app.config.rnnlab_notebooks_branch,
                        app.config.rnnlab_notebooks_folder)
    if not links:
        return
    raw = nodes.raw("", links_html(links), format="html")
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None and section.children and isinstance(section[0], nodes.title):
        section.insert(1, raw)           # under the chapter's title
    else:
        doctree.insert(0, raw)


def _check_repository(app, config) -> None:  # noqa: ANN001 (Sphinx callback)
    github_repository(config.rnnlab_repository_url
                      or config.html_theme_options.get("repository_url", ""))


def setup(app):  # noqa: ANN001, ANN201 (Sphinx entry point)
    app.add_config_value("rnnlab_repository_url", "", "html")   # default: repository: url
    app.add_config_value("rnnlab_notebooks_branch", "gh-pages", "html")
    app.add_config_value("rnnlab_notebooks_folder", "notebooks", "html")
    app.connect("config-inited", _check_repository)
    app.connect("doctree-resolved", _add_links)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
