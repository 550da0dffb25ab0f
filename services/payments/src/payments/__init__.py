"""Payments: money accrued from meetings and claims by an effective-dated rate card."""
