"""The workflow service's use cases, one module per process."""
