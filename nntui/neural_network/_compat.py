"""What scikit-learn's own tools need from an estimator, without importing scikit-learn
when nntui is imported: ``get_params`` / ``set_params`` read ``__init__``'s signature;
tags, the warning class and the not-fitted error use scikit-learn's classes when it is
installed (its filters and ``except`` clauses then work), nntui's own otherwise."""

from __future__ import annotations

import inspect
import warnings
from typing import Any

from nntui.errors import ConfigError, NntuiError


class NotFittedError(NntuiError, ValueError, AttributeError):
    """The estimator was used before ``fit`` (scikit-learn's error has the same bases)."""


class _NntuiConvergenceWarning(UserWarning):
    """Training stopped at ``max_iter`` before the stopping rule was met."""


def convergence_warning() -> type[Warning]:
    """scikit-learn's ``ConvergenceWarning`` when it is installed, else nntui's own."""
    try:
        from sklearn.exceptions import ConvergenceWarning
    except ImportError:
        return _NntuiConvergenceWarning
    return ConvergenceWarning


def warn_not_converged(message: str) -> None:
    """Warn at the user's ``fit`` call (called by a solver, called by ``_fit``)."""
    warnings.warn(message, convergence_warning(), stacklevel=5)


class EstimatorParams:
    """``get_params`` / ``set_params`` / ``repr`` over the constructor's arguments, stored
    unchanged as attributes (scikit-learn's ``clone`` checks that)."""

    @classmethod
    def _param_names(cls) -> list[str]:
        sig = inspect.signature(cls.__init__)
        return sorted(p.name for p in sig.parameters.values()
                      if p.name != "self" and p.kind != p.VAR_KEYWORD)

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor arguments, by name."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Any:
        """Set constructor arguments; returns the estimator.

        Raises:
            ConfigError: a name the estimator does not have, listing the valid ones.
        """
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ConfigError(f"Invalid parameter {name!r} for estimator "
                                  f"{type(self).__name__}. Valid parameters are: {valid!r}.")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {p.name: p.default for p in
                    inspect.signature(type(self).__init__).parameters.values()}
        changed = [f"{k}={v!r}" for k, v in self.get_params().items()
                   if not _same(v, defaults.get(k))]
        return f"{type(self).__name__}({', '.join(changed)})"


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) and type(a) is type(b)
    except (TypeError, ValueError):  # arrays compare elementwise
        return a is b


def sklearn_tags(kind: str, multi_label: bool) -> Any:
    """scikit-learn ≥ 1.6's ``Tags`` for a classifier or regressor (imported only when
    scikit-learn asks for them, so it is installed)."""
    from sklearn.utils import ClassifierTags, InputTags, RegressorTags, Tags, TargetTags

    return Tags(estimator_type=kind,
                target_tags=TargetTags(required=True, multi_output=True,
                                       single_output=True),
                classifier_tags=ClassifierTags(multi_label=multi_label)
                if kind == "classifier" else None,
                regressor_tags=RegressorTags() if kind == "regressor" else None,
                input_tags=InputTags(sparse=True))
