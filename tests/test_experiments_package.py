"""The package rnnlab.experiments (rnnlab/experiments/__init__.py): it re-exports each module's
``__all__``, so a new experiment module needs no edit of the package."""
import importlib
import pkgutil

import pytest

import rnnlab.experiments

MODULES = [info.name for info in pkgutil.iter_modules(rnnlab.experiments.__path__)]


@pytest.mark.parametrize("name", MODULES)
def test_every_name_of_a_modules_all_is_reachable_from_the_package(name):
    module = importlib.import_module(f"rnnlab.experiments.{name}")
    assert isinstance(module.__all__, list), f"{module.__name__} declares no __all__ list"
    assert len(set(module.__all__)) == len(module.__all__), f"{module.__name__} repeats a name"
    for exported in module.__all__:
        assert getattr(rnnlab.experiments, exported) is getattr(module, exported), exported
        assert exported in rnnlab.experiments.__all__


def test_no_two_modules_export_the_same_name_and_the_package_exports_nothing_else():
    owners: dict[str, list[str]] = {}
    for name in MODULES:
        for exported in importlib.import_module(f"rnnlab.experiments.{name}").__all__:
            owners.setdefault(exported, []).append(name)
    clashes = {exported: where for exported, where in owners.items() if len(where) > 1}
    assert not clashes, f"exported by more than one module of rnnlab.experiments: {clashes}"
    assert sorted(rnnlab.experiments.__all__) == sorted(owners)
    # an exported name must not hide a module of the package (rnnlab.experiments.store, ...)
    assert not set(owners) & set(MODULES)
    for name in MODULES:
        module = importlib.import_module(f"rnnlab.experiments.{name}")
        assert getattr(rnnlab.experiments, name) is module
