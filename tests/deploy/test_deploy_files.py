"""Checks of the deployment files, run without a Docker engine or a cluster.

- docker-compose.yml: validated against the official Compose Specification JSON Schema (the
  copy vendored in the ``check-jsonschema`` package; ``docker-compose`` 1.29.2 cannot be
  installed beside this project's pins: it needs PyYAML<6 and python-dotenv<1), then checked
  for what a schema cannot see: builds, dependencies, health checks, the environment each
  service's settings need (loaded through the real settings classes), one database per service
  in deploy/postgres/init-databases.sh (linted with ShellCheck, and run against this machine's
  PostgreSQL in the ``integration`` test).
- deploy/k8s/base/: every manifest validated (strict) against the Kubernetes OpenAPI schemas with
  ``kubernetes-validate``, then checked: probes, resources, non-root, a Service and a
  PodDisruptionBudget per Deployment, the settings each container gets, the kustomization.
- deploy/k8s/overlays/dev and prod: rendered with ``kubectl kustomize`` and every resource of the
  render validated (strict); every nameko service in both; dev with one replica and the manual
  clock; prod with autoscalers and network policies (who may reach whom, from network-settings.yaml).
- Dockerfile and .dockerignore: linted with hadolint, ARG SERVICE, what is copied, the start
  command and health check (both run here), the front end's Node stage and its build kept in the
  gateway's image only (run here), and the build context the .dockerignore leaves.

Each validator is also shown a broken file, to prove it can fail.
"""

from __future__ import annotations

import functools
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import uuid
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
INIT_DATABASES = ROOT / "deploy" / "postgres" / "init-databases.sh"
K8S_DIR = ROOT / "deploy" / "k8s" / "base"
OVERLAYS_DIR = ROOT / "deploy" / "k8s" / "overlays"
OVERLAYS = ("dev", "prod")
KUSTOMIZATION = K8S_DIR / "kustomization.yaml"
SECRETS_TEMPLATE = K8S_DIR / "secrets.template.yaml"

NAMESPACE = "shangyu-supervision"
IMAGE_REPOSITORY = "shangyu-supervision"  # images are shangyu-supervision/<service>
GATEWAY = "gateway"
GATEWAY_PORT = 8000
GATEWAY_FILES_DIR = "/var/lib/supervision/files"
GATEWAY_WEB_DIR = "/opt/web"  # the built front end in the gateway's image (SUPERVISION_GATEWAY_WEB_DIST_DIR)
WEB_DIR = ROOT / "web"
# The front end's build stage: an official Node.js image on Debian slim, pinned to a minor release.
NODE_IMAGE = re.compile(r"node:(\d+)\.(\d+)-bookworm-slim")
WEB_COPY_SOURCES = {"web/package.json", "web/package-lock.json", "web/"}
# The oldest Kubernetes a managed cluster of ours may run, and the newest the validator knows.
K8S_VERSIONS = ("1.34.0", "1.37.0")

PLATFORM_REQUIRED = {"ENVIRONMENT", "AMQP_URI", "FIELD_ENCRYPTION_KEY", "MANUAL_CLOCK", "LOG_FORMAT"}
NAMEKO_REQUIRED = {"DATABASE_URL", "METRICS_PORT"}
GATEWAY_REQUIRED = {
    "JWT_SECRET", "DEV_LOGIN", "SERVICES", "FILE_STORE_DIR",
    "ZZD_BASE_URL", "ZZD_APP_KEY", "ZZD_APP_SECRET",
    "ZLB_BASE_URL", "ZLB_SERVICE_CODE", "ZLB_SERVICE_PASSWORD",
}
SECRET_NAME = re.compile(r"(PASSWORD|SECRET|_KEY$|_URI$|DATABASE_URL$)")


# --------------------------------------------------------------------------- helpers


def tool(name: str) -> str:
    """A validator's executable: the venv's own (requirements-dev.txt), else one on PATH."""
    found = shutil.which(name, path=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    if found is None:
        pytest.fail(f"{name} is missing: pip install -c constraints.txt -r requirements-dev.txt")
    return found


def run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, capture_output=True, text=True, timeout=60, check=False, **kwargs)


@functools.cache
def _runner_services() -> tuple[str, ...]:
    # In a child process: importing common.runner monkey-patches the whole process for eventlet.
    code = "import json, common.runner as r; print(json.dumps(sorted(r.SERVICES)))"
    result = run([sys.executable, "-c", code])
    assert result.returncode == 0, result.stderr
    names = tuple(json.loads(result.stdout.strip().splitlines()[-1]))
    for name in names:
        assert (ROOT / "services" / name / "pyproject.toml").exists(), f"the runner knows {name}; services/{name}?"
    return names


def nameko_services() -> list[str]:
    """The nameko services `python -m common.runner` can start (common.runner.SERVICES).

    Each one must be deployed: once a new service is registered with the runner, add it to
    docker-compose.yml and deploy/k8s/base/ (copy workflow's lines) or these tests fail.
    A service still being written, not yet registered, needs nothing here.
    """
    return list(_runner_services())


def metrics_port_of(service: str) -> int:
    from common.settings import DEFAULT_METRICS_PORTS

    assert service in DEFAULT_METRICS_PORTS, f"{service} has no default metrics port in common/settings.py"
    return DEFAULT_METRICS_PORTS[service]


def known_variables() -> set[str]:
    """Every SUPERVISION_* variable some settings class reads."""
    from common.settings import PlatformSettings, ServiceSettings
    from gateway.settings import GatewaySettings

    names = {f"SUPERVISION_{field}".upper() for field in PlatformSettings.model_fields}
    names |= {f"SUPERVISION_GATEWAY_{field}".upper() for field in GatewaySettings.model_fields}
    for service in nameko_services():
        names |= {f"SUPERVISION_{service}_{field}".upper() for field in ServiceSettings.model_fields}
    return names


def required_variables(service: str) -> set[str]:
    names = {f"SUPERVISION_{name}" for name in PLATFORM_REQUIRED}
    if service == GATEWAY:
        return names | {f"SUPERVISION_GATEWAY_{name}" for name in GATEWAY_REQUIRED}
    return names | {f"SUPERVISION_{service.upper()}_{name}" for name in NAMEKO_REQUIRED}


def load_settings(monkeypatch: pytest.MonkeyPatch, service: str, env: dict[str, str]) -> dict:
    """The settings a service would read from exactly ``env``, through its real settings classes."""
    from common import settings as common_settings

    for key in list(os.environ):
        if key.startswith("SUPERVISION_"):
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    common_settings.platform_settings.cache_clear()
    try:
        loaded = {"platform": common_settings.PlatformSettings()}
        if service == GATEWAY:
            from gateway.settings import GatewaySettings

            loaded["gateway"] = GatewaySettings()
        else:
            loaded["service"] = common_settings.service_settings(service)
        return loaded
    finally:
        common_settings.platform_settings.cache_clear()


def check_database_url(url: str, service: str, host: str | None = None, password: str | None = None) -> None:
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    assert parsed.drivername == "postgresql+psycopg2", url
    assert parsed.database == service, f"{service} must have its own database, not {parsed.database}"
    assert parsed.username == service, f"{service} must connect as its own role, not {parsed.username}"
    if host is not None:
        assert parsed.host == host, url
    if password is not None:
        assert parsed.password == password, f"{service}'s database password differs from its role's"


# --------------------------------------------------------------------------- docker compose

_INTERPOLATION = re.compile(r"\$(?:(\$)|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def interpolate(value, env: dict[str, str], undefaulted: set[str]):
    """Compose's variable interpolation (``$$``, ``$VAR``, ``${VAR}``, ``${VAR:-default}``...)."""
    if isinstance(value, dict):
        return {key: interpolate(item, env, undefaulted) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env, undefaulted) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match) -> str:
        if match.group(1):
            return "$"
        name = match.group(2) or match.group(5)
        operator, default = match.group(3), match.group(4)
        if operator in (":-", "-"):
            if name in env and (env[name] or operator == "-"):
                return env[name]
            return interpolate(default, env, undefaulted)
        undefaulted.add(name)
        return env.get(name, "")

    return _INTERPOLATION.sub(substitute, value)


