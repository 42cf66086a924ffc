"""Your own model: read a user's PyTorch weights (memviz.yours.weights, .model), their input
(.inputs), and step through any nn.LSTM / GRU / RNN gate by gate, checked against torch
(.tracing); `python -m memviz inspect` (.cli). Pure: no streamlit."""
