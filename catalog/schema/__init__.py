"""The JSON Schema of record contract v1 (data, read with importlib.resources)."""
