"""How the service is started: the command line behind ``python -m membership``."""
