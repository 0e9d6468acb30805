"""The output formats of a build: one module per format family."""
