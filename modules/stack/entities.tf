# The app's declared entities (var.app_declarations, e.g. apps/kefir/app.json):
# modules/app_entities reads and checks them; api.tf adds the routes they
# generate to the api and api_public functions and gives both the declaration
# as the APP_ENTITIES setting.

module "app_entities" {
  source = "../app_entities"

  declarations = var.app_declarations
  # First path segments of the built-in HTTP routes, which no entity may take.
  reserved_paths = distinct(concat([for route in local.api_builtin_routes : split("/", route)[1]], ["health", "auth", "public"]))
}

locals {
  entity_routes      = module.app_entities.routes
  entity_environment = { APP_ENTITIES = module.app_entities.setting }
}
