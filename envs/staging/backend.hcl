# State for staging. S3 bucket names are global: rename the bucket (and table) to
# something unique to your organisation, then run `make bootstrap ENV=staging`,
# which creates exactly these two names. S3-native locking (use_lockfile = true,
# no dynamodb_table) is the other choice: see docs/stages.md.
bucket         = "parley-staging-tfstate"
key            = "parley/staging.tfstate"
region         = "us-east-1"
dynamodb_table = "parley-staging-tflock"
encrypt        = true
