"""Cache adapters: in-memory LRU (disk and Redis arrive with Core II)."""
