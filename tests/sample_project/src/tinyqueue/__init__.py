"""tinyqueue: a tiny job queue backed by SQLite."""

from tinyqueue.queue import Queue

__all__ = ["Queue"]
__version__ = "2.3.0"
