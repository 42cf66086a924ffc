"""Sentiment with LSTM vs GRU on sentences from a small grammar (document 002's second example)."""
