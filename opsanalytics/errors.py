"""Every error a user can cause, with a message that says what and where.

The command line catches `OpsError` once and prints it without a traceback; anything else
is a bug and keeps its traceback.
"""


class OpsError(Exception):
    """Base class: a problem with the user's input, not with opsanalytics."""


class ConfigError(OpsError):
    """The contract TOML is missing, unreadable or invalid (message names file and key)."""


class IngestError(OpsError):
    """A log file cannot be loaded at all (message names the file and why)."""


class WarehouseError(OpsError):
    """The database is missing, locked, or not an opsanalytics warehouse."""


class WarehouseBusy(WarehouseError):
    """Another process holds the warehouse's lock (an ingest, an open notebook): nothing is
    wrong with the input, so a scheduler should retry later, not alert on a bad setting."""

    #: EX_TEMPFAIL (sysexits.h): "try again later", distinct from 2 (bad input)
    exit_code = 75

    def __init__(self, message: str, holder: str | None = None) -> None:
        super().__init__(message)
        #: the process holding it, as warehouse.lock_holder names it (None: not known)
        self.holder = holder


class UsageError(OpsError):
    """A bad command-line value: rule name, date, format."""


class ForecastFileError(OpsError):
    """A forecast file is malformed (message names the row and column)."""
