"""Flows: ingest and the configuration of the flows; later the Prefect flows and shared tasks."""
