"""Backends: where the passes over records run (numpy in this process, or Spark); see ``base.py``."""
