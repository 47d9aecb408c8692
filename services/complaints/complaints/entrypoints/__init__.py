"""The complaints service's entrypoints, one mixin per process, composed by
:class:`complaints.service.ComplaintsService`: each RPC, event handler and timer is one line into a use case
of :mod:`complaints.usecases`."""
