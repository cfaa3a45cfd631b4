"""The dashboard server's defaults, importable without the server (the CLI's options use them)."""

from __future__ import annotations

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "MAX_UPLOAD_MB"]

# The dashboard serves this machine only unless told otherwise.
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8501
# Streamlit's own limit on one uploaded file, in MB (the loader's limit is larger).
MAX_UPLOAD_MB = 200
