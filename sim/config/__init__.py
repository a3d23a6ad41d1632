"""Configuration: the dataclass schemas of every section, composition with Hydra, validation.

The lowest layer: it imports no other part of the package. Every other layer reads a `Config`.
"""
