"""Plan checks of modules/cognito: every sign-in method set, both code modes, dev vs prod settings."""

from __future__ import annotations

import json

from tests.plan.harness import PlanSession


def test_cognito_custom_mode_wires_the_three_challenge_triggers_and_custom_auth_client(plans: PlanSession) -> None:
    # Given the custom-auth case / When planned
    case = plans.case("cognito", "custom_dev")
    pool = case.one("aws_cognito_user_pool")
    client = case.one("aws_cognito_user_pool_client")
    # Then the pool calls the auth functions and the client only allows custom auth and refresh
    triggers = pool["lambda_config"][0]
    assert triggers["define_auth_challenge"].endswith(":function:parley-dev-auth-define")
    assert triggers["create_auth_challenge"].endswith(":function:parley-dev-auth-create")
    assert triggers["verify_auth_challenge_response"].endswith(":function:parley-dev-auth-verify")
    assert triggers["post_confirmation"].endswith(":function:parley-dev-auth-post-confirmation")
    assert not pool.get("sign_in_policy")
    assert sorted(client["explicit_auth_flows"]) == ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    # And the caller grants Cognito the invoke rights (each trigger function's own permission), not the pool
    assert case.count("aws_lambda_permission") == 0


def test_cognito_pool_is_passwordless_email_first_with_safe_defaults(plans: PlanSession) -> None:
    pool = plans.case("cognito", "custom_dev").one("aws_cognito_user_pool")
    assert pool["name"] == "parley-dev-users"
    assert pool["username_attributes"] == ["email"]
    assert pool["auto_verified_attributes"] == ["email"]
    assert pool["admin_create_user_config"][0]["allow_admin_create_user_only"] is False
    assert pool["account_recovery_setting"][0]["recovery_mechanism"] == [{"name": "verified_email", "priority": 1}]
    policy = pool["password_policy"][0]
    assert policy["minimum_length"] >= 12 and policy["require_symbols"] and policy["require_uppercase"]
    assert pool["mfa_configuration"] == "OPTIONAL"
    assert pool["software_token_mfa_configuration"] == [{"enabled": True}]
    assert pool["user_pool_tier"] == "ESSENTIALS"
    # The pool's own mail goes through the SES identity the module creates for the sender
    assert pool["email_configuration"][0]["email_sending_account"] == "DEVELOPER"
    assert pool["email_configuration"][0]["from_email_address"] == "parley <no-reply@example.com>"
    identity = plans.case("cognito", "custom_dev").one("aws_sesv2_email_identity")
    assert identity["email_identity"] == "no-reply@example.com"


def test_cognito_web_client_is_public_with_short_lived_tokens(plans: PlanSession) -> None:
    client = plans.case("cognito", "custom_dev").one("aws_cognito_user_pool_client")
    assert client["generate_secret"] is False
    assert client["prevent_user_existence_errors"] == "ENABLED"
    assert client["enable_token_revocation"] is True
    assert (client["access_token_validity"], client["id_token_validity"], client["refresh_token_validity"]) == (
        60,
        60,
        30,
    )
    assert client["token_validity_units"] == [
        {"access_token": "minutes", "id_token": "minutes", "refresh_token": "days"}
    ]
    assert client["auth_session_validity"] == 3
    assert client["allowed_oauth_flows_user_pool_client"] is False
    assert client["supported_identity_providers"] == ["COGNITO"]


def test_cognito_dev_and_prod_differ_in_protection_and_threat_detection(plans: PlanSession) -> None:
    dev = plans.case("cognito", "custom_dev").one("aws_cognito_user_pool")
    prod = plans.case("cognito", "native_prod_google").one("aws_cognito_user_pool")
    assert dev["deletion_protection"] == "INACTIVE"
    assert dev["user_pool_add_ons"][0]["advanced_security_mode"] == "OFF"
    assert prod["deletion_protection"] == "ACTIVE"
    assert prod["user_pool_add_ons"][0]["advanced_security_mode"] == "ENFORCED"
    assert prod["user_pool_tier"] == "PLUS"


