"""Provider implementations, one module per kind of git server."""
