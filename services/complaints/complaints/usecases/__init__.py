"""The complaints service's use cases, one module per process: load the facts, let the domain decide,
persist the decision with its events and audit entry. What more than one process needs is in
:mod:`complaints.usecases.common`; no process module imports another."""
