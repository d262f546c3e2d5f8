"""Publish a built web client to the static site: sync files to its bucket, invalidate CloudFront.

Only changed files are uploaded (compared by MD5 with the objects' ETags); HTML
is served with ``no-cache`` so a new release shows at once, fingerprinted
assets (``app.3f9a1c2b.js``) as immutable, anything else for an hour.
"""

from __future__ import annotations

import hashlib
import json
import mimetypes
import re
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.tfenv import ROOT, ToolError

WEB_CLIENT = ROOT / "clients" / "web"

FINGERPRINTED = re.compile(r"[.-][0-9a-fA-F]{8,}\.[A-Za-z0-9]+$")
MAX_INVALIDATION_PATHS = 15  # beyond this, one wildcard is cheaper


@dataclass
class Report:
    uploaded: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    invalidation_id: str | None = None
    invalidated_paths: list[str] = field(default_factory=list)


def local_files(site_dir: Path) -> dict[str, Path]:
    """Object key -> file, for every file below site_dir (hidden files left out)."""
    if not (site_dir / "index.html").is_file():
        raise ToolError(
            f"{site_dir} has no index.html: build the web client first and pass its output folder as SITE_DIR"
        )
    return {
        path.relative_to(site_dir).as_posix(): path
        for path in sorted(site_dir.rglob("*"))
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(site_dir).parts)
    }


def client_config(outputs: dict[str, object]) -> dict[str, object]:
    """The web client's config.json: the outputs it needs (locally, with the runtime's URLs)."""
    calls = outputs.get("calls")
    livekit_url = calls.get("livekit_url") if isinstance(calls, dict) else None
    names = ("region", "http_api_url", "websocket_url", "user_pool_id", "user_pool_client_id", "hosted_ui_domain")
    return {name: outputs.get(name) for name in names} | {"livekit_url": livekit_url or None}


def stage_web_client(env_name: str, outputs: dict[str, object], target: Path | None = None) -> Path:
    """A copy of clients/web with ENV's config.json (in build/site/<env>/ by default), ready to publish."""
    source = WEB_CLIENT
    target = target or ROOT / "build" / "site" / env_name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(
        source, target, ignore=shutil.ignore_patterns(".*", "node_modules", "package.json", "package-lock.json")
    )
    (target / "config.json").write_text(json.dumps(client_config(outputs), indent=2, sort_keys=True) + "\n")
    return target


def cache_control(key: str) -> str:
    if key.endswith((".html", ".htm")) or key == "config.json":
        return "no-cache"
    if FINGERPRINTED.search(key):
        return "public, max-age=31536000, immutable"
    return "public, max-age=3600"


def content_type(key: str) -> str:
    guessed, _ = mimetypes.guess_type(key)
    if guessed is None:
        return "application/octet-stream"
    return (
        f"{guessed}; charset=utf-8" if guessed.startswith("text/") or guessed == "application/javascript" else guessed
    )


def remote_etags(s3: Any, bucket: str) -> dict[str, str]:
    etags: dict[str, str] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            etags[item["Key"]] = item["ETag"].strip('"')
    return etags


def publish(
    s3: Any, cloudfront: Any, bucket: str, distribution_id: str, site_dir: Path, *, prune: bool = False
) -> Report:
    """Upload what changed, optionally delete what is gone, invalidate the changed paths."""
    files = local_files(site_dir)
    existing = remote_etags(s3, bucket)
    report = Report()
    for key, path in files.items():
        body = path.read_bytes()
        if existing.get(key) == hashlib.md5(body, usedforsecurity=False).hexdigest():
            report.unchanged.append(key)
            continue
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type(key), CacheControl=cache_control(key))
        report.uploaded.append(key)
    if prune:
        report.deleted = sorted(set(existing) - set(files))
        for start in range(0, len(report.deleted), 1000):
            chunk = report.deleted[start : start + 1000]
            s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True})
    changed = report.uploaded + report.deleted
    if changed:
        paths = sorted({f"/{k}" for k in changed} | ({"/"} if "index.html" in changed else set()))
        report.invalidated_paths = ["/*"] if len(paths) > MAX_INVALIDATION_PATHS else paths
        response = cloudfront.create_invalidation(
            DistributionId=distribution_id,
            InvalidationBatch={
                "Paths": {"Quantity": len(report.invalidated_paths), "Items": report.invalidated_paths},
                "CallerReference": f"parley-deploy-site-{time.time_ns()}",
            },
        )
        report.invalidation_id = response["Invalidation"]["Id"]
    return report


def site_targets(env_name: str, outputs: dict[str, object]) -> tuple[str, str, str]:
    """(bucket, distribution id, site URL) from the environment's outputs."""
    bucket, distribution, url = (outputs.get(k) for k in ("site_bucket_name", "site_distribution_id", "site_url"))
    if not isinstance(bucket, str) or not isinstance(distribution, str):
        raise ToolError(
            f"ENV={env_name} has no static site: set site = {{ enabled = true }} in envs/{env_name}/terraform.tfvars, "
            f"then {'make up' if env_name == 'local' else f'make plan apply ENV={env_name}'}"
        )
    return bucket, distribution, str(url)


def clients(region: str, endpoint: str | None) -> tuple[Any, Any]:
    """S3 and CloudFront clients for the environment (the emulator's when an endpoint is given)."""
    try:
        import boto3  # noqa: PLC0415 - only in the venv ('make setup')
        from botocore.config import Config  # noqa: PLC0415
    except ImportError:
        raise ToolError("boto3 is missing: run 'make setup' first") from None
    options: dict[str, Any] = {"region_name": region}
    if endpoint is not None:
        options.update(endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test")
        options["config"] = Config(s3={"addressing_style": "path"})
    return boto3.client("s3", **options), boto3.client("cloudfront", **options)
