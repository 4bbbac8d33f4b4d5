"""model.summary() of a CNN and of an Embedding + LSTM text model; the parameter counts."""

from keras.layers import LSTM, Conv2D, Dense, Dropout, Embedding, Flatten, Input, MaxPooling2D
from keras.models import Sequential

cnn = Sequential()
cnn.add(Input(shape=(28, 28, 1)))
cnn.add(Conv2D(32, (3, 3), activation="relu"))
cnn.add(MaxPooling2D(pool_size=(2, 2)))
cnn.add(Conv2D(64, (3, 3), activation="relu"))
cnn.add(MaxPooling2D(pool_size=(2, 2)))
cnn.add(Flatten())
cnn.add(Dropout(0.5))
cnn.add(Dense(10, activation="softmax"))
cnn.summary()

text = Sequential([
    Input(shape=(100,)),
    Embedding(input_dim=10000, output_dim=32),
    LSTM(64),
    Dense(1, activation="sigmoid"),
])
text.summary()
result = {
    "cnn_params": cnn.count_params(),
    "text_params": text.count_params(),
    "cnn_output_shape": cnn.output_shape,
    "layer_types": [type(layer).__name__ for layer in cnn.layers],
}
