"""The provider batch path (issue 14): submit a step's pending work as batch files, collect the
answers later (docs/batch.md)."""
