"""Headings and text of the documents page's live demos (our words)."""

DEMO_TITLES = {
    "concat": "Live check: the concatenated form is torch's LSTM",
    "cnn_shapes": "Live check: the output size its network needs",
    "rnn_sum": "Live check: the RNN with the bias read as a sum",
    "readout": "Live demo: two output rules on the trained RNN",
    "lstm_doc001": "Live demo: the candidate through tanh twice",
    "gru_doc002": "Live demo: reset gate before or after the matrix product",
    "synapses": "Run it live",
    "lstm_doc004": "Live demo: document 004's LSTM on the trained weights",
    "softmax": "Live demo: softmax applied twice",
    "conv_index": "Live demo: the convolution with the index as written",
    "cell_hidden": "Live demo: the cell state and the hidden state side by side",
    "code003": "Live demo: its program, re-run",
}

DEMO_TEXT = {
    "concat": "Join h_{t-1} and x_t into one vector, build one matrix per gate from the trained "
              "LSTM's two (W = [W_h | W_x], b = b_ih + b_hh), and run the example sequence.",
    "cnn_shapes": "With no output-size formula, the shapes have to be worked out by hand; the "
                  "formula above does it for any input.",
    "rnn_sum": "Document 001's recurrence with b added inside f, run on the trained RNN's "
               "weights, against torch's nn.RNN.",
    "readout": "The trained RNN's readout V h_t + c gives one score per class at every step. "
               "Document 001's rule multiplies the same h_t by the current input instead (over "
               "the first min(H, I) coordinates, since the sizes need not match) and adds v, "
               "here the trained first output bias.",
    "lstm_doc001": "The trained LSTM's weights, the same example, but the cell receives "
                   "tanh(g_t) instead of g_t, exactly as document 001 writes it. Since "
                   "|tanh(g)| < |g|, every write to the cell is weaker; the error then carries "
                   "forward through c_t.",
    "gru_doc002": "The trained GRU's weights, the same example, with n_t computed as "
                  "tanh(W_in x_t + b_in + W_hn (r_t ⊙ h_{t-1}) + b_hn), document 002's "
                  "placement, instead of torch's r_t ⊙ (W_hn h_{t-1} + b_hn). The model was "
                  "trained with torch's; the gap is what swapping conventions would cost.",
    "synapses": "Document 003's rule has its own lesson, with the worked example recomputed "
                "and the rule run beside Hebb's and Oja's on a pattern you can draw.",
    "lstm_doc004": "Made concrete on the trained LSTM: each gate uses only its trained input "
                   "weight, for x_t and for m_{t-1} alike (the recurrent weights go unused); the "
                   "input gate's recurrent term uses the forget gate's weight; and the one "
                   "carried vector m_{t-1} = h_{t-1} also serves as the old cell state. Each "
                   "of those matrices expects I numbers, so when H ≠ I m_{t-1} is cut to its "
                   "first I coordinates or zero-padded up to I. This is what such a cell "
                   "computes on the same input, next to the real one.",
    "softmax": "Its text-generation model ends in a softmax and its loss applies another. Here "
               "the trained LSTM's scores at the last step go through softmax once, as they "
               "should, and twice, as that code does.",
    "conv_index": "The CNN page's network, trained here on the 8 × 8 digits, and its first conv "
                  "layer run on one held-out digit: on the left as torch computes it, on the "
                  "right with the input index that does not depend on the output position.",
    "cell_hidden": "The trained LSTM's two carried vectors for the unit chosen above: the cell "
                   "state c_t, which the gates write to and erase, and the hidden state "
                   "h_t = o_t · tanh(c_t), which the readout sees.",
    "code003": "Its program's logic in our own words: two neurons, random starting weights, "
               "ten passes over every pair (i, j). Both inputs are set by the same test, i == j, "
               "so both activities are the same number and the difference rule adds zero. "
               "Hebb's product, run on the same activities, for contrast.",
}
