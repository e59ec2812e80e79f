"""The response types where litellm keeps them: ``from litellm.types.utils import ...`` ports as is."""

from . import *  # noqa: F403 - the same names as llmport.types
from . import __all__  # noqa: F401 - re-exported: the same public names
