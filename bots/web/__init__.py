"""Hearth on the web: sign-in by a link sent in chat, and the member's own page."""
