"""modeller: reported Russia–Ukraine territorial proposals as areas, people and maps."""

__version__ = "0.1.0"
