"""Reading what users upload: safe readers, header mapping, validation, public-data adapters, previews."""
