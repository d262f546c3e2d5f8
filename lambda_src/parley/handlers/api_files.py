"""api routes of the files area: presigned uploads and the CSV export."""

from __future__ import annotations

import io
import tempfile
import time
import uuid
from itertools import chain
from typing import Any

from aws_lambda_powertools.event_handler import Response

from parley.adapters import files as s3files
from parley.adapters.entities import Entities
from parley.adapters.users import Users
from parley.domain import files
from parley.handlers.api_common import settings, table
from parley.handlers.entities_common import declaration
from parley.handlers.http import caller_id, json_body, new_router

router = new_router()


@router.post("/uploads")
def create_upload() -> tuple[dict[str, Any], int]:
    user_id = caller_id(router)
    config = settings()
    request = files.upload_request(json_body(router), user_id, uuid.uuid4().hex, config.upload_max_bytes)
    url = s3files.presigned_put(
        config.uploads_bucket, request["key"], request["content_type"], request["size_bytes"], files.UPLOAD_URL_SECONDS
    )
    headers = {"Content-Type": request["content_type"], "Content-Length": str(request["size_bytes"])}
    return {
        "upload_url": url,
        "method": "PUT",
        "key": request["key"],
        "headers": headers,
        "expires_in": files.UPLOAD_URL_SECONDS,
    }, 201


@router.get("/export")
def export() -> Response[Any] | dict[str, Any]:
    user_id = caller_id(router)
    config = settings()
    with tempfile.SpooledTemporaryFile(max_size=files.EXPORT_INLINE_MAX_BYTES, mode="w+b") as spool:
        text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        store = table()
        # The declared app entities and their children follow the built-in records.
        files.write_export(text, chain(Users(store).records(user_id), Entities(store).records(declaration(), user_id)))
        text.flush()
        text.detach()  # the spool stays open for reading
        size = spool.tell()
        spool.seek(0)
        if size <= files.EXPORT_INLINE_MAX_BYTES:
            return Response(
                status_code=200,
                content_type="text/csv; charset=utf-8",
                body=spool.read().decode(),
                headers={"Content-Disposition": 'attachment; filename="parley-export.csv"'},
            )
        key = f"exports/{user_id}/{int(time.time())}-{uuid.uuid4().hex[:8]}.csv"
        s3files.upload_stream(config.uploads_bucket, key, spool, "text/csv")
    url = s3files.presigned_get(config.uploads_bucket, key, files.UPLOAD_URL_SECONDS)
    return {"download_url": url, "expires_in": files.UPLOAD_URL_SECONDS, "size_bytes": size}
