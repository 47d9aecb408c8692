"""The attendance service's use cases, one module per process: load what the rules need from the
copy of the registry and attendance's own records, let the domain decide, persist the change with
its events and audit entry. What more than one process needs is in :mod:`attendance.usecases.common`;
no process module imports another."""
