#!/usr/bin/env bash
# One PostgreSQL role and one database per service of the platform, each database owned by
# its own role and closed to every other role: no service can read another's tables.
#
# The postgres image runs this once, from /docker-entrypoint-initdb.d/, when its data volume
# is empty (see docker-compose.yml). It reads:
#   SUPERVISION_DATABASES      the services' names, separated by spaces or commas
#   <NAME>_DB_PASSWORD         each one's password (NAME upper-cased),
#                              e.g. WORKFLOW_DB_PASSWORD
#   POSTGRES_USER, POSTGRES_DB the superuser and database to connect with (the image's own)
# Adding a service: add its name to SUPERVISION_DATABASES and set its <NAME>_DB_PASSWORD.
# It is idempotent, so on an existing volume it can be run again by hand:
#   docker compose exec postgres /docker-entrypoint-initdb.d/10-init-databases.sh
# Production uses a managed PostgreSQL instance, where the same roles and databases are made
# by its operators; this script is for development and tests only.
set -euo pipefail

read -r -a names <<< "${SUPERVISION_DATABASES//,/ }"
if (( ${#names[@]} == 0 )); then
    echo "init-databases: SUPERVISION_DATABASES is empty; no database made" >&2
    exit 1
fi

password_of() {
    local var="${1^^}_DB_PASSWORD"
    printf '%s' "${!var:-}"
}

# Check every name and password before making anything.
for name in "${names[@]}"; do
    if [[ ! "$name" =~ ^[a-z][a-z0-9_]*$ ]]; then
        echo "init-databases: '$name' is not a valid service database name" >&2
        exit 1
    fi
    if [[ -z "$(password_of "$name")" ]]; then
        echo "init-databases: no password for '$name' (set ${name^^}_DB_PASSWORD)" >&2
        exit 1
    fi
done

for name in "${names[@]}"; do
    echo "init-databases: role and database '$name'"
    psql --no-psqlrc --quiet -v ON_ERROR_STOP=1 \
        --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
        -v name="$name" -v password="$(password_of "$name")" <<'SQL'
SELECT format('CREATE ROLE %I', :'name')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'name') \gexec
ALTER ROLE :"name" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'name', :'name')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'name') \gexec
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
SQL
done
