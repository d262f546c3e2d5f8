"""Plan checks of modules/static_site: private bucket, OAC, headers, SPA fallback, domain, edge sign-in."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import ROOT
from tests.plan.harness import PlanSession
from tools import hcl


def _distribution(plans: PlanSession, case: str) -> dict[str, Any]:
    return plans.case("static_site", case).one("aws_cloudfront_distribution")


def test_static_site_bucket_is_private_and_encrypted(plans: PlanSession) -> None:
    case = plans.case("static_site", "defaults")
    assert case.one("aws_s3_bucket")["bucket"] == "parley-dev-site"
    block = case.one("aws_s3_bucket_public_access_block")
    assert all(
        block[k] is True
        for k in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
    )
    assert case.one("aws_s3_bucket_ownership_controls")["rule"][0]["object_ownership"] == "BucketOwnerEnforced"
    sse = case.one("aws_s3_bucket_server_side_encryption_configuration")["rule"][0]
    assert sse["apply_server_side_encryption_by_default"][0]["sse_algorithm"] == "AES256"


def test_static_site_origin_uses_origin_access_control(plans: PlanSession) -> None:
    case = plans.case("static_site", "defaults")
    oac = case.one("aws_cloudfront_origin_access_control")
    assert (oac["origin_access_control_origin_type"], oac["signing_behavior"], oac["signing_protocol"]) == (
        "s3",
        "always",
        "sigv4",
    )
    dist = case.of_type("aws_cloudfront_distribution").popitem()[1]
    origin_unknown = dist["after_unknown"]["origin"]
    # The origin's OAC id and bucket domain are only known after apply: both wired, no legacy OAI.
    assert any(o.get("origin_access_control_id") is True and o.get("domain_name") is True for o in origin_unknown)
    assert all(not o.get("s3_origin_config") for o in dist["values"]["origin"])


def test_static_site_bucket_policy_lets_only_this_distribution_read(plans: PlanSession) -> None:
    case = plans.case("static_site", "defaults")
    (policy,) = case.of_type("aws_s3_bucket_policy").values()
    # The policy names the distribution's ARN, known after apply: read what the module asks of the bucket.
    assert policy["after_unknown"]["policy"] is True
    (bucket,) = [
        b['"bucket"'] for b in hcl.load(ROOT / "modules" / "static_site" / "main.tf")["module"] if '"bucket"' in b
    ]
    assert bucket["source"].strip('"') == "../private_bucket" and bucket["tls_only_enabled"] == "${!var.emulator}"
    (sid, statement), *others = bucket["policy_statements"].items()
    assert (sid, others) == ("CloudFrontReadsThroughOAC", [])
    assert statement["service"].strip('"') == "cloudfront.amazonaws.com"
    assert [a.strip('"') for a in statement["actions"]] == ["s3:GetObject"]
    assert [p.strip('"') for p in statement["paths"]] == ["*"]
    assert statement["source_arns"] == ["${aws_cloudfront_distribution.this.arn}"]
    # modules/private_bucket turns these into the policy (tests/plan/test_private_bucket.py reads it)


def test_static_site_is_https_only_with_modern_protocols(plans: PlanSession) -> None:
    dist = _distribution(plans, "defaults")
    behaviour = dist["default_cache_behavior"][0]
    assert behaviour["viewer_protocol_policy"] == "redirect-to-https"
    assert behaviour["allowed_methods"] == ["GET", "HEAD", "OPTIONS"] or sorted(behaviour["allowed_methods"]) == [
        "GET",
        "HEAD",
        "OPTIONS",
    ]
    assert dist["viewer_certificate"][0]["cloudfront_default_certificate"] is True
    custom = _distribution(plans, "existing_certificate")["viewer_certificate"][0]
    assert custom["minimum_protocol_version"] == "TLSv1.2_2021" and custom["ssl_support_method"] == "sni-only"
    assert custom["acm_certificate_arn"].startswith("arn:aws:acm:us-east-1:")


def test_static_site_spa_fallback_answers_index_html(plans: PlanSession) -> None:
    dist = _distribution(plans, "defaults")
    rules = {r["error_code"]: r for r in dist["custom_error_response"]}
    assert sorted(rules) == [403, 404]
    assert all(r["response_code"] == 200 and r["response_page_path"] == "/index.html" for r in rules.values())
    assert dist["default_root_object"] == "index.html"


def test_static_site_security_headers_policy(plans: PlanSession) -> None:
    case = plans.case("static_site", "defaults")
    headers = case.one("aws_cloudfront_response_headers_policy")["security_headers_config"][0]
    hsts = headers["strict_transport_security"][0]
    assert hsts["access_control_max_age_sec"] == 63072000 and hsts["include_subdomains"] is True
    assert headers["frame_options"][0]["frame_option"] == "DENY"
    assert headers["content_type_options"][0]["override"] is True
    assert headers["referrer_policy"][0]["referrer_policy"] == "strict-origin-when-cross-origin"
    assert "frame-ancestors 'none'" in headers["content_security_policy"][0]["content_security_policy"]
    dist = case.of_type("aws_cloudfront_distribution").popitem()[1]
    assert dist["after_unknown"]["default_cache_behavior"][0]["response_headers_policy_id"] is True


def test_static_site_custom_domain_validates_a_us_east_1_certificate_and_aliases(plans: PlanSession) -> None:
    case = plans.case("static_site", "full")
    cert = case.of_type("aws_acm_certificate").popitem()
    assert cert[1]["values"]["domain_name"] == "app.example.com"
    assert sorted(cert[1]["values"]["subject_alternative_names"]) == ["app.example.com", "www.example.com"]
    assert case.count("aws_acm_certificate_validation") == 1
    records = [v["values"] for v in case.of_type("aws_route53_record").values()]
    aliases = sorted((r["name"], r["type"]) for r in records if r.get("alias"))
    assert aliases == [
        ("app.example.com", "A"),
        ("app.example.com", "AAAA"),
        ("www.example.com", "A"),
        ("www.example.com", "AAAA"),
    ]
    assert sorted(_distribution(plans, "full")["aliases"]) == ["app.example.com", "www.example.com"]
    assert plans.case("static_site", "existing_certificate").count("aws_acm_certificate") == 0


def test_static_site_access_logs_toggle(plans: PlanSession) -> None:
    full = plans.case("static_site", "full")
    assert {v["values"]["bucket"] for v in full.of_type("aws_s3_bucket").values()} == {
        "parley-prod-site",
        "parley-prod-site-logs",
    }
    assert full.one("aws_s3_bucket_lifecycle_configuration")["rule"][0]["expiration"][0]["days"] == 30
    assert len(_distribution(plans, "full")["logging_config"]) == 1
    assert _distribution(plans, "defaults")["logging_config"] == []
    assert plans.case("static_site", "defaults").count("aws_s3_bucket") == 1


def test_static_site_edge_auth_toggle(plans: PlanSession) -> None:
    full = plans.case("static_site", "full")
    edge = full.one("aws_lambda_function")
    assert edge["function_name"] == "parley-prod-site-auth"
    assert (edge["runtime"], edge["architectures"], edge["publish"], edge["timeout"]) == (
        "python3.12",
        ["x86_64"],
        True,
        5,
    )
    assert edge["environment"] == []  # Lambda@Edge has no environment variables
    role = full.one("aws_iam_role")
    assert role["permissions_boundary"] == "arn:aws:iam::123456789012:policy/parley-boundary-prod"
    trust = json.loads(role["assume_role_policy"])
    assert sorted(trust["Statement"][0]["Principal"]["Service"]) == ["edgelambda.amazonaws.com", "lambda.amazonaws.com"]
    association = _distribution(plans, "full")["default_cache_behavior"][0]["lambda_function_association"]
    assert len(association) == 1 and association[0]["event_type"] == "viewer-request"
    assert plans.case("static_site", "defaults").count("aws_lambda_function") == 0
    assert _distribution(plans, "defaults")["default_cache_behavior"][0]["lambda_function_association"] == []


def test_static_site_on_the_emulator_leaves_out_what_it_cannot_create(plans: PlanSession) -> None:
    case = plans.case("static_site", "emulator")
    assert case.count("aws_cloudfront_response_headers_policy") == 0
    assert case.count("aws_cloudfront_distribution") == 1
    assert case.count("aws_cloudfront_origin_access_control") == 1
    dist = _distribution(plans, "emulator")
    assert dist["wait_for_deployment"] is False
    # The emulator does not keep an origin's OAC attachment: it is left off there, and on everywhere else.
    assert dist["origin"][0].get("origin_access_control_id") in (None, "")
    assert len(dist["default_cache_behavior"][0]["forwarded_values"]) == 1
    assert _distribution(plans, "defaults")["default_cache_behavior"][0]["forwarded_values"] == []


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("reject_certificate_region", "must be an ACM certificate in us-east-1"),
        ("reject_domain_without_certificate", "domain needs certificate_arn"),
        ("reject_edge_auth_without_package", "edge_auth.package (filename, source_code_hash, handler) is required"),
        ("reject_price_class", "price_class must be PriceClass_100"),
        ("reject_edge_auth_without_config", "edge_auth.package has no baked config"),
    ],
)
def test_static_site_rejects_bad_input(plans: PlanSession, case: str, message: str) -> None:
    assert message in plans.rejection("static_site", case)
