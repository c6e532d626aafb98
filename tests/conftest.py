import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
# Unit tests train tiny models: they never read or write the course's results store unless a
# test says so (tests/test_store.py points the store at a temporary folder).
os.environ.setdefault("RNNLAB_STORE", "off")

from rnnlab.cells import by_keras_class, names, spec  # noqa: E402

# (Keras layer name, rnnlab cell name, GRU reset_after): every layer the course reproduces, one
# per registered cell and variant, so a new cell module is tested without editing this file
VARIANTS = [(spec(name).keras_class, name, variant.get("reset_after", True))
            for name in names() for variant in spec(name).variants]
VARIANT_IDS = [name + "".join(f"_{key}_{value}" for key, value in variant.items())
               for name in names() for variant in spec(name).variants]


def keras_layer(kind, units, reset_after=True, **options):
    cell_spec = by_keras_class(kind)
    for name in cell_spec.options:  # the cell's own options, e.g. the GRU's variant
        options[name] = {"reset_after": reset_after}[name]
    return cell_spec.keras_layer(units, **options)
