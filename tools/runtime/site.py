"""The web client's site on its own port, served from the site bucket as its CloudFront distribution would.

The distribution deployed on the emulator says which bucket is the origin, the
default root object and the error responses (the SPA fallback: a missing key
answers ``/index.html`` with 200). The emulator has no response headers
policies, so the headers of ``modules/static_site`` (``aws_cloudfront_response_headers_policy.this``
and the ``security_headers`` default in its variables.tf) are added here; the
Content-Security-Policy also allows the runtime's own ``http:``/``ws:`` origins
and the emulator (presigned uploads and attachment read URLs), which a deployed site reaches over
``https:``/``wss:``.
"""

from __future__ import annotations

import asyncio
import mimetypes
from dataclasses import dataclass
from typing import Any

import boto3
from aiohttp import web
from botocore.config import Config
from botocore.exceptions import ClientError

# modules/static_site/variables.tf: var.security_headers.content_security_policy's default.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: https:; connect-src 'self' https: wss:; "
    "frame-ancestors 'none'; base-uri 'self'; object-src 'none'"
)
HSTS_MAX_AGE_SECONDS = 63072000


def security_headers(local_origins: list[str]) -> dict[str, str]:
    """The headers policy of modules/static_site, with the local origins added where the client connects."""
    extra = " ".join(local_origins)
    policy = CONTENT_SECURITY_POLICY.replace(
        "img-src 'self' data: https:", f"img-src 'self' data: https: {extra}"
    ).replace("connect-src 'self' https: wss:", f"connect-src 'self' https: wss: {extra}")
    return {
        "Content-Security-Policy": policy,
        "Strict-Transport-Security": f"max-age={HSTS_MAX_AGE_SECONDS}; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-XSS-Protection": "1; mode=block",
    }


@dataclass(frozen=True)
class Distribution:
    bucket: str
    root_object: str
    # S3 status -> (response status, page path)
    errors: dict[int, tuple[int, str]]


def read_distribution(cloudfront: Any) -> Distribution | None:
    """The first distribution whose origin is an S3 bucket, as deployed (the emulator lists no origins)."""
    for page in cloudfront.get_paginator("list_distributions").paginate():
        for item in page.get("DistributionList", {}).get("Items", []):
            config = cloudfront.get_distribution_config(Id=item["Id"])["DistributionConfig"]
            for origin in config.get("Origins", {}).get("Items", []):
                domain = str(origin.get("DomainName", ""))
                if ".s3." not in domain and not domain.endswith(".s3.amazonaws.com"):
                    continue
                errors = {
                    int(e["ErrorCode"]): (int(e.get("ResponseCode") or e["ErrorCode"]), str(e["ResponsePagePath"]))
                    for e in config.get("CustomErrorResponses", {}).get("Items", [])
                    if e.get("ResponsePagePath")
                }
                return Distribution(domain.split(".s3", 1)[0], config.get("DefaultRootObject") or "", errors)
    return None


class SiteServer:
    def __init__(self, emulator: str, local_origins: list[str]) -> None:
        options: dict[str, Any] = {
            "endpoint_url": emulator,
            "region_name": "us-east-1",
            "aws_access_key_id": "test",
            "aws_secret_access_key": "test",
        }
        self.s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}), **options)
        self.cloudfront = boto3.client("cloudfront", **options)
        self.headers = security_headers(local_origins)

    def _get(self, bucket: str, key: str) -> tuple[bytes, str, str] | int:
        try:
            found = self.s3.get_object(Bucket=bucket, Key=key)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            # A private, unlistable bucket answers 403 for a missing key through OAC.
            return 404 if code in {"NoSuchKey", "404"} else 403
        body = found["Body"].read()
        kind = found.get("ContentType") or mimetypes.guess_type(key)[0] or "application/octet-stream"
        return body, kind, found.get("CacheControl", "")

    def respond(self, path: str) -> web.Response:
        distribution = read_distribution(self.cloudfront)
        if distribution is None:
            return web.json_response(
                {"error": "no_site", "message": "no site is deployed: run 'make up'"}, status=404, headers=self.headers
            )
        key = path.lstrip("/") or distribution.root_object
        found = self._get(distribution.bucket, key)
        status = 200
        if isinstance(found, int):
            if found not in distribution.errors:
                return web.Response(status=found, text="Not Found", headers=self.headers)
            status, page = distribution.errors[found]
            found = self._get(distribution.bucket, page.lstrip("/"))
            if isinstance(found, int):
                return web.Response(status=found, text="Not Found", headers=self.headers)
        body, kind, cache = found
        headers = dict(self.headers)
        if cache:
            headers["Cache-Control"] = cache
        return web.Response(status=status, body=body, headers={**headers, "Content-Type": kind})

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.method not in {"GET", "HEAD"}:
            return web.Response(status=405, text="Method Not Allowed", headers=self.headers)
        return await asyncio.get_running_loop().run_in_executor(None, self.respond, request.path)

    def application(self) -> web.Application:
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        return app
