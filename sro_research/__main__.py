import sys

from sro_research.cli import main

sys.exit(main())
