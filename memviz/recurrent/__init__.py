"""The LSTM / GRU / RNN lesson (pages lstm, gru, rnn; catalogue recurrent.toml): presets,
insight, across, what-if, verdict, its CLI and `prepare`. The machinery it shows is in
memviz.engine."""
