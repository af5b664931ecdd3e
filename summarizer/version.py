"""The library's version, in a module of its own so that any stage can name it without
importing the package root (which imports the API, which imports the stages)."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
