import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Unit tests train tiny models: they never read or write the course's results store unless a
# test says so (tests/test_store.py points the store at a temporary folder).
os.environ.setdefault("RNNLAB_STORE", "off")

from rnnlab.cells import by_keras_class, names, spec  # noqa: E402

# (Keras layer name, rnnlab cell name, the cell's options): every layer the course reproduces,
# one per registered cell and variant, so a new cell module is tested without editing this file
VARIANTS = [(spec(name).keras_class, name, dict(variant))
            for name in names() for variant in spec(name).variants]
VARIANT_IDS = [name + "".join(f"_{key}_{value}" for key, value in variant.items())
               for name in names() for variant in spec(name).variants]


def keras_layer(kind, units, variant=None, **options):
    """The Keras layer of a registered cell, with the variant's options (e.g. the GRU's)."""
    return by_keras_class(kind).keras_layer(units, **(variant or {}), **options)
