name_prefix    = "parley-dev"
routes         = { "GET /me" = { function = "missing" } }
functions      = { api = { function_name = "f", invoke_arn = "arn" } }
jwt_authorizer = { issuer = "https://issuer.example.com", audience = ["c"] }
cors           = { allow_origins = ["https://app.example.com"] }
