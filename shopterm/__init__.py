"""shopterm — a keyboard-driven terminal app that runs a shop's whole sales day."""

__version__ = "0.1.0"
