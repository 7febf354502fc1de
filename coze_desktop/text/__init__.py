"""Text rules every layer shares, without Qt or SQLite: what counts as a web link (:mod:`.links`)."""
