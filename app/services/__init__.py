"""Use cases over the storage layer, for the UI and the CLI alike."""
