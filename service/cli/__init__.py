"""The operator CLI ``nightshift`` (typer), one module per command group.

:data:`app` is the root command (``service.cli.main``; the console script ``nightshift`` and
``python -m service.cli`` run it). Each group or command lives in its own module: ``init`` in
:mod:`~service.cli.main`; :mod:`~service.cli.run` (``run nightly``, ``process``),
:mod:`~service.cli.ingest`, :mod:`~service.cli.mask`, :mod:`~service.cli.report`,
:mod:`~service.cli.plan`, :mod:`~service.cli.doctor`, :mod:`~service.cli.audit`,
:mod:`~service.cli.keys` (with :mod:`~service.cli.data_keys` for the data key),
:mod:`~service.cli.deploy`, :mod:`~service.cli.serve`, :mod:`~service.cli.up` (with
:mod:`~service.cli.stack`, the child processes it runs) and :mod:`~service.cli.demo`.
:mod:`~service.cli.support` holds what they share (settings, consoles, errors as exits).
"""

from service.cli.main import app

__all__ = ["app"]
