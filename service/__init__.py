"""Service: the operator CLI, settings loading, the provider simulator and sample data."""
