"""Storage: SQLAlchemy 2 models, repositories, engines and Alembic migrations.

The lowest layer: it imports nothing else of nightshift.
"""
