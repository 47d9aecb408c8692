"""The gateway: the platform's only HTTP entry."""
