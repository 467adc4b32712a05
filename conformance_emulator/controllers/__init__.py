"""Controllers drive legs of the backend on behalf of an application (today: the TeXML interpreter)."""
