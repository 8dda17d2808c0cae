import sys

from sro_research.build.cli import main

sys.exit(main())
