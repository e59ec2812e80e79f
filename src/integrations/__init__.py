"""litellm's ``litellm.integrations`` path, for handlers ported from litellm."""
