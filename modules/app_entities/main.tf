# An app's declared entities (apps/<app>/app.json): the declarations read,
# merged and checked (variables.tf), the HTTP routes they generate, and the
# setting the functions read them from. parley/domain/entities.py (under
# lambda_src/) parses the same files with the same rules and more.

locals {
  # Decoded and merged; try() leaves a malformed file to the validations' messages.
  declared_entities = flatten([for f in var.declarations : try(jsondecode(file(f)).entities, [])])
  field_types       = ["string", "integer", "number", "boolean", "enum", "datetime", "upload"]

  # Route key -> signed in (true) or public (false); parley.domain.entities.Declaration.route_keys lists the same.
  routes = merge(flatten([
    for e in local.declared_entities : try(e.parent, null) == null ? [
      {
        "POST /${e.path}"        = true
        "GET /${e.path}"         = true
        "GET /${e.path}/{id}"    = true
        "PATCH /${e.path}/{id}"  = true
        "DELETE /${e.path}/{id}" = true
      },
      try(e.public_flag, null) == null ? {} : { "GET /public/${e.path}/{id}" = false },
      length(try(e.reminder_suggestions.items, [])) == 0 ? {} : {
        "GET /${e.path}/{id}/reminder-suggestions"          = true
        "POST /${e.path}/{id}/reminder-suggestions/{index}" = true
      },
      ] : [{
        "POST /${e.parent}/{id}/${e.path}"              = true
        "GET /${e.parent}/{id}/${e.path}"               = true
        "DELETE /${e.parent}/{id}/${e.path}/{child_id}" = true
    }]
  ])...)
}
