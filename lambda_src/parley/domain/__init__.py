"""Business rules. No events, no boto3: adapters are passed in."""
