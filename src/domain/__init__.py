"""The pure core: models and the dispatch use case. No I/O library is imported here."""
