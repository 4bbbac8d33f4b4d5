"""The classic first Keras network: one-hot labels with to_categorical, Dense layers with
input_shape on the first, Dropout, categorical cross-entropy, validation_data."""

import numpy as np
from keras.layers import Dense, Dropout
from keras.models import Sequential
from keras.optimizers import Adam
from keras.utils import to_categorical
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

X, y = load_digits(return_X_y=True)
X = X / 16.0
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.25, random_state=0)
y_train_cat = to_categorical(y_train, num_classes=10)
y_test_cat = to_categorical(y_test)

model = Sequential()
model.add(Dense(64, activation="relu", input_shape=(64,)))
model.add(Dropout(0.2))
model.add(Dense(10, activation="softmax"))
model.compile(loss="categorical_crossentropy", optimizer=Adam(learning_rate=0.005),
              metrics=["accuracy"])
history = model.fit(X_train, y_train_cat, epochs=10, batch_size=128,
                    validation_data=(X_test, y_test_cat), verbose=0)
score = model.evaluate(X_test, y_test_cat, verbose=0)
print("Test loss:", score[0])
print("Test accuracy:", score[1])
y_pred = np.argmax(model.predict(X_test, verbose=0), axis=1)
result = {
    "one_hot": y_train_cat,
    "one_hot_test_shape": y_test_cat.shape,
    "test_accuracy": score[1],
    "argmax_accuracy": float(np.mean(y_pred == y_test)),
    "history_keys": sorted(history.history),
    "epochs": len(history.history["val_accuracy"]),
}
