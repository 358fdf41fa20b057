"""督查台账 core: domain, storage and services. Imports no Qt (tests/test_layering.py)."""

__version__ = "0.1.0"
APP_NAME = "督查台账"
