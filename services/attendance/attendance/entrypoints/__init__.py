"""The attendance service's entrypoints, one mixin per process, composed by
:class:`attendance.service.AttendanceService`: each RPC, event handler and timer is one line into
a use case of :mod:`attendance.usecases`."""
