"""protocat: a catalogue of clinical exercise protocols mapped from bibliographic records."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("protocat")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"
