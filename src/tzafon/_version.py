"""The package's name and version, read by the user-agent header and `tzafon.__version__`."""

__title__ = "tzafon"
__version__ = "0.1.0"
