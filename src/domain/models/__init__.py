"""Pure domain models: messages, requests, responses, stream chunks and errors."""
