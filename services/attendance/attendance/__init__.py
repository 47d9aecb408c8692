"""The attendance service: check-ins, valid days, monthly rates, patrols, warnings (Art. 26, 35, 42, 47)."""
