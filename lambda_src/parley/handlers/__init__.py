"""Thin adapters, one module per deployed function: parse the event, call the domain, shape the response."""
