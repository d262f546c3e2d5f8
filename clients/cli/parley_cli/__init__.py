"""parley's command-line relay peer: ``python -m parley_cli relay open|join CODE``."""
