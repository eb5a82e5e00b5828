"""Platform adapters and the platform-neutral model they translate to."""
