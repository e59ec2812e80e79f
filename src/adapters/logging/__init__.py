"""Logger adapters: loguru (silent until a level is set), null, and in-memory for tests."""
