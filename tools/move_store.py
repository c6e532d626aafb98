#!/usr/bin/env python3
"""One-off: move every record of the results store from key scheme 2 (initial weights in the
key) to recipe keys (issue 32). Trains nothing and executes nothing: a record's new recipe is its
old key material without the description of the initial weights and without the input
layer (keras.Sequential has none in model.layers; the data's digests give its shape), its fingerprints are kept
(an integer or all-zero variable's becomes its exact digest, which scheme 2 kept in the key),
and a checksum over the whole record is added. Deleted after the move; kept in git history.
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rnnlab.experiments.recipe import run_key  # noqa: E402
from rnnlab.experiments.store import Store, StoredRun  # noqa: E402

box = Store(ROOT / "results")
old_files = sorted(box.runs.glob("*.json"))
moved: dict[str, str] = {}
for path in old_files:
    data = json.loads(path.read_text(encoding="utf-8"))
    material = data["material"]
    assert material.get("key_scheme") == 2, path
    recipe = {k: v for k, v in material.items() if k not in ("variables", "key_scheme")}
    recipe["layers"] = [layer for layer in recipe["layers"] if layer[0] != "InputLayer"]
    init = [[digest] if fingerprint is None else fingerprint
            for fingerprint, digest in zip(data["init"], material["variables"])]
    assert all(len(f) == 17 or isinstance(f[0], str) for f in init), path
    key = run_key(recipe)
    assert key not in moved, f"{path.stem} and {moved.get(key)} share the recipe {key}"
    moved[key] = path.stem
    provenance = {k: v for k, v in data["provenance"].items() if k != "rekeyed"}
    run = StoredRun(key=key, label=data["label"], recipe=recipe, history=data["history"],
                    epoch_seconds=data["epoch_seconds"], params=data["params"],
                    wall_seconds=data["wall_seconds"], provenance=provenance, init=init)
    weights = (box.runs / f"{path.stem}.npz").read_bytes()
    import hashlib
    assert hashlib.sha256(weights).hexdigest() == data["weights_sha256"], path
    with __import__("numpy").load(box.runs / f"{path.stem}.npz") as archive:
        arrays = [archive[f"v{i:03d}"] for i in range(len(archive.files))]
    box.write(run, arrays)
    assert (box.runs / f"{key}.npz").read_bytes() == weights, f"{path.stem}: weights changed"
for key, old in moved.items():
    if old not in moved:
        box.remove(old)
problems = box.check()
print(f"moved {len(moved)} records; store check: {problems or 'all sound'}")
