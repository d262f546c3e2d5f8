# Stand-in for the auth feature's contract (modules/stack/auth.tf), until it lands.
locals {
  jwt_issuer    = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_standin"
  jwt_audience  = ["standin-client-id"]
  jwks_url      = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_standin/.well-known/jwks.json"
  user_pool_id  = "us-east-1_standin"
  user_pool_arn = "arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_standin"
}

# Stand-in for the schedules feature's reminder shard count (modules/stack/schedules.tf).
locals {
  reminder_shard_count = 4
}
