"""The regulation as plain Python: data and a clock in, decisions out. No nameko, no SQL."""
