"""NumPy reference cells against Keras on the same machine: forward, and BPTT against GradientTape.

    python benchmarks/cells_vs_keras.py [repeats]

Setup of the MNIST chapter: batch 64 x 28 steps x 28 features x 64 units, float32. Prints the
median wall time of each side and the ratio NumPy / Keras (target for the LSTM forward: <= 2).
The Keras forward is the layer called eagerly on a NumPy array, as a learner would call it, and
also as a compiled tf.function, the fairer comparison for training loops.
"""
from __future__ import annotations

import os
import platform
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402

from rnnlab.bptt import backward  # noqa: E402
from rnnlab.cells import from_keras  # noqa: E402

BATCH, STEPS, FEATURES, UNITS = 64, 28, 28, 64


def median_time(function, repeats: int) -> float:
    function()  # warm-up (tracing, allocation)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(repeats: int = 20) -> None:
    import keras
    import tensorflow as tf

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs; "
          f"Python {sys.version.split()[0]}, NumPy {np.__version__}, TensorFlow {tf.__version__}")
    print(f"shape: batch {BATCH} x {STEPS} steps x {FEATURES} features x {UNITS} units, float32, "
          f"median of {repeats}")
    x = np.random.default_rng(0).normal(size=(BATCH, STEPS, FEATURES)).astype("float32")
    G = np.random.default_rng(1).normal(size=(BATCH, STEPS, UNITS)).astype("float32")
    for kind in ("SimpleRNN", "LSTM", "GRU"):
        layer = getattr(keras.layers, kind)(UNITS, return_sequences=True)
        layer(x)
        twin = from_keras(layer)
        compiled = tf.function(lambda inputs, layer=layer: layer(inputs))
        xt = tf.constant(x)

        def tape_backward(layer=layer):
            with tf.GradientTape() as tape:
                value = tf.reduce_sum(G * layer(xt))
            return tape.gradient(value, layer.trainable_weights)

        numpy_fwd = median_time(lambda: twin(x), repeats)
        keras_eager = median_time(lambda: layer(x), repeats)
        keras_graph = median_time(lambda: compiled(xt), repeats)
        numpy_bwd = median_time(lambda: backward(twin, twin.forward(x), G), repeats)
        keras_bwd = median_time(tape_backward, repeats)
        print(f"{kind:<9} forward : NumPy {numpy_fwd * 1e3:6.2f} ms | Keras eager "
              f"{keras_eager * 1e3:6.2f} ms (ratio {numpy_fwd / keras_eager:4.2f}) | Keras "
              f"tf.function {keras_graph * 1e3:6.2f} ms (ratio {numpy_fwd / keras_graph:4.2f})")
        print(f"{kind:<9} fwd+bwd : NumPy BPTT {numpy_bwd * 1e3:6.2f} ms | GradientTape "
              f"{keras_bwd * 1e3:6.2f} ms (ratio {numpy_bwd / keras_bwd:4.2f})")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
