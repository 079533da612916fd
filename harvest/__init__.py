"""Getting records in: the contract-v1 loader, and (to come) the OAI-PMH harvester."""
