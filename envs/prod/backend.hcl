# State for prod. S3 bucket names are global: rename the bucket (and table) to
# something unique to your organisation, then run `make bootstrap ENV=prod`,
# which creates exactly these two names.
bucket         = "parley-prod-tfstate"
key            = "parley/prod.tfstate"
region         = "us-east-1"
dynamodb_table = "parley-prod-tflock"
encrypt        = true
