"""Text handling shared by the message view and the exports (no Qt, no store): :mod:`.fences`."""
