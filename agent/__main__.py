"""`python -m agent` runs the `fieldpilot` command."""

from agent.cli import main

main()
