"""The OpenAI Responses API (``POST {base}/responses``) as a wire format for chat calls."""
