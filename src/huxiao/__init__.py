"""Huxiao (护校): campus safety and security management for a sub-district."""

__version__ = "0.1.0"
