"""``python -m localitygis.demo [FOLDER]``: write the demo county's files."""

import sys

from localitygis.demo.county import main

sys.exit(main())
