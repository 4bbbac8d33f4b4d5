"""An exponentially decaying learning rate, then model.save and load_model: the reloaded model
predicts the same and keeps its optimizer's step count."""

import keras
import numpy as np
from sklearn.datasets import make_blobs

X, y = make_blobs(n_samples=160, centers=3, n_features=4, random_state=0)
X = X.astype("float32")

lr_schedule = keras.optimizers.schedules.ExponentialDecay(
    initial_learning_rate=0.05, decay_steps=10, decay_rate=0.5)
model = keras.Sequential([
    keras.Input(shape=(4,)),
    keras.layers.Dense(8, activation="tanh"),
    keras.layers.Dense(3, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=lr_schedule),
              loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(X, y, epochs=5, batch_size=32, verbose=0)
model.save("blobs_model.keras")

restored = keras.models.load_model("blobs_model.keras")
result = {
    "rates": [float(lr_schedule(step)) for step in (0, 5, 10, 25, 100)],
    "iterations": int(model.optimizer.iterations),
    "restored_iterations": int(restored.optimizer.iterations),
    "learning_rate_now": float(model.optimizer.learning_rate),
    "restored_learning_rate_now": float(restored.optimizer.learning_rate),
    "max_prediction_change": float(np.max(np.abs(model.predict(X, verbose=0)
                                                 - restored.predict(X, verbose=0)))),
    "accuracy": model.evaluate(X, y, verbose=0)[1],
}
