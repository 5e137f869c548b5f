"""``python -m genesis_worker`` = the ``genesis-worker`` command."""

import sys

from genesis_worker.cli import main

sys.exit(main())
