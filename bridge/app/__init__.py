"""The running service: settings, the runtime that builds the services, RQ jobs and their dispatch,
workers, the poller, the web app, logs and metrics.

The top of the core: it may import every other package of ``bridge``, never an adapter
(:mod:`bridge.wiring` adds those).
"""
