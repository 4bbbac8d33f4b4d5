"""``Sequential``: a stack of layers with Keras's compile / fit / evaluate / predict."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from nntui.engine.arguments import as_float_array, check_seed, fits, input_shape
from nntui.engine.backend import get_backend, resolve_backend_name
from nntui.engine.backend.base import Array, Backend, Shape
from nntui.engine.layers.base import Layer, snake_case
from nntui.engine.losses import Loss, get_loss
from nntui.engine.metrics import DESCRIPTIONS, Metric, resolve_metrics
from nntui.engine.optimizers import Optimizer, get_optimizer
from nntui.engine.reporting import print_summary
from nntui.engine.seeding import make_rng
from nntui.errors import ConfigError, NntuiError, ShapeError

if TYPE_CHECKING:
    from nntui.engine.callbacks.base import History
    from nntui.engine.threads import StepThreads


class Input:
    """Declares the per-sample input shape, as ``keras.Input(shape=(784,))``."""

    def __init__(self, shape: Shape, name: str | None = None) -> None:
        self.shape = input_shape(shape)
        self.name = name


class Sequential:
    """A linear stack of layers (a :class:`~nntui.engine.learner.Learner`).

    Args:
        layers: layers in order; an ``Input`` first fixes the input shape.
        name: model name.
        backend: ``"auto"``, ``"numpy"`` or ``"mlx"``.
        seed: seed of the weight initialisation (and of fit's shuffling unless given there).
        dtype: ``"float32"`` (default) or ``"float64"`` (gradient checks, NumPy only).

    Example:
        >>> model = Sequential([Input((2,)), Dense(16, activation="relu"),
        ...                     Dense(1, activation="sigmoid")])
        >>> model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
    """

    uses_gradients = True
    """Trained by its optimizer from gradients (the perceptron overrides it)."""

    def __init__(self, layers: list[Any] | None = None, *, name: str = "sequential",
                 backend: str = "auto", seed: int | None = None, dtype: str = "float32") -> None:
        self.name = name
        self._backend_name = resolve_backend_name(backend)
        self.ops: Backend = get_backend(self._backend_name, dtype)
        self.seed = check_seed(seed)
        self.rng = make_rng(seed)
        self.layers: list[Layer] = []
        self.input_shape: Shape | None = None
        self.optimizer: Optimizer | None = None
        self.loss: Loss | None = None
        self.metrics: list[tuple[str, Metric]] = []
        self.built = False
        self.stop_training = False  # a callback sets it to end fit after the current batch
        self.history: History | None = None  # the last fit's History, as in Keras
        self.compile_config: dict[str, Any] | None = None  # what save() writes
        self.record_outputs = False  # the trainer sets it on snapshot steps
        self._outputs: list[Array] = []
        self._last_pred: Array | None = None
        self.fit_threads: StepThreads | None = None  # fit's BLAS thread chooser, kept
        for layer in layers or []:
            self.add(layer)

    # the learner contract (nntui.engine.learner) -----------------------------------
    @property
    def last_prediction(self) -> Array | None:
        """The output on the last training batch (None before the first step)."""
        return self._last_pred

    @property
    def layer_outputs(self) -> list[Array]:
        """Every layer's output of the last forward pass made with ``record_outputs``."""
        return self._outputs

    def parts(self) -> list[tuple[str, Sequential]]:
        return [("m", self)]

    def optimizers(self) -> list[Optimizer]:
        return [] if self.optimizer is None else [self.optimizer]

    def metric_definitions(self) -> dict[str, str]:
        """What each logged figure measures, in one line."""
        loss = "the loss" if self.loss is None else f"the {self.loss.name} loss"
        penalty = " (plus the L1/L2 penalty)" if any(
            layer.regularizers for layer in self.layers) else ""
        out = {"loss": f"{loss}{penalty}"}
        out.update({name: DESCRIPTIONS.get(name, name) for name, _ in self.metrics})
        return out

    # construction --------------------------------------------------------------
    @property
    def backend(self) -> str:
        """The backend in use: ``"numpy"`` or ``"mlx"``."""
        return self._backend_name

    def add(self, layer: Any) -> None:
        if isinstance(layer, Input):
            if self.layers:
                raise ConfigError("Input(...) must come first in a Sequential model")
            self.input_shape = layer.shape
            return
        if not isinstance(layer, Layer):
            raise ConfigError(f"Sequential accepts nntui layers; received {layer!r}")
        if not self.layers and self.input_shape is None and layer.input_shape_hint:
            self.input_shape = layer.input_shape_hint
        if layer.auto_named:
            layer.name = self._unique_name(snake_case(type(layer).__name__))
        layer.ops = self.ops
        self.layers.append(layer)
        self.built = False
        if self.input_shape is not None:  # Keras builds as soon as the input shape is known
            try:
                self.build()
            except ShapeError:
                pass  # a misfit layer: build() and fit() raise the same error, naming it

    def _unique_name(self, base: str) -> str:
        """``base``, or ``base_1``, ``base_2``, ... : the first not taken in this model."""
        taken = {layer.name for layer in self.layers}
        k = 0
        while (name := base if k == 0 else f"{base}_{k}") in taken:
            k += 1
        return name

    def build(self, input_shape: Shape | None = None) -> None:
        """Create every layer's weights for per-sample ``input_shape``.

        Raises:
            ShapeError: a layer cannot take the previous layer's output; the message names it.
        """
        shape = tuple(input_shape or self.input_shape or ())
        if not shape:
            raise ShapeError("the model has no input shape: give Input(shape) or call fit first")
        if input_shape is not None and len(input_shape) and input_shape[0] is None:
            shape = tuple(input_shape[1:])
        self.input_shape = shape
        for layer in self.layers:
            layer.ops = self.ops
            if not layer.built or layer.input_shape != shape:
                layer.build(shape, self.rng)
            shape = layer.output_shape  # type: ignore[assignment]
        self.built = True

    @property
    def output_shape(self) -> tuple[int | None, ...]:
        """The output's shape as Keras gives it: ``(None, 10)``, the batch axis first."""
        return (None, *self.sample_output_shape)

    @property
    def sample_output_shape(self) -> Shape:
        """One sample's output shape, without the batch axis: ``(10,)``."""
        return self.layers[-1].output_shape if self.layers else ()  # type: ignore[return-value]

    def compile(self, optimizer: Any = "rmsprop", loss: Any = None,
                metrics: list[str] | None = None) -> None:
        """Choose the optimizer (instance or name), the loss (name) and metrics."""
        if loss is None:
            raise ConfigError("compile needs a loss, e.g. loss='sparse_categorical_crossentropy'")
        self.optimizer = get_optimizer(optimizer)
        self.loss = get_loss(loss)
        self.metrics = resolve_metrics(metrics, self.loss.name)
        self.compile_config = {"optimizer": self.optimizer.get_config(), "loss": self.loss.name,
                               "metrics": list(metrics or [])}

    # forward and backward ------------------------------------------------------
    def forward(self, x: Array, training: bool = False) -> Array:
        if self.record_outputs:
            self._outputs = []
            for layer in self.layers:
                x = layer.forward(x, training=training)
                self._outputs.append(x)
            return x
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    def _fused_head(self) -> tuple[int, Callable[[Array], Array]] | None:
        """If the loss fuses with the last activation, the layer index and its dL/dz entry."""
        if self.loss is None or self.loss.fused_activation is None:
            return None
        last = self.layers[-1]
        act = getattr(last, "activation", None)
        if act is not None and getattr(act, "name", "") == self.loss.fused_activation:
            return len(self.layers) - 1, last.backward_from_z  # type: ignore[attr-defined]
        fn = getattr(last, "fn", None)  # a separate Activation layer
        if fn is not None and getattr(fn, "name", "") == self.loss.fused_activation:
            return len(self.layers) - 1, lambda g: g
        return None

    def backward(self, grad: Array, *, fused: bool = False, stop_at: int = 0,
                 input_grad: bool = True, weight_grads: bool = True) -> Array:
        """Run every layer's backward, last to first; ``fused``: grad is dL/dz of the head.

        ``input_grad=False``: nothing needs dL/dx of layer ``stop_at``, so layers that can
        (Dense, Conv2D, recurrent) skip it (for Conv2D a matmul and col2im) and return None.
        ``weight_grads=False``: only pass the gradient through (a GAN's generator step
        through D): every layer runs as if frozen and computes no weight gradients.
        """
        layers = self.layers
        if not weight_grads:
            kept = [layer.trainable for layer in layers]
            for layer in layers:
                layer.trainable = False
            try:
                return self.backward(grad, fused=fused, stop_at=stop_at, input_grad=input_grad)
            finally:
                for layer, trainable in zip(layers, kept, strict=True):
                    layer.trainable = trainable
        if not input_grad and stop_at < len(layers):
            first: Any = layers[stop_at]  # a flag Dense, Conv2D and recurrent layers read
            first.skip_input_grad = True
            try:
                return self.backward(grad, fused=fused, stop_at=stop_at)
            finally:
                first.skip_input_grad = False
        start = len(layers) - 1
        head = self._fused_head() if fused else None
        if head is not None:
            idx, entry = head
            grad = entry(grad)
            start = idx - 1
        for i in range(start, stop_at - 1, -1):
            grad = layers[i].backward(grad)
        return grad

    def _first_needed_backward(self) -> int:
        """Layers before the first trainable one need no backward (frozen base)."""
        for i, layer in enumerate(self.layers):
            if layer.trainable and layer.params:
                return i
        return len(self.layers)

    def compute_loss_and_grad(self, yb: Array, pred: Array) -> tuple[Array, Array, bool]:
        """Loss value, gradient to feed backward, and whether it is the fused dL/dz."""
        loss = self.compiled_loss()
        y = self._targets_for(yb, pred)
        value = loss(self.ops, y, pred)
        if self._fused_head() is not None:
            return value, loss.fused_gradient(self.ops, y, pred), True
        return value, loss.gradient(self.ops, y, pred), False

    def _targets_for(self, yb: Array, pred: Array) -> Array:
        if self.loss is not None and self.loss.name == "sparse_categorical_crossentropy":
            return self.ops.one_hot(self.ops.reshape(yb, (-1,)), pred.shape[-1]).reshape(pred.shape)
        if tuple(yb.shape) != tuple(pred.shape):
            return self.ops.reshape(yb, tuple(pred.shape))
        return yb

    # training ------------------------------------------------------------------
    def compiled(self) -> tuple[Loss, Optimizer]:
        """The loss and optimizer ``compile`` chose; a clear error before it was called."""
        if self.optimizer is None or self.loss is None:
            raise ConfigError("call model.compile(optimizer=..., loss=...) before training")
        return self.loss, self.optimizer

    def compiled_loss(self) -> Loss:
        """The loss ``compile`` chose (a model trained by L-BFGS has no optimizer)."""
        if self.loss is None:
            raise ConfigError("call model.compile(optimizer=..., loss=...) before training")
        return self.loss

    def train_step(self, xb: Array, yb: Array) -> float:
        """One optimizer step on a backend batch; returns the loss (regularisation included)."""
        for layer in self.layers:
            layer.zero_grad()
        pred = self.forward(xb, training=True)
        value, grad, fused = self.compute_loss_and_grad(yb, pred)
        self.backward(grad, fused=fused, stop_at=self._first_needed_backward(),
                      input_grad=False)
        reg = self.apply_gradients()
        self._last_pred = pred
        return self.ops.item(value) + reg

    def apply_gradients(self) -> float:
        """Add regulariser gradients, then let the optimizer update every trainable param."""
        items, owners, reg = [], [], 0.0
        for layer in self.layers:
            if not layer.trainable:
                continue
            for name, param in layer.params.items():
                grad = layer.grads.get(name)
                if grad is None:
                    continue
                r = layer.regularizers.get(name)
                if r is not None:
                    reg += r.penalty(self.ops, param)
                    grad = grad + r.gradient(self.ops, param)
                items.append((f"{layer.name}/{name}", param, grad))
                owners.append((layer, name))
        new = self.compiled()[1].apply(self.ops, items)
        for (layer, name), value in zip(owners, new, strict=True):
            layer.params[name] = value
        return reg

    def prepare(self, x: Any, y: Any | None = None) -> tuple[np.ndarray, np.ndarray | None]:
        """Validate a NumPy dataset against the model and loss; builds the model if needed.

        Raises:
            ShapeError: the data's shape does not fit the model or the labels the loss.
        """
        x = as_float_array(x, "x")
        if x.ndim < 2:
            x = x.reshape(-1, 1)
        declared = self.input_shape
        if declared is not None and not fits(x.shape[1:], declared):
            raise ShapeError(
                f"model {self.name!r} expects inputs of shape (batch, "
                f"{', '.join(map(str, declared))}) but x has shape {tuple(x.shape)}"
            )
        if not self.built:  # build() alone: an explicit shape's leading None means the batch
            self.build(None if declared is not None else tuple(x.shape[1:]))
        if y is None:
            return x, None
        y = np.asarray(y)
        if y.dtype.kind not in "biuf":
            raise ShapeError(f"labels must be numbers; received dtype {y.dtype}")
        if len(y) != len(x):
            raise ShapeError(f"x has {len(x)} samples but y has {len(y)}")
        if self.loss is not None:
            self.loss.check_targets(y, (len(x),) + tuple(self.sample_output_shape))
        if self.loss is not None and self.loss.name == "sparse_categorical_crossentropy":
            y = y.astype(np.int64)
        else:
            y = y.astype(self.ops.dtype if self.backend == "numpy" else np.float32)
        return x, y

    def batches(self, x: np.ndarray, y: np.ndarray | None, batch_size: int,
                shuffle: bool = False, rng: np.random.Generator | None = None, *,
                order: np.ndarray | None = None, start: int = 0
                ) -> Iterator[tuple[Array, Array | None]]:
        """Yield backend batches; data crosses to the backend here, once per batch.

        ``order`` (a permutation of the samples) replaces the shuffle; ``start`` skips the
        first samples of the order (a run resumed in the middle of an epoch).
        """
        n = len(x)
        if order is None and shuffle:
            order = (rng or self.rng).permutation(n)
        for begin in range(start, n, batch_size):
            end = begin + batch_size
            idx = slice(begin, end) if order is None else order[begin:end]
            xb = self.ops.asarray(x[idx])
            yb = None if y is None else self.ops.asarray(y[idx])
            yield xb, yb

    def train_on_batch(self, x: Any, y: Any) -> float | list[float]:
        """One step on this batch; returns the loss, or [loss, *metrics] when metrics are set."""
        self.compiled()
        x, y = self.prepare(x, y)
        loss = self.train_step(self.ops.asarray(x), self.ops.asarray(y))
        if not self.metrics:
            return loss
        pred = self.ops.to_numpy(self._last_pred)
        return [loss] + [fn(y, pred) for _, fn in self.metrics]  # type: ignore[arg-type]

    def fit(self, x: Any, y: Any, batch_size: int = 32, epochs: int = 1, verbose: Any = "auto",
            validation_split: float = 0.0, validation_data: tuple[Any, Any] | None = None,
            shuffle: bool = True, callbacks: list[Any] | None = None, initial_epoch: int = 0,
            seed: int | None = None) -> History:
        """Train for ``epochs``; returns a History with ``history["loss"]`` etc. (also
        ``model.history``).

        Validation uses the *last* ``validation_split`` share of x, taken before shuffling
        (Keras's rule). ``callbacks``: Keras callbacks (``nntui.callbacks``) run at Keras's
        hooks; an object with ``attach(trainer)`` is given the trainer before it runs
        (``nntui.Dashboard``); any other object receives the trainer's events
        (``handle(event)`` or a call).
        """
        from nntui.engine.fitting import fit_model

        return fit_model(self, x, y, batch_size=batch_size, epochs=epochs, verbose=verbose,
                         validation_split=validation_split, validation_data=validation_data,
                         shuffle=shuffle, callbacks=callbacks, initial_epoch=initial_epoch,
                         seed=seed)

    def evaluate(self, x: Any, y: Any, batch_size: int = 32, verbose: Any = 0,
                 return_dict: bool = False) -> Any:
        """Mean loss (and metrics) over the data, without training."""
        self.compiled()
        x, y = self.prepare(x, y)
        result = self.evaluate_arrays(x, y, batch_size)  # type: ignore[arg-type]
        if return_dict:
            return result
        vals = list(result.values())
        return vals[0] if len(vals) == 1 else vals

    def evaluate_arrays(self, x: np.ndarray, y: np.ndarray, batch_size: int = 256
                        ) -> dict[str, float]:
        pred = self.predict_arrays(x, batch_size)
        p, loss_fn = self.ops.asarray(pred), self.compiled_loss()
        loss = self.ops.item(loss_fn(self.ops, self._targets_for(self.ops.asarray(y), p), p))
        loss += sum(layer.regularization_loss() for layer in self.layers)
        out = {"loss": loss}
        for name, fn in self.metrics:
            out[name] = fn(y, pred)
        return out

    def predict(self, x: Any, batch_size: int = 32, verbose: Any = 0) -> np.ndarray:
        """Model outputs for x as a NumPy array."""
        x, _ = self.prepare(x)
        return self.predict_arrays(x, max(batch_size, 1))

    def predict_arrays(self, x: np.ndarray, batch_size: int = 256) -> np.ndarray:
        outs = [self.ops.to_numpy(self.forward(xb, training=False))
                for xb, _ in self.batches(x, None, batch_size)]
        return np.concatenate(outs, axis=0) if outs else np.zeros((0,) + self.sample_output_shape)

    def __call__(self, x: Any, training: bool = False) -> np.ndarray:
        x, _ = self.prepare(x)
        return self.ops.to_numpy(self.forward(self.ops.asarray(x), training=training))

    # weights -------------------------------------------------------------------
    def get_weights(self) -> list[np.ndarray]:
        """Every layer's weights in order (Keras's order and shapes)."""
        return [w for layer in self.layers for w in layer.get_weights()]

    def save(self, filepath: Any) -> None:
        """Write architecture, weights, compile arguments and optimizer state (``saving.py``)."""
        from nntui.engine.saving import save_model

        save_model(self, filepath)

    def save_weights(self, filepath: Any) -> None:
        from nntui.engine.saving import save_weights

        save_weights(self, filepath)

    def load_weights(self, filepath: Any) -> None:
        from nntui.engine.saving import load_weights

        load_weights(self, filepath)

    def set_weights(self, weights: list[Any]) -> None:
        """Set weights from a list as returned by ``get_weights`` (or Keras's).

        Raises:
            ShapeError: wrong number of arrays or a wrong shape; the message names the layer.
        """
        if not isinstance(weights, list | tuple):
            raise ShapeError(f"set_weights takes a list of arrays (as get_weights returns). "
                             f"Received: {type(weights).__name__}")
        if not self.built:
            self.build()
        want = sum(len(layer.params) for layer in self.layers)
        if len(weights) != want:
            raise ShapeError(
                f"model {self.name!r} has {want} weight arrays, received {len(weights)}")
        i = 0
        for layer in self.layers:
            k = len(layer.params)
            layer.set_weights(list(weights[i:i + k]))
            i += k

    def named_weights(self) -> dict[str, np.ndarray]:
        """``{"layer/param": array}`` for checkpoints."""
        return {f"{layer.name}/{k}": self.ops.to_numpy(v) for layer in self.layers
                for k, v in layer.params.items()}

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self.layers)

    def summary(self, print_fn: Callable[[Any], None] | None = None) -> None:
        """Print a table of layers, output shapes and parameter counts (Keras-style)."""
        if not self.built and self.input_shape is not None:
            self.build()
        print_summary(self, print_fn)


__all__ = ["Input", "NntuiError", "Sequential"]
