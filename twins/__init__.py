"""Twins: agents that answer for an absent member from that member's own messages."""
