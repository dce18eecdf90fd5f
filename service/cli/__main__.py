"""``python -m service.cli ...``: the ``nightshift`` command without its console script."""

from service.cli.main import app

app()
