"""Text rules shared by the message view and the exports, without Qt or SQLite: the CommonMark
fences (:mod:`.fences`) and what counts as a web link (:mod:`.links`)."""
