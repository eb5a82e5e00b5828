"""Importing a chat's history: export files and Discord channel backfill."""
