# Addresses of earlier versions of the stack, so an applied stack upgrades in
# place: each function was its own module block, the artifacts bucket's
# resources lived here, and Cognito's invoke permissions lived in the cognito
# module. tests/static/test_stack_layout.py checks every old address is here.

moved {
  from = module.api_function
  to   = module.function["api"]
}

moved {
  from = module.api_public_function
  to   = module.function["api_public"]
}

moved {
  from = module.ws_function
  to   = module.function["ws"]
}

moved {
  from = module.ws_authorizer_function
  to   = module.function["ws_authorizer"]
}

moved {
  from = module.match_function
  to   = module.function["match"]
}

moved {
  from = module.call_token_function
  to   = module.function["call_token"]
}

moved {
  from = module.reminders_function
  to   = module.function["reminders"]
}

moved {
  from = module.points_reset_function
  to   = module.function["points_reset"]
}

moved {
  from = module.auth_define_function[0]
  to   = module.function["auth_define"]
}

moved {
  from = module.auth_create_function[0]
  to   = module.function["auth_create"]
}

moved {
  from = module.auth_verify_function[0]
  to   = module.function["auth_verify"]
}

moved {
  from = module.auth_post_confirmation_function
  to   = module.function["auth_post_confirmation"]
}

moved {
  from = module.cognito.aws_lambda_permission.trigger["define_auth_challenge"]
  to   = module.function["auth_define"].aws_lambda_permission.this["AllowCognito-define-auth-challenge"]
}

moved {
  from = module.cognito.aws_lambda_permission.trigger["create_auth_challenge"]
  to   = module.function["auth_create"].aws_lambda_permission.this["AllowCognito-create-auth-challenge"]
}

moved {
  from = module.cognito.aws_lambda_permission.trigger["verify_auth_challenge_response"]
  to   = module.function["auth_verify"].aws_lambda_permission.this["AllowCognito-verify-auth-challenge-response"]
}

moved {
  from = module.cognito.aws_lambda_permission.trigger["post_confirmation"]
  to   = module.function["auth_post_confirmation"].aws_lambda_permission.this["AllowCognito-post-confirmation"]
}

moved {
  from = aws_s3_bucket.artifacts
  to   = module.artifacts_bucket.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_public_access_block.artifacts
  to   = module.artifacts_bucket.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_server_side_encryption_configuration.artifacts
  to   = module.artifacts_bucket.aws_s3_bucket_server_side_encryption_configuration.this
}

moved {
  from = aws_s3_bucket_policy.artifacts
  to   = module.artifacts_bucket.aws_s3_bucket_policy.this
}
