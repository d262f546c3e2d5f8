# Stand-in for the auth feature's contract (deleted when auth.tf arrives).
locals {
  jwt_issuer   = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_STANDIN"
  jwt_audience = ["standin-client-id"]
  jwks_url     = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_STANDIN/.well-known/jwks.json"
}
