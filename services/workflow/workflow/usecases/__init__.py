"""The workflow service's use cases, one module per process (registry, changes, concealed,
processes, supervision, deadlines), with what they share in :mod:`workflow.usecases.common` and
the deadline engine in :mod:`workflow.usecases.deadline_engine`."""
