"""Grid search over the hidden layer sizes and the L2 penalty, 3-fold."""

from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

X, y = load_breast_cancer(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=1)

pipe = make_pipeline(StandardScaler(), MLPClassifier(max_iter=60, random_state=1))
params = {
    "mlpclassifier__hidden_layer_sizes": [(5,), (20,)],
    "mlpclassifier__alpha": [1e-4, 1.0],
}
search = GridSearchCV(pipe, params, cv=3)
search.fit(X_train, y_train)
print(search.best_params_, search.best_score_)
result = {
    "best_params": search.best_params_,
    "best_score": search.best_score_,
    "mean_test_score": search.cv_results_["mean_test_score"],
    "test_score": search.score(X_test, y_test),
}
