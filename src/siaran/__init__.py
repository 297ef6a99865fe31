"""siaran: broadcasts for Indonesian village offices."""
