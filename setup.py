"""Which packages the distribution holds; everything else about it is in pyproject.toml.

Only here because pyproject.toml cannot both find packages and add one from another folder: the
sample playbooks stay at the top of the repository, where people look for them, and ship inside the
``bridge`` package as ``bridge/_playbooks`` so ``bridge demo`` works from a wheel.
"""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["bridge*", "adapters*", "standins*"]), "bridge._playbooks"],
    package_dir={"bridge._playbooks": "playbooks"},
)
