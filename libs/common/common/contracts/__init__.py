"""Public contracts between the gateway, the services and outside systems."""
