"""Wire formats: Anthropic Messages, OpenAI Chat Completions, OpenAI Responses, and SSE framing.

Pure code only: the standard library and pydantic. No I/O, no logging, no clock, no random ids;
anything that varies per request comes in as an argument.
"""
