#!/usr/bin/env bash
# Runs once, when the PostgreSQL volume is empty: the Prefect server gets its own database
# (nightshift's tables live in POSTGRES_DB), owned by the same role.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" <<SQL
CREATE DATABASE prefect OWNER "$POSTGRES_USER";
SQL
