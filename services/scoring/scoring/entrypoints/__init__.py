"""The scoring service's entrypoints, one mixin per process, composed by
:class:`scoring.service.ScoringService`: each RPC, event handler and timer is one line into a use case
of :mod:`scoring.usecases`."""
