"""The shop's console: server-rendered pages over the catalog, for people at the counter.

Every action calls the same service functions as the REST API (fairmarket.catalog.service)
or, for the intake's actions, the intake's REST API with the person's own token.
"""
