import sys

from nntui.cli import main

sys.exit(main())
