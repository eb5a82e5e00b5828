"""Persistence: SQLAlchemy tables, migrations and the repository the router uses."""
