import sys

from corridors.cli import main

sys.exit(main())
