"""The Call Control controller: commands from the application drive legs; webhooks report what happened."""
