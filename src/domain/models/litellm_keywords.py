"""Every client-side keyword litellm's ``completion()`` takes, and what llmport does with it.

litellm reads these from its signature and ``**kwargs`` (``all_litellm_params`` in
``litellm.types.utils``, the callback and pricing keywords, and the ``kwargs.get(...)`` calls at
the top of ``completion()``) and never sends them to a provider. llmport does the same: each
keyword here is either honoured (``HONOURED``) or refused with ``UnsupportedParamsError`` saying
why (the text). A keyword in neither this table nor the OpenAI body parameters is a
provider-specific parameter, forwarded in the request body as litellm forwards it.

A refused keyword given as ``None`` or ``False`` is accepted: it asks for nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

HONOURED = ""
"""The table's value for a keyword llmport implements."""

_ROUTER = "it belongs to litellm's Router and proxy, which llmport does not provide"
_PROXY = "it is a litellm proxy setting; llmport has no proxy"
_TEMPLATE = "custom prompt templates are not supported; send the messages you want"
_COST = "per-call prices are not supported; use Client(model_prices=) or register_model"
_INTERNAL = "it is internal to litellm"
_AZURE_AD = "Azure AD credentials are not supported; pass api_key"
_LOGGING = "litellm's logging integrations are not supported; pass Client(logger=...) or callbacks="

