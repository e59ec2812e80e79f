"""``python -m llmport``: the ``llmport`` command."""

from .app.cli import main

if __name__ == "__main__":
    main()
