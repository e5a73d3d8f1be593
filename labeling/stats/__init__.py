"""Plain statistics on labels (no Django): what selectors and services compute with."""
