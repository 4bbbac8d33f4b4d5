"""Iris in a Pipeline: scale, then a small MLP; the report and the test score."""

from sklearn.datasets import load_iris
from sklearn.metrics import classification_report
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

X, y = load_iris(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y,
                                                    random_state=42)
clf = Pipeline([
    ("scaler", StandardScaler()),
    ("mlp", MLPClassifier(hidden_layer_sizes=(10,), max_iter=1000, random_state=42)),
])
clf.fit(X_train, y_train)
y_pred = clf.predict(X_test)
report = classification_report(y_test, y_pred)
print(report)
result = {
    "score": clf.score(X_test, y_test),
    "predictions": y_pred,
    "report": report,
    "n_iter": clf.named_steps["mlp"].n_iter_,
    "loss_curve": clf.named_steps["mlp"].loss_curve_,
    "proba": clf.predict_proba(X_test),
}
