"""Fault tests: bad input, failing platforms and lost processes, checked over real HTTP and Redis."""
