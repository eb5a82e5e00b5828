"""The Hearth application: router, commands, persistence, CLI and start-up."""
