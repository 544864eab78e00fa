"""Dashboard app over the published read-only copy of the warehouse."""