@pytest.fixture(scope="module")
def compose() -> dict:
    """docker-compose.yml as `docker compose config` sees it with no variable set."""
    return interpolate(yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8")), {}, set())


def environment_of(service: dict) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def built_services(compose: dict) -> dict[str, dict]:
    return {name: service for name, service in compose["services"].items() if "build" in service}


def check_compose_schema(path: Path) -> subprocess.CompletedProcess:
    return run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(path)])


def test_compose_file_matches_the_compose_specification():
    result = check_compose_schema(COMPOSE_FILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_schema_check_rejects_a_broken_file(tmp_path):
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    broken = text.replace("condition: service_healthy", "condition: service_healty", 1)
    assert broken != text
    (tmp_path / "docker-compose.yml").write_text(broken, encoding="utf-8")
    result = check_compose_schema(tmp_path / "docker-compose.yml")
    assert result.returncode != 0
    assert "depends_on" in result.stdout


def test_compose_runs_with_no_variable_set():
    undefaulted: set[str] = set()
    interpolate(yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8")), {}, undefaulted)
    assert not undefaulted, f"give these variables a development default, ${{VAR:-...}}: {sorted(undefaulted)}"


def test_compose_services_are_built_and_ordered_by_health(compose):
    services = compose["services"]
    assert services["rabbitmq"]["image"] == "rabbitmq:3.13-management"
    assert services["postgres"]["image"].split(":")[1].startswith("16"), services["postgres"]["image"]
    dockerfile_has_healthcheck = any(keyword == "HEALTHCHECK" for keyword, _ in dockerfile_instructions())
    for name, service in services.items():
        assert "image" in service or "build" in service, f"{name} has neither image nor build"
        image = service.get("image", "")
        assert image and not image.endswith(":latest") and ":" in image, f"{name}: pin its image tag ({image!r})"
        healthcheck = service.get("healthcheck", {})
        own = bool(healthcheck.get("test")) or ("build" in service and dockerfile_has_healthcheck)
        assert own and not healthcheck.get("disable"), f"{name} has no health check"
        depends_on = service.get("depends_on", {})
        assert isinstance(depends_on, dict), f"{name}: depends_on must name a condition for each service"
        for target, condition in depends_on.items():
            assert target in services, f"{name} depends on {target}, which is not a service"
            assert condition.get("condition") == "service_healthy", f"{name} must wait for {target} to be healthy"
    for name in ("rabbitmq", "postgres"):
        assert services[name]["healthcheck"]["test"], f"{name} needs its own health check"


def test_compose_builds_every_service_from_the_one_dockerfile(compose):
    built = built_services(compose)
    for name, service in built.items():
        build = service["build"]
        assert build.get("context", ".") in (".", "./"), f"{name} must build from the repository root"
        assert build.get("dockerfile", "Dockerfile") == "Dockerfile"
        assert build.get("args", {}).get("SERVICE") == name, f"{name} must build with args: SERVICE: {name}"
        assert (ROOT / "services" / name / "pyproject.toml").exists(), f"services/{name} does not exist"
        assert service["image"].startswith(f"{IMAGE_REPOSITORY}/{name}:"), service["image"]
        assert service.get("read_only") is True, f"{name} should run on a read-only root filesystem"
    assert sorted(set(built) - {GATEWAY}) == nameko_services(), (
        "docker-compose.yml must run every nameko service of services/ (copy the workflow service)"
    )
    assert GATEWAY in built


def test_compose_environment_is_complete_and_loads(compose, monkeypatch):
    known = known_variables()
    services = compose["services"]
    postgres_env = environment_of(services["postgres"])
    rabbit_env = environment_of(services["rabbitmq"])
    for name in built_services(compose):
        env = environment_of(services[name])
        supervision = {key for key in env if key.startswith("SUPERVISION_")}
        assert not supervision - known, f"{name}: no setting reads {sorted(supervision - known)}"
        missing = required_variables(name) - supervision
        assert not missing, f"{name} lacks {sorted(missing)}"

        loaded = load_settings(monkeypatch, name, env)
        platform = loaded["platform"]
        assert platform.environment == "development"
        assert not platform.manual_clock
        assert platform.log_format == "json"
        assert platform.amqp_uri == (
            f"pyamqp://{rabbit_env['RABBITMQ_DEFAULT_USER']}:{rabbit_env['RABBITMQ_DEFAULT_PASS']}@rabbitmq:5672/"
        )
        from cryptography.fernet import Fernet

        Fernet(platform.field_encryption_key)  # a valid key, or this raises
        if name == GATEWAY:
            gateway = loaded["gateway"]
            assert sorted(gateway.services) == nameko_services()
            assert str(gateway.file_store_dir) == GATEWAY_FILES_DIR
            assert set(services[name]["depends_on"]) >= {"rabbitmq", *nameko_services()}
        else:
            service = loaded["service"]
            assert service.metrics_port == metrics_port_of(name)
            password = postgres_env.get(f"{name.upper()}_DB_PASSWORD")
            check_database_url(service.database_url, name, host="postgres", password=password)
            assert set(services[name]["depends_on"]) >= {"rabbitmq", "postgres"}


def test_compose_publishes_the_gateway_and_keeps_data_in_named_volumes(compose):
    services = compose["services"]
    ports = [str(port) for port in services[GATEWAY].get("ports", [])]
    assert any(port.endswith(f":{GATEWAY_PORT}") for port in ports), ports
    named = set(compose.get("volumes", {}))

    def named_mounts(service: str) -> dict[str, str]:
        mounts = {}
        for volume in services[service].get("volumes", []):
            source, target = volume.split(":")[:2] if isinstance(volume, str) else (volume["source"], volume["target"])
            mounts[target] = source
        return mounts

    expected = {
        GATEWAY: GATEWAY_FILES_DIR,
        "postgres": "/var/lib/postgresql/data",
        "rabbitmq": "/var/lib/rabbitmq",
    }
    for service, target in expected.items():
        source = named_mounts(service).get(target)
        assert source in named, f"{service} must keep {target} in a named volume, not {source!r}"


def test_postgres_init_script_makes_one_database_per_service(compose):
    postgres = compose["services"]["postgres"]
    env = environment_of(postgres)
    mounts = [volume for volume in postgres["volumes"] if isinstance(volume, str)]
    assert any(
        volume.split(":")[0].lstrip("./") == "deploy/postgres/init-databases.sh"
        and volume.split(":")[1].startswith("/docker-entrypoint-initdb.d/")
        for volume in mounts
    ), "the init script must be mounted into /docker-entrypoint-initdb.d/"
    assert os.access(INIT_DATABASES, os.X_OK), "init-databases.sh must be executable (chmod +x)"

    databases = env.get("SUPERVISION_DATABASES", "").replace(",", " ").split()
    assert len(databases) == len(set(databases))
    with_database = sorted(
        name for name, service in built_services(compose).items()
        if f"SUPERVISION_{name.upper()}_DATABASE_URL" in environment_of(service)
    )
    assert sorted(databases) == with_database == nameko_services()
    for name in databases:
        assert env.get(f"{name.upper()}_DB_PASSWORD"), f"postgres needs {name.upper()}_DB_PASSWORD"

    script = INIT_DATABASES.read_text(encoding="utf-8")
    assert "SUPERVISION_DATABASES" in script and "CREATE DATABASE" in script and "CREATE ROLE" in script
    syntax = run(["bash", "-n", str(INIT_DATABASES)])
    assert syntax.returncode == 0, syntax.stderr
    lint = run([tool("shellcheck"), "--severity=style", str(INIT_DATABASES)])
    assert lint.returncode == 0, lint.stdout + lint.stderr


@pytest.mark.integration
def test_postgres_init_script_runs_against_a_real_server():
    """Runs the script as the postgres image would, against this machine's PostgreSQL."""
    if shutil.which("psql") is None:
        pytest.skip("psql is not installed")
    base = {**os.environ, "PGHOST": os.environ.get("PGHOST", "127.0.0.1"), "PGCONNECT_TIMEOUT": "3"}
    base.update(POSTGRES_USER=os.environ.get("PGUSER", "postgres"), POSTGRES_DB="postgres")
    psql = ["psql", "--no-psqlrc", "-U", base["POSTGRES_USER"], "-d", "postgres"]
    probe = run([*psql, "-Atc", "SELECT 1"], env=base)
    if probe.returncode != 0:
        pytest.skip(f"no PostgreSQL to run against: {probe.stderr.strip()}")

    suffix = uuid.uuid4().hex[:8]
    names = [f"zz_deploy_{suffix}_a", f"zz_deploy_{suffix}_b"]
    env = {**base, "SUPERVISION_DATABASES": ", ".join(names)}
    env.update({f"{name.upper()}_DB_PASSWORD": f"pass'{name}" for name in names})

    def sql(statement: str) -> str:
        result = run([*psql, "-Atc", statement], env=base)
        assert result.returncode == 0, result.stderr
        return result.stdout.strip()

    try:
        missing_password = {**env}
        del missing_password[f"{names[1].upper()}_DB_PASSWORD"]
        refused = run(["bash", str(INIT_DATABASES)], env=missing_password)
        assert refused.returncode != 0
        assert sql(f"SELECT count(*) FROM pg_database WHERE datname LIKE 'zz_deploy_{suffix}%'") == "0"

        for _ in range(2):  # idempotent: a second run changes nothing and does not fail
            made = run(["bash", str(INIT_DATABASES)], env=env)
            assert made.returncode == 0, made.stdout + made.stderr
        for name in names:
            owner, acl = sql(
                f"SELECT pg_get_userbyid(datdba), datacl::text FROM pg_database WHERE datname = '{name}'"
            ).split("|")
            assert owner == name
            assert not any(entry.startswith("=") for entry in acl.strip("{}").split(",")), (
                f"PUBLIC may still connect to {name}: {acl}"
            )
            assert sql(f"SELECT rolcanlogin AND NOT rolsuper FROM pg_roles WHERE rolname = '{name}'") == "t"
    finally:
        for name in names:
            run([*psql, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], env=base)
            run([*psql, "-qc", f'DROP ROLE IF EXISTS "{name}"'], env=base)


# --------------------------------------------------------------------------- kubernetes


def k8s_documents(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def k8s_manifest_files() -> list[Path]:
    return sorted(p for p in K8S_DIR.glob("*.yaml") if p != KUSTOMIZATION)


@pytest.fixture(scope="module")
def k8s() -> dict[tuple[str, str], dict]:
    """Every resource of deploy/k8s/base (the Secrets template included), by (kind, name)."""
    return k8s_resources()


def k8s_resources() -> dict[tuple[str, str], dict]:
    resources: dict[tuple[str, str], dict] = {}
    for path in k8s_manifest_files():
        for doc in k8s_documents(path):
            key = (doc["kind"], doc["metadata"]["name"])
            assert key not in resources, f"{key} is defined twice"
            resources[key] = doc
    return resources


def of_kind(k8s: dict, kind: str) -> dict[str, dict]:
    return {name: doc for (doc_kind, name), doc in k8s.items() if doc_kind == kind}


def k8s_errors(path: Path) -> list[str]:
    import kubernetes_validate

    errors = []
    for doc in k8s_documents(path):
        for version in K8S_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                where = ".".join(str(part) for part in error.path)
                resource = f"{doc['kind']}/{doc['metadata']['name']}"
                errors.append(f"{path.name} {resource} (Kubernetes {version}) {where}: {error.message}")
            except kubernetes_validate.SchemaNotFoundError as error:
                errors.append(f"{path.name}: {error.message}")
    return errors


def test_k8s_manifests_validate_against_the_kubernetes_schemas():
    files = k8s_manifest_files()
    assert len(files) >= 5, files
    errors = [error for path in files for error in k8s_errors(path)]
    assert not errors, "\n".join(errors)


def test_k8s_validation_rejects_a_broken_manifest(tmp_path):
    text = (K8S_DIR / "workflow.yaml").read_text(encoding="utf-8")
    broken = tmp_path / "workflow.yaml"
    broken.write_text(text.replace("readinessProbe:", "readinesProbe:", 1), encoding="utf-8")
    errors = k8s_errors(broken)
    assert errors and all("readinesProbe" in error for error in errors), errors


def test_k8s_resources_live_in_the_namespace(k8s):
    assert ("Namespace", NAMESPACE) in k8s
    labels = k8s[("Namespace", NAMESPACE)]["metadata"].get("labels", {})
    assert labels.get("pod-security.kubernetes.io/enforce") == "restricted"
    for (kind, name), doc in k8s.items():
        if kind != "Namespace":
            assert doc["metadata"].get("namespace") == NAMESPACE, f"{kind}/{name} is not in {NAMESPACE}"


def test_kustomization_lists_every_manifest_but_the_secrets_template(k8s):
    kustomization = yaml.safe_load(KUSTOMIZATION.read_text(encoding="utf-8"))
    assert kustomization["kind"] == "Kustomization"
    assert kustomization.get("namespace") == NAMESPACE
    resources = kustomization["resources"]
    assert len(resources) == len(set(resources)), "a resource is listed twice"
    expected = {p.name for p in k8s_manifest_files() if not p.name.endswith(".template.yaml")}
    assert set(resources) == expected, f"kustomization.yaml resources differ: {sorted(set(resources) ^ expected)}"
    assert SECRETS_TEMPLATE.name not in resources, "applying the template would overwrite the real Secrets"

    images = {image["name"]: image for image in kustomization.get("images", [])}
    for name, deployment in of_kind(k8s, "Deployment").items():
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            repository = container["image"].rsplit(":", 1)[0]
            assert repository in images, f"{name}: kustomization.yaml sets no registry and tag for {repository}"
            assert images[repository].get("newTag"), f"{repository}: set newTag in kustomization.yaml"


def test_kustomization_builds_with_kubectl(k8s):
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed (the other checks still read the kustomization)")
    result = run([kubectl, "kustomize", str(K8S_DIR)])
    assert result.returncode == 0, result.stderr
    built = {(doc["kind"], doc["metadata"]["name"]) for doc in yaml.safe_load_all(result.stdout) if doc}
    assert built == {key for key in k8s if key[0] != "Secret"}


_QUANTITY = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(m|k|M|G|T|Ki|Mi|Gi|Ti)?$")
_FACTORS = {
    None: 1, "m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40,
}


def quantity(value) -> float:
    match = _QUANTITY.match(str(value))
    assert match, f"{value!r} is not a Kubernetes quantity"
    return float(match.group(1)) * _FACTORS[match.group(2)]


def container_ports(container: dict) -> dict:
    ports = {}
    for port in container.get("ports", []):
        ports[port["containerPort"]] = port["containerPort"]
        if "name" in port:
            ports[port["name"]] = port["containerPort"]
    return ports


def test_a_nameko_service_is_restarted_when_it_stops_consuming(k8s):
    """Its metrics port answers while the consumers are gone; only /livez tells (common.health)."""
    deployments = of_kind(k8s, "Deployment")
    services = [name for name in deployments if name != "gateway"]
    assert services
    for name in services:
        for container in deployments[name]["spec"]["template"]["spec"]["containers"]:
            assert container["livenessProbe"]["httpGet"]["path"] == "/livez", f"{name}: liveness must mean consuming"


def test_each_deployment_is_ready_for_production(k8s):
    deployments = of_kind(k8s, "Deployment")
    assert deployments
    for name, deployment in deployments.items():
        spec = deployment["spec"]
        pod = spec["template"]["spec"]
        assert spec["replicas"] >= 2, f"{name} needs 2 replicas"
        assert spec["selector"]["matchLabels"].items() <= spec["template"]["metadata"]["labels"].items()
        assert pod.get("automountServiceAccountToken") is False, f"{name} needs no Kubernetes API token"
        pod_security = pod.get("securityContext", {})
        assert pod_security.get("runAsNonRoot") is True, f"{name}: runAsNonRoot"
        assert pod_security.get("runAsUser", 0) != 0, f"{name}: runAsUser must not be root"
        assert pod_security.get("seccompProfile", {}).get("type") == "RuntimeDefault", f"{name}: seccomp"
        volumes = {volume["name"] for volume in pod.get("volumes", [])}
        for container in pod["containers"]:
            where = f"{name}/{container['name']}"
            assert not container["image"].endswith(":latest") and ":" in container["image"], where
            ports = container_ports(container)
            for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                assert probe in container, f"{where} has no {probe}"
                action = container[probe].get("httpGet") or container[probe].get("tcpSocket")
                assert action, f"{where}: {probe} must check HTTP or TCP"
                assert action["port"] in ports, f"{where}: {probe} checks port {action['port']}, not a container port"
            resources = container.get("resources", {})
            for what in ("cpu", "memory"):
                request = resources.get("requests", {}).get(what)
                limit = resources.get("limits", {}).get(what)
                assert request and limit, f"{where} needs a {what} request and limit"
                assert quantity(request) <= quantity(limit), f"{where}: {what} request above its limit"
            assert quantity(resources["limits"]["memory"]) <= 2**31, f"{where}: a small service, 2Gi at most"
            security = container.get("securityContext", {})
            assert security.get("allowPrivilegeEscalation") is False, f"{where}: allowPrivilegeEscalation"
            assert security.get("readOnlyRootFilesystem") is True, f"{where}: readOnlyRootFilesystem"
            assert security.get("capabilities", {}).get("drop") == ["ALL"], f"{where}: drop ALL capabilities"
            assert security.get("runAsNonRoot", True) is not False, where
            mounts = {mount["name"] for mount in container.get("volumeMounts", [])}
            assert mounts <= volumes, f"{where} mounts undeclared volumes {sorted(mounts - volumes)}"
            assert "/tmp" in {mount["mountPath"] for mount in container.get("volumeMounts", [])}, (
                f"{where}: a read-only root filesystem needs a writable /tmp"
            )


def test_each_deployment_has_a_service_and_a_disruption_budget(k8s):
    services, budgets = of_kind(k8s, "Service"), of_kind(k8s, "PodDisruptionBudget")
    for name, deployment in of_kind(k8s, "Deployment").items():
        selector = deployment["spec"]["selector"]["matchLabels"]
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        ports = container_ports(container)

        matching = [s for s in services.values() if s["spec"].get("selector") == selector]
        assert len(matching) == 1, f"{name} needs exactly one Service selecting {selector}"
        service = matching[0]
        service_ports = {port["port"]: port for port in service["spec"]["ports"]}
        for port in service_ports.values():
            assert port.get("targetPort", port["port"]) in ports, f"{name}: Service targets a port the pod lacks"
        annotations = service["metadata"].get("annotations", {})
        assert annotations.get("prometheus.io/scrape") == "true", f"{name}: annotate its Service for Prometheus"
        scraped = int(annotations["prometheus.io/port"])
        assert scraped in service_ports and scraped in ports.values(), f"{name}: scraped port {scraped} is not served"
        assert annotations.get("prometheus.io/path", "/metrics") == "/metrics"

        matching = [b for b in budgets.values() if b["spec"]["selector"].get("matchLabels") == selector]
        assert len(matching) == 1, f"{name} needs exactly one PodDisruptionBudget selecting {selector}"
        budget = matching[0]["spec"]
        if "minAvailable" in budget:
            replicas = deployment["spec"]["replicas"]
            assert 1 <= int(budget["minAvailable"]) < replicas, f"{name}: a drain must be possible"
        else:
            assert int(budget["maxUnavailable"]) >= 1

        if name == GATEWAY:
            assert scraped == GATEWAY_PORT
        else:
            port = metrics_port_of(name)
            assert scraped == port, f"{name} serves its metrics on {port}"
            env = {item["name"]: item.get("value") for item in container.get("env", [])}
            assert env.get(f"SUPERVISION_{name.upper()}_METRICS_PORT") == str(port)


def test_k8s_runs_every_service_behind_one_ingress(k8s):
    deployments = of_kind(k8s, "Deployment")
    assert sorted(set(deployments) - {GATEWAY}) == nameko_services(), (
        "deploy/k8s/base must run every nameko service of services/ (copy workflow.yaml)"
    )
    assert GATEWAY in deployments
    for name, deployment in deployments.items():
        image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
        assert image.startswith(f"{IMAGE_REPOSITORY}/{name}:"), image

    ingresses = of_kind(k8s, "Ingress")
    assert len(ingresses) == 1
    ingress = next(iter(ingresses.values()))["spec"]
    assert ingress.get("tls"), "the Ingress must serve HTTPS"
    gateway_service = of_kind(k8s, "Service")[GATEWAY]["spec"]
    port_names = {port.get("name") for port in gateway_service["ports"]} | {p["port"] for p in gateway_service["ports"]}
    for rule in ingress["rules"]:
        for path in rule["http"]["paths"]:
            backend = path["backend"]["service"]
            assert backend["name"] == GATEWAY, "only the gateway is public"
            assert backend["port"].get("name", backend["port"].get("number")) in port_names

    pod = deployments[GATEWAY]["spec"]["template"]["spec"]
    claims = {
        volume["name"]: volume["persistentVolumeClaim"]["claimName"]
        for volume in pod["volumes"] if "persistentVolumeClaim" in volume
    }
    mounts = {m["mountPath"]: m["name"] for m in pod["containers"][0]["volumeMounts"]}
    assert mounts.get(GATEWAY_FILES_DIR) in claims, f"the gateway must keep {GATEWAY_FILES_DIR} on a claim"
    claim = of_kind(k8s, "PersistentVolumeClaim")[claims[mounts[GATEWAY_FILES_DIR]]]
    assert "ReadWriteMany" in claim["spec"]["accessModes"], "every gateway replica writes uploaded files"


def test_secrets_template_holds_placeholders_only():
    secrets = k8s_documents(SECRETS_TEMPLATE)
    assert secrets and all(doc["kind"] == "Secret" for doc in secrets)
    text = SECRETS_TEMPLATE.read_text(encoding="utf-8")
    assert "secret store" in text, "say where the real values come from"
    for doc in secrets:
        assert "data" not in doc, "write placeholders in stringData, never base64 values"
        for key, value in doc["stringData"].items():
            assert "REPLACE_ME" in value, f"{doc['metadata']['name']}.{key} is not a placeholder"


def test_k8s_settings_are_complete_and_load_in_production(k8s, monkeypatch):
    from cryptography.fernet import Fernet

    known = known_variables()
    config_maps, secrets = of_kind(k8s, "ConfigMap"), of_kind(k8s, "Secret")
    for config_map in config_maps.values():
        leaked = [key for key in config_map["data"] if SECRET_NAME.search(key)]
        assert not leaked, f"secrets belong in a Secret, not the ConfigMap: {leaked}"

    for name, deployment in of_kind(k8s, "Deployment").items():
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        sources: list[dict[str, str]] = []
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                ref = source["configMapRef"]["name"]
                assert ref in config_maps, f"{name} reads ConfigMap {ref}, which is not defined"
                sources.append({key: str(value) for key, value in config_maps[ref]["data"].items()})
            else:
                ref = source["secretRef"]["name"]
                assert ref in secrets, f"{name} reads Secret {ref}, which secrets.template.yaml lacks"
                sources.append(dict(secrets[ref]["stringData"]))
        for item in container.get("env", []):
            assert "value" in item, f"{name}: {item['name']} should come from the ConfigMap or a Secret"
            sources.append({item["name"]: str(item["value"])})
        env: dict[str, str] = {}
        for source in sources:
            twice = set(env) & set(source)
            assert not twice, f"{name}: {sorted(twice)} set twice"
            env.update(source)

        supervision = {key for key in env if key.startswith("SUPERVISION_")}
        assert not supervision - known, f"{name}: no setting reads {sorted(supervision - known)}"
        missing = required_variables(name) - supervision
        assert not missing, f"{name} lacks {sorted(missing)}"
        foreign = {key for key in supervision if SECRET_NAME.search(key)} - required_variables(name)
        assert not foreign, f"{name} gets secrets it does not need: {sorted(foreign)}"

        # With real values where the settings check their form, production must load.
        env["SUPERVISION_FIELD_ENCRYPTION_KEY"] = Fernet.generate_key().decode()
        if name == GATEWAY:
            env["SUPERVISION_GATEWAY_JWT_SECRET"] = "x" * 48
        loaded = load_settings(monkeypatch, name, env)
        platform = loaded["platform"]
        assert platform.environment == "production"
        assert not platform.manual_clock
        assert platform.log_format == "json"
        assert platform.amqp_uri.startswith(("pyamqp://", "amqp://", "amqps://"))
        if name == GATEWAY:
            gateway = loaded["gateway"]
            assert not gateway.dev_login
            assert sorted(gateway.services) == nameko_services()
            assert str(gateway.file_store_dir) == GATEWAY_FILES_DIR
        else:
            service = loaded["service"]
            check_database_url(service.database_url, name)
            assert service.metrics_port == metrics_port_of(name)


# --------------------------------------------------------------------------- kustomize overlays


def kubectl() -> str:
    found = shutil.which("kubectl")
    if found is None:
        message = ("kubectl is not installed, so the overlays were NOT rendered or validated: install it "
                   "(`apt-get install kubectl`, or `kubernetes-client` on older Debian lists; .ci/run does)")
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return found


@functools.cache
def _render(overlay: str) -> tuple[dict, ...]:
    result = run([kubectl(), "kustomize", str(OVERLAYS_DIR / overlay)])
    assert result.returncode == 0, f"kubectl kustomize deploy/k8s/overlays/{overlay}: {result.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def rendered(overlay: str) -> dict[tuple[str, str], dict]:
    resources: dict[tuple[str, str], dict] = {}
    for doc in _render(overlay):
        key = (doc["kind"], doc["metadata"]["name"])
        assert key not in resources, f"{overlay}: {key} twice"
        resources[key] = doc
    return resources


def overlay_errors(overlay: str) -> list[str]:
    import kubernetes_validate

    errors = []
    for doc in _render(overlay):
        for version in K8S_VERSIONS:
            try:
                kubernetes_validate.validate(doc, version, strict=True)
            except kubernetes_validate.ValidationError as error:
                where = ".".join(str(part) for part in error.path)
                errors.append(f"{overlay} {doc['kind']}/{doc['metadata']['name']} (Kubernetes {version}) "
                              f"{where}: {error.message}")
            except kubernetes_validate.SchemaNotFoundError as error:
                errors.append(f"{overlay} {doc['kind']}/{doc['metadata']['name']}: {error.message}")
    return errors


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_each_overlay_renders_and_validates_strictly(overlay):
    assert (OVERLAYS_DIR / overlay / "kustomization.yaml").exists()
    errors = overlay_errors(overlay)
    assert not errors, "\n".join(errors)
    resources = rendered(overlay)
    base = {key for key in k8s_resources() if key[0] != "Secret"}
    assert base <= set(resources), f"{overlay} drops {sorted(base - set(resources))} of the base"
    assert not [key for key in resources if key[0] == "Secret"], "Secrets come from the secret store, not an overlay"
    for (kind, name), doc in resources.items():
        if kind != "Namespace":
            assert doc["metadata"].get("namespace") == NAMESPACE, f"{overlay}: {kind}/{name} outside {NAMESPACE}"
        annotations = doc["metadata"].get("annotations", {})
        assert annotations.get("config.kubernetes.io/local-config") != "true", f"{overlay}: {kind}/{name} applied"


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_nameko_service_has_its_manifest_in_base_and_runs_in_each_overlay(overlay):
    deployments = of_kind(rendered(overlay), "Deployment")
    for service in nameko_services():
        assert (K8S_DIR / f"{service}.yaml").exists(), f"deploy/k8s/base/{service}.yaml is missing (copy workflow.yaml)"
        assert service in deployments, f"overlays/{overlay} does not run {service}"
    assert sorted(set(deployments) - {GATEWAY}) == nameko_services()


def test_the_broken_overlay_is_refused(tmp_path):
    """The overlay checks can fail: a patch of a Deployment the base lacks does not render."""
    overlay = tmp_path / "broken"
    overlay.mkdir()
    (overlay / "kustomization.yaml").write_text(yaml.safe_dump({
        "apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
        "resources": [os.path.relpath(K8S_DIR, overlay)],
        "patches": [{"target": {"kind": "Deployment", "name": "workflow"},
                     "patch": "- op: replace\n  path: /spec/replicaz/0\n  value: 1\n"}],
    }), encoding="utf-8")
    assert run([kubectl(), "kustomize", str(overlay)]).returncode != 0


def test_dev_overlay_runs_one_replica_with_the_manual_clock(monkeypatch):
    resources = rendered("dev")
    for name, deployment in of_kind(resources, "Deployment").items():
        assert deployment["spec"]["replicas"] == 1, f"dev runs one {name}"
    for name, budget in of_kind(resources, "PodDisruptionBudget").items():
        assert "minAvailable" not in budget["spec"] and budget["spec"]["maxUnavailable"] >= 1, f"{name} blocks a drain"
    config = of_kind(resources, "ConfigMap")["supervision-config"]["data"]
    assert config["SUPERVISION_MANUAL_CLOCK"] == "true"
    env = {**config, "SUPERVISION_AMQP_URI": "pyamqp://u:p@rabbit:5672/dev"}
    platform = load_settings(monkeypatch, "workflow", env)["platform"]
    assert platform.manual_clock and platform.environment != "production", "the manual clock must load in dev"


def test_prod_overlay_scales_the_gateway_and_attendance_on_cpu(monkeypatch):
    resources = rendered("prod")
    deployments = of_kind(resources, "Deployment")
    autoscalers = {hpa["spec"]["scaleTargetRef"]["name"]: hpa
                   for hpa in of_kind(resources, "HorizontalPodAutoscaler").values()}
    assert {"gateway", "attendance"} <= set(autoscalers)
    for name, hpa in autoscalers.items():
        spec = hpa["spec"]
        assert spec["scaleTargetRef"]["kind"] == "Deployment" and name in deployments
        assert 2 <= spec["minReplicas"] < spec["maxReplicas"]
        assert "replicas" not in deployments[name]["spec"], f"{name}: the autoscaler owns its replicas"
        resources_of = [metric["resource"] for metric in spec["metrics"] if metric["type"] == "Resource"]
        assert [r["name"] for r in resources_of] == ["cpu"] and resources_of[0]["target"]["type"] == "Utilization"
    for name, deployment in deployments.items():
        if name not in autoscalers:
            assert deployment["spec"]["replicas"] >= 2, f"prod runs {name} twice at least"
    config = of_kind(resources, "ConfigMap")["supervision-config"]["data"]
    assert config["SUPERVISION_ENVIRONMENT"] == "production" and config["SUPERVISION_MANUAL_CLOCK"] == "false"


def _selects(policy: dict, labels: dict) -> bool:
    selector = policy["spec"]["podSelector"]
    if not selector.get("matchLabels", {}).items() <= labels.items():
        return False
    for expression in selector.get("matchExpressions", []):
        value = labels.get(expression["key"])
        if expression["operator"] == "In" and value not in expression["values"]:
            return False
        if expression["operator"] == "NotIn" and value in expression["values"]:
            return False
    return True


def _network_settings() -> dict:
    return yaml.safe_load((OVERLAYS_DIR / "prod" / "network-settings.yaml").read_text(encoding="utf-8"))["spec"]


def test_prod_network_policies_let_in_only_the_ingress_and_prometheus():
    resources = rendered("prod")
    settings = _network_settings()
    policies = of_kind(resources, "NetworkPolicy")
    deny = [p for p in policies.values() if p["spec"]["podSelector"] == {}
            and set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"}
            and not p["spec"].get("ingress") and not p["spec"].get("egress")]
    assert deny, "deny everything by default, in and out"
    for name, deployment in of_kind(resources, "Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        ports = {port.get("name"): port["containerPort"] for port in container["ports"]}
        allowed_from: dict[str, set] = {}
        for policy in policies.values():
            if not _selects(policy, labels) or "Ingress" not in policy["spec"]["policyTypes"]:
                continue
            for rule in policy["spec"].get("ingress", []):
                assert rule.get("from") and rule.get("ports"), f"{policy['metadata']['name']} lets anyone in"
                for peer in rule["from"]:
                    assert set(peer) == {"namespaceSelector"}, peer
                    namespace = peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
                    allowed_from.setdefault(namespace, set()).update(
                        ports.get(port["port"], port["port"]) for port in rule["ports"])
        assert set(allowed_from) <= {settings["ingressControllerNamespace"], settings["prometheusNamespace"]}, name
        # Prometheus may scrape the port its Service is annotated with.
        service = of_kind(resources, "Service")[name]
        scraped = int(service["metadata"]["annotations"]["prometheus.io/port"])
        assert scraped in allowed_from.get(settings["prometheusNamespace"], set()), f"Prometheus cannot scrape {name}"
        from_ingress = allowed_from.get(settings["ingressControllerNamespace"], set())
        if name == GATEWAY:
            assert from_ingress == {GATEWAY_PORT}, "the ingress controller reaches the gateway's http port"
        else:
            assert not from_ingress, f"only the gateway is reachable from the ingress controller, not {name}"


def test_prod_network_policies_let_out_only_dns_rabbitmq_postgresql_and_the_portals():
    resources = rendered("prod")
    settings = _network_settings()
    rabbitmq, postgresql, portals = settings["rabbitmq"], settings["postgresql"], settings["portals"]
    policies = of_kind(resources, "NetworkPolicy")
    for name, deployment in of_kind(resources, "Deployment").items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        reached = set()
        for policy in policies.values():
            if not _selects(policy, labels) or "Egress" not in policy["spec"]["policyTypes"]:
                continue
            for rule in policy["spec"].get("egress", []):
                assert rule.get("to") and rule.get("ports"), f"{policy['metadata']['name']} lets {name} out anywhere"
                ports = {(port.get("protocol", "TCP"), port["port"]) for port in rule["ports"]}
                for peer in rule["to"]:
                    namespaces = peer.get("namespaceSelector", {}).get("matchLabels", {})
                    namespace = namespaces.get("kubernetes.io/metadata.name")
                    pods = peer.get("podSelector", {}).get("matchLabels", {})
                    if namespace == "kube-system" and pods == {"k8s-app": "kube-dns"}:
                        assert ports == {("UDP", 53), ("TCP", 53)}
                        reached.add("dns")
                    elif (namespace, pods) == (rabbitmq["namespace"],
                                               {"app.kubernetes.io/name": rabbitmq["clusterName"]}):
                        assert ports == {("TCP", rabbitmq["port"])}
                        reached.add("rabbitmq")
                    elif peer.get("ipBlock", {}).get("cidr") == postgresql["cidr"]:
                        assert ports == {("TCP", postgresql["port"])}
                        reached.add("postgresql")
                    elif peer.get("ipBlock", {}).get("cidr") == portals["cidr"]:
                        assert ports == {("TCP", portals["port"])}
                        reached.add("portals")
                    else:
                        pytest.fail(f"{policy['metadata']['name']} lets {name} reach {peer}, not a setting")
        expected = {"dns", "rabbitmq"} | ({"portals"} if name in (GATEWAY, "notification") else set())
        expected |= set() if name == GATEWAY else {"postgresql"}
        assert reached == expected, f"{name} reaches {sorted(reached)}, expected {sorted(expected)}"


# --------------------------------------------------------------------------- Dockerfile


def dockerfile_instructions(text: str | None = None) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) of each instruction, continuation lines joined, comments dropped."""
    text = DOCKERFILE.read_text(encoding="utf-8") if text is None else text
    instructions, current = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#") or (not line and not current):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        keyword, _, arguments = current.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        current = ""
    assert not current, "the Dockerfile ends inside a continued line"
    return instructions


def dockerfile_stages() -> tuple[list[tuple[str, str]], list[list[tuple[str, str]]]]:
    """The global instructions (before the first FROM) and each stage's, FROM first."""
    preamble: list[tuple[str, str]] = []
    stages: list[list[tuple[str, str]]] = []
    for keyword, arguments in dockerfile_instructions():
        if keyword == "FROM":
            stages.append([])
        (stages[-1] if stages else preamble).append((keyword, arguments))
    return preamble, stages


def test_dockerfile_lints_clean_with_hadolint(tmp_path):
    hadolint = tool("hadolint")
    result = run([hadolint, "--no-color", str(DOCKERFILE)], cwd=ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN cd /src && pip install .\n", encoding="utf-8")
    assert run([hadolint, "--no-color", str(bad)], cwd=tmp_path).returncode != 0, "hadolint must be able to fail"


def test_dockerfile_builds_one_service_from_libs_common_with_the_constraints():
    preamble, stages = dockerfile_stages()
    global_args = dict([*arguments.split("=", 1), ""][:2] for keyword, arguments in preamble if keyword == "ARG")
    assert len(stages) >= 2, "build in one stage, run from another"
    names = set()
    node_stages = []
    for stage in stages:
        base = stage[0][1].split()
        image = re.sub(r"\$\{(\w+)\}", lambda m: global_args.get(m.group(1), m.group(0)), base[0])
        assert image == "python:3.11-slim" or NODE_IMAGE.fullmatch(image) or image in names, f"stage from {image}"
        if NODE_IMAGE.fullmatch(image):
            node_stages.append(stage)
        if len(base) == 3 and base[1].upper() == "AS":
            names.add(base[2])
        uses_service = any(re.search(r"\$\{?SERVICE\b", arguments) for _, arguments in stage[1:])
        declares_service = ("ARG", "SERVICE") in stage or any(
            keyword == "ARG" and arguments.startswith("SERVICE=") for keyword, arguments in stage
        )
        assert declares_service or not uses_service, f"stage {base} uses $SERVICE without its own ARG SERVICE"
    all_instructions = [instruction for stage in stages for instruction in stage]
    assert ("ARG", "SERVICE") in all_instructions, "ARG SERVICE (no default: each build names its service)"

    assert "ADD" not in {keyword for keyword, _ in all_instructions}, "COPY, not ADD"
    assert len(node_stages) == 1, "one Node stage, the front end's build"
    copies = [arguments.split() for keyword, arguments in all_instructions if keyword == "COPY"]
    allowed = {"constraints.txt", "libs/common/", "libs/common", "services/${SERVICE}/", "services/${SERVICE}"}
    for stage in stages:
        # The Node stage copies the front end's sources only; the Python stages never do.
        stage_allowed = WEB_COPY_SOURCES if stage in node_stages else allowed
        for words in (arguments.split() for keyword, arguments in stage if keyword == "COPY"):
            if any(word.startswith("--from=") for word in words):
                continue
            sources = [word for word in words[:-1] if not word.startswith("--")]
            for source in sources:
                assert source in stage_allowed, (
                    f"COPY {source}: an image holds constraints.txt, libs/common and its service "
                    "(and the front end, built in the Node stage from web/)"
                )
                assert not re.search(r"(^|/)(tests|\.venv|var|\.git|node_modules|dist)(/|$)", source)
    assert any("--from=" in " ".join(words) for words in copies)

    final = stages[-1]
    assert not [a for k, a in final if k in ("COPY", "ADD") and "--from=" not in a], (
        "the runtime stage copies only the built venv, never sources"
    )
    installs = [a for k, a in all_instructions if k == "RUN" and re.search(r"\bpip\b.*\binstall\b", a)]
    assert any(
        re.search(r"(-c|--constraint)[ =]constraints\.txt", a) and "./libs/common" in a and "./services/${SERVICE}" in a
        for a in installs
    ), "install libs/common and the service with -c constraints.txt"
    for keyword, arguments in all_instructions:
        if keyword == "RUN":
            assert not re.search(r"requirements-dev|pytest|\bruff\b|build-essential|\bgcc\b|\bgit\b", arguments), (
                f"no dev tools in an image: {arguments}"
            )


def test_dockerfile_runs_as_a_non_root_user_with_a_healthcheck_and_a_command():
    _, stages = dockerfile_stages()
    final = stages[-1]
    users = [arguments for keyword, arguments in final if keyword == "USER"]
    assert users, "the runtime stage needs a USER"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), "the image must not run as root"
    assert user.isdigit(), "a numeric USER lets Kubernetes check runAsNonRoot"
    k8s_users = {
        doc["spec"]["template"]["spec"]["securityContext"]["runAsUser"]
        for path in k8s_manifest_files() for doc in k8s_documents(path) if doc["kind"] == "Deployment"
    }
    assert k8s_users == {int(user)}, "the Deployments run as the image's user"
    healthchecks = [arguments for keyword, arguments in final if keyword == "HEALTHCHECK"]
    assert healthchecks and not healthchecks[-1].upper().startswith("NONE")
    commands = [arguments for keyword, arguments in final if keyword == "CMD"]
    assert commands, "the runtime stage needs a CMD"
    assert json.loads(commands[-1]), "CMD in exec form, so that the service gets SIGTERM"


def start_command_run() -> str:
    """The RUN that writes the start command of the image's service."""
    _, stages = dockerfile_stages()
    runs = [a for stage in stages for k, a in stage if k == "RUN" and "/opt/venv/bin/supervision-start" in a]
    assert len(runs) == 1
    final_cmd = [a for k, a in stages[-1] if k == "CMD"][-1]
    assert json.loads(final_cmd) == ["supervision-start"]
    return runs[0]


@pytest.mark.parametrize(
    ("service", "expected"),
    [
        (GATEWAY, f'exec uvicorn gateway.app:create_app --factory --host 0.0.0.0 --port {GATEWAY_PORT} "$@"'),
        ("workflow", 'exec python -m common.runner workflow "$@"'),
        ("attendance", 'exec python -m common.runner attendance "$@"'),
    ],
)
def test_dockerfile_start_command_is_chosen_by_the_service(tmp_path, service, expected):
    script = tmp_path / "supervision-start"
    command = start_command_run().replace("/opt/venv/bin/supervision-start", str(script))
    result = run(["/bin/sh", "-eu", "-c", command], env={"PATH": os.environ["PATH"], "SERVICE": service})
    assert result.returncode == 0, result.stderr
    lines = script.read_text(encoding="utf-8").splitlines()
    assert lines == ["#!/bin/sh", expected]
    assert os.access(script, os.X_OK)


def test_dockerfile_start_command_of_a_nameko_service_runs(tmp_path):
    script = tmp_path / "supervision-start"
    command = start_command_run().replace("/opt/venv/bin/supervision-start", str(script))
    written = run(["/bin/sh", "-eu", "-c", command], env={"PATH": os.environ["PATH"], "SERVICE": "workflow"})
    assert written.returncode == 0, written.stderr
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    result = run([str(script), "--help"], env={**os.environ, "PATH": path})
    assert result.returncode == 0, result.stderr
    assert "services" in result.stdout


def web_stage_and_image() -> tuple[str, list[tuple[str, str]], str]:
    """The Node stage that builds the front end: its name, its instructions and its base image."""
    preamble, stages = dockerfile_stages()
    global_args = dict([*arguments.split("=", 1), ""][:2] for keyword, arguments in preamble if keyword == "ARG")
    for stage in stages:
        base = stage[0][1].split()
        image = re.sub(r"\$\{(\w+)\}", lambda m: global_args.get(m.group(1), m.group(0)), base[0])
        if NODE_IMAGE.fullmatch(image):
            assert len(base) == 3 and base[1].upper() == "AS", "name the Node stage (FROM ... AS web)"
            return base[2], stage, image
    pytest.fail("the Dockerfile has no Node stage building the front end (web/)")


def node_version_allowed(version: tuple[int, int], engines: str) -> bool:
    """Whether Node.js major.minor (its .0 and every patch after) meets an engines range such as
    ``^20.19.0 || >=22.12.0`` (the forms the front end's lock file uses)."""
    for alternative in engines.split("||"):
        match = re.fullmatch(r"\s*(\^|>=)(\d+)\.(\d+)\.\d+\s*", alternative)
        assert match, f"an engines range this test cannot read: {engines!r}"
        operator, low = match.group(1), (int(match.group(2)), int(match.group(3)))
        if version >= low and (operator == ">=" or version[0] == low[0]):
            return True
    return False


def test_dockerfile_node_stage_builds_the_front_end_from_its_lock_file():
    _, stage, image = web_stage_and_image()
    lock = json.loads((WEB_DIR / "package-lock.json").read_text(encoding="utf-8"))
    vite = lock["packages"]["node_modules/vite"]
    version = tuple(int(part) for part in NODE_IMAGE.fullmatch(image).groups())
    assert node_version_allowed(version, vite["engines"]["node"]), f"{image} cannot run Vite {vite['version']}"
    assert not node_version_allowed((20, 18), vite["engines"]["node"]), "the engines check must be able to fail"
    assert not any(re.search(r"\$\{?SERVICE\b", arguments) for _, arguments in stage), (
        "the Node stage must not depend on SERVICE, so that every service's build shares it"
    )

    steps = [(keyword, arguments) for keyword, arguments in stage if keyword in ("COPY", "RUN")]
    assert steps[0] == ("COPY", "web/package.json web/package-lock.json ./"), "the lock file first, then npm ci"
    assert steps[1][0] == "RUN" and steps[1][1].startswith("npm ci "), "install exactly the lock file (npm ci)"
    assert steps[2] == ("COPY", "web/ ./")
    assert steps[3][0] == "RUN" and steps[3][1].startswith("npm run build"), "web/package.json's build script"
    from gateway.routes.web import WEB_APPS

    for folder in WEB_APPS.values():  # the build fails unless every app the gateway serves was built
        assert f"test -f dist/{folder}/index.html" in steps[3][1], f"the build must check dist/{folder}"
    assert "build" in json.loads((WEB_DIR / "package.json").read_text(encoding="utf-8"))["scripts"]


def test_dockerfile_puts_the_built_front_end_into_the_runtime_with_its_setting():
    name, stage, _ = web_stage_and_image()
    workdir = [arguments for keyword, arguments in stage if keyword == "WORKDIR"][-1]
    _, stages = dockerfile_stages()
    copies_of_build = [
        arguments for other in stages for keyword, arguments in other
        if keyword == "COPY" and arguments.startswith(f"--from={name} ")
    ]
    assert copies_of_build == [f"--from={name} {workdir}/dist/ {GATEWAY_WEB_DIR}/"], copies_of_build
    final = stages[-1]
    assert ("COPY", f"--from=build {GATEWAY_WEB_DIR} {GATEWAY_WEB_DIR}") in final, "the runtime gets the build"
    env = dict(
        word.split("=", 1) for keyword, arguments in final if keyword == "ENV" for word in arguments.split()
    )
    assert env.get("SUPERVISION_GATEWAY_WEB_DIST_DIR") == GATEWAY_WEB_DIR
    assert "SUPERVISION_GATEWAY_WEB_DIST_DIR" in known_variables()


def web_keeping_run() -> str:
    """The RUN of the build stage that keeps the built front end in the gateway's image only."""
    _, stages = dockerfile_stages()
    runs = [a for stage in stages for k, a in stage if k == "RUN" and GATEWAY_WEB_DIR in a]
    assert len(runs) == 1, runs
    return runs[0]


@pytest.mark.parametrize(("service", "keeps"), [(GATEWAY, True), ("workflow", False), ("attendance", False)])
def test_dockerfile_keeps_the_front_end_in_the_gateways_image_only(tmp_path, service, keeps):
    web = tmp_path / "web"
    (web / "console" / "assets").mkdir(parents=True)
    (web / "console" / "index.html").write_text("<!doctype html>", encoding="utf-8")
    (web / "console" / "assets" / "index-1a2b.js").write_text("", encoding="utf-8")
    command = web_keeping_run().replace(GATEWAY_WEB_DIR, str(web))
    result = run(["/bin/sh", "-eu", "-c", command], env={"PATH": os.environ["PATH"], "SERVICE": service})
    assert result.returncode == 0, result.stderr
    assert web.is_dir(), "the folder stays (COPY --from=build needs it)"
    assert (web / "console" / "index.html").is_file() is keeps
    assert bool(list(web.iterdir())) is keeps


class _Metrics(BaseHTTPRequestHandler):
    """A service's metrics port: ``/livez`` answers whether it still consumes."""

    def do_GET(self):
        self.send_response(200 if self.path == "/livez" else 404)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_dockerfile_healthcheck_probes_a_nameko_services_metrics_port():
    _, stages = dockerfile_stages()
    healthcheck = [a for k, a in stages[-1] if k == "HEALTHCHECK"][-1]
    command = json.loads(healthcheck[healthcheck.index("CMD") + 3:].strip())
    assert command[:2] == ["python", "-c"]
    assert "/healthz" in command[2] and f":{GATEWAY_PORT}" in command[2], "the gateway's probe"
    argv = [sys.executable, *command[1:]]

    server = HTTPServer(("127.0.0.1", 0), _Metrics)
    port = server.server_address[1]
    env = {**os.environ, "SUPERVISION_SERVICE": "workflow", "SUPERVISION_WORKFLOW_METRICS_PORT": str(port)}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        healthy = run(argv, env=env)
        assert healthy.returncode == 0, healthy.stderr
    finally:
        server.shutdown()
        server.server_close()
    assert run(argv, env=env).returncode != 0, "the health check must fail when nothing answers"


# --------------------------------------------------------------------------- .dockerignore


def dockerignore_rules() -> list[tuple[bool, re.Pattern]]:
    """(excludes, pattern) per line, as Docker's patternmatcher reads them."""
    rules = []
    for raw in DOCKERIGNORE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        excludes = not line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        regex, i = "", 0
        while i < len(pattern):
            char = pattern[i]
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
                continue
            if pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
                continue
            if char == "*":
                regex += "[^/]*"
            elif char == "?":
                regex += "[^/]"
            elif char == "[":
                end = pattern.index("]", i)
                regex += "[" + pattern[i + 1 : end].replace("!", "^", 1) + "]"
                i = end
            else:
                regex += re.escape(char)
            i += 1
        rules.append((excludes, re.compile(f"^{regex}$")))
    return rules


def ignored(path: str, rules: list[tuple[bool, re.Pattern]]) -> bool:
    """Whether `docker build` leaves ``path`` (relative, with /) out of the build context."""
    parts = path.split("/")
    candidates = [path] + ["/".join(parts[: i + 1]) for i in range(len(parts) - 1)]
    result = False
    for excludes, regex in rules:
        if any(regex.match(candidate) for candidate in candidates):
            result = excludes
    return result


def build_context() -> set[str]:
    rules = dockerignore_rules()
    context = set()
    for folder, dirs, files in os.walk(ROOT):
        relative = Path(folder).relative_to(ROOT).as_posix()
        for pruned in (".venv", ".git"):  # too big to walk; asserted ignored by the test below
            if relative == "." and pruned in dirs:
                dirs.remove(pruned)
        for file in files:
            path = file if relative == "." else f"{relative}/{file}"
            if not ignored(path, rules):
                context.add(path)
    return context


def test_dockerignore_leaves_out_tests_venvs_data_and_caches():
    rules = dockerignore_rules()
    left_out = [
        ".venv/bin/python", ".git/HEAD", "var/workflow.sqlite3", "tests/deploy/test_deploy_files.py",
        "libs/common/tests/test_settings.py", "services/workflow/tests/test_service.py",
        "libs/common/common/__pycache__/settings.cpython-311.pyc", ".pytest_cache/v/cache",
        ".ruff_cache/0.1/x", "services/workflow/supervision_workflow.egg-info/PKG-INFO",
        "services/gateway/var/files/upload.pdf", "requirements-dev.txt", "docker-compose.yml", ".env",
        "web/node_modules/vite/package.json", "web/node_modules/.installed", "web/dist/console/index.html",
        "web/dist/.built",
    ]
    kept = [
        "constraints.txt", "libs/common/pyproject.toml", "libs/common/common/settings.py",
        "services/workflow/pyproject.toml", "services/workflow/workflow/service.py",
        "services/workflow/workflow/migrations/script.py.mako", "services/gateway/gateway/settings.py",
        "web/package.json", "web/package-lock.json", "web/build.js", "web/console/index.html",
        "web/src/shared/api.js",
    ]
    assert [path for path in left_out if not ignored(path, rules)] == []
    assert [path for path in kept if ignored(path, rules)] == []

    context = build_context()
    unwanted = re.compile(
        r"(^|/)(tests|\.venv|venv|var|\.git|__pycache__|[^/]*_cache|[^/]*\.egg-info|build|node_modules|dist)(/|$)"
    )
    assert sorted(path for path in context if unwanted.search(path)) == []
    assert sorted(
        path for path in context if not path.startswith(("libs/common/", "services/", "web/"))
    ) == ["constraints.txt"]
    web_sources = {
        path.relative_to(ROOT).as_posix() for path in WEB_DIR.rglob("*")
        if path.is_file() and not {"node_modules", "dist"} & set(path.relative_to(WEB_DIR).parts)
    }
    assert "web/package-lock.json" in web_sources and web_sources <= context, (
        f"the front end's sources left out of the image: {sorted(web_sources - context)}"
    )
    services = [p.parent for p in (ROOT / "services").glob("*/pyproject.toml")]
    packages = [ROOT / "libs/common/common", *(service / service.name for service in services)]
    for package in packages:
        sources = {
            path.relative_to(ROOT).as_posix() for path in package.rglob("*")
            if path.is_file() and "__pycache__" not in path.parts
        }
        assert sources and sources <= context, f"left out of the image: {sorted(sources - context)}"


# --------------------------------------------------------------------------- watching: prometheus and grafana

PROMETHEUS_CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"
GRAFANA_DIR = ROOT / "deploy" / "grafana"
DASHBOARD = GRAFANA_DIR / "dashboards" / "platform.json"


def scrape_targets() -> dict[str, list[str]]:
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text(encoding="utf-8"))
    return {job["job_name"]: [target for static in job.get("static_configs", []) for target in static["targets"]]
            for job in config["scrape_configs"]}


def dashboard_rows() -> dict[str, list[dict]]:
    """The dashboard's rows by title, each with its panels (those below it up to the next row)."""
    rows: dict[str, list[dict]] = {}
    current = None
    for panel in json.loads(DASHBOARD.read_text(encoding="utf-8"))["panels"]:
        if panel["type"] == "row":
            current = rows.setdefault(panel["title"], [])
            current.extend(panel.get("panels", []))
        elif current is not None:
            current.append(panel)
    return rows


def test_prometheus_scrapes_every_service_and_the_gateway(compose):
    targets = scrape_targets()
    for service in nameko_services():
        assert service in targets, f"deploy/prometheus/prometheus.yml has no scrape job for {service}"
        assert targets[service] == [f"{service}:{metrics_port_of(service)}"], (
            f"scrape {service} at its metrics port ({service}:{metrics_port_of(service)})")
    assert targets.get(GATEWAY) == [f"{GATEWAY}:{GATEWAY_PORT}"], "scrape the gateway's /metrics"
    for job, hosts in targets.items():
        for host in hosts:
            assert host.split(":")[0] in compose["services"] or host.startswith("localhost:"), (
                f"{job} scrapes {host}, which is no service of docker-compose.yml")


def test_the_dashboard_has_a_row_for_every_service():
    rows = dashboard_rows()
    for service in [*nameko_services(), GATEWAY]:
        assert service in rows, f"deploy/grafana/dashboards/platform.json has no row titled {service!r}"
        exprs = [target["expr"] for panel in rows[service] for target in panel.get("targets", [])]
        assert any(f'service="{service}"' in expr or f'job="{service}"' in expr for expr in exprs), (
            f"the {service} row shows nothing of {service} (no panel selects service=\"{service}\" or job)")
        assert any(f'job="{service}"' in expr and "process_" in expr for expr in exprs), (
            f"the {service} row must show its process's CPU and memory")


def test_the_dashboard_is_provisioned_with_its_datasource(compose):
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    datasources = yaml.safe_load((GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml").read_text())
    [datasource] = datasources["datasources"]
    assert datasource["type"] == "prometheus" and datasource["url"] == "http://prometheus:9090"
    ids = {panel["id"] for panel in dashboard["panels"]}
    assert len(ids) == len(dashboard["panels"]), "panel ids must be unique"
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == datasource["uid"], panel["title"]
            assert panel["targets"] and all(target["expr"] for target in panel["targets"]), panel["title"]
    providers = yaml.safe_load((GRAFANA_DIR / "provisioning" / "dashboards" / "platform.yml").read_text())
    [provider] = providers["providers"]

    def mounts(service: str) -> dict[str, str]:
        found = {}
        for volume in compose["services"][service].get("volumes", []):
            source, target = volume.split(":")[:2]
            found[target] = source
        return found

    grafana = mounts("grafana")
    assert grafana.get("/etc/grafana/provisioning", "").lstrip("./") == "deploy/grafana/provisioning"
    assert grafana.get(provider["options"]["path"], "").lstrip("./") == "deploy/grafana/dashboards", (
        "mount deploy/grafana/dashboards where the dashboard provider reads")


def test_compose_runs_prometheus_with_the_same_rules_and_grafana_on_localhost(compose):
    services = compose["services"]
    prometheus = {volume.split(":")[1]: volume.split(":")[0].lstrip("./")
                  for volume in services["prometheus"]["volumes"]}
    assert prometheus["/etc/prometheus/prometheus.yml"] == "deploy/prometheus/prometheus.yml"
    assert prometheus["/etc/prometheus/rules"] == "deploy/prometheus/rules", "the rules promtool checks"
    assert "--config.file=/etc/prometheus/prometheus.yml" in services["prometheus"]["command"]
    for name in ("prometheus", "grafana"):
        for port in services[name].get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port}: bind it to 127.0.0.1 only"
    assert services["grafana"]["depends_on"] == {"prometheus": {"condition": "service_healthy"}}
