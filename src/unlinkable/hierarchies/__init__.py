"""hierarchies."""
