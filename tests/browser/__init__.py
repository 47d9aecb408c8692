"""The browser tests. A package so that the platform of its package-scoped fixtures stops after its
last test, before the end-to-end tests start theirs on the same RabbitMQ vhost."""
