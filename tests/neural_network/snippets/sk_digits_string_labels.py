"""Digits with the classes as words: predictions, classes_ and the confusion matrix in words."""

import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import accuracy_score, confusion_matrix
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

names = np.array(["zero", "one", "two", "three", "four", "five", "six", "seven", "eight",
                  "nine"])
digits = load_digits()
X = digits.data / 16.0
y = names[digits.target]
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)

mlp = MLPClassifier(hidden_layer_sizes=(32,), solver="sgd", learning_rate_init=0.1,
                    momentum=0.9, max_iter=30, random_state=0)
mlp.fit(X_train, y_train)
y_pred = mlp.predict(X_test)
print("accuracy", accuracy_score(y_test, y_pred))
result = {
    "classes": mlp.classes_,
    "predictions": y_pred,
    "accuracy": accuracy_score(y_test, y_pred),
    "confusion": confusion_matrix(y_test, y_pred, labels=names),
    "proba": mlp.predict_proba(X_test[:5]),
    "n_iter": mlp.n_iter_,
    "loss_curve": mlp.loss_curve_,
}