def test_cognito_native_mode_uses_email_otp_first_factor_and_no_challenge_triggers(plans: PlanSession) -> None:
    case = plans.case("cognito", "native_prod_google")
    pool = case.one("aws_cognito_user_pool")
    client = case.one("aws_cognito_user_pool_client")
    assert pool["sign_in_policy"][0]["allowed_first_auth_factors"] == ["EMAIL_OTP", "PASSWORD"]
    config = pool["lambda_config"][0]
    assert config["define_auth_challenge"] is None and config["create_auth_challenge"] is None
    assert config["post_confirmation"].endswith(":function:parley-prod-auth-post-confirmation")
    assert sorted(client["explicit_auth_flows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_AUTH"]
    assert (client["access_token_validity"], client["refresh_token_validity"]) == (30, 7)
    # The sending identity is the sender's domain
    assert case.one("aws_sesv2_email_identity")["email_identity"] == "example.com"


def test_cognito_google_adds_provider_hosted_domain_and_oauth_code_flow(plans: PlanSession) -> None:
    case = plans.case("cognito", "native_prod_google")
    provider = case.one("aws_cognito_identity_provider")
    assert provider["provider_type"] == "Google"
    assert provider["attribute_mapping"]["email"] == "email"
    assert provider["attribute_mapping"]["name"] == "name"
    assert provider["provider_details"]["client_id"] == "1234-abc.apps.googleusercontent.com"
    assert case.one("aws_cognito_user_pool_domain")["domain"] == "example-login"
    client = case.one("aws_cognito_user_pool_client")
    assert client["allowed_oauth_flows_user_pool_client"] is True
    assert client["allowed_oauth_flows"] == ["code"]
    assert sorted(client["allowed_oauth_scopes"]) == ["email", "openid", "profile"]
    assert client["callback_urls"] == ["https://app.example.com/auth/callback", "myapp://callback"]
    assert sorted(client["supported_identity_providers"]) == ["COGNITO", "Google"]


def test_cognito_without_google_has_no_provider_and_no_domain(plans: PlanSession) -> None:
    case = plans.case("cognito", "custom_dev")
    assert case.count("aws_cognito_identity_provider") == 0
    assert case.count("aws_cognito_user_pool_domain") == 0


def test_cognito_google_domain_defaults_to_the_name_prefix(plans: PlanSession) -> None:
    case = plans.case("cognito", "custom_google_emulator")
    assert case.one("aws_cognito_user_pool_domain")["domain"] == "parley-local"
    # An existing SES identity is used as is
    assert case.count("aws_sesv2_email_identity") == 0
    pool = case.one("aws_cognito_user_pool")
    assert pool["email_configuration"][0]["source_arn"] == "arn:aws:ses:eu-west-1:123456789012:identity/example.com"
    assert pool["software_token_mfa_configuration"] == []


def test_cognito_identity_pool_is_authenticated_only_and_scoped_to_own_uploads(plans: PlanSession) -> None:
    case = plans.case("cognito", "native_prod_google")
    identities = case.one("aws_cognito_identity_pool")
    assert identities["allow_unauthenticated_identities"] is False
    assert identities["allow_classic_flow"] is False
    roles = {v["values"]["name"]: v["values"] for v in case.of_type("aws_iam_role").values()}
    assert list(roles) == ["parley-prod-identity-authenticated"]
    policy = json.loads(case.one("aws_iam_role_policy")["policy"])
    own = next(s for s in policy["Statement"] if s["Sid"] == "OwnUploads")
    # The API's prefix (lambda_src/parley/domain/files.py), keyed by the user pool's sub as a session tag
    assert own["Resource"] == "arn:aws:s3:::parley-prod-uploads/users/${aws:PrincipalTag/user}/*"
    assert "s3:*" not in json.dumps(policy)
    assert case.count("aws_cognito_identity_pool_roles_attachment") == 1
    tags = case.one("aws_cognito_identity_pool_provider_principal_tag")
    assert tags["principal_tags"] == {"user": "sub"} and tags["use_defaults"] is False


def test_cognito_emulator_leaves_out_the_role_attachment(plans: PlanSession) -> None:
    case = plans.case("cognito", "custom_google_emulator")
    assert case.count("aws_cognito_identity_pool") == 1
    assert case.count("aws_cognito_identity_pool_roles_attachment") == 0
    assert case.count("aws_cognito_identity_pool_provider_principal_tag") == 0
    # The emulator reports no feature tier: none is set there, so a second plan shows no change
    assert case.one("aws_cognito_user_pool").get("user_pool_tier") is None
    # Unauthenticated access, when allowed, gets a role with no permissions
    assert case.count("aws_iam_role") == 2
    assert case.count("aws_iam_role_policy") == 0


def test_cognito_identity_pool_toggle_off(plans: PlanSession) -> None:
    case = plans.case("cognito", "no_identity_pool")
    assert case.count("aws_cognito_identity_pool") == 0
    assert case.count("aws_iam_role") == 0


def test_cognito_google_only_has_no_cognito_provider_and_no_code_flows(plans: PlanSession) -> None:
    case = plans.case("cognito", "google_only")
    client = case.one("aws_cognito_user_pool_client")
    assert client["supported_identity_providers"] == ["Google"]
    assert client["explicit_auth_flows"] == ["ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["allowed_oauth_flows"] == ["code"] and client["allowed_oauth_flows_user_pool_client"] is True
    pool = case.one("aws_cognito_user_pool")
    assert not pool.get("sign_in_policy")
    config = pool["lambda_config"][0]
    assert config["define_auth_challenge"] is None and config["verify_auth_challenge_response"] is None
    assert config["post_confirmation"].endswith(":function:parley-video-auth-post-confirmation")
    assert case.one("aws_cognito_user_pool_domain")["domain"] == "parley-video"
    assert case.count("aws_cognito_identity_provider") == 1


def test_cognito_email_and_google_offer_both_providers(plans: PlanSession) -> None:
    client = plans.case("cognito", "custom_google_emulator").one("aws_cognito_user_pool_client")
    assert client["supported_identity_providers"] == ["COGNITO", "Google"]
    assert sorted(client["explicit_auth_flows"]) == ["ALLOW_CUSTOM_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def test_cognito_rejects_contradictory_sign_in_methods(plans: PlanSession) -> None:
    assert 'sign_in_methods "google" needs google.client_id' in plans.rejection(
        "cognito", "reject_at_plan_google_without_client"
    )
    assert 'without "email_otp" (Google only) takes no custom-auth challenge triggers' in plans.rejection(
        "cognito", "reject_at_plan_google_only_with_triggers"
    )
    assert 'google settings are set but sign_in_methods has no "google"' in plans.rejection(
        "cognito", "reject_at_plan_google_settings_without_google"
    )
    for case in ("reject_unknown_sign_in_method", "reject_no_sign_in_method"):
        assert 'sign_in_methods must list "email_otp", "google" or both' in plans.rejection("cognito", case), case


def test_cognito_rejects_inconsistent_combinations(plans: PlanSession) -> None:
    assert "needs user_pool.triggers.define_auth_challenge" in plans.rejection(
        "cognito", "reject_at_plan_custom_without_triggers"
    )
    assert "takes no custom-auth challenge triggers" in plans.rejection("cognito", "reject_native_with_triggers")
    assert "needs user_pool.tier ESSENTIALS or PLUS" in plans.rejection("cognito", "reject_native_on_lite")
    assert "needs user_pool.tier PLUS" in plans.rejection("cognito", "reject_threat_protection_without_plus")
    assert "must be https:// URLs" in plans.rejection("cognito", "reject_insecure_callback")
    assert "must be an email address" in plans.rejection("cognito", "reject_bad_sender")
    assert "must be the domain of email.from_address" in plans.rejection("cognito", "reject_sender_outside_domain")
    assert "auth_session_minutes must be between 3 and 15" in plans.rejection("cognito", "reject_session_too_short")
