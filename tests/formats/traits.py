"""Model traits the translation tests use: an older budget-thinking model and a Claude 5 one."""

from ccproxy.formats.convert.context import ModelTraits

CLASSIC = ModelTraits(
    max_output_tokens=64000,
    thinking="budget",
    sampling=True,
    native_json_schema=False,
    prefill=True,
)
MODERN = ModelTraits(
    max_output_tokens=128000,
    thinking="adaptive",
    sampling=False,
    native_json_schema=True,
    prefill=False,
)
