"""Spark: the same jobs on tables too large for one machine (``pip install 'unlinkable[spark]'``).

``backend.py`` implements the backend protocol (``backends/base.py``) in Spark; ``session.py``
starts Spark and turns its failures into one-line errors; ``write.py`` writes a release as parts.
The verifier's Spark half is ``unlinkable.verify_spark``, beside the verifier it reuses (one layer
up). Only distinct tuples with counts, class counts and small maps ever travel between Spark and
the driver, never records.
"""
