"""App secrets: a function reads only the secrets Terraform listed for it."""

from __future__ import annotations

from typing import Any

import pytest

from parley.adapters import aws, secrets
from parley.errors import NotFound


def test_app_secret_reads_a_listed_secret_and_refuses_others(aws_mock: Any) -> None:
    # Given one app secret listed for this function
    aws.client("secretsmanager").create_secret(Name="parley-test/app/maps_api_key", SecretString="k-123")
    listed = {"maps_api_key": "parley-test/app/maps_api_key"}
    # When read by name / Then its value; an unlisted name is refused
    assert secrets.app_secret(listed, "maps_api_key") == "k-123"
    with pytest.raises(NotFound):
        secrets.app_secret(listed, "other")
