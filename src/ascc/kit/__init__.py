"""Domain-free pieces: errors that carry an HTTP status, pagination, hashing."""
