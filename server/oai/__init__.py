"""OAI-PMH 2.0 data provider: protocol (verbs, arguments, errors), resumption tokens, response rendering."""
