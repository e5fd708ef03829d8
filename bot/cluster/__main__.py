import sys

from bot.cluster.launcher import main

sys.exit(main())
