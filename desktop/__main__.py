"""`python -m desktop`: the same as `no1window-desk`."""

import sys

from desktop.app import main

sys.exit(main())
