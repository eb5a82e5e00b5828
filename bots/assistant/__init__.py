"""Hearth answers when it is addressed: catch-ups, who knows what, decisions, quotes, help."""
