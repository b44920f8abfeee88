"""Publishing: the page data read in one go, rendered to HTML, feeds,
badges and the public JSON, and kept in memory as the snapshot."""
