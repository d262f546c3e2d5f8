variable "app_declarations" {
  description = "The app's declarations (apps/<app>/app.json; several are merged), as paths from the directory terraform runs in; their entities get routes on the HTTP API (docs/entities.md). Empty: no app entities."
  type        = list(string)
  default     = []
  nullable    = false
}
