"""The only part of memviz that imports streamlit: shared widgets, panels and caches."""
