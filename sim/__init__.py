"""mentorsim: an agent-based simulator of a talent pipeline and its mentoring programs."""
__version__ = "0.1.0"
