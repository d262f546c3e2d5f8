"""S3 for the HTTP API: presigned upload and download URLs, and export objects."""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable
from typing import IO, Any

from botocore.config import Config
from botocore.exceptions import ClientError

from parley.adapters import aws
from parley.domain import files


@functools.cache
def signer() -> Any:
    """An S3 client that signs URLs with SigV4 (required for KMS buckets and every newer region)."""
    return aws.session().client("s3", config=Config(signature_version="s3v4"))


def reset() -> None:
    signer.cache_clear()


def presigned_put(bucket: str, key: str, content_type: str, size_bytes: int, expires_seconds: int) -> str:
    """A PUT URL bound to the key, content type and length (S3 refuses other values)."""
    url: str = signer().generate_presigned_url(
        "put_object",
        Params={"Bucket": bucket, "Key": key, "ContentType": content_type, "ContentLength": size_bytes},
        ExpiresIn=expires_seconds,
        HttpMethod="PUT",
    )
    return url


def presigned_get(bucket: str, key: str, expires_seconds: int, download: files.Download | None = None) -> str:
    """A GET URL of the key; with ``download``, S3 answers with its content type and disposition (signed too)."""
    params = {"Bucket": bucket, "Key": key}
    if download is not None:
        params |= {
            "ResponseContentType": download.content_type,
            "ResponseContentDisposition": download.content_disposition,
        }
    url: str = signer().generate_presigned_url("get_object", Params=params, ExpiresIn=expires_seconds)
    return url


def with_read_urls(bucket: str, sender_id: str, attachments: Iterable[Any]) -> list[Any]:
    """A message's attachments as a member reads them.

    Each one ``files.attachment_download`` allows gets a presigned GET ``url``, valid
    ``files.ATTACHMENT_URL_SECONDS``, and ``url_expires_at`` (epoch milliseconds); any other stays as stored.
    Callers hand the result only to the room's members.
    """
    readable = []
    for attachment in attachments:
        download = files.attachment_download(attachment, sender_id) if bucket else None
        if download is None:
            readable.append(attachment)
            continue
        # The signature's own clock reads whole seconds no earlier than this one: the URL lives at least this long.
        expires_at = (int(time.time()) + files.ATTACHMENT_URL_SECONDS) * 1000
        url = presigned_get(bucket, download.key, files.ATTACHMENT_URL_SECONDS, download)
        readable.append({**attachment, "url": url, "url_expires_at": expires_at})
    return readable


def upload_stream(bucket: str, key: str, stream: IO[bytes], content_type: str) -> None:
    """Stream a file object into S3 (multipart when large)."""
    aws.client("s3").upload_fileobj(stream, bucket, key, ExtraArgs={"ContentType": content_type})


def head(bucket: str, key: str) -> tuple[int, str] | None:
    """(size in bytes, content type) of an object, or None when there is none."""
    try:
        response = aws.client("s3").head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if str(error.response.get("Error", {}).get("Code")) in {"404", "NoSuchKey", "NotFound"}:
            return None
        raise
    return int(response["ContentLength"]), str(response.get("ContentType") or "application/octet-stream")
