"""The notification rules as plain Python: facts, settings and the time in, decisions out. No nameko, no SQL."""
