"""Pure mappings from catalog records to the formats the archive publishes."""
