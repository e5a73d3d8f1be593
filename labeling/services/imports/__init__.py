"""Import jobs."""
