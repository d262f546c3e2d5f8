"""S3 for the HTTP API: presigned upload and download URLs, and export objects."""

from __future__ import annotations

import functools
from typing import IO, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from parley.adapters import aws


@functools.cache
def signer() -> Any:
    """An S3 client that signs URLs with SigV4 (required for KMS buckets and every newer region)."""
    return boto3.session.Session().client("s3", config=Config(signature_version="s3v4"))


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


def presigned_get(bucket: str, key: str, expires_seconds: int) -> str:
    url: str = signer().generate_presigned_url(
        "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_seconds
    )
    return url


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
