"""A small CNN on the 8x8 digits: Conv2D, MaxPooling2D, Flatten, Dense."""

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from tensorflow import keras
from tensorflow.keras import layers

digits = load_digits()
X = (digits.images / 16.0).reshape(-1, 8, 8, 1).astype("float32")
X_train, X_test, y_train, y_test = train_test_split(X, digits.target, test_size=0.25,
                                                    random_state=0)
model = keras.Sequential([
    keras.Input(shape=(8, 8, 1)),
    layers.Conv2D(8, (3, 3), activation="relu", padding="same"),
    layers.MaxPooling2D((2, 2)),
    layers.Flatten(),
    layers.Dense(32, activation="relu"),
    layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(X_train, y_train, epochs=10, batch_size=64, verbose=0)
loss, acc = model.evaluate(X_test, y_test, verbose=0)
probs = model.predict(X_test, verbose=0)
print("test accuracy", acc)
result = {
    "test_accuracy": acc,
    "loss_curve": history.history["loss"],
    "probs_shape": probs.shape,
    "probs_row_sums": probs.sum(axis=1),
    "params": model.count_params(),
}
