"""`python -m memviz ...`: see memviz.cli."""

import sys

from memviz.cli import main

sys.exit(main())
