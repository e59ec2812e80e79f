"""The Gemini ``generateContent`` codec (``gemini/<model>``, ``vertex_ai/<gemini-model>``)."""
