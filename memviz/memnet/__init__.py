"""The memory network lesson: stories, model, training, codec, command line."""
