from __future__ import annotations

from ccproxy.formats import anthropic, chat
from ccproxy.formats.models import model_item, model_list


def test_model_item_and_list() -> None:
    item = model_item("claude-x", "Claude X", "2026-07-24T00:00:00Z", "anthropic")
    assert item["created"] == 1784851200
    assert model_list([item, {**item, "id": "y"}])["last_id"] == "y"
    assert model_list([]) == {
        "object": "list",
        "data": [],
        "has_more": False,
        "first_id": None,
        "last_id": None,
    }


def test_error_envelopes() -> None:
    assert anthropic.error_body("api_error", "m") == {
        "type": "error",
        "error": {"type": "api_error", "message": "m"},
    }
    assert anthropic.error_type_for_status(529) == "overloaded_error"
    assert anthropic.error_type_for_status(418) == "invalid_request_error"
    assert anthropic.error_type_for_status(503) == "api_error"
    assert chat.error_body("invalid_request_error", "m") == {
        "error": {"message": "m", "type": "invalid_request_error", "param": None, "code": None}
    }
    assert chat.error_type_for_status(401) == "authentication_error"
    assert chat.error_type_for_status(502) == "server_error"
    assert chat.error_type_for_status(418) == "invalid_request_error"
