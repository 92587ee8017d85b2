"""/api/v1/imports: upload a spreadsheet (CSV, XLSX, JSON, NDJSON) and import it.

Multipart upload with the mapping's name; `dry_run=true` returns the diff and writes nothing
(complete counts, the first 1,000 changes of each kind listed).
Needs a write key. The upload is streamed to a temporary file (never held in memory), imported
with the same code as `samgraf import`, and deleted. Bad input → 422 naming file, sheet, row
or line, column and reason; nothing is written.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.concurrency import run_in_threadpool

from api.security import WriteAccess, settings_of
from api.v1_common import PREFIX, WRITE_ERRORS, StoreDep
from importers.errors import ImportDataError
from importers.mapping import list_mappings

router = APIRouter(prefix=PREFIX, tags=["v1: import"])
log = logging.getLogger("samgraf.api")


class ImportCancelled(RuntimeError):
    """The client went away during its import."""


async def _watch_disconnect(request: Request, gone: threading.Event) -> None:
    while not gone.is_set():
        if await request.is_disconnected():
            gone.set()
            return
        await asyncio.sleep(0.25)


#: largest upload accepted, bytes
MAX_UPLOAD = 200 * 1024 * 1024
SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".json", ".ndjson", ".jsonl")


@router.post(
    "/imports",
    responses={**WRITE_ERRORS, 413: {"description": "Filen er for stor"}},
    summary="Importer et regneark (eller vis diffen med dry_run)",
    description=(
        "Multipart: `file` (CSV, XLSX, JSON eller NDJSON) og `mapping` ("
        + ", ".join(list_mappings())
        + "). `dry_run=true` skriver ingenting og gir diffen (fullstendige antall, de første "
        "1 000 endringene av hvert slag). `skip_bad_rows=true` importerer "
        "de gode radene og lister de avviste. Svaret har samme form som `samgraf import --json`."
    ),
)
async def create_import(
    request: Request,
    store: StoreDep,
    principal: WriteAccess,
    file: Annotated[UploadFile, File(description="Regnearket")],
    mapping: Annotated[str, Form(pattern=r"^[a-z][a-z0-9-]{0,40}$")],
    dry_run: Annotated[bool, Form()] = False,
    skip_bad_rows: Annotated[bool, Form()] = False,
    prune: Annotated[bool, Form()] = False,
) -> dict[str, Any]:
    from importers.run import run_import

    if mapping not in list_mappings():
        raise HTTPException(422, f"ukjent mapping {mapping!r}; bruk {', '.join(list_mappings())}")
    name = Path(file.filename or "opplasting.csv").name
    if not name.lower().endswith(SUFFIXES):
        raise HTTPException(422, f"ukjent filtype for {name!r}; bruk CSV, XLSX, JSON eller NDJSON")
    with tempfile.TemporaryDirectory(prefix="samgraf-upload-") as tmp:
        path = Path(tmp) / name
        with open(path, "wb") as out:
            await run_in_threadpool(shutil.copyfileobj, file.file, out, 1 << 20)
        if path.stat().st_size > MAX_UPLOAD:
            raise HTTPException(413, f"filen er større enn {MAX_UPLOAD // (1024 * 1024)} MB")
        # a client that goes away cancels its import: the rows read so far are dropped and
        # nothing is written (an abandoned 150 MB upload kept a worker busy at 100 % CPU)
        gone = threading.Event()

        def progress(rows: int) -> None:
            if gone.is_set():
                raise ImportCancelled(f"klienten koblet fra etter {rows} rader")

        watcher = asyncio.create_task(_watch_disconnect(request, gone))
        try:
            report = await run_in_threadpool(
                run_import,
                store,
                settings_of(request),
                path,
                mapping,
                dry_run=dry_run,
                skip_bad_rows=skip_bad_rows,
                prune=prune,
                display=name,
                who=f"api ({principal.scope})",
                progress=progress,
            )
        except ImportDataError as exc:
            raise HTTPException(422, f"{exc} – ingenting er skrevet") from None
        except ImportCancelled as exc:
            log.warning("import av %s avbrutt: %s; ingenting er skrevet", name, exc)
            raise HTTPException(400, f"importen ble avbrutt: {exc}; ingenting er skrevet") from None
        finally:
            watcher.cancel()
    return report.as_dict()
