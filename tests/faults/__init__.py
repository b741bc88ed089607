"""Fault tests: the real processes under crashes, restarts and bad input."""
