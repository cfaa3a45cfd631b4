"""Foundations every layer shares: errors that locate bad input, cell rules, names, SQL helpers, business days."""
