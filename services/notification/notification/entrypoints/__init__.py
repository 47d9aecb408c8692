"""The notification service's entrypoints, one mixin per process, composed by
:class:`notification.service.NotificationService`: each RPC, event handler and timer is one line into a use case
of :mod:`notification.usecases`."""
