"""`python -m ccdeck`: the command line (the background supervisor of `ccdeck run --detach` starts this way)."""

import sys

from ccdeck.entry import main

sys.exit(main())
