"""One small constructor and input per layer case, shared by the contract and parity tests.

name -> (public layer name, constructor kwargs, per-sample input shape, input kind)
"""

from __future__ import annotations

from typing import Any

LAYER_CASES: dict[str, tuple[str, dict[str, Any], tuple[int, ...], str]] = {
    "Dense": ("Dense", {"units": 5, "activation": "tanh"}, (4,), "float"),
    "Dense-seq": ("Dense", {"units": 3, "activation": "relu"}, (3, 4), "float"),
    "Dropout": ("Dropout", {"rate": 0.3}, (6,), "float"),  # inference: identity
    "Flatten": ("Flatten", {}, (3, 2, 2), "float"),
    "Reshape": ("Reshape", {"target_shape": (2, -1)}, (3, 4), "float"),
    "Activation": ("Activation", {"activation": "softmax"}, (5,), "float"),
    "ReLU": ("ReLU", {}, (5,), "float"),
    "LeakyReLU": ("LeakyReLU", {"negative_slope": 0.1}, (5,), "float"),
    "PReLU": ("PReLU", {"alpha_initializer": "random_normal"}, (2, 5), "float"),
    "PReLU-shared": ("PReLU", {"alpha_initializer": "random_normal", "shared_axes": [1]},
                     (2, 5), "float"),
    "ELU": ("ELU", {"alpha": 0.7}, (5,), "float"),
    "Softmax": ("Softmax", {}, (5,), "float"),
    "Conv2D": ("Conv2D", {"filters": 4, "kernel_size": 3, "activation": "relu"}, (6, 5, 2),
               "float"),
    "Conv2D-s2-same": ("Conv2D", {"filters": 3, "kernel_size": (3, 2), "strides": 2,
                                  "padding": "same"}, (7, 6, 2), "float"),
    "MaxPooling2D": ("MaxPooling2D", {"pool_size": 2}, (6, 4, 3), "float"),
    "MaxPooling2D-same": ("MaxPooling2D", {"pool_size": 3, "strides": 2, "padding": "same"},
                          (7, 5, 2), "float"),
    "AveragePooling2D": ("AveragePooling2D", {"pool_size": 2}, (6, 4, 3), "float"),
    "AveragePooling2D-same": ("AveragePooling2D", {"pool_size": 3, "strides": 2,
                                                   "padding": "same"}, (7, 5, 2), "float"),
    "MaxPool2D": ("MaxPool2D", {"pool_size": (2, 1)}, (4, 3, 2), "float"),
    "AvgPool2D": ("AvgPool2D", {"pool_size": (1, 2)}, (4, 4, 2), "float"),
    "SimpleRNN": ("SimpleRNN", {"units": 4}, (5, 3), "float"),
    "SimpleRNN-seq": ("SimpleRNN", {"units": 4, "return_sequences": True}, (5, 3), "float"),
    "LSTM": ("LSTM", {"units": 4}, (5, 3), "float"),
    "LSTM-seq": ("LSTM", {"units": 4, "return_sequences": True}, (5, 3), "float"),
    "GRU": ("GRU", {"units": 4}, (5, 3), "float"),
    "GRU-seq": ("GRU", {"units": 4, "return_sequences": True}, (5, 3), "float"),
    "Embedding": ("Embedding", {"input_dim": 7, "output_dim": 3}, (5,), "ids"),
    "LayerNormalization": ("LayerNormalization", {}, (3, 6), "float"),
    "MultiHeadSelfAttention": ("MultiHeadSelfAttention", {"num_heads": 2, "key_dim": 3},
                               (5, 6), "float"),
    "PositionalEmbedding": ("PositionalEmbedding", {"max_length": 6, "output_dim": 4}, (5, 4),
                            "float"),
    "TransformerBlock": ("TransformerBlock", {"num_heads": 2, "key_dim": 3, "ff_dim": 8},
                         (5, 6), "float"),
    "GlobalAveragePooling1D": ("GlobalAveragePooling1D", {}, (5, 6), "float"),
    "MultiHeadCrossAttention": ("MultiHeadCrossAttention",
                                {"num_heads": 2, "key_dim": 3, "memory_length": 4},
                                (3 + 4, 6), "float"),
    "MultiHeadCrossAttention-dv": ("MultiHeadCrossAttention",
                                   {"num_heads": 2, "key_dim": 3, "value_dim": 2,
                                    "output_dim": 5, "memory_length": 2}, (4 + 2, 6), "float"),
    "TransformerDecoderBlock": ("TransformerDecoderBlock",
                                {"num_heads": 2, "key_dim": 3, "ff_dim": 8,
                                 "memory_length": 4}, (3 + 4, 6), "float"),
    "Cropping1D": ("Cropping1D", {"cropping": (1, 2)}, (6, 3), "float"),
    "MinibatchStdDev": ("MinibatchStdDev", {}, (5,), "float"),
}
