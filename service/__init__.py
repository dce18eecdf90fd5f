"""Service: the operator CLI ``nightshift`` (``service.cli``) and the HTTP API (``service.api``).

The provider simulator and the sample-data generator are top-level packages of their own
(``simulator``, ``sampledata``), imported here only by the commands that run them.
"""
