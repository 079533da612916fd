"""The catalog domain: record types of contract v1, the data-policy rules and the store."""
