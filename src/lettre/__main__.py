"""`python -m lettre`."""

from .cli import main

main()
