"""A terminal playground: one demo group where you type as different members."""

from adapters.playground.playground_adapter import PlaygroundAdapter, parse_line

__all__ = ["PlaygroundAdapter", "parse_line"]
