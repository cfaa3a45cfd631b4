"""Screening loaded organizations against designation lists (SAM.gov exclusions, FASCSA orders)."""
