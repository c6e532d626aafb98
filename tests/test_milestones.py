import re
from pathlib import Path

from rnnlab.milestones import MILESTONES, THEMES

BIB = (Path(__file__).resolve().parent.parent / "book" / "references.bib").read_text()
ENTRIES = dict(re.findall(r"@\w+\{(\w+),(.*?)\n\}", BIB, flags=re.S))


def test_every_milestone_cites_an_entry_of_the_bibliography_with_the_same_year():
    for m in MILESTONES:
        assert m.key in ENTRIES, f"{m.key} is not in references.bib"
        year = re.search(r"year\s*=\s*\{(\d{4})\}", ENTRIES[m.key]).group(1)
        assert int(year) == m.year, f"{m.key}: timeline says {m.year}, bibliography {year}"


def test_milestones_are_in_time_order_and_themed():
    years = [m.year for m in MILESTONES]
    assert years == sorted(years)
    assert {m.theme for m in MILESTONES} <= set(THEMES)


def test_bibliography_keys_are_unique():
    keys = re.findall(r"@\w+\{(\w+),", BIB)
    assert len(keys) == len(set(keys))
