"""OpenAI Chat Completions wire format: request models that keep unknown fields, and the shapes
the proxy writes (errors, chunks)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    429: "rate_limit_error",
}


def error_type_for_status(status: int) -> str:
    if status >= 500:
        return "server_error"
    return _ERROR_TYPES.get(status, "invalid_request_error")


def error_body(
    error_type: str, message: str, *, code: str | None = None, param: str | None = None
) -> dict[str, Any]:
    return {"error": {"message": message, "type": error_type, "param": param, "code": code}}


class Wire(BaseModel):
    model_config = ConfigDict(extra="allow")


class TextPart(Wire):
    type: Literal["text"]
    text: str


class ImageURL(Wire):
    url: str
    detail: str | None = None


class ImagePart(Wire):
    type: Literal["image_url"]
    image_url: ImageURL


class FileData(Wire):
    file_data: str | None = None
    file_id: str | None = None
    filename: str | None = None


class FilePart(Wire):
    type: Literal["file"]
    file: FileData


class AudioPart(Wire):
    type: Literal["input_audio"]
    input_audio: dict[str, Any]


class RefusalPart(Wire):
    type: Literal["refusal"]
    refusal: str


ContentPart = Annotated[
    TextPart | ImagePart | FilePart | AudioPart | RefusalPart, Field(discriminator="type")
]


class FunctionCall(Wire):
    name: str
    arguments: str = ""


class ToolCall(Wire):
    id: str
    type: Literal["function"] = "function"
    function: FunctionCall


class SystemMessage(Wire):
    role: Literal["system", "developer"]
    content: str | list[TextPart]


class UserMessage(Wire):
    role: Literal["user"]
    content: str | list[ContentPart]


class AssistantMessage(Wire):
    role: Literal["assistant"]
    content: str | list[TextPart | RefusalPart] | None = None
    tool_calls: list[ToolCall] | None = None
    refusal: str | None = None
    # Not OpenAI's: signed Claude thinking, as LiteLLM-style clients send it back.
    thinking_blocks: list[dict[str, Any]] | None = None


class ToolMessage(Wire):
    role: Literal["tool"]
    content: str | list[TextPart]
    tool_call_id: str


Message = Annotated[
    SystemMessage | UserMessage | AssistantMessage | ToolMessage, Field(discriminator="role")
]


class FunctionDefinition(Wire):
    name: str
    description: str | None = None
    parameters: dict[str, Any] | None = None
    strict: bool | None = None


class Tool(Wire):
    type: str = "function"
    function: FunctionDefinition | None = None


class StreamOptions(Wire):
    include_usage: bool | None = None


class ChatRequest(Wire):
    model: str
    messages: list[Message] = Field(min_length=1)
    stream: bool | None = None
    stream_options: StreamOptions | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    n: int | None = None
    stop: str | list[str] | None = None
    tools: list[Tool] | None = None
    tool_choice: str | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    response_format: dict[str, Any] | None = None
    reasoning_effort: str | None = None
    user: str | None = None
    safety_identifier: str | None = None


def unsupported_option(req: ChatRequest) -> str | None:
    """The first option the request uses that no translated upstream can honour (log
    probabilities, penalties, legacy functions, audio, predicted output, web search)."""
    extra = req.model_extra or {}
    checks = {
        "logprobs": extra.get("logprobs") is True,
        "top_logprobs": bool(extra.get("top_logprobs")),
        "logit_bias": bool(extra.get("logit_bias")),
        "presence_penalty": bool(extra.get("presence_penalty")),
        "frequency_penalty": bool(extra.get("frequency_penalty")),
        "functions": "functions" in extra,
        "function_call": "function_call" in extra,
        "audio": extra.get("audio") is not None,
        "modalities": any(m != "text" for m in extra.get("modalities") or []),
        "prediction": extra.get("prediction") is not None,
        "web_search_options": extra.get("web_search_options") is not None,
    }
    return next((name for name, used in checks.items() if used), None)


def parse_request_json(raw: bytes) -> ChatRequest:
    """The request from its raw body (parsed and validated in one pass, the fast way); raises
    ValueError with a message naming what is wrong."""
    try:
        return ChatRequest.model_validate_json(raw)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        if first["type"] == "json_invalid":
            raise ValueError(f"request body is not valid JSON: {first['msg']}") from None
        data = json.loads(raw)
        if not isinstance(data, dict):
            raise ValueError("request body must be a JSON object") from None
        raise ValueError(describe(exc, data)) from None


def parse_request(payload: dict[str, Any]) -> ChatRequest:
    """The request as a model; raises ValueError with a message naming the offending field."""
    try:
        return ChatRequest.model_validate(payload)
    except ValidationError as exc:
        raise ValueError(describe(exc, payload)) from None


def describe(exc: ValidationError, data: Any) -> str:
    """The most specific problem, as `messages.2.content.0.image_url: Field required`."""
    worst = max(exc.errors(include_url=False), key=lambda error: len(error["loc"]))
    where = _path(worst["loc"], data)
    return f"{where}: {worst['msg']}" if where else str(worst["msg"])


def _path(loc: tuple[int | str, ...], data: Any) -> str:
    # Pydantic puts union branch tags ("str", "user", "list[...]") into locations; keep only the
    # steps that exist in the client's JSON, plus a last one naming a missing field.
    parts: list[str] = []
    node = data
    for index, step in enumerate(loc):
        if _has_step(node, step):
            node = node[step]
        elif index != len(loc) - 1 or not isinstance(node, dict):
            continue
        parts.append(str(step))
    return ".".join(parts)


def _has_step(node: Any, step: int | str) -> bool:
    if isinstance(node, dict):
        return step in node
    return isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
