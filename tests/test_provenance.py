"""Where a page's numbers come from (rnnlab.experiments.provenance)."""
from rnnlab.experiments.provenance import machines, page_runs, software, where
from rnnlab.experiments.store import StoredRun

PLACE = {"cpu": "AMD EPYC", "cpu_count": 2, "gpus": [], "backend": "tensorflow",
         "deterministic": False, "versions": {"keras": "3.15.1", "tensorflow": "2.21.0"}}


def run(key, date, seconds=3600.0, **place):
    return StoredRun(key=key, label=key, recipe={}, history={}, epoch_seconds=[], params=1,
                     wall_seconds=seconds, provenance={**PLACE, **place, "date": date}, init=[])


def test_page_runs_counts_distinct_runs_and_their_days():
    session = [(run("a", "2026-11-26T10:00:00Z"), True), (run("a", "2026-11-26T10:00:00Z"), True),
               (run("b", "2026-12-01T09:00:00Z"), True), (run("", "2026-12-06T00:00:00Z"), False)]
    summary = page_runs(session)
    assert (summary.runs, summary.served) == (3, 2)
    assert summary.hours == 3.0                         # the repeated run counts once
    assert summary.dates == "from 2026-11-26 to 2026-12-06"
    assert page_runs([(run("a", "2026-11-26T10:00:00Z"), True)]).dates == "on 2026-11-26"
    assert page_runs([]).runs == 0


def test_machines_groups_records_by_machine_and_software():
    rows = machines([run("a", "2026-11-26"), run("b", "2026-12-01", 1800.0),
                     run("c", "2026-11-20", cpu="Intel Xeon")])
    assert rows[0] == ["AMD EPYC (2 cores, no GPU)",
                       "Keras 3.15.1 on TensorFlow 2.21.0, op determinism off",
                       "2", "2026-11-26", "2026-12-01", "1.5"]
    assert rows[1][0].startswith("Intel Xeon") and rows[1][2] == "1"
    assert where({**PLACE, "gpus": ["H100"]}) == "AMD EPYC (2 cores, H100)"
    assert "op determinism on" in software({**PLACE, "deterministic": True})
