"""scikit-learn-shaped estimators trained by nntui's engine::

    from nntui.neural_network import MLPClassifier   # was: from sklearn.neural_network import …
    clf = MLPClassifier(hidden_layer_sizes=(50,), max_iter=300, random_state=0).fit(X, y)
    clf.model_.summary()                              # the nntui network behind it

scikit-learn's parameters, defaults, rules (initialisation, batches, L2, solvers,
stopping) and attributes, so the same ``random_state`` gives the same numbers; they work
inside scikit-learn's ``Pipeline``, ``GridSearchCV`` and ``cross_val_score`` when it is
installed, and need nothing but NumPy otherwise (SciPy for ``solver='lbfgs'``).
"""

from nntui.neural_network._classifier import MLPClassifier
from nntui.neural_network._compat import NotFittedError, convergence_warning
from nntui.neural_network._regressor import MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor", "NotFittedError", "convergence_warning"]
