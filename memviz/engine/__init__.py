"""The shared recurrent machinery every lesson imports: the hand-written cells, the trace,
the models, the tasks, FastGRU, the recurrent trainer, the equations and figures of a trace,
and the prepared run (`lesson`). The LSTM/GRU/RNN lesson itself is memviz.recurrent."""
