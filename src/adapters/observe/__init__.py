"""Observer adapters: litellm-style callbacks, OpenTelemetry spans."""