LITELLM_KEYWORDS: Mapping[str, str] = {
    # Where and how to send it.
    "timeout": HONOURED,
    "request_timeout": HONOURED,
    "api_key": HONOURED,
    "api_base": HONOURED,
    "base_url": HONOURED,
    "api_version": HONOURED,
    "custom_llm_provider": HONOURED,
    "deployment_id": HONOURED,
    "organization": HONOURED,
    "extra_headers": HONOURED,
    "headers": HONOURED,
    "extra_body": HONOURED,
    # Behaviour on the client side.
    "drop_params": HONOURED,
    "additional_drop_params": HONOURED,
    "mock_response": HONOURED,
    "mock_tool_calls": HONOURED,
    "num_retries": HONOURED,
    "max_retries": HONOURED,
    "caching": HONOURED,
    "cache": HONOURED,
    "fallbacks": HONOURED,
    "context_window_fallbacks": HONOURED,
    "deadline": HONOURED,  # llmport's own: one budget for retries and fallbacks
    # Observability: kept on the request's options for logs and callbacks, never sent.
    "metadata": HONOURED,
    "litellm_call_id": HONOURED,
    "callbacks": HONOURED,
    "success_callback": HONOURED,
    "failure_callback": HONOURED,
    # Not implemented, with the reason given to the caller.
    "model_list": "model_list is taken by completion() and llmport.Router, not inside a fallback entry",
    "logger_fn": "logger_fn is not supported; pass Client(logger=...) instead",
    "stream_timeout": "stream_timeout is not implemented; use timeout",
    "mock_timeout": "mock_timeout is not implemented; use mock_response=llmport.Timeout(...)",
    "input_cost_per_token": _COST,
    "output_cost_per_token": _COST,
    "input_cost_per_second": _COST,
    "output_cost_per_second": _COST,
    "context_window_fallback_dict": "use context_window_fallbacks=[...]",
    "verbose": "use Client(log_level='DEBUG') or llmport.set_verbose = True",
    "no-log": "llmport logs nothing unless a log level is set",
    "turn_off_message_logging": "llmport never logs message content",
    "tags": "put tags in metadata=, which logs and callbacks receive",
    "litellm_metadata": "use metadata=",
    "ttl": "use cache={'ttl': seconds}",
    "cache_key": "llmport derives the cache key from the request; use cache={'no-cache': True} to skip it",
    "preset_cache_key": "llmport derives the cache key from the request",
    "caching_groups": _ROUTER,
    "force_timeout": "use timeout",
    "ensure_alternating_roles": "messages are sent as given",
    "user_continue_message": "messages are sent as given",
    "assistant_continue_message": "messages are sent as given",
    "supports_system_message": "system messages are mapped by each provider's codec",
    "merge_reasoning_content_in_choices": "reasoning is in message.reasoning_content",
    "disable_add_transform_inline_image_block": _INTERNAL,
    "allowed_openai_params": "pass the parameter itself; drop_params decides what is dropped",
    "provider_specific_header": "use extra_headers=",
    "hf_model_name": "Hugging Face prompt templates are not supported",
    "base_model": _COST,
    "model_info": _ROUTER,
    "model_config": _ROUTER,
    "model_file_id_mapping": _ROUTER,
    "rpm": _ROUTER,
    "tpm": _ROUTER,
    "max_parallel_requests": _ROUTER,
    "weight": _ROUTER,
    "order": _ROUTER,
    "cooldown_time": _ROUTER,
    "retry_policy": _ROUTER,
    "retry_strategy": _ROUTER,
    "fallback_depth": _ROUTER,
    "max_fallbacks": _ROUTER,
    "fastest_response": _ROUTER,
    "region_name": _ROUTER,
    "allowed_model_region": _ROUTER,
    "proxy_server_request": _PROXY,
    "use_in_pass_through": _PROXY,
    "use_litellm_proxy": _PROXY,
    "litellm_credential_name": _PROXY,
    "configurable_clientside_auth_params": _PROXY,
    "max_budget": _PROXY,
    "budget_duration": _PROXY,
    "litellm_trace_id": "use litellm_call_id= or metadata=",
    "litellm_session_id": "use metadata=",
    "roles": _TEMPLATE,
    "initial_prompt_value": _TEMPLATE,
    "final_prompt_value": _TEMPLATE,
    "bos_token": _TEMPLATE,
    "eos_token": _TEMPLATE,
    "prompt_id": _TEMPLATE,
    "prompt_variables": _TEMPLATE,
    "prompt_version": _TEMPLATE,
    "prompt_label": _TEMPLATE,
    "azure": "use the azure/ model prefix",
    "azure_ad_token": _AZURE_AD,
    "azure_ad_token_provider": _AZURE_AD,
    "azure_username": _AZURE_AD,
    "azure_password": _AZURE_AD,
    "tenant_id": _AZURE_AD,
    "client_id": _AZURE_AD,
    "client_secret": _AZURE_AD,
    "client": "pass Client(http_client=...) or Client(transport=...)",
    "shared_session": "pass Client(async_http_client=...) or Client(transport=...)",
    "use_client": _INTERNAL,
    "acompletion": "call acompletion() instead",
    "text_completion": "text completion is not supported; use messages",
    "atext_completion": "text completion is not supported; use messages",
    "aimg_generation": _INTERNAL,
    "litellm_logging_obj": _INTERNAL,
    "complete_response": _INTERNAL,
    "id": _INTERNAL,
    "search_tool_name": _ROUTER,
    "langfuse_public_key": _LOGGING,
    "langfuse_secret": _LOGGING,
    "langfuse_secret_key": _LOGGING,
    "langfuse_host": _LOGGING,
    "langsmith_api_key": _LOGGING,
    "langsmith_project": _LOGGING,
    "langsmith_base_url": _LOGGING,
    "langsmith_sampling_rate": _LOGGING,
    "gcs_bucket_name": _LOGGING,
    "gcs_path_service_account": _LOGGING,
    "humanloop_api_key": _LOGGING,
    "arize_api_key": _LOGGING,
    "arize_space_key": _LOGGING,
}

CLIENT_PARAMS: frozenset[str] = frozenset(name for name, why in LITELLM_KEYWORDS.items() if why == HONOURED)
"""Client-side keywords llmport implements; none of them reaches a request body."""

NOT_IMPLEMENTED: Mapping[str, str] = {name: why for name, why in LITELLM_KEYWORDS.items() if why != HONOURED}
"""Client-side keywords llmport refuses, with the reason."""
