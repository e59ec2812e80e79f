"""The composition root: the container, the ``Client`` and the module-level default client."""
