"""Tinyforge control plane: the Django project and the core workload platform."""
