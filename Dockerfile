# syntax=docker/dockerfile:1
#
# One image per service of the platform, all from this file:
#
#   docker build --build-arg SERVICE=workflow -t shangyu-supervision/workflow .
#   docker build --build-arg SERVICE=gateway  -t shangyu-supervision/gateway  .
#
# An image holds only libs/common and services/$SERVICE, installed (not editable) with the
# pinned constraints.txt into /opt/venv, and for the gateway the built front end: no sources,
# no tests, no pip, no compilers, no Node.js.
# The gateway runs uvicorn on port 8000; every other service runs `python -m common.runner
# $SERVICE` (waits for RabbitMQ and its database, migrates it, stops cleanly on SIGTERM).
# Adding a nameko service needs no change here.
#
# The front end (web/) is built in a Node stage (`npm ci` from its lock file, then `npm run
# build`, as `make web` does) and served by the gateway from /opt/web
# (SUPERVISION_GATEWAY_WEB_DIST_DIR). Only the gateway's image keeps those files: the build
# stage empties /opt/web for any other service, the same way it chooses the start command, so
# no image holds what its service never serves, and there is still one file with no list of
# services. The Node stage does not depend on SERVICE: it is built once and every service's
# build reuses it from the cache.

ARG PYTHON_IMAGE=python:3.11-slim
# Vite 8 needs Node.js ^20.19 or >=22.12 (web/package-lock.json; the Makefile checks the same).
ARG NODE_IMAGE=node:20.20-bookworm-slim

# ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS web
SHELL ["/bin/sh", "-eu", "-c"]

WORKDIR /web
# The dependencies first, from the lock file only, so that a change of the sources alone
# reuses this layer.
COPY web/package.json web/package-lock.json ./
RUN npm ci --no-audit --no-fund --loglevel=error
# .dockerignore leaves web/node_modules and web/dist out of the context.
COPY web/ ./
RUN npm run build \
    && test -f dist/console/index.html && test -f dist/h5/zzd/index.html && test -f dist/h5/zlb/index.html

# ---------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS build
ARG SERVICE
SHELL ["/bin/sh", "-eu", "-c"]

RUN case "${SERVICE:-}" in \
        "" | *[!a-z0-9_-]*) echo "build with --build-arg SERVICE=<name of a folder under services/>" >&2; exit 1 ;; \
    esac

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore

# A venv without pip: the image's own pip installs into it, and stays behind in this stage.
RUN python -m venv --without-pip /opt/venv

WORKDIR /src
COPY constraints.txt ./
COPY libs/common/ libs/common/
COPY services/${SERVICE}/ services/${SERVICE}/
RUN pip --python /opt/venv/bin/python install --no-cache-dir \
        --constraint constraints.txt ./libs/common "./services/${SERVICE}"

# The start command is chosen here, once, by the kind of service.
RUN if [ "${SERVICE}" = gateway ]; then \
        printf '#!/bin/sh\nexec uvicorn gateway.app:create_app --factory --host 0.0.0.0 --port 8000 "$@"\n'; \
    else \
        printf '#!/bin/sh\nexec python -m common.runner %s "$@"\n' "${SERVICE}"; \
    fi > /opt/venv/bin/supervision-start \
    && chmod 0755 /opt/venv/bin/supervision-start

# The built front end, kept for the gateway only (an empty folder in any other image).
COPY --from=web /web/dist/ /opt/web/
RUN if [ "${SERVICE}" != gateway ]; then find /opt/web -mindepth 1 -delete; fi

# ---------------------------------------------------------------------------------------
FROM ${PYTHON_IMAGE} AS runtime
ARG SERVICE
SHELL ["/bin/sh", "-eu", "-c"]

LABEL org.opencontainers.image.title="shangyu-supervision-${SERVICE}" \
      org.opencontainers.image.description="Shangyu construction-supervision platform: ${SERVICE}"

# No pip or setuptools in the runtime's own Python (the venv has what the service needs),
# and one unprivileged user owning only the writable data folder (uploaded files).
RUN python -m pip uninstall --yes --quiet pip setuptools wheel \
    && groupadd --system --gid 10001 supervision \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin supervision \
    && install -d -o 10001 -g 10001 -m 0750 /var/lib/supervision /var/lib/supervision/files

COPY --from=build /opt/venv /opt/venv
COPY --from=build /opt/web /opt/web

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    SUPERVISION_SERVICE=${SERVICE} \
    SUPERVISION_VAR_DIR=/var/lib/supervision \
    SUPERVISION_GATEWAY_FILE_STORE_DIR=/var/lib/supervision/files \
    SUPERVISION_GATEWAY_WEB_DIST_DIR=/opt/web

WORKDIR /var/lib/supervision
USER 10001:10001

# The gateway answers /healthz on 8000; a nameko service serves /metrics on its own port
# (SUPERVISION_<SERVICE>_METRICS_PORT, else its default), which opens once it has started.
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; from common.settings import metrics_port; s = os.environ['SUPERVISION_SERVICE']; r.urlopen('http://127.0.0.1:8000/healthz' if s == 'gateway' else f'http://127.0.0.1:{metrics_port(s)}/livez', timeout=4)"]

STOPSIGNAL SIGTERM
CMD ["supervision-start"]
