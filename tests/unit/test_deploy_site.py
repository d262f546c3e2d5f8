"""make deploy-site: upload what changed, invalidate those paths, prune on request."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tools import site
from tools.tfenv import ToolError

BUCKET = "parley-test-site"


@pytest.fixture
def aws() -> Iterator[tuple[Any, Any, str]]:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        cloudfront = boto3.client("cloudfront", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        origin = {
            "Id": "site-bucket",
            "DomainName": f"{BUCKET}.s3.us-east-1.amazonaws.com",
            "S3OriginConfig": {"OriginAccessIdentity": ""},
        }
        distribution = cloudfront.create_distribution(
            DistributionConfig={
                "CallerReference": "test",
                "Comment": "test",
                "Enabled": True,
                "Origins": {"Quantity": 1, "Items": [origin]},
                "DefaultCacheBehavior": {"TargetOriginId": "site-bucket", "ViewerProtocolPolicy": "redirect-to-https"},
            }
        )
        yield s3, cloudfront, distribution["Distribution"]["Id"]


@pytest.fixture
def build(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>parley</title>")
    (tmp_path / "assets" / "app.3f9a1c2b.js").write_text("console.log('v1')")
    (tmp_path / "favicon.ico").write_bytes(b"\x00\x00\x01\x00")
    (tmp_path / ".DS_Store").write_bytes(b"junk")
    return tmp_path


def test_deploy_site_first_publish_uploads_everything_with_headers(aws: tuple[Any, Any, str], build: Path) -> None:
    s3, cloudfront, distribution = aws
    # When a build is published for the first time
    report = site.publish(s3, cloudfront, BUCKET, distribution, build)
    # Then every file (hidden ones aside) is uploaded with its type and caching
    assert sorted(report.uploaded) == ["assets/app.3f9a1c2b.js", "favicon.ico", "index.html"]
    index = s3.head_object(Bucket=BUCKET, Key="index.html")
    assert index["ContentType"] == "text/html; charset=utf-8" and index["CacheControl"] == "no-cache"
    asset = s3.head_object(Bucket=BUCKET, Key="assets/app.3f9a1c2b.js")
    assert asset["CacheControl"] == "public, max-age=31536000, immutable"
    assert s3.head_object(Bucket=BUCKET, Key="favicon.ico")["CacheControl"] == "public, max-age=3600"
    # And CloudFront forgets the changed paths, the root included
    assert "/" in report.invalidated_paths and "/index.html" in report.invalidated_paths
    invalidations = cloudfront.list_invalidations(DistributionId=distribution)["InvalidationList"]
    assert invalidations["Quantity"] == 1


def test_deploy_site_republish_of_the_same_build_changes_nothing(aws: tuple[Any, Any, str], build: Path) -> None:
    s3, cloudfront, distribution = aws
    site.publish(s3, cloudfront, BUCKET, distribution, build)
    report = site.publish(s3, cloudfront, BUCKET, distribution, build)
    assert report.uploaded == [] and len(report.unchanged) == 3
    assert report.invalidation_id is None


def test_deploy_site_uploads_and_invalidates_only_what_changed(aws: tuple[Any, Any, str], build: Path) -> None:
    s3, cloudfront, distribution = aws
    site.publish(s3, cloudfront, BUCKET, distribution, build)
    (build / "favicon.ico").write_bytes(b"\x00\x00\x01\x00new")
    report = site.publish(s3, cloudfront, BUCKET, distribution, build)
    assert report.uploaded == ["favicon.ico"]
    assert report.invalidated_paths == ["/favicon.ico"]


def test_deploy_site_keeps_old_files_unless_pruning(aws: tuple[Any, Any, str], build: Path) -> None:
    s3, cloudfront, distribution = aws
    site.publish(s3, cloudfront, BUCKET, distribution, build)
    (build / "assets" / "app.3f9a1c2b.js").unlink()
    (build / "assets" / "app.77aa88bb.js").write_text("console.log('v2')")
    kept = site.publish(s3, cloudfront, BUCKET, distribution, build)
    assert kept.deleted == []
    assert "assets/app.3f9a1c2b.js" in site.remote_etags(s3, BUCKET)
    pruned = site.publish(s3, cloudfront, BUCKET, distribution, build, prune=True)
    assert pruned.deleted == ["assets/app.3f9a1c2b.js"]
    assert "assets/app.3f9a1c2b.js" not in site.remote_etags(s3, BUCKET)


def test_deploy_site_many_changes_use_one_wildcard(aws: tuple[Any, Any, str], build: Path) -> None:
    s3, cloudfront, distribution = aws
    for n in range(20):
        (build / "assets" / f"chunk{n}.js").write_text(str(n))
    report = site.publish(s3, cloudfront, BUCKET, distribution, build)
    assert report.invalidated_paths == ["/*"]


def test_deploy_site_refuses_a_folder_without_index_html(tmp_path: Path) -> None:
    with pytest.raises(ToolError, match=r"has no index\.html"):
        site.local_files(tmp_path)


def test_deploy_site_says_how_to_switch_the_site_on(tmp_path: Path) -> None:
    with pytest.raises(ToolError, match=r"set site = \{ enabled = true \} in envs/dev/terraform.tfvars"):
        site.site_targets("dev", {"site_bucket_name": None, "site_distribution_id": None, "site_url": None})


def test_deploy_site_stages_the_web_client_with_the_env_config(aws: tuple[Any, Any, str], tmp_path: Path) -> None:
    s3, cloudfront, distribution = aws
    outputs = {
        "region": "eu-west-1",
        "http_api_url": "https://api.example.com/",
        "websocket_url": "wss://ws.example.com/live",
        "user_pool_id": "eu-west-1_abc",
        "user_pool_client_id": "client123",
        "hosted_ui_domain": None,
        "calls": {"livekit_url": "wss://livekit.example.com", "queue_url": "https://sqs.example.com/q"},
        "table_name": "not for browsers",
    }
    staged = site.stage_web_client("dev", outputs, tmp_path / "staged")
    # Then the client's files are there with the env's settings, and nothing of npm's
    assert json.loads((staged / "config.json").read_text()) == {
        "region": "eu-west-1",
        "http_api_url": "https://api.example.com/",
        "websocket_url": "wss://ws.example.com/live",
        "user_pool_id": "eu-west-1_abc",
        "user_pool_client_id": "client123",
        "hosted_ui_domain": None,
        "livekit_url": "wss://livekit.example.com",
    }
    assert {"index.html", "app.js", "api.js", "crypto.js", "style.css", "vendor"} <= {p.name for p in staged.iterdir()}
    assert not (staged / "package.json").exists() and not (staged / "node_modules").exists()
    # And config.json is never cached long: a new deploy's settings show at once
    site.publish(s3, cloudfront, BUCKET, distribution, staged)
    assert s3.head_object(Bucket=BUCKET, Key="config.json")["CacheControl"] == "no-cache"
    assert s3.head_object(Bucket=BUCKET, Key="app.js")["ContentType"] == "text/javascript; charset=utf-8"


def test_deploy_site_config_without_media_servers_has_no_livekit_url(tmp_path: Path) -> None:
    assert site.client_config({"calls": {"livekit_url": ""}})["livekit_url"] is None
    assert site.client_config({})["livekit_url"] is None
