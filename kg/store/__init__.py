"""SPARQL over a build: the Oxigraph store, queries and their results, the named queries,
the server."""
