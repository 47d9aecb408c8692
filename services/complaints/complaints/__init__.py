"""The complaints service: every problem case of the district (Art. 8, 10–13, 29–30, 49): platform
warnings, public complaints and problem clues, dispatched down the four-level chain, handled,
reported, verified and closed."""
