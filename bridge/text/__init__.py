"""Text as the platforms count and read it: weighted length, top-level domains, language, answer length.

May import :mod:`bridge.domain` only.
"""
