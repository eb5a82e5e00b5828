"""Scheduled work: digests, introductions and upkeep."""
