"""One view per command: its result's figures, pre-formatted for its template."""
