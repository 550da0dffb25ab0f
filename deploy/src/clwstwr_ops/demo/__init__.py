"""A realistic Wales: the generators behind ``clwstwr-ops demo load`` and the service benchmarks.

``membership_wales`` plans each cluster's organisations, people, memberships and leads as gRPC
calls; ``meetings_wales`` turns a body and its members into a year of meetings, command by
command. ``load`` drives both through the running platform's public APIs.
"""
