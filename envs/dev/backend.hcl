# State for dev. S3 bucket names are global: rename the bucket (and table) to
# something unique to your organisation, then run `make bootstrap ENV=dev`,
# which creates exactly these two names.
bucket         = "parley-dev-tfstate"
key            = "parley/dev.tfstate"
region         = "us-east-1"
dynamodb_table = "parley-dev-tflock"
encrypt        = true
