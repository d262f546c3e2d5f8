"""parley: the functions behind a serverless real-time conversation backend."""

__version__ = "0.1.0"
