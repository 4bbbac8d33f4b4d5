"""Early stopping: 10% of the training set held out, stop after 10 epochs without gain."""

from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

X, y = make_classification(n_samples=600, n_features=20, n_informative=6, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

clf = MLPClassifier(hidden_layer_sizes=(50, 20), early_stopping=True,
                    validation_fraction=0.1, n_iter_no_change=10, max_iter=500,
                    random_state=0)
clf.fit(X_train, y_train)
print("stopped after", clf.n_iter_, "epochs; best validation accuracy",
      clf.best_validation_score_)
result = {
    "n_iter": clf.n_iter_,
    "best_validation_score": clf.best_validation_score_,
    "validation_scores": clf.validation_scores_,
    "loss_curve": clf.loss_curve_,
    "score": clf.score(X_test, y_test),
    "predictions": clf.predict(X_test),
}
