"""Text lesson (document 004): a character-level LSTM / GRU / RNN that writes, and its cells."""
