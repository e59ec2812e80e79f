"""Ports: the protocols the dispatch use case needs from the outside world."""
