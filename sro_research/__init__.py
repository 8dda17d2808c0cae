"""sro-research: reproduce and audit the evidence behind MPS's 2017 SRO decision."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sro-research")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
