"""Groups of the workflow service's RPC entrypoints, one module per process, mixed into the service."""
