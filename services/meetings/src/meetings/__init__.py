"""Clwstwr meetings: what happened at the meetings of clusters, collaboratives and PCPGs."""
