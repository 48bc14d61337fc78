"""Widgets shared by the problem screens."""
