"""Permission requests from SDK mode: rules, the approval queue with its audit trail, the MCP
tool and REST endpoints that the `claude` CLI and people use, and the terminal handler.

Nothing here runs a tool: a request is decided (by a rule, a person or the clock) and the
decision goes back to Claude Code, which runs the tool or tells the model it was denied.
"""
