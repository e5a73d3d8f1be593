"""Import readers."""
