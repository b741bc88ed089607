"""The words of the system: cases and mentions, the lifecycle, errors, ports, the clock.

Everything else in the bridge speaks these types. This package imports nothing else of ours, so any
module may import it.
"""
