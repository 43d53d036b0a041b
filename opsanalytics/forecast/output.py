"""Write the forecast for Orange into a folder, all or nothing: the XLSX (the file to send),
the CSV of the same figures and the throughput options as CSV (for scripts); files appear
only once every one of them was written."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from opsanalytics.errors import UsageError
from opsanalytics.forecast.files import write_forecast_csv, write_table_csv
from opsanalytics.forecast.plan import NextForecast
from opsanalytics.forecast.workbook import write_workbook


def write_forecast(forecast: NextForecast, out_dir: str | Path) -> dict[str, Path]:
    """An OS refusal (permissions, read-only or full disk) is one line naming the folder, as a
    bad --out is, not a traceback; the temporary folder goes with it."""
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot create the folder: {exc.strerror or exc}") from None
    stem = f"forecast_{forecast.semester}"
    targets = {"csv": out / f"{stem}.csv", "xlsx": out / f"{stem}.xlsx",
               "throughput": out / f"{stem}_throughput.csv"}
    try:
        with tempfile.TemporaryDirectory(dir=out, prefix=".forecast-") as tmp:
            tmp = Path(tmp)
            write_forecast_csv(forecast.figures, tmp / targets["csv"].name)
            write_workbook(forecast, tmp / targets["xlsx"].name)
            write_table_csv(forecast.throughput, tmp / targets["throughput"].name)
            for path in targets.values():
                os.replace(tmp / path.name, path)
    except OSError as exc:
        raise UsageError(f"--out {out}: cannot write into the folder: {exc.strerror or exc}") from None
    return targets
