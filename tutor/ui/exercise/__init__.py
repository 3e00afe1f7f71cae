"""The code exercise block: a compact panel in the lab pane and a full-screen editor."""
