"""The other callbacks of the notes: keep the best model on disk, halve the rate on a
plateau, log each epoch to a CSV file."""

import csv

from keras.callbacks import CSVLogger, ModelCheckpoint, ReduceLROnPlateau
from keras.layers import Dense, Input
from keras.models import Sequential, load_model
from keras.optimizers import Adam
from sklearn.datasets import make_classification

X, y = make_classification(n_samples=400, n_features=10, random_state=1)
model = Sequential([Input(shape=(10,)), Dense(16, activation="relu"),
                    Dense(1, activation="sigmoid")])
model.compile(optimizer=Adam(learning_rate=0.05), loss="binary_crossentropy", metrics=["accuracy"])
callbacks = [
    ModelCheckpoint("best.keras", monitor="val_loss", save_best_only=True),
    ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1, min_lr=1e-4),
    CSVLogger("training.csv"),
]
history = model.fit(X, y, epochs=15, batch_size=32, validation_split=0.25,
                    callbacks=callbacks, verbose=0)
best = load_model("best.keras")
with open("training.csv") as f:
    rows = list(csv.DictReader(f))
result = {
    "csv_columns": sorted(rows[0]),
    "csv_epochs": [int(row["epoch"]) for row in rows],
    "csv_val_loss": [float(row["val_loss"]) for row in rows],
    "csv_learning_rate": [float(row["learning_rate"]) for row in rows],
    "history_val_loss": history.history["val_loss"],
    "best_val_loss": best.evaluate(X[300:], y[300:], verbose=0)[0],
    "final_learning_rate": float(model.optimizer.learning_rate),
}
