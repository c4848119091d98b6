"""``python -m janus_lite …`` is the ``janus-lite`` command (see janus_lite.cli)."""
import sys

from .cli import main

sys.exit(main())
