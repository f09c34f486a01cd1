"""Embedding Lab's helper package: data, models, metrics and exercise checks for the course.

Importing it first thing in a notebook decides online/offline mode (see :mod:`embedlab.env`)
before any hub library is imported.
"""

from . import env

__version__ = "0.1.0"

ONLINE: bool = env.configure()
