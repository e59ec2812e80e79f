"""The AWS Bedrock Converse codec (``bedrock/<modelId>`` and ``bedrock/converse/<modelId>``)."""
