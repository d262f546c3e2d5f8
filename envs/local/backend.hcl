# State on the local emulator; AWS_ENDPOINT_URL (set by `make up`) points there.
bucket                      = "parley-local-tfstate"
key                         = "parley/local.tfstate"
region                      = "us-east-1"
dynamodb_table              = "parley-local-tflock"
encrypt                     = true
use_path_style              = true
access_key                  = "test"
secret_key                  = "test"
skip_credentials_validation = true
skip_requesting_account_id  = true
skip_metadata_api_check     = true
