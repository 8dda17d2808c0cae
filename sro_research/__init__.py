"""sro-research: reproduce and audit the evidence behind a school district's decision on police in its schools
(School Resource Officers); the district is a profile, `districts/<slug>.toml` (see `sro_research.district`)."""


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
