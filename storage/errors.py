"""The root of nightshift's error tree.

It lives in the lowest layer so that every layer can extend it::

    NightshiftError                  anything nightshift raises on purpose
    ├── StorageError                 the database cannot be used as asked
    │   └── SchemaOutOfDate          the database is not at the migration head
    ├── ComplianceError              (compliance) a call or a record broke a policy; its
    │                                branches are drawn in compliance/errors.py
    ├── ConfigError                  (flows) configuration is invalid; refuses to start
    ├── IngestError                  (flows) a source could not be read at all
    │   ├── RecordRejected           one record is skipped
    │   └── OwnedElsewhere           records name documents their caller key does not own
    ├── RunInProgress                (flows) another nightly run holds the lease; not started
    ├── PromptError                  (flows) a prompt or schema file is wrong
    ├── PlanError, ReportError       (flows) a window plan, a morning report cannot be made
    ├── DeploymentError              (deployments) the Prefect API cannot be reached or refused
    └── StackError                   (service) a child of ``nightshift up`` did not start or
        │                            stopped on its own
        └── Interrupted              SIGINT or SIGTERM arrived while the stack was starting

Messages are written for the person who has to act on them: what happened and what to do.
They never contain document text or personal data.
"""

from __future__ import annotations


class NightshiftError(Exception):
    """Base class of every error nightshift raises on purpose."""


class StorageError(NightshiftError):
    """The database cannot be used as asked."""


class SchemaOutOfDate(StorageError):
    """The database is not migrated to the head revision."""

    def __init__(self, current: str | None, head: str) -> None:
        self.current = current
        self.head = head
        super().__init__(
            f"the database is at migration {current or '<empty>'} "
            f"but this nightshift needs {head}; "
            "run `nightshift init` (it applies the migrations) and try again"
        )
