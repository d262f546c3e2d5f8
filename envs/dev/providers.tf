provider "aws" {
  region = var.region

  default_tags {
    tags = { App = var.app, Env = var.env, ManagedBy = "terraform" }
  }
}
