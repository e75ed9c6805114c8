"""unlinkable."""
