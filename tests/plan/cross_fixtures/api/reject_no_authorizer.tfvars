name_prefix = "parley-dev"
routes      = { "GET /me" = { function = "api" } }
functions   = { api = { function_name = "f", invoke_arn = "arn" } }
cors        = { allow_origins = ["https://app.example.com"] }
jwt_authorizer = null
