"""Provider codecs (one per wire format) and the registry of hosts that speak them."""
