"""The TeXML interpreter as a controller: documents fetched from the application drive a leg."""
