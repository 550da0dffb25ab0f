"""Reporting: insight into how cluster working is going (maturity, peer review, compliance)."""
