import sys

from unlinkable.cli import main

sys.exit(main())
