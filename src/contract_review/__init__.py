"""contract-review: review the insurance terms of commercial contracts."""

# The one source of the package version: pyproject.toml reads it from here.
__version__ = "0.2.0.dev0"
