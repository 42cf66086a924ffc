"""Attention: seq2seq with and without it, and self-attention on delayed recall."""
