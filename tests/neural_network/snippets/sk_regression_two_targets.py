"""Regression with two targets at once: R^2 on held-out data, predictions of shape (n, 2)."""

from sklearn.datasets import make_regression
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

X, y = make_regression(n_samples=400, n_features=8, n_targets=2, noise=10.0, random_state=3)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=3)
scaler = StandardScaler().fit(X_train)

reg = MLPRegressor(hidden_layer_sizes=(64, 32), learning_rate_init=0.01, max_iter=300,
                   random_state=3)
reg.fit(scaler.transform(X_train), y_train)
y_pred = reg.predict(scaler.transform(X_test))
result = {
    "r2": reg.score(scaler.transform(X_test), y_test),
    "mse": mean_squared_error(y_test, y_pred),
    "predictions": y_pred,
    "n_iter": reg.n_iter_,
    "loss_curve": reg.loss_curve_,
    "n_outputs": reg.n_outputs_,
    "coef_shapes": [w.shape for w in reg.coefs_],
}
