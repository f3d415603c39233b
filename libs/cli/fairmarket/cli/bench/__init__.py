"""`fairmarket bench`: figures two runs can be compared on (machine, settings, results)."""
