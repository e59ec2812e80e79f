"""In-process local models (llama.cpp via llama-cpp-python) behind the transport port."""
