"""Text rules shared by the message view and the exports, without Qt or SQLite: the CommonMark
fences (:mod:`.fences`), what counts as a web link (:mod:`.links`), and what a file is, told by
its first bytes (:mod:`.media`: shared by the client and the store)."""
