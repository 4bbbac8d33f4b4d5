"""Dense network on two moons, 20% validation split, early stopping that restores the best
epoch's weights."""

from keras.callbacks import EarlyStopping
from keras.layers import Dense, Input
from keras.models import Sequential
from keras.optimizers import Adam
from sklearn.datasets import make_moons
from sklearn.model_selection import train_test_split

X, y = make_moons(n_samples=600, noise=0.2, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.5, random_state=0)

model = Sequential([
    Input(shape=(2,)),
    Dense(16, activation="relu"),
    Dense(16, activation="relu"),
    Dense(1, activation="sigmoid"),
])
model.compile(optimizer=Adam(learning_rate=0.01), loss="binary_crossentropy", metrics=["accuracy"])
early = EarlyStopping(monitor="val_loss", patience=10, restore_best_weights=True)
history = model.fit(X_train, y_train, epochs=100, batch_size=64, validation_split=0.2,
                    callbacks=[early], verbose=0)
test_loss, test_acc = model.evaluate(X_test, y_test, verbose=0)
# validation_split holds out the LAST 20% of the training data
val_loss, val_acc = model.evaluate(X_train[-60:], y_train[-60:], verbose=0)
print("stopped at epoch", early.stopped_epoch, "test accuracy", test_acc)
result = {
    "test_accuracy": test_acc,
    "epochs_run": len(history.history["loss"]),
    "history_keys": sorted(history.history),
    "best_val_loss": min(history.history["val_loss"]),
    "val_loss_now": val_loss,
    "model_history_is_history": model.history is history,
}
