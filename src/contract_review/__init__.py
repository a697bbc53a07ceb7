"""contract-review: review the insurance terms of commercial contracts."""

__version__ = "0.1.0"
