"""Testing helpers shared by every service's tests: fixtures for real infrastructure, scenarios."""
