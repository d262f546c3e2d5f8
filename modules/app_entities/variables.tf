# Each check decodes the files itself: a validation may read its variable but no
# local derived from it (that would be a cycle). main.tf decodes them once more.

variable "declarations" {
  description = "The app's declarations (apps/<app>/app.json, JSON {\"entities\": [...]}; several are merged), as paths from the directory terraform runs in: each entity's path, key patterns, typed fields, owner rule, public flag, parent, linked chat room, reminder suggestions and TTL (docs/entities.md)."
  type        = list(string)
  nullable    = false

  validation {
    condition     = alltrue([for f in var.declarations : can(length(jsondecode(file(f)).entities))])
    error_message = "each of declarations must be a readable JSON file with an \"entities\" list (see apps/kefir/app.json)."
  }
  validation {
    condition     = alltrue([for e in flatten([for f in var.declarations : try(jsondecode(file(f)).entities, [])]) : can(regex("^[a-z][a-z0-9-]{0,39}$", e.path))])
    error_message = "declarations: each entity needs a path of 1-40 lowercase letters, digits or '-', starting with a letter."
  }
  validation {
    condition     = length([for e in flatten([for f in var.declarations : try(jsondecode(file(f)).entities, [])]) : try(e.path, "")]) == length(distinct([for e in flatten([for f in var.declarations : try(jsondecode(file(f)).entities, [])]) : try(e.path, "")]))
    error_message = "declarations: a path is declared twice: ${join(", ", distinct([for e in flatten([for f in var.declarations : try(jsondecode(file(f)).entities, [])]) : try(e.path, "") if length([for o in flatten([for f in var.declarations : try(jsondecode(file(f)).entities, [])]) : o if try(o.path, "") == try(e.path, "")]) > 1]))}."
  }
  validation {
    condition     = length(flatten([for e in flatten([for f in var.declarations : try(jsondecode(file(f)).entities, [])]) : [for name, f in try(e.fields, {}) : name if !contains(local.field_types, try(f.type, ""))]])) == 0
    error_message = format("declarations: an entity has a field of unknown type (allowed: %s): %s.", join(", ", local.field_types), join(", ", flatten([for e in flatten([for f in var.declarations : try(jsondecode(file(f)).entities, [])]) : [for name, f in try(e.fields, {}) : format("%s.%s (%s)", try(e.path, ""), name, try(f.type, "no type")) if !contains(local.field_types, try(f.type, ""))]])))
  }
  validation {
    condition     = length(flatten([for e in flatten([for f in var.declarations : try(jsondecode(file(f)).entities, [])]) : [for name in(try(e.parent, null) == null ? ["pk", "gsi1sk"] : ["sk"]) : name if !strcontains(try(e.keys[name], "{id}"), "{id}")]])) == 0
    error_message = "declarations: an entity has a key pattern without {id} (pk, gsi1sk and a child's sk must contain it): ${join(", ", flatten([for e in flatten([for f in var.declarations : try(jsondecode(file(f)).entities, [])]) : [for name in(try(e.parent, null) == null ? ["pk", "gsi1sk"] : ["sk"]) : "${try(e.path, "")}.keys.${name}" if !strcontains(try(e.keys[name], "{id}"), "{id}")]]))}."
  }
  validation {
    condition     = length([for e in flatten([for f in var.declarations : try(jsondecode(file(f)).entities, [])]) : try(e.path, "") if try(e.parent, null) != null && !contains([for p in flatten([for f in var.declarations : try(jsondecode(file(f)).entities, [])]) : try(p.path, "") if try(p.parent, null) == null], try(e.parent, ""))]) == 0
    error_message = "declarations: a child names an unknown parent (parent must be a declared top-level entity): ${join(", ", [for e in flatten([for f in var.declarations : try(jsondecode(file(f)).entities, [])]) : "${try(e.path, "")} (parent ${try(e.parent, "")})" if try(e.parent, null) != null && !contains([for p in flatten([for f in var.declarations : try(jsondecode(file(f)).entities, [])]) : try(p.path, "") if try(p.parent, null) == null], try(e.parent, ""))])}."
  }
  validation {
    condition     = length([for e in flatten([for f in var.declarations : try(jsondecode(file(f)).entities, [])]) : try(e.path, "") if contains(concat(var.reserved_paths, ["reminder-suggestions"]), try(e.path, ""))]) == 0
    error_message = "declarations: a path collides with a built-in route: ${join(", ", [for e in flatten([for f in var.declarations : try(jsondecode(file(f)).entities, [])]) : "/${try(e.path, "")}" if contains(concat(var.reserved_paths, ["reminder-suggestions"]), try(e.path, ""))])}."
  }
  validation {
    condition     = length([for e in flatten([for f in var.declarations : try(jsondecode(file(f)).entities, [])]) : try(e.path, "") if !contains(["owner", "room_members"], try(coalesce(e.owner, "owner"), "owner")) || (try(e.owner, "owner") == "room_members" && try(e.chat_room, false) != true) || (try(e.public_flag, null) != null && try(e.fields[e.public_flag].type, "") != "boolean") || (try(e.reminder_suggestions.from_field, null) != null && try(e.fields[e.reminder_suggestions.from_field].type, "") != "datetime")]) == 0
    error_message = "declarations: an entity breaks a rule (owner is owner or room_members; room_members needs chat_room; public_flag names a boolean field; reminder_suggestions.from_field a datetime field): ${join(", ", [for e in flatten([for f in var.declarations : try(jsondecode(file(f)).entities, [])]) : try(e.path, "") if !contains(["owner", "room_members"], try(coalesce(e.owner, "owner"), "owner")) || (try(e.owner, "owner") == "room_members" && try(e.chat_room, false) != true) || (try(e.public_flag, null) != null && try(e.fields[e.public_flag].type, "") != "boolean") || (try(e.reminder_suggestions.from_field, null) != null && try(e.fields[e.reminder_suggestions.from_field].type, "") != "datetime")])}."
  }
}

variable "reserved_paths" {
  description = "First path segments the app's other routes already use (e.g. rooms, me): no entity may take one."
  type        = list(string)
  nullable    = false
}
