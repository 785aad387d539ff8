"""``python -m localitygis.cli``: the ``localitygis`` command."""

import sys

from localitygis.cli import main

sys.exit(main())
