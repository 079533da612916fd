"""The OAI-PMH 2.0 data provider: request parsing and errors (`protocol`), signed resumption tokens (`tokens`)."""
