"""The dashboard's library side: the server, uploads, what the pages draw."""
