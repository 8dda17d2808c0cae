"""sro-research: reproduce and audit the evidence behind MPS's 2017 SRO decision."""


def __getattr__(name: str):
    # Looked up on first use, not at import: importlib.metadata costs a tenth of a second, and a
    # build with nothing to do must finish in well under half a second (docs/scheduling.md).
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("sro-research")
        except PackageNotFoundError:  # running from a source tree that was never installed
            return "0.0.0+unknown"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
