"""The catalog's actions, called by the REST API and the console alike: one path each."""
