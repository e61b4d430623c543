"""python -m infra.local.platforms: the platforms and the simulator page, standalone."""

from infra.local.platforms.server import main

main()
