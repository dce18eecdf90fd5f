"""Prefect deployment definitions (schedules, work pools and queues). Arrives with issue 7."""
