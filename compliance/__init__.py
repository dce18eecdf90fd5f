"""Compliance: encryption, routes, residency policy.

Later: the gateway, masking, the vault, limits and the audit log.
"""
