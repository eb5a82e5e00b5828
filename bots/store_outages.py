"""Telling a storage outage (try again later) from a failure that would repeat."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError


def is_store_outage(error: BaseException) -> bool:
    """Whether ``error`` says the database cannot be reached or written just now.

    Lost connections, a server that is down or restarting, a full or read-only disk,
    a locked SQLite file and pool time-outs are outages: the same write will work once
    the store is back. Constraint violations, bad data and programming errors are not.
    """
    if isinstance(error, OperationalError | InterfaceError | DisconnectionError | PoolTimeoutError):
        return True
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    return isinstance(error, ConnectionError | TimeoutError | OSError)
