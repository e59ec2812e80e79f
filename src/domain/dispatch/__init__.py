"""The dispatch use case: route a request to a codec, send it over the transport, parse the result."""

from .settings import DispatchSettings
from .use_case import Dispatcher

__all__ = ["DispatchSettings", "Dispatcher"]
