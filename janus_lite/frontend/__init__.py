"""AST → IR conversion."""
from .errors import ConversionError
from .convert import convert
from .unsupported import check_supported

__all__ = ["ConversionError", "convert", "check_supported"]
