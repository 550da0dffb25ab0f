"""Membership: who is who in NHS Wales primary care clusters (boards, clusters, collaboratives)."""
