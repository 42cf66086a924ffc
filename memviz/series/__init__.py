"""Forecasting a real series with an LSTM or GRU (document 002\x27s first worked example)."""
